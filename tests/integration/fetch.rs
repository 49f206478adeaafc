//! Fetching against a real HTTP server on 127.0.0.1 that speaks each API's format: the
//! fixtures in `tests/fixtures/fetch/` and the archived releases in `../shared/data`, served
//! as the APIs would serve them. No test reaches the internet or reads the clock: retry waits
//! are checked as decided, not as timed.
//!
//! This module holds the test server (`server`, which other modules use too) and the helpers
//! the tests share; the tests are in its submodules, by API and by what they exercise.

#[path = "server.rs"]
pub mod server;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use casewire::fetch::client::ClientConfig;
use casewire::fetch::progress::{Progress, Silent};
use casewire::fetch::read_data_file;
use casewire::fetch::run::{FetchOptions, Source};
use casewire::model::{Area, Dataset, DatasetBuilder};
use chrono::{DateTime, NaiveDate, Utc};
use server::{Request, Response, TestServer, fixture};

mod archive;
mod commands;
mod legacy_api;
mod retries;
mod ukhsa;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");
const CONTACT: &str = "newsdesk@example.org";

fn shared(path: &str) -> PathBuf {
    Path::new(DATA).join(path)
}

fn file_dataset(path: &Path) -> Dataset {
    let mut builder = DatasetBuilder::new();
    read_data_file(&mut builder, path).unwrap();
    builder.finish().unwrap()
}

/// The areas with their provenance indices cleared: what a story reads.
fn areas(dataset: &Dataset) -> Vec<Area> {
    dataset
        .areas
        .iter()
        .cloned()
        .map(|mut a| {
            a.sources.clear();
            a
        })
        .collect()
}

fn silent() -> Arc<dyn Progress> {
    Arc::new(Silent)
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().into()
}

/// Options for a test server: short waits, a fixed fetch time.
fn options(source: Source, area_type: &str, server: &TestServer) -> FetchOptions {
    let mut opts = FetchOptions::new(source, area_type);
    opts.base_url = Some(server.base.clone());
    opts.client = ClientConfig {
        contact: CONTACT.into(),
        timeout: Duration::from_secs(10),
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(40),
        ..ClientConfig::default()
    };
    opts.fetched_at = Some(at("2026-11-23T10:00:00Z"));
    opts
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const THREE_LTLAS: [&str; 3] = ["E06000023", "E06000001", "E08000011"];

// ---------------------------------------------------------------------------------------------
// Legacy API v2: the shared releases served as v2 served them.

fn v2_handler(
    area_type: &'static str,
    file: &'static str,
) -> impl Fn(&Request) -> Response + Send + Sync + 'static {
    move |req: &Request| {
        if req.path != "/v2/data" || req.param("areaType").as_deref() != Some(area_type) {
            return Response::with(404, "application/json", fixture("v2-not-found-404.json"));
        }
        let Some(release) = req.param("release") else {
            return Response::with(400, "application/json", r#"{"detail":"no release"}"#);
        };
        let format = req.param("format").unwrap_or_else(|| "json".into());
        let ext = if format == "csv" { "csv" } else { "json" };
        let path = shared(&format!("releases/{release}/{file}.{ext}"));
        match std::fs::read(&path) {
            Ok(body) if ext == "csv" => Response::with(200, "text/csv; charset=utf-8", body),
            Ok(body) => Response::with(200, "application/vnd.PHE-COVID19.v2+json", body),
            Err(_) => Response::with(
                404,
                "application/json",
                fixture("v2-unknown-release-404.json"),
            ),
        }
        .gzipped()
    }
}
