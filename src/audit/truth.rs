//! The audit's own arithmetic: every area's week recomputed from the daily counts, with its
//! own sums, half-up rounding and ranks. None of [`crate::stats`] is used, so a slip there
//! cannot hide itself here.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use chrono::{Datelike, Days, NaiveDate};

use super::printed::Fnv;
use crate::config::Patch;
use crate::facts::{Fact, FactKind, FactValue, List, RankBy, Recipe, Scope, StoryDate, Tally};
use crate::lang;
use crate::model::{Dataset, Population};
use crate::stats::{Direction, Universe, Week};
use crate::story::{Story, lies_in};

#[derive(Clone, Debug)]
pub(super) struct AreaTruth {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) population: u64,
    pub(super) cases: i64,
    pub(super) prev_cases: i64,
    pub(super) rate: i64,
    pub(super) prev_rate: i64,
    /// The rate the week before last, when the data reach back that far.
    pub(super) prev2_rate: Option<i64>,
}

impl AreaTruth {
    pub(super) fn direction(&self) -> Direction {
        direction_of(self.prev_rate, self.rate)
    }
    pub(super) fn change(&self) -> i64 {
        self.rate - self.prev_rate
    }
    /// Size of the percentage change, `None` from zero.
    pub(super) fn percent_size(&self) -> Option<i64> {
        (self.prev_rate != 0).then(|| half_up_div(self.change().abs() * 100, self.prev_rate.abs()))
    }
}

pub(super) fn direction_of(old: i64, new: i64) -> Direction {
    if new > old {
        Direction::Up
    } else if new < old {
        Direction::Down
    } else {
        Direction::Unchanged
    }
}

/// `num / den` rounded half-up, both non-negative.
pub(super) fn half_up_div(num: i64, den: i64) -> i64 {
    let (num, den) = (i128::from(num), i128::from(den));
    let (q, r) = (num / den, num % den);
    (if 2 * r >= den { q + 1 } else { q }) as i64
}

/// Cases per 100,000 in tenths, half-up.
pub(super) fn tenths_per_100k(cases: i64, population: u64) -> i64 {
    let num = i128::from(cases) * 1_000_000;
    let den = i128::from(population);
    let (q, r) = (num / den, num % den);
    (if 2 * r >= den { q + 1 } else { q }) as i64
}

/// The week's figures for every area of the universe, recomputed from the daily counts once
/// for any number of stories of the week, with the national tables ranks are read from.
pub(super) struct Nation<'a> {
    pub(super) dataset: &'a Dataset,
    pub(super) area_type: String,
    pub(super) universe: Universe,
    pub(super) week: Week,
    pub(super) prev_week: Week,
    pub(super) areas: Vec<AreaTruth>,
    /// Area code → its place in `areas`, hashed cheaply: every claim and fact looks areas up.
    pub(super) index: HashMap<String, usize, BuildHasherDefault<Fnv>>,
    pub(super) left_out: usize,
    /// The areas left out, (code, name): a claim ranking a set they belong to must say it
    /// is of the areas with full figures.
    pub(super) left_out_areas: Vec<(String, String)>,
    /// Whether most universe areas went one way the week before, when every one of them has
    /// figures.
    pub(super) prev_majority: Option<Direction>,
    /// Whether most universe areas went one way this week.
    pub(super) majority: Option<Direction>,
    /// How many areas rose, fell, stayed the same.
    pub(super) moved: [i64; 3],
    /// Each national table's keys (see [`Nation::key`]), ascending, by [`table_of`].
    pub(super) tables: [Vec<i64>; 5],
    /// This week's rates of each nation's areas (by the first letter of the code), ascending.
    pub(super) nation_rates: Vec<(char, Vec<i64>)>,
}

/// Where a table sits in [`Nation::tables`].
pub(super) fn table_of(by: RankBy) -> usize {
    match by {
        RankBy::Rate => 0,
        RankBy::RateLow => 1,
        RankBy::PrevRate => 2,
        RankBy::Rise => 3,
        RankBy::Fall => 4,
    }
}

