//! Claim words checked against the recomputed data: directions, degrees, superlatives,
//! "continues", "only" (and "none of the other boroughs", said of the area told of before it),
//! "taking the top spot", and what is said of the patch or the nation.

use crate::facts::{RankBy, Scope};
use crate::lang::{self, ORDINAL_WORDS};
use crate::stats::{Direction, Universe};
use crate::story::{SHARP_PERCENT, SLIGHT_PERCENT, WHOPPING_PERCENT, lies_in};

use super::Auditor;
use super::reading::{NumClass, Sentence, T, dir_word};
use super::truth::direction_of;
use incomplete::Among;
use others::others_opening;
pub(super) use places::Within;
use places::place_words;
use said::Said;

mod incomplete;
mod others;
mod places;
mod ratio;
mod said;

impl Auditor<'_> {
    pub(super) fn check_claims(
        &mut self,
        s: &Sentence,
        owner: &[Option<usize>],
        dirs: &[Option<Direction>],
    ) {
        let story = self.input.story;
        let words: Vec<&str> = s
            .toks
            .iter()
            .map(|t| match &t.t {
                T::Word(w) | T::Num(NumClass::Word | NumClass::OrdinalWord, w) => w.as_str(),
                _ => "",
            })
            .collect();
        let has = |w: &str| words.contains(&w);
        let said = Said::of(&words);
        self.check_qualifiers(s);
        self.check_universals(s, &words);
        // Whether the sentence names the region or the universe, looked for only when a claim
        // needs it.
        let mut region_named: Option<bool> = None;
        // "Neither of the other boroughs saw its rate go up": an "only" said of the area the
        // copy told of just before, which the sentence does not name.
        let others = others_opening(&words, &story.area_noun);
        let said_of: Vec<Option<usize>>;
        let owner = match others {
            Some(_) if owner.iter().all(Option::is_none) => {
                said_of = vec![self.area_before(s); owner.len()];
                &said_of[..]
            }
            _ => owner,
        };
        if let Some(opening) = others {
            self.check_others(s, opening, owner.first().copied().flatten());
        }
        let only = said.only
            || (said.no && words.windows(2).any(|p| p == ["no", "other"]))
            || others.is_some();
        // "has dropped to third place": a move in the ranking, not the rate's direction.
        let moves = if said.moves {
            rank_moves(s, &words)
        } else {
            Vec::new()
        };
        if said.ratio {
            self.check_ratios(s, &words, owner);
        }

        for &(i, climbed, at) in &moves {
            self.national_claim_incomplete(s, &words, words[i], Among::Universe);
            let Some(k) = owner[i] else { continue };
            self.check_move(s, k, climbed, at);
        }

        // Direction words about one area.
        let mut loose: Vec<Direction> = Vec::new();
        for (i, d) in dirs.iter().enumerate() {
            let Some(d) = *d else { continue };
            if moves.iter().any(|&(m, _, _)| m == i) {
                continue;
            }
            let Some(k) = owner[i] else {
                loose.push(d);
                continue;
            };
            let code = self.code(k);
            let name = self.name(k);
            let Ok(a) = self.area_truth(code) else {
                continue;
            };
            self.report.claims += 1;
            // "almost unchanged": the change is noise by the patch's own measure.
            if d == Direction::Unchanged && i > 0 && words[i - 1] == "almost" {
                let noise = &self.input.patch.noise;
                if a.direction() == Direction::Unchanged
                    || !noise.is_noise(a.cases, a.prev_cases, a.percent_size())
                {
                    self.fail(
                        s,
                        format!(
                            "\"almost unchanged\" is wrong for {name}: its rate went from {} ({} cases) to {} ({} cases), more than the patch's noise (a change of {} cases, or under {}%)",
                            lang::rate_tenths(a.prev_rate),
                            a.prev_cases,
                            lang::rate_tenths(a.rate),
                            a.cases,
                            noise.cases,
                            noise.percent
                        ),
                    );
                }
                continue;
            }
            if a.direction() != d {
                self.fail(
                    s,
                    format!(
                        "\"{}\" is wrong for {name}: its rate went from {} to {}",
                        words[i],
                        lang::rate_tenths(a.prev_rate),
                        lang::rate_tenths(a.rate)
                    ),
                );
                continue;
            }
            // "continues to rise" (not "continues to have the highest rate", checked below).
            if said.continues && !said.highest {
                self.report.claims += 1;
                let before = a.prev2_rate.map(|r| direction_of(r, a.prev_rate));
                if before != Some(d) {
                    self.fail(
                        s,
                        format!(
                            "\"continues\" is wrong for {name}: its rate {} the week before",
                            before.map_or("cannot be traced", dir_word)
                        ),
                    );
                }
            }
            if only && d != Direction::Unchanged {
                self.patch_claim_incomplete(s, &words, "only");
                self.report.claims += 1;
                let (n, total) = self.truth.moved(Scope::Patch, d);
                let in_core = self
                    .truth
                    .core
                    .iter()
                    .any(|&c| self.truth.areas[c].code == code);
                if !in_core || n != 1 || total < 2 {
                    self.fail(
                        s,
                        format!(
                            "\"only\" is wrong for {name}: {n} of the {total} {} {}",
                            story.area_noun_plural,
                            dir_word(d)
                        ),
                    );
                }
            }
        }

        // Degree words.
        for (i, w) in words.iter().enumerate().filter(|_| said.degree) {
            let sharp = matches!(*w, "sharply" | "sharp");
            let slight = matches!(*w, "slightly" | "slight");
            let dramatic = matches!(*w, "dramatically" | "dramatic" | "whopping");
            if !(sharp || slight || dramatic) {
                continue;
            }
            let Some(k) = owner[i] else { continue };
            let Ok(a) = self.area_truth(self.code(k)) else {
                continue;
            };
            self.report.claims += 1;
            let p = a.percent_size();
            let ok = if dramatic {
                p.is_none_or(|p| p >= WHOPPING_PERCENT)
            } else if sharp {
                p.is_none_or(|p| p >= SHARP_PERCENT)
            } else {
                p.is_some_and(|p| p < SLIGHT_PERCENT) && a.change() != 0
            };
            if !ok {
                let size = p.map_or("from zero".to_string(), |p| format!("{p}%"));
                self.fail(
                    s,
                    format!("\"{w}\" is wrong for {}: its rate changed {size}", a.name),
                );
            }
        }

        // Superlatives.
        for (i, w) in words
            .iter()
            .enumerate()
            .filter(|_| said.highest || said.lowest)
        {
            let lowest = *w == "lowest";
            if !(lowest || *w == "highest") {
                continue;
            }
            let k = owner[i].or_else(|| {
                s.toks[i..].iter().find_map(|t| match t.t {
                    T::Area(k) => Some(k),
                    _ => None,
                })
            });
            let Some(k) = k else { continue };
            let code = self.code(k);
            let name = self.name(k);
            let mut n = 1i64;
            let mut joint = false;
            let mut ranked = false;
            for j in (i.saturating_sub(3)..i).rev() {
                match &s.toks[j].t {
                    T::Num(NumClass::OrdinalWord, t) if !ranked => {
                        ranked = true;
                        n = ORDINAL_WORDS
                            .iter()
                            .position(|o| o == t)
                            .map_or(1, |p| p as i64 + 1);
                    }
                    T::Num(NumClass::Ordinal, t) if !ranked => {
                        ranked = true;
                        n = t
                            .trim_end_matches(char::is_alphabetic)
                            .replace(',', "")
                            .parse()
                            .unwrap_or(1);
                    }
                    T::Word(w) if w == "joint" => joint = true,
                    _ => {}
                }
            }
            // A region that is itself a nation ("Wales", "Northern Ireland") reads, to a
            // reader, as that nation: its superlatives rank among the nation's areas, not the
            // patch's, wherever the region is named in the sentence ("Wales' highest rate").
            let region_nation = region_nation(&story.region, story.universe.kind);
            // "among the four council areas" ranks among the patch's own areas; a place the
            // geography knows ("the North West", "Merseyside"), among all of its areas.
            let Within {
                among,
                region_here,
                place,
            } = self.scope(s, i, region_nation.is_some());
            let in_patch = among || (region_here && place.is_none());
            // "the 12th highest fall in the country" ranks by the size of the fall.
            let by = match words.get(i + 1).copied() {
                Some("fall" | "falls") => RankBy::Fall,
                Some("rise" | "rises") => RankBy::Rise,
                _ => RankBy::Rate,
            };
            let what = match by {
                RankBy::Fall => "fall",
                RankBy::Rise => "rise",
                _ => "rate",
            };
            // "the highest rate in Wales": within a nation, when the sentence names one that is
            // narrower than the universe.
            // The region is masked as the patch's own words, so a nation that is the region
            // is known by the region being named, not by its words.
            let nation = NATIONS
                .into_iter()
                .find(|(w, _, _)| has(w))
                .or(region_nation
                    .filter(|_| *region_named.get_or_insert_with(|| self.region.named_in(&s.text))))
                .filter(|_| story.universe.kind == Universe::Uk);
            let got = if let Some(place) = place.filter(|_| by == RankBy::Rate) {
                self.truth.place_rank(code, lowest, place)
            } else if in_patch && by == RankBy::Rate {
                self.truth.patch_rank(code, lowest)
            } else if by == RankBy::Rate {
                self.truth.rate_rank(code, lowest, nation.map(|n| n.1))
            } else if lowest || nation.is_some() || place.is_some() {
                Err(format!(
                    "the audit ranks a {what} only as the highest in {}",
                    story.universe.name
                ))
            } else {
                self.truth.rank(code, by)
            };
            self.report.claims += 1;
            if in_patch {
                self.patch_claim_incomplete(s, &words, w);
            } else {
                let within = match (place, nation) {
                    (Some(place), _) => Among::Place(place),
                    (None, Some((_, c, _))) => Among::Nation(c),
                    (None, None) => Among::Universe,
                };
                self.national_claim_incomplete(s, &words, w, within);
            }
            let where_ = if among {
                "the patch".to_string()
            } else if let Some(place) = place {
                if region_here {
                    story.region.clone()
                } else {
                    place_words(place)
                }
            } else if in_patch {
                story.region.clone()
            } else if let Some((_, _, n)) = nation {
                n.to_string()
            } else {
                story.universe.name.clone()
            };
            match got {
                Err(why) => self.fail(s, format!("\"{w}\" cannot be checked for {name}: {why}")),
                Ok((rank, same)) => {
                    // "highest" alone says no other area has it; "118th highest" is true of a
                    // tied area too (competition ranks), and "joint" must be true when said.
                    let shared = joint
                        || ["share", "shares", "shared", "level"]
                            .iter()
                            .any(|w| has(w));
                    let wrong_tie = if shared { same < 2 } else { n == 1 && same > 1 };
                    if rank != n || wrong_tie {
                        // Say why a patch's superlative was ranked nation-wide.
                        let read_as = match (region_nation, nation) {
                            (Some((_, c, n)), Some((_, d, _))) if c == d => format!(
                                " (the patch's region is {n}, so \"in {n}\" is read as all of {n})"
                            ),
                            _ => String::new(),
                        };
                        self.fail(
                            s,
                            format!(
                                "\"{}{w}\" is wrong for {name}: its {what} ranks {}{} in {where_}{read_as}",
                                if n > 1 {
                                    format!("{} ", lang::ordinal_words(n))
                                } else {
                                    String::new()
                                },
                                lang::ordinal(rank),
                                if same > 1 {
                                    format!(", tied with {}", same - 1)
                                } else {
                                    String::new()
                                }
                            ),
                        );
                    }
                }
            }
            if !lowest && !in_patch && by == RankBy::Rate && said.continues {
                self.report.claims += 1;
                let prev = self.truth.rank(code, RankBy::PrevRate);
                if !matches!(prev, Ok((1, 1))) {
                    self.fail(
                        s,
                        format!("\"continues\" is wrong for {name}: it did not have the highest rate alone the week before"),
                    );
                }
            }
        }

        // "taking the top spot from X": X led the week before, and the new leader did not.
        for i in (0..s.toks.len().saturating_sub(3)).filter(|_| said.top) {
            let T::Area(k) = s.toks[i + 3].t else {
                continue;
            };
            if words[i..i + 3] != ["top", "spot", "from"] {
                continue;
            }
            self.report.claims += 1;
            self.national_claim_incomplete(s, &words, "top spot", Among::Universe);
            let was = self.name(k);
            if !matches!(self.truth.rank(self.code(k), RankBy::PrevRate), Ok((1, _))) {
                self.fail(
                    s,
                    format!("\"top spot from {was}\" is wrong: {was} did not have the highest rate the week before"),
                );
            }
            let subject = s.toks.iter().find_map(|t| match t.t {
                T::Area(a) => Some(a),
                _ => None,
            });
            if let Some(now) = subject.filter(|&a| a != k)
                && matches!(
                    self.truth.rank(self.code(now), RankBy::PrevRate),
                    Ok((1, _))
                )
            {
                let now = self.name(now);
                self.fail(
                    s,
                    format!("\"taking the top spot\" is wrong: {now} had the highest rate the week before too"),
                );
            }
            // A daily reader saw yesterday's window: a leader then has not just taken the top.
            self.report.claims += 1;
            if let Some(now) = subject.filter(|&a| a != k)
                && self.truth.led_the_day_before(self.code(now))
            {
                let now = self.name(now);
                self.fail(
                    s,
                    format!("\"taking the top spot\" is wrong: {now} had the highest rate in the seven days to the day before too"),
                );
            }
        }

        // Directions said of the patch or the nation as a whole.
        loose.sort_by_key(|d| *d as u8);
        loose.dedup();
        if loose.len() != 1 {
            return;
        }
        let d = loose[0];
        let region_named = *region_named.get_or_insert_with(|| self.region.named_in(&s.text));
        if region_named {
            self.report.claims += 1;
            let (n, total) = self.truth.moved(Scope::Patch, d);
            let all_but_one = words.windows(3).any(|w| w == ["all", "but", "one"]);
            let every = has("every") || has("both") || (has("all") && !all_but_one);
            let (ok, claim) = if all_but_one {
                (total >= 3 && n == total - 1, "all but one")
            } else if every {
                (n == total, "every")
            } else {
                (n * 2 > total, "most")
            };
            if !ok {
                self.fail(
                    s,
                    format!(
                        "says rates {} in {claim} of the {} but {n} of {total} did",
                        dir_word(d),
                        story.area_noun_plural
                    ),
                );
            }
            // "every council area in Wales" of a patch that holds only some of Wales: true
            // of the patch, false of the place a reader takes the region to be.
            if every && !all_but_one {
                let in_region = |i: &usize| lies_in(&story.region, &self.truth.areas[*i].code);
                let held = self.truth.core.iter().filter(|i| in_region(i)).count();
                let of_region = (0..self.truth.areas.len()).filter(in_region).count();
                if held < of_region {
                    self.report.claims += 1;
                    self.fail(
                        s,
                        format!(
                            "says rates {} in every one of the {} of {}, but the patch holds {held} of its {of_region}",
                            dir_word(d),
                            story.area_noun_plural,
                            story.region
                        ),
                    );
                }
            }
        } else if !region_named && said.most && self.universe.named_in(&s.text) {
            self.report.claims += 1;
            if self.truth.majority() != Some(d) {
                self.fail(
                    s,
                    format!(
                        "says most areas of {} {}, but the data do not",
                        story.universe.name,
                        dir_word(d)
                    ),
                );
            }
            if said.continues {
                self.report.claims += 1;
                if self.truth.prev_majority() != Some(d) {
                    self.fail(
                        s,
                        format!(
                            "says rates continue to go the same way, but most areas of {} did not {} the week before",
                            story.universe.name,
                            match d {
                                Direction::Up => "rise",
                                Direction::Down => "fall",
                                Direction::Unchanged => "stay the same",
                            }
                        ),
                    );
                }
            }
        }
    }
}

