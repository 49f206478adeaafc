//! Population tables: `areaCode,areaName,population` and the dashboard's supplement.

use std::collections::BTreeMap;
use std::path::Path;

use crate::model::{Location, Population};

/// Why a population table could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PopulationError {
    /// The file could not be read.
    #[error("cannot read population table {path}")]
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The header is not one of the layouts we know.
    #[error(
        "{source_label}: not a population table: expected a header \"areaCode,areaName,population\" \
         or \"category,areaCode,gender,age,population\", found \"{found}\""
    )]
    Layout {
        /// The file.
        source_label: String,
        /// The header found.
        found: String,
    },
    /// A row is malformed.
    #[error("{location}: {why}")]
    Row {
        /// Where.
        location: Location,
        /// What is wrong.
        why: String,
    },
    /// The table has no totals at all.
    #[error("{source_label}: no population totals found")]
    Empty {
        /// The file.
        source_label: String,
    },
}

/// Reads a population table, in either layout the dashboard used.
///
/// When a code is given twice (the mid-2019 table lists Hackney alone and then Hackney with the
/// City of London under the same code), the later row wins: that is how the dashboard's merged
/// areas are written. Each such override is listed in the returned notes.
pub fn read_population_file(path: &Path) -> Result<(Population, Vec<String>), PopulationError> {
    let label = path.display().to_string();
    let io = |source| PopulationError::Io {
        path: label.clone(),
        source,
    };
    crate::fsio::check_readable(path).map_err(io)?;
    let file = std::fs::File::open(path).map_err(io)?;
    // Streamed, record by record: a table is never held whole.
    read_population(&label, std::io::BufReader::new(file))
}

/// Reads a population table from bytes; see [`read_population_file`].
pub fn read_population_bytes(
    label: &str,
    bytes: &[u8],
) -> Result<(Population, Vec<String>), PopulationError> {
    read_population(label, bytes)
}

fn read_population(
    label: &str,
    input: impl std::io::Read,
) -> Result<(Population, Vec<String>), PopulationError> {
    let mut reader = csv::ReaderBuilder::new().from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| PopulationError::Row {
            location: Location {
                source: label.to_string(),
                line: 1,
            },
            why: e.to_string(),
        })?
        .clone();
    let find = |name: &str| headers.iter().position(|h| h.trim() == name);
    let found = headers.iter().collect::<Vec<_>>().join(",");
    let (Some(code_col), Some(pop_col)) = (find("areaCode"), find("population")) else {
        return Err(PopulationError::Layout {
            source_label: label.to_string(),
            found,
        });
    };
    let category = find("category");
    let gender = find("gender");
    let age = find("age");
    let name_col = find("areaName");
    let layout = if category.is_some() {
        "dashboard population supplement (category=ALL totals)"
    } else {
        "areaCode,areaName,population"
    };
    let mut by_code: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let more = reader
            .read_record(&mut record)
            .map_err(|e| PopulationError::Row {
                location: Location {
                    source: label.to_string(),
                    line: e.position().map_or(0, |p| p.line()),
                },
                why: e.to_string(),
            })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        let is_total = |col: Option<usize>| col.is_none_or(|i| record[i].trim() == "ALL");
        if !(is_total(category) && is_total(gender) && is_total(age)) {
            continue;
        }
        let code = record[code_col].trim().to_string();
        for (field, col) in [("code", Some(code_col)), ("name", name_col)] {
            let Some(text) = col.map(|i| record[i].trim()) else {
                continue;
            };
            if let Some((_, c, kind)) = crate::model::find_forbidden(text) {
                return Err(PopulationError::Row {
                    location: Location {
                        source: label.to_string(),
                        line,
                    },
                    why: format!(
                        "area {}: the {field} holds {}, {kind}; the table is refused",
                        crate::model::show_forbidden(&code),
                        crate::model::code_point(c)
                    ),
                });
            }
        }
        let text = record[pop_col].trim();
        let population = parse_population(text).map_err(|why| PopulationError::Row {
            location: Location {
                source: label.to_string(),
                line,
            },
            why: match why {
                // Zero is a whole number, just not a population: nothing more to say.
                None => format!("population of {code} is \"{text}\", not a positive whole number"),
                Some(why) => format!(
                    "population of {code} is \"{text}\", not a positive whole number: {why}; \
                     every table the dashboard used writes plain digits (259778), so the \
                     table is refused"
                ),
            },
        })?;
        if let Some((old, old_line)) = by_code.insert(code.clone(), (population, line))
            && old != population
        {
            notes.push(format!(
                "{label}: {code} is given twice; line {line} ({population}) is used over line \
                 {old_line} ({old})"
            ));
        }
    }
    if by_code.is_empty() {
        return Err(PopulationError::Empty {
            source_label: label.to_string(),
        });
    }
    Ok((
        Population {
            by_code: by_code.into_iter().map(|(k, (p, _))| (k, p)).collect(),
            source: label.to_string(),
            layout: layout.to_string(),
        },
        notes,
    ))
}

/// A population as the dashboard's tables write it: plain digits, above zero. Rust's own parse
/// also takes `+5`, and a float column's `2.5e5` or `259778.0` would be a table rewritten by
/// another program, so only digits are read; more than a `u64` holds is refused too.
fn parse_population(text: &str) -> Result<u64, Option<&'static str>> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Some(super::count_spelling(text)));
    }
    match text.parse::<u64>() {
        Ok(0) => Err(None),
        Ok(p) => Ok(p),
        Err(_) => Err(Some("it is too large to be a population")),
    }
}
