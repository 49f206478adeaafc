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
    // Said once: the paragraph of the patch's areas names it, and the national figures,
    // which leave it out, say why.
    for said in [
        "There is no rate for Dartford this week.",
        "Dartford is left out of these figures: the dashboard has no figures for January 13.",
    ] {
        assert!(run.stdout.contains(said), "{said:?} in:\n{}", run.stdout);
    }
    assert_eq!(run.stdout.matches("no figures for January 13").count(), 1);
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

// ---------------------------------------------------------------------------------------------
// A command line a sysadmin trusts: stamped log lines, -q and -v, completions, a man page,
// JSON for scripts and exit codes that say what happened.

/// A newsroom in a temporary folder with one story of the one-area patch, its release of
/// 2021-01-18 the gates fixture `data` (base.csv trips no gate).
fn gate_newsroom(data: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let data = fixture(&format!("gates/{data}"));
    place_release(dir.path(), "2021-01-18", "cases.csv", &data, Place::Copy);
    let config = NewsroomFixture::new(dir.path())
        .source_files("cases.csv", &fixture("gates/population.csv"))
        .story("alpha-weekly", "gates.toml")
        .patch_file("gates.toml", fixture("patches/gates.toml"))
        .write();
    let config = arg(&config).to_string();
    (dir, config)
}

/// A draft of the gates fixture `data` for the one-area patch.
fn gate_draft(data: &str) -> Vec<String> {
    let mut args = tiny_args(&format!("gates/{data}"), "patches/gates.toml", "2021-01-18");
    args[6] = arg(&fixture("gates/population.csv")).into();
    args
}

/// Every line of `stderr` starts with an RFC 3339 UTC time to the second, then a space.
#[track_caller]
fn every_line_stamped(stderr: &str) {
    let shape = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z .*\S").unwrap();
    assert!(!stderr.is_empty());
    for line in stderr.lines() {
        assert!(shape.is_match(line), "not stamped: {line:?}\n{stderr}");
    }
}

/// The subcommands `casewire --help` lists.
fn subcommands() -> Vec<String> {
    let help = Casewire::new().arg("--help").success().stdout;
    let listed = help
        .split("Commands:\n")
        .nth(1)
        .expect("a Commands section");
    let names: Vec<String> = listed
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .filter(|name| name != "help")
        .collect();
    assert!(names.len() >= 8, "{names:?}");
    names
}

#[test]
fn every_line_on_standard_error_is_stamped_with_the_time() {
    // Warnings and the checked line of a draft that succeeds.
    let args = tiny_args("data/blank-day.csv", "patches/tiny.toml", "2021-01-18");
    let run = Casewire::new().args(&args).success();
    every_line_stamped(&run.stderr_stamped);
    assert!(
        run.stderr_stamped
            .contains("Z warning: Dartford (E07000107)"),
        "{}",
        run.stderr
    );
    // An error and its causes, every line of them.
    let run = Casewire::new()
        .args(tiny_args(
            "data/tiny.csv",
            "patches/missing.toml",
            "2021-01-18",
        ))
        .code(1);
    every_line_stamped(&run.stderr_stamped);
    assert!(
        run.stderr_stamped
            .contains("Z error: cannot read patch file"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr_stamped.contains("Z   caused by: "),
        "{}",
        run.stderr
    );
    // The library's own log lines (-v) and publish's.
    let (_dir, config) = gate_newsroom("base.csv");
    let run = Casewire::new()
        .args(["-v", "publish", "--config", &config])
        .success();
    every_line_stamped(&run.stderr_stamped);
    assert_eq!(run.stdout, "published 1 for release 2021-01-18\n");
}

#[test]
fn quiet_prints_only_errors() {
    let args = tiny_args("data/blank-day.csv", "patches/tiny.toml", "2021-01-18");
    let run = Casewire::new().arg("-q").args(&args).success();
    assert_eq!(run.stderr, "");
    assert!(run.stdout.starts_with("# "), "the story is still printed");
    let run = Casewire::new().args(&args).arg("--quiet").success();
    assert_eq!(run.stderr, "", "the flag goes after the command too");
    let run = Casewire::new()
        .arg("-q")
        .args(tiny_args(
            "data/nope.csv",
            "patches/tiny.toml",
            "2021-01-18",
        ))
        .code(1);
    assert!(run.stderr.contains("error: cannot read"), "{}", run.stderr);
    Casewire::new().args(["-q", "-v", "lint", "x.md"]).code(2);
}

#[test]
fn verbose_and_rust_log_add_detail_to_publish() {
    let (_dir, config) = gate_newsroom("base.csv");
    let dry_run = ["publish", "--dry-run", "--config", &config];
    let plain = Casewire::new().args(dry_run).success();
    // The newsroom's two-area file is an extract, which is said.
    assert!(
        plain.stderr.lines().all(|l| l.starts_with("warning: ")),
        "warnings only by default: {}",
        plain.stderr
    );
    let run = Casewire::new().arg("-v").args(dry_run).success();
    assert!(
        run.stderr_stamped.contains(" info: publishing config="),
        "{}",
        run.stderr
    );
    assert!(!run.stderr_stamped.contains(" debug: "), "{}", run.stderr);
    let run = Casewire::new().arg("-vv").args(dry_run).success();
    run.stderr_has(" debug: would write alpha-weekly-2021-01-18/index.md");
    let run = Casewire::new()
        .env("RUST_LOG", "casewire=debug")
        .args(dry_run)
        .success();
    every_line_stamped(&run.stderr_stamped);
    run.stderr_has(" info: publishing config=")
        .stderr_has(" debug: would write alpha-weekly-2021-01-18/index.md");
    let run = Casewire::new()
        .env("RUST_LOG", "casewire=debug")
        .args(["publish", "--config", &config])
        .success();
    run.stderr_has(" debug: wrote alpha-weekly-2021-01-18/index.md")
        .stderr_has(" info: published 1 for release 2021-01-18");
}

#[test]
fn completions_for_every_shell_and_bash_knows_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = Casewire::new().args(["completions", shell]).success();
        assert!(run.stdout.contains("casewire"), "{shell}: {}", run.stdout);
        assert_eq!(run.stderr, "", "{shell}");
    }
    let bash = Casewire::new()
        .args(["completions", "bash"])
        .success()
        .stdout;
    for name in subcommands() {
        assert!(
            bash.contains(&format!("casewire,{name})")),
            "bash lacks {name}"
        );
    }
    assert!(bash.contains("--dry-run") && bash.contains("--quiet"));
    Casewire::new().args(["completions", "tcsh"]).code(2);
}

