//! Fault injection: every way a source can break, served by the real HTTP test server on
//! 127.0.0.1, one test per fault. Each asserts the outcome (recovered, with the retry counted
//! and the data equal to the clean data; or refused, with a message naming the URL and what
//! was wrong), that the archive is as it was after a failure, and on the publish path that
//! earlier editions are byte-identical and no new edition was written. RELIABILITY.md lists
//! every case with its test.
//!
//! This module holds the rigs the tests share: a UKHSA API serving one area that misbehaves
//! on demand, and a newsroom fetching the legacy API's day releases. The tests are in its
//! submodules, by what breaks.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::fetch::server::{
    self, Request, Response, TestServer, fixture, series_from_csv, ukhsa_handler,
};
use casewire::fetch::archive::{Archive, FetchRecord, ReleaseSelector};
use casewire::fetch::client::ClientConfig;
use casewire::fetch::progress::{Progress, Silent};
use casewire::fetch::run::{FetchOptions, FetchReport, Source, fetch_into, load_offline};
use casewire::model::{Area, Dataset};
use casewire::publish::{Outcome, PublishError};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::support::{every_file, shared};

mod output;
mod payload;
mod publish;
mod reliability;
mod transport;

const CONTACT: &str = "newsdesk@example.org";
const HARTLEPOOL: &str = "E06000001";

fn silent() -> Arc<dyn Progress> {
    Arc::new(Silent)
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().into()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The areas with provenance cleared: what a story reads.
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

// ---------------------------------------------------------------------------------------------
// The UKHSA API, one area (Hartlepool, 62 days over two pages' worth of a year), misbehaving.

fn hartlepool_series() -> server::Series {
    series_from_csv(
        &shared("archive/ltla_2020-12-01_2021-01-31.csv"),
        &[HARTLEPOOL],
    )
}

/// A server that answers like the UKHSA API unless `misbehave` has something else to say.
async fn serve(
    misbehave: impl Fn(&Request) -> Option<Response> + Send + Sync + 'static,
) -> TestServer {
    let good = ukhsa_handler(fixture("ukhsa-geographies.json"), hartlepool_series(), 365);
    TestServer::start(Duration::ZERO, move |req: &Request| {
        misbehave(req).unwrap_or_else(|| good(req))
    })
    .await
}

/// Only the series requests (not the geography list) misbehave.
fn series(req: &Request) -> bool {
    req.path.contains("/metrics/")
}

fn options(server: &TestServer, when: &str) -> FetchOptions {
    let mut opts = FetchOptions::new(Source::Ukhsa, "ltla");
    opts.base_url = Some(server.base.clone());
    opts.areas = vec!["Hartlepool".into()];
    opts.client = ClientConfig {
        contact: CONTACT.into(),
        timeout: Duration::from_secs(10),
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(40),
        max_attempts: 3,
        ..ClientConfig::default()
    };
    opts.fetched_at = Some(at(when));
    opts
}

/// What a later reader of the archive sees.
type ArchiveView = (u64, Vec<(FetchRecord, u64)>, (Dataset, String));

fn view(path: &Path) -> ArchiveView {
    let archive = Archive::open(path).unwrap();
    let fetches = archive.fetches().unwrap();
    // These fetches ask for one area, so they are partial: never the newest release, but
    // still there by name.
    let newest = ReleaseSelector::Exact(fetches[0].0.release.clone());
    (
        archive.observation_count().unwrap(),
        fetches,
        load_offline(&archive, Source::Ukhsa, "ltla", &newest).unwrap(),
    )
}

/// An archive on disk holding last week's clean fetch, and the clean areas.
struct Rig {
    _dir: tempfile::TempDir,
    path: PathBuf,
    clean: Vec<Area>,
}

async fn rig() -> Rig {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.sqlite");
    let good = serve(|_| None).await;
    let mut archive = Archive::open(&path).unwrap();
    let report = fetch_into(
        &options(&good, "2026-11-16T10:00:00Z"),
        &mut archive,
        silent(),
    )
    .await
    .unwrap();
    assert_eq!(report.dataset.areas[0].cases.len(), 62);
    Rig {
        _dir: dir,
        path,
        clean: areas(&report.dataset),
    }
}

/// The fault is recovered from: the data equal the clean data, a retry was counted, and the
/// archive gained exactly this fetch.
async fn recovers(
    misbehave: impl Fn(&Request) -> Option<Response> + Send + Sync + 'static,
) -> FetchReport {
    recovers_with(misbehave, |_| {}).await
}

async fn recovers_with(
    misbehave: impl Fn(&Request) -> Option<Response> + Send + Sync + 'static,
    tweak: impl FnOnce(&mut FetchOptions),
) -> FetchReport {
    let rig = rig().await;
    let server = serve(misbehave).await;
    let mut opts = options(&server, "2026-11-23T10:00:00Z");
    tweak(&mut opts);
    let mut archive = Archive::open(&rig.path).unwrap();
    let report = fetch_into(&opts, &mut archive, silent()).await.unwrap();
    drop(archive);
    assert_eq!(areas(&report.dataset), rig.clean, "recovered data differ");
    let (count, fetches, (latest, release)) = view(&rig.path);
    assert_eq!(fetches.len(), 2);
    assert_eq!(count, 2 * 62);
    assert_eq!(release, "2026-11-23T10:00:00Z");
    assert_eq!(areas(&latest), rig.clean);
    report
}

/// The fault is refused: the error names the server and says what was wrong, and the archive
/// is exactly as it was. Returns the message.
async fn refuses(
    misbehave: impl Fn(&Request) -> Option<Response> + Send + Sync + 'static,
    tweak: impl FnOnce(&mut FetchOptions),
) -> String {
    let rig = rig().await;
    let before = view(&rig.path);
    let server = serve(misbehave).await;
    let mut opts = options(&server, "2026-11-23T10:00:00Z");
    tweak(&mut opts);
    let mut archive = Archive::open(&rig.path).unwrap();
    let err = fetch_into(&opts, &mut archive, silent()).await.unwrap_err();
    drop(archive);
    let text = format!("{err}");
    assert!(
        text.contains(&server.base),
        "the error names no URL: {text}"
    );
    assert_eq!(view(&rig.path), before, "the archive changed: {text}");
    assert_eq!(areas(&before.2.0), rig.clean);
    text
}

fn no_tweak(_: &mut FetchOptions) {}

/// The first answer to each series request is `bad`, later ones are good.
fn first_time(
    bad: impl Fn() -> Response + Send + Sync + 'static,
) -> impl Fn(&Request) -> Option<Response> + Send + Sync + 'static {
    move |req: &Request| (series(req) && req.seen_before == 0).then(&bad)
}

