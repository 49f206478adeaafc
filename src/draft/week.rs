//! The week built once: its national figures, its shared story part, its shared facts and
//! the audit's view of it, from which every story of the week is drafted, a patch's or an
//! area's.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;

use super::each_area::{AreaStory, EACH_AREA_BATCH, EachAreaSummary, SharedFacts, slug};
use super::inputs::{Inputs, hospital_figures, prepare_week};
use super::{Checked, Draft, DraftError, Format, json_output};
use crate::audit::{AuditContext, AuditInput};
use crate::config::{Patch, resolve_areas};
use crate::facts::{FactsSidecar, Part, SharedRef};
use crate::model::{Dataset, Population};
use crate::render::Renderer;
use crate::stats::{AreaWeek, National};
use crate::story::{self, HospitalView, Story, StoryInput, WeekPart};

/// A release's week, checked and computed once from loaded [`Inputs`]: the gates, the
/// cross-checks, the national figures and the NHS region's hospital figures. Any number of
/// stories are drafted from it: [`Week::draft_patch`] for the patch's own story,
/// [`Week::every_area`] for one story per area.
#[derive(Debug)]
pub struct Week<'a> {
    inputs: &'a Inputs,
    release: NaiveDate,
    national: National,
    hospital: Option<HospitalView>,
    warnings: Vec<String>,
    /// How many input gates ran: every gate of [`crate::gates::Gate::ALL`], the series one
    /// of the completeness gates, and the missing-areas one when something said what to
    /// expect.
    gates: usize,
}

/// The patch's own areas, resolved in the data.
#[derive(Clone, Debug)]
pub struct PatchAreas {
    pub(super) core: Vec<usize>,
    pub(super) nearby: Vec<usize>,
}

impl PatchAreas {
    /// Finds the patch's core and nearby areas in the data, naming any it cannot.
    pub fn resolve(inputs: &Inputs) -> Result<PatchAreas, DraftError> {
        let Inputs {
            patch,
            patch_path,
            dataset,
            ..
        } = inputs;
        let area_type = patch.resolve_area_type(patch_path, dataset)?;
        Ok(PatchAreas {
            core: resolve_areas(patch_path, dataset, &area_type, &patch.core)?,
            nearby: resolve_areas(patch_path, dataset, &area_type, &patch.nearby)?,
        })
    }
}

