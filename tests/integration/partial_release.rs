//! A release that lost areas, when nothing before it says what a whole release holds: a
//! `--data` draft and a newsroom's first release folder are checked against the geography
//! register, a newsroom whose earlier folders were pruned against the areas its last edition
//! was drafted from, and a file of a handful of areas is an editor's extract, drafted with a
//! warning. The cut files are lines of the real 2021-01-19 release, written by each test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::*;

const RELEASE: &str = "2021-01-19";

fn population() -> PathBuf {
    shared("population/mid-2019.csv")
}

fn whole() -> PathBuf {
    shared("releases/2021-01-19/ltla-reconstructed.csv")
}

/// The lines of the real 2021-01-19 release whose area code `keep` keeps, with its header,
/// written to `to`; how many areas they hold.
fn cut(keep: impl Fn(&str) -> bool, to: &Path) -> usize {
    let text = std::fs::read_to_string(whole()).unwrap();
    let mut lines = text.split_inclusive('\n');
    let mut out = lines.next().unwrap().to_string();
    let mut codes = BTreeSet::new();
    for line in lines {
        let code = line.split(',').next().unwrap();
        if keep(code) {
            codes.insert(code.to_string());
            out.push_str(line);
        }
    }
    if let Some(folder) = to.parent() {
        std::fs::create_dir_all(folder).unwrap();
    }
    std::fs::write(to, out).unwrap();
    codes.len()
}

/// London's boroughs (the City counted with Hackney) and Dartford: the south east London
/// patch's areas and their neighbours, 33 of England's 315.
fn london_and_dartford(code: &str) -> bool {
    code.starts_with("E09") || code == "E07000107"
}

/// The south east London patch with `core` and no nearby areas, and `more` after it.
fn patch(dir: &Path, core: &str, more: &str) -> PathBuf {
    let text = std::fs::read_to_string(se_london())
        .unwrap()
        .replace(
            r#"core = ["Bexley", "Bromley", "Greenwich", "Lewisham", "Southwark"]"#,
            &format!("core = {core}"),
        )
        .replace(
            r#"nearby = ["Croydon", "Dartford", "Lambeth"]"#,
            "nearby = []",
        );
    let path = dir.join("patch.toml");
    std::fs::write(&path, format!("{text}{more}")).unwrap();
    path
}

fn draft(patch: &Path, data: &Path, more: &[&str]) -> Casewire {
    Casewire::new()
        .args([
            "draft",
            "--patch",
            arg(patch),
            "--data",
            arg(data),
            "--population",
            arg(&population()),
            "--release",
            RELEASE,
        ])
        .args(more)
}

/// The first words of the finding against the register, and its first missing areas.
const AGAINST_REGISTER: &str = "error: missing-areas: 282 of the 315 ltla areas in the register \
     of lower-tier areas in England on 2021-01-19 are missing from this release: Hartlepool \
     (E06000001), Middlesbrough (E06000002)";

#[test]
fn partial_a_london_file_is_refused_by_draft_against_the_register_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("ltla-reconstructed.csv");
    assert_eq!(cut(london_and_dartford, &data), 33);
    let out = dir.path().join("story.md");
    let run = draft(&se_london(), &data, &["--out", arg(&out)]).code(3);
    run.stderr_has(AGAINST_REGISTER)
        .stderr_has("and 272 others");
    assert_eq!(run.stdout, "");
    assert!(every_file(dir.path()).keys().eq(["ltla-reconstructed.csv"]));
    // Without --out the copy is not printed either: no "Across England".
    let run = draft(&se_london(), &data, &[]).code(3);
    assert!(!run.stdout.contains("England"), "{}", run.stdout);
    // The gate's severity is the patch's to set, as for any other expectation.
    let warn = patch(
        dir.path(),
        r#"["Bexley", "Bromley", "Greenwich"]"#,
        "\n[gates.severity]\nmissing_areas = \"warn\"\n",
    );
    let run = draft(&warn, &data, &[]).success();
    run.stderr_has(
        "warning: missing-areas: 282 of the 315 ltla areas in the register of lower-tier areas \
         in England on 2021-01-19 are missing from this release: Hartlepool (E06000001)",
    );
    assert!(run.stdout.starts_with("# "), "{}", run.stdout);
    let off = patch(
        dir.path(),
        r#"["Bexley", "Bromley", "Greenwich"]"#,
        "\n[gates.severity]\nmissing_areas = \"off\"\n",
    );
    let run = draft(&off, &data, &[]).success();
    assert!(!run.stderr.contains("missing-areas"), "{}", run.stderr);
}

#[test]
fn partial_a_newsrooms_first_release_folder_cut_to_london_is_held_back() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir
        .path()
        .join("releases/2021-01-19/ltla-reconstructed.csv");
    assert_eq!(cut(london_and_dartford, &data), 33);
    let config = NewsroomFixture::new(dir.path())
        .source_files("ltla-reconstructed.csv", &population())
        .patch_file("se-london.toml", se_london())
        .story("se-london-weekly", "se-london.toml")
        .write();
    let run = Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .code(3);
    run.stderr_has("story \"se-london-weekly\" for release 2021-01-19")
        .stderr_has(AGAINST_REGISTER);
    assert!(!run.stdout.contains("published"), "{}", run.stdout);
    // A refusal may leave the run's lock behind, nothing else.
    let out = every_file(&dir.path().join("out"));
    assert!(
        out.keys().all(|k| k == ".casewire.lock"),
        "{:?}",
        out.keys()
    );
}

