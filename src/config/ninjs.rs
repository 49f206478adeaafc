//! The newsroom file's `[ninjs]` table: how the ninjs item beside each edition names itself
//! and its files, and whose copy it is.
//!
//! ```toml
//! [ninjs]
//! uri_base = "https://courier.example/casewire"     # the items' identifier space
//! files_url = "https://files.courier.example/covid/" # the output folder's address
//! copyrightholder = "South East London Courier"
//! usageterms = "Free to republish with credit to the Courier."
//! ```
//!
//! Every setting is optional: `uri_base` falls back to the feed's `site_url`, then to
//! `urn:casewire`; `files_url` to the feed's `site_url`; without either, an item carries no
//! chart or table (a CMS could not fetch a relative file) and its body's links stay relative.

use reqwest::Url;
use serde::Deserialize;

/// The identifier space used when neither `[ninjs] uri_base` nor `[feed] site_url` is set.
pub const DEFAULT_URI_BASE: &str = "urn:casewire";

/// The `[ninjs]` table, checked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawNinjs")]
pub struct NinjsSettings {
    /// The items' identifier space, an absolute URI, when set.
    pub uri_base: Option<String>,
    /// The address of the output folder, ending in `/`, when set.
    pub files_url: Option<String>,
    /// Who holds the copyright.
    pub copyrightholder: String,
    /// How the copy may be used.
    pub usageterms: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNinjs {
    uri_base: Option<String>,
    files_url: Option<String>,
    #[serde(default)]
    copyrightholder: String,
    #[serde(default)]
    usageterms: String,
}

impl TryFrom<RawNinjs> for NinjsSettings {
    type Error = String;

    fn try_from(raw: RawNinjs) -> Result<Self, Self::Error> {
        if let Some(base) = &raw.uri_base
            && Url::parse(base).is_err()
        {
            return Err(format!(
                "ninjs.uri_base \"{base}\" is not an absolute URI (such as https://courier.example/casewire)"
            ));
        }
        let files_url = match raw.files_url {
            None => None,
            Some(u) => Some(folder_url(&u).ok_or_else(|| {
                format!("ninjs.files_url \"{u}\" is not an http(s) address of a folder")
            })?),
        };
        Ok(NinjsSettings {
            uri_base: raw.uri_base,
            files_url,
            copyrightholder: raw.copyrightholder,
            usageterms: raw.usageterms,
        })
    }
}

/// An http(s) address as a folder's, ending in `/`.
pub(crate) fn folder_url(text: &str) -> Option<String> {
    let url = Url::parse(text.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return None;
    }
    let s = String::from(url);
    Some(if s.ends_with('/') { s } else { s + "/" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct File {
        ninjs: NinjsSettings,
    }

    #[test]
    fn the_table_is_checked_and_a_folder_address_gains_its_slash() {
        let n: File = toml::from_str(
            "[ninjs]\nuri_base = \"tag:courier.example,2021:casewire\"\nfiles_url = \"https://f.example/covid\"\n",
        )
        .unwrap();
        assert_eq!(
            n.ninjs.files_url.as_deref(),
            Some("https://f.example/covid/")
        );
        for bad in [
            "[ninjs]\nuri_base = \"courier\"\n",
            "[ninjs]\nfiles_url = \"ftp://f.example/\"\n",
            "[ninjs]\nrights = \"x\"\n",
        ] {
            assert!(toml::from_str::<File>(bad).is_err(), "{bad}");
        }
    }
}
