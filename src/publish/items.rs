//! The ninjs item beside each edition page (`NAME.ninjs.json` in the page's bundle), for a
//! newsroom whose CMS takes wire copy as ninjs.
//!
//! What an item says is settled when the edition is prepared ([`PendingItem`]); its version
//! and times only when it goes live, as a review queue may hold an edition for hours. The
//! state keeps each item's version and `firstcreated` ([`ItemRecord`]): a correction note
//! rewrites the corrected edition's item as the next version ([`ItemUpdate`]), and a gate
//! that holds an edition back writes a `withheld` item where its item will go
//! ([`withheld`]), which the edition's first usable item then replaces as version 2.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::config::Newsroom;
use crate::deliver::ninjs::{self, Attachment, Ednote, NinjsInput, Place, PubStatus};

use super::edition::{Layout, Planned};
use super::state::{Edition, HeldItem, ItemRecord, State};
use super::{PublishError, PublishOptions};

/// The name of an item's file in its bundle.
pub fn item_file(bundle: &str) -> String {
    let stem = bundle.rsplit('/').next().unwrap_or(bundle);
    format!("{stem}.ninjs.json")
}

/// What every item of a run shares: where identifiers and files live, whose copy it is.
#[derive(Clone, Debug)]
pub(crate) struct ItemSite {
    pub uri_base: String,
    pub files_url: Option<String>,
    pub copyrightholder: String,
    pub usageterms: String,
}

impl ItemSite {
    /// The newsroom's `[ninjs]`, with the feed's `site_url` where it says nothing.
    pub fn of(newsroom: &Newsroom) -> ItemSite {
        let site = newsroom
            .feed
            .site_url
            .as_deref()
            .and_then(crate::config::ninjs::folder_url);
        let n = newsroom.ninjs.clone().unwrap_or_default();
        ItemSite {
            uri_base: n
                .uri_base
                .clone()
                .or_else(|| site.clone())
                .unwrap_or_else(|| crate::config::ninjs::DEFAULT_URI_BASE.to_string()),
            files_url: n.files_url.clone().or(site),
            copyrightholder: n.copyrightholder,
            usageterms: n.usageterms,
        }
    }

    /// The address of a bundle's files, when the output folder's is known.
    fn assets(&self, layout: &Layout, bundle: &str) -> Option<String> {
        self.files_url
            .as_ref()
            .map(|u| format!("{u}{}/", layout.bundle_folder(bundle)))
    }
}

/// An item as an edition was prepared: all but its version and times.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct PendingItem {
    /// The story in the state.
    pub story: String,
    /// The item's file, relative to the output folder.
    pub path: String,
    /// What it says; version and times are set when it goes live.
    pub input: NinjsInput,
}

/// What a page's item is made of.
pub(crate) struct ItemParts<'a> {
    pub story: &'a str,
    pub bundle: &'a str,
    pub release: NaiveDate,
    pub draft: &'a crate::draft::Draft,
    pub body: String,
    pub areas: Vec<Place>,
    pub chart: Option<(&'a str, &'a str, &'a str)>,
    pub table: Option<&'a str>,
}

/// The pending item of one page.
pub(crate) fn pending(site: &ItemSite, layout: &Layout, parts: ItemParts<'_>) -> PendingItem {
    let assets = site.assets(layout, parts.bundle);
    // A CMS cannot fetch a file named relative to nothing: without the folder's address the
    // item goes without its chart and table.
    let chart = assets.as_ref().and(parts.chart).map(|(name, svg, alt)| {
        let (w, h) = ninjs::svg_size(svg).unwrap_or((640.0, 300.0));
        Attachment::svg(name, w, h, alt)
    });
    let table = assets
        .as_ref()
        .and(parts.table)
        .map(|name| Attachment::csv(name, "The figures behind the story (CSV)"));
    let name = match parts.bundle.split_once('/') {
        Some((_, area)) => format!("{}/{area}", parts.story),
        None => parts.story.to_string(),
    };
    let epoch = DateTime::<Utc>::UNIX_EPOCH;
    PendingItem {
        story: parts.story.to_string(),
        path: layout.file(parts.bundle, &item_file(parts.bundle)),
        input: NinjsInput {
            uri_base: site.uri_base.clone(),
            story: name,
            release: parts.release.to_string(),
            version: 1,
            firstcreated: epoch,
            versioncreated: epoch,
            pubstatus: PubStatus::Usable,
            headline: parts.draft.headline.clone().unwrap_or_default(),
            standfirst: parts.draft.standfirst.clone().unwrap_or_default(),
            body_markdown: parts.body,
            areas: parts.areas,
            ednote: Ednote::for_draft(parts.draft, None),
            assets_base: assets,
            chart,
            table,
            copyrightholder: site.copyrightholder.clone(),
            usageterms: site.usageterms.clone(),
        },
    }
}

