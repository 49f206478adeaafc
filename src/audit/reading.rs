//! The audit's reading of the copy: sentences of tokens, with the story's area names, the
//! patch's own words masked, and every figure classed (rate, count, percentage, date ...).

use super::Name;
use super::phrase::contains_phrase;
use crate::copy::Copy;
use crate::copy::block::{Block, one_line};
use crate::copy::markdown::{Kind, is_table_line, is_table_rule};
use crate::copy::tokens::{Tok as CopyTok, date_len, is_word_char, strip_possessive};
use crate::stats::Direction;
use std::borrow::Cow;
use std::fmt;

mod foreign;
mod words;
pub(super) use foreign::foreign_message;
pub(super) use words::{clause_word, direction_word, number_word};

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
    /// One digit or numeral other than ASCII 0–9, which no fact prints.
    Foreign,
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

    /// A word or figure of the audit's own making (the tests' oracle reads into these).
    #[cfg(test)]
    pub(super) fn owned(text: String) -> W<'static> {
        W(Cow::Owned(text))
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

use crate::lang::WEEKDAYS;
pub(super) const PRONOUNS: &[&str] = &["it", "that", "this", "its"];

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

/// The names and labels a story's copy is read with, and the first bytes they start with
/// (most places in a line can start neither).
pub(super) struct Lexicon<'n> {
    pub(super) names: &'n [Name<'n>],
    pub(super) labels: &'n [Cow<'n, str>],
    name_first: [bool; 256],
    label_first: [bool; 256],
    /// The names' first bytes and indices, sorted by first byte, in order within a byte.
    by_first: Vec<(u8, usize)>,
    /// The first blank name, which opens anywhere.
    blank: Option<usize>,
}

impl<'n> Lexicon<'n> {
    pub(super) fn new(names: &'n [Name<'n>], labels: &'n [Cow<'n, str>]) -> Self {
        let mut by_first: Vec<(u8, usize)> = names
            .iter()
            .enumerate()
            .filter_map(|(k, (n, _))| n.as_bytes().first().map(|&b| (b, k)))
            .collect();
        // A stable sort keeps the names' order within each first byte.
        by_first.sort_by_key(|&(b, _)| b);
        Lexicon {
            names,
            labels,
            name_first: first_bytes(names.iter().map(|(n, _)| n.as_ref())),
            label_first: first_bytes(labels.iter().map(|l| l.as_ref())),
            by_first,
            blank: names.iter().position(|(n, _)| n.is_empty()),
        }
    }

    /// The patch's own words or template text at `at`: its length.
    fn label_at(&self, text: &str, at: usize) -> Option<usize> {
        let first = usize::from(*text.as_bytes().get(at)?);
        if !self.label_first[first] {
            return None;
        }
        self.labels
            .iter()
            .find(|l| {
                opens(text, at, l)
                    && !followed_by_alnum(text, at + l.len())
                    // The longer reading wins: a region that starts with an area's name
                    // ("Cardiff and the Vale") is the region, a region that is an area's
                    // name ("Hull") is the area.
                    && !self
                        .names
                        .iter()
                        .any(|(n, _)| n.len() >= l.len() && opens(text, at, n))
            })
            .map(|l| l.len())
    }

    /// The story's area named at `at`: its index in the names.
    pub(super) fn area_at(&self, text: &str, at: usize) -> Option<usize> {
        let first = usize::from(*text.as_bytes().get(at)?);
        if !self.name_first[first] {
            return None;
        }
        let reads = |k: usize| {
            let n = &self.names[k].0;
            opens(text, at, n) && !followed_by_alnum(text, at + n.len())
        };
        // The first name in order that reads here: the first of those starting with this
        // byte, or a blank name before it.
        let from = self
            .by_first
            .partition_point(|&(b, _)| usize::from(b) < first);
        let hit = self.by_first[from..]
            .iter()
            .take_while(|&&(b, _)| usize::from(b) == first)
            .map(|&(_, k)| k)
            .find(|&k| reads(k));
        match (hit, self.blank.filter(|&k| reads(k))) {
            (Some(k), Some(b)) => Some(k.min(b)),
            (k, b) => k.or(b),
        }
    }
}

