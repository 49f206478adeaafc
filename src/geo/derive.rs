//! Rebuilds `authorities.tsv` from mySociety's table of UK local authorities.
//!
//! The press forms of names are a newsroom's judgment, so they live here as rules plus a short
//! explicit list rather than in the upstream table; the generator applies both once and the crate
//! ships the result.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};

use super::table::{COLUMNS, Nation};

/// The county of each metropolitan district, by code. Metropolitan counties have no council row
/// in the upstream table, and its combined-authority column does not follow their bounds.
const MET_COUNTIES: &[(u32, u32, &str)] = &[
    (1, 10, "Greater Manchester"),
    (11, 15, "Merseyside"),
    (16, 19, "South Yorkshire"),
    (20, 24, "Tyne and Wear"),
    (25, 31, "West Midlands"),
    (32, 36, "West Yorkshire"),
    (37, 37, "Tyne and Wear"),
];

/// Names the rules below do not reach, as the press prints them, by code.
const PRESS_FORMS: &[(&str, &str)] = &[
    ("E06000010", "Hull"),
    ("E06000052", "Cornwall and the Isles of Scilly"),
    ("E07000146", "King's Lynn and West Norfolk"),
    ("E09000012", "Hackney and the City of London"),
    ("S12000013", "Na h-Eileanan Siar"),
    ("S12000023", "Orkney"),
    ("S12000027", "Shetland"),
    ("W06000001", "Anglesey"),
    ("W06000016", "Rhondda Cynon Taf"),
];

/// Areas the press names with "the" before them ("in the Vale of Glamorgan").
const WITH_THE: &[&str] = &[
    "E06000046", // Isle of Wight
    "E07000035", // Derbyshire Dales
    "E07000091", // New Forest
    "E07000124", // Ribble Valley
    "E07000180", // Vale of White Horse
    "E07000080", // Forest of Dean
    "E09000001", // City of London
    "S12000026", // Scottish Borders
    "W06000014", // Vale of Glamorgan
];

/// Corrections to the upstream table's county of a district (Forest Heath lay in Suffolk).
const COUNTY_FIXES: &[(&str, &str)] = &[("E07000201", "SFK")];

/// The press form of a council's short name, by rule: ONS inversions ("Bristol, City of") and
/// prefixes ("City of Edinburgh") lose their "City of", Scottish "Glasgow City" its "City", a
/// council's "Council" or "County" suffix goes, and "St." loses its full stop. The City of London
/// keeps its name: "City of" is all of it.
fn press_form(name: &str) -> String {
    let mut name = name.trim().to_string();
    for suffix in [
        ", City of",
        ", County of",
        ", Borough of",
        ", Royal Borough of",
    ] {
        if let Some(stem) = name.strip_suffix(suffix) {
            name = stem.to_string();
        }
    }
    if name != "City of London"
        && let Some(rest) = name.strip_prefix("City of ")
    {
        name = rest.to_string();
    }
    for suffix in [" City", " Council", " County"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            name = stem.to_string();
        }
    }
    if let Some(rest) = name.strip_prefix("The ") {
        name = rest.to_string();
    }
    name.replace("St. ", "St ")
}

/// What went wrong reading the upstream table.
#[derive(Debug, thiserror::Error)]
enum DeriveError {
    /// The CSV did not parse.
    #[error("reading {0}: {1}")]
    Csv(&'static str, csv::Error),
    /// A column the generator needs is missing.
    #[error("{0} has no column {1}")]
    Column(&'static str, &'static str),
    /// A row holds a date that is not YYYY-MM-DD.
    #[error("{0}: bad date {1:?}")]
    Date(String, String),
}

struct Row {
    registry: String,
    code: String,
    official: String,
    nice: String,
    start: String,
    end: String,
    replaced_by: String,
    nation: String,
    region: String,
    kind: String,
    county: String,
    former: Vec<String>,
}

fn read_rows(authorities_csv: &str) -> Result<Vec<Row>, DeriveError> {
    const NAME: &str = "uk_local_authorities.csv";
    let mut reader = csv::Reader::from_reader(authorities_csv.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| DeriveError::Csv(NAME, e))?
        .clone();
    let col = |name: &'static str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or(DeriveError::Column(NAME, name))
    };
    let cols = [
        col("local-authority-code")?,
        col("gss-code")?,
        col("official-name")?,
        col("nice-name")?,
        col("start-date")?,
        col("end-date")?,
        col("replaced-by")?,
        col("nation")?,
        col("region")?,
        col("local-authority-type")?,
        col("county-la")?,
        col("former-gss-codes")?,
    ];
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| DeriveError::Csv(NAME, e))?;
        let get = |i: usize| record.get(cols[i]).unwrap_or("").trim().to_string();
        rows.push(Row {
            registry: get(0),
            code: get(1),
            official: get(2),
            nice: get(3),
            start: get(4),
            end: get(5),
            replaced_by: get(6),
            nation: get(7),
            region: get(8),
            kind: get(9),
            county: get(10),
            former: get(11)
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect(),
        });
    }
    Ok(rows)
}

