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

mod after;
mod alerting;
pub mod corrections;
pub mod edition;
pub mod feeds;
pub mod files;
mod folders;
pub mod frontmatter;
mod held;
pub mod items;
pub(crate) mod lock;
pub(crate) mod plan;
pub mod queue;
pub mod schedule;
pub mod state;
pub mod withdraw;
mod wordpress;

use std::path::PathBuf;

use chrono::NaiveDate;

pub use crate::config::{
    Corrections, Newsroom, NewsroomError, Schedule, SourceConfig, StoryConfig,
};
pub use edition::Layout;
pub use state::{CorrectionNote, Edition, PrintedFigure, PrintedRank, State};

use crate::config::{NewsroomOverrides, Patch, PatchOverrides};
use crate::draft::{Draft, DraftError, Format, Inputs, PatchAreas, Week};
use crate::fsio::{Disk, FileSink, RunLock, Staging};
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
    /// The editions are published, but the newsroom's `after_publish` command failed.
    #[error(
        "published {editions} for release {release}, but after_publish `{command}` failed: {why}"
    )]
    AfterPublish {
        /// How many editions went out.
        editions: usize,
        /// Their release.
        release: NaiveDate,
        /// The command, as configured.
        command: String,
        /// Its exit status and the end of what it printed, or why it could not start.
        why: String,
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
    /// An edition could not be delivered as its newsroom asks (a ninjs item that cannot be
    /// built from what the newsroom file sets).
    #[error("cannot deliver {what}: {message}")]
    Deliver {
        /// The item or post.
        what: String,
        /// What is wrong.
        message: String,
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
    /// Now, for the ninjs items' `firstcreated` and `versioncreated`; without it (a test),
    /// midnight of `today`, or of the release.
    pub now: Option<chrono::DateTime<chrono::Utc>>,
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
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
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
    /// Editions put in the review queue (`[review] required = true`), none live yet.
    Queued {
        /// Editions queued.
        editions: usize,
        /// The release.
        release: NaiveDate,
        /// Their ids in the queue.
        ids: Vec<String>,
    },
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
            Outcome::Queued {
                editions, release, ..
            } => write!(f, "queued {editions} for review, release {release}"),
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
    let prepared = match prepare(options, notes, warnings) {
        Ok(prepared) => prepared,
        Err(e) => {
            if let Some(newsroom) = hook_newsroom(options) {
                held::hold_back(options, &newsroom, &e, sink, warnings);
                alerting::after_failure(&newsroom, &e, warnings);
            }
            return Err(e);
        }
    };
    let result = match prepared {
        Prepared::Nothing(outcome @ Outcome::NothingNew { .. }) => {
            if let Some(newsroom) = hook_newsroom(options) {
                wordpress::catch_up(&newsroom, warnings);
            }
            Ok(outcome)
        }
        Prepared::Nothing(outcome) => Ok(outcome),
        // A newsroom that wants an editor between the run and the reader: the editions wait
        // in the queue, and only an approval (crate::review) puts them live, through go_live.
        Prepared::Run(run) if run.newsroom.review.required && !options.dry_run => {
            queue::hold(*run, &warnings.clone(), options, notes)
        }
        Prepared::Run(run) => go_live(*run, options, sink, warnings),
    };
    if let Err(e) = &result
        && let Some(newsroom) = hook_newsroom(options)
    {
        alerting::after_failure(&newsroom, e, warnings);
    }
    result
}

/// The newsroom file as the hooks around a run read it (the failure alert, a gate's withheld
/// item, the WordPress catch-up), read once for all of them: none in a dry run, which
/// delivers nothing, nor when the file cannot be read, which the run's own error reports.
fn hook_newsroom(options: &PublishOptions) -> Option<Newsroom> {
    if options.dry_run {
        return None;
    }
    let overrides = NewsroomOverrides {
        offline: options.offline,
    };
    Newsroom::load_with(&options.config, overrides).ok()
}

/// What [`prepare`] found: nothing to do, or a run's editions drafted, checked and built but
/// not yet in place.
pub(crate) enum Prepared {
    /// Nothing to publish (every story is up to date, or another run holds the lock).
    Nothing(Outcome),
    /// Editions to put in place.
    Run(Box<PreparedRun>),
}

/// A run's editions, every check passed, every file built, nothing written yet; the lock
/// (outside a dry run) held until the run is dropped.
pub(crate) struct PreparedRun {
    pub newsroom: Newsroom,
    pub state: State,
    pub state_path: PathBuf,
    pub layout: edition::Layout,
    pub planned: Vec<edition::Planned>,
    pub new_editions: Vec<(String, Edition)>,
    pub items: Vec<items::PendingItem>,
    pub updates: Vec<items::ItemUpdate>,
    /// Each new edition's files in `planned` (its own, then its correction notes') and how
    /// many notes: what the review queue keeps of each.
    pub spans: Vec<(std::ops::Range<usize>, usize)>,
    pub corrections: usize,
    pub release: NaiveDate,
    /// Each new edition's story's earlier editions as they were before the run's correction
    /// notes were recorded on them: what the notes were made from.
    pub uncorrected: Vec<Vec<Edition>>,
    _lock: Option<RunLock>,
}

/// The first half of a run: the lock, the fetch, the schedule, then each story due drafted,
/// linted, audited and built into its files, with the correction notes the release calls
/// for. Writes nothing but the fetch's archive.
fn prepare(
    options: &PublishOptions,
    notes: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Result<Prepared, PublishError> {
    let overrides = NewsroomOverrides {
        offline: options.offline,
    };
    let newsroom = Newsroom::load_with(&options.config, overrides)?;
    let state_path = newsroom.output.join(state::STATE_FILE);
    // A dry run writes nothing, so it neither takes the lock nor clears a killed run's
    // leftovers; every other run clears them, whether or not it finds anything new.
    let lock = if options.dry_run {
        None
    } else {
        match lock::take(&newsroom)? {
            Some(lock) => Some(lock),
            None => {
                // Overlapping a scheduled run is ordinary and quiet; a lock held for hours is
                // a stuck run, which the operator hears of while the exit stays 0.
                warnings.extend(lock::held_too_long(&newsroom));
                let why = format!(
                    "another publish run holds {}",
                    lock::path(&newsroom).display()
                );
                return Ok(Prepared::Nothing(Outcome::Busy(why)));
            }
        }
    };
    let mut state = State::load(&state_path)?;
    if !options.dry_run
        && let Some((summary, said)) = plan::fetch_today(&newsroom, options.today)?
    {
        notes.push(summary);
        warnings.extend(said);
    }
    if let SourceConfig::Files { releases, .. } = &newsroom.source {
        warnings.extend(folders::misnamed(releases));
    }
    let newest = plan::newest_release(&newsroom, options.today)?;
    let Some(release) = schedule::release_to_publish(&newsroom, newest)? else {
        return Ok(Prepared::Nothing(Outcome::NothingNew { release: newest }));
    };
    let layout = edition::Layout::for_output(newsroom.front_matter, &newsroom.output);
    let renderer =
        Renderer::new(newsroom.templates.as_deref()).map_err(|e| PublishError::Draft {
            story: "(templates)".into(),
            release,
            source: Box::new(e.into()),
        })?;
    let templates_hash = edition::templates_hash(newsroom.templates.as_deref());
    let site = items::ItemSite::of(&newsroom);
    let run = edition::Run {
        release,
        today: options.today,
        renderer: &renderer,
        templates_hash: &templates_hash,
        layout: &layout,
        site: &site,
    };
    let mut planned: Vec<edition::Planned> = Vec::new();
    let mut new_editions: Vec<(String, Edition)> = Vec::new();
    let mut pending: Vec<items::PendingItem> = Vec::new();
    let mut updates: Vec<items::ItemUpdate> = Vec::new();
    let mut spans = Vec::new();
    let mut corrections = 0;
    // The release's data are read once, for the first story that needs them; each story
    // brings only its own patch, read once.
    let mut loaded: Option<Inputs> = None;
    let mut uncorrected = Vec::new();
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
        let inputs =
            story_inputs(story, &newsroom, release, &state, &mut loaded).map_err(draft_err)?;
        let (files, ed) = if story.each_area {
            let (files, ed, said, its_items) =
                edition::every_area(story, inputs, &run).map_err(draft_err)?;
            warnings.extend(said);
            pending.extend(its_items);
            (files, ed)
        } else {
            let template = story
                .template
                .as_deref()
                .unwrap_or(crate::render::DEFAULT_TEMPLATE);
            let draft = draft_patch(inputs, &run, template).map_err(draft_err)?;
            warnings.extend(draft.warnings.iter().cloned());
            let (files, ed, item) = edition::patch_story(&story.name, &draft, inputs, &run);
            pending.push(item);
            (files, ed)
        };
        let start = planned.len();
        planned.extend(files);
        new_editions.push((story.name.clone(), ed));
        uncorrected.push(state.stories.get(&story.name).cloned().unwrap_or_default());
        let (notes, its_updates) = correct(
            &mut state,
            story,
            inputs,
            &newsroom,
            &layout,
            release,
            &mut planned,
        );
        corrections += notes;
        updates.extend(its_updates);
        spans.push((start..planned.len(), notes));
    }
    if new_editions.is_empty() {
        return Ok(Prepared::Nothing(Outcome::NothingNew { release }));
    }
    Ok(Prepared::Run(Box::new(PreparedRun {
        newsroom,
        state,
        state_path,
        layout,
        planned,
        new_editions,
        items: pending,
        updates,
        spans,
        corrections,
        uncorrected,
        release,
        _lock: lock,
    })))
}

/// The second half of a run: the prepared editions put in place whole (or, in a dry run,
/// only listed), the state recording them, then the newsroom's `after_publish` command.
fn go_live(
    run: PreparedRun,
    options: &PublishOptions,
    sink: &mut dyn FileSink,
    warnings: &mut Vec<String>,
) -> Result<Outcome, PublishError> {
    let PreparedRun {
        newsroom,
        mut state,
        state_path,
        layout,
        mut planned,
        mut new_editions,
        items: pending,
        updates,
        spans: _,
        corrections,
        release,
        uncorrected: _,
        _lock,
    } = run;
    // Items are versioned and timed as they go live, which may be long after they were
    // prepared.
    let now = items::run_time(options, release);
    planned.extend(items::new_items(
        &pending,
        &mut new_editions,
        &mut state,
        now,
    )?);
    planned.extend(items::updated_items(&updates, &mut state, now));
    let files: Vec<String> = planned.iter().map(|p| p.path.clone()).collect();
    let editions = new_editions.len();
    if !options.dry_run {
        let whole: Vec<String> = new_editions
            .iter()
            .filter_map(|(_, e)| Some((e.bundle.as_deref()?, e.page.is_none())))
            .flat_map(|(b, every_area)| layout.edition_folders(b, every_area))
            .collect();
        let names: Vec<String> = new_editions
            .iter()
            .map(|(name, e)| {
                e.bundle
                    .clone()
                    .unwrap_or_else(|| format!("{name}-{release}"))
            })
            .collect();
        for (name, edition) in new_editions {
            state.stories.entry(name).or_default().push(edition);
        }
        write_all(&newsroom, &planned, &whole, &state, &state_path, sink)?;
        // The desk hears of the editions once they are in place.
        let alert = crate::deliver::alerts::Alert::published(&release.to_string(), &names);
        alerting::send(&newsroom, &alert, warnings);
        // The posts follow the files; what cannot be pushed now waits for the next run.
        if wordpress::push_all(&newsroom, &mut state, warnings) {
            wordpress::save(&newsroom, &state, warnings);
        }
        if let Some(why) = after::run(&newsroom, &options.config) {
            return Err(PublishError::AfterPublish {
                editions,
                release,
                command: newsroom.after_publish.command.join(" "),
                why,
            });
        }
    }
    Ok(Outcome::Published {
        editions,
        corrections,
        files,
        release,
        dry_run: options.dry_run,
    })
}

/// Plans the notes the release calls for among a story's earlier editions; how many, and the
/// ninjs items they rewrite.
fn correct(
    state: &mut State,
    story: &StoryConfig,
    inputs: &Inputs,
    newsroom: &Newsroom,
    layout: &edition::Layout,
    release: NaiveDate,
    planned: &mut Vec<edition::Planned>,
) -> (usize, Vec<items::ItemUpdate>) {
    let Some(editions) = state.stories.get_mut(&story.name) else {
        return (0, Vec::new());
    };
    // A withdrawn edition is never corrected: a note would bring its page back.
    let (mut live, withdrawn): (Vec<Edition>, Vec<Edition>) = std::mem::take(editions)
        .into_iter()
        .partition(|e| e.withdrawn.is_none());
    let (files, notes, mut updates) = corrections::notes_for(
        &mut live,
        &corrections::Correcting {
            release,
            inputs,
            limits: &newsroom.corrections,
            layout,
            output: &newsroom.output,
        },
    );
    live.extend(withdrawn);
    live.sort_by_key(|e| e.release);
    *editions = live;
    planned.extend(files);
    for u in &mut updates {
        u.story.clone_from(&story.name);
    }
    (notes, updates)
}

/// A story's inputs for the release: its patch (with the story's universe over the patch's)
/// and the release's data, read into `loaded` by the first story and kept for the others,
/// checked against what `state` says of the releases before it when no folder does.
fn story_inputs<'a>(
    story: &StoryConfig,
    newsroom: &Newsroom,
    release: NaiveDate,
    state: &State,
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
            let (dataset, population) = plan::release_data(&newsroom.source, release, state)?;
            Inputs::new(patch, &story.patch, dataset, &population)?
        }
    };
    Ok(loaded.insert(inputs))
}

