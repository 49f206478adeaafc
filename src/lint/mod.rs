//! House-style lint of rendered copy.
//!
//! The rules are the ones `docs/style.md` sets for the weekly case-rate stories: rates with
//! exactly one decimal, thousands separators, small counts in words, no sentence opening with
//! a figure, dates as "January 14", figures in ASCII digits (not "９", "٩", "⑨" or "½"), and
//! the slips a template can leave behind (a doubled word,
//! an unclosed bracket, `{{`, "None"). [`lint`] reads plain text or Markdown; YAML front
//! matter, heading hashes and list markers are not copy and are skipped.
//!
//! The rules read figures in their context (a number after "rate of" is a rate; one before
//! "new cases" is a count), so they are heuristics: each one is tuned to flag what the house
//! style forbids in the copy casewire writes without flagging the published stories it copies.
//!
//! [`lint_with`] also applies the subbing rules ([`Rule::COPY`]), which read what a chief sub
//! strikes from copy that is otherwise in style:
//!
//! - `ons-inversion`: an official name inverted, "Kingston upon Hull, City of's rate",
//!   "Herefordshire, County of" (not "Bristol, City of Culture": a name goes on after "of");
//! - `saint-full-stop`: "St. Helens" for "St Helens";
//! - `article-after-every`: "every the west of Scotland council area", "all but one the
//!   Scottish islands area";
//! - `all-two`: "all two boroughs" for "both boroughs";
//! - `newsroom-jargon`: "patch" in print, "Just outside the patch";
//! - `bottom-half-highest`: "the 290th highest fall in England, where 295 of the 315 local
//!   areas saw their rate go down". It judges only what the sentence counts: for a fall or rise
//!   the count before "of the" (the areas that fell or rose), for a rate the total after "of";
//!   with no count in the sentence it says nothing and the audit checks the rank;
//! - `repeated-sentence`: a sentence of six words or more printed twice in one story.
//!
//! It also applies the story rules ([`Rule::STORY`]), which count across the whole story:
//!
//! - `degree-words`: more than two degree words in one story ("up dramatically" ten times);
//!   each one after the second is flagged, naming the lines of the two kept. The published
//!   seed of August 27, 2021 prints three ("up sharply", "up slightly", "down slightly"),
//!   which is why the rule is not among the subbing rules the seeds are held to.
//!
//! [`lint_with`] is told the story's [`Known`] names and literals: a name from the data may
//! hold digits ("Hartlepool 001") or a doubled word, and a template's fixed text its own
//! figures ("call 119"), and none of them is read by a figure or doubled-word rule. [`lint`]
//! and [`lint_copy`] apply [`Rule::ALL`] only, knowing nothing, as they always have; a
//! draft's own lint (`lint_known`) applies [`Rule::ALL`] knowing them.
mod clean;
mod degree;
mod marks;
mod numerals;
mod rules;
mod subbing;
mod words;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::copy::Copy;
pub use crate::copy::Known;
pub(crate) use clean::CleanBlocks;
use marks::Checker;

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
    /// A digit or numeral other than ASCII 0–9 ("９", "٩", "⑨", "½", "Ⅻ").
    AsciiDigits,
    /// An ONS name in its inverted official form ("Kingston upon Hull, City of").
    OnsInversion,
    /// "St." before a place ("St. Helens"): the press writes "St Helens".
    SaintFullStop,
    /// An article after "every" or "all but one" ("every the west of Scotland council area").
    ArticleAfterEvery,
    /// A count of two told with "all" ("all two boroughs").
    AllTwo,
    /// Newsroom jargon in print ("Just outside the patch").
    NewsroomJargon,
    /// A rank in the bottom half told as a high ("the 290th highest fall ..., where 295 of the
    /// 315 local areas saw their rate go down").
    BottomHalfHighest,
    /// The same sentence printed twice in one story.
    RepeatedSentence,
    /// More than two degree words ("dramatically", "sharply", "slightly", "a whopping rise")
    /// in one story.
    DegreeWords,
}

impl Rule {
    /// Every rule, in the order they are documented.
    pub const ALL: [Rule; 11] = [
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
        Rule::AsciiDigits,
    ];

    /// The subbing rules, which [`lint_with`] applies besides [`Rule::ALL`]: what a chief sub
    /// strikes mechanically. [`lint`] does not apply them, so copy that passes today still does
    /// until its templates print names and regions as the press writes them.
    pub const COPY: [Rule; 7] = [
        Rule::OnsInversion,
        Rule::SaintFullStop,
        Rule::ArticleAfterEvery,
        Rule::AllTwo,
        Rule::NewsroomJargon,
        Rule::BottomHalfHighest,
        Rule::RepeatedSentence,
    ];

