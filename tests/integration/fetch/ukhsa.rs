//! A UKHSA API serving series built from the shared archive: the geographies listed and every
//! next page followed, other metrics and filters asked for by name, and requests run
//! concurrently within their bound.

use std::time::Duration;

use casewire::fetch::FetchError;
use casewire::fetch::run::{Source, fetch};

use super::server::{TestServer, fixture, series_from_csv, ukhsa_handler};
use super::{CONTACT, THREE_LTLAS, areas, date, file_dataset, options, shared, silent};

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
