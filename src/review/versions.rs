//! Other versions of a queued patch story: the same release, data and patch drafted with
//! another seed (other sentence frames) or another built-in story template, through the
//! drafting and checks a publish run uses ([`crate::publish::queue::version`]). The desk
//! offers a fixed few ([`Drafted::offered`]), named by seed and template, never by a file.
//!
//! Using one replaces the queued copy: the edition's folder is put back whole in one step,
//! with the version it replaces (and any edit of that copy) kept beside it under
//! `versions/N/`, and the choice is logged. Approval then puts it live as usual.

use std::path::{Path, PathBuf};

use super::{Desk, Editor, ReviewError, log};
use crate::publish::queue::{
    self, Choice, Drafted, EDIT, ENTRY, FILES, PENDING, QueuedEdition, Version,
};

/// The folder of a waiting edition's earlier versions.
pub const VERSIONS: &str = "versions";

/// The versions the desk offers of an edition, or why it offers none.
#[derive(Clone, Debug)]
pub struct Offer {
    /// The version now queued.
    pub queued: Option<Choice>,
    /// The version the run drafted.
    pub original: Option<Choice>,
    /// Every version offered (the queued one among them), or why there are none.
    pub choices: Result<Vec<Choice>, String>,
}

impl Desk {
    /// What versions of `entry` the desk offers.
    pub fn offer(&self, entry: &QueuedEdition) -> Offer {
        let drafted: Option<&Drafted> = entry.drafted.as_ref();
        let choices = match queue::versions_unavailable(&self.newsroom, entry) {
            Some(why) => Err(why),
            None => Ok(drafted.map(Drafted::offered).unwrap_or_default()),
        };
        Offer {
            queued: drafted.map(|d| d.choice.clone()),
            original: drafted.map(|d| d.original().clone()),
            choices,
        }
    }

    /// `choice` of `id` drafted and checked: refused when it is not one the desk offers.
    pub fn version(&self, id: &str, choice: &Choice) -> Result<Version, ReviewError> {
        let entry = self.get(id)?;
        self.check_offered(&entry, choice)?;
        Ok(queue::version(&self.newsroom, &entry, choice)?)
    }

    /// Whether the desk offers `choice` of `entry`: an error saying why not, or what it
    /// offers instead.
    pub fn check_offered(&self, entry: &QueuedEdition, choice: &Choice) -> Result<(), ReviewError> {
        match self.offer(entry).choices {
            Err(why) => Err(ReviewError::Refused {
                id: entry.id.clone(),
                why: format!("no other versions are offered: {why}"),
            }),
            Ok(offered) if !offered.contains(choice) => Err(ReviewError::NoSuchVersion {
                id: entry.id.clone(),
                choice: choice.to_string(),
                offered: offered
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            }),
            Ok(_) => Ok(()),
        }
    }

    /// Replaces the queued copy of `id` with `choice`, keeping what it replaces beside it,
    /// and logs the choice. Returns the version now queued.
    pub fn use_version(
        &self,
        id: &str,
        choice: &Choice,
        editor: &Editor,
    ) -> Result<Version, ReviewError> {
        // Under the run lock: no approval or run moves the edition while its folder is
        // put back.
        let _lock = self.run_lock()?;
        let entry = self.get(id)?;
        self.check_offered(&entry, choice)?;
        if entry
            .drafted
            .as_ref()
            .is_some_and(|d| &d.choice == choice && !d.retitled)
        {
            return Err(ReviewError::Refused {
                id: id.to_string(),
                why: format!("{choice} is the version queued already"),
            });
        }
        let version = queue::version(&self.newsroom, &entry, choice)?;
        let n = self.replace(&entry, &version, false)?;
        let from = entry.drafted.as_ref().map(|d| d.choice.to_string());
        let note = format!(
            "{choice}, in place of {} (kept as {VERSIONS}/{n})",
            from.as_deref().unwrap_or("the copy as queued")
        );
        self.log(&entry, log::Action::ChoseVersion, editor, Some(&note))?;
        Ok(version)
    }

