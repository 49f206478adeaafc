//! The review queue's storage: with `[review] required = true`, a run's editions, drafted and
//! checked as for the site, wait here for an editor instead of going live.
//!
//! The queue is a folder (`OUTPUT/.casewire-queue` unless the newsroom file names another;
//! never where a site generator reads). Each waiting edition is a folder `pending/ID/`
//! (`ID` is `STORY-RELEASE`), holding `entry.json` (what the desk shows and what an approval
//! records) and `files/`, the edition's files as the run built them, paths relative to the
//! output folder. A run's editions enter the queue together, each folder in one rename, or
//! none do. Approved and rejected editions move to `approved/` and `rejected/`; who decided
//! what, when and why is appended to `log.jsonl`.
//!
//! Approval goes live through the same [`super::go_live`] as an unattended run, so it gets
//! exactly what such a run does: the edition's folder whole, its correction notes, the feeds,
//! the state last, then `after_publish`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::edition::{Layout, Planned};
use super::{Newsroom, Outcome, PreparedRun, PublishError, PublishOptions, State, StoryConfig};
use crate::draft::{Draft, DraftError, Inputs};
use crate::fsio::{Disk, FileSink, RunLock, Staging};
use crate::render::Renderer;

mod areas;
mod versions;
pub(crate) use areas::redraft_areas;
use versions::front_seed;
pub use versions::{
    Choice, Drafted, OTHER_SEEDS, Version, built, builtin_templates, retitle, source_label,
    version, versions_unavailable, with_version,
};

/// Editions waiting for an editor.
pub const PENDING: &str = "pending";
/// Editions an editor approved, as they went live (with the copy as first drafted beside an
/// edit).
pub const APPROVED: &str = "approved";
/// Editions an editor rejected.
pub const REJECTED: &str = "rejected";
/// The append-only record of every decision.
pub const LOG: &str = "log.jsonl";
/// A queued edition's record, in its folder.
pub const ENTRY: &str = "entry.json";
/// An editor's version of the body of a queued edition's page, checked, beside the files
/// as drafted.
pub const EDIT: &str = "edit.md";
/// The folder of a queued edition's files.
pub const FILES: &str = "files";

/// One edition waiting in the queue: what the desk shows, and what going live needs.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct QueuedEdition {
    /// `STORY-RELEASE`: the name the commands and the desk use.
    pub id: String,
    /// The story's name in the newsroom file.
    pub story: String,
    /// The release it was drafted from.
    pub release: NaiveDate,
    /// "Today" of the run that queued it, for the gates when its copy is checked again.
    pub today: Option<NaiveDate>,
    /// Every warning of the run that drafted it (the input gates' among them).
    pub warnings: Vec<String>,
    /// The edition as the state will record it.
    pub edition: super::Edition,
    /// The story's earlier editions as the run left them (with any correction it noted), the
    /// state's record of the story once this edition is live.
    pub earlier: Vec<super::Edition>,
    /// The same editions before the run recorded its correction notes on them, which the
    /// notes were made from and an approval makes them again from; `None` in an entry
    /// queued before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncorrected: Option<Vec<super::Edition>>,
    /// The earlier editions' releases when the edition was queued: an approval refuses when
    /// the state no longer has exactly these.
    pub based_on: Vec<NaiveDate>,
    /// Correction notes that go live with it.
    pub corrections: usize,
    /// Its files, relative to the output folder, in the order they are put in place.
    pub files: Vec<String>,
    /// The story's template, as the run used it.
    pub template: Option<String>,
    /// An every-area edition: a folder of pages, one per area.
    pub each_area: bool,
    /// Its ninjs items as the run prepared them: versioned and timed only when it goes live.
    #[serde(default)]
    pub(crate) items: Vec<super::items::PendingItem>,
    /// The earlier editions' items its correction notes rewrite.
    #[serde(default)]
    pub(crate) updates: Vec<super::items::ItemUpdate>,
    /// How a patch story's edition was drafted, so the desk can draft it again with another
    /// seed or template; an entry queued before this was recorded has none (and the desk
    /// offers no other versions of it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drafted: Option<Drafted>,
}

impl QueuedEdition {
    /// The edition's page (the file a reader opens), for a story with one.
    pub fn page(&self) -> Option<&str> {
        self.edition.page.as_deref()
    }

    /// Its headline, as the front matter gives it.
    pub fn headline(&self) -> &str {
        self.edition.title.as_deref().unwrap_or(&self.story)
    }
}

/// The queue of a newsroom.
#[derive(Clone, Debug)]
pub struct Queue {
    root: PathBuf,
}

