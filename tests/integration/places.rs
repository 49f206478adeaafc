//! Places the copy names (issue 14): the county or region after an area's name ("Knowsley in
//! Merseyside") is checked against the geography and refused, naming the right one, when
//! wrong; a place after a superlative is the scope it ranks within, ordinal ranks included
//! ("the second highest rate in the North West"); and a qualifier that would repeat the
//! patch's own county is left out.

use casewire::draft::{DraftRequest, draft};

use crate::support::*;

fn add(sentence: &'static str) -> impl Fn(&str) -> String {
    move |t: &str| format!("{t}\n{sentence}\n")
}

/// A request for the fixture patch `name` (tests/fixtures/patches/) with `request`'s data.
fn fixture_patch(mut request: DraftRequest, name: &str) -> DraftRequest {
    request.patch = fixture(&format!("patches/{name}.toml"));
    request
}

#[test]
fn a_wrong_county_or_region_after_an_area_is_refused_naming_the_right_one() {
    // January: Knowsley, in Merseyside and the North West, had England's highest rate; south
    // east London's story places it ("Knowsley in Merseyside has the highest rate").
    let request = january_request();
    let d = draft(&request).unwrap();
    assert!(d.output.contains("Knowsley in Merseyside"), "{}", d.output);
    for (wrong, why) in [
        (
            "Knowsley in Lancashire",
            "\"Knowsley in Lancashire\" is wrong: Knowsley is in Merseyside, not Lancashire",
        ),
        (
            "Knowsley in the South East",
            "\"Knowsley in the South East\" is wrong: Knowsley is in the North West, not the South East",
        ),
        (
            "Knowsley in Wales",
            "\"Knowsley in Wales\" is wrong: Knowsley is in England, not Wales",
        ),
    ] {
        let (_, r) = audit_edited(&request, |t| t.replace("Knowsley in Merseyside", wrong));
        refused(&r, why);
    }
    for right in ["Knowsley in the North West", "Knowsley in England"] {
        let (_, r) = audit_edited(&request, |t| t.replace("Knowsley in Merseyside", right));
        assert!(r.passed(), "{right}: {:#?}", r.failures);
    }
    // A district nearby, and a London borough, which has no county: its place is London.
    let (_, r) = audit_edited(&request, add("Dartford in Surrey has a rate of its own."));
    refused(
        &r,
        "\"Dartford in Surrey\" is wrong: Dartford is in Kent, not Surrey",
    );
    let (_, r) = audit_edited(&request, add("Croydon in Kent has a rate of its own."));
    refused(
        &r,
        "\"Croydon in Kent\" is wrong: Croydon is in London, not Kent",
    );
    let (_, r) = audit_edited(&request, add("Dartford in Kent has a rate of its own."));
    assert!(r.passed(), "{:#?}", r.failures);
}

/// South east London's patch with three North West areas nearby, so the copy and the audit
/// know them: January's North West had Knowsley 1,177.9, Halton 930.4, Carlisle 887.0 and
/// Sefton 886.7; Merseyside, Knowsley then Sefton.
fn north_west_nearby() -> (tempfile::TempDir, DraftRequest) {
    patch_with(
        &[(
            "nearby = [\"Croydon\", \"Dartford\", \"Lambeth\"]",
            "nearby = [\"Halton\", \"Carlisle\", \"Sefton\"]",
        )],
        "",
    )
}

