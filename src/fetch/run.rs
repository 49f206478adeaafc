//! One fetch from end to end: plan the requests, run them within the client's bounds, read
//! every response into one dataset, and (if asked) store it in the archive. This is the API
//! the command line calls.

use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use reqwest::Url;
use tokio::task::JoinSet;

use crate::fetch::archive::{Archive, ArchiveError, FetchRecord, ReleaseSelector};
use crate::fetch::client::check_transport;
use crate::fetch::client::{Client, ClientConfig, Expect, Stopwatch};
use crate::fetch::error::FetchError;
use crate::fetch::file::{read_data_bytes, read_population_bytes, read_records};
use crate::fetch::progress::FetchSummary;
use crate::fetch::progress::Progress;
use crate::fetch::{legacy, ukhsa};
use crate::model::{CASES_METRIC, Dataset, DatasetBuilder, Population, SourceInfo};

/// Which API to fetch from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// The UKHSA data dashboard API (live).
    Ukhsa,
    /// The legacy dashboard's v2 API (archived releases).
    LegacyV2,
    /// The legacy dashboard's v1 API.
    LegacyV1,
}

impl Source {
    /// The name used on the command line and in the archive.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Ukhsa => "ukhsa",
            Source::LegacyV2 => "legacy-v2",
            Source::LegacyV1 => "legacy-v1",
        }
    }

    /// The real host.
    pub fn default_base_url(self) -> &'static str {
        match self {
            Source::Ukhsa => ukhsa::DEFAULT_BASE_URL,
            Source::LegacyV2 | Source::LegacyV1 => legacy::DEFAULT_BASE_URL,
        }
    }

    /// The source's own name for the daily case count.
    pub fn cases_metric(self) -> &'static str {
        match self {
            Source::Ukhsa => ukhsa::DEFAULT_METRIC,
            Source::LegacyV2 | Source::LegacyV1 => CASES_METRIC,
        }
    }

    /// The area type as the dataset names it (`Lower Tier Local Authority` → `ltla` for
    /// UKHSA), which is also how the archive keys it.
    pub fn dataset_area_type(self, area_type: &str) -> String {
        match self {
            Source::Ukhsa => ukhsa::area_type_for(ukhsa::geography_type_for(area_type)),
            Source::LegacyV2 | Source::LegacyV1 => area_type.to_string(),
        }
    }

    /// A per-request timeout that suits the source: v2 can take almost five minutes to build
    /// an uncached file before it redirects to it.
    pub fn default_timeout(self) -> Duration {
        match self {
            Source::LegacyV2 => Duration::from_secs(330),
            Source::Ukhsa | Source::LegacyV1 => Duration::from_secs(30),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Source {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ukhsa" => Ok(Source::Ukhsa),
            "legacy-v2" => Ok(Source::LegacyV2),
            "legacy-v1" => Ok(Source::LegacyV1),
            other => Err(format!(
                "unknown source \"{other}\": expected ukhsa, legacy-v2 or legacy-v1"
            )),
        }
    }
}

/// Everything a fetch needs to know. Build with [`FetchOptions::new`] and change fields.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// The API.
    pub source: Source,
    /// The API's base URL; `None` for the real host.
    pub base_url: Option<String>,
    /// The area type: a UKHSA geography type (`Lower Tier Local Authority`) or a legacy one
    /// (`ltla`); the short legacy names also work for UKHSA.
    pub area_type: String,
    /// Metrics to fetch; empty for the source's case count.
    pub metrics: Vec<String>,
    /// The legacy v2 release (publication date) to fetch; `None` for the latest.
    pub release: Option<NaiveDate>,
    /// Only these areas: legacy area codes, or UKHSA geography names. Empty for every area
    /// of the type (legacy: one request for the whole type; UKHSA: the geographies are
    /// listed first).
    pub areas: Vec<String>,
    /// UKHSA: only these years, one request chain each. A story needs only the last few
    /// weeks; asking for every year since 2020 multiplies the requests by five or more.
    pub years: Vec<i32>,
    /// UKHSA: the `date`, `stratum`, `age` and `sex` filters (`year` comes from `years`).
    pub filters: ukhsa::Filters,
    /// UKHSA: where the topic is in the hierarchy.
    pub topic: ukhsa::Topic,
    /// Legacy v2: JSON or CSV bodies.
    pub format: legacy::Format,
    /// How to behave towards the server.
    pub client: ClientConfig,
    /// Fetch a legacy v2 release again even when the archive already holds it.
    pub refetch: bool,
    /// The fetch time to record; `None` for now. Tests set it so labels do not depend on
    /// the clock.
    pub fetched_at: Option<DateTime<Utc>>,
}

