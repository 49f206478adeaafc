//! The newsroom file: what a newsroom publishes, from where, to where. Read into a raw form
//! as written, overridden (`--offline`) while still raw, then checked once into a typed
//! [`Newsroom`]: the API and body format as enums, every path resolved against the file's
//! folder, and every error naming its line.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::fetch::{FetchSettings, Source, legacy::Format};
use crate::stats::Universe;

use super::patch::{line_at, toml_message};

/// Why a newsroom file is not usable.
#[derive(Debug, thiserror::Error)]
pub enum NewsroomError {
    /// The file could not be read.
    #[error("cannot read newsroom file {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is malformed or a value in it is not usable.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, from `line N: `.
        message: String,
    },
}

/// Where a newsroom's data come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceConfig {
    /// A folder of releases, one `YYYY-MM-DD` subfolder each, holding the same file name.
    Files {
        /// The folder of releases.
        releases: PathBuf,
        /// The data file in each release folder.
        file: String,
        /// The population table.
        population: PathBuf,
    },
    /// The local archive `casewire fetch` fills; with `fetch = true` each run fetches from
    /// the API first (`casewire publish --offline` skips that).
    Archive {
        /// The archive file.
        archive: PathBuf,
        /// The API the data came from.
        api: Source,
        /// The area type, as given to `fetch`.
        area_type: String,
        /// The population table.
        population: PathBuf,
        /// Fetch the day's data before publishing.
        fetch: bool,
        /// Legacy v2 bodies: JSON unless the file says `csv`.
        format: Format,
    },
}

/// What the schedule expects.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Schedule {
    /// The newest release may be at most this many days old; older is a failure, because a
    /// feed that stopped must wake someone. 0 turns the check off.
    pub max_age_days: u32,
    /// Publish only releases on this day of the week (`"thursday"`).
    pub weekday: Option<String>,
    /// Publish only every this many days, counted from `first`.
    pub every_days: Option<u32>,
    /// The first release of an `every_days` schedule.
    pub first: Option<chrono::NaiveDate>,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            max_age_days: 8,
            weekday: None,
            every_days: None,
            first: None,
        }
    }
}

impl Schedule {
    /// The days the schedule publishes on, or what is wrong with it.
    pub fn cadence(&self) -> Result<Cadence, String> {
        match (&self.weekday, self.every_days, self.first) {
            (None, None, None) => Ok(Cadence::Every),
            (Some(day), None, None) => day.parse::<chrono::Weekday>().map(Cadence::Weekday).map_err(|_| {
                format!("schedule.weekday \"{day}\" is not a day of the week: expected monday to sunday")
            }),
            (None, Some(days), Some(first)) if days > 0 => Ok(Cadence::EveryDays { days, first }),
            (None, Some(_), Some(_)) => Err("schedule.every_days must be 1 or more".into()),
            (None, Some(_), None) => Err("schedule.every_days needs schedule.first, the first release to publish (a date)".into()),
            (None, None, Some(_)) => Err("schedule.first needs schedule.every_days".into()),
            (Some(_), _, _) => Err("schedule.weekday and schedule.every_days cannot both be set".into()),
        }
    }
}

/// The site generator whose front matter and layout editions take.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Flavour {
    /// YAML front matter; editions as leaf bundles `NAME-RELEASE/index.md`.
    #[default]
    Hugo,
    /// TOML front matter between `+++` lines, with `[taxonomies]` and `[extra]`; the same
    /// bundles, which Zola calls colocated assets.
    Zola,
    /// YAML front matter with `layout` and `categories`; editions as posts
    /// `_posts/YYYY-MM-DD-NAME-RELEASE.md`, their files in `assets/NAME-RELEASE/`; an
    /// every-area edition's posts in `_posts/NAME-RELEASE/`, so each edition goes in whole.
    Jekyll,
}

/// The days a newsroom publishes on: with a daily source, only releases on those days are
/// published (a weekly story from daily data); others are left for the next run to skip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cadence {
    /// Every release.
    Every,
    /// Releases on this day of the week.
    Weekday(chrono::Weekday),
    /// Releases every `days` days from `first`.
    EveryDays {
        /// The interval.
        days: u32,
        /// The first release on the schedule.
        first: chrono::NaiveDate,
    },
}

impl Cadence {
    /// Whether a release falls on the schedule.
    pub fn takes(&self, release: chrono::NaiveDate) -> bool {
        use chrono::Datelike;
        match self {
            Cadence::Every => true,
            Cadence::Weekday(day) => release.weekday() == *day,
            Cadence::EveryDays { days, first } => {
                let since = release.signed_duration_since(*first).num_days();
                since >= 0 && since % i64::from((*days).max(1)) == 0
            }
        }
    }
}

