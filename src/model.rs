//! The normalised dataset every source is read into, and the small value types shared by the
//! stages after it.
//!
//! Whatever went in (a legacy CSV, a v2 or v1 JSON envelope, the UKHSA API, the local archive),
//! what comes out is a [`Dataset`]: one [`Area`] per area code, each with a dense run of daily
//! case counts by specimen date. A day with no data is `None`, never zero.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Days, NaiveDate};
use serde::Serialize;

mod text;

pub use text::{code_point, find_forbidden, forbidden_char, show_forbidden, slug};

/// The metric casewire writes about: new cases by specimen date.
pub const CASES_METRIC: &str = "newCasesBySpecimenDate";
/// A rolling 7-day sum some dashboard files carry; read only to cross-check our own sums.
pub const ROLLING_SUM_METRIC: &str = "newCasesBySpecimenDateRollingSum";
/// A rolling 7-day rate some dashboard files carry; read only to cross-check our own rates.
pub(crate) const ROLLING_RATE_METRIC: &str = "newCasesBySpecimenDateRollingRate";
/// The dashboard's metric for patients in hospital with Covid-19.
pub(crate) const HOSPITAL_CASES: &str = "hospitalCases";
/// The dashboard's metric for Covid-19 patients in mechanically ventilated beds.
pub(crate) const VENTILATED_BEDS: &str = "covidOccupiedMVBeds";
/// The UKHSA data dashboard's metric for beds occupied by Covid-19 patients: the same count as
/// the legacy `hospitalCases`. (It publishes no ventilation figure, so a UKHSA story gives
/// patients only.)
pub(crate) const UKHSA_OCCUPIED_BEDS: &str = "COVID-19_healthcare_occupiedBedsByDay";

/// Where a value came from: a file (or URL, or archive entry) and a line in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// A path, URL or archive key, as the user would recognise it.
    pub source: String,
    /// 1-based line number in a CSV; for JSON, the 1-based index of the record.
    pub line: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.source, self.line)
    }
}

/// One source that went into a dataset, for provenance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceInfo {
    /// A path, URL or archive key.
    pub label: String,
    /// The layout that was recognised ("legacy CSV", "v2 JSON", ...).
    pub layout: String,
    /// The release the data were published in, when the source says so.
    pub release: Option<NaiveDate>,
}

/// One area's daily series and the other metrics its source carried.
#[derive(Clone, Debug, PartialEq)]
pub struct Area {
    /// ONS area code, e.g. `E09000006`.
    pub code: String,
    /// Name as the dashboard gives it, e.g. `Bromley`.
    pub name: String,
    /// Dashboard area type: `ltla`, `utla`, `nation`, `nhsRegion`, ...
    pub area_type: String,
    /// The date of `cases[0]`.
    pub start: NaiveDate,
    /// New cases by specimen date, one entry a day from `start`; `None` where no value was given.
    pub cases: Vec<Option<i32>>,
    /// Other numeric metrics the source carried (rolling sums and rates, hospital figures),
    /// by metric name, sorted by date. Kept sparse: most files carry none.
    pub extra: BTreeMap<String, Vec<(NaiveDate, f64)>>,
    /// Indices into [`Dataset::sources`] of the sources that gave this area's rows.
    pub sources: Vec<usize>,
}

impl Area {
    /// The last date with a slot in the series (whether or not it holds a value).
    pub fn end(&self) -> Option<NaiveDate> {
        let len = self.cases.len() as u64;
        (len > 0).then(|| self.start + Days::new(len - 1))
    }

    /// The count on `date`: `None` when the day is outside the series or has no value.
    pub fn cases_on(&self, date: NaiveDate) -> Option<i32> {
        let offset = date.signed_duration_since(self.start).num_days();
        if offset < 0 {
            return None;
        }
        self.cases.get(offset as usize).copied().flatten()
    }

    /// The value of another metric on `date`, if the source carried it.
    pub fn extra_on(&self, metric: &str, date: NaiveDate) -> Option<f64> {
        let series = self.extra.get(metric)?;
        series
            .binary_search_by_key(&date, |(d, _)| *d)
            .ok()
            .map(|i| series[i].1)
    }
}

/// Everything read from one or more sources, normalised.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dataset {
    /// Areas sorted by area type, then code. The same code can appear under two types (a
    /// unitary authority is both upper and lower tier).
    pub areas: Vec<Area>,
    /// The sources the rows came from, in the order they were read.
    pub sources: Vec<SourceInfo>,
    /// Things worth telling a human that do not stop the work (a renamed area, say).
    pub warnings: Vec<String>,
}