    /// The story rules, which [`lint_with`] applies besides [`Rule::ALL`] and [`Rule::COPY`]:
    /// counts over the whole story rather than slips in one sentence.
    pub const STORY: [Rule; 1] = [Rule::DegreeWords];

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
            Rule::AsciiDigits => "ascii-digits",
            Rule::OnsInversion => "ons-inversion",
            Rule::SaintFullStop => "saint-full-stop",
            Rule::ArticleAfterEvery => "article-after-every",
            Rule::AllTwo => "all-two",
            Rule::NewsroomJargon => "newsroom-jargon",
            Rule::BottomHalfHighest => "bottom-half-highest",
            Rule::RepeatedSentence => "repeated-sentence",
            Rule::DegreeWords => "degree-words",
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
    let io = |source| LintError::Io {
        path: path.to_path_buf(),
        source,
    };
    crate::fsio::check_readable(path).map_err(io)?;
    let bytes = std::fs::read(path).map_err(io)?;
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
    lint_copy(&Copy::read(text))
}

/// [`lint`] of copy already read, so a story's copy is read once for its lint and its audit.
pub(crate) fn lint_copy(copy: &Copy<'_>) -> Vec<LintFinding> {
    check(copy, &Known::default(), false, None)
}

/// [`lint_copy`] knowing the story's names and fixed text, which no figure or doubled-word
/// rule reads: the house style only, without the subbing rules of [`lint_with`].
pub(crate) fn lint_known(copy: &Copy<'_>, known: &Known<'_>) -> Vec<LintFinding> {
    check(copy, known, false, None)
}

/// [`lint_known`] for one of a run of stories that print the same paragraphs: a block found
/// clean in `clean` is not checked again, and one found clean here is kept there (see
/// [`CleanBlocks`] for why that changes no verdict).
pub(crate) fn lint_known_in(
    copy: &Copy<'_>,
    known: &Known<'_>,
    clean: &CleanBlocks,
) -> Vec<LintFinding> {
    check(copy, known, false, Some(clean))
}

/// Checks copy already read against [`Rule::ALL`], the subbing rules [`Rule::COPY`] and the
/// story rules [`Rule::STORY`], knowing the story's names and fixed text: a known name ("Hartlepool 001") or literal
/// ("call 119") is not read as a figure or a doubled word. Every finding, in reading order.
pub fn lint_with(copy: &Copy<'_>, known: &Known<'_>) -> Vec<LintFinding> {
    check(copy, known, true, None)
}

fn check(
    copy: &Copy<'_>,
    known: &Known<'_>,
    subbing: bool,
    clean: Option<&CleanBlocks>,
) -> Vec<LintFinding> {
    let mut findings = Vec::new();
    let mut seen = marks::Seen::new();
    // The known phrases are indexed once for the story, not once for each of its blocks.
    let index = (!known.is_empty()).then(|| known.index());
    let checkers: Vec<Checker<'_>> = copy
        .blocks
        .iter()
        .map(|block| Checker {
            block,
            protected: index
                .as_ref()
                .map_or_else(Vec::new, |index| index.protected(&block.text)),
            subbing,
            last_column: std::cell::Cell::new((usize::MAX, 0, 0)),
        })
        .collect();
    // The subbing rules read across blocks (a sentence repeated), so only a lint without
    // them skips a block.
    let clean = clean.filter(|_| !subbing);
    let known_clean = clean.map(|c| {
        let blocks: Vec<_> = checkers
            .iter()
            .map(|c| (c.block, c.protected.as_slice()))
            .collect();
        c.known(&blocks)
    });
    for (k, checker) in checkers.iter().enumerate() {
        let found = known_clean.as_ref().map(|v| v[k]);
        if found.is_some_and(|(_, clean)| clean) {
            continue;
        }
        let before = findings.len();
        checker.check(&mut findings, &mut seen);
        if let (Some(clean), Some((hash, _))) = (clean, found)
            && findings.len() == before
        {
            clean.keep(hash, checker.block, &checker.protected);
        }
    }
    if subbing {
        degree::check(&checkers, &mut findings);
    }
    findings.sort_by_key(|f| (f.line, f.column, f.rule));
    findings.dedup();
    findings
}
