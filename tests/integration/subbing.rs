//! The subbing rules (`lint_with`, issue 14): each rule flags its failing sentence and passes
//! the corrected one; known names and literals are not read as figures or doubled words, by
//! the lint or the audit; `lint` is unchanged by all of it.

use casewire::audit::{AuditContext, AuditInput};
use casewire::copy::{Copy, Known};
use casewire::draft::{Inputs, draft};
use casewire::lint::{LintFinding, Rule, lint, lint_with};

use crate::support::*;

fn findings(text: &str, known: &Known<'_>) -> Vec<LintFinding> {
    lint_with(&Copy::read(text), known)
}

/// The snippets `rule` flags in `text`, knowing nothing.
fn flagged(text: &str, rule: Rule) -> Vec<String> {
    findings(text, &Known::default())
        .into_iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.snippet)
        .collect()
}

/// Each case: (failing sentence, the snippet flagged, the corrected sentence). The failing
/// sentence's finding quotes it; the corrected one has no finding of any rule.
fn rule_table(rule: Rule, cases: &[(&str, &str, &str)]) {
    let mut failures = Vec::new();
    for (bad, snippet, good) in cases {
        let got = findings(bad, &Known::default());
        let mine: Vec<&LintFinding> = got.iter().filter(|f| f.rule == rule).collect();
        if mine.len() != 1 || mine[0].snippet != *snippet || !bad.contains(&mine[0].sentence) {
            failures.push(format!("{bad:?}: want {snippet:?}, got {got:#?}"));
        }
        // The old lint does not apply the subbing rules.
        if lint(bad).iter().any(|f| f.rule == rule) {
            failures.push(format!("{bad:?}: lint() applied {rule}"));
        }
        let clean = findings(good, &Known::default());
        if !clean.is_empty() {
            failures.push(format!("{good:?}: {clean:#?}"));
        }
    }
    assert!(failures.is_empty(), "{rule}:\n{}", failures.join("\n"));
}

#[test]
fn ons_inversions() {
    rule_table(
        Rule::OnsInversion,
        &[
            (
                "Kingston upon Hull, City of's rate is 217.5.",
                "Kingston upon Hull, City of's",
                "Hull's rate is 217.5.",
            ),
            (
                "Bristol, City of recorded a rate of 254.0.",
                "Bristol, City of",
                "Bristol recorded a rate of 254.0.",
            ),
            (
                "The rate in Herefordshire, County of is 130.2.",
                "Herefordshire, County of",
                "The rate in Herefordshire is 130.2.",
            ),
        ],
    );
    // A name that goes on after "of" is not an inversion.
    assert!(flagged("Hull, City of Culture in 2017, rose.", Rule::OnsInversion).is_empty());
}

#[test]
fn saint_with_a_full_stop() {
    rule_table(
        Rule::SaintFullStop,
        &[(
            "St. Helens recorded a rate of 612.4.",
            "St.",
            "St Helens recorded a rate of 612.4.",
        )],
    );
    // A sentence that ends with "St." and a new one is not a saint's name.
    assert!(
        flagged(
            "They live on Ship St.\n\nHelens is a name.",
            Rule::SaintFullStop
        )
        .is_empty()
    );
}

#[test]
fn articles_after_every() {
    rule_table(
        Rule::ArticleAfterEvery,
        &[
            (
                "Covid-19 rates rise in every the west of Scotland council area.",
                "every the",
                "Covid-19 rates rise in every council area in the west of Scotland.",
            ),
            (
                "Rates fell in all but one the Scottish islands area.",
                "all but one the",
                "Rates fell in all but one of the Scottish islands areas.",
            ),
        ],
    );
}

#[test]
fn all_two() {
    rule_table(
        Rule::AllTwo,
        &[(
            "Rates fell in all two boroughs of the patch area.",
            "all two",
            "Rates fell in both boroughs of the area.",
        )],
    );
    assert!(flagged("Rates fell in all two-tier districts.", Rule::AllTwo).is_empty());
}

#[test]
fn newsroom_jargon() {
    rule_table(
        Rule::NewsroomJargon,
        &[
            (
                "Just outside the patch, Croydon has a rate of 310.4.",
                "Just outside the patch",
                "Nearby, Croydon has a rate of 310.4.",
            ),
            (
                "Every borough in the patch saw a fall.",
                "patch",
                "Every borough in south east London saw a fall.",
            ),
        ],
    );
}

#[test]
fn bottom_half_highest() {
    rule_table(
        Rule::BottomHalfHighest,
        &[
            (
                "That is the 290th highest fall in England, where 295 of the 315 local areas saw their rate go down.",
                "290th highest",
                "That is one of the smallest falls in England, where 295 of the 315 local areas saw their rate go down.",
            ),
            (
                "Its rate is the 257th highest of 315 local areas in England.",
                "257th highest",
                "Its rate is the 59th lowest of 315 local areas in England.",
            ),
        ],
    );
    let f = findings(
        "That is the 290th highest fall in England, where 295 of the 315 local areas saw their rate go down.",
        &Known::default(),
    );
    assert!(
        f[0].message.contains("sixth smallest fall"),
        "{}",
        f[0].message
    );
    // A top-half rank passes, and so does a rank the sentence gives nothing to judge by (the
    // audit checks it).
    for ok in [
        "That is the 12th highest fall in England, where 295 of the 315 local areas saw their rate go down.",
        "That is the 290th highest fall in England.",
        "It has the second highest rate of the five boroughs.",
    ] {
        assert!(flagged(ok, Rule::BottomHalfHighest).is_empty(), "{ok}");
    }
}

