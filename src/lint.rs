//! House-style lint of rendered copy.
//!
//! The rules are the ones `docs/style.md` sets for the weekly case-rate stories: rates with
//! exactly one decimal, thousands separators, small counts in words, no sentence opening with
//! a figure, dates as "January 14", and the slips a template can leave behind (a doubled word,
//! an unclosed bracket, `{{`, "None"). [`lint`] reads plain text or Markdown; YAML front
//! matter, heading hashes and list markers are not copy and are skipped.
//!
//! The rules read figures in their context (a number after "rate of" is a rate; one before
//! "new cases" is a count), so they are heuristics: each one is tuned to flag what the house
//! style forbids in the copy casewire writes without flagging the published stories it copies.

use std::fmt;
use std::path::{Path, PathBuf};

/// One house-style rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A rate printed without exactly one decimal place ("rate of 254").
    RateDecimals,
    /// A number of 1,000 or more without its commas ("4705 cases").
    ThousandsSeparators,
    /// A count under ten standing alone as a figure ("5 are unchanged").
    SmallCountsInWords,
    /// A sentence that opens with a figure.
    SentenceStartsWithFigure,
    /// A date not written "January 14" ("14 January", "January 14th", "14/01/2021").
    DateStyle,
    /// The same word twice in a row ("the the").
    DoubledWords,
    /// A double quote (straight or curly) without its partner.
    BalancedQuotes,
    /// A round or square bracket without its partner.
    BalancedBrackets,
    /// Template syntax left in the copy (`{{`, `{%`, ...).
    LeftoverTemplate,
    /// An empty value printed as a word ("None", "NaN", "null") or an empty pair of brackets.
    EmptyValues,
}

impl Rule {
    /// Every rule, in the order they are documented.
    pub const ALL: [Rule; 10] = [
        Rule::RateDecimals,
        Rule::ThousandsSeparators,
        Rule::SmallCountsInWords,
        Rule::SentenceStartsWithFigure,
        Rule::DateStyle,
        Rule::DoubledWords,
        Rule::BalancedQuotes,
        Rule::BalancedBrackets,
        Rule::LeftoverTemplate,
        Rule::EmptyValues,
    ];

    /// The stable kebab-case name shown in reports.
    pub fn name(self) -> &'static str {
        match self {
            Rule::RateDecimals => "rate-decimals",
            Rule::ThousandsSeparators => "thousands-separators",
            Rule::SmallCountsInWords => "small-counts-in-words",
            Rule::SentenceStartsWithFigure => "sentence-starts-with-figure",
            Rule::DateStyle => "date-style",
            Rule::DoubledWords => "doubled-words",
            Rule::BalancedQuotes => "balanced-quotes",
            Rule::BalancedBrackets => "balanced-brackets",
            Rule::LeftoverTemplate => "leftover-template",
            Rule::EmptyValues => "empty-values",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One place the copy breaks house style.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LintFinding {
    /// The rule broken.
    pub rule: Rule,
    /// 1-based line of the offending text.
    pub line: usize,
    /// 1-based column (in characters) where it starts.
    pub column: usize,
    /// The offending text.
    pub snippet: String,
    /// The sentence it is in, on one line.
    pub sentence: String,
    /// What is wrong and what to write instead, for a sub-editor.
    pub message: String,
}

impl LintFinding {
    /// Displays the finding as `FILE:LINE: rule-name: message: "snippet"`.
    pub fn in_file<'a>(&'a self, path: &'a Path) -> impl fmt::Display + 'a {
        InFile {
            path,
            finding: self,
        }
    }
}

impl fmt::Display for LintFinding {
    /// `LINE: rule-name: message: "snippet"`; see [`LintFinding::in_file`] for the file form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {}: \"{}\"",
            self.line, self.rule, self.message, self.snippet
        )
    }
}

struct InFile<'a> {
    path: &'a Path,
    finding: &'a LintFinding,
}

impl fmt::Display for InFile<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.finding)
    }
}

/// Why a file could not be linted.
#[derive(Debug, thiserror::Error)]
pub enum LintError {
    /// The file could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not UTF-8 text, so it is not copy casewire wrote.
    #[error("{} is not UTF-8 text (first bad byte at offset {offset})", path.display())]
    NotText {
        /// The file.
        path: PathBuf,
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
}

/// Exit status for `casewire lint`: the copy is clean.
pub const EXIT_CLEAN: i32 = 0;
/// Exit status for `casewire lint`: at least one finding.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit status for `casewire lint`: the file could not be read.
pub const EXIT_UNREADABLE: i32 = 2;

/// The exit status `casewire lint FILE` should end with: non-zero when any finding is made, so
/// a script or CI step cannot publish copy that breaks house style.
pub fn exit_code(result: &Result<Vec<LintFinding>, LintError>) -> i32 {
    match result {
        Ok(findings) if findings.is_empty() => EXIT_CLEAN,
        Ok(_) => EXIT_FINDINGS,
        Err(_) => EXIT_UNREADABLE,
    }
}

/// Reads a file and lints it; see [`lint`].
pub fn lint_file(path: impl AsRef<Path>) -> Result<Vec<LintFinding>, LintError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| LintError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| LintError::NotText {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    Ok(lint(&text))
}

/// The longest sentence a finding quotes in full, in bytes. Copy with no full stops (a pasted
/// table, a feed's JSON) can make one "sentence" of a whole file; quoting it whole in every
/// finding made linting such a file take time and memory in the square of its length.
const MAX_SENTENCE: usize = 400;

/// About [`MAX_SENTENCE`] bytes of `sentence` around the first `snippet` in it.
fn shorten(sentence: &str, snippet: &str) -> String {
    window(sentence, sentence.find(snippet).unwrap_or(0)).into_owned()
}

/// About [`MAX_SENTENCE`] bytes of `text` around byte `at`, whole characters, with an
/// ellipsis where it was cut; all of `text` when it is short.
fn window(text: &str, at: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_SENTENCE {
        return text.into();
    }
    let floor = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let from = floor(at.saturating_sub(MAX_SENTENCE / 3));
    let to = floor((from + MAX_SENTENCE).min(text.len()));
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(&text[from..to]);
    if to < text.len() {
        out.push('…');
    }
    out.into()
}

/// Checks rendered copy against the house style and returns every finding, in reading order.
pub fn lint(text: &str) -> Vec<LintFinding> {
    let lines = classify(text);
    let mut findings = Vec::new();
    for block in blocks(&lines) {
        Block::new(&lines, &block).check(&mut findings);
    }
    findings.sort_by_key(|f| (f.line, f.column, f.rule));
    findings.dedup();
    findings
}

// ---------------------------------------------------------------------------------------------
// Lines and blocks

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Blank,
    FrontMatter,
    Heading,
    ListItem,
    Table,
    Text,
}

