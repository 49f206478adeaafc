//! The one HTTP client every API module goes through, so that politeness is decided in one
//! place: how many requests are in flight, how long one may take, when and how often to retry,
//! how much a fetch may ask of a server at all, and what counts as data.
//!
//! The dashboard servers are someone else's: the UKHSA API sits behind a firewall that blocks an
//! address after about 2,000 requests in a few minutes, and the legacy API throttled with 429s.
//! So requests are bounded (a semaphore), spaced (an optional minimum interval), budgeted (a hard
//! cap per fetch), retried only for failures that a wait can cure, and a block is an error that
//! stops the fetch rather than something to hammer through.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use reqwest::{StatusCode, Url};
use tokio::sync::{Mutex, Semaphore};

/// How the client behaves towards a server. Every field has a default that is safe for the
/// real dashboard hosts; tests shorten the waits.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Who to contact about this traffic (an e-mail address or URL), put in the User-Agent so
    /// a server's operators can reach the newsroom instead of just blocking it.
    pub contact: String,
    /// Requests in flight at once, at most.
    pub concurrency: usize,
    /// How long one request (connecting, waiting, reading the body) may take before it is
    /// abandoned and retried.
    pub timeout: Duration,
    /// Attempts per request, the first included; after the last failure the fetch fails.
    pub max_attempts: u32,
    /// The first backoff; each retry doubles it, up to `backoff_max`, with jitter.
    pub backoff_base: Duration,
    /// The longest backoff between two attempts.
    pub backoff_max: Duration,
    /// The longest `Retry-After` we are willing to wait; a server asking for more is treated
    /// as a throttle error, so a scheduled job fails clearly instead of hanging for an hour.
    pub max_retry_after: Duration,
    /// The least time between the starts of two requests, across all tasks. Zero for none.
    pub min_interval: Duration,
    /// The most requests one fetch may send, retries included. The UKHSA firewall blocks
    /// after about 2,000 requests in a few minutes, so the default stays well below that.
    pub request_budget: Option<u64>,
    /// The largest body read, after decompression. A server streaming without end, or a
    /// small gzip body that inflates to gigabytes, is refused here rather than filling memory.
    /// The largest legacy release (every lower-tier area, every day) is a few tens of MB.
    pub max_body_bytes: u64,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            contact: String::new(),
            concurrency: 4,
            timeout: Duration::from_secs(30),
            max_attempts: 5,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
            min_interval: Duration::ZERO,
            request_budget: Some(1500),
            max_body_bytes: 256 * 1024 * 1024,
        }
    }
}

impl ClientConfig {
    /// The User-Agent header: the program, its version and the newsroom's contact.
    fn user_agent(&self) -> String {
        let base = format!("casewire/{}", env!("CARGO_PKG_VERSION"));
        if self.contact.trim().is_empty() {
            base
        } else {
            format!("{base} (+{})", self.contact.trim())
        }
    }
}

/// Why a request (or a whole fetch) failed. Every variant names the URL at fault.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The configuration cannot work (a bad base URL, no contact...).
    #[error("configuration: {0}")]
    Config(String),
    /// The server says the resource does not exist.
    #[error("{url}: not found (HTTP 404){detail}")]
    NotFound {
        /// The URL asked for.
        url: String,
        /// What the server said, if anything useful.
        detail: String,
    },
    /// The firewall in front of the API refused us: too many requests from this address.
    #[error(
        "{url}: blocked by the server's firewall (HTTP {status}{html}); it blocks an address \
         after about 2,000 requests in a few minutes: wait before trying again, ask for fewer \
         years or areas, or draft from the archive with --offline"
    )]
    Blocked {
        /// The URL asked for.
        url: String,
        /// The status it answered.
        status: u16,
        /// ", an HTML page" when the refusal came as one.
        html: &'static str,
    },
    /// Data were asked for and something else came back (an HTML page, typically a firewall
    /// or the browsable API), which must never be read as data.
    #[error("{url}: expected {expected} but got {what}; not reading it as data")]
    NotData {
        /// The URL asked for.
        url: String,
        /// What was asked for.
        expected: &'static str,
        /// What came back: the content type and the start of the body.
        what: String,
    },
    /// The server asked us to wait longer than we are configured to.
    #[error(
        "{url}: throttled: the server asks to retry after {wait:?}, more than the {max:?} allowed"
    )]
    Throttled {
        /// The URL asked for.
        url: String,
        /// What the server asked for.
        wait: Duration,
        /// Our limit.
        max: Duration,
    },
    /// Every attempt failed with a retryable failure.
    #[error("{url}: gave up after {attempts} attempts; last: {last}")]
    GaveUp {
        /// The URL asked for.
        url: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// A status that retrying will not change (400, 401, 410...).
    #[error("{url}: HTTP {status}: {body}")]
    Status {
        /// The URL asked for.
        url: String,
        /// The status.
        status: u16,
        /// The start of the body, which for the legacy API says what was wrong.
        body: String,
    },
    /// The server's TLS certificate was not accepted (untrusted, expired, for another
    /// name). Not retried, since waiting does not change a certificate, and there is no
    /// setting that turns the check off: a source that cannot prove who it is is not read.
    #[error(
        "{url}: the server's TLS certificate was refused ({why}); certificate checks are \
         always on, so fix the server's certificate or the base URL"
    )]
    Tls {
        /// The URL asked for.
        url: String,
        /// What the TLS stack said.
        why: String,
    },
    /// The body is larger than the client reads.
    #[error(
        "{url}: the response is larger than {limit} bytes (after decompression); not reading \
         it (max_body_bytes)"
    )]
    TooLarge {
        /// The URL asked for.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// The fetch would exceed its request budget.
    #[error(
        "{url}: request budget of {budget} exhausted; raise it only if the server can take it \
         (the UKHSA firewall blocks after about 2,000 requests in a few minutes)"
    )]
    Budget {
        /// The request that would have gone over.
        url: String,
        /// The budget.
        budget: u64,
    },
}

