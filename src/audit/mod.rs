//! The round-trip audit: read the rendered copy back, trace every number in it to a fact, recompute
//! every fact from the raw daily counts, and check the claim words against the data.
//!
//! A story fails the audit, and is not written, when
//!
//! - **a number has no fact behind it.** Every figure in the copy is found (rates `1,134.8`,
//!   counts `4,705`, percentages `64%`, ordinals `12th`, number words `zero`–`nine` and ordinal
//!   words `first`–`ninth`, dates `January 14` and `Monday, January 18`, the numbers of a numbered
//!   list, in headings and table cells too) and must equal, character for character, a printed
//!   form of one of the story's [`Fact`]s. The match is narrowed by what the sentence says:
//!   - a figure belongs to the area named last before it in its clause (clauses split at
//!     commas, semicolons and "and", "while", "but", "with"), else to the first area named
//!     later in its clause, else to the sentence's first area when named before it, else, in a
//!     sentence that opens with "It", "That", "This", "Its" or "No other", to the first area of
//!     the sentence before; it may only match that area's facts, or facts of no area that are not counts
//!     or shares of areas that moved (dates, "seven days", "of the 315 areas"), so Bromley's
//!     sentence cannot print Lewisham's rate; its percentages must be its own, and a count
//!     before "cases" or "new cases" must be its cases;
//!   - a rate or count just after "from", "against", "versus" or "compared with", or in
//!     brackets just after such a rate, is last week's and matches only last-week facts; any
//!     other is this week's, so printing `prev_rate` where `rate` belongs is caught;
//!   - a table row is about the first area it names, and a cell is last week's when its column
//!     header says so ("last week", "previous", "week before", or last week's end date);
//!   - a numbered list's number must be the place of the area it names in the list of leaders,
//!     of largest movers or of the patch's areas by rate, and fit that area's recomputed rank;
//!   - a count or share of areas that rose, fell or stayed the same must match the direction
//!     word of its clause ("30 ... saw their rate rise"), so swapping the rising and falling
//!     counts is caught.
//! - **a figure is printed in digits other than ASCII 0–9.** Any character that is a Unicode
//!   digit or numeral but not `0`–`9` (full-width `９`, Arabic-Indic `٩`, mathematical `𝟗`,
//!   circled `⑨`, superscript `⁹`, fractions `½`, Roman numeral characters `Ⅻ`), standing
//!   alone or inside a word, in the body, headings, tables and front matter alike, fails
//!   naming the character and its code point: no fact prints one, and it may read as a figure.
//! - **a number in words beyond nine has no fact behind it.** Cardinals from ten ("ten" to
//!   "nineteen", "twenty" to "ninety", compounds such as "twenty-one", "hundred(s)",
//!   "thousand(s)", "million(s)", "billion(s)", "dozen(s)", "a score of", "scores of") must be a
//!   printed form of a fact, read as a figure is; a number word before one is part of it ("nine
//!   hundred"). Fractions of a quantity ("half of", "a half", "a third of", "a quarter of",
//!   "two thirds", "three quarters", "two-thirds") always fail, as no fact is a fraction.
//! - **a fact does not recompute.** Each fact's value is recomputed from the dataset's daily
//!   counts and the population table by the [`Recipe`] it carries, with its own sums, its own
//!   half-up integer rounding and its own ranks (none of [`crate::stats`] is used), and its
//!   printed form must be the house-style form of the recomputed value.
//! - **a claim word contradicts the data.** In a sentence about one area: direction words
//!   ("up", "rose", "risen", "rise", "climbed", "increase"; "down", "fell", "fallen", "fall",
//!   "dropped", "decrease"; "unchanged", "steady", "the same") must agree with the area's
//!   recomputed direction; "dramatically" needs a change of at least
//!   [`crate::story::WHOPPING_PERCENT`]% (or from zero), "sharply" one of at least
//!   [`crate::story::SHARP_PERCENT`]% (or from zero), "slightly" one under
//!   [`crate::story::SLIGHT_PERCENT`]%; "only" and "no other" with a direction need the area to be
//!   the one core area that went that way; "highest", "second highest", "lowest" (with "joint"
//!   when tied) must be the area's recomputed rank, in the patch when the region follows the
//!   word or "among the" does ("the highest rate among the four council areas"), within a nation when a UK story names one ("the highest rate in Wales"), in the
//!   universe otherwise (a region that is a nation's name, "Wales" or "Northern Ireland", is
//!   that nation wherever the sentence names it, so a patch's "highest in Wales" ranks among
//!   all of Wales' areas; a region "England" in an England story is the universe), by the size of the fall or rise when "fall" or "rise" follows
//!   ("the 12th highest fall"); "continues to have the highest" needs the area to have led alone
//!   this week and last; "continues" with a direction needs the area to have gone that way the
//!   week before too; "taking the top spot from X" needs X to have led the week before and the
//!   new leader not to have led it, nor alone the seven days to the day before the week's end
//!   (the window a daily paper printed the day before). In a sentence about the patch (the region named, no area): "every" and
//!   "all" need every core area to have gone that way, "all but one" all but one, and otherwise
//!   a direction needs most core areas to have gone that way. In a sentence about the nation
//!   (the universe named, no area) with "most": most areas must have gone that way, and
//!   "continue" needs most areas to have gone that way the week before too.
//! - **a claim is said of a set with a member missing.** With a core area of the patch
//!   without figures (by the audit's own arithmetic), "every", "all", "both" or "across" said
//!   of the patch's areas or region, a superlative ranked in the patch and "only" must be said
//!   of the areas "with figures"; with areas of the universe left out of the national figures,
//!   a superlative ranked in the universe (or in a nation or place holding one of them),
//!   "every", "all" or "largest" said of the universe, a rank move, "Nth place" and "taking the
//!   top spot" must be said of the areas "with full figures".
//!
//! Number words in prose are left alone: "one" in "no one" and "one another", and an ordinal
//! word that is not a rank (a rank is an ordinal before a superlative, "place" or "position",
//! or ending a clause: "second highest", "Slough is second."; "for the first time" is prose);
//! "half of" after a word that makes it a part, not a share ("the second half of January",
//! "the top half"); "third" and "quarter" not before "of" ("a third wave"); "score" but in "a
//! score of".
//!
//! It deliberately does not judge words that carry no figure or direction ("similar", the
//! frames' verbs), sentences that mix directions without naming an area (their counts are
//! checked instead), "lowest fall", numbers inside words ("Covid-19"), Roman numerals in ASCII
//! letters ("CMXCIX", which cannot be told from a name or a word), nor the patch's own
//! words (publication, region, who calculated the figures, source and dashboard names), which
//! are masked before figures are looked for, as are the templates' fixed phrases when they
//! are given ([`AuditContext::audit_known`], "call 119"), nor links; so an area name or the
//! patch's words may hold a numeral other than ASCII 0–9. It reads the copy through
//! the reader the lint uses ([`crate::copy`]): the same blocks, sentences and tokens, so a
//! hard-wrapped sentence is one sentence and a name broken across a line end is still the name;
//! front-matter lines, which the lint skips, are read each as a sentence of its own, since a
//! title prints. It knows area names from the story. Fixed figures of the
//! method ("seven days", "per 100,000") are facts of kind `constant`, so they too must be
//! printed as the facts say.

