//! Every figure of a sentence traced to a fact: its owner area, its week and its clause's
//! direction narrow the facts it may be.

use crate::facts::FactKind;
use crate::stats::Direction;

use super::in_words::{Kind, in_words};
use super::reading::{
    NumClass, Sentence, T, Tok, clause_word, dir_word, direction_word, foreign_message,
};
use super::{Auditor, describe};

/// The tables a sentence is read into, one per token, kept from sentence to sentence so a
/// story's sentences do not each allocate them.
#[derive(Default)]
pub(super) struct Scratch {
    /// The clause each token is in.
    clause: Vec<usize>,
    /// The areas named: (token, area).
    areas: Vec<(usize, usize)>,
    /// Who each token is about.
    owner: Vec<Option<usize>>,
    /// The direction each token's word says.
    dirs: Vec<Option<Direction>>,
    /// Whether each figure is last week's.
    prev_role: Vec<bool>,
}

/// Who each of `toks` is about: the table row's area, else the area named last before it in
/// its clause (`clause` numbers each token's), else the first one named later in its clause,
/// else the sentence's first area if named before it, else the area a pronoun carries over.
/// The last and the next area in a clause are found in one pass each way.
pub(super) fn owners(
    toks: &[Tok<'_>],
    clause: &[usize],
    row_area: Option<usize>,
    carried: Option<usize>,
    owner: &mut Vec<Option<usize>>,
) {
    owner.clear();
    let mut first: Option<(usize, usize)> = None;
    let mut last: Option<(usize, usize)> = None;
    for (i, t) in toks.iter().enumerate() {
        if let T::Area(k) = t.t {
            last = Some((clause[i], k));
            first = first.or(Some((i, k)));
        }
        owner.push(last.filter(|&(c, _)| c == clause[i]).map(|(_, k)| k));
    }
    let mut next: Option<(usize, usize)> = None;
    for i in (0..toks.len()).rev() {
        let later = next.filter(|&(c, _)| c == clause[i]).map(|(_, k)| k);
        owner[i] = row_area
            .or(owner[i])
            .or(later)
            .or_else(|| first.filter(|&(j, _)| j < i).map(|(_, k)| k))
            .or(carried);
        if let T::Area(k) = toks[i].t {
            next = Some((clause[i], k));
        }
    }
}

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
            // "two thirds", "nine hundred": the number is read whole at its last word.
            T::Num(NumClass::Word, _) if in_words(s, i + 1).is_some_and(|n| n.lead.is_some()) => {
                false
            }
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
        // The sentence's tables are the story's buffers, taken while it is read.
        let mut scratch = std::mem::take(&mut self.scratch);
        self.scopes.clear();
        self.read_sentence(s, printed_broken, &mut scratch);
        self.scratch = scratch;
    }

    fn read_sentence(
        &mut self,
        s: &Sentence,
        printed_broken: &mut Vec<usize>,
        scratch: &mut Scratch,
    ) {
        let Scratch {
            clause,
            areas,
            owner,
            dirs,
            prev_role,
        } = scratch;
        // Clauses: split at commas, semicolons and joining words.
        clause.clear();
        let mut c = 0;
        for t in &s.toks {
            match &t.t {
                T::Comma | T::Semi => c += 1,
                T::Word(w) if clause_word(w) => c += 1,
                _ => {}
            }
            clause.push(c);
        }
        // Who each token is about: the area named last before it in its clause, else the first
        // one named later in its clause, else the sentence's first area if named before it,
        // else the area a pronoun carries over ("It is ..."). A table row is about its area.
        areas.clear();
        areas.extend(s.toks.iter().enumerate().filter_map(|(i, t)| match t.t {
            T::Area(k) => Some((i, k)),
            _ => None,
        }));
        let row_area = s.row.as_ref().and(areas.first().map(|&(_, k)| k));
        owners(&s.toks, clause, row_area, s.carried, owner);
        dirs.clear();
        dirs.extend(s.toks.iter().map(|t| match &t.t {
            T::Word(w) => direction_word(w),
            _ => None,
        }));
        let (clause, owner, dirs) = (&*clause, &*owner, &*dirs);
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
        prev_role.clear();
        prev_role.resize(s.toks.len(), false);
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

        // Each numeral other than ASCII 0–9 is told once a sentence ("９９９.９" is one slip).
        let mut foreign: Vec<&str> = Vec::new();
        for (i, t) in s.toks.iter().enumerate() {
            let words = in_words(s, i);
            let (class, text) = match (&t.t, words) {
                (_, Some(n)) if n.kind == Kind::Fraction => {
                    self.fail(s, n.message());
                    continue;
                }
                (_, Some(n)) => (NumClass::Word, n.word),
                (T::Num(NumClass::Foreign, text), None) => {
                    if !foreign.contains(&text.as_str()) {
                        foreign.push(text);
                        let c = text.chars().next().expect("a numeral");
                        self.fail(s, foreign_message(c));
                    }
                    continue;
                }
                (T::Num(class, text), None) => (*class, text.as_str()),
                _ => continue,
            };
            if words.is_none() && !self.is_figure(s, i) {
                continue;
            }
            let area = if class == NumClass::ListPos {
                first_area
            } else {
                owner[i]
            };
            if self.ranked_within_place(s, i, owner) {
                continue;
            }
            if self.patch_total(s, i, area.is_some()) {
                self.patch_total_fact(s, printed_broken);
                continue;
            }
            // In a sentence about an area, a count just before "cases" or "new cases" is a
            // number of that area's cases ("cases per 100,000" is not a count).
            let next_word = |j: usize| match s.toks.get(i + 1 + j).map(|t| &t.t) {
                Some(T::Word(w)) => Some(w.as_str()),
                Some(_) => Some(""),
                None => None,
            };
            let of_cases = area.is_some()
                && class == NumClass::Int
                && match (next_word(0), next_word(1)) {
                    (Some("case" | "cases"), Some(next)) => next != "per",
                    (Some("case" | "cases"), None) => true,
                    (Some("new"), Some("case" | "cases")) => true,
                    _ => false,
                };
            let dir = clause_direction(i);
            // Each fact printed so is refused at the first test it fails: its time, its
            // place, its direction. The first refused at the earliest test says why, when no
            // fact passes all three; the message is made only then.
            let mut refused: [Option<usize>; 3] = [None; 3];
            let mut first_matched: Option<usize> = None;
            let mut all_broken = true;
            for f in self.printed_as(text) {
                let fact = self.fact(f);
                let timed = match (fact.kind, class) {
                    (FactKind::ListPosition, NumClass::ListPos) => true,
                    (FactKind::ListPosition, _) | (_, NumClass::ListPos) => false,
                    (FactKind::Rate | FactKind::Cases, _) => !prev_role[i],
                    (FactKind::PrevRate | FactKind::PrevCases, _) => prev_role[i],
                    _ => true,
                };
                // In a sentence about an area, a figure is that area's, or one of no area
                // that is not a count or share of areas that moved (a date, "seven days",
                // "of the 315 areas"); a percentage is the area's own.
                let placed = || {
                    (match (fact.area_code.as_deref(), area) {
                        (_, None) => true,
                        (None, Some(_)) => {
                            fact.direction.is_none() && class != NumClass::Percent && !of_cases
                        }
                        (Some(code), Some(k)) => code == self.code(k),
                    }) && (!of_cases || matches!(fact.kind, FactKind::Cases | FactKind::PrevCases))
                };
                let directed = || match (fact.direction, dir) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                };
                let stage = if !timed {
                    0
                } else if !placed() {
                    1
                } else if !directed() {
                    2
                } else {
                    first_matched.get_or_insert(f);
                    all_broken &= self.broken.contains_key(&f);
                    continue;
                };
                refused[stage].get_or_insert(f);
            }
            let Some(first) = first_matched else {
                let why = match refused {
                    [Some(f), _, _] => format!(
                        "it is {}, printed where {} figure belongs",
                        describe(self.fact(f)),
                        if prev_role[i] {
                            "last week's"
                        } else {
                            "this week's"
                        }
                    ),
                    [None, Some(f), _] => format!(
                        "it is {}, in a sentence about {}",
                        describe(self.fact(f)),
                        area.map_or("", |k| self.name(k))
                    ),
                    [None, None, Some(f)] => format!(
                        "it is {}, but its clause says the areas {}",
                        describe(self.fact(f)),
                        dir_word(dir.expect("compared"))
                    ),
                    [None, None, None] if words.is_some() => String::new(),
                    [None, None, None] => "no figure of the story is printed so".to_string(),
                };
                let message = match words {
                    Some(n) if why.is_empty() => n.message(),
                    _ => format!("\"{text}\" traces to no fact: {why}"),
                };
                self.fail(s, message);
                continue;
            };
            self.report.figures += 1;
            // A figure is good if any fact it can be is good; when all are broken, say why.
            if all_broken {
                let f = first;
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

        self.check_claims(s, owner, dirs);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::reading::W;

    /// Who each token is about, as the audit first found it: each token's clause searched.
    fn owners_plainly(
        toks: &[Tok<'_>],
        clause: &[usize],
        row_area: Option<usize>,
        carried: Option<usize>,
    ) -> Vec<Option<usize>> {
        let areas: Vec<(usize, usize)> = toks
            .iter()
            .enumerate()
            .filter_map(|(i, t)| match t.t {
                T::Area(k) => Some((i, k)),
                _ => None,
            })
            .collect();
        (0..toks.len())
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
                    .or(carried)
            })
            .collect()
    }

    #[test]
    fn owners_in_one_pass_each_way_are_the_owners_searched_for() {
        // Every sentence of up to seven tokens of words, areas and commas, made in turn.
        let mut state = 12_345u64;
        for _ in 0..20_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let len = (state >> 60) as usize % 8;
            let mut toks: Vec<Tok<'_>> = Vec::new();
            let mut clause: Vec<usize> = Vec::new();
            let mut c = 0;
            for n in 0..len {
                let t = match (state >> (4 + 4 * n)) % 4 {
                    0 => T::Area((state >> (40 + n)) as usize % 3),
                    1 => T::Comma,
                    _ => T::Word(W::owned("rose".to_string())),
                };
                if t == T::Comma {
                    c += 1;
                }
                clause.push(c);
                toks.push(Tok {
                    t,
                    start: n,
                    end: n + 1,
                });
            }
            for (row_area, carried) in [(None, None), (None, Some(7)), (Some(5), Some(7))] {
                let mut got = Vec::new();
                owners(&toks, &clause, row_area, carried, &mut got);
                assert_eq!(
                    got,
                    owners_plainly(&toks, &clause, row_area, carried),
                    "{toks:?} {clause:?}"
                );
            }
        }
    }
}
