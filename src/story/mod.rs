//! The story's view model: every figure already computed and every claim already decided, so
//! a template only chooses words. It serialises as the `--format json` output.

use chrono::NaiveDate;
use std::sync::Arc;

use serde::Serialize;

pub use crate::stats::nation_of;
use crate::stats::{AreaWeek, Direction, Movement, Ranks, Rate, Week};

/// How many sentence frames a template offers for each kind of area sentence. The story picks
/// one per area, deterministically, never the same twice in a row.
pub(crate) const FRAMES: u8 = 3;

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
    /// Name as the press prints it inside a sentence ("the Vale of Glamorgan", "Hull"): the
    /// patch's `[names]`, else [`crate::geo::print_name`], else the data's name.
    pub name: String,
    /// Name in the data (the ONS name: "Kingston upon Hull, City of").
    pub official_name: String,
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
    /// The change is too small to tell as a rise or a fall (the patch's `[noise]`): the copy
    /// says "almost unchanged".
    pub noise: bool,
    /// Both weeks' counts are small ([`SMALL_CASES`]): the change is told as counts ("up from
    /// 20 cases to 40"), not as a percentage.
    pub small: bool,
    /// Another area of the universe has the same rate, so its printed rank is "joint".
    pub rate_tied: bool,
    /// Another area rose (or fell) by exactly as much, so its rise or fall rank is "joint".
    pub change_tied: bool,
    /// Its rise or fall ranks in the top half of the areas that moved its way, so "the Nth
    /// highest fall" reads right; a rank from the bottom half is left out.
    pub change_upper_half: bool,
    /// The story says this area's top rate elsewhere (it leads the nation that is the patch's
    /// region, among the nation leaders or the national leaders), so the patch's own "highest"
    /// sentence is left out.
    pub leads_elsewhere: bool,
    /// The county that places a two-tier or metropolitan district for a reader elsewhere
    /// ("Merseyside" for Knowsley), when the patch's `[copy] qualifiers` is on; `None` for a
    /// unitary, a London borough or a council outside England, whose names suffice.
    pub qualifier: Option<String>,
    /// The copy prints its degree word ("up dramatically", "a sharp rise"): a story prints at
    /// most [`DEGREE_WORDS`], for its biggest moves, and the plain verb for every other area.
    pub show_degree: bool,
}

/// Under this many cases in both weeks, a change is told as counts rather than a percentage.
pub const SMALL_CASES: i64 = 50;

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
    /// Its move in the ranking since the week before ("has dropped to third place"), for a
    /// leader below the top whose rank changed; `None` for one without a rank last week.
    pub moved: Option<RankMove>,
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
    /// It is among the national leaders the story names already ("Knowsley has the highest
    /// rate in the UK"), so its nation's line would say the same thing twice.
    pub named_above: bool,
    /// An area of its nation is left out of the national figures, so its top rate is the
    /// highest of the nation's areas with full figures only. Absent when none is.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
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
    /// Name as printed (see [`AreaView::name`]).
    pub name: String,
    /// Name in the data.
    pub official_name: String,
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
    /// Those areas, each with why, when there are at most [`LEFT_OUT_NAMED`] of them (the
    /// copy names them beside the national figures; more, it gives their count). Absent from
    /// the view model when none is left out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_out_areas: Vec<LeftOutView>,
    /// Why the areas left out are: `"population"` when every one lacks a population,
    /// `"days"` when every one lacks days of counts, `"both"` otherwise; absent when none is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_out_why: Option<&'static str>,
}

/// Up to this many areas left out of the national figures are named in the copy; more are
/// counted, as a list of names would crowd the national paragraph.
pub const LEFT_OUT_NAMED: usize = 3;