impl<'a> Week<'a> {
    /// Checks the inputs for `release` (coverage, gates, the completeness gates against what
    /// the inputs expect, cross-checks) and computes the week's national figures and hospital
    /// figures. `today` is for the future-dates gate.
    pub fn prepare(
        inputs: &'a Inputs,
        release: NaiveDate,
        today: Option<NaiveDate>,
    ) -> Result<Week<'a>, DraftError> {
        let mut warnings = inputs.warnings.clone();
        let area_type = inputs
            .patch
            .resolve_area_type(&inputs.patch_path, &inputs.dataset)?;
        let expected = inputs.expected.resolve(
            &inputs.dataset,
            &area_type,
            inputs.patch.universe,
            release,
            &mut warnings,
        );
        let national = prepare_week(
            inputs,
            &area_type,
            release,
            today,
            expected.as_ref(),
            &mut warnings,
        )?;
        let gates = crate::gates::Gate::ALL.len() + 1 + usize::from(expected.is_some());
        let hospital = hospital_figures(&inputs.patch, &inputs.dataset, release, &mut warnings);
        Ok(Week {
            inputs,
            release,
            national,
            hospital,
            warnings,
            gates,
        })
    }

    /// The week's national figures.
    pub fn national(&self) -> &National {
        &self.national
    }

    /// Warnings from the inputs, the gates, the cross-checks and the hospital figures.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// One line for each area of the universe that can have no story, and why.
    pub fn skipped(&self) -> Vec<String> {
        let dataset = &self.inputs.dataset;
        self.national
            .missing
            .iter()
            .map(|(i, why)| {
                let a = &dataset.areas[*i];
                format!("no story for {} ({}): {why}", a.name, a.code)
            })
            .collect()
    }

    fn check_inputs(&self, patch: &'a Patch) -> CheckInputs<'a> {
        CheckInputs {
            dataset: &self.inputs.dataset,
            population: &self.inputs.population,
            patch,
        }
    }

    /// Computes, decides and renders the patch's own story, linted and audited unless
    /// `no_audit`.
    pub fn draft_patch(
        &self,
        areas: &PatchAreas,
        renderer: &Renderer,
        template: &str,
        format: Format,
        no_audit: bool,
    ) -> Result<Draft, DraftError> {
        let Inputs {
            patch,
            dataset,
            population,
            notes,
            ..
        } = self.inputs;
        super::one_area_template(template, areas.core.len(), patch, &self.inputs.patch_path)?;
        let story = story::build(StoryInput {
            dataset,
            national: &self.national,
            patch,
            core: &areas.core,
            nearby: &areas.nearby,
            release: self.release,
            template,
            hospital: self.hospital.clone(),
        })?;
        let facts = crate::facts::sidecar(&story, dataset, population);
        let mut checked = Checked {
            gates: self.gates,
            ..Checked::default()
        };
        // Rendered and checked in both formats: the JSON describes a story that passed.
        let rendered = renderer.render(template, &story)?;
        if !no_audit {
            let context = AuditContext::new(&story, &[], dataset, population, patch);
            check_copy(
                &context,
                &rendered.text,
                &facts,
                &story,
                self.check_inputs(patch),
                &rendered.literals,
                None,
                &mut checked,
            )?;
        }
        let output = match format {
            Format::Markdown => rendered.text.clone(),
            Format::Json => json_output(&story, &facts, self.inputs.label.as_deref()),
        };
        Ok(Draft {
            story,
            output,
            headline: rendered.headline,
            standfirst: rendered.standfirst,
            warnings: self.warnings.clone(),
            notes: notes.clone(),
            facts,
            checked,
            release_label: self.inputs.label.clone(),
        })
    }

    /// The week's every-area stories with `template`: the week's story part decided once, and
    /// the national facts every story shares collected once, from the first area's story.
    /// `None` when no area of the universe has figures.
    pub fn every_area(&self, template: &'a str) -> Result<Option<EveryArea<'_>>, DraftError> {
        let Some(first) = self.national.weeks.first() else {
            return Ok(None);
        };
        let base = self.area_input(&self.inputs.patch, first, template);
        let week_part = story::week_part(&base);
        let mut local = self.inputs.patch.clone();
        let area = &self.inputs.dataset.areas[first.index];
        local.region = local.print_name(&area.code, &area.name);
        let first_story =
            story::build_for_week(self.area_input(&local, first, template), &week_part)?;
        let shared = SharedFacts::new(crate::facts::sidecar_of(
            &first_story,
            &self.inputs.dataset,
            &self.inputs.population,
            Part::National,
        ));
        Ok(Some(EveryArea {
            week: self,
            template,
            week_part,
            first_story,
            shared,
        }))
    }

    fn area_input<'p>(
        &'p self,
        patch: &'p Patch,
        w: &'p AreaWeek,
        template: &'p str,
    ) -> StoryInput<'p> {
        StoryInput {
            dataset: &self.inputs.dataset,
            national: &self.national,
            patch,
            core: std::slice::from_ref(&w.index),
            nearby: &[],
            release: self.release,
            template,
            hospital: self.hospital.clone(),
        }
    }

    /// An every-area run's summary before any story: the week's skipped areas, warnings and
    /// notes.
    fn empty_summary(&self) -> EachAreaSummary {
        EachAreaSummary {
            stories: 0,
            figures: 0,
            checked: None,
            shared: None,
            skipped: self.skipped(),
            warnings: self.warnings.clone(),
            notes: self.inputs.notes.clone(),
        }
    }

    /// Drafts every area's story of the week, handing each to `each` in area-code order as
    /// soon as it has passed its checks (see [`super::draft_each_area_with`]). The stories are
    /// drafted on all cores by the one driver [`Week::each_area_on_all_cores`] uses, a window
    /// of [`EACH_AREA_BATCH`] areas per core at a time, so that no more than a window of
    /// stories is held before `each` takes them in order.
    pub fn draft_each_area<E, F>(
        &self,
        renderer: &Renderer,
        template: &'a str,
        no_audit: bool,
        mut each: F,
    ) -> Result<EachAreaSummary, E>
    where
        E: From<DraftError> + Send,
        F: FnMut(AreaStory) -> Result<(), E>,
    {
        let mut summary = self.empty_summary();
        let Some(every) = self.every_area(template)? else {
            return Ok(summary);
        };
        let drafter = every.drafter(renderer, no_audit);
        let window = EACH_AREA_BATCH * cores();
        for areas in self.national.weeks.chunks(window) {
            let run = on_all_cores(
                &drafter,
                areas,
                |kept: &mut Vec<AreaStory>, story| {
                    kept.push(story);
                    Ok::<(), E>(())
                },
                |_, _| Ok(()),
            )?;
            summary.stories += run.stories;
            summary.figures += run.figures;
            if summary.checked.is_none() {
                summary.checked = run.checked;
            }
            for story in run.kept.into_iter().flatten() {
                each(story)?;
            }
        }
        summary.shared = Some(every.shared);
        Ok(summary)
    }
}

