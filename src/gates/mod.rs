//! Input gates: checks on the data a story is about to be written from.
//!
//! A story that prints a negative count, a week with a missing day or a rate from the wrong
//! population is worse than no story, and nothing downstream can tell. So before any copy is
//! written, [`check_inputs`] looks at the dataset, the population table and (when given) the
//! previous release and table, and reports what it finds. Each finding names the gate, the area
//! and the date(s); whether it stops the run or is only shown is set per gate in [`GateConfig`].
//!
//! The library never reads the clock: "today" is an input, so the same inputs always give the
//! same report.

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{Dataset, Population};

pub use completeness::{ExpectedAreas, ExpectedFrom};

mod checks;
mod completeness;

use checks::{
    Findings, Weeks, after_release, areas_changed, future_dates, implausible_population,
    negative_counts, population_missing, population_shift, rates, stale_data, window_gap,
};

/// What a gate's findings do to the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops the run: no story is written until a human has looked.
    Error,
    /// Shown to the operator; the story is still written.
    Warn,
    /// The gate is not run.
    Off,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warn => "warning",
            Severity::Off => "off",
        })
    }
}

/// One input check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Gate {
    /// A count dated after today.
    FutureDates,
    /// A count dated on or after the release it is said to come from.
    AfterRelease,
    /// A negative daily count in the two weeks the story uses.
    NegativeCounts,
    /// A day without a count in the two weeks the story uses.
    WindowGap,
    /// An area in this release that the previous release did not have.
    AreasAppeared,
    /// An area in the previous release that this release does not have.
    AreasVanished,
    /// A weekly rate above the ceiling no real area has reached.
    RateCeiling,
    /// A week-on-week change in rate beyond the configured factor.
    WeekOnWeekJump,
    /// An area the story covers with no population to divide by.
    PopulationMissing,
    /// A population far from the previous table's for the same area.
    PopulationShift,
    /// Data that ends longer before the release than the schedule allows.
    StaleData,
    /// A population no real area has: 0, above the ceiling (2^63−1 gives every rate 0.0), or
    /// a factor of ten from the previous table or from the one the source's own rates imply.
    ImplausiblePopulation,
    /// An area the release should hold (the previous release's, or the register's) that it
    /// does not: a partial or truncated release.
    MissingAreas,
    /// An area whose series ends before the last date of its nation's areas in the release
    /// (or starts late where every other area's starts on one day): a file cut short part
    /// way through the area, or a source that dropped it.
    SeriesStopped,
}

impl Gate {
    /// Every gate, in the order reports list them.
    pub const ALL: [Gate; 12] = [
        Gate::FutureDates,
        Gate::AfterRelease,
        Gate::NegativeCounts,
        Gate::WindowGap,
        Gate::AreasAppeared,
        Gate::AreasVanished,
        Gate::RateCeiling,
        Gate::WeekOnWeekJump,
        Gate::PopulationMissing,
        Gate::PopulationShift,
        Gate::StaleData,
        Gate::ImplausiblePopulation,
    ];

    /// The gates that check a release is whole, run by [`check_release`] beside [`Gate::ALL`]
    /// (which [`check_inputs`] runs, and which does not need to know what to expect).
    pub const COMPLETENESS: [Gate; 2] = [Gate::MissingAreas, Gate::SeriesStopped];

    /// The stable kebab-case name used in reports and accepted in configuration.
    pub fn name(self) -> &'static str {
        match self {
            Gate::FutureDates => "future-dates",
            Gate::AfterRelease => "after-release",
            Gate::NegativeCounts => "negative-counts",
            Gate::WindowGap => "window-gap",
            Gate::AreasAppeared => "areas-appeared",
            Gate::AreasVanished => "areas-vanished",
            Gate::RateCeiling => "rate-ceiling",
            Gate::WeekOnWeekJump => "week-on-week-jump",
            Gate::PopulationMissing => "population-missing",
            Gate::PopulationShift => "population-shift",
            Gate::StaleData => "stale-data",
            Gate::ImplausiblePopulation => "implausible-population",
            Gate::MissingAreas => "missing-areas",
            Gate::SeriesStopped => "series-stopped",
        }
    }
}