#[test]
fn a_place_after_an_area_qualifies_it_and_one_after_a_superlative_ranks_it() {
    let (_dir, request) = north_west_nearby();
    // "X in the North West has the highest rate": X is placed, and ranked in England.
    let (_, r) = audit_edited(
        &request,
        add("Knowsley in the North West has the highest rate."),
    );
    assert!(r.passed(), "{:#?}", r.failures);
    let (_, r) = audit_edited(
        &request,
        add("Halton in the North West has the highest rate."),
    );
    refused(&r, "\"highest\" is wrong for Halton: its rate ranks");
    refused(&r, "in England");
    // "the highest rate is in X in PLACE": the place places X, and is no ranking scope (read
    // as one, Carlisle would pass as Cumbria's highest, which it is).
    let (_, r) = audit_edited(&request, add("Carlisle has the highest rate in Cumbria."));
    assert!(r.passed(), "{:#?}", r.failures);
    let (_, r) = audit_edited(
        &request,
        add("In England, the highest rate is in Carlisle in Cumbria."),
    );
    refused(&r, "\"highest\" is wrong for Carlisle: its rate ranks");
    refused(&r, "in England");
    let (_, r) = audit_edited(
        &request,
        add("In England, the highest rate is in Knowsley in Merseyside."),
    );
    assert!(r.passed(), "{:#?}", r.failures);
    // A wrong qualifier there is refused too.
    let (_, r) = audit_edited(
        &request,
        add("In England, the highest rate is in Knowsley in Cumbria."),
    );
    refused(&r, "\"Knowsley in Cumbria\" is wrong");
}

#[test]
fn an_ordinal_rank_within_a_known_place_is_checked_against_its_areas() {
    let (_dir, request) = north_west_nearby();
    added_claims_judged(
        &request,
        &[
            "Halton has the second highest rate in the North West.",
            "Carlisle has the third highest rate in the North West.",
            "Sefton has the 4th highest rate in the North West.",
            "Sefton has the second highest rate in Merseyside.",
            "Knowsley has the fifth lowest rate in Merseyside.",
        ],
        &[
            (
                "Sefton has the third highest rate in the North West.",
                "\"third highest\" is wrong for Sefton: its rate ranks 4th in the North West",
            ),
            (
                "Halton has the 3rd highest rate in the North West.",
                "\"third highest\" is wrong for Halton: its rate ranks 2nd in the North West",
            ),
            (
                "Knowsley has the second lowest rate in Merseyside.",
                "\"second lowest\" is wrong for Knowsley: its rate ranks 5th in Merseyside",
            ),
        ],
    );
    // A place the area is not in cannot rank it; outside a known place an ordinal still
    // needs a fact of the story to trace to.
    let (_, r) = audit_edited(&request, add("Bexley has the second highest rate in Kent."));
    refused(
        &r,
        "\"highest\" cannot be checked for Bexley: Bexley is not in Kent",
    );
    let (_, r) = audit_edited(
        &request,
        add("Bexley has the second highest rate in the country."),
    );
    refused(&r, "\"second\" traces to no fact");
}

#[test]
fn a_qualifier_that_repeats_the_patchs_own_county_is_left_out() {
    // August: Sedgemoor, a Somerset district, among England's leaders. A Somerset paper names
    // it alone; a Merseyside paper still places it.
    let somerset = fixture_patch(august_request(), "somerset");
    let d = draft(&somerset).unwrap();
    assert!(d.output.contains("Sedgemoor"), "{}", d.output);
    assert!(!d.output.contains("Sedgemoor in Somerset"), "{}", d.output);
    assert!(d.checked.audited);
    let merseyside = fixture_patch(august_request(), "merseyside");
    let d = draft(&merseyside).unwrap();
    assert!(d.output.contains("Sedgemoor in Somerset"), "{}", d.output);
    // January: Knowsley leads England; Merseyside's own paper does not say "in Merseyside".
    let d = draft(&fixture_patch(january_request(), "merseyside")).unwrap();
    assert!(d.output.contains("Knowsley"), "{}", d.output);
    assert!(!d.output.contains("Knowsley in Merseyside"), "{}", d.output);
}

#[test]
fn a_patch_whose_areas_share_a_county_leaves_it_out_under_any_region_name() {
    // The Somerset districts under a region of the newsroom's own: all four core areas lie in
    // Somerset, so its readers need no "in Somerset" either.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("patches/somerset.toml"))
        .unwrap()
        .replace("region = \"Somerset\"", "region = \"the Gazette's patch\"");
    let patch = dir.path().join("patch.toml");
    std::fs::write(&patch, text).unwrap();
    let mut request = august_request();
    request.patch = patch;
    let d = draft(&request).unwrap();
    assert!(d.output.contains("Sedgemoor"), "{}", d.output);
    assert!(!d.output.contains("Sedgemoor in Somerset"), "{}", d.output);
}
