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
    BuildError, CASES_METRIC, DatasetBuilder, Location, Population, RowArea, SourceInfo,
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
pub fn read_data_file(builder: &mut DatasetBuilder, path: &Path) -> Result<usize, ReadError> {
    let label = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io {
        path: label.clone(),
        source,
    })?;
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
