//! Deciding a story: its own part from its patch's areas, and the week's part it shares.

use chrono::{Datelike, NaiveDate};
use std::sync::Arc;

use super::frames::{Provenance, StoryFrames, Superlative, pick_frames};
use super::*;
use crate::config::Patch;
use crate::lang;
use crate::model::Dataset;
use crate::stats::{AreaWeek, Direction, Missing, National, PatchSummary, Rate};

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

fn area_view(dataset: &Dataset, national: &National, week: &AreaWeek, patch: &Patch) -> AreaView {
    let area = &dataset.areas[week.index];
    let ranks = national.ranks_of(week.index);
    let counted = national.by_rate.len();
    let noise = week.direction != Direction::Unchanged
        && patch
            .noise
            .is_noise(week.cases, week.prev_cases, week.percent_change);
    let (by_change, change_key) = if week.change.0 > 0 {
        (&national.by_rise, week.change.0)
    } else {
        (&national.by_fall, -week.change.0)
    };
    let change_rank = ranks.rise.or(ranks.fall);
    let name = patch.print_name(&area.code, &area.name);
    AreaView {
        code: area.code.clone(),
        qualifier: mentions::qualifier(dataset, patch, &area.code, &name),
        name,
        official_name: area.name.clone(),
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
        noise,
        small: week.cases.max(week.prev_cases) < SMALL_CASES,
        rate_tied: national.by_rate.count_of_key(week.rate.0) > 1,
        change_tied: change_rank.is_some() && by_change.count_of_key(change_key) > 1,
        change_upper_half: change_rank.is_some_and(|r| r * 2 <= by_change.len() + 1),
        leads_elsewhere: false,
        show_degree: false,
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

/// The lists of a week's stories that depend only on the week's national figures and the
/// patch's lists, seed and release (the universe, the national leaders, the movers, each
/// nation's leader), decided once for stories built with [`build_in`]. [`build_for_week`]
/// with a [`week_part`] shares the whole of the week's part instead.
#[derive(Clone, Debug)]
pub struct WeekViews {
    lists: crate::config::Lists,
    seed: u64,
    names: std::collections::BTreeMap<String, String>,
    qualifiers: bool,
    /// The counties the lists' qualifiers leave out, as the patch's own.
    home: Vec<String>,
    release: NaiveDate,
    universe: UniverseView,
    leaders: Arc<[LeaderView]>,
    movers: Option<Arc<MoversView>>,
    nation_leaders: Arc<[NationLeader]>,
}

impl WeekViews {
    /// Decides the week's shared lists for stories of `patch` (its lists and seed).
    pub fn new(
        dataset: &Dataset,
        national: &National,
        patch: &Patch,
        release: NaiveDate,
    ) -> WeekViews {
        WeekViews {
            lists: patch.lists.clone(),
            seed: patch.seed,
            names: patch.names.clone(),
            qualifiers: patch.copy.qualifiers,
            home: mentions::home(dataset, patch),
            release,
            universe: mentions::universe_view(dataset, national, patch, release),
            leaders: leaders(dataset, national, patch, release).into(),
            movers: movers(dataset, national, patch).map(Arc::new),
            nation_leaders: nation_leaders(dataset, national, patch, release).into(),
        }
    }

    /// Whether these are the lists a story of `input` would decide, given the same data and
    /// national figures.
    fn fits(&self, input: &StoryInput<'_>) -> bool {
        self.lists == input.patch.lists
            && self.seed == input.patch.seed
            && self.names == input.patch.names
            && self.qualifiers == input.patch.copy.qualifiers
            && self.home == mentions::home(input.dataset, input.patch)
            && self.release == input.release
    }
}

/// Decides everything the copy will say.
pub fn build(input: StoryInput<'_>) -> Result<Story, StoryError> {
    let own = own_part(&input)?;
    Ok(own.with(week_part(&input)))
}

/// [`build`], taking the week's shared lists from `week` (decided from the same data and
/// national figures) when they were decided for the same lists, seed and release, and
/// deciding them afresh otherwise.
pub fn build_in(input: StoryInput<'_>, week: &WeekViews) -> Result<Story, StoryError> {
    if !week.fits(&input) {
        return build(input);
    }
    let own = own_part(&input)?;
    let week_part = Arc::new(week_part_with(
        &input,
        week.universe.clone(),
        week.leaders.clone(),
        week.movers.clone(),
        week.nation_leaders.clone(),
    ));
    Ok(own.with(week_part))
}

/// The part every story of `input`'s week shares, for stories of its data, national figures,
/// patch (but for its region), release, template and hospital figures.
pub fn week_part(input: &StoryInput<'_>) -> Arc<WeekPart> {
    let StoryInput {
        dataset,
        national,
        patch,
        release,
        ..
    } = *input;
    Arc::new(week_part_with(
        input,
        mentions::universe_view(dataset, national, patch, release),
        leaders(dataset, national, patch, release).into(),
        movers(dataset, national, patch).map(Arc::new),
        nation_leaders(dataset, national, patch, release).into(),
    ))
}

/// [`build`] with the week's part already decided: `week` must be the [`week_part`] of an
/// input that differs from `input` at most in its areas and region.
pub fn build_for_week(input: StoryInput<'_>, week: &Arc<WeekPart>) -> Result<Story, StoryError> {
    Ok(own_part(&input)?.with(Arc::clone(week)))
}

fn week_part_with(
    input: &StoryInput<'_>,
    universe: UniverseView,
    leaders: Arc<[LeaderView]>,
    movers: Option<Arc<MoversView>>,
    nation_leaders: Arc<[NationLeader]>,
) -> WeekPart {
    let StoryInput {
        national,
        patch,
        release,
        template,
        ..
    } = *input;
    WeekPart {
        template: template.to_string(),
        publication: patch.publication.clone(),
        area_noun: patch.area_noun.clone(),
        area_noun_plural: patch.area_noun_plural(),
        release,
        story_year: release.year(),
        week: national.week,
        prev_week: national.week.previous(),
        source_name: patch.source_name_for(
            release,
            input
                .core
                .iter()
                .all(|&i| input.dataset.areas[i].code.starts_with('E')),
        ),
        dashboard_name: patch.dashboard_name.clone(),
        calculated_by: patch.calculated_by.clone(),
        provenance: Provenance::pick(patch.seed, release),
        universe,
        leaders,
        movers,
        nation_leaders,
        hospital: input.hospital.clone(),
    }
}

/// What one story owns, before it joins its week's part.
struct OwnPart {
    region: String,
    local: LocalView,
    core: Vec<AreaView>,
    nearby: Vec<AreaView>,
    unavailable: Vec<UnavailableView>,
}

impl OwnPart {
    fn with(self, week_part: Arc<WeekPart>) -> Story {
        let OwnPart {
            region,
            local,
            mut core,
            mut nearby,
            unavailable,
        } = self;
        degree::mark_story(&mut core, &mut nearby, &week_part.leaders);
        Story {
            week_part,
            region,
            local,
            core,
            nearby,
            unavailable,
        }
    }
}

/// The story's own part: its patch's areas, or why it can have no story.
fn own_part(input: &StoryInput<'_>) -> Result<OwnPart, StoryError> {
    let StoryInput {
        dataset,
        national,
        patch,
        core,
        nearby,
        release,
        ..
    } = *input;
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
                    name: patch.print_name(&area.code, &area.name),
                    official_name: area.name.clone(),
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
    // A core area without figures may have gone either way: no "only" can be told.
    let incomplete = unavailable.iter().any(|u| u.core);
    let core_views: Vec<AreaView> = summary
        .by_rate
        .iter()
        .enumerate()
        .map(|(i, &p)| {
            let w = &national.weeks[p];
            let mut v = area_view(dataset, national, w, patch);
            v.patch_rank = Some(
                1 + summary
                    .by_rate
                    .iter()
                    .filter(|&&q| national.weeks[q].rate > w.rate)
                    .count(),
            );
            v.highest_in_patch = several && w.rate == top_rate && n_top == 1;
            v.lowest_in_patch = several && w.rate == bottom_rate && n_bottom == 1;
            // A move of a case or two is no news, so it makes no "only".
            v.only_riser = summary.only_riser == Some(p) && !v.noise && !incomplete;
            v.only_faller = summary.only_faller == Some(p) && !v.noise && !incomplete;
            v.frame = frames[i];
            v
        })
        .collect();

    let mut core_views = core_views;
    mark_leads_elsewhere(&mut core_views, dataset, national, patch);
    let story_frames = StoryFrames::pick(patch.seed, release, &patch.region);
    keep_rate_openings_apart(&mut core_views, story_frames);

    let mut nearby_views: Vec<AreaView> = nearby
        .iter()
        .filter_map(|&i| national.week_of(i))
        .map(|w| area_view(dataset, national, w, patch))
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
    let exception_noise = exception.is_some()
        && core_views
            .iter()
            .any(|v| v.noise && Some(&v.name) == exception.as_ref());
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

    Ok(OwnPart {
        region: patch.region.clone(),
        local: LocalView {
            count: core_views.len(),
            movement: summary.movement,
            trend,
            exception,
            exception_noise,
            contrast,
            // "All have similar rates" would overreach if a core area has no figure.
            // "All have similar rates" would overreach if a core area has no figure.
            similar_around: summary.similar_around.filter(|_| !incomplete),
            highest: core_views
                .iter()
                .find(|v| v.highest_in_patch)
                .map(|v| v.name.clone()),
            lowest: core_views
                .iter()
                .find(|v| v.lowest_in_patch)
                .map(|v| v.name.clone()),
            part_of_region: part_of_region(dataset, national, &patch.region, core),
            names: core
                .iter()
                .filter(|&&i| national.week_of(i).is_some())
                .map(|&i| {
                    let area = &dataset.areas[i];
                    patch.print_name(&area.code, &area.name)
                })
                .collect(),
            total: (core_views.len() > 1 && !incomplete)
                .then(|| PatchTotal::of(core_views.iter().map(|v| v.cases).sum())),
            highest_tied: tied_names(&core_views, top_rate, n_top),
            lowest_tied: if top_rate == bottom_rate {
                Vec::new()
            } else {
                tied_names(&core_views, bottom_rate, n_bottom)
            },
            frames: story_frames,
            angle: Angle::of(&core_views, national.by_rate.len(), contrast.is_some()),
            incomplete,
        },
        core: core_views,
        nearby: nearby_views,
        unavailable,
    })
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
            // With an area left out, last week's order and this week's are of a table short
            // of it: who led or moved may be its doing, so no lead kept, taken or rank move
            // is claimed.
            let complete = national.missing.is_empty();
            let continues =
                complete && position == 1 && !tied && ranks.prev_rate == Some(1) && prev_alone;
            // A daily paper printed yesterday's window too: a leader who led it already has
            // not just taken the top spot.
            let replaced = (complete
                && position == 1
                && !tied
                && !continues
                && prev_alone
                && !led_the_day_before(dataset, national, p))
            .then(|| national.by_prev_rate.order.first())
            .flatten()
            .map(|&(q, _)| {
                let a = &dataset.areas[national.weeks[q].index];
                patch.print_name(&a.code, &a.name)
            });
            LeaderView {
                area: area_view(dataset, national, w, patch),
                position,
                tied,
                continues,
                replaced,
                moved: mentions::rank_move(position, ranks.prev_rate).filter(|_| complete),
            }
        })
        .collect();

    let leader_keys: Vec<&str> = leaders.iter().map(|l| l.area.code.as_str()).collect();
    let leader_frames = pick_frames(patch.seed, release, &leader_keys);
    for (l, f) in leaders.iter_mut().zip(leader_frames) {
        l.area.frame = f;
    }
    degree::mark_leaders(&mut leaders);
    leaders
}