impl Auditor<'_> {
    /// "has dropped to third place", "has climbed to second place": the area at `k` ranks as
    /// the ordinal at `at` says (its figure is traced as any rank is), and ranked lower
    /// (climbed) or higher (dropped) the week before; "joint" only, and always, when shared.
    fn check_move(&mut self, s: &Sentence, k: usize, climbed: bool, at: usize) {
        let code = self.code(k);
        let name = self.name(k);
        self.report.claims += 1;
        let (Ok((now, same)), Ok((before, _))) = (
            self.truth.rank(code, RankBy::Rate),
            self.truth.rank(code, RankBy::PrevRate),
        ) else {
            self.fail(
                s,
                format!(
                    "the move in rank cannot be checked for {name}: it has no rank for both weeks"
                ),
            );
            return;
        };
        let said = ordinal_of(&s.toks[at].t).unwrap_or(0);
        let joint = at > 0 && matches!(&s.toks[at - 1].t, T::Word(w) if w == "joint");
        let verb = if climbed { "climbed" } else { "dropped" };
        if said != now {
            self.fail(
                s,
                format!(
                    "\"{verb} to {} place\" is wrong for {name}: its rate ranks {}",
                    lang::ordinal(said),
                    lang::ordinal(now)
                ),
            );
        } else if (climbed && before <= now) || (!climbed && before >= now) {
            self.fail(
                s,
                format!(
                    "\"{verb} to {} place\" is wrong for {name}: its rate ranked {} the week before",
                    lang::ordinal(now),
                    lang::ordinal(before)
                ),
            );
        } else if joint != (same > 1) {
            self.fail(
                s,
                format!(
                    "\"{}{} place\" is wrong for {name}: {}",
                    if joint { "joint " } else { "" },
                    lang::ordinal(now),
                    if joint {
                        "no other area has its rate".to_string()
                    } else {
                        format!("it shares its rank with {}", same - 1)
                    }
                ),
            );
        }
    }

    /// Whether the count at `i` is the patch's total new cases ("more than 10,000 new cases
    /// were recorded across the five boroughs"): a count of no one area, just before "new
    /// cases" or "new infections", in a sentence that says "across". It is checked here, as
    /// a claim, against the sum of the core areas' cases this week: printed alone it must be
    /// the sum; "nearly" needs the sum under it by at most 2%, "just over" above it by at most
    /// 2%, "more than" above it by less than a tenth (so a hedge cannot hide a far larger
    /// number); any other hedge is refused.
    pub(super) fn patch_total(&mut self, s: &Sentence, i: usize, about_area: bool) -> bool {
        let T::Num(NumClass::Int, text) = &s.toks[i].t else {
            return false;
        };
        let word = |j: Option<usize>| match j.and_then(|j| s.toks.get(j)).map(|t| &t.t) {
            Some(T::Word(w)) => w.as_str(),
            _ => "",
        };
        // The words next to the figure first: few figures are before "new cases".
        let across = || {
            s.toks
                .iter()
                .any(|t| matches!(&t.t, T::Word(w) if w == "across"))
        };
        if about_area
            || word(Some(i + 1)) != "new"
            || !matches!(
                word(Some(i + 2)),
                "case" | "cases" | "infection" | "infections"
            )
            || !across()
        {
            return false;
        }
        let Ok(figure) = text.replace(',', "").parse::<i64>() else {
            return false;
        };
        let (before2, before) = (word(i.checked_sub(2)), word(i.checked_sub(1)));
        let hedge = match (before2, before) {
            ("more", "than") => "more than",
            ("just", "over") => "just over",
            (_, w) if APPROXIMATE.contains(&w) => w,
            _ => "",
        };
        let sum: i64 = self
            .truth
            .core
            .iter()
            .map(|&c| self.truth.areas[c].cases)
            .sum();
        self.report.claims += 1;
        self.report.figures += 1;
        let ok = match hedge {
            "" => figure == sum,
            "nearly" => figure > sum && (figure - sum) * 50 <= figure,
            "just over" => sum > figure && (sum - figure) * 50 <= figure,
            "more than" => sum > figure && (sum - figure) * 10 < figure,
            _ => false,
        };
        let missing: Vec<&str> = self
            .input
            .story
            .unavailable
            .iter()
            .filter(|u| u.core)
            .map(|u| u.name.as_str())
            .collect();
        let said = if hedge.is_empty() {
            text.to_string()
        } else {
            format!("{hedge} {text}")
        };
        if !missing.is_empty() {
            self.fail(
                s,
                format!(
                    "\"{said} new cases\" cannot be checked for the patch: {} {} no figures",
                    lang::list_and(&missing),
                    if missing.len() == 1 { "has" } else { "have" }
                ),
            );
        } else if !ok {
            self.fail(
                s,
                format!(
                    "\"{said} new cases\" is wrong for the patch: its {} {} had {} new cases in the week",
                    lang::count_words(self.truth.core.len() as i64),
                    self.input.story.area_noun_plural,
                    lang::thousands(sum)
                ),
            );
        }
        true
    }
}

