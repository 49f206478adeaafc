//! The audit's reading of the copy: sentences of tokens, with the story's area names, the
//! patch's own words masked, and every figure classed (rate, count, percentage, date ...).

use crate::copy::markdown::{self, is_table_line, is_table_rule};
use crate::copy::tokens::{date_len, is_word_char, strip_possessive};
use crate::stats::Direction;
use std::borrow::Cow;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NumClass {
    Rate,
    Int,
    Percent,
    Ordinal,
    Date,
    ListPos,
    Word,
    OrdinalWord,
}

/// A word or a figure's text as the audit reads it: a span of the copy, or of the copy in
/// lower case, so reading a story's words allocates nothing for them (only a word whose
/// letters lower-case outside ASCII is its own string).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct W<'c>(Cow<'c, str>);

impl<'c> W<'c> {
    pub(super) fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for W<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for W<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for W<'_> {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for W<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<W<'_>> for &str {
    fn eq(&self, other: &W<'_>) -> bool {
        **self == *other.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum T<'c> {
    Word(W<'c>),
    Num(NumClass, W<'c>),
    Area(usize),
    Open,
    Comma,
    Semi,
    Stop,
}

#[derive(Clone, Debug)]
pub(super) struct Tok<'c> {
    pub(super) t: T<'c>,
    pub(super) start: usize,
    pub(super) end: usize,
}

use crate::lang::{NUMBER_WORDS, ORDINAL_WORDS, WEEKDAYS};
pub(super) const UP_WORDS: &[&str] = &[
    "up",
    "rose",
    "risen",
    "rise",
    "rises",
    "rising",
    "climbed",
    "climb",
    "climbs",
    "climbing",
    "increase",
    "increased",
    "increases",
    "increasing",
];
pub(super) const DOWN_WORDS: &[&str] = &[
    "down",
    "fell",
    "fallen",
    "fall",
    "falls",
    "falling",
    "dropped",
    "drop",
    "drops",
    "dropping",
    "decrease",
    "decreased",
    "decreases",
    "decreasing",
];
pub(super) const SAME_WORDS: &[&str] = &["unchanged", "steady", "same"];
pub(super) const CLAUSE_WORDS: &[&str] = &["and", "while", "but", "with", "whereas"];
pub(super) const PRONOUNS: &[&str] = &["it", "that", "this", "its"];

pub(super) fn direction_word(w: &str) -> Option<Direction> {
    if UP_WORDS.contains(&w) {
        Some(Direction::Up)
    } else if DOWN_WORDS.contains(&w) {
        Some(Direction::Down)
    } else if SAME_WORDS.contains(&w) {
        Some(Direction::Unchanged)
    } else {
        None
    }
}

pub(super) fn dir_word(d: Direction) -> &'static str {
    match d {
        Direction::Up => "rose",
        Direction::Down => "fell",
        Direction::Unchanged => "was unchanged",
    }
}

/// Which bytes the given words start with.
pub(super) fn first_bytes<'s>(words: impl Iterator<Item = &'s str>) -> [bool; 256] {
    let mut first = [false; 256];
    for b in words.filter_map(|w| w.as_bytes().first()) {
        first[usize::from(*b)] = true;
    }
    first
}

/// One line's tokens as the audit reads them. The line structure (tables, headings, list
/// markers), dates, word characters and possessives are [`crate::copy`]'s; what stays here
/// depends on the story, which the shared reader cannot know: the story's area names read as
/// one token each ("Hartlepool 001", "Kingston upon Hull, City of"), the patch's own words and
/// the templates' fixed text masked, and every figure classed as the facts print it (a rate, a
/// percentage, an ordinal, a weekday's date), which the lint's tokens do not tell apart.
///
/// `lower` is `line` in ASCII lower case (the same bytes but for the case of ASCII letters), where
/// the words are read from.
pub(super) fn tokenize<'c>(
    line: &'c str,
    lower: &'c str,
    names: &[(String, String)],
    labels: &[String],
) -> Vec<Tok<'c>> {
    debug_assert_eq!(line.len(), lower.len(), "a line and its lower case");
    let mut toks: Vec<Tok<'c>> = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut push = |t: T<'c>, start: usize, end: usize| toks.push(Tok { t, start, end });
    // The first bytes names and labels start with: most places in a line can start neither.
    let name_first = first_bytes(names.iter().map(|(n, _)| n.as_str()));
    let label_first = first_bytes(labels.iter().map(String::as_str));
    while i < line.len() {
        let c = line[i..].chars().next().expect("in bounds");
        let after_word = line[..i].chars().next_back().is_some_and(is_word_char);
        let first = usize::from(bytes[i]);
        // The patch's own words (publication, region, who calculated the figures) are not
        // figures, whatever they contain; area names are matched first.
        let label = (!after_word && label_first[first])
            .then(|| {
                labels.iter().find(|l| {
                    line[i..].starts_with(l.as_str())
                        && !line[i + l.len()..]
                            .chars()
                            .next()
                            .is_some_and(char::is_alphanumeric)
                        // The longer reading wins: a region that starts with an area's
                        // name ("Cardiff and the Vale") is the region, a region that is an
                        // area's name ("Hull") is the area.
                        && !names.iter().any(|(n, _)| {
                            n.len() >= l.len() && line[i..].starts_with(n.as_str())
                        })
                })
            })
            .flatten();
        if let Some(l) = label {
            i += l.len();
            continue;
        }
        if !after_word && !c.is_whitespace() && !c.is_ascii_digit() {
            let hit = name_first[first].then(|| {
                names.iter().position(|(n, _)| {
                    line[i..].starts_with(n.as_str())
                        && !line[i + n.len()..]
                            .chars()
                            .next()
                            .is_some_and(char::is_alphanumeric)
                })
            });
            if let Some(k) = hit.flatten() {
                push(T::Area(k), i, i + names[k].0.len());
                i += names[k].0.len();
                continue;
            }
            // Weekdays and months open with a capital: most words need not be compared.
            let capital = bytes[i].is_ascii_uppercase();
            if let Some(w) = WEEKDAYS
                .iter()
                .find(|w| capital && line[i..].starts_with(*w))
                && let Some(rest) = line[i + w.len()..].strip_prefix(", ")
                && let Some(n) = date_len(rest)
            {
                let end = i + w.len() + 2 + n;
                push(T::Num(NumClass::Date, borrowed(&line[i..end])), i, end);
                i = end;
                continue;
            }
            if let Some(n) = capital.then(|| date_len(&line[i..])).flatten() {
                push(T::Num(NumClass::Date, borrowed(&line[i..i + n])), i, i + n);
                i += n;
                continue;
            }
        }
        if c.is_ascii_digit() && !after_word {
            let mut j = i;
            while j < line.len() {
                let b = bytes[j];
                let next_digit = bytes.get(j + 1).is_some_and(u8::is_ascii_digit);
                if b.is_ascii_digit() || ((b == b',' || b == b'.') && next_digit) {
                    j += 1;
                } else {
                    break;
                }
            }
            let text = &line[i..j];
            let rest = &line[j..];
            let suffix = ["st", "nd", "rd", "th"].iter().find(|s| {
                rest.starts_with(*s) && !rest[2..].chars().next().is_some_and(char::is_alphanumeric)
            });
            let (class, end) = if rest.starts_with('%') {
                (NumClass::Percent, j + 1)
            } else if suffix.is_some() {
                (NumClass::Ordinal, j + 2)
            } else if text.contains('.') {
                (NumClass::Rate, j)
            } else {
                (NumClass::Int, j)
            };
            push(T::Num(class, borrowed(&line[i..end])), i, end);
            i = end;
            continue;
        }
        if c.is_alphanumeric() {
            let len: usize = line[i..]
                .chars()
                .take_while(|&ch| is_word_char(ch))
                .map(char::len_utf8)
                .sum();
            let word = &line[i..i + len];
            let base = strip_possessive(word).trim_end_matches(['\'', '’', '-']);
            let lowered = if base.is_ascii() {
                // ASCII lower-cases in place: the word's bytes in the lower-case line.
                W(Cow::Borrowed(&lower[i..i + base.len()]))
            } else {
                W(Cow::Owned(base.to_lowercase()))
            };
            let t = if NUMBER_WORDS.contains(&lowered.as_str()) {
                T::Num(NumClass::Word, lowered)
            } else if ORDINAL_WORDS.contains(&lowered.as_str()) {
                T::Num(NumClass::OrdinalWord, lowered)
            } else {
                T::Word(lowered)
            };
            push(t, i, i + len);
            i += len;
            continue;
        }
        match c {
            '(' => push(T::Open, i, i + 1),
            ',' => push(T::Comma, i, i + 1),
            ';' | ':' => push(T::Semi, i, i + 1),
            '.' | '!' | '?' => push(T::Stop, i, i + 1),
            _ => {}
        }
        i += c.len_utf8();
    }
    toks
}

