//! What a fact is, and how a story's facts are written out.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use crate::stats::{Direction, Week};

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
    /// The patch's new cases in the week, summed over its core areas ("nearly 10,000 new
    /// cases were recorded across ...").
    PatchTotal,
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
            FactKind::PatchTotal => "patch_total",
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
    pub(super) fn name(self) -> &'static str {
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
    /// The sum of the core areas' cases over the week: the `week_sum` facts it names in its
    /// inputs, one for each core area.
    PatchTotal {
        /// The seven days.
        week: Week,
    },
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
    /// Daily counts (`newCasesBySpecimenDate`) the fact sums, by day: shared by the facts
    /// of an area's week.
    #[serde(skip_serializing_if = "no_days")]
    pub daily: Arc<BTreeMap<NaiveDate, i64>>,
    /// The population the rate divides by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
    /// Other facts it is computed from, by id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<String>,
    /// Files (or archive entries, URLs) the inputs were read from: shared by the facts that
    /// draw on the same files.
    #[serde(skip_serializing_if = "no_files")]
    pub sources: Arc<[String]>,
    /// The release the data were published in.
    pub release: NaiveDate,
}

fn no_days(daily: &Arc<BTreeMap<NaiveDate, i64>>) -> bool {
    daily.is_empty()
}

fn no_files(sources: &Arc<[String]>) -> bool {
    sources.is_empty()
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
    /// For area facts, the area's code (one copy for all the area's facts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_code: Option<Arc<str>>,
    /// For area facts, the area's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_name: Option<Arc<str>>,
    /// For counts and shares of areas, the direction they moved in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// The seven days the figure covers, when it covers a week.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Week>,
    /// How it is computed, in words a sub-editor can check with a calculator.
    pub formula: super::Formula,
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
    /// The areas the story's ranks and national tallies are taken over ("England", "the
    /// UK").
    pub universe: String,
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
    /// against. A fact of the story is in this file or in that one; an id in both (the
    /// story's own area is also a national leader) is the same figure.
    pub sha256: String,
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
    pub(super) fn national(self) -> bool {
        self != Part::Own
    }
    pub(super) fn own(self) -> bool {
        self != Part::National
    }
}
