//! What the copy says beyond an area's own week: the patch's total new cases, a leader's move
//! in the ranking, the county that places a district, rankings within a region, and the
//! leader lines' frames by seed. Each is told only when true, and the audit refuses it when
//! an edit makes it false.

use casewire::draft::draft;

use crate::support::*;

#[test]
fn a_patch_total_is_rounded_down_honestly_and_checked() {
    // January: the five boroughs had 2,233 + 2,263 + 2,237 + 1,718 + 1,884 = 10,335 cases.
    let said = "In all, more than 10,000 new cases were recorded across the five boroughs of south east London";
    for template in ["weekly-roundup", "by-area"] {
        let mut request = january_request();
        request.template = Some(template.to_string());
        let d = draft(&request).unwrap();
        assert!(d.output.contains(said), "{template}:\n{}", d.output);
        assert_eq!(d.output.matches("In all,").count(), 1, "{template}");
    }
    let request = january_request();
    let (_, r) = audit_edited(&request, |t| t.replace("more than 10,000", "10,335"));
    assert!(r.passed(), "the exact sum: {:#?}", r.failures);
    for (wrong, why) in [
        (
            "more than 11,000",
            "\"more than 11,000 new cases\" is wrong for the patch",
        ),
        (
            "nearly 11,000",
            "\"nearly 11,000 new cases\" is wrong for the patch",
        ),
        (
            "more than 9,000",
            "\"more than 9,000 new cases\" is wrong for the patch",
        ),
        (
            "just over 10,000",
            "\"just over 10,000 new cases\" is wrong for the patch",
        ),
        (
            "10,336",
            "\"10,336 new cases\" is wrong for the patch: its five boroughs had 10,335",
        ),
        ("about 10,000", "\"about 10,000 new cases\" is wrong"),
    ] {
        let (_, r) = audit_edited(&request, |t| t.replace("more than 10,000", wrong));
        refused(&r, why);
    }
}

#[test]
fn a_small_patch_total_is_printed_exactly() {
    for data in ["mixed", "all-up", "zero-cases"] {
        let d = draft(&scenario_request(data, "patch.toml", "weekly-roundup")).unwrap();
        let sum: i64 = d.story.core.iter().map(|a| a.cases).sum();
        let total = d.story.local.total.as_ref().expect("a total");
        assert_eq!(
            (total.cases, total.figure, total.hedge.as_str()),
            (sum, sum, "")
        );
        let said = if sum == 0 {
            "In all, no new cases were recorded across the three districts of Scenarioshire"
                .to_string()
        } else {
            format!(
                "In all, {sum} new {} recorded across the three districts of Scenarioshire",
                if sum == 1 { "case was" } else { "cases were" }
            )
        };
        assert!(d.output.contains(&said), "{data}:\n{}", d.output);
    }
}

#[test]
fn a_patch_total_is_left_out_for_one_area_or_a_core_area_without_figures() {
    let one = draft(&scenario_request(
        "mixed",
        "one-area.toml",
        "weekly-roundup",
    ))
    .unwrap();
    assert!(one.story.local.total.is_none());
    assert!(!one.output.contains("In all,"), "{}", one.output);
    let missing = draft(&scenario_request("missing", "patch.toml", "by-area")).unwrap();
    assert!(missing.story.unavailable.iter().any(|u| u.core));
    assert!(missing.story.local.total.is_none());
    assert!(!missing.output.contains("In all,"), "{}", missing.output);
}

#[test]
fn a_leader_s_move_in_rank_is_told_and_checked() {
    // January: Barking and Dagenham led the week before and is third; Slough was below it and
    // is second.
    let request = january_request();
    let d = draft(&request).unwrap();
    assert!(
        d.output
            .contains("Barking and Dagenham has slipped to third place"),
        "{}",
        d.output
    );
    assert!(d.output.contains("Slough has climbed to second place"));
    let moved: Vec<_> = d.story.leaders.iter().map(|l| l.moved).collect();
    assert_eq!(moved[0], None, "the top line tells its own change");
    assert!(moved[1].is_some_and(|m| m.climbed && m.from > 2));
    assert!(moved[2].is_some_and(|m| !m.climbed && m.from == 1));

    let (_, r) = audit_edited(&request, |t| {
        t.replace(
            "Barking and Dagenham has slipped to third place",
            "Barking and Dagenham has climbed to third place",
        )
    });
    refused(
        &r,
        "\"climbed to 3rd place\" is wrong for Barking and Dagenham: its rate ranked 1st the week before",
    );
    let (_, r) = audit_edited(&request, |t| {
        t.replace(
            "Slough has climbed to second place",
            "Slough has dropped to second place",
        )
    });
    refused(&r, "\"dropped to 2nd place\" is wrong for Slough");
    let (_, r) = audit_edited(&request, |t| {
        t.replace(
            "Slough has climbed to second place",
            "Slough has climbed to joint second place",
        )
    });
    refused(
        &r,
        "\"joint 2nd place\" is wrong for Slough: no other area has its rate",
    );
}

