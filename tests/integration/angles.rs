//! The story's angle (tests/fixtures/scenarios/angle-*.csv): a headline and intro that lead
//! with a patch area among the national leaders, the only riser or faller, or a rate that
//! halved or doubled, in that order, else the patch's trend; and the audit refusing each
//! angle's words when the data do not bear them out.

use casewire::audit::AuditReport;
use casewire::draft::{Draft, draft};
use casewire::story::Angle;

use crate::support::*;

fn angled(data: &str) -> Draft {
    let request = scenario_request(data, "patch.toml", "weekly-roundup");
    draft(&request).unwrap_or_else(|e| panic!("{data}: {e}"))
}

fn has(d: &Draft, needle: &str) {
    assert!(
        d.output.contains(needle),
        "missing {needle:?} in\n{}",
        d.output
    );
}

/// The audit of `data`'s story with `from` replaced by `to`.
fn edited(data: &str, from: &str, to: &str) -> AuditReport {
    let request = scenario_request(data, "patch.toml", "weekly-roundup");
    audit_edited(&request, |text| text.replacen(from, to, 1)).1
}

#[test]
fn a_patch_area_with_the_highest_rate_in_the_country_leads() {
    let d = angled("angle-leader");
    assert_eq!(
        d.story.local.angle,
        Angle::Leader {
            name: "Alder".into(),
            position: 1,
            tied: false,
            shared_with: Vec::new(),
        }
    );
    assert!(
        d.output
            .starts_with("# Alder has the highest Covid-19 rate in England\n"),
        "{}",
        d.output
    );
    has(
        &d,
        "with Alder the exception, according to figures from the Government's coronavirus dashboard. Alder has the highest rate in England.",
    );
    let report = edited(
        "angle-leader",
        "# Alder has the highest",
        "# Birch has the highest",
    );
    refused(&report, "\"highest\" is wrong for Birch");
}

#[test]
fn the_only_riser_leads_when_no_patch_area_leads_the_country() {
    let d = angled("angle-only-riser");
    assert_eq!(
        d.story.local.angle,
        Angle::OnlyRiser {
            name: "Alder".into()
        }
    );
    assert!(
        d.output
            .starts_with("# Covid-19 rate rises only in Alder\n"),
        "{}",
        d.output
    );
    // The lead names the exception already, so the intro says it once.
    assert!(!d.output.contains("Only Alder"), "{}", d.output);
    let report = edited(
        "angle-only-riser",
        "rises only in Alder",
        "rises only in Birch",
    );
    refused(&report, "is wrong for Birch");
}

#[test]
fn the_only_faller_leads_a_rising_patch() {
    let d = angled("angle-only-faller");
    assert_eq!(
        d.story.local.angle,
        Angle::OnlyFaller {
            name: "Alder".into()
        }
    );
    assert!(
        d.output
            .starts_with("# Covid-19 rate falls only in Alder\n"),
        "{}",
        d.output
    );
    let report = edited(
        "angle-only-faller",
        "falls only in Alder",
        "falls only in Cedar",
    );
    refused(&report, "is wrong for Cedar");
}

#[test]
fn a_halved_rate_leads_and_a_false_halving_is_refused() {
    let d = angled("angle-halved");
    assert_eq!(
        d.story.local.angle,
        Angle::Halved {
            name: "Cedar".into()
        }
    );
    assert!(
        d.output.starts_with("# Covid-19 rate halves in Cedar\n"),
        "{}",
        d.output
    );
    has(&d, "The rate in Cedar has halved.");
    // Birch fell from 250.0 to 200.0: a fall, not a halving.
    refused(
        &edited("angle-halved", "halves in Cedar", "halves in Birch"),
        "\"halves\" is wrong for Birch: its rate went from 250.0 to 200.0",
    );
    refused(
        &edited(
            "angle-halved",
            "The rate in Cedar has halved.",
            "The rate in Birch has halved.",
        ),
        "\"halved\" is wrong for Birch",
    );
    // A true halving in other words passes.
    let report = edited(
        "angle-halved",
        "# Covid-19 rate halves in Cedar",
        "# Cedar's Covid-19 rate halved",
    );
    assert!(report.passed(), "{:#?}", report.failures);
}

