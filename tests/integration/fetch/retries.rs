//! Retries and failures against a UKHSA API that misbehaves: 429s waited out, 500s, slow and
//! undecodable bodies retried, attempts capped, and errors that are not data (not found,
//! malformed JSON, a firewall's page, HTML) named with their URL; a request budget.

use std::time::Duration;

use casewire::fetch::FetchError;
use casewire::fetch::client::HttpError;
use casewire::fetch::run::{FetchOptions, Source, fetch};

use super::server::{Request, Response, TestServer, fixture, series_from_csv, ukhsa_handler};
use super::{THREE_LTLAS, options, shared, silent};

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
