//! The story's view model: every figure already computed and every claim already decided, so
//! a template only chooses words. It serialises as the `--format json` output.

use chrono::{Datelike, NaiveDate};
use std::sync::Arc;

use serde::Serialize;

use crate::config::Patch;
use crate::lang;
use crate::model::Dataset;
pub use crate::stats::nation_of;
use crate::stats::{
    AreaWeek, Direction, Missing, Movement, National, PatchSummary, Ranks, Rate, Week,
};

/// How many sentence frames a template offers for each kind of area sentence. The story picks
/// one per area, deterministically, never the same twice in a row.
pub const FRAMES: u8 = 3;

/// A change of at least this many percent is "whopping".
pub const WHOPPING_PERCENT: i64 = 60;
/// A change of at least this many percent is "sharp".
pub const SHARP_PERCENT: i64 = 40;
/// A change under this many percent is "slight".
pub const SLIGHT_PERCENT: i64 = 10;

/// Why no story can be written.
#[derive(Debug, thiserror::Error)]
pub enum StoryError {
    /// None of the areas in the universe has figures for the week.
    #[error(
        "no {area_type} area in {universe} has complete figures for the seven days to {end} and the week before{why}"
    )]
    EmptyWindow {
        /// Area type.
        area_type: String,
        /// Universe name.
        universe: String,
        /// Last day of the week.
        end: NaiveDate,
        /// An example of what is missing.
        why: String,
    },
    /// None of the patch's own areas has figures.
    #[error("none of the patch's areas has figures for the seven days to {end}: {details}")]
    NoCoreFigures {
        /// Last day of the week.
        end: NaiveDate,
        /// Each area and why.
        details: String,
    },
}

/// How big a change is, for "up sharply" / "down slightly" / "a whopping decrease".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Degree {
    /// At least [`WHOPPING_PERCENT`], or from zero.
    Whopping,
    /// At least [`SHARP_PERCENT`].
    Sharp,
    /// Under [`SLIGHT_PERCENT`].
    Slight,
    /// In between: no qualifier.
    Plain,
    /// No change.
    None,
}

impl Degree {
    /// The degree of a change given as a signed whole percentage (`None`: from zero).
    pub fn of(week: &AreaWeek) -> Degree {
        match (week.direction, week.percent_change) {
            (Direction::Unchanged, _) => Degree::None,
            (_, None) => Degree::Whopping,
            (_, Some(p)) if p.abs() >= WHOPPING_PERCENT => Degree::Whopping,
            (_, Some(p)) if p.abs() >= SHARP_PERCENT => Degree::Sharp,
            (_, Some(p)) if p.abs() < SLIGHT_PERCENT => Degree::Slight,
            _ => Degree::Plain,
        }
    }
}

/// One area's figures, ready to print.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AreaView {
    /// ONS code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Rate per 100,000 in the week, one decimal.
    pub rate: Rate,
    /// Rate the week before.
    pub prev_rate: Rate,
    /// Cases in the week.
    pub cases: i64,
    /// Cases the week before.
    pub prev_cases: i64,
    /// Population the rates are computed on.
    pub population: u64,
    /// `rate - prev_rate`.
    pub change: Rate,
    /// The size of that change, never negative (for "down 12.3").
    pub change_size: Rate,
    /// Signed whole-percent change of the rounded rates; absent when last week's rate was 0.
    pub percent_change: Option<i64>,
    /// Its size, never negative (for "falling 28%").
    pub percent_change_size: Option<i64>,
    /// up, down or unchanged.
    pub direction: Direction,
    /// sharp, slight, plain or none.
    pub degree: Degree,
    /// National ranks.
    pub ranks: Ranks,
    /// The highest rate in the universe, shared with no other area.
    pub highest_alone: bool,
    /// The lowest rate in the universe, shared with no other area.
    pub lowest_alone: bool,
    /// Rank in the patch by rate (1 = highest), for core areas.
    pub patch_rank: Option<usize>,
    /// Highest rate in the patch (and not tied for it).
    pub highest_in_patch: bool,
    /// Lowest rate in the patch (and not tied for it).
    pub lowest_in_patch: bool,
    /// The only core area whose rate rose.
    pub only_riser: bool,
    /// The only core area whose rate fell.
    pub only_faller: bool,
    /// Which sentence frame to use, `0..FRAMES`.
    pub frame: u8,
}

