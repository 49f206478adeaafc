//! The facts sidecar and the round-trip audit: every built-in story for every area of two real
//! weeks passes, templates broken on purpose are caught, and the facts of one story are
//! snapshot-tested.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::support::draft_markdown;
use casewire::audit::{AuditInput, AuditReport, audit};
use casewire::draft::{DraftError, DraftRequest, Format, Inputs, draft};
use casewire::render::{BUILTIN, Renderer};

use crate::support::*;

/// The built-in story templates (partials excluded), without `.md`.
fn story_templates() -> Vec<&'static str> {
    BUILTIN
        .iter()
        .map(|(name, _)| *name)
        .filter(|n| !n.starts_with("partials/"))
        .map(|n| n.trim_end_matches(".md"))
        .collect()
}

/// Drafts every built-in template for a one-area patch of each England ltla in the data, and
/// returns how many stories passed. Any lint finding or audit failure fails the test with the
/// area, the template and the sentences quoted.
fn every_area(request: DraftRequest) -> usize {
    let mut inputs = Inputs::for_request(&request).unwrap();
    let renderer = Renderer::new(None).unwrap();
    let areas: Vec<(String, String)> = inputs
        .dataset
        .areas
        .iter()
        .filter(|a| a.area_type == "ltla" && a.code.starts_with('E'))
        .map(|a| (a.code.clone(), a.name.clone()))
        .collect();
    assert!(areas.len() > 300, "{} areas", areas.len());
    inputs.patch.nearby.clear();
    let mut passed = 0;
    let mut failures = Vec::new();
    for (code, name) in &areas {
        inputs.patch.core = vec![code.clone()];
        inputs.patch.region = name.clone();
        for template in story_templates() {
            match draft_markdown(&inputs, &renderer, &request, template) {
                Ok(d) => {
                    assert!(d.checked.audited);
                    assert!(d.checked.figures > 10, "{name}: {}", d.checked);
                    passed += 1;
                }
                // An area without a full fortnight has no story to check.
                Err(DraftError::Story(_)) => {}
                Err(e) => failures.push(format!("{name} ({code}), {template}: {e}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} stories failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    passed
}

#[test]
fn every_builtin_template_for_every_area_passes_in_january() {
    let start = Instant::now();
    let n = every_area(january_request());
    assert!(n >= 600, "{n} stories");
    eprintln!("january: {n} stories audited in {:?}", start.elapsed());
}

#[test]
fn every_builtin_template_for_every_area_passes_in_august() {
    let start = Instant::now();
    let n = every_area(august_request());
    assert!(n >= 600, "{n} stories");
    eprintln!("august: {n} stories audited in {:?}", start.elapsed());
}

/// A folder of templates: the built-in `file` with each `(from, to)` replaced, for
/// `--templates`. Every replacement must apply, so a template edit cannot quietly turn a
/// mutation test into a no-op.
fn mutated(file: &str, edits: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (_, text) = BUILTIN
        .iter()
        .find(|(n, _)| *n == file)
        .expect("a built-in template");
    let mut text = text.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "{file} has no {from:?}");
        text = text.replace(from, to);
    }
    let path = dir.path().join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    dir
}

/// Drafts with the mutated templates and returns the error, which must quote `sentence`.
fn caught(mut request: DraftRequest, template: &str, dir: &Path, sentence: &str) -> String {
    request.template = Some(template.to_string());
    request.templates = Some(PathBuf::from(dir));
    let err = match draft(&request) {
        Ok(d) => panic!("the mutation was not caught:\n{}", d.output),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("no story was written"),
        "not a lint or audit failure: {err}"
    );
    assert!(
        err.contains(sentence),
        "does not quote {sentence:?}:\n{err}"
    );
    // The same templates pass with the checks off: it is the checks that stop them.
    request.no_audit = true;
    let d = draft(&request).expect("renders without the checks");
    assert!(!d.checked.audited);
    assert!(d.output.contains(sentence), "{}", d.output);
    err
}

#[test]
fn a_wrong_field_is_caught() {
    let dir = mutated(
        "weekly-roundup.md",
        &[(
            "at {{ a.rate | rate }} with",
            "at {{ a.prev_rate | rate }} with",
        )],
    );
    let err = caught(
        january_request(),
        "weekly-roundup",
        dir.path(),
        "Greenwich has the highest rate in south east London, at 1,081.1 with 2,233 new cases",
    );
    assert!(
        err.contains("\"1,081.1\" traces to no fact")
            && err.contains("printed where this week's figure belongs"),
        "{err}"
    );
}

#[test]
fn another_areas_figure_is_caught() {
    let dir = mutated(
        "by-area.md",
        &[(
            "{{<degree_word a={a}/>}} from {{ a.prev_rate | rate }} ({{ a.prev_cases",
            "{{<degree_word a={a}/>}} from {{ core[0].prev_rate | rate }} ({{ a.prev_cases",
        )],
    );
    let err = caught(
        august_request(),
        "by-area",
        dir.path(),
        "In Southwark, the rate has gone down from 314.4",
    );
    assert!(err.contains("in a sentence about Southwark"), "{err}");
}

#[test]
fn a_swapped_direction_word_is_caught() {
    let dir = mutated(
        "partials/components.md",
        &[
            (
                "{% elif a.direction == \"up\" %}up{{<degree_word",
                "{% elif a.direction == \"up\" %}down{{<degree_word",
            ),
            (
                "{% elif a.direction == \"down\" %}down{{<degree_word",
                "{% elif a.direction == \"down\" %}up{{<degree_word",
            ),
        ],
    );
    let err = caught(
        august_request(),
        "weekly-roundup",
        dir.path(),
        "Bromley's rate stands at 263.9 after 878 new cases, down slightly from 243.1 the week before.",
    );
    assert!(
        err.contains("\"down\" is wrong for Bromley: its rate went from 243.1 to 263.9"),
        "{err}"
    );
}

#[test]
fn a_figure_typed_by_hand_is_caught() {
    let dir = mutated(
        "weekly-roundup.md",
        &[(
            "{% if loop.first %}has a rate of{% else %}has{% endif %} {{ a.rate | rate }}",
            "{% if loop.first %}has a rate of{% else %}has{% endif %} 254.0",
        )],
    );
    let err = caught(
        january_request(),
        "weekly-roundup",
        dir.path(),
        "Nearby, Croydon has a rate of 254.0 (down from 1,087.9)",
    );
    assert!(err.contains("\"254.0\" traces to no fact"), "{err}");
}

#[test]
fn a_missing_decimal_is_caught() {
    let dir = mutated(
        "partials/week/leaders.md",
        &[(
            "the equivalent of {{ l.rate | rate }} per",
            "the equivalent of {{ l.rate | round | int }} per",
        )],
    );
    caught(
        january_request(),
        "weekly-roundup",
        dir.path(),
        "the equivalent of 1178 per 100,000 people",
    );
}

#[test]
fn a_rounded_rate_is_caught_by_the_audit() {
    // `round` keeps a decimal, so the lint has nothing to say: the figure is simply wrong.
    let dir = mutated(
        "partials/week/leaders.md",
        &[(
            "at {{ l.rate | rate }} with",
            "at {{ l.rate | round | rate }} with",
        )],
    );
    let err = caught(
        january_request(),
        "weekly-roundup",
        dir.path(),
        "Barking and Dagenham has slipped to third place, at 1,029.0 with 2,190 new cases",
    );
    assert!(err.contains("failed the audit"), "{err}");
    assert!(err.contains("\"1,029.0\" traces to no fact"), "{err}");
}

#[test]
fn a_raw_value_is_caught() {
    let dir = mutated(
        "partials/week/movers.md",
        &[("to {{ a.rate | rate }})", "to {{ a.rate }})")],
    );
    caught(
        january_request(),
        "weekly-roundup",
        dir.path(),
        "Barking and Dagenham (down from 1,544.3 to 1028.6)",
    );
}

#[test]
fn swapped_national_counts_are_caught() {
    let dir = mutated(
        "partials/week/national.md",
        &[
            (
                "{{ m.rising | count_words }} of the",
                "{{ m.falling | count_words }} of the",
            ),
            (
                "and {{ m.falling | count_words }} ({{ m.falling_pct | percent }})",
                "and {{ m.rising | count_words }} ({{ m.falling_pct | percent }})",
            ),
        ],
    );
    let err = caught(
        august_request(),
        "weekly-roundup",
        dir.path(),
        "Across England, 111 of the 312 local areas (64%) saw their rate rise",
    );
    assert!(
        err.contains("\"111\" traces to no fact")
            && err.contains("but its clause says the areas rose"),
        "{err}"
    );
}

#[test]
fn a_new_leader_said_to_continue_is_caught() {
    let dir = mutated(
        "partials/week/leaders.md",
        &[(
            "{% if l.continues %}continues to have",
            "{% if l.position == 1 %}continues to have",
        )],
    );
    let err = caught(
        january_request(),
        "weekly-roundup",
        dir.path(),
        "Knowsley in Merseyside continues to have the highest rate in England",
    );
    assert!(err.contains("\"continues\" is wrong for Knowsley"), "{err}");
}

/// Knowsley led the seven days to January 13, the window the day before's edition printed,
/// though not the week to January 7: for a daily reader it has not just taken the top spot.
#[test]
fn a_leader_who_led_the_day_before_has_not_taken_the_top_spot() {
    let d = draft(&january_request()).unwrap();
    assert!(
        d.output
            .contains("Knowsley in Merseyside has the highest rate in England, with"),
        "{}",
        d.output
    );
    assert!(!d.output.contains("top spot"));
    let dir = mutated(
        "partials/week/leaders.md",
        &[(
            "{% if l.replaced %}, taking the top spot from {{ l.replaced }}{% endif %}",
            "{% if l.position == 1 %}, taking the top spot from Barking and Dagenham{% endif %}",
        )],
    );
    let err = caught(
        january_request(),
        "weekly-roundup",
        dir.path(),
        "taking the top spot from Barking and Dagenham",
    );
    assert!(
        err.contains("Knowsley had the highest rate in the seven days to the day before too"),
        "{err}"
    );
}

#[test]
fn highest_for_the_second_is_caught() {
    let dir = mutated(
        "partials/week/leaders.md",
        // Slough climbed to second: with moves left out, its line ranks it.
        &[
            ("{% elif l.moved", "{% elif false and l.moved"),
            ("{{ l.position | ranked }} rate", "highest rate"),
        ],
    );
    let err = caught(
        january_request(),
        "weekly-roundup",
        dir.path(),
        "Slough has the highest rate, at 1,042.5",
    );
    assert!(
        err.contains("\"highest\" is wrong for Slough: its rate ranks 2nd in England"),
        "{err}"
    );
}

#[test]
fn only_when_two_rose_is_caught() {
    // August: Bromley alone rose in the patch. Say "only" of every area that moved.
    let dir = mutated(
        "weekly-roundup.md",
        &[(
            "{%- if a.only_faller %} It is the only",
            "{%- if a.direction == \"down\" %} {{ a.name }} is the only",
        )],
    );
    let err = caught(
        august_request(),
        "weekly-roundup",
        dir.path(),
        "Lewisham is the only borough in south east London where the rate went down.",
    );
    assert!(
        err.contains("\"only\" is wrong for Lewisham: 4 of the 5 boroughs fell"),
        "{err}"
    );
}

#[test]
fn a_wrong_trend_is_caught() {
    let dir = mutated(
        "weekly-roundup.md",
        &[
            // The story's angle would take the headline from the trend.
            (
                "{% block headline %}{% set an = local.angle %}",
                "{% block headline %}{% set an = {\"kind\": \"trend\"} %}",
            ),
            (
                "{% elif local.trend == \"all_but_one_down\" %}Covid-19 rates fall in all but one",
                "{% elif local.trend == \"all_but_one_down\" %}Covid-19 rates fall in every",
            ),
        ],
    );
    let err = caught(
        august_request(),
        "weekly-roundup",
        dir.path(),
        "# Covid-19 rates fall in every borough in south east London",
    );
    assert!(
        err.contains("in every of the boroughs but 4 of 5 did"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// The audit on copy edited by hand, as a sub-editor might

fn audited(request: DraftRequest, edit: impl Fn(&str) -> String) -> AuditReport {
    audit_edited(&request, edit).1
}

fn one_failure(report: &AuditReport, sentence: &str, message: &str) {
    assert_eq!(report.failures.len(), 1, "{:#?}", report.failures);
    let f = &report.failures[0];
    assert!(f.sentence.contains(sentence), "{f}");
    assert!(f.message.contains(message), "{f}");
}

#[test]
fn the_published_copy_passes_untouched() {
    let r = audited(january_request(), |t| format!("{t}\n"));
    assert!(r.passed(), "{:#?}", r.failures);
    assert!(r.figures > 60 && r.facts > 200 && r.claims > 20, "{r:?}");
}

#[test]
fn a_percentage_that_does_not_match_is_caught() {
    let r = audited(august_request(), |t| t.replace("(64%)", "(63%)"));
    one_failure(
        &r,
        "Across England, 200 of the 312",
        "\"63%\" traces to no fact",
    );
}

#[test]
fn a_wrong_ordinal_in_the_copy_is_caught() {
    let r = audited(january_request(), |t| {
        t.replace(
            "Slough has climbed to second place",
            "Slough has climbed to third place",
        )
    });
    assert!(
        r.failures.iter().any(|f| f
            .message
            .contains("\"climbed to 3rd place\" is wrong for Slough: its rate ranks 2nd")),
        "{:#?}",
        r.failures
    );
}

#[test]
fn a_wrong_date_is_caught() {
    let r = audited(january_request(), |t| {
        t.replace("on Monday, January 18", "on Tuesday, January 18")
    });
    one_failure(
        &r,
        "published by Public Health England on Tuesday, January 18",
        "\"Tuesday, January 18\" traces to no fact",
    );
}

#[test]
fn a_list_out_of_order_is_caught() {
    let r = audited(january_request(), |t| {
        t.replace("1. Epping Forest", "2. Epping Forest")
    });
    one_failure(&r, "2. Epping Forest", "\"2\" traces to no fact");
}

#[test]
fn a_wrong_degree_is_caught() {
    let r = audited(january_request(), |t| {
        t.replace(
            "Greenwich has the highest rate in south east London, at 775.5 with 2,233 new cases, down from",
            "Greenwich has the highest rate in south east London, at 775.5 with 2,233 new cases, down slightly from",
        )
    });
    one_failure(
        &r,
        "Greenwich has the highest",
        "\"slightly\" is wrong for Greenwich: its rate changed 28%",
    );
}

// ---------------------------------------------------------------------------------------------
// The sidecar

/// The facts of one story, as `--out` writes them beside it.
#[test]
fn january_facts_sidecar() {
    let d = draft(&january_request()).unwrap();
    let json = d.facts.to_json();
    // Every fact printed in the copy is in the sidecar with its inputs.
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let facts = value["facts"].as_array().unwrap();
    let knowsley = facts
        .iter()
        .find(|f| f["id"] == "E08000011.rate")
        .expect("Knowsley's rate");
    assert_eq!(knowsley["printed"][0], "1,177.9");
    let series = &value["series"]["E08000011"];
    assert_eq!(series["daily"].as_array().unwrap().len(), 14);
    assert_eq!(
        knowsley["recipe"],
        serde_json::json!(["week_rate", "E08000011", "week"])
    );
    insta::assert_snapshot!(json.replace(root().to_str().unwrap(), "[root]"));
}

#[test]
fn out_writes_the_story_and_its_facts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("story.md");
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
            "--out",
            arg(&out),
        ])
        .success();
    assert!(
        run.stderr.contains(" figures traced to data, "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(" facts recomputed, "), "{}", run.stderr);
    // The gates of every story, series-stopped, and missing-areas against the register.
    assert!(run.stderr.contains("14 input gates, 10 lint rules"));
    let facts = dir.path().join("story.facts.json");
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&facts).unwrap()).unwrap();
    assert_eq!(sidecar["release"], "2021-01-18");
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("# "));
}

#[test]
fn a_failed_audit_writes_neither_file() {
    let dir = tempfile::tempdir().unwrap();
    let templates = mutated(
        "weekly-roundup.md",
        &[(
            "at {{ a.rate | rate }} with",
            "at {{ a.prev_rate | rate }} with",
        )],
    );
    let out = dir.path().join("story.md");
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
            "--templates",
            arg(templates.path()),
            "--out",
            arg(&out),
        ])
        .code(1);
    assert!(run.stderr.contains("failed the audit"), "{}", run.stderr);
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

