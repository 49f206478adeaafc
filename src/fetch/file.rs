//! Reading dashboard data and population tables from local files (or any bytes that were
//! downloaded), telling the layouts apart by content, not by file name.
//!
//! Case data: the legacy API's CSV (`areaCode,areaName,areaType,date,<metrics>`), its v2 JSON
//! (`{"body": [...]}`, with or without `length`), its v1 JSON (`{"data": [...]}`, with the
//! `requestPayload.structure` that renamed the metrics) and a bare JSON array of records.
//! Population: `areaCode,areaName,population` and the dashboard's supplement
//! (`category,areaCode,gender,age,population`, whose `ALL` rows hold the totals).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde_json::Value;

use crate::model::{
    BuildError, CASES_METRIC, DatasetBuilder, Location, Population, RowArea, SourceInfo, parse_date,
};

/// Why a file could not be read as dashboard data.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is empty.
    #[error("{source_label} is empty")]
    Empty {
        /// The file.
        source_label: String,
    },
    /// The content is neither of the layouts we know.
    #[error("{source_label}: {why}")]
    Layout {
        /// The file.
        source_label: String,
        /// What was expected and what was found.
        why: String,
    },
    /// A CSV record could not be read.
    #[error("{location}: {why}")]
    Row {
        /// The file and line.
        location: Location,
        /// What is wrong with it.
        why: String,
    },
    /// The JSON is malformed.
    #[error("{source_label}: malformed JSON at line {line}, column {column}: {why}")]
    Json {
        /// The file.
        source_label: String,
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// serde_json's description.
        why: String,
    },
    /// The rows do not fit together.
    #[error(transparent)]
    Build(#[from] BuildError),
}

/// Reads a file of case data into `builder`.
///
/// A file in the dashboard's own CSV layout is streamed through [`DashboardCsv`] a block at a
/// time, so that a large file never sits in memory whole; anything else is read whole.
pub fn read_data_file(builder: &mut DatasetBuilder, path: &Path) -> Result<usize, ReadError> {
    let label = path.display().to_string();
    let io = |source| ReadError::Io {
        path: label.clone(),
        source,
    };
    if let Some(parsed) = DashboardCsv::read_file(path).map_err(io)? {
        return Ok(parsed.commit(builder, &label, None));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    read_data_bytes(builder, &label, &bytes, None)
}

/// Reads case data from bytes (a file's or a response's) into `builder`, registering `label` as
/// the source. Returns the source id.
pub fn read_data_bytes(
    builder: &mut DatasetBuilder,
    label: &str,
    bytes: &[u8],
    release: Option<NaiveDate>,
) -> Result<usize, ReadError> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    let Some(start) = start else {
        return Err(ReadError::Empty {
            source_label: label.to_string(),
        });
    };
    match bytes[start] {
        b'{' | b'[' => read_json(builder, label, bytes, release),
        _ => read_csv(builder, label, bytes, release),
    }
}

/// A value that means "no data": blank, `null`, or the dashboard's empty markers.
fn is_blank(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t.eq_ignore_ascii_case("null") || t.eq_ignore_ascii_case("none")
}

fn parse_count(s: &str) -> Result<Option<i64>, String> {
    if is_blank(s) {
        return Ok(None);
    }
    let t = s.trim();
    if let Ok(v) = t.parse::<i64>() {
        return Ok(Some(v));
    }
    // Counts sometimes come through as "12.0"; a fraction is not a count.
    match t.parse::<f64>() {
        Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => Ok(Some(f as i64)),
        _ => Err(format!("\"{t}\" is not a whole number of cases")),
    }
}

struct Columns {
    code: usize,
    name: Option<usize>,
    area_type: Option<usize>,
    date: usize,
    metrics: Vec<(usize, String)>,
}

fn csv_columns(label: &str, headers: &csv::StringRecord) -> Result<Columns, ReadError> {
    let find = |name: &str| headers.iter().position(|h| h.trim() == name);
    let found = || headers.iter().collect::<Vec<_>>().join(",");
    let (Some(code), Some(date)) = (find("areaCode"), find("date")) else {
        return Err(ReadError::Layout {
            source_label: label.to_string(),
            why: format!(
                "not dashboard data: expected a CSV header with areaCode and date \
                 (areaCode,areaName,areaType,date,<metrics>), found \"{}\"",
                found()
            ),
        });
    };
    let name = find("areaName");
    let area_type = find("areaType");
    let metrics: Vec<(usize, String)> = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| ![Some(code), Some(date), name, area_type].contains(&Some(*i)))
        .map(|(i, h)| (i, h.trim().to_string()))
        .collect();
    if metrics.is_empty() {
        return Err(ReadError::Layout {
            source_label: label.to_string(),
            why: format!("no metric columns in the header \"{}\"", found()),
        });
    }
    Ok(Columns {
        code,
        name,
        area_type,
        date,
        metrics,
    })
}

