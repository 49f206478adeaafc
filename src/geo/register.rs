//! Which areas the dashboard published on a date: its geography vintages.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::NaiveDate;

use super::table::Authority;

/// Areas the dashboard never published on their own, and the area it counted them in.
pub const MERGED: &[(&str, &str)] = &[
    ("E09000001", "E09000012"), // City of London, with Hackney
    ("E06000053", "E06000052"), // Isles of Scilly, with Cornwall
];

/// One geography the dashboard used: the local authorities as they stood on `as_at`, published
/// on the dates from `from` to `to` (both inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vintage {
    /// The first date the register knows this geography in use.
    pub from: NaiveDate,
    /// The last date the register knows this geography in use.
    pub to: NaiveDate,
    /// The date whose authorities the geography holds.
    pub as_at: NaiveDate,
}

/// The dashboard's geography vintages, over the authority table.
#[derive(Debug)]
pub struct Register {
    authorities: &'static [Authority],
    vintages: Vec<Vintage>,
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a register date is a date")
}

/// The dashboard lagged the ONS: in January 2021 it still published Buckinghamshire's four
/// districts (merged in April 2020), and in August 2021 Northamptonshire's seven districts (merged
/// in April 2021). Only the spans the shared data show are claimed; when the dashboard switched
/// between them is not known, so dates between (and after) have no vintage.
const VINTAGES: &[(&str, &str, &str)] = &[
    ("2020-01-01", "2021-02-01", "2019-04-01"),
    ("2021-07-25", "2021-09-11", "2020-04-01"),
];

fn is_lower_tier(code: &str) -> bool {
    matches!(
        &code[..3],
        "E06" | "E07" | "E08" | "E09" | "W06" | "S12" | "N09"
    )
}

impl Register {
    /// The register built into the crate (built once).
    pub fn builtin() -> &'static Register {
        static REGISTER: OnceLock<Register> = OnceLock::new();
        REGISTER.get_or_init(|| Register {
            authorities: super::authorities(),
            vintages: VINTAGES
                .iter()
                .map(|(from, to, as_at)| Vintage {
                    from: day(from),
                    to: day(to),
                    as_at: day(as_at),
                })
                .collect(),
        })
    }

    /// The known vintages, oldest first.
    pub fn vintages(&self) -> &[Vintage] {
        &self.vintages
    }

    /// The vintage the dashboard used on `date`, if the register knows it.
    fn vintage_on(&self, date: NaiveDate) -> Option<&Vintage> {
        self.vintages
            .iter()
            .find(|v| v.from <= date && date <= v.to)
    }

    fn areas_on(&self, date: NaiveDate, keep: fn(&str) -> bool) -> Option<BTreeSet<&'static str>> {
        let as_at = self.vintage_on(date)?.as_at;
        Some(
            self.authorities
                .iter()
                .filter(|a| keep(a.code) && a.exists_on(as_at))
                .filter(|a| !MERGED.iter().any(|(gone, _)| *gone == a.code))
                .map(|a| a.code)
                .collect(),
        )
    }

    /// The lower-tier areas (England's E06, E07, E08, E09; W06; S12; N09) the dashboard
    /// published on `date`, with its merges (no E09000001, no E06000053); `None` for a date no
    /// known vintage covers.
    pub fn lower_tier_on(&self, date: NaiveDate) -> Option<BTreeSet<&'static str>> {
        self.areas_on(date, is_lower_tier)
    }

    /// The upper-tier areas the dashboard published on `date`: counties (E10) and every
    /// lower-tier area that is not a two-tier district, with the same merges; Scottish councils
    /// are included (the dashboard's upper tier held them, though the shared utla files do not).
    pub fn upper_tier_on(&self, date: NaiveDate) -> Option<BTreeSet<&'static str>> {
        self.areas_on(date, |c| {
            c.starts_with("E10") || (is_lower_tier(c) && !c.starts_with("E07"))
        })
    }
}
