//! An approval holds the correction notes a queued run planned for earlier editions to what
//! the release makes of them: a note changed, removed or added in the queue folder is
//! refused, and put back as queued it goes live with its edition.

use std::path::{Path, PathBuf};

use crate::support::{Casewire, NewsroomFixture, Place, arg, place_release, se_london, shared};

const FILE: &str = "ltla-reconstructed.csv";

/// A newsroom whose every edition waits for an editor, with tight correction thresholds so
/// the 19th's release corrects the 18th's edition.
fn newsroom(dir: &Path) -> PathBuf {
    NewsroomFixture::new(dir)
        .source_files(FILE, &shared("population/mid-2019.csv"))
        .extra("[review]\nrequired = true\n[corrections]\nrate_change = 0.1\ncases_share = 0.001\n")
        .story("weekly", "se-london.toml")
        .patch_file("se-london.toml", se_london())
        .write()
}

fn place(dir: &Path, release: &str) {
    let from = shared(&format!("releases/{release}/{FILE}"));
    place_release(dir, release, FILE, &from, Place::Link);
}

fn run(config: &Path, args: &[&str]) -> Casewire {
    let c = Casewire::new().args(args).args(["--config", arg(config)]);
    if args[0] == "review" {
        c.args(["--by", "Ann Editor"])
    } else {
        c
    }
}

/// The queued files of `id` that are not under its own bundle: the notes and earlier pages
/// its run planned.
fn queued_notes(dir: &Path, id: &str) -> Vec<PathBuf> {
    let files = dir
        .join("out/.casewire-queue/pending")
        .join(id)
        .join("files");
    let mut out = Vec::new();
    let mut stack = vec![files.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if !p.starts_with(files.join(id)) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn approval_refuses_a_correction_note_changed_removed_or_added_in_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path());
    place(dir.path(), "2021-01-18");
    run(&config, &["publish"]).success().stdout_has("queued 1");
    run(&config, &["review", "approve", "weekly-2021-01-18"]).success();
    place(dir.path(), "2021-01-19");
    run(&config, &["publish"]).success().stdout_has("queued 1");
    let id = "weekly-2021-01-19";
    let pending = dir.path().join("out/.casewire-queue/pending").join(id);
    let notes = queued_notes(dir.path(), id);
    assert!(!notes.is_empty(), "the 19th corrects the 18th");
    let note = &notes[0];
    let queued = std::fs::read(note).unwrap();

    std::fs::write(note, [&queued[..], b"\nAll figures were wrong.\n"].concat()).unwrap();
    run(&config, &["review", "approve", id])
        .code(1)
        .stderr_has(&note.display().to_string())
        .stderr_has("changed or removed after the run queued it");

    std::fs::remove_file(note).unwrap();
    run(&config, &["review", "approve", id])
        .code(1)
        .stderr_has(&note.display().to_string());

    // A file added to the queue and to the entry's list of files is refused.
    std::fs::write(note, &queued).unwrap();
    let stray = note.with_file_name("stray-note.md");
    std::fs::write(&stray, "A note nobody drafted.\n").unwrap();
    let entry = pending.join("entry.json");
    let queued_entry = std::fs::read(&entry).unwrap();
    let mut listed: serde_json::Value = serde_json::from_slice(&queued_entry).unwrap();
    let rel = stray.strip_prefix(pending.join("files")).unwrap();
    listed["files"]
        .as_array_mut()
        .unwrap()
        .push(rel.to_string_lossy().into());
    std::fs::write(&entry, serde_json::to_vec(&listed).unwrap()).unwrap();
    run(&config, &["review", "approve", id])
        .code(1)
        .stderr_has(&stray.display().to_string())
        .stderr_has("not a file of the edition as drafted");
    std::fs::write(&entry, &queued_entry).unwrap();

    run(&config, &["review", "approve", id])
        .success()
        .stdout_has("published 1 for release 2021-01-19");
    let rel = note.strip_prefix(pending.join("files")).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("out").join(rel)).unwrap(),
        queued
    );
    let rel = stray.strip_prefix(pending.join("files")).unwrap();
    assert!(
        !dir.path().join("out").join(rel).exists(),
        "not listed, not published"
    );
}
