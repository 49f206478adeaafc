//! The draft job: checked inputs in, one story out. The CLI and the tests both call
//! [`draft`], so what the tests check is what an editor runs.

//!
//! Every story is drafted from one [`Week`], built once from loaded [`Inputs`]: the
//! patch's story ([`Week::draft_patch`]) or every area's ([`Week::draft_each_area`]).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::ConfigError;
use crate::facts::FactsSidecar;
use crate::fetch::file::{PopulationError, ReadError};
use crate::render::{RenderError, Renderer};
use crate::story::{Story, StoryError};

mod each_area;
mod expect;
mod inputs;
#[cfg(test)]
mod numerals_tests;
#[cfg(test)]
mod reading_tests;
mod week;

pub(crate) use crate::copy::odd_names as misread_names;
pub use each_area::{
    AREA_FACTS_FILE, AreaStory, EACH_AREA_TEMPLATE, EachArea, EachAreaRequest, EachAreaSummary,
    PatchAreaStories, SHARED_FACTS_FILE, SharedFacts, StagedEachArea, WriteEachAreaError,
    default_patch, draft_patch_areas, each_area_inputs, patch_area_stories, slug, stage_each_area,
    stage_patch_areas,
};
pub use expect::{ExpectFrom, Expectation};
pub use inputs::{
    Inputs, Loaded, check_coverage, check_not_later_release, cross_check, hospital_figures,
    load_archived, load_data, load_release, prepare_week,
};
pub use week::{AreaDrafter, EveryArea, PatchAreas, Week};

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
    /// The data hold counts dated on or after the release: they are a later release's.
    #[error(
        "{sources}: the latest count is dated {latest}, but data published on {release} run to {day_before} at the latest: the file is from a later release, whose counts for earlier days were revised since, so a story for {release} would print figures that release never published; give the release the file is from (--release {from}, or put the file in the {from} release folder) or the file of the {release} release"
    )]
    LaterRelease {
        /// The files holding the latest counts.
        sources: String,
        /// The latest date with a count.
        latest: NaiveDate,
        /// The release asked for.
        release: NaiveDate,
        /// The day before the release: the latest a release's data can run to.
        day_before: NaiveDate,
        /// The release the file most likely is: the day after its latest count.
        from: NaiveDate,
    },
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
    #[error("no {metric} rows in {sources}")]
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
    /// The `area` template tells one area's story: with a patch of several, [`draft`] would
    /// tell the first area's alone, so it refuses; [`draft_patch_areas`] tells each.
    #[error(
        "the {template} template tells one area's story, but {} has {count} areas ({names}); give --out-dir DIR for one story per area of the patch (or --each-area for every area of the universe), or a patch of one area",
        patch.display()
    )]
    AreaTemplate {
        /// The template asked for.
        template: String,
        /// The patch file.
        patch: PathBuf,
        /// How many areas the patch has.
        count: usize,
        /// The areas, as the patch names them.
        names: String,
    },
    /// A story per area of the patch was asked for with a template that tells the patch's
    /// story, once.
    #[error(
        "--out-dir without --each-area writes one story per area of the patch with the area template, but the template asked for is {template}; give --template area, or --each-area for every area of the universe, or --out FILE for the patch's one story"
    )]
    PerAreaTemplate {
        /// The template asked for.
        template: String,
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

impl DraftError {
    /// Whether the input gates held the story back (the data failed a check a human must
    /// look at), as opposed to an input that could not be read or copy that failed its checks:
    /// the command line gives it an exit code of its own.
    pub fn is_held_back_by_gates(&self) -> bool {
        match self {
            DraftError::Gates { .. } => true,
            DraftError::AreaStory { source, .. } => source.is_held_back_by_gates(),
            _ => false,
        }
    }

    /// Whether the request asks for what cannot be drafted (the `area` template for a patch of
    /// several areas without a folder for their stories, or a folder of stories per area with
    /// another template): the command line, not the data, is at fault.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            DraftError::AreaTemplate { .. } | DraftError::PerAreaTemplate { .. }
        )
    }
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

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "markdown" => Ok(Format::Markdown),
            "json" => Ok(Format::Json),
            other => Err(format!("unknown format \"{other}\": use markdown or json")),
        }
    }
}