/// Whether `id` can name a queued edition: the queue is only ever looked up by such a name,
/// so nothing a caller passes can reach another file.
pub fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 120
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

impl Queue {
    /// The queue the newsroom's `[review]` table names.
    pub fn of(newsroom: &Newsroom) -> Queue {
        Queue {
            root: newsroom.review.queue.clone(),
        }
    }

    /// The queue's folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of a queued edition in `stage` ([`PENDING`], [`APPROVED`], [`REJECTED`]).
    pub fn folder(&self, stage: &str, id: &str) -> PathBuf {
        self.root.join(stage).join(id)
    }

    /// Every edition waiting, oldest release first, then by story.
    pub fn pending(&self) -> Result<Vec<QueuedEdition>, PublishError> {
        let dir = self.root.join(PENDING);
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(PublishError::Io { path: dir, source }),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| PublishError::Io {
                path: dir.clone(),
                source,
            })?;
            let name = entry.file_name().to_string_lossy().to_string();
            // The staging folder, and anything else not named as an edition is, is not one.
            if !is_id(&name) {
                continue;
            }
            if let Some(e) = self.get(&name)? {
                out.push(e);
            }
        }
        out.sort_by(|a, b| (a.release, &a.story).cmp(&(b.release, &b.story)));
        Ok(out)
    }

    /// The waiting edition `id`, if there is one.
    pub fn get(&self, id: &str) -> Result<Option<QueuedEdition>, PublishError> {
        if !is_id(id) {
            return Ok(None);
        }
        let path = self.folder(PENDING, id).join(ENTRY);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(PublishError::Io { path, source }),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| PublishError::State {
                path,
                message: e.to_string(),
            })
    }

    /// A file of the waiting edition `id`, by its path relative to the output folder (one of
    /// the entry's `files`, never a path from elsewhere).
    pub fn file(&self, entry: &QueuedEdition, rel: &str) -> Result<Vec<u8>, PublishError> {
        if !entry.files.iter().any(|f| f == rel) {
            return Err(PublishError::NoRelease {
                why: format!("{rel} is not a file of {}", entry.id),
            });
        }
        let path = self.folder(PENDING, &entry.id).join(FILES).join(rel);
        std::fs::read(&path).map_err(|source| PublishError::Io { path, source })
    }

    /// The waiting edition's files, as it will go live.
    pub(crate) fn planned(&self, entry: &QueuedEdition) -> Result<Vec<Planned>, PublishError> {
        entry
            .files
            .iter()
            .map(|f| {
                Ok(Planned {
                    path: f.clone(),
                    bytes: self.file(entry, f)?,
                })
            })
            .collect()
    }

    /// Moves a decided edition from the waiting ones to `stage`; a folder of the same name
    /// already there (an edition decided before and queued again) keeps its place and this
    /// one gains a number.
    pub fn settle(&self, id: &str, stage: &str) -> std::io::Result<PathBuf> {
        let from = self.folder(PENDING, id);
        std::fs::create_dir_all(self.root.join(stage))?;
        let mut to = self.folder(stage, id);
        let mut n = 1;
        while to.exists() {
            n += 1;
            to = self.folder(stage, &format!("{id}.{n}"));
        }
        crate::fsio::move_whole(&from, &to)?;
        Ok(to)
    }
}

