//! The audit on copy edited by hand, as a sub-editor might, and on facts computed wrongly:
//! each slip is one failure naming its sentence, and copy left alone passes.

use casewire::audit::{AuditInput, AuditReport, audit};
use casewire::draft::{DraftRequest, Inputs, draft};

use crate::support::*;

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