impl fmt::Display for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The severity of each gate. Keys are the gates' names with `_` (`window_gap`) or `-`
/// (`window-gap`), so a name copied from a report works.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct GateSeverities {
    /// Default error: a count from the future means a broken feed or a wrong clock.
    #[serde(alias = "future-dates")]
    pub future_dates: Severity,
    /// Default warn: days after the release cannot be part of it, but a revised archive
    /// legitimately runs on past a story's release, and the story's window never uses them.
    /// Data ending within a week of the release are a later release's file, refused before
    /// the gates run ([`crate::draft::check_not_later_release`]).
    #[serde(alias = "after-release")]
    pub after_release: Severity,
    /// Default error: a negative day makes a weekly sum, and so a rate, wrong.
    #[serde(alias = "negative-counts")]
    pub negative_counts: Severity,
    /// Default warn: a missing day would make a weekly sum an undercount, so the story leaves
    /// the area out and says so; make it an error to hold the story back instead.
    #[serde(alias = "window-gap")]
    pub window_gap: Severity,
    /// Default warn: boundary changes are real, but the story's "of the N areas" moves.
    #[serde(alias = "areas-appeared")]
    pub areas_appeared: Severity,
    /// Default warn: as for areas that appeared.
    #[serde(alias = "areas-vanished")]
    pub areas_vanished: Severity,
    /// Default error: a rate no real area has reached is a data fault until a human says not.
    #[serde(alias = "rate-ceiling")]
    pub rate_ceiling: Severity,
    /// Default error: a sudden jump may be real, but it is the headline, so a human checks it.
    #[serde(alias = "week-on-week-jump")]
    pub week_on_week_jump: Severity,
    /// Default warn: no rate can be computed, so the story leaves the area out and says so.
    #[serde(alias = "population-missing")]
    pub population_missing: Severity,
    /// Default warn: new estimates move populations a little; a lot means a merged area or the
    /// wrong table, and every rate for the area moves with it.
    #[serde(alias = "population-shift")]
    pub population_shift: Severity,
    /// Default error: a story about an old week would be published as this week's.
    #[serde(alias = "stale-data")]
    pub stale_data: Severity,
    /// Default error: a population no real area has makes every rate of the area wrong (at
    /// 2^63−1 people, 0.0), and may crown the wrong leader, silently.
    #[serde(alias = "implausible-population")]
    pub implausible_population: Severity,
    /// Default error: a release without areas it should hold gives wrong national figures
    /// ("10 of the 309 local areas") and may crown the wrong leader.
    #[serde(alias = "missing-areas")]
    pub missing_areas: Severity,
    /// Default error: an area cut short has a week that is an undercount, or no week at all.
    #[serde(alias = "series-stopped")]
    pub series_stopped: Severity,
}

impl Default for GateSeverities {
    fn default() -> Self {
        Self {
            future_dates: Severity::Error,
            after_release: Severity::Warn,
            negative_counts: Severity::Error,
            window_gap: Severity::Warn,
            areas_appeared: Severity::Warn,
            areas_vanished: Severity::Warn,
            rate_ceiling: Severity::Error,
            week_on_week_jump: Severity::Error,
            population_missing: Severity::Warn,
            population_shift: Severity::Warn,
            stale_data: Severity::Error,
            implausible_population: Severity::Error,
            missing_areas: Severity::Error,
            series_stopped: Severity::Error,
        }
    }
}