#[test]
fn a_doubled_rate_leads_and_a_false_doubling_is_refused() {
    let d = angled("angle-doubled");
    assert_eq!(
        d.story.local.angle,
        Angle::Doubled {
            name: "Cedar".into()
        }
    );
    assert!(
        d.output.starts_with("# Covid-19 rate doubles in Cedar\n"),
        "{}",
        d.output
    );
    has(&d, "The rate in Cedar has doubled.");
    // Alder rose from 250.0 to 300.0.
    refused(
        &edited("angle-doubled", "doubles in Cedar", "doubles in Alder"),
        "\"doubles\" is wrong for Alder: its rate went from 250.0 to 300.0",
    );
    // A doubling claimed for a fall is refused too.
    refused(
        &edited("angle-halved", "halves in Cedar", "doubles in Cedar"),
        "\"doubles\" is wrong for Cedar",
    );
    let report = edited(
        "angle-doubled",
        "The rate in Cedar has doubled.",
        "Cedar's rate has doubled.",
    );
    assert!(report.passed(), "{:#?}", report.failures);
}

#[test]
fn a_halving_on_small_counts_is_no_angle() {
    // Cedar went from 45 cases to 20: told as counts, not as a halving.
    let d = angled("angle-small");
    assert_eq!(d.story.local.angle, Angle::Trend);
    assert!(
        d.output
            .starts_with("# Covid-19 rates fall in every district in Scenarioshire\n"),
        "{}",
        d.output
    );
    assert!(!d.output.contains("halve"), "{}", d.output);
}

#[test]
fn a_patch_area_among_the_national_leaders_leads_with_its_printed_rank() {
    // August 2021: Sedgemoor has the third highest rate of England's 300-odd areas.
    let mut request = august_request();
    request.patch = fixture("patches/somerset.toml");
    let d = draft(&request).unwrap();
    assert!(
        matches!(
            d.story.local.angle,
            Angle::Leader {
                position: 3,
                tied: false,
                ..
            }
        ),
        "{:?}",
        d.story.local.angle
    );
    assert!(
        d.output
            .starts_with("# Sedgemoor has the third highest Covid-19 rate in England\n"),
        "{}",
        d.output
    );
    has(&d, "Sedgemoor has the third highest rate in England.");
    let report = audit_edited(&request, |t| {
        t.replacen(
            "the third highest Covid-19",
            "the fourth highest Covid-19",
            1,
        )
    })
    .1;
    refused(
        &report,
        "\"fourth highest\" is wrong for Sedgemoor: its rate ranks 3rd",
    );
}

#[test]
fn a_shared_top_rate_names_the_patch_areas_that_share_it() {
    let d = angled("tie-first");
    assert!(
        matches!(
            &d.story.local.angle,
            Angle::Leader {
                position: 1,
                tied: true,
                shared_with,
                ..
            } if shared_with == &["Alder", "Birch"]
        ),
        "{:?}",
        d.story.local.angle
    );
    assert!(
        d.output
            .starts_with("# Alder and Birch share the highest Covid-19 rate in England\n"),
        "{}",
        d.output
    );
    has(&d, "Alder and Birch share the highest rate in England.");
    // "has the highest" of one of them says no other area has it.
    refused(
        &edited(
            "tie-first",
            "# Alder and Birch share the highest",
            "# Alder has the highest",
        ),
        "\"highest\" is wrong for Alder",
    );
}

#[test]
fn an_only_in_the_headline_is_checked_against_the_patch() {
    // Every district rose: none is the only riser.
    refused(
        &edited("angle-doubled", "doubles in Cedar", "rises only in Cedar"),
        "\"only\" is wrong for Cedar",
    );
}

#[test]
fn a_lone_exception_does_not_take_the_headline_from_a_patch_against_the_nation() {
    // August 2021: four of south east London's five boroughs fell while most of England rose;
    // Bromley, the one riser, is told in the lead and its own line, not the headline.
    let d = draft(&august_request()).unwrap();
    assert_eq!(d.story.local.angle, Angle::Trend);
    assert!(d.story.local.contrast.is_some());
    assert!(
        d.story
            .core
            .iter()
            .any(|a| a.only_riser && a.name == "Bromley")
    );
    assert!(
        d.output
            .starts_with("# Covid-19 rates fall in all but one borough in south east London\n"),
        "{}",
        d.output
    );
}
