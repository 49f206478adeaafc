//! The facts sidecar: every figure a story can print, as printed, with where it comes from.
//!
//! [`collect`] walks the view model ([`Story`]) and records each number a template can print
//! (rates, counts, changes, shares, ranks, list lengths and positions, dates) as a [`Fact`]:
//! the forms it can take in copy (`1,134.8`; `five`; `12th`, `second`; `January 14`), what it
//! is, the area and week it belongs to, the formula in words and its inputs (the daily counts,
//! the population, the files they were read from). A sub-editor can trace any figure in the
//! copy to the data in one step, and [`crate::audit`] uses the same facts to read the copy back.
//!
//! Each fact also carries a [`Recipe`]: how to recompute it from the raw daily counts, which the
//! audit does independently of [`crate::stats`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use crate::lang;
use crate::model::{Dataset, Population};
use crate::stats::{Direction, Week};
use crate::story::{AreaView, Story, Trend};

/// What a figure is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    /// An area's rate per 100,000 in the story's week.
    Rate,
    /// Its rate the week before.
    PrevRate,
    /// Its cases in the week.
    Cases,
    /// Its cases the week before.
    PrevCases,
    /// The size of the change in its rate.
    Change,
    /// The size of the percentage change in its rate.
    PercentChange,
    /// The population a rate is computed on.
    Population,
    /// A share of areas, whole percent.
    Share,
    /// A number of areas (or of list entries).
    Count,
    /// A rank.
    Rank,
    /// A number in a numbered list.
    ListPosition,
    /// A rounded figure ("around 250").
    Around,
    /// A date.
    Date,
    /// A fixed figure of the method (seven days, per 100,000 people).
    Constant,
}

impl FactKind {
    /// The kind's name in the sidecar.
    pub fn name(self) -> &'static str {
        match self {
            FactKind::Rate => "rate",
            FactKind::PrevRate => "prev_rate",
            FactKind::Cases => "cases",
            FactKind::PrevCases => "prev_cases",
            FactKind::Change => "change",
            FactKind::PercentChange => "percent_change",
            FactKind::Population => "population",
            FactKind::Share => "share",
            FactKind::Count => "count",
            FactKind::Rank => "rank",
            FactKind::ListPosition => "list_position",
            FactKind::Around => "around",
            FactKind::Date => "date",
            FactKind::Constant => "constant",
        }
    }
}

/// A fact's value, typed so that it is compared exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactValue {
    /// A rate or a change in rate, in tenths.
    Tenths(i64),
    /// A whole number.
    Int(i64),
    /// A day.
    Date(NaiveDate),
}

impl Serialize for FactValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FactValue::Tenths(t) => s.serialize_f64(*t as f64 / 10.0),
            FactValue::Int(n) => s.serialize_i64(*n),
            FactValue::Date(d) => d.serialize(s),
        }
    }
}

/// Which national table a rank is taken in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RankBy {
    /// This week's rate, highest first.
    Rate,
    /// This week's rate, lowest first.
    RateLow,
    /// Last week's rate, highest first.
    PrevRate,
    /// Size of rise, among the areas that rose.
    Rise,
    /// Size of fall, among the areas that fell.
    Fall,
}

/// Which group of areas a tally counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every area of the type in the universe (England or the UK).
    Universe,
    /// The patch's core areas that have figures.
    Patch,
}

/// A tally over a group of areas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "tally", content = "direction")]
pub enum Tally {
    /// Areas counted.
    Total,
    /// Areas that moved this way.
    Moved(Direction),
    /// Their whole-percent share of the total.
    Share(Direction),
    /// Areas left out for want of figures (universe only).
    LeftOut,
    /// Areas that went against an all-but-one trend (patch only).
    Exceptions,
}

/// Which list a length or position belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum List {
    /// The national leaders, by rate.
    Leaders,
    /// The largest falls or rises, by their size.
    Movers,
    /// The patch's core areas, highest rate first.
    Core,
}

impl List {
    fn name(self) -> &'static str {
        match self {
            List::Leaders => "leaders",
            List::Movers => "movers",
            List::Core => "core",
        }
    }
}

