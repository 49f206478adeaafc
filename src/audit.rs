//! The round-trip audit: read the rendered copy back, trace every number in it to a fact, recompute
//! every fact from the raw daily counts, and check the claim words against the data.
//!
//! A story fails the audit, and is not written, when
//!
//! - **a number has no fact behind it.** Every figure in the copy is found (rates `1,134.8`,
//!   counts `4,705`, percentages `64%`, ordinals `12th`, number words `zero`–`nine` and ordinal
//!   words `first`–`ninth`, dates `January 14` and `Monday, January 18`, the numbers of a numbered
//!   list, in headings and table cells too) and must equal, character for character, a printed
//!   form of one of the story's [`Fact`]s. The match is narrowed by what the sentence says:
//!   - a figure belongs to the area named last before it in its clause (clauses split at
//!     commas, semicolons and "and", "while", "but", "with"), else to the first area named
//!     later in its clause, else to the sentence's first area when named before it, else, in a
//!     sentence that opens with "It", "That", "This", "Its" or "No other", to the first area of
//!     the sentence before; it may only match that area's facts, or facts of no area that are not counts
//!     or shares of areas that moved (dates, "seven days", "of the 315 areas"), so Bromley's
//!     sentence cannot print Lewisham's rate; its percentages must be its own, and a count
//!     before "cases" or "new cases" must be its cases;
//!   - a rate or count just after "from", "against", "versus" or "compared with", or in
//!     brackets just after such a rate, is last week's and matches only last-week facts; any
//!     other is this week's, so printing `prev_rate` where `rate` belongs is caught;
//!   - a table row is about the first area it names, and a cell is last week's when its column
//!     header says so ("last week", "previous", "week before", or last week's end date);
//!   - a numbered list's number must be the place of the area it names in the list of leaders,
//!     of largest movers or of the patch's areas by rate, and fit that area's recomputed rank;
//!   - a count or share of areas that rose, fell or stayed the same must match the direction
//!     word of its clause ("30 ... saw their rate rise"), so swapping the rising and falling
//!     counts is caught.
//! - **a fact does not recompute.** Each fact's value is recomputed from the dataset's daily
//!   counts and the population table by the [`Recipe`] it carries, with its own sums, its own
//!   half-up integer rounding and its own ranks (none of [`crate::stats`] is used), and its
//!   printed form must be the house-style form of the recomputed value.
//! - **a claim word contradicts the data.** In a sentence about one area: direction words
//!   ("up", "rose", "risen", "rise", "climbed", "increase"; "down", "fell", "fallen", "fall",
//!   "dropped", "decrease"; "unchanged", "steady", "the same") must agree with the area's
//!   recomputed direction; "dramatically" needs a change of at least
//!   [`crate::story::WHOPPING_PERCENT`]% (or from zero), "sharply" one of at least
//!   [`crate::story::SHARP_PERCENT`]% (or from zero), "slightly" one under
//!   [`crate::story::SLIGHT_PERCENT`]%; "only" and "no other" with a direction need the area to be
//!   the one core area that went that way; "highest", "second highest", "lowest" (with "joint"
//!   when tied) must be the area's recomputed rank, in the patch when the region follows the
//!   word, within a nation when a UK story names one ("the highest rate in Wales"), in the
//!   universe otherwise, by the size of the fall or rise when "fall" or "rise" follows
//!   ("the 12th highest fall"); "continues to have the highest" needs the area to have led alone
//!   this week and last; "continues" with a direction needs the area to have gone that way the
//!   week before too; "taking the top spot from X" needs X to have led the week before and the
//!   new leader not to have. In a sentence about the patch (the region named, no area): "every" and
//!   "all" need every core area to have gone that way, "all but one" all but one, and otherwise
//!   a direction needs most core areas to have gone that way. In a sentence about the nation
//!   (the universe named, no area) with "most": most areas must have gone that way, and
//!   "continue" needs most areas to have gone that way the week before too.
//!
//! Number words in prose are left alone: "one" in "no one" and "one another", and an ordinal
//! word that is not a rank (a rank is an ordinal before a superlative, "place" or "position",
//! or ending a clause: "second highest", "Slough is second."; "for the first time" is prose).
//!
//! It deliberately does not judge words that carry no figure or direction ("similar", the
//! frames' verbs), sentences that mix directions without naming an area (their counts are
//! checked instead), "lowest fall", numbers inside words ("Covid-19"), nor the patch's own
//! words (publication, region, who calculated the figures, source and dashboard names), which
//! are masked before figures are looked for. It reads copy casewire wrote: it splits sentences
//! at `.`, `!`, `?` and line ends, and knows area names from the story. Fixed figures of the
//! method ("seven days", "per 100,000") are facts of kind `constant`, so they too must be
//! printed as the facts say.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::{Datelike, Days, NaiveDate};
use serde::Serialize;

use crate::config::Patch;
use crate::facts::{Fact, FactKind, FactValue, List, RankBy, Recipe, Scope, StoryDate, Tally};
use crate::lang;
use crate::model::{Dataset, Population};
use crate::stats::{Direction, Universe, Week};
use crate::story::{SHARP_PERCENT, SLIGHT_PERCENT, Story, WHOPPING_PERCENT};

/// What the audit reads and checks against.
#[derive(Clone, Copy, Debug)]
pub struct AuditInput<'a> {
    /// The rendered copy.
    pub text: &'a str,
    /// The story's facts, from [`crate::facts::collect`].
    pub facts: &'a [Fact],
    /// The view model the copy was rendered from (area names, region, universe).
    pub story: &'a Story,
    /// The data.
    pub dataset: &'a Dataset,
    /// The population table.
    pub population: &'a Population,
    /// The patch (incomplete days, list lengths).
    pub patch: &'a Patch,
}

/// One thing the audit found wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditFailure {
    /// 1-based line of the copy; 0 when the fact is not printed.
    pub line: usize,
    /// The sentence, as printed.
    pub sentence: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for AuditFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(
                f,
                "line {}: {}, in \"{}\"",
                self.line, self.message, self.sentence
            )
        }
    }
}

/// What the audit did and found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Figures in the copy traced to a fact.
    pub figures: usize,
    /// Facts recomputed from the data.
    pub facts: usize,
    /// Claim words checked against the data.
    pub claims: usize,
    /// Everything wrong, in reading order (facts that do not recompute first).
    pub failures: Vec<AuditFailure>,
}

