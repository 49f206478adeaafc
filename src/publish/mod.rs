//! Publishing on a schedule: a run that writes each story's new edition once, whole files or
//! nothing, and records what it published only after the files are in place.
//!
//! A run takes a lock in the output folder (a stale lock from a killed run is taken over),
//! finds the newest release, and for each story with nothing published for that release
//! drafts, checks and writes: Markdown with front matter, the story's table as CSV, a chart as
//! SVG and the story's view model beside it. When a newer release revises figures a published
//! edition printed, it writes a correction note for that edition.

pub mod files;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::fsio::write_atomic;

use crate::config::Patch;
use crate::draft::{DraftError, Format, Inputs};
use crate::render::Renderer;
use crate::story::Story;

/// Why a publish run failed.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The newsroom file could not be read.
    #[error("cannot read newsroom file {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The newsroom file is malformed.
    #[error("{path}: {message}")]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// No release could be found in the source.
    #[error("no release found: {why}")]
    NoRelease {
        /// What was looked at.
        why: String,
    },
    /// The newest release is older than the schedule allows.
    #[error(
        "the newest release, {release}, is {age} days old; the schedule expects one within {max} days (schedule.max_age_days)"
    )]
    Stale {
        /// Newest release.
        release: NaiveDate,
        /// Its age in days.
        age: i64,
        /// The limit.
        max: u32,
    },
    /// A story could not be drafted.
    #[error("story \"{story}\" for release {release}")]
    Draft {
        /// The story's name.
        story: String,
        /// The release.
        release: NaiveDate,
        /// What went wrong.
        #[source]
        source: Box<DraftError>,
    },
    /// A file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The state file is damaged.
    #[error(
        "the state file {path} is damaged ({message}); move it aside to republish from scratch"
    )]
    State {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Where a newsroom's data come from.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "kebab-case")]
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
        /// The API the data came from: `ukhsa`, `legacy-v2` or `legacy-v1`.
        api: String,
        /// The area type, as given to `fetch`.
        area_type: String,
        /// The population table.
        population: PathBuf,
        /// Fetch the day's data before publishing.
        #[serde(default)]
        fetch: bool,
        /// Legacy v2 bodies: `json` or `csv`.
        #[serde(default)]
        format: Option<String>,
    },
}

/// What the schedule expects.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Schedule {
    /// The newest release may be at most this many days old; older is a failure, because a
    /// feed that stopped must wake someone. 0 turns the check off.
    pub max_age_days: u32,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule { max_age_days: 8 }
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
}

impl Default for Corrections {
    fn default() -> Self {
        Corrections {
            rate_change: 1.0,
            cases_share: 0.01,
        }
    }
}

/// One story a newsroom publishes.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StoryConfig {
    /// A short name, used in file names: `se-london-weekly`.
    pub name: String,
    /// The patch file.
    pub patch: PathBuf,
    /// The template; the default for the kind of story when not given.
    #[serde(default)]
    pub template: Option<String>,
    /// The national comparison, over the patch's: `england` or `uk`.
    #[serde(default)]
    pub universe: Option<crate::stats::Universe>,
    /// One story per area of the universe (the patch supplies only the publication's
    /// settings), written into a folder `NAME-RELEASE/`.
    #[serde(default)]
    pub each_area: bool,
}

/// A newsroom's publishing setup.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Newsroom {
    /// Who to contact about the requests casewire makes (sent in the User-Agent).
    pub contact: String,
    /// The folder editions are written to (a static site's content folder).
    pub output: PathBuf,
    /// A newsroom's template folder.
    #[serde(default)]
    pub templates: Option<PathBuf>,
    /// Where the data come from.
    pub source: SourceConfig,
    /// What the schedule expects.
    #[serde(default)]
    pub schedule: Schedule,
    /// When to write corrections.
    #[serde(default)]
    pub corrections: Corrections,
    /// How to behave towards the API when fetching (base URLs, concurrency, timeouts).
    #[serde(default)]
    pub fetch: crate::fetch::FetchSettings,
    /// The stories.
    #[serde(rename = "story")]
    pub stories: Vec<StoryConfig>,
}

