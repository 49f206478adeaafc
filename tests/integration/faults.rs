//! Fault injection: every way a source can break, served by the real HTTP test server on
//! 127.0.0.1, one test per fault. Each asserts the outcome (recovered, with the retry counted
//! and the data equal to the clean data; or refused, with a message naming the URL and what
//! was wrong), that the archive is as it was after a failure, and on the publish path that
//! earlier editions are byte-identical and no new edition was written. RELIABILITY.md lists
//! every case with its test.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::fetch::server::{
    self, Request, Response, TestServer, fixture, series_from_csv, ukhsa_handler,
};
use casewire::fetch::FetchError;
use casewire::fetch::archive::{Archive, FetchRecord, ReleaseSelector};
use casewire::fetch::client::ClientConfig;
use casewire::fetch::progress::{Progress, Silent};
use casewire::fetch::run::{FetchOptions, FetchReport, Source, fetch, fetch_into, load_offline};
use casewire::model::{Area, Dataset};
use casewire::publish::{Outcome, PublishError};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::support::{every_file, shared};

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

// Throttling.

#[tokio::test]
async fn fault_429_with_retry_after_waits_then_recovers() {
    let report = recovers(first_time(|| {
        Response::with(
            429,
            "application/json",
            r#"{"message":"Rate limit is exceeded"}"#,
        )
        .header("Retry-After", "1")
    }))
    .await;
    assert_eq!(report.summary.retries, 1);
    assert!(report.summary.retry_wait >= Duration::from_secs(1));
}

#[tokio::test]
async fn fault_429_without_retry_after_backs_off_then_recovers() {
    let report = recovers(first_time(|| {
        Response::with(
            429,
            "application/json",
            r#"{"message":"Rate limit is exceeded"}"#,
        )
    }))
    .await;
    assert_eq!(report.summary.retries, 1);
    assert!(report.summary.retry_wait < Duration::from_secs(1));
}

#[tokio::test]
async fn fault_429_that_never_ends_is_refused() {
    let text = refuses(
        always(|| Response::with(429, "application/json", "{}")),
        no_tweak,
    )
    .await;
    assert!(
        text.contains("gave up after 3 attempts") && text.contains("HTTP 429"),
        "{text}"
    );
}

#[tokio::test]
async fn fault_429_asking_for_an_hour_is_refused_at_once() {
    let text = refuses(
        always(|| Response::with(429, "application/json", "{}").header("Retry-After", "3600")),
        no_tweak,
    )
    .await;
    assert!(
        text.contains("throttled") && text.contains("3600s"),
        "{text}"
    );
}

// Server errors.

async fn server_error_recovers(status: u16) {
    let report = recovers(first_time(move || {
        Response::with(status, "text/plain", "upstream trouble")
    }))
    .await;
    assert_eq!((report.summary.requests, report.summary.retries), (2, 1));
}

#[tokio::test]
async fn fault_500_is_retried_and_recovers() {
    server_error_recovers(500).await;
}

#[tokio::test]
async fn fault_502_is_retried_and_recovers() {
    server_error_recovers(502).await;
}

#[tokio::test]
async fn fault_503_is_retried_and_recovers() {
    server_error_recovers(503).await;
}

#[tokio::test]
async fn fault_504_is_retried_and_recovers() {
    server_error_recovers(504).await;
}

#[tokio::test]
async fn fault_5xx_that_persists_is_refused() {
    for status in [500, 502, 503, 504] {
        let text = refuses(
            always(move || Response::with(status, "text/html", "<h1>Bad Gateway</h1>")),
            no_tweak,
        )
        .await;
        assert!(
            text.contains("gave up after 3 attempts") && text.contains(&format!("HTTP {status}")),
            "{text}"
        );
    }
}

// Transport.

#[tokio::test]
async fn fault_connection_reset_mid_body_is_retried_and_recovers() {
    let clean = clean_page().to_string();
    let report = recovers(first_time(move || {
        Response::json(clean.clone()).cut_mid_body()
    }))
    .await;
    assert_eq!(report.summary.retries, 1);
}

