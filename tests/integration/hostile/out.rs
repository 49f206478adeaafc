//! `--out`: never an input, a device, a pipe, a folder or a symbolic link; `-` is standard
//! output.

use super::edited;
use crate::support::*;

fn tiny_draft(out: &std::path::Path, patch: &std::path::Path, data: &std::path::Path) -> Casewire {
    Casewire::new()
        .args([
            "draft",
            "--data",
            arg(data),
            "--population",
            arg(&fixture("data/population.csv")),
        ])
        .args([
            "--patch",
            arg(patch),
            "--release",
            "2021-01-18",
            "--out",
            arg(out),
        ])
}

/// `--out` naming an input of the run (the patch, a data file, the population table, by
/// another spelling or a hard link) is refused, and the input is unchanged.
#[test]
fn out_refuses_an_input_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let patch = edited(dir.path(), "patches/tiny.toml", "tiny.toml", |t| t);
    let data = edited(dir.path(), "data/tiny.csv", "tiny.csv", |t| t);
    let linked = dir.path().join("linked.csv");
    std::fs::hard_link(&data, &linked).unwrap();
    let before = (
        std::fs::read(&patch).unwrap(),
        std::fs::read(&data).unwrap(),
    );
    let spelled = dir.path().join(".").join("tiny.toml");
    for (out, input) in [
        (&patch, &patch),
        (&spelled, &patch),
        (&data, &data),
        (&linked, &data),
    ] {
        let run = tiny_draft(out, &patch, &data).code(1);
        assert_eq!(
            run.stderr(),
            format!(
                "error: refusing to write {}: it is the run's input {}\n",
                out.display(),
                input.display()
            )
        );
    }
    let pop = fixture("data/population.csv");
    let run = tiny_draft(&pop, &patch, &data).code(1);
    assert!(
        run.stderr().contains("it is the run's input"),
        "{}",
        run.stderr()
    );
    // The sidecar beside an --out is checked too: story.csv's is story.csv.facts.json.
    let sidecar_of = dir.path().join("x");
    std::fs::rename(&data, dir.path().join("x.facts.json")).unwrap();
    let moved = dir.path().join("x.facts.json");
    let run = tiny_draft(&sidecar_of, &patch, &moved).code(1);
    assert!(
        run.stderr()
            .contains(&format!("refusing to write {}", moved.display())),
        "{}",
        run.stderr()
    );
    assert_eq!(
        (
            std::fs::read(&patch).unwrap(),
            std::fs::read(&moved).unwrap()
        ),
        before
    );
}

/// `--out` naming a device, a named pipe or a folder is refused: none is replaced by a file.
#[test]
fn out_refuses_a_device_a_pipe_or_a_folder() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    let (patch, data) = (fixture("patches/tiny.toml"), fixture("data/tiny.csv"));
    for (out, kind) in [
        (std::path::PathBuf::from("/dev/full"), "a device"),
        (std::path::PathBuf::from("/dev/null"), "a device"),
        (fifo.clone(), "a named pipe"),
        (folder.clone(), "a folder"),
    ] {
        let run = tiny_draft(&out, &patch, &data).code(1);
        assert_eq!(
            run.stderr(),
            format!(
                "error: refusing to write {}: it is {kind}, not a regular file\n",
                out.display()
            )
        );
    }
    assert!(
        std::fs::metadata("/dev/full")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
}

