//! Hostile strings: names and settings full of Markdown, HTML and YAML metacharacters must print
//! as text and never change a story's structure, front matter or file layout.

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
