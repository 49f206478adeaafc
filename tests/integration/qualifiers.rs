//! County qualifiers beyond the leaders' lines (issue 14): a nation's leader and a national
//! mover that is a district is placed by its county ("Sedgemoor in Somerset"), in every frame
//! of the nations' lines, and the story still passes the audit.

use casewire::draft::Inputs;
use casewire::render::Renderer;

use crate::support::*;

/// A Scottish paper naming two national leaders in the week to August 16, 2021, when
/// Sedgemoor had England's highest rate and ranked third in the UK: England's line names it.
fn request(extra: &str) -> (tempfile::TempDir, casewire::draft::DraftRequest) {
    let dir = tempfile::tempdir().unwrap();
    let patch = dir.path().join("patch.toml");
    let text = std::fs::read_to_string(fixture("patches/scotland.toml"))
        .unwrap()
        .replace("leaders = 3", "leaders = 2");
    std::fs::write(&patch, format!("{text}{extra}")).unwrap();
    let mut r = request_for(patch);
    r.release = date("2021-08-20");
    (dir, r)
}

fn request_for(patch: std::path::PathBuf) -> casewire::draft::DraftRequest {
    let mut r = august_request();
    r.patch = patch;
    r
}

#[test]
fn a_nations_leader_and_a_mover_are_placed_by_county_in_every_frame() {
    let (_dir, request) = request("");
    let mut inputs = Inputs::for_request(&request).unwrap();
    let renderer = Renderer::new(None).unwrap();
    let mut frames = std::collections::BTreeSet::new();
    for seed in 0..8 {
        inputs.patch.seed = seed;
        for template in ["weekly-roundup", "by-area"] {
            let d = draft_markdown(&inputs, &renderer, &request, template)
                .unwrap_or_else(|e| panic!("seed {seed}, {template}: {e}"));
            assert!(d.checked.audited);
            let england = d
                .story
                .nation_leaders
                .iter()
                .find(|n| n.nation == "England")
                .unwrap();
            assert_eq!(england.area.name, "Sedgemoor");
            assert!(!england.named_above);
            let line = d
                .output
                .lines()
                .find(|l| {
                    l.contains("Sedgemoor") && l.contains("England") && l.contains("highest rate")
                })
                .unwrap_or_else(|| panic!("{}", d.output));
            assert!(line.contains("Sedgemoor in Somerset"), "{line}");
            frames.insert(england.area.frame);
            if template == "weekly-roundup" {
                assert!(
                    d.output
                        .lines()
                        .any(|l| l.contains(". Sedgemoor in Somerset (up from ")),
                    "{}",
                    d.output
                );
            }
        }
    }
    assert_eq!(
        frames.len(),
        3,
        "every frame of the nations' lines: {frames:?}"
    );
}

#[test]
fn a_patch_that_turns_qualifiers_off_names_the_district_alone() {
    let (_dir, request) = request("\n[copy]\nqualifiers = false\n");
    let d = casewire::draft::draft(&request).unwrap();
    assert!(d.output.contains("Sedgemoor"), "{}", d.output);
    assert!(!d.output.contains("in Somerset"), "{}", d.output);
}
