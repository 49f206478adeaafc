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
        dir.path().join("partials/provenance.md"),
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
