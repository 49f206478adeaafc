//! The gates themselves, one function each, and what they share: the story's two weeks, the
//! universe's areas and the wording of counts, dates and rates.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};

use crate::lang;
use crate::model::{Area, Dataset};

use super::{AreaRef, Gate, GateConfig, GateFinding, GateInput, Severity};

/// The findings so far, recorded only for gates that are not off.
pub(super) struct Findings<'a> {
    config: &'a GateConfig,
    findings: Vec<GateFinding>,
}

impl<'a> Findings<'a> {
    pub(super) fn new(config: &'a GateConfig) -> Self {
        Self {
            config,
            findings: Vec::new(),
        }
    }

    pub(super) fn into_findings(self) -> Vec<GateFinding> {
        self.findings
    }

    pub(super) fn on(&self, gate: Gate) -> bool {
        self.config.severity.of(gate) != Severity::Off
    }

    pub(super) fn push(
        &mut self,
        gate: Gate,
        area: Option<AreaRef>,
        dates: Vec<NaiveDate>,
        message: String,
    ) {
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
pub(super) struct Weeks {
    /// First day of the previous week; the window runs from here to `end`.
    start: NaiveDate,
    /// First day of the story's week.
    this_start: NaiveDate,
    end: NaiveDate,
}

impl Weeks {
    pub(super) fn ending(end: NaiveDate) -> Option<Self> {
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

pub(super) fn area_ref(area: &Area) -> AreaRef {
    AreaRef {
        code: area.code.clone(),
        name: area.name.clone(),
    }
}

/// The universe's areas in code order, with the dataset's row for each when it has one.
fn universe_areas<'a>(input: &GateInput<'a>) -> impl Iterator<Item = (&'a str, Option<&'a Area>)> {
    // The dataset's areas are sorted by type and code, and the universe by code: the two are
    // walked side by side, rather than a search of the dataset for every area by every gate.
    let areas = &input.dataset.areas;
    let area_type = input.area_type;
    let from = areas.partition_point(|a| a.area_type.as_str() < area_type);
    let to = from + areas[from..].partition_point(|a| a.area_type == area_type);
    let mut of_type = areas[from..to].iter().peekable();
    input.universe.iter().map(move |code| {
        while of_type
            .next_if(|a| a.code.as_str() < code.as_str())
            .is_some()
        {}
        let area = of_type.next_if(|a| a.code == *code);
        (code.as_str(), area)
    })
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

/// The days of `area`'s series after `limit` that hold a value, in order. The series is one
/// slot a day from its start, so only its tail past `limit` is looked at: a release's gates
/// read every area of the universe, and most of a series lies before the limit.
fn dates_with_values_after(area: &Area, limit: NaiveDate) -> Vec<NaiveDate> {
    let skip = limit
        .signed_duration_since(area.start)
        .num_days()
        .saturating_add(1)
        .max(0);
    let skip = usize::try_from(skip).unwrap_or(usize::MAX);
    let Some(tail) = area.cases.get(skip..) else {
        return Vec::new();
    };
    tail.iter()
        .enumerate()
        .filter(|(_, v)| v.is_some())
        .filter_map(|(i, _)| area.start.checked_add_days(Days::new((skip + i) as u64)))
        .collect()
}

/// The last day of `area`'s series before `before` that holds a value, found from the end.
fn last_value_before(area: &Area, before: NaiveDate) -> Option<NaiveDate> {
    let days = before.signed_duration_since(area.start).num_days();
    let end = usize::try_from(days).ok()?.min(area.cases.len());
    let i = area.cases[..end].iter().rposition(Option::is_some)?;
    area.start.checked_add_days(Days::new(i as u64))
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
            format!(
                "{first} and {n} other {}",
                lang::agree(count(n), "day", "days")
            )
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
        let dates = dates_with_values_after(area, limit);
        if dates.is_empty() {
            continue;
        }
        let message = format!(
            "{} dated {}: {what}",
            counted(dates.len(), "count is", "counts are"),
            describe_dates(&dates)
        );
        out.push(gate, Some(area_ref(area)), dates, message);
    }
}

pub(super) fn future_dates(input: &GateInput<'_>, out: &mut Findings<'_>) {
    if let Some(today) = input.today
        && out.on(Gate::FutureDates)
    {
        dated_after(input, today, Gate::FutureDates, out);
    }
}

pub(super) fn after_release(input: &GateInput<'_>, out: &mut Findings<'_>) {
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

/// `n` and the noun that agrees with it: `1 day`, `3 days`.
pub(super) fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", lang::agree(count(n), one, many))
}

/// A count of findings as lang's helpers take it; no list comes near `i64::MAX`.
fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
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

pub(super) fn negative_counts(input: &GateInput<'_>, weeks: Option<Weeks>, out: &mut Findings<'_>) {
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

pub(super) fn window_gap(input: &GateInput<'_>, weeks: Option<Weeks>, out: &mut Findings<'_>) {
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
                counted(missing.len(), "day", "days"),
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

pub(super) fn areas_changed(input: &GateInput<'_>, out: &mut Findings<'_>) {
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

/// "1,134.8". A week of daily counts (each an `i32`) is at most about 1.5e16 tenths, well
/// inside `i64`; a ceiling beyond that is never printed, because no rate can exceed it.
fn show_rate(tenths: u128) -> String {
    i64::try_from(tenths).map_or_else(|_| tenths.to_string(), lang::rate_tenths)
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

pub(super) fn rates(input: &GateInput<'_>, weeks: Option<Weeks>, out: &mut Findings<'_>) {
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

pub(super) fn population_missing(input: &GateInput<'_>, out: &mut Findings<'_>) {
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

pub(super) fn population_shift(input: &GateInput<'_>, out: &mut Findings<'_>) {
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
                    lang::thousands(i64::try_from(now).unwrap_or(i64::MAX)),
                    input.population.source,
                    change * 100.0,
                    lang::thousands(i64::try_from(before).unwrap_or(i64::MAX)),
                    previous.source,
                    limit * 100.0
                ),
            );
        }
    }
}

pub(super) fn stale_data(input: &GateInput<'_>, out: &mut Findings<'_>) {
    if !out.on(Gate::StaleData) {
        return;
    }
    let max_age = i64::from(input.config.max_data_age_days);
    let mut stale = Vec::new();
    let mut latest_overall: Option<NaiveDate> = None;
    let mut areas_with_data = 0usize;
    for (code, area) in universe_areas(input) {
        let Some(area) = area else { continue };
        let latest = last_value_before(area, input.release);
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

/// Populations no real area has: 0, above the ceiling, or a factor beyond the configured one
/// from the previous table or from the population the source's own published rolling rate
/// and sum imply (sum × 100,000 ÷ rate), the one figure the data carry that depends on it.
pub(super) fn implausible_population(input: &GateInput<'_>, out: &mut Findings<'_>) {
    if !out.on(Gate::ImplausiblePopulation) {
        return;
    }
    let config = input.config;
    let factor = if config.population_factor.is_nan() || config.population_factor < 1.0 {
        1.0
    } else {
        config.population_factor
    };
    let source = &input.population.source;
    let show = |n: u64| lang::thousands(i64::try_from(n).unwrap_or(i64::MAX));
    let far = |now: u64, other: f64| {
        let now = now as f64;
        other > 0.0 && (now > other * factor || now * factor < other)
    };
    for (code, area) in universe_areas(input) {
        let Some(pop) = input.population.get(code) else {
            continue;
        };
        let why = if pop == 0 {
            format!("population is 0 in {source}; no area has no people")
        } else if pop > config.population_ceiling {
            format!(
                "population {} in {source} is above {}, more than any UK area holds; every \
                 rate of the area would be wrong",
                show(pop),
                show(config.population_ceiling)
            )
        } else if let Some(before) = input.previous_population.and_then(|p| p.get(code))
            && far(pop, before as f64)
        {
            format!(
                "population {} in {source} is more than {factor} times from {} in {}",
                show(pop),
                show(before),
                input.previous_population.map_or("", |p| p.source.as_str())
            )
        } else if let Some(implied) = area.and_then(|a| implied_population(a, input.week_end))
            && far(pop, implied)
        {
            format!(
                "population {} in {source} is more than {factor} times from the {} the \
                 source's own rolling rate and sum imply",
                show(pop),
                show(implied.round() as u64)
            )
        } else {
            continue;
        };
        out.push(
            Gate::ImplausiblePopulation,
            Some(code_ref(code, area)),
            Vec::new(),
            why,
        );
    }
}

/// The population behind the source's published rolling rate: its rolling sum × 100,000 ÷
/// its rate, on the latest day up to `week_end` with both.
fn implied_population(area: &Area, week_end: NaiveDate) -> Option<f64> {
    let rates = area.extra.get(crate::model::ROLLING_RATE_METRIC)?;
    rates
        .iter()
        .rev()
        .filter(|(d, rate)| *d <= week_end && *rate > 0.0)
        .find_map(|&(d, rate)| {
            let sum = area.extra_on(crate::model::ROLLING_SUM_METRIC, d)?;
            (sum > 0.0).then(|| sum * 100_000.0 / rate)
        })
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

    proptest::proptest! {
        /// The tail lookups answer as a walk over every day of the series would.
        #[test]
        fn the_tail_lookups_agree_with_a_walk_over_every_day(
            cases in proptest::collection::vec(proptest::option::of(-3i32..50), 0..40),
            start in 0u64..60,
            limit in 0u64..120,
        ) {
            let base = NaiveDate::from_ymd_opt(2020, 12, 20).unwrap();
            let area = Area {
                code: "E09000001".into(),
                name: "Somewhere".into(),
                area_type: "ltla".into(),
                start: base + Days::new(start),
                cases,
                extra: Default::default(),
                sources: vec![0],
            };
            let limit = base + Days::new(limit);
            let walked: Vec<(NaiveDate, i32)> = area
                .start
                .iter_days()
                .zip(area.cases.iter())
                .filter_map(|(d, v)| v.map(|v| (d, v)))
                .collect();
            let after: Vec<NaiveDate> =
                walked.iter().map(|(d, _)| *d).filter(|d| *d > limit).collect();
            proptest::prop_assert_eq!(dates_with_values_after(&area, limit), after);
            let before = walked.iter().map(|(d, _)| *d).rfind(|d| *d < limit);
            proptest::prop_assert_eq!(last_value_before(&area, limit), before);
        }
    }

    /// The side-by-side walk finds each universe code's row as a search of the dataset does,
    /// with codes the data lack, codes under another type, and areas outside the universe.
    #[test]
    fn the_universe_walk_finds_each_area_a_search_finds() {
        let area = |area_type: &str, code: &str| Area {
            code: code.into(),
            name: code.into(),
            area_type: area_type.into(),
            start: NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(),
            cases: vec![Some(1)],
            extra: Default::default(),
            sources: vec![0],
        };
        let dataset = Dataset {
            areas: vec![
                area("ltla", "E06000001"),
                area("ltla", "E06000003"),
                area("ltla", "E09000006"),
                area("nation", "E92000001"),
                area("utla", "E06000001"),
                area("utla", "E10000002"),
            ],
            ..Dataset::default()
        };
        let population = crate::model::Population::default();
        let config = GateConfig::default();
        for area_type in ["ltla", "utla", "nation", "msoa"] {
            let universe: BTreeSet<String> = [
                "E06000001",
                "E06000002",
                "E06000003",
                "E09000006",
                "E10000002",
                "E92000001",
                "W06000001",
            ]
            .into_iter()
            .map(String::from)
            .collect();
            let input = GateInput {
                dataset: &dataset,
                area_type,
                universe: &universe,
                release: NaiveDate::from_ymd_opt(2021, 1, 18).unwrap(),
                week_end: NaiveDate::from_ymd_opt(2021, 1, 14).unwrap(),
                today: None,
                population: &population,
                previous_population: None,
                previous_dataset: None,
                config: &config,
            };
            let walked: Vec<(&str, Option<&Area>)> = universe_areas(&input).collect();
            let searched: Vec<(&str, Option<&Area>)> = universe
                .iter()
                .map(|c| (c.as_str(), dataset.area(area_type, c)))
                .collect();
            assert_eq!(walked, searched, "{area_type}");
        }
    }
}
