//! The week's figures: pure functions over a [`Dataset`] and a [`Population`], no I/O.
//!
//! Rates are kept as whole tenths ([`Rate`]) from the moment they are rounded, so that a
//! direction, a share or a rank is always decided on exactly the figure that is printed.

use std::cmp::Ordering;
use std::fmt;

use chrono::{Days, NaiveDate};
use serde::{Serialize, Serializer};

use crate::model::{Area, Dataset, Population};

/// A rate per 100,000 people in whole tenths: `Rate(11348)` is 1,134.8.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Rate(pub i64);

impl Rate {
    /// The rate per 100,000 of `cases` among `population`, rounded half-up to one decimal.
    ///
    /// Integer arithmetic throughout: a float would round 0.05 boundaries either way.
    ///
    /// ```
    /// use casewire::stats::Rate;
    /// // Knowsley, seven days to January 15 2021: 1,712 cases among 150,862 people.
    /// assert_eq!(Rate::per_100k(1712, 150_862).to_string(), "1134.8");
    /// ```
    pub fn per_100k(cases: i64, population: u64) -> Rate {
        assert!(population > 0, "a rate needs a population");
        let pop = i128::from(population);
        let scaled = i128::from(cases.unsigned_abs()) * 1_000_000;
        let tenths = (2 * scaled + pop) / (2 * pop);
        let tenths = i64::try_from(tenths).unwrap_or(i64::MAX);
        Rate(if cases < 0 { -tenths } else { tenths })
    }

    /// The rate as a number with one decimal (for the view model and JSON).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 10.0
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{}", abs / 10, abs % 10)
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

/// Whole-number percentage of `part` in `whole`, rounded half-up. Zero when `whole` is zero.
pub fn share_percent(part: usize, whole: usize) -> u32 {
    if whole == 0 {
        return 0;
    }
    let (p, w) = (part as u128, whole as u128);
    ((200 * p + w) / (2 * w)) as u32
}

/// Percentage change from `old` to `new`, whole percent rounded half-up on its size, signed.
/// `None` when `old` is zero (no percentage can be given).
pub fn percent_change(old: Rate, new: Rate) -> Option<i64> {
    if old.0 == 0 {
        return None;
    }
    let diff = i128::from(new.0) - i128::from(old.0);
    let base = i128::from(old.0).abs();
    let size = (200 * diff.abs() + base) / (2 * base);
    let size = i64::try_from(size).unwrap_or(i64::MAX);
    Some(if diff < 0 { -size } else { size })
}

/// Which way a rate moved, decided on the rounded rates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// This week's rounded rate is above last week's.
    Up,
    /// Below.
    Down,
    /// The same to one decimal.
    Unchanged,
}

impl Direction {
    /// The direction from `old` to `new`.
    pub fn of(old: Rate, new: Rate) -> Direction {
        match new.cmp(&old) {
            Ordering::Greater => Direction::Up,
            Ordering::Less => Direction::Down,
            Ordering::Equal => Direction::Unchanged,
        }
    }
}

/// Seven days, first and last inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Week {
    /// The first day.
    pub start: NaiveDate,
    /// The last day.
    pub end: NaiveDate,
}

impl Week {
    /// The seven days to `end`.
    pub fn ending(end: NaiveDate) -> Week {
        Week {
            start: end - Days::new(6),
            end,
        }
    }

    /// The story's week for data published on `release`: the seven days to
    /// `release - incomplete_days`, because the latest days are still filling in.
    pub fn for_release(release: NaiveDate, incomplete_days: u32) -> Week {
        Week::ending(release - Days::new(u64::from(incomplete_days)))
    }

    /// The seven days before this week.
    pub(crate) fn previous(self) -> Week {
        Week::ending(self.start - Days::new(1))
    }

    /// The days of the week, in order.
    pub fn days(self) -> impl Iterator<Item = NaiveDate> {
        (0..7).map(move |i| self.start + Days::new(i))
    }
}

/// Why an area has no figure for a week.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Missing {
    /// Days in the window with no value.
    Days {
        /// The days without a value.
        dates: Vec<NaiveDate>,
    },
    /// No population for the area's code.
    Population,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Missing::Days { dates } => {
                let list: Vec<String> = dates.iter().map(|d| d.to_string()).collect();
                write!(f, "no data for {}", list.join(", "))
            }
            Missing::Population => write!(f, "no population"),
        }
    }
}

