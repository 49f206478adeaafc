//! Building an edition's files: Markdown with front matter, the view model, the table as CSV,
//! the chart as SVG and the facts sidecar for a patch's story; a folder of stories and their
//! facts, with the week's shared facts once, for an every-area story.

use std::path::Path;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::config::StoryConfig;
use crate::draft::{Draft, DraftError, Inputs, Week};
use crate::render::Renderer;

use super::corrections::printed_figures;
use super::files;
use super::state::Edition;

/// A file of the run, relative to the output folder, with its bytes.
pub(super) struct Planned {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// What every edition of a run shares: the release, today, the templates and their hash.
pub(super) struct Run<'a> {
    pub release: NaiveDate,
    pub today: Option<NaiveDate>,
    pub renderer: &'a Renderer,
    pub templates_hash: &'a str,
}

fn generator() -> String {
    format!("casewire {}", env!("CARGO_PKG_VERSION"))
}

/// A patch story's edition from its draft: its files, and the edition as the state records it.
pub(super) fn patch_story(
    name: &str,
    draft: &Draft,
    inputs: &Inputs,
    run: &Run<'_>,
) -> (Vec<Planned>, Edition) {
    let release = run.release;
    let data_hash = dataset_hash(inputs);
    let slug = format!("{name}-{release}");
    let chart = format!("{slug}.svg");
    let mut tags: Vec<String> = Vec::new();
    for (_, a) in files::table_areas(&draft.story) {
        tags.push(a.name.clone());
        tags.push(a.code.clone());
    }
    let front = files::FrontMatter {
        title: draft.headline.as_deref().unwrap_or(&draft.story.region),
        standfirst: draft.standfirst.as_deref().unwrap_or(""),
        date: release,
        slug: &slug,
        tags,
        story: &draft.story,
        generator: generator(),
        data_hash: &data_hash,
        templates_hash: run.templates_hash,
        seed: inputs.patch.seed,
        image: Some(&chart),
    };
    // The headline is in the front matter; the body starts with the standfirst.
    let body = strip_headline(&draft.output);
    // Built here, not by a template, so escaped here: a region holding `]` or a line
    // break would otherwise end the image's text or start a heading.
    let alt = format!(
        "Covid-19 rates per 100,000 people in {} in the seven days to {}, against the week before",
        crate::lang::markdown_text(&draft.story.region),
        crate::lang::date(draft.story.week.end, None)
    );
    let markdown = format!("{}\n{body}\n![{alt}]({chart})\n", front.render());
    let story_json = serde_json::to_string_pretty(&draft.story).expect("serialisable") + "\n";
    let planned = vec![
        Planned {
            path: format!("{slug}.md"),
            bytes: markdown.into_bytes(),
        },
        Planned {
            path: format!("{slug}.story.json"),
            bytes: story_json.into_bytes(),
        },
        Planned {
            path: format!("{slug}.csv"),
            bytes: files::table_csv(&draft.story).into_bytes(),
        },
        Planned {
            path: chart,
            bytes: files::chart_svg(&draft.story).into_bytes(),
        },
        // Every figure of the edition traced to the data, beside it.
        Planned {
            path: format!("{slug}.facts.json"),
            bytes: draft.facts.to_json().into_bytes(),
        },
    ];
    let edition = Edition {
        release,
        files: planned.iter().map(|p| p.path.clone()).collect(),
        figures: printed_figures(&draft.story),
        corrected_with: Vec::new(),
    };
    (planned, edition)
}

