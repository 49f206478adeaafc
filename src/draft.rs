//! The draft job: checked inputs in, one story out. The CLI and the tests both call
//! [`draft`], so what the tests check is what an editor runs.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::audit::AuditInput;
use crate::config::{ConfigError, Patch, resolve_areas};
use crate::facts::FactsSidecar;
use crate::fetch::file::{PopulationError, ReadError, read_data_file, read_population_file};
use crate::gates::{GateInput, check_inputs};
use crate::model::{
    Dataset, DatasetBuilder, HOSPITAL_CASES, Population, ROLLING_RATE_METRIC, ROLLING_SUM_METRIC,
    UKHSA_OCCUPIED_BEDS, VENTILATED_BEDS,
};
use crate::render::{RenderError, Renderer};
use crate::stats::{National, Rate, Week, week_sum};
use crate::story::{self, Story, StoryError, StoryInput};

/// Anything that stops a draft, each naming the input at fault.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    /// A data file.
    #[error(transparent)]
    Data(#[from] ReadError),
    /// The local archive.
    #[error(transparent)]
    Archive(#[from] Box<crate::fetch::archive::ArchiveError>),
    /// Fetching from a dashboard API.
    #[error(transparent)]
    Fetch(#[from] Box<crate::fetch::error::FetchError>),
    /// A data set assembled from rows.
    #[error(transparent)]
    Build(#[from] crate::model::BuildError),
    /// The population table.
    #[error(transparent)]
    Population(#[from] PopulationError),
    /// The patch file.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The figures.
    #[error(transparent)]
    Story(#[from] StoryError),
    /// The templates.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The release asks for days the data do not have.
    #[error(
        "release {release} needs data from {need_from} to {need_to} (the seven days to {need_to} and the week before), but {sources} run from {have_from} to {have_to}"
    )]
    OutsideData {
        /// The release asked for.
        release: NaiveDate,
        /// First day needed.
        need_from: NaiveDate,
        /// Last day needed.
        need_to: NaiveDate,
        /// First day the data have.
        have_from: NaiveDate,
        /// Last day the data have.
        have_to: NaiveDate,
        /// The data files.
        sources: String,
    },
    /// The data hold no rows of case counts.
    #[error("{sources} hold no {metric} rows")]
    NoCases {
        /// The data files.
        sources: String,
        /// The metric looked for.
        metric: &'static str,
    },
    /// Input gates found faults that hold the story back.
    #[error(
        "the data failed {count} input check(s); no story was written:\n{report}\nOnce a human has checked the figures, a gate can be made a warning in the patch file: [gates.severity] gate_name = \"warn\""
    )]
    Gates {
        /// How many errors.
        count: usize,
        /// One line per error.
        report: String,
    },
    /// The rendered copy breaks house style.
    #[error("the copy breaks house style in {count} place(s); no story was written:\n{report}")]
    Lint {
        /// How many findings.
        count: usize,
        /// One line per finding, quoting the sentence.
        report: String,
    },
    /// One story of an each-area run failed its checks; no story of the run is written.
    #[error("the story for {area} failed its checks; no story was written: {source}")]
    AreaStory {
        /// The area.
        area: String,
        /// What failed.
        #[source]
        source: Box<DraftError>,
    },
    /// The rendered copy prints a figure or a claim the data do not back.
    #[error("the copy failed the audit in {count} place(s); no story was written:\n{report}")]
    Audit {
        /// How many failures.
        count: usize,
        /// One line per failure, quoting the sentence.
        report: String,
    },
    /// A rolling sum the source published disagrees with the sum of its own daily counts.
    #[error(
        "{area} ({code}): the source gives a 7-day sum of {published} to {date}, but its daily counts add up to {computed}"
    )]
    CrossCheck {
        /// Area name.
        area: String,
        /// Area code.
        code: String,
        /// Last day of the window.
        date: NaiveDate,
        /// The sum the file carries.
        published: f64,
        /// Ours.
        computed: i64,
    },
}

/// Output format of a draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// The rendered copy.
    #[default]
    Markdown,
    /// The view model, every figure in it, with the facts sidecar's keys (`sources`,
    /// `population_source`, `facts`) added at the top level.
    Json,
}

