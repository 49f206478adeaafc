//! What a newsroom configures, checked once before any work starts: the patch (which areas a
//! story covers and how its copy is signed) and the newsroom file (what is published, from
//! where, to where). Each file is read as written, overridden while still raw, then checked
//! into a typed value; every error names the file and, where it can, the line.

pub mod alerts;
pub mod newsroom;
pub mod patch;

pub use newsroom::{
    Cadence, Corrections, FeedSettings, Flavour, Newsroom, NewsroomError, NewsroomOverrides,
    Schedule, SourceConfig, StoryConfig,
};
pub use patch::{
    ConfigError, Lists, MAX_INCOMPLETE_DAYS, Noise, Patch, PatchOverrides, publisher_on,
    resolve_areas,
};
