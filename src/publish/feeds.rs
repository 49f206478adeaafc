//! The output folder's feeds: `feed.json` (JSON Feed 1.1) and `feed.xml` (Atom, RFC 4287),
//! listing the newest editions of every story, each with the date it was last updated by a
//! correction. Both are rewritten from the state on every run that publishes, so they always
//! agree with what is in print.

use chrono::NaiveDate;
use serde_json::json;

use super::files::xml_escape as xml;
use super::state::{Edition, State};

/// The JSON Feed's file name in the output folder.
pub const JSON_FEED: &str = "feed.json";

/// The Atom feed's file name in the output folder.
pub const ATOM_FEED: &str = "feed.xml";

/// What a feed says of the newsroom.
pub(super) struct FeedSite<'a> {
    /// The feed's title.
    pub title: &'a str,
    /// The site's address of the output folder (`https://news.example/covid/`), when the
    /// newsroom gives one; without it, links are relative to the feed.
    pub base_url: Option<&'a str>,
    /// Who to contact: the authority of the entries' `tag:` ids.
    pub contact: &'a str,
    /// How many editions to list.
    pub items: usize,
}

/// One edition as the feeds list it.
struct Entry<'a> {
    story: &'a str,
    edition: &'a Edition,
    link: String,
    updated: NaiveDate,
}

fn entries<'a>(
    state: &'a State,
    site: &FeedSite<'_>,
    link_of: &dyn Fn(&Edition) -> Option<String>,
) -> Vec<Entry<'a>> {
    let mut all: Vec<Entry<'a>> = state
        .stories
        .iter()
        .flat_map(|(story, editions)| editions.iter().map(move |e| (story.as_str(), e)))
        // A withdrawn edition has left the site: the feeds no longer list it.
        .filter(|(_, edition)| edition.withdrawn.is_none())
        .filter_map(|(story, edition)| {
            let rel = link_of(edition)?;
            let link = match site.base_url {
                Some(base) => format!("{}/{rel}", base.trim_end_matches('/')),
                None => rel,
            };
            let updated = edition
                .correction
                .as_ref()
                .map_or(edition.release, |c| c.updated.max(edition.release));
            Some(Entry {
                story,
                edition,
                link,
                updated,
            })
        })
        .collect();
    // Newest first; a story's name breaks ties so the order never depends on the map.
    all.sort_by(|a, b| (b.edition.release, b.story).cmp(&(a.edition.release, a.story)));
    all.truncate(site.items);
    all
}

/// The authority of the feeds' `tag:` URIs (RFC 4151): the newsroom's contact address.
fn authority(site: &FeedSite<'_>) -> String {
    let a: String = site
        .contact
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "@.-".contains(*c))
        .collect();
    if a.is_empty() { "casewire".into() } else { a }
}

/// A `tag:` URI for an edition: stable for the story and release, whatever the site's
/// address.
fn tag(site: &FeedSite<'_>, story: &str, release: NaiveDate) -> String {
    format!("tag:{},{release}:{story}/{release}", authority(site))
}

fn stamp(date: NaiveDate) -> String {
    format!("{date}T00:00:00Z")
}

/// Both feeds of a newsroom's output folder as `state` has it: (`feed.json`, `feed.xml`).
/// An every-area edition has a page per area and none of its own: the feeds list the
/// editions a reader opens as one story.
pub(super) fn for_newsroom(newsroom: &super::Newsroom, state: &State) -> (Vec<u8>, Vec<u8>) {
    let site = FeedSite {
        title: &newsroom.feed.title,
        base_url: newsroom.feed.site_url.as_deref(),
        contact: &newsroom.contact,
        items: newsroom.feed.items,
    };
    let layout = super::edition::Layout::for_output(newsroom.front_matter, &newsroom.output);
    render(state, &site, &|e: &Edition| {
        e.page
            .as_ref()
            .and(e.bundle.as_ref())
            .map(|b| layout.feed_link(b, e.release))
    })
}

/// Both feeds' bytes: (`feed.json`, `feed.xml`).
pub(super) fn render(
    state: &State,
    site: &FeedSite<'_>,
    link_of: &dyn Fn(&Edition) -> Option<String>,
) -> (Vec<u8>, Vec<u8>) {
    let entries = entries(state, site, link_of);
    (json_feed(&entries, site), atom_feed(&entries, site))
}

fn title_of(e: &Entry<'_>) -> String {
    e.edition
        .title
        .clone()
        .unwrap_or_else(|| format!("{} {}", e.story, e.edition.release))
}

fn json_feed(entries: &[Entry<'_>], site: &FeedSite<'_>) -> Vec<u8> {
    let items: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            let mut item = json!({
                "id": tag(site, e.story, e.edition.release),
                "url": e.link,
                "title": title_of(e),
                "content_text": title_of(e),
                "date_published": stamp(e.edition.release),
                "date_modified": stamp(e.updated),
                "tags": [e.story],
            });
            if let Some(summary) = &e.edition.summary {
                item["summary"] = json!(summary);
                item["content_text"] = json!(summary);
            }
            item
        })
        .collect();
    let mut feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": site.title,
        "language": "en-GB",
        "items": items,
    });
    if let Some(base) = site.base_url {
        feed["home_page_url"] = json!(base);
        feed["feed_url"] = json!(format!("{}/{JSON_FEED}", base.trim_end_matches('/')));
    }
    let mut bytes = serde_json::to_vec_pretty(&feed).expect("serialisable");
    bytes.push(b'\n');
    bytes
}

fn atom_feed(entries: &[Entry<'_>], site: &FeedSite<'_>) -> Vec<u8> {
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), stamp);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en-GB\">\n");
    out.push_str(&format!("  <title>{}</title>\n", xml(site.title)));
    out.push_str(&format!(
        "  <id>{}</id>\n",
        xml(&format!("tag:{},2020:feed", authority(site)))
    ));
    out.push_str(&format!("  <updated>{updated}</updated>\n"));
    out.push_str("  <generator>casewire</generator>\n");
    out.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        xml(site.title)
    ));
    if let Some(base) = site.base_url {
        out.push_str(&format!(
            "  <link rel=\"alternate\" href=\"{}\"/>\n",
            xml(base)
        ));
        out.push_str(&format!(
            "  <link rel=\"self\" href=\"{}/{ATOM_FEED}\"/>\n",
            xml(base.trim_end_matches('/'))
        ));
    }
    for e in entries {
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <title>{}</title>\n", xml(&title_of(e))));
        out.push_str(&format!(
            "    <id>{}</id>\n",
            xml(&tag(site, e.story, e.edition.release))
        ));
        out.push_str(&format!(
            "    <link rel=\"alternate\" href=\"{}\"/>\n",
            xml(&e.link)
        ));
        out.push_str(&format!(
            "    <published>{}</published>\n",
            stamp(e.edition.release)
        ));
        out.push_str(&format!("    <updated>{}</updated>\n", stamp(e.updated)));
        if let Some(summary) = &e.edition.summary {
            out.push_str(&format!("    <summary>{}</summary>\n", xml(summary)));
        }
        out.push_str(&format!("    <category term=\"{}\"/>\n", xml(e.story)));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out.into_bytes()
}