#[test]
fn json_output_carries_the_facts() {
    let mut request = january_request();
    request.format = Format::Json;
    let d = draft(&request).unwrap();
    let v: serde_json::Value = serde_json::from_str(&d.output).unwrap();
    assert_eq!(v["template"], "weekly-roundup");
    assert_eq!(
        v["facts"].as_array().unwrap().len(),
        d.facts.facts.len(),
        "the view model with every fact"
    );
    assert!(d.checked.audited, "JSON is only given for copy that passed");
}

#[test]
fn facts_path_replaces_a_markdown_extension() {
    use casewire::draft::facts_path;
    assert_eq!(
        facts_path(Path::new("out/story.md")),
        Path::new("out/story.facts.json")
    );
    assert_eq!(
        facts_path(Path::new("out/story.txt")),
        Path::new("out/story.txt.facts.json")
    );
}

#[test]
fn figures_in_the_patch_settings_are_not_read_as_figures() {
    let mut request = january_request();
    let dir = tempfile::tempdir().unwrap();
    let patch = dir.path().join("patch.toml");
    let text = std::fs::read_to_string(se_london())
        .unwrap()
        .replace("the Courier's data desk", "the Courier 24 data desk");
    std::fs::write(&patch, text).unwrap();
    request.patch = patch;
    let d = draft(&request).expect("a figure in a setting is not a figure of the story");
    assert!(d.output.contains("the Courier 24 data desk"));
}