/// Whether the area at `position` of the week's figures alone had the highest rate in the
/// seven days to the day before the week's end: the window the previous day's edition printed,
/// recomputed from the same data.
fn led_the_day_before(dataset: &Dataset, national: &National, position: usize) -> bool {
    let window = crate::stats::Week::ending(national.week.end - chrono::Days::new(1));
    let mut best: Option<(i64, usize, usize)> = None;
    for (p, w) in national.weeks.iter().enumerate() {
        let Ok(cases) = crate::stats::week_sum(&dataset.areas[w.index], window) else {
            continue;
        };
        let rate = Rate::per_100k(cases, w.population).0;
        match &mut best {
            Some((top, _, n)) if rate == *top => *n += 1,
            Some((top, _, _)) if rate < *top => {}
            _ => best = Some((rate, p, 1)),
        }
    }
    best.is_some_and(|(_, at, n)| at == position && n == 1)
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
                .map(|&(p, _)| area_view(dataset, national, &national.weeks[p], patch))
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
    patch: &Patch,
    release: NaiveDate,
) -> Vec<NationLeader> {
    if national.universe != crate::stats::Universe::Uk {
        return Vec::new();
    }
    let named: Vec<usize> = national
        .by_rate
        .top(patch.lists.leaders)
        .iter()
        .map(|&(p, _)| p)
        .collect();
    let mut out: Vec<NationLeader> = national
        .nation_heads(dataset)
        .iter()
        .map(|head| NationLeader {
            nation: head.nation.to_string(),
            area: area_view(dataset, national, &national.weeks[head.position], patch),
            tied: head.tied,
            named_above: named.contains(&head.position),
            incomplete: national.missing.iter().any(|(i, _)| {
                crate::stats::nation_of(&dataset.areas[*i].code) == Some(head.nation)
            }),
        })
        .collect();
    let keys: Vec<&str> = out.iter().map(|n| n.area.code.as_str()).collect();
    let frames = pick_frames(patch.seed, release, &keys);
    for (n, f) in out.iter_mut().zip(frames) {
        n.area.frame = f;
    }
    out
}

