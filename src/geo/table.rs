//! The shipped table of authorities and its loader.

use chrono::NaiveDate;

/// The columns of `authorities.tsv`, in order.
pub const COLUMNS: [&str; 12] = [
    "code",
    "official_name",
    "print_name",
    "article",
    "nation",
    "region",
    "county",
    "kind",
    "start",
    "end",
    "former_codes",
    "replaced_by",
];

/// A nation of the United Kingdom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Nation {
    /// England.
    England,
    /// Wales.
    Wales,
    /// Scotland.
    Scotland,
    /// Northern Ireland.
    NorthernIreland,
}

impl Nation {
    /// The nation's name as printed ("Northern Ireland").
    pub fn name(self) -> &'static str {
        match self {
            Nation::England => "England",
            Nation::Wales => "Wales",
            Nation::Scotland => "Scotland",
            Nation::NorthernIreland => "Northern Ireland",
        }
    }

    /// The nation a printed name stands for.
    pub(crate) fn from_name(name: &str) -> Option<Nation> {
        match name {
            "England" => Some(Nation::England),
            "Wales" => Some(Nation::Wales),
            "Scotland" => Some(Nation::Scotland),
            "Northern Ireland" => Some(Nation::NorthernIreland),
            _ => None,
        }
    }
}

/// One local authority, current or abolished, as the shipped table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    /// The ONS (GSS) code the dashboard uses, e.g. `E07000188`.
    pub code: &'static str,
    /// The council's official name ("Sedgemoor District Council").
    pub official_name: &'static str,
    /// The name as the press prints it, without any leading "the".
    pub print_name: &'static str,
    /// Whether the press puts "the" before the name ("the Vale of Glamorgan").
    pub the: bool,
    /// The nation the authority lies in.
    pub nation: Nation,
    /// The English region, or the nation's name outside England.
    pub region: &'static str,
    /// The county of a two-tier district or metropolitan district; empty otherwise.
    pub county: &'static str,
    /// mySociety's authority type (`NMD`, `MD`, `UA`, `LBO`, `CTY`, `SCO`, `WPA`, `NID`).
    pub kind: &'static str,
    /// The first day the authority existed; `None` when it predates the records.
    pub start: Option<NaiveDate>,
    /// The first day it no longer existed; `None` while it exists.
    pub end: Option<NaiveDate>,
    /// Codes it carried before its current one (retired before the dashboard began).
    pub former_codes: Vec<&'static str>,
    /// The codes of the authorities that replaced it, if it was abolished.
    pub replaced_by: Vec<&'static str>,
}

impl Authority {
    /// Whether the authority existed on `date`.
    pub(crate) fn exists_on(&self, date: NaiveDate) -> bool {
        self.start.is_none_or(|s| s <= date) && self.end.is_none_or(|e| date < e)
    }
}

/// Why the shipped table (or a table given to [`parse_table`]) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// The header line is not [`COLUMNS`].
    #[error("authority table: the header is not {expected:?}")]
    Header {
        /// The columns expected.
        expected: String,
    },
    /// A row is malformed; `line` counts from 1, the header being line 1.
    #[error("authority table line {line}: {reason}")]
    Row {
        /// The line of the table.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}

fn row_error(line: usize, reason: impl Into<String>) -> TableError {
    TableError::Row {
        line,
        reason: reason.into(),
    }
}

fn is_code(code: &str) -> bool {
    code.len() == 9
        && code.as_bytes()[0].is_ascii_uppercase()
        && code.as_bytes()[1..].iter().all(u8::is_ascii_digit)
}

fn parse_date(line: usize, column: &str, text: &str) -> Result<Option<NaiveDate>, TableError> {
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| row_error(line, format!("{column} {text:?} is not a YYYY-MM-DD date")))
}

