//! casewire writes local news copy from public-health dashboard data.
//!
//! The pipeline is `fetch → stats → story → render → publish`: [`fetch`] reads dashboard data
//! from files, the dashboard APIs and the local archive into one [`model::Dataset`]; [`stats`]
//! computes the week's figures with pure functions; [`story`] decides what the copy says;
//! [`render`] fills Tera templates with house-style filters from [`lang`]; [`publish`] writes
//! editions safely, and [`deliver`] hands them to a CMS and alerts the desk. [`gates`] check the inputs, and [`lint`], [`facts`] and [`audit`] check the
//! copy before anything is written. [`draft`] is the job the command line runs.

pub mod audit;
pub mod config;
pub mod copy;
pub mod deliver;
pub mod draft;
pub mod facts;
pub mod fetch;
pub mod fsio;
pub mod gates;
pub mod geo;
pub mod lang;
pub mod lint;
pub mod model;
pub mod publish;
pub mod render;
pub mod review;
pub mod serve;
pub mod stats;
pub mod story;