impl FetchOptions {
    /// Options with the defaults for `source`: its case metric, its timeout, the headline
    /// UKHSA filters, concurrency 4 and the client's default retries and budget.
    pub fn new(source: Source, area_type: &str) -> Self {
        Self {
            source,
            base_url: None,
            area_type: area_type.to_string(),
            metrics: Vec::new(),
            release: None,
            areas: Vec::new(),
            years: Vec::new(),
            filters: ukhsa::Filters::default(),
            topic: ukhsa::Topic::default(),
            format: legacy::Format::Json,
            client: ClientConfig {
                timeout: source.default_timeout(),
                ..ClientConfig::default()
            },
            refetch: false,
            fetched_at: None,
        }
    }

    /// One legacy request chain per area asked for; a single chain for the whole type when
    /// none were (`None` = no `areaCode` filter).
    fn area_filters(&self) -> Vec<Option<String>> {
        if self.areas.is_empty() {
            vec![None]
        } else {
            self.areas.iter().cloned().map(Some).collect()
        }
    }

    fn metrics(&self) -> Vec<String> {
        if self.metrics.is_empty() {
            vec![self.source.cases_metric().to_string()]
        } else {
            self.metrics.clone()
        }
    }

    fn base(&self) -> Result<Url, FetchError> {
        let text = self
            .base_url
            .as_deref()
            .unwrap_or(self.source.default_base_url());
        let url = Url::parse(text)
            .map_err(|e| FetchError::Options(format!("base URL \"{text}\": {e}")))?;
        if url.cannot_be_a_base() || !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Options(format!(
                "base URL \"{text}\" must be an http or https URL"
            )));
        }
        check_transport(&url).map_err(|why| FetchError::Options(format!("base URL {why}")))?;
        Ok(url)
    }
}

/// The newsroom's fetch settings, as a `[fetch]` table in its configuration file. Every
/// field is optional; what is left out takes the defaults of [`FetchOptions::new`].
///
/// ```toml
/// [fetch]
/// contact = "datadesk@courier.example"
/// archive = "casewire-archive.sqlite"
/// concurrency = 4
/// timeout_secs = 30
/// max_attempts = 5
/// request_budget = 1500
/// min_interval_ms = 0
/// ukhsa_base_url = "https://api.ukhsa-dashboard.data.gov.uk"
/// legacy_base_url = "https://api.coronavirus.data.gov.uk"
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchSettings {
    /// Who the server's operators can contact about our traffic; goes in the User-Agent.
    pub contact: Option<String>,
    /// The archive file.
    pub archive: Option<std::path::PathBuf>,
    /// Requests in flight at once.
    pub concurrency: Option<usize>,
    /// Seconds one request may take.
    pub timeout_secs: Option<u64>,
    /// Attempts per request.
    pub max_attempts: Option<u32>,
    /// Requests one fetch may send.
    pub request_budget: Option<u64>,
    /// Milliseconds between the starts of two requests.
    pub min_interval_ms: Option<u64>,
    /// The UKHSA API's base URL.
    pub ukhsa_base_url: Option<String>,
    /// The legacy API's base URL.
    pub legacy_base_url: Option<String>,
}