impl Dataset {
    /// The area of this type with this code.
    pub fn area(&self, area_type: &str, code: &str) -> Option<&Area> {
        self.index_of(area_type, code).map(|i| &self.areas[i])
    }

    /// The index in [`Dataset::areas`] of the area of this type with this code.
    pub(crate) fn index_of(&self, area_type: &str, code: &str) -> Option<usize> {
        self.areas
            .binary_search_by(|a| (a.area_type.as_str(), a.code.as_str()).cmp(&(area_type, code)))
            .ok()
    }

    /// The first and last dates any area has a case count slot for.
    pub(crate) fn date_range(&self) -> Option<(NaiveDate, NaiveDate)> {
        let first = self
            .areas
            .iter()
            .filter(|a| !a.cases.is_empty())
            .map(|a| a.start)
            .min()?;
        let last = self.areas.iter().filter_map(Area::end).max()?;
        Some((first, last))
    }

    /// The distinct area types that have case counts, sorted.
    pub(crate) fn area_types(&self) -> Vec<&str> {
        let mut types: Vec<&str> = self
            .areas
            .iter()
            .filter(|a| !a.cases.is_empty())
            .map(|a| a.area_type.as_str())
            .collect();
        types.sort_unstable();
        types.dedup();
        types
    }

    /// Human labels of the sources, joined for messages.
    pub(crate) fn source_labels(&self) -> String {
        self.sources
            .iter()
            .map(|s| s.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Population by area code, from one table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Population {
    /// Population by area code.
    pub by_code: BTreeMap<String, u64>,
    /// The file or URL it was read from.
    pub source: String,
    /// The layout that was recognised.
    pub layout: String,
}

impl Population {
    /// The population of the area with this code.
    pub fn get(&self, code: &str) -> Option<u64> {
        self.by_code.get(code).copied()
    }
}

/// Two rows that give different values for the same area, metric and date.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// Area code.
    pub area: String,
    /// Area type.
    pub area_type: String,
    /// Metric name.
    pub metric: String,
    /// The date both rows give.
    pub date: NaiveDate,
    /// Where the first row is.
    pub first: Location,
    /// Its value.
    pub first_value: String,
    /// Where the second row is.
    pub second: Location,
    /// Its value.
    pub second_value: String,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "conflicting rows for {} ({}) on {}: {} is {} at {} but {} at {}",
            self.area,
            self.area_type,
            self.date,
            self.metric,
            self.first_value,
            self.first,
            self.second_value,
            self.second
        )
    }
}

/// Why a set of rows could not become a dataset.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Two rows give different values for the same area, metric and date.
    #[error("{0}")]
    Conflict(Box<Conflict>),
    /// A name, code or area type holding a character no name may hold (see
    /// [`forbidden_char`]).
    #[error(
        "{location}: area {area}: the {field} holds {code_point}, {kind}; it would break the \
         front matter or chart, or change the name without showing, so the data are refused"
    )]
    Forbidden {
        /// Where the row is.
        location: Location,
        /// The area's code (and name), hostile characters shown as code points.
        area: String,
        /// `name`, `code` or `area type`.
        field: &'static str,
        /// `U+202E`.
        code_point: String,
        /// "a bidi control".
        kind: &'static str,
    },
    /// Two areas of one type that would share a file name in an every-area run.
    #[error(
        "two {area_type} areas, {first} and {second}, {why}; one place would be counted twice \
         or written over, so the data are refused"
    )]
    SameFileName {
        /// The area type.
        area_type: String,
        /// One area, `name (code)`.
        first: String,
        /// The other.
        second: String,
        /// What they share.
        why: String,
    },
    /// A count outside what any real day could hold.
    #[error(
        "{location}: {area} on {date}: count {value} is out of range: no day's count comes near \
         it (at most 2147483647 is read), so the value is refused"
    )]
    OutOfRange {
        /// Where the row is.
        location: Location,
        /// Area code.
        area: String,
        /// The date.
        date: NaiveDate,
        /// The value as read.
        value: i64,
    },
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    day: i32,
    value: Option<i32>,
    source: u32,
    line: u32,
}

/// Daily counts from consecutive lines of one source, one day apart: what a dashboard CSV holds
/// for an area. Kept as one dense run rather than an [`Entry`] a row, which costs a fifth of the
/// memory and, for the usual area with one run, no sort at all.
#[derive(Debug)]
struct CaseRun {
    source: u32,
    first_line: u64,
    first_day: i32,
    /// Days fall line by line (the dashboard's newest-first order) rather than rise.
    descending: bool,
    values: Vec<Option<i32>>,
}

