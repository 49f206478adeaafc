//! What an edition is made of besides the copy and its front matter: a CSV of the story's table,
//! and an SVG chart of the patch's rates.

use std::fmt::Write;

use crate::lang;
use crate::story::{AreaView, Story};

/// The areas a story's table and chart show: core, then nearby.
pub(crate) fn table_areas(story: &Story) -> Vec<(&'static str, &AreaView)> {
    story
        .core
        .iter()
        .map(|a| ("core", a))
        .chain(story.nearby.iter().map(|a| ("nearby", a)))
        .collect()
}

fn csv_field(s: &str) -> String {
    let s = &*lang::spreadsheet_text(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The story's table as CSV, ready for a charting tool.
pub(crate) fn table_csv(story: &Story) -> String {
    let mut out = String::from(
        "area_code,area_name,role,rate_per_100k,cases,last_week_rate_per_100k,last_week_cases,week_end\n",
    );
    for (role, a) in table_areas(story) {
        let _ = writeln!(
            out,
            "{},{},{role},{},{},{},{},{}",
            csv_field(&a.code),
            csv_field(&a.name),
            a.rate,
            a.cases,
            a.prev_rate,
            a.prev_cases,
            story.week.end
        );
    }
    out
}

/// Text for XML (the chart's SVG, the Atom feed): the five special characters escaped, and
/// the characters XML 1.0 forbids (controls but tab and line feed, U+FFFE, U+FFFF) dropped.
pub(super) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if ((c as u32) < 0x20 && c != '\n' && c != '\t')
                || c == '\u{FFFE}'
                || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A horizontal bar chart of the patch's rates this week against last week, as SVG.
pub(crate) fn chart_svg(story: &Story) -> String {
    let areas = table_areas(story);
    let label_w = 220.0;
    let bar_w = 420.0;
    let row_h = 44.0;
    let top = 56.0;
    let height = top + row_h * areas.len() as f64 + 40.0;
    let width = label_w + bar_w + 90.0;
    let max = areas
        .iter()
        .flat_map(|(_, a)| [a.rate.0, a.prev_rate.0])
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let title = format!(
        "Covid-19 cases per 100,000 people, seven days to {} and the week before",
        lang::date(story.week.end, None)
    );
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="title">"#
    );
    let _ = writeln!(out, r#"  <title id="title">{}</title>"#, xml_escape(&title));
    let _ = writeln!(
        out,
        r#"  <text x="10" y="24" font-family="sans-serif" font-size="15" font-weight="bold">{}</text>"#,
        xml_escape(&title)
    );
    let _ = writeln!(
        out,
        r##"  <rect x="{label_w}" y="34" width="12" height="10" fill="#1f4e79"/><text x="{}" y="43" font-family="sans-serif" font-size="11">to {}</text><rect x="{}" y="34" width="12" height="10" fill="#b0b7bf"/><text x="{}" y="43" font-family="sans-serif" font-size="11">to {}</text>"##,
        label_w + 16.0,
        xml_escape(&lang::date(story.week.end, None)),
        label_w + 120.0,
        label_w + 136.0,
        xml_escape(&lang::date(story.prev_week.end, None)),
    );
    for (i, (_, a)) in areas.iter().enumerate() {
        let y = top + row_h * i as f64;
        let this = bar_w * a.rate.0 as f64 / max;
        let last = bar_w * a.prev_rate.0 as f64 / max;
        let _ = writeln!(
            out,
            r##"  <g><text x="{}" y="{}" text-anchor="end" font-family="sans-serif" font-size="13">{}</text><rect x="{label_w}" y="{}" width="{this:.1}" height="16" fill="#1f4e79"/><text x="{:.1}" y="{}" font-family="sans-serif" font-size="11">{}</text><rect x="{label_w}" y="{}" width="{last:.1}" height="10" fill="#b0b7bf"/><text x="{:.1}" y="{}" font-family="sans-serif" font-size="10">{}</text></g>"##,
            label_w - 8.0,
            y + 17.0,
            xml_escape(&a.name),
            y + 4.0,
            label_w + this + 4.0,
            y + 16.0,
            lang::rate_tenths(a.rate.0),
            y + 22.0,
            label_w + last + 4.0,
            y + 31.0,
            lang::rate_tenths(a.prev_rate.0),
        );
    }
    out.push_str("</svg>\n");
    out
}