struct Line {
    kind: Kind,
    /// The line with Markdown markers blanked to spaces, so byte offsets match the source.
    content: String,
}

fn classify(text: &str) -> Vec<Line> {
    let raw: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut lines: Vec<Line> = Vec::with_capacity(raw.len());
    // Front matter only counts at the very top, closed by a second `---` (or `...`).
    let mut front_end = None;
    if raw
        .first()
        .is_some_and(|l| l.trim_start_matches('\u{feff}').trim() == "---")
    {
        front_end = raw
            .iter()
            .skip(1)
            .position(|l| matches!(l.trim(), "---" | "..."))
            .map(|p| p + 1);
    }
    for (i, line) in raw.iter().enumerate() {
        if front_end.is_some_and(|end| i <= end) {
            lines.push(Line {
                kind: Kind::FrontMatter,
                content: String::new(),
            });
            continue;
        }
        lines.push(classify_line(line));
    }
    lines
}

fn blank(s: &mut String, range: std::ops::Range<usize>) {
    let spaces = " ".repeat(range.len());
    s.replace_range(range, &spaces);
}

fn classify_line(line: &str) -> Line {
    let mut content = line.replace('\u{feff}', "   ");
    let mut at = content.len() - content.trim_start().len();
    // Block quotes wrap any other kind.
    while content[at..].starts_with('>') {
        blank(&mut content, at..at + 1);
        at = content.len() - content.trim_start().len();
    }
    let rest = &content[at..];
    let trimmed = rest.trim_end();
    if trimmed.is_empty() || is_thematic_break(trimmed) {
        return Line {
            kind: Kind::Blank,
            content,
        };
    }
    let hashes = rest.bytes().take_while(|b| *b == b'#').count();
    if (1..=6).contains(&hashes)
        && rest[hashes..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace)
    {
        blank(&mut content, at..at + hashes);
        return Line {
            kind: Kind::Heading,
            content,
        };
    }
    if rest.starts_with('|') {
        return Line {
            kind: Kind::Table,
            content,
        };
    }
    if let Some(len) = list_marker(rest) {
        blank(&mut content, at..at + len);
        return Line {
            kind: Kind::ListItem,
            content,
        };
    }
    Line {
        kind: Kind::Text,
        content,
    }
}

fn is_thematic_break(s: &str) -> bool {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    s.len() >= 3
        && (s.chars().all(|c| c == '-')
            || s.chars().all(|c| c == '*')
            || s.chars().all(|c| c == '_'))
}

