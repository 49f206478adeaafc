//! The facts sidecar and the round-trip audit: every built-in story for every area of two real
//! weeks passes, templates broken on purpose are caught, and the facts of one story are
//! snapshot-tested.
//!
//! Here: the every-area pass and the sidecar `--out` writes beside a story. Templates broken
//! on purpose are in `mutations`, copy and facts edited by hand in `edited`.

use std::path::Path;
use std::time::Instant;

use crate::support::draft_markdown;
use casewire::draft::{DraftError, DraftRequest, Format, Inputs, draft};
use casewire::render::{BUILTIN, Renderer};

use crate::support::*;

mod edited;
mod mutations;

/// The built-in story templates (partials excluded), without `.md`.
fn story_templates() -> Vec<&'static str> {
    BUILTIN
        .iter()
        .map(|(name, _)| *name)
        .filter(|n| !n.starts_with("partials/"))
        .map(|n| n.trim_end_matches(".md"))
        .collect()
}

/// Drafts every built-in template for a one-area patch of each England ltla in the data, and
/// returns how many stories passed. Any lint finding or audit failure fails the test with the
/// area, the template and the sentences quoted.
fn every_area(request: DraftRequest) -> usize {
    let mut inputs = Inputs::for_request(&request).unwrap();
    let renderer = Renderer::new(None).unwrap();
    let areas: Vec<(String, String)> = inputs
        .dataset
        .areas
        .iter()
        .filter(|a| a.area_type == "ltla" && a.code.starts_with('E'))
        .map(|a| (a.code.clone(), a.name.clone()))
        .collect();
    assert!(areas.len() > 300, "{} areas", areas.len());
    inputs.patch.nearby.clear();
    let mut passed = 0;
    let mut failures = Vec::new();
    for (code, name) in &areas {
        inputs.patch.core = vec![code.clone()];
        inputs.patch.region = name.clone();
        for template in story_templates() {
            match draft_markdown(&inputs, &renderer, &request, template) {
                Ok(d) => {
                    assert!(d.checked.audited);
                    assert!(d.checked.figures > 10, "{name}: {}", d.checked);
                    passed += 1;
                }
                // An area without a full fortnight has no story to check.
                Err(DraftError::Story(_)) => {}
                Err(e) => failures.push(format!("{name} ({code}), {template}: {e}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} stories failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    passed
}

#[test]
fn every_builtin_template_for_every_area_passes_in_january() {
    let start = Instant::now();
    let n = every_area(january_request());
    assert!(n >= 600, "{n} stories");
    eprintln!("january: {n} stories audited in {:?}", start.elapsed());
}

#[test]
fn every_builtin_template_for_every_area_passes_in_august() {
    let start = Instant::now();
    let n = every_area(august_request());
    assert!(n >= 600, "{n} stories");
    eprintln!("august: {n} stories audited in {:?}", start.elapsed());
}

/// A folder of templates: the built-in `file` with each `(from, to)` replaced, for
/// `--templates`. Every replacement must apply, so a template edit cannot quietly turn a
/// mutation test into a no-op.
fn mutated(file: &str, edits: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (_, text) = BUILTIN
        .iter()
        .find(|(n, _)| *n == file)
        .expect("a built-in template");
    let mut text = text.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "{file} has no {from:?}");
        text = text.replace(from, to);
    }
    let path = dir.path().join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    dir
}

// ---------------------------------------------------------------------------------------------
// The sidecar

/// The facts of one story, as `--out` writes them beside it.
#[test]
fn january_facts_sidecar() {
    let d = draft(&january_request()).unwrap();
    let json = d.facts.to_json();
    // Every fact printed in the copy is in the sidecar with its inputs.
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let facts = value["facts"].as_array().unwrap();
    let knowsley = facts
        .iter()
        .find(|f| f["id"] == "E08000011.rate")
        .expect("Knowsley's rate");
    assert_eq!(knowsley["printed"][0], "1,177.9");
    let series = &value["series"]["E08000011"];
    assert_eq!(series["daily"].as_array().unwrap().len(), 14);
    assert_eq!(
        knowsley["recipe"],
        serde_json::json!(["week_rate", "E08000011", "week"])
    );
    insta::assert_snapshot!(json.replace(root().to_str().unwrap(), "[root]"));
}

#[test]
fn out_writes_the_story_and_its_facts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("story.md");
    let run = january_draft().args(["--out", arg(&out)]).success();
    assert!(
        run.stderr.contains(" figures traced to data, "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(" facts recomputed, "), "{}", run.stderr);
    // The gates of every story, series-stopped, and missing-areas against the register.
    assert!(run.stderr.contains("14 input gates, 11 lint rules"));
    let facts = dir.path().join("story.facts.json");
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&facts).unwrap()).unwrap();
    assert_eq!(sidecar["release"], "2021-01-18");
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("# "));
}

#[test]
fn a_failed_audit_writes_neither_file() {
    let dir = tempfile::tempdir().unwrap();
    let templates = mutated(
        "weekly-roundup.md",
        &[(
            "at {{ a.rate | rate }} with",
            "at {{ a.prev_rate | rate }} with",
        )],
    );
    let out = dir.path().join("story.md");
    let run = january_draft()
        .args(["--templates", arg(templates.path()), "--out", arg(&out)])
        .code(1);
    assert!(run.stderr.contains("failed the audit"), "{}", run.stderr);
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

#[test]
fn json_output_carries_the_facts() {
    let mut request = january_request();
    request.format = Format::Json;
    let d = draft(&request).unwrap();
    let v: serde_json::Value = serde_json::from_str(&d.output).unwrap();
    assert_eq!(v["template"], "weekly-roundup");
    assert_eq!(
        v["facts"].as_array().unwrap().len(),
        d.facts.facts.len(),
        "the view model with every fact"
    );
    assert!(d.checked.audited, "JSON is only given for copy that passed");
}

#[test]
fn facts_path_replaces_a_markdown_extension() {
    use casewire::draft::facts_path;
    assert_eq!(
        facts_path(Path::new("out/story.md")),
        Path::new("out/story.facts.json")
    );
    assert_eq!(
        facts_path(Path::new("out/story.txt")),
        Path::new("out/story.txt.facts.json")
    );
}

#[test]
fn figures_in_the_patch_settings_are_not_read_as_figures() {
    let mut request = january_request();
    let dir = tempfile::tempdir().unwrap();
    let patch = dir.path().join("patch.toml");
    let text = std::fs::read_to_string(se_london())
        .unwrap()
        .replace("the Courier's data desk", "the Courier 24 data desk");
    std::fs::write(&patch, text).unwrap();
    request.patch = patch;
    let d = draft(&request).expect("a figure in a setting is not a figure of the story");
    assert!(d.output.contains("the Courier 24 data desk"));
}

#[test]
fn a_story_that_cannot_be_written_leaves_no_sidecar() {
    let d = draft(&january_request()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("story.md");
    // A folder where the story should go: the rename of the story fails.
    std::fs::create_dir(&out).unwrap();
    assert!(casewire::draft::write_out(&d, &out).is_err());
    let mut left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left, ["story.md"], "only the folder that was there before");
}
