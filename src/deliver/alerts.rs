//! Telling the desk what a run did: a JSON message POSTed to the newsroom's webhook when
//! editions are published, when a gate holds one back and when a run fails.
//!
//! The message has a Slack-compatible `text` (one sentence a person reads in a channel), and
//! the same facts as fields for a bot: `event` (`published`, `held`, `failed`, `withdrawn`), `story`,
//! `release`, `gate`, `area`, `editions` and, for a failure, `error` (the cause chain). A field
//! that does not apply is `null` (an empty list for `editions`).
//!
//! Delivery is polite and bounded: each attempt has a timeout, a failure a wait can cure
//! (no connection, a timeout, 408, 425, 429, 5xx) is retried a few times with the fetch
//! client's backoff (and a short `Retry-After` honoured), and anything else is an error for
//! the caller to report. An alert is never worth failing a run for, or hanging it: the caller
//! decides what an [`AlertError`] means. Like every address casewire sends to, the webhook is
//! `https` (or `http` to this machine), checked when the newsroom file is read; and as its
//! path is a secret, messages name its host only.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use serde::Serialize;

use crate::config::alerts::{Alerts, Webhook};
use crate::gates::GateFinding;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertEvent {
    /// Editions were published.
    Published,
    /// A gate held an edition back.
    Held,
    /// A run failed.
    Failed,
    /// An edition was withdrawn (`casewire withdraw`).
    Withdrawn,
}

/// One message, as POSTed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// A sentence for people, with Slack's `&`, `<` and `>` escaped.
    pub text: String,
    /// What happened.
    pub event: AlertEvent,
    /// The story, when the alert is about one.
    pub story: Option<String>,
    /// The release.
    pub release: Option<String>,
    /// The gate that held the edition back.
    pub gate: Option<String>,
    /// The area the gate fired for.
    pub area: Option<String>,
    /// The editions published (their names, `se-london-weekly-2021-01-18`).
    pub editions: Vec<String>,
    /// Why the run failed: the error and its causes, outermost first, joined by `: `.
    pub error: Option<String>,
}

/// Slack reads `&`, `<` and `>` as markup (`<!channel>` pings everyone), so copy from names
/// and error messages is escaped as its formatting rules ask.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

impl Alert {
    /// Editions of `release` went out.
    pub fn published(release: &str, editions: &[String]) -> Alert {
        let text = format!(
            "casewire published {} for the {release} release: {}.",
            plural(editions.len(), "edition", "editions"),
            editions.join(", ")
        );
        Alert {
            text: slack_escape(&text),
            event: AlertEvent::Published,
            story: None,
            release: Some(release.to_string()),
            gate: None,
            area: None,
            editions: editions.to_vec(),
            error: None,
        }
    }

    /// A gate held `story`'s edition of `release` back: which gate, which area (name and
    /// code, or none for a finding about the whole release), and what it found.
    pub fn held(story: &str, release: &str, gate: &str, area: Option<&str>, why: &str) -> Alert {
        let place = area.map(|a| format!(" for {a}")).unwrap_or_default();
        let why = why.trim().trim_end_matches('.');
        let text = format!(
            "casewire held back {story} for the {release} release: the {gate} gate stopped \
             it{place} ({why}). Nothing was published for it; once someone has checked the \
             figures, the gate can be set to warn in the patch file."
        );
        Alert {
            text: slack_escape(&text),
            event: AlertEvent::Held,
            story: Some(story.to_string()),
            release: Some(release.to_string()),
            gate: Some(gate.to_string()),
            area: area.map(str::to_string),
            editions: Vec::new(),
            error: None,
        }
    }

    /// [`Alert::held`] from the gate's finding.
    pub fn held_by(story: &str, release: &str, finding: &GateFinding) -> Alert {
        let area = finding.area.as_ref().map(ToString::to_string);
        Alert::held(
            story,
            release,
            finding.gate.name(),
            area.as_deref(),
            &finding.message,
        )
    }

    /// `edition` of `story`'s `release` was withdrawn by `by`, for `reason`.
    pub fn withdrawn(story: &str, release: &str, edition: &str, by: &str, reason: &str) -> Alert {
        let reason = reason.trim().trim_end_matches('.');
        let text = format!(
            "casewire withdrew {edition} (the {release} release of {story}) at the request of \
             {by}: {reason}. Its page has left the site and the feeds, and its ninjs item is \
             canceled."
        );
        Alert {
            text: slack_escape(&text),
            event: AlertEvent::Withdrawn,
            story: Some(story.to_string()),
            release: Some(release.to_string()),
            gate: None,
            area: None,
            editions: vec![edition.to_string()],
            error: None,
        }
    }