/// An area of the universe left out of the national figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeftOutView {
    /// Code.
    pub code: String,
    /// Name as printed (see [`AreaView::name`]).
    pub name: String,
    /// Why, in words a reader understands.
    pub reason: String,
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
    /// That exception's change is noise: it is "almost unchanged", not "the exception".
    pub exception_noise: bool,
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
    /// The region names a place the geography knows (a nation, "Wales"; an English region,
    /// "the North West"; a county, "Somerset") but the patch holds only some of its areas:
    /// "the highest rate in Wales" would rank among all of Wales, so the patch's superlatives
    /// say "among the four council areas" instead, and its areas are named rather than called
    /// "every council area in Wales".
    pub part_of_region: bool,
    /// The print names of the core areas with figures, in the patch file's order: the copy
    /// names a small patch that is only part of its nation rather than claim "every council
    /// area in Wales".
    pub names: Vec<String>,
    /// The patch's new cases in the week, summed over its core areas, as the copy tells it
    /// ("more than 10,000"); `None` for a patch of one area or with a core area lacking figures.
    pub total: Option<PatchTotal>,
    /// The frames of the story's lead and of its highest and lowest sentences.
    pub frames: StoryFrames,
    /// What the headline and intro lead with, when it is stronger than the trend.
    pub angle: Angle,
    /// A core area has no figures this week: the copy says what it says of the patch of the
    /// areas with figures ("the four boroughs of south east London with figures"), never of
    /// the patch as a whole ("every borough", "the highest rate in south east London"), and
    /// makes no "only" claim. Absent from the view model when every core area has figures.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
}

/// Whether the area `code` lies in the place `region` names, when that is a nation ("Wales"),
/// an English region ("the North West") or the county of a two-tier or metropolitan district
/// ("Somerset", "Merseyside"); false for a region of the newsroom's own ("south east London"),
/// whose areas only the patch defines.
pub(crate) fn lies_in(region: &str, code: &str) -> bool {
    let region = region.trim();
    let region = region.strip_prefix("the ").unwrap_or(region);
    if let Some(nation) = crate::geo::Nation::from_name(region) {
        return crate::stats::nation_of(code) == Some(nation.name());
    }
    crate::geo::authority(code).is_some_and(|a| {
        [a.region, a.county]
            .iter()
            .any(|place| !place.is_empty() && place.eq_ignore_ascii_case(region))
    })
}

/// The national list of largest movers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MoversView {
    /// `falls` or `rises`.
    pub kind: String,
    /// Largest first.
    pub items: Vec<AreaView>,
}

/// What every story of a week and a newsroom shares: the publication's settings, the dates,
/// the national picture and lists, and the NHS region's hospital figures. Built once a week
/// and held by each of its stories behind an [`Arc`], so a renderer knows from the type which
/// parts it may convert and render once for the week.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WeekPart {
    /// Template name.
    pub template: String,
    /// Publication.
    pub publication: String,
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
    /// The frame of the closing provenance line, shared by the week's stories.
    pub provenance: Provenance,
    /// National picture.
    pub universe: UniverseView,
    /// The highest national rates.
    pub leaders: Arc<[LeaderView]>,
    /// The largest falls or rises, when most areas went that way.
    pub movers: Option<Arc<MoversView>>,
    /// Each nation's highest rate, in UK-wide stories.
    pub nation_leaders: Arc<[NationLeader]>,
    /// Hospital figures for the patch's NHS region, when the data have them.
    pub hospital: Option<HospitalView>,
}

/// Everything a template needs: the week's shared part, and the story's own fields (its
/// region and its own areas). The week's fields read as the story's own (`story.leaders`,
/// through `Deref`), and the whole serialises as one flat view model, in the order the
/// `--format json` output has always had.
#[derive(Clone, Debug)]
pub struct Story {
    /// What every story of the week shares.
    pub week_part: Arc<WeekPart>,
    /// Region as used in copy (an every-area story's is its area).
    pub region: String,
    /// The patch as a whole.
    pub local: LocalView,
    /// Core areas with figures, highest rate first.
    pub core: Vec<AreaView>,
    /// Nearby areas with figures, in the patch's order.
    pub nearby: Vec<AreaView>,
    /// Patch areas without figures.
    pub unavailable: Vec<UnavailableView>,
}

impl std::ops::Deref for Story {
    type Target = WeekPart;

    fn deref(&self) -> &WeekPart {
        &self.week_part
    }
}

/// What one story owns, as it serialises in the view model: the fields of [`Story`] outside
/// its [`WeekPart`]. A renderer writes these over the week's converted fields for each story.
#[derive(Serialize)]
pub(crate) struct OwnPart<'a> {
    region: &'a str,
    local: &'a LocalView,
    core: &'a [AreaView],
    nearby: &'a [AreaView],
    unavailable: &'a [UnavailableView],
}

impl Story {
    /// The story's own part: serialised beside its week part, it gives what the whole story
    /// serialises to (a unit test holds the two to it).
    pub(crate) fn own_part(&self) -> OwnPart<'_> {
        OwnPart {
            region: &self.region,
            local: &self.local,
            core: &self.core,
            nearby: &self.nearby,
            unavailable: &self.unavailable,
        }
    }
}

