//! `draft --each-area --out-dir` on the command line: a file for every area, nothing written
//! when one story fails, and the folder replaced whole, or refused when it holds other files.

use super::january_cli;
use crate::support::*;

#[test]
fn the_cli_writes_one_file_per_area() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stories");
    let run = january_cli(&out, &["--universe", "england", "--seed", "7"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("wrote 315 stories"), "{}", run.stderr);
    // Each story in a file of its own, every story's own facts in one file, and the week's
    // national facts once, for all of them.
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.iter().filter(|n| n.ends_with(".md")).count(), 315);
    for file in [
        casewire::draft::AREA_FACTS_FILE,
        casewire::draft::SHARED_FACTS_FILE,
    ] {
        assert!(names.iter().any(|n| n == file), "{file}");
    }
    assert_eq!(names.len(), 317);
    let knowsley = std::fs::read_to_string(out.join("knowsley-e08000011.md")).unwrap();
    assert!(
        knowsley.starts_with("# Knowsley has the highest Covid-19 rate in England"),
        "{knowsley}"
    );
    let missing = Casewire::new()
        .args([
            "draft",
            "--each-area",
            "--data",
            "x",
            "--population",
            "y",
            "--release",
            "2021-01-18",
        ])
        .run();
    assert_eq!(missing.status, 2, "--out-dir is required");
}

#[test]
fn a_failed_every_area_run_writes_nothing() {
    // A template that prints a figure no fact backs in Bromley's story only: the stories
    // before it pass and are staged, then the run fails.
    let templates = tempfile::tempdir().unwrap();
    let area = std::fs::read_to_string(root().join("templates/area.md")).unwrap();
    std::fs::write(
        templates.path().join("area.md"),
        format!("{area}\n{{% if core[0].code == \"E09000006\" %}}It was 12.3 in the week.\n{{% endif %}}"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stories");
    let run = january_cli(&out, &["--templates", arg(templates.path())]);
    assert_ne!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("Bromley"), "{}", run.stderr);
    let left: Vec<String> = std::fs::read_dir(&out)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

/// An every-area run replaces its folder whole: a story an earlier run wrote that this run
/// does not write is gone, not left beside the new week's; a folder holding anything else
/// (a note, a sub-folder, the run's own input) is refused before anything is written.
#[test]
fn the_folder_is_replaced_whole_and_a_folder_holding_other_files_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stories");
    let tiny = |out: &std::path::Path, data: &std::path::Path| {
        Casewire::new()
            .args(["draft", "--each-area", "--out-dir", arg(out), "--data"])
            .args([
                arg(data),
                "--population",
                arg(&fixture("data/population.csv")),
                "--release",
                "2021-01-18",
            ])
    };
    let data = fixture("data/tiny.csv");
    tiny(&out, &data).success();
    let names = |d: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let first = names(&out);
    std::fs::write(out.join("stale-e09999999.md"), "last week's\n").unwrap();
    tiny(&out, &data).success();
    assert_eq!(names(&out), first, "the stale story is gone");
    assert_eq!(names(dir.path()), ["stories"], "nothing is left beside it");

    std::fs::write(out.join("notes.txt"), "mine\n").unwrap();
    let run = tiny(&out, &data).code(1);
    assert!(
        run.stderr.contains(&format!(
            "error: refusing to write into {}: it holds notes.txt",
            out.display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine\n"
    );
    std::fs::remove_file(out.join("notes.txt")).unwrap();
    // The run's own input inside the folder.
    let inside = out.join("tiny.json");
    std::fs::copy(&data, &inside).unwrap();
    let run = tiny(&out, &inside).failure();
    assert!(
        run.stderr.contains("it holds the run's input"),
        "{}",
        run.stderr
    );
    assert!(inside.exists());
}
