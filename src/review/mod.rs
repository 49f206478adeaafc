//! The review queue's decisions: an editor lists the editions a run held back
//! ([`crate::publish::queue`]), reads one, edits its copy (checked by the same lint and audit
//! as a draft, [`check`]), and approves or rejects it.
//!
//! Approving takes the output folder's run lock again, reads the state as it is now, and puts
//! the edition live through publish's own second half, so it gets exactly what an unattended
//! run does. It refuses, saying why, when the state has moved on since the edition was queued:
//! the same release already live, a newer one live first, or another edition of the story
//! published in between (its correction notes would be out of date), or when the copy about
//! to go live no longer passes the lint and the audit (checked again just before it goes
//! live). Every decision is appended to the queue's log ([`log`]) with who made it, when and
//! why.

pub mod check;
pub mod log;
mod recheck;
pub mod versions;

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use crate::fsio::{FileSink, RunLock};
use crate::publish::queue::{APPROVED, EDIT, PENDING, REJECTED};
pub use crate::publish::queue::{Queue, QueuedEdition, is_id};
use crate::publish::{Newsroom, NewsroomError, Outcome, PublishError, PublishOptions, State};

/// Why a review command failed.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The newsroom file could not be read or is not usable.
    #[error(transparent)]
    Newsroom(#[from] NewsroomError),
    /// Reading the queue or the state, or going live, failed.
    #[error(transparent)]
    Publish(#[from] PublishError),
    /// No edition of that id is waiting.
    #[error("no edition \"{id}\" is waiting in the review queue {}{hint}", queue.display())]
    Unknown {
        /// The id asked for.
        id: String,
        /// The queue's folder.
        queue: PathBuf,
        /// What is waiting, or what became of the id.
        hint: String,
    },
    /// The edition cannot go live as it is.
    #[error("{id} cannot go live: {why}")]
    Refused {
        /// The edition.
        id: String,
        /// Why.
        why: String,
    },
    /// A queued file no longer passes the checks it passed when it was queued or edited (it
    /// was changed in the queue since): approval refuses it and it stays waiting.
    #[error(
        "{id} cannot go live: {} fails its checks now (changed since it was checked?); it stays waiting:\n{report}",
        file.display()
    )]
    Unchecked {
        /// The edition.
        id: String,
        /// The queued file at fault.
        file: PathBuf,
        /// Each finding, a line each.
        report: String,
    },
    /// A publish run holds the output folder.
    #[error("another publish run holds {}{holder}; approve again when it has finished", .path.display())]
    Busy {
        /// The lock file.
        path: PathBuf,
        /// Who holds it and since when ([`crate::publish::lock::holder_note`]).
        holder: String,
    },
    /// A rejection needs a reason.
    #[error("rejecting {0} needs a reason (--reason TEXT)")]
    NoReason(String),
    /// An edit of the copy failed its checks.
    #[error("the edit of {id} fails its checks:\n{report}")]
    EditRefused {
        /// The edition.
        id: String,
        /// Each finding, a line each.
        report: String,
    },
    /// A version the desk does not offer of that edition.
    #[error("{choice} is not a version the desk offers of {id}; it offers: {offered}")]
    NoSuchVersion {
        /// The edition.
        id: String,
        /// The version asked for.
        choice: String,
        /// The versions offered.
        offered: String,
    },
    /// A file of the queue could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}

/// Who decides, and when: the library never reads the clock, so the caller says.
#[derive(Clone, Debug)]
pub struct Editor {
    /// The editor's name, as the log records it.
    pub name: String,
    /// The moment of the decision.
    pub at: DateTime<Utc>,
}

/// A newsroom's queue, opened from its newsroom file.
#[derive(Debug)]
pub struct Desk {
    /// The newsroom file.
    pub config: PathBuf,
    /// The newsroom, as read when the desk was opened.
    pub newsroom: Newsroom,
    /// Its queue.
    pub queue: Queue,
}

/// An edition's copy as the desk shows it: the page's front matter, the body as drafted and,
/// when an editor has changed it, the edited body.
#[derive(Clone, Debug)]
pub struct Copy {
    /// The front matter, fences included, as the run built it.
    pub front: String,
    /// The body as drafted.
    pub original: String,
    /// The body as an editor changed it (and the checks passed), if they did.
    pub edited: Option<String>,
}

impl Copy {
    /// The body that goes live: the edit, or the original.
    pub fn body(&self) -> &str {
        self.edited.as_deref().unwrap_or(&self.original)
    }
}

/// Splits a page into its front matter (YAML between `---` lines or TOML between `+++`
/// lines, fences included) and its body.
pub fn split_front(page: &str) -> (&str, &str) {
    for fence in ["---\n", "+++\n"] {
        if let Some(rest) = page.strip_prefix(fence)
            && let Some(end) = rest.find(&format!("\n{fence}"))
        {
            let cut = fence.len() + end + 1 + fence.len();
            return page.split_at(cut);
        }
    }
    ("", page)
}

