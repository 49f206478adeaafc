//! The UKHSA data dashboard API, the live source.
//!
//! Data are addressed by path: theme / sub-theme / topic / geography type / geography (by
//! *name*) / metric, one geography and one metric per request. The time-series endpoint pages
//! its rows (at most 365 a page, oldest first) and filters only by exact match (`year`, `date`,
//! `stratum`, `age`, `sex`), so the way to ask for less is a `year` per request chain.

use std::sync::Arc;

use chrono::NaiveDate;
use reqwest::Url;
use serde::Deserialize;

use crate::fetch::client::{Client, Expect};
use crate::fetch::error::FetchError;
use crate::fetch::progress::Progress;
use crate::fetch::tasks::{Gathered, check_budget, run_all};
use crate::model::parse_date;
use crate::model::{DatasetBuilder, RowArea, SourceInfo};

/// The public API's host.
pub(crate) const DEFAULT_BASE_URL: &str = "https://api.ukhsa-dashboard.data.gov.uk";
/// Cases by specimen date, the series casewire writes about.
pub(crate) const DEFAULT_METRIC: &str = "COVID-19_cases_casesByDay";
/// The largest page the API serves; anything smaller only costs more requests.
const PAGE_SIZE: u32 = 365;
/// A request chain longer than this is a server that never ends its `next` links.
const MAX_PAGES: usize = 1000;

/// Where a topic sits in the API's hierarchy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topic {
    /// e.g. `infectious_disease`.
    pub theme: String,
    /// e.g. `respiratory`.
    pub sub_theme: String,
    /// e.g. `COVID-19`.
    pub topic: String,
}

impl Default for Topic {
    fn default() -> Self {
        Self {
            theme: "infectious_disease".into(),
            sub_theme: "respiratory".into(),
            topic: "COVID-19".into(),
        }
    }
}

/// The exact-match filters the time-series endpoint takes. `None` sends nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filters {
    /// Only rows of this year; the main way to keep a fetch small.
    pub year: Option<i32>,
    /// Only the row of this date.
    pub date: Option<NaiveDate>,
    /// `default` for the headline series.
    pub stratum: Option<String>,
    /// `all` for the headline series, or a band like `00-04`.
    pub age: Option<String>,
    /// `all`, `m` or `f`.
    pub sex: Option<String>,
}

impl Default for Filters {
    /// The headline series: a metric broken down by age or sex otherwise returns several rows
    /// a day, which would contradict each other in the dataset.
    fn default() -> Self {
        Self {
            year: None,
            date: None,
            stratum: Some("default".into()),
            age: Some("all".into()),
            sex: Some("all".into()),
        }
    }
}

/// One row of a time series, as the API serialises it. Lenient: the API's schema has drifted
/// before, so fields we do not need may be missing.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Row {
    /// e.g. `Lower Tier Local Authority`.
    #[serde(default)]
    pub geography_type: String,
    /// The geography's name, e.g. `Leeds`.
    #[serde(default)]
    pub geography: String,
    /// ONS code; nullable in the API's model.
    #[serde(default)]
    pub geography_code: Option<String>,
    /// The metric's name.
    #[serde(default)]
    pub metric: String,
    /// The stratum.
    #[serde(default)]
    pub stratum: Option<String>,
    /// The age band.
    #[serde(default)]
    pub age: Option<String>,
    /// The sex.
    #[serde(default)]
    pub sex: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The value; a JSON number (floats even for counts), `null` for no data. The field
    /// itself must be there: a response without it (renamed, dropped) is schema drift, and
    /// reading it as a series of "no data" would print a story about missing figures.
    #[serde(deserialize_with = "Option::deserialize")]
    pub metric_value: Option<f64>,
    /// True when the value may still change in a later update (the last days by specimen
    /// date); absent in older responses.
    #[serde(default)]
    pub in_reporting_delay_period: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct Page {
    /// Rows in the whole series, when the API says.
    #[serde(default)]
    count: Option<u64>,
    #[serde(default)]
    next: Option<String>,
    results: Vec<Row>,
}

#[derive(Debug, Deserialize)]
struct Link {
    name: String,
}

