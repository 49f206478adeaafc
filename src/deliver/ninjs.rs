//! An edition as an IPTC ninjs 2.2 item (News in JSON), the format press agencies deliver
//! localised copy in and most newsroom systems read.
//!
//! [`item`] builds the item from a plain [`NinjsInput`] that a publisher fills from what it
//! already has (the headline, the standfirst and the body Markdown of the edition, its areas,
//! the chart and table file names) and what its state keeps (the version and when the first
//! one went out). The library never reads the clock: both times are passed in.
//!
//! The item's `uri` is the same for every version of one story's edition of one release, so a
//! CMS replaces the copy it holds when `version` goes up; `pubstatus` says whether to run it
//! (`usable`), keep it off the page (`withheld`, when a gate holds the edition back) or take
//! it down (`canceled`). The body comes as plain text and as HTML, converted from the
//! Markdown by [`super::markdown`]; areas are `places` with their ONS codes, the topic is
//! `subjects` from IPTC's Media Topics; the chart and the table travel as `associations`,
//! each with a `rendition` naming its file.

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::Url;
use serde::{Deserialize, Serialize};

mod item;

pub use item::{Association, Body, Concept, NinjsItem, Rendition, Standard, Text};

use super::markdown;
use crate::draft::Draft;
use crate::story::Story;

/// The schema the items follow, named in each item's `standard`.
pub const NINJS_SCHEMA: &str = "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json";

/// The language of casewire's copy.
pub const LANGUAGE: &str = "en-GB";

/// Where an ONS (GSS) code is published as linked data: every area's `places` entry links
/// to its page.
const ONS_GEOGRAPHY: &str = "http://statistics.data.gov.uk/id/statistical-geography/";

/// IPTC Media Topics every item is about: health, and epidemic and pandemic.
const TOPICS: [(&str, &str); 2] = [
    ("07000000", "health"),
    ("20000449", "epidemic and pandemic"),
];

/// Whether a receiving system may run the item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PubStatus {
    /// Ready to publish.
    Usable,
    /// Not to be published for now (a gate held the edition back).
    Withheld,
    /// Withdrawn: a system that ran it takes it down.
    Canceled,
}

/// An area the edition covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// The ONS (GSS) code: `E09000006`.
    pub code: String,
    /// The name as printed: `Bromley`.
    pub name: String,
}

/// A file delivered with the edition (the chart, the table).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// Its address: absolute, or relative to [`NinjsInput::assets_base`] (`chart.svg`).
    pub href: String,
    /// Its media type: `image/svg+xml`, `text/csv`.
    pub contenttype: String,
    /// Width in pixels, for an image.
    pub width: Option<f64>,
    /// Height in pixels, for an image.
    pub height: Option<f64>,
    /// What it shows, in words (the chart's alt text, the table's caption).
    pub title: String,
}

impl Attachment {
    /// An SVG chart of the given size.
    pub fn svg(href: &str, width: f64, height: f64, title: &str) -> Attachment {
        Attachment {
            href: href.to_string(),
            contenttype: "image/svg+xml".to_string(),
            width: Some(width),
            height: Some(height),
            title: title.to_string(),
        }
    }

    /// A CSV table.
    pub fn csv(href: &str, title: &str) -> Attachment {
        Attachment {
            href: href.to_string(),
            contenttype: "text/csv".to_string(),
            width: None,
            height: None,
            title: title.to_string(),
        }
    }
}

/// The editorial note: for the receiving desk, never printed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ednote {
    /// Why the item is withheld or canceled, when it is.
    pub status: Option<String>,
    /// How the figures were made (the story's method paragraph).
    pub method: String,
    /// What was checked before the copy went out (the draft's one-line summary).
    pub audit: String,
}

impl Ednote {
    /// The note for a draft: the method in one sentence, from the story's dates and sources,
    /// and what the draft's checks covered.
    pub fn for_draft(draft: &Draft, status: Option<String>) -> Ednote {
        let w = &draft.story.week_part;
        let date = |d| crate::lang::date(d, Some(w.story_year));
        let source = if w.source_name == w.dashboard_name {
            w.dashboard_name.clone()
        } else {
            format!("{} on {}", w.source_name, w.dashboard_name)
        };
        Ednote {
            status,
            method: format!(
                "Seven-day case rates per 100,000 people by specimen date for the seven days \
                 to {}, against the seven days to {}, from data published by {source} on {}; \
                 every figure and claim is traced to the data in the facts file beside the \
                 edition.",
                date(w.week.end),
                date(w.prev_week.end),
                date(w.release)
            ),
            audit: draft
                .checked
                .to_string()
                .trim_start_matches("checked: ")
                .to_string(),
        }
    }

