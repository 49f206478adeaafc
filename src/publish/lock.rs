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