impl Desk {
    /// Opens the queue of the newsroom file `config`.
    pub fn open(config: &Path) -> Result<Desk, ReviewError> {
        let newsroom = Newsroom::load(config)?;
        let queue = Queue::of(&newsroom);
        Ok(Desk {
            config: config.to_path_buf(),
            newsroom,
            queue,
        })
    }

    /// Every edition waiting, oldest release first.
    pub fn list(&self) -> Result<Vec<QueuedEdition>, ReviewError> {
        Ok(self.queue.pending()?)
    }

    /// The waiting edition `id`, or an error naming what is waiting (or what became of it).
    pub fn get(&self, id: &str) -> Result<QueuedEdition, ReviewError> {
        if let Some(e) = self.queue.get(id)? {
            return Ok(e);
        }
        let decided = [APPROVED, REJECTED]
            .into_iter()
            .find(|stage| is_id(id) && self.queue.folder(stage, id).exists());
        let hint = match decided {
            Some(stage) => format!("; it was {stage} already"),
            None => {
                let waiting: Vec<String> = self.list()?.into_iter().map(|e| e.id).collect();
                if waiting.is_empty() {
                    "; nothing is waiting".to_string()
                } else {
                    format!("; waiting: {}", waiting.join(", "))
                }
            }
        };
        Err(ReviewError::Unknown {
            id: id.to_string(),
            queue: self.queue.root().to_path_buf(),
            hint,
        })
    }

