//! A nation as the patch's region (issue 14): "the highest rate in Wales" in a story whose
//! region is Wales is a claim about Wales, ranked among Wales' areas, never a UK-wide one.
//! Patches that cover a whole nation (and one whose region is England, holding England's highest
//! and lowest rates) pass for every seed and template; a claim that is wrong for the nation is
//! still refused.

use crate::support::draft_markdown;
use casewire::draft::{DraftError, Format, Inputs, draft};
use casewire::render::{BUILTIN, Renderer};

use crate::support::*;

/// The fixture patches whose region is a nation, one per nation.
const NATION_PATCHES: [&str; 4] = [
    "patches/northern-ireland.toml",
    "patches/wales.toml",
    "patches/scotland.toml",
    "patches/england-uk.toml",
];

fn nation_request(patch: &str) -> casewire::draft::DraftRequest {
    let mut r = january_request();
    r.patch = fixture(patch);
    r
}

#[test]
fn a_nation_as_the_region_passes_for_every_seed_and_template() {
    let renderer = Renderer::new(None).unwrap();
    let templates: Vec<&str> = BUILTIN
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !n.starts_with("partials/"))
        .map(|n| n.trim_end_matches(".md"))
        .collect();
    let mut failures = Vec::new();
    for patch in NATION_PATCHES {
        let request = nation_request(patch);
        let mut inputs = Inputs::for_request(&request).unwrap();
        for seed in 0..=6 {
            inputs.patch.seed = seed;
            for template in &templates {
                // The area template tells one area's story: one for each of the patch's.
                if *template == "area" {
                    let today = request.today;
                    let release = request.release;
                    let run = casewire::draft::patch_area_stories(
                        &inputs,
                        &renderer,
                        release,
                        Format::Markdown,
                        today,
                        false,
                    );
                    match run {
                        Ok(run) => {
                            assert_eq!(run.stories.len(), inputs.patch.core.len(), "{patch}");
                            assert!(run.stories.iter().all(|s| s.draft.checked.audited));
                        }
                        Err(e) => failures.push(format!("{patch}, seed {seed}, area: {e}")),
                    }
                    continue;
                }
                match draft_markdown(&inputs, &renderer, &request, template) {
                    Ok(d) => assert!(d.checked.audited),
                    Err(e) => failures.push(format!("{patch}, seed {seed}, {template}: {e}")),
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} stories refused:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Drafts `patch` with the built-in `file` edited by `edits` and returns the refusal.
fn refused(patch: &str, file: &str, edits: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let (_, text) = BUILTIN.iter().find(|(n, _)| *n == file).unwrap();
    let mut text = text.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "{file} has no {from:?}");
        text = text.replace(from, to);
    }
    let path = dir.path().join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    let mut request = nation_request(patch);
    request.templates = Some(dir.path().to_path_buf());
    match draft(&request) {
        Ok(d) => panic!("the wrong claim was printed:\n{}", d.output),
        Err(e @ DraftError::Audit { .. }) => e.to_string(),
        Err(e) => panic!("refused, but not by the audit: {e}"),
    }
}

#[test]
fn a_wrong_claim_about_the_region_nation_is_still_refused() {
    // Northern Ireland's leader told as its lowest: wrong within the nation.
    let err = refused(
        "patches/northern-ireland.toml",
        "partials/week/nations.md",
        &[("highest rate", "lowest rate")],
    );
    assert!(
        err.contains(
            "\"lowest\" is wrong for Armagh City, Banbridge and Craigavon: its rate ranks 11th in Northern Ireland"
        ),
        "{err}"
    );
    // The patch's own leader told as second: wrong within Wales, ranked among Wales' areas.
    // The patch's leader is Wales' leader, so the story says so once, among the nations.
    let err = refused(
        "patches/wales.toml",
        "partials/week/nations.md",
        &[("highest rate", "second highest rate")],
    );
    assert!(
        err.contains("\"second highest\" is wrong for Wrexham: its rate ranks 1st in Wales"),
        "{err}"
    );
}

#[test]
fn a_nation_leader_named_for_another_nation_is_refused() {
    let err = refused(
        "patches/wales.toml",
        "partials/week/nations.md",
        &[("{{ n.nation }}", "Scotland")],
    );
    assert!(err.contains("is not in that nation"), "{err}");
}

#[test]
fn part_of_a_nation_with_the_nation_as_region_ranks_among_its_own_areas() {
    // A patch holding part of the nation its region names: "the highest rate in Northern
    // Ireland" would rank among all of Northern Ireland (Armagh City, Banbridge and Craigavon
    // leads the patch but not, in August, the nation), so the patch's superlatives say "among
    // the five council areas", and the audit ranks them among the patch.
    for (patch, release) in [
        ("patches/ni-part.toml", january_request()),
        ("patches/ni-part.toml", august_request()),
        ("patches/wales-part.toml", january_request()),
        ("patches/wales-part.toml", august_request()),
        ("patches/england-uk.toml", august_request()),
    ] {
        for template in ["weekly-roundup", "by-area"] {
            let mut request = release.clone();
            request.patch = fixture(patch);
            request.template = Some(template.to_string());
            let d = draft(&request).unwrap_or_else(|e| panic!("{patch}, {template}: {e}"));
            assert!(
                d.output.contains("rate among the"),
                "{patch}, {template}:\n{}",
                d.output
            );
            let nation = match patch {
                "patches/ni-part.toml" => "Northern Ireland",
                "patches/wales-part.toml" => "Wales",
                _ => "England",
            };
            for said in [
                format!("The lowest rate in {nation} is"),
                format!("It is the highest rate in {nation}."),
                format!("It is the lowest rate in {nation}."),
            ] {
                assert!(!d.output.contains(&said), "{patch}: {said}");
            }
        }
    }
}

#[test]
fn a_patch_superlative_among_its_areas_is_still_checked() {
    let err = refused(
        "patches/wales-part.toml",
        "weekly-roundup.md",
        &[(
            "The lowest rate {{<in_patch",
            "The highest rate {{<in_patch",
        )],
    );
    assert!(
        err.contains("\"highest\" is wrong for Swansea: its rate ranks 4th in the patch"),
        "{err}"
    );
}

#[test]
fn every_area_of_a_nation_the_patch_only_part_of_is_refused() {
    // Four of Wales' 22 councils all fell: "every council area in Wales" is true of the patch
    // but false of the nation a reader takes "Wales" to be. The copy names the four instead.
    let err = refused(
        "patches/wales-part.toml",
        "weekly-roundup.md",
        &[(
            "Covid-19 rates fall in {{<patch_place local={local} region={region} many={area_noun_plural}/>}}",
            "Covid-19 rates fall in every {{ area_noun }} in {{ region }}",
        )],
    );
    assert!(err.contains("the patch holds 4 of its 22"), "{err}");
}

#[test]
fn a_patch_that_is_part_of_a_nation_is_named_not_called_every_area() {
    let mut request = january_request();
    request.patch = fixture("patches/wales-part.toml");
    let d = draft(&request).unwrap();
    assert!(
        d.output.starts_with(
            "# Covid-19 rates fall in Cardiff, Newport, Swansea and the Vale of Glamorgan\n"
        ),
        "{}",
        d.output
    );
    assert!(!d.output.contains("every council area"), "{}", d.output);
    assert!(!d.output.contains("council areas of Wales"), "{}", d.output);
}

#[test]
fn a_patch_that_is_part_of_an_english_region_is_named_and_ranked_among_its_areas() {
    // Three of the North West's boroughs: "every borough in the North West" and "the highest
    // rate in the North West" would both speak for the whole region.
    for release in [january_request(), august_request()] {
        let mut request = release;
        request.patch = fixture("patches/north-west-part.toml");
        let d = draft(&request).unwrap();
        for said in [
            "every borough",
            "all three boroughs in the North West",
            "rate in the North West",
        ] {
            assert!(!d.output.contains(said), "{said}:\n{}", d.output);
        }
        assert!(
            d.output.contains("rate among the three boroughs"),
            "{}",
            d.output
        );
    }
    // Knowsley leads England: the headline's angle, while the trend names the three.
    let d = draft(&nation_request("patches/north-west-part.toml")).unwrap();
    assert!(
        d.output
            .starts_with("# Knowsley has the highest Covid-19 rate in England\n"),
        "{}",
        d.output
    );
    let err = refused(
        "patches/north-west-part.toml",
        "weekly-roundup.md",
        &[
            (
                "{% block headline %}{% set an = local.angle %}",
                "{% block headline %}{% set an = {\"kind\": \"trend\"} %}",
            ),
            (
                "Covid-19 rates fall in {{<patch_place local={local} region={region} many={area_noun_plural}/>}}",
                "Covid-19 rates fall in every {{ area_noun }} in {{ region }}",
            ),
        ],
    );
    assert!(err.contains("the patch holds 3 of its"), "{err}");
}