impl FetchSettings {
    /// Options for `source` with these settings applied over the defaults.
    pub fn options(&self, source: Source, area_type: &str) -> FetchOptions {
        let mut opts = FetchOptions::new(source, area_type);
        let c = &mut opts.client;
        if let Some(contact) = &self.contact {
            c.contact = contact.clone();
        }
        if let Some(n) = self.concurrency {
            c.concurrency = n;
        }
        if let Some(secs) = self.timeout_secs {
            c.timeout = Duration::from_secs(secs);
        }
        if let Some(n) = self.max_attempts {
            c.max_attempts = n;
        }
        if let Some(n) = self.request_budget {
            c.request_budget = Some(n);
        }
        if let Some(ms) = self.min_interval_ms {
            c.min_interval = Duration::from_millis(ms);
        }
        opts.base_url = match source {
            Source::Ukhsa => self.ukhsa_base_url.clone(),
            Source::LegacyV2 | Source::LegacyV1 => self.legacy_base_url.clone(),
        };
        opts
    }

    /// The archive file: the configured one, else [`Archive::default_path`].
    pub fn archive_path(&self) -> std::path::PathBuf {
        self.archive.clone().unwrap_or_else(Archive::default_path)
    }
}

/// The calendar years a story ending on `last_day` and looking back `days` days needs: the
/// UKHSA API filters by year and serves oldest first, so asking only for these years is what
/// keeps a fetch to one or two pages an area.
pub fn years_needed(last_day: NaiveDate, days: u32) -> Vec<i32> {
    use chrono::Datelike;
    let first = last_day - chrono::Days::new(u64::from(days));
    (first.year()..=last_day.year()).collect()
}

/// The result of a fetch.
#[derive(Clone, Debug)]
pub struct FetchReport {
    /// Everything fetched, normalised.
    pub dataset: Dataset,
    /// The release label the data are (or would be) archived under.
    pub release: String,
    /// What it cost.
    pub summary: FetchSummary,
    /// The archive's record of the fetch.
    pub record: FetchRecord,
}

