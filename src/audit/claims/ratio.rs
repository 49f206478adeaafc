//! "halves", "doubled": a rate's ratio to last week's, said of one area.

use crate::lang;

use super::super::Auditor;
use super::super::reading::{Sentence, T};

/// Whether `word` claims the rate halved (`Some(false)`) or doubled (`Some(true)`).
fn ratio_word(word: &str) -> Option<bool> {
    match word {
        "halves" | "halved" | "halving" | "halve" => Some(false),
        "doubles" | "doubled" | "doubling" | "double" => Some(true),
        _ => None,
    }
}

impl Auditor<'_> {
    /// Checks each "halved" (this week's rate at most half last week's) and "doubled" (at
    /// least twice it) against the recomputed rates of the area it is said of: the word's
    /// owner, else the next area the sentence names.
    pub(super) fn check_ratios(&mut self, s: &Sentence, words: &[&str], owner: &[Option<usize>]) {
        for (i, w) in words.iter().enumerate() {
            let Some(doubled) = ratio_word(w) else {
                continue;
            };
            let k = owner[i].or_else(|| {
                s.toks[i..].iter().find_map(|t| match t.t {
                    T::Area(k) => Some(k),
                    _ => None,
                })
            });
            self.report.claims += 1;
            let Some(k) = k else {
                self.fail(s, format!("\"{w}\" is said of no area the audit can check"));
                continue;
            };
            let name = self.name(k);
            let a = match self.area_truth(self.code(k)) {
                Ok(a) => a,
                Err(why) => {
                    self.fail(s, format!("\"{w}\" cannot be checked for {name}: {why}"));
                    continue;
                }
            };
            let ok = a.prev_rate > 0
                && if doubled {
                    a.rate >= 2 * a.prev_rate
                } else {
                    2 * a.rate <= a.prev_rate
                };
            if !ok {
                self.fail(
                    s,
                    format!(
                        "\"{w}\" is wrong for {name}: its rate went from {} to {}, {} last week's",
                        lang::rate_tenths(a.prev_rate),
                        lang::rate_tenths(a.rate),
                        if doubled {
                            "less than double"
                        } else {
                            "more than half"
                        }
                    ),
                );
            }
        }
    }
}
