//! The binary as an editor meets it: help that teaches, one clear line for each bad input, a
//! non-zero exit and nothing written to --out when anything fails.

use crate::support::*;

fn tiny_args<'a>(data: &'a str, patch: &'a str, release: &'a str) -> Vec<String> {
    vec![
        "draft".into(),
        "--patch".into(),
        arg(&fixture(patch)).into(),
        "--data".into(),
        arg(&fixture(data)).into(),
        "--population".into(),
        arg(&fixture("data/population.csv")).into(),
        "--release".into(),
        release.into(),
    ]
}

/// Runs a draft that must fail, with --out into a fresh folder, and checks that nothing was
/// written there. Returns stderr.
fn fails(mut args: Vec<String>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("story.md");
    args.push("--out".into());
    args.push(arg(&out).into());
    let run = Casewire::new().args(&args).run();
    assert_eq!(run.status, 1, "should fail: {}", run.stderr);
    assert!(run.stdout.is_empty(), "nothing on stdout: {}", run.stdout);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing may be written on failure"
    );
    run.stderr
}

#[test]
fn help_teaches_with_an_example() {
    let run = Casewire::new().args(["draft", "--help"]).success();
    for needle in [
        "--patch",
        "--data",
        "--population",
        "--release",
        "Example",
        "seven days",
    ] {
        assert!(
            run.stdout.contains(needle),
            "help lacks {needle}:\n{}",
            run.stdout
        );
    }
}

#[test]
fn the_readme_command_prints_a_story() {
    let run = Casewire::new()
        .args([
            "draft",
            "--patch",
            "examples/se-london.toml",
            "--data",
            arg(&shared("releases/2021-01-18/ltla-reconstructed.csv")),
            "--population",
            arg(&shared("population/mid-2019.csv")),
            "--release",
            "2021-01-18",
        ])
        .success();
    assert!(run.stdout.starts_with("# "), "{}", run.stdout);
    assert!(run.stdout.contains("seven days to January 14"));
    assert!(run.stdout.ends_with(".\n"));
}

#[test]
fn out_is_written_whole_on_success() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("nested/story.md");
    let mut args = tiny_args("data/tiny.csv", "patches/tiny.toml", "2021-01-18");
    args.extend(["--out".to_string(), arg(&out).to_string()]);
    let run = Casewire::new().args(&args).success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("Bromley"));
    assert!(run.stderr.contains("wrote"));
    let mut leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    leftovers.sort();
    assert_eq!(
        leftovers,
        ["story.facts.json", "story.md"],
        "the story and its facts, no temporary files left"
    );
}

#[test]
fn unknown_area_suggests_the_nearest_names() {
    let err = fails(tiny_args(
        "data/tiny.csv",
        "patches/typo.toml",
        "2021-01-18",
    ));
    assert!(err.contains("area \"Bromly\" is not in the data"), "{err}");
    assert!(err.contains("did you mean \"Bromley\""), "{err}");
    assert!(err.contains("typo.toml"), "{err}");
}

#[test]
fn empty_window_is_an_error() {
    let err = fails(tiny_args(
        "data/gaps.csv",
        "patches/tiny.toml",
        "2021-01-18",
    ));
    assert!(
        err.contains(
            "no ltla area in England has complete figures for the seven days to 2021-01-14"
        ),
        "{err}"
    );
    assert!(err.contains("no data for 2021-01-12"), "{err}");
}

#[test]
fn release_outside_the_data_is_an_error() {
    let err = fails(tiny_args(
        "data/tiny.csv",
        "patches/tiny.toml",
        "2021-02-01",
    ));
    assert!(
        err.contains("release 2021-02-01 needs data from 2021-01-15 to 2021-01-28"),
        "{err}"
    );
    assert!(err.contains("run from 2021-01-01 to 2021-01-17"), "{err}");
    let err = fails(tiny_args(
        "data/tiny.csv",
        "patches/tiny.toml",
        "2021-01-12",
    ));
    assert!(err.contains("needs data from 2020-12-26"), "{err}");
}

