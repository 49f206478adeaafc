//! Loading a draft's inputs (data, archive, population, patch) and checking them for a
//! week: coverage, gates, cross-checks, and the national figures computed once.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::expect::{ExpectFrom, Expectation};
use super::{DraftError, OfflineSource};
use crate::config::Patch;
use crate::fetch::file::{read_data_file, read_population_file};
use crate::gates::{ExpectedAreas, GateInput, check_release};
use crate::model::{
    Dataset, DatasetBuilder, HOSPITAL_CASES, Population, ROLLING_RATE_METRIC, ROLLING_SUM_METRIC,
    UKHSA_OCCUPIED_BEDS, VENTILATED_BEDS,
};
use crate::stats::{National, Rate, Week, week_sum};
use crate::story;

/// Loads a release from the archive, noting which one was used.
pub fn load_archived(offline: &OfflineSource) -> Result<(Dataset, String), DraftError> {
    crate::fetch::load_offline_from(
        &offline.path,
        offline.source,
        &offline.area_type,
        &offline.release,
    )
    .map_err(|e| DraftError::Archive(Box::new(e)))
}

/// A release's data as loaded: the rows, the archive's label for them, and what the release
/// should hold.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The data.
    pub dataset: Dataset,
    /// The archive's label of the release (`2021-01-18+r02`); `None` for data files.
    pub label: Option<String>,
    /// What the completeness gates check the release against.
    pub expected: Expectation,
}

impl From<Dataset> for Loaded {
    /// Data with no label and nothing to expect (only series that stop early are caught).
    fn from(dataset: Dataset) -> Loaded {
        Loaded {
            dataset,
            label: None,
            expected: Expectation::Unknown,
        }
    }
}

/// Loads a release from the archive (with the previous archived release's areas, or the
/// register's, to expect), or from data files (with what `expect_from` names, or else the
/// register's areas unless the files are an extract: [`Expectation::Implied`]).
pub fn load_release(
    data: &[PathBuf],
    archive: Option<&OfflineSource>,
    expect_from: Option<&ExpectFrom>,
) -> Result<Loaded, DraftError> {
    if let Some(offline) = archive {
        let (dataset, label) = load_archived(offline)?;
        let expected = Expectation::of_archived(offline, &label)?;
        return Ok(Loaded {
            dataset,
            label: Some(label),
            expected,
        });
    }
    let dataset = load_data(data)?;
    let expected = match expect_from {
        None => Expectation::Implied,
        Some(ExpectFrom::Register) => Expectation::Register { because: None },
        Some(ExpectFrom::File(path)) => Expectation::of_file(path)?,
    };
    Ok(Loaded {
        dataset,
        label: None,
        expected,
    })
}

/// What a draft asked for `asked` says of the archive's release `label` it was drafted
/// from, when that is not exactly the asked one: an earlier release (`--as-of`), a revision
/// or a fetch time.
pub(super) fn release_used(
    offline: &OfflineSource,
    label: &str,
    asked: NaiveDate,
) -> Option<String> {
    let asked_text = asked.format("%Y-%m-%d").to_string();
    if label == asked_text {
        return None;
    }
    let source = offline.source;
    Some(if label.get(..10) == Some(asked_text.as_str()) {
        format!("drafted from {source} release {label}, the newest stored on {asked_text}")
    } else {
        format!(
            "drafted from {source} release {label}, not {asked_text}: the archive holds no \
             release on {asked_text}, and --as-of takes the newest earlier one; the copy's \
             dates are {label}'s"
        )
    })
}

/// Reads every data file into one dataset.
pub fn load_data(paths: &[PathBuf]) -> Result<Dataset, DraftError> {
    let mut builder = DatasetBuilder::new();
    for path in paths {
        read_data_file(&mut builder, path)?;
    }
    let dataset = builder.finish()?;
    // A header and nothing under it: said so here, before the patch asks which of no area
    // types the story is about.
    if dataset.areas.is_empty() {
        return Err(DraftError::NoCases {
            sources: dataset.source_labels(),
            metric: crate::model::CASES_METRIC,
        });
    }
    Ok(dataset)
}

/// How far past the release data may run and still be a later release's file, refused; data
/// running further are a revised archive (the shared archive's files run on weeks past any
/// release a story is drafted for), used for a past week on purpose, and only the after-release
/// gate's warning says so. A later release of a daily source is a day to six days newer, and
/// a weekly one's next is seven days on, its data ending the day before: within this span.
const LATER_RELEASE_DAYS: u64 = 7;