/// A newsroom that published the real 2021-01-18, whose folder is then pruned, with a
/// 2021-01-19 that lacks Knowsley (the week's highest rate in England).
fn pruned_newsroom(dir: &Path) -> PathBuf {
    place_release(
        dir,
        "2021-01-18",
        "ltla-reconstructed.csv",
        &shared("releases/2021-01-18/ltla-reconstructed.csv"),
        Place::Link,
    );
    let config = NewsroomFixture::new(dir)
        .source_files("ltla-reconstructed.csv", &population())
        .patch_file("se-london.toml", se_london())
        .story("se-london-weekly", "se-london.toml")
        .write();
    Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .success()
        .stdout_has("published 1 for release 2021-01-18");
    std::fs::remove_dir_all(dir.join("releases/2021-01-18")).unwrap();
    let data = dir.join("releases/2021-01-19/ltla-reconstructed.csv");
    assert_eq!(cut(|code| code != "E08000011", &data), 379);
    config
}

#[test]
fn partial_a_release_after_pruned_folders_is_held_back_against_the_last_edition() {
    let dir = tempfile::tempdir().unwrap();
    let config = pruned_newsroom(dir.path());
    let out = dir.path().join("out");
    let before = every_file(&out);
    let run = Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .code(3);
    run.stderr_has(
        "error: missing-areas: 1 of the 380 ltla areas in the last published edition \
         (se-london-weekly, release 2021-01-18) is missing from this release: Knowsley \
         (E08000011)",
    );
    assert!(!run.stdout.contains("published"), "{}", run.stdout);
    assert_eq!(every_file(&out), before);
}

#[test]
fn partial_a_state_written_before_editions_kept_their_areas_falls_back_to_the_register() {
    let dir = tempfile::tempdir().unwrap();
    let config = pruned_newsroom(dir.path());
    let state_path = dir.path().join("out/.casewire-state.json");
    let mut state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state_path).unwrap()).unwrap();
    let editions = state["stories"]["se-london-weekly"].as_array_mut().unwrap();
    for edition in editions {
        assert!(edition.as_object_mut().unwrap().remove("areas").is_some());
    }
    std::fs::write(&state_path, serde_json::to_vec_pretty(&state).unwrap()).unwrap();
    let run = Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .code(3);
    run.stderr_has(
        "error: missing-areas: 1 of the 315 ltla areas in the register of lower-tier areas in \
         England on 2021-01-19 is missing from this release: Knowsley (E08000011)",
    );
}

#[test]
fn partial_a_five_area_extract_drafts_with_a_warning_unless_the_register_is_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("extract.csv");
    let five = [
        "E09000004",
        "E09000006",
        "E09000011",
        "E09000023",
        "E09000028",
    ];
    assert_eq!(cut(|code| five.contains(&code), &data), 5);
    let patch = patch(
        dir.path(),
        r#"["Bexley", "Bromley", "Greenwich", "Lewisham", "Southwark"]"#,
        "",
    );
    let run = draft(&patch, &data, &[]).success();
    let said = "warning: the data hold 5 of the 315 ltla areas in the register of lower-tier \
                areas in England on 2021-01-19: taken for an editor's extract, not a whole \
                release; the national figures cover only the 5 areas in the data, not all of \
                England";
    assert_eq!(
        run.stderr.lines().filter(|l| *l == said).count(),
        1,
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("missing-areas"), "{}", run.stderr);
    assert!(run.stdout.starts_with("# "), "{}", run.stdout);
    // Asked for, the register is what it always was: the extract is a release cut short.
    draft(&patch, &data, &["--expect-from", "register"])
        .code(3)
        .stderr_has("error: missing-areas: 310 of the 315 ltla areas in the register");
}

#[test]
fn partial_nineteen_areas_are_an_extract_twenty_a_release_that_lost_areas() {
    let dir = tempfile::tempdir().unwrap();
    let patch = patch(dir.path(), r#"["Bexley", "Bromley", "Greenwich"]"#, "");
    // London's codes run E09000002 to E09000033 (the City is counted with Hackney).
    let first = |last: u32| {
        move |code: &str| {
            code.strip_prefix("E09")
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|n| (2..=last).contains(&n))
        }
    };
    let nineteen = dir.path().join("nineteen.csv");
    assert_eq!(cut(first(20), &nineteen), 19);
    draft(&patch, &nineteen, &[])
        .success()
        .stderr_has("warning: the data hold 19 of the 315 ltla areas in the register");
    let twenty = dir.path().join("twenty.csv");
    assert_eq!(cut(first(21), &twenty), 20);
    draft(&patch, &twenty, &[])
        .code(3)
        .stderr_has("error: missing-areas: 295 of the 315 ltla areas in the register");
}

#[test]
fn partial_a_whole_release_drafts_as_against_the_release_before_it() {
    let previous = shared("releases/2021-01-18/ltla-reconstructed.csv");
    let plain = draft(&se_london(), &whole(), &[]).success();
    let against = draft(&se_london(), &whole(), &["--expect-from", arg(&previous)]).success();
    assert_eq!(plain.stdout, against.stdout);
    assert!(!plain.stderr.contains("register"), "{}", plain.stderr);
    assert!(!plain.stderr.contains("extract"), "{}", plain.stderr);
    plain.stderr_has(" claims, 14 input gates, ");
    // The UK: every nation's councils are in the lower-tier file, so nothing is said.
    let uk = draft(&fixture("patches/england-uk.toml"), &whole(), &[]).success();
    assert!(!uk.stderr.contains("register"), "{}", uk.stderr);
}