/// A newsroom's own template with a table: each row is about the area it names, and a column
/// headed with last week's date holds last week's figures.
const TABLE: &str = "# Covid-19 rates in {{ region }}

| Area | Rate to {{ week.end | date }} | Cases | Rate to {{ prev_week.end | date }} | Change |
|---|---|---|---|---|
{% for a in core %}| {{ a.name }} | {{ a.rate | rate }} | {{ a.cases | thousands }} | {{ a.prev_rate | rate }} | {{ a.direction }} {{ a.percent_change_size | percent }} |
{% endfor %}
{% for a in leaders %}{{ loop.index }}. {{ a.name }}: {{ a.rate | rate }}
{% endfor %}
";

fn table_templates(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("table.md"), text).unwrap();
    dir
}

#[test]
fn tables_and_numbered_lists_are_read_cell_by_cell() {
    let dir = table_templates(TABLE);
    let mut request = january_request();
    request.template = Some("table".to_string());
    request.templates = Some(dir.path().to_path_buf());
    let d = draft(&request).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        d.output
            .contains("| Greenwich | 775.5 | 2,233 | 1,081.1 | down 28% |"),
        "{}",
        d.output
    );
    assert!(d.output.contains("1. Knowsley: 1,177.9"), "{}", d.output);

    let swapped = TABLE.replace(
        "| {{ a.rate | rate }} | {{ a.cases | thousands }} | {{ a.prev_rate | rate }} |",
        "| {{ a.prev_rate | rate }} | {{ a.cases | thousands }} | {{ a.rate | rate }} |",
    );
    let dir = table_templates(&swapped);
    request.templates = Some(dir.path().to_path_buf());
    let err = draft(&request).unwrap_err().to_string();
    assert!(
        err.contains("\"1,081.1\" traces to no fact: it is Greenwich's rate last week, printed where this week's figure belongs, in \"| Greenwich | 1,081.1 | 2,233 | 775.5 | down 28% |\""),
        "{err}"
    );

    let reordered = TABLE.replace("{{ loop.index }}. ", "{{ loop.index + 1 }}. ");
    let dir = table_templates(&reordered);
    request.templates = Some(dir.path().to_path_buf());
    let err = draft(&request).unwrap_err().to_string();
    assert!(err.contains("\"2\" traces to no fact"), "{err}");
}

