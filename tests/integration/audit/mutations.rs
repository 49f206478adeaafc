//! Templates broken on purpose, built-in ones edited and a newsroom's own table: every
//! mutation is caught by the lint or the audit, quoting the sentence, and the same templates
//! render with the checks off.

use std::path::{Path, PathBuf};

use casewire::draft::{DraftRequest, draft};

use super::mutated;
use crate::support::*;

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
