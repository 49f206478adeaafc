//! Collecting a story's facts: the collector that records each figure once, and the
//! entry points that run it over the parts of a story.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::lang;
use crate::model::{Dataset, Population};
use crate::stats::{Direction, Week};
use crate::story::{AreaView, Story};

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
    let mut v = vec![lang::thousands(n)];
    if (0..10).contains(&n) {
        v.push(lang::count_words(n));
    }
    v
}

/// The forms a rank takes in copy: `12th`; under ten also `second`.
pub fn rank_forms(n: i64) -> Vec<String> {
    let mut v = vec![lang::ordinal(n)];
    let words = lang::ordinal_words(n);
    if !v.contains(&words) {
        v.push(words);
    }
    v
}

/// The forms a date takes in copy: `January 14`, `Thursday, January 14`.
pub fn date_forms(d: NaiveDate, story_year: i32) -> Vec<String> {
    vec![
        lang::date(d, Some(story_year)),
        lang::weekday_date(d, Some(story_year)),
    ]
}

pub(super) fn rate_words(cases: i64, week: Week, population: u64) -> String {
    format!(
        "sum({}, {}..={}) / population × 100,000 = {cases} / {population} × 100,000, rounded half-up to 1 dp",
        crate::model::CASES_METRIC,
        week.start,
        week.end,
    )
}

pub(super) struct Collector<'a> {
    pub(super) story: &'a Story,
    pub(super) dataset: &'a Dataset,
    facts: Vec<Fact>,
    by_id: BTreeMap<String, usize>,
}

