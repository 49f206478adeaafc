//! Every area's story of a week (`draft --each-area`), and the folder of files they make.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::expect::ExpectFrom;
use super::inputs::{Inputs, load_release};
use super::week::{Week, built_in_path};
use super::{Checked, Draft, DraftError, Format, OfflineSource, facts_path, json_output};
use crate::config::Patch;
use crate::facts::FactsSidecar;
use crate::fsio::FolderStage;
use crate::render::Renderer;

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
    /// With `data` files: what the release should hold (`--expect-from`); nothing when
    /// `None`. From the archive, the previous archived release (or the register) always.
    pub expect_from: Option<ExpectFrom>,
}

impl EachAreaRequest {
    /// Every file the request reads (patch, data, population, archive), which no output of
    /// the run may be.
    pub fn input_files(&self) -> Vec<&Path> {
        let mut inputs: Vec<&Path> = self.patch.iter().map(PathBuf::as_path).collect();
        inputs.extend(self.data.iter().map(PathBuf::as_path));
        inputs.push(&self.population);
        inputs.extend(self.archive.as_ref().map(|a| a.path.as_path()));
        inputs
    }
}

/// How many every-area stories are drafted between handing them on: enough to keep every
/// core busy, few enough that a run of thousands never holds many.
pub(super) const EACH_AREA_BATCH: usize = 64;

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

/// The file of an every-area run in Markdown that holds every story's own facts: one JSON
/// object whose keys are the stories' file names (`"bromley-e09000006.md"`) and whose values
/// are their sidecars, each as a patch story's `.facts.json` would be (naming
/// [`SHARED_FACTS_FILE`] for the week's national facts). One file for the folder rather than
/// one beside each story: a run of thousands of neighbourhoods then creates half the files,
/// and creating them was about a fifth of its time. No story's file can take this name (a
/// [`slug`] has no underscore).
pub const AREA_FACTS_FILE: &str = "area_facts.json";

/// What a drafting thread keeps of its chunk of an every-area run: how many files it wrote,
/// and its stories' own facts as entries of [`AREA_FACTS_FILE`], in area-code order.
#[derive(Debug, Default)]
struct Chunk {
    files: usize,
    facts: String,
}

impl Chunk {
    /// Adds a story's own facts, keyed by its file's name.
    fn add_facts(&mut self, file_name: &str, facts: &FactsSidecar) {
        if !self.facts.is_empty() {
            self.facts.push_str(",\n");
        }
        let key = serde_json::to_string(file_name).expect("a file name serialises");
        self.facts.push_str(&key);
        self.facts.push_str(": ");
        self.facts.push_str(facts.to_json().trim_end());
    }
}

/// [`AREA_FACTS_FILE`] as it is written: each chunk's facts as soon as every chunk before it
/// is written, so a run holds a few chunks' facts at a time, not every story's.
struct InOrder<'s> {
    stage: &'s FolderStage,
    state: std::sync::Mutex<InOrderState>,
}

#[derive(Default)]
struct InOrderState {
    /// Created with the first facts: a run without stories writes no such file.
    file: Option<std::fs::File>,
    /// The chunk whose facts come next in the file.
    next: usize,
    /// Chunks finished before one ahead of them, by index.
    waiting: std::collections::BTreeMap<usize, String>,
}

impl<'s> InOrder<'s> {
    fn new(stage: &'s FolderStage) -> InOrder<'s> {
        InOrder {
            stage,
            state: Default::default(),
        }
    }

    /// Chunk `index`'s facts, written once every chunk before it is.
    fn chunk(&self, index: usize, facts: String) -> std::io::Result<()> {
        use std::io::Write;
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.waiting.insert(index, facts);
        loop {
            let next = state.next;
            let Some(facts) = state.waiting.remove(&next) else {
                return Ok(());
            };
            state.next += 1;
            if facts.is_empty() {
                continue;
            }
            match &mut state.file {
                Some(file) => file.write_all(b",\n")?,
                None => {
                    let mut file = self.stage.create_file(AREA_FACTS_FILE)?;
                    file.write_all(b"{\n")?;
                    state.file = Some(file);
                }
            }
            let file = state.file.as_mut().expect("just made");
            file.write_all(facts.as_bytes())?;
        }
    }

    /// Closes the object once every chunk is written; whether there was a file to close.
    fn finish(self) -> std::io::Result<bool> {
        use std::io::Write;
        let state = self
            .state
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        debug_assert!(state.waiting.is_empty(), "every chunk was written in turn");
        let Some(mut file) = state.file else {
            return Ok(false);
        };
        file.write_all(b"\n}\n")?;
        self.stage.finish_file(file)?;
        Ok(true)
    }
}

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
    pub(super) fn new(sidecar: FactsSidecar) -> SharedFacts {
        let json = sidecar.to_shared_json();
        SharedFacts { sidecar, json }
    }