/// The sum of an area's cases over a week, or the days that have no value.
pub fn week_sum(area: &Area, week: Week) -> Result<i64, Missing> {
    let mut sum = 0i64;
    let mut missing = Vec::new();
    for day in week.days() {
        match area.cases_on(day) {
            Some(v) => sum += i64::from(v),
            None => missing.push(day),
        }
    }
    if missing.is_empty() {
        Ok(sum)
    } else {
        Err(Missing::Days { dates: missing })
    }
}

/// One area's figures for the week and the week before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AreaWeek {
    /// Index of the area in [`Dataset::areas`].
    #[serde(skip)]
    pub index: usize,
    /// Cases in the week.
    pub cases: i64,
    /// Cases in the week before.
    pub prev_cases: i64,
    /// Population used for both rates.
    pub population: u64,
    /// This week's rate.
    pub rate: Rate,
    /// Last week's rate.
    pub prev_rate: Rate,
    /// `rate - prev_rate`, in tenths.
    pub change: Rate,
    /// Whole-percent change of the rounded rates; `None` when last week's rate was zero.
    pub percent_change: Option<i64>,
    /// Direction of the rounded rates.
    pub direction: Direction,
}

/// The figures for an area of a given week, or why there are none.
fn area_week(
    dataset: &Dataset,
    index: usize,
    population: &Population,
    week: Week,
) -> Result<AreaWeek, Missing> {
    let area = &dataset.areas[index];
    let this = week_sum(area, week);
    let prev = week_sum(area, week.previous());
    let (cases, prev_cases) = match (this, prev) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(Missing::Days { dates: a }), Err(Missing::Days { dates: b })) => {
            let mut dates = b;
            dates.extend(a);
            return Err(Missing::Days { dates });
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let population = population.get(&area.code).ok_or(Missing::Population)?;
    let rate = Rate::per_100k(cases, population);
    let prev_rate = Rate::per_100k(prev_cases, population);
    Ok(AreaWeek {
        index,
        cases,
        prev_cases,
        population,
        rate,
        prev_rate,
        change: Rate(rate.0 - prev_rate.0),
        percent_change: percent_change(prev_rate, rate),
        direction: Direction::of(prev_rate, rate),
    })
}

/// Which areas a national figure counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Universe {
    /// English areas: codes starting with `E`.
    England,
    /// All four nations.
    Uk,
}

impl Universe {
    /// Whether an area code belongs to this universe.
    pub fn contains(self, code: &str) -> bool {
        match self {
            Universe::England => code.starts_with('E'),
            Universe::Uk => true,
        }
    }

    /// The name used in copy: "England", "the UK".
    pub fn name(self) -> &'static str {
        match self {
            Universe::England => "England",
            Universe::Uk => "the UK",
        }
    }
}

impl std::str::FromStr for Universe {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "england" => Ok(Universe::England),
            "uk" => Ok(Universe::Uk),
            other => Err(format!("unknown universe \"{other}\": use england or uk")),
        }
    }
}

/// How many areas rose, fell and stayed the same, with whole-number shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Movement {
    /// Areas counted.
    pub total: usize,
    /// Areas whose rounded rate rose.
    pub rising: usize,
    /// Areas whose rounded rate fell.
    pub falling: usize,
    /// Areas whose rounded rate did not change.
    pub unchanged: usize,
    /// `rising` as a whole percentage of `total`.
    pub rising_pct: u32,
    /// `falling` as a whole percentage of `total`.
    pub falling_pct: u32,
    /// `unchanged` as a whole percentage of `total`.
    pub unchanged_pct: u32,
}

