//! The local archive of everything fetched: an SQLite file (bundled, so no server and no
//! system library), keyed by source, release, metric, area and date.
//!
//! A *release* is the version of the data a fetch got: the publication date asked of the
//! legacy v2 API (`2021-01-19`), or, for sources without releases, the fetch time in UTC
//! (`2026-11-23T15:40:00Z`). Both forms sort in time order as text, so "the latest release on
//! or before a date" is a string comparison. A later release that revises figures is stored
//! beside the earlier one, never over it; loading a release gives exactly the rows stored for
//! it, so the same release always yields the same dataset, and so the same story.
//!
//! A stored release is never rewritten: the same release fetched again with other numbers is
//! a revision beside it (`2021-01-19+r02`, see [`Archive::revision_for`]), which its date then
//! chooses. A fetch of some areas only is stored as *partial*: kept, and loadable by its exact
//! label, but never chosen by date, as the newest, or as "already in the archive". Each
//! release's rows carry a SHA-256 checksum, written when stored and checked when read.
//!
//! One fetch is written in one transaction: a fetch that fails, or a write that fails half
//! way, leaves the archive as it was.

use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};
use rusqlite::{Connection, OptionalExtension, params};

pub use crate::fetch::error::ArchiveError;
use crate::fetch::file::read_population_bytes;
use crate::model::parse_date;
use crate::model::{CASES_METRIC, Dataset, DatasetBuilder, Population, RowArea, SourceInfo};

