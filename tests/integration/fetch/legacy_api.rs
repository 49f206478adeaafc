//! The legacy APIs: v2 serving the shared releases as v2 served them (JSON and CSV, redirects
//! to its download cache, healthcare metrics, requests split by metric, errors in a 200), and
//! v1's pages.

use std::time::Duration;

use casewire::fetch::run::{Source, fetch};
use casewire::fetch::{FetchError, legacy};
use casewire::model::CASES_METRIC;
use serde_json::Value;

use super::server::{Request, Response, TestServer, fixture};
use super::{areas, date, file_dataset, options, shared, silent, v2_handler};

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