/// Fetches without storing anything.
pub async fn fetch(
    opts: &FetchOptions,
    progress: Arc<dyn Progress>,
) -> Result<FetchReport, FetchError> {
    let watch = Stopwatch::start();
    let base = opts.base()?;
    let metrics = opts.metrics();
    let client = Client::new(opts.client.clone())?;
    let fetched_at = opts
        .fetched_at
        .unwrap_or_else(|| DateTime::<Utc>::from(std::time::SystemTime::now()));
    let fetched_at_text = fetched_at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let release = match (opts.source, opts.release) {
        (Source::LegacyV2, Some(date)) => date.format("%Y-%m-%d").to_string(),
        (_, Some(_)) => {
            return Err(FetchError::Options(format!(
                "--release needs --source legacy-v2: {} has no archived releases",
                opts.source
            )));
        }
        (_, None) => fetched_at_text.clone(),
    };
    let mut dataset = match opts.source {
        Source::Ukhsa => fetch_ukhsa(opts, &client, &base, &metrics, &progress).await?,
        Source::LegacyV2 => fetch_v2(opts, &client, &base, &metrics, &progress).await?,
        Source::LegacyV1 => fetch_v1(opts, &client, &base, &metrics, &progress).await?,
    };
    let expected_type = opts.source.dataset_area_type(&opts.area_type);
    for area in &dataset.areas {
        if area.area_type != expected_type {
            let url = area
                .sources
                .first()
                .and_then(|&i| dataset.sources.get(i))
                .map_or_else(|| base.to_string(), |s| s.label.clone());
            return Err(FetchError::Api {
                url,
                why: format!(
                    "area {} came back as type \"{}\", not the \"{}\" asked for",
                    area.code, area.area_type, expected_type
                ),
            });
        }
    }
    // Nothing usable is a refusal, never an empty release: archived, it would stand as the
    // newest data, and a story drafted from it would be about missing figures. A metric with
    // no values beside others that have some is only worth a warning (it may not apply).
    let cases_metric = opts.source.cases_metric();
    let has_values = |metric: &str| {
        dataset.areas.iter().any(|a| {
            if metric == cases_metric {
                a.cases.iter().any(Option::is_some)
            } else {
                a.extra.get(metric).is_some_and(|s| !s.is_empty())
            }
        })
    };
    let empty: Vec<&String> = metrics.iter().filter(|m| !has_values(m)).collect();
    if empty.len() == metrics.len() {
        let url = dataset
            .sources
            .first()
            .map_or_else(|| base.to_string(), |s| s.label.clone());
        return Err(FetchError::Api {
            url,
            why: format!(
                "no data came back: no values of {} for {} ({}); nothing is stored \
                 (has a field been renamed?)",
                metrics.join(", "),
                opts.area_type,
                if dataset.areas.is_empty() {
                    "no rows at all".to_string()
                } else {
                    format!("{} areas, every value missing", dataset.areas.len())
                },
            ),
        });
    }
    for metric in empty {
        dataset
            .warnings
            .push(format!("no values of {metric} came back from {base}"));
    }
    let stats = client.stats();
    let rows = dataset
        .areas
        .iter()
        .map(|a| {
            a.cases.iter().filter(|c| c.is_some()).count() as u64
                + a.extra.values().map(|s| s.len() as u64).sum::<u64>()
        })
        .sum();
    let summary = FetchSummary {
        requests: stats.requests,
        retries: stats.retries,
        rows,
        bytes: stats.bytes,
        areas: dataset.areas.len(),
        elapsed: watch.elapsed(),
        retry_wait: stats.retry_wait,
        stored: None,
    };
    let record = FetchRecord {
        source: opts.source.as_str().to_string(),
        release: release.clone(),
        fetched_at: fetched_at_text,
        base_url: base.to_string(),
        area_type: expected_type,
        metrics,
        requests: stats.requests,
        retries: stats.retries,
        bytes: stats.bytes,
    };
    Ok(FetchReport {
        dataset,
        release,
        summary,
        record,
    })
}

/// Fetches and stores the result in the archive, in one transaction: if any request fails
/// for good, nothing is stored.
pub async fn fetch_into(
    opts: &FetchOptions,
    archive: &mut Archive,
    progress: Arc<dyn Progress>,
) -> Result<FetchReport, FetchError> {
    let watch = Stopwatch::start();
    if let Some(report) = reuse_archived_release(opts, archive, &watch)? {
        progress.finish(&report.summary);
        return Ok(report);
    }
    let mut report = fetch(opts, progress.clone()).await?;
    let stored = archive.store(&report.record, &report.dataset, opts.source.cases_metric())?;
    report.summary.stored = Some(stored);
    report.summary.elapsed = watch.elapsed();
    progress.finish(&report.summary);
    Ok(report)
}

/// A legacy v2 release is a publication that no longer changes: when the archive already
/// holds every metric asked for, for the whole area type, it is loaded instead of fetched
/// again (unless `refetch` is set), sparing the server and the budget.
fn reuse_archived_release(
    opts: &FetchOptions,
    archive: &Archive,
    watch: &Stopwatch,
) -> Result<Option<FetchReport>, FetchError> {
    let (Source::LegacyV2, Some(release), true, false) = (
        opts.source,
        opts.release,
        opts.areas.is_empty(),
        opts.refetch,
    ) else {
        return Ok(None);
    };
    let release = release.format("%Y-%m-%d").to_string();
    let area_type = opts.source.dataset_area_type(&opts.area_type);
    let metrics = opts.metrics();
    for metric in &metrics {
        if !archive.has_metric(opts.source.as_str(), &area_type, &release, metric)? {
            return Ok(None);
        }
    }
    let (mut dataset, release) = archive.load(
        opts.source.as_str(),
        Some(&area_type),
        &ReleaseSelector::Exact(release),
        opts.source.cases_metric(),
    )?;
    dataset.warnings.push(format!(
        "{} {area_type} release {release} is already in the archive; not fetched again \
         (refetch to override)",
        opts.source
    ));
    let summary = FetchSummary {
        areas: dataset.areas.len(),
        elapsed: watch.elapsed(),
        stored: Some(0),
        ..FetchSummary::default()
    };
    let record = FetchRecord {
        source: opts.source.as_str().to_string(),
        release: release.clone(),
        fetched_at: String::new(),
        base_url: opts.base()?.to_string(),
        area_type,
        metrics,
        requests: 0,
        retries: 0,
        bytes: 0,
    };
    Ok(Some(FetchReport {
        dataset,
        release,
        summary,
        record,
    }))
}

