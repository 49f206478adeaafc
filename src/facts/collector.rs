//! Collecting a story's facts: the collector that records each figure once, and the
//! entry points that run it over the parts of a story.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;

use crate::lang;
use crate::model::{Dataset, Population};
use crate::stats::{Direction, Week};
use crate::story::{AreaView, Story};

use super::emit;
use super::sections::{national_head, national_lists, own_head, own_unavailable};
use super::*;

/// Builds the sidecar for a story.
pub fn sidecar(story: &Story, dataset: &Dataset, population: &Population) -> FactsSidecar {
    sidecar_of(story, dataset, population, Part::All)
}

/// Builds a sidecar holding one part of a story's facts (see [`Part`]); `shared` is left
/// empty for the caller to fill in.
pub fn sidecar_of(
    story: &Story,
    dataset: &Dataset,
    population: &Population,
    part: Part,
) -> FactsSidecar {
    FactsSidecar {
        release: story.release,
        universe: story.universe.name.clone(),
        week: story.week,
        prev_week: story.prev_week,
        sources: dataset.sources.clone(),
        population_source: population.source.clone(),
        shared: None,
        facts: collect_part(story, dataset, part),
    }
}

/// The forms a whole number takes in copy: `4,705`; under ten also `five`.
pub fn count_forms(n: i64) -> Vec<String> {
    let mut v = Vec::with_capacity(2);
    v.push(lang::thousands(n));
    if (0..10).contains(&n) {
        v.push(lang::count_words(n));
    }
    v
}

/// The forms a rank takes in copy: `12th`; under ten also `second`.
pub fn rank_forms(n: i64) -> Vec<String> {
    let mut v = Vec::with_capacity(2);
    v.push(lang::ordinal(n));
    // Under ten the words differ from the figure; from ten they are the figure.
    if let Some(words) = usize::try_from(n)
        .ok()
        .and_then(|i| lang::ORDINAL_WORDS.get(i.wrapping_sub(1)))
    {
        v.push((*words).to_string());
    }
    v
}

/// [`lang::percent`] without its `format!`.
fn percent(n: i64) -> String {
    let mut s = String::with_capacity(8);
    emit::int(&mut s, n);
    s.push('%');
    s
}

/// The forms a date takes in copy: `January 14`, `Thursday, January 14`.
pub fn date_forms(d: NaiveDate, story_year: i32) -> Vec<String> {
    vec![
        lang::date(d, Some(story_year)),
        lang::weekday_date(d, Some(story_year)),
    ]
}

/// `a.b`, `a.b.c`: ids and view-model paths.
fn dotted(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            s.push('.');
        }
        s.push_str(p);
    }
    s
}

/// An area's code and name, which each of its facts holds.
type AreaNames = (Arc<str>, Arc<str>);

/// From this many facts on, [`Collector::push`] finds an id through an index rather than by
/// reading the facts: a story's own part has a score of facts, a patch's can have thousands.
const SCAN_UP_TO: usize = 48;

pub(super) struct Collector<'a> {
    pub(super) story: &'a Story,
    pub(super) dataset: &'a Dataset,
    facts: Vec<Fact>,
    /// Each fact's place in `facts` by id, once there are more than [`SCAN_UP_TO`].
    by_id: Option<HashMap<String, usize>>,
    /// The labels of the story's files, which each tally draws on.
    sources: Arc<[String]>,
    /// The universe's name, which each rank's formula names.
    universe: Arc<str>,
    /// The inputs of a fact that has none yet, which every fact starts from: one empty
    /// series and list of files, shared rather than allocated for each.
    no_inputs: FactInputs,
}