/// Whether `text` at `at` reads `phrase`, a space of which may be a line end: a hard-wrapped
/// line can break a name ("Ards and North\nDown") or the patch's words anywhere it has a space.
fn opens(text: &str, at: usize, phrase: &str) -> bool {
    let (text, phrase) = (&text.as_bytes()[at..], phrase.as_bytes());
    text.len() >= phrase.len()
        && text
            .iter()
            .zip(phrase)
            .all(|(t, p)| t == p || (*p == b' ' && *t == b'\n'))
}

fn followed_by_alnum(text: &str, at: usize) -> bool {
    text[at..].chars().next().is_some_and(char::is_alphanumeric)
}

/// A date at `at` ("January 14", "Thursday, January 14"): its length.
fn date_at(text: &str, at: usize) -> Option<usize> {
    // Weekdays and months open with a capital: most words need not be compared.
    if !text.as_bytes()[at].is_ascii_uppercase() {
        return None;
    }
    let rest = &text[at..];
    if let Some(w) = WEEKDAYS.iter().find(|w| rest.starts_with(*w))
        && let Some(after) = rest[w.len()..].strip_prefix(",")
        && let Some(gap) = after.strip_prefix([' ', '\n'])
        && let Some(n) = date_len(gap)
    {
        return Some(w.len() + 2 + n);
    }
    date_len(rest)
}

/// One stretch of copy's tokens as the audit reads them, made from the shared reader's tokens
/// of it ([`crate::copy::tokens`]): the same words, figures, links and marks, read with what
/// only the story knows. Its area names read as one token each ("Hartlepool 001", "Kingston
/// upon Hull, City of"), the patch's own words and the templates' fixed text are masked, a
/// date is one token, and every figure is classed as the facts print it (a rate, a
/// percentage, an ordinal), which the lint's tokens do not tell apart. A link is no figure
/// and no word of the copy's.
///
/// `lower` is `text` in ASCII lower case, where the words are read from. Returns the tokens
/// and the byte spans masked or read as one name, which no sentence may end inside.
pub(super) fn tokenize<'c>(
    text: &'c str,
    lower: &'c str,
    copy_toks: &[crate::copy::tokens::Token],
    lex: &Lexicon<'_>,
) -> (Vec<Tok<'c>>, Vec<std::ops::Range<usize>>) {
    debug_assert_eq!(text.len(), lower.len(), "a text and its lower case");
    let mut toks: Vec<Tok<'c>> = Vec::with_capacity(copy_toks.len());
    let mut spans = Vec::new();
    // Where reading has got to: a name, label or date may cover several of the reader's tokens.
    let mut done = 0;
    for ct in copy_toks {
        let at = ct.start;
        if at < done {
            continue;
        }
        let after_word = after_word_char(text, at);
        if !after_word {
            // The patch's own words (publication, region, who calculated the figures) are
            // not figures, whatever they contain; area names are matched first.
            if let Some(len) = lex.label_at(text, at) {
                spans.push(at..at + len);
                done = at + len;
                continue;
            }
            // A token leads with an ASCII digit exactly when its first byte is one.
            if !text.as_bytes()[at].is_ascii_digit() {
                if let Some(k) = lex.area_at(text, at) {
                    let end = at + lex.names[k].0.len();
                    toks.push(Tok {
                        t: T::Area(k),
                        start: at,
                        end,
                    });
                    spans.push(at..end);
                    done = end;
                    continue;
                }
                if let Some(n) = date_at(text, at) {
                    let date = &text[at..at + n];
                    // A date wrapped across lines prints as one line.
                    let date = if date.contains('\n') {
                        W(Cow::Owned(date.replace('\n', " ")))
                    } else {
                        borrowed(date)
                    };
                    toks.push(Tok {
                        t: T::Num(NumClass::Date, date),
                        start: at,
                        end: at + n,
                    });
                    done = at + n;
                    continue;
                }
            }
        }
        done = match ct.tok {
            // A link says nothing the audit checks.
            CopyTok::Url => ct.end,
            CopyTok::Word => word(text, lower, at, &mut toks),
            CopyTok::Number if after_word => word(text, lower, at, &mut toks),
            CopyTok::Number => figures(text, lower, at, ct.end, &mut toks),
            CopyTok::Punct(c) if crate::copy::tokens::is_foreign_numeral(c) => {
                foreign::push_foreign(text, at, ct.end, &mut toks);
                ct.end
            }
            CopyTok::Punct(c) => {
                let t = match c {
                    '(' => Some(T::Open),
                    ',' => Some(T::Comma),
                    ';' | ':' => Some(T::Semi),
                    '.' | '!' | '?' => Some(T::Stop),
                    _ => None,
                };
                if let Some(t) = t {
                    toks.push(Tok {
                        t,
                        start: at,
                        end: ct.end,
                    });
                }
                ct.end
            }
        };
    }
    (toks, spans)
}

