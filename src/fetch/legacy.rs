//! The legacy coronavirus dashboard API, for archives: v2 (`/v2/data`, one request per area
//! type and up to five metrics, with a `release` date) and v1 (`/v1/data`, `filters` and
//! `structure`, paged until a 204 or no `next`).
//!
//! Responses are read by [`crate::fetch::file`], the same code that reads downloaded files,
//! so a fetched release and a file of the same release become the same dataset.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use reqwest::{StatusCode, Url};
use serde_json::{Map, Value};

use crate::fetch::client::{Client, Expect};
use crate::fetch::error::FetchError;
use crate::fetch::file::{page_in_link, read_data_bytes, read_records};
use crate::fetch::progress::Progress;
use crate::fetch::tasks::{Gathered, check_budget, run_all};
use crate::model::DatasetBuilder;

/// The legacy API's host.
pub(crate) const DEFAULT_BASE_URL: &str = "https://api.coronavirus.data.gov.uk";
/// The v2 API refuses more metrics than this in one request.
const MAX_V2_METRICS: usize = 5;
/// The v1 server reads at most three digits of `page`.
const MAX_V1_PAGES: u32 = 999;

/// The body format asked of v2.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// `{"body": [...]}`.
    #[default]
    Json,
    /// `areaCode,areaName,areaType,date,<metrics>`.
    Csv,
}

impl Format {
    fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

fn endpoint(base: &Url, path: &[&str]) -> Result<Url, FetchError> {
    let mut url = base.clone();
    url.path_segments_mut()
        .map_err(|()| FetchError::Options(format!("{base} cannot be a base URL")))?
        .pop_if_empty()
        .extend(path);
    url.set_query(None);
    Ok(url)
}

/// A v2 request URL. `metrics` must hold one to five names.
fn v2_url(
    base: &Url,
    area_type: &str,
    area_code: Option<&str>,
    metrics: &[String],
    release: Option<NaiveDate>,
    format: Format,
) -> Result<Url, FetchError> {
    if metrics.is_empty() || metrics.len() > MAX_V2_METRICS {
        return Err(FetchError::Options(format!(
            "a v2 request takes one to {MAX_V2_METRICS} metrics, not {}",
            metrics.len()
        )));
    }
    let mut url = endpoint(base, &["v2", "data"])?;
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("areaType", area_type);
        if let Some(code) = area_code {
            query.append_pair("areaCode", code);
        }
        for metric in metrics {
            query.append_pair("metric", metric);
        }
        if let Some(release) = release {
            query.append_pair("release", &release.format("%Y-%m-%d").to_string());
        }
        query.append_pair("format", format.as_str());
    }
    Ok(url)
}

/// Fetches one v2 request. Returns the body, or `None` for a 204 (the old v2.0 answer to "no
/// data"). A JSON body that is an error object (the server wraps some errors in a 200) is an
/// error naming the URL.
async fn fetch_v2(
    client: &Client,
    url: &Url,
    format: Format,
) -> Result<Option<Vec<u8>>, FetchError> {
    let expect = match format {
        Format::Json => Expect::Json,
        Format::Csv => Expect::Csv,
    };
    let fetched = client.get(url, expect).await?;
    if fetched.status == StatusCode::NO_CONTENT {
        return Ok(None);
    }
    if format == Format::Json {
        check_v2_json(url.as_str(), &fetched.body)?;
    }
    Ok(Some(fetched.body))
}

