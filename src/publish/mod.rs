//! Publishing on a schedule: a run that writes each story's new edition once, whole files or
//! nothing, and records what it published only after the files are in place.
//!
//! A run takes the output folder's lock (held by the operating system, so a run that was
//! killed leaves nothing to clear up), finds the newest release ([`plan`]), and for each story
//! with nothing published for that release drafts, checks and builds its edition
//! ([`edition`]): Markdown with front matter, the story's table as CSV, a chart as SVG and the
//! story's view model beside it. When a newer release revises figures a published edition
//! printed, it writes a correction note for that edition ([`corrections`]). Every file of the
//! run is staged, then all are put in place together, the [`state`] last.

pub mod corrections;
pub mod edition;
pub mod files;
pub(crate) mod plan;
pub mod state;

use std::path::PathBuf;

use chrono::NaiveDate;

pub use crate::config::{
    Corrections, Newsroom, NewsroomError, Schedule, SourceConfig, StoryConfig,
};
pub use corrections::revisions;
pub use state::{Edition, PrintedFigure, State};

use crate::config::{NewsroomOverrides, Patch, PatchOverrides};
use crate::draft::{Draft, DraftError, Format, Inputs, PatchAreas, Week};
use crate::fsio::{Batch, Disk, FileSink, RunLock};
use crate::render::Renderer;

/// Why a publish run failed.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The newsroom file could not be read or is not usable.
    #[error(transparent)]
    Newsroom(#[from] NewsroomError),
    /// The state file could not be read.
    #[error("cannot read the state file {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// No release could be found in the source.
    #[error("no release found: {why}")]
    NoRelease {
        /// What was looked at.
        why: String,
    },
    /// The newest release is older than the schedule allows.
    #[error(
        "the newest release, {release}, is {age} days old; the schedule expects one within {max} days (schedule.max_age_days)"
    )]
    Stale {
        /// Newest release.
        release: NaiveDate,
        /// Its age in days.
        age: i64,
        /// The limit.
        max: u32,
    },
    /// A story could not be drafted.
    #[error("story \"{story}\" for release {release}")]
    Draft {
        /// The story's name.
        story: String,
        /// The release.
        release: NaiveDate,
        /// What went wrong.
        #[source]
        source: Box<DraftError>,
    },
    /// A file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The state file is damaged.
    #[error(
        "the state file {path} is damaged ({message}); move it aside to republish from scratch"
    )]
    State {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// How a run is to behave.
#[derive(Clone, Debug, Default)]
pub struct PublishOptions {
    /// The newsroom file.
    pub config: PathBuf,
    /// Say what would be written, write nothing.
    pub dry_run: bool,
    /// Do not fetch, even when the source says to: publish from what the archive holds.
    pub offline: bool,
    /// Today, for the schedule check and the future-dates gate.
    pub today: Option<NaiveDate>,
}

/// A run's outcome, with the notes and warnings it made on the way for the caller to show,
/// whether the run succeeded or not.
#[derive(Debug)]
pub struct PublishReport {
    /// Notes (the fetch's summary), one a line.
    pub notes: Vec<String>,
    /// Warnings from the inputs, the gates and the drafts (areas without a story too), one a
    /// line.
    pub warnings: Vec<String>,
    /// What the run did, or why it failed.
    pub result: Result<Outcome, PublishError>,
}

/// What a run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Editions written (or that would be, in a dry run), with their files.
    Published {
        /// Editions published.
        editions: usize,
        /// Correction notes written.
        corrections: usize,
        /// Files written, relative to the output folder.
        files: Vec<String>,
        /// The release.
        release: NaiveDate,
        /// Whether anything was really written.
        dry_run: bool,
    },
    /// Every story already has the newest release.
    NothingNew {
        /// The newest release.
        release: NaiveDate,
    },
    /// Another run holds the lock.
    Busy(String),
}