/// Whether `region` names a place the geography knows (a nation, an English region, a county)
/// of which the universe holds areas outside `core`.
fn part_of_region(dataset: &Dataset, national: &National, region: &str, core: &[usize]) -> bool {
    let place = region.trim();
    let place = place.strip_prefix("the ").unwrap_or(place);
    let outside = |index: usize| !core.contains(&index) && national.week_of(index).is_some();
    if crate::geo::Nation::from_name(place).is_some() {
        // A nation holds most of the universe: the first area of it outside the patch answers.
        return national
            .weeks
            .iter()
            .any(|w| outside(w.index) && lies_in(region, &dataset.areas[w.index].code));
    }
    // A region or county holds at most a few dozen councils: look each up, rather than every
    // area of the universe for every story (an every-area run of thousands of areas would
    // take time in the square of their number).
    crate::geo::authorities()
        .iter()
        .filter(|a| {
            [a.region, a.county]
                .iter()
                .any(|p| !p.is_empty() && p.eq_ignore_ascii_case(place))
        })
        .filter_map(|a| dataset.index_of(&national.area_type, a.code))
        .any(outside)
}

/// Marks the patch's top area when the story names it as a leader anyway: the national
/// leader (alone, with leaders listed), or, in a UK story whose region is a nation, that
/// nation's leader among the nation leaders. The patch's own "highest" sentence would say the
/// same thing twice ("Knowsley has the highest rate in Merseyside" above "Knowsley has the
/// highest rate in England").
fn mark_leads_elsewhere(
    core: &mut [AreaView],
    dataset: &Dataset,
    national: &National,
    patch: &Patch,
) {
    let region = patch.region.trim();
    let nation = crate::geo::Nation::from_name(region.strip_prefix("the ").unwrap_or(region));
    for v in core.iter_mut().filter(|v| v.highest_in_patch) {
        let national_leader = v.highest_alone && patch.lists.leaders > 0;
        let nation_leader = national.universe == crate::stats::Universe::Uk
            && nation.is_some_and(|nation| {
                national.nation_heads(dataset).iter().any(|h| {
                    h.nation == nation.name()
                        && !h.tied
                        && dataset.areas[national.weeks[h.position].index].code == v.code
                })
            });
        v.leads_elsewhere = national_leader || nation_leader;
    }
}

