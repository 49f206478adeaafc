//! Whole stories on real data, snapshot-tested: a template change shows up here as a diff of
//! copy, to be reviewed like an edit.

use casewire::draft::{DraftRequest, Format, draft};

use crate::support::*;

fn story(mut request: casewire::draft::DraftRequest, template: &str, format: Format) -> String {
    request.template = Some(template.to_string());
    request.format = format;
    draft(&request).unwrap().output
}

#[test]
fn january_weekly_roundup() {
    insta::assert_snapshot!(story(january_request(), "weekly-roundup", Format::Markdown));
}

#[test]
fn january_by_area() {
    insta::assert_snapshot!(story(january_request(), "by-area", Format::Markdown));
}

#[test]
fn august_weekly_roundup() {
    insta::assert_snapshot!(story(august_request(), "weekly-roundup", Format::Markdown));
}

#[test]
fn august_by_area() {
    insta::assert_snapshot!(story(august_request(), "by-area", Format::Markdown));
}

#[test]
fn august_view_model() {
    // The facts name their source files by path: the checkout's own folder is not part of it.
    let json = story(august_request(), "weekly-roundup", Format::Json);
    insta::assert_snapshot!(json.replace(root().to_str().unwrap(), "[root]"));
}

/// The claims in the August story, each derived from the data rather than the wording.
#[test]
fn august_claims_follow_the_data() {
    let d = draft(&august_request()).unwrap();
    let s = &d.story;
    assert_eq!(s.week.end, date("2021-08-23"));
    assert_eq!(s.local.highest.as_deref(), Some("Lewisham"));
    assert_eq!(s.local.lowest.as_deref(), Some("Greenwich"));
    let only: Vec<&str> = s
        .core
        .iter()
        .filter(|a| a.only_riser)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(only, ["Bromley"]);
    assert_eq!(s.local.exception.as_deref(), Some("Bromley"));
    // 241.5 to 265.6 around a mean of 256.5: all within ten per cent.
    assert_eq!(s.local.similar_around, Some(260));
    let contrast = s
        .local
        .contrast
        .expect("most of England rose while the patch fell");
    assert!(contrast.continues, "most areas rose the week before too");
    assert_eq!(s.leaders[0].area.name, "Cornwall and the Isles of Scilly");
    assert!(
        d.output
            .contains("But across England, rates continue to rise in most areas.")
    );
    assert!(
        d.output
            .contains("It is the only borough in south east London where the rate went up.")
    );
}

/// The same inputs give the same bytes, every time.
#[test]
fn drafts_are_deterministic() {
    let a = draft(&august_request()).unwrap().output;
    let b = draft(&august_request()).unwrap().output;
    assert_eq!(a, b);
}

/// Patches across the four nations (a city of one area, a two-tier county, islands, the west of
/// Scotland, a city and its neighbours, England's January leader and its August one in the
/// patch, two areas with "the" before one, each nation as the region, a tie for the top, three
/// councils of Wales with the nation as the region), in January and August, through every
/// built-in template.
const PATCHES: [&str; 13] = [
    "hull",
    "somerset",
    "islands",
    "west-scotland",
    "bristol",
    "merseyside",
    "cornwall-devon",
    "cardiff-vale",
    "wales",
    "northern-ireland",
    "scotland",
    "tie",
    "north-wales",
];

#[test]
fn patch_stories_across_the_uk() {
    for patch in PATCHES {
        for (month, base) in [("january", january_request()), ("august", august_request())] {
            // The patch's top area, which its story leads with.
            let mut top = String::new();
            for template in ["weekly-roundup", "by-area", "area"] {
                let mut request = base.clone();
                request.patch = fixture(&format!("patches/{patch}.toml"));
                let name = format!("{patch}_{month}_{template}");
                let request = DraftRequest {
                    template: Some(template.to_string()),
                    ..request
                };
                // The area template tells one area's story: every area of the patch gets
                // one and passes its checks; the top area's is the snapshot.
                let output = if template == "area" {
                    let run = casewire::draft::draft_patch_areas(&request)
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    let story = run
                        .stories
                        .into_iter()
                        .find(|s| s.draft.story.core[0].code == top);
                    story
                        .unwrap_or_else(|| panic!("{name}: no story for {top}"))
                        .draft
                        .output
                } else {
                    let d = draft(&request).unwrap_or_else(|e| panic!("{name}: {e}"));
                    top.clone_from(&d.story.core[0].code);
                    d.output
                };
                insta::assert_snapshot!(name, output);
            }
        }
    }
}