/// Refuses data that hold counts dated on or after `release` but within
/// [`LATER_RELEASE_DAYS`] of it: the file of a later release, whose counts for the story's
/// weeks were revised since, so a story of `release` would print figures it never published.
pub fn check_not_later_release(dataset: &Dataset, release: NaiveDate) -> Result<(), DraftError> {
    let last_count = |area: &crate::model::Area| {
        let i = area.cases.iter().rposition(Option::is_some)?;
        area.start.checked_add_days(chrono::Days::new(i as u64))
    };
    let Some(latest) = dataset.areas.iter().filter_map(last_count).max() else {
        return Ok(());
    };
    let limit = release
        .checked_add_days(chrono::Days::new(LATER_RELEASE_DAYS))
        .unwrap_or(NaiveDate::MAX);
    if latest < release || latest >= limit {
        return Ok(());
    }
    let mut sources: Vec<&str> = dataset
        .areas
        .iter()
        .filter(|a| last_count(a).is_some_and(|d| d >= release))
        .flat_map(|a| a.sources.iter())
        .filter_map(|&i| dataset.sources.get(i).map(|s| s.label.as_str()))
        .collect();
    sources.sort_unstable();
    sources.dedup();
    Err(DraftError::LaterRelease {
        sources: sources.join(", "),
        latest,
        release,
        day_before: release.pred_opt().unwrap_or(release),
        from: latest.succ_opt().unwrap_or(latest),
    })
}

/// Checks that the data cover the week and the week before, and are not a later release's.
pub fn check_coverage(dataset: &Dataset, release: NaiveDate, week: Week) -> Result<(), DraftError> {
    let sources = dataset.source_labels();
    let has_cases = dataset.areas.iter().any(|a| !a.cases.is_empty());
    let Some((have_from, have_to)) = dataset.date_range().filter(|_| has_cases) else {
        return Err(DraftError::NoCases {
            sources,
            metric: crate::model::CASES_METRIC,
        });
    };
    let need_from = week.previous().start;
    if week.end > have_to || need_from < have_from {
        return Err(DraftError::OutsideData {
            release,
            need_from,
            need_to: week.end,
            have_from,
            have_to,
            sources,
        });
    }
    // Data that do not reach back to the weeks are said so first: the release is the wrong
    // one for them either way, and that message gives the days they do cover.
    check_not_later_release(dataset, release)
}

/// Compares our sums and rates with any the source published for the same days. A sum that
/// disagrees is an error (the file contradicts itself); a rate that disagrees by more than
/// rounding is a warning, since the source may have used another population table.
pub fn cross_check(
    dataset: &Dataset,
    population: &Population,
    national: &National,
) -> Result<Vec<String>, DraftError> {
    let mut warnings = Vec::new();
    for w in &national.weeks {
        let area = &dataset.areas[w.index];
        if area.extra.is_empty() {
            continue;
        }
        for week in [national.week, national.week.previous()] {
            let computed = week_sum(area, week).unwrap_or_default();
            if let Some(published) = area.extra_on(ROLLING_SUM_METRIC, week.end)
                && (published - computed as f64).abs() > 0.5
            {
                return Err(DraftError::CrossCheck {
                    area: area.name.clone(),
                    code: area.code.clone(),
                    date: week.end,
                    published,
                    computed,
                });
            }
            if let (Some(published), Some(pop)) = (
                area.extra_on(ROLLING_RATE_METRIC, week.end),
                population.get(&area.code),
            ) {
                let ours = Rate::per_100k(computed, pop);
                if (published - ours.as_f64()).abs() > 0.15 {
                    warnings.push(format!(
                        "{} ({}): the source gives a rate of {published} for the seven days to {}, \
                         ours is {ours} on the population table's {pop}; the tables may differ",
                        area.name, area.code, week.end
                    ));
                }
            }
        }
    }
    Ok(warnings)
}