pub(super) fn moved_slot(d: Direction) -> usize {
    match d {
        Direction::Up => 0,
        Direction::Down => 1,
        Direction::Unchanged => 2,
    }
}

/// Competition rank (1 + strictly better) and how many share `key`, in keys sorted ascending;
/// better is larger, or smaller when `lowest`.
pub(super) fn rank_in(sorted: &[i64], key: i64, lowest: bool) -> (i64, i64) {
    let below = sorted.partition_point(|&k| k < key);
    let upto = sorted.partition_point(|&k| k <= key);
    let better = if lowest { below } else { sorted.len() - upto };
    (better as i64 + 1, (upto - below) as i64)
}

/// A story's view of the week: the nation's figures and the story's own core areas.
pub(super) struct Truth<'n, 'a> {
    pub(super) nation: &'n Nation<'a>,
    /// Core areas with figures, by index into `areas`.
    pub(super) core: Vec<usize>,
    /// The names of the core areas without figures: a claim of the whole patch must say it
    /// is of the areas with figures.
    pub(super) missing_core: Vec<String>,
}

impl<'a> std::ops::Deref for Truth<'_, 'a> {
    type Target = Nation<'a>;
    fn deref(&self) -> &Nation<'a> {
        self.nation
    }
}

pub(super) fn seven_day_sum(area: &crate::model::Area, end: NaiveDate) -> Option<i64> {
    let mut total = 0i64;
    for back in 0..7u64 {
        total += i64::from(area.cases_on(end - Days::new(back))?);
    }
    Some(total)
}

