//! The errors a fetch can end with. Each names what was at fault (a URL, and where it matters
//! the area and date), because the person reading it is an editor at a scheduled job's log,
//! not the person who wrote the request.

use crate::fetch::client::HttpError;
use crate::fetch::file::{PopulationError, ReadError};
use crate::model::BuildError;

/// Why the archive could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// SQLite failed.
    #[error("archive {path}: {source}")]
    Sqlite {
        /// The archive file.
        path: String,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// Nothing stored matches.
    #[error("archive {path}: {why}")]
    NotFound {
        /// The archive file.
        path: String,
        /// What was looked for.
        why: String,
    },
    /// A fetch would change a stored release.
    #[error("archive {path}: {why}")]
    Immutable {
        /// The archive file.
        path: String,
        /// The release and the row.
        why: String,
    },
    /// A stored release no longer matches its checksum.
    #[error("archive {path}: {why}")]
    Checksum {
        /// The archive file.
        path: String,
        /// The release, and the checksums.
        why: String,
    },
    /// Stored rows do not make a dataset (only if the file was edited by hand).
    #[error("archive {path}: {source}")]
    Build {
        /// The archive file.
        path: String,
        /// The builder's complaint.
        #[source]
        source: Box<BuildError>,
    },
    /// A stored population table cannot be read.
    #[error(transparent)]
    Population(#[from] PopulationError),
}

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The options do not describe a fetch we can make.
    #[error("{0}")]
    Options(String),
    /// A request failed (after any retries it deserved).
    #[error(transparent)]
    Http(#[from] HttpError),
    /// A response said it was JSON but was not.
    #[error("{url}: malformed JSON at line {line}, column {column}: {why}")]
    Malformed {
        /// The URL that answered.
        url: String,
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
        /// What the parser said.
        why: String,
    },
    /// A response was JSON of the wrong shape, or the API reported an error in it.
    #[error("{url}: {why}")]
    Api {
        /// The URL that answered.
        url: String,
        /// What was wrong.
        why: String,
    },
    /// One row of a response cannot be used.
    #[error("{url}: {area} on {date}: {why}")]
    Row {
        /// The URL that answered.
        url: String,
        /// The area (name or code).
        area: String,
        /// The date of the row.
        date: String,
        /// What is wrong.
        why: String,
    },
    /// A legacy response could not be read (its label is the URL).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The rows of the responses contradict each other.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// The archive could not store the rows.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// The whole fetch took longer than its deadline; nothing is stored.
    #[error("{url}: the fetch did not finish within its deadline of {secs} s; nothing is stored")]
    Deadline {
        /// The base URL fetched from.
        url: String,
        /// The deadline, in seconds.
        secs: u64,
    },
    /// The snapshot file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}

impl FetchError {
    pub(crate) fn malformed(url: &str, e: &serde_json::Error) -> Self {
        Self::Malformed {
            url: url.to_string(),
            line: e.line(),
            column: e.column(),
            why: e.to_string(),
        }
    }
}
