//! Each edition of one page as a post on the newsroom's WordPress, made from its ninjs item
//! (headline, HTML body, standfirst, areas) and its chart, once the edition is in place.
//!
//! The state keeps each edition's post id and the item version it shows: an edition with no
//! post, or whose item has moved on (a correction), needs a push, and every run pushes every
//! edition that needs one, so a push that failed (WordPress down, a 401, a 5xx after the
//! retries) is a warning and the next run catches up. Every-area editions, a page per area,
//! are not posted: hundreds of posts a week would bury a site.

use crate::deliver::wordpress::{Politeness, PostInput, Wordpress};
use crate::fsio::RunLock;

use super::Newsroom;
use super::edition::Layout;
use super::state::{STATE_FILE, State, WordpressPost};

/// Pushes every edition that needs it, and takes down the post of every edition withdrawn
/// since; whether the state changed. A site that refuses the credentials is asked once a run.
pub(super) fn push_all(newsroom: &Newsroom, state: &mut State, warnings: &mut Vec<String>) -> bool {
    let Some(settings) = &newsroom.wordpress else {
        return false;
    };
    let layout = Layout::for_output(newsroom.front_matter, &newsroom.output);
    let mut client: Option<Wordpress> = None;
    let mut changed = false;
    for editions in state.stories.values_mut() {
        for edition in editions.iter_mut() {
            let (Some(bundle), Some(_)) = (edition.bundle.clone(), &edition.page) else {
                continue;
            };
            let had = edition.wordpress.clone().unwrap_or_default();
            let job = if edition.withdrawn.is_some() {
                if had.trashed || (had.post.is_none() && !had.pending) {
                    continue;
                }
                Job::Trash
            } else {
                let Some((path, record)) = edition.items.iter().next() else {
                    continue;
                };
                if had.post.is_some() && had.pushed_version >= record.version {
                    continue;
                }
                let Some(input) = post_input(newsroom, &layout, &bundle, path) else {
                    warnings.push(format!("WordPress: cannot read {path} to post {bundle}"));
                    continue;
                };
                Job::Push(input, record.version)
            };
            if client.is_none() {
                match Wordpress::connect(
                    settings,
                    &settings.password_file,
                    &newsroom.contact,
                    Politeness::default(),
                ) {
                    Ok(c) => client = Some(c),
                    Err(e) => {
                        warnings.push(format!(
                            "WordPress: nothing pushed ({e}); the next run tries again"
                        ));
                        return changed;
                    }
                }
            }
            let wp = client.as_ref().expect("connected");
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
                Job::Trash => wp.trash(had.post, &bundle).map(|post| WordpressPost {
                    post: post.or(had.post),
                    pending: false,
                    trashed: true,
                    ..had.clone()
                }),
            };
            match done {
                Ok(post) => {
                    edition.wordpress = Some(post);
                    changed = true;
                }
                Err(e) => {
                    let what = match job {
                        Job::Push(..) => "not pushed",
                        Job::Trash => "withdrawn here but its post not taken down",
                    };
                    warnings.push(format!(
                        "WordPress: {bundle} {what} ({e}); the next run tries again"
                    ));
                    if !had.pending {
                        edition.wordpress = Some(WordpressPost {
                            pending: true,
                            ..had
                        });
                        changed = true;
                    }
                    // Every other request would be refused the same way.
                    if Wordpress::is_credentials(&e) {
                        return changed;
                    }
                }
            }
        }
    }
    changed
}

/// What an edition needs of its post.
enum Job {
    /// Made or edited to show this item version.
    Push(PostInput, u32),
    /// Moved to the trash, its edition withdrawn.
    Trash,
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
    let chart_name = format!("{bundle}.svg");
    let chart = std::fs::read(out.join(layout.file(bundle, &chart_name)))
        .ok()
        .map(|bytes| (chart_name, bytes));
    Some(PostInput {
        slug: bundle.to_string(),
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
