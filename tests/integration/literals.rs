//! Fixed text in templates (the `literal` filter), names from the data that hold digits or a
//! doubled word, and `--template area` with a patch of several areas (issue 14).

use casewire::draft::{DraftError, draft};

use crate::support::*;

const BOILERPLATE: &str = "book a test at nhs.uk or call 119 on 0300 1234567";

/// A template folder whose provenance partial (a week partial) ends with `line`.
pub(crate) fn with_provenance(line: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let partial = dir.path().join("partials/week");
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::write(
        partial.join("provenance.md"),
        format!("Figures from {{{{ dashboard_name }}}}.\n\n{line}\n"),
    )
    .unwrap();
    dir
}

#[test]
fn literal_text_passes_the_checks_and_prints_without_its_marks() {
    let dir = with_provenance(&format!(
        "If you have symptoms, {{{{ \"{BOILERPLATE}\" | literal }}}}."
    ));
    let mut request = january_request();
    request.templates = Some(dir.path().to_path_buf());
    let d = draft(&request).unwrap_or_else(|e| panic!("{e}"));
    assert!(d.checked.audited);
    assert!(
        d.output
            .ends_with(&format!("If you have symptoms, {BOILERPLATE}.\n")),
        "{}",
        d.output
    );
    assert!(
        !d.output.contains(['\u{E004}', '\u{E005}']),
        "{:?}",
        d.output
    );
    // The JSON the story's checks passed describes the same text.
    request.format = casewire::draft::Format::Json;
    let json = draft(&request).unwrap().output;
    assert!(!json.contains("\\ue004") && !json.contains('\u{E004}'));
}

#[test]
fn the_same_text_without_the_filter_is_refused() {
    let dir = with_provenance(&format!("If you have symptoms, {BOILERPLATE}."));
    let mut request = january_request();
    request.templates = Some(dir.path().to_path_buf());
    let err = draft(&request).unwrap_err().to_string();
    // The phone number breaks the thousands rule before the audit reads "119".
    assert!(err.contains("1234567"), "{err}");
    // Without the phone number, the audit refuses "119".
    let dir = with_provenance("If you have symptoms, book a test at nhs.uk or call 119.");
    request.templates = Some(dir.path().to_path_buf());
    let err = draft(&request).unwrap_err();
    assert!(matches!(err, DraftError::Audit { .. }), "{err}");
    assert!(
        err.to_string().contains("\"119\" traces to no fact"),
        "{err}"
    );
    // A figure of the story's beside literal text is still audited.
    let dir = with_provenance(
        "{{ \"Call 119\" | literal }} if you have symptoms; the rate was 1.5 per 100,000 people.",
    );
    request.templates = Some(dir.path().to_path_buf());
    let err = draft(&request).unwrap_err().to_string();
    assert!(err.contains("\"1.5\" traces to no fact"), "{err}");
    assert!(!err.contains("\"119\""), "{err}");
}

#[test]
fn a_literal_mark_left_unclosed_is_an_error() {
    let dir = with_provenance("Call \u{E004}119 if you have symptoms.");
    let mut request = january_request();
    request.templates = Some(dir.path().to_path_buf());
    let err = draft(&request).unwrap_err().to_string();
    assert!(err.contains("literal mark is left unclosed"), "{err}");
}

/// The scenario patch with its areas and region renamed, as names may be: digits ("Area 51",
/// "Zone 9") and a doubled word ("Walla Walla").
fn odd_names(dir: &std::path::Path) -> casewire::draft::DraftRequest {
    let rename = |text: String| {
        text.replace("Alder", "Area 51")
            .replace("Cedar", "Walla Walla")
            .replace("Damson", "Leeds 1016")
            .replace("Scenarioshire", "Zone 9")
    };
    for file in ["mixed.csv", "population.csv", "patch.toml"] {
        let text = std::fs::read_to_string(fixture(&format!("scenarios/{file}"))).unwrap();
        std::fs::write(dir.join(file), rename(text)).unwrap();
    }
    request(
        dir.join("patch.toml"),
        vec![dir.join("mixed.csv")],
        dir.join("population.csv"),
        "2021-01-18",
    )
}

