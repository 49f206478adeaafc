//! Corrections: when a newer release revises figures an earlier edition printed beyond the
//! newsroom's thresholds, a note for that edition with the revised figures.

use chrono::NaiveDate;

use crate::config::Corrections;
use crate::draft::{Format, Inputs, PatchAreas, Week};
use crate::render::Renderer;
use crate::story::Story;

use super::edition::Planned;
use super::files;
use super::state::{Edition, PrintedFigure};

/// The figures a story prints for its table's areas, as the state keeps them.
pub(super) fn printed_figures(story: &Story) -> Vec<PrintedFigure> {
    files::table_areas(story)
        .into_iter()
        .map(|(_, a)| PrintedFigure {
            code: a.code.clone(),
            name: a.name.clone(),
            rate: a.rate.0,
            cases: a.cases,
            prev_rate: a.prev_rate.0,
            prev_cases: a.prev_cases,
        })
        .collect()
}

/// The correction notes `release` calls for among a story's earlier `editions`, each
/// recorded on its edition. A week that can no longer be drafted is not corrected.
pub(super) fn notes_for(
    story: &str,
    editions: &mut [Edition],
    release: NaiveDate,
    drafting: (&Inputs, &PatchAreas, &Renderer, &str),
    limits: &Corrections,
) -> Vec<Planned> {
    let (inputs, areas, renderer, template) = drafting;
    let mut out = Vec::new();
    for edition in editions.iter_mut() {
        if edition.release >= release || edition.corrected_with.contains(&release) {
            continue;
        }
        // Only the revised figures are compared; this copy is never printed, so not audited.
        let revised = Week::prepare(inputs, edition.release, None)
            .and_then(|week| week.draft_patch(areas, renderer, template, Format::Json, true));
        let Ok(revised) = revised else {
            continue;
        };
        let changes = revisions(&edition.figures, &printed_figures(&revised.story), limits);
        if changes.is_empty() {
            continue;
        }
        let mut note = format!(
            "# Correction: {story} of {}\n\nFigures published on {} have been revised in the data published on {}. The revised figures for the seven days to {} are:\n\n",
            edition.release,
            crate::lang::date(edition.release, None),
            crate::lang::date(release, None),
            crate::lang::date(revised.story.week.end, None),
        );
        for c in &changes {
            // The lines name areas: escaped, so a hostile name stays text.
            note.push_str(&format!("- {}\n", crate::lang::markdown_text(c)));
        }
        let path = format!("{story}-{}.correction-{release}.md", edition.release);
        out.push(Planned {
            path: path.clone(),
            bytes: note.into_bytes(),
        });
        edition.files.push(path);
        edition.corrected_with.push(release);
    }
    out
}

/// The changes between what an edition printed and what a later release says of the same
/// week, beyond the newsroom's thresholds.
pub fn revisions(
    printed: &[PrintedFigure],
    revised: &[PrintedFigure],
    limits: &Corrections,
) -> Vec<String> {
    let mut out = Vec::new();
    for old in printed {
        let Some(new) = revised.iter().find(|n| n.code == old.code) else {
            continue;
        };
        let rate_moved = |a: i64, b: i64| (a - b).abs() as f64 / 10.0 >= limits.rate_change;
        let cases_moved = |a: i64, b: i64| {
            a != b && (a - b).abs() as f64 >= limits.cases_share * (a.max(b).max(1) as f64)
        };
        for (what, a, b, is_rate) in [
            ("rate", old.rate, new.rate, true),
            ("cases", old.cases, new.cases, false),
            ("last week's rate", old.prev_rate, new.prev_rate, true),
            ("last week's cases", old.prev_cases, new.prev_cases, false),
        ] {
            let moved = if is_rate {
                rate_moved(a, b)
            } else {
                cases_moved(a, b)
            };
            if moved {
                let show = |v: i64| {
                    if is_rate {
                        crate::lang::rate_tenths(v)
                    } else {
                        crate::lang::thousands(v)
                    }
                };
                out.push(format!(
                    "{}: {what} {} is now {}",
                    old.name,
                    show(a),
                    show(b)
                ));
            }
        }
    }
    out
}
