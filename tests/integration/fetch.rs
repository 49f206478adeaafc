//! Fetching against a real HTTP server on 127.0.0.1 that speaks each API's format: the
//! fixtures in `tests/fixtures/fetch/` and the archived releases in `../shared/data`, served
//! as the APIs would serve them. No test reaches the internet or reads the clock: retry waits
//! are checked as decided, not as timed.

#[path = "server.rs"]
pub mod server;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use casewire::fetch::archive::{Archive, ReleaseSelector};
use casewire::fetch::client::{ClientConfig, HttpError};
use casewire::fetch::progress::{Progress, Silent};
use casewire::fetch::run::{
    FetchOptions, Source, download_population, fetch, fetch_command, fetch_into, load_offline,
    load_offline_from,
};
use casewire::fetch::snapshot::write_legacy_csv_file;
use casewire::fetch::{FetchError, legacy, read_data_file, read_population_file};
use casewire::model::{Area, CASES_METRIC, Dataset, DatasetBuilder};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use server::{
    Request, Response, TestServer, fixture, geography_list, series_from_csv, ukhsa_handler,
};

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

// ---------------------------------------------------------------------------------------------
// A UKHSA API serving series built from the shared archive.

const THREE_LTLAS: [&str; 3] = ["E06000023", "E06000001", "E08000011"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ukhsa_lists_geographies_and_follows_every_next_page() {
    let archive_csv = shared("archive/ltla_2020-12-01_2021-01-31.csv");
    let series = series_from_csv(&archive_csv, &THREE_LTLAS);
    assert_eq!(series.len(), 3, "Bristol, Hartlepool and Knowsley");
    let server = TestServer::start(
        Duration::ZERO,
        ukhsa_handler(fixture("ukhsa-geographies.json"), series, 10),
    )
    .await;
    let mut opts = options(Source::Ukhsa, "Lower Tier Local Authority", &server);
    opts.years = vec![2020, 2021];
    let report = fetch(&opts, silent()).await.unwrap();

    // The same rows as the file they were served from.
    let mut expected = file_dataset(&archive_csv);
    expected
        .areas
        .retain(|a| THREE_LTLAS.contains(&a.code.as_str()));
    assert_eq!(areas(&report.dataset), areas(&expected));

    // 1 list + 3 areas x 2 years x (31 days in pages of 10 = 4 pages).
    assert_eq!(server.requests(), 1 + 3 * 2 * 4);
    assert_eq!(report.summary.requests, server.requests() as u64);
    assert_eq!(report.summary.retries, 0);
    assert_eq!(report.summary.rows, 3 * 62);
    assert_eq!(report.summary.areas, 3);
    assert!(report.summary.bytes > 0);
    assert_eq!(report.release, "2026-11-23T10:00:00Z");
    assert!(
        report.dataset.warnings.iter().any(|w| w.starts_with(
            "Bristol, City of: 5 COVID-19_cases_casesByDay values from 2021-01-27 to 2021-01-31 \
             are in the reporting delay period"
        )),
        "{:?}",
        report.dataset.warnings
    );

    for req in server.requests_seen() {
        assert_eq!(req.headers["accept"], "application/json");
        let agent = &req.headers["user-agent"];
        assert!(
            agent.starts_with("casewire/") && agent.contains(CONTACT),
            "{agent}"
        );
        assert!(req.headers["accept-encoding"].contains("gzip"));
        if req.path.contains("/metrics/") {
            assert_eq!(req.param("page_size").as_deref(), Some("365"));
            assert_eq!(req.param("stratum").as_deref(), Some("default"));
            assert_eq!(req.param("age").as_deref(), Some("all"));
            assert_eq!(req.param("sex").as_deref(), Some("all"));
            assert!(matches!(
                req.param("year").as_deref(),
                Some("2020" | "2021")
            ));
        }
    }
    // Names with spaces and commas are percent-encoded in the path.
    assert!(server.requests_seen().iter().any(|r| {
        r.path
            .ends_with("/geographies/Bristol,%20City%20of/metrics/COVID-19_cases_casesByDay")
    }));
}

#[tokio::test]
async fn ukhsa_other_metrics_and_filters_are_asked_for_by_name() {
    let archive_csv = shared("archive/ltla_2020-12-01_2021-01-31.csv");
    let series = series_from_csv(&archive_csv, &["E06000001"]);
    let server = TestServer::start(
        Duration::ZERO,
        ukhsa_handler(fixture("ukhsa-geographies.json"), series, 365),
    )
    .await;
    let mut opts = options(Source::Ukhsa, "ltla", &server);
    opts.areas = vec!["Hartlepool".into()];
    opts.metrics = vec!["COVID-19_cases_rateRollingMean".into()];
    opts.filters.date = Some(date(2021, 1, 5));
    opts.filters.sex = Some("f".into());
    opts.filters.age = None;
    // The test server ignores these filters, as the real one ignores unknown ones: the rows
    // come back with sex=all, which must be refused rather than read as the women's series.
    let err = fetch(&opts, silent()).await.unwrap_err();
    assert!(
        matches!(&err, FetchError::Row { why, .. } if why.contains("sex=f")),
        "{err}"
    );
    let seen = server.requests_seen();
    assert_eq!(
        seen.len(),
        1,
        "no geography listing when the areas are named"
    );
    assert!(
        seen[0]
            .path
            .ends_with("/metrics/COVID-19_cases_rateRollingMean")
    );
    assert_eq!(seen[0].param("date").as_deref(), Some("2021-01-05"));
    assert_eq!(seen[0].param("sex").as_deref(), Some("f"));
    assert_eq!(seen[0].param("age"), None);

    opts.filters.sex = Some("all".into());
    let report = fetch(&opts, silent()).await.unwrap();
    let area = &report.dataset.areas[0];
    assert!(area.cases.is_empty());
    assert_eq!(
        area.extra_on("COVID-19_cases_rateRollingMean", date(2021, 1, 5)),
        Some(
            file_dataset(&archive_csv)
                .area("ltla", "E06000001")
                .unwrap()
                .cases_on(date(2021, 1, 5))
                .unwrap() as f64
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_stays_within_the_bound() {
    let archive_csv = shared("archive/ltla_2020-12-01_2021-01-31.csv");
    let codes: Vec<String> = file_dataset(&archive_csv)
        .areas
        .iter()
        .take(24)
        .map(|a| a.code.clone())
        .collect();
    let code_refs: Vec<&str> = codes.iter().map(String::as_str).collect();
    let series = series_from_csv(&archive_csv, &code_refs);
    let names: Vec<String> = series.keys().cloned().collect();
    let server = TestServer::start(
        Duration::from_millis(20),
        ukhsa_handler(fixture("ukhsa-geographies.json"), series, 365),
    )
    .await;
    let mut opts = options(Source::Ukhsa, "ltla", &server);
    opts.areas = names;
    opts.client.concurrency = 3;
    let report = fetch(&opts, silent()).await.unwrap();
    assert_eq!(report.dataset.areas.len(), 24);
    assert_eq!(server.requests(), 24);
    let max = server.max_in_flight();
    assert!(
        max <= 3,
        "{max} requests were in flight at once, bound is 3"
    );
    assert!(
        max >= 2,
        "requests ran one at a time ({max}), the bound was not used"
    );
}

// ---------------------------------------------------------------------------------------------
// Retries and failures.

/// A UKHSA single-page series for Hartlepool behind a handler that misbehaves first.
async fn flaky(
    misbehave: impl Fn(&Request) -> Option<Response> + Send + Sync + 'static,
) -> TestServer {
    let archive_csv = shared("archive/ltla_2020-12-01_2021-01-31.csv");
    let good = ukhsa_handler(
        fixture("ukhsa-geographies.json"),
        series_from_csv(&archive_csv, &["E06000001"]),
        365,
    );
    TestServer::start(Duration::ZERO, move |req: &Request| {
        misbehave(req).unwrap_or_else(|| good(req))
    })
    .await
}

fn hartlepool(server: &TestServer) -> FetchOptions {
    let mut opts = options(Source::Ukhsa, "ltla", server);
    opts.areas = vec!["Hartlepool".into()];
    opts
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_retried() {
    let server = flaky(|req| {
        (req.seen_before == 0).then(|| {
            Response::with(
                429,
                "application/json",
                r#"{"message":"Rate limit is exceeded"}"#,
            )
            .header("Retry-After", "1")
        })
    })
    .await;
    let report = fetch(&hartlepool(&server), silent()).await.unwrap();
    assert_eq!(report.dataset.areas[0].cases.len(), 62);
    assert_eq!(server.requests(), 2);
    assert_eq!(report.summary.retries, 1);
    // The wait decided was the server's second, not the 10 ms backoff.
    assert!(report.summary.retry_wait >= Duration::from_secs(1));
}

#[tokio::test]
async fn a_500_is_retried() {
    let server = flaky(|req| {
        (req.seen_before == 0).then(|| {
            Response::with(
                500,
                "application/json",
                r#"{"statusCode":500,"message":"Internal server error","activityId":"0"}"#,
            )
        })
    })
    .await;
    let report = fetch(&hartlepool(&server), silent()).await.unwrap();
    assert_eq!(report.dataset.areas[0].cases.len(), 62);
    assert_eq!((server.requests(), report.summary.retries), (2, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_slower_than_the_timeout_is_retried() {
    let archive_csv = shared("archive/ltla_2020-12-01_2021-01-31.csv");
    let good = ukhsa_handler(
        fixture("ukhsa-geographies.json"),
        series_from_csv(&archive_csv, &["E06000001"]),
        365,
    );
    let server = TestServer::start(Duration::ZERO, move |req: &Request| {
        let response = good(req);
        if req.seen_before == 0 {
            response.delayed(Duration::from_secs(5))
        } else {
            response
        }
    })
    .await;
    let mut opts = hartlepool(&server);
    opts.client.timeout = Duration::from_millis(300);
    let report = fetch(&opts, silent()).await.unwrap();
    assert_eq!(report.dataset.areas[0].cases.len(), 62);
    assert_eq!((server.requests(), report.summary.retries), (2, 1));
}

#[tokio::test]
async fn a_body_that_fails_to_decompress_is_retried() {
    // The legacy API once served bodies labelled gzip that were not, for an afternoon.
    let server = flaky(|req| {
        (req.seen_before == 0).then(|| {
            Response::json(r#"{"count":0,"next":null,"results":[]}"#)
                .header("Content-Encoding", "gzip")
        })
    })
    .await;
    let report = fetch(&hartlepool(&server), silent()).await.unwrap();
    assert_eq!(report.dataset.areas[0].cases.len(), 62);
    assert_eq!((server.requests(), report.summary.retries), (2, 1));
}

#[tokio::test]
async fn attempts_are_capped() {
    let server = flaky(|_| Some(Response::with(503, "text/plain", "busy"))).await;
    let mut opts = hartlepool(&server);
    opts.client.max_attempts = 3;
    let err = fetch(&opts, silent()).await.unwrap_err();
    assert!(
        matches!(
            &err,
            FetchError::Http(HttpError::GaveUp { attempts: 3, .. })
        ),
        "{err}"
    );
    assert!(err.to_string().contains(&server.base), "{err}");
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn a_retry_after_longer_than_allowed_is_a_throttle_error() {
    let server = flaky(|_| {
        Some(Response::with(429, "application/json", "{}").header("Retry-After", "3600"))
    })
    .await;
    let err = fetch(&hartlepool(&server), silent()).await.unwrap_err();
    assert!(
        matches!(&err, FetchError::Http(HttpError::Throttled { .. })),
        "{err}"
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn not_found_names_the_url() {
    let server = flaky(|_| None).await;
    let mut opts = options(Source::Ukhsa, "ltla", &server);
    opts.topic.topic = "COVID-20".into();
    opts.areas = vec!["Hartlepool".into()];
    let err = fetch(&opts, silent()).await.unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(&err, FetchError::Http(HttpError::NotFound { .. })),
        "{text}"
    );
    assert!(
        text.contains(&format!("{}/themes/infectious_disease", server.base))
            && text.contains("COVID-20")
            && text.contains("404"),
        "{text}"
    );
    assert_eq!(server.requests(), 1, "a 404 is not retried");
}

#[tokio::test]
async fn malformed_json_names_the_url() {
    let server = flaky(|req| {
        req.path
            .contains("/metrics/")
            .then(|| Response::json(r#"{"count":62,"next":null,"results":[{"date":"2021-01-0"#))
    })
    .await;
    let err = fetch(&hartlepool(&server), silent()).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(&err, FetchError::Malformed { .. }), "{text}");
    assert!(
        text.contains(&server.base) && text.contains("Hartlepool"),
        "{text}"
    );
    assert!(text.contains("malformed JSON"), "{text}");
}

#[tokio::test]
async fn a_firewall_block_is_an_error_not_data_and_not_hammered() {
    let server = flaky(|_| {
        Some(Response::with(
            403,
            "text/html",
            fixture("firewall-403.html"),
        ))
    })
    .await;
    let err = fetch(&hartlepool(&server), silent()).await.unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(
            &err,
            FetchError::Http(HttpError::Blocked { status: 403, .. })
        ),
        "{text}"
    );
    assert!(
        text.contains("firewall") && text.contains(&server.base),
        "{text}"
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn an_html_page_where_json_was_asked_for_is_not_data() {
    let server = flaky(|_| {
        Some(Response::with(
            200,
            "text/html; charset=utf-8",
            fixture("browsable-api.html"),
        ))
    })
    .await;
    let err = fetch(&hartlepool(&server), silent()).await.unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(&err, FetchError::Http(HttpError::NotData { .. })),
        "{text}"
    );
    assert!(
        text.contains("expected JSON") && text.contains("Time Series Detail"),
        "{text}"
    );
}

#[tokio::test]
async fn a_request_budget_stops_a_fetch_before_it_starts() {
    let archive_csv = shared("archive/ltla_2020-12-01_2021-01-31.csv");
    let server = TestServer::start(
        Duration::ZERO,
        ukhsa_handler(
            fixture("ukhsa-geographies.json"),
            series_from_csv(&archive_csv, &THREE_LTLAS),
            365,
        ),
    )
    .await;
    let mut opts = options(Source::Ukhsa, "ltla", &server);
    opts.years = vec![2020, 2021];
    opts.client.request_budget = Some(4);
    let err = fetch(&opts, silent()).await.unwrap_err();
    assert!(err.to_string().contains("budget of 4"), "{err}");
    // Only the geography list was asked for: 6 series requests would go over.
    assert_eq!(server.requests(), 1);
}

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

#[tokio::test]
async fn v2_json_and_csv_of_a_release_read_like_the_files() {
    let server = TestServer::start(Duration::ZERO, v2_handler("utla", "utla")).await;
    let expected = file_dataset(&shared("releases/2021-01-18/utla.csv"));
    for format in [legacy::Format::Json, legacy::Format::Csv] {
        let mut opts = options(Source::LegacyV2, "utla", &server);
        opts.release = Some(date(2021, 1, 18));
        opts.format = format;
        let report = fetch(&opts, silent()).await.unwrap();
        assert_eq!(areas(&report.dataset), areas(&expected), "{format:?}");
        assert_eq!(report.release, "2021-01-18");
        assert_eq!(report.dataset.sources[0].release, Some(date(2021, 1, 18)));
    }
    let seen = server.requests_seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].param("metric").as_deref(), Some(CASES_METRIC));
    assert_eq!(seen[0].param("release").as_deref(), Some("2021-01-18"));
    assert_eq!(seen[1].param("format").as_deref(), Some("csv"));
}

#[tokio::test]
async fn v2_redirects_to_its_download_cache_are_followed() {
    let server = TestServer::start(Duration::ZERO, |req: &Request| {
        if req.path == "/v2/data" {
            Response::status(303).header(
                "Location",
                "/downloads/apiv2cache/2021-01-18/utla/complete/0f3c.csv",
            )
        } else {
            assert_eq!(
                req.path,
                "/downloads/apiv2cache/2021-01-18/utla/complete/0f3c.csv"
            );
            let body = std::fs::read(shared("releases/2021-01-18/utla.csv")).unwrap();
            Response::with(200, "text/csv; charset=utf-8", body).gzipped()
        }
    })
    .await;
    let mut opts = options(Source::LegacyV2, "utla", &server);
    opts.release = Some(date(2021, 1, 18));
    opts.format = legacy::Format::Csv;
    let report = fetch(&opts, silent()).await.unwrap();
    let expected = file_dataset(&shared("releases/2021-01-18/utla.csv"));
    assert_eq!(areas(&report.dataset), areas(&expected));
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn v2_healthcare_metrics_for_nhs_regions() {
    let server = TestServer::start(Duration::ZERO, |req: &Request| {
        let metrics: Vec<String> = req
            .params()
            .into_iter()
            .filter(|(k, _)| k == "metric")
            .map(|(_, v)| v)
            .collect();
        assert_eq!(metrics, ["hospitalCases", "covidOccupiedMVBeds"]);
        assert_eq!(req.param("areaType").as_deref(), Some("nhsRegion"));
        Response::json(fixture("v2-nhs-region.json"))
    })
    .await;
    let mut opts = options(Source::LegacyV2, "nhsRegion", &server);
    opts.metrics = vec!["hospitalCases".into(), "covidOccupiedMVBeds".into()];
    let report = fetch(&opts, silent()).await.unwrap();
    let london = report.dataset.area("nhsRegion", "E40000003").unwrap();
    assert_eq!(
        london.extra_on("hospitalCases", date(2021, 1, 18)),
        Some(7917.0)
    );
    assert_eq!(
        london.extra_on("covidOccupiedMVBeds", date(2021, 1, 17)),
        Some(1160.0)
    );
    let east = report.dataset.area("nhsRegion", "E40000007").unwrap();
    assert_eq!(
        east.extra_on("covidOccupiedMVBeds", date(2021, 1, 17)),
        None
    );
    // No release asked for: the fetch time is the release.
    assert_eq!(report.release, "2026-11-23T10:00:00Z");
}

#[tokio::test]
async fn v2_more_than_five_metrics_are_split_across_requests() {
    let server = TestServer::start(Duration::ZERO, |_: &Request| {
        Response::json(r#"{"body":[]}"#)
    })
    .await;
    let mut opts = options(Source::LegacyV2, "ltla", &server);
    opts.metrics = (0..7).map(|i| format!("metric{i}")).collect();
    // Every body is empty, so the fetch is refused, but only after asking in two requests.
    let err = fetch(&opts, silent()).await.unwrap_err();
    assert!(err.to_string().contains("no data came back"), "{err}");
    let counts: Vec<usize> = server
        .requests_seen()
        .iter()
        .map(|r| r.params().iter().filter(|(k, _)| k == "metric").count())
        .collect();
    assert_eq!(counts, [5, 2]);
}

#[tokio::test]
async fn v2_an_error_object_in_a_200_is_an_error() {
    let server = TestServer::start(Duration::ZERO, |_: &Request| {
        Response::json(fixture("v2-error-in-200.json"))
    })
    .await;
    let mut opts = options(Source::LegacyV2, "ltla", &server);
    opts.release = Some(date(2019, 1, 1));
    let err = fetch(&opts, silent()).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(&err, FetchError::Api { .. }), "{text}");
    assert!(
        text.contains("release=2019-01-01") && text.contains("unsupported release"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// Legacy API v1.

#[tokio::test]
async fn v1_pages_until_204_and_merges_records_split_across_pages() {
    let server = TestServer::start(Duration::ZERO, |req: &Request| {
        assert_eq!(req.param("filters").as_deref(), Some("areaType=nhsRegion"));
        let structure: Value = serde_json::from_str(&req.param("structure").unwrap()).unwrap();
        assert_eq!(structure["hospitalCases"], "hospitalCases");
        match req.param("page").as_deref() {
            Some("1") => Response::with(
                200,
                "application/vnd.PHE-COVID19.v1+json",
                fixture("v1-page1.json"),
            ),
            Some("2") => Response::with(
                200,
                "application/vnd.PHE-COVID19.v1+json",
                fixture("v1-page2.json"),
            ),
            _ => Response::status(204),
        }
        .gzipped()
    })
    .await;
    let mut opts = options(Source::LegacyV1, "nhsRegion", &server);
    opts.metrics = vec!["hospitalCases".into(), "covidOccupiedMVBeds".into()];
    let report = fetch(&opts, silent()).await.unwrap();
    assert_eq!(server.requests(), 3, "pages 1 and 2, then a 204");
    let london = report.dataset.area("nhsRegion", "E40000003").unwrap();
    // 2021-01-16 came half on page 1, half on page 2.
    assert_eq!(
        london.extra_on("hospitalCases", date(2021, 1, 16)),
        Some(7761.0)
    );
    assert_eq!(
        london.extra_on("covidOccupiedMVBeds", date(2021, 1, 16)),
        Some(1141.0)
    );
    assert_eq!(report.dataset.areas.len(), 2);
}

#[tokio::test]
async fn v1_stops_at_a_null_next_and_reports_400_messages() {
    let server = TestServer::start(Duration::ZERO, |req: &Request| {
        match req.param("filters").as_deref() {
            Some("areaType=ltla;areaCode=E08000035") => {
                assert_eq!(req.param("page").as_deref(), Some("1"));
                Response::json(fixture("v1-last-page.json"))
            }
            _ => Response::with(400, "application/json", fixture("v1-error-400.json")),
        }
    })
    .await;
    let mut opts = options(Source::LegacyV1, "ltla", &server);
    opts.areas = vec!["E08000035".into()];
    let report = fetch(&opts, silent()).await.unwrap();
    assert_eq!(server.requests(), 1);
    let leeds = report.dataset.area("ltla", "E08000035").unwrap();
    assert_eq!(leeds.cases_on(date(2021, 1, 18)), Some(210));

    opts.area_type = "LTLA!".into();
    let err = fetch(&opts, silent()).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("HTTP 400") && text.contains("Missing filter"),
        "{text}"
    );
    assert!(text.contains("/v1/data?filters="), "{text}");
}

// ---------------------------------------------------------------------------------------------
// The archive.

#[tokio::test]
async fn the_archive_gives_back_the_dataset_of_the_file_it_was_fetched_from() {
    let server = TestServer::start(Duration::ZERO, v2_handler("ltla", "ltla-reconstructed")).await;
    let dir = tempfile::tempdir().unwrap();
    let mut archive = Archive::open(&dir.path().join("archive.sqlite")).unwrap();
    let mut opts = options(Source::LegacyV2, "ltla", &server);
    opts.format = legacy::Format::Csv;
    opts.release = Some(date(2021, 1, 19));
    let report = fetch_into(&opts, &mut archive, silent()).await.unwrap();
    assert_eq!(
        report.summary.stored,
        Some(archive.observation_count().unwrap())
    );

    let file = shared("releases/2021-01-19/ltla-reconstructed.csv");
    let expected = file_dataset(&file);
    assert_eq!(expected.areas.len(), 380);
    let (offline, release) = load_offline(
        &archive,
        Source::LegacyV2,
        "ltla",
        &ReleaseSelector::AsOf(date(2021, 1, 19)),
    )
    .unwrap();
    assert_eq!(release, "2021-01-19");
    assert_eq!(areas(&offline), areas(&expected));
    assert_eq!(offline.sources[0].release, Some(date(2021, 1, 19)));

    // The snapshot written for --out reads back as the same dataset.
    let out = dir.path().join("snapshot.csv");
    write_legacy_csv_file(&offline, &out).unwrap();
    assert_eq!(areas(&file_dataset(&out)), areas(&expected));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("areaCode,areaName,areaType,date,newCasesBySpecimenDate")
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("E06000001,Hartlepool,ltla,2021-01-18,")
    );
}

#[tokio::test]
async fn a_revised_release_is_kept_beside_the_earlier_one() {
    let server = TestServer::start(Duration::ZERO, v2_handler("utla", "utla")).await;
    let mut archive = Archive::in_memory().unwrap();
    for day in [18, 19] {
        let mut opts = options(Source::LegacyV2, "utla", &server);
        opts.release = Some(date(2021, 1, day));
        opts.format = legacy::Format::Csv;
        fetch_into(&opts, &mut archive, silent()).await.unwrap();
    }
    assert_eq!(
        archive.releases("legacy-v2", Some("utla")).unwrap(),
        ["2021-01-18", "2021-01-19"]
    );
    // A release already archived is a publication that does not change: not fetched again.
    let mut opts = options(Source::LegacyV2, "utla", &server);
    opts.release = Some(date(2021, 1, 18));
    let again = fetch_into(&opts, &mut archive, silent()).await.unwrap();
    assert_eq!((server.requests(), again.summary.requests), (2, 0));
    assert!(
        again
            .dataset
            .warnings
            .iter()
            .any(|w| w.contains("already in the archive"))
    );
    opts.refetch = true;
    opts.format = legacy::Format::Csv;
    fetch_into(&opts, &mut archive, silent()).await.unwrap();
    assert_eq!(server.requests(), 3);
    let load = |selector: ReleaseSelector| {
        load_offline(&archive, Source::LegacyV2, "utla", &selector)
            .unwrap()
            .0
    };
    let the_18th = areas(&file_dataset(&shared("releases/2021-01-18/utla.csv")));
    let the_19th = areas(&file_dataset(&shared("releases/2021-01-19/utla.csv")));
    assert_ne!(the_18th, the_19th, "the 19th revises the 18th's figures");
    assert_eq!(
        areas(&load(ReleaseSelector::AsOf(date(2021, 1, 18)))),
        the_18th
    );
    assert_eq!(
        areas(&load(ReleaseSelector::Exact("2021-01-18".into()))),
        the_18th
    );
    assert_eq!(
        areas(&load(ReleaseSelector::AsOf(date(2021, 1, 25)))),
        the_19th
    );
    assert_eq!(areas(&load(ReleaseSelector::Latest)), the_19th);
    // The same release loaded twice is the same dataset.
    assert_eq!(
        load(ReleaseSelector::AsOf(date(2021, 1, 18))),
        load(ReleaseSelector::AsOf(date(2021, 1, 18)))
    );
    let err = load_offline(
        &archive,
        Source::LegacyV2,
        "utla",
        &ReleaseSelector::AsOf(date(2021, 1, 1)),
    )
    .unwrap_err();
    assert!(err.to_string().contains("2021-01-18, 2021-01-19"), "{err}");
}

#[tokio::test]
async fn ukhsa_fetches_are_versioned_by_fetch_time() {
    // Two fetches a week apart; the second revises Hartlepool's figures.
    let archive_csv = shared("archive/ltla_2020-12-01_2021-01-31.csv");
    let first = series_from_csv(&archive_csv, &["E06000001"]);
    let mut revised = first.clone();
    for row in revised.get_mut("Hartlepool").unwrap() {
        row.2 += 1;
    }
    let mut archive = Archive::in_memory().unwrap();
    for (series, when) in [
        (first, "2026-11-16T09:00:00Z"),
        (revised, "2026-11-23T09:00:00Z"),
    ] {
        // Every area of the type (here the one the server lists): a fetch of some areas is
        // partial, and never stands as a release.
        let server = TestServer::start(
            Duration::ZERO,
            ukhsa_handler(geography_list(&series), series, 365),
        )
        .await;
        let mut opts = options(Source::Ukhsa, "ltla", &server);
        opts.fetched_at = Some(at(when));
        fetch_into(&opts, &mut archive, silent()).await.unwrap();
    }
    let cases_on = |selector: ReleaseSelector| {
        let (dataset, release) = load_offline(
            &archive,
            Source::Ukhsa,
            "Lower Tier Local Authority",
            &selector,
        )
        .unwrap();
        (release, dataset.areas[0].cases_on(date(2021, 1, 31)))
    };
    let original = file_dataset(&archive_csv)
        .area("ltla", "E06000001")
        .unwrap()
        .cases_on(date(2021, 1, 31))
        .unwrap();
    assert_eq!(
        cases_on(ReleaseSelector::AsOf(date(2026, 11, 20))),
        ("2026-11-16T09:00:00Z".to_string(), Some(original))
    );
    assert_eq!(
        cases_on(ReleaseSelector::AsOf(date(2026, 11, 23))),
        ("2026-11-23T09:00:00Z".to_string(), Some(original + 1))
    );
    let fetches = archive.fetches().unwrap();
    assert_eq!(fetches.len(), 2);
    assert_eq!(fetches[0].0.metrics, ["COVID-19_cases_casesByDay"]);
}

#[tokio::test]
async fn a_fetch_that_fails_part_way_leaves_the_archive_as_it_was() {
    let archive_csv = shared("archive/ltla_2020-12-01_2021-01-31.csv");
    let series = series_from_csv(&archive_csv, &THREE_LTLAS);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.sqlite");
    let mut archive = Archive::open(&path).unwrap();
    let good = TestServer::start(
        Duration::ZERO,
        ukhsa_handler(fixture("ukhsa-geographies.json"), series.clone(), 365),
    )
    .await;
    let mut opts = options(Source::Ukhsa, "ltla", &good);
    fetch_into(&opts, &mut archive, silent()).await.unwrap();
    let before = (
        archive.observation_count().unwrap(),
        archive.fetches().unwrap(),
        load_offline(&archive, Source::Ukhsa, "ltla", &ReleaseSelector::Latest).unwrap(),
    );

    // A week later Knowsley's series breaks after Bristol and Hartlepool came back fine.
    let inner = ukhsa_handler(fixture("ukhsa-geographies.json"), series, 365);
    let bad = TestServer::start(Duration::ZERO, move |req: &Request| {
        if req.path.contains("/Knowsley/") {
            Response::with(
                500,
                "application/json",
                r#"{"message":"Internal server error"}"#,
            )
        } else {
            inner(req)
        }
    })
    .await;
    opts.base_url = Some(bad.base.clone());
    opts.fetched_at = Some(at("2026-11-30T10:00:00Z"));
    opts.client.max_attempts = 2;
    let err = fetch_into(&opts, &mut archive, silent()).await.unwrap_err();
    assert!(err.to_string().contains("Knowsley"), "{err}");
    drop(archive);

    let archive = Archive::open(&path).unwrap();
    let after = (
        archive.observation_count().unwrap(),
        archive.fetches().unwrap(),
        load_offline(&archive, Source::Ukhsa, "ltla", &ReleaseSelector::Latest).unwrap(),
    );
    assert_eq!(after, before);
}

#[tokio::test]
async fn population_tables_download_and_keep_their_name() {
    let server = TestServer::start(Duration::ZERO, |req: &Request| {
        let name = req.path.trim_start_matches('/');
        match std::fs::read(shared(&format!("population/{name}"))) {
            Ok(body) => Response::with(200, "text/csv", body).gzipped(),
            Err(_) => Response::status(404),
        }
    })
    .await;
    let config = ClientConfig {
        contact: CONTACT.into(),
        ..ClientConfig::default()
    };
    let url = format!("{}/ONS-population_2021-08-05.csv", server.base);
    let (population, _, bytes) = download_population(&config, &url).await.unwrap();
    let (expected, _) =
        read_population_file(&shared("population/ONS-population_2021-08-05.csv")).unwrap();
    assert_eq!(population.by_code, expected.by_code);

    let mut archive = Archive::in_memory().unwrap();
    archive
        .store_population("mid-2020", &url, &bytes, "2026-11-23T10:00:00Z")
        .unwrap();
    let (stored, _) = archive.load_population("mid-2020").unwrap();
    assert_eq!(stored.by_code, expected.by_code);
    // Another table under a name in use would change old stories' rates: refused.
    let other = std::fs::read(shared("population/mid-2019.csv")).unwrap();
    assert!(
        archive
            .store_population("mid-2020", "mid-2019.csv", &other, "2026-11-23T10:00:00Z")
            .is_err()
    );

    let err = download_population(&config, &format!("{}/nope.csv", server.base))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nope.csv"), "{err}");
}

#[test]
fn the_fetch_command_archives_and_writes_a_snapshot_draft_data_reads() {
    // The command is synchronous and starts its own runtime; the server runs on another.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start(
        Duration::ZERO,
        v2_handler("ltla", "ltla-reconstructed"),
    ));
    let dir = tempfile::tempdir().unwrap();
    let archive_path = dir.path().join("archive.sqlite");
    let out = dir.path().join("ltla-2021-01-20.csv");
    let mut opts = options(Source::LegacyV2, "ltla", &server);
    opts.release = Some(date(2021, 1, 20));
    opts.format = legacy::Format::Csv;
    let report = fetch_command(&opts, &archive_path, Some(&out)).unwrap();
    assert_eq!(report.summary.requests, 1);
    assert_eq!(report.summary.areas, 380);

    let expected = areas(&file_dataset(&shared(
        "releases/2021-01-20/ltla-reconstructed.csv",
    )));
    assert_eq!(areas(&file_dataset(&out)), expected);
    let (offline, release) = load_offline_from(
        &archive_path,
        Source::LegacyV2,
        "ltla",
        &ReleaseSelector::Exact("2021-01-20".into()),
    )
    .unwrap();
    assert_eq!(
        (areas(&offline), release.as_str()),
        (expected, "2021-01-20")
    );

    let missing = load_offline_from(
        &dir.path().join("nowhere.sqlite"),
        Source::LegacyV2,
        "ltla",
        &ReleaseSelector::Latest,
    )
    .unwrap_err();
    assert!(
        missing.to_string().contains("run casewire fetch first"),
        "{missing}"
    );
    drop(runtime);
}

/// The end-to-end check: fetch a release from the test server into the archive with the real
/// binary, then `draft --offline` prints exactly the story `draft --data` prints from the
/// same rows in a file; and `draft --source` without `--offline` reuses the archived release.
#[test]
fn fetched_then_drafted_offline_is_the_story_drafted_from_the_file() {
    use crate::support::{Casewire, arg, fixture};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start(
        Duration::ZERO,
        v2_handler("utla", "utla"),
    ));
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive.sqlite");
    let population = shared("population/mid-2019.csv");
    let patch = fixture("patches/london-utla.toml");
    Casewire::new()
        .args([
            "fetch",
            "--source",
            "legacy-v2",
            "--area-type",
            "utla",
            "--release",
            "2021-01-18",
            "--base-url",
            &server.base,
            "--archive",
            arg(&archive),
            "--contact",
            "tests@example.com",
        ])
        .success();
    assert_eq!(server.requests(), 1);
    let common = [
        "--patch",
        arg(&patch),
        "--population",
        arg(&population),
        "--release",
        "2021-01-18",
    ];
    let mut offline_args = vec![
        "draft",
        "--source",
        "legacy-v2",
        "--offline",
        "--area-type",
        "utla",
        "--archive",
        arg(&archive),
    ];
    offline_args.extend(common);
    let offline = Casewire::new().args(offline_args).success();
    let utla = shared("releases/2021-01-18/utla.csv");
    let mut direct_args = vec!["draft", "--data", arg(&utla)];
    direct_args.extend(common);
    let direct = Casewire::new().args(direct_args).success();
    assert!(direct.stdout.contains("Greenwich"), "{}", direct.stdout);
    assert_eq!(offline.stdout, direct.stdout);
    // Online again: the archive holds the release, so nothing is fetched twice.
    let mut online_args = vec![
        "draft",
        "--source",
        "legacy-v2",
        "--area-type",
        "utla",
        "--archive",
        arg(&archive),
        "--base-url",
        &server.base,
    ];
    online_args.extend(common);
    let online = Casewire::new().args(online_args).success();
    assert_eq!(online.stdout, direct.stdout);
    assert_eq!(server.requests(), 1, "the archived release was reused");
    // Every area's story from the archive, as from the file.
    let from_archive = dir.path().join("each-archive");
    let from_file = dir.path().join("each-file");
    let pop = arg(&population);
    Casewire::new()
        .args([
            "draft",
            "--each-area",
            "--source",
            "legacy-v2",
            "--offline",
            "--area-type",
            "utla",
            "--archive",
            arg(&archive),
            "--population",
            pop,
            "--release",
            "2021-01-18",
            "--out-dir",
            arg(&from_archive),
        ])
        .success();
    Casewire::new()
        .args([
            "draft",
            "--each-area",
            "--data",
            arg(&utla),
            "--population",
            pop,
            "--release",
            "2021-01-18",
            "--out-dir",
            arg(&from_file),
        ])
        .success();
    // The stories; their facts, and the week's shared facts, name different sources (the
    // archive, the file).
    let names = |d: &std::path::Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".md"))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&from_archive), names(&from_file));
    assert_eq!(
        names(&from_file).len(),
        123,
        "English upper-tier areas with a population"
    );
    for n in names(&from_file) {
        assert_eq!(
            std::fs::read_to_string(from_archive.join(&n)).unwrap(),
            std::fs::read_to_string(from_file.join(&n)).unwrap(),
            "{n}"
        );
    }
    drop(runtime);
}

/// A scheduled publish that fetches each day's release from the (test) API into the archive
/// and publishes a new edition only when the release is new.
#[test]
fn publish_fetches_the_days_release_and_publishes_it_once() {
    use casewire::publish::Outcome;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start(
        Duration::ZERO,
        v2_handler("utla", "utla"),
    ));
    let dir = tempfile::tempdir().unwrap();
    let config = crate::support::NewsroomFixture::new(dir.path())
        .contact("tests@example.com")
        .source_legacy_archive("utla", &shared("population/mid-2019.csv"), &server.base)
        .max_age_days(3)
        .patch_file(
            "patch.toml",
            crate::support::fixture("patches/london-utla.toml"),
        )
        .story("london", "patch.toml")
        .write();
    let on = |day: &str| {
        crate::support::publish(&config, Some(date(2021, 1, day.parse().unwrap()))).unwrap()
    };
    let first = on("18");
    assert!(
        matches!(first, Outcome::Published { editions: 1, .. }),
        "{first}"
    );
    assert_eq!(first.to_string(), "published 1 for release 2021-01-18");
    assert_eq!(on("18").to_string(), "nothing new since 2021-01-18");
    assert_eq!(
        server.requests(),
        1,
        "the archived release is not fetched again"
    );
    let next = on("19");
    assert!(
        next.to_string()
            .starts_with("published 1 for release 2021-01-19"),
        "{next}"
    );
    assert!(dir.path().join("out/london-2021-01-19/index.md").exists());
    // Offline, the archive alone answers.
    let offline = crate::support::publish_offline(&config, Some(date(2021, 1, 19))).unwrap();
    assert_eq!(offline.to_string(), "nothing new since 2021-01-19");
    assert_eq!(server.requests(), 2);
    drop(runtime);
}

#[test]
fn the_population_command_downloads_checks_and_keeps_a_table() {
    use crate::support::{Casewire, arg};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start(Duration::ZERO, |req: &Request| {
        let name = req.path.trim_start_matches('/');
        match std::fs::read(shared(&format!("population/{name}"))) {
            Ok(body) => Response::with(200, "text/csv", body).gzipped(),
            Err(_) => Response::status(404),
        }
    }));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("population.csv");
    let archive = dir.path().join("archive.sqlite");
    let url = format!("{}/ONS-population_2021-08-05.csv", server.base);
    let run = Casewire::new()
        .args([
            "population",
            "--url",
            &url,
            "--out",
            arg(&out),
            "--name",
            "mid-2020",
            "--archive",
            arg(&archive),
            "--contact",
            "tests@example.com",
        ])
        .success();
    assert!(run.stdout.contains("453 areas"), "{}", run.stdout);
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(shared("population/ONS-population_2021-08-05.csv")).unwrap()
    );
    let missing = Casewire::new()
        .args([
            "population",
            "--url",
            &format!("{}/nope.csv", server.base),
            "--out",
            arg(&dir.path().join("nope.csv")),
            "--contact",
            "tests@example.com",
        ])
        .code(1);
    assert!(missing.stderr.contains("nope.csv"), "{}", missing.stderr);
    assert!(!dir.path().join("nope.csv").exists());
    drop(runtime);
}

/// `fetch --out -` writes the snapshot to standard output (the summary then goes to standard
/// error), byte for byte the file `--out FILE` writes; no file named `-` appears.
#[test]
fn fetch_out_dash_writes_the_snapshot_to_standard_output() {
    use crate::support::{Casewire, arg};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start(
        Duration::ZERO,
        v2_handler("utla", "utla"),
    ));
    let dir = tempfile::tempdir().unwrap();
    let fetch = |archive: &str, out: &str| {
        Casewire::new()
            .current_dir(dir.path())
            .args(["fetch", "--source", "legacy-v2", "--area-type", "utla"])
            .args(["--release", "2021-01-18", "--base-url", &server.base])
            .args([
                "--archive",
                archive,
                "--contact",
                "tests@example.com",
                "--out",
                out,
            ])
            .success()
    };
    let to_file = dir.path().join("snapshot.csv");
    let first = fetch("a.sqlite", arg(&to_file));
    let second = fetch("b.sqlite", "-");
    let file = std::fs::read_to_string(&to_file).unwrap();
    assert!(file.starts_with("areaCode,areaName,areaType,date,newCasesBySpecimenDate\n"));
    assert_eq!(second.stdout(), file);
    // The summary (its timing aside), on standard error.
    let summary = |s: &str| {
        s.trim_end()
            .lines()
            .last()
            .unwrap()
            .split(" in ")
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(summary(second.stderr()), summary(first.stdout()));
    assert!(summary(first.stdout()).starts_with("1 requests (0 retries), 8736 rows for 182 areas"));
    assert!(!dir.path().join("-").exists());
}