fn read_csv(
    builder: &mut DatasetBuilder,
    label: &str,
    bytes: &[u8],
    release: Option<NaiveDate>,
) -> Result<usize, ReadError> {
    if let Some(parsed) = DashboardCsv::parse(bytes) {
        return Ok(parsed.commit(builder, label, release));
    }
    read_csv_general(builder, label, bytes, release)
}

/// Reads case data in any CSV layout with the general reader, record by record: what
/// [`read_data_bytes`] does whenever the fast [`DashboardCsv`] reader gives up. Public so that
/// the two can be checked against each other.
pub fn read_csv_general(
    builder: &mut DatasetBuilder,
    label: &str,
    bytes: &[u8],
    release: Option<NaiveDate>,
) -> Result<usize, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| ReadError::Layout {
            source_label: label.to_string(),
            why: format!("cannot read the CSV header: {e}"),
        })?
        .clone();
    let cols = csv_columns(label, &headers)?;
    let source = builder.add_source(SourceInfo {
        label: label.to_string(),
        layout: "legacy dashboard CSV".to_string(),
        release,
    });
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            ReadError::Row {
                location: Location {
                    source: label.to_string(),
                    line,
                },
                why: match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("expected {expected_len} fields like the header, found {len}"),
                    csv::ErrorKind::Utf8 { .. } => "the line is not valid UTF-8".to_string(),
                    _ => e.to_string(),
                },
            }
        })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        let location = || Location {
            source: label.to_string(),
            line,
        };
        let code = record[cols.code].trim();
        if code.is_empty() {
            return Err(ReadError::Row {
                location: location(),
                why: "the areaCode is empty".to_string(),
            });
        }
        let date_text = record[cols.date].trim();
        let date = parse_date(date_text).ok_or_else(|| ReadError::Row {
            location: location(),
            why: format!("\"{date_text}\" is not a date in the form YYYY-MM-DD"),
        })?;
        let area = RowArea {
            code,
            name: cols.name.map_or(code, |i| record[i].trim()),
            area_type: cols.area_type.map_or("unknown", |i| record[i].trim()),
        };
        for (i, metric) in &cols.metrics {
            let text = &record[*i];
            if metric == CASES_METRIC {
                let value = parse_count(text).map_err(|why| ReadError::Row {
                    location: location(),
                    why: format!("{metric}: {why}"),
                })?;
                builder.push_cases(source, line, area, date, value)?;
            } else if !is_blank(text)
                && let Ok(v) = text.trim().parse::<f64>()
                && v.is_finite()
            {
                // Other columns are kept when numeric; text columns (a direction, say) are
                // not figures we print.
                builder.push_extra(source, line, area, date, metric, v);
            }
        }
    }
    Ok(source)
}

/// The exact header of the dashboard's CSV of daily cases, the layout [`DashboardCsv`] reads.
const DASHBOARD_HEADER: &[u8] = b"areaCode,areaName,areaType,date,newCasesBySpecimenDate";

/// A run of one area's counts on consecutive lines, one day apart.
#[derive(Debug)]
struct ParsedRun {
    code: String,
    name: String,
    area_type: String,
    first_line: u64,
    first_day: NaiveDate,
    last_ymd: (u32, u32, u32),
    /// Set from the run's second line: days fall (the dashboard's order) or rise.
    descending: Option<bool>,
    values: Vec<Option<i32>>,
}

impl ParsedRun {
    /// A run opened at line `first_line`; its first day is set when its first date is read.
    fn open(code: String, name: String, area_type: String, first_line: u64) -> ParsedRun {
        ParsedRun {
            code,
            name,
            area_type,
            first_line,
            first_day: NaiveDate::MIN,
            last_ymd: (0, 0, 0),
            descending: None,
            values: Vec::new(),
        }
    }
}

