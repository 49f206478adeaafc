//! casewire writes local news copy from public-health dashboard data.
//!
//! The pipeline is `fetch → stats → story → render → publish`: [`fetch`] reads dashboard data
//! from files (and, later, the APIs) into one [`model::Dataset`]; [`stats`] computes the week's
//! figures with pure functions; [`story`] decides what the copy says; [`render`] fills Tera
//! templates with house-style filters from [`lang`].

// Read errors carry both locations of a conflict so the message can name them; they are rare
// and leave the run, so their size costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

pub mod config;
pub mod fetch;
pub mod gates;
pub mod lang;
pub mod lint;
pub mod model;
pub mod render;
pub mod stats;
pub mod story;