    fn render(&self) -> String {
        let mut parts = Vec::new();
        if let Some(status) = self.status.as_deref().filter(|s| !s.trim().is_empty()) {
            parts.push(status.trim().to_string());
        }
        if !self.method.trim().is_empty() {
            parts.push(format!(
                "Method: {}",
                markdown::inline_to_plain(&self.method)
            ));
        }
        if !self.audit.trim().is_empty() {
            parts.push(format!("Checked: {}", self.audit.trim()));
        }
        parts.join("\n\n")
    }
}

/// What an item is built from: an edition as a publisher holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NinjsInput {
    /// The newsroom's identifier space, an absolute URI: `https://courier.example/casewire`.
    /// The item's `uri` is `BASE/STORY/RELEASE`.
    pub uri_base: String,
    /// The story's name (`se-london-weekly`); an every-area edition names its area too
    /// (`england-areas/bromley-e09000006`). Letters, digits, `-`, `_`, `.` and `/`.
    pub story: String,
    /// The release the edition is of: `2021-01-18`.
    pub release: String,
    /// 1 for the first item of the edition, raised by one with every update.
    pub version: u32,
    /// When the first version went out.
    pub firstcreated: DateTime<Utc>,
    /// When this version was made.
    pub versioncreated: DateTime<Utc>,
    /// Whether to run it.
    pub pubstatus: PubStatus,
    /// The headline, as the template wrote it (Markdown escapes are undone).
    pub headline: String,
    /// The standfirst, likewise.
    pub standfirst: String,
    /// The body, Markdown; a first `# ` line (the headline) is left out.
    pub body_markdown: String,
    /// The areas the edition covers, in print order.
    pub areas: Vec<Place>,
    /// For the receiving desk.
    pub ednote: Ednote,
    /// Where the edition's files can be fetched, an absolute URL of their folder (ending in
    /// `/`); relative addresses in the body and the attachments are resolved against it.
    /// Without it they must be absolute and the body's relative links stay as written.
    pub assets_base: Option<String>,
    /// The chart.
    pub chart: Option<Attachment>,
    /// The table of figures.
    pub table: Option<Attachment>,
    /// Who holds the copyright (the newsroom file's provenance).
    pub copyrightholder: String,
    /// How the copy may be used.
    pub usageterms: String,
}

/// Why an item cannot be built; each names the field and the value at fault.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NinjsError {
    /// The URI base is not an absolute URI.
    #[error(
        "ninjs uri_base \"{0}\" is not an absolute URI (such as https://courier.example/casewire)"
    )]
    UriBase(String),
    /// A part of the item's identifier holds characters an identifier may not.
    #[error(
        "ninjs {field} \"{value}\" may hold only letters, digits, '-', '_', '.' and '/' between names"
    )]
    Name {
        /// `story` or `release`.
        field: &'static str,
        /// The value.
        value: String,
    },
    /// Version 0.
    #[error("ninjs version must be 1 or more (the first item is version 1)")]
    Version,
    /// A version made before the first.
    #[error("ninjs versioncreated {versioncreated} is before firstcreated {firstcreated}")]
    Times {
        /// When the first went out.
        firstcreated: String,
        /// When this one was made.
        versioncreated: String,
    },
    /// An area code that is not an ONS code.
    #[error("ninjs area {name}: \"{code}\" is not an ONS code (a letter and eight digits)")]
    AreaCode {
        /// The area's name.
        name: String,
        /// The code given.
        code: String,
    },
    /// The assets base is not an absolute URL of a folder.
    #[error("ninjs assets_base \"{0}\" is not an absolute URL ending in '/'")]
    AssetsBase(String),
    /// An attachment's address cannot be made absolute, or leaves the assets folder.
    #[error("ninjs {what} \"{href}\": {why}")]
    Href {
        /// `chart` or `table`.
        what: &'static str,
        /// The address.
        href: String,
        /// What is wrong.
        why: &'static str,
    },
}