/// `--out` naming a symbolic link is refused, and the link and the file it names are left as
/// they were (a write through a temporary file and a rename would replace the link).
#[test]
fn out_refuses_a_symlink_and_leaves_it() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.md");
    std::fs::write(&target, "kept\n").unwrap();
    let link = dir.path().join("story.md");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let run = tiny_draft(
        &link,
        &fixture("patches/tiny.toml"),
        &fixture("data/tiny.csv"),
    )
    .code(1);
    assert_eq!(
        run.stderr(),
        format!(
            "error: refusing to write {}: it is a symbolic link (to {}), which writing would replace; give the file it points to instead\n",
            link.display(),
            target.display()
        )
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "kept\n");
    assert!(!dir.path().join("story.facts.json").exists());
    // A dangling link is refused the same way.
    let dangling = dir.path().join("dangling.md");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
    let run = tiny_draft(
        &dangling,
        &fixture("patches/tiny.toml"),
        &fixture("data/tiny.csv"),
    )
    .code(1);
    assert!(
        run.stderr().contains("it is a symbolic link"),
        "{}",
        run.stderr()
    );
    assert!(!dir.path().join("nowhere").exists());
}

/// `--out -` is standard output: the story printed, no file named `-` written.
#[test]
fn out_dash_is_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let (patch, data) = (fixture("patches/tiny.toml"), fixture("data/tiny.csv"));
    let plain = Casewire::new()
        .args([
            "draft",
            "--data",
            arg(&data),
            "--population",
            arg(&fixture("data/population.csv")),
        ])
        .args(["--patch", arg(&patch), "--release", "2021-01-18"])
        .success();
    let dash = tiny_draft(std::path::Path::new("-"), &patch, &data)
        .current_dir(dir.path())
        .success();
    assert!(!plain.stdout().is_empty());
    assert_eq!(dash.stdout(), plain.stdout());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// An every-area run whose folder holds a symbolic link under a story's file name, or whose
/// folder is a file, is refused before anything is written, and the link is left.
#[test]
fn each_area_out_dir_refuses_a_symlinked_story_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stories");
    std::fs::create_dir(&out).unwrap();
    let target = dir.path().join("elsewhere.md");
    std::fs::write(&target, "kept\n").unwrap();
    let link = out.join("bromley-e09000006.md");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let each = |out: &std::path::Path| {
        Casewire::new()
            .args([
                "draft",
                "--each-area",
                "--out-dir",
                arg(out),
                "--data",
                arg(&fixture("data/tiny.csv")),
            ])
            .args([
                "--population",
                arg(&fixture("data/population.csv")),
                "--release",
                "2021-01-18",
            ])
    };
    let run = each(&out).code(1);
    assert!(
        run.stderr().contains(&format!(
            "error: refusing to write {}: it is a symbolic link (to {})",
            link.display(),
            target.display()
        )),
        "{}",
        run.stderr()
    );
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [std::ffi::OsString::from("bromley-e09000006.md")]);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "kept\n");
    let run = each(&target).code(1);
    assert_eq!(
        run.stderr(),
        format!(
            "error: refusing to write into {}: it is a regular file, not a folder\n",
            target.display()
        )
    );
}

/// `fetch --out` naming the archive, or a symbolic link, is refused before any request.
#[test]
fn fetch_out_refuses_the_archive_and_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive.sqlite");
    std::fs::write(&archive, "").unwrap();
    let link = dir.path().join("snapshot.csv");
    std::os::unix::fs::symlink(&archive, &link).unwrap();
    for (out, why) in [
        (
            &archive,
            format!("it is the run's input {}", archive.display()),
        ),
        (
            &link,
            format!(
                "it is a symbolic link (to {}), which writing would replace; give the file it points to instead",
                archive.display()
            ),
        ),
    ] {
        let run = Casewire::new()
            .args([
                "fetch",
                "--source",
                "legacy-v2",
                "--area-type",
                "ltla",
                "--release",
                "2021-01-18",
            ])
            .args([
                "--base-url",
                "http://127.0.0.1:9",
                "--archive",
                arg(&archive),
                "--contact",
                "tests@example.com",
            ])
            .args(["--out", arg(out)])
            .code(1);
        assert_eq!(
            run.stderr(),
            format!("error: refusing to write {}: {why}\n", out.display())
        );
    }
    assert_eq!(std::fs::read(&archive).unwrap(), b"");
}
