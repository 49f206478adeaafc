//! What a run publishes: the newest release the source holds (fetched first when the
//! newsroom says so), whether it is fresh enough, and where each release's data are read.

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::config::{Newsroom, SourceConfig};
use crate::draft::{DraftError, Expectation, OfflineSource};
use crate::fetch::legacy::Format;

use super::PublishError;
use super::state::State;

/// The releases a source holds, oldest first.
pub(crate) fn releases_in(source: &SourceConfig) -> Result<Vec<NaiveDate>, PublishError> {
    let found = match source {
        SourceConfig::Files { releases, file, .. } => {
            let entries = std::fs::read_dir(releases).map_err(|e| PublishError::NoRelease {
                why: format!("cannot read {}: {e}", releases.display()),
            })?;
            let mut folders: Vec<(NaiveDate, bool)> = entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let date = crate::model::parse_date(e.file_name().to_str()?)?;
                    Some((date, e.path().join(file).is_file()))
                })
                .collect();
            folders.sort_unstable();
            // The newest release folder without its file is a release still being copied
            // in, or one named wrongly: never a reason to publish the one before as if
            // nothing were new.
            if let Some((date, false)) = folders.last() {
                return Err(PublishError::NoRelease {
                    why: format!(
                        "the newest release folder, {}, holds no {file}; nothing is published until it does (or the folder is removed)",
                        releases.join(date.to_string()).display()
                    ),
                });
            }
            let found: Vec<NaiveDate> = folders
                .into_iter()
                .filter_map(|(date, has)| has.then_some(date))
                .collect();
            if found.is_empty() {
                // The folders named wrongly are most likely why, so they are named here too.
                let misnamed = super::folders::misnamed(releases);
                return Err(PublishError::NoRelease {
                    why: format!(
                        "no YYYY-MM-DD folder in {} holds {file}{}",
                        releases.display(),
                        misnamed
                            .iter()
                            .map(|w| format!("; {w}"))
                            .collect::<String>()
                    ),
                });
            }
            found
        }
        SourceConfig::Archive {
            archive,
            api,
            area_type,
            ..
        } => {
            let store =
                crate::fetch::Archive::open(archive).map_err(|e| PublishError::NoRelease {
                    why: format!("cannot open the archive {}: {e}", archive.display()),
                })?;
            let labels = store
                .releases(api.as_str(), Some(&api.dataset_area_type(area_type)))
                .map_err(|e| PublishError::NoRelease { why: e.to_string() })?;
            let mut found: Vec<NaiveDate> = labels
                .iter()
                .filter_map(|l| crate::model::parse_date(l.get(..10)?))
                .collect();
            found.sort_unstable();
            found.dedup();
            if found.is_empty() {
                return Err(PublishError::NoRelease {
                    why: format!(
                        "the archive {} holds no {} {area_type} release; run casewire fetch",
                        archive.display(),
                        api.as_str()
                    ),
                });
            }
            found
        }
    };
    Ok(found)
}

/// The release to publish: the newest the source holds, refused when older than the
/// schedule allows on `today`.
pub(super) fn newest_release(
    newsroom: &Newsroom,
    today: Option<NaiveDate>,
) -> Result<NaiveDate, PublishError> {
    let release = *releases_in(&newsroom.source)?
        .last()
        .expect("releases_in never returns none");
    let max = newsroom.schedule.max_age_days;
    if let Some(today) = today
        && max > 0
    {
        let age = today.signed_duration_since(release).num_days();
        if age > i64::from(max) {
            return Err(PublishError::Stale { release, age, max });
        }
    }
    Ok(release)
}

/// The data of one release, and the population table to use with it. A release folder is
/// checked against the folder before it; without one (the newsroom's first, or the folders
/// before it pruned) against the areas of the last edition `state` records; with nothing
/// published either, against the register, as a plain `--data` draft is.
pub(super) fn release_data(
    source: &SourceConfig,
    release: NaiveDate,
    state: &State,
) -> Result<(crate::draft::Loaded, PathBuf), DraftError> {
    let (data, archive, population) = release_sources(source, release);
    let SourceConfig::Files { releases, file, .. } = source else {
        let loaded = crate::draft::load_release(&data, archive.as_ref(), None)?;
        return Ok((loaded, population));
    };
    let dataset = crate::draft::load_data(&data)?;
    let expected = match crate::draft::ExpectFrom::previous_in(releases, file, release) {
        Some(crate::draft::ExpectFrom::File(previous)) => Expectation::of_file(&previous)?,
        _ => match state.last_areas(release) {
            Some((story, edition)) => Expectation::of_edition(
                story,
                edition.release,
                edition.area_type.as_deref().unwrap_or_default(),
                edition.areas.clone(),
            ),
            None => Expectation::Implied,
        },
    };
    let loaded = crate::draft::Loaded {
        dataset,
        label: None,
        expected,
    };
    Ok((loaded, population))
}

/// Where a release is read from: data files or the archive, and the population table.
pub(super) fn release_sources(
    source: &SourceConfig,
    release: NaiveDate,
) -> (Vec<PathBuf>, Option<OfflineSource>, PathBuf) {
    match source {
        SourceConfig::Files {
            releases,
            file,
            population,
        } => (
            vec![releases.join(release.to_string()).join(file)],
            None,
            population.clone(),
        ),
        SourceConfig::Archive {
            archive,
            api,
            area_type,
            population,
            ..
        } => (
            Vec::new(),
            Some(OfflineSource {
                path: archive.clone(),
                source: *api,
                area_type: area_type.clone(),
                release: crate::fetch::ReleaseSelector::AsOf(release),
            }),
            population.clone(),
        ),
    }
}

/// Fetches the day's data into the archive, for an archive source with `fetch = true`;
/// returns the fetch's summary and its warnings.
pub(super) fn fetch_today(
    newsroom: &Newsroom,
    today: Option<NaiveDate>,
) -> Result<Option<(String, Vec<String>)>, PublishError> {
    let SourceConfig::Archive {
        archive,
        api,
        area_type,
        fetch: true,
        format,
        ..
    } = &newsroom.source
    else {
        return Ok(None);
    };
    let mut opts = newsroom.fetch.options(*api, area_type);
    if *format == Format::Csv {
        opts.format = Format::Csv;
    }
    if let Some(today) = today {
        // What was published today is labelled today, whatever the clock says mid-run.
        opts.fetched_at = today
            .and_hms_opt(0, 0, 0)
            .map(|t| chrono::DateTime::from_naive_utc_and_offset(t, chrono::Utc));
        opts.plan_for_release(today);
    }
    let report =
        crate::fetch::fetch_command(&opts, archive, None).map_err(|e| PublishError::Draft {
            story: "(fetch)".into(),
            release: today.unwrap_or_default(),
            source: Box::new(DraftError::Fetch(Box::new(e))),
        })?;
    Ok(Some((report.summary.to_string(), report.warnings)))
}