fn date(code: &str, text: &str) -> Result<Option<NaiveDate>, DeriveError> {
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| DeriveError::Date(code.to_string(), text.to_string()))
}

/// The registry code of a district's county, with [`COUNTY_FIXES`] applied.
fn county_la(row: &Row) -> &str {
    COUNTY_FIXES
        .iter()
        .find(|(code, _)| *code == row.code)
        .map(|(_, la)| *la)
        .unwrap_or(row.county.as_str())
}

/// Upstream leaves the region empty for some counties and abolished districts; they share it
/// with their county, their districts or their successor.
fn region_from_neighbours(row: &Row, rows: &[Row], by_registry: &BTreeMap<&str, &Row>) -> String {
    let county = by_registry.get(county_la(row)).map(|c| c.region.as_str());
    let district = rows
        .iter()
        .find(|d| d.county == row.registry && !d.region.is_empty())
        .map(|d| d.region.as_str());
    let successor = row
        .replaced_by
        .split(',')
        .filter_map(|r| by_registry.get(r.trim()))
        .map(|s| s.region.as_str())
        .next();
    [county, district, successor]
        .into_iter()
        .flatten()
        .find(|r| !r.is_empty())
        .unwrap_or("")
        .to_string()
}

/// Builds the shipped table (`authorities.tsv`) from mySociety's `uk_local_authorities.csv`
/// and `lookup_gss_to_registry.csv`: the rows with an ONS code of a lower-tier, unitary or county
/// authority, sorted by code.
///
/// End dates are made the first day an authority no longer existed: upstream gives some as the
/// last day (Aylesbury Vale, 2020-03-31) and some as the successor's first (Corby, 2021-04-01).
/// Former codes are the table's own plus any the lookup maps to the same authority.
fn derive_table(authorities_csv: &str, lookup_csv: &str) -> Result<String, DeriveError> {
    const LOOKUP: &str = "lookup_gss_to_registry.csv";
    let rows = read_rows(authorities_csv)?;
    let by_registry: BTreeMap<&str, &Row> = rows.iter().map(|r| (r.registry.as_str(), r)).collect();

    let mut former_by_registry: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut reader = csv::Reader::from_reader(lookup_csv.as_bytes());
    for record in reader.records() {
        let record = record.map_err(|e| DeriveError::Csv(LOOKUP, e))?;
        let (Some(gss), Some(registry)) = (record.get(0), record.get(1)) else {
            return Err(DeriveError::Column(LOOKUP, "local-authority-code"));
        };
        former_by_registry
            .entry(registry.trim().to_string())
            .or_default()
            .push(gss.trim().to_string());
    }

    let mut out: Vec<(String, String)> = Vec::new();
    for row in &rows {
        let prefix = row.code.get(..3).unwrap_or("");
        if !matches!(
            prefix,
            "E06" | "E07" | "E08" | "E09" | "E10" | "W06" | "S12" | "N09"
        ) {
            continue;
        }
        let code = row.code.as_str();
        let start = date(code, &row.start)?;
        let end = match date(code, &row.end)? {
            None => None,
            Some(end) => {
                let successor_starts_then = row
                    .replaced_by
                    .split(',')
                    .filter_map(|r| by_registry.get(r.trim()))
                    .any(|s| date(&s.code, &s.start).ok().flatten() == Some(end));
                if successor_starts_then {
                    Some(end)
                } else {
                    end.checked_add_days(Days::new(1))
                }
            }
        };
        let print = PRESS_FORMS
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, p)| p.to_string())
            .unwrap_or_else(|| press_form(&row.nice));
        let article = if WITH_THE.contains(&code) { "the" } else { "" };
        let county = if prefix == "E08" {
            let number: u32 = code[3..].parse().unwrap_or(0);
            MET_COUNTIES
                .iter()
                .find(|(lo, hi, _)| (*lo..=*hi).contains(&number))
                .map(|(_, _, name)| name.to_string())
                .unwrap_or_default()
        } else if prefix == "E07" {
            by_registry
                .get(county_la(row))
                .map(|c| press_form(&c.nice))
                .unwrap_or_default()
        } else {
            String::new()
        };
        let mut former = row.former.clone();
        for gss in former_by_registry.get(&row.registry).into_iter().flatten() {
            if gss != code && !former.contains(gss) {
                former.push(gss.clone());
            }
        }
        former.sort();
        let replaced_by: Vec<&str> = row
            .replaced_by
            .split(',')
            .filter_map(|r| by_registry.get(r.trim()))
            .map(|s| s.code.as_str())
            .filter(|c| !c.is_empty())
            .collect();
        let nation = Nation::from_name(&row.nation)
            .map(Nation::name)
            .unwrap_or("");
        let region = if row.region.is_empty() {
            region_from_neighbours(row, &rows, &by_registry)
        } else {
            row.region.clone()
        };
        let fields = [
            code.to_string(),
            row.official.clone(),
            print,
            article.to_string(),
            nation.to_string(),
            region,
            county,
            row.kind.clone(),
            start.map(|d| d.to_string()).unwrap_or_default(),
            end.map(|d| d.to_string()).unwrap_or_default(),
            former.join(","),
            replaced_by.join(","),
        ];
        out.push((code.to_string(), fields.join("\t")));
    }
    out.sort();
    let mut text = COLUMNS.join("\t");
    text.push('\n');
    for (_, line) in out {
        text.push_str(&line);
        text.push('\n');
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::{derive_table, press_form};

    /// The table the generator makes from mySociety's files in ../shared/data/geography.
    fn generated() -> String {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/geography");
        let authorities = std::fs::read_to_string(dir.join("uk_local_authorities.csv")).unwrap();
        let lookup = std::fs::read_to_string(dir.join("lookup_gss_to_registry.csv")).unwrap();
        derive_table(&authorities, &lookup).unwrap()
    }

    /// The shipped table is what the generator makes; with `CASEWIRE_REGENERATE_GEO=1` in
    /// the environment the test writes it anew instead (after a change to the generator or
    /// to ../shared/data/geography), and the diff is reviewed like any other.
    #[test]
    fn shipped_table_is_what_the_generator_makes() {
        if std::env::var_os("CASEWIRE_REGENERATE_GEO").is_some() {
            let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/geo/authorities.tsv");
            std::fs::write(out, generated()).unwrap();
            return;
        }
        assert!(
            generated() == crate::geo::TABLE,
            "src/geo/authorities.tsv is stale: run `CASEWIRE_REGENERATE_GEO=1 cargo test --lib geo::derive` and review the diff"
        );
    }

    #[test]
    fn inversions_and_prefixes_go_by_rule() {
        assert_eq!(press_form("Bristol, City of"), "Bristol");
        assert_eq!(press_form("Herefordshire, County of"), "Herefordshire");
        assert_eq!(
            press_form("Kingston upon Hull, City of"),
            "Kingston upon Hull"
        );
        assert_eq!(press_form("City of Edinburgh"), "Edinburgh");
        assert_eq!(press_form("Glasgow City"), "Glasgow");
        assert_eq!(press_form("Dundee City"), "Dundee");
        assert_eq!(press_form("St. Helens"), "St Helens");
        assert_eq!(press_form("The Vale of Glamorgan"), "Vale of Glamorgan");
        assert_eq!(press_form("Dorset Council"), "Dorset");
        assert_eq!(
            press_form("Newry, Mourne and Down "),
            "Newry, Mourne and Down"
        );
        assert_eq!(press_form("City of London"), "City of London");
        assert_eq!(press_form("County Durham"), "County Durham");
        assert_eq!(
            press_form("Armagh City, Banbridge and Craigavon"),
            "Armagh City, Banbridge and Craigavon"
        );
    }
}