impl Collector<'_> {
    /// Adds a fact, or merges it into the fact of the same id. Two views that disagree about
    /// the same figure keep both facts (the second under `id#2`), so the audit sees both.
    pub(super) fn push(&mut self, mut fact: Fact) {
        if let Some(&i) = self.by_id.get(&fact.id)
            && (self.facts[i].value != fact.value || self.facts[i].printed != fact.printed)
        {
            let mut n = 2;
            while self.by_id.contains_key(&format!("{}#{n}", fact.id)) {
                n += 1;
            }
            fact.id = format!("{}#{n}", fact.id);
        }
        match self.by_id.get(&fact.id) {
            Some(&i) => {
                for u in fact.used_by {
                    if !self.facts[i].used_by.contains(&u) {
                        self.facts[i].used_by.push(u);
                    }
                }
            }
            None => {
                self.by_id.insert(fact.id.clone(), self.facts.len());
                self.facts.push(fact);
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
            formula: String::new(),
            inputs: FactInputs {
                release: self.story.release,
                ..FactInputs::default()
            },
            used_by: Vec::new(),
            recipe: Recipe::Constant { value: 0 },
        }
    }

    pub(super) fn area_sources(&self, code: &str) -> Vec<String> {
        self.dataset
            .index_of(&self.story.universe.area_type, code)
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

    pub(super) fn daily(&self, code: &str, week: Week) -> BTreeMap<NaiveDate, i64> {
        let Some(i) = self.dataset.index_of(&self.story.universe.area_type, code) else {
            return BTreeMap::new();
        };
        let area = &self.dataset.areas[i];
        week.days()
            .filter_map(|d| area.cases_on(d).map(|c| (d, i64::from(c))))
            .collect()
    }

    /// The figures of one area view; `at` is where the view model holds it.
    pub(super) fn area(&mut self, a: &AreaView, at: &str, position: Option<(List, RankBy, usize)>) {
        let code = a.code.clone();
        let sources = self.area_sources(&code);
        let week = self.story.week;
        let prev = self.story.prev_week;
        let base = |this: &Self, suffix: &str, kind: FactKind, value: FactValue, printed| {
            let mut f = this.plain(format!("{code}.{suffix}"), kind, value, printed);
            f.area_code = Some(code.clone());
            f.area_name = Some(a.name.clone());
            f.used_by.push(format!("{at}.{suffix}"));
            f
        };

        for (suffix, kind, w, cases, rate) in [
            ("cases", FactKind::Cases, week, a.cases, None),
            ("prev_cases", FactKind::PrevCases, prev, a.prev_cases, None),
            ("rate", FactKind::Rate, week, a.cases, Some(a.rate)),
            (
                "prev_rate",
                FactKind::PrevRate,
                prev,
                a.prev_cases,
                Some(a.prev_rate),
            ),
        ] {
            let daily = self.daily(&code, w);
            let mut f = match rate {
                None => {
                    let mut f = base(
                        self,
                        suffix,
                        kind,
                        FactValue::Int(cases),
                        count_forms(cases),
                    );
                    f.formula = format!(
                        "sum({}, {}..={})",
                        crate::model::CASES_METRIC,
                        w.start,
                        w.end
                    );
                    f.recipe = Recipe::WeekSum {
                        code: code.clone(),
                        week: w,
                    };
                    f
                }
                Some(r) => {
                    let mut f = base(
                        self,
                        suffix,
                        kind,
                        FactValue::Tenths(r.0),
                        vec![lang::rate_tenths(r.0)],
                    );
                    f.formula = rate_words(cases, w, a.population);
                    f.inputs.population = Some(a.population);
                    f.recipe = Recipe::WeekRate {
                        code: code.clone(),
                        week: w,
                    };
                    f
                }
            };
            f.window = Some(w);
            f.inputs.daily = daily;
            f.inputs.sources = sources.clone();
            self.push(f);
        }

        let mut f = base(
            self,
            "change",
            FactKind::Change,
            FactValue::Tenths(a.change_size.0),
            vec![lang::rate_tenths(a.change_size.0)],
        );
        f.formula = format!(
            "|{} - {}| (rates rounded to 1 dp first)",
            a.rate, a.prev_rate
        );
        f.inputs.facts = vec![format!("{code}.rate"), format!("{code}.prev_rate")];
        f.recipe = Recipe::ChangeSize { code: code.clone() };
        self.push(f);

        if let Some(p) = a.percent_change_size {
            let mut f = base(
                self,
                "percent_change",
                FactKind::PercentChange,
                FactValue::Int(p),
                vec![lang::percent(p)],
            );
            f.formula = format!(
                "|{} - {}| / {} × 100, rounded half-up to a whole percent",
                a.rate, a.prev_rate, a.prev_rate
            );
            f.inputs.facts = vec![format!("{code}.rate"), format!("{code}.prev_rate")];
            f.recipe = Recipe::PercentChangeSize { code: code.clone() };
            self.push(f);
        }

        let mut f = base(
            self,
            "population",
            FactKind::Population,
            FactValue::Int(a.population as i64),
            count_forms(a.population as i64),
        );
        f.formula = "the population table's figure for the area code".to_string();
        f.inputs.population = Some(a.population);
        f.recipe = Recipe::Population { code: code.clone() };
        self.push(f);

        let universe = &self.story.universe.name;
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
            let mut f = base(
                self,
                suffix,
                FactKind::Rank,
                FactValue::Int(r as i64),
                rank_forms(r as i64),
            );
            f.formula = format!(
                "1 + the number of areas in {universe} with a larger {what} (tied areas share a rank)"
            );
            f.recipe = Recipe::Rank {
                code: code.clone(),
                by,
            };
            self.push(f);
        }

        if let Some(r) = a.patch_rank {
            let mut f = base(
                self,
                "patch_rank",
                FactKind::Rank,
                FactValue::Int(r as i64),
                rank_forms(r as i64),
            );
            f.formula = format!(
                "1 + the number of {} in {} with a higher rate",
                self.story.area_noun_plural, self.story.region
            );
            f.recipe = Recipe::PatchRank { code: code.clone() };
            self.push(f);
        }

        if let Some((list, by, position)) = position {
            let mut f = base(
                self,
                &format!("position.{}", list.name()),
                FactKind::ListPosition,
                FactValue::Int(position as i64),
                vec![position.to_string()],
            );
            f.formula = format!(
                "place {position} in the {} list, ordered by {}",
                list.name(),
                match (list, by) {
                    (List::Core, _) => "rate within the patch",
                    (_, RankBy::Fall) => "size of fall",
                    (_, RankBy::Rise) => "size of rise",
                    (_, RankBy::Rate) => "rate",
                    (_, RankBy::RateLow) => "rate, lowest first",
                    (_, RankBy::PrevRate) => "last week's rate",
                }
            );
            // The place is the view's index in its list, not a field of it.
            f.used_by = vec![at.to_string()];
            f.recipe = Recipe::ListPosition {
                code: code.clone(),
                list,
                by,
                position,
            };
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
        formula: String,
        direction: Option<Direction>,
    ) {
        let prefix = match scope {
            Scope::Universe => "universe",
            Scope::Patch => "local",
        };
        let (suffix, kind, printed) = match tally {
            Tally::Total => ("total".to_string(), FactKind::Count, count_forms(value)),
            Tally::Moved(d) => (dir_name(d).to_string(), FactKind::Count, count_forms(value)),
            Tally::Share(d) => (
                format!("{}_pct", dir_name(d)),
                FactKind::Share,
                vec![lang::percent(value)],
            ),
            Tally::LeftOut => ("left_out".to_string(), FactKind::Count, count_forms(value)),
            Tally::Exceptions => (
                "exceptions".to_string(),
                FactKind::Count,
                count_forms(value),
            ),
        };
        let mut f = self.plain(
            format!("{prefix}.{suffix}"),
            kind,
            FactValue::Int(value),
            printed,
        );
        f.direction = direction;
        f.window = Some(self.story.week);
        f.formula = formula;
        f.used_by.push(at.to_string());
        f.inputs.sources = self.story_sources();
        f.recipe = Recipe::Tally { scope, tally };
        self.push(f);
    }

    pub(super) fn story_sources(&self) -> Vec<String> {
        self.dataset
            .sources
            .iter()
            .map(|s| s.label.clone())
            .collect()
    }

    pub(super) fn movement(&mut self, scope: Scope, m: &crate::stats::Movement) {
        let (what, at) = match scope {
            Scope::Universe => (
                format!(
                    "{} areas in {} with figures for both weeks",
                    self.story.universe.area_type, self.story.universe.name
                ),
                "universe.movement",
            ),
            Scope::Patch => (
                format!(
                    "the {} of {} with figures",
                    self.story.area_noun_plural, self.story.region
                ),
                "local.movement",
            ),
        };
        self.tally(
            scope,
            Tally::Total,
            m.total as i64,
            &format!("{at}.total"),
            format!("count of {what}"),
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
            self.tally(
                scope,
                Tally::Moved(d),
                n as i64,
                &format!("{at}.{}", dir_name(d)),
                format!("count of {what} whose rounded rate {verb}"),
                Some(d),
            );
            self.tally(
                scope,
                Tally::Share(d),
                i64::from(pct),
                &format!("{at}.{}_pct", dir_name(d)),
                format!(
                    "{n} / {} × 100, rounded half-up to a whole percent",
                    m.total
                ),
                Some(d),
            );
        }
    }

    pub(super) fn date(&mut self, which: StoryDate, d: NaiveDate, at: &str, formula: &str) {
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
        f.formula = formula.to_string();
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
    let mut c = Collector {
        story,
        dataset,
        facts: Vec::new(),
        by_id: BTreeMap::new(),
    };

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