fn check_v2_json(url: &str, body: &[u8]) -> Result<(), FetchError> {
    let doc: Value = serde_json::from_slice(body).map_err(|e| FetchError::malformed(url, &e))?;
    match &doc {
        Value::Object(map) if map.get("body").is_some_and(Value::is_array) => Ok(()),
        Value::Object(map) if map.contains_key("response") || map.contains_key("status_code") => {
            Err(FetchError::Api {
                url: url.to_string(),
                why: format!(
                    "the API answered with an error: {} (status {})",
                    map.get("response").map_or("no message".into(), show),
                    map.get("status_code").map_or("unknown".into(), show)
                ),
            })
        }
        _ => Err(FetchError::Api {
            url: url.to_string(),
            why: "expected a JSON object with a \"body\" array".into(),
        }),
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A v1 request URL for one page. The structure maps each field to itself, so the records
/// come back keyed by metric name.
fn v1_url(
    base: &Url,
    area_type: &str,
    area_code: Option<&str>,
    metrics: &[String],
    page: u32,
) -> Result<Url, FetchError> {
    if metrics.is_empty() {
        return Err(FetchError::Options("a v1 request needs a metric".into()));
    }
    let mut filters = format!("areaType={area_type}");
    if let Some(code) = area_code {
        filters.push_str(&format!(";areaCode={code}"));
    }
    let mut structure = Map::new();
    for field in ["areaType", "areaCode", "areaName", "date"]
        .into_iter()
        .chain(metrics.iter().map(String::as_str))
    {
        structure.insert(field.to_string(), Value::String(field.to_string()));
    }
    let mut url = endpoint(base, &["v1", "data"])?;
    url.query_pairs_mut()
        .append_pair("filters", &filters)
        .append_pair("structure", &Value::Object(structure).to_string())
        .append_pair("format", "json")
        .append_pair("page", &page.to_string());
    Ok(url)
}

/// Every record of a v1 query, following pages until a 204 or a null `next` (the server does
/// both). Records of the same area and date are merged, because a page boundary can split one
/// record's metrics across two pages.
async fn fetch_v1(
    client: &Client,
    base: &Url,
    area_type: &str,
    area_code: Option<&str>,
    metrics: &[String],
) -> Result<(String, Vec<Value>), FetchError> {
    let first = v1_url(base, area_type, area_code, metrics, 1)?;
    let mut merged: BTreeMap<(String, String), Map<String, Value>> = BTreeMap::new();
    let mut previous: Option<Vec<Value>> = None;
    // The last page the page before promised: its `pagination.last`, or the page its `next`
    // names.
    let mut last_page: Option<u64> = None;
    for page in 1..=MAX_V1_PAGES {
        let url = v1_url(base, area_type, area_code, metrics, page)?;
        let fetched = client.get(&url, Expect::Json).await?;
        if fetched.status == StatusCode::NO_CONTENT {
            check_page_missing(&url, page, last_page)?;
            return Ok((first.to_string(), into_records(merged)));
        }
        let doc: Value = serde_json::from_slice(&fetched.body)
            .map_err(|e| FetchError::malformed(url.as_str(), &e))?;
        let Some(data) = doc.get("data").and_then(Value::as_array) else {
            return Err(FetchError::Api {
                url: url.to_string(),
                why: "expected a JSON object with a \"data\" array".into(),
            });
        };
        // A server that ignores the page number sends the same page for ever; its records
        // merge without conflict, so only this check stops it short of the page limit.
        if !data.is_empty() && previous.as_ref() == Some(data) {
            return Err(FetchError::Api {
                url: url.to_string(),
                why: format!(
                    "page {page} repeats page {}: the server ignores the page number, so the \
                     pages never end",
                    page - 1
                ),
            });
        }
        if data.is_empty() {
            check_page_missing(&url, page, last_page)?;
            return Ok((first.to_string(), into_records(merged)));
        }
        for record in data {
            merge(&mut merged, url.as_str(), record)?;
        }
        previous = Some(data.clone());
        let pagination = doc.get("pagination");
        let link = |name: &str| {
            pagination
                .and_then(|p| p.get(name))
                .and_then(Value::as_str)
                .filter(|n| !n.trim().is_empty())
        };
        let Some(next) = link("next") else {
            return Ok((first.to_string(), into_records(merged)));
        };
        check_next_link(&url, page, next)?;
        // The page after is promised by `next`, and every page to `last` when it is given.
        last_page = Some(
            link("last")
                .and_then(page_in_link)
                .unwrap_or(u64::from(page) + 1),
        );
    }
    Err(FetchError::Api {
        url: first.to_string(),
        why: format!("still more pages after {MAX_V1_PAGES}; the server reads no further"),
    })
}

/// Refuses a page's `next` link that does not lead on: one naming this page or an earlier one
/// would send a client that follows it round for ever, and is a server fault, not the end.
fn check_next_link(url: &Url, page: u32, next: &str) -> Result<(), FetchError> {
    match page_in_link(next) {
        Some(n) if n > u64::from(page) => Ok(()),
        Some(n) => Err(FetchError::Api {
            url: url.to_string(),
            why: format!(
                "page {page} says the next page is page {n} (pagination.next is \"{next}\"): \
                 the pages loop back and would never end, so the fetch is refused"
            ),
        }),
        None => Err(FetchError::Api {
            url: url.to_string(),
            why: format!(
                "page {page} says another page follows but its link names no page \
                 (pagination.next is \"{next}\"), so the rest of the data cannot be fetched"
            ),
        }),
    }
}

/// Refuses the end of the pages (a 204 or an empty page) at a page the page before promised:
/// its `next` named it, or its `pagination.last` counts it, so the data would be read with
/// that page and every one after it missing. Past `last` the server's 204 is its documented
/// end (its `next` may still name one page more).
fn check_page_missing(url: &Url, page: u32, last_page: Option<u64>) -> Result<(), FetchError> {
    match last_page {
        Some(last) if u64::from(page) <= last => Err(FetchError::Api {
            url: url.to_string(),
            why: format!(
                "page {page} is missing (the server answered with no data), but page {} said \
                 the pages run to {last}: the data would be read cut short, so the fetch is \
                 refused",
                page - 1
            ),
        }),
        _ => Ok(()),
    }
}

fn merge(
    merged: &mut BTreeMap<(String, String), Map<String, Value>>,
    url: &str,
    record: &Value,
) -> Result<(), FetchError> {
    let Value::Object(fields) = record else {
        return Err(FetchError::Api {
            url: url.to_string(),
            why: format!("a record is not a JSON object: {record}"),
        });
    };
    let key_of = |name: &str| fields.get(name).and_then(Value::as_str).unwrap_or("");
    let key = (key_of("areaCode").to_string(), key_of("date").to_string());
    let Some(existing) = merged.get_mut(&key) else {
        merged.insert(key, fields.clone());
        return Ok(());
    };
    for (name, value) in fields {
        match existing.get(name) {
            None | Some(Value::Null) => {
                existing.insert(name.clone(), value.clone());
            }
            Some(old) if value.is_null() || old == value => {}
            Some(old) => {
                return Err(FetchError::Row {
                    url: url.to_string(),
                    area: key.0.clone(),
                    date: key.1.clone(),
                    why: format!("two records give {name} as {old} and {value}"),
                });
            }
        }
    }
    Ok(())
}

fn into_records(merged: BTreeMap<(String, String), Map<String, Value>>) -> Vec<Value> {
    merged.into_values().map(Value::Object).collect()
}

/// What a legacy fetch asks for, borrowed from the fetch's options.
pub(crate) struct Request<'a> {
    /// The legacy area type (`ltla`).
    pub area_type: &'a str,
    /// Area codes, one request chain each; empty for one chain for the whole type.
    pub areas: &'a [String],
    /// The metrics.
    pub metrics: &'a [String],
    /// v2: the release; `None` for the latest.
    pub release: Option<NaiveDate>,
    /// v2: the body format.
    pub format: Format,
}

impl Request<'_> {
    /// One request chain per area asked for; a single chain for the whole type when none
    /// were (`None` = no `areaCode` filter).
    fn area_filters(&self) -> Vec<Option<String>> {
        if self.areas.is_empty() {
            vec![None]
        } else {
            self.areas.iter().cloned().map(Some).collect()
        }
    }
}

