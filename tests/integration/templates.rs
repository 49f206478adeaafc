//! Built-in templates, a newsroom's overrides, and what a broken template says.

use casewire::render::{Renderer, export_builtin};

use crate::support::*;

#[test]
fn builtin_story_templates_are_listed() {
    let run = Casewire::new().args(["templates", "list"]).success();
    assert_eq!(run.stdout, "area\nby-area\nweekly-roundup\n");
}

#[test]
fn export_writes_every_builtin_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("newsroom");
    Casewire::new()
        .args(["templates", "export", arg(&target)])
        .success();
    for (name, text) in casewire::render::BUILTIN {
        assert_eq!(&std::fs::read_to_string(target.join(name)).unwrap(), text);
    }
    // The week-wide partials in their folder, and nothing under their old names.
    assert!(target.join("partials/week/national.md").is_file());
    assert!(!target.join("partials/national.md").exists());
    let again = Casewire::new()
        .args(["templates", "export", arg(&target)])
        .code(1);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert!(export_builtin(&target, true).is_ok());
}

#[test]
fn a_newsroom_file_overrides_the_builtin_of_the_same_name() {
    let dir = tempfile::tempdir().unwrap();
    export_builtin(dir.path(), false).unwrap();
    std::fs::write(
        dir.path().join("partials/week/provenance.md"),
        "Figures compiled by {{ calculated_by }} for {{ publication }}.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("brief.md"),
        "{{ core[0].name }}: {{ core[0].rate | rate }} per 100,000.\n",
    )
    .unwrap();
    let mut request = january_request();
    request.templates = Some(dir.path().to_path_buf());
    let out = casewire::draft::draft(&request).unwrap().output;
    assert!(
        out.ends_with(
            "Figures compiled by the Courier's data desk for South East London Courier.\n"
        ),
        "{out}"
    );
    request.template = Some("brief".into());
    let out = casewire::draft::draft(&request).unwrap().output;
    assert_eq!(out, "Greenwich: 775.5 per 100,000.\n");
}

#[test]
fn a_broken_template_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("weekly-roundup.md"),
        "Line one\n{{ core[0].name \n",
    )
    .unwrap();
    let err = Renderer::new(Some(dir.path())).unwrap_err().to_string();
    assert!(err.contains("weekly-roundup.md:2"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("weekly-roundup.md"),
        "{{ no_such_field }}\n",
    )
    .unwrap();
    let mut request = january_request();
    request.templates = Some(dir.path().to_path_buf());
    let err = casewire::draft::draft(&request).unwrap_err().to_string();
    assert!(err.contains("weekly-roundup.md"), "{err}");
    assert!(err.contains("no_such_field"), "{err}");
}

#[test]
fn an_unknown_template_lists_those_there_are() {
    let mut request = january_request();
    request.template = Some("weekly".into());
    let err = casewire::draft::draft(&request).unwrap_err().to_string();
    assert_eq!(
        err,
        "no template named \"weekly\"; available: area, by-area, weekly-roundup"
    );
}

/// A story's own field in a week partial is an error naming the field and the partial, not a
/// text that differs from what the story would print.
#[test]
fn a_week_partial_reading_a_story_s_own_field_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("partials/week")).unwrap();
    std::fs::write(
        dir.path().join("partials/week/provenance.md"),
        "Figures for {% if region %}{{ region }}{% endif %}, from {{ source_name }}.\n",
    )
    .unwrap();
    let mut request = january_request();
    request.templates = Some(dir.path().to_path_buf());
    let err = casewire::draft::draft(&request).unwrap_err().to_string();
    assert!(err.contains("partials/week/provenance.md"), "{err}");
    assert!(err.contains("`region`"), "{err}");
}

/// A week partial may include another; each prints what it prints written out in place.
#[test]
fn a_week_partial_may_include_another() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("partials/week")).unwrap();
    std::fs::write(
        dir.path().join("partials/week/provenance.md"),
        "Sources: {% include \"partials/week/source.md\" %}.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("partials/week/source.md"),
        "{{ source_name }} on {{ release | date }}",
    )
    .unwrap();
    let mut request = january_request();
    request.templates = Some(dir.path().to_path_buf());
    let out = casewire::draft::draft(&request).unwrap().output;
    assert!(
        out.ends_with("Sources: Public Health England on January 18.\n"),
        "{out}"
    );
}

/// Templates written out before the week partials had their folder include them by their old
/// names (`partials/national.md`): those still render, and print what the built-ins print.
#[test]
fn templates_that_include_the_old_partial_names_still_render() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in casewire::render::BUILTIN {
        let old = text.replace("{% include \"partials/week/", "{% include \"partials/");
        if let Some(rest) = name.strip_prefix("partials/week/") {
            let path = dir.path().join("partials").join(rest);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, &old).unwrap();
        } else if !name.starts_with("partials/") {
            std::fs::write(dir.path().join(name), &old).unwrap();
        }
    }
    // The old story templates only, then with the old partials beside them.
    for with_partials in [false, true] {
        let folder = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, folder.path().join(path.file_name().unwrap())).unwrap();
            }
        }
        if with_partials {
            std::fs::create_dir(folder.path().join("partials")).unwrap();
            for entry in std::fs::read_dir(dir.path().join("partials")).unwrap() {
                let path = entry.unwrap().path();
                std::fs::copy(
                    &path,
                    folder
                        .path()
                        .join("partials")
                        .join(path.file_name().unwrap()),
                )
                .unwrap();
            }
        }
        // The area template with the five boroughs: a story for each.
        let stories = |request: &casewire::draft::DraftRequest| -> Vec<String> {
            if request.template.as_deref() == Some("area") {
                let run = casewire::draft::draft_patch_areas(request).unwrap();
                run.stories.into_iter().map(|s| s.draft.output).collect()
            } else {
                vec![casewire::draft::draft(request).unwrap().output]
            }
        };
        for template in ["weekly-roundup", "by-area", "area"] {
            let mut request = january_request();
            request.template = Some(template.into());
            let built_in = stories(&request);
            request.templates = Some(folder.path().to_path_buf());
            assert_eq!(
                stories(&request),
                built_in,
                "{template}, old partials beside it: {with_partials}"
            );
        }
    }
}