/// Drafts a patch story's edition: the template checked, the patch's areas found, the week
/// prepared and the story drafted, linted and audited.
fn draft_patch(
    inputs: &Inputs,
    run: &edition::Run<'_>,
    template: &str,
) -> Result<Draft, DraftError> {
    run.renderer.check_template(template)?;
    let areas = PatchAreas::resolve(inputs)?;
    let week = Week::prepare(inputs, run.release, run.today)?;
    week.draft_patch(&areas, run.renderer, template, Format::Markdown, false)
}

/// A file of an edition's folder: its path inside the folder, and its bytes.
type FileIn<'a> = (&'a std::path::Path, &'a [u8]);

/// Assembles every file of the run out of sight, then puts them in place: each new edition's
/// folder whole, in one step (a site built at any moment sees it all or none of it), then the
/// single files (correction notes, earlier pages that now link them, Jekyll's posts), and the
/// state last, so the state never records an edition that is not there. A failure part way
/// puts back everything as it was; what a killed run leaves out of sight the next run clears.
fn write_all(
    newsroom: &Newsroom,
    planned: &[edition::Planned],
    whole: &[String],
    state: &State,
    state_path: &std::path::Path,
    sink: &mut dyn FileSink,
) -> Result<(), PublishError> {
    let out = &newsroom.output;
    let write = |source: std::io::Error| PublishError::Write {
        path: out.join(crate::fsio::STAGING),
        source,
    };
    let mut staging = Staging::begin(out).map_err(write)?;
    let mut singles: Vec<&edition::Planned> = Vec::new();
    let mut folders: Vec<(&str, Vec<FileIn<'_>>)> =
        whole.iter().map(|w| (w.as_str(), Vec::new())).collect();
    for p in planned {
        let inside = folders.iter_mut().find_map(|(folder, files)| {
            let rest = p.path.strip_prefix(*folder)?.strip_prefix('/')?;
            Some((files, rest))
        });
        match inside {
            Some((files, rest)) => files.push((std::path::Path::new(rest), p.bytes.as_slice())),
            None => singles.push(p),
        }
    }
    for (folder, files) in folders {
        staging
            .folder(std::path::Path::new(folder), files)
            .map_err(write)?;
    }
    for p in singles {
        staging
            .file(std::path::Path::new(&p.path), &p.bytes)
            .map_err(write)?;
    }
    // The feeds, from the state that records this run's editions.
    let (json, atom) = feeds::for_newsroom(newsroom, state);
    staging
        .file(std::path::Path::new(feeds::JSON_FEED), &json)
        .map_err(write)?;
    staging
        .file(std::path::Path::new(feeds::ATOM_FEED), &atom)
        .map_err(write)?;
    let state_rel = state_path.strip_prefix(out).unwrap_or(state_path);
    staging.file(state_rel, &state.to_bytes()).map_err(write)?;
    staging.commit_to(sink).map_err(|e| PublishError::Write {
        path: e.path,
        source: e.source,
    })?;
    Ok(())
}