    /// What a story's own sidecar says of the file: its name and its SHA-256.
    pub fn reference(&self) -> crate::facts::SharedRef {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(self.json.as_bytes());
        crate::facts::SharedRef {
            file: SHARED_FACTS_FILE.to_string(),
            sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
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

impl EachAreaSummary {
    /// The one line saying what the run checked, for the command line; `None` when no story
    /// was drafted.
    pub fn checked_line(&self) -> Option<String> {
        let first = self.checked?;
        Some(if first.audited {
            format!(
                "checked: {} stories, {} figures traced to data, {} input gates, {} lint rules",
                self.stories, self.figures, first.gates, first.lint_rules
            )
        } else {
            first.to_string()
        })
    }
}

pub use crate::model::slug;

/// The publication settings an each-area run uses when no patch is given: neutral wording,
/// no named calculator (the provenance line then names only the data's publisher).
pub fn default_patch() -> Patch {
    Patch::neutral()
}

/// The inputs of an each-area request: its patch (or [`default_patch`]) with the request's
/// universe and seed, the data (from files or the archive) and the population table.
pub fn each_area_inputs(request: &EachAreaRequest) -> Result<Inputs, DraftError> {
    let (mut patch, patch_path) = match &request.patch {
        Some(p) => (Patch::load(p)?, p.clone()),
        None => (default_patch(), built_in_path()),
    };
    if let Some(u) = request.universe {
        patch.universe = u;
    }
    if let Some(seed) = request.seed {
        patch.seed = seed;
    }
    let loaded = load_release(
        &request.data,
        request.archive.as_ref(),
        request.expect_from.as_ref(),
    )?;
    let mut inputs = Inputs::new(patch, &patch_path, loaded, &request.population)?;
    inputs.note_release_used(request.archive.as_ref(), request.release);
    Ok(inputs)
}

/// An every-area run's folder, assembled in full out of sight beside its place and not yet
/// put there: each story (Markdown with its facts sidecar, or JSON) and the week's shared
/// facts.
#[derive(Debug)]
pub struct StagedEachArea {
    /// What the run drafted.
    pub summary: EachAreaSummary,
    stage: FolderStage,
    files: usize,
    out_dir: PathBuf,
}

/// Why an every-area run's files could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteEachAreaError {
    /// A story failed, or its inputs did.
    #[error(transparent)]
    Draft(#[from] DraftError),
    /// The folder, or a file the run would write in it, is refused before anything is
    /// written (an input, a symbolic link, a device or a pipe).
    #[error(transparent)]
    Out(#[from] crate::fsio::OutError),
    /// The folder holds something an every-area run does not write, which replacing the
    /// folder whole would destroy.
    #[error(
        "refusing to write into {}: it holds {}, which is not a story or facts file an earlier \
         run wrote there, and the run replaces the folder whole; give a new or empty folder, or one an earlier run wrote",
        dir.display(),
        what
    )]
    Foreign {
        /// The folder.
        dir: PathBuf,
        /// What it holds ("notes.txt", "the run's input data.json").
        what: String,
    },
    /// A file could not be staged.
    #[error("cannot write {}", path.display())]
    Stage {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The staged files could not be put in place; none of them are.
    #[error("cannot write the stories into {}", dir.display())]
    Commit {
        /// The folder.
        dir: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}

impl StagedEachArea {
    /// How many files are staged.
    pub fn files(&self) -> usize {
        self.files
    }

    /// Puts the whole folder in place in one step, replacing any folder there; returns how
    /// many files it holds.
    pub fn commit(self) -> Result<usize, WriteEachAreaError> {
        let files = self.files;
        self.stage
            .commit()
            .map_err(|source| WriteEachAreaError::Commit {
                dir: self.out_dir,
                source,
            })?;
        Ok(files)
    }
}

/// Refuses a folder that holds anything but the files an earlier run of this kind wrote
/// ([`written_by_a_run`]), or any of the run's inputs: the run replaces the folder whole. Each file
/// it holds is checked by `guard` as an output (no symbolic link, nothing but a regular file,
/// no input under another name) here, once, before anything is drafted: the stories
/// themselves are then written into a new hidden folder, where nothing else can be.
fn check_replaceable(
    dir: &Path,
    inputs: &[&Path],
    guard: &crate::fsio::OutGuard,
) -> Result<(), WriteEachAreaError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let foreign = |what: String| WriteEachAreaError::Foreign {
        dir: dir.to_path_buf(),
        what,
    };
    let here = std::fs::canonicalize(dir).ok();
    for input in inputs {
        let parent = std::fs::canonicalize(input)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        if parent.is_some() && parent == here {
            return Err(foreign(format!("the run's input {}", input.display())));
        }
    }
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // Links, devices and inputs first: what is read to tell a story from another file must
    // be a plain file of the folder's own.
    let guard = guard.in_folder(dir);
    for name in &names {
        guard.check(&dir.join(name))?;
    }
    if let Some(first) = names.iter().find(|n| !written_by_a_run(dir, &names, n)) {
        return Err(foreign(first.clone()));
    }
    Ok(())
}

/// Whether `name`, one of the sorted `names` in `dir`, is a file an earlier run of this kind
/// wrote there: the week's facts of an every-area run, a story beside them, a story with its
/// facts sidecar, or a story in JSON. A Markdown or JSON file of any other kind (an editor's
/// notes, a site's config) is not, though it ends the same way: replacing the folder would
/// destroy it.
fn written_by_a_run(dir: &Path, names: &[String], name: &str) -> bool {
    let has = |n: &str| names.binary_search_by(|m| m.as_str().cmp(n)).is_ok();
    let every_area = has(SHARED_FACTS_FILE);
    if name == SHARED_FACTS_FILE || name == AREA_FACTS_FILE {
        return every_area;
    }
    if let Some(stem) = name.strip_suffix(".facts.json") {
        return has(&format!("{stem}.md"));
    }
    if let Some(stem) = name.strip_suffix(".md") {
        return every_area || has(&format!("{stem}.facts.json"));
    }
    name.ends_with(".json") && (every_area || is_json_story(&dir.join(name)))
}

/// Whether the file opens as a story in JSON does (`draft --format json`): an object whose
/// first key is the template's name.
fn is_json_story(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 64];
    let Ok(n) = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) else {
        return false;
    };
    let text = String::from_utf8_lossy(&head[..n]);
    text.trim_start()
        .strip_prefix('{')
        .is_some_and(|rest| rest.trim_start().starts_with("\"template\""))
}

/// Drafts every area's story of `request` and assembles its folder beside `out_dir`: with
/// [`Format::Markdown`] each story as `SLUG.md` and every story's own facts together in
/// [`AREA_FACTS_FILE`], with [`Format::Json`] as `SLUG.json`, and the week's national facts
/// once as [`SHARED_FACTS_FILE`]. Each story is written out of sight as soon as it passes its
/// checks, on the thread that drafted it (its facts kept with its chunk's until the end),
/// and nothing is put in place until
/// [`StagedEachArea::commit`] puts the whole folder there in one step: a run that fails, or
/// is killed, leaves the folder as it was.
pub fn stage_each_area(
    request: &EachAreaRequest,
    out_dir: &Path,
    format: Format,
) -> Result<StagedEachArea, WriteEachAreaError> {
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteEachAreaError::Stage { path, source }
    };
    let template = request.template.as_deref().unwrap_or(EACH_AREA_TEMPLATE);
    let renderer =
        Renderer::for_story(request.templates.as_deref(), template).map_err(DraftError::from)?;
    renderer
        .check_template(template)
        .map_err(DraftError::from)?;
    let guard = crate::fsio::OutGuard::new(&request.input_files());
    guard.check_folder(out_dir)?;
    check_replaceable(out_dir, &request.input_files(), &guard)?;
    let inputs = each_area_inputs(request)?;
    let week = Week::prepare(&inputs, inputs.release(request.release), request.today)?;
    let stage = FolderStage::begin(out_dir).map_err(failed(out_dir))?;
    // Each thread writes the stories it drafts straight into the hidden folder, and their
    // own facts, a chunk at a time and in area-code order, into the one file of them all.
    let facts_path = out_dir.join(AREA_FACTS_FILE);
    let facts_failed = |source| WriteEachAreaError::Stage {
        path: facts_path.clone(),
        source,
    };
    let area_facts = (format == Format::Markdown).then(|| InOrder::new(&stage));
    let run = week.each_area_on_all_cores(
        &renderer,
        template,
        request.no_audit,
        |chunk: &mut Chunk, story| -> Result<(), WriteEachAreaError> {
            let path = out_dir.join(&story.file_name);
            let mut write = |path: &Path, bytes: &[u8]| {
                let name = path.file_name().expect("a story's file").to_string_lossy();
                stage.write(&name, bytes).map_err(failed(path))?;
                chunk.files += 1;
                Ok::<(), WriteEachAreaError>(())
            };
            match format {
                Format::Json => {
                    let draft = &story.draft;
                    let body =
                        json_output(&draft.story, &draft.facts, draft.release_label.as_deref());
                    write(&path.with_extension("json"), body.as_bytes())
                }
                Format::Markdown => {
                    write(&path, story.draft.output.as_bytes())?;
                    chunk.add_facts(&story.file_name, &story.draft.facts);
                    Ok(())
                }
            }
        },
        |index, chunk: &mut Chunk| -> Result<(), WriteEachAreaError> {
            match &area_facts {
                Some(file) => file
                    .chunk(index, std::mem::take(&mut chunk.facts))
                    .map_err(&facts_failed),
                None => Ok(()),
            }
        },
    )?;
    let summary = run.summary;
    let mut files: usize = run.kept.iter().map(|c| c.files).sum();
    if let Some(file) = area_facts
        && file.finish().map_err(facts_failed)?
    {
        files += 1;
    }
    if let Some(shared) = &summary.shared {
        let path = out_dir.join(SHARED_FACTS_FILE);
        stage
            .write(SHARED_FACTS_FILE, shared.json.as_bytes())
            .map_err(failed(&path))?;
        files += 1;
    }
    Ok(StagedEachArea {
        summary,
        stage,
        files,
        out_dir: out_dir.to_path_buf(),
    })
}

