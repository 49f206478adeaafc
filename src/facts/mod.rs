//! The facts sidecar: every figure a story can print, as printed, with where it comes from.
//!
//! [`collect`] walks the view model ([`Story`]) and records each number a template can print
//! (rates, counts, changes, shares, ranks, list lengths and positions, dates) as a [`Fact`]:
//! the forms it can take in copy (`1,134.8`; `five`; `12th`, `second`; `January 14`), what it
//! is, the area and week it belongs to, the formula in words and its inputs (the daily counts,
//! the population, the files they were read from). A sub-editor can trace any figure in the
//! copy to the data in one step, and [`crate::audit`] uses the same facts to read the copy back.
//!
//! Each fact also carries a [`Recipe`]: how to recompute it from the raw daily counts, which the
//! audit does independently of [`crate::stats`].
//!
//! The types are in `types` (what a fact is) and `formula` (a fact's formula, kept as what it
//! is made of until it is written), how a sidecar is written out in `json` (each area's daily
//! series once, each recipe's words once) with the JSON pieces of `emit`, the walk over the
//! view model in `collector`, and the walk of each part of a story in `sections`.

mod collector;
mod emit;
mod formula;
mod json;
mod sections;
mod types;

pub use collector::{
    collect, collect_part, count_forms, date_forms, rank_forms, sidecar, sidecar_of,
};
pub use formula::Formula;
pub use json::FORMULAS;
pub use types::*;
