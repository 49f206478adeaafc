//! The walk of each part of a story's view model: what figures the national part and a
//! story's own part hold, in the order the facts are listed.

use crate::story::Trend;

use super::collector::Collector;
use super::*;

/// Dates, fixed figures and the universe's tallies.
pub(super) fn national_head(c: &mut Collector<'_>) {
    let story = c.story;
    c.date(
        StoryDate::Release,
        story.release,
        "release",
        "the release date given to the draft",
    );
    c.date(
        StoryDate::WeekEnd,
        story.week.end,
        "week.end",
        "release minus the patch's incomplete days",
    );
    c.date(
        StoryDate::WeekStart,
        story.week.start,
        "week.start",
        "the week's last day minus six days",
    );
    c.date(
        StoryDate::PrevWeekEnd,
        story.prev_week.end,
        "prev_week.end",
        "the day before the week starts",
    );
    c.date(
        StoryDate::PrevWeekStart,
        story.prev_week.start,
        "prev_week.start",
        "the previous week's last day minus six days",
    );

    let year = i64::from(story.story_year);
    let mut f = c.plain(
        "date.year".to_string(),
        FactKind::Date,
        FactValue::Int(year),
        vec![year.to_string()],
    );
    f.formula = "the year of the release".into();
    f.recipe = Recipe::Year;
    f.used_by.push("story_year".to_string());
    c.push(f);

    for (value, id, printed, formula) in [
        (
            7,
            "constant.week_days",
            vec!["seven".to_string(), "7".to_string()],
            "the length of the week the rates cover",
        ),
        (
            100_000,
            "constant.per_population",
            vec!["100,000".to_string()],
            "rates are new cases per 100,000 people",
        ),
    ] {
        let mut f = c.plain(
            id.to_string(),
            FactKind::Constant,
            FactValue::Int(value),
            printed,
        );
        f.formula = formula.into();
        f.recipe = Recipe::Constant { value };
        f.used_by.push("method".to_string());
        c.push(f);
    }

    c.movement(Scope::Universe, &story.universe.movement);
    c.tally(
        Scope::Universe,
        Tally::LeftOut,
        story.universe.left_out as i64,
        "universe.left_out",
        "count of areas without a full fortnight of figures or a population".to_string(),
        None,
    );
    national_left_out(c);
}

/// The patch's tallies and its own areas.
pub(super) fn own_head(c: &mut Collector<'_>) {
    let story = c.story;
    c.movement(Scope::Patch, &story.local.movement);
    c.tally(
        Scope::Patch,
        Tally::Total,
        story.local.count as i64,
        "local.count",
        "count of the patch's core areas with figures".to_string(),
        None,
    );
    if matches!(story.local.trend, Trend::AllButOneDown | Trend::AllButOneUp) {
        c.tally(
            Scope::Patch,
            Tally::Exceptions,
            1,
            "local.exception",
            "count of core areas that did not go the way all the others went".to_string(),
            None,
        );
    }
    if let Some(around) = story.local.similar_around {
        let mut f = c.plain(
            "local.similar_around".to_string(),
            FactKind::Around,
            FactValue::Int(around),
            count_forms(around),
        );
        let rates: Vec<String> = story.core.iter().map(|a| a.rate.to_string()).collect();
        f.formula = format!(
            "mean of {} rounded to two significant figures; every rate within {}% of the mean",
            rates.join(", "),
            crate::stats::SIMILAR_WITHIN_PERCENT
        )
        .into();
        f.inputs.facts = story
            .core
            .iter()
            .map(|a| format!("{}.rate", a.code))
            .collect();
        f.used_by.push("local.similar_around".to_string());
        f.recipe = Recipe::SimilarAround;
        c.push(f);
    }

    if let Some(total) = &story.local.total {
        patch_total(c, total);
    }

    for (i, a) in story.core.iter().enumerate() {
        c.area(
            a,
            &format!("core[{i}]"),
            Some((List::Core, RankBy::Rate, i + 1)),
        );
    }
    for (i, a) in story.nearby.iter().enumerate() {
        c.area(a, &format!("nearby[{i}]"), None);
    }
}