#[test]
fn malformed_lines_are_named_by_file_and_line() {
    let err = fails(tiny_args(
        "data/bad-date.csv",
        "patches/tiny.toml",
        "2021-01-18",
    ));
    assert!(err.contains("bad-date.csv:8:"), "{err}");
    assert!(
        err.contains("\"2021-01-1x\" is not a date in the form YYYY-MM-DD"),
        "{err}"
    );

    let err = fails(tiny_args(
        "data/bad-fields.csv",
        "patches/tiny.toml",
        "2021-01-18",
    ));
    assert!(err.contains("bad-fields.csv:10:"), "{err}");
    assert!(
        err.contains("expected 5 fields like the header, found 6"),
        "{err}"
    );

    let err = fails(tiny_args(
        "data/bad-count.csv",
        "patches/tiny.toml",
        "2021-01-18",
    ));
    assert!(err.contains("bad-count.csv:12:"), "{err}");
    assert!(
        err.contains("\"twelve\" is not a whole number of cases"),
        "{err}"
    );
}

#[test]
fn conflicting_duplicates_name_both_rows() {
    let err = fails(tiny_args(
        "data/conflict.csv",
        "patches/tiny.toml",
        "2021-01-18",
    ));
    assert!(
        err.contains("conflicting rows for E09000006 (ltla) on 2021-01-12"),
        "{err}"
    );
    assert!(err.contains("conflict.csv:7"), "{err}");
    assert!(err.contains("conflict.csv:27"), "{err}");
    assert!(err.contains("19") && err.contains("999"), "{err}");
}

#[test]
fn bad_patch_files_say_what_is_wrong() {
    let err = fails(tiny_args(
        "data/tiny.csv",
        "patches/no-core.toml",
        "2021-01-18",
    ));
    assert!(err.contains("core lists no areas"), "{err}");
    let err = fails(tiny_args(
        "data/tiny.csv",
        "patches/unknown-key.toml",
        "2021-01-18",
    ));
    assert!(err.contains("unknown-key.toml: line 5"), "{err}");
    assert!(err.contains("incomplete_dayz"), "{err}");
    let err = fails(tiny_args(
        "data/tiny.csv",
        "patches/missing.toml",
        "2021-01-18",
    ));
    assert!(err.contains("cannot read patch file"), "{err}");
    assert!(err.contains("caused by"), "the cause is printed: {err}");
}

#[test]
fn a_missing_data_file_is_named() {
    let err = fails(tiny_args(
        "data/nope.csv",
        "patches/tiny.toml",
        "2021-01-18",
    ));
    assert!(err.contains("cannot read"), "{err}");
    assert!(err.contains("nope.csv"), "{err}");
}

#[test]
fn a_bad_release_date_is_refused_by_the_parser() {
    let run = Casewire::new()
        .args([
            "draft",
            "--patch",
            "x",
            "--data",
            "y",
            "--population",
            "z",
            "--release",
            "18/01/2021",
        ])
        .code(2);
    assert!(
        run.stderr.contains("is not a date in the form YYYY-MM-DD"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_area_without_a_full_week_is_said_plainly() {
    let args = tiny_args("data/blank-day.csv", "patches/tiny.toml", "2021-01-18");
    let run = Casewire::new().args(&args).success();
    assert!(
        run.stdout.contains(
            "There is no rate for Dartford this week: the dashboard has no figures for January 13."
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("Dartford (E07000107) is left out of the national figures"),
        "{}",
        run.stderr
    );
}

#[test]
fn out_and_its_facts_are_readable_by_all() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("story.md");
    let mut args = tiny_args("data/tiny.csv", "patches/tiny.toml", "2021-01-18");
    args.extend(["--out".to_string(), arg(&out).to_string()]);
    assert_eq!(Casewire::new().args(&args).run().status, 0);
    for f in [out.clone(), dir.path().join("story.facts.json")] {
        let mode = std::fs::metadata(&f).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644, "{}", f.display());
    }
}