/// What a draft needs, already parsed from the command line.
#[derive(Clone, Debug)]
pub struct DraftRequest {
    /// The patch file.
    pub patch: PathBuf,
    /// Data files, read in order and merged.
    pub data: Vec<PathBuf>,
    /// The population table.
    pub population: PathBuf,
    /// The day the data were published.
    pub release: NaiveDate,
    /// Story template name; the default when `None`.
    pub template: Option<String>,
    /// A newsroom's template folder.
    pub templates: Option<PathBuf>,
    /// Markdown or JSON.
    pub format: Format,
    /// Today's date, for the future-dates gate; the library never reads the clock.
    pub today: Option<NaiveDate>,
    /// Skip the house-style lint and the round-trip audit (for template development only).
    pub no_audit: bool,
    /// Overrides the patch's seed for choosing sentence frames.
    pub seed: Option<u64>,
    /// Read the data from the local archive instead of `data` files.
    pub archive: Option<OfflineSource>,
}

/// A release in the local archive, as `draft --source S --offline` names it.
#[derive(Clone, Debug)]
pub struct OfflineSource {
    /// The archive file.
    pub path: PathBuf,
    /// Which API the data were fetched from.
    pub source: crate::fetch::Source,
    /// The area type, as given to `fetch`.
    pub area_type: String,
    /// Which stored release.
    pub release: crate::fetch::archive::ReleaseSelector,
}

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

/// A finished draft.
#[derive(Clone, Debug)]
pub struct Draft {
    /// The view model.
    pub story: Story,
    /// The text to write: Markdown or JSON.
    pub output: String,
    /// The story's headline, when its template has a `headline` block.
    pub headline: Option<String>,
    /// The story's standfirst, when its template has a `standfirst` block.
    pub standfirst: Option<String>,
    /// Things a human should know that did not stop the draft.
    pub warnings: Vec<String>,
    /// How the inputs were read, for the record (a population row that overrides another).
    pub notes: Vec<String>,
    /// Every figure the copy can print, traced to the data: the `STORY.facts.json` sidecar.
    pub facts: FactsSidecar,
    /// What was checked before the story was let out.
    pub checked: Checked,
}

/// What a draft checked, for the one line `casewire draft` prints on standard error.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    /// Figures in the copy traced to a fact.
    pub figures: usize,
    /// Facts recomputed from the daily counts.
    pub facts: usize,
    /// Claim words checked against the data.
    pub claims: usize,
    /// Input gates run.
    pub gates: usize,
    /// House-style lint rules applied.
    pub lint_rules: usize,
    /// Whether the lint and the audit ran (not with `--no-audit`).
    pub audited: bool,
}

impl std::fmt::Display for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.audited {
            write!(
                f,
                "checked: {} figures traced to data, {} facts recomputed, {} claims, {} input gates, {} lint rules",
                self.figures, self.facts, self.claims, self.gates, self.lint_rules
            )
        } else {
            write!(
                f,
                "checked: {} input gates; lint and audit skipped (--no-audit): not for print",
                self.gates
            )
        }
    }
}

/// Where the facts sidecar of a story written to `out` goes: `story.md` → `story.facts.json`;
/// any other name gains `.facts.json`.
pub fn facts_path(out: &Path) -> PathBuf {
    if out.extension().is_some_and(|e| e == "md") {
        out.with_extension("facts.json")
    } else {
        let mut name = out.file_name().unwrap_or_default().to_os_string();
        name.push(".facts.json");
        out.with_file_name(name)
    }
}

/// Writes the story to `out` and its facts beside it ([`facts_path`]), both or neither: both
/// are written in full to temporary files in the target folder first (a failure there leaves
/// nothing behind), then renamed into place, the sidecar first; if the story's rename fails,
/// a sidecar that did not exist before is removed again. Returns the sidecar's path.
pub fn write_out(draft: &Draft, out: &Path) -> std::io::Result<PathBuf> {
    let sidecar = facts_path(out);
    let facts_tmp = crate::fsio::stage(&sidecar, draft.facts.to_json().as_bytes())?;
    let story_tmp = crate::fsio::stage(out, draft.output.as_bytes())?;
    let existed = sidecar.exists();
    facts_tmp.persist(&sidecar).map_err(|e| e.error)?;
    if let Err(e) = story_tmp.persist(out) {
        if !existed {
            let _ = std::fs::remove_file(&sidecar);
        }
        return Err(e.error);
    }
    Ok(sidecar)
}

