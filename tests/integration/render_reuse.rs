//! One renderer used for many stories (as for every area's story of a week) writes each
//! exactly as a fresh renderer would, whatever order the stories come in.

use casewire::draft::{Inputs, draft_from, load_inputs};
use casewire::render::Renderer;

use crate::support::*;

fn inputs(request: &casewire::draft::DraftRequest) -> Inputs {
    load_inputs(&request.patch, &request.data, &request.population).unwrap()
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