impl Movement {
    /// Counts the directions of `weeks`.
    pub fn count<'a>(weeks: impl IntoIterator<Item = &'a AreaWeek>) -> Movement {
        let (mut rising, mut falling, mut unchanged) = (0, 0, 0);
        for w in weeks {
            match w.direction {
                Direction::Up => rising += 1,
                Direction::Down => falling += 1,
                Direction::Unchanged => unchanged += 1,
            }
        }
        let total = rising + falling + unchanged;
        Movement {
            total,
            rising,
            falling,
            unchanged,
            rising_pct: share_percent(rising, total),
            falling_pct: share_percent(falling, total),
            unchanged_pct: share_percent(unchanged, total),
        }
    }

    /// The direction most areas took, if more than half of them took it.
    pub(crate) fn majority(&self) -> Option<Direction> {
        if self.rising * 2 > self.total {
            Some(Direction::Up)
        } else if self.falling * 2 > self.total {
            Some(Direction::Down)
        } else if self.unchanged * 2 > self.total {
            Some(Direction::Unchanged)
        } else {
            None
        }
    }
}

/// Areas ordered by a key, best first, with competition ranks ("1, 2, 2, 4").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ranking {
    /// `(position in the universe's list of weeks, key)`, best first; ties by area name.
    pub order: Vec<(usize, i64)>,
}

impl Ranking {
    /// The rank of the entry at `position` (1 = best), or `None` if it is not ranked.
    /// Tied keys share a rank: one more than the number of strictly better keys.
    pub fn rank_of(&self, position: usize) -> Option<usize> {
        let key = self.order.iter().find(|(p, _)| *p == position)?.1;
        Some(1 + self.order.partition_point(|(_, k)| *k > key))
    }

    /// The rank of the entry at `position` counted from the bottom (1 = lowest key); ties
    /// share a rank.
    pub fn rank_from_bottom_of(&self, position: usize) -> Option<usize> {
        let key = self.order.iter().find(|(p, _)| *p == position)?.1;
        let not_lower = self.order.partition_point(|(_, k)| *k >= key);
        Some(1 + self.order.len() - not_lower)
    }

    /// The rank of the entry `i` places from the top.
    pub fn rank_at(&self, i: usize) -> usize {
        let key = self.order[i].1;
        1 + self.order.partition_point(|(_, k)| *k > key)
    }

    /// How many entries have this key (tied entries share one).
    pub fn count_of_key(&self, key: i64) -> usize {
        self.order.partition_point(|(_, k)| *k >= key)
            - self.order.partition_point(|(_, k)| *k > key)
    }

    /// The first `n` entries.
    pub fn top(&self, n: usize) -> &[(usize, i64)] {
        &self.order[..n.min(self.order.len())]
    }

    /// Number of entries ranked.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether nothing is ranked.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// All areas of one type in a universe, with their figures for the week.
///
/// [`National::compute`] also builds lookups by dataset index, so that `position_of`,
/// `week_of` and `ranks_of` take constant time whatever the number of areas. A caller that
/// changes `weeks` or a ranking afterwards calls [`National::reindex`].
#[derive(Clone, Debug)]
pub struct National {
    /// The universe counted.
    pub universe: Universe,
    /// The area type counted.
    pub area_type: String,
    /// The week.
    pub week: Week,
    /// Figures of every area that has them, sorted by area code.
    pub weeks: Vec<AreaWeek>,
    /// Areas left out, with why.
    pub missing: Vec<(usize, Missing)>,
    /// Rising, falling and unchanged.
    pub movement: Movement,
    /// By this week's rate, highest first.
    pub by_rate: Ranking,
    /// By last week's rate, highest first.
    pub by_prev_rate: Ranking,
    /// Areas whose rate rose, by size of rise.
    pub by_rise: Ranking,
    /// Areas whose rate fell, by size of fall.
    pub by_fall: Ranking,
    /// Rising, falling, unchanged for the week before, when the data reach back that far.
    pub prev_movement: Option<Movement>,
    /// Lookups by dataset index, so that a story per area costs no scan of every area.
    lookup: Lookup,
    /// Each nation's highest rate, found once; `None` after [`National::reindex`].
    nation_heads: Option<Vec<NationHead>>,
}

/// The nations of the UK, in the order stories name their leaders.
pub const NATIONS: [&str; 4] = ["England", "Scotland", "Wales", "Northern Ireland"];

/// The nation an area code belongs to, by its first letter.
pub fn nation_of(code: &str) -> Option<&'static str> {
    match code.as_bytes().first() {
        Some(b'E') => Some("England"),
        Some(b'S') => Some("Scotland"),
        Some(b'W') => Some("Wales"),
        Some(b'N') => Some("Northern Ireland"),
        _ => None,
    }
}

