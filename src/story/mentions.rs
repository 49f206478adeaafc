//! What the copy says of an area or the patch beyond its own week's figures: the county that
//! places a district for a reader elsewhere, a national leader's move in the ranking, the
//! patch's total new cases rounded as a reader says them ("more than 10,000"), and the
//! national picture with the areas it leaves out.

use serde::Serialize;

use chrono::{Datelike, NaiveDate};

use super::{LEFT_OUT_NAMED, LeftOutView, UniverseView, missing_reason};
use crate::config::Patch;
use crate::model::Dataset;
use crate::stats::National;

/// A national leader's move in the ranking by rate since the week before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RankMove {
    /// It ranks higher than it did ("has climbed to second place"); otherwise lower ("has
    /// dropped to third place").
    pub climbed: bool,
    /// Its rank by rate the week before.
    pub from: usize,
}

/// The move of a leader now at `position` that ranked `prev` the week before: none at the
/// top (the top line says "now has" or "continues to have"), none for an area without a rank
/// last week, none when the rank is the same.
pub(crate) fn rank_move(position: usize, prev: Option<usize>) -> Option<RankMove> {
    let from = prev?;
    (position > 1 && from != position).then_some(RankMove {
        climbed: from > position,
        from,
    })
}

/// The patch's new cases in the week and the figure the copy prints for them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PatchTotal {
    /// The exact sum of the core areas' cases.
    pub cases: i64,
    /// "nearly", "just over" or "more than", true of the exact sum; empty when `figure` is the
    /// sum itself.
    pub hedge: String,
    /// The figure printed: the sum, or a round figure the hedge makes true.
    pub figure: i64,
}

impl PatchTotal {
    /// How a reader would be told `cases`: under 1,000, or a round figure already, exactly;
    /// within 2% under a round thousand (or ten thousand...) "nearly" it; otherwise to two
    /// significant figures, "nearly" the one above when within a tenth of a step, "just over"
    /// the one below when within a tenth, else "more than" the one below. Each hedge is true
    /// of the exact sum, and the audit holds the printed words to the same bounds.
    pub(crate) fn of(cases: i64) -> PatchTotal {
        let told = |hedge: &str, figure: i64| PatchTotal {
            cases,
            hedge: hedge.to_string(),
            figure,
        };
        if cases < 1000 {
            return told("", cases);
        }
        let digits = cases.to_string().len() as u32;
        let step = 10i64.pow(digits - 2);
        let big = 10 * step;
        let round_up = (cases + big - 1) / big * big;
        if round_up > cases && (round_up - cases) * 50 <= round_up {
            return told("nearly", round_up);
        }
        if cases % step == 0 {
            return told("", cases);
        }
        let below = cases / step * step;
        let above = below + step;
        if (above - cases) * 10 <= step {
            told("nearly", above)
        } else if (cases - below) * 10 <= step {
            told("just over", below)
        } else {
            told("more than", below)
        }
    }
}

/// The county that places the area for a reader outside it ("Merseyside" for Knowsley), when
/// the patch wants qualifiers, the name printed is the authority's own (a test's "Alder" under
/// a real code is not placed) and does not hold the county already, the county is not the
/// patch's own (see [`home`]: a Somerset paper's readers need no "in Somerset"), and no area
/// of the data bears the county's name (the audit would read it as that area).
pub(crate) fn qualifier(
    dataset: &Dataset,
    patch: &Patch,
    code: &str,
    printed: &str,
) -> Option<String> {
    if !patch.copy.qualifiers {
        return None;
    }
    let own_name = patch.names.contains_key(code)
        || crate::geo::print_name(code).is_some_and(|p| p.in_sentence() == printed);
    // "West Devon in Devon" says the county twice.
    let county =
        crate::geo::qualifier(code).filter(|c| own_name && !printed.contains(c.as_str()))?;
    let clashes = dataset
        .areas
        .iter()
        .any(|a| a.name.eq_ignore_ascii_case(&county) || county.contains(a.name.as_str()));
    (!clashes && !home(dataset, patch).contains(&county)).then_some(county)
}

