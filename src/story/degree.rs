//! Which areas' changes carry a degree word ("up dramatically", "a sharp rise"): a sub lets a
//! story say it at most [`DEGREE_WORDS`] times, for its biggest moves, and prints the plain
//! verb for every other area. "Up dramatically" ten times over tells a reader nothing.
//!
//! The national leaders' lines are the same in every story of a week (their partial is
//! rendered once a week), so their share is decided for the week, first, and is at most
//! [`LEADER_DEGREE_WORDS`]: the strongest degree among them, the highest placed leader of
//! those that have it ("Cornwall ... is up dramatically" before West Devon's bigger rise). Each
//! story gives what is left to its own areas, the biggest move first.

use super::{AreaView, Degree, Direction, LeaderView};

/// The most degree words a story prints.
pub const DEGREE_WORDS: usize = 2;

/// Of those, the most the national leaders' lines take, so that a patch always has one for
/// its own biggest move.
pub const LEADER_DEGREE_WORDS: usize = 1;

/// How strongly a degree word would tell the area's change, strongest first when sorted
/// descending; `None` when the copy prints no degree word for it anyway (no change, a change
/// told as counts or as "almost unchanged", or one with no degree).
fn strength(a: &AreaView) -> Option<(u8, i64)> {
    if a.small || a.noise || a.direction == Direction::Unchanged {
        return None;
    }
    let rank = match a.degree {
        Degree::Whopping => 3,
        Degree::Sharp => 2,
        Degree::Slight => 1,
        Degree::Plain | Degree::None => return None,
    };
    // From zero is the biggest move of all.
    Some((rank, a.percent_change_size.unwrap_or(i64::MAX)))
}

/// Marks the `budget` strongest of `areas` as printing their degree word: by degree, then by
/// the size of the change when `by_size` (else in the order given), then in the order given.
/// Returns how many were marked.
fn mark<'a>(areas: impl Iterator<Item = &'a mut AreaView>, budget: usize, by_size: bool) -> usize {
    let mut candidates: Vec<(u8, i64, usize, &'a mut AreaView)> = areas
        .enumerate()
        .filter_map(|(i, a)| {
            strength(a).map(|(rank, size)| (rank, if by_size { size } else { 0 }, i, a))
        })
        .collect();
    candidates.sort_by(|x, y| (y.0, y.1, x.2).cmp(&(x.0, x.1, y.2)));
    let mut marked = 0;
    for (_, _, _, a) in candidates.into_iter().take(budget) {
        a.show_degree = true;
        marked += 1;
    }
    marked
}

/// The week's share: at most [`LEADER_DEGREE_WORDS`] of the national leaders, the strongest
/// degree first and, among equals, the highest placed (the top line is the national story).
pub(crate) fn mark_leaders(leaders: &mut [LeaderView]) {
    mark(
        leaders.iter_mut().map(|l| &mut l.area),
        LEADER_DEGREE_WORDS,
        false,
    );
}

/// The story's share: what the week's leaders left of [`DEGREE_WORDS`], to the patch's own
/// areas first (the story is theirs), strongest move first, then to the nearby areas.
pub(crate) fn mark_story(core: &mut [AreaView], nearby: &mut [AreaView], leaders: &[LeaderView]) {
    let taken = leaders.iter().filter(|l| l.area.show_degree).count();
    let left = DEGREE_WORDS.saturating_sub(taken);
    let left = left - mark(core.iter_mut(), left, true);
    mark(nearby.iter_mut(), left, true);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{Ranks, Rate};

    fn area(code: &str, degree: Degree, percent: Option<i64>) -> AreaView {
        AreaView {
            code: code.into(),
            name: code.into(),
            official_name: code.into(),
            rate: Rate(2000),
            prev_rate: Rate(1000),
            cases: 500,
            prev_cases: 250,
            population: 100_000,
            change: Rate(1000),
            change_size: Rate(1000),
            percent_change: percent,
            percent_change_size: percent.map(i64::abs),
            direction: Direction::Up,
            degree,
            ranks: Ranks::default(),
            highest_alone: false,
            lowest_alone: false,
            patch_rank: None,
            highest_in_patch: false,
            lowest_in_patch: false,
            only_riser: false,
            only_faller: false,
            frame: 0,
            noise: false,
            small: false,
            rate_tied: false,
            change_tied: false,
            change_upper_half: false,
            leads_elsewhere: false,
            qualifier: None,
            show_degree: false,
        }
    }

    fn shown(areas: &[AreaView]) -> Vec<&str> {
        areas
            .iter()
            .filter(|a| a.show_degree)
            .map(|a| a.code.as_str())
            .collect()
    }

    #[test]
    fn the_biggest_moves_keep_their_words_and_the_rest_go_plain() {
        let mut core = vec![
            area("sharp", Degree::Sharp, Some(45)),
            area("whopping", Degree::Whopping, Some(70)),
            area("plain", Degree::Plain, Some(20)),
            area("slight", Degree::Slight, Some(5)),
            area("from-zero", Degree::Whopping, None),
            area("whopping-too", Degree::Whopping, Some(70)),
        ];
        mark_story(&mut core, &mut [], &[]);
        // From zero first, then the first of two equal moves in the patch's order.
        assert_eq!(shown(&core), ["whopping", "from-zero"]);
    }

    #[test]
    fn the_leaders_take_one_first_and_the_patch_the_rest() {
        let leader = |a: AreaView| LeaderView {
            area: a,
            position: 1,
            tied: false,
            continues: false,
            replaced: None,
            moved: None,
        };
        let mut leaders = vec![
            leader(area("l-slight", Degree::Slight, Some(3))),
            leader(area("l-sharp", Degree::Sharp, Some(50))),
            leader(area("l-whopping", Degree::Whopping, Some(70))),
            leader(area("l-whopping-more", Degree::Whopping, Some(90))),
        ];
        mark_leaders(&mut leaders);
        // The strongest degree, and of those the highest placed, not the biggest rise.
        let marked: Vec<&str> = leaders
            .iter()
            .filter(|l| l.area.show_degree)
            .map(|l| l.area.code.as_str())
            .collect();
        assert_eq!(marked, ["l-whopping"]);

        let mut core = vec![
            area("a", Degree::Sharp, Some(41)),
            area("b", Degree::Sharp, Some(42)),
        ];
        let mut nearby = vec![area("n", Degree::Whopping, Some(99))];
        mark_story(&mut core, &mut nearby, &leaders);
        assert_eq!(shown(&core), ["b"]);
        // The patch's own areas come before the areas nearby.
        assert_eq!(shown(&nearby), Vec::<&str>::new());

        let mut core = vec![area("plain", Degree::Plain, Some(20))];
        let mut nearby = vec![area("n", Degree::Whopping, Some(99))];
        mark_story(&mut core, &mut nearby, &leaders);
        assert_eq!(shown(&nearby), ["n"]);
    }

    #[test]
    fn changes_told_as_counts_or_noise_take_no_word() {
        let mut small = area("small", Degree::Whopping, Some(100));
        small.small = true;
        let mut noise = area("noise", Degree::Slight, Some(1));
        noise.noise = true;
        let mut core = vec![small, noise];
        mark_story(&mut core, &mut [], &[]);
        assert!(shown(&core).is_empty());
    }
}
