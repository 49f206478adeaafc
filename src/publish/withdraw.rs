//! Taking a published edition back (`casewire withdraw`): its pages leave the site and the
//! feeds, its ninjs items are rewritten as their next version with `pubstatus` `canceled`,
//! the state records who withdrew it, when and why (so no later run republishes, corrects or
//! posts it), its WordPress post goes to the site's trash, and the desk hears of it.
//!
//! Everything happens under the run lock and in one commit: the edition's folders are
//! replaced whole by folders holding only its canceled items (where the CMS has been polling
//! them, so it learns the story is dead instead of finding it gone), its other files
//! (Jekyll's post, its correction note) are moved out of sight, the feeds are rewritten
//! without it and the state goes last. A failure part way puts everything back.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::config::{Newsroom, NewsroomOverrides};
use crate::fsio::{FileSink, Staging};

use super::edition::Layout;
use super::files::xml_escape;
use super::state::{self, Edition, ItemRecord, State, Withdrawal};
use super::{PublishError, feeds};

/// What to withdraw, and who asks.
#[derive(Clone, Debug)]
pub struct WithdrawOptions {
    /// The newsroom file.
    pub config: PathBuf,
    /// The edition, by its name (`STORY-RELEASE`, as `withdraw --list` prints it).
    pub edition: String,
    /// Why, for the state, the item and the alert.
    pub reason: String,
    /// Who.
    pub by: String,
    /// Now: the withdrawal's time and the canceled items' `versioncreated`.
    pub now: DateTime<Utc>,
}

/// Why a withdrawal did not happen; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum WithdrawError {
    /// The newsroom file or the state could not be read.
    #[error(transparent)]
    Publish(#[from] PublishError),
    /// No published edition has that name.
    #[error(
        "no published edition \"{edition}\" in {state}; `casewire withdraw --list --config FILE` \
         lists them (an edition is named STORY-RELEASE)"
    )]
    Unknown {
        /// The name asked for.
        edition: String,
        /// The state file looked in.
        state: PathBuf,
    },
    /// The edition was withdrawn before.
    #[error("{edition} was withdrawn already, at {at} by {by}: {reason}")]
    Already {
        /// The edition.
        edition: String,
        /// When.
        at: String,
        /// Who.
        by: String,
        /// Why.
        reason: String,
    },
    /// No reason given.
    #[error("say why {0} is withdrawn: --reason is empty")]
    NoReason(String),
    /// A publish run holds the output folder.
    #[error("another publish run holds {}{holder}; try again once it has finished", .path.display())]
    Busy {
        /// The lock file.
        path: PathBuf,
        /// Who holds it and since when ([`super::lock::holder_note`]).
        holder: String,
    },
}

/// One published edition, as `withdraw --list` shows it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Listed {
    /// Its name, which `withdraw` takes.
    pub edition: String,
    /// Its story.
    pub story: String,
    /// Its release.
    pub release: NaiveDate,
    /// Its headline, when the state kept it.
    pub title: Option<String>,
    /// Its withdrawal, if it was withdrawn.
    pub withdrawn: Option<Withdrawal>,
}

/// What a withdrawal did.
#[derive(Clone, Debug, PartialEq)]
pub struct Withdrawn {
    /// The edition.
    pub edition: String,
    /// Its story.
    pub story: String,
    /// Its release.
    pub release: NaiveDate,
    /// Files and folders taken out of the output folder (relative to it).
    pub removed: Vec<String>,
    /// Its ninjs items, rewritten as canceled (relative to the output folder).
    pub canceled: Vec<String>,
    /// What went wrong on the way without stopping it (an alert or a post not delivered).
    pub warnings: Vec<String>,
}

impl std::fmt::Display for Withdrawn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "withdrew {} ({} file(s) or folder(s) taken off the site, {} ninjs item(s) canceled)",
            self.edition,
            self.removed.len(),
            self.canceled.len()
        )
    }
}

fn load(config: &Path) -> Result<(Newsroom, PathBuf), WithdrawError> {
    let newsroom = Newsroom::load_with(config, NewsroomOverrides { offline: true })
        .map_err(PublishError::from)?;
    let state_path = newsroom.output.join(state::STATE_FILE);
    Ok((newsroom, state_path))
}

