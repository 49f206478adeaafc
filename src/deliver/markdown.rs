//! The Markdown casewire writes, as HTML and as plain text, for a CMS that takes either.
//!
//! Not a general CommonMark engine: it reads what the templates and `lang::markdown_text`
//! produce (ATX and setext headings, paragraphs, `-`/`*`/`+` and numbered lists, thematic
//! breaks, GitHub pipe tables, `**strong**`, `*em*`/`_em_`, code spans, links, images and
//! backslash escapes), and for that Markdown its HTML is what a CommonMark renderer gives
//! (the tests compare it with pulldown-cmark on real stories). Anything else is text.
//!
//! What comes out is safe to put in a page whatever went in: every character of the copy is
//! escaped, raw HTML is never passed through (`<b>` prints as `&lt;b&gt;`), and a link or an
//! image whose address is not `http`, `https`, `mailto` or relative keeps its text but
//! loses the address (`javascript:` cannot reach a reader's browser through a CMS).

/// Relative addresses (the chart `chart.svg` beside the story) resolved against a base, so
/// that a body read away from its bundle still finds them.
pub type Resolve<'a> = &'a dyn Fn(&str) -> String;

mod blocks;
mod inlines;

use blocks::{Align, Block, blocks};
use inlines::{Inline, inlines};

