//! Every figure of a sentence traced to a fact: its owner area, its week and its clause's
//! direction narrow the facts it may be.

use crate::facts::FactKind;
use crate::stats::Direction;

use super::reading::{CLAUSE_WORDS, NumClass, Sentence, T, dir_word, direction_word};
use super::{Auditor, describe};

impl Auditor<'_> {
    /// Whether a number word is used as a figure. "one" in "no one" and "one another" is not;
    /// an ordinal word is a rank only before a superlative ("second highest"), "place" or
    /// "position", or at the end of a clause ("Slough is second.").
    fn is_figure(&self, s: &Sentence, i: usize) -> bool {
        let word = |j: Option<usize>| match j.and_then(|j| s.toks.get(j)).map(|t| &t.t) {
            Some(T::Word(w)) => Some(w.as_str()),
            _ => None,
        };
        let next = s.toks.get(i + 1).map(|t| &t.t);
        match &s.toks[i].t {
            T::Num(NumClass::Word, w) if w == "one" => {
                word(i.checked_sub(1)) != Some("no") && word(Some(i + 1)) != Some("another")
            }
            T::Num(NumClass::OrdinalWord, _) => match next {
                None | Some(T::Stop | T::Comma | T::Semi) => true,
                Some(T::Word(w)) => w.ends_with("est") || w == "place" || w == "position",
                _ => false,
            },
            _ => true,
        }
    }

    pub(super) fn check_sentence(&mut self, s: &Sentence, printed_broken: &mut Vec<usize>) {
        // Clauses: split at commas, semicolons and joining words.
        let mut clause = Vec::with_capacity(s.toks.len());
        let mut c = 0;
        for t in &s.toks {
            match &t.t {
                T::Comma | T::Semi => c += 1,
                T::Word(w) if CLAUSE_WORDS.contains(&w.as_str()) => c += 1,
                _ => {}
            }
            clause.push(c);
        }
        // Who each token is about: the area named last before it in its clause, else the first
        // one named later in its clause, else the sentence's first area if named before it,
        // else the area a pronoun carries over ("It is ..."). A table row is about its area.
        let areas: Vec<(usize, usize)> = s
            .toks
            .iter()
            .enumerate()
            .filter_map(|(i, t)| match t.t {
                T::Area(k) => Some((i, k)),
                _ => None,
            })
            .collect();
        let row_area = s.row.as_ref().and(areas.first().map(|&(_, k)| k));
        let owner: Vec<Option<usize>> = (0..s.toks.len())
            .map(|i| {
                row_area
                    .or_else(|| {
                        areas
                            .iter()
                            .rev()
                            .find(|&&(j, _)| j <= i && clause[j] == clause[i])
                            .map(|&(_, k)| k)
                    })
                    .or_else(|| {
                        areas
                            .iter()
                            .find(|&&(j, _)| j > i && clause[j] == clause[i])
                            .map(|&(_, k)| k)
                    })
                    .or_else(|| areas.first().filter(|&&(j, _)| j < i).map(|&(_, k)| k))
                    .or(s.carried)
            })
            .collect();
        let dirs: Vec<Option<Direction>> = s
            .toks
            .iter()
            .map(|t| match &t.t {
                T::Word(w) => direction_word(w),
                _ => None,
            })
            .collect();
        let clause_direction = |i: usize| -> Option<Direction> {
            let after = (i + 1..s.toks.len())
                .take_while(|&j| clause[j] == clause[i])
                .find_map(|j| dirs[j]);
            after.or_else(|| {
                (0..i)
                    .rev()
                    .take_while(|&j| clause[j] == clause[i])
                    .find_map(|j| dirs[j])
            })
        };
        let first_area = s.toks.iter().find_map(|t| match t.t {
            T::Area(k) => Some(k),
            _ => None,
        });

        // Last week's figures: just after "from", "against", "versus", "compared with", or in
        // brackets after one; in a table, in a column headed as last week's.
        let mut prev_role = vec![false; s.toks.len()];
        for i in 0..s.toks.len() {
            if !matches!(s.toks[i].t, T::Num(NumClass::Rate | NumClass::Int, _)) {
                continue;
            }
            if let Some(row) = &s.row {
                prev_role[i] = row[i];
                continue;
            }
            let before = i.checked_sub(1).map(|j| &s.toks[j].t);
            let before2 = i.checked_sub(2).map(|j| &s.toks[j].t);
            // "from 2,190 new cases" names where a rate comes from, not last week's figure.
            let new_cases =
                matches!(s.toks.get(i + 1).map(|t| &t.t), Some(T::Word(w)) if w == "new");
            prev_role[i] = !new_cases
                && match before {
                    Some(T::Word(w)) if matches!(w.as_str(), "with" | "to") => {
                        matches!(before2, Some(T::Word(c)) if c == "compared")
                    }
                    Some(T::Word(w)) => matches!(w.as_str(), "from" | "against" | "versus" | "vs"),
                    Some(T::Open) => (0..i.saturating_sub(1))
                        .rev()
                        .find(|&j| matches!(s.toks[j].t, T::Num(NumClass::Rate, _)))
                        .is_some_and(|j| j + 2 == i && prev_role[j]),
                    _ => false,
                };
        }

        for (i, t) in s.toks.iter().enumerate() {
            let T::Num(class, text) = &t.t else { continue };
            if !self.is_figure(s, i) {
                continue;
            }
            let area = if *class == NumClass::ListPos {
                first_area
            } else {
                owner[i]
            };
            if self.ranked_within_place(s, i, &owner) {
                continue;
            }
            if self.patch_total(s, i, area.is_some()) {
                self.patch_total_fact(s, printed_broken);
                continue;
            }
            let all: Vec<usize> = self.printed_as(text);
            let mut why: Option<String> = None;
            let timed: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&f| {
                    let k = self.fact(f).kind;
                    let ok = match (k, class) {
                        (FactKind::ListPosition, NumClass::ListPos) => true,
                        (FactKind::ListPosition, _) | (_, NumClass::ListPos) => false,
                        (FactKind::Rate | FactKind::Cases, _) => !prev_role[i],
                        (FactKind::PrevRate | FactKind::PrevCases, _) => prev_role[i],
                        _ => true,
                    };
                    if !ok && why.is_none() {
                        why = Some(format!(
                            "it is {}, printed where {} figure belongs",
                            describe(self.fact(f)),
                            if prev_role[i] {
                                "last week's"
                            } else {
                                "this week's"
                            }
                        ));
                    }
                    ok
                })
                .collect();
            // In a sentence about an area, a count just before "cases" or "new cases" is a
            // number of that area's cases ("cases per 100,000" is not a count).
            let next_words: Vec<&str> = s.toks[i + 1..]
                .iter()
                .take(3)
                .map(|t| match &t.t {
                    T::Word(w) => w.as_str(),
                    _ => "",
                })
                .collect();
            let of_cases = area.is_some()
                && *class == NumClass::Int
                && match next_words.as_slice() {
                    ["case" | "cases", next, ..] => *next != "per",
                    ["case" | "cases"] => true,
                    ["new", "case" | "cases", ..] => true,
                    _ => false,
                };
            let placed: Vec<usize> = timed
                .iter()
                .copied()
                .filter(|&f| {
                    let fact = self.fact(f);
                    let fc = fact.area_code.as_deref();
                    // In a sentence about an area, a figure is that area's, or one of no area
                    // that is not a count or share of areas that moved (a date, "seven days",
                    // "of the 315 areas"); a percentage is the area's own.
                    let ok = match (fc, area) {
                        (_, None) => true,
                        (None, Some(_)) => {
                            fact.direction.is_none() && *class != NumClass::Percent && !of_cases
                        }
                        (Some(code), Some(k)) => code == self.code(k),
                    } && (!of_cases
                        || matches!(fact.kind, FactKind::Cases | FactKind::PrevCases));
                    if !ok && why.is_none() {
                        why = Some(format!(
                            "it is {}, in a sentence about {}",
                            describe(self.fact(f)),
                            area.map_or("", |k| self.name(k))
                        ));
                    }
                    ok
                })
                .collect();
            let dir = clause_direction(i);
            let matched: Vec<usize> = placed
                .iter()
                .copied()
                .filter(|&f| {
                    let fd = self.fact(f).direction;
                    let ok = match (fd, dir) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    };
                    if !ok && why.is_none() {
                        why = Some(format!(
                            "it is {}, but its clause says the areas {}",
                            describe(self.fact(f)),
                            dir_word(dir.expect("compared"))
                        ));
                    }
                    ok
                })
                .collect();
            if matched.is_empty() {
                let why = why.unwrap_or_else(|| "no figure of the story is printed so".to_string());
                self.fail(s, format!("\"{text}\" traces to no fact: {why}"));
                continue;
            }
            self.report.figures += 1;
            // A figure is good if any fact it can be is good; when all are broken, say why.
            if matched.iter().all(|f| self.broken.contains_key(f)) {
                let f = matched[0];
                printed_broken.push(f);
                let why = self.broken[&f].clone();
                self.fail(
                    s,
                    format!(
                        "\"{text}\" ({}) does not recompute from the data: {why}",
                        describe(self.fact(f))
                    ),
                );
            }
        }

        self.check_claims(s, &owner, &dirs);
    }

    /// The patch's total, once its printed words are checked, is also the sidecar's
    /// `patch_total` fact: a fact that does not recompute is refused at the sentence that
    /// prints it, as any other printed figure is.
    fn patch_total_fact(&mut self, s: &Sentence, printed_broken: &mut Vec<usize>) {
        let facts = self.input.facts;
        let Some(f) = (0..facts.len()).find(|&f| facts[f].kind == FactKind::PatchTotal) else {
            return;
        };
        if let Some(why) = self.broken.get(&f).cloned() {
            printed_broken.push(f);
            self.fail(
                s,
                format!(
                    "the patch's total ({}) does not recompute from the data: {why}",
                    facts[f].id
                ),
            );
        }
    }
}