/// The machine's cores, as the every-area drivers use them.
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// What each share of an every-area run drafted on all cores left behind: what `each` kept
/// of its stories (see [`Week::each_area_on_all_cores`]), in area-code order.
#[derive(Debug)]
pub struct OnAllCores<S> {
    /// The run's summary; its `shared` holds the week's national facts.
    pub summary: EachAreaSummary,
    /// What `each` kept of every chunk of areas, in area-code order.
    pub kept: Vec<S>,
}

impl<'a> Week<'a> {
    /// Drafts every area's story of the week on all the machine's cores, each thread taking
    /// the next [`EACH_AREA_BATCH`] areas as it finishes the last, and hands each story as
    /// soon as it has passed its checks to `each` on the thread that drafted it, with the
    /// state `S` of its chunk of areas (a count of the files it wrote, say), so that no story
    /// is held longer than it takes to hand it on. When a chunk's stories have all passed,
    /// `done` is given its index (chunks are numbered in area-code order from 0) and its
    /// state, on the same thread. The chunks' states come back in area-code order. The first
    /// failure in area-code order is returned, as a run on one thread would return it; areas
    /// after it are not drafted.
    pub fn each_area_on_all_cores<S, E, F, D>(
        &self,
        renderer: &Renderer,
        template: &'a str,
        no_audit: bool,
        each: F,
        done: D,
    ) -> Result<OnAllCores<S>, E>
    where
        S: Default + Send,
        E: From<DraftError> + Send,
        F: Fn(&mut S, AreaStory) -> Result<(), E> + Sync,
        D: Fn(usize, &mut S) -> Result<(), E> + Sync,
    {
        let mut summary = self.empty_summary();
        let Some(every) = self.every_area(template)? else {
            return Ok(OnAllCores {
                summary,
                kept: Vec::new(),
            });
        };
        let drafter = every.drafter(renderer, no_audit);
        let run = on_all_cores(&drafter, &self.national.weeks, each, done)?;
        summary.stories = run.stories;
        summary.figures = run.figures;
        summary.checked = run.checked;
        summary.shared = Some(every.shared);
        Ok(OnAllCores {
            summary,
            kept: run.kept,
        })
    }
}

/// What [`on_all_cores`] drafted: the stories and figures counted, the first story's checks,
/// and what `each` kept of every chunk, in area-code order.
struct Drafted<S> {
    stories: usize,
    figures: usize,
    checked: Option<Checked>,
    kept: Vec<S>,
}