/// Reads every data file into one dataset.
pub fn load_data(paths: &[PathBuf]) -> Result<Dataset, DraftError> {
    let mut builder = DatasetBuilder::new();
    for path in paths {
        read_data_file(&mut builder, path)?;
    }
    Ok(builder.finish()?)
}

/// Checks that the data cover the week and the week before.
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
    Ok(())
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
}

/// Loads the patch, data and population named in a request.
pub fn load_inputs(
    patch_path: &Path,
    data: &[PathBuf],
    population: &Path,
) -> Result<Inputs, DraftError> {
    inputs_from(patch_path, load_data(data)?, population)
}

/// Builds the inputs from a dataset already loaded (from files or the archive).
pub fn inputs_from(
    patch_path: &Path,
    dataset: Dataset,
    population: &Path,
) -> Result<Inputs, DraftError> {
    let patch = Patch::load(patch_path)?;
    let (population, notes) = read_population_file(population)?;
    let warnings = dataset.warnings.clone();
    Ok(Inputs {
        patch,
        patch_path: patch_path.to_path_buf(),
        dataset,
        population,
        warnings,
        notes,
    })
}

/// Checks the inputs for a release (coverage, gates, cross-checks) and computes the week's
/// national figures, once for any number of stories.
pub fn prepare_week(
    dataset: &Dataset,
    population: &Population,
    patch: &Patch,
    area_type: &str,
    release: NaiveDate,
    today: Option<NaiveDate>,
    warnings: &mut Vec<String>,
) -> Result<National, DraftError> {
    let week = Week::for_release(release, patch.incomplete_days);
    check_coverage(dataset, release, week)?;
    let universe: std::collections::BTreeSet<String> = dataset
        .areas
        .iter()
        .filter(|a| a.area_type == area_type && patch.universe.contains(&a.code))
        .map(|a| a.code.clone())
        .collect();
    let report = check_inputs(&GateInput {
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
    });
    let errors = report.errors();
    if !errors.is_empty() {
        let lines: Vec<String> = errors.iter().map(|f| format!("  {f}")).collect();
        return Err(DraftError::Gates {
            count: errors.len(),
            report: lines.join("\n"),
        });
    }
    warnings.extend(summarise_gate_warnings(&report.warnings()));
    let national = National::compute(dataset, population, patch.universe, area_type, week);
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

/// Computes, decides and renders one patch story from loaded inputs.
pub fn draft_from(
    inputs: &Inputs,
    renderer: &Renderer,
    release: NaiveDate,
    template: &str,
    format: Format,
    today: Option<NaiveDate>,
    no_audit: bool,
) -> Result<Draft, DraftError> {
    renderer.check_template(template)?;
    let Inputs {
        patch,
        patch_path,
        dataset,
        population,
        warnings,
        notes,
    } = inputs;
    let mut warnings = warnings.clone();
    let area_type = patch.resolve_area_type(patch_path, dataset)?;
    let core = resolve_areas(patch_path, dataset, &area_type, &patch.core)?;
    let nearby = resolve_areas(patch_path, dataset, &area_type, &patch.nearby)?;
    let national = prepare_week(
        dataset,
        population,
        patch,
        &area_type,
        release,
        today,
        &mut warnings,
    )?;
    let story = story::build(StoryInput {
        dataset,
        national: &national,
        patch,
        core: &core,
        nearby: &nearby,
        release,
        template,
        hospital: hospital_figures(patch, dataset, release, &mut warnings),
    })?;
    let facts = crate::facts::sidecar(&story, dataset, population);
    let mut checked = Checked {
        gates: crate::gates::Gate::ALL.len(),
        ..Checked::default()
    };
    // Rendered and checked in both formats: the JSON describes a story that passed.
    let rendered = renderer.render(template, &story)?;
    if !no_audit {
        check_copy(
            &rendered.text,
            &facts,
            &story,
            CheckInputs {
                dataset,
                population,
                patch,
            },
            &mut checked,
        )?;
    }
    let output = match format {
        Format::Markdown => rendered.text.clone(),
        Format::Json => json_output(&story, &facts),
    };
    Ok(Draft {
        story,
        output,
        headline: rendered.headline,
        standfirst: rendered.standfirst,
        warnings,
        notes: notes.clone(),
        facts,
        checked,
    })
}

/// What the audit recomputes a story's facts from.
#[derive(Clone, Copy)]
struct CheckInputs<'a> {
    dataset: &'a Dataset,
    population: &'a Population,
    patch: &'a Patch,
}

