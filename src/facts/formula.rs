//! A fact's formula in words: kept as what it is made of and written out only when the fact
//! is (the `--format json` output). A story's own sidecar names each recipe's words once
//! instead, so building a score of sentences for each story's facts was work thrown away.

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use super::List;
use crate::stats::{Rate, Week};

/// How a fact is computed, in words a sub-editor can check with a calculator. It compares,
/// prints and serialises as its words.
#[derive(Clone, Debug)]
pub enum Formula {
    /// Words fixed in the code.
    Fixed(&'static str),
    /// Words written out already.
    Text(String),
    /// `sum(newCasesBySpecimenDate, START..=END)`.
    WeekSum(Week),
    /// That sum per 100,000 of the population, with the figures.
    WeekRate {
        /// The seven days.
        week: Week,
        /// Their cases.
        cases: i64,
        /// The population.
        population: u64,
    },
    /// The size of the change between two rates.
    Change {
        /// This week's rate.
        rate: Rate,
        /// Last week's.
        prev: Rate,
    },
    /// That size as a percentage of last week's rate.
    PercentChange {
        /// This week's rate.
        rate: Rate,
        /// Last week's.
        prev: Rate,
    },
    /// A rank in a national table.
    Rank {
        /// The universe's name.
        universe: Arc<str>,
        /// What the table orders by.
        what: &'static str,
    },
    /// A place in a numbered list.
    Position {
        /// The place.
        position: usize,
        /// The list.
        list: List,
        /// What the list is ordered by.
        order: &'static str,
    },
    /// A count of areas, or of those whose rate moved (`verb`: rose, fell, did not change).
    Count {
        /// The areas counted.
        what: Arc<str>,
        /// How they moved, when only those are counted.
        verb: Option<&'static str>,
    },
    /// A whole-percent share.
    Share {
        /// The areas that moved.
        n: usize,
        /// Of these.
        total: usize,
    },
}

impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const CASES: &str = crate::model::CASES_METRIC;
        match self {
            Formula::Fixed(words) => f.write_str(words),
            Formula::Text(words) => f.write_str(words),
            Formula::WeekSum(w) => write!(f, "sum({CASES}, {}..={})", w.start, w.end),
            Formula::WeekRate {
                week,
                cases,
                population,
            } => write!(
                f,
                "sum({CASES}, {}..={}) / population × 100,000 = {cases} / {population} × 100,000, rounded half-up to 1 dp",
                week.start, week.end
            ),
            Formula::Change { rate, prev } => {
                write!(f, "|{rate} - {prev}| (rates rounded to 1 dp first)")
            }
            Formula::PercentChange { rate, prev } => write!(
                f,
                "|{rate} - {prev}| / {prev} × 100, rounded half-up to a whole percent"
            ),
            Formula::Rank { universe, what } => write!(
                f,
                "1 + the number of areas in {universe} with a larger {what} (tied areas share a rank)"
            ),
            Formula::Position {
                position,
                list,
                order,
            } => write!(
                f,
                "place {position} in the {} list, ordered by {order}",
                list.name()
            ),
            Formula::Count { what, verb: None } => write!(f, "count of {what}"),
            Formula::Count {
                what,
                verb: Some(verb),
            } => write!(f, "count of {what} whose rounded rate {verb}"),
            Formula::Share { n, total } => {
                write!(f, "{n} / {total} × 100, rounded half-up to a whole percent")
            }
        }
    }
}

impl PartialEq for Formula {
    fn eq(&self, other: &Formula) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for Formula {}

impl Serialize for Formula {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl From<String> for Formula {
    fn from(words: String) -> Formula {
        Formula::Text(words)
    }
}

impl From<&'static str> for Formula {
    fn from(words: &'static str) -> Formula {
        Formula::Fixed(words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn a_formula_serialises_compares_and_prints_as_its_words() {
        let week = Week::ending(NaiveDate::from_ymd_opt(2021, 1, 14).unwrap());
        let cases = [
            (
                Formula::WeekRate {
                    week,
                    cases: 30,
                    population: 14_011,
                },
                "sum(newCasesBySpecimenDate, 2021-01-08..=2021-01-14) / population × 100,000 = 30 / 14011 × 100,000, rounded half-up to 1 dp",
            ),
            (
                Formula::PercentChange {
                    rate: Rate(2141),
                    prev: Rate(-5),
                },
                "|214.1 - -0.5| / -0.5 × 100, rounded half-up to a whole percent",
            ),
            (
                Formula::Count {
                    what: "the \"boroughs\"".into(),
                    verb: Some("rose"),
                },
                "count of the \"boroughs\" whose rounded rate rose",
            ),
        ];
        for (formula, words) in cases {
            assert_eq!(formula.to_string(), words);
            assert_eq!(
                serde_json::to_string(&formula).unwrap(),
                serde_json::to_string(words).unwrap()
            );
            assert_eq!(formula, Formula::Text(words.to_string()));
        }
    }
}