/// The URL of a path under the topic, each segment percent-encoded (names hold spaces and
/// commas, e.g. `Lower Tier Local Authority`, `Bristol, City of`).
fn topic_url(base: &Url, topic: &Topic, tail: &[&str]) -> Result<Url, FetchError> {
    let mut url = base.clone();
    {
        let mut segments = url.path_segments_mut().map_err(|()| {
            FetchError::Options(format!("{base} cannot be a base URL for the UKHSA API"))
        })?;
        segments.pop_if_empty();
        segments.extend([
            "themes",
            topic.theme.as_str(),
            "sub_themes",
            topic.sub_theme.as_str(),
            "topics",
            topic.topic.as_str(),
        ]);
        segments.extend(tail);
    }
    url.set_query(None);
    Ok(url)
}

/// The first page's URL of a metric's time series for one geography.
fn series_url(
    base: &Url,
    topic: &Topic,
    geography_type: &str,
    geography: &str,
    metric: &str,
    filters: &Filters,
) -> Result<Url, FetchError> {
    let mut url = topic_url(
        base,
        topic,
        &[
            "geography_types",
            geography_type,
            "geographies",
            geography,
            "metrics",
            metric,
        ],
    )?;
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("page_size", &PAGE_SIZE.to_string());
        if let Some(year) = filters.year {
            query.append_pair("year", &year.to_string());
        }
        if let Some(date) = filters.date {
            query.append_pair("date", &date.format("%Y-%m-%d").to_string());
        }
        for (key, value) in [
            ("stratum", &filters.stratum),
            ("age", &filters.age),
            ("sex", &filters.sex),
        ] {
            if let Some(value) = value {
                query.append_pair(key, value);
            }
        }
    }
    Ok(url)
}

/// The names of every geography of a type under the topic (e.g. all lower-tier local
/// authorities). One request: the list views are not paginated.
async fn list_geographies(
    client: &Client,
    base: &Url,
    topic: &Topic,
    geography_type: &str,
) -> Result<Vec<String>, FetchError> {
    let url = topic_url(
        base,
        topic,
        &["geography_types", geography_type, "geographies"],
    )?;
    let fetched = client.get(&url, Expect::Json).await?;
    let links: Vec<Link> = serde_json::from_slice(&fetched.body)
        .map_err(|e| FetchError::malformed(url.as_str(), &e))?;
    if links.is_empty() {
        return Err(FetchError::Api {
            url: url.to_string(),
            why: format!("no geographies of type \"{geography_type}\" under this topic"),
        });
    }
    Ok(links.into_iter().map(|l| l.name).collect())
}

/// Resolves a `next` link. The API gives absolute URLs naming its public host; when the base
/// URL is another host (a test server, a mirror, a proxy) the link is moved onto it, so a
/// fetch never leaves the host it was configured for.
fn resolve_next(base: &Url, current: &Url, next: &str) -> Result<Url, FetchError> {
    let mut url = current.join(next).map_err(|e| FetchError::Api {
        url: current.to_string(),
        why: format!("the next link \"{next}\" is not a URL: {e}"),
    })?;
    if url.origin() != base.origin() {
        let bad = |_| FetchError::Api {
            url: current.to_string(),
            why: format!("cannot move the next link \"{next}\" onto {base}"),
        };
        url.set_scheme(base.scheme()).map_err(bad)?;
        url.set_host(base.host_str()).map_err(|_| bad(()))?;
        url.set_port(base.port()).map_err(bad)?;
    }
    Ok(url)
}

/// Every row of one metric for one geography, following `next` until there is none.
/// Returns the rows with the URL of the first page (for provenance).
async fn fetch_series(
    client: &Client,
    base: &Url,
    first: Url,
) -> Result<Vec<(Row, String)>, FetchError> {
    let mut rows = Vec::new();
    let mut url = first;
    // Every page asked for so far: a `next` link back to any of them is a loop that would
    // otherwise be followed until the page limit, re-reading the same rows.
    let mut visited = std::collections::HashSet::new();
    for _ in 0..MAX_PAGES {
        visited.insert(url.clone());
        let fetched = client.get(&url, Expect::Json).await?;
        let page: Page = serde_json::from_slice(&fetched.body)
            .map_err(|e| FetchError::malformed(url.as_str(), &e))?;
        let label = url.to_string();
        let got = page.results.len();
        rows.extend(page.results.into_iter().map(|r| (r, label.clone())));
        match page.next.as_deref() {
            None | Some("") => return Ok(rows),
            Some(_) if page.count.is_some_and(|count| rows.len() as u64 >= count) => {
                return Err(FetchError::Api {
                    url: label,
                    why: format!(
                        "{} rows read, all of the count of {} the API gives, and still a next \
                         link: the pages never end",
                        rows.len(),
                        page.count.unwrap_or_default()
                    ),
                });
            }
            Some(next) => {
                let next = resolve_next(base, &url, next)?;
                if next == url {
                    return Err(FetchError::Api {
                        url: label,
                        why: "the next link points back to this page".into(),
                    });
                }
                if visited.contains(&next) {
                    return Err(FetchError::Api {
                        url: label,
                        why: format!(
                            "the next link goes back to {next}, an earlier page: the pages loop"
                        ),
                    });
                }
                if got == 0 {
                    return Err(FetchError::Api {
                        url: label,
                        why: "an empty page with a next link: the pages never end".into(),
                    });
                }
                url = next;
            }
        }
    }
    Err(FetchError::Api {
        url: url.to_string(),
        why: format!("still a next link after {MAX_PAGES} pages; giving up"),
    })
}