/// The stories of `draft --template area --out-dir DIR`: one for each core area of the patch,
/// in the patch file's order.
#[derive(Clone, Debug)]
pub struct PatchAreaStories {
    /// One story per core area with figures.
    pub stories: Vec<AreaStory>,
    /// What the run drafted; it shares no national facts file, since each story's sidecar
    /// holds every fact it prints.
    pub summary: EachAreaSummary,
}

/// Every file a patch request reads (patch, data, population, archive), which no output of
/// the run may be.
fn request_inputs(request: &super::DraftRequest) -> Vec<&Path> {
    let mut inputs = vec![request.patch.as_path()];
    inputs.extend(request.data.iter().map(PathBuf::as_path));
    inputs.push(&request.population);
    inputs.extend(request.archive.as_ref().map(|a| a.path.as_path()));
    inputs
}

/// Drafts the `area` template (the default here) once for each core area of the patch: each
/// story is the patch's own with that area alone as its core, so it keeps the patch's
/// publication, wording and nearby areas, drafted and checked from one loaded week. A core
/// area without figures for the fortnight gets no story and is said so in `skipped`; a story
/// that fails its checks stops the run. Any other template is refused: it tells the patch's
/// story, once.
pub fn draft_patch_areas(request: &super::DraftRequest) -> Result<PatchAreaStories, DraftError> {
    let template = request.template.as_deref().unwrap_or(EACH_AREA_TEMPLATE);
    if template != EACH_AREA_TEMPLATE {
        return Err(DraftError::PerAreaTemplate {
            template: template.to_string(),
        });
    }
    let renderer = Renderer::for_story(request.templates.as_deref(), template)?;
    let inputs = Inputs::for_request(request)?;
    let release = inputs.release(request.release);
    patch_area_stories(
        &inputs,
        &renderer,
        release,
        request.format,
        request.today,
        request.no_audit,
    )
}

