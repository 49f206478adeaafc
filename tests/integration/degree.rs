//! Degree words at most twice a story (issue 14): the story model keeps them for its biggest
//! moves (the national leaders' strongest first, then the patch's own), every built-in story
//! prints at most two, the `degree-words` lint rule flags a third with its line, and the audit
//! still accepts the plain verb and still refuses a degree word the data do not bear.

use casewire::copy::{Copy, Known};
use casewire::draft::{Inputs, draft};
use casewire::lint::{LintFinding, Rule, lint, lint_with};
use casewire::render::Renderer;
use casewire::story::{DEGREE_WORDS, Degree, Story};

use crate::support::*;

/// The patches of the snapshot stories: every nation, a city, a two-tier county, islands, a
/// nation as the region, a one-area patch, a tie for top.
const PATCHES: &[&str] = &[
    "bristol",
    "cardiff-vale",
    "cornwall-devon",
    "hull",
    "islands",
    "merseyside",
    "north-wales",
    "northern-ireland",
    "scotland",
    "somerset",
    "tie",
    "wales",
    "west-scotland",
];

fn degree_findings(text: &str, known: &Known<'_>) -> Vec<LintFinding> {
    lint_with(&Copy::read(text), known)
        .into_iter()
        .filter(|f| f.rule == Rule::DegreeWords)
        .collect()
}

/// The areas whose degree word the story prints: core, nearby and leaders.
fn shown(story: &Story) -> Vec<String> {
    story
        .core
        .iter()
        .chain(&story.nearby)
        .chain(story.leaders.iter().map(|l| &l.area))
        .filter(|a| a.show_degree)
        .map(|a| a.name.clone())
        .collect()
}

#[test]
fn a_third_degree_word_is_flagged_with_its_line() {
    let text = "Bexley's rate is up dramatically from 253.5.\n\nBromley's rate is down sharply from 250.6.\n\nGreenwich's rate is up slightly from 261.2.\n\nLewisham has seen a whopping rise.\n";
    let f = degree_findings(text, &Known::default());
    let got: Vec<(usize, &str)> = f.iter().map(|f| (f.line, f.snippet.as_str())).collect();
    assert_eq!(got, [(5, "slightly"), (7, "whopping")]);
    assert!(f[0].message.contains("lines 1 and 3"), "{}", f[0].message);
    assert_eq!(f[0].sentence, "Greenwich's rate is up slightly from 261.2.");
    assert_eq!(f[0].rule.name(), "degree-words");

    // Two are a story's share; the plain verb is never counted.
    let two = "Bexley's rate is up dramatically from 253.5.\n\nBromley's rate is down sharply from 250.6, and Greenwich's is up from 261.2.\n";
    assert_eq!(degree_findings(two, &Known::default()), []);
    // In a heading, a list and a sentence alike: the count is the story's.
    let spread = "# Covid-19 rate rises sharply in Bexley\n\nBromley is down slightly from 250.6.\n\n1. Greenwich (up dramatically from 87.5 to 261.2)\n";
    let f = degree_findings(spread, &Known::default());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].line, f[0].snippet.as_str()), (5, "dramatically"));

    // The house-style lint alone does not count them, as it never did.
    assert!(lint(text).iter().all(|f| f.rule != Rule::DegreeWords));
    // A template's fixed text is taken as written.
    let literals = vec!["rates rose sharply last winter".to_string()];
    let known = Known {
        names: &[],
        literals: &literals,
    };
    let with_literal = format!("{two}\nAs the desk reported, rates rose sharply last winter.\n");
    assert_eq!(degree_findings(&with_literal, &known), []);
    assert_eq!(degree_findings(&with_literal, &Known::default()).len(), 1);
}

#[test]
fn the_published_seed_with_three_is_flagged_at_its_third() {
    let text =
        std::fs::read_to_string(root().join("../shared/seeds/2021-08-27-south-east-london.txt"))
            .unwrap();
    let f = degree_findings(&text, &Known::default());
    assert_eq!(f.len(), 1, "{f:#?}");
    let line = text
        .lines()
        .position(|l| l.starts_with("Sedgemoor"))
        .unwrap()
        + 1;
    assert_eq!((f[0].line, f[0].snippet.as_str()), (line, "slightly"));
}