/// Every v2 request `request` needs (up to [`MAX_V2_METRICS`] metrics and one area filter
/// each), read into one builder; a 204 is a warning.
pub(crate) async fn gather_v2(
    client: &Client,
    base: &Url,
    request: &Request<'_>,
    progress: &Arc<dyn Progress>,
) -> Result<Gathered, FetchError> {
    let codes = request.area_filters();
    let mut jobs = Vec::new();
    for chunk in request.metrics.chunks(MAX_V2_METRICS) {
        for code in &codes {
            jobs.push(v2_url(
                base,
                request.area_type,
                code.as_deref(),
                chunk,
                request.release,
                request.format,
            )?);
        }
    }
    check_budget(client, jobs.len() as u64)?;
    progress.begin(jobs.len() as u64, "v2 requests");
    let format = request.format;
    let results = run_all(jobs, progress, Url::to_string, |url| {
        let client = client.clone();
        async move {
            let body = fetch_v2(&client, &url, format).await?;
            Ok((url, body))
        }
    })
    .await?;
    let mut builder = DatasetBuilder::new();
    let mut warnings = Vec::new();
    for (url, body) in &results {
        match body {
            Some(body) => {
                read_data_bytes(&mut builder, url.as_str(), body, request.release)?;
            }
            None => warnings.push(format!("no data (HTTP 204) from {url}")),
        }
    }
    Ok(Gathered { builder, warnings })
}