/// The every-area driver: drafts the stories of `areas` on all the machine's cores, each
/// thread taking the next [`EACH_AREA_BATCH`] areas as it finishes the last, and hands each
/// story as soon as it has passed its checks to `each` on the thread that drafted it, with
/// the state `S` of its chunk, and the chunk's index and state to `done` once all its stories
/// have. The first failure in area-code order is returned, as a run on one thread would
/// return it; chunks after it are not drafted.
fn on_all_cores<S, E, F, D>(
    drafter: &AreaDrafter<'_>,
    areas: &[AreaWeek],
    each: F,
    finished: D,
) -> Result<Drafted<S>, E>
where
    S: Default + Send,
    E: From<DraftError> + Send,
    F: Fn(&mut S, AreaStory) -> Result<(), E> + Sync,
    D: Fn(usize, &mut S) -> Result<(), E> + Sync,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    let chunks: Vec<&[AreaWeek]> = areas.chunks(EACH_AREA_BATCH).collect();
    let next = AtomicUsize::new(0);
    // The first chunk that failed: chunks after it stop, chunks before it finish, so the
    // error returned is the one a run in area order meets first.
    let failed = AtomicUsize::new(usize::MAX);
    struct Done<S> {
        index: usize,
        state: S,
        stories: usize,
        figures: usize,
        checked: Option<Checked>,
    }
    let worker = || -> Vec<Result<Done<S>, (usize, E)>> {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(chunk) = chunks.get(index) else {
                break;
            };
            if index > failed.load(Ordering::Relaxed) {
                break;
            }
            let mut d = Done {
                index,
                state: S::default(),
                stories: 0,
                figures: 0,
                checked: None,
            };
            let result = chunk
                .iter()
                .try_for_each(|w| {
                    if index > failed.load(Ordering::Relaxed) {
                        return Ok(());
                    }
                    let story = drafter.draft(w).map_err(E::from)?;
                    d.stories += 1;
                    d.figures += story.draft.checked.figures;
                    d.checked.get_or_insert(story.draft.checked);
                    each(&mut d.state, story)
                })
                .and_then(|()| finished(index, &mut d.state));
            match result {
                Ok(()) => done.push(Ok(d)),
                Err(e) => {
                    failed.fetch_min(index, Ordering::Relaxed);
                    done.push(Err((index, e)));
                }
            }
        }
        done
    };
    let threads = cores().min(chunks.len()).max(1);
    let mut all: Vec<Result<Done<S>, (usize, E)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(worker)).collect();
        let mut all = worker();
        for h in handles {
            all.extend(h.join().expect("a story thread panicked"));
        }
        all
    });
    all.sort_by_key(|r| match r {
        Ok(d) => d.index,
        Err((i, _)) => *i,
    });
    let mut out = Drafted {
        stories: 0,
        figures: 0,
        checked: None,
        kept: Vec::with_capacity(all.len()),
    };
    for r in all {
        let d = r.map_err(|(_, e)| e)?;
        out.stories += d.stories;
        out.figures += d.figures;
        if out.checked.is_none() {
            out.checked = d.checked;
        }
        out.kept.push(d.state);
    }
    Ok(out)
}

/// A week's every-area stories: the story part they share and the national facts they
/// share, decided once.
#[derive(Debug)]
pub struct EveryArea<'w> {
    week: &'w Week<'w>,
    template: &'w str,
    week_part: Arc<WeekPart>,
    /// The first area's story, which the audit's view of the week is prepared from.
    first_story: Story,
    shared: SharedFacts,
}

impl<'w> EveryArea<'w> {
    /// The week's national facts every story shares.
    pub fn shared(&self) -> &SharedFacts {
        &self.shared
    }

    /// Drafts areas' stories with `renderer`: the audit's view of the week (its national
    /// facts recomputed) is prepared here once, unless `no_audit`.
    fn drafter<'d>(&'d self, renderer: &'d Renderer, no_audit: bool) -> AreaDrafter<'d> {
        let inputs = self.week.inputs;
        let context = (!no_audit).then(|| {
            AuditContext::new(
                &self.first_story,
                &self.shared.sidecar.facts,
                &inputs.dataset,
                &inputs.population,
                &inputs.patch,
            )
        });
        AreaDrafter {
            every: self,
            renderer,
            reference: self.shared.reference(),
            context,
            copy: WeekCopy::default(),
        }
    }
}

/// Drafts one area's story of a week at a time, from any thread.
pub struct AreaDrafter<'d> {
    every: &'d EveryArea<'d>,
    renderer: &'d Renderer,
    reference: SharedRef,
    context: Option<AuditContext<'d>>,
    copy: WeekCopy,
}

/// What the week's stories' copy has in common, kept as it is read and linted: every story
/// prints its week partials' paragraphs word for word.
#[derive(Debug, Default)]
struct WeekCopy {
    /// The paragraphs read.
    blocks: crate::copy::SharedBlocks,
    /// The paragraphs the lint found clean.
    clean: crate::lint::CleanBlocks,
}