#[test]
fn the_man_page_is_roff_naming_every_subcommand() {
    let man = Casewire::new().arg("man").success().stdout;
    let first = man
        .lines()
        .find(|l| !l.starts_with(".ie") && !l.starts_with(".el"));
    assert!(
        first.is_some_and(|l| l.starts_with(".TH casewire 1 ")),
        "{first:?}"
    );
    for name in subcommands() {
        assert!(
            man.contains(&format!("casewire\\-{name}(1)")),
            "man lacks {name}"
        );
        let page = Casewire::new().args(["man", &name]).success().stdout;
        assert!(
            page.contains(&format!("\n.TH casewire-{name} 1 ")),
            "{name}: {page}"
        );
    }
    assert!(
        man.contains("\n.SH EXTRA\nExit codes:"),
        "the exit codes are in the page"
    );
    Casewire::new().args(["man", "nope"]).code(2);
}

/// The table `casewire --help` ends with.
fn exit_code_table() -> String {
    let help = Casewire::new().arg("--help").success().stdout;
    let table = help
        .split("Exit codes:\n")
        .nth(1)
        .expect("an exit code table");
    assert!(table.contains("\n  3  held back by a gate"), "{table}");
    table.to_string()
}

#[test]
fn the_exit_codes_are_in_the_help_and_the_readme() {
    let table = exit_code_table();
    for code in ["  0  ", "  1  ", "  2  ", "  3  "] {
        assert!(table.contains(code), "{code:?}: {table}");
    }
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("\n## Exit codes\n")
        .nth(1)
        .expect("README: ## Exit codes");
    assert!(
        section.contains(table.trim_end()),
        "the README's table is the help's"
    );
}

#[test]
fn each_exit_code_means_one_thing() {
    // 0: done.
    Casewire::new()
        .args(tiny_args(
            "data/tiny.csv",
            "patches/tiny.toml",
            "2021-01-18",
        ))
        .code(0);
    Casewire::new().args(gate_draft("base.csv")).code(0);
    // 1: an input that cannot be read, and copy that fails its own checks.
    Casewire::new()
        .args(tiny_args(
            "data/nope.csv",
            "patches/tiny.toml",
            "2021-01-18",
        ))
        .code(1);
    // 2: a malformed command line, said in stamped lines too.
    let run = Casewire::new().args(["draft", "--no-such-flag"]).code(2);
    every_line_stamped(&run.stderr_stamped);
    run.stderr_has("error: unexpected argument '--no-such-flag'");
    Casewire::new().args(["publish"]).code(2);
    // 3: held back by a gate, in a draft and in a publish run, which writes nothing.
    let run = Casewire::new()
        .args(gate_draft("negative-counts.csv"))
        .code(3);
    run.stderr_has("error: the data failed 1 input check(s)")
        .stderr_has("negative-counts: Alpha (E06000001)");
    assert!(run.stdout.is_empty());
    let (dir, config) = gate_newsroom("negative-counts.csv");
    let run = Casewire::new()
        .args(["publish", "--config", &config])
        .code(3);
    run.stderr_has("input check");
    assert!(!dir.path().join("out/.casewire-state.json").exists());
    // A gate made a warning lets the story through.
    let patch = dir.path().join("gates.toml");
    let text = std::fs::read_to_string(&patch).unwrap();
    std::fs::write(
        &patch,
        text + "[gates.severity]\nnegative_counts = \"warn\"\n",
    )
    .unwrap();
    Casewire::new()
        .args(["publish", "--config", &config])
        .code(0)
        .stdout_has("published 1");
}