#[test]
fn county_qualifiers_place_leaders_and_a_patch_can_turn_them_off() {
    let d = draft(&january_request()).unwrap();
    // Knowsley is a metropolitan district; Slough a unitary, Barking and Dagenham a London
    // borough: only Knowsley is placed, once, and the audit passed the copy.
    assert!(d.output.contains("Knowsley in Merseyside"), "{}", d.output);
    assert_eq!(d.output.matches("in Merseyside").count(), 1);
    assert!(!d.output.contains("Slough in "));
    assert!(!d.output.contains("Dagenham in "));
    assert_eq!(
        d.story.leaders[0].area.qualifier.as_deref(),
        Some("Merseyside")
    );
    assert!(d.story.core.iter().all(|a| a.qualifier.is_none()));

    let (_dir, request) = patch_with(&[], "\n[copy]\nqualifiers = false\n");
    let off = draft(&request).unwrap();
    assert!(!off.output.contains("in Merseyside"), "{}", off.output);
    assert!(off.story.leaders.iter().all(|l| l.area.qualifier.is_none()));
}

#[test]
fn a_regional_ranking_is_checked_against_the_whole_region() {
    // January, North West: Knowsley 1,177.9, Halton 930.4, Carlisle 887.0, Sefton 886.7; in
    // Merseyside, Knowsley then Sefton. A patch named for the North West that holds three of
    // its areas: "the highest rate in the North West" is a claim about the whole region, not
    // the three, and the patch's own superlatives say "among the three boroughs".
    let (_dir, request) = patch_with(
        &[
            (
                "region = \"south east London\"",
                "region = \"the North West\"",
            ),
            (
                "core = [\"Bexley\", \"Bromley\", \"Greenwich\", \"Lewisham\", \"Southwark\"]",
                "core = [\"Halton\", \"Carlisle\", \"Sefton\"]",
            ),
            (
                "nearby = [\"Croydon\", \"Dartford\", \"Lambeth\"]",
                "nearby = []",
            ),
        ],
        "",
    );
    let d = draft(&request).unwrap();
    assert!(d.story.local.part_of_region);
    assert!(
        d.output
            .contains("Halton has the highest rate among the three boroughs"),
        "{}",
        d.output
    );
    added_claims_judged(
        &request,
        &[
            "Knowsley has the highest rate in the North West.",
            "Knowsley has the highest rate in Merseyside.",
        ],
        &[
            (
                "Halton has the highest rate in the North West.",
                "\"highest\" is wrong for Halton: its rate ranks 2nd in the North West",
            ),
            (
                "Carlisle has the second highest rate in the North West.",
                "\"second highest\" is wrong for Carlisle: its rate ranks 3rd in the North West",
            ),
            (
                "Sefton has the highest rate in Merseyside.",
                "\"highest\" is wrong for Sefton: its rate ranks 2nd in Merseyside",
            ),
        ],
    );
}

#[test]
fn the_leader_lines_vary_by_seed_and_never_repeat_a_frame_in_a_row() {
    let mut tops = std::collections::BTreeSet::new();
    for seed in 0..8u64 {
        let mut request = january_request();
        request.seed = Some(seed);
        let d = draft(&request).unwrap();
        let again = draft(&request).unwrap();
        assert_eq!(d.output, again.output, "seed {seed} is deterministic");
        let frames: Vec<u8> = d.story.leaders.iter().map(|l| l.area.frame).collect();
        assert!(
            frames.windows(2).all(|w| w[0] != w[1]),
            "seed {seed}: {frames:?}"
        );
        let top = d
            .output
            .lines()
            .find(|l| l.contains("the highest rate in England"))
            .expect("a top line")
            .to_string();
        tops.insert(top);
    }
    assert_eq!(tops.len(), 3, "{tops:#?}");
}