/// Lints and audits rendered copy; any finding stops the story, quoting the sentence.
fn check_copy(
    copy: &str,
    facts: &FactsSidecar,
    story: &Story,
    inputs: CheckInputs<'_>,
    checked: &mut Checked,
) -> Result<(), DraftError> {
    let context = crate::audit::AuditContext::new(
        story,
        &[],
        inputs.dataset,
        inputs.population,
        inputs.patch,
    );
    check_copy_in(&context, copy, facts, story, inputs, checked)
}

/// [`check_copy`] with the week's audit context prepared already (and its shared facts).
fn check_copy_in(
    context: &crate::audit::AuditContext<'_>,
    copy: &str,
    facts: &FactsSidecar,
    story: &Story,
    inputs: CheckInputs<'_>,
    checked: &mut Checked,
) -> Result<(), DraftError> {
    let findings = crate::lint::lint(copy);
    if !findings.is_empty() {
        let lines: Vec<String> = findings
            .iter()
            .map(|f| format!("  {f}, in \"{}\"", f.sentence))
            .collect();
        return Err(DraftError::Lint {
            count: findings.len(),
            report: lines.join("\n"),
        });
    }
    let report = context.audit(AuditInput {
        text: copy,
        facts: &facts.facts,
        story,
        dataset: inputs.dataset,
        population: inputs.population,
        patch: inputs.patch,
    });
    if !report.passed() {
        let lines: Vec<String> = report.failures.iter().map(|f| format!("  {f}")).collect();
        return Err(DraftError::Audit {
            count: report.failures.len(),
            report: lines.join("\n"),
        });
    }
    checked.figures = report.figures;
    checked.facts = report.facts;
    checked.claims = report.claims;
    checked.lint_rules = crate::lint::Rule::ALL.len();
    checked.audited = true;
    Ok(())
}

/// The view model with the sidecar's provenance and facts added at the top level, in the
/// view model's own key order (and, for a story of an every-area run, the `shared` reference
/// to the week's national facts).
pub fn json_output(story: &Story, facts: &FactsSidecar) -> String {
    #[derive(serde::Serialize)]
    struct JsonOutput<'a> {
        #[serde(flatten)]
        story: &'a Story,
        sources: &'a [crate::model::SourceInfo],
        population_source: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        shared: Option<&'a crate::facts::SharedRef>,
        facts: &'a [crate::facts::Fact],
    }
    let mut s = serde_json::to_string_pretty(&JsonOutput {
        story,
        sources: &facts.sources,
        population_source: &facts.population_source,
        shared: facts.shared.as_ref(),
        facts: &facts.facts,
    })
    .expect("the view model and facts are plain data");
    s.push('\n');
    s
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

/// Loads everything a request names and drafts the story.
pub fn draft(request: &DraftRequest) -> Result<Draft, DraftError> {
    let template = request
        .template
        .as_deref()
        .unwrap_or(crate::render::DEFAULT_TEMPLATE);
    let renderer = Renderer::for_story(request.templates.as_deref(), template)?;
    renderer.check_template(template)?;
    let mut inputs = match &request.archive {
        Some(offline) => {
            let (dataset, label) = load_archived(offline)?;
            let mut inputs = inputs_from(&request.patch, dataset, &request.population)?;
            inputs.notes.push(format!(
                "data: {} release {label} from the archive {}",
                offline.source,
                offline.path.display()
            ));
            inputs
        }
        None => load_inputs(&request.patch, &request.data, &request.population)?,
    };
    if let Some(seed) = request.seed {
        inputs.patch.seed = seed;
    }
    draft_from(
        &inputs,
        &renderer,
        request.release,
        template,
        request.format,
        request.today,
        request.no_audit,
    )
}