/// The output folder's feeds (`feed.json`, `feed.xml`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FeedSettings {
    /// The feeds' title.
    pub title: String,
    /// The site's address of the output folder (`https://news.example/covid/`), so feed
    /// readers get whole links; without it links are relative to the feed.
    pub site_url: Option<String>,
    /// How many editions the feeds list, newest first.
    pub items: usize,
}

impl Default for FeedSettings {
    fn default() -> Self {
        FeedSettings {
            title: "Covid-19 case rates".into(),
            site_url: None,
            items: 30,
        }
    }
}

/// When a revision is big enough to correct.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Corrections {
    /// A printed rate that moves by at least this much (per 100,000) is corrected.
    pub rate_change: f64,
    /// A printed count that moves by at least this share (0.01 = 1%) is corrected.
    pub cases_share: f64,
    /// The same for last week's rate; `rate_change` when not given.
    pub prev_rate_change: Option<f64>,
    /// The same for last week's count; `cases_share` when not given.
    pub prev_cases_share: Option<f64>,
    /// Correct a change that would change a claim word ("rose", "sharply"), whatever its size.
    pub claims: bool,
    /// Correct a change that would change a printed rank, whatever its size.
    pub ranks: bool,
}

impl Default for Corrections {
    fn default() -> Self {
        Corrections {
            rate_change: 1.0,
            cases_share: 0.01,
            prev_rate_change: None,
            prev_cases_share: None,
            claims: true,
            ranks: true,
        }
    }
}

/// Editions held for an editor (`[review]`): with `required = true`, `publish` puts each new
/// edition in the review queue instead of the output folder, and only an approval puts it live.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Review {
    /// Hold every new edition for an editor.
    pub required: bool,
    /// The queue's folder: `queue` as written (relative to the newsroom file), or
    /// `OUTPUT/.casewire-queue`, hidden from site generators by its leading dot.
    pub queue: PathBuf,
}

/// The queue's folder inside the output folder when the newsroom file names none.
pub const DEFAULT_QUEUE: &str = ".casewire-queue";

/// The editors' desk, `casewire serve` (`[desk]`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Desk {
    /// The argon2 hash (PHC string, `$argon2id$...`) of the desk's password; the environment
    /// variable `CASEWIRE_DESK_PASSWORD_HASH` is read when this is not given.
    pub password_hash: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
struct RawReview {
    required: bool,
    queue: Option<PathBuf>,
}

/// One story a newsroom publishes.
#[derive(Clone, Debug, PartialEq)]
pub struct StoryConfig {
    /// A short name, used in file names: `se-london-weekly`.
    pub name: String,
    /// The patch file.
    pub patch: PathBuf,
    /// The template; the default for the kind of story when not given.
    pub template: Option<String>,
    /// The national comparison, over the patch's: `england` or `uk`.
    pub universe: Option<Universe>,
    /// One story per area of the universe (the patch supplies only the publication's
    /// settings), written into a folder `NAME-RELEASE/`.
    pub each_area: bool,
}

/// A newsroom's publishing setup, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Newsroom {
    /// Who to contact about the requests casewire makes (sent in the User-Agent).
    pub contact: String,
    /// The folder editions are written to (a static site's content folder).
    pub output: PathBuf,
    /// A newsroom's template folder.
    pub templates: Option<PathBuf>,
    /// Where the data come from.
    pub source: SourceConfig,
    /// What the schedule expects.
    pub schedule: Schedule,
    /// When to write corrections.
    pub corrections: Corrections,
    /// How to behave towards the API when fetching (base URLs, concurrency, timeouts); its
    /// contact is the newsroom's unless it names its own.
    pub fetch: FetchSettings,
    /// The stories.
    pub stories: Vec<StoryConfig>,
    /// The site generator whose front matter and layout editions take.
    pub front_matter: Flavour,
    /// The days the schedule publishes on.
    pub cadence: Cadence,
    /// A command run after a run that published something (`["hugo", "--source", "site"]`),
    /// and how long it may take.
    pub after_publish: super::after_publish::AfterPublish,
    /// The feeds.
    pub feed: FeedSettings,
    /// Where to send alerts (`[alerts]`), if anywhere.
    pub alerts: Option<super::alerts::Alerts>,
    /// How the ninjs items beside the editions name themselves (`[ninjs]`); with the table,
    /// an edition a gate holds back leaves a withheld item too.
    pub ninjs: Option<super::ninjs::NinjsSettings>,
    /// The WordPress site each edition becomes a post on (`[wordpress]`), its password file
    /// resolved against the newsroom file's folder.
    pub wordpress: Option<super::wordpress::WordpressSettings>,
    /// Whether editions wait for an editor, and where (`[review]`).
    pub review: Review,
    /// The editors' desk (`[desk]`).
    pub desk: Desk,
}