/// Which date of the story.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StoryDate {
    /// The day the data were published.
    Release,
    /// First day of the week.
    WeekStart,
    /// Last day of the week.
    WeekEnd,
    /// First day of the week before.
    PrevWeekStart,
    /// Last day of the week before.
    PrevWeekEnd,
}

/// How a fact is recomputed from the data, independently of the code that produced it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum Recipe {
    /// Sum of the area's daily counts over the week.
    WeekSum {
        /// Area code.
        code: String,
        /// The seven days.
        week: Week,
    },
    /// That sum per 100,000 of the area's population, half-up to one decimal.
    WeekRate {
        /// Area code.
        code: String,
        /// The seven days.
        week: Week,
    },
    /// `|rate - prev_rate|` of the rounded rates.
    ChangeSize {
        /// Area code.
        code: String,
    },
    /// `|rate - prev_rate| / prev_rate`, whole percent half-up.
    PercentChangeSize {
        /// Area code.
        code: String,
    },
    /// The area's population.
    Population {
        /// Area code.
        code: String,
    },
    /// Competition rank in a national table.
    Rank {
        /// Area code.
        code: String,
        /// The table.
        by: RankBy,
    },
    /// Competition rank by rate among the patch's core areas.
    PatchRank {
        /// Area code.
        code: String,
    },
    /// The area's place in a numbered list, which must fit its rank.
    ListPosition {
        /// Area code.
        code: String,
        /// The list.
        list: List,
        /// The national table it follows; for the core areas, rate within the patch.
        by: RankBy,
        /// 1-based place.
        position: usize,
    },
    /// A count or share over a group of areas.
    Tally {
        /// The group.
        scope: Scope,
        /// What is counted.
        #[serde(flatten)]
        tally: Tally,
    },
    /// "similar rates of around X": the core rates' mean, two significant figures.
    SimilarAround,
    /// How many entries a list has.
    ListLength {
        /// The list.
        list: List,
    },
    /// A date of the story, from the release and the patch's incomplete days.
    Date {
        /// Which.
        which: StoryDate,
    },
    /// A day in the fortnight on which the area has no figure.
    MissingDay {
        /// Area code.
        code: String,
        /// The day.
        date: NaiveDate,
    },
    /// A fixed figure of the method.
    Constant {
        /// The figure.
        value: i64,
    },
    /// The year of the release.
    Year,
    /// A hospital figure the data give for an NHS region on a day, rounded to a whole number.
    Hospital {
        /// The region's code.
        code: String,
        /// The metric.
        metric: String,
        /// The day.
        date: NaiveDate,
    },
    /// The latest day on or before the release with a hospital figure.
    HospitalDate {
        /// The region's code.
        code: String,
        /// The metric.
        metric: String,
    },
}

/// What a fact was computed from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FactInputs {
    /// Daily counts (`newCasesBySpecimenDate`) the fact sums, by day.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub daily: BTreeMap<NaiveDate, i64>,
    /// The population the rate divides by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
    /// Other facts it is computed from, by id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<String>,
    /// Files (or archive entries, URLs) the inputs were read from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// The release the data were published in.
    pub release: NaiveDate,
}

/// One figure the copy can print.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fact {
    /// Stable id: `E09000006.rate`, `universe.rising`, `date.week_end`.
    pub id: String,
    /// What it is.
    pub kind: FactKind,
    /// Its value.
    pub value: FactValue,
    /// Every way it can appear in copy, the house-style figure first.
    pub printed: Vec<String>,
    /// For area facts, the area's code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_code: Option<String>,
    /// For area facts, the area's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_name: Option<String>,
    /// For counts and shares of areas, the direction they moved in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// The seven days the figure covers, when it covers a week.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Week>,
    /// How it is computed, in words a sub-editor can check with a calculator.
    pub formula: String,
    /// What it is computed from.
    pub inputs: FactInputs,
    /// Where the view model holds it (`core[2].rate`, `movers.items[6]`).
    pub used_by: Vec<String>,
    /// How the audit recomputes it.
    pub recipe: Recipe,
}