/// The dashboard's short area type for a UKHSA geography type, so that stories and
/// population tables keyed on `ltla`/`utla` work whatever the source; unknown types are kept.
pub(crate) fn area_type_for(geography_type: &str) -> String {
    match geography_type {
        "Lower Tier Local Authority" => "ltla",
        "Upper Tier Local Authority" => "utla",
        "Nation" => "nation",
        "Region" | "Government Office Region" => "region",
        "NHS Region" => "nhsRegion",
        "NHS Trust" => "nhsTrust",
        "United Kingdom" => "overview",
        other => other,
    }
    .to_string()
}

/// The UKHSA geography type for a dashboard short area type (`ltla` → `Lower Tier Local
/// Authority`), so one `--area-type` works for every source; other names pass through.
pub(crate) fn geography_type_for(area_type: &str) -> &str {
    match area_type {
        "ltla" => "Lower Tier Local Authority",
        "utla" => "Upper Tier Local Authority",
        "nation" => "Nation",
        "region" => "Region",
        "nhsRegion" => "NHS Region",
        "nhsTrust" => "NHS Trust",
        "overview" => "United Kingdom",
        other => other,
    }
}

/// Whether a UKHSA metric is the daily case count the dataset keeps as its main series.
fn is_cases_metric(metric: &str) -> bool {
    metric == DEFAULT_METRIC
}

/// Puts rows into the builder as source `source`. Checks every row is what was asked for:
/// the API ignores filters it does not know, and a silently unfiltered row would be read as
/// another day's figure.
fn push_rows(
    builder: &mut DatasetBuilder,
    source: usize,
    rows: &[(Row, String)],
    metric: &str,
    filters: &Filters,
) -> Result<usize, FetchError> {
    let mut pushed = 0;
    for (i, (row, url)) in rows.iter().enumerate() {
        let row_error = |why: String| FetchError::Row {
            url: url.clone(),
            area: row.geography.clone(),
            date: row.date.clone(),
            why,
        };
        if !row.metric.is_empty() && row.metric != metric {
            return Err(row_error(format!(
                "the row is for metric {}, not {metric}",
                row.metric
            )));
        }
        for (name, want, got) in [
            ("stratum", &filters.stratum, &row.stratum),
            ("age", &filters.age, &row.age),
            ("sex", &filters.sex, &row.sex),
        ] {
            if let (Some(want), Some(got)) = (want, got)
                && want != got
            {
                return Err(row_error(format!(
                    "asked for {name}={want} but the row has {name}={got}; the filter was not applied"
                )));
            }
        }
        let date = parse_date(row.date.trim())
            .ok_or_else(|| row_error("the date is not in the form YYYY-MM-DD".into()))?;
        let code = row
            .geography_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .unwrap_or(row.geography.as_str())
            .trim();
        if code.is_empty() {
            return Err(row_error(
                "the row has neither geography nor geography_code: whose figure is it?".into(),
            ));
        }
        let area_type = area_type_for(&row.geography_type);
        let area = RowArea {
            code,
            name: row.geography.trim(),
            area_type: &area_type,
        };
        let line = i as u64 + 1;
        if is_cases_metric(metric) {
            // The UKHSA API writes every value as a float, counts too (`535.0`), so a whole
            // float is what a count looks like here; a fraction, or one beyond what a day can
            // hold, is no count, and is refused rather than rounded.
            let count = match row.metric_value {
                None => None,
                Some(v) if v.is_finite() && v.fract() == 0.0 && v.abs() <= f64::from(u32::MAX) => {
                    Some(v as i64)
                }
                Some(v) => {
                    let why = if v.is_finite() && v.fract() != 0.0 {
                        "a fraction"
                    } else {
                        "too large to be a day's count"
                    };
                    return Err(row_error(format!(
                        "{metric}: metric_value {v} is not a whole number of cases: it is \
                         {why}; the value is refused rather than rounded"
                    )));
                }
            };
            builder.push_cases(source, line, area, date, count)?;
            pushed += 1;
        } else if let Some(v) = row.metric_value.filter(|v| v.is_finite()) {
            builder.push_extra(source, line, area, date, metric, v);
            pushed += 1;
        }
    }
    Ok(pushed)
}

