//! An approval's last look at the copy: what is about to go live is read back from the queue
//! and checked again, as a draft is ([`super::check`]), just before it goes live. The queue is
//! a folder anyone with the newsroom's files can change, and a file changed since the run (or
//! the desk) checked it must not reach readers unchecked.
//!
//! A patch story's page is checked whole as readers get it: its headline and standfirst (from
//! the front matter) above its body, the desk's edit if it has one. Its ninjs item carries the
//! body a CMS prints; without an edit (which replaces it) that body is checked too. The files
//! beside the page (its view model, table, chart and facts) must be the draft's own, byte for
//! byte. An
//! every-area edition's stories are drafted again and each queued page checked against its
//! own area's facts.

use std::path::PathBuf;

use super::check::{CopyCheck, check_drafted, check_in};
use super::{Desk, QueuedEdition, ReviewError, split_front};
use crate::audit::AuditContext;
use crate::publish::edition::Planned;
use crate::publish::queue::{self, EDIT, FILES, PENDING};

/// A queued file that fails its checks, and what they found.
struct Failed {
    file: PathBuf,
    check: CopyCheck,
}

/// Checks the copy `files` would put live (the desk's edit, if `edited`, already in them);
/// refused, naming the queued file and each finding, when any of it fails.
pub(super) fn before_going_live(
    desk: &Desk,
    entry: &QueuedEdition,
    files: &[Planned],
    edited: bool,
) -> Result<(), ReviewError> {
    let failed = match entry.page() {
        Some(page) => patch_story(desk, entry, files, page, edited)?,
        None => every_area(desk, entry, files)?,
    };
    match failed {
        None => Ok(()),
        Some(Failed { file, check }) => Err(ReviewError::Unchecked {
            id: entry.id.clone(),
            file,
            report: check.lines().join("\n"),
        }),
    }
}

fn patch_story(
    desk: &Desk,
    entry: &QueuedEdition,
    files: &[Planned],
    page: &str,
    edited: bool,
) -> Result<Option<Failed>, ReviewError> {
    let folder = desk.queue.folder(PENDING, &entry.id);
    let queued = folder.join(FILES).join(page);
    let text = page_text(files, page);
    let (inputs, mut draft, renderer) = queue::redraft(&desk.newsroom, entry)?;
    if let Some(choice) = entry.drafted.as_ref().map(|d| &d.choice) {
        let version = queue::built(&desk.newsroom, entry, choice, &inputs, &draft, &renderer)?;
        let mut made: Vec<(String, Vec<u8>)> = version
            .files()
            .filter(|(path, _)| *path != page)
            .map(|(p, b)| (p.to_string(), b.to_vec()))
            .collect();
        let notes = notes_made(desk, entry, &inputs, files, &made, &[page]);
        made.extend(notes);
        held_to(desk, entry, files, &made, &[page])?;
    }
    let (front, body) = split_front(&text);
    let Some((headline, standfirst)) = lead_of(front) else {
        return Err(unreadable(entry, &queued));
    };
    // The page's own headline and standfirst, checked in their place above the story, as the
    // desk checks an editor's.
    let lead = queue::retitle(&mut draft, &headline, &standfirst);
    let check = check_drafted(&inputs, &draft, &renderer, &format!("{lead}{body}"));
    if !check.passed() {
        let file = if edited { folder.join(EDIT) } else { queued };
        return Ok(Some(Failed { file, check }));
    }
    if edited {
        // The edit replaces the item's body too.
        return Ok(None);
    }
    for item in entry.items.iter().filter(|i| i.story == entry.story) {
        let body = &item.input.body_markdown;
        let check = check_drafted(&inputs, &draft, &renderer, &format!("{lead}{body}"));
        if !check.passed() {
            let file = folder.join(queue::ENTRY);
            return Ok(Some(Failed { file, check }));
        }
    }
    Ok(None)
}

/// The correction notes the edition's run planned, made again; for an entry queued without
/// what they were made from, the queued files that are not the edition's own (`made`), as
/// they are, as approval took them before.
fn notes_made(
    desk: &Desk,
    entry: &QueuedEdition,
    inputs: &crate::draft::Inputs,
    files: &[Planned],
    made: &[(String, Vec<u8>)],
    pages: &[&str],
) -> Vec<(String, Vec<u8>)> {
    match queue::notes_again(&desk.newsroom, entry, inputs) {
        Some(notes) => notes.into_iter().map(|p| (p.path, p.bytes)).collect(),
        None => files
            .iter()
            .filter(|f| {
                !pages.contains(&f.path.as_str()) && !made.iter().any(|(p, _)| p == &f.path)
            })
            .map(|f| (f.path.clone(), f.bytes.clone()))
            .collect(),
    }
}