#[tokio::test]
async fn fault_connection_reset_mid_body_every_time_is_refused() {
    let clean = clean_page().to_string();
    let text = refuses(
        always(move || Response::json(clean.clone()).cut_mid_body()),
        no_tweak,
    )
    .await;
    assert!(text.contains("could not read the body"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_body_slower_than_the_timeout_is_retried_and_recovers() {
    let clean = clean_page().to_string();
    let report = recovers_with(
        first_time(move || Response::json(clean.clone()).slow_body(Duration::from_secs(5))),
        |opts| opts.client.timeout = Duration::from_millis(300),
    )
    .await;
    assert_eq!(report.summary.retries, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_body_slower_than_the_timeout_every_time_is_refused() {
    let clean = clean_page().to_string();
    let text = refuses(
        always(move || Response::json(clean.clone()).slow_body(Duration::from_secs(5))),
        |opts| opts.client.timeout = Duration::from_millis(300),
    )
    .await;
    assert!(
        text.contains("timed out") || text.contains("could not read the body"),
        "{text}"
    );
}

#[tokio::test]
async fn fault_gzip_header_on_a_plain_body_once_is_retried_and_recovers() {
    let clean = clean_page().to_string();
    let report = recovers(first_time(move || {
        Response::json(clean.clone()).header("Content-Encoding", "gzip")
    }))
    .await;
    assert_eq!(report.summary.retries, 1);
}

#[tokio::test]
async fn fault_gzip_header_on_a_plain_body_every_time_is_refused() {
    let clean = clean_page().to_string();
    let text = refuses(
        always(move || Response::json(clean.clone()).header("Content-Encoding", "gzip")),
        no_tweak,
    )
    .await;
    assert!(text.contains("could not read the body"), "{text}");
}

// Bodies that are not what they claim.

#[tokio::test]
async fn fault_truncated_json_is_refused() {
    let clean = clean_page().to_string();
    let text = refuses(
        always(move || Response::json(clean[..clean.len() / 2].to_string())),
        no_tweak,
    )
    .await;
    assert!(
        text.contains("malformed JSON") && text.contains("Hartlepool"),
        "{text}"
    );
}

#[tokio::test]
async fn fault_invalid_utf8_is_refused() {
    let clean = clean_page().to_string();
    let text = refuses(
        always(move || {
            let mut body = clean.clone().into_bytes();
            // Inside the first geography name: "Hartlepool" with a byte no UTF-8 holds.
            let at = body.windows(10).position(|w| w == b"Hartlepool").unwrap();
            body[at + 1] = 0xFF;
            Response::json(body)
        }),
        no_tweak,
    )
    .await;
    assert!(
        text.contains("malformed JSON") && text.contains("invalid unicode"),
        "{text}"
    );
}

#[tokio::test]
async fn fault_json_with_a_byte_order_mark_is_read() {
    let clean = clean_page().to_string();
    let report = recovers(always(move || {
        let mut body = b"\xEF\xBB\xBF".to_vec();
        body.extend_from_slice(clean.as_bytes());
        Response::json(body)
    }))
    .await;
    assert_eq!(report.summary.retries, 0);
}

#[tokio::test]
async fn fault_body_larger_than_the_limit_is_refused() {
    let text = refuses(
        always(|| {
            let mut body = b"{\"count\":0,\"next\":null,\"results\":[".to_vec();
            body.extend(std::iter::repeat_n(b' ', 2_000_000));
            body.extend_from_slice(b"]}");
            Response::json(body)
        }),
        |opts| opts.client.max_body_bytes = 1_000_000,
    )
    .await;
    assert!(text.contains("larger than 1000000 bytes"), "{text}");
}

#[tokio::test]
async fn fault_gzip_bomb_is_refused_without_inflating_it_all() {
    // 64 MB of spaces gzip to about 64 KB; the limit stops the read at 1 MB.
    let bomb = {
        let mut body = b"{\"count\":0,\"next\":null,\"results\":[".to_vec();
        body.extend(std::iter::repeat_n(b' ', 64 << 20));
        body.extend_from_slice(b"]}");
        Response::json(body).gzipped()
    };
    assert!(bomb.body.len() < 1 << 20);
    let text = refuses(always(move || bomb.clone()), |opts| {
        opts.client.max_body_bytes = 1 << 20
    })
    .await;
    assert!(text.contains("larger than 1048576 bytes"), "{text}");
}

#[tokio::test]
async fn fault_empty_result_is_refused_and_not_archived() {
    let text = refuses(
        always(|| Response::json(r#"{"count":0,"next":null,"previous":null,"results":[]}"#)),
        no_tweak,
    )
    .await;
    assert!(text.contains("no data came back"), "{text}");
}

// Schema drift.

#[tokio::test]
async fn fault_schema_missing_value_field_is_refused() {
    let text = refuses(
        edited(|page| {
            for row in rows(page) {
                row.as_object_mut().unwrap().remove("metric_value");
            }
        }),
        no_tweak,
    )
    .await;
    assert!(text.contains("missing field `metric_value`"), "{text}");
}

#[tokio::test]
async fn fault_schema_missing_results_is_refused() {
    let text = refuses(
        edited(|page| {
            page.as_object_mut().unwrap().remove("results");
        }),
        no_tweak,
    )
    .await;
    assert!(text.contains("missing field `results`"), "{text}");
}

#[tokio::test]
async fn fault_schema_missing_geography_is_refused() {
    let text = refuses(
        edited(|page| {
            for row in rows(page) {
                let row = row.as_object_mut().unwrap();
                row.remove("geography");
                row.remove("geography_code");
            }
        }),
        no_tweak,
    )
    .await;
    assert!(
        text.contains("neither geography nor geography_code"),
        "{text}"
    );
}

#[tokio::test]
async fn fault_schema_null_value_is_no_data_never_zero() {
    let rig = rig().await;
    let server = serve(edited(|page| {
        for row in rows(page) {
            if row["date"] == "2021-01-10" {
                row["metric_value"] = Value::Null;
            }
        }
    }))
    .await;
    let report = fetch(&options(&server, "2026-11-23T10:00:00Z"), silent())
        .await
        .unwrap();
    let area = &report.dataset.areas[0];
    assert_eq!(area.cases_on(date(2021, 1, 10)), None);
    let clean = &rig.clean[0];
    for day in 1..=31 {
        if day != 10 {
            let d = date(2021, 1, day);
            assert_eq!(area.cases_on(d), clean.cases_on(d), "{d}");
        }
    }
}

#[tokio::test]
async fn fault_schema_numbers_as_strings_are_refused() {
    let text = refuses(
        edited(|page| {
            for row in rows(page) {
                let v = row["metric_value"].as_f64().unwrap();
                row["metric_value"] = json!(v.to_string());
            }
        }),
        no_tweak,
    )
    .await;
    assert!(
        text.contains("malformed JSON") && text.contains("invalid type: string"),
        "{text}"
    );
}

#[tokio::test]
async fn fault_schema_unknown_extra_fields_are_ignored() {
    let rig = rig().await;
    let server = serve(edited(|page| {
        page["api_version"] = json!("9.9");
        for row in rows(page) {
            row["confidence_interval"] = json!({"lower": 1, "upper": 2});
            row["metric_value_v2"] = json!("not ours");
        }
    }))
    .await;
    let report = fetch(&options(&server, "2026-11-23T10:00:00Z"), silent())
        .await
        .unwrap();
    assert_eq!(areas(&report.dataset), rig.clean);
}

#[tokio::test]
async fn fault_schema_renamed_metric_is_refused() {
    let text = refuses(
        edited(|page| {
            for row in rows(page) {
                row["metric"] = json!("COVID-19_cases_casesByDayRolling");
            }
        }),
        no_tweak,
    )
    .await;
    assert!(
        text.contains("the row is for metric COVID-19_cases_casesByDayRolling"),
        "{text}"
    );
}

#[tokio::test]
async fn fault_schema_renamed_value_field_is_refused() {
    let text = refuses(
        edited(|page| {
            for row in rows(page) {
                let v = row.as_object_mut().unwrap().remove("metric_value").unwrap();
                row["value"] = v;
            }
        }),
        no_tweak,
    )
    .await;
    assert!(text.contains("missing field `metric_value`"), "{text}");
}

#[tokio::test]
async fn fault_schema_date_in_another_format_is_refused() {
    let text = refuses(
        edited(|page| {
            for row in rows(page) {
                let d = row["date"].as_str().unwrap().to_string();
                row["date"] = json!(format!("{}/{}/{}", &d[8..10], &d[5..7], &d[..4]));
            }
        }),
        no_tweak,
    )
    .await;
    assert!(text.contains("not in the form YYYY-MM-DD"), "{text}");
}

// Records.

#[tokio::test]
async fn fault_identical_duplicated_records_collapse() {
    let rig = rig().await;
    let server = serve(edited(|page| {
        let again = rows(page).clone();
        rows(page).extend(again);
    }))
    .await;
    let report = fetch(&options(&server, "2026-11-23T10:00:00Z"), silent())
        .await
        .unwrap();
    assert_eq!(areas(&report.dataset), rig.clean);
}

#[tokio::test]
async fn fault_conflicting_duplicated_records_are_refused_naming_both() {
    let text = refuses(
        edited(|page| {
            let mut again = rows(page)[0].clone();
            again["metric_value"] = json!(again["metric_value"].as_f64().unwrap() + 7.0);
            rows(page).push(again);
        }),
        no_tweak,
    )
    .await;
    assert!(
        text.contains("Hartlepool") && text.contains("2020-12-01"),
        "{text}"
    );
}

// Pagination.

/// A series split into pages of 10 whose `next` links are rewritten by `next_of(page)`.
fn paged(
    next_of: impl Fn(usize) -> Option<usize> + Send + Sync + 'static,
) -> impl Fn(&Request) -> Option<Response> + Send + Sync + 'static {
    let page = clean_page();
    let all = page["results"].as_array().unwrap().clone();
    move |req: &Request| {
        if !series(req) {
            return None;
        }
        let n: usize = req.param("page").map_or(1, |p| p.parse().unwrap());
        let start = ((n - 1) * 10) % all.len();
        let rows: Vec<Value> = all.iter().skip(start).take(10).cloned().collect();
        let next = next_of(n).map(|m| format!("{}{}?page={m}", req.base, req.path));
        Some(Response::json(
            json!({"count": all.len(), "next": next, "previous": null, "results": rows})
                .to_string(),
        ))
    }
}

#[tokio::test]
async fn fault_pagination_next_that_loops_is_refused() {
    // 1 → 2 → 3 → 1 → ...
    let text = refuses(paged(|n| Some(n % 3 + 1)), no_tweak).await;
    assert!(text.contains("page=1") && text.contains("loop"), "{text}");
}

#[tokio::test]
async fn fault_pagination_next_to_itself_is_refused() {
    let text = refuses(paged(Some), no_tweak).await;
    assert!(text.contains("points back"), "{text}");
}

#[tokio::test]
async fn fault_pagination_that_never_ends_is_refused() {
    let rig = rig().await;
    let before = view(&rig.path);
    let server = serve(paged(|n| Some(n + 1))).await;
    let opts = options(&server, "2026-11-23T10:00:00Z");
    let mut archive = Archive::open(&rig.path).unwrap();
    let err = fetch_into(&opts, &mut archive, silent()).await.unwrap_err();
    drop(archive);
    let text = err.to_string();
    assert!(
        text.contains(&server.base) && text.contains("never end"),
        "{text}"
    );
    // Stopped as soon as the pages held more rows than the API's own count: 62 rows.
    assert!(server.requests() <= 8, "{} requests", server.requests());
    assert_eq!(view(&rig.path), before);
}

#[tokio::test]
async fn fault_pagination_that_never_ends_without_a_count_stops_at_the_budget() {
    let text = refuses(
        |req: &Request| {
            series(req).then(|| {
                let n: usize = req.param("page").map_or(1, |p| p.parse().unwrap());
                Response::json(
                    json!({"next": format!("{}{}?page={}", req.base, req.path, n + 1), "results": []})
                        .to_string(),
                )
            })
        },
        |opts| opts.client.request_budget = Some(20),
    )
    .await;
    assert!(
        text.contains("budget of 20") || text.contains("never end"),
        "{text}"
    );
}

// More ways a server can answer badly.

#[tokio::test]
async fn fault_hang_up_without_answering_once_is_retried_and_recovers() {
    let report = recovers(first_time(Response::hang_up)).await;
    assert_eq!(report.summary.retries, 1);
}

#[tokio::test]
async fn fault_hang_up_without_answering_every_time_is_refused() {
    let text = refuses(always(Response::hang_up), no_tweak).await;
    assert!(text.contains("gave up after 3 attempts"), "{text}");
}

#[tokio::test]
async fn fault_truncated_gzip_is_retried_then_refused() {
    let clean = clean_page().to_string();
    let text = refuses(
        always(move || {
            let mut response = Response::json(clean.clone()).gzipped();
            let half = response.body.len() / 2;
            response.body.truncate(half);
            response
        }),
        no_tweak,
    )
    .await;
    assert!(
        text.contains("gave up after 3 attempts") && text.contains("could not read the body"),
        "{text}"
    );
}

#[tokio::test]
async fn fault_redirect_loop_is_refused() {
    let text = refuses(
        |req: &Request| {
            series(req).then(|| {
                let n: usize = req.param("hop").map_or(0, |h| h.parse().unwrap());
                Response::status(302).header(
                    "Location",
                    &format!("{}{}?hop={}", req.base, req.path, (n + 1) % 2),
                )
            })
        },
        no_tweak,
    )
    .await;
    assert!(text.contains("redirect"), "{text}");
}

#[tokio::test]
async fn fault_401_is_refused_not_retried() {
    let text = refuses(
        always(|| {
            Response::with(
                401,
                "application/json",
                r#"{"detail":"Authentication required"}"#,
            )
        }),
        no_tweak,
    )
    .await;
    assert!(
        text.contains("HTTP 401") && text.contains("Authentication required"),
        "{text}"
    );
    assert!(!text.contains("gave up"), "{text}");
}

#[tokio::test]
async fn fault_429_with_retry_after_as_an_http_date_recovers() {
    // A date already past: retry at once (the header is honoured, not the backoff).
    let report = recovers(first_time(|| {
        Response::with(429, "application/json", "{}")
            .header("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")
    }))
    .await;
    assert_eq!(report.summary.retries, 1);
    assert_eq!(report.summary.retry_wait, Duration::ZERO);
}

#[tokio::test]
async fn fault_429_with_a_garbled_retry_after_backs_off_and_recovers() {
    let report = recovers(first_time(|| {
        Response::with(429, "application/json", "{}").header("Retry-After", "soon, maybe")
    }))
    .await;
    assert_eq!(report.summary.retries, 1);
    assert!(report.summary.retry_wait < Duration::from_secs(1));
}

#[tokio::test]
async fn fault_v1_pages_that_repeat_for_ever_are_refused() {
    // A server ignoring the page number: page 1 again and again, always with a next link.
    let server = TestServer::start(Duration::ZERO, |_: &Request| {
        Response::json(fixture("v1-page1.json")).gzipped()
    })
    .await;
    let mut opts = FetchOptions::new(Source::LegacyV1, "nhsRegion");
    opts.base_url = Some(server.base.clone());
    opts.metrics = vec!["hospitalCases".into(), "covidOccupiedMVBeds".into()];
    opts.client.contact = CONTACT.into();
    let mut archive = Archive::in_memory().unwrap();
    let err = fetch_into(&opts, &mut archive, silent())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("page 2 repeats page 1") && err.contains(&server.base),
        "{err}"
    );
    assert_eq!(server.requests(), 2);
    assert_eq!(archive.observation_count().unwrap(), 0);
}

// A whole fetch: the errors name the URL even when the configuration is wrong.

#[tokio::test]
async fn fault_connection_refused_is_retried_then_refused() {
    let rig = rig().await;
    let before = view(&rig.path);
    let server = serve(|_| None).await;
    // A port nothing listens on: bind one, note it, close it. Chosen after the test server
    // is up, and never its port, which the kernel may hand out again once freed.
    let base = loop {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        if !server.base.contains(&base) {
            break base;
        }
    };
    let mut opts = options(&server, "2026-11-23T10:00:00Z");
    opts.base_url = Some(base.clone());
    let mut archive = Archive::open(&rig.path).unwrap();
    let err = fetch_into(&opts, &mut archive, silent()).await.unwrap_err();
    drop(archive);
    let text = err.to_string();
    assert!(
        text.contains(&base) && text.contains("could not connect"),
        "{text}"
    );
    assert!(matches!(err, FetchError::Http(_)), "{text}");
    assert_eq!(view(&rig.path), before);
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

/// A CSV release with each line passed through `edit` (header included).
fn csv_edit(
    edit: impl Fn(&str) -> Vec<String> + Send + Sync + 'static,
) -> impl Fn(&Request, &[u8]) -> Option<Response> + Send + Sync + 'static {
    move |_req: &Request, body: &[u8]| {
        let text = String::from_utf8(body.to_vec()).unwrap();
        let mut out = String::new();
        for line in text.lines() {
            for l in edit(line) {
                out.push_str(&l);
                out.push('\n');
            }
        }
        Some(Response::with(200, "text/csv; charset=utf-8", out).gzipped())
    }
}

#[test]
fn publish_fault_server_error_that_persists_publishes_nothing() {
    let n = newsroom(|_, _| Some(Response::with(503, "text/plain", "busy")));
    let text = n.nineteenth_is_refused_unarchived();
    assert!(
        text.contains("gave up after 2 attempts") && text.contains("HTTP 503"),
        "{text}"
    );
}

#[test]
fn publish_fault_connection_reset_mid_body_publishes_nothing() {
    let n = newsroom(|_, body| Some(Response::with(200, "text/csv", body.to_vec()).cut_mid_body()));
    let text = n.nineteenth_is_refused_unarchived();
    assert!(text.contains("could not read the body"), "{text}");
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

#[test]
fn publish_fault_truncated_json_publishes_nothing() {
    let n = newsroom(|_, body| {
        let json = v2_json(body);
        Some(Response::json(json[..json.len() / 2].to_vec()).gzipped())
    });
    let text = n.nineteenth_is_refused_unarchived();
    assert!(text.contains("malformed JSON"), "{text}");
}

#[test]
fn publish_fault_truncated_csv_publishes_nothing() {
    // Cut mid-line: the last record has too few fields. A CSV cut exactly at a line end is
    // indistinguishable from a shorter release; the gates' missing-days check catches that.
    let n = newsroom(|_, body| {
        let cut = body.len() / 2;
        let cut = cut + body[cut..].iter().position(|&b| b == b',').unwrap() + 1;
        Some(Response::with(200, "text/csv", body[..cut].to_vec()).gzipped())
    });
    let text = n.nineteenth_is_refused_unarchived();
    assert!(text.contains("release=2021-01-19"), "{text}");
}

#[test]
fn publish_fault_invalid_utf8_csv_publishes_nothing() {
    let n = newsroom(|_, body| {
        let mut body = body.to_vec();
        let at = body.windows(9).position(|w| w == b"Greenwich").unwrap();
        body[at + 2] = 0xFF;
        Some(Response::with(200, "text/csv", body).gzipped())
    });
    let text = n.nineteenth_is_refused_unarchived();
    assert!(text.contains("UTF-8"), "{text}");
}

#[test]
fn publish_fault_empty_release_publishes_nothing() {
    let n = newsroom(|_, _| {
        Some(Response::json(r#"{"length":0,"maxPageLimit":1,"body":[]}"#).gzipped())
    });
    let text = n.nineteenth_is_refused_unarchived();
    assert!(text.contains("no data came back"), "{text}");
}

#[test]
fn publish_fault_html_page_in_a_200_publishes_nothing() {
    let n = newsroom(|_, _| {
        Some(Response::with(
            200,
            "text/html",
            fixture("browsable-api.html"),
        ))
    });
    let text = n.nineteenth_is_refused_unarchived();
    assert!(text.contains("not reading it as data"), "{text}");
}

#[test]
fn publish_fault_schema_renamed_column_publishes_nothing() {
    let n = newsroom(csv_edit(|line| {
        vec![line.replace("newCasesBySpecimenDate", "newCasesBySpecimenDateRate")]
    }));
    let text = n.nineteenth_is_refused_unarchived();
    assert!(
        text.contains("no values of newCasesBySpecimenDate") && text.contains("renamed"),
        "{text}"
    );
}

#[test]
fn publish_fault_negative_count_publishes_nothing() {
    let n = newsroom(csv_edit(|line| {
        if line.starts_with("E09000011,Greenwich,utla,2021-01-14,") {
            vec!["E09000011,Greenwich,utla,2021-01-14,-40".into()]
        } else {
            vec![line.into()]
        }
    }));
    let text = n.nineteenth_is_refused();
    assert!(
        text.contains("negative") && text.contains("Greenwich"),
        "{text}"
    );
}

#[test]
fn publish_fault_dates_in_the_future_publish_nothing() {
    let n = newsroom(csv_edit(|line| {
        if line.starts_with("E09000011,Greenwich,utla,2021-01-18,") {
            vec![line.into(), "E09000011,Greenwich,utla,2021-02-01,90".into()]
        } else {
            vec![line.into()]
        }
    }));
    let text = n.nineteenth_is_refused();
    assert!(
        text.contains("2021-02-01") && text.contains("Greenwich"),
        "{text}"
    );
}

#[test]
fn publish_fault_conflicting_duplicates_publish_nothing() {
    let n = newsroom(csv_edit(|line| {
        if line.starts_with("E09000011,Greenwich,utla,2021-01-12,") {
            vec![line.into(), "E09000011,Greenwich,utla,2021-01-12,1".into()]
        } else {
            vec![line.into()]
        }
    }));
    let text = n.nineteenth_is_refused_unarchived();
    assert!(
        text.contains("conflicting rows for E09000011")
            && text.contains("2021-01-12")
            && text.contains("318 at")
            && text.contains("but 1 at"),
        "{text}"
    );
}

/// The 19th published from a clean server, for comparing figures.
fn clean_nineteenth() -> BTreeMap<String, Vec<u8>> {
    let n = newsroom(|_, _| None);
    n.publish(18).unwrap();
    n.publish(19).unwrap();
    n.files()
}

#[test]
fn publish_fault_identical_duplicates_publish_the_clean_story() {
    let n = newsroom(csv_edit(|line| {
        if line.starts_with("E09") {
            vec![line.into(), line.into()]
        } else {
            vec![line.into()]
        }
    }));
    n.publish(18).unwrap();
    let outcome = n.publish(19).unwrap();
    assert!(
        outcome
            .to_string()
            .starts_with("published 1 for release 2021-01-19"),
        "{outcome}"
    );
    let clean = clean_nineteenth();
    for name in [
        "london-2021-01-19/index.md",
        "london-2021-01-19/london-2021-01-19.csv",
        "london-2021-01-19/london-2021-01-19.story.json",
    ] {
        assert_eq!(n.files()[name], clean[name], "{name}");
    }
}

#[test]
fn publish_fault_area_renamed_uses_the_latest_name_with_a_warning() {
    // Greenwich is "Royal Borough of Greenwich" on every day but the newest.
    let n = newsroom(csv_edit(|line| {
        if line.starts_with("E09000011,Greenwich,utla,") && !line.contains(",2021-01-18,") {
            vec![line.replace(",Greenwich,", ",Royal Borough of Greenwich,")]
        } else {
            vec![line.into()]
        }
    }));
    n.publish(18).unwrap();
    n.publish(19).unwrap();
    let files = n.files();
    let md = String::from_utf8(files["london-2021-01-19/index.md"].clone()).unwrap();
    assert!(
        md.contains("Greenwich") && !md.contains("Royal Borough"),
        "{md}"
    );
    let clean = clean_nineteenth();
    assert_eq!(
        files["london-2021-01-19/london-2021-01-19.csv"],
        clean["london-2021-01-19/london-2021-01-19.csv"]
    );
    // The warning, as the fetch reports it.
    let archive = Archive::open(&n.dir.path().join("archive.sqlite")).unwrap();
    let (dataset, _) = load_offline(
        &archive,
        Source::LegacyV2,
        "utla",
        &ReleaseSelector::Exact("2021-01-19".into()),
    )
    .unwrap();
    let greenwich = dataset.area("utla", "E09000011").unwrap();
    assert_eq!(greenwich.name, "Greenwich");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut opts = FetchOptions::new(Source::LegacyV2, "utla");
    opts.base_url = Some(n.server.base.clone());
    opts.release = Some(date(2021, 1, 19));
    opts.format = casewire::fetch::legacy::Format::Csv;
    opts.client.contact = CONTACT.into();
    let report = rt.block_on(fetch(&opts, silent())).unwrap();
    assert!(
        report
            .dataset
            .warnings
            .iter()
            .any(|w| w.contains("E09000011")
                && w.contains("Royal Borough of Greenwich")
                && w.contains("using \"Greenwich\"")),
        "{:?}",
        report.dataset.warnings
    );
}

// ---------------------------------------------------------------------------------------------
// Output faults: a newsroom publishing from a folder of release files, with the 2021-01-18
// edition already out, meets an output folder it cannot write when the 19th arrives.

struct Desk {
    dir: tempfile::TempDir,
}

impl Desk {
    /// A newsroom with the 18th's release published.
    fn with_the_18th_published() -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk { dir };
        desk.add_release("2021-01-18");
        crate::support::NewsroomFixture::new(desk.dir.path())
            .source_files("ltla-reconstructed.csv", &shared("population/mid-2019.csv"))
            .patch_file("se-london.toml", crate::support::se_london())
            .story("weekly", "se-london.toml")
            .write();
        let first = desk.publish().unwrap();
        assert_eq!(first.to_string(), "published 1 for release 2021-01-18");
        desk
    }

    fn add_release(&self, day: &str) {
        crate::support::place_release(
            self.dir.path(),
            day,
            "ltla-reconstructed.csv",
            &shared(&format!("releases/{day}/ltla-reconstructed.csv")),
            crate::support::Place::Copy,
        );
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("newsroom.toml")
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn publish(&self) -> Result<Outcome, PublishError> {
        crate::support::publish(&self.config(), None)
    }

    fn files(&self) -> BTreeMap<String, Vec<u8>> {
        every_file(&self.out())
    }
}

/// Every file under an output folder (editions are page bundles), by its path there.
/// Whether this process can write into a folder whose mode says it cannot (root can).
fn mode_bits_are_ignored() -> bool {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let ignored = std::fs::write(dir.path().join("probe"), b"x").is_ok();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    ignored
}

#[test]
fn publish_fault_read_only_output_folder_publishes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    if mode_bits_are_ignored() {
        // Running as root: a mode of 0o555 stops nothing. The next two tests cover an output
        // folder that cannot be written in ways root cannot override.
        eprintln!("skipped: this process ignores folder permissions (root); see RELIABILITY.md");
        return;
    }
    let desk = Desk::with_the_18th_published();
    let before = desk.files();
    desk.add_release("2021-01-19");
    std::fs::set_permissions(desk.out(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let err = desk.publish().unwrap_err();
    std::fs::set_permissions(desk.out(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let text = chain(&err);
    assert!(
        text.contains("cannot write") && text.contains("ermission denied"),
        "{text}"
    );
    assert_eq!(desk.files(), before);
}

#[test]
fn publish_fault_output_folder_under_a_file_publishes_nothing() {
    // An output path whose parent is a regular file cannot be created, even by root.
    let desk = Desk::with_the_18th_published();
    let text = std::fs::read_to_string(desk.config()).unwrap();
    std::fs::write(desk.dir.path().join("blocker"), b"not a folder").unwrap();
    std::fs::write(
        desk.config(),
        text.replace(r#"output = "out""#, r#"output = "blocker/out""#),
    )
    .unwrap();
    let err = desk.publish().unwrap_err();
    let text = chain(&err);
    assert!(
        text.contains("cannot write") && text.contains("blocker/out"),
        "{text}"
    );
    assert_eq!(
        std::fs::read(desk.dir.path().join("blocker")).unwrap(),
        b"not a folder"
    );
}

#[test]
fn publish_fault_write_failing_part_way_leaves_no_partial_edition() {
    // A folder where the 18th's correction note should go: the 19th's edition goes in whole,
    // then the note cannot, so the edition is taken back out.
    let desk = Desk::with_the_18th_published();
    desk.add_release("2021-01-19");
    let blocker = desk.out().join("weekly-2021-01-18-correction/index.md");
    std::fs::create_dir_all(blocker.join("inside")).unwrap();
    let before = desk.files();
    let err = desk.publish().unwrap_err();
    let text = chain(&err);
    assert!(
        text.contains("cannot write")
            && text.contains("weekly-2021-01-18-correction/index.md")
            && text.contains("not a regular file"),
        "{text}"
    );
    // No file of the 19th left behind, nothing out of sight, the state and the 18th's
    // edition untouched.
    assert_eq!(desk.files(), before);
    std::fs::remove_dir_all(&blocker).unwrap();
    let again = desk.publish().unwrap();
    assert!(
        again
            .to_string()
            .starts_with("published 1 for release 2021-01-19"),
        "{again}"
    );
}

#[test]
fn publish_fault_disk_full_publishes_nothing() {
    // A full disk, as a file-size limit makes it: writes past the limit fail (EFBIG, as
    // ENOSPC would). The limit lets the lock and the Markdown through and stops the story's
    // JSON, so the failure comes part way through the edition. Run in a child process so
    // the limit binds only it.
    let desk = Desk::with_the_18th_published();
    let before = desk.files();
    desk.add_release("2021-01-19");
    let out = crate::support::Casewire::under(
        "sh",
        &[
            "-c",
            "trap '' XFSZ; ulimit -f 10 && exec \"$0\" publish --config \"$1\"",
        ],
    )
    .arg(desk.config())
    .code(1);
    let stderr = out.stderr();
    assert!(
        stderr.contains("cannot write") && stderr.contains("too large"),
        "{stderr}"
    );
    assert_eq!(desk.files(), before);
    let leftovers: Vec<String> = std::fs::read_dir(desk.out())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp") || n.contains("2021-01-19"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

// ---------------------------------------------------------------------------------------------
// RELIABILITY.md is kept true: every test it names exists, and every fault, fuzz, TLS and
// hostile-input test is in it.

#[test]
fn reliability_md_names_real_tests_and_every_fault_test() {
    let root = crate::support::root();
    let doc = std::fs::read_to_string(root.join("RELIABILITY.md")).unwrap();
    let dir = root.join("tests/integration");
    let mut functions = std::collections::BTreeSet::new();
    let mut must_list = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(rest) = line
                .trim_start()
                .strip_prefix("fn ")
                .or_else(|| line.trim_start().strip_prefix("async fn "))
            else {
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let is_test = i > 0 && lines[i - 1].contains("test");
            if is_test
                && ["faults.rs", "fuzz.rs", "tls.rs", "hostile.rs"].contains(&file.as_str())
                && name != "reliability_md_names_real_tests_and_every_fault_test"
            {
                must_list.push(name.clone());
            }
            functions.insert(name);
        }
    }
    let mut named = Vec::new();
    for row in doc.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = row.trim_end_matches('|').split('|').collect();
        let last = cells.last().unwrap();
        for (i, part) in last.split('`').enumerate() {
            if i % 2 == 1
                && part.contains('_')
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                named.push(part.to_string());
            }
        }
    }
    assert!(named.len() > 60, "{} tests named", named.len());
    for name in &named {
        assert!(
            functions.contains(name),
            "RELIABILITY.md names {name}, which is no test"
        );
    }
    for name in &must_list {
        assert!(named.contains(name), "{name} is not in RELIABILITY.md");
    }
}

/// Runs `script` with `sh` in a mount namespace of its own, when this process may make one
/// (root with CAP_SYS_ADMIN, as in most CI containers); `None` otherwise.
fn in_mount_namespace(script: &str, args: &[&Path]) -> Option<std::process::Output> {
    let probe = std::process::Command::new("unshare")
        .args(["-m", "sh", "-c", "mount -t tmpfs -o size=4k tmpfs /mnt"])
        .output()
        .ok()?;
    if !probe.status.success() {
        return None;
    }
    let mut command = std::process::Command::new("unshare");
    command.args(["-m", "sh", "-c", script, "sh"]);
    command.args(args);
    Some(crate::support::hermetic(&mut command).output().unwrap())
}

#[test]
fn publish_fault_disk_full_enospc_publishes_nothing() {
    // A real full disk: the output folder on a 48 KB tmpfs holding the 18th's edition, with
    // room for the 19th's Markdown and not its JSON. Checked from inside the namespace.
    let desk = Desk::with_the_18th_published();
    let before = desk.files();
    desk.add_release("2021-01-19");
    let small = desk.dir.path().join("small");
    std::fs::create_dir(&small).unwrap();
    // Room for the 18th's files, page by page, and 16 KB more: less than the 19th needs.
    let pages: usize = before.values().map(|b| b.len().div_ceil(4096)).sum();
    let size = format!("{}k", pages * 4 + 16);
    let script = r#"set -e
mount -t tmpfs -o size="$5" tmpfs "$2"
cp -a "$1"/. "$2"/
mount --bind "$2" "$1"
set +e
"$3" publish --config "$4"
echo "exit=$?"
cd "$1" && find . -type f | sed 's|^\./||' | while read -r f; do echo "file $f $(cksum < "$f")"; done
find . -mindepth 1 | sed 's|^\./||'
"#;
    let bin = crate::support::bin();
    let size = PathBuf::from(size);
    let Some(out) = in_mount_namespace(script, &[&desk.out(), &small, &bin, &desk.config(), &size])
    else {
        eprintln!("skipped: cannot make a mount namespace here; see RELIABILITY.md");
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("exit=1"), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("cannot write") && stderr.contains("No space left on device"),
        "{stderr}"
    );
    // Inside the full folder: exactly the 18th's files, unchanged, nothing else.
    let mut expected: Vec<String> = Vec::new();
    for (name, bytes) in &before {
        let sum = std::process::Command::new("cksum")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write as _;
                child.stdin.take().unwrap().write_all(bytes)?;
                child.wait_with_output()
            })
            .unwrap();
        expected.push(format!(
            "file {name} {}",
            String::from_utf8_lossy(&sum.stdout).trim()
        ));
    }
    for line in &expected {
        assert!(
            stdout.contains(line.as_str()),
            "{line} missing from {stdout}"
        );
    }
    let listed: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("exit="))
        .filter(|l| !l.starts_with("exit=") && !l.starts_with("file "))
        .collect();
    // Folders are listed too: only those of the 18th's bundles.
    let listed: Vec<&str> = listed
        .into_iter()
        .filter(|l| !before.keys().any(|k| k.starts_with(&format!("{l}/"))))
        .collect();
    let mut names: Vec<&str> = before.keys().map(String::as_str).collect();
    names.sort();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort();
    assert_eq!(listed_sorted, names, "{stdout}");
    // Outside the namespace the folder was never touched.
    assert_eq!(desk.files(), before);
}

#[test]
fn publish_fault_read_only_mount_publishes_nothing() {
    // A read-only file system stops root too.
    let desk = Desk::with_the_18th_published();
    let before = desk.files();
    desk.add_release("2021-01-19");
    let script = r#"set -e
mount --bind "$1" "$1"
mount -o remount,bind,ro "$1"
set +e
"$2" publish --config "$3"
echo "exit=$?"
"#;
    let bin = crate::support::bin();
    let Some(out) = in_mount_namespace(script, &[&desk.out(), &bin, &desk.config()]) else {
        eprintln!("skipped: cannot make a mount namespace here; see RELIABILITY.md");
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("exit=1"), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("cannot write") && stderr.contains("Read-only file system"),
        "{stderr}"
    );
    assert_eq!(desk.files(), before);
}

/// A recovery is not silent: the command line warns of each retry and counts them.
#[test]
fn fault_recovered_by_the_command_line_is_reported_as_a_warning() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(serve(first_time(|| {
        Response::with(503, "text/plain", "busy")
    })));
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive.sqlite");
    let run = crate::support::Casewire::new()
        .args([
            "fetch",
            "--source",
            "ukhsa",
            "--area-type",
            "ltla",
            "--area",
            "Hartlepool",
            "--base-url",
            &server.base,
            "--archive",
            crate::support::arg(&archive),
            "--contact",
            CONTACT,
        ])
        .success();
    assert!(
        run.stderr.contains("retrying") && run.stderr.contains("HTTP 503"),
        "{}",
        run.stderr
    );
    assert!(
        format!("{}{}", run.stdout, run.stderr).contains("(1 retries)"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    drop(runtime);
}

/// `casewire lint FILE | head`: the reader goes away mid-output; the program ends quietly.
#[test]
fn fault_reader_closing_the_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.md");
    // Thousands of findings: far more than a pipe buffer holds.
    std::fs::write(&file, "{{ x }} ".repeat(20_000)).unwrap();
    let mut child = crate::support::Casewire::new()
        .args(["lint", crate::support::arg(&file)])
        .spawn();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("leftover-template"), "{first}");
    // The reader is dropped here, closing the pipe.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

/// The disk fills while a fetch is being archived: the store fails, and the archive still
/// gives back exactly the story it gave before. Needs a mount namespace, as above.
#[test]
fn fault_disk_full_while_archiving_leaves_the_archive_whole() {
    let n = newsroom(|_, _| None);
    let dir = n.dir.path();
    let archive = dir.join("archive.sqlite");
    // The 18th's release archived, and its story drafted offline, outside the namespace.
    crate::support::Casewire::new()
        .args([
            "fetch",
            "--source",
            "legacy-v2",
            "--area-type",
            "utla",
            "--release",
            "2021-01-18",
            "--base-url",
            &n.server.base,
            "--archive",
            crate::support::arg(&archive),
            "--contact",
            CONTACT,
        ])
        .success();
    let patch = dir.join("patch.toml");
    let population = shared("population/mid-2019.csv");
    let draft_args = [
        "draft",
        "--source",
        "legacy-v2",
        "--offline",
        "--area-type",
        "utla",
        "--archive",
        crate::support::arg(&archive),
        "--patch",
        crate::support::arg(&patch),
        "--population",
        crate::support::arg(&population),
        "--release",
        "2021-01-18",
    ];
    let story_before = crate::support::Casewire::new().args(draft_args).success();
    // Asked for the 19th as of that day, the archive answers with the newest release it
    // holds, the 18th.
    let mut args_19 = draft_args.to_vec();
    args_19[draft_args.len() - 1] = "2021-01-19";
    args_19.push("--as-of");
    let story_19_before = crate::support::Casewire::new().args(args_19).success();
    let holder = dir.join("archive-dir");
    std::fs::create_dir(&holder).unwrap();
    std::fs::rename(&archive, holder.join("archive.sqlite")).unwrap();
    let small = dir.join("small");
    std::fs::create_dir(&small).unwrap();
    let story_after = dir.join("story-after.md");
    let story_19_after = dir.join("story-19-after.md");
    // A tmpfs only 24 KB larger than the archive, then the 19th's 8,918 rows.
    let script = r#"set -e
size=$(( $(stat -c %s "$1/archive.sqlite") / 1024 + 24 ))
mount -t tmpfs -o size=${size}k tmpfs "$2"
cp -a "$1"/. "$2"/
mount --bind "$2" "$1"
set +e
"$3" fetch --source legacy-v2 --area-type utla --release 2021-01-19 --base-url "$4" \
  --archive "$1/archive.sqlite" --contact tests@example.com
echo "fetch-exit=$?"
"$3" draft --source legacy-v2 --offline --area-type utla --archive "$1/archive.sqlite" \
  --patch "$5" --population "$6" --release 2021-01-18 > "$7"
echo "draft-exit=$?"
"$3" draft --source legacy-v2 --offline --area-type utla --archive "$1/archive.sqlite" \
  --patch "$5" --population "$6" --release 2021-01-19 --as-of > "$8"
echo "draft-19-exit=$?"
"#;
    let bin = crate::support::bin();
    let base = PathBuf::from(&n.server.base);
    let Some(out) = in_mount_namespace(
        script,
        &[
            &holder,
            &small,
            &bin,
            &base,
            &patch,
            &population,
            &story_after,
            &story_19_after,
        ],
    ) else {
        eprintln!("skipped: cannot make a mount namespace here; see RELIABILITY.md");
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("fetch-exit=1"), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("full") && stderr.contains("archive"),
        "{stderr}"
    );
    assert!(stdout.contains("draft-exit=0"), "{stdout}\n{stderr}");
    assert_eq!(
        std::fs::read_to_string(&story_after).unwrap(),
        story_before.stdout,
        "the 18th's story changed"
    );
    // Nothing of the 19th is in the archive: asked for it, the archive still answers with
    // the 18th, exactly as before the failed fetch.
    assert!(stdout.contains("draft-19-exit=0"), "{stdout}\n{stderr}");
    assert_eq!(
        std::fs::read_to_string(&story_19_after).unwrap(),
        story_19_before.stdout
    );
}