/// The area line frame that, like [`Superlative::RateFirst`], opens with the area's rate
/// ("Southwark's rate stands at ...").
const RATE_OPENING_LINE: u8 = 2;

/// Moves an area line off [`RATE_OPENING_LINE`] when it stands next to a highest or lowest
/// sentence that opens with a rate too: two sentences in a row would otherwise open
/// "Lewisham's rate of ... Southwark's rate stands at". Its new frame is one neither of its
/// neighbours uses, so no two lines in a row share a frame in a story that prints every
/// area's line (by-area); when both other frames are its neighbours', it trades frames with
/// the superlative's area at the patch's end, which has no other neighbour.
fn keep_rate_openings_apart(core: &mut [AreaView], frames: StoryFrames) {
    let n = core.len();
    let told = |a: &AreaView| (a.highest_in_patch && !a.leads_elsewhere) || a.lowest_in_patch;
    let mut beside = Vec::new();
    if frames.highest == Superlative::RateFirst
        && core
            .first()
            .is_some_and(|a| a.highest_in_patch && !a.leads_elsewhere)
    {
        beside.push((1, 0));
    }
    if frames.lowest == Superlative::RateFirst && n >= 2 && core[n - 1].lowest_in_patch {
        beside.push((n - 2, n - 1));
    }
    for (i, end) in beside {
        if i >= n || told(&core[i]) || core[i].frame != RATE_OPENING_LINE {
            continue;
        }
        let left = i.checked_sub(1).map(|j| core[j].frame);
        let right = core.get(i + 1).map(|a| a.frame);
        match (0..FRAMES).find(|&f| f != RATE_OPENING_LINE && Some(f) != left && Some(f) != right) {
            Some(f) => core[i].frame = f,
            None => {
                core[i].frame = core[end].frame;
                core[end].frame = RATE_OPENING_LINE;
            }
        }
    }
}