/// A national leader.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeaderView {
    /// The area.
    #[serde(flatten)]
    pub area: AreaView,
    /// Its rank by rate (tied areas share one).
    pub position: usize,
    /// It shares its rank with another area.
    pub tied: bool,
    /// It has the highest rate and had the highest rate last week too, alone both times.
    pub continues: bool,
    /// For the leader who was not top last week: who was, when one area was.
    pub replaced: Option<String>,
}

/// The area with the highest rate in one nation (UK-wide stories only).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NationLeader {
    /// "England", "Scotland", "Wales", "Northern Ireland".
    pub nation: String,
    /// The area.
    #[serde(flatten)]
    pub area: AreaView,
    /// It shares the top rate in its nation with another area.
    pub tied: bool,
}

/// Hospital figures for the patch's NHS region, each with the date it is accurate to.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HospitalView {
    /// The NHS region's name.
    pub region: String,
    /// Its code.
    pub code: String,
    /// Patients in hospital with Covid-19.
    pub patients: Option<i64>,
    /// The metric `patients` was read from: `hospitalCases` (legacy) or the UKHSA dashboard's
    /// `COVID-19_healthcare_occupiedBedsByDay`.
    pub patients_metric: String,
    /// The day `patients` is accurate to.
    pub patients_date: Option<NaiveDate>,
    /// Patients in beds with mechanical ventilation.
    pub ventilated: Option<i64>,
    /// The day `ventilated` is accurate to.
    pub ventilated_date: Option<NaiveDate>,
}

/// An area the patch names that has no figures this week.
#[derive(Clone, Debug, Serialize)]
pub struct UnavailableView {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Why, in words a reader understands.
    pub reason: String,
    /// Whether it is a core area (else nearby).
    pub core: bool,
}

/// The national picture.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UniverseView {
    /// `england` or `uk`.
    pub kind: crate::stats::Universe,
    /// Name in copy: "England", "the UK".
    pub name: String,
    /// Dashboard area type counted.
    pub area_type: String,
    /// Rising, falling, unchanged, with shares.
    pub movement: Movement,
    /// The direction most areas took.
    pub majority: Option<Direction>,
    /// The direction most areas took the week before, when known.
    pub prev_majority: Option<Direction>,
    /// Areas left out for want of figures.
    pub left_out: usize,
}

/// What the copy can say of the patch as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// Every core area rose.
    AllUp,
    /// Every core area fell.
    AllDown,
    /// Every core area but one rose (three or more areas).
    AllButOneUp,
    /// Every core area but one fell (three or more areas).
    AllButOneDown,
    /// More than half rose.
    MostUp,
    /// More than half fell.
    MostDown,
    /// No core area changed.
    AllUnchanged,
    /// No direction has a majority.
    Mixed,
}

impl Trend {
    fn of(m: &Movement) -> Trend {
        let n = m.total;
        if m.unchanged == n {
            Trend::AllUnchanged
        } else if m.falling == n {
            Trend::AllDown
        } else if m.rising == n {
            Trend::AllUp
        } else if n >= 3 && m.falling == n - 1 {
            Trend::AllButOneDown
        } else if n >= 3 && m.rising == n - 1 {
            Trend::AllButOneUp
        } else if m.falling * 2 > n {
            Trend::MostDown
        } else if m.rising * 2 > n {
            Trend::MostUp
        } else {
            Trend::Mixed
        }
    }

    fn direction(self) -> Option<Direction> {
        match self {
            Trend::AllUp | Trend::AllButOneUp | Trend::MostUp => Some(Direction::Up),
            Trend::AllDown | Trend::AllButOneDown | Trend::MostDown => Some(Direction::Down),
            Trend::AllUnchanged => Some(Direction::Unchanged),
            Trend::Mixed => None,
        }
    }
}

/// The national direction, when it differs from the patch's.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Contrast {
    /// Where most areas nationally went.
    pub direction: Direction,
    /// Most areas went the same way the week before too.
    pub continues: bool,
}

