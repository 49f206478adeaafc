//! The subbing rules of one sentence ([`Rule::COPY`]): what a chief sub strikes mechanically
//! from copy that is otherwise in house style.

use std::hash::{Hash, Hasher};

use crate::copy::markdown::Kind;
use crate::copy::tokens::Tok;
use crate::lang::{NUMBER_WORDS, ORDINAL_WORDS};

use super::marks::Seen;
use super::rules::Sentence;
use super::words::{ordinal, plain_int};
use super::{LintFinding, Rule};

/// Words that may join the capitalised words of a place's name ("Kingston upon Hull").
const NAME_GLUE: &[&str] = &[
    "upon", "on", "and", "of", "the", "in", "under", "le", "next",
];

/// Articles that cannot follow "every" or "all but one".
const ARTICLES: &[&str] = &["the", "a", "an"];

/// A sentence this short ("Bexley", "Comments: Our rules") repeats by design; only a sentence
/// of at least this many words is a repeat worth striking.
const REPEAT_MIN_WORDS: usize = 6;

fn capitalised(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

impl Sentence<'_> {
    pub(super) fn subbing(&self, out: &mut Vec<LintFinding>, seen: &mut Seen) {
        for i in self.first..self.end {
            match self.tok(i) {
                Some(Tok::Punct(',')) => self.ons_inversion(i, out),
                Some(Tok::Word) => {
                    self.saint(i, out);
                    self.article_after_every(i, out);
                    self.all_two(i, out);
                    self.jargon(i, out);
                    self.bottom_half(i, out);
                }
                _ => {}
            }
        }
        self.repeated(out, seen);
    }

    /// "Kingston upon Hull, City of", "Herefordshire, County of's rate": the ONS's inverted
    /// official names, which no paper prints.
    fn ons_inversion(&self, comma: usize, out: &mut Vec<LintFinding>) {
        let Some(kind) = self
            .word(comma + 1)
            .filter(|w| matches!(*w, "City" | "County"))
        else {
            return;
        };
        let Some(of) = self.word(comma + 2) else {
            return;
        };
        if !matches!(of, "of" | "of's" | "of’s") {
            return;
        }
        // "Bristol, City of Culture" is not an inversion: a name goes on after "of".
        if of == "of" && self.word(comma + 3).is_some_and(capitalised) {
            return;
        }
        // The name before the comma: capitalised words and the words that join them.
        let mut start = comma;
        let mut j = comma;
        while let Some(p) = self.prev(j) {
            match self.word(p) {
                Some(w) if capitalised(w) => start = p,
                Some(w) if NAME_GLUE.contains(&w) && start == p + 1 => {}
                _ => break,
            }
            j = p;
        }
        if start == comma {
            return;
        }
        let b = self.block;
        let name = &b.text[b.tokens[start].start..b.tokens[comma].start];
        self.push(
            out,
            Rule::OnsInversion,
            start,
            comma + 2,
            format!(
                "\"{name}, {kind} of\" is the ONS's inverted official name: print the name as the press writes it (\"{name}\", or its short form: \"Hull\", \"Bristol\", \"Herefordshire\")"
            ),
        );
    }

    /// "St. Helens": the press writes "St Helens". The full stop may end the sentence as the
    /// copy reader splits it, so the place is looked for in the block.
    fn saint(&self, i: usize, out: &mut Vec<LintFinding>) {
        if self.s(i) != "St" || !self.is_punct(i + 1, '.') {
            return;
        }
        let b = self.block;
        let place = b
            .tokens
            .get(i + 2)
            .filter(|t| {
                t.tok == Tok::Word && b.line_index(t.start) == b.line_index(b.tokens[i].start)
            })
            .map(|t| &b.text[t.start..t.end])
            .filter(|w| capitalised(w));
        let Some(place) = place else { return };
        self.push(
            out,
            Rule::SaintFullStop,
            i,
            i + 1,
            format!("\"St\" before a place takes no full stop: \"St {place}\""),
        );
    }

    /// "every the west of Scotland council area", "all but one the Scottish islands area".
    fn article_after_every(&self, i: usize, out: &mut Vec<LintFinding>) {
        let (claim, next) = if self.word_is(i, "every") {
            ("every", i + 1)
        } else if self.word_is(i, "all") && self.word_is(i + 1, "but") && self.word_is(i + 2, "one")
        {
            ("all but one", i + 3)
        } else {
            return;
        };
        let Some(article) = self
            .word(next)
            .filter(|w| ARTICLES.iter().any(|a| a.eq_ignore_ascii_case(w)))
        else {
            return;
        };
        self.push(
            out,
            Rule::ArticleAfterEvery,
            i,
            next,
            format!(
                "\"{claim} {article}\" is not English: put the region after the noun (\"{claim} council area in the west of Scotland\"){}",
                if claim == "every" { "" } else { " or say \"all but one of the\"" }
            ),
        );
    }

    /// "all two boroughs": two are "both", or "the two".
    fn all_two(&self, i: usize, out: &mut Vec<LintFinding>) {
        if !self.word_is(i, "all") {
            return;
        }
        let two = self.word_is(i + 1, "two") || self.number(i + 1) == Some("2");
        if !two {
            return;
        }
        self.push(
            out,
            Rule::AllTwo,
            i,
            i + 1,
            "a count of two is not told with \"all\": write \"both\" or \"the two\"".to_string(),
        );
    }

    /// "Just outside the patch": a newsroom's word for its area, never printed.
    fn jargon(&self, i: usize, out: &mut Vec<LintFinding>) {
        let w = super::rules::lowercase(self.s(i));
        let base = crate::copy::tokens::strip_possessive(&w);
        if !matches!(base, "patch" | "patches") {
            return;
        }
        // "Just outside the patch" is one phrase: flag it whole.
        let whole = i >= self.first + 3
            && self.word_is(i - 3, "just")
            && self.word_is(i - 2, "outside")
            && self.word_is(i - 1, "the");
        let from = if whole { i - 3 } else { i };
        let snippet = if from < i {
            "Just outside the patch"
        } else {
            "patch"
        };
        self.push(
            out,
            Rule::NewsroomJargon,
            from,
            i,
            format!(
                "\"{snippet}\" is newsroom jargon: name the place (\"Nearby\", \"Neighbouring ...\", the region)"
            ),
        );
    }

    /// A figure in the sentence, in digits or words ("295", "1,024", "five").
    fn count_at(&self, i: usize) -> Option<u64> {
        match self.tok(i)? {
            Tok::Number => plain_int(&self.s(i).replace(',', "")),
            Tok::Word => NUMBER_WORDS
                .iter()
                .position(|w| self.s(i).eq_ignore_ascii_case(w))
                .map(|p| p as u64),
            _ => None,
        }
    }

    /// "the 290th highest fall in England, where 295 of the 315 local areas saw their rate go
    /// down": a rank in the bottom half of what the sentence itself counts, told as a high.
    /// The lint sees only what the sentence says: for a fall or rise the count before "of the"
    /// (the areas that fell or rose), for a rate the total after "of" or "of the"; without
    /// such a count it judges nothing, and the audit checks the rank itself.
    fn bottom_half(&self, i: usize, out: &mut Vec<LintFinding>) {
        if !self.word_is(i, "highest") {
            return;
        }
        let Some(r) = self.prev(i) else { return };
        let rank = match self.tok(r) {
            Some(Tok::Number) => ordinal(self.s(r)),
            Some(Tok::Word) => ORDINAL_WORDS
                .iter()
                .position(|w| self.s(r).eq_ignore_ascii_case(w))
                .map(|p| p as u64 + 1),
            _ => None,
        };
        let Some(rank) = rank.filter(|&n| n > 1) else {
            return;
        };
        let moved = self
            .word(i + 1)
            .map(str::to_lowercase)
            .filter(|w| matches!(w.as_str(), "fall" | "falls" | "rise" | "rises"));
        // "K of the M" (or "of M") after the rank.
        let mut pool = None;
        for j in i + 1..self.end {
            if !self.word_is(j, "of") {
                continue;
            }
            let total = if self.word_is(j + 1, "the") {
                j + 2
            } else {
                j + 1
            };
            let (before, after) = (
                self.prev(j).and_then(|p| self.count_at(p)),
                self.count_at(total),
            );
            pool = match moved {
                Some(_) => before.filter(|_| after.is_some()),
                None => after,
            };
            if pool.is_some() {
                break;
            }
        }
        let Some(pool) = pool.filter(|&p| p > 0) else {
            return;
        };
        if 2 * rank <= pool + 1 {
            return;
        }
        let from_bottom = pool + 1 - rank.min(pool);
        let (what, low) = match moved.as_deref() {
            Some("fall" | "falls") => ("fall", "smallest fall"),
            Some(_) => ("rise", "smallest rise"),
            None => ("rate", "lowest"),
        };
        let phrase = if from_bottom == 1 {
            low.to_string()
        } else {
            format!("{} {low}", crate::lang::ordinal_words(from_bottom as i64))
        };
        self.push(
            out,
            Rule::BottomHalfHighest,
            r,
            i,
            format!(
                "a {what} ranked {} of {pool} is in the bottom half: tell it from the bottom (\"the {phrase}\", \"one of the smallest\") or leave it out",
                crate::lang::ordinal(rank as i64),
            ),
        );
    }

    /// The same sentence twice in one story ("Knowsley has the highest rate in England" as the
    /// patch's leader and the nation's).
    fn repeated(&self, out: &mut Vec<LintFinding>, seen: &mut Seen) {
        let b = self.block;
        if !matches!(b.kind, Kind::Text | Kind::ListItem) {
            return;
        }
        let words = (self.first..self.end)
            .filter(|&i| matches!(self.tok(i), Some(Tok::Word | Tok::Number)))
            .count();
        if words < REPEAT_MIN_WORDS {
            return;
        }
        // Two sentences repeat when their characters, each lower-cased, are the same, that is
        // when the UTF-8 of those is: hashed in one call, not a call a character. (Each
        // character on its own: `str::to_lowercase` would make a final sigma another letter.)
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let text = self.text();
        let lower: std::borrow::Cow<'_, str> = if text.is_ascii() {
            super::rules::lowercase(&text)
        } else {
            text.chars()
                .flat_map(char::to_lowercase)
                .collect::<String>()
                .into()
        };
        lower.as_bytes().hash(&mut h);
        let line = b.line_starts[b.line_index(b.tokens[self.first].start)].1;
        match seen.entry(h.finish()) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(line);
            }
            std::collections::hash_map::Entry::Occupied(o) => {
                let first = *o.get();
                self.push(
                    out,
                    Rule::RepeatedSentence,
                    self.first,
                    self.end - 1,
                    format!("the sentence is printed twice (first on line {first}): say it once"),
                );
            }
        }
    }
}