mod releases;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS fetches (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    release TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    base_url TEXT NOT NULL,
    area_type TEXT NOT NULL,
    metrics TEXT NOT NULL,
    requests INTEGER NOT NULL,
    retries INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    rows INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS observations (
    source TEXT NOT NULL,
    release TEXT NOT NULL,
    metric TEXT NOT NULL,
    area_type TEXT NOT NULL,
    area_code TEXT NOT NULL,
    date TEXT NOT NULL,
    area_name TEXT NOT NULL,
    value REAL,
    fetch_id INTEGER NOT NULL REFERENCES fetches(id),
    PRIMARY KEY (source, release, metric, area_type, area_code, date)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS observations_by_type
    ON observations (source, area_type, release);
CREATE TABLE IF NOT EXISTS checksums (
    source TEXT NOT NULL,
    release TEXT NOT NULL,
    area_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (source, release, area_type)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS populations (
    name TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    stored_at TEXT NOT NULL,
    content BLOB NOT NULL
);
";

/// Which release to load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReleaseSelector {
    /// The newest stored.
    Latest,
    /// The newest published or fetched on or before this date: what an editor had that day.
    AsOf(NaiveDate),
    /// The newest published or fetched on this very date, and no other: what a story dated
    /// that day must be drafted from. None that day is an error; [`ReleaseSelector::AsOf`]
    /// is the explicit choice of an earlier one.
    On(NaiveDate),
    /// Exactly this release label, as stored (a partial fetch's too, named on purpose).
    Exact(String),
}

/// What identifies one fetch in the archive, and what it cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchRecord {
    /// `ukhsa`, `legacy-v2` or `legacy-v1`.
    pub source: String,
    /// The release label (see the module docs).
    pub release: String,
    /// When the fetch ran, RFC 3339 UTC.
    pub fetched_at: String,
    /// The base URL fetched from.
    pub base_url: String,
    /// The area type asked for.
    pub area_type: String,
    /// The metrics asked for.
    pub metrics: Vec<String>,
    /// Requests sent.
    pub requests: u64,
    /// Retries among them.
    pub retries: u64,
    /// Bytes received.
    pub bytes: u64,
    /// Only some areas were asked for: the rows are kept, but never stand as the release.
    pub partial: bool,
}

/// The archive file.
#[derive(Debug)]
pub struct Archive {
    conn: Connection,
    label: String,
}

impl Archive {
    /// Opens (creating if need be) the archive at `path`.
    pub fn open(path: &Path) -> Result<Self, ArchiveError> {
        let label = path.display().to_string();
        let conn = Connection::open(path).map_err(|source| ArchiveError::Sqlite {
            path: label.clone(),
            source,
        })?;
        Self::init(conn, label)
    }

    /// An archive that lives only in memory, for tests and dry runs.
    pub fn in_memory() -> Result<Self, ArchiveError> {
        let conn = Connection::open_in_memory().map_err(|source| ArchiveError::Sqlite {
            path: ":memory:".into(),
            source,
        })?;
        Self::init(conn, ":memory:".into())
    }

    fn init(conn: Connection, label: String) -> Result<Self, ArchiveError> {
        let archive = Self { conn, label };
        archive
            .conn
            .execute_batch(SCHEMA)
            .map_err(|e| archive.sql(e))?;
        // Archives made before partial fetches were told apart: every fetch in them is taken
        // as whole, which is what they were read as.
        let has_partial: bool = archive
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM pragma_table_info('fetches') WHERE name = 'partial')",
                [],
                |row| row.get(0),
            )
            .map_err(|e| archive.sql(e))?;
        if !has_partial {
            archive
                .conn
                .execute_batch("ALTER TABLE fetches ADD COLUMN partial INTEGER NOT NULL DEFAULT 0")
                .map_err(|e| archive.sql(e))?;
        }
        Ok(archive)
    }

    /// The default place for the archive: `casewire-archive.sqlite` in the working directory
    /// (a newsroom's job runs in its own directory). The command line reads
    /// `$CASEWIRE_ARCHIVE`; the library reads no environment.
    pub(crate) fn default_path() -> PathBuf {
        PathBuf::from("casewire-archive.sqlite")
    }

    fn sql(&self, source: rusqlite::Error) -> ArchiveError {
        ArchiveError::Sqlite {
            path: self.label.clone(),
            source,
        }
    }

    /// Stores a fetched dataset under `record.release`, in one transaction. `cases_metric` is
    /// the source's own name for the case count (stored as the source named it). Returns the
    /// number of observations written.
    pub fn store(
        &mut self,
        record: &FetchRecord,
        dataset: &Dataset,
        cases_metric: &str,
    ) -> Result<u64, ArchiveError> {
        let label = self.label.clone();
        let sql = |source| ArchiveError::Sqlite {
            path: label.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        let mut rows = 0u64;
        {
            tx.execute(
                "INSERT INTO fetches (source, release, fetched_at, base_url, area_type, metrics,
                     requests, retries, bytes, rows, partial)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10)",
                params![
                    record.source,
                    record.release,
                    record.fetched_at,
                    record.base_url,
                    record.area_type,
                    record.metrics.join(","),
                    record.requests as i64,
                    record.retries as i64,
                    record.bytes as i64,
                    record.partial,
                ],
            )
            .map_err(sql)?;
            let fetch_id = tx.last_insert_rowid();
            // A stored release is never rewritten: the same release fetched again keeps the
            // rows it had (a whole fetch after a partial one takes the rows over, so the
            // release then counts as whole), and a row with another value is refused.
            let mut existing = tx
                .prepare(
                    "SELECT o.value, f.partial FROM observations o JOIN fetches f ON f.id = o.fetch_id
                     WHERE o.source = ?1 AND o.release = ?2 AND o.metric = ?3
                       AND o.area_type = ?4 AND o.area_code = ?5 AND o.date = ?6",
                )
                .map_err(sql)?;
            let mut check =
                |metric: &str, code: &str, area_type: &str, date: &str, value: Option<f64>| {
                    let found: Option<(Option<f64>, bool)> = existing
                        .query_row(
                            params![record.source, record.release, metric, area_type, code, date],
                            |row| Ok((row.get(0)?, row.get(1)?)),
                        )
                        .optional()
                        .map_err(sql)?;
                    match found {
                        Some((old, _)) if old != value => Err(ArchiveError::Immutable {
                            path: label.clone(),
                            why: format!(
                                "{} release {} already holds {metric} = {} for {code} on {date}; \
                             this fetch has {}. A stored release is not rewritten",
                                record.source,
                                record.release,
                                old.map_or("no value".into(), |v| v.to_string()),
                                value.map_or("no value".into(), |v| v.to_string()),
                            ),
                        }),
                        Some((_, was_partial)) => Ok(was_partial && !record.partial),
                        None => Ok(true),
                    }
                };
            let mut insert = tx
                .prepare(
                    "INSERT OR REPLACE INTO observations
                        (source, release, metric, area_type, area_code, date, area_name, value,
                         fetch_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .map_err(sql)?;
            for area in &dataset.areas {
                let mut date = area.start;
                for value in &area.cases {
                    let day = date.format("%Y-%m-%d").to_string();
                    if !check(
                        cases_metric,
                        &area.code,
                        &area.area_type,
                        &day,
                        value.map(f64::from),
                    )? {
                        date = date + Days::new(1);
                        continue;
                    }
                    insert
                        .execute(params![
                            record.source,
                            record.release,
                            cases_metric,
                            area.area_type,
                            area.code,
                            date.format("%Y-%m-%d").to_string(),
                            area.name,
                            value.map(f64::from),
                            fetch_id,
                        ])
                        .map_err(sql)?;
                    rows += 1;
                    date = date + Days::new(1);
                }
                for (metric, series) in &area.extra {
                    for (date, value) in series {
                        let day = date.format("%Y-%m-%d").to_string();
                        if !check(metric, &area.code, &area.area_type, &day, Some(*value))? {
                            continue;
                        }
                        insert
                            .execute(params![
                                record.source,
                                record.release,
                                metric,
                                area.area_type,
                                area.code,
                                date.format("%Y-%m-%d").to_string(),
                                area.name,
                                value,
                                fetch_id,
                            ])
                            .map_err(sql)?;
                        rows += 1;
                    }
                }
            }
            tx.execute(
                "UPDATE fetches SET rows = ?1 WHERE id = ?2",
                params![rows as i64, fetch_id],
            )
            .map_err(sql)?;
            let mut types: Vec<&str> = dataset.areas.iter().map(|a| a.area_type.as_str()).collect();
            types.dedup();
            for area_type in types {
                let sum = checksum(&tx, &record.source, &record.release, area_type).map_err(sql)?;
                tx.execute(
                    "INSERT OR REPLACE INTO checksums (source, release, area_type, sha256)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![record.source, record.release, area_type, sum],
                )
                .map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)?;
        Ok(rows)
    }

    /// The label a fetch of `record.release` is stored under: the release itself, or its
    /// newest revision, when every row this fetch has there already holds the same value (or
    /// none); otherwise a new revision beside them, `2021-01-18+r02`, `+r03`, … A revision
    /// sorts after its release and before the next day's, so it is what a release's date
    /// chooses from then on, and the earlier numbers stay as they were, by their label.
    pub fn revision_for(
        &self,
        record: &FetchRecord,
        dataset: &Dataset,
        cases_metric: &str,
    ) -> Result<String, ArchiveError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT DISTINCT release FROM observations
                 WHERE source = ?1 AND (release = ?2 OR release LIKE ?2 || '+r%')",
            )
            .map_err(|e| self.sql(e))?;
        let mut labels = stmt
            .query_map(params![record.source, record.release], |row| {
                row.get::<_, String>(0)
            })
            .map_err(|e| self.sql(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e))?;
        labels.sort_by_key(|l| (l.len(), l.clone()));
        let Some(newest) = labels.last().cloned() else {
            return Ok(record.release.clone());
        };
        let mut value = self
            .conn
            .prepare(
                "SELECT value FROM observations WHERE source = ?1 AND release = ?2
                 AND metric = ?3 AND area_type = ?4 AND area_code = ?5 AND date = ?6",
            )
            .map_err(|e| self.sql(e))?;
        let mut differs =
            |metric: &str, area: &crate::model::Area, date: NaiveDate, v: Option<f64>| {
                let day = date.format("%Y-%m-%d").to_string();
                let old: Option<Option<f64>> = value
                    .query_row(
                        params![
                            record.source,
                            newest,
                            metric,
                            area.area_type,
                            area.code,
                            day
                        ],
                        |row| row.get(0),
                    )
                    .optional()
                    .map_err(|e| self.sql(e))?;
                Ok::<_, ArchiveError>(old.is_some_and(|old| old != v))
            };
        for area in &dataset.areas {
            for (i, v) in area.cases.iter().enumerate() {
                if differs(
                    cases_metric,
                    area,
                    area.start + Days::new(i as u64),
                    v.map(f64::from),
                )? {
                    return Ok(format!("{}+r{:02}", record.release, labels.len() + 1));
                }
            }
            for (metric, series) in &area.extra {
                for (date, v) in series {
                    if differs(metric, area, *date, Some(*v))? {
                        return Ok(format!("{}+r{:02}", record.release, labels.len() + 1));
                    }
                }
            }
        }
        Ok(newest)
    }

    /// The releases stored for a source (and area type, if given), oldest first.
    pub fn releases(
        &self,
        source: &str,
        area_type: Option<&str>,
    ) -> Result<Vec<String>, ArchiveError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT DISTINCT release FROM observations
                 WHERE source = ?1 AND (?2 IS NULL OR area_type = ?2)
                   AND fetch_id IN (SELECT id FROM fetches WHERE partial = 0)
                 ORDER BY release",
            )
            .map_err(|e| self.sql(e))?;
        let releases = stmt
            .query_map(params![source, area_type], |row| row.get::<_, String>(0))
            .map_err(|e| self.sql(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e))?;
        Ok(releases)
    }

    /// Whether a release holds any observation of `metric` for the area type.
    pub(crate) fn has_metric(
        &self,
        source: &str,
        area_type: &str,
        release: &str,
        metric: &str,
    ) -> Result<bool, ArchiveError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM observations
                 WHERE source = ?1 AND release = ?2 AND metric = ?3 AND area_type = ?4
                   AND fetch_id IN (SELECT id FROM fetches WHERE partial = 0))",
                params![source, release, metric, area_type],
                |row| row.get(0),
            )
            .map_err(|e| self.sql(e))
    }

    /// The release label a selector picks.
    fn resolve_release(
        &self,
        source: &str,
        area_type: Option<&str>,
        selector: &ReleaseSelector,
    ) -> Result<String, ArchiveError> {
        // Every label starts with its date, and a fetch time on day D sorts after "D" and
        // before "D+1", so "on or before D" is "before D+1".
        let mut from: Option<String> = None;
        let before = match selector {
            ReleaseSelector::Latest => None,
            ReleaseSelector::On(date) => {
                from = Some(date.format("%Y-%m-%d").to_string());
                Some((*date + Days::new(1)).format("%Y-%m-%d").to_string())
            }
            ReleaseSelector::AsOf(date) => {
                Some((*date + Days::new(1)).format("%Y-%m-%d").to_string())
            }
            ReleaseSelector::Exact(label) => {
                let found: Option<String> = self
                    .conn
                    .query_row(
                        "SELECT release FROM observations
                         WHERE source = ?1 AND (?2 IS NULL OR area_type = ?2) AND release = ?3
                         LIMIT 1",
                        params![source, area_type, label],
                        |row| row.get(0),
                    )
                    .optional()
                    .map_err(|e| self.sql(e))?;
                return found.ok_or_else(|| self.not_found(source, area_type, selector));
            }
        };
        let found: Option<String> = self
            .conn
            .query_row(
                "SELECT MAX(release) FROM observations
                 WHERE source = ?1 AND (?2 IS NULL OR area_type = ?2)
                   AND (?3 IS NULL OR release < ?3)
                   AND (?4 IS NULL OR release >= ?4)
                   AND fetch_id IN (SELECT id FROM fetches WHERE partial = 0)",
                params![source, area_type, before, from],
                |row| row.get(0),
            )
            .map_err(|e| self.sql(e))?;
        found.ok_or_else(|| self.not_found(source, area_type, selector))
    }

    fn not_found(
        &self,
        source: &str,
        area_type: Option<&str>,
        selector: &ReleaseSelector,
    ) -> ArchiveError {
        let what = match selector {
            ReleaseSelector::Latest => "any release".to_string(),
            ReleaseSelector::AsOf(d) => format!("a release on or before {d}"),
            ReleaseSelector::On(d) => format!("release on {d}"),
            ReleaseSelector::Exact(l) => format!("release {l}"),
        };
        let known = self
            .releases(source, area_type)
            .map(|r| {
                if r.is_empty() {
                    "none stored".to_string()
                } else {
                    format!("stored: {}", r.join(", "))
                }
            })
            .unwrap_or_default();
        let hint = match selector {
            ReleaseSelector::On(_) => {
                "; fetch it first, or draft from the newest earlier release on purpose (--as-of)"
            }
            _ => "; fetch it first",
        };
        ArchiveError::NotFound {
            path: self.label.clone(),
            why: format!(
                "no {what} of {source}{} ({known}){hint}",
                area_type.map(|t| format!(" {t}")).unwrap_or_default()
            ),
        }
    }

    /// Loads one release of a source as a dataset, for drafting offline. `cases_metric` is
    /// the source's own name for the case count; every other metric is loaded as an extra.
    /// Returns the dataset and the release label it came from.
    pub fn load(
        &self,
        source: &str,
        area_type: Option<&str>,
        selector: &ReleaseSelector,
        cases_metric: &str,
    ) -> Result<(Dataset, String), ArchiveError> {
        let release = self.resolve_release(source, area_type, selector)?;
        self.verify(source, &release, area_type)?;
        let mut builder = DatasetBuilder::new();
        let label = format!("{} ({source}, release {release})", self.label);
        let source_id = builder.add_source(SourceInfo {
            label: label.clone(),
            layout: "casewire archive".into(),
            release: parse_date(release.get(..10).unwrap_or("")),
        });
        let mut stmt = self
            .conn
            .prepare(
                "SELECT metric, area_type, area_code, area_name, date, value FROM observations
                 WHERE source = ?1 AND release = ?2 AND (?3 IS NULL OR area_type = ?3)
                 ORDER BY area_type, area_code, metric, date",
            )
            .map_err(|e| self.sql(e))?;
        let mut rows = stmt
            .query(params![source, release, area_type])
            .map_err(|e| self.sql(e))?;
        let mut line = 0u64;
        let build = |source| ArchiveError::Build {
            path: self.label.clone(),
            source: Box::new(source),
        };
        while let Some(row) = rows.next().map_err(|e| self.sql(e))? {
            line += 1;
            let get_text = |i| row.get::<_, String>(i);
            let (metric, area_type, code, name, date) = (
                get_text(0).map_err(|e| self.sql(e))?,
                get_text(1).map_err(|e| self.sql(e))?,
                get_text(2).map_err(|e| self.sql(e))?,
                get_text(3).map_err(|e| self.sql(e))?,
                get_text(4).map_err(|e| self.sql(e))?,
            );
            let value: Option<f64> = row.get(5).map_err(|e| self.sql(e))?;
            let Some(date) = parse_date(&date) else {
                return Err(ArchiveError::NotFound {
                    path: self.label.clone(),
                    why: format!("row {line} has the date \"{date}\", not YYYY-MM-DD"),
                });
            };
            let area = RowArea {
                code: &code,
                name: &name,
                area_type: &area_type,
            };
            if metric == cases_metric || metric == CASES_METRIC {
                builder
                    .push_cases(source_id, line, area, date, value.map(|v| v as i64))
                    .map_err(build)?;
            } else if let Some(value) = value {
                builder.push_extra(source_id, line, area, date, &metric, value);
            }
        }
        let dataset = builder.finish().map_err(build)?;
        Ok((dataset, release))
    }

    /// Checks the rows of a release against the checksums written when they were stored:
    /// a byte changed on disk, or a value edited by hand, is refused rather than printed.
    /// Releases stored before checksums were kept have none, and are read as they are.
    fn verify(
        &self,
        source: &str,
        release: &str,
        area_type: Option<&str>,
    ) -> Result<(), ArchiveError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT area_type, sha256 FROM checksums
                 WHERE source = ?1 AND release = ?2 AND (?3 IS NULL OR area_type = ?3)",
            )
            .map_err(|e| self.sql(e))?;
        let sums = stmt
            .query_map(params![source, release, area_type], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(|e| self.sql(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e))?;
        for (area_type, stored) in sums {
            let now = checksum(&self.conn, source, release, &area_type).map_err(|e| self.sql(e))?;
            if now != stored {
                return Err(ArchiveError::Checksum {
                    path: self.label.clone(),
                    why: format!(
                        "{source} {area_type} release {release} does not match the checksum \
                         written when it was stored (sha256 {stored}, now {now}): the archive \
                         has been changed or damaged since, and is not read"
                    ),
                });
            }
        }
        Ok(())
    }

    /// The fetches recorded, newest first.
    pub fn fetches(&self) -> Result<Vec<(FetchRecord, u64)>, ArchiveError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT source, release, fetched_at, base_url, area_type, metrics, requests,
                        retries, bytes, rows, partial
                 FROM fetches ORDER BY id DESC",
            )
            .map_err(|e| self.sql(e))?;
        let fetches = stmt
            .query_map([], |row| {
                let metrics: String = row.get(5)?;
                Ok((
                    FetchRecord {
                        source: row.get(0)?,
                        release: row.get(1)?,
                        fetched_at: row.get(2)?,
                        base_url: row.get(3)?,
                        area_type: row.get(4)?,
                        metrics: metrics.split(',').map(str::to_string).collect(),
                        requests: row.get::<_, i64>(6)? as u64,
                        retries: row.get::<_, i64>(7)? as u64,
                        bytes: row.get::<_, i64>(8)? as u64,
                        partial: row.get(10)?,
                    },
                    row.get::<_, i64>(9)? as u64,
                ))
            })
            .map_err(|e| self.sql(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sql(e))?;
        Ok(fetches)
    }

    /// How many observations are stored in all.
    pub fn observation_count(&self) -> Result<u64, ArchiveError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM observations", [], |row| {
                row.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(|e| self.sql(e))
    }

    /// Keeps a population table under `name` (e.g. `mid-2019`), as the bytes it was read
    /// from, after checking they read as one. A story names the table it used, so the same
    /// name must keep giving the same numbers: storing a different table under a name in use
    /// is refused.
    pub fn store_population(
        &mut self,
        name: &str,
        source: &str,
        bytes: &[u8],
        stored_at: &str,
    ) -> Result<Population, ArchiveError> {
        let (population, _) = read_population_bytes(source, bytes)?;
        let existing: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT content FROM populations WHERE name = ?1",
                params![name],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        match existing {
            Some(old) if old == bytes => {}
            Some(_) => {
                return Err(ArchiveError::NotFound {
                    path: self.label.clone(),
                    why: format!(
                        "a different population table is already stored as \"{name}\"; \
                         store this one under a new name"
                    ),
                });
            }
            None => {
                self.conn
                    .execute(
                        "INSERT INTO populations (name, source, stored_at, content)
                         VALUES (?1, ?2, ?3, ?4)",
                        params![name, source, stored_at, bytes],
                    )
                    .map_err(|e| self.sql(e))?;
            }
        }
        Ok(population)
    }

    /// The population table stored under `name`, with any notes from reading it.
    pub fn load_population(&self, name: &str) -> Result<(Population, Vec<String>), ArchiveError> {
        let found: Option<(String, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT source, content FROM populations WHERE name = ?1",
                params![name],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        let Some((source, content)) = found else {
            return Err(ArchiveError::NotFound {
                path: self.label.clone(),
                why: format!("no population table named \"{name}\""),
            });
        };
        Ok(read_population_bytes(
            &format!("{} (population {name}, from {source})", self.label),
            &content,
        )?)
    }
}

/// SHA-256 over one release's rows of one area type, in key order, each written as
/// `metric, code, date, name, value` (the value's bits, so every stored number counts).
fn checksum(
    conn: &Connection,
    source: &str,
    release: &str,
    area_type: &str,
) -> Result<String, rusqlite::Error> {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    let mut stmt = conn.prepare_cached(
        "SELECT metric, area_code, date, area_name, value FROM observations
         WHERE source = ?1 AND release = ?2 AND area_type = ?3
         ORDER BY metric, area_code, date",
    )?;
    let mut rows = stmt.query(params![source, release, area_type])?;
    while let Some(row) = rows.next()? {
        for i in 0..4 {
            let text: String = row.get(i)?;
            hasher.update(text.len().to_le_bytes());
            hasher.update(text.as_bytes());
        }
        match row.get::<_, Option<f64>>(4)? {
            Some(v) => {
                hasher.update([1]);
                hasher.update(v.to_bits().to_le_bytes());
            }
            None => hasher.update([0]),
        }
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}
