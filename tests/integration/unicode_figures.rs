//! Figures printed in digits other than ASCII 0–9, or as numbers in words from ten up: a
//! template that prints one is refused by `draft` and `publish`, and nothing is written; an
//! editor's desk edit that prints one is refused and not kept.

use std::path::Path;

use crate::desk::{Server, csrf, request, sign_in};
use crate::support::*;

/// What each template line prints, and what the refusal must say.
const KINDS: &[(&str, &str)] = &[
    ("Lewisham's rate stands at ９９９.９.", "(U+FF19)"),
    ("Lewisham's rate stands at ٩٩٩.٩.", "(U+0669)"),
    ("Lewisham's rate stands at 𝟗𝟗𝟗.𝟗.", "(U+1D7D7)"),
    ("Lewisham's rate stands at ⑨⑨⑨.", "(U+2468)"),
    ("Lewisham's rate stands at 7⁹⁹.9.", "(U+2079)"),
    ("Cases rose in ¾ of the boroughs.", "(U+00BE)"),
    ("Cases rose in Ⅻ boroughs.", "(U+216B)"),
    (
        "Over a million people live there.",
        "prints \"a million\", a number in words the audit cannot trace",
    ),
    (
        "Dozens of care homes had a case.",
        "prints \"dozens\", a number in words the audit cannot trace",
    ),
    (
        "Cases rose in a third of the boroughs.",
        "prints \"a third\", a number in words the audit cannot trace",
    ),
    (
        "Cases rose in twenty-one boroughs.",
        "prints \"twenty-one\", a number in words the audit cannot trace",
    ),
];

#[test]
fn the_built_in_templates_draft_and_the_audit_finds_nothing_foreign() {
    let d = casewire::draft::draft(&january_request()).unwrap_or_else(|e| panic!("{e}"));
    assert!(d.checked.audited);
    assert!(
        !d.output
            .chars()
            .any(|c| c.is_numeric() && !c.is_ascii_digit())
    );
}

#[test]
fn a_template_printing_each_kind_is_refused_by_draft_and_nothing_is_written() {
    for (line, says) in KINDS {
        let templates = crate::literals::with_provenance(line);
        let out = tempfile::tempdir().unwrap();
        let story = out.path().join("story.md");
        let run = january_draft()
            .args(["--templates", arg(templates.path()), "--out", arg(&story)])
            .code(1);
        assert!(run.stderr().contains(says), "{line}: {}", run.stderr());
        assert!(
            std::fs::read_dir(out.path()).unwrap().next().is_none(),
            "{line}: nothing written"
        );
    }
}

#[test]
fn the_audit_itself_refuses_each_kind_naming_the_line() {
    for (line, says) in KINDS {
        let (d, report) = audit_edited(&january_request(), |t| format!("{t}\n{line}\n"));
        let at = d.output.lines().count() + 2;
        assert!(
            report
                .failures
                .iter()
                .any(|f| f.line == at && f.message.contains(says)),
            "{line}: {:#?}",
            report.failures
        );
    }
}

/// A newsroom publishing the south east London round-up of January 18, 2021, with the
/// templates in `templates` if any, its editions held for review when `review` is set.
fn newsroom(dir: &Path, templates: Option<&Path>, review: bool) -> std::path::PathBuf {
    place_release(
        dir,
        "2021-01-18",
        "ltla-reconstructed.csv",
        &shared("releases/2021-01-18/ltla-reconstructed.csv"),
        Place::Link,
    );
    let mut fixture = NewsroomFixture::new(dir)
        .source_files("ltla-reconstructed.csv", &shared("population/mid-2019.csv"))
        .story("weekly", "se-london.toml")
        .patch_file("se-london.toml", se_london());
    if let Some(t) = templates {
        fixture = fixture.setting(&format!("templates = \"{}\"", t.display()));
    }
    if review {
        fixture = fixture.extra("[review]\nrequired = true\n");
    }
    fixture.write()
}

/// How many story pages (`.md` files) are under `dir`, at any depth.
fn stories(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .map(|e| e.unwrap().path())
        .map(|p| {
            if p.is_dir() {
                stories(&p)
            } else {
                usize::from(p.extension().is_some_and(|x| x == "md"))
            }
        })
        .sum()
}

#[test]
fn a_template_printing_a_full_width_figure_is_refused_by_publish() {
    for (line, says) in [KINDS[0], KINDS[7]] {
        let templates = crate::literals::with_provenance(line);
        let dir = tempfile::tempdir().unwrap();
        let config = newsroom(dir.path(), Some(templates.path()), false);
        let run = Casewire::new()
            .args(["publish", "--config", arg(&config)])
            .code(1);
        assert!(run.stderr().contains(says), "{line}: {}", run.stderr());
        assert!(
            run.stderr().contains("no story was written"),
            "{}",
            run.stderr()
        );
        assert_eq!(
            stories(&dir.path().join("out")),
            0,
            "{line}: nothing written"
        );
    }
}

#[test]
fn a_desk_edit_with_a_full_width_figure_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), None, true);
    Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .success();
    let queued = dir
        .path()
        .join("out/.casewire-queue/pending/weekly-2021-01-18");
    let page = std::fs::read_to_string(queued.join("files/weekly-2021-01-18/index.md")).unwrap();
    let (_, body) = casewire::review::split_front(&page);
    // The story's first rate ("742.5"), replaced in the edits below.
    let figure = body
        .split_whitespace()
        .map(|w| w.trim_end_matches([',', '.', ';', ')']))
        .find(|w| {
            w.contains('.')
                && w.chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        })
        .expect("a rate");
    let width = figure.chars().filter(char::is_ascii_digit).count();
    let (full, arabic) = ("９".repeat(width), "٧".repeat(width));
    let server = Server::start(&config);
    let session = sign_in(&server.addr, "Ann");
    let base = "/edition/weekly-2021-01-18";
    let page = request(&server.addr, "GET", base, &session, &[]);
    assert_eq!(page.status, 200);
    let token = csrf(&page.body);
    let edit = format!("{base}/edit");
    for (printed, says) in [
        (full.as_str(), "(U+FF19)"),
        (arabic.as_str(), "(U+0667)"),
        ("999.9", "traces to no fact"),
    ] {
        let edited = body.replacen(figure, printed, 1);
        let reply = request(
            &server.addr,
            "POST",
            &edit,
            &session,
            &[("csrf", &token), ("body", &edited)],
        );
        assert_eq!(reply.status, 422, "{printed}: refused by the checks");
        assert!(reply.body.contains(says), "{printed}: {}", reply.body);
        assert!(!queued.join("edit.md").exists(), "{printed}: not kept");
    }
}