/// The width and height of an SVG's root element, from its `width` and `height` attributes
/// (plain numbers or `px`), for [`Attachment::svg`].
pub fn svg_size(svg: &str) -> Option<(f64, f64)> {
    let start = svg.find("<svg")?;
    let tag = &svg[start..start + svg[start..].find('>')?];
    let attr = |name: &str| -> Option<f64> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let value = &tag[at..at + tag[at..].find('"')?];
        value.trim_end_matches("px").parse().ok()
    };
    Some((attr("width")?, attr("height")?))
}

/// The areas a story covers, in print order (its patch, then the nearby areas), each once.
pub fn story_places(story: &Story) -> Vec<Place> {
    let mut seen = std::collections::BTreeSet::new();
    story
        .core
        .iter()
        .chain(&story.nearby)
        .filter(|a| seen.insert(a.code.clone()))
        .map(|a| Place {
            code: a.code.clone(),
            name: a.name.clone(),
        })
        .collect()
}

fn is_id_part(s: &str) -> bool {
    !s.is_empty()
        && s.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
}

fn is_ons_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 9 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A body without its first `# ` line, which is the headline.
fn without_headline(markdown: &str) -> &str {
    let trimmed = markdown.trim_start_matches(['\n', '\r']);
    match trimmed.strip_prefix("# ") {
        Some(rest) => rest.split_once('\n').map_or("", |(_, body)| body),
        None => trimmed,
    }
}

/// Builds the item, checking that everything it names is a usable identifier or address.
pub fn item(input: &NinjsInput) -> Result<NinjsItem, NinjsError> {
    let base = Url::parse(&input.uri_base)
        .ok()
        .ok_or_else(|| NinjsError::UriBase(input.uri_base.clone()))?;
    for (field, value) in [("story", &input.story), ("release", &input.release)] {
        if !is_id_part(value) {
            return Err(NinjsError::Name {
                field,
                value: value.clone(),
            });
        }
    }
    // A URL base takes the parts as path segments; an opaque one (`urn:`, `tag:`) as
    // colon-separated names.
    let uri = if base.cannot_be_a_base() {
        format!(
            "{}:{}:{}",
            input.uri_base.trim_end_matches(':'),
            input.story.replace('/', ":"),
            input.release
        )
    } else {
        format!(
            "{}/{}/{}",
            input.uri_base.trim_end_matches('/'),
            input.story,
            input.release
        )
    };
    if input.version == 0 {
        return Err(NinjsError::Version);
    }
    if input.versioncreated < input.firstcreated {
        return Err(NinjsError::Times {
            firstcreated: time(input.firstcreated),
            versioncreated: time(input.versioncreated),
        });
    }
    let assets = match &input.assets_base {
        None => None,
        Some(b) => Some(
            Url::parse(b)
                .ok()
                .filter(|u| !u.cannot_be_a_base() && u.path().ends_with('/'))
                .ok_or_else(|| NinjsError::AssetsBase(b.clone()))?,
        ),
    };
    let resolve = |href: &str| -> String {
        match (&assets, Url::parse(href)) {
            (_, Ok(_)) => href.to_string(),
            (Some(base), Err(_)) => base.join(href).map_or(href.to_string(), String::from),
            (None, Err(_)) => href.to_string(),
        }
    };
    let version = input.version.to_string();
    let mut associations = Vec::new();
    for (what, attachment, kind, rendition) in [
        ("chart", &input.chart, "graphic", "svg"),
        ("table", &input.table, "component", "csv"),
    ] {
        let Some(a) = attachment else { continue };
        let href = attachment_href(what, &a.href, assets.as_ref())?;
        associations.push(Association {
            name: what,
            uri: format!(
                "{uri}{}{what}",
                if base.cannot_be_a_base() { ":" } else { "/" }
            ),
            kind,
            version: version.clone(),
            headlines: vec![plain_text("main", &a.title)],
            renditions: vec![Rendition {
                name: rendition.to_string(),
                href,
                contenttype: a.contenttype.clone(),
                title: a.title.clone(),
                width: a.width,
                height: a.height,
            }],
        });
    }
    let mut places = Vec::with_capacity(input.areas.len());
    for area in &input.areas {
        if !is_ons_code(&area.code) {
            return Err(NinjsError::AreaCode {
                name: area.name.clone(),
                code: area.code.clone(),
            });
        }
        places.push(Concept {
            name: area.name.clone(),
            literal: area.code.clone(),
            uri: format!("{ONS_GEOGRAPHY}{}", area.code),
        });
    }
    let body = without_headline(&input.body_markdown);
    let plain = markdown::to_plain(body, &resolve);
    let html = markdown::to_html(body, &resolve);
    let charcount = plain.chars().filter(|c| *c != '\n').count();
    let wordcount = plain.split_whitespace().count();
    Ok(NinjsItem {
        uri,
        kind: "text",
        standard: Standard {
            name: "ninjs",
            version: "2.2",
            schema: NINJS_SCHEMA,
        },
        version,
        firstcreated: time(input.firstcreated),
        versioncreated: time(input.versioncreated),
        pubstatus: input.pubstatus,
        slugline: format!("{}-{}", input.story.replace('/', "-"), input.release),
        language: LANGUAGE,
        headlines: vec![plain_text(
            "main",
            &markdown::inline_to_plain(&input.headline),
        )],
        descriptions: vec![plain_text(
            "summary",
            &markdown::inline_to_plain(&input.standfirst),
        )],
        bodies: vec![
            Body {
                role: "main",
                contenttype: "text/plain",
                charcount,
                wordcount,
                value: plain,
            },
            Body {
                role: "main",
                contenttype: "text/html",
                charcount,
                wordcount,
                value: html,
            },
        ],
        subjects: TOPICS
            .iter()
            .map(|(code, name)| Concept {
                name: name.to_string(),
                literal: format!("medtop:{code}"),
                uri: format!("http://cv.iptc.org/newscodes/mediatopic/{code}"),
            })
            .collect(),
        places,
        ednote: input.ednote.render(),
        copyrightholder: input.copyrightholder.trim().to_string(),
        usageterms: input.usageterms.trim().to_string(),
        associations,
    })
}