/// When a run's items are made: the caller's time, or (for a caller that gives none, such as
/// a test) midnight of today or of the release, so the same run makes the same items.
pub(crate) fn run_time(options: &PublishOptions, release: NaiveDate) -> DateTime<Utc> {
    options.now.unwrap_or_else(|| {
        options
            .today
            .unwrap_or(release)
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
    })
}

fn ninjs_error(path: &str, e: ninjs::NinjsError) -> PublishError {
    PublishError::Deliver {
        what: path.to_string(),
        message: e.to_string(),
    }
}

/// The items of a run's new editions, each recorded on its edition: version 1, or the next
/// after the withheld item a gate left for the same release.
pub(crate) fn new_items(
    pending: &[PendingItem],
    editions: &mut [(String, Edition)],
    state: &mut State,
    now: DateTime<Utc>,
) -> Result<Vec<Planned>, PublishError> {
    let mut out = Vec::new();
    for p in pending {
        let Some((_, edition)) = editions.iter_mut().find(|(name, _)| *name == p.story) else {
            continue;
        };
        let held = state
            .held
            .get(&p.story)
            .filter(|h| h.release == edition.release);
        let record = match held {
            Some(h) if h.path == p.path => ItemRecord {
                version: h.record.version + 1,
                firstcreated: h.record.firstcreated,
                versioncreated: now.max(h.record.firstcreated),
            },
            _ => ItemRecord {
                version: 1,
                firstcreated: now,
                versioncreated: now,
            },
        };
        let input = NinjsInput {
            version: record.version,
            firstcreated: record.firstcreated,
            versioncreated: record.versioncreated,
            ..p.input.clone()
        };
        let item = ninjs::item(&input).map_err(|e| ninjs_error(&p.path, e))?;
        out.push(Planned {
            path: p.path.clone(),
            bytes: item.to_json().into_bytes(),
        });
        edition.items.insert(p.path.clone(), record);
        if !edition.files.contains(&p.path) {
            edition.files.push(p.path.clone());
        }
    }
    for (name, edition) in editions.iter() {
        if state
            .held
            .get(name)
            .is_some_and(|h| h.release == edition.release)
        {
            state.held.remove(name);
        }
    }
    Ok(out)
}

/// A correction's rewrite of an earlier edition's item: read when the run was prepared,
/// given its next version when it goes live.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct ItemUpdate {
    pub story: String,
    pub edition: NaiveDate,
    pub path: String,
    pub old: Value,
    /// The release whose figures the correction gives.
    pub corrected: NaiveDate,
    /// The corrected figures, a sentence each.
    pub lines: Vec<String>,
}