/// Whether the character before `at` goes on with a word ([`is_word_char`]): read from its
/// byte when that is ASCII.
pub(super) fn after_word_char(text: &str, at: usize) -> bool {
    match at.checked_sub(1).map(|i| text.as_bytes()[i]) {
        None => false,
        Some(b) if b.is_ascii() => WORD_BYTES[usize::from(b)],
        Some(_) => text[..at].chars().next_back().is_some_and(is_word_char),
    }
}

/// The word at `at`, read as the audit reads words: lower case, without its possessive, a
/// number word or an ordinal word classed as such. Where it ends.
pub(super) fn word<'c>(text: &'c str, lower: &'c str, at: usize, toks: &mut Vec<Tok<'c>>) -> usize {
    let bytes = text.as_bytes();
    // Most words are ASCII: read by bytes, and by characters only when a byte that is not
    // ASCII follows, which may go on with the word ("Môn", "’s").
    let mut end = at;
    while bytes.get(end).is_some_and(|&b| WORD_BYTES[usize::from(b)]) {
        end += 1;
    }
    let (len, base_len) = if bytes.get(end).is_some_and(|&b| !b.is_ascii()) {
        let len: usize = text[at..]
            .chars()
            .take_while(|&ch| is_word_char(ch))
            .map(char::len_utf8)
            .sum();
        let base = strip_possessive(&text[at..at + len]).trim_end_matches(['\'', '’', '-']);
        if !base.is_ascii() {
            push_word(W(Cow::Owned(base.to_lowercase())), at, len, toks);
            // A word may hold a numeral ("Ⅻ", "rate٩"): the numeral is read besides the word.
            foreign::push_foreign(text, at, at + len, toks);
            return at + len;
        }
        (len, base.len())
    } else {
        // An ASCII word holds no "’": its possessive is "'s", its trailing marks ' and -.
        let mut base = end;
        while base - at >= 2 && bytes[base - 2..base] == *b"'s" {
            base -= 2;
        }
        while base > at && matches!(bytes[base - 1], b'\'' | b'-') {
            base -= 1;
        }
        (end - at, base - at)
    };
    // ASCII lower-cases in place: the word's bytes in the lower-case text.
    push_word(W(Cow::Borrowed(&lower[at..at + base_len])), at, len, toks);
    at + len
}

/// The ASCII bytes that go on with a word ([`is_word_char`]): letters, digits, `'` and `-`.
const WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'\'' || c == b'-';
        b += 1;
    }
    table
};

/// A word read at `at`, `len` bytes long, as `lowered`: a number word or an ordinal word
/// classed as such.
fn push_word<'c>(lowered: W<'c>, at: usize, len: usize, toks: &mut Vec<Tok<'c>>) {
    let t = match number_word(&lowered) {
        Some(class) => T::Num(class, lowered),
        None => T::Word(lowered),
    };
    toks.push(Tok {
        t,
        start: at,
        end: at + len,
    });
}