#[test]
fn a_fact_that_does_not_recompute_is_caught() {
    let request = january_request();
    let inputs = Inputs::for_request(&request).unwrap();
    let d = draft(&request).unwrap();
    // As if the figures had been computed wrongly: Greenwich's rate one tenth too high, and
    // a share that is never printed off by one.
    let mut facts = d.facts.facts.clone();
    for f in &mut facts {
        if f.id == "E09000011.rate" {
            f.value = casewire::facts::FactValue::Tenths(7756);
            f.printed = vec!["775.6".to_string()];
        }
        if f.id == "local.falling_pct" {
            f.value = casewire::facts::FactValue::Int(99);
            f.printed = vec!["99%".to_string()];
        }
    }
    let text = d.output.replace("at 775.5 with", "at 775.6 with");
    let r = audit(AuditInput {
        text: &text,
        facts: &facts,
        story: &d.story,
        dataset: &inputs.dataset,
        population: &inputs.population,
        patch: &inputs.patch,
    });
    let messages: Vec<String> = r.failures.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert_eq!(
        messages[0],
        "fact local.falling_pct (local falling pct) does not recompute from the data: the story has 99% but the data give 100%"
    );
    assert!(
        messages[1].contains("\"775.6\" (Greenwich's rate this week) does not recompute from the data: the story has 775.6 but the data give 775.5, in \"Greenwich has the highest rate"),
        "{messages:#?}"
    );
}