mod claims;
#[cfg(test)]
mod equivalence;
mod figures;
mod in_words;
#[cfg(test)]
mod oracle;
mod phrase;
mod printed;
mod reading;
mod truth;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasherDefault;

use chrono::NaiveDate;
use serde::Serialize;

use crate::config::Patch;
use crate::copy::Copy;
use crate::facts::{Fact, FactKind};
use crate::lang;
use crate::model::{Dataset, Population};
use crate::story::Story;

#[cfg(test)]
pub(crate) use oracle::compare::{both_ways, hard_wrapped, variants};
use phrase::{Forms, Phrase};
use printed::{Fnv, PrintedIndex, SharedIndex, lowered};
use reading::{Lexicon, Sentence, front_matter_blocks, sentences};
use truth::{Nation, Truth, canonical_into};

/// What the audit reads and checks against.
#[derive(Clone, Copy, Debug)]
pub struct AuditInput<'a> {
    /// The rendered copy.
    pub text: &'a str,
    /// The story's facts, from [`crate::facts::collect`].
    pub facts: &'a [Fact],
    /// The view model the copy was rendered from (area names, region, universe).
    pub story: &'a Story,
    /// The data.
    pub dataset: &'a Dataset,
    /// The population table.
    pub population: &'a Population,
    /// The patch (incomplete days, list lengths).
    pub patch: &'a Patch,
}

