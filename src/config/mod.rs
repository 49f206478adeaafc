//! What a newsroom configures, checked once before any work starts: the patch (which areas a
//! story covers and how its copy is signed) and the newsroom file (what is published, from
//! where, to where). Each file is read as written, overridden while still raw, then checked
//! into a typed value; every error names the file and, where it can, the line.

pub mod after_publish;
pub mod alerts;
pub mod newsroom;
pub mod ninjs;
pub mod patch;
pub mod wordpress;

pub use newsroom::{
    Cadence, Corrections, FeedSettings, Flavour, Newsroom, NewsroomError, NewsroomOverrides,
    Schedule, SourceConfig, StoryConfig,
};
pub use patch::{
    ConfigError, CopyText, Lists, MAX_INCOMPLETE_DAYS, Noise, Patch, PatchOverrides, publisher_on,
    resolve_areas,
};

/// A setting holding a character no setting may hold ([`crate::model::forbidden_char`]):
/// settings are printed in copy, front matter and charts, or name files and hosts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ForbiddenSetting {
    /// The setting, as a TOML path: `region`, `core[1]`, `story[0].name`.
    pub key: String,
    /// The line it is on.
    pub line: usize,
    /// `U+202E`.
    pub code_point: String,
    /// "a bidi control".
    pub kind: &'static str,
}

impl std::fmt::Display for ForbiddenSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}: setting {} holds {}, {}; a setting may not hold control, bidi, \
             zero-width or private-use characters or noncharacters",
            self.line, self.key, self.code_point, self.kind
        )
    }
}

/// The first key or string value of the TOML `text` holding a forbidden character, read
/// with its position. `None` when there is none, or when the TOML does not parse (its
/// parser's error is then the one to report).
pub(crate) fn forbidden_setting(text: &str) -> Option<ForbiddenSetting> {
    let table = toml::de::DeTable::parse(text).ok()?;
    find_in_table(text, table.get_ref(), "")
}

fn find_in_table(
    text: &str,
    table: &toml::de::DeTable<'_>,
    path: &str,
) -> Option<ForbiddenSetting> {
    for (key, value) in table.iter() {
        let name = key.get_ref();
        let shown = if name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            name.to_string()
        } else {
            format!("\"{}\"", crate::model::show_forbidden(name))
        };
        let here = if path.is_empty() {
            shown
        } else {
            format!("{path}.{shown}")
        };
        if let Some(found) = forbidden_in(text, name, key.span().start, &here) {
            return Some(found);
        }
        if let Some(found) = find_in_value(text, value, &here) {
            return Some(found);
        }
    }
    None
}

fn find_in_value(
    text: &str,
    value: &toml::Spanned<toml::de::DeValue<'_>>,
    path: &str,
) -> Option<ForbiddenSetting> {
    use toml::de::DeValue;
    match value.get_ref() {
        DeValue::String(s) => forbidden_in(text, s, value.span().start, path),
        DeValue::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| find_in_value(text, item, &format!("{path}[{i}]"))),
        DeValue::Table(table) => find_in_table(text, table, path),
        _ => None,
    }
}

fn forbidden_in(text: &str, s: &str, at: usize, path: &str) -> Option<ForbiddenSetting> {
    let (_, c, kind) = crate::model::find_forbidden(s)?;
    Some(ForbiddenSetting {
        key: path.to_string(),
        line: patch::line_at(text, at),
        code_point: crate::model::code_point(c),
        kind,
    })
}