impl Newsroom {
    /// Reads a newsroom file; relative paths in it are relative to the file.
    pub fn load(path: &Path) -> Result<Newsroom, PublishError> {
        let text = std::fs::read_to_string(path).map_err(|source| PublishError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Newsroom::parse(path, &text)
    }

    /// Parses and checks newsroom TOML as if read from `path` (used in messages and to
    /// resolve relative paths).
    pub fn parse(path: &Path, text: &str) -> Result<Newsroom, PublishError> {
        let mut n: Newsroom = toml::from_str(text).map_err(|e| PublishError::Config {
            path: path.to_path_buf(),
            message: e.message().to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        fix(&mut n.output);
        if let Some(t) = &mut n.templates {
            fix(t);
        }
        match &mut n.source {
            SourceConfig::Files {
                releases,
                population,
                ..
            } => {
                fix(releases);
                fix(population);
            }
            SourceConfig::Archive {
                archive,
                population,
                api,
                ..
            } => {
                fix(archive);
                fix(population);
                if let Err(message) = api.parse::<crate::fetch::Source>() {
                    return Err(PublishError::Config {
                        path: path.to_path_buf(),
                        message,
                    });
                }
            }
        }
        if n.fetch.contact.is_none() {
            n.fetch.contact = Some(n.contact.clone());
        }
        for s in &mut n.stories {
            fix(&mut s.patch);
        }
        if n.stories.is_empty() {
            return Err(PublishError::Config {
                path: path.to_path_buf(),
                message: "no [[story]] to publish".into(),
            });
        }
        let mut names = std::collections::BTreeSet::new();
        for s in &n.stories {
            if crate::draft::slug(&s.name, "") != s.name || !names.insert(s.name.clone()) {
                return Err(PublishError::Config {
                    path: path.to_path_buf(),
                    message: format!(
                        "story name \"{}\" must be unique and lower-case letters, digits and dashes",
                        s.name
                    ),
                });
            }
        }
        Ok(n)
    }
}

/// The releases a files source holds, oldest first.
pub fn releases_in(source: &SourceConfig) -> Result<Vec<NaiveDate>, PublishError> {
    match source {
        SourceConfig::Files { releases, file, .. } => {
            let entries = std::fs::read_dir(releases).map_err(|e| PublishError::NoRelease {
                why: format!("cannot read {}: {e}", releases.display()),
            })?;
            let mut found: Vec<NaiveDate> = entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let date = crate::model::parse_date(e.file_name().to_str()?)?;
                    e.path().join(file).is_file().then_some(date)
                })
                .collect();
            found.sort_unstable();
            if found.is_empty() {
                return Err(PublishError::NoRelease {
                    why: format!(
                        "no YYYY-MM-DD folder in {} holds {file}",
                        releases.display()
                    ),
                });
            }
            Ok(found)
        }
        SourceConfig::Archive {
            archive,
            api,
            area_type,
            ..
        } => {
            let source: crate::fetch::Source =
                api.parse().map_err(|why| PublishError::NoRelease { why })?;
            let store =
                crate::fetch::Archive::open(archive).map_err(|e| PublishError::NoRelease {
                    why: format!("cannot open the archive {}: {e}", archive.display()),
                })?;
            let labels = store
                .releases(source.as_str(), Some(&source.dataset_area_type(area_type)))
                .map_err(|e| PublishError::NoRelease { why: e.to_string() })?;
            let mut found: Vec<NaiveDate> = labels
                .iter()
                .filter_map(|l| crate::model::parse_date(l.get(..10)?))
                .collect();
            found.sort_unstable();
            found.dedup();
            if found.is_empty() {
                return Err(PublishError::NoRelease {
                    why: format!(
                        "the archive {} holds no {api} {area_type} release; run casewire fetch",
                        archive.display()
                    ),
                });
            }
            Ok(found)
        }
    }
}

/// The data of one release, and the population table to use with it.
fn release_data(
    source: &SourceConfig,
    release: NaiveDate,
) -> Result<(crate::model::Dataset, PathBuf), DraftError> {
    let (data, archive, population) = release_sources(source, release);
    let dataset = match archive {
        Some(offline) => crate::draft::load_archived(&offline)?.0,
        None => crate::draft::load_data(&data)?,
    };
    Ok((dataset, population))
}

/// Where a release is read from: data files or the archive, and the population table.
fn release_sources(
    source: &SourceConfig,
    release: NaiveDate,
) -> (Vec<PathBuf>, Option<crate::draft::OfflineSource>, PathBuf) {
    match source {
        SourceConfig::Files {
            releases,
            file,
            population,
        } => (
            vec![releases.join(release.to_string()).join(file)],
            None,
            population.clone(),
        ),
        SourceConfig::Archive {
            archive,
            api,
            area_type,
            population,
            ..
        } => (
            Vec::new(),
            Some(crate::draft::OfflineSource {
                path: archive.clone(),
                source: api
                    .parse()
                    .expect("checked when the newsroom file was read"),
                area_type: area_type.clone(),
                release: crate::fetch::ReleaseSelector::AsOf(release),
            }),
            population.clone(),
        ),
    }
}

/// Fetches the day's data into the archive, for an archive source with `fetch = true`.
fn fetch_today(
    newsroom: &Newsroom,
    today: Option<NaiveDate>,
) -> Result<Option<String>, PublishError> {
    let SourceConfig::Archive {
        archive,
        api,
        area_type,
        fetch: true,
        format,
        ..
    } = &newsroom.source
    else {
        return Ok(None);
    };
    let source: crate::fetch::Source =
        api.parse().map_err(|why| PublishError::NoRelease { why })?;
    let mut opts = newsroom.fetch.options(source, area_type);
    if format.as_deref() == Some("csv") {
        opts.format = crate::fetch::legacy::Format::Csv;
    }
    if let Some(today) = today {
        // What was published today is labelled today, whatever the clock says mid-run.
        opts.fetched_at = today
            .and_hms_opt(0, 0, 0)
            .map(|t| chrono::DateTime::from_naive_utc_and_offset(t, chrono::Utc));
        match source {
            crate::fetch::Source::LegacyV2 => opts.release = Some(today),
            crate::fetch::Source::Ukhsa => opts.years = crate::fetch::years_needed(today, 21),
            crate::fetch::Source::LegacyV1 => {}
        }
    }
    let report =
        crate::fetch::fetch_command(&opts, archive, None).map_err(|e| PublishError::Draft {
            story: "(fetch)".into(),
            release: today.unwrap_or_default(),
            source: Box::new(DraftError::Fetch(Box::new(e))),
        })?;
    Ok(Some(report.summary.to_string()))
}

/// A figure as an edition printed it, kept to detect revisions.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PrintedFigure {
    /// Area code.
    pub code: String,
    /// Area name.
    pub name: String,
    /// Rate this week, in tenths.
    pub rate: i64,
    /// Cases this week.
    pub cases: i64,
    /// Rate the week before, in tenths.
    pub prev_rate: i64,
    /// Cases the week before.
    pub prev_cases: i64,
}