/// One thing the audit found wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditFailure {
    /// 1-based line of the copy; 0 when the fact is not printed.
    pub line: usize,
    /// The sentence, as printed.
    pub sentence: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for AuditFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(
                f,
                "line {}: {}, in \"{}\"",
                self.line, self.message, self.sentence
            )
        }
    }
}

/// What the audit did and found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Figures in the copy traced to a fact.
    pub figures: usize,
    /// Facts recomputed from the data.
    pub facts: usize,
    /// Claim words checked against the data.
    pub claims: usize,
    /// Everything wrong, in reading order (facts that do not recompute first).
    pub failures: Vec<AuditFailure>,
}

impl AuditReport {
    /// Whether the copy passed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

fn describe(fact: &Fact) -> String {
    let what = match fact.kind {
        FactKind::Rate => "rate this week".to_string(),
        FactKind::PrevRate => "rate last week".to_string(),
        FactKind::Cases => "cases this week".to_string(),
        FactKind::PrevCases => "cases last week".to_string(),
        _ => fact
            .id
            .split('.')
            .skip(usize::from(fact.area_name.is_some()))
            .collect::<Vec<_>>()
            .join(" ")
            .replace('_', " "),
    };
    match &fact.area_name {
        Some(name) => format!("{} {what}", lang::possessive(name)),
        None => what,
    }
}
// ---------------------------------------------------------------------------------------------
// The audit

struct Auditor<'a> {
    input: AuditInput<'a>,
    truth: Truth<'a, 'a>,
    /// The week's shared facts, numbered after the story's own.
    shared: &'a [Fact],
    /// Their printed forms (lower case) → shared facts.
    shared_index: &'a SharedIndex<'a>,
    /// (name, code), longest name first.
    names: &'a [Name<'a>],
    /// The region and the universe's name, as every sentence is searched for them.
    region: Phrase<'a>,
    universe: Phrase<'a>,
    /// Printed form (lower case) → the story's own facts.
    index: PrintedIndex<'a>,
    /// Facts that did not recompute, with why.
    broken: BTreeMap<usize, String>,
    report: AuditReport,
    scratch: figures::Scratch,
    /// The ranking scopes of the superlatives of the sentence being read: (token, whether
    /// the region is a nation, scope).
    scopes: Vec<(usize, bool, claims::Within)>,
}

/// Recomputes one fact; `Some(why)` when it does not recompute or is not printed in house
/// style. `shown` holds the house-style form, the buffer reused fact after fact.
fn check_fact(
    truth: &Truth<'_, '_>,
    fact: &Fact,
    patch: &Patch,
    release: NaiveDate,
    story_year: i32,
    shown: &mut String,
) -> Option<String> {
    match truth.recompute(fact, patch, release) {
        Err(why) => Some(why),
        Ok(v) if v != fact.value => {
            canonical_into(fact.kind, v, story_year, shown);
            Some(format!(
                "the story has {} but the data give {shown}",
                fact.printed.first().map_or("nothing", String::as_str)
            ))
        }
        Ok(v) => {
            canonical_into(fact.kind, v, story_year, shown);
            (!fact.printed.contains(&*shown)).then(|| {
                format!(
                    "it is printed as {:?}, not in house style ({shown})",
                    fact.printed
                )
            })
        }
    }
}