/// Counters for one fetch, shared by every request in it.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// Requests reserved against the budget; reserved before the permit is taken so that
    /// tasks waiting at the semaphore cannot all slip under the budget at once.
    reserved: AtomicU64,
    requests: AtomicU64,
    retries: AtomicU64,
    bytes: AtomicU64,
    retry_wait_ms: AtomicU64,
}

/// What a fetch cost, for the summary line and for tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestStats {
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Of those, retries.
    pub retries: u64,
    /// Body bytes received (after decompression).
    pub bytes: u64,
    /// Total time the retries were scheduled to wait (backoff and `Retry-After`), as decided,
    /// not as measured.
    pub retry_wait: Duration,
}

/// A successful response: its status (200 or 204), final URL and body.
#[derive(Debug)]
pub struct Fetched {
    /// The status.
    pub status: StatusCode,
    /// The URL that answered, after redirects.
    pub url: Url,
    /// The body (empty for 204).
    pub body: Vec<u8>,
    /// The `Last-Modified` header, when sent.
    pub last_modified: Option<String>,
}

/// What the caller expects in the body, so that anything else is refused before parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// JSON; an HTML page is an error.
    Json,
    /// CSV (or anything but HTML).
    Csv,
}

/// The polite client. Cheap to clone; clones share the bound, the budget and the counters.
#[derive(Clone, Debug)]
pub(crate) struct Client {
    http: reqwest::Client,
    config: Arc<ClientConfig>,
    permits: Arc<Semaphore>,
    pacer: Arc<Mutex<Pacer>>,
    counters: Arc<Counters>,
}

#[derive(Debug)]
struct Pacer {
    /// When the next request may start (the minimum interval, and any `Retry-After` pause
    /// that applies to every task, since a 429 is about us, not one URL).
    next: tokio::time::Instant,
}

enum Attempt {
    Done(Fetched),
    Retry {
        why: String,
        retry_after: Option<Duration>,
    },
    Fail(HttpError),
}

