//! Micro figures with criterion, on the real data of the January 2021 story: parsing one
//! release file, the week's national figures, deciding one story, rendering one story.
//!
//! Run: `cargo bench --bench micro`.

mod common;

use std::hint::black_box;

use casewire::config::{Patch, resolve_areas};
use casewire::draft::load_data;
use casewire::fetch::file::read_population_file;
use casewire::render::Renderer;
use casewire::stats::{National, Week};
use casewire::story::{self, StoryInput};
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};

fn january(c: &mut Criterion) {
    let data = vec![common::shared("releases/2021-01-18/ltla-reconstructed.csv")];
    let (population, _) =
        read_population_file(&common::shared("population/mid-2019.csv")).expect("population");
    let patch_path = common::se_london();
    let patch = Patch::load(&patch_path).expect("patch");
    let release = NaiveDate::from_ymd_opt(2021, 1, 18).expect("date");
    let week = Week::for_release(release, patch.incomplete_days);
    let dataset = load_data(&data).expect("data");
    let core = resolve_areas(&patch_path, &dataset, "ltla", &patch.core).expect("core");
    let nearby = resolve_areas(&patch_path, &dataset, "ltla", &patch.nearby).expect("nearby");
    let national = National::compute(&dataset, &population, patch.universe, "ltla", week);
    let input = StoryInput {
        dataset: &dataset,
        national: &national,
        patch: &patch,
        core: &core,
        nearby: &nearby,
        release,
        template: "weekly-roundup",
        hospital: None,
    };
    let story = story::build(input.clone()).expect("story");
    let renderer = Renderer::new(None).expect("templates");

    c.bench_function("parse: release 2021-01-18 LTLA CSV (0.8 MB)", |b| {
        b.iter(|| load_data(black_box(&data)).expect("data"))
    });
    c.bench_function("stats: national figures, 315 areas", |b| {
        b.iter(|| {
            National::compute(
                black_box(&dataset),
                &population,
                patch.universe,
                "ltla",
                week,
            )
        })
    });
    c.bench_function("story: decide the se-london story", |b| {
        b.iter(|| story::build(black_box(input.clone())).expect("story"))
    });
    c.bench_function("render: weekly-roundup, se-london", |b| {
        b.iter(|| {
            renderer
                .render("weekly-roundup", black_box(&story))
                .expect("render")
        })
    });
    let one = common::one_area_patch("borough");
    let bexley = [core[0]];
    let one_story = story::build(StoryInput {
        patch: &one,
        core: &bexley,
        nearby: &[],
        ..input.clone()
    })
    .expect("story");
    c.bench_function("render: weekly-roundup, one-area patch", |b| {
        b.iter(|| {
            renderer
                .render("weekly-roundup", black_box(&one_story))
                .expect("render")
        })
    });
    // An every-area story: the `area` template, the region named after the area.
    let mut own = casewire::draft::default_patch();
    own.region.clone_from(&dataset.areas[core[0]].name);
    let area_story = story::build(StoryInput {
        patch: &own,
        core: &bexley,
        nearby: &[],
        template: casewire::draft::EACH_AREA_TEMPLATE,
        ..input
    })
    .expect("story");
    c.bench_function("render: area (every-area story)", |b| {
        b.iter(|| {
            renderer
                .render(casewire::draft::EACH_AREA_TEMPLATE, black_box(&area_story))
                .expect("render")
        })
    });
}

criterion_group!(benches, january);
criterion_main!(benches);