impl AuditReport {
    /// Whether the copy passed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

// ---------------------------------------------------------------------------------------------
// The data, recomputed

#[derive(Clone, Debug)]
struct AreaTruth {
    code: String,
    name: String,
    population: u64,
    cases: i64,
    prev_cases: i64,
    rate: i64,
    prev_rate: i64,
    /// The rate the week before last, when the data reach back that far.
    prev2_rate: Option<i64>,
}

impl AreaTruth {
    fn direction(&self) -> Direction {
        direction_of(self.prev_rate, self.rate)
    }
    fn change(&self) -> i64 {
        self.rate - self.prev_rate
    }
    /// Size of the percentage change, `None` from zero.
    fn percent_size(&self) -> Option<i64> {
        (self.prev_rate != 0).then(|| half_up_div(self.change().abs() * 100, self.prev_rate.abs()))
    }
}

fn direction_of(old: i64, new: i64) -> Direction {
    if new > old {
        Direction::Up
    } else if new < old {
        Direction::Down
    } else {
        Direction::Unchanged
    }
}

/// `num / den` rounded half-up, both non-negative.
fn half_up_div(num: i64, den: i64) -> i64 {
    let (num, den) = (i128::from(num), i128::from(den));
    let (q, r) = (num / den, num % den);
    (if 2 * r >= den { q + 1 } else { q }) as i64
}

/// Cases per 100,000 in tenths, half-up.
fn tenths_per_100k(cases: i64, population: u64) -> i64 {
    let num = i128::from(cases) * 1_000_000;
    let den = i128::from(population);
    let (q, r) = (num / den, num % den);
    (if 2 * r >= den { q + 1 } else { q }) as i64
}

/// The week's figures for every area of the universe, recomputed from the daily counts once
/// for any number of stories of the week, with the national tables ranks are read from.
struct Nation<'a> {
    dataset: &'a Dataset,
    area_type: String,
    universe: Universe,
    week: Week,
    prev_week: Week,
    areas: Vec<AreaTruth>,
    index: HashMap<String, usize>,
    left_out: usize,
    /// Whether most universe areas went one way the week before, when every one of them has
    /// figures.
    prev_majority: Option<Direction>,
    /// Whether most universe areas went one way this week.
    majority: Option<Direction>,
    /// How many areas rose, fell, stayed the same.
    moved: [i64; 3],
    /// Each national table's keys (see [`Nation::key`]), ascending, by [`table_of`].
    tables: [Vec<i64>; 5],
    /// This week's rates of each nation's areas (by the first letter of the code), ascending.
    nation_rates: Vec<(char, Vec<i64>)>,
}

/// Where a table sits in [`Nation::tables`].
fn table_of(by: RankBy) -> usize {
    match by {
        RankBy::Rate => 0,
        RankBy::RateLow => 1,
        RankBy::PrevRate => 2,
        RankBy::Rise => 3,
        RankBy::Fall => 4,
    }
}

fn moved_slot(d: Direction) -> usize {
    match d {
        Direction::Up => 0,
        Direction::Down => 1,
        Direction::Unchanged => 2,
    }
}

/// Competition rank (1 + strictly better) and how many share `key`, in keys sorted ascending;
/// better is larger, or smaller when `lowest`.
fn rank_in(sorted: &[i64], key: i64, lowest: bool) -> (i64, i64) {
    let below = sorted.partition_point(|&k| k < key);
    let upto = sorted.partition_point(|&k| k <= key);
    let better = if lowest { below } else { sorted.len() - upto };
    (better as i64 + 1, (upto - below) as i64)
}

/// A story's view of the week: the nation's figures and the story's own core areas.
struct Truth<'n, 'a> {
    nation: &'n Nation<'a>,
    /// Core areas with figures, by index into `areas`.
    core: Vec<usize>,
}

impl<'a> std::ops::Deref for Truth<'_, 'a> {
    type Target = Nation<'a>;
    fn deref(&self) -> &Nation<'a> {
        self.nation
    }
}

fn seven_day_sum(area: &crate::model::Area, end: NaiveDate) -> Option<i64> {
    let mut total = 0i64;
    for back in 0..7u64 {
        total += i64::from(area.cases_on(end - Days::new(back))?);
    }
    Some(total)
}

