//! A patch's area noun in the plural: made by English rules when the patch does not give it,
//! never by adding "s" to "county".

use crate::support::patch_with;

/// The January story for the south east London patch with its noun changed to `noun`.
fn story_with_noun(noun: &str, plural: Option<&str>) -> String {
    let plural = plural.map_or(String::new(), |p| format!("\narea_noun_plural = \"{p}\""));
    let (_dir, request) = patch_with(
        &[(
            "area_noun = \"borough\"",
            &format!("area_noun = \"{noun}\"{plural}"),
        )],
        "",
    );
    let draft = casewire::draft::draft(&request).expect("the story drafts");
    draft.output
}

#[test]
fn a_noun_ending_in_a_consonant_and_y_takes_ies() {
    let story = story_with_noun("county", None);
    assert!(
        story.contains("all five counties of south east London"),
        "{story}"
    );
    assert!(!story.contains("countys"), "{story}");
}

#[test]
fn a_noun_ending_in_sh_takes_es_and_a_phrase_pluralises_its_last_word() {
    let story = story_with_noun("parish", None);
    assert!(
        story.contains("five parishes of south east London"),
        "{story}"
    );
    let story = story_with_noun("local authority", None);
    assert!(
        story.contains("five local authorities of south east London"),
        "{story}"
    );
}

#[test]
fn a_plural_the_patch_gives_is_used_as_given() {
    let story = story_with_noun("county borough", Some("county boroughs"));
    assert!(
        story.contains("five county boroughs of south east London"),
        "{story}"
    );
}