/// The area with the highest rate in one nation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NationHead {
    /// The nation, one of [`NATIONS`].
    pub nation: &'static str,
    /// The area's position in [`National::weeks`].
    pub position: usize,
    /// Whether another area of the nation has the same rate.
    pub tied: bool,
}

/// One pass down the ranking by rate: the first area of each nation, and whether the next of
/// that nation shares its rate.
fn nation_heads(by_rate: &Ranking, weeks: &[AreaWeek], dataset: &Dataset) -> Vec<NationHead> {
    let mut heads: [Option<(usize, i64, bool)>; 4] = [None; 4];
    for &(p, key) in &by_rate.order {
        let Some(n) = nation_of(&dataset.areas[weeks[p].index].code)
            .and_then(|name| NATIONS.iter().position(|m| *m == name))
        else {
            continue;
        };
        match &mut heads[n] {
            slot @ None => *slot = Some((p, key, false)),
            Some((_, k, tied)) if *k == key => *tied = true,
            Some(_) => {}
        }
    }
    NATIONS
        .iter()
        .zip(heads)
        .filter_map(|(&nation, head)| {
            head.map(|(position, _, tied)| NationHead {
                nation,
                position,
                tied,
            })
        })
        .collect()
}

/// Built by [`National::compute`] (and [`National::reindex`]): each area's position in
/// [`National::weeks`] by dataset index, and each position's ranks.
#[derive(Clone, Debug, Default)]
struct Lookup {
    /// `position + 1` by dataset index; 0 where the area has no figures.
    position: Vec<u32>,
    /// Ranks by position in `weeks`.
    ranks: Vec<Ranks>,
    /// The length of `weeks` the lookup was built for.
    weeks_len: usize,
}

impl Lookup {
    fn build(weeks: &[AreaWeek], rankings: [&Ranking; 4]) -> Lookup {
        let len = weeks.iter().map(|w| w.index + 1).max().unwrap_or(0);
        let mut position = vec![0u32; len];
        for (p, w) in weeks.iter().enumerate() {
            // The first wins, as a scan from the front would find it.
            if position[w.index] == 0 {
                position[w.index] = u32::try_from(p + 1).expect("fewer than 4 billion areas");
            }
        }
        let mut ranks = vec![Ranks::default(); weeks.len()];
        for (r, ranking) in rankings.into_iter().enumerate() {
            let mut seen = vec![false; weeks.len()];
            for (i, &(p, _)) in ranking.order.iter().enumerate() {
                // As `Ranking::rank_of`: the first entry for a position counts.
                let Some(slot) = seen.get_mut(p) else {
                    continue;
                };
                if std::mem::replace(slot, true) {
                    continue;
                }
                let rank = Some(ranking.rank_at(i));
                let target = &mut ranks[p];
                match r {
                    0 => {
                        let key = ranking.order[i].1;
                        let n = ranking.order.len();
                        let not_lower = ranking.order.partition_point(|(_, k)| *k >= key);
                        target.rate = rank;
                        target.rate_low = Some(1 + n - not_lower);
                        target.upper_half = ranking.rank_at(i) * 2 <= n + 1;
                    }
                    1 => target.prev_rate = rank,
                    2 => target.rise = rank,
                    _ => target.fall = rank,
                }
            }
        }
        Lookup {
            position,
            ranks,
            weeks_len: weeks.len(),
        }
    }
}

fn ranking(
    weeks: &[AreaWeek],
    dataset: &Dataset,
    key: impl Fn(&AreaWeek) -> Option<i64>,
) -> Ranking {
    let mut order: Vec<(usize, i64)> = weeks
        .iter()
        .enumerate()
        .filter_map(|(i, w)| key(w).map(|k| (i, k)))
        .collect();
    order.sort_by(|a, b| {
        b.1.cmp(&a.1).then_with(|| {
            let (x, y) = (
                &dataset.areas[weeks[a.0].index],
                &dataset.areas[weeks[b.0].index],
            );
            x.name.cmp(&y.name).then_with(|| x.code.cmp(&y.code))
        })
    });
    Ranking { order }
}

