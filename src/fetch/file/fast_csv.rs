//! The fast reader of the dashboard's own CSV of daily cases.

use std::path::Path;

use chrono::NaiveDate;

use crate::model::{DatasetBuilder, RowArea, SourceInfo};

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
    /// The header's length with its line end (`\n`, or `\r\n` in a file with Windows line
    /// ends, which this reader takes as the general one does).
    header_len: usize,
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
/// more than the comparison. The last word may overlap the one before it, so no byte is
/// compared alone.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    let word = |s: &[u8]| u64::from_ne_bytes(s.try_into().expect("eight"));
    if len < 8 {
        return a == b;
    }
    // The words' differences are gathered without a branch a word: lines of one area differ
    // only in the date, near the end, so an early exit saves nothing.
    let differ = a
        .chunks_exact(8)
        .zip(b.chunks_exact(8))
        .fold(0, |acc, (x, y)| acc | (word(x) ^ word(y)));
    differ == 0 && word(&a[len - 8..]) == word(&b[len - 8..])
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
/// minus and up to nine digits (so it fits in an `i32`). `-0` is the general reader's to
/// refuse, with its message.
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
    if negative && n == 0 {
        return Err(GiveUp);
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

/// `(y, m, d)` as `YYYY-MM-DD`.
fn written_date((y, m, d): (u32, u32, u32)) -> [u8; 10] {
    let mut text = *b"0000-00-00";
    for (i, v) in [(0, y / 100), (2, y % 100), (5, m), (8, d)] {
        text[i] = b'0' + (v / 10) as u8;
        text[i + 1] = b'0' + (v % 10) as u8;
    }
    text
}

/// Steps `ymd`, written as `written` (`YYYY-MM-DD`), to the date a run's next line would
/// have, in place; `false` past the years a dashboard date can have (both then unchanged).
#[inline(always)]
fn step_date(ymd: &mut (u32, u32, u32), written: &mut [u8], descending: bool) -> bool {
    let (y, m, d) = *ymd;
    // The usual step, newest first within a month: the day before, written by changing the
    // day's digits.
    if descending && d > 1 {
        if written[9] == b'0' {
            written[9] = b'9';
            written[8] -= 1;
        } else {
            written[9] -= 1;
        }
        *ymd = (y, m, d - 1);
        return true;
    }
    match next_across_months(*ymd, descending) {
        Some((next, text)) => {
            *ymd = next;
            written.copy_from_slice(&text);
            true
        }
        None => false,
    }
}

/// [`step_date`] when the step crosses a month, or the days rise.
#[inline(never)]
fn next_across_months(
    ymd: (u32, u32, u32),
    descending: bool,
) -> Option<((u32, u32, u32), [u8; 10])> {
    let next = if descending {
        day_before(ymd)
    } else {
        day_after(ymd)
    };
    (1..=9999)
        .contains(&next.0)
        .then(|| (next, written_date(next)))
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
    fn read_from(mut file: impl std::io::Read) -> std::io::Result<Option<DashboardCsv>> {
        const BLOCK: usize = 1 << 20;
        let mut buf = vec![0u8; BLOCK];
        let mut filled = 0;
        // The header first.
        while filled < DASHBOARD_HEADER.len() + 2 {
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
    pub(crate) fn read_file(path: &Path) -> std::io::Result<Option<DashboardCsv>> {
        use std::io::{Read, Seek, SeekFrom};
        const SPLIT_FROM: u64 = 4 << 20;
        let mut file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        if len < SPLIT_FROM || cores < 2 {
            return DashboardCsv::read_from(file);
        }
        // Only a file in the layout is worth a second thread.
        let mut head = vec![0u8; DASHBOARD_HEADER.len() + 2];
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
        let header_len = if rest.first() == Some(&b'\n') {
            DASHBOARD_HEADER.len() + 1
        } else if rest.starts_with(b"\r\n") {
            DASHBOARD_HEADER.len() + 2
        } else {
            return None;
        };
        Some(DashboardCsv {
            line: 1,
            header_len,
            ..DashboardCsv::default()
        })
    }

    /// Reads the complete lines in `bytes` (and, `at_end`, the last one without its newline),
    /// returning how many bytes were used. The header line is skipped the first time.
    fn feed(&mut self, bytes: &[u8], at_end: bool) -> Result<usize, GiveUp> {
        let mut pos = 0;
        if self.line == 1 {
            pos = self.header_len;
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

    /// The common lines, taken while they last: the current run's area fields, the date the
    /// run expects, a comma, a count of plain digits (or none) and the newline, line after
    /// line. Returns the bytes used, or `None` when the first line is not one, for
    /// [`DashboardCsv::line_of`] to read it in full. What it takes, `line_of` would take the
    /// same way. The run's state is held in locals until the last line taken: nearly every
    /// line of a dashboard file is one of these, and reading and writing the reader's fields
    /// for each cost more than the line's own bytes. The area fields, the date and the comma
    /// a line must start with are kept as one row of bytes, compared a word at a time, whose
    /// day digits are stepped for the next line.
    #[inline]
    fn next_in_run(&mut self, bytes: &[u8]) -> Option<usize> {
        let (mut ymd, text) = self.expect?;
        let descending = self.runs.last()?.descending?;
        let p = self.prefix.len();
        let head = p + 11;
        // Area fields longer than any dashboard name leave the line to `line_of`.
        let mut row = [0u8; 128];
        let row = row.get_mut(..head)?;
        row[..p].copy_from_slice(&self.prefix);
        row[p..p + 10].copy_from_slice(&text);
        row[p + 10] = b',';
        let mut values = std::mem::take(&mut self.values);
        let (mut pos, mut lines) = (0usize, 0u64);
        let mut last = None;
        // Whether a next date exists (the years run out at 9999).
        let mut more = true;
        while more {
            let line = &bytes[pos..];
            let Some(start_of_line) = line.get(..head) else {
                break;
            };
            if !same_bytes(start_of_line, row) {
                break;
            }
            let mut i = head;
            let mut n: i32 = 0;
            let digits_end = loop {
                let Some(&c) = line.get(i) else {
                    break None;
                };
                let d = c.wrapping_sub(b'0');
                if d >= 10 {
                    break Some(i);
                }
                if i - head == 9 {
                    break None;
                }
                n = n * 10 + i32::from(d);
                i += 1;
            };
            let Some(digits_end) = digits_end else {
                break;
            };
            // The line ends here: `\n`, or a Windows `\r\n`, whose `\r` is no part of the count.
            let line_end = match line[digits_end] {
                b'\n' => digits_end,
                b'\r' if line.get(digits_end + 1) == Some(&b'\n') => digits_end + 1,
                _ => break,
            };
            values.push((digits_end > head).then_some(n));
            lines += 1;
            pos += line_end + 1;
            last = Some(ymd);
            more = step_date(&mut ymd, &mut row[p..p + 10], descending);
        }
        self.values = values;
        let last = last?;
        self.line += lines;
        self.runs.last_mut().expect("a run expects a date").last_ymd = last;
        self.expect = more.then(|| {
            let mut written = [0u8; 10];
            written.copy_from_slice(&row[p..p + 10]);
            (ymd, written)
        });
        Some(pos)
    }

    /// Sets the date the current run's next line would have, if the run has a direction.
    fn expect_next(&mut self) {
        self.expect = self.runs.last().and_then(|run| {
            let (mut ymd, mut text) = (run.last_ymd, written_date(run.last_ymd));
            step_date(&mut ymd, &mut text, run.descending?).then_some((ymd, text))
        });
    }

    fn line_of(&mut self, line: &[u8]) -> Result<(), GiveUp> {
        // A Windows line end's `\r`; any other `\r` makes the line one for the general reader.
        let line = line.strip_suffix(b"\r").unwrap_or(line);
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
    pub(super) fn commit(
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// Word by word or byte by byte, two rows are equal alike, whatever their lengths and
        /// wherever they differ (one byte changed, as a line's date differs from the next).
        #[test]
        fn same_bytes_is_equality(
            a in proptest::collection::vec(any::<u8>(), 0..80),
            at in any::<prop::sample::Index>(),
            flip in 1u8..=255,
            cut in 0usize..3,
        ) {
            prop_assert!(super::same_bytes(&a, &a));
            if !a.is_empty() {
                let mut b = a.clone();
                b[at.index(a.len())] ^= flip;
                prop_assert!(!super::same_bytes(&a, &b));
            }
            let shorter = &a[..a.len().saturating_sub(cut)];
            prop_assert_eq!(super::same_bytes(&a, shorter), a.len() == shorter.len());
        }
    }
}