/// Every fact of a story, with its provenance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FactsSidecar {
    /// The day the data were published.
    pub release: NaiveDate,
    /// The story's week.
    pub week: Week,
    /// The week before.
    pub prev_week: Week,
    /// The data files, in the order read.
    pub sources: Vec<crate::model::SourceInfo>,
    /// The population table.
    pub population_source: String,
    /// In an every-area run, the file beside this one holding the week's national facts,
    /// which every story of the run shares; absent when this file holds every fact itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared: Option<SharedRef>,
    /// The figures.
    pub facts: Vec<Fact>,
}

/// Where the rest of a story's facts are: the run's shared facts file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SharedRef {
    /// Its file name, in the same folder.
    pub file: String,
    /// SHA-256 of its bytes, so a reader can tell it is the file this story was checked
    /// against.
    pub sha256: String,
    /// The ids of the facts it holds. A fact of the story is in this file or in that one; an
    /// id in both (the story's own area is also a national leader) is the same figure.
    pub facts: Vec<String>,
}

/// Which of a story's facts to collect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Every fact: a self-contained sidecar.
    All,
    /// The week's national facts, the same for every story of an every-area run: dates,
    /// fixed figures of the method, the universe's tallies, the national leaders, the movers,
    /// each nation's leader and the NHS region's hospital figures.
    National,
    /// The story's own facts: its patch's tallies and its own areas (core, nearby and those
    /// without figures).
    Own,
}

impl Part {
    fn national(self) -> bool {
        self != Part::Own
    }
    fn own(self) -> bool {
        self != Part::National
    }
}

impl FactsSidecar {
    /// The sidecar as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("facts are plain data");
        s.push('\n');
        s
    }
}

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

fn rate_words(cases: i64, week: Week, population: u64) -> String {
    format!(
        "sum({}, {}..={}) / population × 100,000 = {cases} / {population} × 100,000, rounded half-up to 1 dp",
        crate::model::CASES_METRIC,
        week.start,
        week.end,
    )
}

struct Collector<'a> {
    story: &'a Story,
    dataset: &'a Dataset,
    facts: Vec<Fact>,
    by_id: BTreeMap<String, usize>,
}

