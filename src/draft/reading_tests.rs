//! The audit's verdicts through the shared copy reader against its verdicts through the reading
//! it had before it read the shared reader's sentences and tokens ([`crate::audit`]'s oracle):
//! every built-in template, six patches, January and August, as drafted and as edited.

use std::path::PathBuf;

use super::{DraftRequest, Format, Inputs, draft, draft_patch_areas};
use crate::audit::{AuditInput, both_ways, hard_wrapped, variants};

#[test]
fn the_shared_reader_gives_the_audit_its_verdicts_as_before() {
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
    let mut stories = 0;
    let mut differ: Vec<String> = Vec::new();
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
                let inputs = Inputs::for_request(&request).expect("inputs");
                for drafted in &drafts {
                    let literals = vec!["call 119".to_string()];
                    let audit = |text: &str| {
                        both_ways(
                            AuditInput {
                                text,
                                facts: &drafted.facts.facts,
                                story: &drafted.story,
                                dataset: &inputs.dataset,
                                population: &inputs.population,
                                patch: &inputs.patch,
                            },
                            &literals,
                        )
                    };
                    // Copy the story did not write: the lint's fixtures, read with its names.
                    for f in ["clean.md", "slips.md", "published-snippets.txt"] {
                        let text =
                            std::fs::read_to_string(root.join("tests/fixtures/lint").join(f))
                                .expect("lint fixture");
                        // A hard-wrapped sentence's failures are told at the line it starts on.
                        let (shared, oracle) = audit(&text);
                        let messages = |v: &[(usize, String)]| -> Vec<String> {
                            let mut m: Vec<String> = v.iter().map(|(_, m)| m.clone()).collect();
                            m.sort();
                            m
                        };
                        if messages(&shared) != messages(&oracle) {
                            differ.push(format!(
                                "{name}, {f}:\n  shared {shared:?}\n  oracle {oracle:?}"
                            ));
                        }
                    }
                    for (how, text) in variants(&drafted.output) {
                        let (shared, _) = audit(&text);
                        // The shared reader reads "1)" as it reads "1.", a numbered item, where the
                        // audit used to read a figure.
                        let numbered: String = text
                            .lines()
                            .map(|l| match l.strip_prefix("1) ") {
                                Some(rest) => format!("1. {rest}\n"),
                                None => format!("{l}\n"),
                            })
                            .collect();
                        let (_, oracle) = audit(&numbered);
                        // Markers added to a numbered list's lines ("+ 5. Brentwood") read as list
                        // structure now, where the audit read their numbers as figures: both
                        // readings refuse that copy, one over the list's numbers.
                        let positions = |v: &[(usize, String)]| -> Vec<(usize, String)> {
                            let list_number = |m: &str| {
                                m.strip_prefix('"')
                                    .and_then(|m| m.split('"').next())
                                    .and_then(|n| n.parse::<u32>().ok())
                                    .is_some_and(|n| n < 20)
                            };
                            v.iter()
                                .filter(|(_, m)| how != "marked up" || !list_number(m))
                                .cloned()
                                .collect()
                        };
                        let same = positions(&shared) == positions(&oracle)
                            && shared.is_empty() == oracle.is_empty();
                        if !same {
                            differ.push(format!(
                                "{name}, {how}:\n  shared {shared:?}\n  oracle {oracle:?}"
                            ));
                        }
                        stories += 1;
                        // Hard-wrapping a story's lines changes none of its verdicts.
                        if how != "with front matter" {
                            let (wrapped, _) = audit(&hard_wrapped(&text));
                            let messages = |v: &[(usize, String)]| -> Vec<String> {
                                v.iter().map(|(_, m)| m.clone()).collect()
                            };
                            if messages(&wrapped) != messages(&shared) {
                                differ.push(format!("{name}, {how}, hard-wrapped:\n  wrapped {wrapped:?}\n  as is   {shared:?}"));
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {stories}:\n{}",
        differ.len(),
        differ.join("\n")
    );
    assert!(stories >= 180, "{stories} stories read");
}
