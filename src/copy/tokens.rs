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

pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|c| c.1);
    let offset = |i: usize| chars.get(i).map_or(text.len(), |c| c.0);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let start = i;
        if c.is_whitespace() {
            i += 1;
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
                i += 1;
                while at(i).is_some_and(|d| {
                    d.is_alphanumeric()
                        || (d == '-' && at(i + 1).is_some_and(char::is_alphanumeric))
                }) {
                    i += 1;
                }
            }
            Tok::Number
        } else if c.is_alphabetic() {
            i += 1;
            while let Some(d) = at(i) {
                let joins =
                    matches!(d, '\'' | '’' | '-') && at(i + 1).is_some_and(char::is_alphanumeric);
                if d.is_alphanumeric() || joins {
                    i += 1;
                } else {
                    break;
                }
            }
            let word = &text[offset(start)..offset(i)];
            if (word.eq_ignore_ascii_case("http") || word.eq_ignore_ascii_case("https"))
                && text[offset(i)..].starts_with("://")
            {
                while at(i).is_some_and(|d| !d.is_whitespace()) {
                    i += 1;
                }
                // A link's closing bracket or a sentence's full stop is not part of it.
                while i > start + 1 && at(i - 1).is_some_and(|d| matches!(d, ')' | '.' | ',' | ']'))
                {
                    i -= 1;
                }
                Tok::Url
            } else {
                Tok::Word
            }
        } else {
            i += 1;
            Tok::Punct(c)
        };
        out.push(Token {
            tok,
            start: offset(start),
            end: offset(i),
        });
    }
    out
}

/// The month a word names in full, 0-based.
pub(crate) fn month_index(word: &str) -> Option<usize> {
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
