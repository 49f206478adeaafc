//! Posting editions to a newsroom's WordPress through its REST API (`/wp/v2/`), as the user
//! the `[wordpress]` table names, with an application password (HTTP Basic).
//!
//! A push is idempotent: the caller keeps the post's id and passes it back, so an update or
//! a correction edits the same post; a post made by a push whose answer was lost is found
//! again by its slug before another is made. The chart is uploaded to `/wp/v2/media` once
//! and set as the post's featured image. WordPress refuses SVG uploads unless the site
//! allows them (a plugin or the `upload_mimes` filter): then the post goes without its
//! featured image and the push says so in a note, as the chart is in the body anyway.
//!
//! Requests are polite and bounded: each has a timeout, and a failure a wait can cure (no
//! connection, a timeout, 408, 429, 5xx) is retried twice with the fetch client's backoff;
//! anything else (a 401, a 403, a 400) is an error at once. The REST routes are reached as
//! `?rest_route=/wp/v2/...`, which works whatever the site's permalinks.

use std::time::Duration;

use reqwest::Url;
use serde_json::{Value, json};

use crate::config::wordpress::WordpressSettings;

/// A post as casewire makes it.
#[derive(Clone, Debug, PartialEq)]
pub struct PostInput {
    /// The post's slug (`se-london-weekly-2021-01-18`), by which a lost post is found again.
    pub slug: String,
    /// The headline.
    pub title: String,
    /// The body, HTML.
    pub content: String,
    /// The standfirst.
    pub excerpt: String,
    /// Tag names (the areas); made on the site when missing.
    pub tags: Vec<String>,
    /// The chart: its file name and bytes, uploaded once.
    pub chart: Option<(String, Vec<u8>)>,
}

/// What a push left on the site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pushed {
    /// The post's id.
    pub post: u64,
    /// The chart's media id, when it was taken.
    pub media: Option<u64>,
    /// What the caller should know (a refused chart).
    pub notes: Vec<String>,
}

/// Why a push failed. Names the site by address, never the password.
#[derive(Debug, thiserror::Error)]
pub enum WordpressError {
    /// The password file could not be read.
    #[error("cannot read the WordPress application password from {path}")]
    Password {
        /// The file.
        path: std::path::PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The client or the runtime could not be set up.
    #[error("cannot reach WordPress: {0}")]
    Setup(String),
    /// The site refused the user's credentials: the application password is wrong or was
    /// revoked, or the user is gone. Not retried: a retry sends the same password.
    #[error(
        "WordPress at {site} refused the credentials of user \"{user}\" (HTTP 401: {body}); \
         check the application password in wordpress.password_file"
    )]
    Credentials {
        /// The site.
        site: String,
        /// The user casewire signs in as.
        user: String,
        /// The start of the answer (WordPress's `code` and `message`).
        body: String,
    },
    /// The site refused a request (a status a retry will not change).
    #[error("WordPress at {site} refused {what}: HTTP {status}: {body}")]
    Refused {
        /// The site.
        site: String,
        /// The request.
        what: String,
        /// The status.
        status: u16,
        /// The start of the answer (WordPress's `code` and `message`).
        body: String,
    },
    /// Every attempt failed.
    #[error("WordPress at {site}: {what} gave up after {attempts} attempt(s); last: {last}")]
    GaveUp {
        /// The site.
        site: String,
        /// The request.
        what: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// An answer that is not the JSON the API gives.
    #[error("WordPress at {site} answered {what} with no {field}")]
    Answer {
        /// The site.
        site: String,
        /// The request.
        what: String,
        /// What was missing.
        field: &'static str,
    },
}

/// The retry policy: attempts and waits.
#[derive(Clone, Debug)]
pub struct Politeness {
    /// Attempts, the first included.
    pub max_attempts: u32,
    /// The first wait; each retry doubles it, with jitter.
    pub backoff_base: Duration,
    /// The longest wait.
    pub backoff_max: Duration,
}

impl Default for Politeness {
    fn default() -> Self {
        Politeness {
            max_attempts: 3,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(10),
        }
    }
}

/// A client for one site.
pub struct Wordpress {
    http: reqwest::Client,
    settings: WordpressSettings,
    password: String,
    polite: Politeness,
    runtime: tokio::runtime::Runtime,
}

enum Body {
    Json(Value),
    File { name: String, bytes: Vec<u8> },
    None,
}