/// The document as HTML: one element a block, each on its own line, as CommonMark renders.
pub fn to_html(markdown: &str, resolve: Resolve<'_>) -> String {
    let mut out = String::new();
    for block in blocks(markdown) {
        match block {
            Block::Heading(level, text) => {
                out.push_str(&format!(
                    "<h{level}>{}</h{level}>\n",
                    inline_html(&text, resolve)
                ));
            }
            Block::Paragraph(text) => {
                out.push_str(&format!("<p>{}</p>\n", inline_html(&text, resolve)));
            }
            Block::List {
                start,
                items,
                loose,
            } => {
                let tag = match start {
                    None => "ul".to_string(),
                    Some(1) => "ol".to_string(),
                    Some(n) => format!("ol start=\"{n}\""),
                };
                out.push_str(&format!("<{tag}>\n"));
                for item in items {
                    let html = inline_html(&item, resolve);
                    if loose {
                        out.push_str(&format!("<li>\n<p>{html}</p>\n</li>\n"));
                    } else {
                        out.push_str(&format!("<li>{html}</li>\n"));
                    }
                }
                out.push_str(if start.is_some() {
                    "</ol>\n"
                } else {
                    "</ul>\n"
                });
            }
            Block::Rule => out.push_str("<hr />\n"),
            Block::Table { align, head, rows } => {
                let cell = |tag: &str, i: usize, text: &str| {
                    let style = match align.get(i).copied().unwrap_or(Align::None) {
                        Align::None => "",
                        Align::Left => " style=\"text-align: left\"",
                        Align::Center => " style=\"text-align: center\"",
                        Align::Right => " style=\"text-align: right\"",
                    };
                    format!("<{tag}{style}>{}</{tag}>", inline_html(text, resolve))
                };
                out.push_str("<table><thead><tr>");
                for (i, h) in head.iter().enumerate() {
                    out.push_str(&cell("th", i, h));
                }
                out.push_str("</tr></thead><tbody>\n");
                for row in &rows {
                    out.push_str("<tr>");
                    // A row is as wide as the header: missing cells are empty, extra ones go.
                    for i in 0..head.len() {
                        out.push_str(&cell("td", i, row.get(i).map_or("", String::as_str)));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody></table>\n");
            }
        }
    }
    out
}

/// The document as plain text: blocks apart by a blank line, list items marked as in the
/// Markdown, table cells apart by ` | `, links as `text (address)`, images left out (the
/// chart travels beside the text).
pub fn to_plain(markdown: &str, resolve: Resolve<'_>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for block in blocks(markdown) {
        let text = match block {
            Block::Heading(_, text) | Block::Paragraph(text) => inline_plain(&text, resolve),
            Block::List { start, items, .. } => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let mark = match start {
                        None => "-".to_string(),
                        Some(n) => format!("{}.", n + i as u64),
                    };
                    format!("{mark} {}", inline_plain(item, resolve))
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Rule => continue,
            Block::Table { head, rows, .. } => std::iter::once(&head)
                .chain(&rows)
                .map(|row| {
                    row.iter()
                        .map(|c| inline_plain(c, resolve))
                        .collect::<Vec<_>>()
                        .join(" | ")
                })
                .collect::<Vec<_>>()
                .join("\n"),
        };
        if !text.trim().is_empty() {
            parts.push(text);
        }
    }
    parts.join("\n\n")
}

/// One line of Markdown (a headline, a standfirst) as plain text.
pub fn inline_to_plain(markdown: &str) -> String {
    let text = inline_plain(markdown.trim(), &|href: &str| href.to_string());
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escapes text for HTML, as CommonMark renderers do (`&`, `<`, `>`, `"`).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// An address as an attribute: characters a URL may not hold percent-encoded, `&` and `'`
/// as entities.
fn escape_href(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#x27;"),
            c if c.is_ascii_alphanumeric() || "-_.!*(),%#@?=;:/+$~".contains(c) => out.push(c),
            c => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

/// Whether an address may be followed from a reader's page: the web, mail, or relative.
fn safe_href(href: &str) -> bool {
    let scheme_end = href.find(':');
    let first_stop = href.find(['/', '?', '#']);
    match scheme_end {
        Some(at) if first_stop.is_none_or(|stop| at < stop) => {
            let scheme = href[..at].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
        _ => true,
    }
}

fn plain_of(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::SoftBreak => out.push(' '),
            Inline::Strong(inner) | Inline::Em(inner) => out.push_str(&plain_of(inner)),
            Inline::Link { text, .. } => out.push_str(&plain_of(text)),
            Inline::Image { alt, .. } => out.push_str(&plain_of(alt)),
        }
    }
    out
}

fn render_html(inlines: &[Inline], resolve: Resolve<'_>, out: &mut String) {
    for i in inlines {
        match i {
            Inline::Text(t) => out.push_str(&escape_html(t)),
            Inline::SoftBreak => out.push('\n'),
            Inline::Code(t) => out.push_str(&format!("<code>{}</code>", escape_html(t))),
            Inline::Strong(inner) => {
                out.push_str("<strong>");
                render_html(inner, resolve, out);
                out.push_str("</strong>");
            }
            Inline::Em(inner) => {
                out.push_str("<em>");
                render_html(inner, resolve, out);
                out.push_str("</em>");
            }
            Inline::Link { text, href, title } => {
                if !safe_href(href) {
                    render_html(text, resolve, out);
                    continue;
                }
                out.push_str(&format!("<a href=\"{}\"", escape_href(&resolve(href))));
                if let Some(t) = title {
                    out.push_str(&format!(" title=\"{}\"", escape_html(t)));
                }
                out.push('>');
                render_html(text, resolve, out);
                out.push_str("</a>");
            }
            Inline::Image { alt, src, title } => {
                if !safe_href(src) {
                    out.push_str(&escape_html(&plain_of(alt)));
                    continue;
                }
                out.push_str(&format!(
                    "<img src=\"{}\" alt=\"{}\"",
                    escape_href(&resolve(src)),
                    escape_html(&plain_of(alt))
                ));
                if let Some(t) = title {
                    out.push_str(&format!(" title=\"{}\"", escape_html(t)));
                }
                out.push_str(" />");
            }
        }
    }
}

fn render_plain(inlines: &[Inline], resolve: Resolve<'_>, out: &mut String) {
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::SoftBreak => out.push(' '),
            Inline::Strong(inner) | Inline::Em(inner) => render_plain(inner, resolve, out),
            Inline::Link { text, href, .. } => {
                let words = plain_of(text);
                out.push_str(&words);
                if safe_href(href) {
                    let href = resolve(href);
                    if words != href {
                        out.push_str(&format!(" ({href})"));
                    }
                }
            }
            Inline::Image { .. } => {}
        }
    }
}

fn inline_html(text: &str, resolve: Resolve<'_>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    render_html(&inlines(&chars), resolve, &mut out);
    out
}