impl CaseRun {
    fn entries(&self) -> impl Iterator<Item = Entry> + '_ {
        let step = if self.descending { -1 } else { 1 };
        self.values
            .iter()
            .enumerate()
            .map(move |(k, &value)| Entry {
                day: self.first_day + step * k as i32,
                value,
                source: self.source,
                line: u32::try_from(self.first_line + k as u64).unwrap_or(u32::MAX),
            })
    }
}

#[derive(Debug)]
struct PendingArea {
    code: String,
    area_type: String,
    /// Every name seen, with the latest date it was seen on and where.
    names: Vec<(String, NaiveDate, Location)>,
    entries: Vec<Entry>,
    runs: Vec<CaseRun>,
    extra: BTreeMap<String, Vec<(NaiveDate, f64, u32, u32)>>,
}

/// Collects rows from any source, then checks and normalises them into a [`Dataset`].
///
/// Rows may arrive in any order and from several sources. Identical repeats of a row are
/// collapsed; rows that disagree are an error naming both.
#[derive(Debug, Default)]
pub struct DatasetBuilder {
    areas: Vec<PendingArea>,
    index: std::collections::HashMap<(String, String), usize>,
    sources: Vec<SourceInfo>,
    last: Option<usize>,
    /// The first name, code or area type refused, returned by [`DatasetBuilder::finish`].
    refused: Option<BuildError>,
}

/// The area fields every row carries.
#[derive(Clone, Copy, Debug)]
pub struct RowArea<'a> {
    /// Area code.
    pub code: &'a str,
    /// Area name.
    pub name: &'a str,
    /// Area type.
    pub area_type: &'a str,
}

fn day_number(date: NaiveDate) -> i32 {
    use chrono::Datelike;
    date.num_days_from_ce()
}

fn from_day_number(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).expect("day numbers come from real dates")
}

