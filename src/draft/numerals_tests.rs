//! The audit of a real drafted story with its figures printed otherwise: in digits other than
//! ASCII 0–9 and as numbers in words from ten up. The story as drafted passes; each change
//! fails, at the line changed.

use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;

use super::{Draft, DraftRequest, Format, Inputs, draft};
use crate::audit::{AuditInput, AuditReport, audit};

/// The south-east London round-up of January 18, 2021, drafted once, and its inputs.
fn drafted() -> &'static (Draft, Inputs) {
    static STORY: OnceLock<(Draft, Inputs)> = OnceLock::new();
    STORY.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let shared = root.join("../shared/data");
        let request = DraftRequest {
            patch: root.join("examples/se-london.toml"),
            data: vec![shared.join("releases/2021-01-18/ltla-reconstructed.csv")],
            population: shared.join("population/mid-2019.csv"),
            release: "2021-01-18".parse().expect("date"),
            template: Some("weekly-roundup".to_string()),
            templates: None,
            format: Format::Markdown,
            today: "2026-01-01".parse().ok(),
            no_audit: false,
            seed: None,
            archive: None,
            expect_from: None,
        };
        let inputs = Inputs::for_request(&request).expect("inputs");
        (draft(&request).expect("the story drafts"), inputs)
    })
}

fn audited(text: &str) -> AuditReport {
    let (drafted, inputs) = drafted();
    audit(AuditInput {
        text,
        facts: &drafted.facts.facts,
        story: &drafted.story,
        dataset: &inputs.dataset,
        population: &inputs.population,
        patch: &inputs.patch,
    })
}

/// The story's first rate ("1,026.7", "739.9"): its text, and its line (1-based).
fn first_rate(text: &str) -> (usize, &str, usize) {
    let (i, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("rate stands at") || l.contains("rate of "))
        .expect("a rate's sentence");
    let at = line.find(|c: char| c.is_ascii_digit()).expect("a figure");
    let len = line[at..]
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(line.len() - at);
    (i + 1, &line[at..at + len], at)
}

/// A numeral other than ASCII 0–9: full-width, Arabic-Indic, Devanagari, mathematical,
/// circled, superscript, subscript, fractions, Roman numerals and other numeric characters.
fn numeral() -> impl Strategy<Value = char> {
    prop_oneof![
        proptest::char::range('\u{FF10}', '\u{FF19}'),
        proptest::char::range('\u{0660}', '\u{0669}'),
        proptest::char::range('\u{0966}', '\u{096F}'),
        proptest::char::range('\u{1D7CE}', '\u{1D7FF}'),
        proptest::char::range('\u{2460}', '\u{249B}'),
        proptest::char::range('\u{2070}', '\u{2089}'),
        proptest::char::range('\u{00B2}', '\u{00BE}'),
        proptest::char::range('\u{2150}', '\u{2188}'),
    ]
    .prop_filter("a numeral other than ASCII 0–9", |c| {
        c.is_numeric() && !c.is_ascii_digit()
    })
}

#[test]
fn the_story_as_drafted_passes() {
    let (drafted, _) = drafted();
    let report = audited(&drafted.output);
    assert!(report.passed(), "{:?}", report.failures);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any numeral other than ASCII 0–9 in a rate's place, or in place of one of its digits,
    /// fails the audit at the rate's line, naming the character.
    #[test]
    fn a_numeral_other_than_ascii_fails(c in numeral(), whole in any::<bool>(), digit in 0usize..4) {
        let (drafted, _) = drafted();
        let text = &drafted.output;
        let (line, rate, at) = first_rate(text);
        let printed: String = if whole {
            rate.chars().map(|d| if d.is_ascii_digit() { c } else { d }).collect()
        } else {
            let k = rate.char_indices().filter(|(_, d)| d.is_ascii_digit()).map(|(k, _)| k).nth(digit % 3).unwrap_or(0);
            format!("{}{c}{}", &rate[..k], &rate[k + 1..])
        };
        let lines: Vec<&str> = text.lines().collect();
        let changed_line = format!("{}{printed}{}", &lines[line - 1][..at], &lines[line - 1][at + rate.len()..]);
        let changed: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| if i + 1 == line { format!("{changed_line}\n") } else { format!("{l}\n") })
            .collect();
        let report = audited(&changed);
        let code = format!("U+{:04X}", u32::from(c));
        prop_assert!(
            report.failures.iter().any(|f| f.line == line && f.message.contains(&code) && f.message.contains("ASCII digits")),
            "{printed:?}: {:?}", report.failures
        );
    }

    /// A number in words from ten up, or a fraction of a quantity, said of an area fails the
    /// audit: no fact is printed so.
    #[test]
    fn a_number_in_words_fails(
        words in prop::sample::select(vec![
            "ten", "nineteen", "twenty-one", "ninety", "a hundred", "thousands of",
            "a million", "dozens of", "scores of", "half of the", "a third of the", "two thirds of the",
            "three quarters of the", "a quarter of the",
        ]),
    ) {
        let (drafted, _) = drafted();
        let text = &drafted.output;
        let (line, rate, at) = first_rate(text);
        let lines: Vec<&str> = text.lines().collect();
        let changed: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| if i + 1 == line {
                format!("{}{words} {}\n", &l[..at], &l[at + rate.len()..])
            } else {
                format!("{l}\n")
            })
            .collect();
        let report = audited(&changed);
        prop_assert!(
            report.failures.iter().any(|f| f.line == line && f.message.contains("a number in words the audit cannot trace")),
            "{words:?}: {:?}", report.failures
        );
    }
}