/// The patch's NHS region hospital figures: the latest value of each metric on or before the
/// release. `None` when the patch names no region or the data have neither figure: absent
/// data means no paragraph, never a zero.
pub fn hospital_figures(
    patch: &Patch,
    dataset: &Dataset,
    release: NaiveDate,
    warnings: &mut Vec<String>,
) -> Option<story::HospitalView> {
    let wanted = patch.nhs_region.as_deref()?;
    let area = dataset.areas.iter().find(|a| {
        a.area_type.eq_ignore_ascii_case("nhsRegion")
            && (a.name.eq_ignore_ascii_case(wanted) || a.code.eq_ignore_ascii_case(wanted))
    });
    let Some(area) = area else {
        warnings.push(format!(
            "the patch names NHS region \"{wanted}\" but the data have no nhsRegion rows for it: no hospital paragraph"
        ));
        return None;
    };
    let latest = |metric: &str| {
        area.extra.get(metric).and_then(|series| {
            series
                .iter()
                .rev()
                .find(|(d, _)| *d <= release)
                .map(|&(d, v)| (d, v.round() as i64))
        })
    };
    let (patients_metric, patients) = match latest(HOSPITAL_CASES) {
        Some(p) => (HOSPITAL_CASES, Some(p)),
        None => (UKHSA_OCCUPIED_BEDS, latest(UKHSA_OCCUPIED_BEDS)),
    };
    let ventilated = latest(VENTILATED_BEDS);
    if patients.is_none() && ventilated.is_none() {
        warnings.push(format!(
            "no {HOSPITAL_CASES} or {VENTILATED_BEDS} figures for {} on or before {release}: no hospital paragraph",
            area.name
        ));
        return None;
    }
    Some(story::HospitalView {
        region: area.name.clone(),
        code: area.code.clone(),
        patients: patients.map(|p| p.1),
        patients_metric: patients_metric.to_string(),
        patients_date: patients.map(|p| p.0),
        ventilated: ventilated.map(|v| v.1),
        ventilated_date: ventilated.map(|v| v.0),
    })
}

/// Everything a story needs, loaded and checked.
#[derive(Debug)]
pub struct Inputs {
    /// The patch.
    pub patch: Patch,
    /// The patch file's path, for messages.
    pub patch_path: PathBuf,
    /// The data.
    pub dataset: Dataset,
    /// The population table.
    pub population: Population,
    /// Warnings from reading them.
    pub warnings: Vec<String>,
    /// Notes from reading them.
    pub notes: Vec<String>,
    /// The archive's label of the release drafted from (`2021-01-18+r02`); `None` for data
    /// files.
    pub label: Option<String>,
    /// What the completeness gates check the release against.
    pub expected: Expectation,
}

impl Inputs {
    /// The inputs of a story: its `patch` (read from `patch_path`, named in messages), the
    /// data already loaded (from files or the archive: a [`Dataset`] alone expects nothing,
    /// a [`Loaded`] says what to expect) and the population table read from `population`.
    pub fn new(
        patch: Patch,
        patch_path: &Path,
        data: impl Into<Loaded>,
        population: &Path,
    ) -> Result<Inputs, DraftError> {
        let Loaded {
            dataset,
            label,
            expected,
        } = data.into();
        let (population, notes) = read_population_file(population)?;
        patch.check_areas(patch_path, &dataset)?;
        let warnings = dataset.warnings.clone();
        Ok(Inputs {
            patch,
            patch_path: patch_path.to_path_buf(),
            dataset,
            population,
            warnings,
            notes,
            label,
            expected,
        })
    }

    /// The release the story is about: the archive's release's date when drafted from the
    /// archive (an earlier one than `asked` with `--as-of`), else `asked`.
    pub fn release(&self, asked: NaiveDate) -> NaiveDate {
        self.label
            .as_deref()
            .and_then(|l| crate::model::parse_date(l.get(..10)?))
            .unwrap_or(asked)
    }

    /// Loads everything a draft request names: the patch (with the request's seed over its
    /// own), the data from files or the archive, and the population table.
    pub fn for_request(request: &super::DraftRequest) -> Result<Inputs, DraftError> {
        let loaded = load_release(
            &request.data,
            request.archive.as_ref(),
            request.expect_from.as_ref(),
        )?;
        let archived =
            request
                .archive
                .as_ref()
                .zip(loaded.label.as_ref())
                .map(|(offline, label)| {
                    format!(
                        "data: {} release {label} from the archive {}",
                        offline.source,
                        offline.path.display()
                    )
                });
        // Read after the data, so that a broken data file is reported before the patch.
        let mut patch = Patch::load(&request.patch)?;
        if let Some(seed) = request.seed {
            patch.seed = seed;
        }
        let mut inputs = Inputs::new(patch, &request.patch, loaded, &request.population)?;
        inputs.notes.extend(archived);
        inputs.note_release_used(request.archive.as_ref(), request.release);
        Ok(inputs)
    }

