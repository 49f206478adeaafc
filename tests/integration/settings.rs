//! Patch settings that would print false or broken copy are refused when the patch is read,
//! naming the setting: an area listed by name and by code, a blank or shared printed name,
//! noise thresholds that call a real change "almost unchanged", gate limits out of range;
//! and a template cannot pass a story's value through the `literal` filter, which the checks
//! take as fixed text.

use casewire::draft::draft;

use crate::support::*;

/// The error drafting the south east London patch with `edits` and `added` gives.
fn refusal(edits: &[(&str, &str)], added: &str) -> String {
    let (_dir, request) = patch_with(edits, added);
    match draft(&request) {
        Ok(d) => panic!("drafted:\n{}", d.output),
        Err(e) => e.to_string(),
    }
}

#[test]
fn an_area_listed_by_name_and_by_code_is_refused_not_counted_twice() {
    let core = "core = [\"Bexley\", \"Bromley\", \"Greenwich\", \"Lewisham\", \"Southwark\"]";
    let err = refusal(&[(core, "core = [\"Bexley\", \"E09000004\"]")], "");
    assert!(
        err.contains("\"Bexley\" and \"E09000004\" are the same area (Bexley E09000004)"),
        "{err}"
    );
    let nearby = "nearby = [\"Croydon\", \"Dartford\", \"Lambeth\"]";
    let err = refusal(&[(nearby, "nearby = [\"e09000004\"]")], "");
    assert!(
        err.contains("\"Bexley\" and \"e09000004\" are the same area"),
        "{err}"
    );
}

#[test]
fn a_blank_or_shared_printed_name_is_refused() {
    for blank in ["\"\"", "\"   \""] {
        let err = refusal(&[], &format!("\n[names]\nBexley = {blank}\n"));
        assert!(
            err.contains("[names] \"Bexley\" is empty: give the name the copy prints"),
            "{err}"
        );
    }
    let err = refusal(&[], "\n[names]\nBexley = \"Greenwich\"\n");
    assert!(
        err.contains("both print as \"Greenwich\": readers could not tell them apart"),
        "{err}"
    );
    let err = refusal(&[], "\n[names]\nBexley = \"Kent\"\nE09000006 = \"kent\"\n");
    assert!(err.contains("both print as"), "{err}");
    // One area's name given under its code and its data name alike is one area.
    let (_dir, request) = patch_with(
        &[],
        "\n[names]\nBexley = \"Old Bexley\"\nE09000004 = \"Old Bexley\"\n",
    );
    let d = draft(&request).unwrap_or_else(|e| panic!("{e}"));
    assert!(d.output.contains("Old Bexley"), "{}", d.output);
}

#[test]
fn noise_and_gate_limits_out_of_range_are_refused_naming_the_setting() {
    let cases = [
        (
            "\n[noise]\npercent = 1000\n",
            "noise.percent = 1000 must be from 0 to 10",
        ),
        ("\n[noise]\npercent = -1\n", "noise.percent = -1"),
        (
            "\n[noise]\ncases = -3\n",
            "noise.cases = -3 must be from 0 to 100",
        ),
        (
            "\n[gates]\nrate_ceiling = -5\n",
            "gates.rate_ceiling = -5 must be a number above 0",
        ),
        (
            "\n[gates]\njump_factor = 0\n",
            "gates.jump_factor = 0 must be a number above 1",
        ),
        (
            "\n[gates]\njump_factor = 1\n",
            "gates.jump_factor = 1 must be a number above 1",
        ),
        (
            "\n[gates]\njump_min_rate = -1\n",
            "gates.jump_min_rate = -1 must be a number from 0 up",
        ),
        (
            "\n[gates]\npopulation_factor = 0.5\n",
            "gates.population_factor = 0.5",
        ),
        (
            "\n[gates]\npopulation_tolerance = -0.1\n",
            "gates.population_tolerance = -0.1",
        ),
        (
            "\n[gates]\njump_min_cases = -2\n",
            "gates.jump_min_cases = -2 must be from 0 up",
        ),
        (
            "\n[gates]\npopulation_ceiling = 0\n",
            "gates.population_ceiling = 0 must be above 0",
        ),
    ];
    for (added, message) in cases {
        let err = refusal(&[], added);
        assert!(err.contains(message), "{added}: {err}");
        assert!(err.contains("patch.toml"), "{added}: {err}");
    }
    // In range, the same settings draft.
    let (_dir, request) = patch_with(&[], "\n[noise]\npercent = 5\n[gates]\njump_factor = 3.5\n");
    draft(&request).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_story_value_through_the_literal_filter_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let partial = dir.path().join("partials/week");
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::write(
        partial.join("provenance.md"),
        "Figures from {{ dashboard_name }}, {{ release | date | literal }}.\n",
    )
    .unwrap();
    let mut request = january_request();
    request.templates = Some(dir.path().to_path_buf());
    let err = draft(&request).unwrap_err().to_string();
    assert!(
        err.contains("the `literal` filter printed \"January 18\", which is not a quoted string in the templates"),
        "{err}"
    );
    // A quoted string through it still prints.
    std::fs::write(
        partial.join("provenance.md"),
        "Figures from {{ dashboard_name }}. {{ \"Call 119.\" | literal }}\n",
    )
    .unwrap();
    let d = draft(&request).unwrap_or_else(|e| panic!("{e}"));
    assert!(d.output.contains("Call 119."), "{}", d.output);
}