/// What a UKHSA fetch asks for, borrowed from the fetch's options.
pub(crate) struct Request<'a> {
    /// A geography type, or a legacy short name for one.
    pub area_type: &'a str,
    /// Geography names; empty for every geography of the type (listed first).
    pub areas: &'a [String],
    /// One request chain a year; empty for `filters.year` alone.
    pub years: &'a [i32],
    /// The exact-match filters (`year` comes from `years` when there are any).
    pub filters: &'a Filters,
    /// Where the topic is.
    pub topic: &'a Topic,
    /// The metrics, one request chain each.
    pub metrics: &'a [String],
}

/// Every series `request` names, one chain per metric, geography and year, read into one
/// builder. A series with no rows and values still in the reporting delay are warnings.
pub(crate) async fn gather(
    client: &Client,
    base: &Url,
    request: &Request<'_>,
    progress: &Arc<dyn Progress>,
) -> Result<Gathered, FetchError> {
    let geography_type = geography_type_for(request.area_type).to_string();
    let geographies = if request.areas.is_empty() {
        list_geographies(client, base, request.topic, &geography_type).await?
    } else {
        request.areas.to_vec()
    };
    for geography in &geographies {
        check_geography_name(geography)?;
    }
    let years: Vec<Option<i32>> = if request.years.is_empty() {
        vec![request.filters.year]
    } else {
        request.years.iter().copied().map(Some).collect()
    };
    let mut jobs = Vec::new();
    for metric in request.metrics {
        for geography in &geographies {
            for year in &years {
                let filters = Filters {
                    year: *year,
                    ..request.filters.clone()
                };
                let url = series_url(
                    base,
                    request.topic,
                    &geography_type,
                    geography,
                    metric,
                    &filters,
                )?;
                jobs.push((metric.clone(), geography.clone(), filters, url));
            }
        }
    }
    check_budget(client, jobs.len() as u64)?;
    progress.begin(jobs.len() as u64, "UKHSA series");
    let results = run_all(
        jobs,
        progress,
        |(metric, geography, _, _)| format!("{geography} {metric}"),
        |(metric, geography, filters, url)| {
            let client = client.clone();
            let base = base.clone();
            async move {
                let rows = fetch_series(&client, &base, url.clone()).await?;
                Ok((metric, geography, filters, url, rows))
            }
        },
    )
    .await?;
    check_geographies_answered(&geographies, &results)?;
    let mut builder = DatasetBuilder::new();
    let mut warnings = Vec::new();
    for (metric, geography, filters, url, rows) in &results {
        if rows.is_empty() {
            warnings.push(format!("no {metric} rows for {geography} ({url})"));
            continue;
        }
        let source = builder.add_source(SourceInfo {
            label: url.to_string(),
            layout: "UKHSA API JSON".into(),
            release: None,
        });
        push_rows(&mut builder, source, rows, metric, filters)?;
        let provisional: Vec<&str> = rows
            .iter()
            .filter(|(r, _)| r.in_reporting_delay_period == Some(true))
            .map(|(r, _)| r.date.as_str())
            .collect();
        if let (Some(first), Some(last)) = (provisional.iter().min(), provisional.iter().max()) {
            warnings.push(format!(
                "{geography}: {} {metric} values from {first} to {last} are in the reporting \
                 delay period and may still be revised",
                provisional.len()
            ));
        }
    }
    Ok(Gathered { builder, warnings })
}