fn plain_text(role: &'static str, value: &str) -> Text {
    Text {
        role,
        contenttype: "text/plain",
        value: value.to_string(),
    }
}

/// An attachment's absolute address: as given when absolute, else joined to the assets
/// folder, which it may not leave (`../` or a path from the root would name another file).
fn attachment_href(
    what: &'static str,
    href: &str,
    assets: Option<&Url>,
) -> Result<String, NinjsError> {
    let err = |why| NinjsError::Href {
        what,
        href: href.to_string(),
        why,
    };
    if let Ok(url) = Url::parse(href) {
        return match url.scheme() {
            "http" | "https" => Ok(url.into()),
            _ => Err(err("only http and https addresses can be fetched by a CMS")),
        };
    }
    let Some(base) = assets else {
        return Err(err("a relative address needs assets_base"));
    };
    if href.starts_with('/') || href.split(['/', '\\']).any(|p| p == "..") {
        return Err(err("a relative address may not leave the edition's folder"));
    }
    let joined = base
        .join(href)
        .map_err(|_| err("not a usable relative address"))?;
    if !joined.as_str().starts_with(base.as_str()) {
        return Err(err("a relative address may not leave the edition's folder"));
    }
    Ok(joined.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn input() -> NinjsInput {
        NinjsInput {
            uri_base: "https://courier.example/casewire/".into(),
            story: "se-london-weekly".into(),
            release: "2021-01-18".into(),
            version: 1,
            firstcreated: Utc.with_ymd_and_hms(2021, 1, 18, 16, 5, 0).unwrap(),
            versioncreated: Utc.with_ymd_and_hms(2021, 1, 18, 16, 5, 0).unwrap(),
            pubstatus: PubStatus::Usable,
            headline: r"Covid-19 rates fall in Barking \& Dagenham".into(),
            standfirst: "Rates fell.".into(),
            body_markdown: "# Covid-19 rates fall\n\nRates fell.\n\n![Chart](chart.svg)\n".into(),
            areas: vec![Place {
                code: "E09000006".into(),
                name: "Bromley".into(),
            }],
            ednote: Ednote {
                status: None,
                method: "Rates per 100,000.".into(),
                audit: "85 figures traced to data".into(),
            },
            assets_base: Some(
                "https://files.courier.example/covid/se-london-weekly-2021-01-18/".into(),
            ),
            chart: Some(Attachment::svg("chart.svg", 640.0, 302.0, "Rates")),
            table: Some(Attachment::csv("table.csv", "The figures")),
            copyrightholder: "South East London Courier".into(),
            usageterms: "Free to use with credit.".into(),
        }
    }

    #[test]
    fn the_uri_is_stable_per_story_and_release_and_the_parts_are_absolute() {
        let a = item(&input()).unwrap();
        let b = item(&NinjsInput {
            version: 2,
            versioncreated: Utc.with_ymd_and_hms(2021, 1, 19, 16, 5, 0).unwrap(),
            ..input()
        })
        .unwrap();
        assert_eq!(
            a.uri,
            "https://courier.example/casewire/se-london-weekly/2021-01-18"
        );
        assert_eq!(a.uri, b.uri);
        assert_eq!((a.version.as_str(), b.version.as_str()), ("1", "2"));
        assert_eq!(b.versioncreated, "2021-01-19T16:05:00Z");
        assert_eq!(
            a.headlines[0].value,
            "Covid-19 rates fall in Barking & Dagenham"
        );
        assert_eq!(
            a.associations[0].renditions[0].href,
            "https://files.courier.example/covid/se-london-weekly-2021-01-18/chart.svg"
        );
        assert_eq!(a.bodies[0].value, "Rates fell.");
        assert!(a.bodies[1].value.contains(
            "<img src=\"https://files.courier.example/covid/se-london-weekly-2021-01-18/chart.svg\""
        ));
        assert_eq!(
            a.ednote,
            "Method: Rates per 100,000.\n\nChecked: 85 figures traced to data"
        );
        let tag = item(&NinjsInput {
            uri_base: "tag:courier.example,2021:casewire".into(),
            story: "england-areas/bromley-e09000006".into(),
            ..input()
        })
        .unwrap();
        assert_eq!(
            tag.uri,
            "tag:courier.example,2021:casewire:england-areas:bromley-e09000006:2021-01-18"
        );
        assert_eq!(tag.slugline, "england-areas-bromley-e09000006-2021-01-18");
    }

    #[test]
    fn bad_inputs_are_refused_naming_the_field() {
        let cases: Vec<(NinjsInput, &str)> = vec![
            (
                NinjsInput {
                    uri_base: "courier".into(),
                    ..input()
                },
                "uri_base \"courier\"",
            ),
            (
                NinjsInput {
                    story: "../etc".into(),
                    ..input()
                },
                "story \"../etc\"",
            ),
            (
                NinjsInput {
                    release: "2021 01 18".into(),
                    ..input()
                },
                "release",
            ),
            (
                NinjsInput {
                    version: 0,
                    ..input()
                },
                "version must be 1",
            ),
            (
                NinjsInput {
                    firstcreated: Utc.with_ymd_and_hms(2021, 1, 19, 0, 0, 0).unwrap(),
                    ..input()
                },
                "before firstcreated",
            ),
            (
                NinjsInput {
                    areas: vec![Place {
                        code: "E09\"6".into(),
                        name: "Bromley".into(),
                    }],
                    ..input()
                },
                "ninjs area Bromley",
            ),
            (
                NinjsInput {
                    chart: Some(Attachment::svg("../../secret.svg", 1.0, 1.0, "x")),
                    ..input()
                },
                "may not leave",
            ),
            (
                NinjsInput {
                    chart: Some(Attachment::svg("javascript:alert(1)", 1.0, 1.0, "x")),
                    ..input()
                },
                "only http and https",
            ),
            (
                NinjsInput {
                    assets_base: None,
                    ..input()
                },
                "needs assets_base",
            ),
            (
                NinjsInput {
                    assets_base: Some("https://x.example/no-slash".into()),
                    ..input()
                },
                "ending in '/'",
            ),
        ];
        for (bad, expected) in cases {
            let err = item(&bad).unwrap_err().to_string();
            assert!(err.contains(expected), "{err} lacks {expected}");
        }
    }

    #[test]
    fn an_svg_tells_its_size() {
        assert_eq!(
            svg_size(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="612.5" height="302" viewBox="0 0 612.5 302">"#
            ),
            Some((612.5, 302.0))
        );
        assert_eq!(svg_size("<svg>"), None);
    }
}