impl<'a> Nation<'a> {
    fn new(story: &Story, dataset: &'a Dataset, population: &Population) -> Nation<'a> {
        let area_type = story.universe.area_type.clone();
        let week = story.week;
        let prev_week = Week {
            start: week.start - Days::new(7),
            end: week.end - Days::new(7),
        };
        let prev2_end = week.end - Days::new(14);
        let mut areas = Vec::new();
        let mut left_out = 0;
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
                _ => left_out += 1,
            }
        }
        let index: HashMap<String, usize> = areas
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
            moved,
            tables,
            nation_rates,
        }
    }

    fn area(&self, code: &str) -> Result<&AreaTruth, String> {
        self.index
            .get(code)
            .map(|&i| &self.areas[i])
            .ok_or_else(|| format!("{code} has no full fortnight of figures and a population"))
    }

    fn key(a: &AreaTruth, by: RankBy) -> Option<i64> {
        match by {
            RankBy::Rate => Some(a.rate),
            RankBy::RateLow => Some(-a.rate),
            RankBy::PrevRate => Some(a.prev_rate),
            RankBy::Rise => (a.change() > 0).then(|| a.change()),
            RankBy::Fall => (a.change() < 0).then(|| -a.change()),
        }
    }

    /// Competition rank (1 + strictly better) and how many share the key.
    fn rank(&self, code: &str, by: RankBy) -> Result<(i64, i64), String> {
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
    fn rate_rank(
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

    /// Areas of the universe that moved this way, and how many there are.
    fn moved_universe(&self, d: Direction) -> (i64, i64) {
        (self.moved[moved_slot(d)], self.areas.len() as i64)
    }
}

impl Truth<'_, '_> {
    fn patch_rank(&self, code: &str, lowest: bool) -> Result<(i64, i64), String> {
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

    fn moved(&self, scope: Scope, d: Direction) -> (i64, i64) {
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

    fn majority(&self) -> Option<Direction> {
        self.nation.majority
    }

    fn prev_majority(&self) -> Option<Direction> {
        self.nation.prev_majority
    }
    fn recompute(
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

fn majority_of(dirs: impl Iterator<Item = Direction>) -> Option<Direction> {
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

/// The house-style form of a recomputed value, for a fact of this kind.
fn canonical(kind: FactKind, value: FactValue, story_year: i32) -> String {
    match value {
        FactValue::Tenths(t) => lang::rate_tenths(t),
        FactValue::Date(d) => lang::date(d, Some(story_year)),
        FactValue::Int(n) => match kind {
            FactKind::Share | FactKind::PercentChange => lang::percent(n),
            FactKind::Rank => lang::ordinal(n),
            FactKind::ListPosition | FactKind::Date => n.to_string(),
            FactKind::Constant if n == 7 => "seven".to_string(),
            _ => lang::thousands(n),
        },
    }
}

fn describe(fact: &Fact) -> String {
    let what = match fact.kind {
        FactKind::Rate => "rate this week".to_string(),
        FactKind::PrevRate => "rate last week".to_string(),
        FactKind::Cases => "cases this week".to_string(),
        FactKind::PrevCases => "cases last week".to_string(),
        _ => fact
            .id
            .split('.')
            .skip(usize::from(fact.area_name.is_some()))
            .collect::<Vec<_>>()
            .join(" ")
            .replace('_', " "),
    };
    match &fact.area_name {
        Some(name) => format!("{} {what}", lang::possessive(name)),
        None => what,
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the copy

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NumClass {
    Rate,
    Int,
    Percent,
    Ordinal,
    Date,
    ListPos,
    Word,
    OrdinalWord,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum T {
    Word(String),
    Num(NumClass, String),
    Area(usize),
    Open,
    Comma,
    Semi,
    Stop,
}

#[derive(Clone, Debug)]
struct Tok {
    t: T,
    start: usize,
    end: usize,
}

use crate::lang::MONTHS;
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const NUMBER_WORDS: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
const ORDINAL_WORDS: [&str; 9] = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
];
const UP_WORDS: &[&str] = &[
    "up",
    "rose",
    "risen",
    "rise",
    "rises",
    "rising",
    "climbed",
    "climb",
    "climbs",
    "climbing",
    "increase",
    "increased",
    "increases",
    "increasing",
];
const DOWN_WORDS: &[&str] = &[
    "down",
    "fell",
    "fallen",
    "fall",
    "falls",
    "falling",
    "dropped",
    "drop",
    "drops",
    "dropping",
    "decrease",
    "decreased",
    "decreases",
    "decreasing",
];
const SAME_WORDS: &[&str] = &["unchanged", "steady", "same"];
const CLAUSE_WORDS: &[&str] = &["and", "while", "but", "with", "whereas"];
const PRONOUNS: &[&str] = &["it", "that", "this", "its"];

fn direction_word(w: &str) -> Option<Direction> {
    if UP_WORDS.contains(&w) {
        Some(Direction::Up)
    } else if DOWN_WORDS.contains(&w) {
        Some(Direction::Down)
    } else if SAME_WORDS.contains(&w) {
        Some(Direction::Unchanged)
    } else {
        None
    }
}

fn dir_word(d: Direction) -> &'static str {
    match d {
        Direction::Up => "rose",
        Direction::Down => "fell",
        Direction::Unchanged => "was unchanged",
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'
}

/// The date at the start of `s` ("January 14", "January 14 2020"), as its length.
fn date_len(s: &str) -> Option<usize> {
    let month = MONTHS.iter().find(|m| s.starts_with(*m))?;
    let mut i = month.len();
    let rest = s[i..].strip_prefix(' ')?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&digits) {
        return None;
    }
    i += 1 + digits;
    if s[i..].chars().next().is_some_and(is_word_char) {
        return None;
    }
    let tail = &s[i..];
    if let Some(y) = tail.strip_prefix(' ')
        && y.bytes().take_while(u8::is_ascii_digit).count() == 4
        && !y[4..].starts_with(|c: char| {
            c.is_ascii_digit() || c == ',' && y[5..].starts_with(|d: char| d.is_ascii_digit())
        })
    {
        i += 5;
    }
    Some(i)
}

/// Which bytes the given words start with.
fn first_bytes<'s>(words: impl Iterator<Item = &'s str>) -> [bool; 256] {
    let mut first = [false; 256];
    for b in words.filter_map(|w| w.as_bytes().first()) {
        first[usize::from(*b)] = true;
    }
    first
}

fn tokenize(line: &str, names: &[(String, String)], labels: &[String]) -> Vec<Tok> {
    let mut toks = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut push = |t: T, start: usize, end: usize| toks.push(Tok { t, start, end });
    // The first bytes names and labels start with: most places in a line can start neither.
    let name_first = first_bytes(names.iter().map(|(n, _)| n.as_str()));
    let label_first = first_bytes(labels.iter().map(String::as_str));
    while i < line.len() {
        let c = line[i..].chars().next().expect("in bounds");
        let after_word = line[..i].chars().next_back().is_some_and(is_word_char);
        let first = usize::from(bytes[i]);
        // The patch's own words (publication, region, who calculated the figures) are not
        // figures, whatever they contain; area names are matched first.
        let label = (!after_word && label_first[first])
            .then(|| {
                labels.iter().find(|l| {
                    line[i..].starts_with(l.as_str())
                        && !line[i + l.len()..]
                            .chars()
                            .next()
                            .is_some_and(char::is_alphanumeric)
                        && !names.iter().any(|(n, _)| line[i..].starts_with(n.as_str()))
                })
            })
            .flatten();
        if let Some(l) = label {
            i += l.len();
            continue;
        }
        if !after_word && !c.is_whitespace() && !c.is_ascii_digit() {
            let hit = name_first[first].then(|| {
                names.iter().position(|(n, _)| {
                    line[i..].starts_with(n.as_str())
                        && !line[i + n.len()..]
                            .chars()
                            .next()
                            .is_some_and(char::is_alphanumeric)
                })
            });
            if let Some(k) = hit.flatten() {
                push(T::Area(k), i, i + names[k].0.len());
                i += names[k].0.len();
                continue;
            }
            if let Some(w) = WEEKDAYS.iter().find(|w| line[i..].starts_with(*w))
                && let Some(rest) = line[i + w.len()..].strip_prefix(", ")
                && let Some(n) = date_len(rest)
            {
                let end = i + w.len() + 2 + n;
                push(T::Num(NumClass::Date, line[i..end].to_string()), i, end);
                i = end;
                continue;
            }
            if let Some(n) = date_len(&line[i..]) {
                push(T::Num(NumClass::Date, line[i..i + n].to_string()), i, i + n);
                i += n;
                continue;
            }
        }
        if c.is_ascii_digit() && !after_word {
            let mut j = i;
            while j < line.len() {
                let b = bytes[j];
                let next_digit = bytes.get(j + 1).is_some_and(u8::is_ascii_digit);
                if b.is_ascii_digit() || ((b == b',' || b == b'.') && next_digit) {
                    j += 1;
                } else {
                    break;
                }
            }
            let text = &line[i..j];
            let rest = &line[j..];
            let suffix = ["st", "nd", "rd", "th"].iter().find(|s| {
                rest.starts_with(*s) && !rest[2..].chars().next().is_some_and(char::is_alphanumeric)
            });
            let (class, end) = if rest.starts_with('%') {
                (NumClass::Percent, j + 1)
            } else if suffix.is_some() {
                (NumClass::Ordinal, j + 2)
            } else if text.contains('.') {
                (NumClass::Rate, j)
            } else {
                (NumClass::Int, j)
            };
            push(T::Num(class, line[i..end].to_string()), i, end);
            i = end;
            continue;
        }
        if c.is_alphanumeric() {
            let len: usize = line[i..]
                .chars()
                .take_while(|&ch| is_word_char(ch))
                .map(char::len_utf8)
                .sum();
            let word = &line[i..i + len];
            let base = word
                .trim_end_matches("'s")
                .trim_end_matches("’s")
                .trim_end_matches(['\'', '’', '-']);
            let lower = base.to_lowercase();
            let t = if NUMBER_WORDS.contains(&lower.as_str()) {
                T::Num(NumClass::Word, lower)
            } else if ORDINAL_WORDS.contains(&lower.as_str()) {
                T::Num(NumClass::OrdinalWord, lower)
            } else {
                T::Word(lower)
            };
            push(t, i, i + len);
            i += len;
            continue;
        }
        match c {
            '(' => push(T::Open, i, i + 1),
            ',' => push(T::Comma, i, i + 1),
            ';' | ':' => push(T::Semi, i, i + 1),
            '.' | '!' | '?' => push(T::Stop, i, i + 1),
            _ => {}
        }
        i += c.len_utf8();
    }
    toks
}

struct Sentence {
    line: usize,
    text: String,
    toks: Vec<Tok>,
    /// The area a pronoun at the start refers to.
    carried: Option<usize>,
    /// For a table row, whether each token sits in a column of last week's figures.
    row: Option<Vec<bool>>,
}

/// Whether a table header cell heads a column of last week's figures.
fn prev_column(cell: &str, prev_markers: &[String]) -> bool {
    let cell = cell.to_lowercase();
    ["last week", "previous", "week before", "prior", "earlier"]
        .iter()
        .any(|m| cell.contains(m))
        || prev_markers.iter().any(|m| contains_phrase(&cell, m))
}

fn is_table_line(line: &str) -> bool {
    line.trim_start().starts_with('|')
}

fn is_table_rule(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.contains('-') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// Splits the copy into sentences, each with its tokens. Headings and list items are sentences
/// of their own; a numbered list's marker becomes a list-position token.
fn sentences(
    text: &str,
    names: &[(String, String)],
    labels: &[String],
    prev_markers: &[String],
) -> Vec<Sentence> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    // A Markdown table: a header row, a rule, then one row per line; each row is a sentence
    // about the first area it names, each cell read under its header.
    let mut header: Option<Vec<bool>> = None;
    for (n, raw) in lines.iter().copied().enumerate() {
        if is_table_line(raw) {
            if is_table_rule(raw) {
                continue;
            }
            let cells: Vec<&str> = raw.trim().trim_matches('|').split('|').collect();
            let starts_header = n == 0 || !is_table_line(lines[n - 1]);
            if starts_header {
                header = Some(cells.iter().map(|c| prev_column(c, prev_markers)).collect());
            }
            let toks = tokenize(raw, names, labels);
            let cols = header.clone().unwrap_or_default();
            let lead = raw.len() - raw.trim_start().len() + 1;
            let prev: Vec<bool> = toks
                .iter()
                .map(|t| {
                    let cell = raw[lead.min(t.start)..t.start].matches('|').count();
                    !starts_header && cols.get(cell).copied().unwrap_or(false)
                })
                .collect();
            if !toks.is_empty() {
                out.push(Sentence {
                    line: n + 1,
                    text: raw.trim().to_string(),
                    toks,
                    carried: None,
                    row: Some(prev),
                });
            }
            continue;
        }
        let trimmed = raw.trim_start();
        let mut content_start = raw.len() - trimmed.len();
        let hashes = trimmed.bytes().take_while(|&b| b == b'#').count();
        if hashes > 0 && trimmed[hashes..].starts_with(' ') {
            content_start += hashes + 1;
        }
        let mut marker = None;
        let body = &raw[content_start..];
        let digits = body.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && body[digits..].starts_with(". ") {
            marker = Some(body[..digits].to_string());
            content_start += digits + 2;
        } else if body.starts_with("- ") || body.starts_with("* ") {
            content_start += 2;
        }
        let mut toks = tokenize(&raw[content_start..], names, labels);
        for t in &mut toks {
            t.start += content_start;
            t.end += content_start;
        }
        if let Some(m) = marker {
            toks.insert(
                0,
                Tok {
                    t: T::Num(NumClass::ListPos, m),
                    start: 0,
                    end: digits,
                },
            );
        }
        let mut start_byte = 0;
        let mut current: Vec<Tok> = Vec::new();
        let mut last_area: Option<usize> = None;
        let flush = |toks: Vec<Tok>, end: usize, start: usize, last_area: &mut Option<usize>| {
            // "It ...", "That ...", "No other ..." go on about the area of the sentence before.
            let carried = match (toks.first().map(|t| &t.t), toks.get(1).map(|t| &t.t)) {
                (Some(T::Word(w)), _) if PRONOUNS.contains(&w.as_str()) => *last_area,
                (Some(T::Word(a)), Some(T::Word(b))) if a == "no" && b == "other" => *last_area,
                _ => None,
            };
            // The subject a pronoun refers to: the first area the sentence names.
            if let Some(a) = toks.iter().find_map(|t| match t.t {
                T::Area(k) => Some(k),
                _ => None,
            }) {
                *last_area = Some(a);
            }
            Sentence {
                line: n + 1,
                text: raw[start..end].trim().to_string(),
                toks,
                carried,
                row: None,
            }
        };
        for tok in toks {
            let is_stop = tok.t == T::Stop;
            let end = tok.end;
            current.push(tok);
            if is_stop {
                let s = flush(
                    std::mem::take(&mut current),
                    end,
                    start_byte,
                    &mut last_area,
                );
                if s.toks.len() > 1 {
                    out.push(s);
                }
                start_byte = end;
            }
        }
        if current.iter().any(|t| t.t != T::Stop) {
            out.push(flush(current, raw.len(), start_byte, &mut last_area));
        }
    }
    out
}

/// Whether `phrase` occurs in `text` as whole words, ignoring case.
fn contains_phrase(text: &str, phrase: &str) -> bool {
    if phrase.trim().is_empty() {
        return false;
    }
    let (text, phrase) = (text.to_lowercase(), phrase.to_lowercase());
    let mut from = 0;
    while let Some(p) = text[from..].find(&phrase) {
        let start = from + p;
        let end = start + phrase.len();
        let before = text[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        let after = text[end..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric);
        if !before && !after {
            return true;
        }
        from = start + phrase.chars().next().map_or(1, char::len_utf8);
    }
    false
}

// ---------------------------------------------------------------------------------------------
// The audit

struct Auditor<'a> {
    input: AuditInput<'a>,
    truth: Truth<'a, 'a>,
    /// The week's shared facts, numbered after the story's own.
    shared: &'a [Fact],
    /// Their printed forms (lower case) → shared facts.
    shared_index: &'a HashMap<String, Vec<usize>>,
    /// (name, code), longest name first.
    names: Vec<(String, String)>,
    /// Printed form (lower case) → the story's own facts.
    index: HashMap<String, Vec<usize>>,
    /// Facts that did not recompute, with why.
    broken: BTreeMap<usize, String>,
    report: AuditReport,
}

/// Printed form (lower case) → facts.
fn printed_index(facts: &[Fact]) -> HashMap<String, Vec<usize>> {
    let mut index: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, f) in facts.iter().enumerate() {
        for p in &f.printed {
            index.entry(p.to_lowercase()).or_default().push(i);
        }
    }
    index
}

/// Recomputes one fact; `Some(why)` when it does not recompute or is not printed in house
/// style.
fn check_fact(
    truth: &Truth<'_, '_>,
    fact: &Fact,
    patch: &Patch,
    release: NaiveDate,
    story_year: i32,
) -> Option<String> {
    match truth.recompute(fact, patch, release) {
        Err(why) => Some(why),
        Ok(v) if v != fact.value => {
            let shown = canonical(fact.kind, v, story_year);
            Some(format!(
                "the story has {} but the data give {shown}",
                fact.printed.first().map_or("nothing", String::as_str)
            ))
        }
        Ok(v) => {
            let shown = canonical(fact.kind, v, story_year);
            (!fact.printed.contains(&shown)).then(|| {
                format!(
                    "it is printed as {:?}, not in house style ({shown})",
                    fact.printed
                )
            })
        }
    }
}

/// What the audits of every story of one week share, prepared once: every area's figures
/// recomputed from the daily counts, with the national tables ranks are read from, and the
/// week's shared facts ([`crate::facts::Part::National`]) recomputed and indexed by printed
/// form. Each story's audit then recomputes only the story's own facts, and still traces every
/// figure of its copy to a fact, its own or a shared one.
pub struct AuditContext<'a> {
    nation: Nation<'a>,
    release: NaiveDate,
    shared: &'a [Fact],
    shared_index: HashMap<String, Vec<usize>>,
    /// Shared facts that did not recompute, with why.
    shared_broken: BTreeMap<usize, String>,
}

impl<'a> AuditContext<'a> {
    /// Prepares the audits of the stories of `story`'s week (its release, week and universe).
    /// `shared` are the facts every story of the week shares, recomputed here once with
    /// `patch`'s incomplete days and list lengths; empty when each story carries all of its
    /// facts.
    pub fn new(
        story: &Story,
        shared: &'a [Fact],
        dataset: &'a Dataset,
        population: &Population,
        patch: &Patch,
    ) -> AuditContext<'a> {
        let nation = Nation::new(story, dataset, population);
        let truth = Truth {
            nation: &nation,
            core: Vec::new(),
        };
        let shared_broken = shared
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                check_fact(&truth, f, patch, story.release, story.story_year).map(|why| (i, why))
            })
            .collect();
        AuditContext {
            release: story.release,
            shared,
            shared_index: printed_index(shared),
            shared_broken,
            nation,
        }
    }

    /// Reads one story's copy back and checks it against the story's own facts
    /// (`input.facts`, recomputed here), the week's shared facts and the data; see the module
    /// docs. A shared fact that does not recompute fails every story, as it would if the
    /// story carried it. A story of another week or universe than the context's fails.
    pub fn audit(&self, input: AuditInput<'_>) -> AuditReport {
        let story = input.story;
        let nation = &self.nation;
        if story.week != nation.week
            || story.release != self.release
            || story.universe.kind != nation.universe
            || story.universe.area_type != nation.area_type
        {
            return AuditReport {
                failures: vec![AuditFailure {
                    line: 0,
                    sentence: String::new(),
                    message: format!(
                        "the story covers the seven days to {} in {} ({} release), but its audit was prepared for the seven days to {} in {} ({} release)",
                        story.week.end,
                        story.universe.name,
                        story.release,
                        nation.week.end,
                        nation.universe.name(),
                        self.release
                    ),
                }],
                ..AuditReport::default()
            };
        }
        audit_with(self, input)
    }
}

/// Reads `input.text` back and checks it against the facts and the data; see the module docs.
pub fn audit(input: AuditInput<'_>) -> AuditReport {
    AuditContext::new(
        input.story,
        &[],
        input.dataset,
        input.population,
        input.patch,
    )
    .audit(input)
}

fn audit_with(ctx: &AuditContext<'_>, input: AuditInput<'_>) -> AuditReport {
    let story = input.story;
    let mut names: Vec<(String, String)> = Vec::new();
    let mut add = |name: &str, code: &str| {
        if !names.iter().any(|(n, _)| n == name) {
            names.push((name.to_string(), code.to_string()));
        }
    };
    for a in story.core.iter().chain(&story.nearby) {
        add(&a.name, &a.code);
    }
    for l in story.leaders.iter() {
        add(&l.area.name, &l.area.code);
    }
    for a in story.movers.iter().flat_map(|m| &m.items) {
        add(&a.name, &a.code);
    }
    for u in &story.unavailable {
        add(&u.name, &u.code);
    }
    for n in story.nation_leaders.iter() {
        add(&n.area.name, &n.area.code);
    }
    if let Some(h) = &story.hospital {
        add(&h.region, &h.code);
    }
    // Names print Markdown-escaped ("\\*test\\*"): read them in either form.
    let escaped: Vec<(String, String)> = names
        .iter()
        .map(|(n, c)| (crate::lang::markdown_text(n), c.clone()))
        .filter(|(n, _)| !names.iter().any(|(m, _)| m == n))
        .collect();
    names.extend(escaped);
    names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));

    let index = printed_index(input.facts);
    let core = story
        .core
        .iter()
        .map(|a| a.code.as_str())
        .chain(
            story
                .unavailable
                .iter()
                .filter(|u| u.core)
                .map(|u| u.code.as_str()),
        )
        .filter_map(|c| ctx.nation.index.get(c).copied())
        .collect();
    let mut a = Auditor {
        truth: Truth {
            nation: &ctx.nation,
            core,
        },
        input,
        shared: ctx.shared,
        shared_index: &ctx.shared_index,
        names,
        index,
        broken: BTreeMap::new(),
        report: AuditReport::default(),
    };
    a.recompute_facts();
    // The shared facts were recomputed once for the week; those that did not recompute
    // count against this story as if it carried them.
    let own = input.facts.len();
    a.report.facts += ctx.shared.len();
    for (&i, why) in &ctx.shared_broken {
        a.broken.insert(own + i, why.clone());
    }
    let mut labels: Vec<String> = [
        &story.publication,
        &story.region,
        &story.calculated_by,
        &story.source_name,
        &story.dashboard_name,
    ]
    .into_iter()
    // The leader a new leader took the top spot from is named but prints no figure; its
    // name may hold digits ("Hartlepool 001") that are not figures.
    .chain(story.leaders.iter().filter_map(|l| l.replaced.as_ref()))
    .filter(|l| !l.trim().is_empty())
    .flat_map(|l| [l.clone(), crate::lang::markdown_text(l)])
    .collect();
    labels.sort_by_key(|l| std::cmp::Reverse(l.len()));
    labels.dedup();
    let prev_markers: Vec<String> = crate::facts::date_forms(story.prev_week.end, story.story_year);
    let sentences = sentences(input.text, &a.names, &labels, &prev_markers);
    let mut printed_broken: Vec<usize> = Vec::new();
    for s in &sentences {
        a.check_sentence(s, &mut printed_broken);
    }
    // Facts that do not recompute and were not printed still fail: the sidecar publishes them.
    let unprinted: Vec<AuditFailure> = a
        .broken
        .iter()
        .filter(|(i, _)| !printed_broken.contains(i))
        .map(|(&i, why)| AuditFailure {
            line: 0,
            sentence: String::new(),
            message: format!(
                "fact {} ({}) does not recompute from the data: {why}",
                a.fact(i).id,
                describe(a.fact(i))
            ),
        })
        .collect();
    let mut failures = unprinted;
    failures.append(&mut a.report.failures);
    a.report.failures = failures;
    a.report
}