/// [`draft_patch_areas`] from inputs already loaded, with the `area` template of `renderer`:
/// the patch's areas found, the week prepared once, then a story for each core area.
pub fn patch_area_stories(
    inputs: &Inputs,
    renderer: &Renderer,
    release: NaiveDate,
    format: Format,
    today: Option<NaiveDate>,
    no_audit: bool,
) -> Result<PatchAreaStories, DraftError> {
    let template = EACH_AREA_TEMPLATE;
    renderer.check_template(template)?;
    let areas = super::PatchAreas::resolve(inputs)?;
    let week = Week::prepare(inputs, release, today)?;
    let mut summary = EachAreaSummary {
        stories: 0,
        figures: 0,
        checked: None,
        shared: None,
        skipped: Vec::new(),
        warnings: week.warnings().to_vec(),
        notes: inputs.notes.clone(),
    };
    let mut stories = Vec::with_capacity(areas.core.len());
    for &i in &areas.core {
        let area = &inputs.dataset.areas[i];
        let named = format!("{} ({})", area.name, area.code);
        if week.national().week_of(i).is_none() {
            let why = week
                .national()
                .missing
                .iter()
                .find(|(j, _)| *j == i)
                .map_or_else(
                    || "no figures for the week".to_string(),
                    |(_, w)| w.to_string(),
                );
            summary.skipped.push(format!("no story for {named}: {why}"));
            continue;
        }
        let alone = super::PatchAreas {
            core: vec![i],
            nearby: areas.nearby.clone(),
        };
        let draft = week
            .draft_patch(&alone, renderer, template, format, no_audit)
            .map_err(|e| DraftError::AreaStory {
                area: named,
                source: Box::new(e),
            })?;
        summary.stories += 1;
        summary.figures += draft.checked.figures;
        summary.checked.get_or_insert(draft.checked);
        stories.push(AreaStory {
            file_name: format!("{}.md", slug(&area.name, &area.code)),
            draft,
        });
    }
    Ok(PatchAreaStories { stories, summary })
}