/// The rewritten items, each the next version of the one in place, its body ending with the
/// notice the page gained and its editorial note saying what was corrected.
pub(crate) fn updated_items(
    updates: &[ItemUpdate],
    state: &mut State,
    now: DateTime<Utc>,
) -> Vec<Planned> {
    let mut out = Vec::new();
    for u in updates {
        let Some(edition) = state
            .stories
            .get_mut(&u.story)
            .and_then(|eds| eds.iter_mut().find(|e| e.release == u.edition))
        else {
            continue;
        };
        let old_version = u.old["version"]
            .as_str()
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(1);
        let firstcreated = u.old["firstcreated"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map_or(now, |t| t.with_timezone(&Utc));
        let record = edition.items.get(&u.path).cloned().unwrap_or(ItemRecord {
            version: old_version,
            firstcreated,
            versioncreated: firstcreated,
        });
        let record = ItemRecord {
            version: record.version.max(old_version) + 1,
            firstcreated: record.firstcreated,
            versioncreated: now.max(record.versioncreated),
        };
        let mut item = u.old.clone();
        let time = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let version = record.version.to_string();
        item["version"] = Value::String(version.clone());
        item["versioncreated"] = Value::String(time(record.versioncreated));
        if let Some(assocs) = item["associations"].as_array_mut() {
            for a in assocs {
                a["version"] = Value::String(version.clone());
            }
        }
        let day = crate::lang::weekday_date(u.corrected, None);
        let notice = format!("This report was corrected on {day}.");
        if let Some(bodies) = item["bodies"].as_array_mut() {
            for b in bodies {
                let html = b["contenttype"] == "text/html";
                let value = b["value"].as_str().unwrap_or_default();
                let value = strip_notice(value, html);
                let value = if html {
                    format!("{value}\n<p><em>{notice}</em></p>")
                } else {
                    format!("{value}\n\n{notice}")
                };
                b["value"] = Value::String(value);
            }
        }
        let note = item["ednote"].as_str().unwrap_or_default();
        let note = note
            .split("\n\nCorrected with the data of ")
            .next()
            .unwrap_or_default();
        item["ednote"] = Value::String(format!(
            "{note}\n\nCorrected with the data of {}: {}",
            u.corrected,
            u.lines.join(" ")
        ));
        out.push(Planned {
            path: u.path.clone(),
            bytes: (serde_json::to_string_pretty(&item).expect("serialisable") + "\n").into_bytes(),
        });
        edition.items.insert(u.path.clone(), record);
    }
    out
}

/// A body without the notice an earlier correction added.
fn strip_notice(body: &str, html: bool) -> String {
    let marker = if html {
        "\n<p><em>This report was corrected on "
    } else {
        "\n\nThis report was corrected on "
    };
    body.split(marker).next().unwrap_or(body).to_string()
}

/// The withheld item of an edition a gate holds back, and its record for the state. It goes
/// where the edition's item will (in the edition's bundle, which has no page: nothing a site
/// or a reader takes for the edition), says it is `withheld` and why, and carries no copy.
pub(crate) fn withheld(
    site: &ItemSite,
    layout: &Layout,
    story: &str,
    release: NaiveDate,
    why: &str,
    earlier: Option<&HeldItem>,
    now: DateTime<Utc>,
) -> Result<(Planned, HeldItem), PublishError> {
    let bundle = format!("{story}-{release}");
    let path = layout.file(&bundle, &item_file(&bundle));
    let record = match earlier.filter(|h| h.release == release && h.path == path) {
        Some(h) => ItemRecord {
            version: h.record.version + 1,
            firstcreated: h.record.firstcreated,
            versioncreated: now.max(h.record.firstcreated),
        },
        None => ItemRecord {
            version: 1,
            firstcreated: now,
            versioncreated: now,
        },
    };
    let input = NinjsInput {
        uri_base: site.uri_base.clone(),
        story: story.to_string(),
        release: release.to_string(),
        version: record.version,
        firstcreated: record.firstcreated,
        versioncreated: record.versioncreated,
        pubstatus: PubStatus::Withheld,
        headline: format!("Withheld: {story} for the {release} release"),
        standfirst: "Held back by casewire's input checks; not for publication.".into(),
        body_markdown: "Not for publication: the data failed an input check, and no story \
                        was written. A later version of this item replaces it once the \
                        figures have been checked."
            .into(),
        areas: Vec::new(),
        ednote: Ednote {
            status: Some(format!("Withheld: {}", why.trim())),
            method: String::new(),
            audit: String::new(),
        },
        assets_base: None,
        chart: None,
        table: None,
        copyrightholder: site.copyrightholder.clone(),
        usageterms: site.usageterms.clone(),
    };
    let item = ninjs::item(&input).map_err(|e| ninjs_error(&path, e))?;
    Ok((
        Planned {
            path: path.clone(),
            bytes: item.to_json().into_bytes(),
        },
        HeldItem {
            release,
            path,
            record,
        },
    ))
}