#[test]
fn repeated_sentences() {
    let twice = "Knowsley has the highest rate in England, at 1,177.9 with 1,777 new cases.\n\nSlough is second.\n\nKnowsley has the highest rate in England, at 1,177.9 with 1,777 new cases.\n";
    let f: Vec<LintFinding> = findings(twice, &Known::default())
        .into_iter()
        .filter(|f| f.rule == Rule::RepeatedSentence)
        .collect();
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].line, 5);
    assert!(f[0].message.contains("first on line 1"), "{}", f[0].message);
    assert!(f[0].sentence.starts_with("Knowsley has the highest rate"));
    let once = "Knowsley has the highest rate in England, at 1,177.9 with 1,777 new cases.\n\nSlough is second.\n";
    assert!(findings(once, &Known::default()).is_empty());
    // Short lines repeat by design (a sub-heading per area).
    assert!(flagged("Bexley\n\nBexley\n", Rule::RepeatedSentence).is_empty());
}

#[test]
fn the_seed_stories_pass_the_subbing_rules() {
    for seed in [
        "2021-08-27-south-east-london.txt",
        "2021-09-01-south-east-london.txt",
    ] {
        let text = std::fs::read_to_string(root().join("../shared/seeds").join(seed)).unwrap();
        let copy = Copy::read(&text);
        let f: Vec<LintFinding> = lint_with(&copy, &Known::default())
            .into_iter()
            .filter(|f| Rule::COPY.contains(&f.rule))
            .collect();
        assert!(f.is_empty(), "{seed}: {f:#?}");
    }
}

#[test]
fn known_names_are_not_figures_or_doubled_words() {
    // MSOA names hold digits; the shared data hold no area name with digits or a doubled
    // word, so these are made up in that shape.
    let names = vec![
        "Hartlepool 001".to_string(),
        "Leeds 1016".to_string(),
        "Walla Walla".to_string(),
    ];
    let text = "Hartlepool 001 recorded a rate of 254.0 (45 cases).\n\nIn Leeds 1016, the rate rose to 310.4.\n\nWalla Walla has a rate of 99.0.\n";
    let blind = findings(text, &Known::default());
    let rules: Vec<Rule> = blind.iter().map(|f| f.rule).collect();
    assert!(rules.contains(&Rule::ThousandsSeparators), "{blind:#?}");
    assert!(rules.contains(&Rule::DoubledWords), "{blind:#?}");
    let known = Known {
        names: &names,
        literals: &[],
    };
    assert_eq!(findings(text, &known), []);
    // A real slip beside a known name is still flagged.
    let slip = "Walla Walla has a rate of 99 per 100,000, the the lowest.";
    let rules: Vec<Rule> = findings(slip, &known).iter().map(|f| f.rule).collect();
    assert_eq!(rules, [Rule::RateDecimals, Rule::DoubledWords]);
}

const BOILERPLATE: &str =
    "If you have symptoms, book a test at nhs.uk or call 119 on 0300 1234567.";

#[test]
fn literals_are_not_figures_for_the_lint() {
    let literals = vec!["book a test at nhs.uk or call 119 on 0300 1234567".to_string()];
    let blind: Vec<Rule> = findings(BOILERPLATE, &Known::default())
        .iter()
        .map(|f| f.rule)
        .collect();
    assert!(blind.contains(&Rule::ThousandsSeparators), "{blind:?}");
    let known = Known {
        names: &[],
        literals: &literals,
    };
    assert_eq!(findings(BOILERPLATE, &known), []);
}

#[test]
fn literals_are_not_figures_for_the_audit() {
    let request = january_request();
    let inputs = Inputs::for_request(&request).unwrap();
    let d = draft(&request).unwrap();
    let text = format!("{}\n{BOILERPLATE}\n", d.output);
    let input = AuditInput {
        text: &text,
        facts: &d.facts.facts,
        story: &d.story,
        dataset: &inputs.dataset,
        population: &inputs.population,
        patch: &inputs.patch,
    };
    let context = AuditContext::new(
        &d.story,
        &[],
        &inputs.dataset,
        &inputs.population,
        &inputs.patch,
    );
    let copy = Copy::read(&text);
    let blind = context.audit_copy(input, &copy);
    assert!(
        blind
            .failures
            .iter()
            .any(|f| f.message.contains("\"119\" traces to no fact")),
        "{:#?}",
        blind.failures
    );
    let literals = vec!["book a test at nhs.uk or call 119 on 0300 1234567".to_string()];
    let known = Known {
        names: &[],
        literals: &literals,
    };
    let report = context.audit_known(input, &copy, &known);
    assert!(report.passed(), "{:#?}", report.failures);
    assert_eq!(report.figures, blind.figures);
    // A figure of the story's beside the literal is still traced.
    let wrong = text.replace(BOILERPLATE, &format!("{BOILERPLATE} Bexley's rate is 1.5."));
    let input = AuditInput {
        text: &wrong,
        ..input
    };
    let copy = Copy::read(&wrong);
    let report = context.audit_known(input, &copy, &known);
    assert!(
        report
            .failures
            .iter()
            .any(|f| f.message.contains("\"1.5\" traces to no fact")),
        "{:#?}",
        report.failures
    );
}