/// The national leaders, the movers, each nation's leader and the hospital figures.
pub(super) fn national_lists(c: &mut Collector<'_>) {
    let story = c.story;
    let dataset = c.dataset;
    for (i, l) in story.leaders.iter().enumerate() {
        c.area(
            &l.area,
            &format!("leaders[{i}]"),
            Some((List::Leaders, RankBy::Rate, i + 1)),
        );
    }
    let list = |c: &mut Collector<'_>, list: List, n: usize, at: &str, formula: String| {
        let id = format!("list.{}", list.name());
        let mut f = c.plain(
            id.to_string(),
            FactKind::Count,
            FactValue::Int(n as i64),
            count_forms(n as i64),
        );
        f.formula = formula.into();
        f.used_by.push(at.to_string());
        f.recipe = Recipe::ListLength { list };
        c.push(f);
    };
    list(
        c,
        List::Leaders,
        story.leaders.len(),
        "leaders.length",
        "the patch's leaders setting, or fewer if fewer areas have figures".to_string(),
    );
    if let Some(m) = &story.movers {
        let by = if m.kind == "falls" {
            RankBy::Fall
        } else {
            RankBy::Rise
        };
        list(
            c,
            List::Movers,
            m.items.len(),
            "movers.items.length",
            format!(
                "the patch's movers setting, or fewer if fewer areas {}",
                if by == RankBy::Fall { "fell" } else { "rose" }
            ),
        );
        for (i, a) in m.items.iter().enumerate() {
            c.area(
                a,
                &format!("movers.items[{i}]"),
                Some((List::Movers, by, i + 1)),
            );
        }
    }

    for (i, n) in story.nation_leaders.iter().enumerate() {
        c.area(&n.area, &format!("nation_leaders[{i}]"), None);
    }
    if let Some(h) = &story.hospital {
        for (key, metric, value, date) in [
            (
                "patients",
                h.patients_metric.as_str(),
                h.patients,
                h.patients_date,
            ),
            (
                "ventilated",
                crate::model::VENTILATED_BEDS,
                h.ventilated,
                h.ventilated_date,
            ),
        ] {
            let (Some(value), Some(date)) = (value, date) else {
                continue;
            };
            let sources: std::sync::Arc<[String]> = dataset
                .area("nhsRegion", &h.code)
                .map(|a| {
                    a.sources
                        .iter()
                        .filter_map(|&s| dataset.sources.get(s))
                        .map(|s| s.label.clone())
                        .collect()
                })
                .unwrap_or_default();
            let mut f = c.plain(
                format!("hospital.{key}"),
                FactKind::Count,
                FactValue::Int(value),
                count_forms(value),
            );
            f.area_code = Some(h.code.as_str().into());
            f.area_name = Some(h.region.as_str().into());
            f.formula = format!("{metric} for {} on {date}, rounded", h.region).into();
            f.inputs.sources = sources.clone();
            f.used_by.push(format!("hospital.{key}"));
            f.recipe = Recipe::Hospital {
                code: h.code.clone(),
                metric: metric.to_string(),
                date,
            };
            c.push(f);
            let mut f = c.plain(
                format!("hospital.{key}_date"),
                FactKind::Date,
                FactValue::Date(date),
                date_forms(date, story.story_year),
            );
            f.area_code = Some(h.code.as_str().into());
            f.area_name = Some(h.region.as_str().into());
            f.formula = format!("the latest day on or before the release with {metric}").into();
            f.inputs.sources = sources;
            f.used_by.push(format!("hospital.{key}_date"));
            f.recipe = Recipe::HospitalDate {
                code: h.code.clone(),
                metric: metric.to_string(),
            };
            c.push(f);
        }
    }
}

/// The days each of the story's areas without figures is missing.
pub(super) fn own_unavailable(c: &mut Collector<'_>) {
    let story = c.story;
    for (i, u) in story.unavailable.iter().enumerate() {
        missing_days(c, &u.code, &u.name, format!("unavailable[{i}].reason"));
    }
}

/// The days each area the copy names as left out of the national figures is missing: the
/// copy prints them as its reason ("the dashboard has no figures for January 12").
fn national_left_out(c: &mut Collector<'_>) {
    let story = c.story;
    for (i, l) in story.universe.left_out_areas.iter().enumerate() {
        missing_days(
            c,
            &l.code,
            &l.name,
            format!("universe.left_out_areas[{i}].reason"),
        );
    }
}

/// A fact for each day of the fortnight on which the area `code` has no count, used by the
/// view-model field `used_by`.
fn missing_days(c: &mut Collector<'_>, code: &str, name: &str, used_by: String) {
    let story = c.story;
    let dataset = c.dataset;
    let Some(idx) = dataset.index_of(&story.universe.area_type, code) else {
        return;
    };
    let area = &dataset.areas[idx];
    let sources = c.area_sources(code);
    for day in story.prev_week.days().chain(story.week.days()) {
        if area.cases_on(day).is_some() {
            continue;
        }
        let mut f = c.plain(
            format!("{code}.missing.{day}"),
            FactKind::Date,
            FactValue::Date(day),
            date_forms(day, story.story_year),
        );
        f.area_code = Some(code.into());
        f.area_name = Some(name.into());
        f.formula = format!("a day with no {} value", crate::model::CASES_METRIC).into();
        f.inputs.sources = sources.clone();
        f.used_by.push(used_by.clone());
        f.recipe = Recipe::MissingDay {
            code: code.to_string(),
            date: day,
        };
        c.push(f);
    }
}

/// The patch's total new cases: the exact sum, and the figure with its hedge as the copy
/// tells it ("nearly 10,000"), traced to each core area's cases of the week, whose daily
/// counts are in that area's series.
fn patch_total(c: &mut Collector<'_>, total: &crate::story::PatchTotal) {
    let story = c.story;
    let mut printed = count_forms(total.cases);
    if !total.hedge.is_empty() {
        printed.push(format!(
            "{} {}",
            total.hedge,
            crate::lang::thousands(total.figure)
        ));
    }
    let mut f = c.plain(
        "local.total_cases".to_string(),
        FactKind::PatchTotal,
        FactValue::Int(total.cases),
        printed,
    );
    let cases: Vec<String> = story
        .core
        .iter()
        .map(|a| crate::lang::thousands(a.cases))
        .collect();
    f.formula = format!(
        "sum of the core areas' cases in the week: {} = {}",
        cases.join(" + "),
        crate::lang::thousands(total.cases)
    )
    .into();
    f.window = Some(story.week);
    f.inputs.facts = story
        .core
        .iter()
        .map(|a| format!("{}.cases", a.code))
        .collect();
    f.inputs.sources = c.story_sources();
    f.used_by.push("local.total".to_string());
    f.recipe = Recipe::PatchTotal { week: story.week };
    c.push(f);
}
