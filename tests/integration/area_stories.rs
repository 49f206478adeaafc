//! The `area` template, one area's own story, with a patch of several areas: a story for each
//! area of the patch (`draft --template area --out-dir DIR`, [`draft_patch_areas`]), or a
//! clear refusal wherever the patch's one story was asked for (the library's `draft`, the
//! command line without `--out-dir`, a newsroom file), never the first area's story alone.

use std::path::Path;

use casewire::draft::{DraftError, DraftRequest, draft, draft_patch_areas};

use crate::support::*;

const BOROUGHS: [&str; 5] = ["Bexley", "Bromley", "Greenwich", "Lewisham", "Southwark"];

fn area_request() -> DraftRequest {
    let mut request = january_request();
    request.template = Some("area".to_string());
    request
}

/// `casewire draft` of south east London on the January release, then `extra`.
fn january_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "draft",
        "--patch",
        arg_static(se_london()),
        "--data",
        arg_static(shared("releases/2021-01-18/ltla-reconstructed.csv")),
        "--population",
        arg_static(shared("population/mid-2019.csv")),
        "--release",
        "2021-01-18",
    ];
    args.extend_from_slice(extra);
    args
}

/// [`january_args`] writing to the folder `out_dir`, then `extra`.
fn draft_args<'a>(out_dir: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = january_args(&["--out-dir", arg(out_dir)]);
    args.extend_from_slice(extra);
    args
}

/// A path as an argument for the rest of the test.
fn arg_static(p: std::path::PathBuf) -> &'static str {
    Box::leak(p.into_os_string().into_string().unwrap().into_boxed_str())
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_library_refuses_the_area_template_for_a_patch_of_several_areas() {
    let err = draft(&area_request()).unwrap_err();
    assert!(err.is_usage(), "{err}");
    let text = err.to_string();
    for said in [
        "the area template tells one area's story",
        "examples/se-london.toml has 5 areas (Bexley, Bromley, Greenwich, Lewisham, Southwark)",
        "--out-dir DIR for one story per area of the patch",
    ] {
        assert!(text.contains(said), "{said:?} in {text}");
    }
    // The week's own entry point refuses it too, so a newsroom's run cannot print it.
    let inputs = casewire::draft::Inputs::for_request(&area_request()).unwrap();
    let renderer = casewire::render::Renderer::for_story(None, "area").unwrap();
    let from_week = draft_from(
        &inputs,
        &renderer,
        date("2021-01-18"),
        "area",
        casewire::draft::Format::Markdown,
        None,
        false,
    )
    .unwrap_err();
    assert!(
        matches!(from_week, DraftError::AreaTemplate { count: 5, .. }),
        "{from_week}"
    );
}

#[test]
fn the_library_drafts_one_story_per_area_of_the_patch() {
    let run = draft_patch_areas(&area_request()).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = run
        .stories
        .iter()
        .map(|s| s.draft.story.core[0].name.as_str())
        .collect();
    assert_eq!(names, BOROUGHS, "in the patch file's order");
    assert_eq!(run.summary.stories, 5);
    assert!(run.summary.skipped.is_empty(), "{:?}", run.summary.skipped);
    assert!(run.summary.shared.is_none());
    for s in &run.stories {
        let d = &s.draft;
        let area = &d.story.core[0];
        assert_eq!(d.story.core.len(), 1, "{}", s.file_name);
        assert_eq!(
            s.file_name,
            format!("{}.md", casewire::draft::slug(&area.name, &area.code))
        );
        let headline = d.output.lines().next().unwrap();
        assert!(
            headline.starts_with("# ") && headline.contains(&area.name),
            "{headline}"
        );
        assert!(d.checked.audited, "{}", s.file_name);
        // Its sidecar holds every fact it prints: the area's own and the week's.
        let ids: Vec<&str> = d.facts.facts.iter().map(|f| f.id.as_str()).collect();
        assert!(ids.contains(&format!("{}.rate", area.code).as_str()));
        assert!(ids.contains(&"universe.total"), "{ids:?}");
        assert!(d.facts.shared.is_none());
        // No other borough of the patch is told as this story's own.
        for other in BOROUGHS.iter().filter(|b| **b != area.name) {
            assert!(
                !d.output.contains(&format!("{other} recorded")),
                "{}: {other}",
                s.file_name
            );
        }
    }
    // Each story is the patch with that area alone: a one-area patch of Greenwich drafts the
    // same copy.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(se_london()).unwrap().replace(
        "core = [\"Bexley\", \"Bromley\", \"Greenwich\", \"Lewisham\", \"Southwark\"]",
        "core = [\"Greenwich\"]",
    );
    let patch = dir.path().join("greenwich.toml");
    std::fs::write(&patch, text).unwrap();
    let mut one = area_request();
    one.patch = patch;
    assert_eq!(draft(&one).unwrap().output, run.stories[2].draft.output);
}