/// Hedges a total may carry; only "nearly", "just over" and "more than" are ones the audit
/// can hold to bounds.
const APPROXIMATE: [&str; 9] = [
    "nearly",
    "almost",
    "around",
    "about",
    "roughly",
    "some",
    "over",
    "under",
    "approximately",
];

/// The rank moves a sentence tells: (the move word's index, whether it climbed, the ordinal's
/// index), for "climbed", "moved up", "dropped" or "slipped" followed by "to", an optional
/// "joint" and an ordinal.
fn rank_moves(s: &Sentence, words: &[&str]) -> Vec<(usize, bool, usize)> {
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let climbed = match *w {
            "climbed" | "climbing" => true,
            "up" if i > 0 && words[i - 1] == "moved" => true,
            "dropped" | "dropping" | "slipped" | "slipping" => false,
            _ => continue,
        };
        if words.get(i + 1) != Some(&"to") {
            continue;
        }
        let mut at = i + 2;
        if words.get(at) == Some(&"joint") {
            at += 1;
        }
        if s.toks.get(at).is_some_and(|t| ordinal_of(&t.t).is_some()) {
            out.push((i, climbed, at));
        }
    }
    out
}

/// The rank an ordinal token gives ("third", "12th").
fn ordinal_of(t: &T) -> Option<i64> {
    match t {
        T::Num(NumClass::OrdinalWord, w) => ORDINAL_WORDS
            .iter()
            .position(|o| o == w)
            .map(|p| p as i64 + 1),
        T::Num(NumClass::Ordinal, w) => w
            .trim_end_matches(char::is_alphabetic)
            .replace(',', "")
            .parse()
            .ok(),
        _ => None,
    }
}

/// The nations a UK story can rank within: the word that names each, its code letter and its
/// name.
const NATIONS: [(&str, char, &str); 4] = [
    ("england", 'E', "England"),
    ("scotland", 'S', "Scotland"),
    ("wales", 'W', "Wales"),
    ("ireland", 'N', "Northern Ireland"),
];

/// The nation a patch's region names, when the region is a nation's name ("Wales", "the
/// United Kingdom" is not one): in a UK story any of the four, in an England story England
/// (the universe itself, so its superlatives rank among all the universe's areas).
fn region_nation(region: &str, universe: Universe) -> Option<(&'static str, char, &'static str)> {
    let region = region.trim();
    NATIONS
        .into_iter()
        .find(|(_, _, name)| region.eq_ignore_ascii_case(name))
        .filter(|(_, c, _)| universe == Universe::Uk || *c == 'E')
}