/// Every v1 query `request` needs, read into one builder.
pub(crate) async fn gather_v1(
    client: &Client,
    base: &Url,
    request: &Request<'_>,
    progress: &Arc<dyn Progress>,
) -> Result<Gathered, FetchError> {
    // One chain per area, so that areas page in parallel and a page boundary can only split
    // one area's records.
    let codes = request.area_filters();
    check_budget(client, codes.len() as u64)?;
    progress.begin(codes.len() as u64, "v1 queries");
    let area_type = request.area_type.to_string();
    let results = run_all(
        codes,
        progress,
        |code| code.clone().unwrap_or_else(|| area_type.clone()),
        |code| {
            let client = client.clone();
            let base = base.clone();
            let area_type = area_type.clone();
            let metrics = request.metrics.to_vec();
            async move { fetch_v1(&client, &base, &area_type, code.as_deref(), &metrics).await }
        },
    )
    .await?;
    let mut builder = DatasetBuilder::new();
    for (label, records) in &results {
        read_records(&mut builder, label, "legacy v1 JSON", records, None)?;
    }
    Ok(Gathered {
        builder,
        warnings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_urls_repeat_the_metric_key_and_name_the_release() {
        let base = Url::parse("http://127.0.0.1:9").unwrap();
        let url = v2_url(
            &base,
            "nhsRegion",
            None,
            &["hospitalCases".into(), "covidOccupiedMVBeds".into()],
            NaiveDate::from_ymd_opt(2021, 1, 19),
            Format::Csv,
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/v2/data?areaType=nhsRegion&metric=hospitalCases\
             &metric=covidOccupiedMVBeds&release=2021-01-19&format=csv"
        );
        let six: Vec<String> = (0..6).map(|i| format!("m{i}")).collect();
        assert!(v2_url(&base, "ltla", None, &six, None, Format::Json).is_err());
    }

    #[test]
    fn v1_urls_encode_filters_and_a_compact_structure() {
        let base = Url::parse("http://127.0.0.1:9").unwrap();
        let url = v1_url(
            &base,
            "ltla",
            Some("E08000035"),
            &["newCasesBySpecimenDate".into()],
            2,
        )
        .unwrap();
        let pairs: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs["filters"], "areaType=ltla;areaCode=E08000035");
        assert_eq!(
            pairs["structure"],
            r#"{"areaCode":"areaCode","areaName":"areaName","areaType":"areaType","date":"date","newCasesBySpecimenDate":"newCasesBySpecimenDate"}"#
        );
        assert_eq!(pairs["page"], "2");
        assert!(url.as_str().contains("%7B%22"));
    }

    #[test]
    fn split_records_merge_and_contradictions_are_errors() {
        let mut merged = BTreeMap::new();
        let a = serde_json::json!({"areaCode":"E1","date":"2021-01-01","cases":5,"beds":null});
        let b = serde_json::json!({"areaCode":"E1","date":"2021-01-01","cases":null,"beds":7});
        merge(&mut merged, "u", &a).unwrap();
        merge(&mut merged, "u", &b).unwrap();
        let records = into_records(merged.clone());
        assert_eq!(records[0]["cases"], 5);
        assert_eq!(records[0]["beds"], 7);
        let c = serde_json::json!({"areaCode":"E1","date":"2021-01-01","cases":6});
        assert!(merge(&mut merged, "u", &c).is_err());
    }
}
