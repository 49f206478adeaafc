//! The legacy CSV, any column order, read record by record: the reader every CSV falls back
//! to, whose errors are the ones an editor sees.

use chrono::NaiveDate;

use crate::model::{CASES_METRIC, DatasetBuilder, Location, RowArea, SourceInfo, parse_date};

use super::{DashboardCsv, ReadError, check_last_line, is_blank, parse_count};

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

pub(super) fn read_csv(
    builder: &mut DatasetBuilder,
    label: &str,
    bytes: &[u8],
    release: Option<NaiveDate>,
) -> Result<usize, ReadError> {
    check_last_line(label, bytes)?;
    if let Some(parsed) = DashboardCsv::parse(bytes) {
        return Ok(parsed.commit(builder, label, release));
    }
    read_csv_general(builder, label, bytes, release)
}

/// Reads case data in any CSV layout with the general reader, record by record: what
/// [`read_data_bytes`](super::read_data_bytes) does whenever the fast [`DashboardCsv`] reader
/// gives up; the crate's tests check the two against each other.
pub(crate) fn read_csv_general(
    builder: &mut DatasetBuilder,
    label: &str,
    bytes: &[u8],
    release: Option<NaiveDate>,
) -> Result<usize, ReadError> {
    check_last_line(label, bytes)?;
    read_csv_records(builder, label, bytes, release)
}

/// The general reader over any stream of CSV (a file read a block at a time), record by
/// record: memory holds the rows read, never the text. The caller has checked the last line.
pub(super) fn read_csv_records(
    builder: &mut DatasetBuilder,
    label: &str,
    input: impl std::io::Read,
    release: Option<NaiveDate>,
) -> Result<usize, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(input);
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
                    why: format!("{} ({}) on {date}: {metric}: {why}", area.code, area.name),
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
