//! The story's strongest true angle: what its headline and intro lead with when the patch's
//! overall trend is not the best news in it.

use serde::Serialize;

use super::{AreaView, Direction};

/// The lowest national rank a headline tells ("among England's ten highest"): below it a
/// rank is a table's business, not a headline's.
pub const LEADER_RANKS: usize = 10;

/// A rank below the top is news only in a universe this many times its size: the second
/// highest of four areas tells a reader nothing.
const RANK_SHARE: usize = 10;

/// What the story leads with, decided in this order: a core area among the national leaders,
/// the only core area to rise (or fall), a core area whose rate halved or doubled, else the
/// patch's trend. A patch going against the nation ("rates fall in all but one borough ...
/// But across England, rates continue to rise") is the news itself: its lone exception
/// does not take the headline from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Angle {
    /// A core area's rate ranks `position` in the universe: first, or in the top
    /// [`LEADER_RANKS`] of a universe at least ten times that rank.
    Leader {
        /// The area's print name.
        name: String,
        /// Its rank by rate (tied areas share one).
        position: usize,
        /// Another area shares the rank, so it is "joint".
        tied: bool,
        /// The core areas sharing that rate, itself first, when two or more do: the headline
        /// names them all ("Alder and Birch share the highest ...").
        shared_with: Vec<String>,
    },
    /// The one core area whose rate rose, in a patch of two or more.
    OnlyRiser {
        /// The area's print name.
        name: String,
    },
    /// The one core area whose rate fell, in a patch of two or more.
    OnlyFaller {
        /// The area's print name.
        name: String,
    },
    /// A core area's rate is at most half last week's, on counts that are neither small nor
    /// noise.
    Halved {
        /// The area's print name.
        name: String,
    },
    /// A core area's rate is at least double last week's, on counts that are neither small
    /// nor noise.
    Doubled {
        /// The area's print name.
        name: String,
    },
    /// Nothing beats the patch's overall trend.
    Trend,
}

impl Angle {
    /// The angle of a patch whose core areas are `core` (highest rate first) in a universe
    /// of `counted` areas with rates; `contrast`: most of the patch went against the nation.
    pub fn of(core: &[AreaView], counted: usize, contrast: bool) -> Angle {
        let leader = core.iter().find_map(|a| {
            let position = a.ranks.rate?;
            let news =
                position == 1 || (position <= LEADER_RANKS && position * RANK_SHARE <= counted);
            let sharing: Vec<String> = core
                .iter()
                .filter(|b| b.rate == a.rate)
                .map(|b| b.name.clone())
                .collect();
            news.then(|| Angle::Leader {
                name: a.name.clone(),
                position,
                tied: a.rate_tied,
                shared_with: if sharing.len() > 1 {
                    sharing
                } else {
                    Vec::new()
                },
            })
        });
        if let Some(leader) = leader {
            return leader;
        }
        if core.len() >= 2 && !contrast {
            if let Some(a) = core.iter().find(|a| a.only_riser) {
                return Angle::OnlyRiser {
                    name: a.name.clone(),
                };
            }
            if let Some(a) = core.iter().find(|a| a.only_faller) {
                return Angle::OnlyFaller {
                    name: a.name.clone(),
                };
            }
        }
        // The largest move first: a rate that tripled beats one that just doubled.
        let ratio = |a: &AreaView| {
            if a.small || a.noise || a.prev_rate.0 <= 0 || a.rate.0 <= 0 {
                return None;
            }
            let (now, before) = (a.rate.0, a.prev_rate.0);
            if a.direction == Direction::Up && now >= 2 * before {
                Some((true, now * 1000 / before))
            } else if a.direction == Direction::Down && 2 * now <= before {
                Some((false, before * 1000 / now))
            } else {
                None
            }
        };
        core.iter()
            .filter_map(|a| ratio(a).map(|(up, r)| (r, up, a)))
            .max_by_key(|&(r, _, _)| r)
            .map_or(Angle::Trend, |(_, up, a)| {
                let name = a.name.clone();
                if up {
                    Angle::Doubled { name }
                } else {
                    Angle::Halved { name }
                }
            })
    }
}