pub(super) struct Sentence<'c> {
    pub(super) line: usize,
    pub(super) text: &'c str,
    pub(super) toks: Vec<Tok<'c>>,
    /// The area a pronoun at the start refers to.
    pub(super) carried: Option<usize>,
    /// For a table row, whether each token sits in a column of last week's figures.
    pub(super) row: Option<Vec<bool>>,
}

/// A figure's text as printed.
fn borrowed(text: &str) -> W<'_> {
    W(Cow::Borrowed(text))
}

/// Whether a table header cell heads a column of last week's figures.
pub(super) fn prev_column(cell: &str, prev_markers: &[String]) -> bool {
    let cell = cell.to_lowercase();
    ["last week", "previous", "week before", "prior", "earlier"]
        .iter()
        .any(|m| cell.contains(m))
        || prev_markers.iter().any(|m| contains_phrase(&cell, m))
}

/// Splits the copy into sentences, each with its tokens. Headings and list items are sentences
/// of their own; a numbered list's marker becomes a list-position token.
///
/// `lower` are the same lines in ASCII lower case, which the words are read from.
pub(super) fn sentences<'c>(
    lines: &[&'c str],
    lower: &[&'c str],
    names: &[(String, String)],
    labels: &[String],
    prev_markers: &[String],
) -> Vec<Sentence<'c>> {
    let mut out = Vec::new();
    // A Markdown table: a header row, a rule, then one row per line; each row is a sentence
    // about the first area it names, each cell read under its header.
    let mut header: Option<Vec<bool>> = None;
    for (n, raw) in lines.iter().copied().enumerate() {
        if is_table_line(raw) {
            if is_table_rule(raw) {
                continue;
            }
            let cells: Vec<&str> = raw.trim().trim_matches('|').split('|').collect();
            let starts_header = n == 0 || !is_table_line(lines[n - 1]);
            if starts_header {
                header = Some(cells.iter().map(|c| prev_column(c, prev_markers)).collect());
            }
            let toks = tokenize(raw, lower[n], names, labels);
            let cols = header.clone().unwrap_or_default();
            let lead = raw.len() - raw.trim_start().len() + 1;
            let prev: Vec<bool> = toks
                .iter()
                .map(|t| {
                    let cell = raw[lead.min(t.start)..t.start].matches('|').count();
                    !starts_header && cols.get(cell).copied().unwrap_or(false)
                })
                .collect();
            if !toks.is_empty() {
                out.push(Sentence {
                    line: n + 1,
                    text: raw.trim(),
                    toks,
                    carried: None,
                    row: Some(prev),
                });
            }
            continue;
        }
        let (content_start, marker) = markdown::prose_start(raw);
        let mut toks = tokenize(
            &raw[content_start..],
            &lower[n][content_start..],
            names,
            labels,
        );
        for t in &mut toks {
            t.start += content_start;
            t.end += content_start;
        }
        if let Some(m) = marker {
            toks.insert(
                0,
                Tok {
                    t: T::Num(NumClass::ListPos, borrowed(&raw[m.clone()])),
                    start: 0,
                    end: m.len(),
                },
            );
        }
        let mut start_byte = 0;
        let mut current: Vec<Tok<'c>> = Vec::new();
        let mut last_area: Option<usize> = None;
        let flush =
            |toks: Vec<Tok<'c>>, end: usize, start: usize, last_area: &mut Option<usize>| {
                // "It ...", "That ...", "No other ..." go on about the area of the sentence before.
                let carried = match (toks.first().map(|t| &t.t), toks.get(1).map(|t| &t.t)) {
                    (Some(T::Word(w)), _) if PRONOUNS.contains(&w.as_str()) => *last_area,
                    (Some(T::Word(a)), Some(T::Word(b))) if a == "no" && b == "other" => *last_area,
                    _ => None,
                };
                // The subject a pronoun refers to: the first area the sentence names.
                if let Some(a) = toks.iter().find_map(|t| match t.t {
                    T::Area(k) => Some(k),
                    _ => None,
                }) {
                    *last_area = Some(a);
                }
                Sentence {
                    line: n + 1,
                    text: raw[start..end].trim(),
                    toks,
                    carried,
                    row: None,
                }
            };
        for tok in toks {
            let is_stop = tok.t == T::Stop;
            let end = tok.end;
            current.push(tok);
            if is_stop {
                let s = flush(
                    std::mem::take(&mut current),
                    end,
                    start_byte,
                    &mut last_area,
                );
                if s.toks.len() > 1 {
                    out.push(s);
                }
                start_byte = end;
            }
        }
        if current.iter().any(|t| t.t != T::Stop) {
            out.push(flush(current, raw.len(), start_byte, &mut last_area));
        }
    }
    out
}