impl Client {
    /// Builds a client; fails if the TLS stack or the configuration is unusable.
    pub fn new(config: ClientConfig) -> Result<Self, HttpError> {
        if config.concurrency == 0 {
            return Err(HttpError::Config("concurrency must be at least 1".into()));
        }
        if config.max_attempts == 0 {
            return Err(HttpError::Config("max_attempts must be at least 1".into()));
        }
        // reqwest is built without a default crypto provider (see Cargo.toml); install ring
        // unless the program already chose one.
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        // Redirects are followed (the legacy API redirects to its download cache), but never
        // from https to plain HTTP on another machine, which would undo the certificate check.
        let redirects = reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() >= 10 {
                attempt.error("too many redirects")
            } else if let Err(why) = check_transport(attempt.url()) {
                attempt.error(format!("refusing a redirect to {why}"))
            } else {
                attempt.follow()
            }
        });
        let http = reqwest::Client::builder()
            .redirect(redirects)
            .user_agent(config.user_agent())
            .gzip(true)
            .connect_timeout(config.timeout)
            .build()
            .map_err(|e| HttpError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            http,
            permits: Arc::new(Semaphore::new(config.concurrency)),
            pacer: Arc::new(Mutex::new(Pacer {
                next: tokio::time::Instant::now(),
            })),
            config: Arc::new(config),
            counters: Arc::new(Counters::default()),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The counters so far.
    pub fn stats(&self) -> RequestStats {
        RequestStats {
            requests: self.counters.requests.load(Ordering::Relaxed),
            retries: self.counters.retries.load(Ordering::Relaxed),
            bytes: self.counters.bytes.load(Ordering::Relaxed),
            retry_wait: Duration::from_millis(self.counters.retry_wait_ms.load(Ordering::Relaxed)),
        }
    }

    /// GETs `url`, retrying what a wait can cure, and returns a 200 or 204 response whose body
    /// is of the expected kind.
    pub async fn get(&self, url: &Url, expect: Expect) -> Result<Fetched, HttpError> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            self.take_budget(url)?;
            let outcome = {
                let _permit = self
                    .permits
                    .acquire()
                    .await
                    .expect("the semaphore is never closed");
                self.wait_for_turn().await;
                self.counters.requests.fetch_add(1, Ordering::Relaxed);
                self.attempt(url, expect).await
            };
            match outcome {
                Attempt::Done(fetched) => return Ok(fetched),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry { why, retry_after } => {
                    if attempt >= self.config.max_attempts {
                        return Err(HttpError::GaveUp {
                            url: url.to_string(),
                            attempts: attempt,
                            last: why,
                        });
                    }
                    let wait = match retry_after {
                        Some(wait) if wait > self.config.max_retry_after => {
                            return Err(HttpError::Throttled {
                                url: url.to_string(),
                                wait,
                                max: self.config.max_retry_after,
                            });
                        }
                        Some(wait) => {
                            // Everyone waits, not just this task: the server is throttling
                            // our address, and the other tasks would only earn more 429s.
                            let mut pacer = self.pacer.lock().await;
                            let until = tokio::time::Instant::now() + wait;
                            if until > pacer.next {
                                pacer.next = until;
                            }
                            wait
                        }
                        None => backoff(&self.config, attempt),
                    };
                    self.counters.retries.fetch_add(1, Ordering::Relaxed);
                    self.counters
                        .retry_wait_ms
                        .fetch_add(wait.as_millis() as u64, Ordering::Relaxed);
                    tracing::warn!(%url, attempt, ?wait, "retrying: {why}");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    fn take_budget(&self, url: &Url) -> Result<(), HttpError> {
        if let Some(budget) = self.config.request_budget {
            let used = self.counters.reserved.fetch_add(1, Ordering::Relaxed);
            if used >= budget {
                return Err(HttpError::Budget {
                    url: url.to_string(),
                    budget,
                });
            }
        }
        Ok(())
    }

    async fn wait_for_turn(&self) {
        let start = {
            let mut pacer = self.pacer.lock().await;
            let now = tokio::time::Instant::now();
            let start = pacer.next.max(now);
            pacer.next = start + self.config.min_interval;
            start
        };
        // A timer, even one already due, costs a tick of the timer wheel (about 1 ms) on
        // every request; only wait when there is something to wait for.
        if start > tokio::time::Instant::now() {
            tokio::time::sleep_until(start).await;
        }
    }

    async fn attempt(&self, url: &Url, expect: Expect) -> Attempt {
        let accept = match expect {
            Expect::Json => "application/json",
            Expect::Csv => "text/csv, */*;q=0.5",
        };
        tracing::debug!(%url, "GET");
        let sent = self
            .http
            .get(url.clone())
            .header(ACCEPT, accept)
            .timeout(self.config.timeout)
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) if certificate_refused(&e) => {
                return Attempt::Fail(HttpError::Tls {
                    url: url.to_string(),
                    why: chain_text(&e),
                });
            }
            Err(e) => {
                return Attempt::Retry {
                    why: describe(&e),
                    retry_after: None,
                };
            }
        };
        let status = response.status();
        let final_url = response.url().clone();
        let headers = response.headers().clone();
        // The body is read even for errors: it says what was wrong, and a firewall's HTML page
        // must be recognised. A failure to read or decompress it is worth a retry (the legacy
        // API once served corrupt gzip for an afternoon).
        let mut response = response;
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if (body.len() + chunk.len()) as u64 > self.config.max_body_bytes {
                        return Attempt::Fail(HttpError::TooLarge {
                            url: url.to_string(),
                            limit: self.config.max_body_bytes,
                        });
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Attempt::Retry {
                        why: describe(&e),
                        retry_after: None,
                    };
                }
            }
        }
        // A byte-order mark before JSON is not JSON to a strict parser; it says nothing.
        if expect == Expect::Json && body.starts_with(b"\xEF\xBB\xBF") {
            body.drain(..3);
        }
        self.counters
            .bytes
            .fetch_add(body.len() as u64, Ordering::Relaxed);
        classify(url, final_url, status, &headers, body, expect)
    }
}

/// The error's causes, innermost last, on one line.
fn chain_text(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    if parts.is_empty() {
        e.to_string()
    } else {
        parts.join(": ")
    }
}

