//! Tokens of copy: words, figures (with what is glued to them), links and marks.

use crate::lang::MONTHS;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Word,
    Number,
    Url,
    Punct(char),
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The character starting at byte `p` of `text`, if any; `p` is on a character boundary.
#[inline]
fn char_at(text: &str, p: usize) -> Option<char> {
    let b = *text.as_bytes().get(p)?;
    if b.is_ascii() {
        Some(char::from(b))
    } else {
        text[p..].chars().next()
    }
}

/// The copy's tokens, in order. Read by byte offset, a character decoded where it is looked
/// at, rather than from a list of every character and its offset made for each block.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let at = |p: usize| char_at(text, p);
    // The offset after the character at `p` (an ASCII mark, a digit or '-', is one byte).
    let after = |p: usize| at(p).map_or(p, |c| p + c.len_utf8());
    let mut out = Vec::with_capacity(text.len() / 4);
    let mut i = 0;
    while let Some(c) = at(i) {
        let start = i;
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let tok = if c.is_ascii_digit() {
            i += 1;
            loop {
                match at(i) {
                    Some(d) if d.is_ascii_digit() => i += 1,
                    Some(',' | '.' | '/' | '-' | ':')
                        if at(i + 1).is_some_and(|d| d.is_ascii_digit()) =>
                    {
                        i += 2
                    }
                    _ => break,
                }
            }
            // "12th", "9am", "17-year-olds": the figure and what it is glued to read as one.
            if at(i).is_some_and(char::is_alphabetic)
                || (at(i) == Some('-') && at(i + 1).is_some_and(char::is_alphabetic))
            {
                i = after(i);
                while at(i).is_some_and(|d| {
                    d.is_alphanumeric()
                        || (d == '-' && at(i + 1).is_some_and(char::is_alphanumeric))
                }) {
                    i = after(i);
                }
            }
            Tok::Number
        } else if c.is_alphabetic() {
            i += c.len_utf8();
            // The run of ASCII letters and digits most words are, a byte at a time; the loop
            // after it decides the rest of the word as before.
            while text
                .as_bytes()
                .get(i)
                .is_some_and(u8::is_ascii_alphanumeric)
            {
                i += 1;
            }
            while let Some(d) = at(i) {
                let joins = matches!(d, '\'' | '’' | '-')
                    && at(i + d.len_utf8()).is_some_and(char::is_alphanumeric);
                if d.is_alphanumeric() || joins {
                    i += d.len_utf8();
                } else {
                    break;
                }
            }
            let word = &text[start..i];
            if (word.eq_ignore_ascii_case("http") || word.eq_ignore_ascii_case("https"))
                && text[i..].starts_with("://")
            {
                while at(i).is_some_and(|d| !d.is_whitespace()) {
                    i = after(i);
                }
                // A link's closing bracket or a sentence's full stop is not part of it. (The
                // link starts "ht", so two bytes are two characters.)
                while i > start + 1
                    && text[..i]
                        .chars()
                        .next_back()
                        .is_some_and(|d| matches!(d, ')' | '.' | ',' | ']'))
                {
                    i -= 1;
                }
                Tok::Url
            } else {
                Tok::Word
            }
        } else {
            i += c.len_utf8();
            Tok::Punct(c)
        };
        out.push(Token { tok, start, end: i });
    }
    out
}

/// The month a word names in full, 0-based.
pub(crate) fn month_index(word: &str) -> Option<usize> {
    // Every month starts with one of these capitals: most words are no month at a glance.
    if !word
        .bytes()
        .next()
        .is_some_and(|b| matches!(b, b'J' | b'F' | b'M' | b'A' | b'S' | b'O' | b'N' | b'D'))
    {
        return None;
    }
    MONTHS.iter().position(|m| *m == word)
}

/// A word without its possessive endings: `word.trim_end_matches("'s").trim_end_matches("’s")`,
/// without the substring searchers those build, once for every word of every story.
pub(crate) fn strip_possessive(word: &str) -> &str {
    let mut w = word;
    while let Some(rest) = w.strip_suffix("'s") {
        w = rest;
    }
    while let Some(rest) = w.strip_suffix("’s") {
        w = rest;
    }
    w
}

/// Whether a character continues a word: letters, digits, apostrophes and hyphens.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'
}

/// The date at the start of `s` ("January 14", "January 14 2020"), as its length.
pub(crate) fn date_len(s: &str) -> Option<usize> {
    let month = MONTHS.iter().find(|m| s.starts_with(*m))?;
    let mut i = month.len();
    // A hard-wrapped line may break a date where a space would be.
    let rest = s[i..].strip_prefix([' ', '\n'])?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&digits) {
        return None;
    }
    i += 1 + digits;
    if s[i..].chars().next().is_some_and(is_word_char) {
        return None;
    }
    let tail = &s[i..];
    if let Some(y) = tail.strip_prefix([' ', '\n'])
        && y.bytes().take_while(u8::is_ascii_digit).count() == 4
        && !y[4..].starts_with(|c: char| {
            c.is_ascii_digit() || c == ',' && y[5..].starts_with(|d: char| d.is_ascii_digit())
        })
    {
        i += 5;
    }
    Some(i)
}