#[test]
fn a_national_figure_in_an_area_sentence_is_caught() {
    // 315 is the number of areas in England, not Bromley's cases; 90% is England's share of
    // falling areas, not Bromley's change.
    let r = audited(january_request(), |t| {
        t.replace(
            "at 566.9 with 1,884 new cases",
            "at 566.9 with 315 new cases",
        )
    });
    one_failure(
        &r,
        "The lowest rate in south east London is in Bromley",
        "\"315\" traces to no fact",
    );
    let r = audited(january_request(), |t| {
        t.replace(
            "at 566.9 with 1,884 new cases, down from 922.0",
            "at 566.9 with 1,884 new cases, down 90% from 922.0",
        )
    });
    one_failure(
        &r,
        "The lowest rate in south east London is in Bromley",
        "\"90%\" traces to no fact",
    );
}

#[test]
fn a_story_that_cannot_be_written_leaves_no_sidecar() {
    let d = draft(&january_request()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("story.md");
    // A folder where the story should go: the rename of the story fails.
    std::fs::create_dir(&out).unwrap();
    assert!(casewire::draft::write_out(&d, &out).is_err());
    let mut left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left, ["story.md"], "only the folder that was there before");
}

/// The copy with sentences added at the end, as a sub-editor might add them.
fn with_added(text: &str, added: &str) -> String {
    format!("{text}\n{added}\n")
}