/// What the audits of every story of one week share, prepared once: every area's figures
/// recomputed from the daily counts, with the national tables ranks are read from, and the
/// week's shared facts ([`crate::facts::Part::National`]) recomputed and indexed by printed
/// form. Each story's audit then recomputes only the story's own facts, and still traces every
/// figure of its copy to a fact, its own or a shared one.
pub struct AuditContext<'a> {
    nation: Nation<'a>,
    release: NaiveDate,
    shared: &'a [Fact],
    shared_index: SharedIndex<'a>,
    /// Shared facts that did not recompute, with why.
    shared_broken: BTreeMap<usize, String>,
    /// The printed forms of last week's end date, which mark a table's column of last week's
    /// figures, for the year of the story the context was prepared from.
    prev_markers: (i32, Vec<String>),
    /// The universe's name, as every sentence of every story is searched for it.
    universe: (String, Forms),
    escapes: Escapes,
}

impl<'a> AuditContext<'a> {
    /// Prepares the audits of the stories of `story`'s week (its release, week and universe).
    /// `shared` are the facts every story of the week shares, recomputed here once with
    /// `patch`'s incomplete days and list lengths; empty when each story carries all of its
    /// facts.
    pub fn new(
        story: &Story,
        shared: &'a [Fact],
        dataset: &'a Dataset,
        population: &Population,
        patch: &Patch,
    ) -> AuditContext<'a> {
        let nation = Nation::new(story, dataset, population);
        let truth = Truth {
            nation: &nation,
            core: Vec::new(),
            missing_core: Vec::new(),
        };
        let mut shown = String::new();
        let shared_broken = shared
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                check_fact(
                    &truth,
                    f,
                    patch,
                    story.release,
                    story.story_year,
                    &mut shown,
                )
                .map(|why| (i, why))
            })
            .collect();
        AuditContext {
            escapes: Escapes::of(story),
            universe: (
                story.universe.name.clone(),
                Forms::new(&story.universe.name),
            ),
            prev_markers: (
                story.story_year,
                crate::facts::date_forms(nation.prev_week.end, story.story_year),
            ),
            release: story.release,
            shared,
            shared_index: SharedIndex::new(shared),
            shared_broken,
            nation,
        }
    }

    /// Reads one story's copy back and checks it against the story's own facts
    /// (`input.facts`, recomputed here), the week's shared facts and the data; see the module
    /// docs. A shared fact that does not recompute fails every story, as it would if the
    /// story carried it. A story of another week or universe than the context's fails.
    pub fn audit(&self, input: AuditInput<'_>) -> AuditReport {
        self.audit_read(input, &Copy::read(input.text), &[])
    }

    /// [`AuditContext::audit`] of copy already read (from `input.text`), so a story's copy
    /// is read once for its lint and its audit.
    pub fn audit_copy(&self, input: AuditInput<'_>, copy: &Copy<'_>) -> AuditReport {
        debug_assert_eq!(copy.text, input.text, "the copy read is the copy audited");
        self.audit_read(input, copy, &[])
    }

    /// [`AuditContext::audit_copy`] knowing the templates' fixed text: each of
    /// `known.literals` ("book a test at nhs.uk or call 119") is read as the patch's own words
    /// are, so its figures trace to no fact and need none. The story's area names are the
    /// audit's already, from the story.
    pub fn audit_known(
        &self,
        input: AuditInput<'_>,
        copy: &Copy<'_>,
        known: &crate::copy::Known<'_>,
    ) -> AuditReport {
        debug_assert_eq!(copy.text, input.text, "the copy read is the copy audited");
        self.audit_read(input, copy, known.literals)
    }

    fn audit_read(
        &self,
        input: AuditInput<'_>,
        copy: &Copy<'_>,
        literals: &[String],
    ) -> AuditReport {
        let story = input.story;
        let nation = &self.nation;
        if story.week != nation.week
            || story.release != self.release
            || story.universe.kind != nation.universe
            || story.universe.area_type != nation.area_type
        {
            return AuditReport {
                failures: vec![AuditFailure {
                    line: 0,
                    sentence: String::new(),
                    message: format!(
                        "the story covers the seven days to {} in {} ({} release), but its audit was prepared for the seven days to {} in {} ({} release)",
                        story.week.end,
                        story.universe.name,
                        story.release,
                        nation.week.end,
                        nation.universe.name(),
                        self.release
                    ),
                }],
                ..AuditReport::default()
            };
        }
        audit_with(self, input, copy, literals)
    }
}