impl<'a> Nation<'a> {
    pub(super) fn new(story: &Story, dataset: &'a Dataset, population: &Population) -> Nation<'a> {
        let area_type = story.universe.area_type.clone();
        let week = story.week;
        let prev_week = Week {
            start: week.start - Days::new(7),
            end: week.end - Days::new(7),
        };
        let prev2_end = week.end - Days::new(14);
        let mut areas = Vec::new();
        let mut left_out = 0;
        let mut left_out_areas = Vec::new();
        let mut prev_directions = Some(Vec::new());
        for area in &dataset.areas {
            let counted = match story.universe.kind {
                Universe::England => area.code.starts_with('E'),
                Universe::Uk => true,
            };
            if area.area_type != area_type || !counted {
                continue;
            }
            let pop = population.get(&area.code).filter(|&p| p > 0);
            let this = seven_day_sum(area, week.end);
            let prev = seven_day_sum(area, prev_week.end);
            let prev2 = seven_day_sum(area, prev2_end);
            match (pop, prev, prev2) {
                (Some(p), Some(a), Some(b)) => {
                    if let Some(v) = prev_directions.as_mut() {
                        v.push(direction_of(tenths_per_100k(b, p), tenths_per_100k(a, p)));
                    }
                }
                _ => prev_directions = None,
            }
            match (pop, this, prev) {
                (Some(p), Some(c), Some(pc)) => areas.push(AreaTruth {
                    code: area.code.clone(),
                    name: area.name.clone(),
                    population: p,
                    cases: c,
                    prev_cases: pc,
                    rate: tenths_per_100k(c, p),
                    prev_rate: tenths_per_100k(pc, p),
                    prev2_rate: prev2.map(|b| tenths_per_100k(b, p)),
                }),
                _ => {
                    left_out += 1;
                    left_out_areas.push((area.code.clone(), area.name.clone()));
                }
            }
        }
        let index: HashMap<String, usize, BuildHasherDefault<Fnv>> = areas
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.clone(), i))
            .collect();
        let mut moved = [0i64; 3];
        for a in &areas {
            moved[moved_slot(a.direction())] += 1;
        }
        let tables = [
            RankBy::Rate,
            RankBy::RateLow,
            RankBy::PrevRate,
            RankBy::Rise,
            RankBy::Fall,
        ]
        .map(|by| {
            let mut keys: Vec<i64> = areas.iter().filter_map(|a| Nation::key(a, by)).collect();
            keys.sort_unstable();
            keys
        });
        let mut nation_rates: Vec<(char, Vec<i64>)> = Vec::new();
        for a in &areas {
            let Some(c) = a.code.chars().next() else {
                continue;
            };
            match nation_rates.iter_mut().find(|(n, _)| *n == c) {
                Some((_, rates)) => rates.push(a.rate),
                None => nation_rates.push((c, vec![a.rate])),
            }
        }
        for (_, rates) in &mut nation_rates {
            rates.sort_unstable();
        }
        Nation {
            dataset,
            area_type,
            universe: story.universe.kind,
            week,
            prev_week,
            majority: majority_of(areas.iter().map(AreaTruth::direction)),
            prev_majority: prev_directions.and_then(|v| majority_of(v.into_iter())),
            areas,
            index,
            left_out,
            left_out_areas,
            moved,
            tables,
            nation_rates,
        }
    }

    /// Whether the area alone had the highest rate of the universe in the seven days to the
    /// day before the week's end, the window the previous day's edition printed: the daily
    /// counts summed and divided by the population here, half-up to a tenth.
    pub(super) fn led_the_day_before(&self, code: &str) -> bool {
        let end = self.week.end - chrono::Days::new(1);
        let mut top: Option<(i64, &str, usize)> = None;
        for area in self.dataset.areas.iter() {
            if area.area_type != self.area_type && !self.area_type.is_empty() {
                continue;
            }
            let Some(truth) = self.index.get(&area.code).map(|&i| &self.areas[i]) else {
                continue;
            };
            let mut sum = 0i64;
            let mut whole = true;
            for back in 0..7 {
                let day = end - chrono::Days::new(back);
                let at = usize::try_from((day - area.start).num_days()).ok();
                match at.and_then(|i| area.cases.get(i)).copied().flatten() {
                    Some(n) => sum += i64::from(n),
                    None => whole = false,
                }
            }
            let Ok(population) = i64::try_from(truth.population) else {
                continue;
            };
            if !whole || population == 0 {
                continue;
            }
            let tenths = (sum * 2_000_000 + population) / (2 * population);
            match &mut top {
                Some((rate, _, n)) if tenths == *rate => *n += 1,
                Some((rate, _, _)) if tenths < *rate => {}
                _ => top = Some((tenths, truth.code.as_str(), 1)),
            }
        }
        top.is_some_and(|(_, c, n)| c == code && n == 1)
    }

    pub(super) fn area(&self, code: &str) -> Result<&AreaTruth, String> {
        self.index
            .get(code)
            .map(|&i| &self.areas[i])
            .ok_or_else(|| format!("{code} has no full fortnight of figures and a population"))
    }

    pub(super) fn key(a: &AreaTruth, by: RankBy) -> Option<i64> {
        match by {
            RankBy::Rate => Some(a.rate),
            RankBy::RateLow => Some(-a.rate),
            RankBy::PrevRate => Some(a.prev_rate),
            RankBy::Rise => (a.change() > 0).then(|| a.change()),
            RankBy::Fall => (a.change() < 0).then(|| -a.change()),
        }
    }

    /// Competition rank (1 + strictly better) and how many share the key.
    pub(super) fn rank(&self, code: &str, by: RankBy) -> Result<(i64, i64), String> {
        let a = self.area(code)?;
        let key = Nation::key(a, by).ok_or_else(|| {
            format!(
                "{} did not {}",
                a.name,
                if by == RankBy::Rise { "rise" } else { "fall" }
            )
        })?;
        Ok(rank_in(&self.tables[table_of(by)], key, false))
    }

    /// Competition rank by rate, highest or lowest first, among the areas whose code starts
    /// with `within` (a nation: E, S, W, N), or all of them.
    pub(super) fn rate_rank(
        &self,
        code: &str,
        lowest: bool,
        within: Option<char>,
    ) -> Result<(i64, i64), String> {
        let a = self.area(code)?;
        if within.is_some_and(|c| !a.code.starts_with(c)) {
            return Err(format!("{} is not in that nation", a.name));
        }
        let pool: &[i64] = match within {
            None => &self.tables[table_of(RankBy::Rate)],
            Some(c) => self
                .nation_rates
                .iter()
                .find(|(n, _)| *n == c)
                .map_or(&[], |(_, rates)| rates.as_slice()),
        };
        Ok(rank_in(pool, a.rate, lowest))
    }

    /// Competition rank by rate, highest or lowest first, among the areas of the data that
    /// lie in `place` (an English region or a county the geography knows), not the patch's
    /// areas alone: "the highest rate in the North West" is a claim about all of it.
    pub(super) fn place_rank(
        &self,
        code: &str,
        lowest: bool,
        place: &str,
    ) -> Result<(i64, i64), String> {
        let a = self.area(code)?;
        if !lies_in(place, code) {
            return Err(format!("{} is not in {place}", a.name));
        }
        let mut pool: Vec<i64> = self
            .areas
            .iter()
            .filter(|b| lies_in(place, &b.code))
            .map(|b| b.rate)
            .collect();
        pool.sort_unstable();
        Ok(rank_in(&pool, a.rate, lowest))
    }

    /// Areas of the universe that moved this way, and how many there are.
    pub(super) fn moved_universe(&self, d: Direction) -> (i64, i64) {
        (self.moved[moved_slot(d)], self.areas.len() as i64)
    }
}

