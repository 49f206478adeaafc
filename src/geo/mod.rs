//! UK local authorities: the dashboard's geography vintages, names as the press prints them,
//! qualifiers, nations and regions.
//!
//! The table `authorities.tsv` is derived from mySociety's `uk_local_authorities.csv` and
//! `lookup_gss_to_registry.csv` (`../shared/data/geography/`; MIT licence, copyright mySociety)
//! by `derive::derive_table`, a test-time generator. The test
//! `geo::derive::tests::shipped_table_is_what_the_generator_makes` fails when the two drift
//! apart; `CASEWIRE_REGENERATE_GEO=1 cargo test --lib geo::derive` rebuilds it.
//!
//! It sits beside `model` at the bottom layer and uses nothing else of the crate.

#[cfg(test)]
mod derive;
mod register;
mod table;

use std::collections::HashMap;
use std::sync::OnceLock;

pub use register::{MERGED, Register, Vintage};
pub use table::{Authority, COLUMNS, Nation, TableError, parse_table};

/// The shipped table, in the layout of [`COLUMNS`].
pub(crate) const TABLE: &str = include_str!("authorities.tsv");

struct Loaded {
    authorities: Vec<Authority>,
    by_code: HashMap<&'static str, usize>,
}

fn loaded() -> &'static Loaded {
    static LOADED: OnceLock<Loaded> = OnceLock::new();
    LOADED.get_or_init(|| {
        // The table is part of the crate and checked by its tests, so a refusal is a build fault.
        let authorities = parse_table(TABLE).unwrap_or_else(|e| panic!("{e}"));
        let by_code = authorities
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code, i))
            .collect();
        Loaded {
            authorities,
            by_code,
        }
    })
}

/// Every authority of the shipped table, sorted by code.
pub fn authorities() -> &'static [Authority] {
    &loaded().authorities
}

/// The authority with this ONS code.
pub fn authority(code: &str) -> Option<&'static Authority> {
    let loaded = loaded();
    loaded.by_code.get(code).map(|&i| &loaded.authorities[i])
}

/// An area's name as the press prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrintName {
    /// The name without its article ("Vale of Glamorgan").
    pub name: &'static str,
    /// Whether the press writes "the" before it.
    pub the: bool,
}

impl PrintName {
    /// The name inside a sentence: "the Vale of Glamorgan", "Sedgemoor".
    pub fn in_sentence(&self) -> String {
        if self.the {
            format!("the {}", self.name)
        } else {
            self.name.to_string()
        }
    }

    /// The name opening a sentence or headline: "The Vale of Glamorgan".
    pub fn at_start(&self) -> String {
        if self.the {
            format!("The {}", self.name)
        } else {
            self.name.to_string()
        }
    }
}

/// The press's name for the area with this code ("Hull" for E06000010); for the dashboard's
/// merged areas, the merged name ("Cornwall and the Isles of Scilly" for E06000052).
pub fn print_name(code: &str) -> Option<PrintName> {
    authority(code).map(|a| PrintName {
        name: a.print_name,
        the: a.the,
    })
}

/// What places an area for a reader outside it: "in Somerset" for a two-tier district, "in
/// Merseyside" for a metropolitan district, as "Somerset" and "Merseyside"; `None` for a
/// unitary, a London borough or a council outside England, whose names suffice.
pub fn qualifier(code: &str) -> Option<String> {
    authority(code)
        .filter(|a| !a.county.is_empty())
        .map(|a| a.county.to_string())
}

/// The nation the area lies in.
pub fn nation(code: &str) -> Option<Nation> {
    authority(code).map(|a| a.nation)
}

/// The area's English region ("South West"); outside England, its nation's name.
pub fn region(code: &str) -> Option<&'static str> {
    authority(code).map(|a| a.region).filter(|r| !r.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_loads_and_answers_by_code() {
        assert!(authorities().len() > 400);
        assert_eq!(print_name("E06000010").unwrap().name, "Hull");
        assert_eq!(
            print_name("W06000014").unwrap().in_sentence(),
            "the Vale of Glamorgan"
        );
        assert_eq!(
            print_name("W06000014").unwrap().at_start(),
            "The Vale of Glamorgan"
        );
        assert_eq!(qualifier("E07000188").as_deref(), Some("Somerset"));
        assert_eq!(qualifier("E08000011").as_deref(), Some("Merseyside"));
        assert_eq!(qualifier("E06000023"), None);
        assert_eq!(nation("S12000023"), Some(Nation::Scotland));
        assert_eq!(region("E07000188"), Some("South West"));
        assert_eq!(region("N09000002"), Some("Northern Ireland"));
        assert!(print_name("E99999999").is_none());
    }
}