/// Reads `input.text` back and checks it against the facts and the data; see the module docs.
pub fn audit(input: AuditInput<'_>) -> AuditReport {
    AuditContext::new(
        input.story,
        &[],
        input.dataset,
        input.population,
        input.patch,
    )
    .audit(input)
}

/// An area name the audit reads, in one of its forms, and the area's code.
type Name<'s> = (Cow<'s, str>, &'s str);

/// Names' and the patch's words' Markdown-escaped forms, made once a week for the names and
/// words every story of the week prints (the nation's leaders, who calculated the figures).
struct Escapes(HashMap<String, String, BuildHasherDefault<Fnv>>);

impl Escapes {
    /// The escaped forms of `story`'s names and words.
    fn of(story: &Story) -> Escapes {
        let none = Escapes(HashMap::default());
        let mut escaped: HashMap<String, String, BuildHasherDefault<Fnv>> = HashMap::default();
        for (name, _) in raw_names(story) {
            escaped.insert(name.to_string(), crate::lang::markdown_text(name));
        }
        for label in story_labels(story, &[], &none) {
            escaped.insert(label.to_string(), crate::lang::markdown_text(&label));
        }
        Escapes(escaped)
    }

    /// `text` as [`crate::lang::markdown_text`] escapes it.
    fn get(&self, text: &str) -> Cow<'_, str> {
        match self.0.get(text) {
            Some(escaped) => Cow::Borrowed(escaped),
            None => Cow::Owned(crate::lang::markdown_text(text)),
        }
    }
}

/// The areas the story may name, as printed, each once: (name, code).
fn raw_names<'s>(story: &'s Story) -> Vec<(&'s str, &'s str)> {
    let mut names: Vec<(&str, &str)> = Vec::new();
    let mut add = |name: &'s str, code: &'s str| {
        if !names.iter().any(|(n, _)| *n == name) {
            names.push((name, code));
        }
    };
    for a in story.core.iter().chain(&story.nearby) {
        add(&a.name, &a.code);
    }
    for l in story.leaders.iter() {
        add(&l.area.name, &l.area.code);
    }
    for a in story.movers.iter().flat_map(|m| &m.items) {
        add(&a.name, &a.code);
    }
    for u in &story.unavailable {
        add(&u.name, &u.code);
    }
    for l in &story.universe.left_out_areas {
        add(&l.name, &l.code);
    }
    for n in story.nation_leaders.iter() {
        add(&n.area.name, &n.area.code);
    }
    if let Some(h) = &story.hospital {
        add(&h.region, &h.code);
    }
    names
}

