//! One renderer used for many stories (as for every area's story of a week) writes each
//! exactly as a fresh renderer would, whatever order the stories come in.

use crate::support::draft_from;
use casewire::draft::Inputs;
use casewire::render::Renderer;

use crate::support::*;

fn inputs(request: &casewire::draft::DraftRequest) -> Inputs {
    Inputs::for_request(request).unwrap()
}

#[test]
fn a_reused_renderer_writes_what_a_fresh_one_writes() {
    let january = january_request();
    let august = august_request();
    let (jan_inputs, aug_inputs) = (inputs(&january), inputs(&august));
    let shared = Renderer::new(None).unwrap();
    let draft = |inputs: &Inputs, release, template: &str, renderer: &Renderer| {
        draft_from(
            inputs,
            renderer,
            release,
            template,
            casewire::draft::Format::Markdown,
            None,
            false,
        )
        .unwrap()
        .output
    };
    for template in ["weekly-roundup", "by-area"] {
        let fresh_jan = draft(
            &jan_inputs,
            january.release,
            template,
            &Renderer::new(None).unwrap(),
        );
        let fresh_aug = draft(
            &aug_inputs,
            august.release,
            template,
            &Renderer::new(None).unwrap(),
        );
        // Alternate, repeat: the national lists change between every pair of stories, or not.
        for _ in 0..2 {
            assert_eq!(
                draft(&jan_inputs, january.release, template, &shared),
                fresh_jan
            );
            assert_eq!(
                draft(&jan_inputs, january.release, template, &shared),
                fresh_jan
            );
            assert_eq!(
                draft(&aug_inputs, august.release, template, &shared),
                fresh_aug
            );
        }
    }
}

/// A newsroom's partial that prints something of each story's own is rendered in every story,
/// not once a week: here its provenance line names the story's area.
#[test]
fn a_partial_reading_a_story_s_own_field_is_rendered_for_each_story() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("partials")).unwrap();
    std::fs::write(
        dir.path().join("partials/provenance.md"),
        "Figures for {{ region }}, published by {{ source_name }} on {{ release | date }}.\n",
    )
    .unwrap();
    let run = crate::support::draft_each_area(&casewire::draft::EachAreaRequest {
        templates: Some(dir.path().to_path_buf()),
        no_audit: true,
        ..each_area_request(
            vec![shared("releases/2021-01-18/ltla-reconstructed.csv")],
            shared("population/mid-2019.csv"),
            "2021-01-18",
        )
    })
    .unwrap();
    assert!(run.stories.len() > 300);
    for story in &run.stories {
        let name = casewire::lang::markdown_text(&story.draft.story.region);
        assert!(
            story
                .draft
                .output
                .contains(&format!("Figures for {name}, published by")),
            "{}",
            story.draft.output
        );
    }
}