/// The figures of one of the reader's number tokens ("254.0", "12th", "25%", "2020/21",
/// "17-year-olds"), from `at` to `end`: each run of digits (with its thousands commas and
/// decimal point) a figure, classed by what it is glued to; a word glued on is a word.
/// Where reading ends (past a percent sign that follows).
fn figures<'c>(
    text: &'c str,
    lower: &'c str,
    at: usize,
    end: usize,
    toks: &mut Vec<Tok<'c>>,
) -> usize {
    let bytes = text.as_bytes();
    let mut i = at;
    let mut read_to = end;
    while i < end {
        let c = text[i..].chars().next().expect("in bounds");
        // Digits after a letter or hyphen ("2020-21") are part of a word, as a name's are.
        let after_word = i > at && text[..i].chars().next_back().is_some_and(is_word_char);
        if c.is_ascii_digit() && !after_word {
            let mut j = i;
            while j < text.len() {
                let b = bytes[j];
                let next_digit = bytes.get(j + 1).is_some_and(u8::is_ascii_digit);
                if b.is_ascii_digit() || ((b == b',' || b == b'.') && next_digit) {
                    j += 1;
                } else {
                    break;
                }
            }
            let figure = &text[i..j];
            let rest = &text[j..];
            let ordinal = ["st", "nd", "rd", "th"]
                .iter()
                .any(|s| rest.starts_with(*s) && !followed_by_alnum(rest, 2));
            let (class, to) = if rest.starts_with('%') {
                (NumClass::Percent, j + 1)
            } else if ordinal {
                (NumClass::Ordinal, j + 2)
            } else if figure.contains('.') {
                (NumClass::Rate, j)
            } else {
                (NumClass::Int, j)
            };
            toks.push(Tok {
                t: T::Num(class, borrowed(&text[i..to])),
                start: i,
                end: to,
            });
            read_to = read_to.max(to);
            i = to;
        } else if c.is_alphanumeric() {
            i = word(text, lower, i, toks);
        } else {
            i += c.len_utf8();
        }
    }
    read_to
}

pub(super) struct Sentence<'c> {
    /// The 1-based line the sentence starts on.
    pub(super) line: usize,
    /// The sentence on one line.
    pub(super) text: Cow<'c, str>,
    /// The stretch of copy the tokens' byte offsets are in.
    pub(super) src: &'c str,
    /// Where in `src` the sentence ends.
    pub(super) end: usize,
    pub(super) toks: Vec<Tok<'c>>,
    /// The area a pronoun at the start refers to.
    pub(super) carried: Option<usize>,
    /// The area of the last sentence before this one in its paragraph that names one.
    pub(super) before: Option<usize>,
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

/// The stretches of copy the audit reads: the shared reader's blocks, and each line of the
/// front matter as a block of its own (a title or description prints on the site, so its
/// figures are checked as the body's are, though the lint leaves front matter alone).
pub(super) fn front_matter_blocks(copy: &Copy<'_>) -> Vec<Block> {
    // Front matter is only at the very top, closed by a second `---` (or `...`), as the
    // reader finds it ([`crate::copy::markdown::classify`]): found here without classifying
    // every line again.
    let raw = &copy.raw;
    if raw
        .first()
        .is_none_or(|l| l.trim_start_matches('\u{feff}').trim() != "---")
    {
        return Vec::new();
    }
    let Some(end) = raw
        .iter()
        .skip(1)
        .position(|l| matches!(l.trim(), "---" | "..."))
        .map(|p| p + 1)
    else {
        return Vec::new();
    };
    (0..=end)
        .filter(|&i| !matches!(raw[i].trim(), "---" | "..."))
        .map(|i| Block::line(raw[i], i + 1))
        .collect()
}

