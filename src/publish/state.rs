//! What has been published: the state file beside the editions, written only after every
//! file of a run is in place, so it never claims an edition that is not there.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::PublishError;

/// The state file's name in the output folder.
pub(crate) const STATE_FILE: &str = ".casewire-state.json";

/// A figure as an edition printed it, kept to detect revisions.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PrintedFigure {
    /// Area code.
    pub code: String,
    /// Area name.
    pub name: String,
    /// Rate this week, in tenths.
    pub rate: i64,
    /// Cases this week.
    pub cases: i64,
    /// Rate the week before, in tenths.
    pub prev_rate: i64,
    /// Cases the week before.
    pub prev_cases: i64,
}

/// One published edition.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Edition {
    /// The release it was drafted from.
    pub release: NaiveDate,
    /// The files written, relative to the output folder.
    pub files: Vec<String>,
    /// The figures it printed for the patch's areas.
    pub figures: Vec<PrintedFigure>,
    /// Releases whose revisions have been corrected already.
    #[serde(default)]
    pub corrected_with: Vec<NaiveDate>,
}

/// What has been published, per story.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct State {
    /// Editions by story name, oldest first.
    pub stories: BTreeMap<String, Vec<Edition>>,
}

impl State {
    /// Reads the state file; none yet is a state with nothing published.
    pub fn load(path: &Path) -> Result<State, PublishError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| PublishError::State {
                path: path.to_path_buf(),
                message: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(source) => Err(PublishError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// The newest release published for a story.
    pub(crate) fn last_release(&self, story: &str) -> Option<NaiveDate> {
        self.stories.get(story)?.iter().map(|e| e.release).max()
    }

    /// The state as written to its file.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("serialisable")
    }
}