/// Every file the approval would put live but the `pages` (whose copy is checked) is made
/// from the drafts alone, and nothing at the desk changes it: the story's view model, table,
/// chart and facts, and the correction notes of earlier editions. Each queued one must be
/// byte for byte what the drafts make again (`made`), none may be missing and none may be
/// extra, or readers would get a table, chart or note nobody checked. Refused, naming the
/// first file at fault.
fn held_to(
    desk: &Desk,
    entry: &QueuedEdition,
    files: &[Planned],
    made: &[(String, Vec<u8>)],
    pages: &[&str],
) -> Result<(), ReviewError> {
    let folder = desk.queue.folder(PENDING, &entry.id).join(FILES);
    let differs = made.iter().find(|(path, bytes)| {
        !pages.contains(&path.as_str())
            && !files.iter().any(|f| &f.path == path && &f.bytes == bytes)
    });
    if let Some((path, _)) = differs {
        return Err(changed_by_hand(entry, &folder.join(path)));
    }
    let extra = files.iter().find(|f| {
        !pages.contains(&f.path.as_str()) && !made.iter().any(|(path, _)| path == &f.path)
    });
    match extra {
        Some(f) => Err(ReviewError::Refused {
            id: entry.id.clone(),
            why: format!(
                "{} is not a file of the edition as drafted, so nothing checked it",
                folder.join(&f.path).display()
            ),
        }),
        None => Ok(()),
    }
}

/// A queued file that is not the one the edition's draft makes.
fn changed_by_hand(entry: &QueuedEdition, file: &std::path::Path) -> ReviewError {
    ReviewError::Refused {
        id: entry.id.clone(),
        why: format!(
            "{} is not the file the edition's draft makes: it was changed or removed after the run queued it, and only the story's copy is edited at the desk; reject the edition and publish again",
            file.display()
        ),
    }
}

