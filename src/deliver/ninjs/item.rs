//! The item's shape, as IPTC's ninjs 2.2 schema has it: the fields casewire fills, in the
//! order it writes them.

use serde::Serialize;

use super::PubStatus;

/// A ninjs 2.2 item. Serialises to the schema's shape; [`NinjsItem::to_json`] writes it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NinjsItem {
    /// Stable per story and release.
    pub uri: String,
    /// Always `text`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The schema this follows.
    pub standard: Standard,
    /// `1`, `2`, ... as a string, as the schema has it.
    pub version: String,
    /// RFC 3339, UTC.
    pub firstcreated: String,
    /// RFC 3339, UTC.
    pub versioncreated: String,
    /// Whether to run it.
    pub pubstatus: PubStatus,
    /// `STORY-RELEASE`, the name the files carry.
    pub slugline: String,
    /// `en-GB`.
    pub language: &'static str,
    /// One, the main headline.
    pub headlines: Vec<Text>,
    /// One, the standfirst.
    pub descriptions: Vec<Text>,
    /// Plain text, then HTML.
    pub bodies: Vec<Body>,
    /// The topic.
    pub subjects: Vec<Concept>,
    /// The areas, with their ONS codes.
    pub places: Vec<Concept>,
    /// For the receiving desk.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ednote: String,
    /// Who holds the copyright.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub copyrightholder: String,
    /// How it may be used.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub usageterms: String,
    /// The chart and the table.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub associations: Vec<Association>,
}

/// The `standard` object.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Standard {
    /// `ninjs`.
    pub name: &'static str,
    /// `2.2`.
    pub version: &'static str,
    /// [`NINJS_SCHEMA`].
    pub schema: &'static str,
}

/// A headline or a description.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Text {
    /// `main`, `summary`.
    pub role: &'static str,
    /// `text/plain`.
    pub contenttype: &'static str,
    /// The words.
    pub value: String,
}

/// A body.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Body {
    /// `main`.
    pub role: &'static str,
    /// `text/plain` or `text/html`.
    pub contenttype: &'static str,
    /// Characters of the text (of the plain version, for both).
    pub charcount: usize,
    /// Words of the text.
    pub wordcount: usize,
    /// The body.
    pub value: String,
}

/// A subject or a place.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Concept {
    /// Its name.
    pub name: String,
    /// Its code as a string (`medtop:20000449`, `E09000006`).
    pub literal: String,
    /// Its code as a URI.
    pub uri: String,
}

/// An associated object (the chart, the table).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Association {
    /// `chart` or `table`.
    pub name: &'static str,
    /// The item's `uri` and the name.
    pub uri: String,
    /// `graphic` or `component`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The item's.
    pub version: String,
    /// What it shows.
    pub headlines: Vec<Text>,
    /// The file.
    pub renditions: Vec<Rendition>,
}

/// A rendition: one file of an association.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rendition {
    /// `svg`, `csv`.
    pub name: String,
    /// Absolute.
    pub href: String,
    /// Its media type.
    pub contenttype: String,
    /// What it shows.
    pub title: String,
    /// Pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<f64>,
    /// Pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<f64>,
}

impl NinjsItem {
    /// The item as pretty-printed JSON with a final newline, as written beside the edition.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("an item always serialises") + "\n"
    }
}
