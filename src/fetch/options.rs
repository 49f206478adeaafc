//! What a fetch asks for: the API ([`Source`]), the options of one fetch ([`FetchOptions`]),
//! the newsroom's `[fetch]` settings they start from ([`FetchSettings`]), and the plan of what
//! a story's release needs ([`FetchOptions::plan_for_release`]).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::Url;

use crate::fetch::archive::Archive;
use crate::fetch::client::{ClientConfig, check_transport};
use crate::fetch::error::FetchError;
use crate::fetch::{legacy, ukhsa};
use crate::model::CASES_METRIC;

/// The days before a story's release a UKHSA fetch must cover: the two weeks the story
/// compares (this week and the one before it) and the days left out as still filling in
/// (four by default), rounded up to three whole weeks. Only the calendar years this span
/// touches are asked for, so it matters only around the new year.
pub const RELEASE_LOOKBACK_DAYS: u32 = 21;

/// Which API to fetch from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// The UKHSA data dashboard API (live).
    Ukhsa,
    /// The legacy dashboard's v2 API (archived releases).
    LegacyV2,
    /// The legacy dashboard's v1 API.
    LegacyV1,
}

impl Source {
    /// The name used on the command line and in the archive.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Ukhsa => "ukhsa",
            Source::LegacyV2 => "legacy-v2",
            Source::LegacyV1 => "legacy-v1",
        }
    }

    /// The real host.
    fn default_base_url(self) -> &'static str {
        match self {
            Source::Ukhsa => ukhsa::DEFAULT_BASE_URL,
            Source::LegacyV2 | Source::LegacyV1 => legacy::DEFAULT_BASE_URL,
        }
    }

    /// The source's own name for the daily case count.
    pub fn cases_metric(self) -> &'static str {
        match self {
            Source::Ukhsa => ukhsa::DEFAULT_METRIC,
            Source::LegacyV2 | Source::LegacyV1 => CASES_METRIC,
        }
    }

    /// The area type as the dataset names it (`Lower Tier Local Authority` → `ltla` for
    /// UKHSA), which is also how the archive keys it.
    pub(crate) fn dataset_area_type(self, area_type: &str) -> String {
        match self {
            Source::Ukhsa => ukhsa::area_type_for(ukhsa::geography_type_for(area_type)),
            Source::LegacyV2 | Source::LegacyV1 => area_type.to_string(),
        }
    }

    /// A per-request timeout that suits the source: v2 can take almost five minutes to build
    /// an uncached file before it redirects to it.
    fn default_timeout(self) -> Duration {
        match self {
            Source::LegacyV2 => Duration::from_secs(330),
            Source::Ukhsa | Source::LegacyV1 => Duration::from_secs(30),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Source {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ukhsa" => Ok(Source::Ukhsa),
            "legacy-v2" => Ok(Source::LegacyV2),
            "legacy-v1" => Ok(Source::LegacyV1),
            other => Err(format!(
                "unknown source \"{other}\": expected ukhsa, legacy-v2 or legacy-v1"
            )),
        }
    }
}

/// Everything a fetch needs to know. Build with [`FetchOptions::new`] and change fields.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// The API.
    pub source: Source,
    /// The API's base URL; `None` for the real host.
    pub base_url: Option<String>,
    /// The area type: a UKHSA geography type (`Lower Tier Local Authority`) or a legacy one
    /// (`ltla`); the short legacy names also work for UKHSA.
    pub area_type: String,
    /// Metrics to fetch; empty for the source's case count.
    pub metrics: Vec<String>,
    /// The legacy v2 release (publication date) to fetch; `None` for the latest.
    pub release: Option<NaiveDate>,
    /// Only these areas: legacy area codes, or UKHSA geography names. Empty for every area
    /// of the type (legacy: one request for the whole type; UKHSA: the geographies are
    /// listed first).
    pub areas: Vec<String>,
    /// UKHSA: only these years, one request chain each. A story needs only the last few
    /// weeks; asking for every year since 2020 multiplies the requests by five or more.
    pub years: Vec<i32>,
    /// UKHSA: the `date`, `stratum`, `age` and `sex` filters (`year` comes from `years`).
    pub filters: ukhsa::Filters,
    /// UKHSA: where the topic is in the hierarchy.
    pub topic: ukhsa::Topic,
    /// Legacy v2: JSON or CSV bodies.
    pub format: legacy::Format,
    /// How to behave towards the server.
    pub client: ClientConfig,
    /// Fetch a legacy v2 release again even when the archive already holds it.
    pub refetch: bool,
    /// The fetch time to record; `None` for now. Tests set it so labels do not depend on
    /// the clock.
    pub fetched_at: Option<DateTime<Utc>>,
    /// How long the whole fetch may take, every request and retry included: the per-request
    /// timeout alone lets a fetch of many slow areas run for hours. Default
    /// [`DEFAULT_DEADLINE`].
    pub deadline: Duration,
}

