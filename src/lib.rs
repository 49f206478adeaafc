//! casewire writes local news copy from public-health dashboard data.
//!
//! The pipeline is `fetch → stats → story → render → publish`: [`fetch`] reads dashboard data
//! from files (and, later, the APIs) into one [`model::Dataset`]; [`stats`] computes the week's
//! figures with pure functions; [`story`] decides what the copy says; [`render`] fills Tera
//! templates with house-style filters from [`lang`].

pub mod config;
pub mod draft;
pub mod fetch;
pub mod gates;
pub mod lang;
pub mod lint;
pub mod model;
pub mod publish;
pub mod render;
pub mod stats;
pub mod story;