#[test]
fn a_story_per_area_takes_only_the_area_template() {
    let mut request = area_request();
    request.template = Some("weekly-roundup".to_string());
    let err = draft_patch_areas(&request).unwrap_err();
    assert!(err.is_usage());
    assert!(
        err.to_string()
            .contains("the template asked for is weekly-roundup; give --template area"),
        "{err}"
    );
    // With no template named, it is the area template.
    request.template = None;
    assert_eq!(draft_patch_areas(&request).unwrap().stories.len(), 5);
}

#[test]
fn a_core_area_without_figures_gets_no_story_and_a_line_saying_so() {
    let run = draft_patch_areas(&scenario_request("missing", "patch.toml", "area")).unwrap();
    assert!(!run.stories.is_empty());
    assert_eq!(run.stories.len() + run.summary.skipped.len(), 3);
    assert!(
        run.summary
            .skipped
            .iter()
            .all(|l| l.starts_with("no story for ")),
        "{:?}",
        run.summary.skipped
    );
    assert!(!run.summary.skipped.is_empty());
}

#[test]
fn the_command_line_writes_a_story_per_area_into_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("boroughs");
    let run = Casewire::new()
        .args(draft_args(&out, &["--template", "area"]))
        .success();
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("wrote 5 stories to ")
            && run.stderr.contains("(10 files; 0 areas without a story)"),
        "{}",
        run.stderr
    );
    let library = draft_patch_areas(&area_request()).unwrap();
    let mut expected: Vec<String> = Vec::new();
    for s in &library.stories {
        let path = out.join(&s.file_name);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), s.draft.output);
        let facts = casewire::draft::facts_path(&path);
        assert_eq!(
            std::fs::read_to_string(&facts).unwrap(),
            s.draft.facts.to_json()
        );
        expected.push(s.file_name.clone());
        expected.push(facts.file_name().unwrap().to_string_lossy().into_owned());
    }
    expected.sort();
    assert_eq!(files_in(&out), expected);

    // --out-dir alone takes the area template; --format json writes one JSON file per area.
    let json = dir.path().join("json");
    Casewire::new()
        .args(draft_args(&json, &["--format", "json"]))
        .success();
    let names = files_in(&json);
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(names.iter().all(|n| n.ends_with(".json")), "{names:?}");
    let bexley: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json.join(&names[0])).unwrap()).unwrap();
    assert_eq!(bexley["core"][0]["name"], "Bexley");
    assert!(bexley["facts"].as_array().is_some_and(|f| !f.is_empty()));
}