impl DatasetBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a source; rows pushed with the returned id are attributed to it.
    pub fn add_source(&mut self, info: SourceInfo) -> usize {
        self.sources.push(info);
        self.sources.len() - 1
    }

    fn area_slot(&mut self, area: RowArea<'_>) -> usize {
        if let Some(i) = self.last {
            let a = &self.areas[i];
            if a.code == area.code && a.area_type == area.area_type {
                return i;
            }
        }
        let key = (area.area_type.to_string(), area.code.to_string());
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                self.areas.push(PendingArea {
                    code: area.code.to_string(),
                    area_type: area.area_type.to_string(),
                    names: Vec::new(),
                    entries: Vec::new(),
                    runs: Vec::new(),
                    extra: BTreeMap::new(),
                });
                self.index.insert(key, self.areas.len() - 1);
                self.areas.len() - 1
            }
        };
        self.last = Some(i);
        i
    }

    fn note_name(&mut self, slot: usize, name: &str, date: NaiveDate, source: usize, line: u64) {
        let names = &mut self.areas[slot].names;
        if let Some(seen) = names.iter_mut().find(|(n, _, _)| n == name) {
            if date > seen.1 {
                seen.1 = date;
            }
            return;
        }
        let location = Location {
            source: self.sources[source].label.clone(),
            line,
        };
        // Checked where a name is first seen, so every reader (and the archive) meets one
        // rule at the cost of a check per area, not per row.
        if self.refused.is_none() {
            let area = &self.areas[slot];
            let fields = [("name", name)];
            let first = area.names.is_empty().then_some([
                ("code", area.code.as_str()),
                ("area type", area.area_type.as_str()),
            ]);
            let bad = fields
                .into_iter()
                .chain(first.into_iter().flatten())
                .find_map(|(field, text)| {
                    find_forbidden(text).map(|(_, c, kind)| (field, c, kind))
                });
            if let Some((field, c, kind)) = bad {
                let code = show_forbidden(&area.code);
                let area = if field == "code" {
                    code
                } else {
                    format!("{code} (\"{}\")", show_forbidden(name))
                };
                self.refused = Some(BuildError::Forbidden {
                    location: location.clone(),
                    area,
                    field,
                    code_point: code_point(c),
                    kind,
                });
            }
        }
        self.areas[slot]
            .names
            .push((name.to_string(), date, location));
    }

    /// Adds one day's case count (`None` for a null or blank value).
    pub fn push_cases(
        &mut self,
        source: usize,
        line: u64,
        area: RowArea<'_>,
        date: NaiveDate,
        value: Option<i64>,
    ) -> Result<(), BuildError> {
        let value = match value {
            Some(v) => Some(i32::try_from(v).map_err(|_| BuildError::OutOfRange {
                location: Location {
                    source: self.sources[source].label.clone(),
                    line,
                },
                area: area.code.to_string(),
                date,
                value: v,
            })?),
            None => None,
        };
        let slot = self.area_slot(area);
        self.note_name(slot, area.name, date, source, line);
        self.areas[slot].entries.push(Entry {
            day: day_number(date),
            value,
            source: source as u32,
            line: u32::try_from(line).unwrap_or(u32::MAX),
        });
        Ok(())
    }

    /// Adds the case counts of consecutive lines of one source, one day apart: `values[k]` is
    /// on line `first_line + k`, dated `first_date` minus `k` days when `descending` (the
    /// dashboard's newest-first order), plus `k` days otherwise. The same as calling
    /// [`DatasetBuilder::push_cases`] for each line in turn, for less memory and time.
    pub(crate) fn push_case_run(
        &mut self,
        source: usize,
        first_line: u64,
        area: RowArea<'_>,
        first_date: NaiveDate,
        descending: bool,
        values: Vec<Option<i32>>,
    ) {
        let Some(last) = values.len().checked_sub(1) else {
            return;
        };
        let latest = if descending {
            first_date
        } else {
            first_date + Days::new(last as u64)
        };
        let slot = self.area_slot(area);
        // One call with the run's latest date leaves the names as a call per line would: a
        // new name is located at the run's first line, and each name keeps its latest date.
        self.note_name(slot, area.name, latest, source, first_line);
        self.areas[slot].runs.push(CaseRun {
            source: source as u32,
            first_line,
            first_day: day_number(first_date),
            descending,
            values,
        });
    }

    /// Adds one day's value of another metric.
    pub(crate) fn push_extra(
        &mut self,
        source: usize,
        line: u64,
        area: RowArea<'_>,
        date: NaiveDate,
        metric: &str,
        value: f64,
    ) {
        let slot = self.area_slot(area);
        self.note_name(slot, area.name, date, source, line);
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        let pending = &mut self.areas[slot];
        match pending.extra.get_mut(metric) {
            Some(series) => series.push((date, value, source as u32, line)),
            None => {
                pending
                    .extra
                    .insert(metric.to_string(), vec![(date, value, source as u32, line)]);
            }
        }
    }

    /// Checks the rows and builds the dataset.
    pub fn finish(mut self) -> Result<Dataset, BuildError> {
        if let Some(refused) = self.refused.take() {
            return Err(refused);
        }
        let mut warnings = Vec::new();
        let mut areas = Vec::with_capacity(self.areas.len());
        for mut pending in self.areas {
            let mut sources: Vec<usize> = Vec::new();
            let mut deduped: Vec<Entry> = Vec::new();
            // The usual case: one run and nothing else. Its days are distinct and consecutive,
            // so it is already the dense series, with nothing to sort, collapse or check.
            let mut dense: Option<(i32, Vec<Option<i32>>)> = None;
            if pending.entries.is_empty() && pending.runs.len() == 1 {
                let run = pending.runs.pop().expect("one run");
                sources.push(run.source as usize);
                let mut values = run.values;
                let first = if run.descending {
                    values.reverse();
                    run.first_day - (values.len() as i32 - 1)
                } else {
                    run.first_day
                };
                dense = Some((first, values));
            }
            for run in std::mem::take(&mut pending.runs) {
                pending.entries.extend(run.entries());
            }
            // Sources usually list an area newest first; a reverse makes the sort almost free.
            if pending.entries.len() > 1 && pending.entries[0].day > pending.entries[1].day {
                pending.entries.reverse();
            }
            pending.entries.sort_by_key(|e| (e.day, e.source, e.line));
            deduped.reserve(pending.entries.len());
            for e in pending.entries {
                if !sources.contains(&(e.source as usize)) {
                    sources.push(e.source as usize);
                }
                if let Some(prev) = deduped.last()
                    && prev.day == e.day
                {
                    if prev.value != e.value {
                        return Err(BuildError::Conflict(Box::new(Conflict {
                            area: pending.code,
                            area_type: pending.area_type,
                            metric: CASES_METRIC.to_string(),
                            date: from_day_number(e.day),
                            first: Location {
                                source: self.sources[prev.source as usize].label.clone(),
                                line: u64::from(prev.line),
                            },
                            first_value: show_count(prev.value),
                            second: Location {
                                source: self.sources[e.source as usize].label.clone(),
                                line: u64::from(e.line),
                            },
                            second_value: show_count(e.value),
                        })));
                    }
                    continue;
                }
                deduped.push(e);
            }
            let mut extra = BTreeMap::new();
            for (metric, mut series) in pending.extra {
                series.sort_by_key(|a| (a.0, a.2, a.3));
                let mut out: Vec<(NaiveDate, f64)> = Vec::with_capacity(series.len());
                let mut last_loc: Option<(u32, u32)> = None;
                for (date, value, source, line) in series {
                    if !sources.contains(&(source as usize)) {
                        sources.push(source as usize);
                    }
                    if let Some(&(prev_date, prev_value)) = out.last()
                        && prev_date == date
                    {
                        if prev_value != value {
                            let (ps, pl) = last_loc.expect("set with every push");
                            return Err(BuildError::Conflict(Box::new(Conflict {
                                area: pending.code,
                                area_type: pending.area_type,
                                metric,
                                date,
                                first: Location {
                                    source: self.sources[ps as usize].label.clone(),
                                    line: u64::from(pl),
                                },
                                first_value: prev_value.to_string(),
                                second: Location {
                                    source: self.sources[source as usize].label.clone(),
                                    line: u64::from(line),
                                },
                                second_value: value.to_string(),
                            })));
                        }
                        continue;
                    }
                    out.push((date, value));
                    last_loc = Some((source, line));
                }
                extra.insert(metric, out);
            }
            sources.sort_unstable();
            // The name on the most recent date is the one a reader knows today.
            pending
                .names
                .sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let name = pending
                .names
                .first()
                .map(|n| n.0.clone())
                .unwrap_or_else(|| pending.code.clone());
            if pending.names.len() > 1 {
                let others: Vec<String> = pending.names[1..]
                    .iter()
                    .map(|(n, _, loc)| format!("\"{n}\" ({loc})"))
                    .collect();
                warnings.push(format!(
                    "area {} is also named {}; using \"{}\", its name on the latest date",
                    pending.code,
                    others.join(", "),
                    name
                ));
            }
            let (start, cases) = match (dense, deduped.first(), deduped.last()) {
                (Some((first, values)), _, _) => (from_day_number(first), values),
                (None, Some(first), Some(last)) => {
                    let mut cases = vec![None; (last.day - first.day + 1) as usize];
                    for e in &deduped {
                        cases[(e.day - first.day) as usize] = e.value;
                    }
                    (from_day_number(first.day), cases)
                }
                (None, _, _) => {
                    let start = extra
                        .values()
                        .filter_map(|s: &Vec<(NaiveDate, f64)>| s.first().map(|p| p.0))
                        .min()
                        .unwrap_or_default();
                    (start, Vec::new())
                }
            };
            areas.push(Area {
                code: pending.code,
                name,
                area_type: pending.area_type,
                start,
                cases,
                extra,
                sources,
            });
        }
        areas.sort_by(|a, b| (&a.area_type, &a.code).cmp(&(&b.area_type, &b.code)));
        check_file_names(&areas)?;
        Ok(Dataset {
            areas,
            sources: self.sources,
            warnings,
        })
    }
}