#[test]
fn every_built_in_story_prints_at_most_two() {
    let renderer = Renderer::new(None).unwrap();
    let mut failures = Vec::new();
    let mut words = 0;
    let patches = PATCHES
        .iter()
        .map(|p| fixture(&format!("patches/{p}.toml")))
        .chain([se_london()]);
    for patch in patches {
        for base in [january_request(), august_request()] {
            let mut request = base;
            request.patch = patch.clone();
            let mut inputs = Inputs::for_request(&request).unwrap();
            for seed in 0..3 {
                inputs.patch.seed = seed;
                for template in ["weekly-roundup", "by-area", "area"] {
                    let name = format!(
                        "{}, {}, seed {seed}, {template}",
                        patch.display(),
                        request.release
                    );
                    let d = match draft_markdown(&inputs, &renderer, &request, template) {
                        Ok(d) => d,
                        // A several-area patch has no `area` story.
                        Err(_) if template == "area" => continue,
                        Err(e) => panic!("{name}: {e}"),
                    };
                    assert!(d.checked.audited, "{name}");
                    let marked = shown(&d.story);
                    if marked.len() > DEGREE_WORDS {
                        failures.push(format!("{name}: {marked:?}"));
                    }
                    let f = degree_findings(&d.output, &Known::default());
                    if !f.is_empty() {
                        failures.push(format!("{name}: {f:#?}"));
                    }
                    words += d
                        .output
                        .split(|c: char| !c.is_alphabetic())
                        .filter(|w| {
                            matches!(
                                *w,
                                "dramatically"
                                    | "sharply"
                                    | "slightly"
                                    | "whopping"
                                    | "sharp"
                                    | "slight"
                            )
                        })
                        .count();
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The stories still tell their biggest moves.
    assert!(words > 100, "{words} degree words in all");
}

#[test]
fn every_area_story_prints_at_most_two() {
    let each = draft_each_area(&each_area_request(
        vec![shared("archive/ltla_2021-07-25_2021-09-10.csv")],
        shared("population/ONS-population_2021-08-05.csv"),
        "2021-08-27",
    ))
    .unwrap();
    assert!(each.stories.len() > 300);
    for s in &each.stories {
        let f = degree_findings(&s.draft.output, &Known::default());
        assert!(f.is_empty(), "{}: {f:#?}", s.draft.output);
    }
}

/// Scotland in August: every council area's rate rose, most of them by more than 60%. The
/// copy said "up dramatically" 13 times; now the patch's biggest move and the leaders'
/// strongest keep theirs.
#[test]
fn the_biggest_moves_keep_their_words() {
    let mut request = august_request();
    request.patch = fixture("patches/scotland.toml");
    let d = draft(&request).unwrap();
    let s = &d.story;
    let leaders: Vec<&str> = s
        .leaders
        .iter()
        .filter(|l| l.area.show_degree)
        .map(|l| l.area.name.as_str())
        .collect();
    assert_eq!(leaders.len(), 1, "{leaders:?}");
    let core: Vec<_> = s.core.iter().filter(|a| a.show_degree).collect();
    assert_eq!(core.len(), 1);
    let biggest = s
        .core
        .iter()
        .filter(|a| a.degree == Degree::Whopping && !a.small && !a.noise)
        .map(|a| a.percent_change_size.unwrap_or(i64::MAX))
        .max()
        .unwrap();
    assert_eq!(core[0].percent_change_size.unwrap_or(i64::MAX), biggest);
    let line = d
        .output
        .lines()
        .find(|l| l.contains(&core[0].name) && l.contains("dramatically"));
    assert!(line.is_some(), "{}", d.output);
    assert_eq!(degree_findings(&d.output, &Known::default()), []);
}

/// The audit accepts the plain verb printed for a big move, and refuses a degree word put
/// back where the data do not bear it.
#[test]
fn the_audit_still_checks_the_degree_words_it_sees() {
    let mut request = august_request();
    request.patch = fixture("patches/scotland.toml");
    let d = draft(&request).unwrap();
    // An area whose big rise now prints the plain verb: the draft passed the audit.
    let plain = d
        .story
        .core
        .iter()
        .find(|a| !a.show_degree && a.degree == Degree::Whopping && !a.small && !a.noise)
        .expect("a big move told plainly");
    let line = d
        .output
        .lines()
        .find(|l| l.contains(&plain.name) && l.contains(" up from "))
        .unwrap_or_else(|| panic!("{}: {}", plain.name, d.output))
        .to_string();
    assert!(d.checked.audited);

    // "Slightly" for a rise of more than 60% is refused.
    let (_, report) = audit_edited(&request, |text| {
        text.replace(&line, &line.replacen(" up from ", " up slightly from ", 1))
    });
    assert!(
        report.failures.iter().any(|f| f
            .to_string()
            .contains(&format!("\"slightly\" is wrong for {}", plain.name))),
        "{:#?}",
        report.failures
    );
    // "Dramatically" where it belongs is accepted: the audit checks the word, not the count.
    let (_, report) = audit_edited(&request, |text| {
        text.replace(
            &line,
            &line.replacen(" up from ", " up dramatically from ", 1),
        )
    });
    assert!(report.passed(), "{:#?}", report.failures);
}