impl National {
    /// Computes every area's figures and the national tables.
    pub fn compute(
        dataset: &Dataset,
        population: &Population,
        universe: Universe,
        area_type: &str,
        week: Week,
    ) -> National {
        let mut weeks = Vec::new();
        let mut missing = Vec::new();
        let mut prev_weeks = Vec::new();
        for (index, area) in dataset.areas.iter().enumerate() {
            if area.area_type != area_type || !universe.contains(&area.code) {
                continue;
            }
            match area_week(dataset, index, population, week) {
                Ok(w) => weeks.push(w),
                Err(why) => missing.push((index, why)),
            }
            if let Ok(w) = area_week(dataset, index, population, week.previous()) {
                prev_weeks.push(w);
            }
        }
        let movement = Movement::count(&weeks);
        // Last week's national picture only counts when it covers the same areas.
        let prev_movement = (prev_weeks.len() == weeks.len() + missing.len() && !weeks.is_empty())
            .then(|| Movement::count(&prev_weeks));
        let by_rate = ranking(&weeks, dataset, |w| Some(w.rate.0));
        let by_prev_rate = ranking(&weeks, dataset, |w| Some(w.prev_rate.0));
        let by_rise = ranking(&weeks, dataset, |w| (w.change.0 > 0).then_some(w.change.0));
        let by_fall = ranking(&weeks, dataset, |w| (w.change.0 < 0).then_some(-w.change.0));
        let lookup = Lookup::build(&weeks, [&by_rate, &by_prev_rate, &by_rise, &by_fall]);
        let nation_heads = Some(nation_heads(&by_rate, &weeks, dataset));
        National {
            universe,
            area_type: area_type.to_string(),
            week,
            weeks,
            missing,
            movement,
            by_rate,
            by_prev_rate,
            by_rise,
            by_fall,
            prev_movement,
            lookup,
            nation_heads,
        }
    }

    /// Rebuilds the lookups behind [`National::position_of`] and [`National::ranks_of`], for a
    /// caller that changed `weeks` or the rankings after [`National::compute`].
    pub fn reindex(&mut self) {
        self.lookup = Lookup::build(
            &self.weeks,
            [
                &self.by_rate,
                &self.by_prev_rate,
                &self.by_rise,
                &self.by_fall,
            ],
        );
        self.nation_heads = None;
    }

    /// The highest rate in each nation of the UK that has areas here, in the order of
    /// [`NATIONS`]: found by [`National::compute`], or by a pass down the ranking when the
    /// figures were changed since.
    pub fn nation_heads(&self, dataset: &Dataset) -> std::borrow::Cow<'_, [NationHead]> {
        match &self.nation_heads {
            Some(heads) => std::borrow::Cow::Borrowed(heads),
            None => std::borrow::Cow::Owned(nation_heads(&self.by_rate, &self.weeks, dataset)),
        }
    }

    /// The position in [`National::weeks`] of the area at `index` in the dataset.
    pub fn position_of(&self, index: usize) -> Option<usize> {
        if self.lookup.weeks_len == self.weeks.len() {
            match self.lookup.position.get(index).copied().unwrap_or(0) {
                0 => return None,
                p if self.weeks[p as usize - 1].index == index => return Some(p as usize - 1),
                _ => {}
            }
        }
        // `weeks` was changed since the lookup was built: scan.
        self.weeks.iter().position(|w| w.index == index)
    }

    /// The figures of the area at `index` in the dataset, if it has them.
    pub fn week_of(&self, index: usize) -> Option<&AreaWeek> {
        self.position_of(index).map(|p| &self.weeks[p])
    }

    /// An area's ranks: by rate, by rise, by fall.
    pub fn ranks_of(&self, index: usize) -> Ranks {
        match self.position_of(index) {
            None => Ranks::default(),
            Some(p) if self.lookup.weeks_len == self.weeks.len() => self.lookup.ranks[p],
            Some(p) => Ranks {
                rate: self.by_rate.rank_of(p),
                rate_low: self.by_rate.rank_from_bottom_of(p),
                upper_half: self
                    .by_rate
                    .rank_of(p)
                    .is_some_and(|r| r * 2 <= self.by_rate.len() + 1),
                prev_rate: self.by_prev_rate.rank_of(p),
                rise: self.by_rise.rank_of(p),
                fall: self.by_fall.rank_of(p),
            },
        }
    }
}