/// What `draft --each-area` needs.
#[derive(Clone, Debug)]
pub struct EachAreaRequest {
    /// Publication settings; built-in neutral ones when `None`.
    pub patch: Option<PathBuf>,
    /// Data files.
    pub data: Vec<PathBuf>,
    /// Population table.
    pub population: PathBuf,
    /// The release.
    pub release: NaiveDate,
    /// England or the UK; the patch's (or England) when `None`.
    pub universe: Option<crate::stats::Universe>,
    /// Story template; [`EACH_AREA_TEMPLATE`] when `None`.
    pub template: Option<String>,
    /// A newsroom's template folder.
    pub templates: Option<PathBuf>,
    /// Overrides the patch's seed.
    pub seed: Option<u64>,
    /// Today, for the future-dates gate.
    pub today: Option<NaiveDate>,
    /// Skip the lint and the audit of every story (template development only).
    pub no_audit: bool,
    /// Read the data from the local archive instead of `data` files.
    pub archive: Option<OfflineSource>,
}

/// How many every-area stories are drafted between handing them on: enough to keep two
/// threads busy, few enough that a run of thousands never holds many.
const EACH_AREA_BATCH: usize = 64;

/// The template each-area stories use unless told otherwise.
pub const EACH_AREA_TEMPLATE: &str = "area";

/// One area's story from an each-area run.
#[derive(Clone, Debug)]
pub struct AreaStory {
    /// A file name safe on any system: `bromley-e09000006.md`.
    pub file_name: String,
    /// The story. Its facts are its own; the week's national facts, which every story of the
    /// run shares, are in [`EachArea::shared`] and its `facts.shared` names that file.
    pub draft: Draft,
}

/// The file of an every-area run that holds the week's national facts, which every story of
/// the run shares. Story files are named by [`slug`]s, which hold only lower-case letters,
/// digits and dashes, so no story's file can take this name.
pub const SHARED_FACTS_FILE: &str = "shared_facts.json";

/// The week's national facts every story of an each-area run shares (see
/// [`crate::facts::Part::National`]), written once as [`SHARED_FACTS_FILE`].
#[derive(Clone, Debug)]
pub struct SharedFacts {
    /// The facts, with their provenance.
    pub sidecar: FactsSidecar,
    /// As written to the file.
    pub json: String,
}

impl SharedFacts {
    fn new(sidecar: FactsSidecar) -> SharedFacts {
        let json = sidecar.to_json();
        SharedFacts { sidecar, json }
    }

    /// What a story's own sidecar says of the file: its name, its SHA-256 and the ids it holds.
    pub fn reference(&self) -> crate::facts::SharedRef {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(self.json.as_bytes());
        crate::facts::SharedRef {
            file: SHARED_FACTS_FILE.to_string(),
            sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
            facts: self.sidecar.facts.iter().map(|f| f.id.clone()).collect(),
        }
    }
}

/// Everything an each-area run produced.
#[derive(Clone, Debug)]
pub struct EachArea {
    /// One story per area with figures, in area-code order.
    pub stories: Vec<AreaStory>,
    /// The week's national facts the stories share; `None` when no area has a story.
    pub shared: Option<SharedFacts>,
    /// Areas with no story, and why.
    pub skipped: Vec<String>,
    /// Warnings from the inputs and gates.
    pub warnings: Vec<String>,
    /// Notes from reading the inputs.
    pub notes: Vec<String>,
}

/// What an each-area run that handed its stories on one by one reports at the end.
#[derive(Clone, Debug)]
pub struct EachAreaSummary {
    /// How many stories were drafted.
    pub stories: usize,
    /// Figures traced to data, over every story.
    pub figures: usize,
    /// What the first story's checks were (the same checks ran on every story).
    pub checked: Option<Checked>,
    /// The week's national facts the stories share; `None` when no area has a story.
    pub shared: Option<SharedFacts>,
    /// Areas with no story, and why.
    pub skipped: Vec<String>,
    /// Warnings from the inputs and gates.
    pub warnings: Vec<String>,
    /// Notes from reading the inputs.
    pub notes: Vec<String>,
}