/// The counties a patch's readers live in, which a qualifier would only repeat: the county
/// its region names ("Somerset", "the West Midlands" names none), and the county all of its
/// core areas lie in when it has two or more (a one-area patch's own county still places its
/// area for the national lists). The week's lists are decided once for the patch, so this
/// is the patch's, not each every-area story's.
pub(crate) fn home(dataset: &Dataset, patch: &Patch) -> Vec<String> {
    let region = patch.region.trim();
    let region = region.strip_prefix("the ").unwrap_or(region);
    let mut home: Vec<String> = crate::geo::authorities()
        .iter()
        .map(|a| a.county)
        .find(|c| !c.is_empty() && c.eq_ignore_ascii_case(region))
        .map(str::to_string)
        .into_iter()
        .collect();
    let counties: Vec<Option<String>> = patch
        .core
        .iter()
        .map(|n| {
            dataset
                .areas
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(n) || a.code.eq_ignore_ascii_case(n))
                .and_then(|a| crate::geo::qualifier(&a.code))
        })
        .collect();
    if let [Some(first), rest @ ..] = counties.as_slice()
        && !rest.is_empty()
        && rest.iter().all(|c| c.as_ref() == Some(first))
        && !home.contains(first)
    {
        home.push(first.clone());
    }
    home
}

/// The national picture, naming the areas left out of it when there are few.
pub(super) fn universe_view(
    dataset: &Dataset,
    national: &National,
    patch: &Patch,
    release: NaiveDate,
) -> UniverseView {
    // Named only when few enough to read as a sentence; the count stands for more.
    let left_out_areas = if national.missing.len() <= LEFT_OUT_NAMED {
        national
            .missing
            .iter()
            .map(|(i, why)| {
                let area = &dataset.areas[*i];
                LeftOutView {
                    code: area.code.clone(),
                    name: patch.print_name(&area.code, &area.name),
                    reason: missing_reason(why, release.year()),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let population = national
        .missing
        .iter()
        .filter(|(_, why)| matches!(why, crate::stats::Missing::Population))
        .count();
    let left_out_why = match (population, national.missing.len()) {
        (_, 0) => None,
        (p, n) if p == n => Some("population"),
        (0, _) => Some("days"),
        _ => Some("both"),
    };
    UniverseView {
        left_out_areas,
        left_out_why,
        kind: national.universe,
        name: national.universe.name().to_string(),
        area_type: national.area_type.clone(),
        movement: national.movement,
        majority: national.movement.majority(),
        prev_majority: national.prev_movement.and_then(|m| m.majority()),
        left_out: national.missing.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(cases: i64) -> (String, i64) {
        let t = PatchTotal::of(cases);
        (t.hedge, t.figure)
    }

    #[test]
    fn totals_are_rounded_down_honestly_or_printed_exactly() {
        let s = |h: &str, f: i64| (h.to_string(), f);
        assert_eq!(said(612), s("", 612));
        assert_eq!(said(2_300), s("", 2_300));
        assert_eq!(said(2_347), s("more than", 2_300));
        assert_eq!(said(2_305), s("just over", 2_300));
        assert_eq!(said(2_392), s("nearly", 2_400));
        assert_eq!(said(9_870), s("nearly", 10_000));
        assert_eq!(said(10_335), s("more than", 10_000));
        assert_eq!(said(1_000), s("", 1_000));
        for n in 1000..30_000 {
            let t = PatchTotal::of(n);
            match t.hedge.as_str() {
                "" => assert_eq!(t.figure, n),
                "nearly" => assert!(t.figure > n && (t.figure - n) * 50 <= t.figure, "{n}"),
                "just over" => assert!(t.figure < n && (n - t.figure) * 50 <= t.figure, "{n}"),
                _ => assert!(t.figure < n && (n - t.figure) * 10 < t.figure, "{n}"),
            }
        }
    }

    #[test]
    fn a_move_is_told_below_the_top_only_when_the_rank_changed() {
        assert_eq!(
            rank_move(3, Some(1)),
            Some(RankMove {
                climbed: false,
                from: 1
            })
        );
        assert_eq!(
            rank_move(2, Some(7)),
            Some(RankMove {
                climbed: true,
                from: 7
            })
        );
        assert_eq!(rank_move(2, Some(2)), None);
        assert_eq!(rank_move(1, Some(4)), None);
        assert_eq!(rank_move(2, None), None);
    }
}