/// Length of a list marker (`- `, `* `, `+ `, `1. `, `1) `) at the start of `s`.
fn list_marker(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let followed_by_space = |i: usize| b.get(i).is_none_or(|c| *c == b' ' || *c == b'\t');
    if matches!(b.first(), Some(b'-' | b'*' | b'+')) && b.len() > 1 && followed_by_space(1) {
        return Some(1);
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if (1..=9).contains(&digits)
        && matches!(b.get(digits), Some(b'.' | b')'))
        && b.len() > digits + 1
        && followed_by_space(digits + 1)
    {
        return Some(digits + 1);
    }
    None
}

/// Consecutive lines read as one stretch of copy: a paragraph, a list item, a heading or a
/// table row.
fn blocks(lines: &[Line]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut open = false;
    for (i, line) in lines.iter().enumerate() {
        match line.kind {
            Kind::Blank | Kind::FrontMatter => open = false,
            Kind::Heading | Kind::Table => {
                out.push(vec![i]);
                open = false;
            }
            Kind::ListItem => {
                out.push(vec![i]);
                open = true;
            }
            Kind::Text => {
                match out.last_mut() {
                    Some(block) if open => block.push(i),
                    _ => out.push(vec![i]),
                }
                open = true;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Tokens

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Word,
    Number,
    Url,
    Punct(char),
}

#[derive(Clone, Copy, Debug)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

fn tokenize(text: &str) -> Vec<Token> {
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

// ---------------------------------------------------------------------------------------------
// Vocabulary

#[rustfmt::skip]
const MONTHS: [&str; 12] = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
];

const MONTH_ABBREVIATIONS: [(&str, usize); 12] = [
    ("Jan", 0),
    ("Feb", 1),
    ("Mar", 2),
    ("Apr", 3),
    ("Jun", 5),
    ("Jul", 6),
    ("Aug", 7),
    ("Sep", 8),
    ("Sept", 8),
    ("Oct", 9),
    ("Nov", 10),
    ("Dec", 11),
];

#[rustfmt::skip]
const SMALL: [&str; 10] = [
    "none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

/// Words that can sit between "rate" and its figure ("rate is currently 254.0", "rate, up
/// from 358.0 to 696.5").
#[rustfmt::skip]
const RATE_GLUE: &[&str] = &[
    "of", "is", "was", "were", "are", "be", "been", "has", "had", "have", "currently", "now",
    "still", "at", "to", "from", "down", "up", "slightly", "sharply", "significantly",
    "recording", "recorded", "reporting", "reported", "records", "reports", "a", "an", "its",
    "their", "with", "stands", "stood", "rose", "fell", "risen", "fallen", "dropped", "climbed",
    "increased", "decreased", "falling", "rising", "jumped", "just", "then", "this", "week",
    "last", "went", "gone", "compared", "against",
];

/// Words after a figure that leave it a rate: anything else ("cases", "local areas") makes the
/// figure a count of something.
#[rustfmt::skip]
const RATE_FOLLOW: &[&str] = &[
    "per", "to", "last", "a", "and", "from", "down", "up", "in", "on", "previously", "this",
    "the", "with", "after", "compared", "against", "for", "or", "but", "while", "which", "when",
    "as", "at", "than", "since", "so", "over", "before", "its", "their", "is", "was",
];

/// Words before a figure that mark it as rounded prose ("rates of around 250").
#[rustfmt::skip]
const APPROXIMATE: &[&str] = &[
    "around", "about", "roughly", "nearly", "almost", "approximately", "some", "over", "under",
    "above", "below", "than", "circa",
];

/// Words a bare small figure may stand before and stay a figure: units.
#[rustfmt::skip]
const UNITS: &[&str] = &[
    "per", "percent", "cases", "case", "deaths", "death", "people", "patients", "tests",
    "admissions", "beds", "pm", "am", "points", "x",
];

/// Words that can sit between a small figure and its unit ("3 new cases").
const UNIT_ADJECTIVES: &[&str] = &["new", "more", "fewer", "positive", "confirmed", "further"];

/// Words inside the brackets of "254.0 (800 new cases)".
#[rustfmt::skip]
const COUNT_IN_BRACKETS: &[&str] = &[
    "new", "cases", "case", "virus", "infections", "positive", "confirmed", "coronavirus",
    "covid",
];

/// Prepositions that make a four-digit figure a year ("in 2021", "since 2020").
#[rustfmt::skip]
const YEAR_CONTEXT: &[&str] = &[
    "in", "since", "during", "until", "till", "before", "after", "early", "late", "mid", "year",
    "summer", "autumn", "winter", "spring",
];

fn month_index(word: &str) -> Option<usize> {
    MONTHS.iter().position(|m| *m == word)
}

fn month_abbreviation(word: &str) -> Option<usize> {
    MONTH_ABBREVIATIONS
        .iter()
        .find(|(a, _)| *a == word)
        .map(|(_, i)| *i)
}

fn in_list(list: &[&str], word: &str) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// A plain figure: digits, optional thousands commas, at most one decimal point.
fn is_plain(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
        && s.bytes().filter(|b| *b == b'.').count() <= 1
        && s.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

fn plain_int(s: &str) -> Option<u64> {
    if !s.bytes().all(|b| b.is_ascii_digit()) || s.is_empty() || s.len() > 18 {
        return None;
    }
    s.parse().ok()
}

/// "14th" → 14, when the suffix is an English ordinal's.
fn ordinal(s: &str) -> Option<u64> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let suffix = s[digits..].to_ascii_lowercase();
    matches!(suffix.as_str(), "st" | "nd" | "rd" | "th")
        .then(|| plain_int(&s[..digits]))
        .flatten()
}

fn with_commas(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "2021-01-14", "14/01/2021", "14.01.2021", "14/01": a date in figures, read as day and month.
fn numeric_date(s: &str) -> Option<(usize, u64)> {
    for sep in ['-', '/', '.'] {
        let parts: Vec<&str> = s.split(sep).collect();
        if parts.len() < 2 || parts.iter().any(|p| plain_int(p).is_none()) {
            continue;
        }
        let n = |i: usize| plain_int(parts[i]).unwrap_or(0);
        let (day, month) = match (sep, parts.len()) {
            (_, 3) if parts[0].len() == 4 => (n(2), n(1)),
            (_, 3)
                if parts[0].len() <= 2
                    && parts[1].len() <= 2
                    && matches!(parts[2].len(), 2 | 4) =>
            {
                (n(0), n(1))
            }
            // Two parts only with a slash: "16-17" is a range and "1.5" a decimal.
            ('/', 2) if parts[0].len() <= 2 && parts[1].len() <= 2 && s != "24/7" => (n(0), n(1)),
            _ => continue,
        };
        if (1..=31).contains(&day) && (1..=12).contains(&month) {
            return Some((month as usize - 1, day));
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Checking a block

struct Block {
    text: String,
    /// Byte offset in `text` where each line starts, and the line's 1-based number.
    line_starts: Vec<(usize, usize)>,
    kind: Kind,
    tokens: Vec<Token>,
    /// Token ranges of the sentences.
    sentences: Vec<std::ops::Range<usize>>,
}

impl Block {
    fn new(lines: &[Line], indices: &[usize]) -> Self {
        let mut text = String::new();
        let mut line_starts = Vec::with_capacity(indices.len());
        for &i in indices {
            if !text.is_empty() {
                text.push('\n');
            }
            line_starts.push((text.len(), i + 1));
            text.push_str(&lines[i].content);
        }
        let tokens = tokenize(&text);
        let mut block = Block {
            kind: lines[indices[0]].kind,
            text,
            line_starts,
            tokens,
            sentences: Vec::new(),
        };
        block.sentences = block.split_sentences();
        block
    }

    fn line_index(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|(start, _)| *start <= offset)
            .saturating_sub(1)
    }

    /// Whether a line starts a sentence of its own: in hard-wrapped prose it does not, but a
    /// sub-heading written as a bare line ("Bexley") or a finished sentence ends the last one.
    fn line_starts_sentence(&self, line: usize) -> bool {
        let Some(prev) = line.checked_sub(1) else {
            return true;
        };
        let start = self.line_starts[prev].0;
        let end = self.line_starts[line].0.saturating_sub(1);
        let prev_text = self.text[start..end].trim();
        let wraps = prev_text.chars().last().is_some_and(|c| {
            c.is_lowercase()
                || c.is_ascii_digit()
                || matches!(c, ',' | ';' | ':' | '(' | '-' | '–' | '—')
        });
        !(wraps && prev_text.chars().count() >= 40)
    }

    fn split_sentences(&self) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0;
        let toks = &self.tokens;
        let mut i = 0;
        while i < toks.len() {
            if i > start {
                let (a, b) = (
                    self.line_index(toks[i - 1].start),
                    self.line_index(toks[i].start),
                );
                if b > a && self.line_starts_sentence(b) {
                    out.push(start..i);
                    start = i;
                }
            }
            if let Tok::Punct('.' | '!' | '?' | '…') = toks[i].tok {
                let mut j = i + 1;
                while j < toks.len()
                    && toks[j].start == toks[j - 1].end
                    && matches!(
                        toks[j].tok,
                        Tok::Punct('"' | '”' | '’' | '\'' | ')' | ']' | '*' | '_')
                    )
                {
                    j += 1;
                }
                let after = self.text[toks[j - 1].end..].chars().next();
                if after.is_none_or(char::is_whitespace) {
                    out.push(start..j);
                    start = j;
                    i = j;
                    continue;
                }
            }
            i += 1;
        }
        if start < toks.len() {
            out.push(start..toks.len());
        }
        out
    }

    fn s(&self, i: usize) -> &str {
        let t = &self.tokens[i];
        &self.text[t.start..t.end]
    }

    fn sentence_text(&self, range: &std::ops::Range<usize>) -> String {
        if range.is_empty() {
            return String::new();
        }
        let raw = &self.text[self.tokens[range.start].start..self.tokens[range.end - 1].end];
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn sentence_of_offset(&self, offset: usize) -> String {
        let found = self.sentences.iter().find(|r| {
            !r.is_empty()
                && self.tokens[r.start].start <= offset
                && offset
                    < self.tokens[r.end - 1]
                        .end
                        .max(self.tokens[r.start].start + 1)
        });
        let (start, end) = match found {
            Some(r) => (self.tokens[r.start].start, self.tokens[r.end - 1].end),
            None => {
                // Between sentences (a stray mark after a full stop): the line is the context.
                let li = self.line_index(offset);
                let start = self.line_starts[li].0;
                let end = self
                    .line_starts
                    .get(li + 1)
                    .map_or(self.text.len(), |(s, _)| s.saturating_sub(1));
                (start, end.max(start))
            }
        };
        // Only the part near the mark, so that many marks in one long stretch of text do not
        // each copy all of it.
        let raw = &self.text[start..end];
        let near = window(raw, offset.saturating_sub(start).min(raw.len()));
        near.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn finding(
        &self,
        rule: Rule,
        offset: usize,
        snippet: &str,
        sentence: String,
        message: String,
    ) -> LintFinding {
        let li = self.line_index(offset);
        let (start, line) = self.line_starts[li];
        let column = self.text[start..offset].chars().count() + 1;
        let sentence = if sentence.len() > MAX_SENTENCE {
            shorten(&sentence, snippet)
        } else {
            sentence
        };
        LintFinding {
            rule,
            line,
            column,
            snippet: snippet.to_string(),
            sentence,
            message,
        }
    }

    fn check(&self, out: &mut Vec<LintFinding>) {
        for range in &self.sentences {
            let sentence = Sentence {
                block: self,
                first: range.start,
                end: range.end,
                text: self.sentence_text(range),
            };
            sentence.check(out);
        }
        self.check_quotes(out);
        self.check_brackets(out);
        self.check_template(out);
    }

    /// The text of a mark and a few words either side of it, on its own line.
    fn context(&self, offset: usize, len: usize) -> String {
        let li = self.line_index(offset);
        let line_start = self.line_starts[li].0;
        let line_end = self
            .line_starts
            .get(li + 1)
            .map_or(self.text.len(), |(s, _)| s.saturating_sub(1))
            .max(offset);
        let line = &self.text[line_start..line_end];
        let at = offset - line_start;
        // About a dozen characters each side, widened to whole words (by at most 40
        // characters: text without spaces would otherwise be quoted whole at every mark).
        let mut from = line[..at]
            .char_indices()
            .rev()
            .nth(11)
            .map_or(0, |(i, _)| i);
        let mut widened = 0;
        while let Some(c) = line[..from]
            .chars()
            .next_back()
            .filter(|c| !c.is_whitespace() && widened < 40)
        {
            from -= c.len_utf8();
            widened += 1;
        }
        let mut to = line[at..]
            .char_indices()
            .nth(len + 12)
            .map_or(line.len(), |(i, _)| at + i);
        let mut widened = 0;
        while let Some(c) = line[to..]
            .chars()
            .next()
            .filter(|c| !c.is_whitespace() && widened < 40)
        {
            to += c.len_utf8();
            widened += 1;
        }
        line[from..to]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn in_url(&self, offset: usize) -> bool {
        // Tokens are in order and do not overlap: the one that could hold `offset` is the
        // last to start at or before it. (A scan of every token for every quote mark made
        // text full of quotes take time in the square of its length.)
        let i = self.tokens.partition_point(|t| t.start <= offset);
        i > 0 && {
            let t = &self.tokens[i - 1];
            t.tok == Tok::Url && offset < t.end
        }
    }

    fn check_quotes(&self, out: &mut Vec<LintFinding>) {
        let mut straight: Option<usize> = None;
        let mut curly: Vec<usize> = Vec::new();
        for (offset, c) in self.text.char_indices() {
            if (c == '"' || c == '“' || c == '”') && self.in_url(offset) {
                continue;
            }
            match c {
                '"' => {
                    straight = if straight.is_some() {
                        None
                    } else {
                        Some(offset)
                    }
                }
                '“' => curly.push(offset),
                // The guard pops the partner; only a closer without one is reported.
                '”' if curly.pop().is_none() => {
                    out.push(self.finding(
                        Rule::BalancedQuotes,
                        offset,
                        &self.context(offset, 1),
                        self.sentence_of_offset(offset),
                        "closing quote ” has no opening quote “".to_string(),
                    ));
                }
                _ => {}
            }
        }
        let mut open: Vec<(usize, &str)> = curly
            .into_iter()
            .map(|o| (o, "opening quote “ is never closed with ”"))
            .collect();
        if let Some(o) = straight {
            open.push((o, "quote \" is never closed"));
        }
        for (offset, message) in open {
            out.push(self.finding(
                Rule::BalancedQuotes,
                offset,
                &self.context(offset, 1),
                self.sentence_of_offset(offset),
                message.to_string(),
            ));
        }
    }

    fn check_brackets(&self, out: &mut Vec<LintFinding>) {
        let mut stack: Vec<(usize, char)> = Vec::new();
        for (offset, c) in self.text.char_indices() {
            if matches!(c, '(' | ')' | '[' | ']') && self.in_url(offset) {
                continue;
            }
            match c {
                '(' | '[' => stack.push((offset, c)),
                ')' | ']' => {
                    let want = if c == ')' { '(' } else { '[' };
                    match stack.last() {
                        Some(&(_, open)) if open == want => {
                            stack.pop();
                        }
                        Some(&(_, open)) => {
                            stack.pop();
                            out.push(self.finding(
                                Rule::BalancedBrackets,
                                offset,
                                &self.context(offset, 1),
                                self.sentence_of_offset(offset),
                                format!("bracket {open} is closed with {c}"),
                            ));
                        }
                        None => out.push(self.finding(
                            Rule::BalancedBrackets,
                            offset,
                            &self.context(offset, 1),
                            self.sentence_of_offset(offset),
                            format!("closing bracket {c} has no opening bracket"),
                        )),
                    }
                }
                _ => {}
            }
        }
        for (offset, c) in stack {
            out.push(self.finding(
                Rule::BalancedBrackets,
                offset,
                &self.context(offset, 1),
                self.sentence_of_offset(offset),
                format!("opening bracket {c} is never closed"),
            ));
        }
    }

    fn check_template(&self, out: &mut Vec<LintFinding>) {
        const OPENERS: [(&str, &str); 4] = [("{{", "}}"), ("{%", "%}"), ("{#", "#}"), ("${", "}")];
        const CLOSERS: [&str; 3] = ["}}", "%}", "#}"];
        let text = &self.text;
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            let opener = OPENERS.iter().find(|(o, _)| rest.starts_with(o));
            let (end, snippet, what) = if let Some((open, close)) = opener {
                // One finding for a whole tag, shown whole, when it closes on the same line.
                let line_end = rest.find('\n').unwrap_or(rest.len());
                match rest[open.len()..line_end].find(close) {
                    Some(p) => {
                        let end = i + open.len() + p + close.len();
                        let tag = text[i..end]
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ");
                        (end, tag, "a template tag")
                    }
                    None => (
                        i + open.len(),
                        self.context(i, open.len()),
                        "template syntax",
                    ),
                }
            } else if let Some(close) = CLOSERS.iter().find(|c| rest.starts_with(*c)) {
                (
                    i + close.len(),
                    self.context(i, close.len()),
                    "template syntax",
                )
            } else {
                i += rest.chars().next().map_or(1, char::len_utf8);
                continue;
            };
            out.push(self.finding(
                Rule::LeftoverTemplate,
                i,
                &snippet,
                self.sentence_of_offset(i),
                format!("{what} was left in the copy: a value or tag was not filled in"),
            ));
            i = end;
        }
    }
}

struct Sentence<'b> {
    block: &'b Block,
    first: usize,
    end: usize,
    text: String,
}

impl Sentence<'_> {
    fn tok(&self, i: usize) -> Option<Tok> {
        (self.first..self.end)
            .contains(&i)
            .then(|| self.block.tokens[i].tok)
    }

    fn s(&self, i: usize) -> &str {
        self.block.s(i)
    }

    fn word(&self, i: usize) -> Option<&str> {
        (self.tok(i) == Some(Tok::Word)).then(|| self.s(i))
    }

    fn number(&self, i: usize) -> Option<&str> {
        (self.tok(i) == Some(Tok::Number)).then(|| self.s(i))
    }

    fn is_punct(&self, i: usize, c: char) -> bool {
        self.tok(i) == Some(Tok::Punct(c))
    }

    fn word_is(&self, i: usize, w: &str) -> bool {
        self.word(i).is_some_and(|x| x.eq_ignore_ascii_case(w))
    }

    fn prev(&self, i: usize) -> Option<usize> {
        (i > self.first).then(|| i - 1)
    }

    fn is_month(&self, i: usize) -> bool {
        self.word(i).and_then(month_index).is_some()
    }

    fn push(
        &self,
        out: &mut Vec<LintFinding>,
        rule: Rule,
        from: usize,
        to: usize,
        message: String,
    ) {
        let b = self.block;
        let snippet = &b.text[b.tokens[from].start..b.tokens[to].end];
        let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push(b.finding(
            rule,
            b.tokens[from].start,
            &snippet,
            if self.text.len() > MAX_SENTENCE {
                shorten(&self.text, &snippet)
            } else {
                self.text.clone()
            },
            message,
        ));
    }

    fn check(&self, out: &mut Vec<LintFinding>) {
        let table = self.block.kind == Kind::Table;
        if !table {
            self.starts_with_figure(out);
        }
        for i in self.first..self.end {
            match self.block.tokens[i].tok {
                // A figure that is part of a date is judged as a date only.
                Tok::Number if !self.date_style(i, out) => self.number_rules(i, table, out),
                Tok::Word => {
                    self.month_first_date(i, out);
                    if !table {
                        self.doubled(i, out);
                    }
                    self.empty_word(i, out);
                }
                Tok::Punct('(' | '[' | '"' | '“') => self.empty_pair(i, out),
                _ => {}
            }
        }
    }

    fn starts_with_figure(&self, out: &mut Vec<LintFinding>) {
        let first = (self.first..self.end).find(|&i| {
            !matches!(
                self.block.tokens[i].tok,
                Tok::Punct('"' | '“' | '‘' | '\'' | '(' | '[' | '*' | '_')
            )
        });
        if let Some(i) = first
            && self.tok(i) == Some(Tok::Number)
        {
            self.push(
                out,
                Rule::SentenceStartsWithFigure,
                i,
                i,
                "a sentence does not start with a figure: reword it, or write the number in words"
                    .to_string(),
            );
        }
    }

    /// "14 January", "14th January", "14th of January", and dates in figures. Returns whether
    /// the token was part of a date, so the number rules leave it alone.
    fn date_style(&self, i: usize, out: &mut Vec<LintFinding>) -> bool {
        let s = self.s(i);
        let day = plain_int(s)
            .or_else(|| ordinal(s))
            .filter(|d| (1..=31).contains(d));
        if let Some(day) = day {
            let month_at = if self.is_month(i + 1)
                || self.word(i + 1).and_then(month_abbreviation).is_some()
            {
                Some(i + 1)
            } else if ordinal(s).is_some() && self.word_is(i + 1, "of") && self.is_month(i + 2) {
                Some(i + 2)
            } else {
                None
            };
            if let Some(m) = month_at {
                let w = self.s(m);
                let month = month_index(w)
                    .or_else(|| month_abbreviation(w))
                    .unwrap_or(0);
                self.push(
                    out,
                    Rule::DateStyle,
                    i,
                    m,
                    format!(
                        "dates are written month first, without a suffix: \"{} {day}\"",
                        MONTHS[month]
                    ),
                );
                return true;
            }
            // A day after a month name is a date; the month's own check has judged it.
            if self.prev(i).is_some_and(|p| {
                self.is_month(p) || self.word(p).and_then(month_abbreviation).is_some()
            }) {
                return true;
            }
        }
        if let Some((month, day)) = numeric_date(s) {
            self.push(
                out,
                Rule::DateStyle,
                i,
                i,
                format!(
                    "dates are written with the month's name: \"{} {day}\"",
                    MONTHS[month]
                ),
            );
            return true;
        }
        false
    }

    /// "January 14th" and "Jan 14".
    fn month_first_date(&self, i: usize, out: &mut Vec<LintFinding>) {
        let w = self.s(i);
        let full = month_index(w);
        let Some(month) = full.or_else(|| month_abbreviation(w)) else {
            return;
        };
        let Some(next) = self.number(i + 1) else {
            return;
        };
        if let Some(day) = ordinal(next).filter(|d| (1..=31).contains(d)) {
            self.push(
                out,
                Rule::DateStyle,
                i,
                i + 1,
                format!("dates take no suffix: \"{} {day}\"", MONTHS[month]),
            );
            return;
        }
        if let Some(day) = plain_int(next).filter(|d| (1..=31).contains(d))
            && full.is_none()
        {
            self.push(
                out,
                Rule::DateStyle,
                i,
                i + 1,
                format!("months are written in full: \"{} {day}\"", MONTHS[month]),
            );
        }
    }

    fn is_year(&self, i: usize) -> bool {
        let Some(n) = plain_int(self.s(i)) else {
            return false;
        };
        if self.s(i).len() != 4 || !(1900..=2100).contains(&n) {
            return false;
        }
        let Some(p) = self.prev(i) else {
            return false;
        };
        if self.is_month(p) || self.word(p).is_some_and(|w| in_list(YEAR_CONTEXT, w)) {
            return true;
        }
        // "January 14, 2021" and "14 January 2021".
        if self.is_punct(p, ',')
            && let Some(q) = self.prev(p)
        {
            return self.number(q).is_some() && self.prev(q).is_some_and(|m| self.is_month(m));
        }
        false
    }

    fn is_percent(&self, i: usize) -> bool {
        self.is_punct(i + 1, '%')
            || self.word_is(i + 1, "percent")
            || (self.word_is(i + 1, "per") && self.word_is(i + 2, "cent"))
    }

    /// "254.0 per 100,000", "250 cases per 100,000", "254.0 per 100k".
    fn per_100k(&self, i: usize) -> bool {
        let mut j = i + 1;
        while j < i + 4 && self.word(j).is_some_and(|w| in_list(COUNT_IN_BRACKETS, w)) {
            j += 1;
        }
        if !self.word_is(j, "per") {
            return false;
        }
        // Only a number after "per" is read: "per" can end the text.
        self.number(j + 1).is_some_and(|n| {
            let n = n.replace(',', "");
            n == "100000" || n.eq_ignore_ascii_case("100k")
        })
    }

    /// "254.0 (800 cases)" and "237.5 (592)": a figure followed by its count in brackets.
    fn count_in_brackets_follows(&self, i: usize) -> bool {
        if !self.is_punct(i + 1, '(')
            || self
                .number(i + 2)
                .is_none_or(|n| !is_plain(n) || n.contains('.'))
        {
            return false;
        }
        let mut j = i + 3;
        while self.word(j).is_some_and(|w| in_list(COUNT_IN_BRACKETS, w)) {
            j += 1;
        }
        self.is_punct(j, ')')
    }

    fn week_ago_follows(&self, i: usize) -> bool {
        (self.word_is(i + 1, "last") && self.word_is(i + 2, "week"))
            || (self.word_is(i + 1, "a")
                && self.word_is(i + 2, "week")
                && self.word_is(i + 3, "ago"))
            || (self.word_is(i + 1, "the")
                && (self.word_is(i + 2, "week") && self.word_is(i + 3, "before")
                    || self.word_is(i + 2, "previous") && self.word_is(i + 3, "week")))
            || self.word_is(i + 1, "previously")
    }

    /// Walks back from a figure over the words that can join it to "rate".
    fn rate_before(&self, i: usize) -> bool {
        let mut j = i;
        let mut steps = 0;
        while let Some(p) = self.prev(j) {
            steps += 1;
            if steps > 10 {
                return false;
            }
            j = p;
            match self.block.tokens[p].tok {
                Tok::Word => {
                    let w = self.s(p).to_lowercase();
                    let w = w.trim_end_matches("'s").trim_end_matches("’s");
                    if w == "rate" || w == "rates" {
                        return true;
                    }
                    if !in_list(RATE_GLUE, w) {
                        return false;
                    }
                }
                Tok::Number => {}
                Tok::Punct(',' | '–' | '—' | ':' | '-') => {}
                // A list of movers: "Knowsley (down from 1,464.9 to 1,134.8)".
                Tok::Punct('(') => {
                    return (self.word_is(p + 1, "down") || self.word_is(p + 1, "up"))
                        && self.word_is(p + 2, "from");
                }
                Tok::Punct(')') => {
                    // Skip a bracketed count back to its opening bracket.
                    while let Some(q) = self.prev(j) {
                        j = q;
                        if self.is_punct(q, '(') {
                            break;
                        }
                    }
                }
                _ => return false,
            }
        }
        false
    }

    fn is_rate(&self, i: usize) -> bool {
        let s = self.s(i);
        if !is_plain(s) || self.is_percent(i) {
            return false;
        }
        let prev = self.prev(i);
        if prev.is_some_and(|p| self.word_is(p, "per")) {
            return false;
        }
        if prev.is_some_and(|p| self.word(p).is_some_and(|w| in_list(APPROXIMATE, w))) {
            return false;
        }
        if self.per_100k(i) {
            return true;
        }
        if prev.is_some_and(|p| self.is_punct(p, '(')) {
            return false;
        }
        if self.word(i + 1).is_some_and(|w| !in_list(RATE_FOLLOW, w)) {
            return false;
        }
        // "225 (60 per cent)": a count of areas with its share.
        if self.is_punct(i + 1, '(') && self.number(i + 2).is_some() && self.is_percent(i + 2) {
            return false;
        }
        self.count_in_brackets_follows(i) || self.week_ago_follows(i) || self.rate_before(i)
    }

    fn number_rules(&self, i: usize, table: bool, out: &mut Vec<LintFinding>) {
        let s = self.s(i);
        if !is_plain(s) {
            return;
        }
        let year = self.is_year(i);
        let (int, decimals) = match s.split_once('.') {
            Some((int, dec)) => (int, Some(dec)),
            None => (s, None),
        };
        if !year {
            self.thousands(i, int, decimals, out);
        }
        if !year && self.is_rate(i) {
            let places = decimals.map_or(0, str::len);
            if places != 1 {
                let message = match decimals {
                    None => format!(
                        "rates are printed with exactly one decimal place: \"{}.0\"",
                        with_commas(&int.replace(',', ""))
                    ),
                    Some(_) => format!(
                        "rates are printed with exactly one decimal place (rounded half-up), not {places}"
                    ),
                };
                self.push(out, Rule::RateDecimals, i, i, message);
            }
            return;
        }
        if !table {
            self.small_count(i, out);
        }
    }

    fn thousands(&self, i: usize, int: &str, decimals: Option<&str>, out: &mut Vec<LintFinding>) {
        let digits = int.replace(',', "");
        let groups: Vec<&str> = int.split(',').collect();
        let well_grouped = groups.len() == 1
            || (groups[0].len() <= 3
                && !groups[0].is_empty()
                && groups[1..].iter().all(|g| g.len() == 3));
        let needs = int.len() >= 4 && !int.contains(',');
        if !needs && well_grouped {
            return;
        }
        let fixed = match decimals {
            Some(d) => format!("{}.{d}", with_commas(&digits)),
            None => with_commas(&digits),
        };
        let message = if needs {
            format!("figures of 1,000 or more take commas: \"{fixed}\"")
        } else {
            format!("thousands separators are misplaced: \"{fixed}\"")
        };
        self.push(out, Rule::ThousandsSeparators, i, i, message);
    }

    fn small_count(&self, i: usize, out: &mut Vec<LintFinding>) {
        let s = self.s(i);
        let Some(n) = plain_int(s).filter(|n| *n < 10 && s.len() == 1) else {
            return;
        };
        // "3 new cases": a unit may come after an adjective or two.
        let mut j = i + 1;
        while j < i + 3 && self.word(j).is_some_and(|w| in_list(UNIT_ADJECTIVES, w)) {
            j += 1;
        }
        if self.is_percent(i) || self.word(j).is_some_and(|w| in_list(UNITS, w)) {
            return;
        }
        let prev = self.prev(i);
        if prev.is_some_and(|p| matches!(self.tok(p), Some(Tok::Punct('£' | '$' | '€' | '#'))))
            || (prev.is_some_and(|p| self.is_punct(p, '(')) && self.is_punct(i + 1, ')'))
        {
            return;
        }
        // "1 in 10", "5 to 11", "between 5 and 10": a figure paired with another reads as one.
        let paired = |j: usize, k: usize| {
            (self
                .word(j)
                .is_some_and(|w| in_list(&["in", "to", "and", "or", "of"], w))
                || self.is_punct(j, '-')
                || self.is_punct(j, '–'))
                && self.number(k).is_some()
        };
        if paired(i + 1, i + 2) || prev.is_some_and(|p| p > self.first && paired(p, p - 1)) {
            return;
        }
        self.push(
            out,
            Rule::SmallCountsInWords,
            i,
            i,
            format!(
                "counts under ten are written in words: \"{}\"",
                SMALL[n as usize]
            ),
        );
    }

    fn doubled(&self, i: usize, out: &mut Vec<LintFinding>) {
        let Some(next) = self.word(i + 1) else { return };
        let here = self.s(i);
        let b = self.block;
        let between = &b.text[b.tokens[i].end..b.tokens[i + 1].start];
        if here.eq_ignore_ascii_case(next)
            && between.chars().all(|c| c == ' ' || c == '\t')
            && !in_list(&["had", "that"], here)
        {
            self.push(
                out,
                Rule::DoubledWords,
                i,
                i + 1,
                format!("the word \"{here}\" is repeated"),
            );
        }
    }

    fn empty_word(&self, i: usize, out: &mut Vec<LintFinding>) {
        let w = self.s(i);
        let empty = match w {
            // "None of the boroughs..." opens a sentence; a None anywhere else is a value.
            "None" => !(i == self.first && self.word(i + 1).is_some()),
            "NaN" | "NAN" | "null" | "Null" | "NULL" | "undefined" | "inf" | "Inf" | "INF"
            | "Infinity" | "NaT" => true,
            _ => false,
        };
        if empty {
            self.push(
                out,
                Rule::EmptyValues,
                i,
                i,
                format!("\"{w}\" is an empty or missing value printed as if it were a figure"),
            );
        }
    }

    fn empty_pair(&self, i: usize, out: &mut Vec<LintFinding>) {
        let close = match self.tok(i) {
            Some(Tok::Punct('(')) => ')',
            Some(Tok::Punct('[')) => ']',
            Some(Tok::Punct('“')) => '”',
            Some(Tok::Punct('"')) => '"',
            _ => return,
        };
        // A straight quote closing one quotation can touch the next one's opening only if
        // nothing separates them; brackets may hold spaces and still be empty.
        let b = self.block;
        let adjacent = i + 1 < self.end && b.tokens[i].end == b.tokens[i + 1].start;
        if self.is_punct(i + 1, close) && (adjacent || matches!(close, ')' | ']')) {
            self.push(
                out,
                Rule::EmptyValues,
                i,
                i + 1,
                "empty brackets or quotes: a value was left out".to_string(),
            );
        }
    }
}