/// The patch as a whole.
#[derive(Clone, Debug, Serialize)]
pub struct LocalView {
    /// Core areas with figures.
    pub count: usize,
    /// Their rising, falling, unchanged.
    pub movement: Movement,
    /// The overall picture.
    pub trend: Trend,
    /// The one area that went against an all-but-one trend.
    pub exception: Option<String>,
    /// How the nation differs, if it does.
    pub contrast: Option<Contrast>,
    /// "similar rates of around X".
    pub similar_around: Option<i64>,
    /// Name of the core area with the highest rate, unless tied.
    pub highest: Option<String>,
    /// Name of the core area with the lowest rate, unless tied.
    pub lowest: Option<String>,
    /// Names sharing the highest rate, when two or more do.
    pub highest_tied: Vec<String>,
    /// Names sharing the lowest rate, when two or more do.
    pub lowest_tied: Vec<String>,
}

/// The national list of largest movers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MoversView {
    /// `falls` or `rises`.
    pub kind: String,
    /// Largest first.
    pub items: Vec<AreaView>,
}

/// Everything a template needs.
#[derive(Clone, Debug, Serialize)]
pub struct Story {
    /// Template name.
    pub template: String,
    /// Publication.
    pub publication: String,
    /// Region as used in copy.
    pub region: String,
    /// "borough".
    pub area_noun: String,
    /// "boroughs".
    pub area_noun_plural: String,
    /// The day the data were published.
    pub release: NaiveDate,
    /// The release's year: dates in other years print theirs.
    pub story_year: i32,
    /// The seven days reported.
    pub week: Week,
    /// The seven days before.
    pub prev_week: Week,
    /// Whose data.
    pub source_name: String,
    /// Where they were published.
    pub dashboard_name: String,
    /// Who calculated the figures.
    pub calculated_by: String,
    /// National picture.
    pub universe: UniverseView,
    /// The patch as a whole.
    pub local: LocalView,
    /// Core areas with figures, highest rate first.
    pub core: Vec<AreaView>,
    /// Nearby areas with figures, in the patch's order.
    pub nearby: Vec<AreaView>,
    /// Patch areas without figures.
    pub unavailable: Vec<UnavailableView>,
    /// The highest national rates.
    pub leaders: Arc<[LeaderView]>,
    /// The largest falls or rises, when most areas went that way.
    pub movers: Option<Arc<MoversView>>,
    /// Each nation's highest rate, in UK-wide stories.
    pub nation_leaders: Arc<[NationLeader]>,
    /// Hospital figures for the patch's NHS region, when the data have them.
    pub hospital: Option<HospitalView>,
}

/// FNV-1a: a stable hash, so the same inputs pick the same frames on every machine and
/// every Rust version.
fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Picks a frame for each key in order, deterministically from the seed, release and key,
/// never repeating the previous pick.
pub fn pick_frames(seed: u64, release: NaiveDate, keys: &[&str]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(keys.len());
    let date = release.to_string();
    for key in keys {
        let h = stable_hash(&[&seed.to_le_bytes(), date.as_bytes(), key.as_bytes()]);
        let mut frame = (h % u64::from(FRAMES)) as u8;
        if out.last() == Some(&frame) {
            frame = (frame + 1) % FRAMES;
        }
        out.push(frame);
    }
    out
}

/// Describes why an area has no figures, in copy-ready words.
pub fn missing_reason(why: &Missing, story_year: i32) -> String {
    match why {
        Missing::Days { dates } => {
            let days: Vec<String> = dates
                .iter()
                .map(|d| lang::date(*d, Some(story_year)))
                .collect();
            format!("the dashboard has no figures for {}", lang::list_and(&days))
        }
        Missing::Population => "there is no population figure to compute a rate".to_string(),
    }
}

fn area_view(dataset: &Dataset, national: &National, week: &AreaWeek) -> AreaView {
    let area = &dataset.areas[week.index];
    let ranks = national.ranks_of(week.index);
    let counted = national.by_rate.len();
    AreaView {
        code: area.code.clone(),
        name: area.name.clone(),
        rate: week.rate,
        prev_rate: week.prev_rate,
        cases: week.cases,
        prev_cases: week.prev_cases,
        population: week.population,
        change: week.change,
        change_size: Rate(week.change.0.abs()),
        percent_change: week.percent_change,
        percent_change_size: week.percent_change.map(i64::abs),
        direction: week.direction,
        degree: Degree::of(week),
        ranks,
        highest_alone: ranks.rate == Some(1) && ranks.rate_low == Some(counted),
        lowest_alone: ranks.rate_low == Some(1) && ranks.rate == Some(counted),
        patch_rank: None,
        highest_in_patch: false,
        lowest_in_patch: false,
        only_riser: false,
        only_faller: false,
        frame: 0,
    }
}

