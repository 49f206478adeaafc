//! Claims over a set with a member missing: the January release with one area's count for
//! January 12 taken out. A core area without figures leaves the patch's "every borough" and
//! "the highest rate in south east London" unknowable, and the national leader left out of
//! the national figures leaves "the highest rate in England" false; the copy says what is
//! known instead, names what is left out, and the audit refuses a template that does not.

use std::path::{Path, PathBuf};

use casewire::draft::{DraftRequest, draft};

use crate::support::*;

/// The January release without `area`'s count for January 12, written into `dir`.
fn january_without(dir: &Path, area: &str) -> PathBuf {
    let full =
        std::fs::read_to_string(shared("releases/2021-01-18/ltla-reconstructed.csv")).unwrap();
    let row = format!("{area},ltla,2021-01-12");
    let kept: String = full
        .split_inclusive('\n')
        .filter(|line| !line.contains(&row))
        .collect();
    assert_eq!(full.len() - kept.len(), {
        let line = full.split_inclusive('\n').find(|l| l.contains(&row));
        line.expect("the day is in the file").len()
    });
    let path = dir.join("ltla-reconstructed.csv");
    std::fs::write(&path, kept).unwrap();
    path
}

/// [`january_request`] on the release without `area`'s January 12.
fn january_request_without(dir: &Path, area: &str) -> DraftRequest {
    let mut request = january_request();
    request.data = vec![january_without(dir, area)];
    request
}

/// Claims over the whole patch that no story with a core area missing may print.
const WHOLE_PATCH: &[&str] = &[
    "every borough",
    "all five boroughs",
    "all four boroughs of south east London in",
    "highest rate in south east London",
    "lowest rate in south east London",
    "across the five boroughs",
];

/// Claims over the whole of England that no story with an area left out may print.
const WHOLE_ENGLAND: &[&str] = &[
    "highest rate in England",
    "taking the top spot",
    "The 10 areas of England with the largest",
];

fn prints_none(copy: &str, claims: &[&str]) {
    for claim in claims {
        assert!(!copy.contains(claim), "{claim:?} in:\n{copy}");
    }
}

#[test]
fn a_core_area_without_a_day_leaves_no_claim_over_the_whole_patch() {
    let dir = tempfile::tempdir().unwrap();
    let d =
        draft(&january_request_without(dir.path(), "Greenwich")).unwrap_or_else(|e| panic!("{e}"));
    assert!(d.checked.audited);
    // Greenwich is left out of the national figures too.
    prints_none(&d.output, WHOLE_PATCH);
    prints_none(&d.output, WHOLE_ENGLAND);
    for said in [
        "# Covid-19 rates fall in Bexley, Bromley, Lewisham and Southwark\n",
        "Rates fell in all four boroughs of south east London with figures in the seven days to January 14.",
        "Lewisham has the highest rate among the four boroughs of south east London with figures,",
        "There is no rate for Greenwich this week.",
        "Greenwich is left out of these figures: the dashboard has no figures for January 12.",
    ] {
        assert!(d.output.contains(said), "{said:?} in:\n{}", d.output);
    }
    // Its reason is told once, beside the national figures that name it, not again where the
    // story says it has no rate.
    assert_eq!(
        d.output.matches("no figures for January 12").count(),
        1,
        "{}",
        d.output
    );
    // The day named beside the national figures is a fact the national part holds.
    let day = d
        .facts
        .facts
        .iter()
        .find(|f| f.id == "E09000011.missing.2021-01-12")
        .expect("the missing day is a fact");
    assert!(
        day.used_by
            .iter()
            .any(|u| u == "universe.left_out_areas[0].reason"),
        "{:?}",
        day.used_by
    );
    insta::assert_snapshot!(d.output);
}

#[test]
fn the_national_leader_without_a_day_is_named_and_no_one_takes_its_top_spot() {
    let dir = tempfile::tempdir().unwrap();
    let d =
        draft(&january_request_without(dir.path(), "Knowsley")).unwrap_or_else(|e| panic!("{e}"));
    assert!(d.checked.audited);
    prints_none(&d.output, WHOLE_ENGLAND);
    for said in [
        "Across England, 30 of the 314 local areas (10%) saw their rate rise in the latest week and 283 (90%) saw it fall, while one was unchanged. Knowsley is left out of these figures: the dashboard has no figures for January 12.",
        "has the highest rate of the 314 areas of England with full figures.",
        "Of the areas of England with full figures, the 10 with the largest week-on-week falls in their rates:",
    ] {
        assert!(d.output.contains(said), "{said:?} in:\n{}", d.output);
    }
    // The patch's own claims stand: all five boroughs have figures.
    assert!(
        d.output
            .contains("Rates fell in all five boroughs of south east London")
    );
    let left_out = d.facts.facts.iter().find(|f| f.id == "universe.left_out");
    assert_eq!(
        left_out.map(|f| f.printed[0].as_str()),
        Some("1"),
        "the count left out is a fact"
    );
    assert!(
        d.facts
            .facts
            .iter()
            .any(|f| f.id == "E08000011.missing.2021-01-12"),
        "the day Knowsley lacks is a fact"
    );
    insta::assert_snapshot!(d.output);
}

