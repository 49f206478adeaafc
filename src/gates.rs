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

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::{Area, Dataset, Population};

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
}

impl Gate {
    /// Every gate, in the order reports list them.
    pub const ALL: [Gate; 11] = [
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
    ];

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
    let mut out = Findings {
        config: input.config,
        findings: Vec::new(),
    };
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
    GateReport {
        findings: out.findings,
    }
}

struct Findings<'a> {
    config: &'a GateConfig,
    findings: Vec<GateFinding>,
}

impl Findings<'_> {
    fn on(&self, gate: Gate) -> bool {
        self.config.severity.of(gate) != Severity::Off
    }

    fn push(&mut self, gate: Gate, area: Option<AreaRef>, dates: Vec<NaiveDate>, message: String) {
        let severity = self.config.severity.of(gate);
        if severity == Severity::Off {
            return;
        }
        self.findings.push(GateFinding {
            gate,
            severity,
            area,
            dates,
            message,
        });
    }
}

/// The story's two weeks. `None` when the dates would fall off chrono's calendar, which only a
/// corrupt input can ask for; the gates that need the window then say so instead of panicking.
#[derive(Clone, Copy, Debug)]
struct Weeks {
    /// First day of the previous week; the window runs from here to `end`.
    start: NaiveDate,
    /// First day of the story's week.
    this_start: NaiveDate,
    end: NaiveDate,
}

impl Weeks {
    fn ending(end: NaiveDate) -> Option<Self> {
        Some(Self {
            start: end.checked_sub_days(Days::new(13))?,
            this_start: end.checked_sub_days(Days::new(6))?,
            end,
        })
    }

    fn days(self) -> impl Iterator<Item = NaiveDate> {
        self.start.iter_days().take_while(move |d| *d <= self.end)
    }
}

fn area_ref(area: &Area) -> AreaRef {
    AreaRef {
        code: area.code.clone(),
        name: area.name.clone(),
    }
}

/// The universe's areas in code order, with the dataset's row for each when it has one.
fn universe_areas<'a>(input: &GateInput<'a>) -> impl Iterator<Item = (&'a str, Option<&'a Area>)> {
    let dataset = input.dataset;
    let area_type = input.area_type;
    input
        .universe
        .iter()
        .map(move |code| (code.as_str(), dataset.area(area_type, code)))
}

fn code_ref(code: &str, area: Option<&Area>) -> AreaRef {
    area.map_or_else(
        || AreaRef {
            code: code.to_string(),
            name: code.to_string(),
        },
        area_ref,
    )
}

/// Every dated value in the area's series, in date order.
fn values(area: &Area) -> impl Iterator<Item = (NaiveDate, i32)> + '_ {
    area.start
        .iter_days()
        .zip(area.cases.iter())
        .filter_map(|(d, v)| v.map(|v| (d, v)))
}

/// "2021-01-03", "2021-01-03 to 2021-01-05" or "2021-01-03 and 2 other days".
fn describe_dates(dates: &[NaiveDate]) -> String {
    match dates {
        [] => String::new(),
        [one] => one.to_string(),
        [first, .., last]
            if last.signed_duration_since(*first).num_days() + 1 == dates.len() as i64 =>
        {
            format!("{first} to {last}")
        }
        [first, rest @ ..] => {
            let n = rest.len();
            format!("{first} and {n} other day{}", if n == 1 { "" } else { "s" })
        }
    }
}

/// Dated values of every area of the story's type strictly after `limit`.
fn dated_after(input: &GateInput<'_>, limit: NaiveDate, gate: Gate, out: &mut Findings<'_>) {
    let what = match gate {
        Gate::FutureDates => format!("after today ({limit})"),
        _ => format!(
            "on or after the release date ({})",
            limit.succ_opt().unwrap_or(limit)
        ),
    };
    for area in input
        .dataset
        .areas
        .iter()
        .filter(|a| a.area_type == input.area_type)
    {
        let dates: Vec<NaiveDate> = values(area)
            .map(|(d, _)| d)
            .filter(|d| *d > limit)
            .collect();
        if dates.is_empty() {
            continue;
        }
        let message = format!(
            "{} dated {}: {what}",
            plural(dates.len(), "count is", "counts are"),
            describe_dates(&dates)
        );
        out.push(gate, Some(area_ref(area)), dates, message);
    }
}