/// What a story is about, beyond the national figures.
#[derive(Clone, Debug)]
pub struct StoryInput<'a> {
    /// The data.
    pub dataset: &'a Dataset,
    /// The week's national figures.
    pub national: &'a National,
    /// The patch.
    pub patch: &'a Patch,
    /// Dataset indices of the core areas.
    pub core: &'a [usize],
    /// Dataset indices of the nearby areas.
    pub nearby: &'a [usize],
    /// The release.
    pub release: NaiveDate,
    /// The template's name.
    pub template: &'a str,
    /// Hospital figures for the patch's NHS region, if any.
    pub hospital: Option<HospitalView>,
}

/// The parts of a story that depend only on the week's national figures and the patch's
/// lists, seed and release (the universe, the national leaders, the movers, each nation's
/// leader): the same in every story of an every-area run, so decided once for all of them.
#[derive(Clone, Debug)]
pub struct WeekViews<'a> {
    dataset: &'a Dataset,
    national: &'a National,
    lists: crate::config::Lists,
    seed: u64,
    release: NaiveDate,
    universe: UniverseView,
    leaders: Arc<[LeaderView]>,
    movers: Option<Arc<MoversView>>,
    nation_leaders: Arc<[NationLeader]>,
}

impl<'a> WeekViews<'a> {
    /// Decides the week's shared parts for stories of `patch` (its lists and seed).
    pub fn new(
        dataset: &'a Dataset,
        national: &'a National,
        patch: &Patch,
        release: NaiveDate,
    ) -> WeekViews<'a> {
        WeekViews {
            dataset,
            national,
            lists: patch.lists.clone(),
            seed: patch.seed,
            release,
            universe: universe_view(national),
            leaders: leaders(dataset, national, patch, release).into(),
            movers: movers(dataset, national, patch).map(Arc::new),
            nation_leaders: nation_leaders(dataset, national, patch.seed, release).into(),
        }
    }

    /// Whether these are the views a story of `input` would decide.
    fn fits(&self, input: &StoryInput<'_>) -> bool {
        std::ptr::eq(self.dataset, input.dataset)
            && std::ptr::eq(self.national, input.national)
            && self.lists == input.patch.lists
            && self.seed == input.patch.seed
            && self.release == input.release
    }
}

/// Decides everything the copy will say.
pub fn build(input: StoryInput<'_>) -> Result<Story, StoryError> {
    build_with(input, None)
}

/// [`build`], taking the week's shared parts from `week` when they were decided for the same
/// data, national figures, lists, seed and release (and deciding them afresh otherwise).
pub fn build_in(input: StoryInput<'_>, week: &WeekViews<'_>) -> Result<Story, StoryError> {
    build_with(input, Some(week))
}