/// [`fetch_into`] (or [`fetch`] without an archive) on a runtime of its own, for a caller
/// that is not async.
pub fn fetch_blocking(
    opts: &FetchOptions,
    archive: Option<&mut Archive>,
    progress: Arc<dyn Progress>,
) -> Result<FetchReport, FetchError> {
    let runtime = runtime()?;
    match archive {
        Some(archive) => runtime.block_on(fetch_into(opts, archive, progress)),
        None => runtime.block_on(async {
            let report = fetch(opts, progress.clone()).await?;
            progress.finish(&report.summary);
            Ok(report)
        }),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, FetchError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| FetchError::Options(format!("cannot start the async runtime: {e}")))
}

/// Everything `casewire fetch` does, for a command line that is not async: opens (or
/// creates) the archive at `archive_path`, fetches into it with a progress bar on a terminal
/// or log lines otherwise, and, with `out`, writes the dataset as legacy CSV that
/// `draft --data` reads. The snapshot is written only after the archive has the data.
pub fn fetch_command(
    opts: &FetchOptions,
    archive_path: &std::path::Path,
    out: Option<&std::path::Path>,
) -> Result<FetchReport, FetchError> {
    let mut archive = Archive::open(archive_path)?;
    let report = fetch_blocking(
        opts,
        Some(&mut archive),
        crate::fetch::progress::for_stderr(),
    )?;
    if let Some(out) = out {
        crate::fetch::snapshot::write_legacy_csv_file(&report.dataset, out).map_err(|source| {
            FetchError::Write {
                path: out.display().to_string(),
                source,
            }
        })?;
    }
    Ok(report)
}

/// Opens the archive at `archive_path` and loads a release from it; see [`load_offline`].
pub fn load_offline_from(
    archive_path: &std::path::Path,
    source: Source,
    area_type: &str,
    release: &ReleaseSelector,
) -> Result<(Dataset, String), ArchiveError> {
    if !archive_path.exists() {
        return Err(ArchiveError::NotFound {
            path: archive_path.display().to_string(),
            why: "no archive here; run casewire fetch first".into(),
        });
    }
    load_offline(&Archive::open(archive_path)?, source, area_type, release)
}

/// Loads a stored release for drafting offline. `area_type` is given as for the fetch (a
/// UKHSA geography type or a legacy short name).
pub fn load_offline(
    archive: &Archive,
    source: Source,
    area_type: &str,
    release: &ReleaseSelector,
) -> Result<(Dataset, String), ArchiveError> {
    let area_type = source.dataset_area_type(area_type);
    archive.load(
        source.as_str(),
        Some(&area_type),
        release,
        source.cases_metric(),
    )
}

