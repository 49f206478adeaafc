//! Names that collide or do not belong: codes differing only in case or punctuation, a patch
//! name two codes carry, and a patch area outside the universe.

use casewire::draft::draft;

use super::{edited, read_error};
use crate::support::*;

fn draft_error(
    patch: std::path::PathBuf,
    data: std::path::PathBuf,
    population: std::path::PathBuf,
) -> String {
    draft(&request(patch, vec![data], population, "2021-01-18"))
        .expect_err("refused")
        .to_string()
}

/// Two areas whose codes differ only in case or punctuation, or whose every-area file names
/// are the same, are refused naming both, before anything is written.
#[test]
fn codes_differing_only_in_case_or_punctuation_are_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let dartford = |text: &str, code: &str, name: &str| -> String {
        let extra: String = text
            .lines()
            .filter(|l| l.starts_with("E07000107,"))
            .map(|l| {
                format!(
                    "{}\n",
                    l.replace("E07000107,Dartford", &format!("{code},{name}"))
                )
            })
            .collect();
        format!("{text}{extra}")
    };
    let tail = "one place would be counted twice or written over, so the data are refused";
    for (code, name, why) in [
        (
            "e07000107",
            "Dartford",
            "Dartford (E07000107) and Dartford (e07000107), have codes that differ only in case or punctuation",
        ),
        (
            "E07-000107",
            "Dartford",
            "Dartford (E07-000107) and Dartford (E07000107), have codes that differ only in case or punctuation",
        ),
        (
            "E07 000107",
            "Dartford!",
            "Dartford! (E07 000107) and Dartford (E07000107), have codes that differ only in case or punctuation",
        ),
    ] {
        let path = edited(dir.path(), "data/tiny.csv", "twice.csv", |t| {
            dartford(&t, code, name)
        });
        assert_eq!(
            read_error(&path),
            format!("two ltla areas, {why}; {tail}"),
            "{code}"
        );
    }
    // Codes that differ, but a name and code that run together into one file name.
    let path = edited(dir.path(), "data/tiny.csv", "twice.csv", |t| {
        dartford(&dartford(&t, "C1", "A B"), "B C1", "A")
    });
    assert_eq!(
        read_error(&path),
        format!(
            "two ltla areas, A (B C1) and A B (C1), would both be written as a-b-c1.md; {tail}"
        )
    );
    // An every-area run writes nothing.
    let path = edited(dir.path(), "data/tiny.csv", "twice.csv", |t| {
        dartford(&t, "e07000107", "Dartford")
    });
    let out = dir.path().join("stories");
    let run = Casewire::new()
        .args([
            "draft",
            "--each-area",
            "--out-dir",
            arg(&out),
            "--data",
            arg(&path),
        ])
        .args([
            "--population",
            arg(&fixture("data/population.csv")),
            "--release",
            "2021-01-18",
        ])
        .code(1);
    assert!(
        run.stderr()
            .contains("Dartford (E07000107) and Dartford (e07000107)"),
        "{}",
        run.stderr()
    );
    assert!(!out.exists());
}

/// A patch naming an area by a name two codes carry is refused, listing the codes.
#[test]
fn a_patch_name_two_codes_carry_is_refused_listing_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = edited(dir.path(), "data/tiny.csv", "two.csv", |text| {
        let copy: String = text
            .lines()
            .filter(|l| l.starts_with("E09000006,"))
            .map(|l| format!("{}\n", l.replace("E09000006", "E09000099")))
            .collect();
        format!("{text}{copy}")
    });
    let patch = fixture("patches/tiny.toml");
    assert_eq!(
        draft_error(patch.clone(), data.clone(), fixture("data/population.csv")),
        format!(
            "{}: area \"Bromley\" is the name of 2 ltla areas in the data (E09000006 and E09000099); name the one meant by its code",
            patch.display()
        )
    );
    // By its code, either is found.
    let by_code = edited(dir.path(), "patches/tiny.toml", "by-code.toml", |t| {
        t.replace("\"Bromley\"", "\"E09000006\"")
    });
    let pop = edited(dir.path(), "data/population.csv", "pop.csv", |t| {
        format!("{t}E09000099,Bromley,332336\n")
    });
    draft(&request(by_code, vec![data], pop, "2021-01-18")).unwrap();
}

/// A patch area outside the story's universe is an error naming the area and the universe,
/// not a story that says the area "is not counted in England".
#[test]
fn a_patch_area_outside_the_universe_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = edited(dir.path(), "data/tiny.csv", "glasgow.csv", |text| {
        let copy: String = text
            .lines()
            .filter(|l| l.starts_with("E07000107,"))
            .map(|l| {
                format!(
                    "{}\n",
                    l.replace("E07000107,Dartford", "S12000049,Glasgow City")
                )
            })
            .collect();
        format!("{text}{copy}")
    });
    let pop = edited(dir.path(), "data/population.csv", "pop.csv", |t| {
        format!("{t}S12000049,Glasgow City,633120\n")
    });
    for (list, edit) in [
        ("core", "core = [\"Bromley\", \"Glasgow City\"]"),
        ("nearby", "nearby = [\"Dartford\", \"S12000049\"]"),
    ] {
        let patch = edited(dir.path(), "patches/tiny.toml", "glasgow.toml", |t| {
            t.replace(
                "core = [\"Bromley\", \"Lewisham\"]",
                if list == "core" {
                    edit
                } else {
                    "core = [\"Bromley\", \"Lewisham\"]"
                },
            )
            .replace(
                "nearby = [\"Dartford\"]",
                if list == "nearby" {
                    edit
                } else {
                    "nearby = [\"Dartford\"]"
                },
            )
        });
        let name = if list == "core" {
            "Glasgow City"
        } else {
            "S12000049"
        };
        assert_eq!(
            draft_error(patch.clone(), data.clone(), pop.clone()),
            format!(
                "{}: area \"{name}\" (S12000049) is outside the story's universe, England, whose figures the story compares; remove it, or set universe = \"uk\"",
                patch.display()
            )
        );
    }
    // With the UK as the universe, Glasgow is in it.
    let patch = edited(dir.path(), "patches/tiny.toml", "uk.toml", |t| {
        format!(
            "{}\nuniverse = \"uk\"\n",
            t.replace(
                "core = [\"Bromley\", \"Lewisham\"]",
                "core = [\"Bromley\", \"Glasgow City\"]"
            )
        )
    });
    let d = draft(&request(patch, vec![data], pop, "2021-01-18")).unwrap();
    assert!(d.story.core.iter().any(|a| a.code == "S12000049"));
}