    /// A run failed with `error`; `story` and `release` when the run got that far.
    pub fn failed(
        story: Option<&str>,
        release: Option<&str>,
        error: &(dyn std::error::Error + 'static),
    ) -> Alert {
        let mut chain = vec![error.to_string()];
        let mut source = error.source();
        while let Some(s) = source {
            chain.push(s.to_string());
            source = s.source();
        }
        // A cause's text is often its parent's last words again; say each once.
        chain.dedup();
        let chain = chain
            .iter()
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join(": ");
        let what = match (story, release) {
            (Some(s), Some(r)) => format!(" on {s} for the {r} release"),
            (Some(s), None) => format!(" on {s}"),
            (None, Some(r)) => format!(" for the {r} release"),
            (None, None) => String::new(),
        };
        let text = format!(
            "casewire publish failed{what}: {chain}. Editions already out are untouched; the \
             next run tries again."
        );
        Alert {
            text: slack_escape(&text),
            event: AlertEvent::Failed,
            story: story.map(str::to_string),
            release: release.map(str::to_string),
            gate: None,
            area: None,
            editions: Vec::new(),
            error: Some(chain),
        }
    }

    /// The JSON body POSTed.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an alert always serialises")
    }
}

/// How alerts are delivered: the checked `[alerts]` table, and the retry policy.
#[derive(Clone, Debug)]
pub struct AlertSettings {
    /// Where to post.
    pub webhook: Webhook,
    /// How long one attempt may take.
    pub timeout: Duration,
    /// Attempts, the first included.
    pub max_attempts: u32,
    /// The first wait between attempts; each retry doubles it, with jitter.
    pub backoff_base: Duration,
    /// The longest wait between attempts, and the longest `Retry-After` honoured (a longer one
    /// ends the retries: a run is not held up for an alert).
    pub backoff_max: Duration,
    /// Who to contact about this traffic, put in the User-Agent (the newsroom's `contact`).
    pub contact: String,
}

impl AlertSettings {
    /// The newsroom's `[alerts]` with the default retries: three attempts, one second apart
    /// at first, never more than ten.
    pub fn new(alerts: &Alerts, contact: &str) -> AlertSettings {
        AlertSettings {
            webhook: alerts.webhook.clone(),
            timeout: alerts.timeout,
            max_attempts: 3,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(10),
            contact: contact.to_string(),
        }
    }
}

/// Why an alert was not delivered. Names the webhook by host only.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    /// The HTTP client or the runtime could not be set up.
    #[error("cannot send alerts: {0}")]
    Setup(String),
    /// The webhook refused the message (a status a retry will not change).
    #[error("alert webhook {webhook} refused the message: HTTP {status}: {body}")]
    Refused {
        /// Where it was sent.
        webhook: String,
        /// The status.
        status: u16,
        /// The start of the answer (Slack says what was wrong: `invalid_payload`).
        body: String,
    },
    /// Every attempt failed.
    #[error("alert webhook {webhook}: gave up after {attempts} attempt(s); last: {last}")]
    GaveUp {
        /// Where it was sent.
        webhook: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
}

enum Attempt {
    Done,
    Retry {
        why: String,
        retry_after: Option<Duration>,
    },
    Fail(AlertError),
}

/// POSTs the alert, retrying what a wait can cure; for a caller that is not async (it runs
/// its own small runtime, so it must not be called from inside one: use [`post_alert`]).
pub fn send_alert(settings: &AlertSettings, alert: &Alert) -> Result<(), AlertError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AlertError::Setup(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(post_alert(settings, alert))
}

/// [`send_alert`] for async callers.
pub async fn post_alert(settings: &AlertSettings, alert: &Alert) -> Result<(), AlertError> {
    if settings.max_attempts == 0 {
        return Err(AlertError::Setup("max_attempts must be at least 1".into()));
    }
    let http = super::newsroom_client(&settings.contact, settings.timeout)
        .build()
        .map_err(|e| AlertError::Setup(format!("cannot build the HTTP client: {e}")))?;
    let webhook = settings.webhook.to_string();
    let body = alert.to_json();
    let backoff = crate::fetch::ClientConfig {
        backoff_base: settings.backoff_base,
        backoff_max: settings.backoff_max,
        ..crate::fetch::ClientConfig::default()
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let outcome = attempt_once(&http, settings, &webhook, &body).await;
        match outcome {
            Attempt::Done => return Ok(()),
            Attempt::Fail(e) => return Err(e),
            Attempt::Retry { why, retry_after } => {
                let give_up = |last: String| AlertError::GaveUp {
                    webhook: webhook.clone(),
                    attempts: attempt,
                    last,
                };
                if attempt >= settings.max_attempts {
                    return Err(give_up(why));
                }
                let wait = match retry_after {
                    Some(wait) if wait > settings.backoff_max => {
                        return Err(give_up(format!(
                            "{why}; the webhook asks to wait {wait:?}, longer than an alert waits"
                        )));
                    }
                    Some(wait) => wait,
                    None => crate::fetch::client::backoff(&backoff, attempt),
                };
                tracing::warn!(%webhook, attempt, ?wait, "alert not delivered, retrying: {why}");
                tokio::time::sleep(wait).await;
            }
        }
    }
}