/// Every answer to a series request is `bad`.
fn always(
    bad: impl Fn() -> Response + Send + Sync + 'static,
) -> impl Fn(&Request) -> Option<Response> + Send + Sync + 'static {
    move |req: &Request| series(req).then(&bad)
}

/// The clean page body for Hartlepool, as the handler would send it.
fn clean_page() -> Value {
    let good = ukhsa_handler(fixture("ukhsa-geographies.json"), hartlepool_series(), 365);
    let req = Request {
        path: "/themes/infectious_disease/sub_themes/respiratory/topics/COVID-19/geography_types/Lower%20Tier%20Local%20Authority/geographies/Hartlepool/metrics/COVID-19_cases_casesByDay".into(),
        query: String::new(),
        headers: Default::default(),
        base: String::new(),
        seen_before: 0,
    };
    serde_json::from_slice(&good(&req).body).unwrap()
}

/// Serves the clean page changed by `edit` for every series request.
fn edited(
    edit: impl Fn(&mut Value) + Send + Sync + 'static,
) -> impl Fn(&Request) -> Option<Response> + Send + Sync + 'static {
    let mut page = clean_page();
    edit(&mut page);
    let body = page.to_string();
    move |req: &Request| series(req).then(|| Response::json(body.clone()))
}

fn rows(page: &mut Value) -> &mut Vec<Value> {
    page["results"].as_array_mut().unwrap()
}

// ---------------------------------------------------------------------------------------------
// The publish path: a newsroom fetching the legacy API's day release into its archive, with an
// edition for 2021-01-18 already published. The 2021-01-19 release is served broken.

type Fault = dyn Fn(&Request, &[u8]) -> Option<Response> + Send + Sync;

struct Newsroom {
    /// Runs the server; dropped with the newsroom.
    _runtime: tokio::runtime::Runtime,
    server: TestServer,
    dir: tempfile::TempDir,
}