impl Outcome {
    /// What the command line prints of the run: in a dry run each file that would be
    /// written, then the outcome; a line each.
    pub fn report(&self) -> String {
        let mut out = String::new();
        if let Outcome::Published {
            files,
            dry_run: true,
            ..
        } = self
        {
            for f in files {
                out.push_str(&format!("would write {f}\n"));
            }
        }
        out + &format!("{self}\n")
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Published {
                editions,
                corrections,
                release,
                dry_run,
                ..
            } => {
                let verb = if *dry_run {
                    "would publish"
                } else {
                    "published"
                };
                write!(f, "{verb} {editions} for release {release}")?;
                if *corrections > 0 {
                    write!(f, " and {corrections} correction(s)")?;
                }
                Ok(())
            }
            Outcome::NothingNew { release } => write!(f, "nothing new since {release}"),
            Outcome::Busy(why) => write!(f, "skipped: {why}"),
        }
    }
}

/// Runs one publish: see the module documentation.
pub fn run(options: &PublishOptions) -> Result<Outcome, PublishError> {
    run_with(options, &mut Disk).result
}

/// [`run`], putting the run's files in place through `sink` (the file system is [`Disk`]),
/// and returning its notes instead of printing them.
pub fn run_with(options: &PublishOptions, sink: &mut dyn FileSink) -> PublishReport {
    let (mut notes, mut warnings) = (Vec::new(), Vec::new());
    let result = publish(options, sink, &mut notes, &mut warnings);
    // Every story of a week repeats the week's warnings: each is said once.
    let mut seen = std::collections::HashSet::new();
    warnings.retain(|w| seen.insert(w.clone()));
    PublishReport {
        notes,
        warnings,
        result,
    }
}

fn publish(
    options: &PublishOptions,
    sink: &mut dyn FileSink,
    notes: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<Outcome, PublishError> {
    let overrides = NewsroomOverrides {
        offline: options.offline,
    };
    let newsroom = Newsroom::load_with(&options.config, overrides)?;
    let state_path = newsroom.output.join(state::STATE_FILE);
    let _lock = if options.dry_run {
        None
    } else {
        let path = newsroom.output.join(".casewire.lock");
        match RunLock::try_acquire(&path) {
            Ok(Some(lock)) => Some(lock),
            Ok(None) => {
                let why = format!("another publish run holds {}", path.display());
                return Ok(Outcome::Busy(why));
            }
            Err(source) => return Err(PublishError::Write { path, source }),
        }
    };
    let mut state = State::load(&state_path)?;
    if !options.dry_run
        && let Some((summary, said)) = plan::fetch_today(&newsroom, options.today)?
    {
        notes.push(summary);
        warnings.extend(said);
    }
    let release = plan::newest_release(&newsroom, options.today)?;
    let renderer =
        Renderer::new(newsroom.templates.as_deref()).map_err(|e| PublishError::Draft {
            story: "(templates)".into(),
            release,
            source: Box::new(e.into()),
        })?;
    let templates_hash = edition::templates_hash(newsroom.templates.as_deref());
    let run = edition::Run {
        release,
        today: options.today,
        renderer: &renderer,
        templates_hash: &templates_hash,
    };
    let mut planned: Vec<edition::Planned> = Vec::new();
    let mut new_editions: Vec<(String, Edition)> = Vec::new();
    let mut corrections = 0;
    // The release's data are read once, for the first story that needs them; each story
    // brings only its own patch, read once.
    let mut loaded: Option<Inputs> = None;
    for story in &newsroom.stories {
        if state
            .last_release(&story.name)
            .is_some_and(|last| last >= release)
        {
            continue;
        }
        let draft_err = |e: DraftError| PublishError::Draft {
            story: story.name.clone(),
            release,
            source: Box::new(e),
        };
        let inputs = story_inputs(story, &newsroom, release, &mut loaded).map_err(draft_err)?;
        if story.each_area {
            let (files, ed, said) = edition::every_area(story, inputs, &run).map_err(draft_err)?;
            warnings.extend(said);
            planned.extend(files);
            new_editions.push((story.name.clone(), ed));
            continue;
        }
        let template = story
            .template
            .as_deref()
            .unwrap_or(crate::render::DEFAULT_TEMPLATE);
        let draft = draft_patch(inputs, &run, template).map_err(draft_err)?;
        warnings.extend(draft.draft.warnings.iter().cloned());
        let (files, ed) = edition::patch_story(&story.name, &draft.draft, inputs, &run);
        planned.extend(files);
        new_editions.push((story.name.clone(), ed));
        // Earlier editions whose week this release revises.
        if let Some(editions) = state.stories.get_mut(&story.name) {
            let notes = corrections::notes_for(
                &story.name,
                editions,
                release,
                (inputs, &draft.areas, &renderer, template),
                &newsroom.corrections,
            );
            corrections += notes.len();
            planned.extend(notes);
        }
    }
    if new_editions.is_empty() {
        return Ok(Outcome::NothingNew { release });
    }
    let files: Vec<String> = planned.iter().map(|p| p.path.clone()).collect();
    let editions = new_editions.len();
    if !options.dry_run {
        for (name, edition) in new_editions {
            state.stories.entry(name).or_default().push(edition);
        }
        write_all(&newsroom, &planned, &state, &state_path, sink)?;
    }
    Ok(Outcome::Published {
        editions,
        corrections,
        files,
        release,
        dry_run: options.dry_run,
    })
}

/// A story's inputs for the release: its patch (with the story's universe over the patch's)
/// and the release's data, read into `loaded` by the first story and kept for the others.
fn story_inputs<'a>(
    story: &StoryConfig,
    newsroom: &Newsroom,
    release: NaiveDate,
    loaded: &'a mut Option<Inputs>,
) -> Result<&'a Inputs, DraftError> {
    let overrides = PatchOverrides {
        universe: story.universe,
        seed: None,
    };
    let patch = Patch::load_with(&story.patch, overrides)?;
    let inputs = match loaded.take() {
        Some(mut inputs) => {
            inputs.patch = patch;
            inputs.patch_path.clone_from(&story.patch);
            inputs
        }
        None => {
            let (dataset, population) = plan::release_data(&newsroom.source, release)?;
            Inputs::new(patch, &story.patch, dataset, &population)?
        }
    };
    Ok(loaded.insert(inputs))
}