/// Refuses two areas of one type whose codes differ only in case or punctuation
/// (`E09000001`, `e09000001`, `E09-000001`), or whose every-area file names
/// ([`slug`]) are the same: one file would hold one of them, and every count of
/// areas would hold the place twice.
fn check_file_names(areas: &[Area]) -> Result<(), BuildError> {
    let mut codes: std::collections::HashMap<(&str, String), usize> = Default::default();
    let mut slugs: std::collections::HashMap<(&str, String), usize> = Default::default();
    let show = |a: &Area| format!("{} ({})", a.name, a.code);
    for (i, a) in areas.iter().enumerate() {
        let folded: String = a
            .code
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_uppercase)
            .collect();
        let file = slug(&a.name, &a.code);
        let clash = match codes.insert((&a.area_type, folded), i) {
            Some(j) => Some((
                j,
                "have codes that differ only in case or punctuation".to_string(),
            )),
            None => slugs
                .insert((&a.area_type, file.clone()), i)
                .map(|j| (j, format!("would both be written as {file}.md"))),
        };
        if let Some((j, why)) = clash {
            return Err(BuildError::SameFileName {
                area_type: a.area_type.clone(),
                first: show(&areas[j]),
                second: show(a),
                why,
            });
        }
    }
    Ok(())
}

fn show_count(value: Option<i32>) -> String {
    value.map_or_else(|| "no data".to_string(), |v| v.to_string())
}
/// Parses `YYYY-MM-DD` without the generality (and cost) of a format string.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut n = 0u32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(c - b'0');
        }
        Some(n)
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}