/// Downloads a population table (e.g. the dashboard's population supplement) and reads it.
/// Returns the table, notes from reading it, and the bytes (to keep in the archive with
/// [`Archive::store_population`]).
pub async fn download_population(
    config: &ClientConfig,
    url: &str,
) -> Result<(Population, Vec<String>, Vec<u8>), FetchError> {
    let url = Url::parse(url)
        .map_err(|e| FetchError::Options(format!("population URL \"{url}\": {e}")))?;
    check_transport(&url).map_err(|why| FetchError::Options(format!("population URL {why}")))?;
    let client = Client::new(config.clone())?;
    let fetched = client.get(&url, Expect::Csv).await?;
    let (population, notes) =
        read_population_bytes(url.as_str(), &fetched.body).map_err(|e| FetchError::Api {
            url: url.to_string(),
            why: e.to_string(),
        })?;
    Ok((population, notes, fetched.body))
}

/// [`download_population`] on a runtime of its own.
pub fn download_population_blocking(
    config: &ClientConfig,
    url: &str,
) -> Result<(Population, Vec<String>, Vec<u8>), FetchError> {
    runtime()?.block_on(download_population(config, url))
}

/// Runs one task per item, all at once as far as the client's bound allows, and returns the
/// results in item order (so the dataset's sources are in a stable order, whatever order the
/// responses came in). The first failure cancels the rest.
async fn run_all<T, R, F, Fut>(
    items: Vec<T>,
    progress: &Arc<dyn Progress>,
    label: impl Fn(&T) -> String,
    task: F,
) -> Result<Vec<R>, FetchError>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = Result<R, FetchError>> + Send + 'static,
    R: Send + 'static,
{
    let mut set = JoinSet::new();
    let count = items.len();
    for (i, item) in items.into_iter().enumerate() {
        let name = label(&item);
        let fut = task(item);
        let progress = progress.clone();
        set.spawn(async move {
            let result = fut.await;
            if result.is_ok() {
                progress.advance(&name);
            }
            (i, result)
        });
    }
    let mut results: Vec<Option<R>> = (0..count).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        let (i, result) = match joined {
            Ok(done) => done,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => return Err(FetchError::Options(format!("a fetch task stopped: {e}"))),
        };
        match result {
            Ok(r) => results[i] = Some(r),
            Err(e) => {
                set.abort_all();
                return Err(e);
            }
        }
    }
    Ok(results
        .into_iter()
        .map(|r| r.expect("every task reported"))
        .collect())
}

fn check_budget(client: &Client, planned: u64) -> Result<(), FetchError> {
    if let Some(budget) = client.config().request_budget {
        let used = client.stats().requests;
        if used + planned > budget {
            return Err(FetchError::Options(format!(
                "this fetch needs at least {planned} more requests, over the budget of {budget} \
                 ({used} used); ask for fewer years or areas, or raise the budget if the server \
                 can take it"
            )));
        }
    }
    Ok(())
}