#[test]
fn a_rank_of_fall_is_checked_by_the_size_of_the_fall() {
    // Bexley is seventh in the January list of largest falls.
    let r = audited(january_request(), |t| {
        with_added(t, "Bexley has the seventh highest fall in England.")
    });
    assert!(r.passed(), "{:#?}", r.failures);
    let r = audited(january_request(), |t| {
        with_added(t, "Bexley has the sixth highest fall in England.")
    });
    assert!(
        r.failures.iter().any(|f| f
            .message
            .contains("\"sixth highest\" is wrong for Bexley: its fall ranks 7th")),
        "{:#?}",
        r.failures
    );
}

#[test]
fn an_area_said_to_continue_is_checked_against_the_week_before() {
    // Bexley fell over the new year and again; Greenwich rose over the new year, then fell.
    let r = audited(january_request(), |t| {
        with_added(t, "Bexley's rate continues to fall.")
    });
    assert!(r.passed(), "{:#?}", r.failures);
    let r = audited(january_request(), |t| {
        with_added(t, "Greenwich's rate continues to fall.")
    });
    one_failure(
        &r,
        "Greenwich's rate continues to fall.",
        "\"continues\" is wrong for Greenwich: its rate rose the week before",
    );
}

#[test]
fn ordinal_and_number_words_in_prose_are_not_figures() {
    let r = audited(january_request(), |t| {
        with_added(t, "For the first time, no one area stands out.")
    });
    assert!(r.passed(), "{:#?}", r.failures);
}