/// Splits blocks of copy into the audit's sentences, each with its tokens: the shared reader's
/// sentences (a hard-wrapped line goes on with the sentence it wraps), except that no sentence
/// ends inside a name or the patch's own words ("The St. Ives Times"). A table row is one
/// sentence about the first area it names, each cell read under its header; a numbered
/// item's number is a list-position token.
///
/// `lower` are the blocks' texts in ASCII lower case, which the words are read from.
pub(super) fn sentences<'c>(
    copy: &Copy<'c>,
    blocks: &[&'c Block],
    lower: &'c [Cow<'c, str>],
    lex: &Lexicon<'_>,
    prev_markers: &[String],
) -> Vec<Sentence<'c>> {
    let mut out = Vec::with_capacity(blocks.len() * 2);
    let mut header: Option<Vec<bool>> = None;
    for (block, lower) in blocks.iter().copied().zip(lower) {
        let (mut toks, spans) = tokenize(&block.text, lower, &block.tokens, lex);
        let line = block.line_starts[0].1;
        if block.kind == Kind::Table {
            table_row(copy, block, line, toks, prev_markers, &mut header, &mut out);
            continue;
        }
        // A numbered item's number ("2." in a list or a heading) gives its position.
        if let Some(pos) = list_position(copy, block) {
            toks.retain(|t| t.start > pos.end);
            // The reader blanks a list marker: its number is read from the line as written.
            let raw = copy.raw[line - 1];
            toks.insert(
                0,
                Tok {
                    t: T::Num(NumClass::ListPos, borrowed(&raw[pos.clone()])),
                    start: pos.start,
                    end: pos.end,
                },
            );
        }
        // Where the shared reader starts each sentence but the first, except inside a span
        // read as one name or masked, and right after a numbered item's number.
        let opening = toks
            .iter()
            .find(|t| !matches!(t.t, T::Num(NumClass::ListPos, _)))
            .map_or(usize::MAX, |t| t.start);
        let starts: Vec<usize> = block
            .sentences
            .iter()
            .skip(1)
            .filter_map(|r| block.tokens.get(r.start).map(|t| t.start))
            .filter(|&b| b > opening && !spans.iter().any(|s| s.start < b && b < s.end))
            .collect();
        let mut last_area: Option<usize> = None;
        let mut rest = toks.into_iter();
        let mut from = 0;
        for bound in starts.iter().copied().chain([block.text.len()]) {
            // Counted first, so each sentence's tokens are allocated once.
            let n = rest
                .as_slice()
                .iter()
                .take_while(|t| t.start < bound)
                .count();
            // The block's last sentence keeps the block's tokens' vector (a block of one
            // sentence, most of a story's, allocates no other).
            let part: Vec<Tok<'c>> = if n == rest.len() {
                std::mem::replace(&mut rest, Vec::new().into_iter()).collect()
            } else {
                rest.by_ref().take(n).collect()
            };
            let span = from..bound;
            from = bound;
            if part.iter().all(|t| t.t == T::Stop) {
                continue;
            }
            let mut said = sentence(block, span.clone(), part, &mut last_area);
            if span.start == 0 {
                said.text = as_written(copy.raw[line - 1], block, span.end);
            }
            out.push(said);
        }
    }
    out
}

/// The sentence of `toks` that `span` of the block holds, with the area a pronoun at its
/// start goes on about.
fn sentence<'c>(
    block: &'c Block,
    span: std::ops::Range<usize>,
    toks: Vec<Tok<'c>>,
    last_area: &mut Option<usize>,
) -> Sentence<'c> {
    // "It ...", "That ...", "No other ..." go on about the area of the sentence before.
    let carried = match (toks.first().map(|t| &t.t), toks.get(1).map(|t| &t.t)) {
        (Some(T::Word(w)), _) if PRONOUNS.contains(&w.as_str()) => *last_area,
        (Some(T::Word(a)), Some(T::Word(b))) if a == "no" && b == "other" => *last_area,
        _ => None,
    };
    let before = *last_area;
    // The subject a pronoun refers to: the first area the sentence names.
    if let Some(a) = toks.iter().find_map(|t| match t.t {
        T::Area(k) => Some(k),
        _ => None,
    }) {
        *last_area = Some(a);
    }
    let line = block.line_starts[block.line_index(toks[0].start)].1;
    let end = span.end;
    let text = block.text[span].trim();
    Sentence {
        line,
        text: if text.contains('\n') {
            Cow::Owned(one_line(text))
        } else {
            Cow::Borrowed(text)
        },
        src: &block.text,
        end,
        toks,
        carried,
        before,
        row: None,
    }
}

