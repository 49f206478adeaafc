//! The output folder's run lock, and the clearing of what a killed run left that goes with
//! taking it.
//!
//! A run killed after its commit (or part way through it) leaves its staging folder behind:
//! the old copies of the files it replaced and a copy of the state file, out of sight. Every
//! command that takes the lock (publish, with something new or not, withdraw, and the review
//! queue's decisions) clears them first, so they never wait for the next run that happens to
//! publish. Only the lock's holder may: another run's staging is its work in progress. A dry
//! run takes no lock and writes nothing, so it clears nothing either.

use std::path::PathBuf;

use super::{Newsroom, PublishError};
use crate::fsio::{RunLock, STAGING, clean_leftovers};

/// The lock file in an output folder.
pub const LOCK_FILE: &str = ".casewire.lock";

/// Takes `newsroom`'s run lock, or `None` while another process holds it; once taken, clears
/// what a killed run left in the output folder and in the review queue's folder of waiting
/// editions (each assembled in a staging folder of its own).
pub(crate) fn take(newsroom: &Newsroom) -> Result<Option<RunLock>, PublishError> {
    let path = newsroom.output.join(LOCK_FILE);
    let lock = match RunLock::try_acquire(&path) {
        Ok(Some(lock)) => lock,
        Ok(None) => return Ok(None),
        Err(source) => return Err(PublishError::Write { path, source }),
    };
    let pending = newsroom.review.queue.join(super::queue::PENDING);
    for folder in [&newsroom.output, &pending] {
        if !folder.is_dir() {
            continue;
        }
        clean_leftovers(folder).map_err(|source| PublishError::Write {
            path: folder.join(STAGING),
            source,
        })?;
    }
    Ok(Some(lock))
}

/// The lock file of `newsroom`'s output folder, as messages name it.
pub(crate) fn path(newsroom: &Newsroom) -> PathBuf {
    newsroom.output.join(LOCK_FILE)
}

/// How much longer than its `after_publish` limit a run may hold the lock before a run that
/// finds it held warns: a fetch, the drafts and the writing take minutes, never an hour.
const STUCK_MARGIN: std::time::Duration = std::time::Duration::from_secs(3600);

/// A warning when the lock another run holds has been held longer than any run takes (its
/// `after_publish` limit and [`STUCK_MARGIN`]), naming the lock file, the holder's process
/// and how long; `None` for the ordinary overlap of a scheduled job, which stays quiet.
pub(crate) fn held_too_long(newsroom: &Newsroom) -> Option<String> {
    let path = path(newsroom);
    let holder = crate::fsio::lock_holder(&path)?;
    let threshold = stuck_after(newsroom);
    // A time ahead of the clock (a clock put back) is no evidence of a stuck run.
    let held = std::time::SystemTime::now()
        .duration_since(holder.since)
        .ok()?;
    if held <= threshold {
        return None;
    }
    let pid = pid_words(&holder);
    Some(format!(
        "the run lock {} has been held by {pid} for {}, longer than any run takes \
         (after_publish_timeout_secs and an hour, {}): that run may be stuck; if the process \
         is hung, stop it, and the next run takes the lock",
        path.display(),
        span(held.as_secs()),
        span(threshold.as_secs())
    ))
}

/// Who holds `newsroom`'s run lock and since when, for the message of a command that found
/// it taken: ` (process 1234, for 12 min)`, and that the run may be stuck when it has held
/// the lock longer than any run takes (as [`held_too_long`] judges); empty when the lock file
/// cannot be read.
pub(crate) fn holder_note(newsroom: &Newsroom) -> String {
    let Some(holder) = crate::fsio::lock_holder(&path(newsroom)) else {
        return String::new();
    };
    let pid = pid_words(&holder);
    // A time ahead of the clock (a clock put back) says nothing of how long.
    let Ok(held) = std::time::SystemTime::now().duration_since(holder.since) else {
        return format!(" ({pid})");
    };
    let stuck = if held > stuck_after(newsroom) {
        ": that run may be stuck; if the process is hung, stop it, and the next run takes the lock"
    } else {
        ""
    };
    format!(" ({pid}, for {}){stuck}", span(held.as_secs()))
}

/// How long a run may hold the lock before it may be stuck: its `after_publish` limit and
/// [`STUCK_MARGIN`].
fn stuck_after(newsroom: &Newsroom) -> std::time::Duration {
    newsroom.after_publish.timeout + STUCK_MARGIN
}

/// The lock's holder as messages name it: `process 1234`.
fn pid_words(holder: &crate::fsio::LockHolder) -> String {
    holder
        .pid
        .map_or("a process that left no id".to_string(), |p| {
            format!("process {p}")
        })
}

/// A length of time as an operator reads it: `3 days 4 h`, `2 h 5 min`, `12 min`.
fn span(secs: u64) -> String {
    let (days, hours, minutes) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (days, hours) {
        (0, 0) => format!("{minutes} min"),
        (0, _) => format!("{hours} h {minutes} min"),
        _ => format!("{days} days {hours} h"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn spans_read_as_an_operator_would() {
        assert_eq!(super::span(12 * 60 + 5), "12 min");
        assert_eq!(super::span(2 * 3600 + 5 * 60), "2 h 5 min");
        assert_eq!(super::span(3 * 86_400 + 4 * 3600), "3 days 4 h");
    }
}
