//! Reading dashboard data and population tables from local files (or any bytes that were
//! downloaded), telling the layouts apart by content, not by file name.
//!
//! Case data: the legacy API's CSV (`areaCode,areaName,areaType,date,<metrics>`), its v2 JSON
//! (`{"body": [...]}`, with or without `length`), its v1 JSON (`{"data": [...]}`, with the
//! `requestPayload.structure` that renamed the metrics) and a bare JSON array of records.
//! Population: `areaCode,areaName,population` and the dashboard's supplement
//! (`category,areaCode,gender,age,population`, whose `ALL` rows hold the totals).
//!
//! The readers are split by layout: `csv` the general CSV reader, `fast_csv` the fast
//! reader of the dashboard's own CSV, `json` the v1/v2 JSON, `population` the population
//! tables. This module tells the layouts apart and holds what they share.

mod csv;
mod fast_csv;
#[cfg(test)]
mod fast_csv_tests;
mod json;
mod population;

use std::path::Path;

use chrono::NaiveDate;

use crate::model::{BuildError, DatasetBuilder, Location};

pub(crate) use fast_csv::DashboardCsv;
pub(crate) use json::{page_in_link, read_records};
pub use population::{PopulationError, read_population_bytes, read_population_file};

use csv::read_csv;
use json::read_json;

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
/// A file in the dashboard's own CSV layout (with Unix or Windows line ends) is streamed
/// through [`DashboardCsv`] a block at a time; any other CSV through the general reader,
/// record by record; so that a large file never sits in memory whole. Only JSON is read
/// whole.
pub fn read_data_file(builder: &mut DatasetBuilder, path: &Path) -> Result<usize, ReadError> {
    let label = path.display().to_string();
    let io = |source| ReadError::Io {
        path: label.clone(),
        source,
    };
    crate::fsio::check_readable(path).map_err(io)?;
    let complete = ends_with_newline(path).map_err(io)?;
    if let Some(parsed) = DashboardCsv::read_file(path).map_err(io)? {
        if !complete {
            return Err(cut_short(&label, count_lines(path).map_err(io)?));
        }
        return Ok(parsed.commit(builder, &label, None));
    }
    match first_byte(path).map_err(io)? {
        None => Err(ReadError::Empty {
            source_label: label,
        }),
        Some(b'{' | b'[') => {
            let bytes = std::fs::read(path).map_err(io)?;
            read_data_bytes(builder, &label, &bytes, None)
        }
        Some(_) => {
            if !complete {
                return Err(cut_short(&label, count_lines(path).map_err(io)?));
            }
            let file = std::fs::File::open(path).map_err(io)?;
            let input = std::io::BufReader::with_capacity(1 << 16, file);
            csv::read_csv_records(builder, &label, input, None)
        }
    }
}

/// The first byte of the file that is not whitespace or a byte-order mark, as
/// [`read_data_bytes`] tells layouts apart; `None` for a file of nothing else.
fn first_byte(path: &Path) -> std::io::Result<Option<u8>> {
    use std::io::Read;
    let mut input = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut buf = [0u8; 8192];
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        if let Some(b) = buf[..n]
            .iter()
            .find(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF))
        {
            return Ok(Some(*b));
        }
    }
}

/// How many lines the file has, its last one without a newline, counted a block at a time.
fn count_lines(path: &Path) -> std::io::Result<u64> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 16];
    let mut lines = 1;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(lines);
        }
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
    }
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

/// Whether the file's last byte is a newline, read without reading the file.
fn ends_with_newline(path: &Path) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    if file.metadata()?.len() == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// Refuses CSV whose last line has no newline. Every writer of the dashboard's CSV ends each
/// row with one, so a last row without it is a file cut short: perhaps inside a number, which
/// still leaves five fields and a count that reads, only smaller. Nothing else in the row can
/// tell that apart from a real one, so the missing newline is the evidence, and the file is
/// refused rather than read as a release with a wrong last figure and areas missing after it.
pub(super) fn check_last_line(label: &str, bytes: &[u8]) -> Result<(), ReadError> {
    if bytes.is_empty() || bytes.last() == Some(&b'\n') {
        return Ok(());
    }
    let line = memchr::memchr_iter(b'\n', bytes).count() as u64 + 1;
    Err(cut_short(label, line))
}

/// A file whose last line, `line`, has no newline.
fn cut_short(label: &str, line: u64) -> ReadError {
    ReadError::Row {
        location: Location {
            source: label.to_string(),
            line,
        },
        why: "the last line is not complete (the file ends without a newline): the file was \
              cut short, and is not read as a release"
            .to_string(),
    }
}

/// A value that means "no data": blank, `null`, or the dashboard's empty markers.
pub(super) fn is_blank(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t.eq_ignore_ascii_case("null") || t.eq_ignore_ascii_case("none")
}

/// A day's count as the dashboard's CSV writes it: blank for no data, else a plain whole
/// number, `12`. Every other spelling is refused with the reason, because each is a sign of a
/// file some other program rewrote: `1e3` and `12.0` are what a spreadsheet or a float column
/// makes of a count, and reading them would publish whatever that program rounded to. A minus
/// sign on a number other than zero is read, so that the negative-counts gate (an error unless
/// the newsroom makes it a warning) names the area and the days; `-0` and `+12` say nothing a
/// plain number does not, so they are refused. Counts beyond what a day can hold are refused
/// by the builder, which knows the area and date; text too long for any integer is refused here.
pub(super) fn parse_count(s: &str) -> Result<Option<i64>, String> {
    if is_blank(s) {
        return Ok(None);
    }
    let t = s.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if negative && digits.bytes().all(|b| b == b'0') {
            return Err(not_a_count(t, "it is zero with a minus sign"));
        }
        // Twelve digits are already beyond any day's count; more would overflow the parse.
        if digits.len() > 12 {
            return Err(not_a_count(t, "it is too large to be a day's count"));
        }
        let value: i64 = digits.parse().expect("twelve digits fit");
        return Ok(Some(if negative { -value } else { value }));
    }
    Err(not_a_count(t, count_spelling(t)))
}

/// What is wrong with a count that is not a plain whole number, for the message.
pub(super) fn count_spelling(t: &str) -> &'static str {
    let lower = t.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if lower.starts_with('+') {
        "it has a plus sign"
    } else if body.starts_with("0x") {
        "it is written in hexadecimal"
    } else if ["nan", "inf", "infinity"].contains(&body) {
        "it is not a number"
    } else if body.contains('e') && body.parse::<f64>().is_ok() {
        "it is written with an exponent"
    } else if body.contains('.') && body.parse::<f64>().is_ok() {
        "it is a decimal number, which no count is"
    } else if lower.starts_with('-') && !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit())
    {
        "it has a minus sign"
    } else if t.is_empty() {
        "it is empty"
    } else {
        "it is not a number"
    }
}

/// The message for a refused count.
fn not_a_count(t: &str, why: &str) -> String {
    format!(
        "\"{t}\" is not a whole number of cases: {why}; the dashboard writes a day's count \
         as a plain whole number (12), so the value is refused rather than rounded"
    )
}