impl GateSeverities {
    /// The configured severity of `gate`.
    pub fn of(&self, gate: Gate) -> Severity {
        match gate {
            Gate::FutureDates => self.future_dates,
            Gate::AfterRelease => self.after_release,
            Gate::NegativeCounts => self.negative_counts,
            Gate::WindowGap => self.window_gap,
            Gate::AreasAppeared => self.areas_appeared,
            Gate::AreasVanished => self.areas_vanished,
            Gate::RateCeiling => self.rate_ceiling,
            Gate::WeekOnWeekJump => self.week_on_week_jump,
            Gate::PopulationMissing => self.population_missing,
            Gate::PopulationShift => self.population_shift,
            Gate::StaleData => self.stale_data,
            Gate::ImplausiblePopulation => self.implausible_population,
            Gate::MissingAreas => self.missing_areas,
            Gate::SeriesStopped => self.series_stopped,
        }
    }
}

/// How the gates are run. Every field has a default, so an empty table is a valid config.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct GateConfig {
    /// What each gate's findings do.
    pub severity: GateSeverities,
    /// Rates per 100,000 above this are held for a human. Default 5,000: five in every hundred
    /// people testing positive in one week, well above any English lower-tier area's peak.
    #[serde(alias = "rate-ceiling")]
    pub rate_ceiling: f64,
    /// A rate more than this many times last week's (or less than last week's divided by it)
    /// is held for a human. Default 4: real weeks have doubled, not quadrupled.
    #[serde(alias = "jump-factor")]
    pub jump_factor: f64,
    /// A jump only counts when the higher of the two rates is at least this, so that 0.5 to
    /// 3.0 in a quiet week is not a headline. Default 50.0. A rate rising from zero to this or
    /// more is a jump whatever the factor.
    #[serde(alias = "jump-min-rate")]
    pub jump_min_rate: f64,
    /// A jump only counts when the higher of the two weeks has at least this many cases.
    /// Default 50: an island of 25,000 people going from 7 cases to 28 quadruples its rate by
    /// chance, and is not the headline a jump gate is for.
    #[serde(alias = "jump-min-cases")]
    pub jump_min_cases: i64,
    /// Largest relative change from the previous table's population that passes. Default 0.10:
    /// yearly estimates move areas a few percent; a merge or a wrong table moves them more.
    #[serde(alias = "population-tolerance")]
    pub population_tolerance: f64,
    /// Most days allowed between an area's last date with data and the release. Default 3: the
    /// dashboard publishes each day's data the next day, and a weekend's delay is tolerated.
    #[serde(alias = "max-data-age-days")]
    pub max_data_age_days: u32,
    /// Populations above this are implausible. Default 20,000,000: the largest UK local
    /// authority (Birmingham) has about 1.1 million people and the largest English region
    /// about 9.2 million, so this passes any area type a story ranks and refuses a table that
    /// is broken (2^63−1 gives every rate 0.0 and a new leader).
    #[serde(alias = "population-ceiling")]
    pub population_ceiling: u64,
    /// A population more than this many times (or less than a this-th of) the previous
    /// table's, or the one the source's own rolling rate and sum imply, is implausible.
    /// Default 10: new estimates move an area by a few percent, a merge by a half.
    #[serde(alias = "population-factor")]
    pub population_factor: f64,
}

impl Default for GateConfig {
    fn default() -> Self {
        Self {
            severity: GateSeverities::default(),
            rate_ceiling: 5000.0,
            jump_factor: 4.0,
            jump_min_rate: 50.0,
            jump_min_cases: 50,
            population_tolerance: 0.10,
            max_data_age_days: 3,
            population_ceiling: 20_000_000,
            population_factor: 10.0,
        }
    }
}