/// [`draft_patch_areas`] into a folder, all or nothing as [`stage_each_area`] writes one:
/// with [`Format::Markdown`] each story as `SLUG.md` with its facts in `SLUG.facts.json`,
/// with [`Format::Json`] as `SLUG.json`, assembled out of sight and put in place whole by
/// [`StagedEachArea::commit`], replacing the folder.
pub fn stage_patch_areas(
    request: &super::DraftRequest,
    out_dir: &Path,
) -> Result<StagedEachArea, WriteEachAreaError> {
    let inputs = request_inputs(request);
    let guard = crate::fsio::OutGuard::new(&inputs);
    guard.check_folder(out_dir)?;
    check_replaceable(out_dir, &inputs, &guard)?;
    let run = draft_patch_areas(request)?;
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteEachAreaError::Stage { path, source }
    };
    let stage = FolderStage::begin(out_dir).map_err(failed(out_dir))?;
    let mut files = 0;
    for story in &run.stories {
        let path = out_dir.join(&story.file_name);
        let mut write = |path: &Path, bytes: &[u8]| {
            let name = path.file_name().expect("a story's file").to_string_lossy();
            stage.write(&name, bytes).map_err(failed(path))?;
            files += 1;
            Ok::<(), WriteEachAreaError>(())
        };
        match request.format {
            Format::Json => write(&path.with_extension("json"), story.draft.output.as_bytes())?,
            Format::Markdown => {
                write(&facts_path(&path), story.draft.facts.to_json().as_bytes())?;
                write(&path, story.draft.output.as_bytes())?;
            }
        }
    }
    Ok(StagedEachArea {
        summary: run.summary,
        stage,
        files,
        out_dir: out_dir.to_path_buf(),
    })
}
