//! Faults in how a server answers: throttling, server errors, connections reset mid-body,
//! bodies slower than the timeout or labelled gzip when they are not, hang-ups, truncated
//! gzip, redirect loops, a refused login, a legacy v1 server repeating its page, a connection
//! refused; and a recovery reported as a warning on the command line.

use std::time::Duration;

use casewire::fetch::FetchError;
use casewire::fetch::archive::Archive;
use casewire::fetch::run::{FetchOptions, Source, fetch_into};

use super::{
    CONTACT, always, clean_page, first_time, no_tweak, options, recovers, recovers_with, refuses,
    rig, series, serve, silent, view,
};
use crate::fetch::server::{Request, Response, TestServer, fixture};

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
