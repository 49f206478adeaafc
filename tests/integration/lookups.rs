//! The national figures' lookups by dataset index answer exactly what a scan of every area
//! answers, for areas counted, left out, of another type or outside the universe.

use std::collections::BTreeMap;

use casewire::model::{Dataset, DatasetBuilder, Population, RowArea, SourceInfo};
use casewire::stats::{NATIONS, NationHead, National, Ranks, Universe, Week, nation_of};
use proptest::prelude::*;

use crate::support::date;

fn scan_position(n: &National, index: usize) -> Option<usize> {
    n.weeks.iter().position(|w| w.index == index)
}

fn scan_ranks(n: &National, index: usize) -> Ranks {
    match scan_position(n, index) {
        None => Ranks::default(),
        Some(p) => Ranks {
            rate: n.by_rate.rank_of(p),
            rate_low: n.by_rate.rank_from_bottom_of(p),
            upper_half: n
                .by_rate
                .rank_of(p)
                .is_some_and(|r| r * 2 <= n.by_rate.len() + 1),
            prev_rate: n.by_prev_rate.rank_of(p),
            rise: n.by_rise.rank_of(p),
            fall: n.by_fall.rank_of(p),
        },
    }
}

type Generated = Vec<(Vec<i32>, u64, u8)>;

/// Areas of every nation, some of another type, some without a population, some with a gap.
fn build(areas: &Generated) -> (Dataset, Population) {
    let mut builder = DatasetBuilder::new();
    let source = builder.add_source(SourceInfo {
        label: "generated".into(),
        layout: "test".into(),
        release: None,
    });
    let mut by_code = BTreeMap::new();
    let start = date("2021-01-01");
    for (i, (days, pop, kind)) in areas.iter().enumerate() {
        let nation = match kind {
            1 => 'W',
            5 => 'S',
            6 => 'N',
            _ => 'E',
        };
        let code = format!("{nation}{i:08}");
        let area_type = if *kind == 2 { "utla" } else { "ltla" };
        let name = format!("Area {}", i % 7);
        for (d, v) in days.iter().enumerate() {
            let value = (*kind != 3 || d != 9).then_some(i64::from(*v));
            let area = RowArea {
                code: &code,
                name: &name,
                area_type,
            };
            builder
                .push_cases(
                    source,
                    d as u64 + 2,
                    area,
                    start + chrono::Days::new(d as u64),
                    value,
                )
                .unwrap();
        }
        if *kind != 4 {
            by_code.insert(code, *pop);
        }
    }
    let dataset = builder.finish().unwrap();
    let population = Population {
        by_code,
        source: "generated".into(),
        layout: "test".into(),
    };
    (dataset, population)
}

fn areas() -> impl Strategy<Value = Generated> {
    prop::collection::vec(
        (
            prop::collection::vec(0i32..60, 14),
            1_000u64..50_000,
            0u8..10,
        ),
        1..50,
    )
}

proptest! {
    #[test]
    fn lookups_agree_with_scans(areas in areas()) {
        let (dataset, population) = build(&areas);
        let mut n = National::compute(&dataset, &population, Universe::England, "ltla", Week::ending(date("2021-01-14")));
        for i in 0..dataset.areas.len() + 2 {
            prop_assert_eq!(n.position_of(i), scan_position(&n, i));
            prop_assert_eq!(n.week_of(i).map(|w| w.index), scan_position(&n, i).map(|p| n.weeks[p].index));
            prop_assert_eq!(n.ranks_of(i), scan_ranks(&n, i));
        }
        for ranking in [&n.by_rate, &n.by_prev_rate, &n.by_rise, &n.by_fall] {
            for &(_, key) in &ranking.order {
                let count = ranking.order.iter().filter(|(_, k)| *k == key).count();
                prop_assert_eq!(ranking.count_of_key(key), count);
            }
            prop_assert_eq!(ranking.count_of_key(i64::MIN), 0);
        }
        // A caller that changes the figures still gets answers that match them.
        if n.weeks.len() > 1 {
            n.weeks.remove(0);
            for i in 0..dataset.areas.len() {
                prop_assert_eq!(n.position_of(i), scan_position(&n, i));
            }
            n.reindex();
            for i in 0..dataset.areas.len() {
                prop_assert_eq!(n.position_of(i), scan_position(&n, i));
            }
        }
    }

    /// Each nation's leader, found in one pass when the figures are computed, is the first
    /// of that nation down the ranking, tied when the next of the nation has its rate.
    #[test]
    fn nation_heads_agree_with_scans(areas in areas()) {
        let (dataset, population) = build(&areas);
        let mut n = National::compute(&dataset, &population, Universe::Uk, "ltla", Week::ending(date("2021-01-14")));
        let scan = |n: &National| -> Vec<NationHead> {
            NATIONS
                .iter()
                .filter_map(|&nation| {
                    let of_nation: Vec<&(usize, i64)> = n
                        .by_rate
                        .order
                        .iter()
                        .filter(|(p, _)| nation_of(&dataset.areas[n.weeks[*p].index].code) == Some(nation))
                        .collect();
                    let &&(position, key) = of_nation.first()?;
                    Some(NationHead {
                        nation,
                        position,
                        tied: of_nation.iter().filter(|(_, k)| *k == key).count() > 1,
                    })
                })
                .collect()
        };
        prop_assert_eq!(n.nation_heads(&dataset).to_vec(), scan(&n));
        if n.weeks.len() > 1 {
            n.weeks.remove(0);
            n.by_rate.order.retain(|(p, _)| *p != 0);
            for (p, _) in &mut n.by_rate.order {
                *p -= 1;
            }
            n.reindex();
            prop_assert_eq!(n.nation_heads(&dataset).to_vec(), scan(&n));
        }
    }

    /// A story built with the week's shared parts decided once is the story built alone, for
    /// every area, and a patch with other lists or another seed is not given the week's parts.
    #[test]
    fn stories_built_in_a_week_are_stories_built_alone(areas in areas(), seed in 0u64..4) {
        let (dataset, population) = build(&areas);
        let national = National::compute(&dataset, &population, Universe::Uk, "ltla", Week::ending(date("2021-01-14")));
        let release = date("2021-01-18");
        let mut patch = casewire::draft::default_patch();
        let week = casewire::story::WeekViews::new(&dataset, &national, &patch, release);
        patch.seed = seed;
        if seed == 3 {
            patch.lists.leaders = 1;
        }
        for w in &national.weeks {
            let input = casewire::story::StoryInput {
                dataset: &dataset,
                national: &national,
                patch: &patch,
                core: &[w.index],
                nearby: &[],
                release,
                template: "area",
                hospital: None,
            };
            let alone = serde_json::to_value(casewire::story::build(input.clone()).unwrap()).unwrap();
            let in_week = serde_json::to_value(casewire::story::build_in(input, &week).unwrap()).unwrap();
            prop_assert_eq!(in_week, alone);
        }
    }
}