/// Whether `phrase` occurs in `text` as whole words, ignoring case.
pub(super) fn contains_phrase(text: &str, phrase: &str) -> bool {
    !phrase.trim().is_empty() && contains_lowered(text, &phrase.to_lowercase())
}

/// [`contains_phrase`] with the phrase already in lower case (and not blank): a story looks
/// for its region and universe in every sentence, so their lower-case forms are made once.
pub(super) fn contains_lowered(text: &str, phrase: &str) -> bool {
    if text.is_ascii() {
        // Lower-casing ASCII keeps every byte where it was, so the copy is searched as it
        // is, without a lower-cased copy of it; a phrase with other letters cannot be in it.
        return phrase.is_ascii() && contains_ascii(text.as_bytes(), phrase.as_bytes());
    }
    let text = text.to_lowercase();
    let mut from = 0;
    while let Some(p) = text[from..].find(phrase) {
        let start = from + p;
        let end = start + phrase.len();
        let before = text[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        let after = text[end..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric);
        if !before && !after {
            return true;
        }
        from = start + phrase.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Whether lower-case ASCII `phrase` is in ASCII `text`, any case, as whole words.
fn contains_ascii(text: &[u8], phrase: &[u8]) -> bool {
    let Some(&first) = phrase.first() else {
        return false;
    };
    let fits = |start: usize| {
        text.len() - start >= phrase.len()
            && text[start..start + phrase.len()]
                .iter()
                .zip(phrase)
                .all(|(a, b)| a.to_ascii_lowercase() == *b)
            && !(start > 0 && text[start - 1].is_ascii_alphanumeric())
            && !text
                .get(start + phrase.len())
                .is_some_and(u8::is_ascii_alphanumeric)
    };
    // Only where the first letter is, in either case.
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), text).any(fits)
}

/// A phrase looked for in every sentence of a story (its region, its universe's name), read
/// once per story: its printed and Markdown-escaped forms in lower case, and the story's area
/// names that hold it, which do not name it ("Wyre Forest" is not "Wyre").
pub(super) struct Phrase {
    /// The forms to find, lower case, none blank.
    forms: Vec<String>,
    /// The names (longest first) that hold the phrase as whole words and are longer.
    shadows: Vec<String>,
}

impl Phrase {
    pub(super) fn new(phrase: &str, names: &[(String, String)]) -> Phrase {
        let escaped = crate::lang::markdown_text(phrase);
        let shadows = names
            .iter()
            .filter(|(name, _)| {
                name.len() > phrase.len()
                    && (contains_phrase(name, phrase) || contains_phrase(name, &escaped))
            })
            .map(|(name, _)| name.clone())
            .collect();
        let forms = [phrase, escaped.as_str()]
            .into_iter()
            .filter(|f| !f.trim().is_empty())
            .map(str::to_lowercase)
            .collect();
        Phrase { forms, shadows }
    }

    /// Whether `text` names the phrase other than inside a longer area name.
    pub(super) fn named_in(&self, text: &str) -> bool {
        let mut text = std::borrow::Cow::Borrowed(text);
        for name in &self.shadows {
            if text.contains(name.as_str()) {
                text = std::borrow::Cow::Owned(text.replace(name.as_str(), " "));
            }
        }
        self.forms.iter().any(|f| contains_lowered(&text, f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lower-case reading as the audit first wrote it: the copy lower-cased, then searched.
    fn by_lowering(text: &str, phrase: &str) -> bool {
        if phrase.trim().is_empty() {
            return false;
        }
        let (text, phrase) = (text.to_lowercase(), phrase.to_lowercase());
        let mut from = 0;
        while let Some(p) = text[from..].find(&phrase) {
            let start = from + p;
            let end = start + phrase.len();
            let before = text[..start]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
            let after = text[end..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric);
            if !before && !after {
                return true;
            }
            from = start + phrase.chars().next().map_or(1, char::len_utf8);
        }
        false
    }

    #[test]
    fn phrases_are_found_as_the_lower_cased_copy_finds_them() {
        let texts = [
            "Rates rose in South East London.",
            "south east londoner",
            "the South East London area",
            "Wyre Forest and Wyre",
            "Ynys Môn rose; ynys môn fell",
            "KELVIN \u{212a} k",
            "aaa aa",
            "",
            "İstanbul istanbul",
        ];
        let phrases = [
            "South East London",
            "london",
            "Wyre",
            "Ynys Môn",
            "k",
            "\u{212a}",
            "aa",
            " ",
            "istanbul",
            "İstanbul",
        ];
        for t in texts {
            for p in phrases {
                assert_eq!(contains_phrase(t, p), by_lowering(t, p), "{t:?} / {p:?}");
            }
        }
    }

    #[test]
    fn a_longer_name_holding_the_phrase_does_not_name_it() {
        let names = vec![
            ("Wyre Forest".to_string(), "E07000239".to_string()),
            ("Wyre".to_string(), "E07000128".to_string()),
        ];
        let wyre = Phrase::new("Wyre", &names);
        assert!(!wyre.named_in("Wyre Forest rose."));
        assert!(wyre.named_in("Wyre Forest and Wyre rose."));
        assert!(!Phrase::new("  ", &names).named_in("  "));
    }
}