impl EachAreaRequest {
    /// The patch's own story drafted from the same inputs, template and checks as this
    /// every-area request (its universe aside, which only every-area runs choose).
    pub fn for_patch(self, patch: PathBuf, format: Format) -> DraftRequest {
        DraftRequest {
            patch,
            data: self.data,
            population: self.population,
            release: self.release,
            template: self.template,
            templates: self.templates,
            format,
            today: self.today,
            no_audit: self.no_audit,
            seed: self.seed,
            archive: self.archive,
            expect_from: self.expect_from,
        }
    }
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
    /// With `data` files: what the release should hold (`--expect-from`); nothing when
    /// `None`. From the archive, the previous archived release (or the register) always.
    pub expect_from: Option<ExpectFrom>,
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

impl OfflineSource {
    /// The release `release` of `source` in the archive of `settings`, as `draft --source`
    /// reads it: fetched into the archive first (only what the release needs, see
    /// [`crate::fetch::FetchOptions::plan_for_release`]) unless `offline`; the release stored
    /// on that date, or with `as_of` the newest on or before it (see
    /// [`crate::fetch::release_for`]). Returns the fetch's report, when there was a fetch, for
    /// the caller to show its summary and warnings.
    pub fn for_release(
        settings: &crate::fetch::FetchSettings,
        source: crate::fetch::Source,
        area_type: &str,
        release: NaiveDate,
        offline: bool,
        as_of: bool,
    ) -> Result<(OfflineSource, Option<crate::fetch::FetchReport>), DraftError> {
        let path = settings.archive_path();
        let mut fetched = None;
        if !offline {
            let mut opts = settings.options(source, area_type);
            opts.plan_for_release(release);
            let report = crate::fetch::fetch_command(&opts, &path, None).map_err(Box::new)?;
            fetched = Some(report);
        }
        let offline = OfflineSource {
            path,
            source,
            area_type: area_type.to_string(),
            release: crate::fetch::release_for(release, as_of),
        };
        Ok((offline, fetched))
    }
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
    /// The archive's label of the release the story was drafted from (`2021-01-18+r02`);
    /// `None` for data files.
    pub release_label: Option<String>,
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

/// The view model with the sidecar's provenance and facts added at the top level, in the
/// view model's own key order (and, for a story of an every-area run, the `shared` reference
/// to the week's national facts), and, drafted from the archive, the `release_label` of the
/// release it was drafted from.
pub(crate) fn json_output(story: &Story, facts: &FactsSidecar, label: Option<&str>) -> String {
    #[derive(serde::Serialize)]
    struct JsonOutput<'a> {
        #[serde(flatten)]
        story: &'a Story,
        #[serde(skip_serializing_if = "Option::is_none")]
        release_label: Option<&'a str>,
        sources: &'a [crate::model::SourceInfo],
        population_source: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        shared: Option<&'a crate::facts::SharedRef>,
        facts: &'a [crate::facts::Fact],
    }
    let mut s = serde_json::to_string_pretty(&JsonOutput {
        story,
        release_label: label,
        sources: &facts.sources,
        population_source: &facts.population_source,
        shared: facts.shared.as_ref(),
        facts: &facts.facts,
    })
    .expect("the view model and facts are plain data");
    s.push('\n');
    s
}

/// Refuses a request for the `area` template (one area's own story) with a patch of several
/// areas, whose one story would tell the first area's alone: a story per area is
/// [`draft_patch_areas`] (`draft --template area --out-dir DIR`). [`draft`] runs this check
/// first; it reads only the patch file, so a caller can run it before anything else.
pub fn check_area_template(request: &DraftRequest) -> Result<(), DraftError> {
    if request.template.as_deref() != Some(each_area::EACH_AREA_TEMPLATE) {
        return Ok(());
    }
    let patch = crate::config::Patch::load(&request.patch)?;
    one_area_template(
        each_area::EACH_AREA_TEMPLATE,
        patch.core.len(),
        &patch,
        &request.patch,
    )
}

/// Refuses the `area` template for a story of `count` core areas (of `patch`, read from
/// `path`): it would tell the first area's story alone.
pub(crate) fn one_area_template(
    template: &str,
    count: usize,
    patch: &crate::config::Patch,
    path: &Path,
) -> Result<(), DraftError> {
    if template != each_area::EACH_AREA_TEMPLATE || count <= 1 {
        return Ok(());
    }
    Err(DraftError::AreaTemplate {
        template: template.to_string(),
        patch: path.to_path_buf(),
        count,
        names: patch.core.join(", "),
    })
}

/// Loads everything a request names and drafts the story: [`Inputs::for_request`], then
/// [`Week::prepare`] and [`Week::draft_patch`]. The `area` template with a patch of several
/// areas is refused ([`check_area_template`]): it tells one area's story, and
/// [`draft_patch_areas`] drafts one for each.
pub fn draft(request: &DraftRequest) -> Result<Draft, DraftError> {
    check_area_template(request)?;
    let template = request
        .template
        .as_deref()
        .unwrap_or(crate::render::DEFAULT_TEMPLATE);
    let renderer = Renderer::for_story(request.templates.as_deref(), template)?;
    renderer.check_template(template)?;
    let inputs = Inputs::for_request(request)?;
    // The patch's areas before the week's gates, so that a misspelt area is reported first.
    let areas = PatchAreas::resolve(&inputs)?;
    Week::prepare(&inputs, inputs.release(request.release), request.today)?.draft_patch(
        &areas,
        &renderer,
        template,
        request.format,
        request.no_audit,
    )
}