/// An every-area story's edition: a folder `NAME-RELEASE/` of one story and its facts per
/// area, the week's national facts first, in one file every story's sidecar names. Each story
/// is planned as soon as it passes its checks, so the run never holds every story's view
/// model at once.
pub(super) fn every_area(
    story: &StoryConfig,
    inputs: &Inputs,
    run: &Run<'_>,
) -> Result<(Vec<Planned>, Edition, Vec<String>), DraftError> {
    let release = run.release;
    let data_hash = dataset_hash(inputs);
    let folder = format!("{}-{release}", story.name);
    let mut planned = Vec::new();
    let template = story
        .template
        .as_deref()
        .unwrap_or(crate::draft::EACH_AREA_TEMPLATE);
    run.renderer.check_template(template)?;
    let week = Week::prepare(inputs, release, run.today)?;
    let summary = week.draft_each_area(
        run.renderer,
        template,
        false,
        |area| -> Result<(), DraftError> {
            let stem = area.file_name.trim_end_matches(".md");
            let slug = format!("{folder}/{stem}");
            let a = &area.draft.story.core[0];
            let front = files::FrontMatter {
                title: area.draft.headline.as_deref().unwrap_or(&a.name),
                standfirst: area.draft.standfirst.as_deref().unwrap_or(""),
                date: release,
                slug: &slug,
                tags: vec![a.name.clone(), a.code.clone()],
                story: &area.draft.story,
                generator: generator(),
                data_hash: &data_hash,
                templates_hash: run.templates_hash,
                seed: inputs.patch.seed,
                image: None,
            };
            let markdown = format!("{}\n{}", front.render(), strip_headline(&area.draft.output));
            planned.push(Planned {
                path: format!("{slug}.md"),
                bytes: markdown.into_bytes(),
            });
            planned.push(Planned {
                path: format!("{slug}.facts.json"),
                bytes: area.draft.facts.to_json().into_bytes(),
            });
            Ok(())
        },
    )?;
    if let Some(shared) = summary.shared {
        planned.insert(
            0,
            Planned {
                path: format!("{folder}/{}", crate::draft::SHARED_FACTS_FILE),
                bytes: shared.json.into_bytes(),
            },
        );
    }
    let edition = Edition {
        release,
        files: planned.iter().map(|p| p.path.clone()).collect(),
        // Corrections compare a patch's printed figures; an every-area edition is not
        // checked for revisions (yet).
        figures: Vec::new(),
        corrected_with: Vec::new(),
    };
    let mut warnings = summary.warnings;
    warnings.extend(summary.skipped);
    Ok((planned, edition, warnings))
}

/// A hash of the templates a run uses: the built-ins, and the newsroom's folder by name and
/// content, so the front matter says when the wording machinery changed.
pub(super) fn templates_hash(templates: Option<&Path>) -> String {
    let mut parts: Vec<Vec<u8>> = crate::render::BUILTIN
        .iter()
        .map(|(n, t)| [n.as_bytes(), t.as_bytes()].concat())
        .collect();
    if let Some(dir) = templates {
        parts.push(dir.display().to_string().into_bytes());
        if let Ok(entries) = std::fs::read_dir(dir) {
            let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                parts.push(std::fs::read(e.path()).unwrap_or_default());
            }
        }
    }
    let mut h = Sha256::new();
    for p in &parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    hex(h)
}

/// A hash of the figures a story was drafted from (every daily count and population), so the
/// same hash means the same data whichever file or archive they came from.
fn dataset_hash(inputs: &Inputs) -> String {
    let mut h = Sha256::new();
    for a in &inputs.dataset.areas {
        h.update(a.area_type.as_bytes());
        h.update(a.code.as_bytes());
        h.update(a.start.to_string().as_bytes());
        for c in &a.cases {
            h.update(c.map_or(-1i64, i64::from).to_le_bytes());
        }
        h.update(inputs.population.get(&a.code).unwrap_or(0).to_le_bytes());
    }
    hex(h)
}

fn hex(h: Sha256) -> String {
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn strip_headline(markdown: &str) -> &str {
    match markdown.strip_prefix("# ") {
        Some(rest) => rest
            .split_once('\n')
            .map_or("", |(_, body)| body.trim_start_matches('\n')),
        None => markdown,
    }
}