/// Every published edition, oldest release first, withdrawn ones included (and marked).
pub fn list(config: &Path) -> Result<Vec<Listed>, WithdrawError> {
    let (_, state_path) = load(config)?;
    let state = State::load(&state_path)?;
    let mut out: Vec<Listed> = state
        .stories
        .iter()
        .flat_map(|(story, editions)| {
            editions.iter().map(move |e| Listed {
                edition: e.name(story),
                story: story.clone(),
                release: e.release,
                title: e.title.clone(),
                withdrawn: e.withdrawn.clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| (a.release, &a.edition).cmp(&(b.release, &b.edition)));
    Ok(out)
}

/// Withdraws one edition: see the module documentation. The files go through `sink` (the
/// file system is [`crate::fsio::Disk`]).
pub fn withdraw(
    options: &WithdrawOptions,
    sink: &mut dyn FileSink,
) -> Result<Withdrawn, WithdrawError> {
    let reason = options
        .reason
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if reason.is_empty() {
        return Err(WithdrawError::NoReason(options.edition.clone()));
    }
    let (newsroom, state_path) = load(&options.config)?;
    let Some(_lock) = super::lock::take(&newsroom)? else {
        return Err(WithdrawError::Busy {
            path: super::lock::path(&newsroom),
            holder: super::lock::holder_note(&newsroom),
        });
    };
    let mut state = State::load(&state_path)?;
    let (story, at) = find(&state, &options.edition).ok_or_else(|| WithdrawError::Unknown {
        edition: options.edition.clone(),
        state: state_path.clone(),
    })?;
    let edition = state.stories[&story][at].clone();
    if let Some(w) = &edition.withdrawn {
        return Err(WithdrawError::Already {
            edition: options.edition.clone(),
            at: w.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            by: w.by.clone(),
            reason: w.reason.clone(),
        });
    }
    let withdrawal = Withdrawal {
        at: options.now,
        by: options.by.clone(),
        reason,
    };
    let layout = Layout::for_output(newsroom.front_matter, &newsroom.output);
    let name = edition.name(&story);
    let mut warnings = Vec::new();
    let mut items: Vec<(String, Vec<u8>, ItemRecord)> = Vec::new();
    for (path, record) in &edition.items {
        match canceled_item(&newsroom.output.join(path), record, &withdrawal) {
            Some((bytes, record)) => items.push((path.clone(), bytes, record)),
            None => warnings.push(format!(
                "cannot read the ninjs item {path}: it is not rewritten as canceled"
            )),
        }
    }
    let folders = layout.edition_folders(&name, edition.page.is_none());
    let inside = |path: &str| {
        folders.iter().any(|f| {
            path.strip_prefix(f.as_str())
                .is_some_and(|r| r.starts_with('/'))
        })
    };
    // What lies outside the edition's folders goes too: Jekyll's post, the correction note
    // (a bundle of its own, taken whole).
    let mut removed: Vec<String> = folders.clone();
    let mut files: Vec<&str> = edition.files.iter().map(String::as_str).collect();
    files.extend(edition.correction.as_ref().map(|n| n.path.as_str()));
    for f in files {
        if inside(f) {
            continue;
        }
        let unit = match f.strip_suffix("/index.md") {
            Some(folder) => folder.to_string(),
            None => f.to_string(),
        };
        if !removed.contains(&unit) {
            removed.push(unit);
        }
    }
    // The state as it will be: the edition withdrawn, its items' new versions, its files
    // only the items left where the CMS reads them.
    {
        let e = &mut state.stories.get_mut(&story).expect("found")[at];
        e.withdrawn = Some(withdrawal.clone());
        for (path, _, record) in &items {
            e.items.insert(path.clone(), record.clone());
        }
        e.files = items.iter().map(|(p, ..)| p.clone()).collect();
    }
    let out = &newsroom.output;
    let write = |source: std::io::Error| PublishError::Write {
        path: out.join(crate::fsio::STAGING),
        source,
    };
    let mut staging = Staging::begin(out).map_err(write)?;
    for folder in &folders {
        let kept: Vec<(&Path, &[u8])> = items
            .iter()
            .filter_map(|(p, bytes, _)| {
                let rest = p.strip_prefix(folder.as_str())?.strip_prefix('/')?;
                Some((Path::new(rest), bytes.as_slice()))
            })
            .collect();
        if kept.is_empty() {
            staging.remove(Path::new(folder));
        } else {
            staging.folder(Path::new(folder), kept).map_err(write)?;
        }
    }
    for unit in removed.iter().filter(|u| !folders.contains(u)) {
        staging.remove(Path::new(unit));
    }
    let (json, atom) = feeds::for_newsroom(&newsroom, &state);
    staging
        .file(Path::new(feeds::JSON_FEED), &json)
        .map_err(write)?;
    staging
        .file(Path::new(feeds::ATOM_FEED), &atom)
        .map_err(write)?;
    let state_rel = state_path.strip_prefix(out).unwrap_or(&state_path);
    staging.file(state_rel, &state.to_bytes()).map_err(write)?;
    staging.commit_to(sink).map_err(|e| PublishError::Write {
        path: e.path,
        source: e.source,
    })?;
    let alert = crate::deliver::alerts::Alert::withdrawn(
        &story,
        &edition.release.to_string(),
        &name,
        &withdrawal.by,
        &withdrawal.reason,
    );
    super::alerting::send(&newsroom, &alert, &mut warnings);
    // The post follows the files; one that cannot be taken down now the next run takes down.
    if super::wordpress::push_all(&newsroom, &mut state, &mut warnings) {
        super::wordpress::save(&newsroom, &state, &mut warnings);
    }
    let canceled = items.into_iter().map(|(p, ..)| p).collect();
    Ok(Withdrawn {
        edition: name,
        story,
        release: edition.release,
        removed,
        canceled,
        warnings,
    })
}

/// The story and index of the edition named `name`.
fn find(state: &State, name: &str) -> Option<(String, usize)> {
    state.stories.iter().find_map(|(story, editions)| {
        let at = editions
            .iter()
            .position(|e: &Edition| e.name(story) == name.trim())?;
        Some((story.clone(), at))
    })
}

/// The item at `path` rewritten as its next version, `canceled`: its headline and copy say it
/// is withdrawn and why, its editorial note says who withdrew it and when, and it names no
/// attachment (their files have left the site). `None` when the item cannot be read.
fn canceled_item(
    path: &Path,
    record: &ItemRecord,
    w: &Withdrawal,
) -> Option<(Vec<u8>, ItemRecord)> {
    let mut item: Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    let old_version = item["version"]
        .as_str()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(1);
    let record = ItemRecord {
        version: record.version.max(old_version) + 1,
        firstcreated: record.firstcreated,
        versioncreated: w.at.max(record.versioncreated),
    };
    let time = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let object = item.as_object_mut()?;
    object.insert("version".into(), Value::String(record.version.to_string()));
    object.insert(
        "versioncreated".into(),
        Value::String(time(record.versioncreated)),
    );
    object.insert("pubstatus".into(), Value::String("canceled".into()));
    object.remove("associations");
    if let Some(headlines) = object.get_mut("headlines").and_then(Value::as_array_mut) {
        for h in headlines {
            let old = h["value"].as_str().unwrap_or_default();
            h["value"] = Value::String(format!("Withdrawn: {old}"));
        }
    }
    let notice = format!(
        "This report has been withdrawn and must not be used: {}. Remove any copy of it \
         already published.",
        w.reason.trim_end_matches('.')
    );
    if let Some(descriptions) = object.get_mut("descriptions").and_then(Value::as_array_mut) {
        for d in descriptions {
            d["value"] = Value::String(format!("Withdrawn: {}", w.reason));
        }
    }
    let words = notice.split_whitespace().count();
    if let Some(bodies) = object.get_mut("bodies").and_then(Value::as_array_mut) {
        for b in bodies {
            let value = if b["contenttype"] == "text/html" {
                format!("<p>{}</p>", xml_escape(&notice))
            } else {
                notice.clone()
            };
            b["value"] = Value::String(value);
            if b.get("charcount").is_some() {
                b["charcount"] = Value::from(notice.chars().count());
            }
            if b.get("wordcount").is_some() {
                b["wordcount"] = Value::from(words);
            }
        }
    }
    let note = object
        .get("ednote")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    object.insert(
        "ednote".into(),
        Value::String(format!(
            "Withdrawn at {} by {}: {}. Do not use.\n\n{note}",
            time(w.at),
            w.by,
            w.reason.trim_end_matches('.')
        )),
    );
    let bytes = serde_json::to_string_pretty(&item).ok()? + "\n";
    Some((bytes.into_bytes(), record))
}