#[test]
fn area_names_with_digits_or_a_doubled_word_pass_the_lint() {
    let dir = tempfile::tempdir().unwrap();
    let mut request = odd_names(dir.path());
    for template in ["weekly-roundup", "by-area"] {
        request.template = Some(template.to_string());
        request.no_audit = false;
        let d = draft(&request).unwrap_or_else(|e| panic!("{template}: {e}"));
        for name in ["Area 51", "Walla Walla", "Leeds 1016", "Zone 9"] {
            assert!(d.output.contains(name), "{template}: {name}\n{}", d.output);
        }
        // Read blind, the same copy trips the lint: the names are what passes.
        let blind: Vec<_> = casewire::lint::lint(&d.output)
            .into_iter()
            .map(|f| f.rule)
            .collect();
        use casewire::lint::Rule;
        for rule in [
            Rule::DoubledWords,
            Rule::ThousandsSeparators,
            Rule::SmallCountsInWords,
        ] {
            assert!(blind.contains(&rule), "{template}: {rule} {blind:?}");
        }
    }
}

#[test]
fn the_area_template_refuses_a_patch_of_several_areas() {
    let mut request = january_request();
    request.template = Some("area".to_string());
    let err = casewire::draft::check_area_template(&request).unwrap_err();
    assert!(err.is_usage());
    let text = err.to_string();
    assert!(
        text.contains("--each-area") && text.contains("one area"),
        "{text}"
    );
    let run = january_draft().args(["--template", "area"]).code(2);
    assert!(run.stderr.contains("--each-area"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn the_area_template_drafts_a_one_area_patch() {
    let mut request = request(
        fixture("scenarios/one-area.toml"),
        vec![fixture("scenarios/mixed.csv")],
        fixture("scenarios/population.csv"),
        "2021-01-18",
    );
    request.template = Some("area".to_string());
    casewire::draft::check_area_template(&request).unwrap();
    let d = draft(&request).unwrap_or_else(|e| panic!("{e}"));
    assert!(d.output.starts_with("# "), "{}", d.output);
    // The command line drafts it as well.
    let run = Casewire::new()
        .args([
            "draft",
            "--patch",
            arg(&fixture("scenarios/one-area.toml")),
            "--data",
            arg(&fixture("scenarios/mixed.csv")),
            "--population",
            arg(&fixture("scenarios/population.csv")),
            "--release",
            "2021-01-18",
            "--template",
            "area",
        ])
        .success();
    assert_eq!(run.stdout, d.output);
}

#[test]
fn the_patch_file_may_list_fixed_text() {
    let dir = with_provenance(&format!("If you have symptoms, {BOILERPLATE}."));
    let patch = dir.path().join("patch.toml");
    let text = std::fs::read_to_string(se_london()).unwrap();
    std::fs::write(
        &patch,
        format!("{text}\n[copy]\nliteral = [\"{BOILERPLATE}\"]\n"),
    )
    .unwrap();
    let mut request = january_request();
    request.patch = patch.clone();
    request.templates = Some(dir.path().to_path_buf());
    let d = draft(&request).unwrap_or_else(|e| panic!("{e}"));
    assert!(d.output.contains(BOILERPLATE), "{}", d.output);
    // A phrase that is empty takes nothing as written and is refused.
    std::fs::write(
        &patch,
        format!("{text}\n[copy]\nliteral = [\"call 119\", \" \"]\n"),
    )
    .unwrap();
    let err = draft(&request).unwrap_err().to_string();
    assert!(err.contains("[copy] literal: phrase 2 is empty"), "{err}");
}

#[test]
fn every_area_s_story_takes_literal_text_as_written() {
    let dir = with_provenance(&format!(
        "If you have symptoms, {{{{ \"{BOILERPLATE}\" | literal }}}}."
    ));
    let mut request = each_area_request(
        vec![fixture("scenarios/mixed.csv")],
        fixture("scenarios/population.csv"),
        "2021-01-18",
    );
    request.templates = Some(dir.path().to_path_buf());
    let run = draft_each_area(&request).unwrap_or_else(|e| panic!("{e}"));
    assert!(!run.stories.is_empty());
    for story in &run.stories {
        let out = &story.draft.output;
        assert!(story.draft.checked.audited);
        assert!(out.contains(BOILERPLATE), "{out}");
        assert!(!out.contains(['\u{E004}', '\u{E005}']), "{out:?}");
    }
}