/// A lower-case ASCII slug of `name` and `code`, never empty, never leaving a folder:
/// `Kingston upon Hull, City of` + `E06000010` → `kingston-upon-hull-city-of-e06000010`.
pub fn slug(name: &str, code: &str) -> String {
    let mut out = String::new();
    for c in name.chars().chain(std::iter::once(' ')).chain(code.chars()) {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut slug = out.trim_matches('-').to_string();
    // Long names are cut, keeping the code (which makes the slug unique) at the end.
    if slug.len() > 100 {
        let code_part: String = code
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let keep = 100usize.saturating_sub(code_part.len() + 1);
        slug = format!("{}-{code_part}", slug[..keep].trim_end_matches('-'));
    }
    if slug.is_empty() {
        slug = "area".to_string();
    }
    slug
}

/// The publication settings an each-area run uses when no patch is given: neutral wording,
/// no named calculator (the provenance line then names only the data's publisher).
pub fn default_patch() -> Patch {
    Patch::neutral()
}

/// Drafts one story for every area of the universe: the week's national figures are computed
/// once, and each story is led by its own area. Every story is rendered before any is
/// returned, so a failure leaves nothing half-done.
pub fn draft_each_area(request: &EachAreaRequest) -> Result<EachArea, DraftError> {
    let mut stories = Vec::new();
    let run = draft_each_area_with(request, |story| {
        stories.push(story);
        Ok::<(), DraftError>(())
    })?;
    Ok(EachArea {
        stories,
        shared: run.shared,
        skipped: run.skipped,
        warnings: run.warnings,
        notes: run.notes,
    })
}

/// [`draft_each_area`], handing each story to `each` as soon as it has passed its checks, so
/// that a run of thousands of areas never holds them all. `each` should only stage what it is
/// given: a later story can still fail, and then the run returns that error and nothing of it
/// should be put in place.
///
/// The week's national facts (leaders, movers, the universe's tallies, dates) are collected
/// once, from the first story, into [`EachAreaSummary::shared`]; each story's sidecar holds
/// only its own facts and names the shared file. The audit recomputes the national facts
/// once for the week and each story's own facts per story, and still traces every figure of
/// every story to a fact, its own or a shared one.
pub fn draft_each_area_with<E, F>(
    request: &EachAreaRequest,
    mut each: F,
) -> Result<EachAreaSummary, E>
where
    E: From<DraftError>,
    F: FnMut(AreaStory) -> Result<(), E>,
{
    let template = request.template.as_deref().unwrap_or(EACH_AREA_TEMPLATE);
    let renderer =
        Renderer::for_story(request.templates.as_deref(), template).map_err(DraftError::from)?;
    renderer
        .check_template(template)
        .map_err(DraftError::from)?;
    let (mut patch, patch_path) = match &request.patch {
        Some(p) => (Patch::load(p).map_err(DraftError::from)?, p.clone()),
        None => (default_patch(), PathBuf::from("(built-in settings)")),
    };
    if let Some(u) = request.universe {
        patch.universe = u;
    }
    if let Some(seed) = request.seed {
        patch.seed = seed;
    }
    let dataset = match &request.archive {
        Some(offline) => load_archived(offline)?.0,
        None => load_data(&request.data)?,
    };
    let (population, notes) =
        read_population_file(&request.population).map_err(DraftError::from)?;
    let mut warnings = dataset.warnings.clone();
    let area_type = patch
        .resolve_area_type(&patch_path, &dataset)
        .map_err(DraftError::from)?;
    let national = prepare_week(
        &dataset,
        &population,
        &patch,
        &area_type,
        request.release,
        request.today,
        &mut warnings,
    )?;
    let hospital = hospital_figures(&patch, &dataset, request.release, &mut warnings);
    let skipped = national
        .missing
        .iter()
        .map(|(i, why)| {
            let a = &dataset.areas[*i];
            format!("no story for {} ({}): {why}", a.name, a.code)
        })
        .collect();
    let mut summary = EachAreaSummary {
        stories: 0,
        figures: 0,
        checked: None,
        shared: None,
        skipped,
        warnings,
        notes,
    };
    // The leaders, movers and nation leaders every story of the week shares, decided once.
    let week_views = story::WeekViews::new(&dataset, &national, &patch, request.release);
    let in_area = |w: &crate::stats::AreaWeek, e: DraftError| {
        let area = &dataset.areas[w.index];
        DraftError::AreaStory {
            area: format!("{} ({})", area.name, area.code),
            source: Box::new(e),
        }
    };
    let build_render = |w: &crate::stats::AreaWeek| -> Result<(Story, Patch, crate::render::Rendered), DraftError> {
        let mut local = patch.clone();
        local.region.clone_from(&dataset.areas[w.index].name);
        let story = story::build_in(
            StoryInput {
                dataset: &dataset,
                national: &national,
                patch: &local,
                core: &[w.index],
                nearby: &[],
                release: request.release,
                template,
                hospital: hospital.clone(),
            },
            &week_views,
        )?;
        let rendered = renderer.render(template, &story)?;
        Ok((story, local, rendered))
    };
    let Some((first, rest)) = national.weeks.split_first() else {
        return Ok(summary);
    };
    let first_built = build_render(first)?;
    // The week's shared facts come from the first story (kept for the run, as the audit
    // context borrows them), with what stories' sidecars say of them and the audit's view of
    // the week.
    let shared = crate::facts::sidecar_of(
        &first_built.0,
        &dataset,
        &population,
        crate::facts::Part::National,
    );
    let shared = SharedFacts::new(shared);
    let reference = shared.reference();
    let context = (!request.no_audit).then(|| {
        crate::audit::AuditContext::new(
            &first_built.0,
            &shared.sidecar.facts,
            &dataset,
            &population,
            &patch,
        )
    });
    let finish = |w: &crate::stats::AreaWeek,
                  (story, local, rendered): (Story, Patch, crate::render::Rendered)|
     -> Result<AreaStory, DraftError> {
        let area = &dataset.areas[w.index];
        let mut facts =
            crate::facts::sidecar_of(&story, &dataset, &population, crate::facts::Part::Own);
        facts.shared = Some(reference.clone());
        let mut checked = Checked {
            gates: crate::gates::Gate::ALL.len(),
            ..Checked::default()
        };
        if let Some(context) = &context {
            check_copy_in(
                context,
                &rendered.text,
                &facts,
                &story,
                CheckInputs {
                    dataset: &dataset,
                    population: &population,
                    patch: &local,
                },
                &mut checked,
            )
            .map_err(|e| in_area(w, e))?;
        }
        Ok(AreaStory {
            file_name: format!("{}.md", slug(&area.name, &area.code)),
            draft: Draft {
                story,
                output: rendered.text,
                headline: rendered.headline,
                standfirst: rendered.standfirst,
                warnings: Vec::new(),
                notes: Vec::new(),
                facts,
                checked,
            },
        })
    };
    let work = |w: &crate::stats::AreaWeek| build_render(w).and_then(|built| finish(w, built));
    let mut emit = |story: AreaStory| -> Result<(), E> {
        summary.stories += 1;
        summary.figures += story.draft.checked.figures;
        summary.checked.get_or_insert(story.draft.checked);
        each(story)
    };
    emit(finish(first, first_built)?)?;
    // The rest in batches, each split between two threads and handed on in area order: the
    // stories are independent, and the batch bounds what is held at once.
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    for batch in rest.chunks(EACH_AREA_BATCH) {
        let results: Vec<Result<AreaStory, DraftError>> = if threads > 1 && batch.len() > 1 {
            let (a, b) = batch.split_at(batch.len() / 2);
            std::thread::scope(|scope| {
                let first_half = scope.spawn(|| a.iter().map(work).collect::<Vec<_>>());
                let second_half: Vec<_> = b.iter().map(work).collect();
                let mut all = first_half.join().expect("a story thread panicked");
                all.extend(second_half);
                all
            })
        } else {
            batch.iter().map(work).collect()
        };
        for result in results {
            emit(result?)?;
        }
    }
    summary.shared = Some(shared);
    Ok(summary)
}
