//! Hostile strings: names and settings full of Markdown, HTML and YAML metacharacters print as
//! text and never change a story's structure, front matter or file layout; slugs and story
//! names never leave the output folder.

use casewire::draft::{draft, slug};

use crate::support::*;

fn hostile() -> casewire::draft::Draft {
    draft(&request(
        fixture("patches/hostile.toml"),
        vec![fixture("data/hostile.csv")],
        fixture("data/hostile-population.csv"),
        "2021-01-18",
    ))
    .unwrap()
}

#[test]
fn names_print_as_text_in_markdown() {
    let d = hostile();
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&d.output));
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        !html.contains("<em>") && !html.contains("<strong>"),
        "{html}"
    );
    assert!(!html.contains("<a href"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    // Only the template's own headline is a heading.
    assert_eq!(html.matches("<h1>").count(), 1, "{html}");
    assert!(!html.contains("<h2>") && !html.contains("<hr"), "{html}");
    assert!(html.contains("*Bold* _Town_ [link](http://x)"), "{html}");
    // The view model keeps the names as they are.
    assert!(
        d.story
            .core
            .iter()
            .any(|a| a.name == "<script>alert(1)</script>")
    );
}

#[test]
fn slugs_never_leave_the_output_folder() {
    for (name, code) in [
        ("../../etc/passwd", "E1"),
        ("/absolute/path", "E2"),
        ("nul\0byte", "E3"),
        ("..", ".."),
        ("<script>", "E09000001"),
    ] {
        let s = slug(name, code);
        assert!(
            !s.contains('/') && !s.contains('\\') && !s.contains("..") && !s.contains('\0'),
            "{s}"
        );
        assert!(!s.is_empty() && s.len() <= 100, "{s}");
        let joined = std::path::Path::new("/out").join(format!("{s}.md"));
        assert_eq!(joined.parent(), Some(std::path::Path::new("/out")), "{s}");
    }
}

/// A publish run over the hostile names, with a patch whose settings are hostile too: the
/// front matter is YAML with exactly its own keys, the body stays text, the chart is XML
/// with no script in it, the table's CSV gives the names back (a formula-like one behind a
/// `'`).
#[test]
fn published_files_keep_hostile_names_and_settings_as_text() {
    let dir = tempfile::tempdir().unwrap();
    place_release(
        dir.path(),
        "2021-01-18",
        "hostile.csv",
        &fixture("data/hostile.csv"),
        Place::Copy,
    );
    let patch = std::fs::read_to_string(fixture("patches/hostile.toml"))
        .unwrap()
        .replace(
            r#"publication = "Hostile Herald""#,
            r#"publication = "The \"Herald\": --- <script>x</script>""#,
        )
        .replace(
            r#"region = "the *test* patch""#,
            r#"region = "the *test* patch: --- # not: a heading""#,
        );
    std::fs::write(dir.path().join("hostile.toml"), patch).unwrap();
    let config = NewsroomFixture::new(dir.path())
        .source_files("hostile.csv", &fixture("data/hostile-population.csv"))
        .story("hostile", "hostile.toml")
        .write();
    let outcome = publish(&config, None).unwrap();
    assert_eq!(outcome.to_string(), "published 1 for release 2021-01-18");
    let out = dir.path().join("out");
    let names = [
        "<script>alert(1)</script>",
        "*Bold* _Town_ [link](http://x)",
        "# Not a heading",
        "---",
        "Name: with \"quotes\" | pipes",
    ];

    // Front matter: one YAML document with exactly the generator's keys.
    let md = std::fs::read_to_string(out.join("hostile-2021-01-18/index.md")).unwrap();
    let rest = md.strip_prefix("---\n").expect("front matter first");
    let (front, body) = rest.split_once("\n---\n").expect("front matter closed");
    let docs = yaml_rust2::YamlLoader::load_from_str(front).unwrap();
    assert_eq!(docs.len(), 1);
    let hash = docs[0].as_hash().expect("a mapping");
    let keys: Vec<&str> = hash.keys().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "title",
            "description",
            "date",
            "slug",
            "tags",
            "area_codes",
            "data_release",
            "week_start",
            "week_end",
            "generator",
            "data_sha256",
            "templates_sha256",
            "seed",
            "image",
            "data"
        ]
    );
    let tags: Vec<&str> = docs[0]["tags"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for name in names {
        assert!(tags.contains(&name), "{name} not in {tags:?}");
    }
    assert_eq!(docs[0]["slug"].as_str(), Some("hostile-2021-01-18"));

    // The body: text, with no structure the names or settings brought in.
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(body));
    // The one link of casewire's own, to the chart's data beside the page.
    let data_link = "<a href=\"hostile-2021-01-18.csv\">";
    assert_eq!(html.matches("<a href").count(), 1, "{html}");
    let html = html.replace(data_link, "");
    for bad in [
        "<script", "<h1", "<h2", "<hr", "<em>", "<strong>", "<a href", "<b>",
    ] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }

    // The chart: well-formed XML, names as text, no script element.
    let svg =
        std::fs::read_to_string(out.join("hostile-2021-01-18/hostile-2021-01-18.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(!doc.descendants().any(|n| n.has_tag_name("script")));
    let text: String = doc
        .descendants()
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("<script>alert(1)</script>"), "{text}");

    // The table: the names back as they were, but for the `'` a spreadsheet reads as "text"
    // before a cell it would otherwise run as a formula ("---").
    let csv_text =
        std::fs::read_to_string(out.join("hostile-2021-01-18/hostile-2021-01-18.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let cells: Vec<String> = reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect();
    for name in names {
        let cell = if name.starts_with('-') {
            format!("'{name}")
        } else {
            name.to_string()
        };
        assert!(cells.contains(&cell), "{cell} not in {cells:?}");
    }
}

/// A story's name becomes file names: anything that could leave the output folder is refused.
#[test]
fn story_names_that_could_leave_the_output_folder_are_refused() {
    let base = std::fs::read_to_string(root().join("examples/newsroom.toml")).unwrap();
    let first = base
        .lines()
        .find(|l| l.trim_start().starts_with("name ="))
        .expect("the example names a story")
        .to_string();
    for name in [
        "../escape",
        "/etc/cron.d/x",
        "a/b",
        "nul\\u0000byte",
        "..",
        "UPPER",
        "",
        &"x".repeat(300),
    ] {
        let text = base.replacen(&first, &format!("name = \"{name}\""), 1);
        let err =
            casewire::publish::Newsroom::parse(std::path::Path::new("/n/newsroom.toml"), &text)
                .err();
        let long_but_plain = name.len() == 300;
        if long_but_plain {
            // Plain, only long: accepted, and its file names stay in the folder.
            continue;
        }
        assert!(err.is_some(), "{name:?} was accepted");
    }
}

/// Any value printed at the start of a line or mid-sentence stays one paragraph of text:
/// line breaks, list marks, setext underlines, thematic breaks, headings, HTML.
#[test]
fn escaped_values_never_open_a_block() {
    for value in [
        "- list",
        "+ list",
        "* list",
        "1. item",
        "12) item",
        "=",
        "===",
        "---",
        "a\n---\nb",
        "x\n# heading",
        "x\r\n> quote",
        "x\u{2028}- y",
        "<div>block</div>",
        "    indented code",
        "`code`",
        "[link](javascript:alert(1))",
        "![img](x.png)",
        "a | b |\n|---|---|",
    ] {
        let escaped = casewire::lang::markdown_text(value);
        for line in [
            format!("{escaped} has the highest rate."),
            format!("The rate in {escaped} rose."),
        ] {
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&line));
            let inner = html
                .trim_end()
                .strip_prefix("<p>")
                .and_then(|h| h.strip_suffix("</p>"));
            let Some(inner) = inner.map(|i| i.trim_start()) else {
                panic!("{value:?} made {html:?}");
            };
            assert!(
                !inner.contains('<') && !inner.contains('\n'),
                "{value:?} made {html:?}"
            );
        }
    }
    // Ordinary figures and names are left alone.
    for plain in ["834.7", "-5", "Stockton-on-Tees", "1,234", "St. Helens"] {
        assert_eq!(casewire::lang::markdown_text(plain), plain);
    }
}