/// The areas the story may name, as the audit reads them: (name, code), each in its printed,
/// Markdown-escaped and sentence-opening forms, longest name first.
fn area_names<'s>(story: &'s Story, escapes: &'s Escapes) -> Vec<Name<'s>> {
    let raw = raw_names(story);
    let mut names: Vec<Name<'s>> = Vec::with_capacity(raw.len() * 2);
    names.extend(raw.iter().map(|&(n, c)| (Cow::Borrowed(n), c)));
    // Names print Markdown-escaped ("\\*test\\*"): read them in either form.
    for &(n, c) in &raw {
        let escaped = escapes.get(n);
        if !raw.iter().any(|(m, _)| **m == *escaped) {
            names.push((escaped, c));
        }
    }
    // A name with its article ("the Vale of Glamorgan") opens a sentence capitalised.
    let opening: Vec<Name<'s>> = names
        .iter()
        .filter(|(n, _)| n.starts_with(|c: char| c.is_lowercase()))
        .map(|(n, c)| (Cow::Owned(crate::lang::sentence_case(n)), *c))
        .collect();
    names.extend(opening);
    names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    names
}

/// The patch's own words and the templates' fixed text, masked before figures are read:
/// printed and Markdown-escaped, longest first.
fn story_labels<'s>(
    story: &'s Story,
    literals: &'s [String],
    escapes: &'s Escapes,
) -> Vec<Cow<'s, str>> {
    let mut labels: Vec<Cow<'s, str>> = [
        &story.publication,
        &story.region,
        &story.calculated_by,
        &story.source_name,
        &story.dashboard_name,
    ]
    .into_iter()
    // The leader a new leader took the top spot from is named but prints no figure; its
    // name may hold digits ("Hartlepool 001") that are not figures.
    .chain(story.leaders.iter().filter_map(|l| l.replaced.as_ref()))
    // A template's fixed text ("call 119") holds figures that are not the story's.
    .chain(literals)
    .filter(|l| !l.trim().is_empty())
    .flat_map(|l| [Cow::Borrowed(l.as_str()), escapes.get(l)])
    .collect();
    labels.sort_by_key(|l| std::cmp::Reverse(l.len()));
    labels.dedup();
    labels
}

fn audit_with(
    ctx: &AuditContext<'_>,
    input: AuditInput<'_>,
    copy: &Copy<'_>,
    literals: &[String],
) -> AuditReport {
    let story = input.story;
    let names = area_names(story, &ctx.escapes);
    let labels = story_labels(story, literals, &ctx.escapes);
    // Every story of the week has the same last week; a story of another year reads its own.
    let own_markers: Vec<String>;
    let prev_markers: &[String] = match &ctx.prev_markers {
        (year, markers)
            if *year == story.story_year && story.prev_week.end == ctx.nation.prev_week.end =>
        {
            markers
        }
        _ => {
            own_markers = crate::facts::date_forms(story.prev_week.end, story.story_year);
            &own_markers
        }
    };
    let front = front_matter_blocks(copy);
    let blocks: Vec<&crate::copy::block::Block> = front.iter().chain(&copy.blocks).collect();
    // The words are read from the copy in lower case, made once for the story.
    let lower: Vec<std::borrow::Cow<'_, str>> = blocks
        .iter()
        .map(|b| {
            if b.text.bytes().any(|c| c.is_ascii_uppercase()) {
                b.text.to_ascii_lowercase().into()
            } else {
                b.text.as_str().into()
            }
        })
        .collect();
    let read = sentences(
        copy,
        &blocks,
        &lower,
        &Lexicon::new(&names, &labels),
        prev_markers,
    );
    judge(ctx, input, &names, &read)
}