/// One published edition.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Edition {
    /// The release it was drafted from.
    pub release: NaiveDate,
    /// The files written, relative to the output folder.
    pub files: Vec<String>,
    /// The figures it printed for the patch's areas.
    pub figures: Vec<PrintedFigure>,
    /// Releases whose revisions have been corrected already.
    #[serde(default)]
    pub corrected_with: Vec<NaiveDate>,
}

/// What has been published, per story.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct State {
    /// Editions by story name, oldest first.
    pub stories: BTreeMap<String, Vec<Edition>>,
}

impl State {
    fn load(path: &Path) -> Result<State, PublishError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| PublishError::State {
                path: path.to_path_buf(),
                message: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(source) => Err(PublishError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// The newest release published for a story.
    pub fn last_release(&self, story: &str) -> Option<NaiveDate> {
        self.stories.get(story)?.iter().map(|e| e.release).max()
    }
}

/// A lock file held for the life of a run.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

/// Why the lock could not be taken.
#[derive(Debug)]
pub enum LockOutcome {
    /// Taken; a stale lock from a dead process was taken over when `took_over` says so.
    Held(Lock, Option<String>),
    /// Another live run holds it.
    Busy(String),
}

fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

impl Lock {
    /// Takes the lock at `path`, or reports who holds it. A lock whose process is gone is stale
    /// and is taken over.
    pub fn acquire(path: &Path) -> std::io::Result<LockOutcome> {
        use std::io::Write;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut took_over = None;
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(mut f) => {
                    writeln!(f, "{}", std::process::id())?;
                    f.sync_all()?;
                    return Ok(LockOutcome::Held(
                        Lock {
                            path: path.to_path_buf(),
                        },
                        took_over,
                    ));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let text = std::fs::read_to_string(path).unwrap_or_default();
                    let pid = text.trim().parse::<u32>().ok();
                    let age = std::fs::metadata(path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .map_or(0, |d| d.as_secs());
                    match pid {
                        Some(pid) if process_alive(pid) => {
                            return Ok(LockOutcome::Busy(format!(
                                "another publish run (pid {pid}) holds {}",
                                path.display()
                            )));
                        }
                        // A lock being written this instant has no pid yet.
                        None if age < 10 => {
                            return Ok(LockOutcome::Busy(format!(
                                "another publish run is starting and holds {}",
                                path.display()
                            )));
                        }
                        _ => {
                            took_over = Some(format!(
                                "took over a stale lock {} left by {}",
                                path.display(),
                                pid.map_or("an unknown process".to_string(), |p| format!(
                                    "pid {p}, which is no longer running"
                                ))
                            ));
                            std::fs::remove_file(path)?;
                        }
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(LockOutcome::Busy(format!(
            "could not take {} after removing a stale lock",
            path.display()
        )))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// How a run is to behave.
#[derive(Clone, Debug, Default)]
pub struct PublishOptions {
    /// The newsroom file.
    pub config: PathBuf,
    /// Say what would be written, write nothing.
    pub dry_run: bool,
    /// Do not fetch, even when the source says to: publish from what the archive holds.
    pub offline: bool,
    /// Today, for the schedule check and the future-dates gate.
    pub today: Option<NaiveDate>,
    /// Fault injection for tests: fail after writing this many files, as a killed run would.
    #[doc(hidden)]
    pub fail_after_files: Option<usize>,
}

/// What a run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Editions written (or that would be, in a dry run), with their files.
    Published {
        /// Editions published.
        editions: usize,
        /// Correction notes written.
        corrections: usize,
        /// Files written, relative to the output folder.
        files: Vec<String>,
        /// The release.
        release: NaiveDate,
        /// Whether anything was really written.
        dry_run: bool,
    },
    /// Every story already has the newest release.
    NothingNew {
        /// The newest release.
        release: NaiveDate,
    },
    /// Another run holds the lock.
    Busy(String),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Published {
                editions,
                corrections,
                release,
                dry_run,
                ..
            } => {
                let verb = if *dry_run {
                    "would publish"
                } else {
                    "published"
                };
                write!(f, "{verb} {editions} for release {release}")?;
                if *corrections > 0 {
                    write!(f, " and {corrections} correction(s)")?;
                }
                Ok(())
            }
            Outcome::NothingNew { release } => write!(f, "nothing new since {release}"),
            Outcome::Busy(why) => write!(f, "skipped: {why}"),
        }
    }
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
}

/// A hash of the figures a story was drafted from (every daily count and population), so the
/// same hash means the same data whichever file or archive they came from.
fn dataset_hash(inputs: &Inputs) -> String {
    let mut h = Sha256::new();
    for a in &inputs.dataset.areas {
        h.update(a.area_type.as_bytes());
        h.update(a.code.as_bytes());
        h.update(a.start.to_string().as_bytes());
        for c in &a.cases {
            h.update(c.map_or(-1i64, i64::from).to_le_bytes());
        }
        h.update(inputs.population.get(&a.code).unwrap_or(0).to_le_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn printed_figures(story: &Story) -> Vec<PrintedFigure> {
    files::table_areas(story)
        .into_iter()
        .map(|(_, a)| PrintedFigure {
            code: a.code.clone(),
            name: a.name.clone(),
            rate: a.rate.0,
            cases: a.cases,
            prev_rate: a.prev_rate.0,
            prev_cases: a.prev_cases,
        })
        .collect()
}

/// The changes between what an edition printed and what a later release says of the same
/// week, beyond the newsroom's thresholds.
pub fn revisions(
    printed: &[PrintedFigure],
    revised: &[PrintedFigure],
    limits: &Corrections,
) -> Vec<String> {
    let mut out = Vec::new();
    for old in printed {
        let Some(new) = revised.iter().find(|n| n.code == old.code) else {
            continue;
        };
        let rate_moved = |a: i64, b: i64| (a - b).abs() as f64 / 10.0 >= limits.rate_change;
        let cases_moved = |a: i64, b: i64| {
            a != b && (a - b).abs() as f64 >= limits.cases_share * (a.max(b).max(1) as f64)
        };
        for (what, a, b, is_rate) in [
            ("rate", old.rate, new.rate, true),
            ("cases", old.cases, new.cases, false),
            ("last week's rate", old.prev_rate, new.prev_rate, true),
            ("last week's cases", old.prev_cases, new.prev_cases, false),
        ] {
            let moved = if is_rate {
                rate_moved(a, b)
            } else {
                cases_moved(a, b)
            };
            if moved {
                let show = |v: i64| {
                    if is_rate {
                        crate::lang::rate_tenths(v)
                    } else {
                        crate::lang::thousands(v)
                    }
                };
                out.push(format!(
                    "{}: {what} {} is now {}",
                    old.name,
                    show(a),
                    show(b)
                ));
            }
        }
    }
    out
}

struct Planned {
    path: String,
    bytes: Vec<u8>,
}

/// Runs one publish: see the module documentation.
pub fn run(options: &PublishOptions) -> Result<Outcome, PublishError> {
    let newsroom = Newsroom::load(&options.config)?;
    let state_path = newsroom.output.join(".casewire-state.json");
    let lock_path = newsroom.output.join(".casewire.lock");
    let (_lock, took_over) = if options.dry_run {
        (None, None)
    } else {
        match Lock::acquire(&lock_path).map_err(|source| PublishError::Write {
            path: lock_path.clone(),
            source,
        })? {
            LockOutcome::Held(lock, took) => (Some(lock), took),
            LockOutcome::Busy(why) => return Ok(Outcome::Busy(why)),
        }
    };
    if let Some(note) = took_over {
        eprintln!("warning: {note}");
    }
    let mut state = State::load(&state_path)?;
    if !options.offline
        && !options.dry_run
        && let Some(summary) = fetch_today(&newsroom, options.today)?
    {
        eprintln!("{summary}");
    }
    let releases = releases_in(&newsroom.source)?;
    let release = *releases.last().expect("releases_in never returns none");
    if let Some(today) = options.today
        && newsroom.schedule.max_age_days > 0
    {
        let age = today.signed_duration_since(release).num_days();
        if age > i64::from(newsroom.schedule.max_age_days) {
            return Err(PublishError::Stale {
                release,
                age,
                max: newsroom.schedule.max_age_days,
            });
        }
    }
    let renderer =
        Renderer::new(newsroom.templates.as_deref()).map_err(|e| PublishError::Draft {
            story: "(templates)".into(),
            release,
            source: Box::new(e.into()),
        })?;
    let templates_hash = {
        let mut parts: Vec<Vec<u8>> = crate::render::BUILTIN
            .iter()
            .map(|(n, t)| [n.as_bytes(), t.as_bytes()].concat())
            .collect();
        if let Some(dir) = &newsroom.templates {
            parts.push(dir.display().to_string().into_bytes());
            if let Ok(entries) = std::fs::read_dir(dir) {
                let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
                entries.sort_by_key(|e| e.file_name());
                for e in entries {
                    parts.push(std::fs::read(e.path()).unwrap_or_default());
                }
            }
        }
        let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        sha256_hex(&refs)
    };
    let mut plan: Vec<Planned> = Vec::new();
    let mut new_editions: Vec<(String, Edition)> = Vec::new();
    let mut corrections = 0;
    let mut inputs_cache: Option<Inputs> = None;
    for story_cfg in &newsroom.stories {
        let draft_err = |e: DraftError| PublishError::Draft {
            story: story_cfg.name.clone(),
            release,
            source: Box::new(e),
        };
        if state
            .last_release(&story_cfg.name)
            .is_some_and(|last| last >= release)
        {
            continue;
        }
        let mut patch = Patch::load(&story_cfg.patch).map_err(|e| draft_err(e.into()))?;
        if let Some(universe) = story_cfg.universe {
            patch.universe = universe;
        }
        let inputs = match inputs_cache.take() {
            Some(mut cached) => {
                cached.patch = patch;
                cached.patch_path = story_cfg.patch.clone();
                cached
            }
            None => {
                let (dataset, population) =
                    release_data(&newsroom.source, release).map_err(draft_err)?;
                let mut loaded = crate::draft::inputs_from(&story_cfg.patch, dataset, &population)
                    .map_err(draft_err)?;
                loaded.patch = patch;
                loaded
            }
        };
        if story_cfg.each_area {
            let (data, archive, population) = release_sources(&newsroom.source, release);
            let data_hash = dataset_hash(&inputs);
            let folder = format!("{}-{release}", story_cfg.name);
            let mut written = Vec::new();
            // The week's national facts go first, in one file every story's sidecar names;
            // each story is planned as soon as it passes its checks, so the run never holds
            // every story's view model at once.
            let shared_at = plan.len();
            let run = crate::draft::draft_each_area_with(
                &crate::draft::EachAreaRequest {
                    patch: Some(story_cfg.patch.clone()),
                    data,
                    population,
                    release,
                    universe: Some(inputs.patch.universe),
                    template: story_cfg.template.clone(),
                    templates: newsroom.templates.clone(),
                    seed: None,
                    today: options.today,
                    archive,
                    no_audit: false,
                },
                |area| -> Result<(), DraftError> {
                    let stem = area.file_name.trim_end_matches(".md");
                    let slug = format!("{folder}/{stem}");
                    let a = &area.draft.story.core[0];
                    let front = files::FrontMatter {
                        title: area.draft.headline.as_deref().unwrap_or(&a.name),
                        standfirst: area.draft.standfirst.as_deref().unwrap_or(""),
                        date: release,
                        slug: &slug,
                        tags: vec![a.name.clone(), a.code.clone()],
                        story: &area.draft.story,
                        generator: format!("casewire {}", env!("CARGO_PKG_VERSION")),
                        data_hash: &data_hash,
                        templates_hash: &templates_hash,
                        seed: inputs.patch.seed,
                        image: None,
                    };
                    let markdown =
                        format!("{}\n{}", front.render(), strip_headline(&area.draft.output));
                    for (path, bytes) in [
                        (format!("{slug}.md"), markdown.into_bytes()),
                        (
                            format!("{slug}.facts.json"),
                            area.draft.facts.to_json().into_bytes(),
                        ),
                    ] {
                        written.push(path.clone());
                        plan.push(Planned { path, bytes });
                    }
                    Ok(())
                },
            )
            .map_err(draft_err)?;
            if let Some(shared) = run.shared {
                let path = format!("{folder}/{}", crate::draft::SHARED_FACTS_FILE);
                written.insert(0, path.clone());
                plan.insert(
                    shared_at,
                    Planned {
                        path,
                        bytes: shared.json.into_bytes(),
                    },
                );
            }
            new_editions.push((
                story_cfg.name.clone(),
                Edition {
                    release,
                    files: written,
                    // Corrections compare a patch's printed figures; an every-area edition
                    // is not checked for revisions (yet).
                    figures: Vec::new(),
                    corrected_with: Vec::new(),
                },
            ));
            inputs_cache = Some(inputs);
            continue;
        }
        let template = story_cfg
            .template
            .as_deref()
            .unwrap_or(crate::render::DEFAULT_TEMPLATE);
        let draft = crate::draft::draft_from(
            &inputs,
            &renderer,
            release,
            template,
            Format::Markdown,
            options.today,
            false,
        )
        .map_err(draft_err)?;
        let data_hash = dataset_hash(&inputs);
        let slug = format!("{}-{release}", story_cfg.name);
        let chart = format!("{slug}.svg");
        let mut tags: Vec<String> = Vec::new();
        for (_, a) in files::table_areas(&draft.story) {
            tags.push(a.name.clone());
            tags.push(a.code.clone());
        }
        let front = files::FrontMatter {
            title: draft.headline.as_deref().unwrap_or(&draft.story.region),
            standfirst: draft.standfirst.as_deref().unwrap_or(""),
            date: release,
            slug: &slug,
            tags,
            story: &draft.story,
            generator: format!("casewire {}", env!("CARGO_PKG_VERSION")),
            data_hash: &data_hash,
            templates_hash: &templates_hash,
            seed: inputs.patch.seed,
            image: Some(&chart),
        };
        // The headline is in the front matter; the body starts with the standfirst.
        let body = strip_headline(&draft.output);
        // Built here, not by a template, so escaped here: a region holding `]` or a line
        // break would otherwise end the image's text or start a heading.
        let alt = format!(
            "Covid-19 rates per 100,000 people in {} in the seven days to {}, against the week before",
            crate::lang::markdown_text(&draft.story.region),
            crate::lang::date(draft.story.week.end, None)
        );
        let markdown = format!("{}\n{body}\n![{alt}]({chart})\n", front.render());
        let story_json = serde_json::to_string_pretty(&draft.story).expect("serialisable") + "\n";
        let written = vec![
            format!("{slug}.md"),
            format!("{slug}.story.json"),
            format!("{slug}.csv"),
            chart.clone(),
            format!("{slug}.facts.json"),
        ];
        plan.push(Planned {
            path: written[0].clone(),
            bytes: markdown.into_bytes(),
        });
        plan.push(Planned {
            path: written[1].clone(),
            bytes: story_json.into_bytes(),
        });
        plan.push(Planned {
            path: written[2].clone(),
            bytes: files::table_csv(&draft.story).into_bytes(),
        });
        plan.push(Planned {
            path: written[3].clone(),
            bytes: files::chart_svg(&draft.story).into_bytes(),
        });
        // Every figure of the edition traced to the data, beside it.
        plan.push(Planned {
            path: written[4].clone(),
            bytes: draft.facts.to_json().into_bytes(),
        });
        new_editions.push((
            story_cfg.name.clone(),
            Edition {
                release,
                files: written,
                figures: printed_figures(&draft.story),
                corrected_with: Vec::new(),
            },
        ));

        // Earlier editions whose week this release revises.
        if let Some(editions) = state.stories.get_mut(&story_cfg.name) {
            for edition in editions.iter_mut() {
                if edition.release >= release || edition.corrected_with.contains(&release) {
                    continue;
                }
                let Ok(revised) = crate::draft::draft_from(
                    &inputs,
                    &renderer,
                    edition.release,
                    template,
                    Format::Json,
                    None,
                    // Only the revised figures are compared; this copy is never printed.
                    true,
                ) else {
                    continue;
                };
                let changes = revisions(
                    &edition.figures,
                    &printed_figures(&revised.story),
                    &newsroom.corrections,
                );
                if changes.is_empty() {
                    continue;
                }
                let mut note = format!(
                    "# Correction: {} of {}\n\nFigures published on {} have been revised in the data published on {}. The revised figures for the seven days to {} are:\n\n",
                    story_cfg.name,
                    edition.release,
                    crate::lang::date(edition.release, None),
                    crate::lang::date(release, None),
                    crate::lang::date(revised.story.week.end, None),
                );
                for c in &changes {
                    // The lines name areas: escaped, so a hostile name stays text.
                    note.push_str(&format!("- {}\n", crate::lang::markdown_text(c)));
                }
                let path = format!(
                    "{}-{}.correction-{release}.md",
                    story_cfg.name, edition.release
                );
                plan.push(Planned {
                    path: path.clone(),
                    bytes: note.into_bytes(),
                });
                edition.files.push(path);
                edition.corrected_with.push(release);
                corrections += 1;
            }
        }
        inputs_cache = Some(inputs);
    }
    if new_editions.is_empty() {
        return Ok(Outcome::NothingNew { release });
    }
    let files: Vec<String> = plan.iter().map(|p| p.path.clone()).collect();
    if options.dry_run {
        return Ok(Outcome::Published {
            editions: new_editions.len(),
            corrections,
            files,
            release,
            dry_run: true,
        });
    }
    // The files this run has put in place. A write that fails (a full disk, a read-only
    // folder, a name in the way) takes them away again, so no edition is left in print
    // half-written and unrecorded; a run killed outright cannot, and the next run rewrites
    // the same files before recording them.
    let mut written: Vec<PathBuf> = Vec::new();
    let undo = |written: &[PathBuf]| {
        for path in written {
            let _ = std::fs::remove_file(path);
        }
    };
    for (i, p) in plan.iter().enumerate() {
        if options.fail_after_files == Some(i) {
            return Err(PublishError::Write {
                path: newsroom.output.join(&p.path),
                source: std::io::Error::other("injected fault: the run was killed here"),
            });
        }
        let path = newsroom.output.join(&p.path);
        if let Err(source) = write_atomic(&path, &p.bytes) {
            undo(&written);
            return Err(PublishError::Write { path, source });
        }
        written.push(path);
    }
    // Only now that every file is in place does the state say so.
    let editions = new_editions.len();
    for (name, edition) in new_editions {
        state.stories.entry(name).or_default().push(edition);
    }
    let state_bytes = serde_json::to_vec_pretty(&state).expect("serialisable");
    if let Err(source) = write_atomic(&state_path, &state_bytes) {
        undo(&written);
        return Err(PublishError::Write {
            path: state_path.clone(),
            source,
        });
    }
    Ok(Outcome::Published {
        editions,
        corrections,
        files,
        release,
        dry_run: false,
    })
}

fn strip_headline(markdown: &str) -> &str {
    match markdown.strip_prefix("# ") {
        Some(rest) => rest
            .split_once('\n')
            .map_or("", |(_, body)| body.trim_start_matches('\n')),
        None => markdown,
    }
}