impl Wordpress {
    /// A client for the site, with the password read from `password_file` (resolved by the
    /// caller) and `contact` in the User-Agent.
    pub fn connect(
        settings: &WordpressSettings,
        password_file: &std::path::Path,
        contact: &str,
        polite: Politeness,
    ) -> Result<Wordpress, WordpressError> {
        let password = std::fs::read_to_string(password_file)
            .map_err(|source| WordpressError::Password {
                path: password_file.to_path_buf(),
                source,
            })?
            .trim()
            .to_string();
        let http = super::newsroom_client(contact, settings.timeout)
            .timeout(settings.timeout)
            .build()
            .map_err(|e| WordpressError::Setup(format!("cannot build the HTTP client: {e}")))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| WordpressError::Setup(format!("cannot start the async runtime: {e}")))?;
        Ok(Wordpress {
            http,
            settings: settings.clone(),
            password,
            polite,
            runtime,
        })
    }

    fn route(&self, route: &str, query: &[(&str, &str)]) -> Url {
        let mut url = self.settings.site.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("rest_route", route);
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        url
    }

    fn site(&self) -> String {
        self.settings.site.to_string()
    }

    fn call(
        &self,
        method: reqwest::Method,
        url: Url,
        body: Body,
        what: &str,
    ) -> Result<Value, WordpressError> {
        self.runtime
            .block_on(self.call_async(method, url, body, what))
    }

    async fn call_async(
        &self,
        method: reqwest::Method,
        url: Url,
        body: Body,
        what: &str,
    ) -> Result<Value, WordpressError> {
        let backoff = crate::fetch::ClientConfig {
            backoff_base: self.polite.backoff_base,
            backoff_max: self.polite.backoff_max,
            ..crate::fetch::ClientConfig::default()
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .basic_auth(&self.settings.user, Some(&self.password));
            request = match &body {
                Body::Json(v) => request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(v.to_string()),
                Body::File { name, bytes } => request
                    .header(reqwest::header::CONTENT_TYPE, content_type(name))
                    .header(
                        reqwest::header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    )
                    .body(bytes.clone()),
                Body::None => request,
            };
            let why = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let text = response.text().await.unwrap_or_default();
                    match status {
                        200..=299 => {
                            return serde_json::from_str(&text).map_err(|_| {
                                WordpressError::Answer {
                                    site: self.site(),
                                    what: what.to_string(),
                                    field: "JSON",
                                }
                            });
                        }
                        408 | 429 | 500..=599 => format!("HTTP {status}: {}", excerpt(&text)),
                        401 => {
                            return Err(WordpressError::Credentials {
                                site: self.site(),
                                user: self.settings.user.clone(),
                                body: excerpt(&text),
                            });
                        }
                        _ => {
                            return Err(WordpressError::Refused {
                                site: self.site(),
                                what: what.to_string(),
                                status,
                                body: excerpt(&text),
                            });
                        }
                    }
                }
                Err(e) => {
                    let mut why = if e.is_timeout() {
                        "timed out".to_string()
                    } else if e.is_connect() {
                        "could not connect".to_string()
                    } else {
                        "request failed".to_string()
                    };
                    let mut source = std::error::Error::source(&e);
                    while let Some(s) = source {
                        why.push_str(&format!(": {s}"));
                        source = s.source();
                    }
                    why
                }
            };
            if attempt >= self.polite.max_attempts {
                return Err(WordpressError::GaveUp {
                    site: self.site(),
                    what: what.to_string(),
                    attempts: attempt,
                    last: why,
                });
            }
            let wait = crate::fetch::client::backoff(&backoff, attempt);
            tracing::warn!(site = %self.site(), attempt, ?wait, "WordPress {what} failed, retrying: {why}");
            tokio::time::sleep(wait).await;
        }
    }

    fn id_of(&self, v: &Value, what: &str) -> Result<u64, WordpressError> {
        v["id"].as_u64().ok_or_else(|| WordpressError::Answer {
            site: self.site(),
            what: what.to_string(),
            field: "id",
        })
    }

    /// The ids of the tags named, each made when the site has none of that name.
    fn tag_ids(&self, names: &[String]) -> Result<Vec<u64>, WordpressError> {
        let mut ids = Vec::new();
        for name in names {
            let found = self.call(
                reqwest::Method::GET,
                self.route("/wp/v2/tags", &[("search", name), ("per_page", "100")]),
                Body::None,
                "a tag search",
            )?;
            let existing = found.as_array().and_then(|tags| {
                tags.iter()
                    .find(|t| t["name"].as_str().is_some_and(|n| decode(n) == *name))
                    .and_then(|t| t["id"].as_u64())
            });
            let id = match existing {
                Some(id) => id,
                None => {
                    let made = self.call(
                        reqwest::Method::POST,
                        self.route("/wp/v2/tags", &[]),
                        Body::Json(json!({ "name": name })),
                        "a new tag",
                    )?;
                    self.id_of(&made, "a new tag")?
                }
            };
            ids.push(id);
        }
        Ok(ids)
    }

    /// A post of this slug already on the site, in any state casewire makes posts in.
    fn find_post(&self, slug: &str) -> Result<Option<u64>, WordpressError> {
        let found = self.call(
            reqwest::Method::GET,
            self.route(
                "/wp/v2/posts",
                &[
                    ("slug", slug),
                    ("status", "draft,pending,publish,future,private"),
                    ("context", "edit"),
                ],
            ),
            Body::None,
            "a post search",
        )?;
        Ok(found
            .as_array()
            .and_then(|posts| posts.first())
            .and_then(|p| p["id"].as_u64()))
    }

    /// Makes or edits the edition's post: `post` and `media` are what an earlier push left
    /// (from the caller's state).
    pub fn push(
        &self,
        input: &PostInput,
        post: Option<u64>,
        media: Option<u64>,
    ) -> Result<Pushed, WordpressError> {
        let mut notes = Vec::new();
        let media = match (media, &input.chart) {
            (Some(id), _) => Some(id),
            (None, Some((name, bytes))) => match self.call(
                reqwest::Method::POST,
                self.route("/wp/v2/media", &[]),
                Body::File {
                    name: name.clone(),
                    bytes: bytes.clone(),
                },
                "the chart's upload",
            ) {
                Ok(v) => Some(self.id_of(&v, "the chart's upload")?),
                // A site that refuses the file type says so with a 4xx other than these.
                Err(WordpressError::Refused { status, body, .. }) if status != 403 => {
                    notes.push(format!(
                        "WordPress refused the chart {name} (HTTP {status}: {body}); the post has \
                         no featured image (WordPress takes SVG only when the site allows it)"
                    ));
                    None
                }
                Err(e) => return Err(e),
            },
            (None, None) => None,
        };
        let tags = self.tag_ids(&input.tags)?;
        let mut fields = json!({
            "slug": input.slug,
            "title": input.title,
            "content": input.content,
            "excerpt": input.excerpt,
            "status": self.settings.status.as_str(),
            "tags": tags,
        });
        if !self.settings.categories.is_empty() {
            fields["categories"] = json!(self.settings.categories);
        }
        if let Some(id) = media {
            fields["featured_media"] = json!(id);
        }
        let existing = match post {
            Some(id) => Some(id),
            None => self.find_post(&input.slug)?,
        };
        let route = match existing {
            Some(id) => format!("/wp/v2/posts/{id}"),
            None => "/wp/v2/posts".to_string(),
        };
        let what = if existing.is_some() {
            "the post's update"
        } else {
            "the new post"
        };
        let answer = self.call(
            reqwest::Method::POST,
            self.route(&route, &[]),
            Body::Json(fields),
            what,
        )?;
        Ok(Pushed {
            post: self.id_of(&answer, what)?,
            media,
            notes,
        })
    }
}

