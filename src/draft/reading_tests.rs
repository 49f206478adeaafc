//! The audit's reading of drafted copy against its reading before it took spans of the copy
//! ([`crate::audit`]'s oracle): every built-in template, six patches, January and August.

use std::path::PathBuf;

use super::{DraftRequest, Format, draft, draft_patch_areas};
use crate::audit::reads_as_before;

#[test]
fn the_shared_reading_reads_every_template_and_patch_as_before() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/data");
    let months = [
        (
            "releases/2021-01-18/ltla-reconstructed.csv",
            "population/mid-2019.csv",
            "2021-01-18",
        ),
        (
            "archive/ltla_2021-07-25_2021-09-10.csv",
            "population/ONS-population_2021-08-05.csv",
            "2021-08-27",
        ),
    ];
    let patches = [
        "examples/se-london.toml",
        "tests/fixtures/patches/hull.toml",
        "tests/fixtures/patches/islands.toml",
        "tests/fixtures/patches/cardiff-vale.toml",
        "tests/fixtures/patches/northern-ireland.toml",
        "tests/fixtures/patches/tie.toml",
    ];
    let mut sentences = 0;
    for patch in patches {
        for (data, population, release) in months {
            for template in ["weekly-roundup", "by-area", "area"] {
                let request = DraftRequest {
                    patch: root.join(patch),
                    data: vec![shared.join(data)],
                    population: shared.join(population),
                    release: release.parse().expect("date"),
                    template: Some(template.to_string()),
                    templates: None,
                    format: Format::Markdown,
                    today: "2026-01-01".parse().ok(),
                    no_audit: false,
                    seed: None,
                    archive: None,
                    expect_from: None,
                };
                let name = format!("{patch} {release} {template}");
                // The area template tells one area's story: read each of the patch's.
                let drafts = if template == "area" {
                    let run = draft_patch_areas(&request).unwrap_or_else(|e| panic!("{name}: {e}"));
                    run.stories.into_iter().map(|s| s.draft).collect()
                } else {
                    vec![draft(&request).unwrap_or_else(|e| panic!("{name}: {e}"))]
                };
                for drafted in drafts {
                    sentences += reads_as_before(&name, &drafted.story, &drafted.output);
                }
            }
        }
    }
    assert!(sentences > 5_000, "{sentences} sentences read");
}
