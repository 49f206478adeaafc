//! Other versions of a queued patch story: what the queue records of how it was drafted, the
//! fixed few versions the desk offers, and each drafted and built as the run built the queued
//! one.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{Draft, Inputs, Layout, Newsroom, PublishError, QueuedEdition, Renderer, redraft_as};

/// A seed and a story template: one version of a patch story's copy.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub struct Choice {
    /// The seed that picks sentence frames.
    pub seed: u64,
    /// The story template.
    pub template: String,
}

impl std::fmt::Display for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "seed {}, template {}", self.seed, self.template)
    }
}

/// What a queued patch story was drafted from, as the newsroom file gave it then.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Drafted {
    /// The patch file.
    pub patch: PathBuf,
    /// The newsroom's data source, described.
    pub source: String,
    /// The seed and template of the copy now queued.
    #[serde(flatten)]
    pub choice: Choice,
    /// The seed and template the run drafted with, once the desk chose another version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<Choice>,
    /// Whether an editor wrote the headline and standfirst now queued.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retitled: bool,
}

/// How many seeds after the run's own the desk offers.
pub const OTHER_SEEDS: u64 = 3;

impl Drafted {
    /// The version the run drafted.
    pub fn original(&self) -> &Choice {
        self.first.as_ref().unwrap_or(&self.choice)
    }

    /// The versions the desk offers, a fixed few: the run's own, its template with each of
    /// the next [`OTHER_SEEDS`] seeds, and each other built-in story template with its seed.
    pub fn offered(&self) -> Vec<Choice> {
        let first = self.original();
        let seeds = (0..=OTHER_SEEDS)
            .filter_map(|n| first.seed.checked_add(n))
            .map(|seed| Choice {
                seed,
                template: first.template.clone(),
            });
        let templates = builtin_templates()
            .into_iter()
            .filter(|t| *t != first.template)
            .map(|template| Choice {
                seed: first.seed,
                template,
            });
        seeds.chain(templates).collect()
    }
}

/// The built-in story templates' names, as `casewire templates list` gives them.
pub fn builtin_templates() -> Vec<String> {
    crate::render::BUILTIN
        .iter()
        .filter(|(n, _)| !n.contains('/'))
        .map(|(n, _)| n.trim_end_matches(".md").to_string())
        .collect()
}

/// A newsroom's data source in a line, as the queue records what an edition was drafted from.
pub fn source_label(source: &crate::publish::SourceConfig) -> String {
    match source {
        crate::publish::SourceConfig::Files {
            releases,
            file,
            population,
        } => format!(
            "files {} in {}, population {}",
            file,
            releases.display(),
            population.display()
        ),
        crate::publish::SourceConfig::Archive {
            archive,
            area_type,
            population,
            ..
        } => format!(
            "archive {} ({area_type}), population {}",
            archive.display(),
            population.display()
        ),
    }
}

/// The seed a page's front matter records (`seed: N` or `seed = N`).
pub(super) fn front_seed(page: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(page).ok()?;
    let mut lines = text.lines();
    let fence = lines.next()?;
    lines.take_while(|l| *l != fence).find_map(|l| {
        let rest = l.strip_prefix("seed")?.trim_start();
        let rest = rest.strip_prefix(':').or_else(|| rest.strip_prefix('='))?;
        rest.trim().parse().ok()
    })
}

/// Another version of a queued patch story, drafted, checked and built as the run built the
/// queued one, with only the seed or the template changed.
#[derive(Clone, Debug)]
pub struct Version {
    /// Its seed and template.
    pub choice: Choice,
    /// Its headline.
    pub headline: Option<String>,
    /// Its standfirst.
    pub standfirst: Option<String>,
    /// Its page, front matter and all, as it would go live.
    pub page: String,
    /// Its facts sidecar, as JSON.
    pub facts: String,
    /// What the draft's checks counted (every check passed, or there would be no version).
    pub checked: crate::draft::Checked,
    /// The draft's warnings (the input gates' among them).
    pub warnings: Vec<String>,
    edition: crate::publish::Edition,
    planned: Vec<(String, Vec<u8>)>,
    item: crate::publish::items::PendingItem,
}

impl Version {
    /// The files of its edition, relative to the output folder, with their bytes.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.planned.iter().map(|(p, b)| (p.as_str(), b.as_slice()))
    }
}

/// Why the desk cannot draft other versions of `entry`, if it cannot: an every-area edition,
/// an entry queued before its drafting was recorded, or a newsroom file that now names
/// another patch or source than the run drafted from.
pub fn versions_unavailable(newsroom: &Newsroom, entry: &QueuedEdition) -> Option<String> {
    if entry.each_area {
        return Some("an every-area edition is a folder of pages drafted by one template; other versions are offered only for a patch story".into());
    }
    let Some(drafted) = &entry.drafted else {
        return Some("this edition was queued by an earlier casewire, which did not record the seed and template it was drafted with; reject it and publish again to be offered other versions".into());
    };
    let Some(story) = newsroom.stories.iter().find(|s| s.name == entry.story) else {
        return Some(format!(
            "the newsroom file no longer has the story \"{}\"",
            entry.story
        ));
    };
    if story.patch != drafted.patch {
        return Some(format!(
            "the newsroom file now gives the story the patch {}, not {} as when it was queued",
            story.patch.display(),
            drafted.patch.display()
        ));
    }
    let source = source_label(&newsroom.source);
    if source != drafted.source {
        return Some(format!(
            "the newsroom file's data source changed since this edition was queued (then {}, now {source})",
            drafted.source
        ));
    }
    None
}

