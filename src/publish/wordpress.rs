//! Each edition of one page as a post on the newsroom's WordPress, made from its ninjs item
//! (headline, HTML body, standfirst, areas) and its chart, once the edition is in place.
//!
//! The state keeps each edition's post id and the item version it shows: an edition with no
//! post, or whose item has moved on (a correction), needs a push, and every run pushes every
//! edition that needs one, so a push that failed (WordPress down, a 401, a 5xx after the
//! retries) is a warning and the next run catches up. Every-area editions, a page per area,
//! are posted only with `[wordpress] every_area = true` (a post per area, kept by area in
//! the edition's `area_posts`): hundreds of posts a week would bury most sites. A withdrawn
//! edition's posts go to the site's trash.

use crate::deliver::wordpress::{Politeness, PostInput, Wordpress};
use crate::fsio::RunLock;

use super::Newsroom;
use super::edition::Layout;
use super::state::{STATE_FILE, State, WordpressPost};

/// Pushes every edition that needs it (with `every_area`, every area page of an every-area
/// edition too), and takes down the post of every edition withdrawn since; whether the state
/// changed. A site that refuses the credentials, or that cannot be reached after the
/// retries, is not asked again in the same run.
pub(super) fn push_all(newsroom: &Newsroom, state: &mut State, warnings: &mut Vec<String>) -> bool {
    let Some(settings) = &newsroom.wordpress else {
        return false;
    };
    let mut pusher = Pusher {
        newsroom,
        settings,
        layout: Layout::for_output(newsroom.front_matter, &newsroom.output),
        client: None,
        stopped: false,
        changed: false,
    };
    for editions in state.stories.values_mut() {
        for edition in editions.iter_mut() {
            let Some(bundle) = edition.bundle.clone() else {
                continue;
            };
            let withdrawn = edition.withdrawn.is_some();
            if edition.page.is_some() {
                let item = edition
                    .items
                    .iter()
                    .next()
                    .map(|(p, r)| (p.clone(), r.version));
                let page = Page {
                    bundle: &bundle,
                    item: item.as_ref().map(|(p, v)| (p.as_str(), *v)),
                    withdrawn,
                };
                if let Some(post) = pusher.visit(&page, edition.wordpress.as_ref(), warnings) {
                    edition.wordpress = Some(post);
                }
                continue;
            }
            // A withdrawn edition's area posts go whatever the setting says now.
            let to_trash = withdrawn && !edition.area_posts.is_empty();
            if !settings.every_area && !to_trash {
                continue;
            }
            let own = super::items::item_file(&bundle);
            let areas: Vec<(String, String, u32)> = edition
                .items
                .iter()
                .filter_map(|(path, record)| {
                    let file = path.rsplit('/').next()?;
                    let area = file.strip_suffix(".ninjs.json")?;
                    (file != own)
                        .then(|| (format!("{bundle}/{area}"), path.clone(), record.version))
                })
                .collect();
            for (area, path, version) in areas {
                let page = Page {
                    bundle: &area,
                    item: Some((&path, version)),
                    withdrawn,
                };
                if let Some(post) = pusher.visit(&page, edition.area_posts.get(&area), warnings) {
                    edition.area_posts.insert(area, post);
                }
            }
        }
    }
    pusher.changed
}

/// One page a post is made of: its bundle, its item (file and version), whether its edition
/// is withdrawn.
struct Page<'a> {
    bundle: &'a str,
    item: Option<(&'a str, u32)>,
    withdrawn: bool,
}

/// A run's pushes: one client, made at the first push that needs it.
struct Pusher<'a> {
    newsroom: &'a Newsroom,
    settings: &'a crate::config::wordpress::WordpressSettings,
    layout: Layout,
    client: Option<Wordpress>,
    stopped: bool,
    changed: bool,
}