/// A fast reader for the one layout the dashboard serves most: exactly the header
/// `areaCode,areaName,areaType,date,newCasesBySpecimenDate`, one record a line, dates as
/// `YYYY-MM-DD`, counts as plain whole numbers or blank, names plain or simply quoted.
///
/// It reads bytes, not records: a line whose area fields are byte for byte those of the line
/// before (nearly every line) is checked by one comparison, and an area's days go straight
/// into one dense run ([`DatasetBuilder::push_case_run`]), with no allocation per line.
///
/// It only accepts what it is sure of. At the first line it is not (a quote it does not
/// expect, padding, `null`, a count too large, a blank line, a malformed date, ...), it gives
/// up, having touched nothing, and the general CSV reader reads the file instead, so that every
/// error message and every edge case is the general reader's. What it accepts, it reads into
/// exactly the rows the general reader would push, in the same order.
#[derive(Debug, Default)]
pub struct DashboardCsv {
    runs: Vec<ParsedRun>,
    /// The raw `code,name,type,` of the current run's lines.
    prefix: Vec<u8>,
    /// The line number of the next line (the header is line 1).
    line: u64,
    /// The current run's counts.
    values: Vec<Option<i32>>,
    /// The date the current run's next line would have, once its direction is known, and
    /// that date as it is written.
    expect: Option<((u32, u32, u32), [u8; 10])>,
}

/// Why the fast reader gave up: the general reader is needed.
struct GiveUp;

fn two_digits(b: &[u8]) -> Option<u32> {
    let (h, l) = (b[0].wrapping_sub(b'0'), b[1].wrapping_sub(b'0'));
    (h < 10 && l < 10).then(|| u32::from(h) * 10 + u32::from(l))
}

/// `YYYY-MM-DD` as numbers, not yet checked as a calendar date.
fn ymd(b: &[u8]) -> Option<(u32, u32, u32)> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = two_digits(&b[0..2])? * 100 + two_digits(&b[2..4])?;
    Some((y, two_digits(&b[5..7])?, two_digits(&b[8..10])?))
}

/// Whether two short byte strings are equal, compared eight bytes at a time: the area fields
/// of a line are compared with the line before's on every line, and a call to `memcmp` costs
/// more than the comparison.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut x = a.chunks_exact(8);
    let mut y = b.chunks_exact(8);
    for (p, q) in (&mut x).zip(&mut y) {
        if u64::from_ne_bytes(p.try_into().expect("eight"))
            != u64::from_ne_bytes(q.try_into().expect("eight"))
        {
            return false;
        }
    }
    x.remainder()
        .iter()
        .zip(y.remainder())
        .fold(true, |same, (p, q)| same & (p == q))
}

/// A written date and the one expected, compared as two words.
#[inline]
fn same_date(a: &[u8], b: &[u8; 10]) -> bool {
    u64::from_ne_bytes(a[..8].try_into().expect("eight"))
        == u64::from_ne_bytes(b[..8].try_into().expect("eight"))
        && a[8] == b[8]
        && a[9] == b[9]
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400)) => 29,
        2 => 28,
        _ => 31,
    }
}

/// The day before and after a valid date, as numbers.
fn day_before((y, m, d): (u32, u32, u32)) -> (u32, u32, u32) {
    match (m, d) {
        (1, 1) => (y.wrapping_sub(1), 12, 31),
        (_, 1) => (y, m - 1, days_in_month(y, m - 1)),
        _ => (y, m, d - 1),
    }
}

fn day_after((y, m, d): (u32, u32, u32)) -> (u32, u32, u32) {
    if d < days_in_month(y, m) {
        (y, m, d + 1)
    } else if m < 12 {
        (y, m + 1, 1)
    } else {
        (y + 1, 1, 1)
    }
}

/// A count as the general reader would read it, if it is plainly one: blank, or an optional
/// minus and up to nine digits (so it fits in an `i32`).
fn plain_count(b: &[u8]) -> Result<Option<i32>, GiveUp> {
    let (negative, digits) = match b.split_first() {
        None => return Ok(None),
        Some((b'-', rest)) => (true, rest),
        Some(_) => (false, b),
    };
    if digits.is_empty() || digits.len() > 9 {
        return Err(GiveUp);
    }
    let mut n: i32 = 0;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d >= 10 {
            return Err(GiveUp);
        }
        n = n * 10 + i32::from(d);
    }
    Ok(Some(if negative { -n } else { n }))
}

