//! The newsroom file's `[alerts]` table: where to tell the desk that editions went out, that a
//! gate held one back, or that a run failed.
//!
//! ```toml
//! [alerts]
//! webhook = "https://hooks.slack.com/services/T000/B000/XXXX"
//! timeout_secs = 10      # optional: how long one attempt may take (1 to 120)
//! ```
//!
//! The address is checked when the file is read, so a typo fails the first run rather than the
//! night something goes wrong: it must be `https`, or plain `http` to this machine only (as
//! every address casewire sends to). A webhook's address is a secret (whoever has it can post
//! to the channel), so it is never printed whole: [`Webhook`]'s `Display` shows only where
//! it goes.

use std::fmt;
use std::time::Duration;

use reqwest::Url;
use serde::Deserialize;

/// The longest one attempt may be given: an alert that cannot be delivered in two minutes
/// should not hold a scheduled run up any longer.
pub const MAX_TIMEOUT_SECS: u64 = 120;

/// A webhook's address, checked. `Display` names its scheme and host only.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Webhook(Url);

impl Webhook {
    /// Checks an address: absolute, `https` (or `http` to this machine), no user or password
    /// in it.
    pub fn parse(text: &str) -> Result<Webhook, String> {
        let url = Url::parse(text.trim()).map_err(|e| {
            format!("alerts.webhook is not a URL ({e}); expected https://HOST/PATH")
        })?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(format!(
                "alerts.webhook must be https, not {}:",
                url.scheme()
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("alerts.webhook names no host".to_string());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("alerts.webhook may not hold a user name or password".to_string());
        }
        // The message names where the address goes, never its secret path.
        crate::fetch::client::check_transport(&url).map_err(|_| {
            format!(
                "alerts.webhook {} is plain HTTP to another machine; use https (plain HTTP \
                 is allowed only to 127.0.0.1 or localhost)",
                Webhook(url.clone())
            )
        })?;
        Ok(Webhook(url))
    }

    /// The address to post to.
    pub fn url(&self) -> &Url {
        &self.0
    }
}

impl TryFrom<String> for Webhook {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Webhook::parse(&text)
    }
}

impl fmt::Display for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = self.0.host_str().unwrap_or("");
        match self.0.port() {
            Some(port) => write!(f, "{}://{host}:{port}/…", self.0.scheme()),
            None => write!(f, "{}://{host}/…", self.0.scheme()),
        }
    }
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Webhook({self})")
    }
}

/// The `[alerts]` table, checked.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawAlerts")]
pub struct Alerts {
    /// Where alerts are posted.
    pub webhook: Webhook,
    /// How long one attempt may take.
    pub timeout: Duration,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlerts {
    webhook: Webhook,
    #[serde(default = "default_timeout")]
    timeout_secs: u64,
}

fn default_timeout() -> u64 {
    10
}

impl TryFrom<RawAlerts> for Alerts {
    type Error = String;

    fn try_from(raw: RawAlerts) -> Result<Self, Self::Error> {
        if raw.timeout_secs == 0 || raw.timeout_secs > MAX_TIMEOUT_SECS {
            return Err(format!(
                "alerts.timeout_secs = {} is out of range: 1 to {MAX_TIMEOUT_SECS}",
                raw.timeout_secs
            ));
        }
        Ok(Alerts {
            webhook: raw.webhook,
            timeout: Duration::from_secs(raw.timeout_secs),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct File {
        alerts: Alerts,
    }

    fn parse(text: &str) -> Result<Alerts, String> {
        toml::from_str::<File>(text)
            .map(|f| f.alerts)
            .map_err(|e| super::super::patch::toml_message(text, &e))
    }

    #[test]
    fn a_webhook_is_read_and_never_shown_whole() {
        let a = parse("[alerts]\nwebhook = \"https://hooks.example.com/services/T0/B0/SECRET\"\n")
            .unwrap();
        assert_eq!(a.timeout, Duration::from_secs(10));
        assert_eq!(a.webhook.url().path(), "/services/T0/B0/SECRET");
        assert_eq!(a.webhook.to_string(), "https://hooks.example.com/…");
        assert!(!format!("{a:?}").contains("SECRET"));
        let local = parse("[alerts]\nwebhook = \"http://127.0.0.1:8080/hook\"\ntimeout_secs = 3\n")
            .unwrap();
        assert_eq!(local.timeout, Duration::from_secs(3));
        assert_eq!(local.webhook.to_string(), "http://127.0.0.1:8080/…");
    }

    #[test]
    fn a_bad_webhook_or_timeout_is_refused_with_its_line() {
        for (text, expected) in [
            (
                "[alerts]\nwebhook = \"http://hooks.example.com/SECRET\"\n",
                "plain HTTP",
            ),
            ("[alerts]\nwebhook = \"hooks.example.com\"\n", "not a URL"),
            (
                "[alerts]\nwebhook = \"ftp://hooks.example.com/x\"\n",
                "must be https",
            ),
            (
                "[alerts]\nwebhook = \"https://u:p@hooks.example.com/x\"\n",
                "user name",
            ),
            (
                "[alerts]\nwebhook = \"https://h.example/x\"\ntimeout_secs = 0\n",
                "1 to 120",
            ),
            (
                "[alerts]\nwebhook = \"https://h.example/x\"\nretries = 3\n",
                "retries",
            ),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.contains(expected), "{text}: {err}");
            assert!(err.starts_with("line "), "{text}: {err}");
            assert!(!err.contains("SECRET"), "{err}");
        }
    }
}