/// Whether a request failed because the server's certificate was not accepted. The rustls
/// error arrives boxed inside the connector's errors, so its own text is what is matched.
fn certificate_refused(e: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(tls) = s.downcast_ref::<rustls::Error>() {
            return matches!(
                tls,
                rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented
            );
        }
        let text = s.to_string();
        if text.starts_with("invalid peer certificate")
            || text.contains("peer sent no certificates")
        {
            return true;
        }
        source = s.source();
    }
    false
}

fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "could not read the body"
    } else {
        "request failed"
    };
    let mut text = format!("{kind}: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

fn looks_like_html(headers: &HeaderMap, body: &[u8]) -> bool {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.contains("html") {
        return true;
    }
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    body[start..].first() == Some(&b'<')
}

/// The start of a body, for error messages: enough to recognise, never a whole page.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if body.len() > 200 {
        format!("{text}...")
    } else {
        text
    }
}

fn classify(
    url: &Url,
    final_url: Url,
    status: StatusCode,
    headers: &HeaderMap,
    body: Vec<u8>,
    expect: Expect,
) -> Attempt {
    let url_text = url.to_string();
    let retry_after = headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, std::time::SystemTime::now()));
    match status.as_u16() {
        200 | 204 => {
            // An HTML page is never data (a firewall's, or the browsable API's), and an empty
            // 200 where JSON was asked for has been reported as a throttle: refuse both.
            let html = status == StatusCode::OK && looks_like_html(headers, &body);
            let empty = status == StatusCode::OK && body.is_empty() && expect == Expect::Json;
            if html || empty {
                let content_type = headers
                    .get(CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("no content type");
                let what = if body.is_empty() {
                    "an empty body".to_string()
                } else {
                    format!("{content_type}: \"{}\"", excerpt(&body))
                };
                return Attempt::Fail(HttpError::NotData {
                    url: url_text,
                    expected: match expect {
                        Expect::Json => "JSON",
                        Expect::Csv => "CSV",
                    },
                    what,
                });
            }
            let last_modified = headers
                .get(reqwest::header::LAST_MODIFIED)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            Attempt::Done(Fetched {
                status,
                url: final_url,
                body,
                last_modified,
            })
        }
        403 => Attempt::Fail(HttpError::Blocked {
            url: url_text,
            status: 403,
            html: if looks_like_html(headers, &body) {
                ", an HTML page"
            } else {
                ""
            },
        }),
        404 => Attempt::Fail(HttpError::NotFound {
            url: url_text,
            detail: if body.is_empty() {
                String::new()
            } else {
                format!(": {}", excerpt(&body))
            },
        }),
        408 | 425 | 429 | 500 | 502 | 503 | 504 => Attempt::Retry {
            why: format!("HTTP {}: {}", status.as_u16(), excerpt(&body)),
            retry_after,
        },
        code => Attempt::Fail(HttpError::Status {
            url: url_text,
            status: code,
            body: excerpt(&body),
        }),
    }
}

/// Exponential backoff with "equal jitter": half the step is fixed so retries never bunch up
/// at zero, half is random so many clients do not retry in step.
pub fn backoff(config: &ClientConfig, attempt: u32) -> Duration {
    let step = config
        .backoff_base
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
        .min(config.backoff_max);
    let half = step / 2;
    half + half.mul_f64(fastrand::f64())
}

/// Reads a `Retry-After` value: a number of seconds or an HTTP date (relative to `now`).
fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let when = std::time::SystemTime::UNIX_EPOCH
        + Duration::from_secs(u64::try_from(when.timestamp()).ok()?);
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A timer for a whole fetch; separate so the summary's elapsed time covers planning too.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stopwatch(Instant);

impl Stopwatch {
    /// Starts now.
    pub fn start() -> Self {
        Self(Instant::now())
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
}

/// Plain HTTP only to this machine (a test server, a local mirror): anywhere else it would
/// be a way to turn TLS, and so the check of who is answering, off by configuration.
pub(crate) fn check_transport(url: &Url) -> Result<(), String> {
    if url.scheme() != "http" {
        return Ok(());
    }
    let host = url.host_str().unwrap_or("");
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback {
        Ok(())
    } else {
        Err(format!(
            "\"{url}\" is plain HTTP to another machine; use https (plain HTTP is allowed \
             only to 127.0.0.1 or localhost)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example.
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:40:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_doubles_within_jitter_and_is_capped() {
        let config = ClientConfig {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(1000),
            ..ClientConfig::default()
        };
        for _ in 0..50 {
            let first = backoff(&config, 1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = backoff(&config, 3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let late = backoff(&config, 30);
            assert!(late >= Duration::from_millis(500) && late <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn user_agent_names_the_program_and_the_contact() {
        let config = ClientConfig {
            contact: "newsdesk@example.org".into(),
            ..ClientConfig::default()
        };
        let ua = config.user_agent();
        assert!(ua.starts_with("casewire/"));
        assert!(ua.ends_with("(+newsdesk@example.org)"));
    }
}