fn inline_plain(text: &str, resolve: Resolve<'_>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    render_plain(&inlines(&chars), resolve, &mut out);
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        to_html(md, &|h: &str| h.to_string())
    }

    fn plain(md: &str) -> String {
        to_plain(md, &|h: &str| h.to_string())
    }

    #[test]
    fn blocks_of_casewire_copy_become_elements() {
        let md = "# Rates fall\n\nFirst paragraph\nwraps.\n\n## Bexley\n\nThe 10 areas:\n\n1. Epping Forest (down)\n2. Redbridge (down)\n\n- one\n- two\n\n---\n\n![Chart of rates](chart.svg)\n";
        assert_eq!(
            html(md),
            "<h1>Rates fall</h1>\n<p>First paragraph\nwraps.</p>\n<h2>Bexley</h2>\n<p>The 10 areas:</p>\n<ol>\n<li>Epping Forest (down)</li>\n<li>Redbridge (down)</li>\n</ol>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<hr />\n<p><img src=\"chart.svg\" alt=\"Chart of rates\" /></p>\n"
        );
        assert_eq!(
            plain(md),
            "Rates fall\n\nFirst paragraph wraps.\n\nBexley\n\nThe 10 areas:\n\n1. Epping Forest (down)\n2. Redbridge (down)\n\n- one\n- two"
        );
    }

    #[test]
    fn inline_marks_links_and_escapes() {
        assert_eq!(
            html("**Bold** and *em* and _em_ and `code` and [the data](table.csv \"CSV\")"),
            "<p><strong>Bold</strong> and <em>em</em> and <em>em</em> and <code>code</code> and <a href=\"table.csv\" title=\"CSV\">the data</a></p>\n"
        );
        assert_eq!(
            html(r"St Helen\'s \*not em\* 5 \* 3 snake_case_name"),
            "<p>St Helen's *not em* 5 * 3 snake_case_name</p>\n"
        );
        assert_eq!(
            html("*a **b** c*"),
            "<p><em>a <strong>b</strong> c</em></p>\n"
        );
        assert_eq!(
            plain("[the data](table.csv) and **x**"),
            "the data (table.csv) and x"
        );
        assert_eq!(
            inline_to_plain(r"Covid-19 in Barking \& Dagenham\!"),
            "Covid-19 in Barking & Dagenham!"
        );
    }

    #[test]
    fn html_in_the_copy_is_text_and_unsafe_addresses_are_dropped() {
        assert_eq!(
            html("<script>alert(1)</script> & \"q\""),
            "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;</p>\n"
        );
        assert_eq!(
            html("[click](javascript:alert(1)) ![x](JavaScript:alert(1))"),
            "<p>click x</p>\n"
        );
        assert_eq!(plain("[click](javascript:alert(1))"), "click");
        assert_eq!(
            html("[a](https://x.example/?a=1&b='2')"),
            "<p><a href=\"https://x.example/?a=1&amp;b=&#x27;2&#x27;\">a</a></p>\n"
        );
    }

    #[test]
    fn pipe_tables_with_alignment() {
        let md = "| Area | Rate |\n|:--|--:|\n| Bexley | 691.9 |\n| A \\| B | 1 |\n";
        assert_eq!(
            html(md),
            "<table><thead><tr><th style=\"text-align: left\">Area</th><th style=\"text-align: right\">Rate</th></tr></thead><tbody>\n<tr><td style=\"text-align: left\">Bexley</td><td style=\"text-align: right\">691.9</td></tr>\n<tr><td style=\"text-align: left\">A | B</td><td style=\"text-align: right\">1</td></tr>\n</tbody></table>\n"
        );
        assert_eq!(plain(md), "Area | Rate\nBexley | 691.9\nA | B | 1");
    }

    #[test]
    fn relative_addresses_are_resolved() {
        let resolve = |h: &str| format!("https://files.example/b/{h}");
        assert_eq!(
            to_html("![c](chart.svg)", &resolve),
            "<p><img src=\"https://files.example/b/chart.svg\" alt=\"c\" /></p>\n"
        );
    }

    #[test]
    fn a_numbered_line_inside_a_paragraph_stays_prose() {
        assert_eq!(html("rates in\n2021. The"), "<p>rates in\n2021. The</p>\n");
        assert_eq!(html("Heading\n==="), "<h1>Heading</h1>\n");
        assert_eq!(html("Sub\n---"), "<h2>Sub</h2>\n");
    }
}
