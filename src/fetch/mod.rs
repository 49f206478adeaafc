//! Getting dashboard data in: local files, the UKHSA data dashboard API (live), the legacy
//! dashboard's v1 and v2 APIs (archives), and the local archive of everything fetched. Every
//! source builds on the same [`crate::model::DatasetBuilder`], so one normalised dataset comes
//! out whatever went in.
//!
//! The command line's entry points are [`run::fetch_command`] (with [`run::FetchOptions`],
//! built from [`run::FetchSettings`]) for `casewire fetch`, and [`run::load_offline_from`]
//! for `draft --offline`; [`run::fetch_blocking`], [`run::load_offline`] and
//! [`snapshot::write_legacy_csv_file`] are the pieces they are made of. A story's release
//! plans its own fetch with [`FetchOptions::plan_for_release`]; `casewire population` is
//! [`population::download`].
//!
//! The modules are layered, each using only those before it: `error`, `file`, `client`,
//! `progress`, `tasks` (running one API's requests); then `ukhsa`, `legacy` (each owning its
//! whole fetch), `archive`, `snapshot`; then `options` (what a fetch asks for); then
//! `population`; and `run` on top, which only orchestrates.

pub mod archive;
pub mod client;
pub mod error;
pub mod file;
pub mod legacy;
pub mod options;
pub mod population;
pub mod progress;
pub mod run;
pub mod snapshot;
mod tasks;
pub mod ukhsa;

pub use archive::{Archive, ArchiveError, ReleaseSelector};
pub use client::ClientConfig;
pub use error::FetchError;
pub use file::{ReadError, read_data_bytes, read_data_file, read_population_file};
pub use progress::FetchSummary;
pub use run::{
    FetchOptions, FetchReport, FetchSettings, Source, fetch, fetch_blocking, fetch_command,
    fetch_into, load_offline, load_offline_from, release_for, years_needed,
};