impl Wordpress {
    /// Moves an edition's post to the site's trash, out of public view and out of the desk's
    /// drafts (an editor can still restore it from the trash): `post` from the caller's state,
    /// else the post of this slug, if any. Which post was trashed; none when the site has no
    /// such post (never made, or deleted by hand), which is as good.
    pub fn trash(&self, post: Option<u64>, slug: &str) -> Result<Option<u64>, WordpressError> {
        let Some(id) = (match post {
            Some(id) => Some(id),
            None => self.find_post(slug)?,
        }) else {
            return Ok(None);
        };
        let what = "the post's move to the trash";
        match self.call(
            reqwest::Method::DELETE,
            self.route(&format!("/wp/v2/posts/{id}"), &[]),
            Body::None,
            what,
        ) {
            Ok(_) => Ok(Some(id)),
            // 410: in the trash already; 404: gone altogether.
            Err(WordpressError::Refused {
                status: 404 | 410, ..
            }) => Ok(Some(id)),
            Err(e) => Err(e),
        }
    }

    /// Whether `e` says the site could not be reached, or kept failing, after the retries:
    /// the next request would wait as long for the same answer.
    pub fn is_unreachable(e: &WordpressError) -> bool {
        matches!(e, WordpressError::GaveUp { .. })
    }

    /// Whether `e` says the site refused who casewire signs in as: every other request of
    /// the run would be refused the same way.
    pub fn is_credentials(e: &WordpressError) -> bool {
        matches!(e, WordpressError::Credentials { .. })
    }
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// WordPress answers names with HTML entities (`&amp;`).
fn decode(s: &str) -> String {
    s.replace("&#038;", "&")
        .replace("&amp;", "&")
        .replace("&#039;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

fn excerpt(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect()
}
