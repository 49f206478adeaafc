//! Property tests of the arithmetic: rounding, shares and ranks hold for any input.

use std::collections::BTreeMap;

use casewire::model::{DatasetBuilder, Population, RowArea, SourceInfo};
use casewire::stats::{
    Direction, Movement, National, Rate, Universe, Week, percent_change, share_percent,
};
use proptest::prelude::*;

use crate::support::date;

proptest! {
    /// rate = cases / population × 100,000 rounded half-up: the true value lies in
    /// [tenths - 0.5, tenths + 0.5) tenths, checked in exact integers.
    #[test]
    fn rates_round_half_up(cases in 0i64..5_000_000, population in 1u64..100_000_000) {
        let t = i128::from(Rate::per_100k(cases, population).0);
        let exact_twice = 2 * i128::from(cases) * 1_000_000; // 2 × true tenths × population
        let p = i128::from(population);
        prop_assert!((2 * t - 1) * p <= exact_twice, "rounded too high");
        prop_assert!(exact_twice < (2 * t + 1) * p, "rounded too low");
    }

    /// Whole-number shares round half-up too.
    #[test]
    fn shares_round_half_up(part in 0usize..10_000, extra in 0usize..10_000) {
        let whole = part + extra;
        prop_assume!(whole > 0);
        let s = share_percent(part, whole) as u128;
        let (p, w) = (part as u128, whole as u128);
        prop_assert!((2 * s).saturating_sub(1) * w <= 200 * p || s == 0);
        prop_assert!(200 * p < (2 * s + 1) * w);
    }

    /// A percentage change has the sign of the change and rounds half-up on its size.
    #[test]
    fn percent_changes_match_their_rates(old in 1i64..200_000, new in 0i64..200_000) {
        let pct = percent_change(Rate(old), Rate(new)).unwrap();
        if pct != 0 {
            prop_assert_eq!(pct.signum(), (new - old).signum());
        }
        let size = i128::from(pct.abs());
        let diff = i128::from((new - old).abs());
        let o = i128::from(old);
        prop_assert!((2 * size - 1) * o <= 200 * diff || size == 0);
        prop_assert!(200 * diff < (2 * size + 1) * o);
    }

    /// Over random areas: counts add up to the total, directions come from the same rounded
    /// rates that are printed, and every rank agrees with its list.
    #[test]
    fn national_tables_are_consistent(
        areas in prop::collection::vec((prop::collection::vec(0i32..400, 14), 1_000u64..400_000), 1..40)
    ) {
        let mut builder = DatasetBuilder::new();
        let source = builder.add_source(SourceInfo { label: "generated".into(), layout: "test".into(), release: None });
        let mut by_code = BTreeMap::new();
        let start = date("2021-01-01");
        for (i, (days, pop)) in areas.iter().enumerate() {
            let code = format!("E{:08}", i);
            let name = format!("Area {i:02}");
            for (d, v) in days.iter().enumerate() {
                let area = RowArea { code: &code, name: &name, area_type: "ltla" };
                builder.push_cases(source, d as u64 + 2, area, start + chrono::Days::new(d as u64), Some(i64::from(*v))).unwrap();
            }
            by_code.insert(code, *pop);
        }
        let dataset = builder.finish().unwrap();
        let population = Population { by_code, source: "generated".into(), layout: "test".into() };
        let n = National::compute(&dataset, &population, Universe::England, "ltla", Week::ending(date("2021-01-14")));
        let m = n.movement;
        prop_assert_eq!(m.total, areas.len());
        prop_assert_eq!(m.rising + m.falling + m.unchanged, m.total);
        prop_assert_eq!(m, Movement::count(&n.weeks));
        for w in &n.weeks {
            let (days, pop) = &areas[w.index];
            let this: i64 = days[7..].iter().map(|&v| i64::from(v)).sum();
            let prev: i64 = days[..7].iter().map(|&v| i64::from(v)).sum();
            prop_assert_eq!(w.cases, this);
            prop_assert_eq!(w.prev_cases, prev);
            prop_assert_eq!(w.rate, Rate::per_100k(this, *pop));
            prop_assert_eq!(w.direction, Direction::of(w.prev_rate, w.rate));
        }
        prop_assert_eq!(n.by_rise.len(), m.rising);
        prop_assert_eq!(n.by_fall.len(), m.falling);
        for (ranking, key) in [
            (&n.by_rate, Box::new(|w: &casewire::stats::AreaWeek| Some(w.rate.0)) as Box<dyn Fn(&casewire::stats::AreaWeek) -> Option<i64>>),
            (&n.by_rise, Box::new(|w: &casewire::stats::AreaWeek| (w.change.0 > 0).then_some(w.change.0))),
            (&n.by_fall, Box::new(|w: &casewire::stats::AreaWeek| (w.change.0 < 0).then_some(-w.change.0))),
        ] {
            let mut last_rank = 0;
            for (i, &(p, k)) in ranking.order.iter().enumerate() {
                prop_assert_eq!(key(&n.weeks[p]), Some(k));
                let better = n.weeks.iter().filter(|w| key(w).is_some_and(|x| x > k)).count();
                let rank = ranking.rank_at(i);
                prop_assert_eq!(rank, better + 1, "rank is one more than the areas above");
                prop_assert_eq!(ranking.rank_of(p), Some(rank));
                prop_assert!(rank >= last_rank && rank <= i + 1);
                last_rank = rank;
            }
        }
    }

    /// Thousands separators never change the number and group by three.
    #[test]
    fn thousands_round_trip(n in any::<i64>().prop_filter("not MIN", |n| *n != i64::MIN)) {
        let s = casewire::lang::thousands(n);
        prop_assert_eq!(s.replace(',', "").parse::<i64>().unwrap(), n);
        for group in s.trim_start_matches('-').split(',').skip(1) {
            prop_assert_eq!(group.len(), 3);
        }
    }
}