/// An area's ranks in the national tables (1 = highest).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Ranks {
    /// By this week's rate.
    pub rate: Option<usize>,
    /// By this week's rate counted from the lowest (1 = lowest).
    pub rate_low: Option<usize>,
    /// Its rate is in the top half, so "Nth highest" reads better than "Nth lowest".
    pub upper_half: bool,
    /// By last week's rate.
    pub prev_rate: Option<usize>,
    /// By size of rise, when it rose.
    pub rise: Option<usize>,
    /// By size of fall, when it fell.
    pub fall: Option<usize>,
}

/// How close the patch's rates must be to call them "similar": every rate within this many
/// percent of their mean. Ten percent keeps 233.3–257.2 together (mean 247.6) and splits a
/// patch where one area is a fifth above the rest.
pub(crate) const SIMILAR_WITHIN_PERCENT: i64 = 10;

/// The mean of `rates` rounded to two significant figures ("around 250"), if every rate lies
/// within [`SIMILAR_WITHIN_PERCENT`] of the mean. Needs at least two rates.
pub(crate) fn similar_around(rates: &[Rate]) -> Option<i64> {
    if rates.len() < 2 {
        return None;
    }
    let n = rates.len() as i128;
    let sum: i128 = rates.iter().map(|r| i128::from(r.0)).sum();
    if sum <= 0 {
        return None;
    }
    // |r - mean| <= mean * P / 100  ⇔  |r*n - sum| * 100 <= sum * P
    let close = rates.iter().all(|r| {
        (i128::from(r.0) * n - sum).abs() * 100 <= sum * i128::from(SIMILAR_WITHIN_PERCENT)
    });
    if !close {
        return None;
    }
    // Mean in whole units (sum is in tenths), then to two significant figures.
    let mean_units = (sum + 5 * n) / (10 * n);
    Some(round_significant(mean_units as i64, 2))
}

/// Rounds `n` half-up to `digits` significant figures: 247 → 250, 1134 → 1100.
fn round_significant(n: i64, digits: u32) -> i64 {
    if n == 0 {
        return 0;
    }
    let len = n.unsigned_abs().to_string().len() as u32;
    if len <= digits {
        return n;
    }
    let scale = 10i64.pow(len - digits);
    let rounded = (n.abs() + scale / 2) / scale * scale;
    if n < 0 { -rounded } else { rounded }
}

/// The patch's areas and what can be said of them together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchSummary {
    /// Positions in [`National::weeks`] of core areas with figures, highest rate first.
    pub by_rate: Vec<usize>,
    /// Core areas that rose, fell, stayed the same.
    pub movement: Movement,
    /// The only core area that rose, when exactly one did and others did not.
    pub only_riser: Option<usize>,
    /// The only core area that fell, when exactly one did and others did not.
    pub only_faller: Option<usize>,
    /// "similar rates of around X", when the rule in [`similar_around`] holds.
    pub similar_around: Option<i64>,
}

impl PatchSummary {
    /// Summarises the core areas (dataset indices) that have figures in `national`.
    pub fn compute(national: &National, dataset: &Dataset, core: &[usize]) -> PatchSummary {
        let mut by_rate: Vec<usize> = core
            .iter()
            .filter_map(|&i| national.position_of(i))
            .collect();
        by_rate.sort_by(|&a, &b| {
            let (x, y) = (&national.weeks[a], &national.weeks[b]);
            y.rate.cmp(&x.rate).then_with(|| {
                dataset.areas[x.index]
                    .name
                    .cmp(&dataset.areas[y.index].name)
            })
        });
        let weeks: Vec<&AreaWeek> = by_rate.iter().map(|&p| &national.weeks[p]).collect();
        let movement = Movement::count(weeks.iter().copied());
        let only = |d: Direction| {
            let hits: Vec<usize> = by_rate
                .iter()
                .copied()
                .filter(|&p| national.weeks[p].direction == d)
                .collect();
            (hits.len() == 1 && by_rate.len() > 1).then(|| hits[0])
        };
        let rates: Vec<Rate> = weeks.iter().map(|w| w.rate).collect();
        PatchSummary {
            only_riser: only(Direction::Up),
            only_faller: only(Direction::Down),
            similar_around: similar_around(&rates),
            by_rate,
            movement,
        }
    }
}