impl<'a> Auditor<'a> {
    fn fail(&mut self, s: &Sentence, message: String) {
        self.report.failures.push(AuditFailure {
            line: s.line,
            sentence: s.text.clone(),
            message,
        });
    }

    fn recompute_facts(&mut self) {
        let story = self.input.story;
        for (i, fact) in self.input.facts.iter().enumerate() {
            self.report.facts += 1;
            if let Some(why) = check_fact(
                &self.truth,
                fact,
                self.input.patch,
                story.release,
                story.story_year,
            ) {
                self.broken.insert(i, why);
            }
        }
    }

    /// A fact by its number: the story's own first, then the week's shared ones.
    fn fact(&self, f: usize) -> &'a Fact {
        let own = self.input.facts;
        match own.get(f) {
            Some(fact) => fact,
            None => &self.shared[f - own.len()],
        }
    }

    /// The facts printed as `text` (any case): the story's own first, then the shared ones.
    fn printed_as(&self, text: &str) -> Vec<usize> {
        let key = text.to_lowercase();
        let own = self.input.facts.len();
        let mut all = self.index.get(&key).cloned().unwrap_or_default();
        if let Some(shared) = self.shared_index.get(&key) {
            all.extend(shared.iter().map(|&i| own + i));
        }
        all
    }

    /// Whether a number word is used as a figure. "one" in "no one" and "one another" is not;
    /// an ordinal word is a rank only before a superlative ("second highest"), "place" or
    /// "position", or at the end of a clause ("Slough is second.").
    fn is_figure(&self, s: &Sentence, i: usize) -> bool {
        let word = |j: Option<usize>| match j.and_then(|j| s.toks.get(j)).map(|t| &t.t) {
            Some(T::Word(w)) => Some(w.as_str()),
            _ => None,
        };
        let next = s.toks.get(i + 1).map(|t| &t.t);
        match &s.toks[i].t {
            T::Num(NumClass::Word, w) if w == "one" => {
                word(i.checked_sub(1)) != Some("no") && word(Some(i + 1)) != Some("another")
            }
            T::Num(NumClass::OrdinalWord, _) => match next {
                None | Some(T::Stop | T::Comma | T::Semi) => true,
                Some(T::Word(w)) => w.ends_with("est") || w == "place" || w == "position",
                _ => false,
            },
            _ => true,
        }
    }

    fn code(&self, area: usize) -> &str {
        &self.names[area].1
    }

    fn name(&self, area: usize) -> &str {
        &self.names[area].0
    }

    /// Whether the sentence names `phrase` other than inside a longer area name: a story led
    /// by Wyre names Wyre Forest, and that is not Wyre.
    fn mentions(&self, s: &Sentence, phrase: &str) -> bool {
        self.mentions_in(&s.text, phrase)
    }

    /// [`Auditor::mentions`], in part of a sentence.
    fn mentions_in(&self, text: &str, phrase: &str) -> bool {
        let mut text = std::borrow::Cow::Borrowed(text);
        for (name, _) in &self.names {
            if name.len() > phrase.len()
                && (contains_phrase(name, phrase)
                    || contains_phrase(name, &crate::lang::markdown_text(phrase)))
                && text.contains(name.as_str())
            {
                text = std::borrow::Cow::Owned(text.replace(name.as_str(), " "));
            }
        }
        contains_phrase(&text, phrase)
            || contains_phrase(&text, &crate::lang::markdown_text(phrase))
    }

    fn check_sentence(&mut self, s: &Sentence, printed_broken: &mut Vec<usize>) {
        // Clauses: split at commas, semicolons and joining words.
        let mut clause = Vec::with_capacity(s.toks.len());
        let mut c = 0;
        for t in &s.toks {
            match &t.t {
                T::Comma | T::Semi => c += 1,
                T::Word(w) if CLAUSE_WORDS.contains(&w.as_str()) => c += 1,
                _ => {}
            }
            clause.push(c);
        }
        // Who each token is about: the area named last before it in its clause, else the first
        // one named later in its clause, else the sentence's first area if named before it,
        // else the area a pronoun carries over ("It is ..."). A table row is about its area.
        let areas: Vec<(usize, usize)> = s
            .toks
            .iter()
            .enumerate()
            .filter_map(|(i, t)| match t.t {
                T::Area(k) => Some((i, k)),
                _ => None,
            })
            .collect();
        let row_area = s.row.as_ref().and(areas.first().map(|&(_, k)| k));
        let owner: Vec<Option<usize>> = (0..s.toks.len())
            .map(|i| {
                row_area
                    .or_else(|| {
                        areas
                            .iter()
                            .rev()
                            .find(|&&(j, _)| j <= i && clause[j] == clause[i])
                            .map(|&(_, k)| k)
                    })
                    .or_else(|| {
                        areas
                            .iter()
                            .find(|&&(j, _)| j > i && clause[j] == clause[i])
                            .map(|&(_, k)| k)
                    })
                    .or_else(|| areas.first().filter(|&&(j, _)| j < i).map(|&(_, k)| k))
                    .or(s.carried)
            })
            .collect();
        let dirs: Vec<Option<Direction>> = s
            .toks
            .iter()
            .map(|t| match &t.t {
                T::Word(w) => direction_word(w),
                _ => None,
            })
            .collect();
        let clause_direction = |i: usize| -> Option<Direction> {
            let after = (i + 1..s.toks.len())
                .take_while(|&j| clause[j] == clause[i])
                .find_map(|j| dirs[j]);
            after.or_else(|| {
                (0..i)
                    .rev()
                    .take_while(|&j| clause[j] == clause[i])
                    .find_map(|j| dirs[j])
            })
        };
        let first_area = s.toks.iter().find_map(|t| match t.t {
            T::Area(k) => Some(k),
            _ => None,
        });

        // Last week's figures: just after "from", "against", "versus", "compared with", or in
        // brackets after one; in a table, in a column headed as last week's.
        let mut prev_role = vec![false; s.toks.len()];
        for i in 0..s.toks.len() {
            if !matches!(s.toks[i].t, T::Num(NumClass::Rate | NumClass::Int, _)) {
                continue;
            }
            if let Some(row) = &s.row {
                prev_role[i] = row[i];
                continue;
            }
            let before = i.checked_sub(1).map(|j| &s.toks[j].t);
            let before2 = i.checked_sub(2).map(|j| &s.toks[j].t);
            // "from 2,190 new cases" names where a rate comes from, not last week's figure.
            let new_cases =
                matches!(s.toks.get(i + 1).map(|t| &t.t), Some(T::Word(w)) if w == "new");
            prev_role[i] = !new_cases
                && match before {
                    Some(T::Word(w)) if matches!(w.as_str(), "with" | "to") => {
                        matches!(before2, Some(T::Word(c)) if c == "compared")
                    }
                    Some(T::Word(w)) => matches!(w.as_str(), "from" | "against" | "versus" | "vs"),
                    Some(T::Open) => (0..i.saturating_sub(1))
                        .rev()
                        .find(|&j| matches!(s.toks[j].t, T::Num(NumClass::Rate, _)))
                        .is_some_and(|j| j + 2 == i && prev_role[j]),
                    _ => false,
                };
        }

        for (i, t) in s.toks.iter().enumerate() {
            let T::Num(class, text) = &t.t else { continue };
            if !self.is_figure(s, i) {
                continue;
            }
            let area = if *class == NumClass::ListPos {
                first_area
            } else {
                owner[i]
            };
            let all: Vec<usize> = self.printed_as(text);
            let mut why: Option<String> = None;
            let timed: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&f| {
                    let k = self.fact(f).kind;
                    let ok = match (k, class) {
                        (FactKind::ListPosition, NumClass::ListPos) => true,
                        (FactKind::ListPosition, _) | (_, NumClass::ListPos) => false,
                        (FactKind::Rate | FactKind::Cases, _) => !prev_role[i],
                        (FactKind::PrevRate | FactKind::PrevCases, _) => prev_role[i],
                        _ => true,
                    };
                    if !ok && why.is_none() {
                        why = Some(format!(
                            "it is {}, printed where {} figure belongs",
                            describe(self.fact(f)),
                            if prev_role[i] {
                                "last week's"
                            } else {
                                "this week's"
                            }
                        ));
                    }
                    ok
                })
                .collect();
            // In a sentence about an area, a count just before "cases" or "new cases" is a
            // number of that area's cases ("cases per 100,000" is not a count).
            let next_words: Vec<&str> = s.toks[i + 1..]
                .iter()
                .take(3)
                .map(|t| match &t.t {
                    T::Word(w) => w.as_str(),
                    _ => "",
                })
                .collect();
            let of_cases = area.is_some()
                && *class == NumClass::Int
                && match next_words.as_slice() {
                    ["case" | "cases", next, ..] => *next != "per",
                    ["case" | "cases"] => true,
                    ["new", "case" | "cases", ..] => true,
                    _ => false,
                };
            let placed: Vec<usize> = timed
                .iter()
                .copied()
                .filter(|&f| {
                    let fact = self.fact(f);
                    let fc = fact.area_code.as_deref();
                    // In a sentence about an area, a figure is that area's, or one of no area
                    // that is not a count or share of areas that moved (a date, "seven days",
                    // "of the 315 areas"); a percentage is the area's own.
                    let ok = match (fc, area) {
                        (_, None) => true,
                        (None, Some(_)) => {
                            fact.direction.is_none() && *class != NumClass::Percent && !of_cases
                        }
                        (Some(code), Some(k)) => code == self.code(k),
                    } && (!of_cases
                        || matches!(fact.kind, FactKind::Cases | FactKind::PrevCases));
                    if !ok && why.is_none() {
                        why = Some(format!(
                            "it is {}, in a sentence about {}",
                            describe(self.fact(f)),
                            area.map_or("", |k| self.name(k))
                        ));
                    }
                    ok
                })
                .collect();
            let dir = clause_direction(i);
            let matched: Vec<usize> = placed
                .iter()
                .copied()
                .filter(|&f| {
                    let fd = self.fact(f).direction;
                    let ok = match (fd, dir) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    };
                    if !ok && why.is_none() {
                        why = Some(format!(
                            "it is {}, but its clause says the areas {}",
                            describe(self.fact(f)),
                            dir_word(dir.expect("compared"))
                        ));
                    }
                    ok
                })
                .collect();
            if matched.is_empty() {
                let why = why.unwrap_or_else(|| "no figure of the story is printed so".to_string());
                self.fail(s, format!("\"{text}\" traces to no fact: {why}"));
                continue;
            }
            self.report.figures += 1;
            // A figure is good if any fact it can be is good; when all are broken, say why.
            if matched.iter().all(|f| self.broken.contains_key(f)) {
                let f = matched[0];
                printed_broken.push(f);
                let why = self.broken[&f].clone();
                self.fail(
                    s,
                    format!(
                        "\"{text}\" ({}) does not recompute from the data: {why}",
                        describe(self.fact(f))
                    ),
                );
            }
        }

        self.check_claims(s, &owner, &dirs);
    }

    fn check_claims(&mut self, s: &Sentence, owner: &[Option<usize>], dirs: &[Option<Direction>]) {
        let story = self.input.story;
        let words: Vec<&str> = s
            .toks
            .iter()
            .map(|t| match &t.t {
                T::Word(w) | T::Num(NumClass::Word | NumClass::OrdinalWord, w) => w.as_str(),
                _ => "",
            })
            .collect();
        let has = |w: &str| words.contains(&w);
        let region_named = self.mentions(s, &story.region);
        let universe_named = self.mentions(s, &story.universe.name);
        let only = has("only") || words.windows(2).any(|p| p == ["no", "other"]);

        // Direction words about one area.
        let mut loose: Vec<Direction> = Vec::new();
        for (i, d) in dirs.iter().enumerate() {
            let Some(d) = *d else { continue };
            let Some(k) = owner[i] else {
                loose.push(d);
                continue;
            };
            let code = self.code(k).to_string();
            let name = self.name(k).to_string();
            let Ok(a) = self.truth.area(&code).cloned() else {
                continue;
            };
            self.report.claims += 1;
            if a.direction() != d {
                self.fail(
                    s,
                    format!(
                        "\"{}\" is wrong for {name}: its rate went from {} to {}",
                        words[i],
                        lang::rate_tenths(a.prev_rate),
                        lang::rate_tenths(a.rate)
                    ),
                );
                continue;
            }
            // "continues to rise" (not "continues to have the highest rate", checked below).
            if (has("continues") || has("continue")) && !has("highest") {
                self.report.claims += 1;
                let before = a.prev2_rate.map(|r| direction_of(r, a.prev_rate));
                if before != Some(d) {
                    self.fail(
                        s,
                        format!(
                            "\"continues\" is wrong for {name}: its rate {} the week before",
                            before.map_or("cannot be traced", dir_word)
                        ),
                    );
                }
            }
            if only && d != Direction::Unchanged {
                self.report.claims += 1;
                let (n, total) = self.truth.moved(Scope::Patch, d);
                let in_core = self
                    .truth
                    .core
                    .iter()
                    .any(|&c| self.truth.areas[c].code == code);
                if !in_core || n != 1 || total < 2 {
                    self.fail(
                        s,
                        format!(
                            "\"only\" is wrong for {name}: {n} of the {total} {} {}",
                            story.area_noun_plural,
                            dir_word(d)
                        ),
                    );
                }
            }
        }

        // Degree words.
        for (i, w) in words.iter().enumerate() {
            let sharp = matches!(*w, "sharply" | "sharp");
            let slight = matches!(*w, "slightly" | "slight");
            let dramatic = matches!(*w, "dramatically" | "dramatic" | "whopping");
            if !(sharp || slight || dramatic) {
                continue;
            }
            let Some(k) = owner[i] else { continue };
            let Ok(a) = self.truth.area(self.code(k)).cloned() else {
                continue;
            };
            self.report.claims += 1;
            let p = a.percent_size();
            let ok = if dramatic {
                p.is_none_or(|p| p >= WHOPPING_PERCENT)
            } else if sharp {
                p.is_none_or(|p| p >= SHARP_PERCENT)
            } else {
                p.is_some_and(|p| p < SLIGHT_PERCENT) && a.change() != 0
            };
            if !ok {
                let size = p.map_or("from zero".to_string(), |p| format!("{p}%"));
                self.fail(
                    s,
                    format!("\"{w}\" is wrong for {}: its rate changed {size}", a.name),
                );
            }
        }

        // Superlatives.
        for (i, w) in words.iter().enumerate() {
            let lowest = *w == "lowest";
            if !(lowest || *w == "highest") {
                continue;
            }
            let k = owner[i].or_else(|| {
                s.toks[i..].iter().find_map(|t| match t.t {
                    T::Area(k) => Some(k),
                    _ => None,
                })
            });
            let Some(k) = k else { continue };
            let code = self.code(k).to_string();
            let name = self.name(k).to_string();
            let mut n = 1i64;
            let mut joint = false;
            let mut ranked = false;
            for j in (i.saturating_sub(3)..i).rev() {
                match &s.toks[j].t {
                    T::Num(NumClass::OrdinalWord, t) if !ranked => {
                        ranked = true;
                        n = ORDINAL_WORDS
                            .iter()
                            .position(|o| o == t)
                            .map_or(1, |p| p as i64 + 1);
                    }
                    T::Num(NumClass::Ordinal, t) if !ranked => {
                        ranked = true;
                        n = t
                            .trim_end_matches(char::is_alphabetic)
                            .replace(',', "")
                            .parse()
                            .unwrap_or(1);
                    }
                    T::Word(w) if w == "joint" => joint = true,
                    _ => {}
                }
            }
            let line = self.input.text.lines().nth(s.line - 1).unwrap_or("");
            let after_end = s.toks[i..]
                .iter()
                .position(|t| t.t == T::Comma || t.t == T::Stop)
                .map_or(line.len(), |p| s.toks[i + p].start);
            let after = line.get(s.toks[i].end..after_end).unwrap_or("");
            let in_patch = self.mentions_in(after, &story.region);
            // "the 12th highest fall in the country" ranks by the size of the fall.
            let by = match words.get(i + 1).copied() {
                Some("fall" | "falls") => RankBy::Fall,
                Some("rise" | "rises") => RankBy::Rise,
                _ => RankBy::Rate,
            };
            let what = match by {
                RankBy::Fall => "fall",
                RankBy::Rise => "rise",
                _ => "rate",
            };
            // "the highest rate in Wales": within a nation, when the sentence names one that is
            // narrower than the universe.
            let nation = [
                ("england", 'E', "England"),
                ("scotland", 'S', "Scotland"),
                ("wales", 'W', "Wales"),
                ("ireland", 'N', "Northern Ireland"),
            ]
            .into_iter()
            .find(|(w, _, _)| has(w))
            .filter(|_| story.universe.kind == Universe::Uk);
            let got = if in_patch && by == RankBy::Rate {
                self.truth.patch_rank(&code, lowest)
            } else if by == RankBy::Rate {
                self.truth.rate_rank(&code, lowest, nation.map(|n| n.1))
            } else if lowest || nation.is_some() {
                Err(format!(
                    "the audit ranks a {what} only as the highest in {}",
                    story.universe.name
                ))
            } else {
                self.truth.rank(&code, by)
            };
            self.report.claims += 1;
            let where_ = if in_patch {
                story.region.clone()
            } else if let Some((_, _, n)) = nation {
                n.to_string()
            } else {
                story.universe.name.clone()
            };
            match got {
                Err(why) => self.fail(s, format!("\"{w}\" cannot be checked for {name}: {why}")),
                Ok((rank, same)) => {
                    // "highest" alone says no other area has it; "118th highest" is true of a
                    // tied area too (competition ranks), and "joint" must be true when said.
                    let shared = joint
                        || ["share", "shares", "shared", "level"]
                            .iter()
                            .any(|w| has(w));
                    let wrong_tie = if shared { same < 2 } else { n == 1 && same > 1 };
                    if rank != n || wrong_tie {
                        self.fail(
                            s,
                            format!(
                                "\"{}{w}\" is wrong for {name}: its {what} ranks {}{} in {where_}",
                                if n > 1 {
                                    format!("{} ", lang::ordinal_words(n))
                                } else {
                                    String::new()
                                },
                                lang::ordinal(rank),
                                if same > 1 {
                                    format!(", tied with {}", same - 1)
                                } else {
                                    String::new()
                                }
                            ),
                        );
                    }
                }
            }
            if !lowest && !in_patch && by == RankBy::Rate && (has("continues") || has("continue")) {
                self.report.claims += 1;
                let prev = self.truth.rank(&code, RankBy::PrevRate);
                if !matches!(prev, Ok((1, 1))) {
                    self.fail(
                        s,
                        format!("\"continues\" is wrong for {name}: it did not have the highest rate alone the week before"),
                    );
                }
            }
        }

        // "taking the top spot from X": X led the week before, and the new leader did not.
        for i in 0..s.toks.len().saturating_sub(3) {
            let T::Area(k) = s.toks[i + 3].t else {
                continue;
            };
            if words[i..i + 3] != ["top", "spot", "from"] {
                continue;
            }
            self.report.claims += 1;
            let was = self.name(k).to_string();
            if !matches!(self.truth.rank(self.code(k), RankBy::PrevRate), Ok((1, _))) {
                self.fail(
                    s,
                    format!("\"top spot from {was}\" is wrong: {was} did not have the highest rate the week before"),
                );
            }
            let subject = s.toks.iter().find_map(|t| match t.t {
                T::Area(a) => Some(a),
                _ => None,
            });
            if let Some(now) = subject.filter(|&a| a != k)
                && matches!(
                    self.truth.rank(self.code(now), RankBy::PrevRate),
                    Ok((1, _))
                )
            {
                let now = self.name(now).to_string();
                self.fail(
                    s,
                    format!("\"taking the top spot\" is wrong: {now} had the highest rate the week before too"),
                );
            }
        }

        // Directions said of the patch or the nation as a whole.
        loose.sort_by_key(|d| *d as u8);
        loose.dedup();
        if loose.len() != 1 {
            return;
        }
        let d = loose[0];
        if region_named {
            self.report.claims += 1;
            let (n, total) = self.truth.moved(Scope::Patch, d);
            let all_but_one = words.windows(3).any(|w| w == ["all", "but", "one"]);
            let every = has("every") || (has("all") && !all_but_one);
            let (ok, claim) = if all_but_one {
                (total >= 3 && n == total - 1, "all but one")
            } else if every {
                (n == total, "every")
            } else {
                (n * 2 > total, "most")
            };
            if !ok {
                self.fail(
                    s,
                    format!(
                        "says rates {} in {claim} of the {} but {n} of {total} did",
                        dir_word(d),
                        story.area_noun_plural
                    ),
                );
            }
        } else if universe_named && !region_named && has("most") {
            self.report.claims += 1;
            if self.truth.majority() != Some(d) {
                self.fail(
                    s,
                    format!(
                        "says most areas of {} {}, but the data do not",
                        story.universe.name,
                        dir_word(d)
                    ),
                );
            }
            if has("continue") || has("continues") {
                self.report.claims += 1;
                if self.truth.prev_majority() != Some(d) {
                    self.fail(
                        s,
                        format!(
                            "says rates continue to go the same way, but most areas of {} did not {} the week before",
                            story.universe.name,
                            match d {
                                Direction::Up => "rise",
                                Direction::Down => "fall",
                                Direction::Unchanged => "stay the same",
                            }
                        ),
                    );
                }
            }
        }
    }
}