#[test]
fn lint_as_json_gives_file_line_rule_message_and_severity() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.md");
    std::fs::write(&file, "A rate of 254 per 100,000.\n\nThe the end.\n").unwrap();
    let run = Casewire::new()
        .args(["lint", "--format", "json", arg(&file)])
        .code(1);
    let found: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found = found.as_array().expect("an array of findings");
    assert_eq!(found.len(), 2, "{}", run.stdout);
    for f in found {
        assert_eq!(f["file"], arg(&file));
        assert_eq!(f["severity"], "error");
        assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()), "{f}");
    }
    assert_eq!(
        (found[0]["line"].as_u64(), found[1]["line"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(found[0]["rule"], "rate-decimals");
    assert_eq!(found[1]["rule"], "doubled-words");
    std::fs::write(&file, "Cases rose by 4.5%.\n").unwrap();
    let clean = Casewire::new()
        .args(["lint", "--format", "json", arg(&file)])
        .success();
    assert_eq!(clean.stdout, "[]\n");
}

#[test]
fn publish_as_json_gives_the_outcome_for_a_run_and_a_dry_run() {
    let (dir, config) = gate_newsroom("base.csv");
    let json = |args: &[&str], code: i32| -> serde_json::Value {
        let run = Casewire::new()
            .args(["publish", "--format", "json", "--config", &config])
            .args(args)
            .code(code);
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
    };
    let dry = json(&["--dry-run"], 0);
    let published = &dry["outcome"]["Published"];
    assert_eq!(published["dry_run"], true);
    assert_eq!(published["release"], "2021-01-18");
    let files = published["files"].as_array().unwrap();
    assert!(
        files
            .iter()
            .any(|f| f == "alpha-weekly-2021-01-18/index.md"),
        "{dry}"
    );
    assert_eq!(dry["summary"], "would publish 1 for release 2021-01-18");
    assert_eq!(
        (&dry["error"], &dry["exit_code"]),
        (&serde_json::Value::Null, &0.into())
    );
    assert!(!dir.path().join("out").exists(), "a dry run writes nothing");
    let run = json(&[], 0);
    assert_eq!(run["outcome"]["Published"]["dry_run"], false);
    assert_eq!(run["outcome"]["Published"]["files"], published["files"]);
    let again = json(&[], 0);
    assert_eq!(again["outcome"]["NothingNew"]["release"], "2021-01-18");
    assert_eq!(again["summary"], "nothing new since 2021-01-18");

    let (_held, config) = gate_newsroom("negative-counts.csv");
    let run = Casewire::new()
        .args(["publish", "--format", "json", "--config", &config])
        .code(3);
    let held: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(held["outcome"], serde_json::Value::Null);
    assert_eq!(held["exit_code"], 3);
    let error = held["error"].as_str().unwrap();
    assert!(error.contains("input check"), "{error}");
    run.stderr_has("error: story \"alpha-weekly\"");
}

#[test]
fn publish_help_shows_the_example_crontab_whole() {
    let help = Casewire::new().args(["publish", "--help"]).success().stdout;
    let crontab = std::fs::read_to_string(root().join("examples/casewire.crontab")).unwrap();
    for line in crontab.lines() {
        assert!(
            help.contains(&format!("  {line}\n")),
            "help lacks {line:?}:\n{help}"
        );
    }
}

#[test]
fn every_command_teaches_with_an_example() {
    for name in subcommands() {
        let help = Casewire::new()
            .args([name.as_str(), "--help"])
            .success()
            .stdout;
        assert!(
            help.contains("Example"),
            "{name} --help has no example:\n{help}"
        );
        assert!(
            help.contains("--quiet") && help.contains("--verbose"),
            "{name}"
        );
    }
}