#[test]
fn every_area_s_story_names_the_area_left_out_and_ranks_only_those_with_full_figures() {
    let dir = tempfile::tempdir().unwrap();
    let request = each_area_request(
        vec![january_without(dir.path(), "Knowsley")],
        shared("population/mid-2019.csv"),
        "2021-01-18",
    );
    let run = draft_each_area(&request).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run.stories.len(), 314);
    assert!(
        run.skipped.iter().any(|s| s.contains("Knowsley")),
        "{:?}",
        run.skipped
    );
    for story in &run.stories {
        let copy = &story.draft.output;
        assert!(story.draft.checked.audited, "{}", story.file_name);
        assert!(
            copy.contains("Knowsley is left out of these figures: the dashboard has no figures for January 12."),
            "{}:\n{copy}",
            story.file_name
        );
        assert!(
            !copy.contains("rate in England") && !copy.contains("taking the top spot"),
            "{}:\n{copy}",
            story.file_name
        );
    }
    let slough = run
        .stories
        .iter()
        .find(|s| s.file_name.starts_with("slough-"))
        .expect("Slough has a story");
    assert!(
        slough.draft.output.starts_with(
            "# Slough has the highest Covid-19 rate of the 314 areas of England with full figures\n"
        ),
        "{}",
        slough.draft.output
    );
    let shared = run.shared.expect("the week's facts");
    assert!(
        shared
            .sidecar
            .facts
            .iter()
            .any(|f| f.id == "E08000011.missing.2021-01-12"),
        "the day Knowsley lacks is one of the week's shared facts"
    );
}

#[test]
fn a_template_printing_every_borough_with_a_core_area_missing_is_refused() {
    let line = "Coronavirus infection rates have fallen in every borough in the latest week.";
    let templates = crate::literals::with_provenance(line);
    // True of the whole patch, it passes.
    let mut request = january_request();
    request.templates = Some(templates.path().to_path_buf());
    let d = draft(&request).unwrap_or_else(|e| panic!("{e}"));
    assert!(d.output.contains(line));
    // With Greenwich's rate unknown, it is refused, naming the sentence.
    let dir = tempfile::tempdir().unwrap();
    let mut request = january_request_without(dir.path(), "Greenwich");
    request.templates = Some(templates.path().to_path_buf());
    let err = draft(&request).unwrap_err().to_string();
    assert!(
        err.contains("Greenwich has no figures this week") && err.contains(line),
        "{err}"
    );
    // So is the command line's draft, exiting non-zero and writing nothing.
    let out = tempfile::tempdir().unwrap();
    let story = out.path().join("story.md");
    let data = january_without(dir.path(), "Greenwich");
    let run = Casewire::new()
        .args(["draft", "--patch", arg(&se_london()), "--data"])
        .arg(&data)
        .arg("--population")
        .arg(shared("population/mid-2019.csv"))
        .args(["--release", "2021-01-18"])
        .args(["--templates", arg(templates.path()), "--out", arg(&story)])
        .code(1);
    assert!(run.stderr().contains("\"every\""), "{}", run.stderr());
    assert!(std::fs::read_dir(out.path()).unwrap().next().is_none());
}

#[test]
fn a_template_ranking_england_with_its_leader_left_out_is_refused() {
    // Slough does lead the areas with figures: only the missing leader makes this false.
    let line = "Slough has the highest rate in England.";
    let templates = crate::literals::with_provenance(line);
    let dir = tempfile::tempdir().unwrap();
    let mut request = january_request_without(dir.path(), "Knowsley");
    request.templates = Some(templates.path().to_path_buf());
    let err = draft(&request).unwrap_err().to_string();
    assert!(
        err.contains("Knowsley is left out of the national figures") && err.contains(line),
        "{err}"
    );
}