    /// The copy of a waiting edition with a page (a patch story), as drafted and as edited.
    pub fn copy(&self, entry: &QueuedEdition) -> Result<Option<Copy>, ReviewError> {
        let Some(page) = entry.page() else {
            return Ok(None);
        };
        let bytes = self.queue.file(entry, page)?;
        let text = String::from_utf8_lossy(&bytes);
        let (front, body) = split_front(&text);
        let edit_path = self.queue.folder(PENDING, &entry.id).join(EDIT);
        let edited = match std::fs::read_to_string(&edit_path) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(PublishError::Io {
                    path: edit_path,
                    source,
                }
                .into());
            }
        };
        Ok(Some(Copy {
            front: front.to_string(),
            original: body.to_string(),
            edited,
        }))
    }

    /// Checks an editor's version of the body of `id` with the draft's lint and audit and,
    /// when it passes, keeps it beside the original (it goes live on approval) and logs it.
    /// A version that fails is not kept; the error quotes each sentence and why.
    pub fn edit(
        &self,
        id: &str,
        body: &str,
        editor: &Editor,
    ) -> Result<check::CopyCheck, ReviewError> {
        let entry = self.get(id)?;
        if entry.page().is_none() {
            return Err(ReviewError::Refused {
                id: id.to_string(),
                why: "an every-area edition is a folder of pages; its copy is edited in its templates, not at the desk".into(),
            });
        }
        let body = normalise(body);
        let report = check::check_copy(&self.newsroom, &entry, &body)?;
        if !report.passed() {
            return Err(ReviewError::EditRefused {
                id: id.to_string(),
                report: report.lines().join("\n"),
            });
        }
        let path = self.queue.folder(PENDING, id).join(EDIT);
        crate::fsio::write_atomic(&path, body.as_bytes())
            .map_err(|source| ReviewError::Write { path, source })?;
        self.log(&entry, log::Action::Edited, editor, None)?;
        Ok(report)
    }

    /// The output folder's run lock, which publish runs take too: busy when one holds it.
    /// Taking it clears what a killed run left, as every run that takes it does.
    fn run_lock(&self) -> Result<RunLock, ReviewError> {
        crate::publish::lock::take(&self.newsroom)?.ok_or_else(|| ReviewError::Busy {
            path: crate::publish::lock::path(&self.newsroom),
            holder: crate::publish::lock::holder_note(&self.newsroom),
        })
    }

    /// Approves `id`: see the module documentation. Returns what going live did.
    pub fn approve(
        &self,
        id: &str,
        editor: &Editor,
        today: Option<NaiveDate>,
        sink: &mut dyn FileSink,
    ) -> Result<Outcome, ReviewError> {
        let entry = self.get(id)?;
        let lock = self.run_lock()?;
        // Read under the lock: no run can move it on between this check and going live.
        let state_path = self.newsroom.output.join(crate::publish::state::STATE_FILE);
        let state = State::load(&state_path)?;
        if let Some(why) = moved_on(&state, &entry) {
            return Err(ReviewError::Refused {
                id: id.to_string(),
                why,
            });
        }
        let mut files = self.queue.planned(&entry)?;
        let copy = self.copy(&entry)?;
        if let (Some(copy), Some(page)) = (&copy, entry.page())
            && let Some(edited) = &copy.edited
            && let Some(file) = files.iter_mut().find(|f| f.path == page)
        {
            file.bytes = format!("{}{edited}", copy.front).into_bytes();
        }
        // What goes live is checked as it is now, not as it was when queued or edited.
        let edited = copy.as_ref().is_some_and(|c| c.edited.is_some());
        recheck::before_going_live(self, &entry, &files, edited)?;
        let options = PublishOptions {
            config: self.config.clone(),
            dry_run: false,
            offline: true,
            today,
            now: Some(editor.at),
        };
        let live = crate::publish::queue::go_live_queued(
            self.newsroom.clone(),
            &options,
            &entry,
            crate::publish::queue::ApprovedCopy {
                files,
                edited: copy.as_ref().and_then(|c| c.edited.as_deref()),
            },
            state,
            lock,
            sink,
        );
        // Once the files are in place (an after_publish that failed leaves them there), the
        // decision stands: the edition leaves the queue and the log says so.
        if matches!(live, Ok(_) | Err(PublishError::AfterPublish { .. })) {
            self.settle(&entry, APPROVED)?;
            let edited = copy
                .is_some_and(|c| c.edited.is_some())
                .then_some("with the desk's edit of its copy".to_string());
            let drafted = entry.drafted.as_ref();
            let chosen = drafted
                .filter(|d| d.original() != &d.choice)
                .map(|d| format!("as the version the desk chose ({})", d.choice));
            let retitled = drafted
                .filter(|d| d.retitled)
                .map(|_| "with the desk's headline and standfirst".to_string());
            let said: Vec<String> = [chosen, retitled, edited].into_iter().flatten().collect();
            let note = (!said.is_empty()).then(|| said.join(", "));
            self.log(&entry, log::Action::Approved, editor, note.as_deref())?;
        }
        Ok(live?)
    }

    /// Rejects `id` for `reason`: it leaves the queue and is never queued again.
    pub fn reject(&self, id: &str, reason: &str, editor: &Editor) -> Result<(), ReviewError> {
        let entry = self.get(id)?;
        if reason.trim().is_empty() {
            return Err(ReviewError::NoReason(id.to_string()));
        }
        // The lock keeps a run from queueing the same edition while it moves.
        let _lock = self.run_lock()?;
        self.log(&entry, log::Action::Rejected, editor, Some(reason.trim()))?;
        self.settle(&entry, REJECTED)
    }

    /// Every decision the log records, oldest first.
    pub fn decisions(&self) -> Result<Vec<log::Decision>, ReviewError> {
        log::read(&self.queue.root().join(crate::publish::queue::LOG))
    }

    fn settle(&self, entry: &QueuedEdition, stage: &str) -> Result<(), ReviewError> {
        self.queue
            .settle(&entry.id, stage)
            .map(|_| ())
            .map_err(|source| ReviewError::Write {
                path: self.queue.folder(PENDING, &entry.id),
                source,
            })
    }

    fn log(
        &self,
        entry: &QueuedEdition,
        action: log::Action,
        editor: &Editor,
        reason: Option<&str>,
    ) -> Result<(), ReviewError> {
        let decision = log::Decision {
            at: editor.at,
            action,
            id: entry.id.clone(),
            story: entry.story.clone(),
            release: entry.release,
            by: editor.name.clone(),
            reason: reason.map(str::to_string),
        };
        let path = self.queue.root().join(crate::publish::queue::LOG);
        log::append(&path, &decision).map_err(|source| ReviewError::Write { path, source })
    }
}

/// Why the state no longer lets `entry` go live, if it does not.
fn moved_on(state: &State, entry: &QueuedEdition) -> Option<String> {
    let live: Vec<NaiveDate> = state
        .stories
        .get(&entry.story)
        .map(|eds| eds.iter().map(|e| e.release).collect())
        .unwrap_or_default();
    let story = &entry.story;
    if live.contains(&entry.release) {
        return Some(format!(
            "{story}'s edition of release {} is live already (approved or published since this was queued); reject this one to clear it",
            entry.release
        ));
    }
    if let Some(newer) = live.iter().filter(|r| **r > entry.release).max() {
        return Some(format!(
            "a newer release of {story}, {newer}, is live already; an older edition after it would mislead readers (reject this one)"
        ));
    }
    if live != entry.based_on {
        return Some(format!(
            "{story}'s published editions changed since this was queued (then {}, now {}); run publish again for a fresh edition",
            releases(&entry.based_on),
            releases(&live)
        ));
    }
    None
}

fn releases(list: &[NaiveDate]) -> String {
    if list.is_empty() {
        return "none".into();
    }
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// An edit as browsers send it (CR LF line ends) in the form the checks and the page take,
/// ending with one line end.
fn normalise(body: &str) -> String {
    let mut text = body.replace("\r\n", "\n").replace('\r', "\n");
    let trimmed = text.trim_end().len();
    text.truncate(trimmed);
    text.push('\n');
    text
}