/// A patch story's draft of the run's release, and its areas (for corrections to reuse).
struct PatchDraft {
    draft: Draft,
    areas: PatchAreas,
}

/// Drafts a patch story's edition: the template checked, the patch's areas found, the week
/// prepared and the story drafted, linted and audited.
fn draft_patch(
    inputs: &Inputs,
    run: &edition::Run<'_>,
    template: &str,
) -> Result<PatchDraft, DraftError> {
    run.renderer.check_template(template)?;
    let areas = PatchAreas::resolve(inputs)?;
    let week = Week::prepare(inputs, run.release, run.today)?;
    let draft = week.draft_patch(&areas, run.renderer, template, Format::Markdown, false)?;
    Ok(PatchDraft { draft, areas })
}

/// Stages every file of the run and the state, then puts them in place together, the state
/// last: only once every file is there does the state say so. A failure part way takes back
/// the files this run added, so no edition is left in print half-written and unrecorded; a
/// run killed outright cannot, and the next run rewrites the same files before recording them.
fn write_all(
    newsroom: &Newsroom,
    planned: &[edition::Planned],
    state: &State,
    state_path: &std::path::Path,
    sink: &mut dyn FileSink,
) -> Result<(), PublishError> {
    let mut batch = Batch::new();
    let staged = planned
        .iter()
        .map(|p| (newsroom.output.join(&p.path), p.bytes.as_slice()));
    let state_bytes = state.to_bytes();
    for (path, bytes) in staged.chain([(state_path.to_path_buf(), state_bytes.as_slice())]) {
        if let Err(source) = batch.stage(&path, bytes) {
            return Err(PublishError::Write { path, source });
        }
    }
    batch.commit_to(sink).map_err(|e| PublishError::Write {
        path: e.path,
        source: e.source,
    })?;
    Ok(())
}