fn build_with(input: StoryInput<'_>, week: Option<&WeekViews<'_>>) -> Result<Story, StoryError> {
    let hospital = input.hospital.clone();
    let week = week.filter(|w| w.fits(&input));
    let StoryInput {
        hospital: _,
        dataset,
        national,
        patch,
        core,
        nearby,
        release,
        template,
    } = input;
    let story_year = release.year();
    if national.weeks.is_empty() {
        let why = national
            .missing
            .first()
            .map(|(i, m)| format!(" ({}: {m})", dataset.areas[*i].name))
            .unwrap_or_default();
        return Err(StoryError::EmptyWindow {
            area_type: national.area_type.clone(),
            universe: national.universe.name().to_string(),
            end: national.week.end,
            why,
        });
    }

    let mut unavailable = Vec::new();
    for (indices, is_core) in [(core, true), (nearby, false)] {
        for &i in indices {
            if national.week_of(i).is_none() {
                let area = &dataset.areas[i];
                let why = national
                    .missing
                    .iter()
                    .find(|(m, _)| *m == i)
                    .map(|(_, why)| missing_reason(why, story_year))
                    .unwrap_or_else(|| {
                        format!("it is not counted in {}", national.universe.name())
                    });
                unavailable.push(UnavailableView {
                    code: area.code.clone(),
                    name: area.name.clone(),
                    reason: why,
                    core: is_core,
                });
            }
        }
    }

    let summary = PatchSummary::compute(national, dataset, core);
    if summary.by_rate.is_empty() {
        let details: Vec<String> = unavailable
            .iter()
            .map(|u| format!("{} ({})", u.name, u.reason))
            .collect();
        return Err(StoryError::NoCoreFigures {
            end: national.week.end,
            details: details.join("; "),
        });
    }

    let keys: Vec<&str> = summary
        .by_rate
        .iter()
        .map(|&p| dataset.areas[national.weeks[p].index].code.as_str())
        .collect();
    let frames = pick_frames(patch.seed, release, &keys);
    let top_rate = national.weeks[summary.by_rate[0]].rate;
    let bottom_rate = national.weeks[*summary.by_rate.last().expect("not empty")].rate;
    let n_top = summary
        .by_rate
        .iter()
        .filter(|&&p| national.weeks[p].rate == top_rate)
        .count();
    let n_bottom = summary
        .by_rate
        .iter()
        .filter(|&&p| national.weeks[p].rate == bottom_rate)
        .count();
    let several = summary.by_rate.len() > 1;
    let core_views: Vec<AreaView> = summary
        .by_rate
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let w = &national.weeks[p];
            let mut v = area_view(dataset, national, w);
            v.patch_rank = Some(
                1 + summary
                    .by_rate
                    .iter()
                    .filter(|&&q| national.weeks[q].rate > w.rate)
                    .count(),
            );
            v.highest_in_patch = several && w.rate == top_rate && n_top == 1;
            v.lowest_in_patch = several && w.rate == bottom_rate && n_bottom == 1;
            v.only_riser = summary.only_riser == Some(p);
            v.only_faller = summary.only_faller == Some(p);
            v.frame = frames[i];
            v
        })
        .collect();

    let mut nearby_views: Vec<AreaView> = nearby
        .iter()
        .filter_map(|&i| national.week_of(i))
        .map(|w| area_view(dataset, national, w))
        .collect();
    let nearby_keys: Vec<&str> = nearby_views.iter().map(|v| v.code.as_str()).collect();
    let nearby_frames = pick_frames(patch.seed, release, &nearby_keys);
    for (v, frame) in nearby_views.iter_mut().zip(nearby_frames) {
        v.frame = frame;
    }

    let trend = Trend::of(&summary.movement);
    let exception = match trend {
        Trend::AllButOneDown => core_views
            .iter()
            .find(|v| v.direction != Direction::Down)
            .map(|v| v.name.clone()),
        Trend::AllButOneUp => core_views
            .iter()
            .find(|v| v.direction != Direction::Up)
            .map(|v| v.name.clone()),
        _ => None,
    };
    let majority = national.movement.majority();
    let prev_majority = national.prev_movement.and_then(|m| m.majority());
    let contrast = match (trend.direction(), majority) {
        (Some(local), Some(nation)) if local != nation && nation != Direction::Unchanged => {
            Some(Contrast {
                direction: nation,
                continues: prev_majority == Some(nation),
            })
        }
        _ => None,
    };

    let (universe, leaders, movers, nation_leaders) = match week {
        Some(w) => (
            w.universe.clone(),
            w.leaders.clone(),
            w.movers.clone(),
            w.nation_leaders.clone(),
        ),
        None => (
            universe_view(national),
            leaders(dataset, national, patch, release).into(),
            movers(dataset, national, patch).map(Arc::new),
            nation_leaders(dataset, national, patch.seed, release).into(),
        ),
    };
    Ok(Story {
        template: template.to_string(),
        publication: patch.publication.clone(),
        region: patch.region.clone(),
        area_noun: patch.area_noun.clone(),
        area_noun_plural: patch.area_noun_plural(),
        release,
        story_year,
        week: national.week,
        prev_week: national.week.previous(),
        source_name: patch.source_name_for(release),
        dashboard_name: patch.dashboard_name.clone(),
        calculated_by: patch.calculated_by.clone(),
        universe,
        local: LocalView {
            count: core_views.len(),
            movement: summary.movement,
            trend,
            exception,
            contrast,
            // "All have similar rates" would overreach if a core area has no figure.
            similar_around: summary
                .similar_around
                .filter(|_| !unavailable.iter().any(|u| u.core)),
            highest: core_views
                .iter()
                .find(|v| v.highest_in_patch)
                .map(|v| v.name.clone()),
            lowest: core_views
                .iter()
                .find(|v| v.lowest_in_patch)
                .map(|v| v.name.clone()),
            highest_tied: tied_names(&core_views, top_rate, n_top),
            lowest_tied: if top_rate == bottom_rate {
                Vec::new()
            } else {
                tied_names(&core_views, bottom_rate, n_bottom)
            },
        },
        core: core_views,
        nearby: nearby_views,
        unavailable,
        leaders,
        movers,
        nation_leaders,
        hospital,
    })
}

