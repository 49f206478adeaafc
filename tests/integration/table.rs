//! The optional `table` partial (issue 14): the story's full table as PA printed it, with its
//! reading key, included from a newsroom's own template. Built in and exported like every
//! partial; the audit traces every figure in it (last week's column as last week's figures)
//! and refuses a changed one.

use std::path::Path;

use casewire::render::BUILTIN;

use crate::support::*;

/// A newsroom's own story that prints the table and nothing else of the story's figures.
const STORY: &str = "# Covid-19 rates in {{ region }}

The full table for {{ region }}:

{% include \"partials/table.md\" %}
";

/// A folder holding the story template, and `table` as given (the built-in one when `None`).
fn newsroom(table: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("full-table.md"), STORY).unwrap();
    if let Some(table) = table {
        std::fs::create_dir_all(dir.path().join("partials")).unwrap();
        std::fs::write(dir.path().join("partials/table.md"), table).unwrap();
    }
    dir
}

fn draft_with(templates: &Path, release: &str, data: &Path, population: &Path) -> Run {
    Casewire::new()
        .args([
            "draft",
            "--patch",
            arg(&se_london()),
            "--data",
            arg(data),
            "--population",
            arg(population),
            "--release",
            release,
            "--templates",
            arg(templates),
            "--template",
            "full-table",
        ])
        .run()
}

fn january(templates: &Path) -> Run {
    draft_with(
        templates,
        "2021-01-18",
        &shared("releases/2021-01-18/ltla-reconstructed.csv"),
        &shared("population/mid-2019.csv"),
    )
}

fn built_in_table() -> &'static str {
    BUILTIN
        .iter()
        .find(|(n, _)| *n == "partials/table.md")
        .map(|(_, t)| *t)
        .expect("the table partial is built in")
}

#[test]
fn the_table_prints_every_area_with_its_reading_key_and_passes_the_audit() {
    let dir = newsroom(None);
    let run = january(dir.path());
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(" figures traced to data, "),
        "{}",
        run.stderr
    );
    let out = &run.stdout;
    assert!(
        out.contains(
            "Reading from left to right: the name of the local authority; its rate of new cases per 100,000 people in the seven days to January 14, with the number of new cases recorded in those seven days in brackets; and its rate in the seven days to January 7, with that week's number of new cases in brackets."
        ),
        "{out}"
    );
    assert!(
        out.contains("| Local authority | Seven days to January 14 | Seven days to January 7 |"),
        "{out}"
    );
    // Highest rate first, as PA printed it; every core area once.
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("| ")).collect();
    assert!(
        rows.iter()
            .any(|r| r.starts_with("| Greenwich | 775.5 (2,233) | 1,081.1 (")),
        "{out}"
    );
    for name in ["Bexley", "Bromley", "Greenwich", "Lewisham", "Southwark"] {
        assert_eq!(
            rows.iter()
                .filter(|r| r.starts_with(&format!("| {name} |")))
                .count(),
            1,
            "{name}: {out}"
        );
    }
    // The areas nearby in a table of their own.
    assert!(
        out.contains(
            "\n\n| Nearby | Seven days to January 14 | Seven days to January 7 |\n|---|---|---|\n"
        ),
        "{out}"
    );
}

#[test]
fn the_table_passes_in_august_too() {
    let dir = newsroom(None);
    let run = draft_with(
        dir.path(),
        "2021-08-27",
        &shared("archive/ltla_2021-07-25_2021-09-10.csv"),
        &shared("population/ONS-population_2021-08-05.csv"),
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("| Local authority | Seven days to August 23 | Seven days to August 16 |"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_changed_figure_in_the_table_is_refused() {
    // This week's cases in last week's column.
    let swapped = built_in_table().replacen(
        "{{ a.prev_rate | rate }} ({{ a.prev_cases | thousands }})",
        "{{ a.prev_rate | rate }} ({{ a.cases | thousands }})",
        1,
    );
    assert_ne!(swapped, built_in_table());
    let dir = newsroom(Some(&swapped));
    let run = january(dir.path());
    assert_eq!(run.status, 1, "{}", run.stdout);
    assert!(run.stderr.contains("failed the audit"), "{}", run.stderr);
    assert!(run.stderr.contains("\"2,233\""), "{}", run.stderr);
    assert!(run.stdout.is_empty());

    // A rate one tenth out.
    let off = built_in_table().replacen(
        "| {{ a.rate | rate }} (",
        "| {{ a.rate | rate | replace(from=\".5\", to=\".6\") }} (",
        1,
    );
    assert_ne!(off, built_in_table());
    let dir = newsroom(Some(&off));
    let run = january(dir.path());
    assert_eq!(run.status, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("\"775.6\" traces to no fact"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_table_is_exported_with_the_built_ins() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("mine");
    Casewire::new()
        .args(["templates", "export", arg(&target)])
        .success();
    let exported = std::fs::read_to_string(target.join("partials/table.md")).unwrap();
    assert_eq!(exported, built_in_table());
    // The exported folder, with a story that includes it, drafts as the built-in does.
    std::fs::write(target.join("full-table.md"), STORY).unwrap();
    let run = january(&target);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stdout, january(newsroom(None).path()).stdout);
}
