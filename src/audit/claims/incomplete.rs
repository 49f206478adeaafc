//! Claims over a set with a member missing. A patch whose core area has no figures this
//! week cannot be said to have risen "in every borough", nor can one of its areas have "the
//! highest rate in south east London" or be "the only borough" to rise: the missing one may
//! outdo it. Likewise a universe with areas left out of the national figures (a blank day, no
//! population) cannot be ranked whole: "the highest rate in England", "the ten areas with the
//! largest falls", "taking the top spot", "has climbed to second place" are each about every
//! area of it. Such a claim passes only when its sentence says which members it is of ("with
//! figures", "with full figures"), whichever template printed it.

use crate::lang;

use super::super::Auditor;
use super::super::reading::{NumClass, Sentence, T};

/// Which of the universe's areas a national claim ranks among.
#[derive(Clone, Copy, Debug)]
pub(super) enum Among<'p> {
    /// All of the universe.
    Universe,
    /// The areas of one nation (by its code letter) in a UK story.
    Nation(char),
    /// The areas of a place the geography knows (a region, a county).
    Place(&'p str),
}

/// Whether the sentence says its claim is of the members with figures: "with figures", "with
/// full figures".
pub(super) fn qualified(words: &[&str]) -> bool {
    words.windows(2).any(|w| w == ["with", "figures"])
        || words.windows(3).any(|w| w == ["with", "full", "figures"])
}

/// "Greenwich", "Greenwich and Knowsley", "five areas": up to three named, else counted.
fn members(names: &[&str]) -> String {
    if names.len() <= 3 {
        lang::list_and(names)
    } else {
        format!("{} areas", lang::count_words(names.len() as i64))
    }
}

impl Auditor<'_> {
    /// A claim (`claim`, the word that makes it) about the whole patch: fails when a core area
    /// has no figures and the sentence does not say it is of the areas with figures.
    pub(super) fn patch_claim_incomplete(&mut self, s: &Sentence, words: &[&str], claim: &str) {
        if self.truth.missing_core.is_empty() || qualified(words) {
            return;
        }
        self.report.claims += 1;
        let story = self.input.story;
        let missing: Vec<&str> = self.truth.missing_core.iter().map(String::as_str).collect();
        let message = format!(
            "\"{claim}\" is a claim about all the {} of {}, but {} {} no figures this week: say it of the {} with figures",
            story.area_noun_plural,
            story.region,
            members(&missing),
            if missing.len() == 1 { "has" } else { "have" },
            story.area_noun_plural
        );
        self.fail(s, message);
    }

    /// A claim (`claim`) ranking the areas of the universe, or of a nation or place in it:
    /// fails when an area of that set is left out of the national figures and the sentence
    /// does not say it is of the areas with full figures.
    pub(super) fn national_claim_incomplete(
        &mut self,
        s: &Sentence,
        words: &[&str],
        claim: &str,
        among: Among<'_>,
    ) {
        if self.truth.left_out_areas.is_empty() || qualified(words) {
            return;
        }
        let missing: Vec<&str> = self
            .truth
            .left_out_areas
            .iter()
            .filter(|(code, _)| match among {
                Among::Universe => true,
                Among::Nation(c) => code.starts_with(c),
                Among::Place(place) => crate::story::lies_in(place, code),
            })
            .map(|(_, name)| name.as_str())
            .collect();
        if missing.is_empty() {
            return;
        }
        self.report.claims += 1;
        let set = match among {
            Among::Universe => self.input.story.universe.name.clone(),
            Among::Nation(c) => crate::stats::nation_of(&c.to_string())
                .unwrap_or("its nation")
                .to_string(),
            Among::Place(place) => place.to_string(),
        };
        let message = format!(
            "\"{claim}\" is a claim about all the areas of {set}, but {} {} left out of the national figures: say it of the areas with full figures",
            members(&missing),
            if missing.len() == 1 { "is" } else { "are" }
        );
        self.fail(s, message);
    }

    /// Universal words about the patch ("every borough", "all four boroughs", "both
    /// boroughs", "all but one", "across south east London") and about the universe ("every
    /// local area in England", "the largest falls", "in second place") in a sentence, held to
    /// the set being whole: see [`Auditor::patch_claim_incomplete`] and
    /// [`Auditor::national_claim_incomplete`].
    pub(super) fn check_universals(&mut self, s: &Sentence, words: &[&str]) {
        if !self.truth.missing_core.is_empty() && !qualified(words) {
            let story = self.input.story;
            let (one, many) = (story.area_noun.as_str(), story.area_noun_plural.as_str());
            let mut region_named: Option<bool> = None;
            for (i, w) in words.iter().enumerate() {
                if !matches!(*w, "every" | "all" | "both" | "across") {
                    continue;
                }
                // Of the patch's own areas: the area noun a few words on ("all five
                // boroughs"), or the region named ("every borough of south east London",
                // "across south east London").
                let of_areas = words[i + 1..]
                    .iter()
                    .take(3)
                    .any(|n| *n == one || *n == many);
                let of_region = if *w == "across" {
                    // "across" reaches only the place just after it.
                    let rest = s.src.get(s.toks[i].end..s.end).unwrap_or("");
                    let near = rest
                        .char_indices()
                        .nth(story.region.chars().count() + 8)
                        .map_or(rest, |(at, _)| &rest[..at]);
                    self.region.named_in(&crate::copy::block::one_line(near))
                } else {
                    *region_named.get_or_insert_with(|| self.region.named_in(&s.text))
                };
                if of_areas || of_region {
                    self.patch_claim_incomplete(s, words, w);
                    break;
                }
            }
        }
        if !self.truth.left_out_areas.is_empty() && !qualified(words) {
            let universe = self.universe.named_in(&s.text);
            for (i, w) in words.iter().enumerate() {
                let ranked_place = words.get(i + 1) == Some(&"place")
                    && matches!(
                        s.toks[i].t,
                        T::Num(NumClass::OrdinalWord | NumClass::Ordinal, _)
                    );
                let whole = universe
                    && (matches!(*w, "every" | "largest" | "biggest" | "smallest")
                        || (*w == "all" && words.get(i + 1) != Some(&"but")));
                if ranked_place || whole {
                    let claim = if ranked_place {
                        format!("{w} place")
                    } else {
                        (*w).to_string()
                    };
                    self.national_claim_incomplete(s, words, &claim, Among::Universe);
                    break;
                }
            }
        }
    }
}