fn every_area(
    desk: &Desk,
    entry: &QueuedEdition,
    files: &[Planned],
) -> Result<Option<Failed>, ReviewError> {
    let folder = desk.queue.folder(PENDING, &entry.id).join(FILES);
    let again = queue::redraft_areas(&desk.newsroom, entry)?;
    let inputs = &again.inputs;
    let shared = again
        .shared
        .as_ref()
        .map_or(&[][..], |s| s.sidecar.facts.as_slice());
    let mut checked = std::collections::BTreeSet::new();
    if let Some((_, _, first)) = again.pages.first() {
        // The week's audit context, with its shared facts, as the run's drafter built it.
        let context = AuditContext::new(
            &first.story,
            shared,
            &inputs.dataset,
            &inputs.population,
            &inputs.patch,
        );
        for (page, item_story, draft) in &again.pages {
            let queued = folder.join(page);
            if !files.iter().any(|f| &f.path == page) {
                return Err(ReviewError::Refused {
                    id: entry.id.clone(),
                    why: format!(
                        "{} is missing from the queue: the edition as drafted has that page",
                        queued.display()
                    ),
                });
            }
            let text = page_text(files, page);
            let (front, body) = split_front(&text);
            let (headline, standfirst) =
                lead_of(front).ok_or_else(|| unreadable(entry, &queued))?;
            // The area's patch as its story was drafted with it: the region is the area.
            let mut local = inputs.patch.clone();
            if let Some(a) = draft.story.core.first() {
                local.region = local.print_name(&a.code, &a.official_name);
            }
            let check_copy = |headline: &str, standfirst: &str, body: &str| {
                let mut draft = draft.clone();
                let lead = queue::retitle(&mut draft, headline, standfirst);
                let text = format!("{lead}{body}");
                check_in(&context, inputs, &local, &draft, &again.renderer, &text)
            };
            let check = check_copy(&headline, &standfirst, body);
            if !check.passed() {
                return Ok(Some(Failed {
                    file: queued,
                    check,
                }));
            }
            // A CMS prints the area's item, not its page: its copy is checked the same way.
            for item in entry.items.iter().filter(|i| &i.input.story == item_story) {
                let i = &item.input;
                let check = check_copy(&i.headline, &i.standfirst, &i.body_markdown);
                if !check.passed() {
                    let file = desk.queue.folder(PENDING, &entry.id).join(queue::ENTRY);
                    return Ok(Some(Failed { file, check }));
                }
            }
            checked.insert(page.as_str());
        }
    }
    // An item for an area the edition does not draft was checked by nobody.
    let drafted: std::collections::BTreeSet<&str> =
        again.pages.iter().map(|(_, s, _)| s.as_str()).collect();
    if let Some(item) = entry
        .items
        .iter()
        .find(|i| !drafted.contains(i.input.story.as_str()))
    {
        return Err(ReviewError::Refused {
            id: entry.id.clone(),
            why: format!(
                "{} holds a CMS item for {}, which is not an area of the edition as drafted, so nothing checked it",
                desk.queue
                    .folder(PENDING, &entry.id)
                    .join(queue::ENTRY)
                    .display(),
                item.input.story
            ),
        });
    }
    // A page of the edition's folders the story does not draft was checked by nobody.
    let layout =
        crate::publish::Layout::for_output(desk.newsroom.front_matter, &desk.newsroom.output);
    let bundle = entry
        .edition
        .bundle
        .clone()
        .unwrap_or_else(|| format!("{}-{}", entry.story, entry.release));
    let own: Vec<String> = layout
        .edition_folders(&bundle, true)
        .into_iter()
        .map(|f| format!("{f}/"))
        .collect();
    let stray = files.iter().find(|f| {
        f.path.ends_with(".md")
            && own.iter().any(|o| f.path.starts_with(o.as_str()))
            && !checked.contains(f.path.as_str())
    });
    if let Some(f) = stray {
        return Err(ReviewError::Refused {
            id: entry.id.clone(),
            why: format!(
                "{} is not a page of the edition as drafted, so nothing checked it",
                folder.join(&f.path).display()
            ),
        });
    }
    // Each area's facts and the week's are made from the drafts alone, as a patch story's
    // table and chart are, and so are the notes correcting earlier editions.
    let mut made: Vec<(String, Vec<u8>)> = again
        .beside
        .iter()
        .map(|p| (p.path.clone(), p.bytes.clone()))
        .collect();
    let pages: Vec<&str> = again.pages.iter().map(|(p, _, _)| p.as_str()).collect();
    let notes = notes_made(desk, entry, &again.inputs, files, &made, &pages);
    made.extend(notes);
    held_to(desk, entry, files, &made, &pages)?;
    Ok(None)
}

/// The page `page` of `files`, as text.
fn page_text(files: &[Planned], page: &str) -> String {
    files
        .iter()
        .find(|f| f.path == page)
        .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
        .unwrap_or_default()
}

fn unreadable(entry: &QueuedEdition, file: &std::path::Path) -> ReviewError {
    ReviewError::Refused {
        id: entry.id.clone(),
        why: format!(
            "{} has no title and description in its front matter as casewire writes them, so its headline cannot be checked",
            file.display()
        ),
    }
}

/// The title and description a page's front matter gives, read as casewire writes them (a
/// JSON-quoted string after `title: ` in YAML or `title = ` in TOML); `None` for front matter
/// written otherwise.
fn lead_of(front: &str) -> Option<(String, String)> {
    let field = |key: &str| {
        front.lines().find_map(|line| {
            let rest = line.strip_prefix(key)?;
            let value = rest
                .strip_prefix(": ")
                .or_else(|| rest.strip_prefix(" = "))?;
            serde_json::from_str::<String>(value).ok()
        })
    };
    Some((field("title")?, field("description")?))
}

#[cfg(test)]
mod tests {
    use super::lead_of;

    #[test]
    fn the_lead_is_read_from_either_flavour_of_front_matter() {
        let yaml = "---\ntitle: \"A: \\\"b\\\"\"\ndescription: \"\"\ndate: 2021-01-18\n---\n";
        assert_eq!(lead_of(yaml), Some(("A: \"b\"".into(), String::new())));
        let toml = "+++\ntitle = \"T\"\ndescription = \"D\"\n+++\n";
        assert_eq!(lead_of(toml), Some(("T".into(), "D".into())));
        assert_eq!(lead_of("---\ntitle: T\n---\n"), None);
    }
}