impl Serialize for Story {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (w, o) = (&*self.week_part, self);
        // The view model's historical key order interleaves the two parts.
        let mut s = serializer.serialize_struct("Story", 22)?;
        s.serialize_field("template", &w.template)?;
        s.serialize_field("publication", &w.publication)?;
        s.serialize_field("region", &o.region)?;
        s.serialize_field("area_noun", &w.area_noun)?;
        s.serialize_field("area_noun_plural", &w.area_noun_plural)?;
        s.serialize_field("release", &w.release)?;
        s.serialize_field("story_year", &w.story_year)?;
        s.serialize_field("week", &w.week)?;
        s.serialize_field("prev_week", &w.prev_week)?;
        s.serialize_field("source_name", &w.source_name)?;
        s.serialize_field("dashboard_name", &w.dashboard_name)?;
        s.serialize_field("calculated_by", &w.calculated_by)?;
        s.serialize_field("provenance", &w.provenance)?;
        s.serialize_field("universe", &w.universe)?;
        s.serialize_field("local", &o.local)?;
        s.serialize_field("core", &o.core)?;
        s.serialize_field("nearby", &o.nearby)?;
        s.serialize_field("unavailable", &o.unavailable)?;
        s.serialize_field("leaders", &w.leaders)?;
        s.serialize_field("movers", &w.movers)?;
        s.serialize_field("nation_leaders", &w.nation_leaders)?;
        s.serialize_field("hospital", &w.hospital)?;
        s.end()
    }
}

mod angle;
mod build;
mod degree;
mod frames;
mod mentions;
pub use angle::{Angle, LEADER_RANKS};
pub use build::{
    StoryInput, WeekViews, build, build_for_week, build_in, missing_reason, week_part,
};
pub use degree::{DEGREE_WORDS, LEADER_DEGREE_WORDS};
pub use frames::{Lead, Provenance, StoryFrames, Superlative, pick_frames};
pub use mentions::{PatchTotal, RankMove};

#[cfg(test)]
mod tests {
    use super::*;

    /// The week part and the story's own part, serialised apart, hold every key of the whole
    /// story once, with the same values: what lets a renderer convert the week part once.
    #[test]
    fn the_two_parts_serialise_to_the_whole_story() {
        let week_part = Arc::new(WeekPart {
            template: "area".into(),
            publication: "The Courier".into(),
            area_noun: "borough".into(),
            area_noun_plural: "boroughs".into(),
            release: NaiveDate::MIN,
            story_year: 0,
            week: Week::ending(NaiveDate::from_ymd_opt(2021, 1, 14).unwrap()),
            prev_week: Week::ending(NaiveDate::from_ymd_opt(2021, 1, 7).unwrap()),
            source_name: "UKHSA".into(),
            dashboard_name: "the dashboard".into(),
            calculated_by: String::new(),
            provenance: Provenance::House,
            universe: UniverseView {
                kind: crate::stats::Universe::England,
                name: "England".into(),
                area_type: "ltla".into(),
                movement: Movement::count([]),
                majority: None,
                prev_majority: None,
                left_out: 0,
                left_out_areas: Vec::new(),
                left_out_why: None,
            },
            leaders: Arc::from(Vec::new()),
            movers: None,
            nation_leaders: Arc::from(Vec::new()),
            hospital: None,
        });
        let story = Story {
            week_part,
            region: "Bexley".into(),
            local: LocalView {
                count: 0,
                movement: Movement::count([]),
                trend: Trend::Mixed,
                exception: None,
                exception_noise: false,
                contrast: None,
                similar_around: None,
                highest: None,
                lowest: None,
                highest_tied: Vec::new(),
                lowest_tied: Vec::new(),
                part_of_region: false,
                names: Vec::new(),
                total: None,
                frames: StoryFrames::HOUSE,
                angle: Angle::Trend,
                incomplete: false,
            },
            core: Vec::new(),
            nearby: Vec::new(),
            unavailable: Vec::new(),
        };
        let object = |value: serde_json::Value| match value {
            serde_json::Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        };
        let whole = object(serde_json::to_value(&story).unwrap());
        let week = object(serde_json::to_value(&*story.week_part).unwrap());
        let own = object(serde_json::to_value(story.own_part()).unwrap());
        assert_eq!(week.len() + own.len(), whole.len());
        for (key, value) in week.iter().chain(&own) {
            assert_eq!(whole.get(key), Some(value), "{key}");
        }
    }
}