#[test]
fn the_command_line_refuses_what_it_cannot_draft_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // The area template without a folder for its stories.
    let run = Casewire::new()
        .args(january_args(&["--template", "area"]))
        .code(2);
    assert!(
        run.stderr
            .contains("has 5 areas (Bexley, Bromley, Greenwich, Lewisham, Southwark)")
            && run.stderr.contains("give --out-dir DIR"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    // A folder of stories per area with a template that tells the patch's story once.
    let out = dir.path().join("roundup");
    let run = Casewire::new()
        .args(draft_args(&out, &["--template", "weekly-roundup"]))
        .code(2);
    assert!(
        run.stderr
            .contains("the template asked for is weekly-roundup"),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
    // A folder and a file at once.
    let file = dir.path().join("story.md");
    let run = Casewire::new()
        .args(draft_args(&out, &["--out", arg(&file)]))
        .code(2);
    assert!(run.stderr.contains("--out"), "{}", run.stderr);
    assert!(!out.exists() && !file.exists());
}

#[test]
fn a_story_that_fails_its_checks_leaves_the_folder_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("boroughs");
    std::fs::create_dir(&out).unwrap();
    // Last week's story, with its facts as a run writes them.
    std::fs::write(out.join("old.md"), "last week's story\n").unwrap();
    std::fs::write(out.join("old.facts.json"), "{}\n").unwrap();
    // An area template that prints a figure no fact backs.
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    let (_, area) = casewire::render::BUILTIN
        .iter()
        .find(|(name, _)| *name == "area.md")
        .unwrap();
    std::fs::write(
        templates.join("area.md"),
        format!("{area}\n\nThe rate was 999.9 a year ago.\n"),
    )
    .unwrap();
    let run = Casewire::new()
        .args(draft_args(&out, &["--templates", arg(&templates)]))
        .code(1);
    assert!(
        run.stderr
            .contains("the story for Bexley (E09000004) failed its checks")
            && run.stderr.contains("\"999.9\" traces to no fact"),
        "{}",
        run.stderr
    );
    assert_eq!(files_in(&out), ["old.facts.json", "old.md"]);
    assert_eq!(
        std::fs::read_to_string(out.join("old.md")).unwrap(),
        "last week's story\n"
    );
    // A folder holding what a run does not write is refused before anything is drafted.
    std::fs::write(out.join("notes.txt"), "keep").unwrap();
    let run = Casewire::new().args(draft_args(&out, &[])).code(1);
    assert!(run.stderr.contains("notes.txt"), "{}", run.stderr);
    assert_eq!(files_in(&out), ["notes.txt", "old.facts.json", "old.md"]);
}

/// A newsroom with one story, `name` of `patch` with its own `settings`: its file's text, and
/// the newsroom as read from it.
fn newsroom(
    dir: &Path,
    name: &str,
    patch: &str,
    settings: &str,
) -> (String, Result<casewire::config::Newsroom, String>) {
    let path = NewsroomFixture::new(dir)
        .source_files("data.csv", Path::new("pop.csv"))
        .patch_file("se.toml", se_london())
        .patch_file("one.toml", fixture("scenarios/one-area.toml"))
        .story_with(name, patch, settings)
        .write();
    let text = std::fs::read_to_string(&path).unwrap();
    let read = casewire::config::Newsroom::parse(&path, &text).map_err(|e| e.to_string());
    (text, read)
}

#[test]
fn a_newsroom_story_of_the_area_template_needs_a_patch_of_one_area() {
    let dir = tempfile::tempdir().unwrap();
    let (text, read) = newsroom(dir.path(), "boroughs", "se.toml", "template = \"area\"");
    let err = read.unwrap_err();
    // The error names the line of the story's template.
    let line = text
        .lines()
        .position(|l| l == "template = \"area\"")
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!("newsroom.toml: line {line}: story \"boroughs\" has template = \"area\", which tells one area's story, but its patch "))
            && err.contains("se.toml has 5 areas (Bexley, Bromley, Greenwich, Lewisham, Southwark); set each_area = true"),
        "{err}"
    );
    // A patch of one area, an every-area story, or another template are all fine.
    for (name, patch, settings) in [
        ("one", "one.toml", "template = \"area\""),
        ("every", "se.toml", "template = \"area\"\neach_area = true"),
        ("weekly", "se.toml", "template = \"by-area\""),
    ] {
        let (_, read) = newsroom(dir.path(), name, patch, settings);
        let n = read.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(n.stories[0].template.is_some());
    }
}