/// What a run changes of the file's settings, applied before they are checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NewsroomOverrides {
    /// Do not fetch, even when the source says to.
    pub offline: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNewsroom {
    contact: String,
    output: PathBuf,
    #[serde(default)]
    templates: Option<PathBuf>,
    source: Spanned<RawSource>,
    #[serde(default)]
    schedule: Schedule,
    #[serde(default)]
    corrections: Corrections,
    #[serde(default)]
    fetch: FetchSettings,
    #[serde(rename = "story")]
    stories: Spanned<Vec<RawStory>>,
    #[serde(default)]
    front_matter: Flavour,
    after_publish: Option<Spanned<Vec<String>>>,
    after_publish_timeout_secs: Option<Spanned<u64>>,
    #[serde(default)]
    feed: FeedSettings,
    alerts: Option<super::alerts::Alerts>,
    ninjs: Option<super::ninjs::NinjsSettings>,
    wordpress: Option<super::wordpress::WordpressSettings>,
    #[serde(default)]
    review: RawReview,
    #[serde(default)]
    desk: Desk,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "kebab-case")]
enum RawSource {
    Files {
        releases: PathBuf,
        file: String,
        population: PathBuf,
    },
    Archive {
        archive: PathBuf,
        api: String,
        area_type: String,
        population: PathBuf,
        #[serde(default)]
        fetch: bool,
        #[serde(default)]
        format: Option<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStory {
    name: Spanned<String>,
    patch: PathBuf,
    #[serde(default)]
    template: Option<Spanned<String>>,
    #[serde(default)]
    universe: Option<Universe>,
    #[serde(default)]
    each_area: bool,
}

impl Newsroom {
    /// Reads a newsroom file; relative paths in it are relative to the file.
    pub fn load(path: &Path) -> Result<Newsroom, NewsroomError> {
        Newsroom::load_with(path, NewsroomOverrides::default())
    }

    /// [`Newsroom::load`] with a run's overrides.
    pub(crate) fn load_with(
        path: &Path,
        overrides: NewsroomOverrides,
    ) -> Result<Newsroom, NewsroomError> {
        let io = |source| NewsroomError::Io {
            path: path.to_path_buf(),
            source,
        };
        crate::fsio::check_readable(path).map_err(io)?;
        let text = std::fs::read_to_string(path).map_err(io)?;
        Newsroom::parse_with(path, &text, overrides)
    }

    /// Parses and checks newsroom TOML as if read from `path` (used in messages and to
    /// resolve relative paths).
    pub fn parse(path: &Path, text: &str) -> Result<Newsroom, NewsroomError> {
        Newsroom::parse_with(path, text, NewsroomOverrides::default())
    }

    /// [`Newsroom::parse`] with a run's overrides.
    pub(crate) fn parse_with(
        path: &Path,
        text: &str,
        overrides: NewsroomOverrides,
    ) -> Result<Newsroom, NewsroomError> {
        let invalid = |message: String| NewsroomError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let mut raw: RawNewsroom =
            toml::from_str(text).map_err(|e| invalid(toml_message(text, &e)))?;
        if let Some(bad) = super::forbidden_setting(text) {
            return Err(invalid(bad.to_string()));
        }
        if overrides.offline
            && let RawSource::Archive { fetch, .. } = raw.source.get_mut()
        {
            *fetch = false;
        }
        let base = path.parent().unwrap_or(Path::new(""));
        let resolve = |p: PathBuf| if p.is_relative() { base.join(p) } else { p };
        let source_span = raw.source.span();
        let source = match raw.source.into_inner() {
            RawSource::Files {
                releases,
                file,
                population,
            } => SourceConfig::Files {
                releases: resolve(releases),
                file,
                population: resolve(population),
            },
            RawSource::Archive {
                archive,
                api,
                area_type,
                population,
                fetch,
                format,
            } => {
                let at = |key: &str, message: String| {
                    invalid(format!(
                        "line {}: {message}",
                        key_line(text, source_span.clone(), key)
                    ))
                };
                SourceConfig::Archive {
                    archive: resolve(archive),
                    api: api.parse().map_err(|m| at("api", m))?,
                    area_type,
                    population: resolve(population),
                    fetch,
                    format: match format.as_deref() {
                        None | Some("json") => Format::Json,
                        Some("csv") => Format::Csv,
                        Some(other) => {
                            return Err(at(
                                "format",
                                format!("unknown format \"{other}\": expected json or csv"),
                            ));
                        }
                    },
                }
            }
        };
        let mut fetch = raw.fetch;
        if fetch.contact.is_none() {
            fetch.contact = Some(raw.contact.clone());
        }
        let stories_line = line_at(text, raw.stories.span().start);
        let raw_stories = raw.stories.into_inner();
        if raw_stories.is_empty() {
            return Err(invalid(format!(
                "line {stories_line}: no [[story]] to publish"
            )));
        }
        let mut names = std::collections::BTreeSet::new();
        let mut stories = Vec::with_capacity(raw_stories.len());
        for s in raw_stories {
            let line = line_at(text, s.name.span().start);
            let name = s.name.into_inner();
            if !is_plain_name(&name) || !names.insert(name.clone()) {
                return Err(invalid(format!(
                    "line {line}: story name \"{name}\" must be unique and lower-case letters, digits and dashes"
                )));
            }
            let patch = resolve(s.patch);
            if let Some(t) = &s.template
                && !s.each_area
            {
                one_area_template(&name, t.get_ref(), &patch)
                    .map_err(|m| invalid(format!("line {}: {m}", line_at(text, t.span().start))))?;
            }
            stories.push(StoryConfig {
                name,
                patch,
                template: s.template.map(Spanned::into_inner),
                universe: s.universe,
                each_area: s.each_area,
            });
        }
        let cadence = raw
            .schedule
            .cadence()
            .map_err(|m| invalid(format!("line {}: {m}", table_line(text, "[schedule]"))))?;
        let feed_line = table_line(text, "[feed]");
        let feed = raw.feed;
        if let Some(url) = &feed.site_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(invalid(format!(
                "line {feed_line}: [feed] site_url {url:?} is not an http(s) address"
            )));
        }
        if feed.items == 0 {
            return Err(invalid(format!(
                "line {feed_line}: [feed] items must be at least 1"
            )));
        }
        let after_publish =
            super::after_publish::checked(text, raw.after_publish, raw.after_publish_timeout_secs)
                .map_err(invalid)?;
        let output = resolve(raw.output);
        let review = review_settings(raw.review, &output, &resolve)
            .map_err(|m| invalid(format!("line {}: {m}", table_line(text, "[review]"))))?;
        Ok(Newsroom {
            review,
            desk: raw.desk,
            feed,
            front_matter: raw.front_matter,
            cadence,
            after_publish,
            contact: raw.contact,
            output,
            templates: raw.templates.map(resolve),
            source,
            schedule: raw.schedule,
            corrections: raw.corrections,
            fetch,
            stories,
            alerts: raw.alerts,
            ninjs: raw.ninjs,
            wordpress: raw.wordpress.map(|mut w| {
                w.password_file = resolve(w.password_file);
                w
            }),
        })
    }
}

/// Refuses the `area` template, one area's own story, for an edition of a patch of several
/// areas: the edition would tell the first area's story alone. A patch that cannot be read is
/// left to the run, which names what is wrong with it.
fn one_area_template(story: &str, template: &str, patch: &Path) -> Result<(), String> {
    if template != "area" {
        return Ok(());
    }
    let Ok(p) = super::Patch::load(patch) else {
        return Ok(());
    };
    if p.core.len() <= 1 {
        return Ok(());
    }
    Err(format!(
        "story \"{story}\" has template = \"area\", which tells one area's story, but its patch {} has {} areas ({}); set each_area = true for a story per area of the universe, or give it a patch of one area",
        patch.display(),
        p.core.len(),
        p.core.join(", ")
    ))
}

/// The `[review]` table checked: the queue is never where a site generator would read it (in
/// the output folder, a name of its own path must start with a dot) nor the output itself.
fn review_settings(
    raw: RawReview,
    output: &Path,
    resolve: &dyn Fn(PathBuf) -> PathBuf,
) -> Result<Review, String> {
    let queue = match raw.queue {
        Some(q) => resolve(q),
        None => output.join(DEFAULT_QUEUE),
    };
    if let Ok(inside) = queue.strip_prefix(output) {
        let hidden = inside
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        if !hidden {
            return Err(format!(
                "[review] queue {} is inside the output folder, where a site generator would publish it; name it with a leading dot (.casewire-queue) or put it outside",
                queue.display()
            ));
        }
    }
    Ok(Review {
        required: raw.required,
        queue,
    })
}

/// A name that is its own slug, safe as a file name: lower-case ASCII letters, digits and
/// single dashes between them, at most 100 characters.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

/// The line of `key = ...` in the table starting at `span` (its header, or an inline
/// table), or the table's first line.
fn key_line(text: &str, span: std::ops::Range<usize>, key: &str) -> usize {
    let start = span.start.min(text.len());
    let mut offset = start;
    for (i, line) in text
        .get(start..)
        .unwrap_or("")
        .split_inclusive('\n')
        .enumerate()
    {
        let trimmed = line.trim_start();
        if i > 0 && trimmed.starts_with('[') {
            break;
        }
        if let Some(at) = find_key(trimmed, key) {
            return line_at(text, offset + (line.len() - trimmed.len()) + at);
        }
        offset += line.len();
    }
    line_at(text, start)
}

/// The line of a table's header, or the first line when there is none.
fn table_line(text: &str, header: &str) -> usize {
    text.lines()
        .position(|l| l.trim() == header)
        .map_or(1, |i| i + 1)
}

/// Where `key =` starts in a line: at its start, or after `{` or `,` in an inline table.
fn find_key(line: &str, key: &str) -> Option<usize> {
    line.match_indices(key).map(|(at, _)| at).find(|&at| {
        let before = line[..at].trim_end();
        (before.is_empty() || before.ends_with('{') || before.ends_with(','))
            && line[at + key.len()..].trim_start().starts_with('=')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"contact = "desk@example.com"
output = "out"
[source]
kind = "archive"
archive = "a.sqlite"
api = "ukhsa"
area_type = "ltla"
population = "pop.csv"
fetch = true
format = "csv"
[[story]]
name = "weekly"
patch = "p.toml"
"#;

    #[test]
    fn a_file_is_checked_into_typed_values_with_paths_resolved() {
        let n = Newsroom::parse(Path::new("/desk/n.toml"), FILE).unwrap();
        assert_eq!(n.output, Path::new("/desk/out"));
        assert_eq!(n.stories[0].patch, Path::new("/desk/p.toml"));
        assert_eq!(n.fetch.contact.as_deref(), Some("desk@example.com"));
        let SourceConfig::Archive {
            api, fetch, format, ..
        } = n.source
        else {
            panic!("an archive source");
        };
        assert_eq!((api, fetch, format), (Source::Ukhsa, true, Format::Csv));
    }

    #[test]
    fn the_schedule_takes_a_weekday_or_every_n_days_from_a_first_release() {
        let with = |table: &str| {
            Newsroom::parse(
                Path::new("n.toml"),
                &FILE.replace("[[story]]", &format!("[schedule]\n{table}\n[[story]]")),
            )
        };
        let thursday = with("weekday = \"thursday\"").unwrap();
        assert_eq!(thursday.cadence, Cadence::Weekday(chrono::Weekday::Thu));
        let weekly = with("every_days = 7\nfirst = \"2021-01-14\"").unwrap();
        assert!(
            weekly
                .cadence
                .takes(chrono::NaiveDate::from_ymd_opt(2021, 1, 21).unwrap())
        );
        assert!(
            !weekly
                .cadence
                .takes(chrono::NaiveDate::from_ymd_opt(2021, 1, 20).unwrap())
        );
        for bad in [
            "weekday = \"thursdy\"",
            "every_days = 7",
            "every_days = 0\nfirst = \"2021-01-14\"",
        ] {
            let err = with(bad).unwrap_err().to_string();
            assert!(err.contains("line 11: schedule."), "{bad}: {err}");
        }
    }

    #[test]
    fn offline_is_applied_before_the_check() {
        let n = Newsroom::parse_with(
            Path::new("n.toml"),
            FILE,
            NewsroomOverrides { offline: true },
        )
        .unwrap();
        assert!(matches!(
            n.source,
            SourceConfig::Archive { fetch: false, .. }
        ));
    }

    #[test]
    fn every_error_names_its_line() {
        for (from, to, line) in [
            (r#"api = "ukhsa""#, r#"api = "nope""#, 6),
            (r#"format = "csv""#, r#"format = "xml""#, 10),
            (r#"name = "weekly""#, r#"name = "Weekly""#, 12),
            // A mistyped value in [source] is reported by the parser at the table's line.
            ("fetch = true", "fetch = 1", 3),
            ("patch = \"p.toml\"", "patch = 1", 13),
        ] {
            let text = FILE.replace(from, to);
            let err = Newsroom::parse(Path::new("n.toml"), &text).unwrap_err();
            assert!(
                err.to_string().contains(&format!("line {line}: ")),
                "{to}: {err}"
            );
        }
    }
}