fn universe_view(national: &National) -> UniverseView {
    UniverseView {
        kind: national.universe,
        name: national.universe.name().to_string(),
        area_type: national.area_type.clone(),
        movement: national.movement,
        majority: national.movement.majority(),
        prev_majority: national.prev_movement.and_then(|m| m.majority()),
        left_out: national.missing.len(),
    }
}

fn leaders(
    dataset: &Dataset,
    national: &National,
    patch: &Patch,
    release: NaiveDate,
) -> Vec<LeaderView> {
    let mut leaders: Vec<LeaderView> = national
        .by_rate
        .top(patch.lists.leaders)
        .iter()
        .enumerate()
        .map(|(i, &(p, key))| {
            let w = &national.weeks[p];
            let position = national.by_rate.rank_at(i);
            let tied = national.by_rate.count_of_key(key) > 1;
            let prev_alone = national
                .by_prev_rate
                .order
                .first()
                .is_some_and(|&(_, top)| national.by_prev_rate.count_of_key(top) == 1);
            let ranks = national.ranks_of(w.index);
            let continues = position == 1 && !tied && ranks.prev_rate == Some(1) && prev_alone;
            let replaced = (position == 1 && !tied && !continues && prev_alone)
                .then(|| national.by_prev_rate.order.first())
                .flatten()
                .map(|&(q, _)| dataset.areas[national.weeks[q].index].name.clone());
            LeaderView {
                area: area_view(dataset, national, w),
                position,
                tied,
                continues,
                replaced,
            }
        })
        .collect();

    let leader_keys: Vec<&str> = leaders.iter().map(|l| l.area.code.as_str()).collect();
    let leader_frames = pick_frames(patch.seed, release, &leader_keys);
    for (l, f) in leaders.iter_mut().zip(leader_frames) {
        l.area.frame = f;
    }
    leaders
}

fn movers(dataset: &Dataset, national: &National, patch: &Patch) -> Option<MoversView> {
    let m = national.movement;
    if patch.lists.movers == 0 || m.falling == m.rising {
        None
    } else {
        let (kind, ranking) = if m.falling > m.rising {
            ("falls", &national.by_fall)
        } else {
            ("rises", &national.by_rise)
        };
        Some(MoversView {
            kind: kind.to_string(),
            items: ranking
                .top(patch.lists.movers)
                .iter()
                .map(|&(p, _)| area_view(dataset, national, &national.weeks[p]))
                .collect(),
        })
    }
}

fn tied_names(views: &[AreaView], rate: Rate, count: usize) -> Vec<String> {
    if count < 2 {
        return Vec::new();
    }
    views
        .iter()
        .filter(|v| v.rate == rate)
        .map(|v| v.name.clone())
        .collect()
}

fn nation_leaders(
    dataset: &Dataset,
    national: &National,
    seed: u64,
    release: NaiveDate,
) -> Vec<NationLeader> {
    if national.universe != crate::stats::Universe::Uk {
        return Vec::new();
    }
    let mut out: Vec<NationLeader> = national
        .nation_heads(dataset)
        .iter()
        .map(|head| NationLeader {
            nation: head.nation.to_string(),
            area: area_view(dataset, national, &national.weeks[head.position]),
            tied: head.tied,
        })
        .collect();
    let keys: Vec<&str> = out.iter().map(|n| n.area.code.as_str()).collect();
    let frames = pick_frames(seed, release, &keys);
    for (n, f) in out.iter_mut().zip(frames) {
        n.area.frame = f;
    }
    out
}