impl Pusher<'_> {
    /// Makes, edits or trashes the page's post as it needs; its record, when it changed.
    fn visit(
        &mut self,
        page: &Page<'_>,
        had: Option<&WordpressPost>,
        warnings: &mut Vec<String>,
    ) -> Option<WordpressPost> {
        let had = had.cloned().unwrap_or_default();
        let bundle = page.bundle;
        let job = if page.withdrawn {
            if had.trashed || (had.post.is_none() && !had.pending) {
                return None;
            }
            Job::Trash
        } else {
            let (path, version) = page.item?;
            if had.post.is_some() && had.pushed_version >= version {
                return None;
            }
            let Some(input) = post_input(self.newsroom, &self.layout, bundle, path) else {
                warnings.push(format!("WordPress: cannot read {path} to post {bundle}"));
                return None;
            };
            Job::Push(input, version)
        };
        // The site is not asked again this run; the post still needs its push, and the
        // state says so.
        if self.stopped {
            return self.still_pending(had);
        }
        if self.client.is_none() {
            match Wordpress::connect(
                self.settings,
                &self.settings.password_file,
                &self.newsroom.contact,
                Politeness::default(),
            ) {
                Ok(c) => self.client = Some(c),
                Err(e) => {
                    warnings.push(format!(
                        "WordPress: nothing pushed ({e}); the next run tries again"
                    ));
                    self.stopped = true;
                    return self.still_pending(had);
                }
            }
        }
        let wp = self.client.as_ref().expect("connected");
        let done = match &job {
            Job::Push(input, version) => wp.push(input, had.post, had.media).map(|pushed| {
                warnings.extend(pushed.notes.iter().map(|n| format!("WordPress: {n}")));
                WordpressPost {
                    post: Some(pushed.post),
                    media: pushed.media,
                    pushed_version: *version,
                    pending: false,
                    trashed: false,
                }
            }),
            Job::Trash => wp.trash(had.post, &slug(bundle)).map(|post| WordpressPost {
                post: post.or(had.post),
                pending: false,
                trashed: true,
                ..had.clone()
            }),
        };
        match done {
            Ok(post) => {
                self.changed = true;
                Some(post)
            }
            Err(e) => {
                let what = match job {
                    Job::Push(..) => "not pushed",
                    Job::Trash => "withdrawn here but its post not taken down",
                };
                warnings.push(format!(
                    "WordPress: {bundle} {what} ({e}); the next run tries again"
                ));
                // A refused password, or a site still down after the retries: every other
                // request would fare the same.
                self.stopped = Wordpress::is_credentials(&e) || Wordpress::is_unreachable(&e);
                self.still_pending(had)
            }
        }
    }

    /// A post that still needs its push (or its move to the trash), marked so in the state.
    fn still_pending(&mut self, had: WordpressPost) -> Option<WordpressPost> {
        (!had.pending).then(|| {
            self.changed = true;
            WordpressPost {
                pending: true,
                ..had
            }
        })
    }
}

/// What a page needs of its post.
enum Job {
    /// Made or edited to show this item version.
    Push(PostInput, u32),
    /// Moved to the trash, its edition withdrawn.
    Trash,
}

/// A page's post slug: its bundle, an area page's folder joined on (`NAME-RELEASE-AREA`).
fn slug(bundle: &str) -> String {
    bundle.replace('/', "-")
}

/// The post of an edition, from its item and its chart as they are on disk.
fn post_input(newsroom: &Newsroom, layout: &Layout, bundle: &str, item: &str) -> Option<PostInput> {
    let out = &newsroom.output;
    let item: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(item)).ok()?).ok()?;
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let html = item["bodies"]
        .as_array()?
        .iter()
        .find(|b| b["contenttype"] == "text/html")
        .map(|b| text(&b["value"]))?;
    let stem = bundle.rsplit('/').next().unwrap_or(bundle);
    let chart_name = format!("{stem}.svg");
    let chart = std::fs::read(out.join(layout.file(bundle, &chart_name)))
        .ok()
        .map(|bytes| (chart_name, bytes));
    Some(PostInput {
        slug: slug(bundle),
        title: text(&item["headlines"][0]["value"]),
        content: html,
        excerpt: text(&item["descriptions"][0]["value"]),
        tags: item["places"]
            .as_array()
            .map(|ps| ps.iter().map(|p| text(&p["name"])).collect())
            .unwrap_or_default(),
        chart,
    })
}

/// Writes the state after a push changed it; a failure is a warning (the next run pushes
/// again and finds its posts by slug).
pub(super) fn save(newsroom: &Newsroom, state: &State, warnings: &mut Vec<String>) {
    let path = newsroom.output.join(STATE_FILE);
    if let Err(e) = crate::fsio::write_atomic(&path, &state.to_bytes()) {
        warnings.push(format!(
            "cannot record WordPress posts in {}: {e}",
            path.display()
        ));
    }
}

/// A run with nothing new still pushes what earlier runs could not.
pub(super) fn catch_up(newsroom: &Newsroom, warnings: &mut Vec<String>) {
    if newsroom.wordpress.is_none() {
        return;
    }
    let Ok(Some(_lock)) = RunLock::try_acquire(&newsroom.output.join(".casewire.lock")) else {
        return;
    };
    let Ok(mut state) = State::load(&newsroom.output.join(STATE_FILE)) else {
        return;
    };
    if push_all(newsroom, &mut state, warnings) {
        save(newsroom, &state, warnings);
    }
}