async fn fetch_ukhsa(
    opts: &FetchOptions,
    client: &Client,
    base: &Url,
    metrics: &[String],
    progress: &Arc<dyn Progress>,
) -> Result<Dataset, FetchError> {
    let geography_type = ukhsa::geography_type_for(&opts.area_type).to_string();
    let geographies = if opts.areas.is_empty() {
        ukhsa::list_geographies(client, base, &opts.topic, &geography_type).await?
    } else {
        opts.areas.clone()
    };
    let years: Vec<Option<i32>> = if opts.years.is_empty() {
        vec![opts.filters.year]
    } else {
        opts.years.iter().copied().map(Some).collect()
    };
    let mut jobs = Vec::new();
    for metric in metrics {
        for geography in &geographies {
            for year in &years {
                let filters = ukhsa::Filters {
                    year: *year,
                    ..opts.filters.clone()
                };
                let url = ukhsa::series_url(
                    base,
                    &opts.topic,
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
                let rows = ukhsa::fetch_series(&client, &base, url.clone()).await?;
                Ok((metric, geography, filters, url, rows))
            }
        },
    )
    .await?;
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
        ukhsa::push_rows(&mut builder, source, rows, metric, filters)?;
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
    let mut dataset = builder.finish()?;
    dataset.warnings.extend(warnings);
    Ok(dataset)
}

async fn fetch_v2(
    opts: &FetchOptions,
    client: &Client,
    base: &Url,
    metrics: &[String],
    progress: &Arc<dyn Progress>,
) -> Result<Dataset, FetchError> {
    let codes = opts.area_filters();
    let mut jobs = Vec::new();
    for chunk in metrics.chunks(legacy::MAX_V2_METRICS) {
        for code in &codes {
            jobs.push(legacy::v2_url(
                base,
                &opts.area_type,
                code.as_deref(),
                chunk,
                opts.release,
                opts.format,
            )?);
        }
    }
    check_budget(client, jobs.len() as u64)?;
    progress.begin(jobs.len() as u64, "v2 requests");
    let format = opts.format;
    let results = run_all(jobs, progress, Url::to_string, |url| {
        let client = client.clone();
        async move {
            let body = legacy::fetch_v2(&client, &url, format).await?;
            Ok((url, body))
        }
    })
    .await?;
    let mut builder = DatasetBuilder::new();
    let mut warnings = Vec::new();
    for (url, body) in &results {
        match body {
            Some(body) => {
                read_data_bytes(&mut builder, url.as_str(), body, opts.release)?;
            }
            None => warnings.push(format!("no data (HTTP 204) from {url}")),
        }
    }
    let mut dataset = builder.finish()?;
    dataset.warnings.extend(warnings);
    Ok(dataset)
}

async fn fetch_v1(
    opts: &FetchOptions,
    client: &Client,
    base: &Url,
    metrics: &[String],
    progress: &Arc<dyn Progress>,
) -> Result<Dataset, FetchError> {
    // One chain per area, so that areas page in parallel and a page boundary can only split
    // one area's records.
    let codes = opts.area_filters();
    check_budget(client, codes.len() as u64)?;
    progress.begin(codes.len() as u64, "v1 queries");
    let area_type = opts.area_type.clone();
    let results =
        run_all(
            codes,
            progress,
            |code| code.clone().unwrap_or_else(|| area_type.clone()),
            |code| {
                let client = client.clone();
                let base = base.clone();
                let area_type = area_type.clone();
                let metrics = metrics.to_vec();
                async move {
                    legacy::fetch_v1(&client, &base, &area_type, code.as_deref(), &metrics).await
                }
            },
        )
        .await?;
    let mut builder = DatasetBuilder::new();
    for (label, records) in &results {
        read_records(&mut builder, label, "legacy v1 JSON", records, None)?;
    }
    Ok(builder.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_needed_spans_new_year_only_when_the_story_does() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(years_needed(d(2026, 11, 19), 28), [2026]);
        assert_eq!(years_needed(d(2026, 1, 8), 28), [2025, 2026]);
    }

    #[test]
    fn settings_apply_over_the_defaults() {
        let settings: FetchSettings = toml::from_str(
            "contact = \"desk@example.org\"\nconcurrency = 2\nukhsa_base_url = \"http://127.0.0.1:1\"",
        )
        .unwrap();
        let opts = settings.options(Source::Ukhsa, "ltla");
        assert_eq!(opts.client.contact, "desk@example.org");
        assert_eq!(opts.client.concurrency, 2);
        assert_eq!(opts.client.max_attempts, 5);
        assert_eq!(opts.base_url.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(settings.options(Source::LegacyV2, "ltla").base_url, None);
        assert!(toml::from_str::<FetchSettings>("contcat = \"x\"").is_err());
    }

    #[test]
    fn sources_parse_from_their_command_line_names() {
        for source in [Source::Ukhsa, Source::LegacyV2, Source::LegacyV1] {
            assert_eq!(source.as_str().parse::<Source>(), Ok(source));
        }
        assert!("legacy".parse::<Source>().is_err());
        assert_eq!(
            Source::Ukhsa.dataset_area_type("Lower Tier Local Authority"),
            "ltla"
        );
        assert_eq!(Source::Ukhsa.dataset_area_type("ltla"), "ltla");
    }
}