impl Truth<'_, '_> {
    pub(super) fn patch_rank(&self, code: &str, lowest: bool) -> Result<(i64, i64), String> {
        let a = self.area(code)?;
        if !self.core.iter().any(|&i| self.areas[i].code == code) {
            return Err(format!("{} is not one of the patch's areas", a.name));
        }
        let (mut better, mut same) = (0i64, 0i64);
        for &i in &self.core {
            let r = self.areas[i].rate;
            if (!lowest && r > a.rate) || (lowest && r < a.rate) {
                better += 1;
            } else if r == a.rate {
                same += 1;
            }
        }
        Ok((better + 1, same))
    }

    pub(super) fn moved(&self, scope: Scope, d: Direction) -> (i64, i64) {
        match scope {
            Scope::Universe => self.moved_universe(d),
            Scope::Patch => {
                let n = self
                    .core
                    .iter()
                    .filter(|&&i| self.areas[i].direction() == d)
                    .count() as i64;
                (n, self.core.len() as i64)
            }
        }
    }

    pub(super) fn majority(&self) -> Option<Direction> {
        self.nation.majority
    }

    pub(super) fn prev_majority(&self) -> Option<Direction> {
        self.nation.prev_majority
    }
    pub(super) fn recompute(
        &self,
        fact: &Fact,
        patch: &Patch,
        release: NaiveDate,
    ) -> Result<FactValue, String> {
        use FactValue::{Date, Int, Tenths};
        Ok(match &fact.recipe {
            Recipe::WeekSum { code, week } => {
                let a = self.area(code)?;
                if *week == self.week {
                    Int(a.cases)
                } else if *week == self.prev_week {
                    Int(a.prev_cases)
                } else {
                    return Err(format!("{} is not one of the story's weeks", week.end));
                }
            }
            Recipe::WeekRate { code, week } => {
                let a = self.area(code)?;
                if *week == self.week {
                    Tenths(a.rate)
                } else if *week == self.prev_week {
                    Tenths(a.prev_rate)
                } else {
                    return Err(format!("{} is not one of the story's weeks", week.end));
                }
            }
            Recipe::ChangeSize { code } => Tenths(self.area(code)?.change().abs()),
            Recipe::PercentChangeSize { code } => Int(self
                .area(code)?
                .percent_size()
                .ok_or("last week's rate was zero")?),
            Recipe::Population { code } => Int(self.area(code)?.population as i64),
            Recipe::Rank { code, by } => Int(self.rank(code, *by)?.0),
            Recipe::PatchRank { code } => Int(self.patch_rank(code, false)?.0),
            Recipe::ListPosition {
                code,
                list,
                by,
                position,
            } => {
                let (rank, same) = match list {
                    List::Core => self.patch_rank(code, false)?,
                    _ => self.rank(code, *by)?,
                };
                let p = *position as i64;
                if p < rank || p > rank + same - 1 {
                    return Err(format!(
                        "place {p} does not fit its rank {rank} ({same} area(s) share it)"
                    ));
                }
                Int(p)
            }
            Recipe::Tally { scope, tally } => match tally {
                Tally::Total => Int(self.moved(*scope, Direction::Up).1),
                Tally::Moved(d) => Int(self.moved(*scope, *d).0),
                Tally::Share(d) => {
                    let (n, total) = self.moved(*scope, *d);
                    if total == 0 {
                        Int(0)
                    } else {
                        Int(half_up_div(n * 100, total))
                    }
                }
                Tally::LeftOut => Int(self.left_out as i64),
                Tally::Exceptions => {
                    let (up, n) = self.moved(*scope, Direction::Up);
                    let (down, _) = self.moved(*scope, Direction::Down);
                    if n >= 3 && (up == n - 1 || down == n - 1) {
                        Int(1)
                    } else {
                        return Err(format!(
                            "{up} of {n} rose and {down} fell: that is not all but one"
                        ));
                    }
                }
            },
            Recipe::SimilarAround => {
                let rates: Vec<i64> = self.core.iter().map(|&i| self.areas[i].rate).collect();
                let n = rates.len() as i64;
                let sum: i64 = rates.iter().sum();
                if n < 2 || sum <= 0 {
                    return Err("fewer than two rates to compare".to_string());
                }
                if let Some(r) = rates.iter().find(|&&r| (r * n - sum).abs() * 10 > sum) {
                    return Err(format!(
                        "{} is more than 10% from the mean",
                        lang::rate_tenths(*r)
                    ));
                }
                let mean = half_up_div(sum, 10 * n);
                let digits = mean.to_string().len() as u32;
                let around = if digits <= 2 {
                    mean
                } else {
                    let scale = 10i64.pow(digits - 2);
                    half_up_div(mean, scale) * scale
                };
                Int(around)
            }
            Recipe::PatchTotal { week } => {
                if *week != self.week {
                    return Err(format!("{} is not the story's week", week.end));
                }
                // The areas summed are the patch's own, each once: a total that names
                // another area, or leaves one out, is not the patch's.
                let mut named: Vec<&str> = fact
                    .inputs
                    .facts
                    .iter()
                    .map(|id| id.strip_suffix(".cases").unwrap_or(id))
                    .collect();
                let mut core: Vec<&str> = self
                    .core
                    .iter()
                    .map(|&i| self.areas[i].code.as_str())
                    .collect();
                named.sort_unstable();
                core.sort_unstable();
                if named != core {
                    return Err(format!(
                        "it sums {} but the patch's areas with figures are {}",
                        named.join(", "),
                        core.join(", ")
                    ));
                }
                Int(self.core.iter().map(|&i| self.areas[i].cases).sum())
            }
            Recipe::ListLength { list } => match list {
                List::Leaders => Int(patch.lists.leaders.min(self.areas.len()) as i64),
                List::Core => Int(self.core.len() as i64),
                List::Movers => {
                    let (up, _) = self.moved(Scope::Universe, Direction::Up);
                    let (down, _) = self.moved(Scope::Universe, Direction::Down);
                    if patch.lists.movers == 0 || up == down {
                        return Err("no list of movers is due".to_string());
                    }
                    Int((patch.lists.movers as i64).min(up.max(down)))
                }
            },
            Recipe::Date { which } => {
                let end = release - Days::new(u64::from(patch.incomplete_days));
                Date(match which {
                    StoryDate::Release => release,
                    StoryDate::WeekEnd => end,
                    StoryDate::WeekStart => end - Days::new(6),
                    StoryDate::PrevWeekEnd => end - Days::new(7),
                    StoryDate::PrevWeekStart => end - Days::new(13),
                })
            }
            Recipe::MissingDay { code, date } => {
                let area = self
                    .dataset
                    .area(&self.area_type, code)
                    .ok_or_else(|| format!("{code} is not in the data"))?;
                if let Some(v) = area.cases_on(*date) {
                    return Err(format!("the data have {v} cases for {code} on {date}"));
                }
                Date(*date)
            }
            Recipe::Constant { value } => Int(*value),
            Recipe::Year => Int(i64::from(release.year())),
            Recipe::Hospital { code, metric, date } => {
                let area = self
                    .dataset
                    .area("nhsRegion", code)
                    .ok_or_else(|| format!("no nhsRegion {code} in the data"))?;
                let v = area
                    .extra_on(metric, *date)
                    .ok_or_else(|| format!("no {metric} for {code} on {date}"))?;
                Int(v.round() as i64)
            }
            Recipe::HospitalDate { code, metric } => {
                let area = self
                    .dataset
                    .area("nhsRegion", code)
                    .ok_or_else(|| format!("no nhsRegion {code} in the data"))?;
                let latest = area
                    .extra
                    .get(metric)
                    .into_iter()
                    .flatten()
                    .map(|&(d, _)| d)
                    .filter(|&d| d <= release)
                    .max()
                    .ok_or_else(|| format!("no {metric} for {code} by {release}"))?;
                Date(latest)
            }
        })
    }
}

