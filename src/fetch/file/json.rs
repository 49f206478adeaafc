//! The legacy API's JSON: v2 (`{"body": [...]}`), v1 (`{"data": [...]}` with its
//! `requestPayload.structure`) and bare arrays of records.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::Value;

use crate::model::{CASES_METRIC, DatasetBuilder, Location, RowArea, SourceInfo, parse_date};

use super::{ReadError, is_blank, parse_count};

fn json_error(label: &str, e: &serde_json::Error) -> ReadError {
    ReadError::Json {
        source_label: label.to_string(),
        line: e.line(),
        column: e.column(),
        why: e.to_string(),
    }
}

pub(super) fn read_json(
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
                check_last_page(label, map)?;
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
pub(crate) fn read_records(
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
            if metric == CASES_METRIC {
                let count = json_count(value).map_err(|why| {
                    row_error(format!(
                        "{} ({}) on {date}: {metric}: {why}",
                        area.code, area.name
                    ))
                })?;
                builder.push_cases(source, location().line, area, date, count)?;
                continue;
            }
            let number = match value {
                Value::Number(n) => n.as_f64(),
                // Other metrics as strings are tolerated; anything else in a string is not a
                // figure we print.
                Value::String(s) if !is_blank(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            if let Some(v) = number.filter(|v| v.is_finite()) {
                builder.push_extra(source, line, area, date, metric, v);
            }
        }
    }
    Ok(source)
}

/// A day's count as the legacy API's JSON gives it: `null` for no data, else a JSON integer,
/// which is all the v1 and v2 servers ever write for a count (rates are the floats), or a
/// string holding one as the CSV would. A float (`12.0`, `1e3`, `12.5`), any other string or
/// any other value is refused, with what it is: each means a program other than the dashboard wrote the file, and a count read from it
/// would be that program's rounding. A negative integer is read for the negative-counts gate
/// to name; one beyond what a day can hold is the builder's to refuse, with the area and date.
fn json_count(value: &Value) -> Result<Option<i64>, String> {
    const WHOLE: &str = "the dashboard's JSON gives a day's count as a whole number (12), so \
                         the value is refused rather than rounded";
    let refused = |shown: &str, kind: &str| {
        format!("{shown} is not a whole number of cases: it is {kind}; {WHOLE}")
    };
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(v), _) => Ok(Some(v)),
            (None, Some(v)) => Err(refused(&v.to_string(), "too large to be a day's count")),
            (None, None) => {
                let kind = match n.as_f64() {
                    Some(f) if f.fract() != 0.0 => "a fraction",
                    Some(f) if f.abs() >= 9.2e18 => "too large to be a day's count",
                    _ => "a decimal number (a float), not an integer",
                };
                Err(refused(&n.to_string(), kind))
            }
        },
        // Some saved v1 files hold counts as strings ("32"); the text must then be what the
        // CSV would hold, a plain whole number.
        Value::String(s) => parse_count(s),
        other => Err(refused(&other.to_string(), "not a number")),
    }
}

/// Refuses a v1 page that says another follows. The v1 API answers in pages of at most 2,500
/// records, each with `pagination.next` naming the one after, or `null` on the last: a saved
/// page whose `next` names another is one page of several, and read alone it would be a
/// release with most of its areas, or most of their days, missing. Only `null`, an empty
/// `next` or no `pagination` at all (the answer to `latestBy`, which has no pages) say the
/// data are whole.
fn check_last_page(label: &str, doc: &serde_json::Map<String, Value>) -> Result<(), ReadError> {
    let next = doc.get("pagination").and_then(|p| p.get("next"));
    let next = match next {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(()),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    Err(ReadError::Layout {
        source_label: label.to_string(),
        why: format!(
            "{} of a v1 API answer says another page follows (pagination.next is \"{next}\"), \
             but only this page is here: the data are cut short and are not read; fetch every \
             page (casewire fetch --source legacy-v1 follows them) or save the whole answer",
            v1_page_name(doc)
        ),
    })
}

/// "page 2", from the page's own `requestPayload.page` or its `pagination.current` link.
fn v1_page_name(doc: &serde_json::Map<String, Value>) -> String {
    let from_payload = doc
        .get("requestPayload")
        .and_then(|p| p.get("page"))
        .and_then(Value::as_u64);
    let from_link = || {
        doc.get("pagination")
            .and_then(|p| p.get("current"))
            .and_then(Value::as_str)
            .and_then(page_in_link)
    };
    match from_payload.or_else(from_link) {
        Some(n) => format!("page {n}"),
        None => "a page".to_string(),
    }
}

/// The `page` parameter of a v1 pagination link (`/v1/data?...&page=2`), if it has one.
pub(crate) fn page_in_link(link: &str) -> Option<u64> {
    let query = link.split_once('?').map_or(link, |(_, q)| q);
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("page="))
        .and_then(|n| n.trim().parse().ok())
}