/// The audit of a story whose copy has been read as `sentences`, with its area `names`.
fn judge(
    ctx: &AuditContext<'_>,
    input: AuditInput<'_>,
    names: &[Name<'_>],
    sentences: &[Sentence<'_>],
) -> AuditReport {
    let story = input.story;
    let index = PrintedIndex::new(input.facts);
    let core = story
        .core
        .iter()
        .map(|a| a.code.as_str())
        .chain(
            story
                .unavailable
                .iter()
                .filter(|u| u.core)
                .map(|u| u.code.as_str()),
        )
        .filter_map(|c| ctx.nation.index.get(c).copied())
        .collect();
    // The core areas the data give no week for, found by the audit's own arithmetic.
    let missing_core = story
        .unavailable
        .iter()
        .filter(|u| u.core && !ctx.nation.index.contains_key(&u.code))
        .map(|u| u.name.clone())
        .collect();
    let mut a = Auditor {
        truth: Truth {
            nation: &ctx.nation,
            core,
            missing_core,
        },
        input,
        shared: ctx.shared,
        shared_index: &ctx.shared_index,
        region: Phrase::new(&story.region, names),
        universe: if story.universe.name == ctx.universe.0 {
            Phrase::of(&ctx.universe.1, names)
        } else {
            Phrase::new(&story.universe.name, names)
        },
        names,
        index,
        broken: BTreeMap::new(),
        report: AuditReport::default(),
        scratch: figures::Scratch::default(),
        scopes: Vec::new(),
    };
    a.recompute_facts();
    // The shared facts were recomputed once for the week; those that did not recompute
    // count against this story as if it carried them.
    let own = input.facts.len();
    a.report.facts += ctx.shared.len();
    for (&i, why) in &ctx.shared_broken {
        a.broken.insert(own + i, why.clone());
    }
    let mut printed_broken: Vec<usize> = Vec::new();
    for s in sentences {
        a.check_sentence(s, &mut printed_broken);
    }
    // Facts that do not recompute and were not printed still fail: the sidecar publishes them.
    let unprinted: Vec<AuditFailure> = a
        .broken
        .iter()
        .filter(|(i, _)| !printed_broken.contains(i))
        .map(|(&i, why)| AuditFailure {
            line: 0,
            sentence: String::new(),
            message: format!(
                "fact {} ({}) does not recompute from the data: {why}",
                a.fact(i).id,
                describe(a.fact(i))
            ),
        })
        .collect();
    let mut failures = unprinted;
    failures.append(&mut a.report.failures);
    a.report.failures = failures;
    a.report
}

impl<'a> Auditor<'a> {
    fn fail(&mut self, s: &Sentence, message: String) {
        self.report.failures.push(AuditFailure {
            line: s.line,
            sentence: s.text.to_string(),
            message,
        });
    }

    fn recompute_facts(&mut self) {
        let story = self.input.story;
        let mut shown = String::with_capacity(32);
        for (i, fact) in self.input.facts.iter().enumerate() {
            self.report.facts += 1;
            if let Some(why) = check_fact(
                &self.truth,
                fact,
                self.input.patch,
                story.release,
                story.story_year,
                &mut shown,
            ) {
                self.broken.insert(i, why);
            }
        }
    }

    /// A fact by its number: the story's own first, then the week's shared ones.
    fn fact(&self, f: usize) -> &'a Fact {
        let own = self.input.facts;
        match own.get(f) {
            Some(fact) => fact,
            None => &self.shared[f - own.len()],
        }
    }

    /// The facts printed as `text` (any case): the story's own first, then the shared ones.
    fn printed_as(&self, text: &str) -> impl Iterator<Item = usize> + '_ {
        // Figures are mostly digits: lower-cased only when they hold a capital.
        let key = lowered(text);
        let own = self.input.facts.len();
        let theirs = self
            .shared_index
            .get(&key)
            .iter()
            .map(move |&(_, i)| own + i);
        self.index.get(&key).iter().map(|&(_, i)| i).chain(theirs)
    }

    fn code(&self, area: usize) -> &'a str {
        self.names[area].1
    }

    fn name(&self, area: usize) -> &'a str {
        &self.names[area].0
    }

    /// The recomputed figures of the area with `code`, borrowed from the week's, not from
    /// the auditor, which goes on recording failures.
    fn area_truth(&self, code: &str) -> Result<&'a truth::AreaTruth, String> {
        self.truth.nation.area(code)
    }
}