impl<'a> Collector<'a> {
    fn new(story: &'a Story, dataset: &'a Dataset) -> Collector<'a> {
        Collector {
            story,
            dataset,
            facts: Vec::with_capacity(32),
            by_id: None,
            sources: dataset.sources.iter().map(|s| s.label.clone()).collect(),
            universe: Arc::from(story.universe.name.as_str()),
            no_inputs: FactInputs {
                release: story.release,
                ..FactInputs::default()
            },
        }
    }

    fn find(&self, id: &str) -> Option<usize> {
        match &self.by_id {
            Some(index) => index.get(id).copied(),
            None => self.facts.iter().position(|f| f.id == id),
        }
    }

    /// Adds a fact, or merges it into the fact of the same id. Two views that disagree about
    /// the same figure keep both facts (the second under `id#2`), so the audit sees both.
    pub(super) fn push(&mut self, mut fact: Fact) {
        let found = match self.find(&fact.id) {
            Some(i)
                if self.facts[i].value != fact.value || self.facts[i].printed != fact.printed =>
            {
                let mut n = 2;
                while self.find(&format!("{}#{n}", fact.id)).is_some() {
                    n += 1;
                }
                fact.id = format!("{}#{n}", fact.id);
                None
            }
            found => found,
        };
        match found {
            Some(i) => {
                for u in fact.used_by {
                    if !self.facts[i].used_by.contains(&u) {
                        self.facts[i].used_by.push(u);
                    }
                }
            }
            None => {
                if let Some(index) = &mut self.by_id {
                    index.insert(fact.id.clone(), self.facts.len());
                }
                self.facts.push(fact);
                if self.by_id.is_none() && self.facts.len() > SCAN_UP_TO {
                    let index = self
                        .facts
                        .iter()
                        .enumerate()
                        .map(|(i, f)| (f.id.clone(), i))
                        .collect();
                    self.by_id = Some(index);
                }
            }
        }
    }

    pub(super) fn plain(
        &self,
        id: String,
        kind: FactKind,
        value: FactValue,
        printed: Vec<String>,
    ) -> Fact {
        Fact {
            id,
            kind,
            value,
            printed,
            area_code: None,
            area_name: None,
            direction: None,
            window: None,
            formula: Formula::Fixed(""),
            inputs: self.no_inputs.clone(),
            used_by: Vec::new(),
            recipe: Recipe::Constant { value: 0 },
        }
    }

    pub(super) fn area_sources(&self, code: &str) -> Arc<[String]> {
        self.sources_of(self.dataset.index_of(&self.story.universe.area_type, code))
    }

    /// The labels of the files the area at `index` of the dataset was read from.
    fn sources_of(&self, index: Option<usize>) -> Arc<[String]> {
        index
            .map(|i| {
                self.dataset.areas[i]
                    .sources
                    .iter()
                    .filter_map(|&s| self.dataset.sources.get(s))
                    .map(|s| s.label.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The daily counts of the area at `index` of the dataset over `week`.
    fn daily_of(&self, index: Option<usize>, week: Week) -> BTreeMap<NaiveDate, i64> {
        let Some(i) = index else {
            return BTreeMap::new();
        };
        let area = &self.dataset.areas[i];
        week.days()
            .filter_map(|d| area.cases_on(d).map(|c| (d, i64::from(c))))
            .collect()
    }

    /// A fact of the area `a` (whose code and name are `names`), held at `at.suffix` of the
    /// view model.
    #[allow(clippy::too_many_arguments)]
    fn area_fact(
        &self,
        (a, names): (&AreaView, &AreaNames),
        at: &str,
        suffix: &str,
        kind: FactKind,
        value: FactValue,
        printed: Vec<String>,
        recipe: Recipe,
    ) -> Fact {
        let mut f = self.plain(dotted(&[&a.code, suffix]), kind, value, printed);
        f.area_code = Some(Arc::clone(&names.0));
        f.area_name = Some(Arc::clone(&names.1));
        f.used_by = vec![dotted(&[at, suffix])];
        f.recipe = recipe;
        f
    }

    /// The figures of one area view; `at` is where the view model holds it.
    pub(super) fn area(&mut self, a: &AreaView, at: &str, position: Option<(List, RankBy, usize)>) {
        let code = a.code.as_str();
        let index = self.dataset.index_of(&self.story.universe.area_type, code);
        let sources = self.sources_of(index);
        let names: AreaNames = (Arc::from(code), Arc::from(a.name.as_str()));
        let me = (a, &names);
        let week = self.story.week;
        let prev = self.story.prev_week;

        let daily = [
            Arc::new(self.daily_of(index, week)),
            Arc::new(self.daily_of(index, prev)),
        ];
        for (suffix, kind, k, cases, rate) in [
            ("cases", FactKind::Cases, 0, a.cases, None),
            ("prev_cases", FactKind::PrevCases, 1, a.prev_cases, None),
            ("rate", FactKind::Rate, 0, a.cases, Some(a.rate)),
            (
                "prev_rate",
                FactKind::PrevRate,
                1,
                a.prev_cases,
                Some(a.prev_rate),
            ),
        ] {
            let w = [week, prev][k];
            let mut f = match rate {
                None => {
                    let mut f = self.area_fact(
                        me,
                        at,
                        suffix,
                        kind,
                        FactValue::Int(cases),
                        count_forms(cases),
                        Recipe::WeekSum {
                            code: code.to_string(),
                            week: w,
                        },
                    );
                    f.formula = Formula::WeekSum(w);
                    f
                }
                Some(r) => {
                    let mut f = self.area_fact(
                        me,
                        at,
                        suffix,
                        kind,
                        FactValue::Tenths(r.0),
                        vec![lang::rate_tenths(r.0)],
                        Recipe::WeekRate {
                            code: code.to_string(),
                            week: w,
                        },
                    );
                    f.formula = Formula::WeekRate {
                        week: w,
                        cases,
                        population: a.population,
                    };
                    f.inputs.population = Some(a.population);
                    f
                }
            };
            f.window = Some(w);
            f.inputs.daily = Arc::clone(&daily[k]);
            f.inputs.sources = Arc::clone(&sources);
            self.push(f);
        }

        let rates = || vec![dotted(&[code, "rate"]), dotted(&[code, "prev_rate"])];

        let mut f = self.area_fact(
            me,
            at,
            "change",
            FactKind::Change,
            FactValue::Tenths(a.change_size.0),
            vec![lang::rate_tenths(a.change_size.0)],
            Recipe::ChangeSize {
                code: code.to_string(),
            },
        );
        f.formula = Formula::Change {
            rate: a.rate,
            prev: a.prev_rate,
        };
        f.inputs.facts = rates();
        self.push(f);

        if let Some(p) = a.percent_change_size {
            let mut f = self.area_fact(
                me,
                at,
                "percent_change",
                FactKind::PercentChange,
                FactValue::Int(p),
                vec![percent(p)],
                Recipe::PercentChangeSize {
                    code: code.to_string(),
                },
            );
            f.formula = Formula::PercentChange {
                rate: a.rate,
                prev: a.prev_rate,
            };
            f.inputs.facts = rates();
            self.push(f);
        }

        let mut f = self.area_fact(
            me,
            at,
            "population",
            FactKind::Population,
            FactValue::Int(a.population as i64),
            count_forms(a.population as i64),
            Recipe::Population {
                code: code.to_string(),
            },
        );
        f.formula = "the population table's figure for the area code".into();
        f.inputs.population = Some(a.population);
        self.push(f);

        for (suffix, by, rank, what) in [
            ("rank_rate", RankBy::Rate, a.ranks.rate, "rate this week"),
            (
                "rank_rate_low",
                RankBy::RateLow,
                a.ranks.rate_low,
                "rate this week, counted from the lowest",
            ),
            (
                "rank_prev_rate",
                RankBy::PrevRate,
                a.ranks.prev_rate,
                "rate last week",
            ),
            ("rank_rise", RankBy::Rise, a.ranks.rise, "size of rise"),
            ("rank_fall", RankBy::Fall, a.ranks.fall, "size of fall"),
        ] {
            let Some(r) = rank else { continue };
            let mut f = self.area_fact(
                me,
                at,
                suffix,
                FactKind::Rank,
                FactValue::Int(r as i64),
                rank_forms(r as i64),
                Recipe::Rank {
                    code: code.to_string(),
                    by,
                },
            );
            f.formula = Formula::Rank {
                universe: Arc::clone(&self.universe),
                what,
            };
            self.push(f);
        }

        if let Some(r) = a.patch_rank {
            let mut f = self.area_fact(
                me,
                at,
                "patch_rank",
                FactKind::Rank,
                FactValue::Int(r as i64),
                rank_forms(r as i64),
                Recipe::PatchRank {
                    code: code.to_string(),
                },
            );
            f.formula = [
                "1 + the number of ",
                self.story.area_noun_plural.as_str(),
                " in ",
                &self.story.region,
                " with a higher rate",
            ]
            .concat()
            .into();
            self.push(f);
        }

        if let Some((list, by, position)) = position {
            let mut f = self.area_fact(
                me,
                at,
                &dotted(&["position", list.name()]),
                FactKind::ListPosition,
                FactValue::Int(position as i64),
                vec![position.to_string()],
                Recipe::ListPosition {
                    code: code.to_string(),
                    list,
                    by,
                    position,
                },
            );
            f.formula = Formula::Position {
                position,
                list,
                order: match (list, by) {
                    (List::Core, _) => "rate within the patch",
                    (_, RankBy::Fall) => "size of fall",
                    (_, RankBy::Rise) => "size of rise",
                    (_, RankBy::Rate) => "rate",
                    (_, RankBy::RateLow) => "rate, lowest first",
                    (_, RankBy::PrevRate) => "last week's rate",
                },
            };
            // The place is the view's index in its list, not a field of it.
            f.used_by = vec![at.to_string()];
            self.push(f);
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn tally(
        &mut self,
        scope: Scope,
        tally: Tally,
        value: i64,
        at: &str,
        formula: impl Into<Formula>,
        direction: Option<Direction>,
    ) {
        let prefix = match scope {
            Scope::Universe => "universe",
            Scope::Patch => "local",
        };
        let (suffix, pct, kind, printed) = match tally {
            Tally::Total => ("total", "", FactKind::Count, count_forms(value)),
            Tally::Moved(d) => (dir_name(d), "", FactKind::Count, count_forms(value)),
            Tally::Share(d) => (dir_name(d), "_pct", FactKind::Share, vec![percent(value)]),
            Tally::LeftOut => ("left_out", "", FactKind::Count, count_forms(value)),
            Tally::Exceptions => ("exceptions", "", FactKind::Count, count_forms(value)),
        };
        let mut id = String::with_capacity(prefix.len() + suffix.len() + pct.len() + 1);
        id.push_str(prefix);
        id.push('.');
        id.push_str(suffix);
        id.push_str(pct);
        let mut f = self.plain(id, kind, FactValue::Int(value), printed);
        f.direction = direction;
        f.window = Some(self.story.week);
        f.formula = formula.into();
        f.used_by = vec![at.to_string()];
        f.inputs.sources = Arc::clone(&self.sources);
        f.recipe = Recipe::Tally { scope, tally };
        self.push(f);
    }

    pub(super) fn story_sources(&self) -> Arc<[String]> {
        Arc::clone(&self.sources)
    }

    pub(super) fn movement(&mut self, scope: Scope, m: &crate::stats::Movement) {
        let (what, at) = match scope {
            Scope::Universe => (
                [
                    self.story.universe.area_type.as_str(),
                    " areas in ",
                    &self.story.universe.name,
                    " with figures for both weeks",
                ]
                .concat::<str>(),
                "universe.movement",
            ),
            Scope::Patch => (
                [
                    "the ",
                    self.story.area_noun_plural.as_str(),
                    " of ",
                    &self.story.region,
                    " with figures",
                ]
                .concat::<str>(),
                "local.movement",
            ),
        };
        let what: Arc<str> = what.into();
        // Where each tally is held, `at.NAME`, written over one buffer.
        let mut path = String::with_capacity(at.len() + 16);
        let place = |path: &mut String, name: &str, pct: &str| {
            path.clear();
            path.push_str(at);
            path.push('.');
            path.push_str(name);
            path.push_str(pct);
        };
        place(&mut path, "total", "");
        self.tally(
            scope,
            Tally::Total,
            m.total as i64,
            &path,
            Formula::Count {
                what: Arc::clone(&what),
                verb: None,
            },
            None,
        );
        for (d, n, pct) in [
            (Direction::Up, m.rising, m.rising_pct),
            (Direction::Down, m.falling, m.falling_pct),
            (Direction::Unchanged, m.unchanged, m.unchanged_pct),
        ] {
            let verb = match d {
                Direction::Up => "rose",
                Direction::Down => "fell",
                Direction::Unchanged => "did not change",
            };
            place(&mut path, dir_name(d), "");
            self.tally(
                scope,
                Tally::Moved(d),
                n as i64,
                &path,
                Formula::Count {
                    what: Arc::clone(&what),
                    verb: Some(verb),
                },
                Some(d),
            );
            place(&mut path, dir_name(d), "_pct");
            self.tally(
                scope,
                Tally::Share(d),
                i64::from(pct),
                &path,
                Formula::Share { n, total: m.total },
                Some(d),
            );
        }
    }

    pub(super) fn date(&mut self, which: StoryDate, d: NaiveDate, at: &str, formula: &'static str) {
        let id = match which {
            StoryDate::Release => "date.release",
            StoryDate::WeekStart => "date.week_start",
            StoryDate::WeekEnd => "date.week_end",
            StoryDate::PrevWeekStart => "date.prev_week_start",
            StoryDate::PrevWeekEnd => "date.prev_week_end",
        };
        let mut f = self.plain(
            id.to_string(),
            FactKind::Date,
            FactValue::Date(d),
            date_forms(d, self.story.story_year),
        );
        f.formula = formula.into();
        f.used_by.push(at.to_string());
        f.recipe = Recipe::Date { which };
        self.push(f);
    }
}

pub(super) fn dir_name(d: Direction) -> &'static str {
    match d {
        Direction::Up => "rising",
        Direction::Down => "falling",
        Direction::Unchanged => "unchanged",
    }
}

/// Every figure the view model holds that a template can print, each once (an area that is
/// both a core area and a national leader has one set of facts, used by both).
pub fn collect(story: &Story, dataset: &Dataset) -> Vec<Fact> {
    collect_part(story, dataset, Part::All)
}

/// The facts of one part of a story, in the order [`collect`] gives them. With
/// [`Part::Own`] and [`Part::National`] an area that is both a core area and a national
/// leader has its facts in both, each used by its own view.
pub fn collect_part(story: &Story, dataset: &Dataset, part: Part) -> Vec<Fact> {
    let mut c = Collector::new(story, dataset);

    if part.national() {
        national_head(&mut c);
    }
    if part.own() {
        own_head(&mut c);
    }
    if part.national() {
        national_lists(&mut c);
    }
    if part.own() {
        own_unavailable(&mut c);
    }
    c.facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_percents_print_as_lang_prints_them() {
        for n in (-1_200..1_200).chain([1_000_001, i64::MAX, i64::MIN]) {
            assert_eq!(percent(n), lang::percent(n));
            let mut forms = vec![lang::ordinal(n)];
            let words = lang::ordinal_words(n);
            if !forms.contains(&words) {
                forms.push(words);
            }
            assert_eq!(rank_forms(n), forms);
        }
    }
}
