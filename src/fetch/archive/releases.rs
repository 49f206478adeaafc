//! What the archive says a release should hold: the areas of the whole release stored before
//! it, for the completeness gates (see [`crate::gates::ExpectedAreas`]).

use std::collections::BTreeMap;

use rusqlite::params;

use super::{Archive, ArchiveError};

impl Archive {
    /// The newest whole release of `source` and `area_type` stored before `label` (an earlier
    /// revision of the same day counts): the release the areas of `label` are checked against.
    /// `None` when `label` is the first.
    pub fn previous_release(
        &self,
        source: &str,
        area_type: &str,
        label: &str,
    ) -> Result<Option<String>, ArchiveError> {
        self.conn
            .query_row(
                "SELECT MAX(release) FROM observations
                 WHERE source = ?1 AND area_type = ?2 AND release < ?3
                   AND fetch_id IN (SELECT id FROM fetches WHERE partial = 0)",
                params![source, area_type, label],
                |row| row.get(0),
            )
            .map_err(|e| self.sql(e))
    }

    /// The areas of `area_type` a stored release holds, code → name, after checking the
    /// release against its checksum (a damaged release says nothing about what to expect).
    pub fn areas_of(
        &self,
        source: &str,
        area_type: &str,
        label: &str,
    ) -> Result<BTreeMap<String, String>, ArchiveError> {
        self.verify(source, label, Some(area_type))?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT area_code, MAX(area_name) FROM observations
                 WHERE source = ?1 AND release = ?2 AND area_type = ?3
                 GROUP BY area_code",
            )
            .map_err(|e| self.sql(e))?;
        let areas = stmt
            .query_map(params![source, label, area_type], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(|e| self.sql(e))?
            .collect::<Result<BTreeMap<_, _>, _>>()
            .map_err(|e| self.sql(e))?;
        Ok(areas)
    }
}
