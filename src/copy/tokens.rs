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

/// The copy's tokens, in order. Read a byte at a time where the text is ASCII, as nearly all
/// of it is, and by character where it is not: a character is decoded only where a
/// non-ASCII byte starts one (or where a figure's glued word is read).
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let at = |p: usize| char_at(text, p);
    // The offset after the character at `p` (an ASCII mark, a digit or '-', is one byte).
    let after = |p: usize| at(p).map_or(p, |c| p + c.len_utf8());
    let mut out = Vec::with_capacity(text.len() / 4);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        let class = CLASS[usize::from(b)];
        let tok = if class == DIGIT {
            i += 1;
            loop {
                match bytes.get(i) {
                    Some(d) if d.is_ascii_digit() => i += 1,
                    Some(b',' | b'.' | b'/' | b'-' | b':')
                        if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) =>
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
        } else if class != NON_ASCII {
            i += 1;
            match class {
                SPACE => continue,
                LETTER => word(text, start, &mut i),
                _ => Tok::Punct(char::from(b)),
            }
        } else {
            let c = at(i).unwrap_or(char::REPLACEMENT_CHARACTER);
            i += c.len_utf8();
            if c.is_whitespace() {
                continue;
            } else if c.is_alphabetic() {
                word(text, start, &mut i)
            } else {
                Tok::Punct(c)
            }
        };
        out.push(Token { tok, start, end: i });
    }
    out
}

/// [`CLASS`] of an ASCII digit.
const DIGIT: u8 = 1;
/// [`CLASS`] of ASCII white space, what `char::is_whitespace` is in ASCII.
const SPACE: u8 = 2;
/// [`CLASS`] of an ASCII letter.
const LETTER: u8 = 3;
/// [`CLASS`] of any other ASCII byte: a mark.
const MARK: u8 = 4;
/// [`CLASS`] of a byte that is not ASCII: it starts a character that is decoded.
const NON_ASCII: u8 = 0;

/// What each byte starts, told by one lookup where three or four tests told it.
const CLASS: [u8; 256] = {
    let mut table = [NON_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_digit() {
            DIGIT
        } else if matches!(c, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r') {
            SPACE
        } else if c.is_ascii_alphabetic() {
            LETTER
        } else {
            MARK
        };
        b += 1;
    }
    table
};

/// Whether each byte is an ASCII letter or digit, looked up rather than tested against three
/// ranges, once for every byte of every word.
const ASCII_ALNUM: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

/// The rest of a word that starts at `start` (a link if it is one), its first character read:
/// `i` is moved to its end.
fn word(text: &str, start: usize, i: &mut usize) -> Tok {
    let bytes = text.as_bytes();
    let at = |p: usize| char_at(text, p);
    loop {
        // The run of ASCII letters and digits most words are, a byte at a time.
        while bytes.get(*i).is_some_and(|&b| ASCII_ALNUM[usize::from(b)]) {
            *i += 1;
        }
        // An ASCII byte that is no letter, digit, apostrophe or hyphen ends the word, as the
        // end of the text does; the rest is decided a character at a time.
        match bytes.get(*i) {
            None => break,
            Some(&d) if d.is_ascii() && d != b'\'' && d != b'-' => break,
            _ => {}
        }
        let Some(d) = at(*i) else { break };
        let joins = matches!(d, '\'' | '’' | '-')
            && at(*i + d.len_utf8()).is_some_and(char::is_alphanumeric);
        if d.is_alphanumeric() || joins {
            *i += d.len_utf8();
        } else {
            break;
        }
    }
    // Only a word of four or five letters starting "h" may start a link: no other is sliced.
    let len = *i - start;
    let word = (matches!(len, 4 | 5) && bytes[start].eq_ignore_ascii_case(&b'h'))
        .then(|| &text[start..*i]);
    if word.is_some_and(|w| w.eq_ignore_ascii_case("http") || w.eq_ignore_ascii_case("https"))
        && text[*i..].starts_with("://")
    {
        while at(*i).is_some_and(|d| !d.is_whitespace()) {
            *i += at(*i).map_or(1, char::len_utf8);
        }
        // A link's closing bracket or a sentence's full stop is not part of it. (The link
        // starts "ht", so two bytes are two characters.)
        while *i > start + 1
            && text[..*i]
                .chars()
                .next_back()
                .is_some_and(|d| matches!(d, ')' | '.' | ',' | ']'))
        {
            *i -= 1;
        }
        Tok::Url
    } else {
        Tok::Word
    }
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

/// Whether a character is a digit or numeral other than ASCII 0–9 ("９", "٩", "𝟗", "⑨", "⁹",
/// "½", "Ⅻ"): the house prints figures in ASCII digits, and nothing traces any other kind.
pub(crate) fn is_foreign_numeral(c: char) -> bool {
    !c.is_ascii() && c.is_numeric()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokeniser as it read copy before it read bytes: a character decoded at every step.
    fn tokenize_by_char(text: &str) -> Vec<Token> {
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

    fn same(text: &str) {
        let key = |t: &[Token]| -> Vec<(Tok, usize, usize)> {
            t.iter().map(|t| (t.tok, t.start, t.end)).collect()
        };
        assert_eq!(
            key(&tokenize(text)),
            key(&tokenize_by_char(text)),
            "{text:?}"
        );
    }

    #[test]
    fn bytes_are_read_as_the_characters_were() {
        for text in [
            include_str!("../../tests/fixtures/lint/clean.md"),
            include_str!("../../tests/fixtures/lint/slips.md"),
            include_str!("../../tests/fixtures/lint/published-snippets.txt"),
            "",
            "a",
            "9",
            "http://x.y/z). https://a.b(c), HTTP://Q, http:/no, https",
            "12th 9am 17-year-olds 1,024.5 24/7 14/01/2021 9:30 5- 5-a 5-é é-5 Covid-19",
            "rock’n’roll don't it’ -x x- ’s 'a a' é ü ÉA\u{a0}b\u{2003}c\u{85}d\u{feff}e",
            "\t\x0B\x0C\r\n \u{1c}\u{1f} 𝔸 ½ ٣ 二 …—–",
        ] {
            same(text);
        }
    }

    #[test]
    fn random_text_is_read_as_the_characters_were() {
        // Every kind of character the tokeniser tells apart, often next to one another.
        let alphabet = [
            "a", "Z", "h", "ttp", "://", "s", "0", "9", ",", ".", "/", "-", ":", "'", "’", "é",
            "½", "٣", " ", "\n", "\t", "\u{a0}", "\u{2003}", ")", "]", "(", "\"", "…", "𝔸", "x1",
        ];
        let mut rng = fastrand::Rng::with_seed(15);
        for _ in 0..20_000 {
            let text: String = (0..rng.usize(0..24))
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect();
            same(&text);
        }
    }
}