fn newsroom(
    fault: impl Fn(&Request, &[u8]) -> Option<Response> + Send + Sync + 'static,
) -> Newsroom {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fault: Arc<Fault> = Arc::new(fault);
    let server = runtime.block_on(TestServer::start(Duration::ZERO, move |req: &Request| {
        let (Some(release), "/v2/data") = (req.param("release"), req.path.as_str()) else {
            return Response::with(404, "application/json", fixture("v2-not-found-404.json"));
        };
        let Ok(body) = std::fs::read(shared(&format!("releases/{release}/utla.csv"))) else {
            return Response::with(
                404,
                "application/json",
                fixture("v2-unknown-release-404.json"),
            );
        };
        if release == "2021-01-19"
            && let Some(response) = fault(req, &body)
        {
            return response;
        }
        if req.param("format").as_deref() == Some("csv") {
            Response::with(200, "text/csv; charset=utf-8", body).gzipped()
        } else {
            Response::json(v2_json(&body)).gzipped()
        }
    }));
    let dir = tempfile::tempdir().unwrap();
    crate::support::NewsroomFixture::new(dir.path())
        .contact("tests@example.com")
        .source_legacy_archive("utla", &shared("population/mid-2019.csv"), &server.base)
        .max_age_days(3)
        .fetch_setting("max_attempts = 2")
        .fetch_setting("timeout_secs = 5")
        .patch_file(
            "patch.toml",
            crate::support::fixture("patches/london-utla.toml"),
        )
        .story("london", "patch.toml")
        .write();
    Newsroom {
        _runtime: runtime,
        server,
        dir,
    }
}

impl Newsroom {
    fn config(&self) -> PathBuf {
        self.dir.path().join("newsroom.toml")
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn publish(&self, day: u32) -> Result<Outcome, PublishError> {
        crate::support::publish(&self.config(), Some(date(2021, 1, day)))
    }

    /// Every file in the output folder and its bytes.
    fn files(&self) -> BTreeMap<String, Vec<u8>> {
        every_file(&self.out())
    }

    fn archive(&self) -> (u64, Vec<(FetchRecord, u64)>) {
        let a = Archive::open(&self.dir.path().join("archive.sqlite")).unwrap();
        (a.observation_count().unwrap(), a.fetches().unwrap())
    }

    fn release_18(&self) -> Dataset {
        let a = Archive::open(&self.dir.path().join("archive.sqlite")).unwrap();
        load_offline(
            &a,
            Source::LegacyV2,
            "utla",
            &ReleaseSelector::Exact("2021-01-18".into()),
        )
        .unwrap()
        .0
    }

    /// Publishes the 18th, then the 19th, which must fail: returns the error's full chain,
    /// having checked that the 18th's edition is byte-identical and nothing new was written.
    fn nineteenth_is_refused(&self) -> String {
        let first = self.publish(18).unwrap();
        assert_eq!(first.to_string(), "published 1 for release 2021-01-18");
        let files = self.files();
        let release_18 = self.release_18();
        let err = self.publish(19).unwrap_err();
        let text = chain(&err);
        assert_eq!(self.files(), files, "the output folder changed: {text}");
        assert!(!self.out().join("london-2021-01-19/index.md").exists());
        assert_eq!(self.release_18(), release_18, "release 18 changed: {text}");
        text
    }

    /// As [`Self::nineteenth_is_refused`], and the archive holds nothing of the 19th either.
    fn nineteenth_is_refused_unarchived(&self) -> String {
        let first = self.publish(18).unwrap();
        assert_eq!(first.to_string(), "published 1 for release 2021-01-18");
        let archive = self.archive();
        let files = self.files();
        let err = self.publish(19).unwrap_err();
        let text = chain(&err);
        assert_eq!(self.files(), files, "the output folder changed: {text}");
        assert_eq!(self.archive(), archive, "the archive changed: {text}");
        assert!(text.contains(&self.server.base), "{text}");
        text
    }
}

fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

/// A CSV release as the v2 API's JSON: `{"body": [records]}`.
fn v2_json(csv: &[u8]) -> Vec<u8> {
    let mut reader = csv::Reader::from_reader(csv);
    let headers = reader.headers().unwrap().clone();
    let body: Vec<Value> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let mut record = serde_json::Map::new();
            for (k, v) in headers.iter().zip(r.iter()) {
                let value = match v.parse::<i64>() {
                    Ok(n) => json!(n),
                    Err(_) => json!(v),
                };
                record.insert(k.to_string(), value);
            }
            Value::Object(record)
        })
        .collect();
    json!({"length": body.len(), "maxPageLimit": 2500, "body": body})
        .to_string()
        .into_bytes()
}