/// A block's first sentence, ending at `end`, quoted with the Markdown markers the reader
/// blanks ("# ", "2. "), as the line is written: a failure quotes what an editor sees.
fn as_written<'c>(raw: &'c str, block: &'c Block, end: usize) -> Cow<'c, str> {
    let first_line = block
        .line_starts
        .get(1)
        .map_or(block.text.len(), |l| l.0 - 1);
    let marks = raw.len().min(first_line);
    if end <= marks && raw.get(..end).is_some() {
        Cow::Borrowed(raw[..end].trim())
    } else if let (Some(head), Some(tail)) = (raw.get(..marks), block.text.get(marks..end)) {
        Cow::Owned(one_line(&format!("{head}{tail}")))
    } else {
        Cow::Owned(one_line(&block.text[..end]))
    }
}

/// The byte range of a numbered item's number in its block: a list item's marker ("2." or
/// "2)", which the shared reader blanks), or a heading that opens with "2. ".
fn list_position(copy: &Copy<'_>, block: &Block) -> Option<std::ops::Range<usize>> {
    let line = block.line_starts[0].1;
    let raw = copy.raw.get(line - 1)?;
    match block.kind {
        Kind::ListItem => {
            // Past the indent and any block-quote marks, as the reader reads them.
            let mut at = raw.len() - raw.trim_start().len();
            while raw[at..].starts_with('>') {
                at += 1;
                at += raw[at..].len() - raw[at..].trim_start().len();
            }
            let digits = raw[at..].bytes().take_while(u8::is_ascii_digit).count();
            (digits > 0).then(|| at..at + digits)
        }
        Kind::Heading => {
            let text = &block.text;
            let at = text.len() - text.trim_start().len();
            let digits = text[at..].bytes().take_while(u8::is_ascii_digit).count();
            (digits > 0 && text[at + digits..].starts_with(". ")).then(|| at..at + digits)
        }
        _ => None,
    }
}

/// A table row as one sentence, each token marked for whether it sits under a header of last
/// week's figures; the header row sets the columns, the rule under it is not read.
fn table_row<'c>(
    copy: &Copy<'_>,
    block: &'c Block,
    line: usize,
    toks: Vec<Tok<'c>>,
    prev_markers: &[String],
    header: &mut Option<Vec<bool>>,
    out: &mut Vec<Sentence<'c>>,
) {
    let row = block.text.as_str();
    if is_table_rule(row) {
        return;
    }
    let starts_header = line < 2 || !is_table_line(copy.raw[line - 2]);
    if starts_header {
        let cells = row.trim().trim_matches('|').split('|');
        *header = Some(cells.map(|c| prev_column(c, prev_markers)).collect());
    }
    let cols = header.clone().unwrap_or_default();
    let lead = row.len() - row.trim_start().len() + 1;
    let prev: Vec<bool> = toks
        .iter()
        .map(|t| {
            let cell = row[lead.min(t.start)..t.start].matches('|').count();
            !starts_header && cols.get(cell).copied().unwrap_or(false)
        })
        .collect();
    if !toks.is_empty() {
        out.push(Sentence {
            line,
            text: Cow::Borrowed(row.trim()),
            src: row,
            end: row.len(),
            toks,
            carried: None,
            before: None,
            row: Some(prev),
        });
    }
}
