//! The newsroom file's `[wordpress]` table: the WordPress site each edition becomes a post on.
//!
//! ```toml
//! [wordpress]
//! site = "https://courier.example"          # the site's address (http only to 127.0.0.1)
//! user = "casewire"                          # a user who may write posts
//! password_file = "/etc/casewire/wp-password"  # holds an application password, one line
//! status = "draft"                           # draft, pending or publish
//! categories = [3]                           # category ids, optional
//! timeout_secs = 30                          # one request's limit, optional (1 to 300)
//! every_area = false                         # also post every-area editions, a post per area
//! ```
//!
//! The password is read from its file when a run pushes, never kept in the newsroom file,
//! and never printed.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::Url;
use serde::Deserialize;

/// What a post is made as.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PostStatus {
    /// A draft, for the desk to publish.
    #[default]
    Draft,
    /// Pending review.
    Pending,
    /// Published at once.
    Publish,
}

impl PostStatus {
    /// As WordPress's REST API names it.
    pub fn as_str(self) -> &'static str {
        match self {
            PostStatus::Draft => "draft",
            PostStatus::Pending => "pending",
            PostStatus::Publish => "publish",
        }
    }
}

/// The `[wordpress]` table, checked; `password_file` as written (the newsroom file
/// resolves it against its folder).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawWordpress")]
pub struct WordpressSettings {
    /// The site's address, ending in `/`.
    pub site: Url,
    /// The user posts are made as.
    pub user: String,
    /// The file holding the user's application password.
    pub password_file: PathBuf,
    /// What posts are made as.
    pub status: PostStatus,
    /// Category ids every post is filed under.
    pub categories: Vec<u64>,
    /// How long one request may take.
    pub timeout: Duration,
    /// Whether every-area editions are posted too, a post per area page (off by default: a
    /// week's edition for England is some three hundred posts).
    pub every_area: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWordpress {
    site: String,
    user: String,
    password_file: PathBuf,
    #[serde(default)]
    status: PostStatus,
    #[serde(default)]
    categories: Vec<u64>,
    #[serde(default = "default_timeout")]
    timeout_secs: u64,
    #[serde(default)]
    every_area: bool,
}

fn default_timeout() -> u64 {
    30
}

impl TryFrom<RawWordpress> for WordpressSettings {
    type Error = String;

    fn try_from(raw: RawWordpress) -> Result<Self, Self::Error> {
        let text = raw.site.trim();
        let with_slash = if text.ends_with('/') {
            text.to_string()
        } else {
            format!("{text}/")
        };
        let site = Url::parse(&with_slash)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| format!("wordpress.site \"{text}\" is not an http(s) address"))?;
        if !site.username().is_empty() || site.password().is_some() {
            return Err("wordpress.site may not hold a user name or password".into());
        }
        crate::fetch::client::check_transport(&site).map_err(|_| {
            format!(
                "wordpress.site \"{text}\" is plain HTTP to another machine; use https (plain \
                 HTTP is allowed only to 127.0.0.1 or localhost)"
            )
        })?;
        if raw.user.trim().is_empty() {
            return Err("wordpress.user is empty".into());
        }
        if raw.timeout_secs == 0 || raw.timeout_secs > 300 {
            return Err(format!(
                "wordpress.timeout_secs = {} is out of range: 1 to 300",
                raw.timeout_secs
            ));
        }
        Ok(WordpressSettings {
            site,
            user: raw.user.trim().to_string(),
            password_file: raw.password_file,
            status: raw.status,
            categories: raw.categories,
            timeout: Duration::from_secs(raw.timeout_secs),
            every_area: raw.every_area,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct File {
        wordpress: WordpressSettings,
    }

    #[test]
    fn the_table_is_checked() {
        let ok: File = toml::from_str(
            "[wordpress]\nsite = \"http://127.0.0.1:8098\"\nuser = \"casewire\"\npassword_file = \"pw\"\nstatus = \"pending\"\ncategories = [1]\n",
        )
        .unwrap();
        assert_eq!(ok.wordpress.site.as_str(), "http://127.0.0.1:8098/");
        assert_eq!(ok.wordpress.status, PostStatus::Pending);
        for bad in [
            "site = \"http://news.example\"\nuser = \"u\"\npassword_file = \"pw\"",
            "site = \"https://news.example\"\nuser = \"u\"\npassword_file = \"pw\"\nstatus = \"live\"",
            "site = \"https://news.example\"\nuser = \" \"\npassword_file = \"pw\"",
            "site = \"https://news.example\"\nuser = \"u\"\npassword = \"x\"",
        ] {
            let text = format!("[wordpress]\n{bad}\n");
            assert!(toml::from_str::<File>(&text).is_err(), "{bad}");
        }
    }
}