/// Everything the gates look at.
#[derive(Clone, Copy, Debug)]
pub struct GateInput<'a> {
    /// This release's data.
    pub dataset: &'a Dataset,
    /// The area type the story is about (`ltla`, `utla`, ...).
    pub area_type: &'a str,
    /// Codes of the areas the story covers ("of the N local areas").
    pub universe: &'a BTreeSet<String>,
    /// The date the data was published.
    pub release: NaiveDate,
    /// The last day of the story's week; the week is the seven days to it, inclusive, and it
    /// is compared with the seven days before.
    pub week_end: NaiveDate,
    /// Today's date, when the caller knows it; without it the future-dates gate is not run.
    pub today: Option<NaiveDate>,
    /// The population table rates are computed with.
    pub population: &'a Population,
    /// The table used for the previous stories, to catch a population that moved.
    pub previous_population: Option<&'a Population>,
    /// The previous release's data, to catch areas that appeared or vanished.
    pub previous_dataset: Option<&'a Dataset>,
    /// Which gates run, how severe they are and their thresholds.
    pub config: &'a GateConfig,
}

/// The area a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AreaRef {
    /// ONS code.
    pub code: String,
    /// Name as the data gives it (the code when the data has no row for the area).
    pub name: String,
}

impl fmt::Display for AreaRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name == self.code {
            f.write_str(&self.code)
        } else {
            write!(f, "{} ({})", self.name, self.code)
        }
    }
}

/// One thing a gate found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GateFinding {
    /// The gate that found it.
    pub gate: Gate,
    /// Whether it stops the run.
    pub severity: Severity,
    /// The area, unless the finding is about the whole dataset.
    pub area: Option<AreaRef>,
    /// The dates concerned, in order; empty when no date applies (a population).
    pub dates: Vec<NaiveDate>,
    /// What is wrong, for the person who has to decide.
    pub message: String,
}

impl fmt::Display for GateFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: ", self.severity, self.gate)?;
        if let Some(area) = &self.area {
            write!(f, "{area}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// All the findings, in gate order, then area code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GateReport {
    /// Every finding of a gate that is not off.
    pub findings: Vec<GateFinding>,
}

impl GateReport {
    /// The findings that stop the run.
    pub fn errors(&self) -> Vec<&GateFinding> {
        self.of_severity(Severity::Error)
    }

    /// The findings that are only shown.
    pub fn warnings(&self) -> Vec<&GateFinding> {
        self.of_severity(Severity::Warn)
    }

    /// True when any finding is an error: no story may be written.
    pub fn is_blocking(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// The findings of one gate.
    pub fn of_gate(&self, gate: Gate) -> Vec<&GateFinding> {
        self.findings.iter().filter(|f| f.gate == gate).collect()
    }

    fn of_severity(&self, severity: Severity) -> Vec<&GateFinding> {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect()
    }
}

impl fmt::Display for GateReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.findings {
            writeln!(f, "{finding}")?;
        }
        Ok(())
    }
}

/// Runs every gate that is not off and reports what they find.
pub fn check_inputs(input: &GateInput<'_>) -> GateReport {
    let mut out = Findings::new(input.config);
    future_dates(input, &mut out);
    after_release(input, &mut out);
    let weeks = Weeks::ending(input.week_end);
    negative_counts(input, weeks, &mut out);
    window_gap(input, weeks, &mut out);
    areas_changed(input, &mut out);
    rates(input, weeks, &mut out);
    population_missing(input, &mut out);
    population_shift(input, &mut out);
    stale_data(input, &mut out);
    implausible_population(input, &mut out);
    GateReport {
        findings: out.into_findings(),
    }
}

/// [`check_inputs`], and then the completeness gates ([`Gate::COMPLETENESS`]): the areas
/// `expected` names that the release lacks, and areas whose series stop before their nation's
/// last date in the release. Without `expected` only the second runs.
pub fn check_release(input: &GateInput<'_>, expected: Option<&ExpectedAreas>) -> GateReport {
    let mut report = check_inputs(input);
    let mut out = Findings::new(input.config);
    completeness::missing_areas(input, expected, &mut out);
    completeness::series_stopped(input, &mut out);
    report.findings.extend(out.into_findings());
    report
}