async fn attempt_once(
    http: &reqwest::Client,
    settings: &AlertSettings,
    webhook: &str,
    body: &str,
) -> Attempt {
    let sent = http
        .post(settings.webhook.url().clone())
        .header(CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .timeout(settings.timeout)
        .send()
        .await;
    let response = match sent {
        Ok(r) => r,
        Err(e) => {
            let kind = if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "could not connect"
            } else {
                "request failed"
            };
            // reqwest's own text names the URL, secret and all; only the causes are kept.
            let mut why = kind.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                why.push_str(&format!(": {s}"));
                source = s.source();
            }
            return Attempt::Retry {
                why: why.replace(settings.webhook.url().as_str(), webhook),
                retry_after: None,
            };
        }
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    // The answer is read whole but only its start kept: a webhook says "ok" or what was wrong.
    let text = response.text().await.unwrap_or_default();
    let excerpt: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect();
    match status {
        200..=299 => Attempt::Done,
        408 | 425 | 429 | 500..=599 => Attempt::Retry {
            why: format!("HTTP {status}: {excerpt}"),
            retry_after,
        },
        _ => Attempt::Fail(AlertError::Refused {
            webhook: webhook.to_string(),
            status,
            body: excerpt,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_event_says_what_happened_in_a_sentence() {
        let a = Alert::published(
            "2021-01-18",
            &[
                "se-london-weekly-2021-01-18".into(),
                "england-areas-2021-01-18".into(),
            ],
        );
        assert_eq!(
            a.text,
            "casewire published 2 editions for the 2021-01-18 release: se-london-weekly-2021-01-18, england-areas-2021-01-18."
        );
        let h = Alert::held(
            "se-london-weekly",
            "2021-01-18",
            "week-on-week-jump",
            Some("Bromley (E09000006)"),
            "rate went from 100.0 to 900.0.",
        );
        assert!(h.text.starts_with(
            "casewire held back se-london-weekly for the 2021-01-18 release: the week-on-week-jump gate stopped it for Bromley (E09000006) (rate went from 100.0 to 900.0)."
        ));
        let v: serde_json::Value = serde_json::from_str(&h.to_json()).unwrap();
        assert_eq!(v["event"], "held");
        assert_eq!(v["gate"], "week-on-week-jump");
        assert_eq!(v["editions"], serde_json::json!([]));
        assert!(v["error"].is_null());
        let w = Alert::withdrawn(
            "se-london-weekly",
            "2021-01-18",
            "se-london-weekly-2021-01-18",
            "Ada",
            "figures for <!channel> & co.",
        );
        assert!(
            w.text.starts_with(
                "casewire withdrew se-london-weekly-2021-01-18 (the 2021-01-18 release of se-london-weekly) at the request of Ada: figures for &lt;!channel&gt; &amp; co."
            ),
            "{}",
            w.text
        );
        let v: serde_json::Value = serde_json::from_str(&w.to_json()).unwrap();
        assert_eq!(v["event"], "withdrawn");
        assert_eq!(
            v["editions"],
            serde_json::json!(["se-london-weekly-2021-01-18"])
        );
    }

    #[test]
    fn a_failure_carries_its_cause_chain_and_slack_markup_is_escaped() {
        let io = std::io::Error::other("disk <full> & <!channel>");
        let outer = crate::fetch::FetchError::Write {
            path: "out/a.csv".into(),
            source: io,
        };
        let f = Alert::failed(None, Some("2021-01-19"), &outer);
        assert_eq!(
            f.error.as_deref(),
            Some("cannot write out/a.csv: disk <full> & <!channel>")
        );
        assert!(f.text.starts_with(
            "casewire publish failed for the 2021-01-19 release: cannot write out/a.csv: disk &lt;full&gt; &amp; &lt;!channel&gt;."
        ));
    }
}
