//! One fetch from end to end: check the options, hand the requests to the API's module
//! ([`ukhsa`], [`legacy`]), finish what it read into one checked dataset the same way
//! whatever the API, and (if asked) store it in the archive. This is the API the command
//! line calls.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::Url;

use crate::fetch::archive::{Archive, ArchiveError, FetchRecord, ReleaseSelector};
use crate::fetch::client::{Client, Stopwatch};
use crate::fetch::error::FetchError;
use crate::fetch::progress::{FetchSummary, Progress};
use crate::fetch::tasks::{Gathered, runtime};
use crate::fetch::{legacy, ukhsa};
use crate::model::Dataset;

pub use crate::fetch::options::{FetchOptions, FetchSettings, Source, years_needed};
pub use crate::fetch::population::{download_population, download_population_blocking};

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
    /// What the operator should know of how the fetch was stored: kept as partial, or as a
    /// revision beside an older release. Empty when nothing was stored.
    pub warnings: Vec<String>,
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
    let gathered = tokio::time::timeout(
        opts.deadline,
        gather(opts, &client, &base, &metrics, &progress),
    )
    .await
    .map_err(|_| FetchError::Deadline {
        url: base.to_string(),
        secs: opts.deadline.as_secs(),
    })??;
    let tail = Tail {
        opts,
        base: &base,
        client: &client,
        watch: &watch,
        release,
        fetched_at: fetched_at_text,
        metrics,
    };
    tail.finish(gathered)
}

/// The API's own fetch: every request it needs, read into one builder.
async fn gather(
    opts: &FetchOptions,
    client: &Client,
    base: &Url,
    metrics: &[String],
    progress: &Arc<dyn Progress>,
) -> Result<Gathered, FetchError> {
    Ok(match opts.source {
        Source::Ukhsa => {
            let request = ukhsa::Request {
                area_type: &opts.area_type,
                areas: &opts.areas,
                years: &opts.years,
                filters: &opts.filters,
                topic: &opts.topic,
                metrics,
            };
            ukhsa::gather(client, base, &request, progress).await?
        }
        Source::LegacyV2 | Source::LegacyV1 => {
            let request = legacy::Request {
                area_type: &opts.area_type,
                areas: &opts.areas,
                metrics,
                release: opts.release,
                format: opts.format,
            };
            if opts.source == Source::LegacyV2 {
                legacy::gather_v2(client, base, &request, progress).await?
            } else {
                legacy::gather_v1(client, base, &request, progress).await?
            }
        }
    })
}

/// What every API's fetch ends with, once its responses are read: the dataset built and
/// checked, and the summary and archive record of what the fetch cost.
struct Tail<'a> {
    opts: &'a FetchOptions,
    base: &'a Url,
    client: &'a Client,
    watch: &'a Stopwatch,
    release: String,
    fetched_at: String,
    metrics: Vec<String>,
}

impl Tail<'_> {
    fn finish(self, gathered: Gathered) -> Result<FetchReport, FetchError> {
        let Tail {
            opts,
            base,
            client,
            watch,
            release,
            fetched_at: fetched_at_text,
            metrics,
        } = self;
        let mut dataset = gathered.builder.finish()?;
        dataset.warnings.extend(gathered.warnings);
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
            partial: !opts.areas.is_empty(),
        };
        Ok(FetchReport {
            dataset,
            release,
            summary,
            record,
            warnings: Vec::new(),
        })
    }
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
    let label =
        archive.revision_for(&report.record, &report.dataset, opts.source.cases_metric())?;
    let asked = std::mem::replace(&mut report.record.release, label.clone());
    report.release = label;
    let stored = archive.store(&report.record, &report.dataset, opts.source.cases_metric())?;
    report.warnings = stored_as(&report.record, &asked, opts, stored);
    report.summary.stored = Some(stored);
    report.summary.elapsed = watch.elapsed();
    progress.finish(&report.summary);
    Ok(report)
}

/// What the operator should know of how a fetch of release `asked` was stored under
/// `record.release`: as partial (never chosen as the release), and as a revision beside an
/// older release with other numbers. Nothing when no row was stored.
fn stored_as(record: &FetchRecord, asked: &str, opts: &FetchOptions, stored: u64) -> Vec<String> {
    let mut warnings = Vec::new();
    if stored == 0 {
        return warnings;
    }
    let what = format!(
        "{} {} release {}",
        record.source, record.area_type, record.release
    );
    if record.partial {
        warnings.push(format!(
            "{what} is stored as partial (a fetch of {} only): it is never drafted or published \
             as the release; fetch without --area for the whole release",
            crate::lang::list_and(&opts.areas)
        ));
    }
    if record.release != asked {
        warnings.push(format!(
            "{what} is stored beside release {asked}, as a revision: this fetch has other \
             numbers than the stored release, which keeps its own; {}",
            if record.partial {
                "a whole fetch makes the revision the release"
            } else {
                "drafts and publishes of the release use the revision from now on"
            }
        ));
    }
    warnings
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
    // Its newest revision, if a later fetch stored one beside it.
    let (mut dataset, release) = archive.load(
        opts.source.as_str(),
        Some(&area_type),
        &ReleaseSelector::On(opts.release.expect("matched above")),
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
        partial: false,
    };
    Ok(Some(FetchReport {
        dataset,
        release,
        summary,
        record,
        warnings: Vec::new(),
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

/// The release a story dated `release` is drafted from offline: that day's and no other by
/// default, so that the copy's dates are the data's; with `as_of` (the command line's
/// `--as-of`), the newest on or before it, whose label [`load_offline`] returns for the copy
/// to name.
pub fn release_for(release: chrono::NaiveDate, as_of: bool) -> ReleaseSelector {
    if as_of {
        ReleaseSelector::AsOf(release)
    } else {
        ReleaseSelector::On(release)
    }
}