    /// Warns when the archive's release drafted from is not exactly the `asked` one.
    pub(super) fn note_release_used(&mut self, archive: Option<&OfflineSource>, asked: NaiveDate) {
        if let (Some(offline), Some(label)) = (archive, &self.label) {
            self.warnings.extend(release_used(offline, label, asked));
        }
    }
}

/// Checks the `inputs` for a release (coverage, the gates with the completeness gates
/// against `expected`, cross-checks) and computes the week's national figures, once for any
/// number of stories.
pub fn prepare_week(
    inputs: &Inputs,
    area_type: &str,
    release: NaiveDate,
    today: Option<NaiveDate>,
    expected: Option<&ExpectedAreas>,
    warnings: &mut Vec<String>,
) -> Result<National, DraftError> {
    let Inputs {
        dataset,
        population,
        patch,
        ..
    } = inputs;
    let week = Week::for_release(release, patch.incomplete_days);
    check_coverage(dataset, release, week)?;
    let universe: std::collections::BTreeSet<String> = dataset
        .areas
        .iter()
        .filter(|a| a.area_type == area_type && patch.universe.contains(&a.code))
        .map(|a| a.code.clone())
        .collect();
    let gates = || {
        check_release(
            &GateInput {
                dataset,
                area_type,
                universe: &universe,
                release,
                week_end: week.end,
                today,
                population,
                previous_population: None,
                previous_dataset: None,
                config: &patch.gates,
            },
            expected,
        )
    };
    let national = || National::compute(dataset, population, patch.universe, area_type, week);
    // The week's figures are computed beside the gates, on a second core, and used only once
    // the gates have passed: a release the gates refuse is refused as before, whatever its
    // figures (even figures whose computing failed) would have been.
    let (report, national) = if std::thread::available_parallelism().map_or(1, usize::from) > 1 {
        std::thread::scope(|scope| {
            let national = scope.spawn(national);
            (gates(), national.join())
        })
    } else {
        (gates(), Ok(national()))
    };
    let errors = report.errors();
    if !errors.is_empty() {
        let lines: Vec<String> = errors.iter().map(|f| format!("  {f}")).collect();
        return Err(DraftError::Gates {
            count: errors.len(),
            report: lines.join("\n"),
        });
    }
    warnings.extend(summarise_gate_warnings(&report.warnings()));
    let national = national.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    warnings.extend(cross_check(dataset, population, &national)?);
    for (n, (i, why)) in national.missing.iter().enumerate() {
        if n == GATE_WARNINGS_LISTED && national.missing.len() > GATE_WARNINGS_LISTED + 1 {
            warnings.push(format!(
                "and {} more areas are left out of the national figures",
                national.missing.len() - n
            ));
            break;
        }
        let a = &dataset.areas[*i];
        warnings.push(format!(
            "{} ({}) is left out of the national figures: {why}",
            a.name, a.code
        ));
    }
    Ok(national)
}

/// How many findings of one gate are listed before the rest are counted.
const GATE_WARNINGS_LISTED: usize = 3;

/// One line per gate warning, but a gate that fires for many areas (a revised archive runs past
/// the release for every area) lists a few and counts the rest, so the one that matters is
/// not lost in hundreds of lines.
fn summarise_gate_warnings(findings: &[&crate::gates::GateFinding]) -> Vec<String> {
    let mut out = Vec::new();
    let mut by_gate: Vec<(crate::gates::Gate, Vec<&crate::gates::GateFinding>)> = Vec::new();
    for f in findings {
        match by_gate.iter_mut().find(|(g, _)| *g == f.gate) {
            Some((_, list)) => list.push(f),
            None => by_gate.push((f.gate, vec![f])),
        }
    }
    for (gate, list) in by_gate {
        for f in list.iter().take(GATE_WARNINGS_LISTED) {
            let line = f.to_string();
            out.push(line.strip_prefix("warning: ").unwrap_or(&line).to_string());
        }
        if list.len() > GATE_WARNINGS_LISTED {
            out.push(format!(
                "{gate}: and {} more areas like these",
                list.len() - GATE_WARNINGS_LISTED
            ));
        }
    }
    out
}
