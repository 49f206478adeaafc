//! An every-area edition of the queue drafted again as the run drafted it, so that an
//! approval can check each queued page against the facts and data its area's story was
//! checked against when the run queued it.

use super::{DraftError, Inputs, Layout, Newsroom, PublishError, QueuedEdition, Renderer};
use crate::draft::{Draft, SharedFacts};
use crate::publish::edition::{Planned, area_facts, shared_facts};

/// An every-area edition drafted again: each area's page (its path relative to the output
/// folder, as the queue names its files) with its draft, and what the checks need.
pub(crate) struct Redrafted {
    /// The story's inputs.
    pub inputs: Inputs,
    /// The renderer the stories were drafted with.
    pub renderer: Renderer,
    /// Each area's page, the name its CMS item goes by (`STORY/AREA`) and its draft, in
    /// area-code order.
    pub pages: Vec<(String, String, Draft)>,
    /// The week's national facts the stories share; `None` when no area has a story.
    pub shared: Option<SharedFacts>,
    /// The edition's files that are not pages (each area's facts, the week's shared facts),
    /// as the run planned them.
    pub beside: Vec<Planned>,
}

/// Drafts every area's story of `entry` (an every-area edition) again.
pub(crate) fn redraft_areas(
    newsroom: &Newsroom,
    entry: &QueuedEdition,
) -> Result<Redrafted, PublishError> {
    let err = |e: DraftError| super::draft_failed(entry, e);
    let (_, renderer, inputs) = super::queued_inputs(newsroom, entry)?;
    let template = entry
        .template
        .as_deref()
        .unwrap_or(crate::draft::EACH_AREA_TEMPLATE);
    renderer
        .check_template(template)
        .map_err(|e| err(e.into()))?;
    let layout = Layout::for_output(newsroom.front_matter, &newsroom.output);
    let folder = format!("{}-{}", entry.story, entry.release);
    let week = crate::draft::Week::prepare(&inputs, entry.release, entry.today).map_err(err)?;
    let mut pages = Vec::new();
    let mut beside = Vec::new();
    let summary = week
        .draft_each_area(&renderer, template, false, |area| {
            let stem = area.file_name.trim_end_matches(".md");
            let bundle = format!("{folder}/{stem}");
            let page = layout.page(&bundle, entry.release);
            let mut facts = area.draft.facts.clone();
            beside.push(area_facts(&layout, &bundle, stem, &mut facts));
            pages.push((page, format!("{}/{stem}", entry.story), area.draft));
            Ok::<(), DraftError>(())
        })
        .map_err(err)?;
    if let Some(shared) = &summary.shared {
        beside.push(shared_facts(&layout, &folder, shared.json.clone()));
    }
    Ok(Redrafted {
        inputs,
        renderer,
        pages,
        shared: summary.shared,
        beside,
    })
}