/// The second half of a run whose newsroom wants review: each new edition put in the queue
/// (all of them in place together, or none), nothing in the output folder. An edition
/// already waiting, or one an editor rejected, is not queued again; `held` names those.
pub(super) fn hold(
    run: PreparedRun,
    warnings: &[String],
    options: &PublishOptions,
    held: &mut Vec<String>,
) -> Result<Outcome, PublishError> {
    let queue = Queue::of(&run.newsroom);
    let rejected = rejected_ids(&queue);
    let mut ids = Vec::new();
    let pending_dir = queue.root.join(PENDING);
    let write = |source: std::io::Error| PublishError::Write {
        path: pending_dir.clone(),
        source,
    };
    std::fs::create_dir_all(&pending_dir).map_err(write)?;
    let mut staging = Staging::begin(&pending_dir).map_err(write)?;
    let editions = run
        .new_editions
        .iter()
        .zip(&run.spans)
        .zip(&run.uncorrected);
    for (((name, edition), (span, notes)), uncorrected) in editions {
        let id = format!("{name}-{}", run.release);
        if queue.folder(PENDING, &id).exists() {
            held.push(format!("{id} is already waiting for review"));
            continue;
        }
        if rejected.contains(&id) {
            held.push(format!(
                "{id} was rejected at the desk; it is not queued again"
            ));
            continue;
        }
        let story: Option<&StoryConfig> = run.newsroom.stories.iter().find(|s| &s.name == name);
        let earlier = run.state.stories.get(name).cloned().unwrap_or_default();
        let files = &run.planned[span.clone()];
        let entry = QueuedEdition {
            id: id.clone(),
            story: name.clone(),
            release: run.release,
            today: options.today,
            warnings: warnings.to_vec(),
            edition: edition.clone(),
            based_on: earlier.iter().map(|e| e.release).collect(),
            earlier,
            uncorrected: Some(uncorrected.clone()),
            corrections: *notes,
            files: files.iter().map(|p| p.path.clone()).collect(),
            template: story.and_then(|s| s.template.clone()),
            each_area: story.is_some_and(|s| s.each_area),
            items: run
                .items
                .iter()
                .filter(|i| &i.story == name)
                .cloned()
                .collect(),
            updates: run
                .updates
                .iter()
                .filter(|u| &u.story == name)
                .cloned()
                .collect(),
            drafted: drafted(&run.newsroom, story, edition, files),
        };
        let json = serde_json::to_vec_pretty(&entry).expect("serialisable");
        let inside: Vec<(PathBuf, &[u8])> = std::iter::once((PathBuf::from(ENTRY), &json[..]))
            .chain(
                files
                    .iter()
                    .map(|p| (Path::new(FILES).join(&p.path), p.bytes.as_slice())),
            )
            .collect();
        staging
            .folder(
                Path::new(&id),
                inside.iter().map(|(p, b)| (p.as_path(), *b)),
            )
            .map_err(write)?;
        ids.push(id);
    }
    staging
        .commit_to(&mut Disk)
        .map_err(|e| PublishError::Write {
            path: e.path,
            source: e.source,
        })?;
    Ok(Outcome::Queued {
        editions: ids.len(),
        release: run.release,
        ids,
    })
}

/// What a patch story's queued edition was drafted from, read back from its page.
fn drafted(
    newsroom: &Newsroom,
    story: Option<&StoryConfig>,
    edition: &super::Edition,
    files: &[Planned],
) -> Option<Drafted> {
    let story = story.filter(|s| !s.each_area)?;
    let page = files
        .iter()
        .find(|f| Some(&f.path) == edition.page.as_ref())?;
    Some(Drafted {
        patch: story.patch.clone(),
        source: source_label(&newsroom.source),
        choice: Choice {
            seed: front_seed(&page.bytes)?,
            template: story
                .template
                .clone()
                .unwrap_or_else(|| crate::render::DEFAULT_TEMPLATE.to_string()),
        },
        first: None,
        retitled: false,
    })
}

/// The ids the log records as rejected.
fn rejected_ids(queue: &Queue) -> std::collections::BTreeSet<String> {
    let text = std::fs::read_to_string(queue.root.join(LOG)).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["action"] == "rejected")
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect()
}

/// What an approval puts live: the edition's files (an edit applied) and the edited body, if
/// the desk edited it, for the ninjs item.
pub(crate) struct ApprovedCopy<'a> {
    pub files: Vec<Planned>,
    pub edited: Option<&'a str>,
}

/// Puts an approved edition live through the unattended run's own second half: `state` is
/// the state as it is now (read under `lock`), with the story's record replaced by the one
/// the queued run left, and `copy` what the desk approved.
pub(crate) fn go_live_queued(
    newsroom: Newsroom,
    options: &PublishOptions,
    entry: &QueuedEdition,
    copy: ApprovedCopy<'_>,
    mut state: State,
    lock: RunLock,
    sink: &mut dyn FileSink,
) -> Result<Outcome, PublishError> {
    let state_path = newsroom.output.join(super::state::STATE_FILE);
    let layout = Layout::for_output(newsroom.front_matter, &newsroom.output);
    state
        .stories
        .insert(entry.story.clone(), entry.earlier.clone());
    let ApprovedCopy { files, edited } = copy;
    let span = 0..files.len();
    // An edit the desk approved is the copy the CMS gets too.
    let mut items = entry.items.clone();
    // Only a patch story's copy is edited at the desk, and it has one item.
    if let (Some(body), false, [item]) = (edited, entry.each_area, &mut items[..]) {
        item.input.body_markdown = body.to_string();
    }
    let run = PreparedRun {
        newsroom,
        state,
        state_path,
        layout,
        planned: files,
        new_editions: vec![(entry.story.clone(), entry.edition.clone())],
        items,
        updates: entry.updates.clone(),
        spans: vec![(span, entry.corrections)],
        corrections: entry.corrections,
        release: entry.release,
        uncorrected: Vec::new(),
        _lock: Some(lock),
    };
    let options = PublishOptions {
        dry_run: false,
        ..options.clone()
    };
    let mut warnings = Vec::new();
    super::go_live(run, &options, sink, &mut warnings)
}