/// The default deadline of a whole fetch: generous, for an every-area fetch of a slow day.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(30 * 60);

impl FetchOptions {
    /// Options with the defaults for `source`: its case metric, its timeout, the headline
    /// UKHSA filters, concurrency 4 and the client's default retries and budget.
    pub fn new(source: Source, area_type: &str) -> Self {
        Self {
            source,
            base_url: None,
            area_type: area_type.to_string(),
            metrics: Vec::new(),
            release: None,
            areas: Vec::new(),
            years: Vec::new(),
            filters: ukhsa::Filters::default(),
            topic: ukhsa::Topic::default(),
            format: legacy::Format::Json,
            client: ClientConfig {
                timeout: source.default_timeout(),
                ..ClientConfig::default()
            },
            refetch: false,
            fetched_at: None,
            deadline: DEFAULT_DEADLINE,
        }
    }

    /// What a story about the data published on `release` needs fetched: that legacy v2
    /// release, or the UKHSA years its last [`RELEASE_LOOKBACK_DAYS`] days fall in. Legacy
    /// v1 has no releases, so its options are left as they are.
    pub fn plan_for_release(&mut self, release: NaiveDate) {
        match self.source {
            Source::LegacyV2 => self.release = Some(release),
            Source::Ukhsa => self.years = years_needed(release, RELEASE_LOOKBACK_DAYS),
            Source::LegacyV1 => {}
        }
    }

    /// The metrics asked for, or the source's case count when none were.
    pub(crate) fn metrics(&self) -> Vec<String> {
        if self.metrics.is_empty() {
            vec![self.source.cases_metric().to_string()]
        } else {
            self.metrics.clone()
        }
    }

    /// The base URL, checked: http or https, and a transport the client will use.
    pub(crate) fn base(&self) -> Result<Url, FetchError> {
        let text = self
            .base_url
            .as_deref()
            .unwrap_or(self.source.default_base_url());
        let url = Url::parse(text)
            .map_err(|e| FetchError::Options(format!("base URL \"{text}\": {e}")))?;
        if url.cannot_be_a_base() || !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Options(format!(
                "base URL \"{text}\" must be an http or https URL"
            )));
        }
        check_transport(&url).map_err(|why| FetchError::Options(format!("base URL {why}")))?;
        Ok(url)
    }
}

/// The newsroom's fetch settings, as a `[fetch]` table in its configuration file. Every
/// field is optional; what is left out takes the defaults of [`FetchOptions::new`].
///
/// ```toml
/// [fetch]
/// contact = "datadesk@courier.example"
/// archive = "casewire-archive.sqlite"
/// concurrency = 4
/// timeout_secs = 30
/// max_attempts = 5
/// request_budget = 1500
/// min_interval_ms = 0
/// deadline_secs = 1800
/// ukhsa_base_url = "https://api.ukhsa-dashboard.data.gov.uk"
/// legacy_base_url = "https://api.coronavirus.data.gov.uk"
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchSettings {
    /// Who the server's operators can contact about our traffic; goes in the User-Agent.
    pub contact: Option<String>,
    /// The archive file.
    pub archive: Option<std::path::PathBuf>,
    /// Requests in flight at once.
    pub concurrency: Option<usize>,
    /// Seconds one request may take.
    pub timeout_secs: Option<u64>,
    /// Attempts per request.
    pub max_attempts: Option<u32>,
    /// Requests one fetch may send.
    pub request_budget: Option<u64>,
    /// Milliseconds between the starts of two requests.
    pub min_interval_ms: Option<u64>,
    /// Seconds the whole fetch may take (default 1800).
    pub deadline_secs: Option<u64>,
    /// The UKHSA API's base URL.
    pub ukhsa_base_url: Option<String>,
    /// The legacy API's base URL.
    pub legacy_base_url: Option<String>,
}