/// Refuses a geography name that would change the request's path rather than name one
/// geography in it: a name the server listed is as untrusted as one typed in.
pub fn check_geography_name(geography: &str) -> Result<(), FetchError> {
    let trimmed = geography.trim();
    let bad = trimmed.is_empty()
        || geography.contains('/')
        || geography.contains('\\')
        || geography.contains("..")
        || geography.chars().any(char::is_control);
    if bad {
        return Err(FetchError::Options(format!(
            "geography name {geography:?} is refused: a name with \"/\", \"..\", a backslash \
             or a control character would build another request path"
        )));
    }
    Ok(())
}

type Answered = (String, String, Filters, Url, Vec<(Row, String)>);

/// Every geography asked for answered with rows, and only its own: a geography served empty
/// would vanish from the release, and one served another's rows would print that area's
/// figures under its name.
fn check_geographies_answered(
    geographies: &[String],
    results: &[Answered],
) -> Result<(), FetchError> {
    // Nothing at all came back: the run's own check refuses that, saying so for the fetch.
    let answered_at_all = results.iter().any(|r| !r.4.is_empty());
    for geography in geographies.iter().filter(|_| answered_at_all) {
        let mine = || results.iter().filter(|r| &r.1 == geography);
        if mine().all(|r| r.4.is_empty()) {
            let url = mine().next().map_or_else(String::new, |r| r.3.to_string());
            return Err(FetchError::Api {
                url,
                why: format!(
                    "geography \"{geography}\" came back with no rows for any metric or year; \
                     a release without it would be partial, so nothing is stored"
                ),
            });
        }
        let mut code: Option<&str> = None;
        for (row, url) in mine().flat_map(|r| r.4.iter()) {
            // A row naming no geography is push_rows' to refuse, with its own message.
            if !row.geography.trim().is_empty() && row.geography.trim() != geography.trim() {
                return Err(FetchError::Api {
                    url: url.clone(),
                    why: format!(
                        "asked for geography \"{geography}\" but a row names \"{}\"",
                        row.geography
                    ),
                });
            }
            let row_code = row.geography_code.as_deref().map(str::trim);
            match (code, row_code) {
                (None, Some(c)) => code = Some(c),
                (Some(a), Some(b)) if a != b => {
                    return Err(FetchError::Api {
                        url: url.clone(),
                        why: format!(
                            "geography \"{geography}\" came back with two codes, {a} and {b}"
                        ),
                    });
                }
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_percent_encoded_in_the_path() {
        let base = Url::parse("http://127.0.0.1:9/").unwrap();
        let url = series_url(
            &base,
            &Topic::default(),
            "Lower Tier Local Authority",
            "Bristol, City of",
            DEFAULT_METRIC,
            &Filters {
                year: Some(2024),
                ..Filters::default()
            },
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/themes/infectious_disease/sub_themes/respiratory/topics/COVID-19/\
             geography_types/Lower%20Tier%20Local%20Authority/geographies/Bristol,%20City%20of/\
             metrics/COVID-19_cases_casesByDay?page_size=365&year=2024&stratum=default&age=all&sex=all"
        );
    }

    #[test]
    fn next_links_stay_on_the_configured_host() {
        let base = Url::parse("http://127.0.0.1:8080").unwrap();
        let current = Url::parse("http://127.0.0.1:8080/themes/x?page_size=365").unwrap();
        let next = resolve_next(
            &base,
            &current,
            "https://api.ukhsa-dashboard.data.gov.uk/themes/x?page=2&page_size=365",
        )
        .unwrap();
        assert_eq!(
            next.as_str(),
            "http://127.0.0.1:8080/themes/x?page=2&page_size=365"
        );
        let relative = resolve_next(&base, &current, "/themes/x?page=3").unwrap();
        assert_eq!(relative.as_str(), "http://127.0.0.1:8080/themes/x?page=3");
    }

    #[test]
    fn geography_names_that_would_change_the_path_are_refused() {
        for bad in ["..", "a/b", "../etc", "Leeds\\..", "", "a\u{0}b"] {
            assert!(check_geography_name(bad).is_err(), "{bad:?}");
        }
        for good in [
            "Bristol, City of",
            "King's Lynn and West Norfolk",
            "St. Helens",
        ] {
            assert!(check_geography_name(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn geography_types_map_to_dashboard_area_types() {
        assert_eq!(area_type_for("Lower Tier Local Authority"), "ltla");
        assert_eq!(area_type_for("NHS Region"), "nhsRegion");
        assert_eq!(area_type_for("UKHSA Region"), "UKHSA Region");
    }
}
