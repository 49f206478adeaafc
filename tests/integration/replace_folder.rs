//! A folder of stories is replaced whole by the next run, so a run only replaces a folder an
//! earlier run of its kind wrote: an editor's own Markdown or JSON beside the stories (notes,
//! a site's config) is refused and left as it was, in every-area runs and patch-area runs, in
//! Markdown and in JSON.

use std::path::Path;

use crate::support::*;

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `draft --each-area` of the fixture's three areas into `out`, in `format`.
fn each_area(out: &Path, format: &str) -> Casewire {
    Casewire::new()
        .args(["draft", "--each-area", "--out-dir", arg(out), "--data"])
        .args([
            arg(&fixture("data/tiny.csv")),
            "--population",
            arg(&fixture("data/population.csv")),
            "--release",
            "2021-01-18",
            "--format",
            format,
        ])
}

/// `draft --template area` of the south east London patch into `out`, in `format`.
fn patch_areas(out: &Path, format: &str) -> Casewire {
    january_draft().args([
        "--template",
        "area",
        "--out-dir",
        arg(out),
        "--format",
        format,
    ])
}

/// The run is refused for `intruder`, which keeps its text, and the folder is as it was.
fn refused_for(run: Casewire, out: &Path, intruder: &str) {
    let before = names(out);
    let text = std::fs::read_to_string(out.join(intruder)).unwrap();
    let run = run.code(1);
    assert!(
        run.stderr.contains(&format!(
            "error: refusing to write into {}: it holds {intruder}, which is not a story or facts file an earlier run wrote there",
            out.display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(names(out), before);
    assert_eq!(std::fs::read_to_string(out.join(intruder)).unwrap(), text);
}

#[test]
fn an_every_area_run_leaves_a_folder_of_an_editors_markdown_and_json_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("config.json"), "{\"title\": \"our site\"}\n").unwrap();
    refused_for(each_area(&out, "markdown"), &out, "config.json");
    std::fs::write(out.join("my-essay.md"), "# An essay\n").unwrap();
    refused_for(each_area(&out, "json"), &out, "config.json");
    std::fs::remove_file(out.join("config.json")).unwrap();
    refused_for(each_area(&out, "markdown"), &out, "my-essay.md");
}

#[test]
fn an_every_area_folder_is_replaced_by_the_next_run_in_either_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("areas");
    each_area(&out, "markdown").success();
    let markdown = names(&out);
    assert!(
        markdown.contains(&"shared_facts.json".to_string()),
        "{markdown:?}"
    );
    each_area(&out, "json").success();
    let json = names(&out);
    assert!(json.iter().all(|n| n.ends_with(".json")), "{json:?}");
    each_area(&out, "markdown").success();
    assert_eq!(names(&out), markdown);
}

#[test]
fn a_patch_area_folder_is_replaced_by_the_next_run_but_not_with_an_unpaired_story() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("boroughs");
    patch_areas(&out, "markdown").success();
    let markdown = names(&out);
    patch_areas(&out, "markdown").success();
    assert_eq!(names(&out), markdown);
    // A Markdown file without a facts sidecar is no story a run wrote.
    std::fs::write(out.join("notes.md"), "call the press office\n").unwrap();
    refused_for(patch_areas(&out, "markdown"), &out, "notes.md");
    std::fs::remove_file(out.join("notes.md")).unwrap();
    // Stories in JSON are known by their first key.
    patch_areas(&out, "json").success();
    let json = names(&out);
    patch_areas(&out, "json").success();
    assert_eq!(names(&out), json);
    std::fs::write(out.join("feed.json"), "{\"version\": 1}\n").unwrap();
    refused_for(patch_areas(&out, "json"), &out, "feed.json");
}