impl FetchSettings {
    /// Options for `source` with these settings applied over the defaults.
    pub fn options(&self, source: Source, area_type: &str) -> FetchOptions {
        let mut opts = FetchOptions::new(source, area_type);
        let c = &mut opts.client;
        if let Some(contact) = &self.contact {
            c.contact = contact.clone();
        }
        if let Some(n) = self.concurrency {
            c.concurrency = n;
        }
        if let Some(secs) = self.timeout_secs {
            c.timeout = Duration::from_secs(secs);
        }
        if let Some(n) = self.max_attempts {
            c.max_attempts = n;
        }
        if let Some(n) = self.request_budget {
            c.request_budget = Some(n);
        }
        if let Some(ms) = self.min_interval_ms {
            c.min_interval = Duration::from_millis(ms);
        }
        if let Some(secs) = self.deadline_secs {
            opts.deadline = Duration::from_secs(secs);
        }
        opts.base_url = match source {
            Source::Ukhsa => self.ukhsa_base_url.clone(),
            Source::LegacyV2 | Source::LegacyV1 => self.legacy_base_url.clone(),
        };
        opts
    }

    /// The archive file: the configured one, else [`Archive::default_path`].
    pub fn archive_path(&self) -> std::path::PathBuf {
        self.archive.clone().unwrap_or_else(Archive::default_path)
    }
}

/// The calendar years a story ending on `last_day` and looking back `days` days needs: the
/// UKHSA API filters by year and serves oldest first, so asking only for these years is what
/// keeps a fetch to one or two pages an area.
pub fn years_needed(last_day: NaiveDate, days: u32) -> Vec<i32> {
    use chrono::Datelike;
    let first = last_day - chrono::Days::new(u64::from(days));
    (first.year()..=last_day.year()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_needed_spans_new_year_only_when_the_story_does() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(years_needed(d(2026, 11, 19), 28), [2026]);
        assert_eq!(years_needed(d(2026, 1, 8), 28), [2025, 2026]);
    }

    #[test]
    fn settings_apply_over_the_defaults() {
        let settings: FetchSettings = toml::from_str(
            "contact = \"desk@example.org\"\nconcurrency = 2\nukhsa_base_url = \"http://127.0.0.1:1\"",
        )
        .unwrap();
        let opts = settings.options(Source::Ukhsa, "ltla");
        assert_eq!(opts.client.contact, "desk@example.org");
        assert_eq!(opts.client.concurrency, 2);
        assert_eq!(opts.client.max_attempts, 5);
        assert_eq!(opts.base_url.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(settings.options(Source::LegacyV2, "ltla").base_url, None);
        assert!(toml::from_str::<FetchSettings>("contcat = \"x\"").is_err());
    }

    #[test]
    fn sources_parse_from_their_command_line_names() {
        for source in [Source::Ukhsa, Source::LegacyV2, Source::LegacyV1] {
            assert_eq!(source.as_str().parse::<Source>(), Ok(source));
        }
        assert!("legacy".parse::<Source>().is_err());
        assert_eq!(
            Source::Ukhsa.dataset_area_type("Lower Tier Local Authority"),
            "ltla"
        );
        assert_eq!(Source::Ukhsa.dataset_area_type("ltla"), "ltla");
    }
}
