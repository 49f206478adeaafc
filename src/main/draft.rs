//! `casewire draft`: the patch's story to standard output or a file, a story per area of the
//! patch (`--template area --out-dir DIR`), or every area's (`--each-area --out-dir DIR`).

use anyhow::Context;

use casewire::draft::{DraftRequest, EachAreaRequest, StagedEachArea};
use casewire::fsio::{OutGuard, OutTarget};

use super::args::DraftArgs;
use super::log::{self, Kind::Progress};
use super::{print_out, sources, today};

pub(crate) fn run(args: DraftArgs) -> anyhow::Result<()> {
    let request = EachAreaRequest {
        archive: sources::archive_source(&args)?,
        patch: args.patch,
        data: args.data,
        population: args.population,
        release: args.release,
        universe: args.universe,
        template: args.template,
        templates: args.templates,
        seed: args.seed,
        today: Some(today()),
        no_audit: args.no_audit,
        expect_from: args.expect_from,
    };
    match (args.out_dir, args.each_area) {
        (Some(out_dir), true) => {
            tracing::info!(out_dir = %out_dir.display(), release = %args.release, "drafting every area");
            let staged = casewire::draft::stage_each_area(&request, &out_dir, args.format)?;
            commit(staged, &out_dir)
        }
        (Some(out_dir), false) => {
            let patch = request.patch.clone().expect("clap requires --patch");
            tracing::info!(out_dir = %out_dir.display(), release = %args.release, "drafting each area of the patch");
            let request = request.for_patch(patch, args.format);
            let staged = casewire::draft::stage_patch_areas(&request, &out_dir)?;
            commit(staged, &out_dir)
        }
        (None, _) => {
            let patch = request.patch.clone().expect("clap requires --patch");
            let guard = OutGuard::new(&request.input_files());
            let request = request.for_patch(patch, args.format);
            one_story(&request, &guard, args.out.as_deref())
        }
    }
}

/// The patch's one story, to standard output or `--out FILE` with its facts beside it.
fn one_story(
    request: &DraftRequest,
    guard: &OutGuard,
    out: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let target = out.map_or(Ok(OutTarget::Stdout), |p| guard.check(p))?;
    if let OutTarget::File(path) = &target {
        guard.check(&casewire::draft::facts_path(path))?;
    }
    let (patch, release) = (request.patch.display(), request.release);
    tracing::info!(%patch, %release, "drafting");
    let draft = casewire::draft::draft(request)?;
    log::said(&draft.notes, &draft.warnings);
    log::line(Progress, draft.checked);
    match target {
        OutTarget::File(path) => {
            let facts = casewire::draft::write_out(&draft, &path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            log::line(
                Progress,
                format!("wrote {} and {}", path.display(), facts.display()),
            );
        }
        OutTarget::Stdout => print_out(&draft.output),
    }
    Ok(())
}

/// A folder of stories: what the run said and checked, then the folder put in place whole.
fn commit(staged: StagedEachArea, out_dir: &std::path::Path) -> anyhow::Result<()> {
    let run = &staged.summary;
    log::said(&run.notes, &run.warnings);
    log::said(&[], &run.skipped);
    run.checked_line()
        .iter()
        .for_each(|l| log::line(Progress, l));
    let (stories, skipped) = (run.stories, run.skipped.len());
    let files = staged.commit()?;
    let dir = out_dir.display();
    let plural = |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let wrote = format!(
        "wrote {stories} {} to {dir} ({files} {}; {skipped} {} without a story)",
        plural(stories, "story", "stories"),
        plural(files, "file", "files"),
        plural(skipped, "area", "areas"),
    );
    log::line(Progress, wrote);
    Ok(())
}