/// Drafts `entry` again as `choice`, one of its offered versions.
pub fn version(
    newsroom: &Newsroom,
    entry: &QueuedEdition,
    choice: &Choice,
) -> Result<Version, PublishError> {
    let refused = |why: String| PublishError::NoRelease { why };
    if let Some(why) = versions_unavailable(newsroom, entry) {
        return Err(refused(why));
    }
    let drafted = entry.drafted.as_ref().expect("checked above");
    if !drafted.offered().contains(choice) {
        return Err(refused(format!(
            "{choice} is not one of the versions offered for {}",
            entry.id
        )));
    }
    let (inputs, draft, renderer) = redraft_as(newsroom, entry, Some(choice))?;
    built(newsroom, entry, choice, &inputs, &draft, &renderer)
}

/// Puts the editor's headline and standfirst in `draft` in place of the template's, for
/// [`built`] once the checks pass; returns the text they open the story with, as the
/// checks read it.
pub fn retitle(draft: &mut Draft, headline: &str, standfirst: &str) -> String {
    let old = draft.standfirst.as_deref().filter(|s| !s.is_empty());
    // The draft's text is `# HEADLINE`, the standfirst's paragraph, then the story.
    let rest = draft
        .output
        .strip_prefix("# ")
        .and_then(|r| r.split_once('\n'))
        .map_or(draft.output.as_str(), |(_, r)| r.trim_start_matches('\n'));
    let rest = match old {
        Some(_) => rest.split_once("\n\n").map_or("", |(_, r)| r),
        None => rest,
    };
    let lead = if standfirst.is_empty() {
        String::new()
    } else {
        format!("{}\n\n", crate::lang::markdown_text(standfirst))
    };
    let lead = format!("# {}\n\n{lead}", crate::lang::markdown_text(headline));
    draft.output = format!("{lead}{}", rest.trim_start_matches('\n'));
    draft.headline = Some(headline.to_string());
    draft.standfirst = (!standfirst.is_empty()).then(|| standfirst.to_string());
    lead
}

/// `draft` of `entry` (drafted as `choice`) built into an edition's files as the run built
/// the queued one; refused when its figures are not those the edition was queued with.
pub fn built(
    newsroom: &Newsroom,
    entry: &QueuedEdition,
    choice: &Choice,
    inputs: &Inputs,
    draft: &Draft,
    renderer: &Renderer,
) -> Result<Version, PublishError> {
    let refused = |why: String| PublishError::NoRelease { why };
    let layout = Layout::for_output(newsroom.front_matter, &newsroom.output);
    let templates_hash = crate::publish::edition::templates_hash(newsroom.templates.as_deref());
    let site = crate::publish::items::ItemSite::of(newsroom);
    let run = crate::publish::edition::Run {
        release: entry.release,
        today: entry.today,
        renderer,
        templates_hash: &templates_hash,
        layout: &layout,
        site: &site,
    };
    let (planned, edition, item) =
        crate::publish::edition::patch_story(&entry.story, draft, inputs, &run);
    // The same release and data give the same figures whatever the wording: if they differ,
    // the data or the patch changed under the queued edition.
    if edition.figures != entry.edition.figures || edition.files != entry.edition.files {
        return Err(refused(format!(
            "drafted again, {} does not give the figures it was queued with: the release's data or the patch changed since; reject it and publish again",
            entry.id
        )));
    }
    let page = planned
        .iter()
        .find(|p| Some(&p.path) == edition.page.as_ref())
        .map(|p| String::from_utf8_lossy(&p.bytes).into_owned())
        .unwrap_or_default();
    Ok(Version {
        choice: choice.clone(),
        headline: draft.headline.clone(),
        standfirst: draft.standfirst.clone(),
        page,
        facts: draft.facts.to_json(),
        checked: draft.checked,
        warnings: draft.warnings.clone(),
        edition,
        planned: planned.into_iter().map(|p| (p.path, p.bytes)).collect(),
        item,
    })
}

/// `entry` with `version` in place of its copy: the edition's own files, record and item
/// replaced, its correction notes and their updates kept, and the choice recorded. Returns
/// the new entry and its files, relative to the output folder, in order.
pub fn with_version(
    entry: &QueuedEdition,
    version: &Version,
    notes: Vec<(String, Vec<u8>)>,
) -> (QueuedEdition, Vec<(String, Vec<u8>)>) {
    let mut next = entry.clone();
    let mut files = version.planned.clone();
    files.extend(notes);
    next.files = files.iter().map(|(p, _)| p.clone()).collect();
    next.edition = version.edition.clone();
    next.items = vec![version.item.clone()];
    if let Some(d) = &mut next.drafted {
        if d.choice != version.choice {
            d.first = Some(d.original().clone());
            d.choice = version.choice.clone();
        }
        d.retitled = false;
    }
    (next, files)
}