#[cfg(test)]
mod part_of_region_tests {
    use super::*;
    use crate::stats::{Universe, Week};

    /// The place lookup answers as a scan of every area of the universe did, on real data:
    /// nations, regions, counties, a newsroom's own region, with and without the place's
    /// areas in the patch.
    #[test]
    fn a_place_is_looked_up_as_every_area_was_scanned() {
        let shared = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
        let mut builder = crate::model::DatasetBuilder::new();
        crate::fetch::read_data_file(
            &mut builder,
            &shared.join("releases/2021-01-18/ltla-reconstructed.csv"),
        )
        .unwrap();
        let dataset = builder.finish().unwrap();
        let (population, _) =
            crate::fetch::read_population_file(&shared.join("population/mid-2019.csv")).unwrap();
        let week = Week::for_release("2021-01-18".parse().unwrap(), 4);
        for universe in [Universe::England, Universe::Uk] {
            let national = National::compute(&dataset, &population, universe, "ltla", week);
            for region in [
                "the North West",
                "Merseyside",
                "Somerset",
                "London",
                "Wales",
                "Northern Ireland",
                "the Isles of Scilly",
                "south east London",
                "",
            ] {
                let scanned = |core: &[usize]| {
                    national.weeks.iter().any(|w| {
                        !core.contains(&w.index) && lies_in(region, &dataset.areas[w.index].code)
                    })
                };
                let inside: Vec<usize> = national
                    .weeks
                    .iter()
                    .map(|w| w.index)
                    .filter(|&i| lies_in(region, &dataset.areas[i].code))
                    .collect();
                for core in [&[][..], &inside[..inside.len().min(1)], &inside[..]] {
                    assert_eq!(
                        part_of_region(&dataset, &national, region, core),
                        scanned(core),
                        "{region:?} in {universe:?}, {} of its areas in the patch",
                        core.len()
                    );
                }
            }
        }
    }
}