#[test]
fn highest_in_a_nation_is_ranked_within_it() {
    // A UK story: "highest in England" ranks among English areas only.
    let dir = tempfile::tempdir().unwrap();
    let patch = dir.path().join("uk.toml");
    let text = std::fs::read_to_string(se_london())
        .unwrap()
        .replace("universe = \"england\"", "universe = \"uk\"")
        + "\n[gates.severity]\nweek-on-week-jump = \"warn\"\n";
    std::fs::write(&patch, text).unwrap();
    let mut request = january_request();
    request.patch = patch;
    let r = audited(request.clone(), |t| {
        with_added(t, "Knowsley has the highest rate in England.")
    });
    assert!(r.passed(), "{:#?}", r.failures);
    let r = audited(request, |t| {
        with_added(t, "Slough has the highest rate in England.")
    });
    one_failure(
        &r,
        "Slough has the highest rate in England.",
        "\"highest\" is wrong for Slough: its rate ranks 2nd in England",
    );
}

#[test]
fn a_false_change_of_leader_is_caught() {
    // January: Barking and Dagenham led the week before; Slough did not. Knowsley led the
    // seven days to January 13 as well, so no change of leader is news to a daily reader.
    let said = "Knowsley in Merseyside has the highest rate in England, with";
    let r = audited(january_request(), |t| {
        t.replace(
            said,
            "Knowsley in Merseyside now has the highest rate in England, taking the top spot from Slough, with",
        )
    });
    let messages: Vec<&str> = r.failures.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "\"top spot from Slough\" is wrong: Slough did not have the highest rate the week before",
            "\"taking the top spot\" is wrong: Knowsley had the highest rate in the seven days to the day before too",
        ],
        "{:#?}",
        r.failures
    );
}

#[test]
fn a_dramatic_change_that_is_not_is_caught() {
    // Greenwich fell 28%: sharply is too much, dramatically far too much.
    let r = audited(january_request(), |t| {
        with_added(t, "Greenwich's rate fell dramatically.")
    });
    one_failure(
        &r,
        "Greenwich's rate fell dramatically.",
        "\"dramatically\" is wrong for Greenwich: its rate changed 28%",
    );
}