/// One field of the area prefix and the rest of the line after its comma. A plain field has
/// no quote; a quoted one is `"..."` with `""` for a quote, followed by the comma.
fn prefix_field(b: &[u8]) -> Result<(String, &[u8]), GiveUp> {
    let (raw, rest): (std::borrow::Cow<'_, [u8]>, &[u8]) = if b.first() == Some(&b'"') {
        let mut out = Vec::new();
        let mut i = 1;
        loop {
            match b.get(i) {
                None | Some(b'\r') => return Err(GiveUp),
                Some(b'"') if b.get(i + 1) == Some(&b'"') => {
                    out.push(b'"');
                    i += 2;
                }
                Some(b'"') if b.get(i + 1) == Some(&b',') => break,
                Some(b'"') => return Err(GiveUp),
                Some(&c) => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        (out.into(), &b[i + 2..])
    } else {
        let comma = memchr::memchr(b',', b).ok_or(GiveUp)?;
        let field = &b[..comma];
        if field.contains(&b'"') || field.contains(&b'\r') {
            return Err(GiveUp);
        }
        (field.into(), &b[comma + 1..])
    };
    let text = std::str::from_utf8(&raw).map_err(|_| GiveUp)?;
    Ok((text.trim().to_string(), rest))
}

impl DashboardCsv {
    /// Reads `bytes` if they are in the layout this reader takes; `None` if the general
    /// reader is needed.
    pub fn parse(bytes: &[u8]) -> Option<DashboardCsv> {
        let mut reader = DashboardCsv::new(bytes)?;
        let used = reader.feed(bytes, true).ok()?;
        debug_assert_eq!(used, bytes.len());
        Some(reader)
    }

    /// Streams a file through the reader a block at a time. `Ok(None)` if the general reader is
    /// needed.
    pub fn read_from(mut file: impl std::io::Read) -> std::io::Result<Option<DashboardCsv>> {
        const BLOCK: usize = 1 << 20;
        let mut buf = vec![0u8; BLOCK];
        let mut filled = 0;
        // The header first.
        while filled < DASHBOARD_HEADER.len() + 1 {
            let n = file.read(&mut buf[filled..])?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        let Some(reader) = DashboardCsv::new(&buf[..filled]) else {
            return Ok(None);
        };
        DashboardCsv::stream_from(file, reader, buf, filled)
    }

    /// Streams the rest of `file` through `reader`.
    fn stream(
        file: impl std::io::Read,
        reader: DashboardCsv,
    ) -> std::io::Result<Option<DashboardCsv>> {
        DashboardCsv::stream_from(file, reader, vec![0u8; 1 << 20], 0)
    }

    /// Streams `file` through `reader`, `buf[..filled]` having been read already.
    fn stream_from(
        mut file: impl std::io::Read,
        mut reader: DashboardCsv,
        mut buf: Vec<u8>,
        mut filled: usize,
    ) -> std::io::Result<Option<DashboardCsv>> {
        loop {
            let Ok(used) = reader.feed(&buf[..filled], false) else {
                return Ok(None);
            };
            buf.copy_within(used..filled, 0);
            filled -= used;
            if filled == buf.len() {
                // A line longer than a block is no dashboard line.
                return Ok(None);
            }
            let n = file.read(&mut buf[filled..])?;
            if n == 0 {
                return Ok(reader.feed(&buf[..filled], true).ok().map(|_| reader));
            }
            filled += n;
        }
    }

    /// Reads a file as [`DashboardCsv::read_from`] does; a large file in two halves on two
    /// threads when the machine has two cores. The second half starts at the first line after
    /// the middle; its runs follow the first half's, their line numbers shifted by the first
    /// half's lines. An area cut in two by the middle has two runs, which the builder puts
    /// together as it does any area given in several runs.
    pub fn read_file(path: &Path) -> std::io::Result<Option<DashboardCsv>> {
        use std::io::{Read, Seek, SeekFrom};
        const SPLIT_FROM: u64 = 4 << 20;
        let mut file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        if len < SPLIT_FROM || cores < 2 {
            return DashboardCsv::read_from(file);
        }
        // Only a file in the layout is worth a second thread.
        let mut head = vec![0u8; DASHBOARD_HEADER.len() + 1];
        file.read_exact(&mut head)?;
        if DashboardCsv::new(&head).is_none() {
            return Ok(None);
        }
        // The second half starts after the first newline past the middle.
        let middle = len / 2;
        file.seek(SeekFrom::Start(middle))?;
        let mut probe = vec![0u8; 64 << 10];
        let n = file.read(&mut probe)?;
        let Some(newline) = memchr::memchr(b'\n', &probe[..n]) else {
            file.rewind()?;
            return DashboardCsv::read_from(file);
        };
        let second_start = middle + newline as u64 + 1;
        let first = std::fs::File::open(path)?.take(second_start);
        let (first, second) = std::thread::scope(|scope| {
            let second = scope.spawn(move || -> std::io::Result<Option<DashboardCsv>> {
                file.seek(SeekFrom::Start(second_start))?;
                DashboardCsv::stream(file, DashboardCsv::continuation())
            });
            let first = DashboardCsv::read_from(first);
            (
                first,
                second.join().expect("the reading thread does not panic"),
            )
        });
        let (Some(mut first), Some(second)) = (first?, second?) else {
            return Ok(None);
        };
        // `line` is the number of the next line: 2 where the second half started counting.
        let shift = first.line - 2;
        first.runs.extend(second.runs.into_iter().map(|mut run| {
            run.first_line += shift;
            run
        }));
        first.line += second.line - 2;
        Ok(Some(first))
    }

    /// A reader for lines in the middle of a file: no header, lines counted from 2 (where the
    /// header's reader would start).
    fn continuation() -> DashboardCsv {
        DashboardCsv {
            line: 2,
            ..DashboardCsv::default()
        }
    }

    /// A reader positioned after the header, if `start` begins with the exact header line.
    fn new(start: &[u8]) -> Option<DashboardCsv> {
        let rest = start.strip_prefix(DASHBOARD_HEADER)?;
        if rest.first() != Some(&b'\n') {
            return None;
        }
        Some(DashboardCsv {
            line: 1,
            ..DashboardCsv::default()
        })
    }

    /// Reads the complete lines in `bytes` (and, `at_end`, the last one without its newline),
    /// returning how many bytes were used. The header line is skipped the first time.
    fn feed(&mut self, bytes: &[u8], at_end: bool) -> Result<usize, GiveUp> {
        let mut pos = 0;
        if self.line == 1 {
            pos = DASHBOARD_HEADER.len() + 1;
            self.line = 2;
        }
        while pos < bytes.len() {
            if let Some(used) = self.next_in_run(&bytes[pos..]) {
                pos += used;
                continue;
            }
            let (line, next) = match memchr::memchr(b'\n', &bytes[pos..]) {
                Some(n) => (&bytes[pos..pos + n], pos + n + 1),
                None if at_end => (&bytes[pos..], bytes.len()),
                None => break,
            };
            self.line_of(line)?;
            pos = next;
        }
        if at_end {
            self.close_run();
        }
        Ok(pos)
    }

    /// The common line, taken in one pass: the current run's area fields, the date the run
    /// expects, a comma, a count of plain digits (or none) and the newline. Returns the bytes
    /// used, or `None` for [`DashboardCsv::line_of`] to read the line in full. What it takes,
    /// `line_of` would take the same way.
    #[inline]
    fn next_in_run(&mut self, bytes: &[u8]) -> Option<usize> {
        let (ymd, text) = self.expect?;
        let p = self.prefix.len();
        let after = bytes.get(p..p + 11)?;
        if !same_bytes(&bytes[..p], &self.prefix)
            || !same_date(&after[..10], &text)
            || after[10] != b','
        {
            return None;
        }
        let start = p + 11;
        let mut i = start;
        let mut n: i32 = 0;
        loop {
            let c = *bytes.get(i)?;
            let d = c.wrapping_sub(b'0');
            if d >= 10 {
                if c != b'\n' {
                    return None;
                }
                break;
            }
            if i - start == 9 {
                return None;
            }
            n = n * 10 + i32::from(d);
            i += 1;
        }
        self.values.push((i > start).then_some(n));
        self.line += 1;
        let run = self.runs.last_mut().expect("a run expects a date");
        run.last_ymd = ymd;
        self.expect_next();
        Some(i + 1)
    }

    /// Sets the date the current run's next line would have, if the run has a direction.
    fn expect_next(&mut self) {
        // The usual step, newest first within a month: the day before, written by changing
        // the day's digits.
        if let Some(((y, m, d), mut text)) = self.expect
            && d > 1
            && self.runs.last().is_some_and(|r| r.descending == Some(true))
        {
            if text[9] == b'0' {
                text[9] = b'9';
                text[8] -= 1;
            } else {
                text[9] -= 1;
            }
            self.expect = Some(((y, m, d - 1), text));
            return;
        }
        self.expect = self.runs.last().and_then(|run| {
            let next = match run.descending? {
                true => day_before(run.last_ymd),
                false => day_after(run.last_ymd),
            };
            let (y, m, d) = next;
            if !(1..=9999).contains(&y) {
                return None;
            }
            let mut text = *b"0000-00-00";
            for (i, v) in [(0, y / 100), (2, y % 100), (5, m), (8, d)] {
                text[i] = b'0' + (v / 10) as u8;
                text[i + 1] = b'0' + (v % 10) as u8;
            }
            Some((next, text))
        });
    }

    fn line_of(&mut self, line: &[u8]) -> Result<(), GiveUp> {
        // Whatever this line is, the run's expectation is set again once it is read.
        self.expect = None;
        let number = self.line;
        self.line += 1;
        let same_area = !self.prefix.is_empty() && line.starts_with(&self.prefix);
        let rest = if same_area {
            &line[self.prefix.len()..]
        } else {
            let (code, rest) = prefix_field(line)?;
            let (name, rest) = prefix_field(rest)?;
            let (area_type, rest) = prefix_field(rest)?;
            if code.is_empty() {
                return Err(GiveUp);
            }
            self.close_run();
            self.prefix.clear();
            self.prefix
                .extend_from_slice(&line[..line.len() - rest.len()]);
            // A placeholder run; its first day is set below.
            self.runs
                .push(ParsedRun::open(code, name, area_type, number));
            rest
        };
        if rest.len() < 11 || rest[10] != b',' {
            return Err(GiveUp);
        }
        let date = ymd(&rest[..10]).ok_or(GiveUp)?;
        let value = plain_count(&rest[11..])?;
        let run = self.runs.last_mut().expect("a run was opened");
        if same_area {
            let follows = match run.descending {
                Some(true) => date == day_before(run.last_ymd),
                Some(false) => date == day_after(run.last_ymd),
                None if date == day_before(run.last_ymd) => {
                    run.descending = Some(true);
                    true
                }
                None if date == day_after(run.last_ymd) => {
                    run.descending = Some(false);
                    true
                }
                None => false,
            };
            if follows {
                run.last_ymd = date;
                self.values.push(value);
                self.expect_next();
                return Ok(());
            }
            // The same area, but not the next day: a new run of it.
            let (code, name, area_type) =
                (run.code.clone(), run.name.clone(), run.area_type.clone());
            self.close_run();
            self.runs
                .push(ParsedRun::open(code, name, area_type, number));
        }
        let run = self.runs.last_mut().expect("a run was opened");
        run.first_day = NaiveDate::from_ymd_opt(date.0 as i32, date.1, date.2).ok_or(GiveUp)?;
        run.last_ymd = date;
        self.values.push(value);
        self.expect_next();
        Ok(())
    }

    /// Moves the current run's counts into it, sized exactly.
    fn close_run(&mut self) {
        if let Some(run) = self.runs.last_mut()
            && run.values.is_empty()
        {
            run.values = self.values.as_slice().into();
        }
        self.values.clear();
    }

    /// Registers the source and pushes every run, in the file's order.
    fn commit(
        self,
        builder: &mut DatasetBuilder,
        label: &str,
        release: Option<NaiveDate>,
    ) -> usize {
        let source = builder.add_source(SourceInfo {
            label: label.to_string(),
            layout: "legacy dashboard CSV".to_string(),
            release,
        });
        for run in self.runs {
            let area = RowArea {
                code: &run.code,
                name: &run.name,
                area_type: &run.area_type,
            };
            builder.push_case_run(
                source,
                run.first_line,
                area,
                run.first_day,
                run.descending != Some(false),
                run.values,
            );
        }
        source
    }
}

fn json_error(label: &str, e: &serde_json::Error) -> ReadError {
    ReadError::Json {
        source_label: label.to_string(),
        line: e.line(),
        column: e.column(),
        why: e.to_string(),
    }
}

fn read_json(
    builder: &mut DatasetBuilder,
    label: &str,
    bytes: &[u8],
    release: Option<NaiveDate>,
) -> Result<usize, ReadError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| json_error(label, &e))?;
    let layout_error = |why: String| ReadError::Layout {
        source_label: label.to_string(),
        why,
    };
    // v1 lets a caller rename metrics in `structure`; map the keys back to metric names.
    let mut rename: BTreeMap<String, String> = BTreeMap::new();
    let (records, layout) = match &doc {
        Value::Array(records) => (records, "JSON array of records"),
        Value::Object(map) => {
            if let Some(Value::Array(body)) = map.get("body") {
                (body, "legacy v2 JSON")
            } else if let Some(Value::Array(data)) = map.get("data") {
                if let Some(Value::Object(structure)) =
                    map.get("requestPayload").and_then(|p| p.get("structure"))
                {
                    for (key, metric) in structure {
                        if let Value::String(metric) = metric {
                            rename.insert(key.clone(), metric.clone());
                        }
                    }
                }
                (data, "legacy v1 JSON")
            } else {
                let keys: Vec<&str> = map.keys().map(String::as_str).collect();
                return Err(layout_error(format!(
                    "not dashboard data: expected a JSON object with a \"body\" (v2) or \"data\" \
                     (v1) array, found keys {keys:?}"
                )));
            }
        }
        _ => {
            return Err(layout_error(
                "not dashboard data: expected a JSON object or array".to_string(),
            ));
        }
    };
    push_records(builder, label, layout, records, &rename, release)
}

/// Reads already-parsed JSON records (objects keyed `areaCode`, `areaName`, `areaType`,
/// `date` and metric names) into `builder` as one source; for API responses whose envelope the
/// caller has taken apart, e.g. v1 pages merged by area and date. Returns the source id.
pub fn read_records(
    builder: &mut DatasetBuilder,
    label: &str,
    layout: &str,
    records: &[Value],
    release: Option<NaiveDate>,
) -> Result<usize, ReadError> {
    push_records(builder, label, layout, records, &BTreeMap::new(), release)
}

fn push_records(
    builder: &mut DatasetBuilder,
    label: &str,
    layout: &str,
    records: &[Value],
    rename: &BTreeMap<String, String>,
    release: Option<NaiveDate>,
) -> Result<usize, ReadError> {
    let source = builder.add_source(SourceInfo {
        label: label.to_string(),
        layout: layout.to_string(),
        release,
    });
    for (i, record) in records.iter().enumerate() {
        let line = i as u64 + 1;
        let location = || Location {
            source: label.to_string(),
            line,
        };
        let row_error = |why: String| ReadError::Row {
            location: Location {
                source: format!("{label} record"),
                line,
            },
            why,
        };
        let Value::Object(fields) = record else {
            return Err(row_error("is not a JSON object".to_string()));
        };
        let mut code = None;
        let mut name = None;
        let mut area_type = None;
        let mut date = None;
        let mut metrics: Vec<(&str, &Value)> = Vec::new();
        for (key, value) in fields {
            let key = rename.get(key).map_or(key.as_str(), String::as_str);
            match key {
                "areaCode" => code = value.as_str(),
                "areaName" => name = value.as_str(),
                "areaType" => area_type = value.as_str(),
                "date" => date = value.as_str(),
                _ => metrics.push((key, value)),
            }
        }
        let code = code
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| row_error("has no areaCode".to_string()))?
            .trim();
        let date_text = date.ok_or_else(|| row_error("has no date".to_string()))?;
        let date = parse_date(date_text.trim()).ok_or_else(|| {
            row_error(format!(
                "\"{date_text}\" is not a date in the form YYYY-MM-DD"
            ))
        })?;
        let area = RowArea {
            code,
            name: name.map_or(code, str::trim),
            area_type: area_type.map_or("unknown", str::trim),
        };
        for (metric, value) in metrics {
            let number = match value {
                Value::Null => None,
                Value::Number(n) => n.as_f64(),
                // Numbers as strings are tolerated; anything else in a string is not a figure.
                Value::String(s) if is_blank(s) => None,
                Value::String(s) => match s.trim().parse::<f64>() {
                    Ok(v) => Some(v),
                    Err(_) if metric == CASES_METRIC => {
                        return Err(row_error(format!(
                            "{metric}: \"{s}\" is not a whole number of cases"
                        )));
                    }
                    Err(_) => continue,
                },
                _ if metric == CASES_METRIC => {
                    return Err(row_error(format!(
                        "{metric}: {value} is not a whole number of cases"
                    )));
                }
                _ => continue,
            };
            if metric == CASES_METRIC {
                let count = match number {
                    None => None,
                    Some(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 => {
                        Some(v as i64)
                    }
                    Some(v) => {
                        return Err(row_error(format!(
                            "{metric}: {v} is not a whole number of cases"
                        )));
                    }
                };
                builder.push_cases(source, location().line, area, date, count)?;
            } else if let Some(v) = number.filter(|v| v.is_finite()) {
                builder.push_extra(source, line, area, date, metric, v);
            }
        }
    }
    Ok(source)
}

/// Why a population table could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PopulationError {
    /// The file could not be read.
    #[error("cannot read population table {path}")]
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The header is not one of the layouts we know.
    #[error(
        "{source_label}: not a population table: expected a header \"areaCode,areaName,population\" \
         or \"category,areaCode,gender,age,population\", found \"{found}\""
    )]
    Layout {
        /// The file.
        source_label: String,
        /// The header found.
        found: String,
    },
    /// A row is malformed.
    #[error("{location}: {why}")]
    Row {
        /// Where.
        location: Location,
        /// What is wrong.
        why: String,
    },
    /// The table has no totals at all.
    #[error("{source_label}: no population totals found")]
    Empty {
        /// The file.
        source_label: String,
    },
}

