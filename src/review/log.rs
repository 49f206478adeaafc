//! The queue's log: one JSON line per decision (an edit kept, a version chosen, an
//! approval, a rejection), only
//! ever appended, so who decided what, when and why survives every later decision.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::ReviewError;
use crate::publish::PublishError;

/// What an editor did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Changed the copy (and the checks passed).
    Edited,
    /// Put another version of the copy (another seed or template) in the queue's place.
    ChoseVersion,
    /// Put the edition live.
    Approved,
    /// Turned it down.
    Rejected,
}

/// One line of the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub action: Action,
    /// The edition's id.
    pub id: String,
    /// Its story.
    pub story: String,
    /// Its release.
    pub release: NaiveDate,
    /// Who.
    pub by: String,
    /// Why (a rejection's reason), or what went with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Appends one decision, flushed to disk before it returns.
pub fn append(path: &Path, decision: &Decision) -> std::io::Result<()> {
    let mut line = serde_json::to_string(decision).expect("serialisable");
    line.push('\n');
    crate::fsio::append_line(path, &line)
}

/// Every decision in the log, oldest first; none when there is no log yet.
pub fn read(path: &Path) -> Result<Vec<Decision>, ReviewError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(PublishError::Io {
                path: path.to_path_buf(),
                source,
            }
            .into());
        }
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| {
                PublishError::State {
                    path: path.to_path_buf(),
                    message: format!("line {}: {e}", i + 1),
                }
                .into()
            })
        })
        .collect()
}