    /// Checks an editor's headline and standfirst for `id` with the draft's lint and audit
    /// (with the story as it stands after them) and, when they pass, rebuilds the edition
    /// with them as the run built it (front matter, record, ninjs item), keeping the copy it
    /// replaces beside it, and logs it. Refused, quoting each finding, when they fail.
    pub fn retitle(
        &self,
        id: &str,
        headline: &str,
        standfirst: &str,
        editor: &Editor,
    ) -> Result<super::check::CopyCheck, ReviewError> {
        let _lock = self.run_lock()?;
        let entry = self.get(id)?;
        let refused = |why: String| ReviewError::EditRefused {
            id: id.to_string(),
            report: why,
        };
        let headline = one_line(headline);
        let standfirst = one_line(standfirst);
        if headline.is_empty() {
            return Err(refused(
                "the headline is empty: an edition needs one".into(),
            ));
        }
        if headline.chars().count() > 200 || standfirst.chars().count() > 600 {
            return Err(refused(
                "a headline is at most 200 characters and a standfirst at most 600".into(),
            ));
        }
        if let Some(why) = queue::versions_unavailable(&self.newsroom, &entry) {
            return Err(ReviewError::Refused {
                id: id.to_string(),
                why: format!("its headline cannot be rewritten at the desk: {why}"),
            });
        }
        let choice = entry
            .drafted
            .as_ref()
            .expect("checked above")
            .choice
            .clone();
        let (inputs, mut draft, renderer) = queue::redraft(&self.newsroom, &entry)?;
        let body = self
            .copy(&entry)?
            .map(|c| c.body().to_string())
            .unwrap_or_default();
        // The headline and standfirst are checked in their place, above the story as it
        // stands (the desk's edit of it, if any).
        let lead = queue::retitle(&mut draft, &headline, &standfirst);
        let text = format!("{lead}{body}");
        let report = super::check::check_drafted(&inputs, &draft, &renderer, &text);
        if !report.passed() {
            return Err(refused(report.lines().join("\n")));
        }
        let version = queue::built(&self.newsroom, &entry, &choice, &inputs, &draft, &renderer)?;
        let n = self.replace(&entry, &version, true)?;
        let note = format!("headline and standfirst (the copy before kept as {VERSIONS}/{n})");
        self.log(&entry, log::Action::Edited, editor, Some(&note))?;
        Ok(report)
    }

    /// Puts `version` in the place of `entry`'s copy: the edition's folder put back whole in
    /// one step, the copy it replaces (with its edit) kept as the newest of `versions/`.
    /// `retitled`: the same version with the editor's headline and standfirst, so an edit of
    /// its story stays with it. Returns the number of the version kept.
    fn replace(
        &self,
        entry: &QueuedEdition,
        version: &Version,
        retitled: bool,
    ) -> Result<usize, ReviewError> {
        let id = entry.id.as_str();
        let folder = self.queue.folder(PENDING, id);
        let notes = entry
            .files
            .iter()
            .filter(|f| !entry.edition.files.contains(f))
            .map(|f| Ok((f.clone(), self.queue.file(entry, f)?)))
            .collect::<Result<Vec<_>, ReviewError>>()?;
        let (mut next, files) = queue::with_version(entry, version, notes);
        if let Some(d) = &mut next.drafted {
            d.retitled = retitled;
        }
        let read = |path: PathBuf| -> Result<Vec<u8>, ReviewError> {
            std::fs::read(&path)
                .map_err(|source| crate::publish::PublishError::Io { path, source }.into())
        };
        // The folder as it will be: the new entry and files, every earlier version, and
        // the copy now queued (with its edit) as the newest of them.
        let mut inside: Vec<(PathBuf, Vec<u8>)> = Vec::new();
        let earlier = folder.join(VERSIONS);
        walk(&earlier, &mut |path| {
            let rel = Path::new(VERSIONS).join(path.strip_prefix(&earlier).unwrap_or(path));
            inside.push((rel, read(path.to_path_buf())?));
            Ok(())
        })?;
        let n = (1..)
            .find(|n| !earlier.join(n.to_string()).exists())
            .unwrap_or(1);
        let kept = Path::new(VERSIONS).join(n.to_string());
        inside.push((kept.join(ENTRY), read(folder.join(ENTRY))?));
        for f in &entry.files {
            inside.push((kept.join(FILES).join(f), self.queue.file(entry, f)?));
        }
        let edit = folder.join(EDIT);
        if edit.exists() {
            let text = read(edit)?;
            if retitled {
                inside.push((PathBuf::from(EDIT), text.clone()));
            }
            inside.push((kept.join(EDIT), text));
        }
        let json = serde_json::to_vec_pretty(&next).expect("serialisable");
        inside.push((PathBuf::from(ENTRY), json));
        for (path, bytes) in files {
            inside.push((Path::new(FILES).join(path), bytes));
        }
        let pending = self.queue.root().join(PENDING);
        let write = |source: std::io::Error| ReviewError::Write {
            path: folder.clone(),
            source,
        };
        let mut staging = crate::fsio::Staging::begin(&pending).map_err(write)?;
        staging
            .folder(
                Path::new(id),
                inside.iter().map(|(p, b)| (p.as_path(), b.as_slice())),
            )
            .map_err(write)?;
        staging
            .commit_to(&mut crate::fsio::Disk)
            .map_err(|e| ReviewError::Write {
                path: e.path,
                source: e.source,
            })?;
        Ok(n)
    }
}

/// A field of a form as one line: line breaks and other control characters become spaces,
/// runs of spaces one.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Calls `each` with every file under `dir` (none when it does not exist).
fn walk(
    dir: &Path,
    each: &mut dyn FnMut(&Path) -> Result<(), ReviewError>,
) -> Result<(), ReviewError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(crate::publish::PublishError::Io {
                path: dir.to_path_buf(),
                source,
            }
            .into());
        }
    };
    for entry in entries {
        let path = entry
            .map_err(|source| crate::publish::PublishError::Io {
                path: dir.to_path_buf(),
                source,
            })?
            .path();
        if path.is_dir() {
            walk(&path, each)?;
        } else {
            each(&path)?;
        }
    }
    Ok(())
}