/// Reads a population table, in either layout the dashboard used.
///
/// When a code is given twice (the mid-2019 table lists Hackney alone and then Hackney with the
/// City of London under the same code), the later row wins: that is how the dashboard's merged
/// areas are written. Each such override is listed in the returned notes.
pub fn read_population_file(path: &Path) -> Result<(Population, Vec<String>), PopulationError> {
    let label = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| PopulationError::Io {
        path: label.clone(),
        source,
    })?;
    read_population_bytes(&label, &bytes)
}

/// Reads a population table from bytes; see [`read_population_file`].
pub fn read_population_bytes(
    label: &str,
    bytes: &[u8],
) -> Result<(Population, Vec<String>), PopulationError> {
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| PopulationError::Row {
            location: Location {
                source: label.to_string(),
                line: 1,
            },
            why: e.to_string(),
        })?
        .clone();
    let find = |name: &str| headers.iter().position(|h| h.trim() == name);
    let found = headers.iter().collect::<Vec<_>>().join(",");
    let (Some(code_col), Some(pop_col)) = (find("areaCode"), find("population")) else {
        return Err(PopulationError::Layout {
            source_label: label.to_string(),
            found,
        });
    };
    let category = find("category");
    let gender = find("gender");
    let age = find("age");
    let layout = if category.is_some() {
        "dashboard population supplement (category=ALL totals)"
    } else {
        "areaCode,areaName,population"
    };
    let mut by_code: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader
            .read_record(&mut record)
            .map_err(|e| PopulationError::Row {
                location: Location {
                    source: label.to_string(),
                    line: e.position().map_or(0, |p| p.line()),
                },
                why: e.to_string(),
            })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        let is_total = |col: Option<usize>| col.is_none_or(|i| record[i].trim() == "ALL");
        if !(is_total(category) && is_total(gender) && is_total(age)) {
            continue;
        }
        let code = record[code_col].trim().to_string();
        let text = record[pop_col].trim();
        let population: u64 = match text.parse::<u64>() {
            Ok(p) if p > 0 => p,
            _ => {
                return Err(PopulationError::Row {
                    location: Location {
                        source: label.to_string(),
                        line,
                    },
                    why: format!("population of {code} is \"{text}\", not a positive whole number"),
                });
            }
        };
        if let Some((old, old_line)) = by_code.insert(code.clone(), (population, line))
            && old != population
        {
            notes.push(format!(
                "{label}: {code} is given twice; line {line} ({population}) is used over line \
                 {old_line} ({old})"
            ));
        }
    }
    if by_code.is_empty() {
        return Err(PopulationError::Empty {
            source_label: label.to_string(),
        });
    }
    Ok((
        Population {
            by_code: by_code.into_iter().map(|(k, (p, _))| (k, p)).collect(),
            source: label.to_string(),
            layout: layout.to_string(),
        },
        notes,
    ))
}