pub(super) fn majority_of(dirs: impl Iterator<Item = Direction>) -> Option<Direction> {
    let (mut up, mut down, mut same, mut n) = (0, 0, 0, 0);
    for d in dirs {
        n += 1;
        match d {
            Direction::Up => up += 1,
            Direction::Down => down += 1,
            Direction::Unchanged => same += 1,
        }
    }
    [
        (up, Direction::Up),
        (down, Direction::Down),
        (same, Direction::Unchanged),
    ]
    .into_iter()
    .find(|(k, _)| k * 2 > n)
    .map(|(_, d)| d)
}

/// The house-style form of a recomputed value, for a fact of this kind, written into `out`
/// (cleared first): every story's audit recomputes a score of facts, and the forms they print
/// in (rates, counts, ranks, percentages) are written here without a string of their own.
pub(super) fn canonical_into(kind: FactKind, value: FactValue, story_year: i32, out: &mut String) {
    out.clear();
    match value {
        FactValue::Tenths(t) => {
            if t < 0 {
                out.push('-');
            }
            let abs = t.unsigned_abs();
            push_digits(out, abs / 10, true);
            out.push('.');
            out.push(char::from(b'0' + (abs % 10) as u8));
        }
        FactValue::Date(d) => out.push_str(&lang::date(d, Some(story_year))),
        FactValue::Int(n) => match kind {
            FactKind::Share | FactKind::PercentChange => {
                push_signed(out, n, false);
                out.push('%');
            }
            FactKind::Rank => {
                push_signed(out, n, true);
                let abs = n.unsigned_abs();
                out.push_str(match (abs % 10, abs % 100) {
                    (_, 11..=13) => "th",
                    (1, _) => "st",
                    (2, _) => "nd",
                    (3, _) => "rd",
                    _ => "th",
                });
            }
            FactKind::ListPosition | FactKind::Date => push_signed(out, n, false),
            FactKind::Constant if n == 7 => out.push_str(&lang::count_words(n)),
            _ => push_signed(out, n, true),
        },
    }
}

/// Appends `n`, its digits grouped in threes by commas when `grouped`.
fn push_signed(out: &mut String, n: i64, grouped: bool) {
    if n < 0 {
        out.push('-');
    }
    push_digits(out, n.unsigned_abs(), grouped);
}

/// Appends the digits of `n`, grouped in threes by commas when `grouped`.
fn push_digits(out: &mut String, mut n: u64, grouped: bool) {
    // 20 digits and 6 commas at most.
    let mut buf = [0u8; 26];
    let mut i = buf.len();
    let mut digits = 0;
    loop {
        if grouped && digits > 0 && digits % 3 == 0 {
            i -= 1;
            buf[i] = b',';
        }
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        digits += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}