/// The correction notes (and the earlier pages they update) a queued edition's run planned,
/// made again from the story's earlier editions as the run left them and the pages now in
/// the output folder: the files an approval holds the queued ones beside the edition to.
/// `None` for an entry queued without its uncorrected editions.
pub(crate) fn notes_again(
    newsroom: &Newsroom,
    entry: &QueuedEdition,
    inputs: &Inputs,
) -> Option<Vec<Planned>> {
    let layout = Layout::for_output(newsroom.front_matter, &newsroom.output);
    // A withdrawn edition is never corrected, as in the run.
    let mut live: Vec<_> = entry
        .uncorrected
        .as_ref()?
        .iter()
        .filter(|e| e.withdrawn.is_none())
        .cloned()
        .collect();
    let (files, _, _) = super::corrections::notes_for(
        &mut live,
        &super::corrections::Correcting {
            release: entry.release,
            inputs,
            limits: &newsroom.corrections,
            layout: &layout,
            output: &newsroom.output,
        },
    );
    Some(files)
}

/// A patch story of the queue drafted again as the run drafted it (with the seed and
/// template now queued), for checking an edit of its copy against the same facts and data:
/// its inputs, its draft and the renderer (whose fixed phrases the checks know).
pub(crate) fn redraft(
    newsroom: &Newsroom,
    entry: &QueuedEdition,
) -> Result<(Inputs, Draft, Renderer), PublishError> {
    let choice = entry.drafted.as_ref().map(|d| d.choice.clone());
    redraft_as(newsroom, entry, choice.as_ref())
}

/// A queued edition's draft that failed, as the queue reports it.
pub(super) fn draft_failed(entry: &QueuedEdition, e: DraftError) -> PublishError {
    PublishError::Draft {
        story: entry.story.clone(),
        release: entry.release,
        source: Box::new(e),
    }
}

/// What drafting a queued edition again needs, as the newsroom file gives it now: the story
/// it is of, the renderer of its templates, and the release's inputs. The release is checked
/// against what the state records now, when no folder before it is kept: the editions before
/// it do not change while it waits.
pub(super) fn queued_inputs<'n>(
    newsroom: &'n Newsroom,
    entry: &QueuedEdition,
) -> Result<(&'n StoryConfig, Renderer, Inputs), PublishError> {
    let story = newsroom
        .stories
        .iter()
        .find(|s| s.name == entry.story)
        .ok_or_else(|| PublishError::NoRelease {
            why: format!(
                "the newsroom file no longer has the story \"{}\"",
                entry.story
            ),
        })?;
    let renderer =
        Renderer::new(newsroom.templates.as_deref()).map_err(|e| draft_failed(entry, e.into()))?;
    let state = State::load(&newsroom.output.join(super::state::STATE_FILE))?;
    let mut loaded = None;
    super::story_inputs(story, newsroom, entry.release, &state, &mut loaded)
        .map_err(|e| draft_failed(entry, e))?;
    let inputs = loaded.expect("story_inputs fills it");
    Ok((story, renderer, inputs))
}

/// [`redraft`] with `choice`'s seed and template, or, without one, the patch's seed and the
/// story's template as the newsroom file gives them now.
pub(super) fn redraft_as(
    newsroom: &Newsroom,
    entry: &QueuedEdition,
    choice: Option<&Choice>,
) -> Result<(Inputs, Draft, Renderer), PublishError> {
    let err = |e: DraftError| draft_failed(entry, e);
    let (story, renderer, mut owned) = queued_inputs(newsroom, entry)?;
    if let Some(choice) = choice {
        owned.patch.seed = choice.seed;
    }
    let inputs = &owned;
    let template = match choice {
        Some(c) => c.template.as_str(),
        None => story
            .template
            .as_deref()
            .unwrap_or(crate::render::DEFAULT_TEMPLATE),
    };
    renderer
        .check_template(template)
        .map_err(|e| err(e.into()))?;
    let areas = crate::draft::PatchAreas::resolve(inputs).map_err(err)?;
    let week = crate::draft::Week::prepare(inputs, entry.release, entry.today).map_err(err)?;
    let draft = week
        .draft_patch(
            &areas,
            &renderer,
            template,
            crate::draft::Format::Markdown,
            false,
        )
        .map_err(err)?;
    Ok((owned, draft, renderer))
}
