//! The patch's total new cases in the facts sidecar: a fact of its own, traced to each core
//! area's cases of the week, which the audit recomputes from the daily counts and refuses
//! when it is wrong.

use casewire::audit::{AuditInput, audit};
use casewire::draft::{DraftRequest, Inputs, draft};
use casewire::facts::{Fact, FactKind, FactValue, Recipe};

use crate::support::*;

fn total_fact(facts: &[Fact]) -> Option<&Fact> {
    facts.iter().find(|f| f.kind == FactKind::PatchTotal)
}

/// The audit of the request's own copy with its facts changed by `edit`.
fn audit_with(request: &DraftRequest, edit: impl Fn(&mut Fact)) -> Vec<String> {
    let inputs = Inputs::for_request(request).unwrap();
    let d = draft(request).unwrap();
    let mut facts = d.facts.facts.clone();
    facts
        .iter_mut()
        .filter(|f| f.kind == FactKind::PatchTotal)
        .for_each(edit);
    let report = audit(AuditInput {
        text: &d.output,
        facts: &facts,
        story: &d.story,
        dataset: &inputs.dataset,
        population: &inputs.population,
        patch: &inputs.patch,
    });
    report.failures.iter().map(ToString::to_string).collect()
}

#[test]
fn the_patch_total_is_a_fact_traced_to_each_core_areas_cases() {
    let d = draft(&january_request()).unwrap();
    let f = total_fact(&d.facts.facts).expect("a patch total fact");
    // 2,233 + 2,263 + 2,237 + 1,718 + 1,884 = 10,335, told as "more than 10,000".
    assert_eq!(f.id, "local.total_cases");
    assert_eq!(f.value, FactValue::Int(10_335));
    assert_eq!(f.printed, ["10,335", "more than 10,000"]);
    assert_eq!(f.used_by, ["local.total"]);
    assert_eq!(f.recipe, Recipe::PatchTotal { week: d.story.week });
    let codes: Vec<String> = d
        .story
        .core
        .iter()
        .map(|a| format!("{}.cases", a.code))
        .collect();
    assert_eq!(f.inputs.facts, codes);
    // Each area's cases fact it names is in the sidecar, with its daily counts.
    for id in &f.inputs.facts {
        let cases = d.facts.facts.iter().find(|g| &g.id == id).expect(id);
        assert_eq!(cases.inputs.daily.len(), 7, "{id}");
    }
    let sum: i64 = d.story.core.iter().map(|a| a.cases).sum();
    assert_eq!(f.value, FactValue::Int(sum));
    // The sidecar names the recipe's words and writes the call over the story's week.
    let json = d.facts.to_json();
    assert!(
        json.contains("\"patch_total\": \"patch_total(window)"),
        "{json}"
    );
    let line = json
        .lines()
        .find(|l| l.contains("\"local.total_cases\""))
        .expect("the fact's line");
    assert!(
        line.contains("\"recipe\":[\"patch_total\",\"week\"]"),
        "{line}"
    );
    assert!(line.contains("\"E09000011.cases\""), "{line}");
    // And the audit recomputed it with every other fact.
    assert!(d.checked.facts >= d.facts.facts.len(), "{:?}", d.checked);
}

#[test]
fn a_patch_total_that_does_not_recompute_is_refused_where_it_is_printed() {
    let request = january_request();
    let wrong = audit_with(&request, |f| {
        f.value = FactValue::Int(10_336);
        f.printed[0] = "10,336".to_string();
    });
    assert_eq!(wrong.len(), 1, "{wrong:#?}");
    assert!(
        wrong[0].contains(
            "the patch's total (local.total_cases) does not recompute from the data: the story has 10,336 but the data give 10,335"
        ) && wrong[0].contains("In all, more than 10,000 new cases"),
        "{wrong:#?}"
    );
    // A total over the wrong areas is not the patch's, even when its sum were right.
    let short = audit_with(&request, |f| {
        f.inputs.facts.pop();
    });
    assert!(
        short
            .iter()
            .any(|m| m.contains("it sums") && m.contains("but the patch's areas with figures are")),
        "{short:#?}"
    );
    // Printed out of house style: the exact sum must be among its forms.
    let style = audit_with(&request, |f| f.printed = vec!["more than 10,000".into()]);
    assert!(
        style
            .iter()
            .any(|m| m.contains("not in house style (10,335)")),
        "{style:#?}"
    );
}

#[test]
fn a_patch_of_one_area_or_with_an_area_missing_has_no_total_fact() {
    let one = draft(&scenario_request(
        "mixed",
        "one-area.toml",
        "weekly-roundup",
    ))
    .unwrap();
    assert!(total_fact(&one.facts.facts).is_none());
    let missing = draft(&scenario_request("missing", "patch.toml", "weekly-roundup")).unwrap();
    assert!(missing.story.local.total.is_none());
    assert!(total_fact(&missing.facts.facts).is_none());
    // A patch of three with figures: the exact sum, printed as it is.
    let three = draft(&scenario_request("mixed", "patch.toml", "weekly-roundup")).unwrap();
    let f = total_fact(&three.facts.facts).expect("a total");
    let total = three.story.local.total.as_ref().unwrap();
    assert_eq!(f.value, FactValue::Int(total.cases));
    assert_eq!(f.printed[0], casewire::lang::thousands(total.cases));
}

#[test]
fn the_patch_total_costs_the_sidecar_little() {
    // The patch's sidecar stays within its 40 KB budget with the total in it.
    for request in [january_request(), august_request()] {
        let json = draft(&request).unwrap().facts.to_json();
        assert!(json.contains("\"local.total_cases\""));
        assert!(json.len() <= 40 * 1024, "{} bytes", json.len());
    }
    // Scotland's 32 council areas, the biggest patch the fixtures hold: the total's line
    // names each area's cases fact once, a few dozen bytes an area.
    for base in [january_request(), august_request()] {
        let mut request = base;
        request.patch = fixture("patches/scotland.toml");
        let d = draft(&request).unwrap();
        let f = total_fact(&d.facts.facts).expect("a total");
        assert_eq!(f.inputs.facts.len(), d.story.core.len());
        let json = d.facts.to_json();
        let line = json
            .lines()
            .find(|l| l.contains("\"local.total_cases\""))
            .expect("the fact's line");
        assert!(line.len() <= 200 + 24 * d.story.core.len(), "{line}");
    }
}