impl Collector<'_> {
    /// Adds a fact, or merges it into the fact of the same id. Two views that disagree about
    /// the same figure keep both facts (the second under `id#2`), so the audit sees both.
    fn push(&mut self, mut fact: Fact) {
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

    fn plain(&self, id: String, kind: FactKind, value: FactValue, printed: Vec<String>) -> Fact {
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

    fn area_sources(&self, code: &str) -> Vec<String> {
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

    fn daily(&self, code: &str, week: Week) -> BTreeMap<NaiveDate, i64> {
        let Some(i) = self.dataset.index_of(&self.story.universe.area_type, code) else {
            return BTreeMap::new();
        };
        let area = &self.dataset.areas[i];
        week.days()
            .filter_map(|d| area.cases_on(d).map(|c| (d, i64::from(c))))
            .collect()
    }

    /// The figures of one area view; `at` is where the view model holds it.
    fn area(&mut self, a: &AreaView, at: &str, position: Option<(List, RankBy, usize)>) {
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
    fn tally(
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

    fn story_sources(&self) -> Vec<String> {
        self.dataset
            .sources
            .iter()
            .map(|s| s.label.clone())
            .collect()
    }

    fn movement(&mut self, scope: Scope, m: &crate::stats::Movement) {
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

    fn date(&mut self, which: StoryDate, d: NaiveDate, at: &str, formula: &str) {
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

fn dir_name(d: Direction) -> &'static str {
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

/// Dates, fixed figures and the universe's tallies.
fn national_head(c: &mut Collector<'_>) {
    let story = c.story;
    c.date(
        StoryDate::Release,
        story.release,
        "release",
        "the release date given to the draft",
    );
    c.date(
        StoryDate::WeekEnd,
        story.week.end,
        "week.end",
        "release minus the patch's incomplete days",
    );
    c.date(
        StoryDate::WeekStart,
        story.week.start,
        "week.start",
        "the week's last day minus six days",
    );
    c.date(
        StoryDate::PrevWeekEnd,
        story.prev_week.end,
        "prev_week.end",
        "the day before the week starts",
    );
    c.date(
        StoryDate::PrevWeekStart,
        story.prev_week.start,
        "prev_week.start",
        "the previous week's last day minus six days",
    );

    let year = i64::from(story.story_year);
    let mut f = c.plain(
        "date.year".to_string(),
        FactKind::Date,
        FactValue::Int(year),
        vec![year.to_string()],
    );
    f.formula = "the year of the release".to_string();
    f.recipe = Recipe::Year;
    f.used_by.push("story_year".to_string());
    c.push(f);

    for (value, id, printed, formula) in [
        (
            7,
            "constant.week_days",
            vec!["seven".to_string(), "7".to_string()],
            "the length of the week the rates cover",
        ),
        (
            100_000,
            "constant.per_population",
            vec!["100,000".to_string()],
            "rates are new cases per 100,000 people",
        ),
    ] {
        let mut f = c.plain(
            id.to_string(),
            FactKind::Constant,
            FactValue::Int(value),
            printed,
        );
        f.formula = formula.to_string();
        f.recipe = Recipe::Constant { value };
        f.used_by.push("method".to_string());
        c.push(f);
    }

    c.movement(Scope::Universe, &story.universe.movement);
    c.tally(
        Scope::Universe,
        Tally::LeftOut,
        story.universe.left_out as i64,
        "universe.left_out",
        "count of areas without a full fortnight of figures or a population".to_string(),
        None,
    );
}

/// The patch's tallies and its own areas.
fn own_head(c: &mut Collector<'_>) {
    let story = c.story;
    c.movement(Scope::Patch, &story.local.movement);
    c.tally(
        Scope::Patch,
        Tally::Total,
        story.local.count as i64,
        "local.count",
        "count of the patch's core areas with figures".to_string(),
        None,
    );
    if matches!(story.local.trend, Trend::AllButOneDown | Trend::AllButOneUp) {
        c.tally(
            Scope::Patch,
            Tally::Exceptions,
            1,
            "local.exception",
            "count of core areas that did not go the way all the others went".to_string(),
            None,
        );
    }
    if let Some(around) = story.local.similar_around {
        let mut f = c.plain(
            "local.similar_around".to_string(),
            FactKind::Around,
            FactValue::Int(around),
            count_forms(around),
        );
        let rates: Vec<String> = story.core.iter().map(|a| a.rate.to_string()).collect();
        f.formula = format!(
            "mean of {} rounded to two significant figures; every rate within {}% of the mean",
            rates.join(", "),
            crate::stats::SIMILAR_WITHIN_PERCENT
        );
        f.inputs.facts = story
            .core
            .iter()
            .map(|a| format!("{}.rate", a.code))
            .collect();
        f.used_by.push("local.similar_around".to_string());
        f.recipe = Recipe::SimilarAround;
        c.push(f);
    }

    for (i, a) in story.core.iter().enumerate() {
        c.area(
            a,
            &format!("core[{i}]"),
            Some((List::Core, RankBy::Rate, i + 1)),
        );
    }
    for (i, a) in story.nearby.iter().enumerate() {
        c.area(a, &format!("nearby[{i}]"), None);
    }
}

/// The national leaders, the movers, each nation's leader and the hospital figures.
fn national_lists(c: &mut Collector<'_>) {
    let story = c.story;
    let dataset = c.dataset;
    for (i, l) in story.leaders.iter().enumerate() {
        c.area(
            &l.area,
            &format!("leaders[{i}]"),
            Some((List::Leaders, RankBy::Rate, i + 1)),
        );
    }
    let list = |c: &mut Collector<'_>, list: List, n: usize, at: &str, formula: String| {
        let id = format!("list.{}", list.name());
        let mut f = c.plain(
            id.to_string(),
            FactKind::Count,
            FactValue::Int(n as i64),
            count_forms(n as i64),
        );
        f.formula = formula;
        f.used_by.push(at.to_string());
        f.recipe = Recipe::ListLength { list };
        c.push(f);
    };
    list(
        c,
        List::Leaders,
        story.leaders.len(),
        "leaders.length",
        "the patch's leaders setting, or fewer if fewer areas have figures".to_string(),
    );
    if let Some(m) = &story.movers {
        let by = if m.kind == "falls" {
            RankBy::Fall
        } else {
            RankBy::Rise
        };
        list(
            c,
            List::Movers,
            m.items.len(),
            "movers.items.length",
            format!(
                "the patch's movers setting, or fewer if fewer areas {}",
                if by == RankBy::Fall { "fell" } else { "rose" }
            ),
        );
        for (i, a) in m.items.iter().enumerate() {
            c.area(
                a,
                &format!("movers.items[{i}]"),
                Some((List::Movers, by, i + 1)),
            );
        }
    }

    for (i, n) in story.nation_leaders.iter().enumerate() {
        c.area(&n.area, &format!("nation_leaders[{i}]"), None);
    }
    if let Some(h) = &story.hospital {
        for (key, metric, value, date) in [
            (
                "patients",
                h.patients_metric.as_str(),
                h.patients,
                h.patients_date,
            ),
            (
                "ventilated",
                crate::model::VENTILATED_BEDS,
                h.ventilated,
                h.ventilated_date,
            ),
        ] {
            let (Some(value), Some(date)) = (value, date) else {
                continue;
            };
            let sources: Vec<String> = dataset
                .area("nhsRegion", &h.code)
                .map(|a| {
                    a.sources
                        .iter()
                        .filter_map(|&s| dataset.sources.get(s))
                        .map(|s| s.label.clone())
                        .collect()
                })
                .unwrap_or_default();
            let mut f = c.plain(
                format!("hospital.{key}"),
                FactKind::Count,
                FactValue::Int(value),
                count_forms(value),
            );
            f.area_code = Some(h.code.clone());
            f.area_name = Some(h.region.clone());
            f.formula = format!("{metric} for {} on {date}, rounded", h.region);
            f.inputs.sources = sources.clone();
            f.used_by.push(format!("hospital.{key}"));
            f.recipe = Recipe::Hospital {
                code: h.code.clone(),
                metric: metric.to_string(),
                date,
            };
            c.push(f);
            let mut f = c.plain(
                format!("hospital.{key}_date"),
                FactKind::Date,
                FactValue::Date(date),
                date_forms(date, story.story_year),
            );
            f.area_code = Some(h.code.clone());
            f.area_name = Some(h.region.clone());
            f.formula = format!("the latest day on or before the release with {metric}");
            f.inputs.sources = sources;
            f.used_by.push(format!("hospital.{key}_date"));
            f.recipe = Recipe::HospitalDate {
                code: h.code.clone(),
                metric: metric.to_string(),
            };
            c.push(f);
        }
    }
}

/// The days each of the story's areas without figures is missing.
fn own_unavailable(c: &mut Collector<'_>) {
    let story = c.story;
    let dataset = c.dataset;
    for (i, u) in story.unavailable.iter().enumerate() {
        let Some(idx) = dataset.index_of(&story.universe.area_type, &u.code) else {
            continue;
        };
        let area = &dataset.areas[idx];
        let sources = c.area_sources(&u.code);
        for day in story.prev_week.days().chain(story.week.days()) {
            if area.cases_on(day).is_some() {
                continue;
            }
            let mut f = c.plain(
                format!("{}.missing.{day}", u.code),
                FactKind::Date,
                FactValue::Date(day),
                date_forms(day, story.story_year),
            );
            f.area_code = Some(u.code.clone());
            f.area_name = Some(u.name.clone());
            f.formula = format!("a day with no {} value", crate::model::CASES_METRIC);
            f.inputs.sources = sources.clone();
            f.used_by.push(format!("unavailable[{i}].reason"));
            f.recipe = Recipe::MissingDay {
                code: u.code.clone(),
                date: day,
            };
            c.push(f);
        }
    }
}