fn codes(line: usize, column: &str, text: &'static str) -> Result<Vec<&'static str>, TableError> {
    let list: Vec<&'static str> = text.split(',').filter(|c| !c.is_empty()).collect();
    match list.iter().find(|c| !is_code(c)) {
        Some(bad) => Err(row_error(
            line,
            format!("{column} {bad:?} is not an ONS code"),
        )),
        None => Ok(list),
    }
}

/// Parses a table in the shipped layout, sorted by code. Refuses, naming the line, a row with the
/// wrong number of fields, a control character, a bad code, nation or date, an end not after its
/// start, or a code out of order or given twice.
pub fn parse_table(text: &'static str) -> Result<Vec<Authority>, TableError> {
    let mut lines = text.lines();
    if lines.next() != Some(COLUMNS.join("\t").as_str()) {
        return Err(TableError::Header {
            expected: COLUMNS.join(" "),
        });
    }
    let mut authorities: Vec<Authority> = Vec::new();
    for (index, row) in lines.enumerate() {
        let line = index + 2;
        if let Some(c) = row.chars().find(|c| c.is_control() && *c != '\t') {
            return Err(row_error(
                line,
                format!("control character U+{:04X}", c as u32),
            ));
        }
        let fields: Vec<&'static str> = row.split('\t').collect();
        let [
            code,
            official_name,
            print_name,
            article,
            nation,
            region,
            county,
            kind,
            start,
            end,
            former,
            replaced,
        ] = fields[..]
        else {
            return Err(row_error(
                line,
                format!("{} fields, not {}", fields.len(), COLUMNS.len()),
            ));
        };
        if !is_code(code) {
            return Err(row_error(line, format!("{code:?} is not an ONS code")));
        }
        if print_name.trim().is_empty() || print_name.trim() != print_name {
            return Err(row_error(
                line,
                format!("print name {print_name:?} of {code}"),
            ));
        }
        let the = match article {
            "" => false,
            "the" => true,
            other => {
                return Err(row_error(
                    line,
                    format!("article {other:?} is not \"the\" or empty"),
                ));
            }
        };
        let nation = Nation::from_name(nation)
            .ok_or_else(|| row_error(line, format!("{nation:?} is not a nation")))?;
        let start = parse_date(line, "start", start)?;
        let end = parse_date(line, "end", end)?;
        if let (Some(s), Some(e)) = (start, end)
            && e <= s
        {
            return Err(row_error(
                line,
                format!("{code} ends {e}, not after it starts {s}"),
            ));
        }
        if let Some(last) = authorities.last()
            && last.code >= code
        {
            return Err(row_error(
                line,
                format!("{code} is out of order or given twice"),
            ));
        }
        authorities.push(Authority {
            code,
            official_name,
            print_name,
            the,
            nation,
            region,
            county,
            kind,
            start,
            end,
            former_codes: codes(line, "former code", former)?,
            replaced_by: codes(line, "replaced_by", replaced)?,
        });
    }
    Ok(authorities)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str =
        "E06000001\tHartlepool Borough Council\tHartlepool\t\tEngland\tNorth East\t\tUA\t\t\t\t";

    fn table(rows: &[&str]) -> &'static str {
        let mut text = COLUMNS.join("\t");
        for row in rows {
            text.push('\n');
            text.push_str(row);
        }
        Box::leak(text.into_boxed_str())
    }

    fn refusal(row: &str) -> String {
        parse_table(table(&[GOOD, row])).unwrap_err().to_string()
    }

    #[test]
    fn a_good_row_loads() {
        let rows = parse_table(table(&[GOOD])).unwrap();
        assert_eq!(rows[0].print_name, "Hartlepool");
        assert_eq!(rows[0].nation, Nation::England);
    }

    #[test]
    fn malformed_rows_are_refused_naming_the_line() {
        let control =
            "E06000002\tMiddlesbrough\tMiddles\u{7}brough\t\tEngland\tNorth East\t\tUA\t\t\t\t";
        assert_eq!(
            refusal(control),
            "authority table line 3: control character U+0007"
        );
        assert!(refusal("E06000002\tMiddlesbrough").contains("line 3: 2 fields, not 12"));
        let bad_date = "E06000002\tM\tM\t\tEngland\tNorth East\t\tUA\t2019-13-01\t\t\t";
        assert!(refusal(bad_date).contains("line 3: start \"2019-13-01\""));
        let bad_nation = "E06000002\tM\tM\t\tMercia\tNorth East\t\tUA\t\t\t\t";
        assert!(refusal(bad_nation).contains("line 3: \"Mercia\" is not a nation"));
        assert!(refusal(GOOD).contains("line 3: E06000001 is out of order or given twice"));
        let bad_former = "E06000002\tM\tM\t\tEngland\tNorth East\t\tUA\t\t\tX1\t";
        assert!(refusal(bad_former).contains("line 3: former code \"X1\""));
        let backwards = "E06000002\tM\tM\t\tEngland\tNorth East\t\tUA\t2020-04-01\t2019-04-01\t\t";
        assert!(refusal(backwards).contains("line 3: E06000002 ends 2019-04-01"));
        assert!(parse_table("code\tname\n").is_err());
    }
}