impl AreaDrafter<'_> {
    /// Decides, renders and (unless the run skips them) lints and audits the story of the
    /// area of `w`, one of the week's national figures.
    pub fn draft(&self, w: &AreaWeek) -> Result<AreaStory, DraftError> {
        let EveryArea {
            week,
            template,
            week_part,
            ..
        } = self.every;
        let inputs = week.inputs;
        let area = &inputs.dataset.areas[w.index];
        let mut local = inputs.patch.clone();
        local.region = local.print_name(&area.code, &area.name);
        let story = story::build_for_week(week.area_input(&local, w, template), week_part)?;
        let rendered = self.renderer.render(template, &story)?;
        let mut facts =
            crate::facts::sidecar_of(&story, &inputs.dataset, &inputs.population, Part::Own);
        facts.shared = Some(self.reference.clone());
        let mut checked = Checked {
            gates: week.gates,
            ..Checked::default()
        };
        if let Some(context) = &self.context {
            check_copy(
                context,
                &rendered.text,
                &facts,
                &story,
                week.check_inputs(&local),
                &rendered.literals,
                Some(&self.copy),
                &mut checked,
            )
            .map_err(|e| DraftError::AreaStory {
                area: format!("{} ({})", area.name, area.code),
                source: Box::new(e),
            })?;
        }
        Ok(AreaStory {
            file_name: format!("{}.md", slug(&area.name, &area.code)),
            draft: Draft {
                story,
                output: rendered.text,
                headline: rendered.headline,
                standfirst: rendered.standfirst,
                warnings: Vec::new(),
                notes: Vec::new(),
                facts,
                checked,
                release_label: inputs.label.clone(),
            },
        })
    }
}

/// Where a built-in patch's messages say its settings came from.
pub(super) fn built_in_path() -> PathBuf {
    PathBuf::from("(built-in settings)")
}

/// What the audit recomputes a story's facts from.
#[derive(Clone, Copy)]
struct CheckInputs<'a> {
    dataset: &'a Dataset,
    population: &'a Population,
    patch: &'a Patch,
}

/// Lints and audits rendered copy against the week's audit context (and its shared
/// facts); any finding stops the story, quoting the sentence. `week` holds the paragraphs
/// of the week's earlier stories, read and found clean.
#[allow(clippy::too_many_arguments)]
fn check_copy(
    context: &AuditContext<'_>,
    copy: &str,
    facts: &FactsSidecar,
    story: &Story,
    inputs: CheckInputs<'_>,
    literals: &[String],
    week: Option<&WeekCopy>,
    checked: &mut Checked,
) -> Result<(), DraftError> {
    let read = match week {
        Some(week) => crate::copy::Copy::read_in(copy, &week.blocks),
        None => crate::copy::Copy::read(copy),
    };
    let names = crate::copy::odd_names(story);
    let from_patch = &inputs.patch.copy.literal;
    let joined: Vec<String>;
    let literals = if from_patch.is_empty() {
        literals
    } else {
        joined = literals.iter().chain(from_patch).cloned().collect();
        &joined
    };
    let known = crate::copy::Known {
        names: &names,
        literals,
    };
    // The subbing rules (`lint_with`) wait until a patch's own words (a region such as "the
    // fixture patch") are known to them; the house-style rules run on every story, reading
    // neither its odd names ("Area 51") nor its fixed text ("call 119") as figures.
    let findings = match week {
        Some(week) => crate::lint::lint_known_in(&read, &known, &week.clean),
        None => crate::lint::lint_known(&read, &known),
    };
    if !findings.is_empty() {
        let lines: Vec<String> = findings
            .iter()
            .map(|f| format!("  {f}, in \"{}\"", f.sentence))
            .collect();
        return Err(DraftError::Lint {
            count: findings.len(),
            report: lines.join("\n"),
        });
    }
    let report = context.audit_known(
        AuditInput {
            text: copy,
            facts: &facts.facts,
            story,
            dataset: inputs.dataset,
            population: inputs.population,
            patch: inputs.patch,
        },
        &read,
        &known,
    );
    if !report.passed() {
        let lines: Vec<String> = report.failures.iter().map(|f| format!("  {f}")).collect();
        return Err(DraftError::Audit {
            count: report.failures.len(),
            report: lines.join("\n"),
        });
    }
    checked.figures = report.figures;
    checked.facts = report.facts;
    checked.claims = report.claims;
    checked.lint_rules = crate::lint::Rule::ALL.len();
    checked.audited = true;
    Ok(())
}