fn future_dates(input: &GateInput<'_>, out: &mut Findings<'_>) {
    if let Some(today) = input.today
        && out.on(Gate::FutureDates)
    {
        dated_after(input, today, Gate::FutureDates, out);
    }
}

fn after_release(input: &GateInput<'_>, out: &mut Findings<'_>) {
    if !out.on(Gate::AfterRelease) {
        return;
    }
    // Data published on a day runs to the day before at the latest.
    match input.release.pred_opt() {
        Some(limit) => dated_after(input, limit, Gate::AfterRelease, out),
        None => out.push(
            Gate::AfterRelease,
            None,
            vec![input.release],
            format!("release date {} is not a usable date", input.release),
        ),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn no_window(input: &GateInput<'_>, gate: Gate, out: &mut Findings<'_>) {
    out.push(
        gate,
        None,
        vec![input.week_end],
        format!(
            "the week ending {} has no two full weeks before it",
            input.week_end
        ),
    );
}

fn negative_counts(input: &GateInput<'_>, weeks: Option<Weeks>, out: &mut Findings<'_>) {
    if !out.on(Gate::NegativeCounts) {
        return;
    }
    let Some(weeks) = weeks else {
        return no_window(input, Gate::NegativeCounts, out);
    };
    for (code, area) in universe_areas(input) {
        let Some(area) = area else { continue };
        let bad: Vec<(NaiveDate, i32)> = weeks
            .days()
            .filter_map(|d| area.cases_on(d).filter(|v| *v < 0).map(|v| (d, v)))
            .collect();
        if bad.is_empty() {
            continue;
        }
        let listed: Vec<String> = bad.iter().map(|(d, v)| format!("{v} on {d}")).collect();
        out.push(
            Gate::NegativeCounts,
            Some(code_ref(code, Some(area))),
            bad.iter().map(|(d, _)| *d).collect(),
            format!(
                "negative daily count in the weeks to {} and {}: {}",
                weeks.this_start.pred_opt().unwrap_or(weeks.start),
                weeks.end,
                listed.join(", ")
            ),
        );
    }
}

fn window_gap(input: &GateInput<'_>, weeks: Option<Weeks>, out: &mut Findings<'_>) {
    if !out.on(Gate::WindowGap) {
        return;
    }
    let Some(weeks) = weeks else {
        return no_window(input, Gate::WindowGap, out);
    };
    for (code, area) in universe_areas(input) {
        let missing: Vec<NaiveDate> = weeks
            .days()
            .filter(|d| area.and_then(|a| a.cases_on(*d)).is_none())
            .collect();
        if missing.is_empty() {
            continue;
        }
        let message = if area.is_none() {
            format!(
                "no {} rows at all; the story needs every day from {} to {}",
                input.area_type, weeks.start, weeks.end
            )
        } else {
            format!(
                "no count for {} ({}), inside the weeks from {} to {}; a weekly sum would be short",
                describe_dates(&missing),
                plural(missing.len(), "day", "days"),
                weeks.start,
                weeks.end
            )
        };
        out.push(
            Gate::WindowGap,
            Some(code_ref(code, area)),
            missing,
            message,
        );
    }
}

fn areas_changed(input: &GateInput<'_>, out: &mut Findings<'_>) {
    let Some(previous) = input.previous_dataset else {
        return;
    };
    let of_type = |d: &'_ Dataset| -> Vec<(String, String)> {
        d.areas
            .iter()
            .filter(|a| a.area_type == input.area_type)
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect()
    };
    let now = of_type(input.dataset);
    let before = of_type(previous);
    let before_codes: BTreeSet<&str> = before.iter().map(|(c, _)| c.as_str()).collect();
    let now_codes: BTreeSet<&str> = now.iter().map(|(c, _)| c.as_str()).collect();
    for (code, name) in &now {
        if !before_codes.contains(code.as_str()) {
            out.push(
                Gate::AreasAppeared,
                Some(AreaRef {
                    code: code.clone(),
                    name: name.clone(),
                }),
                vec![input.release],
                format!(
                    "in the release of {} but not the previous one; the count of areas changes",
                    input.release
                ),
            );
        }
    }
    for (code, name) in &before {
        if !now_codes.contains(code.as_str()) {
            out.push(
                Gate::AreasVanished,
                Some(AreaRef {
                    code: code.clone(),
                    name: name.clone(),
                }),
                vec![input.release],
                format!(
                    "in the previous release but not the release of {}; the count of areas changes",
                    input.release
                ),
            );
        }
    }
}

/// Rate per 100,000 in tenths, rounded half-up, as the product prints it: exact integer
/// arithmetic, so a rate that prints as 254.0 here is 254.0 in the copy.
fn rate_tenths(sum: i64, population: u64) -> Option<u128> {
    if sum < 0 || population == 0 {
        return None;
    }
    let sum = sum as u128;
    let pop = u128::from(population);
    Some((2 * sum * 1_000_000 + pop) / (2 * pop))
}

/// "1,134.8".
fn show_rate(tenths: u128) -> String {
    format!("{}.{}", thousands(tenths / 10), tenths % 10)
}

fn thousands(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Threshold per 100,000 in tenths; negative or NaN thresholds count as zero, so a bad config
/// over-reports rather than silently passes.
fn tenths_of(rate: f64) -> u128 {
    if rate.is_nan() || rate <= 0.0 {
        0
    } else if rate >= 1e30 {
        u128::MAX / 4
    } else {
        (rate * 10.0).round() as u128
    }
}

fn week_sum(area: &Area, first: NaiveDate, last: NaiveDate) -> Option<i64> {
    let mut sum = 0i64;
    for d in first.iter_days().take_while(|d| *d <= last) {
        sum += i64::from(area.cases_on(d)?);
    }
    Some(sum)
}

fn rates(input: &GateInput<'_>, weeks: Option<Weeks>, out: &mut Findings<'_>) {
    if !out.on(Gate::RateCeiling) && !out.on(Gate::WeekOnWeekJump) {
        return;
    }
    let Some(weeks) = weeks else {
        return;
    };
    let prev_end = weeks.this_start.pred_opt().unwrap_or(weeks.start);
    let ceiling = tenths_of(input.config.rate_ceiling);
    let min_rate = tenths_of(input.config.jump_min_rate);
    let factor = if input.config.jump_factor.is_nan() || input.config.jump_factor < 1.0 {
        1.0
    } else {
        input.config.jump_factor
    };
    for (code, area) in universe_areas(input) {
        // Areas without a full window or a population are the other gates' findings; a rate
        // computed from them would only add noise.
        let (Some(area), Some(pop)) = (area, input.population.get(code)) else {
            continue;
        };
        let this_cases = week_sum(area, weeks.this_start, weeks.end);
        let last_cases = week_sum(area, weeks.start, prev_end);
        let this = this_cases.and_then(|s| rate_tenths(s, pop));
        let last = last_cases.and_then(|s| rate_tenths(s, pop));
        for (rate, end) in [(last, prev_end), (this, weeks.end)] {
            if let Some(rate) = rate
                && rate > ceiling
            {
                out.push(
                    Gate::RateCeiling,
                    Some(area_ref(area)),
                    vec![end],
                    format!(
                        "rate of {} per 100,000 in the seven days to {end} is above the ceiling of {}; check the counts and population before it is published",
                        show_rate(rate),
                        show_rate(ceiling)
                    ),
                );
            }
        }
        let (Some(this), Some(last)) = (this, last) else {
            continue;
        };
        if this.max(last) < min_rate.max(1)
            || this_cases.max(last_cases).unwrap_or(0) < input.config.jump_min_cases
        {
            continue;
        }
        let (direction, high, low) = if this >= last {
            ("rose", this, last)
        } else {
            ("fell", last, this)
        };
        let jumped = low == 0 || (high as f64) > (low as f64) * factor;
        if jumped {
            let how = if low == 0 && direction == "rose" {
                "from zero".to_string()
            } else if low == 0 {
                "to zero".to_string()
            } else {
                format!("more than {factor}-fold")
            };
            out.push(
                Gate::WeekOnWeekJump,
                Some(area_ref(area)),
                vec![prev_end, weeks.end],
                format!(
                    "rate {direction} {how}, from {} in the seven days to {prev_end} to {} in the seven days to {}; a human should confirm it before it is published",
                    show_rate(last),
                    show_rate(this),
                    weeks.end
                ),
            );
        }
    }
}

fn population_missing(input: &GateInput<'_>, out: &mut Findings<'_>) {
    if !out.on(Gate::PopulationMissing) {
        return;
    }
    for (code, area) in universe_areas(input) {
        let message = match input.population.get(code) {
            None => format!(
                "no population in {}; no rate can be computed",
                input.population.source
            ),
            Some(0) => format!(
                "population is 0 in {}; no rate can be computed",
                input.population.source
            ),
            Some(_) => continue,
        };
        out.push(
            Gate::PopulationMissing,
            Some(code_ref(code, area)),
            Vec::new(),
            message,
        );
    }
}

fn population_shift(input: &GateInput<'_>, out: &mut Findings<'_>) {
    let Some(previous) = input.previous_population else {
        return;
    };
    if !out.on(Gate::PopulationShift) {
        return;
    }
    let tolerance = input.config.population_tolerance;
    for (code, area) in universe_areas(input) {
        let (Some(now), Some(before)) = (input.population.get(code), previous.get(code)) else {
            continue;
        };
        if before == 0 {
            continue;
        }
        let change = (now as f64 - before as f64) / before as f64;
        // A NaN tolerance compares false everywhere; treat it as zero so it over-reports.
        let limit = if tolerance.is_nan() { 0.0 } else { tolerance };
        if change.abs() > limit {
            out.push(
                Gate::PopulationShift,
                Some(code_ref(code, area)),
                Vec::new(),
                format!(
                    "population {} in {} is {:+.1}% from {} in {}; beyond the {:.1}% tolerance",
                    thousands(u128::from(now)),
                    input.population.source,
                    change * 100.0,
                    thousands(u128::from(before)),
                    previous.source,
                    limit * 100.0
                ),
            );
        }
    }
}

fn stale_data(input: &GateInput<'_>, out: &mut Findings<'_>) {
    if !out.on(Gate::StaleData) {
        return;
    }
    let max_age = i64::from(input.config.max_data_age_days);
    let mut stale = Vec::new();
    let mut latest_overall: Option<NaiveDate> = None;
    let mut areas_with_data = 0usize;
    for (code, area) in universe_areas(input) {
        let Some(area) = area else { continue };
        let latest = values(area)
            .map(|(d, _)| d)
            .filter(|d| *d < input.release)
            .last();
        let Some(latest) = latest else { continue };
        areas_with_data += 1;
        latest_overall = latest_overall.max(Some(latest));
        let age = input.release.signed_duration_since(latest).num_days();
        if age > max_age {
            stale.push((code_ref(code, Some(area)), latest, age));
        }
    }
    if stale.is_empty() {
        return;
    }
    // When every area is behind, the whole release is late: one finding says it better than
    // three hundred.
    if stale.len() == areas_with_data && stale.len() > 1 {
        let latest = latest_overall.unwrap_or(input.release);
        let age = input.release.signed_duration_since(latest).num_days();
        out.push(
            Gate::StaleData,
            None,
            vec![latest],
            format!(
                "the latest data for all {} areas is {latest}, {age} days before the release of {}; at most {max_age} expected",
                stale.len(),
                input.release
            ),
        );
        return;
    }
    for (area, latest, age) in stale {
        out.push(
            Gate::StaleData,
            Some(area),
            vec![latest],
            format!(
                "latest data is {latest}, {age} days before the release of {}; at most {max_age} expected",
                input.release
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_half_up_in_tenths() {
        // 1 case in 4,000,000 is 0.025 per 100,000: rounds to 0.0; 2 cases to 0.05 → 0.1.
        assert_eq!(rate_tenths(1, 4_000_000), Some(0));
        assert_eq!(rate_tenths(2, 4_000_000), Some(1));
        assert_eq!(rate_tenths(856, 332_752), Some(2572));
        assert_eq!(rate_tenths(-1, 100), None);
        assert_eq!(rate_tenths(1, 0), None);
        assert_eq!(show_rate(11348), "1,134.8");
        assert_eq!(show_rate(5), "0.5");
    }

    #[test]
    fn date_lists_read_as_ranges() {
        let d = |day| NaiveDate::from_ymd_opt(2021, 1, day).unwrap();
        assert_eq!(describe_dates(&[d(3)]), "2021-01-03");
        assert_eq!(
            describe_dates(&[d(3), d(4), d(5)]),
            "2021-01-03 to 2021-01-05"
        );
        assert_eq!(describe_dates(&[d(3), d(5)]), "2021-01-03 and 1 other day");
    }
}
