//! The casewire command line: parses arguments, calls the library, prints what it returns and
//! maps errors to exit codes. Nothing here decides anything about the copy.

use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Parser;

use casewire::draft::{EachAreaRequest, OfflineSource};

#[path = "main/args.rs"]
mod args;
use args::{Cli, Command, DraftArgs, TemplatesAction};

/// Now (UTC), read here so that the library never reads the clock.
fn now() -> chrono::DateTime<chrono::Utc> {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    let secs = since.map_or(0, |d| d.as_secs());
    chrono::DateTime::from_timestamp(i64::try_from(secs).unwrap_or(0), 0).unwrap_or_default()
}

fn today() -> NaiveDate {
    now().date_naive()
}

/// Notes and warnings on standard error, one a line, each prefixed with `stamp` when given.
fn report(stamp: Option<&str>, notes: &[String], warnings: &[String]) {
    let stamp = stamp.map(|s| format!("{s} ")).unwrap_or_default();
    notes.iter().for_each(|n| eprintln!("{stamp}note: {n}"));
    warnings
        .iter()
        .for_each(|w| eprintln!("{stamp}warning: {w}"));
}

/// The draft's archived source, fetched first unless --offline; the fetch's summary printed.
fn archive_source(args: &DraftArgs) -> anyhow::Result<Option<OfflineSource>> {
    let Some(source) = args.source else {
        return Ok(None);
    };
    let (release, offline, area_type) = (args.release, args.offline, &args.area_type);
    let settings = args.net.settings();
    let (found, fetched) =
        OfflineSource::for_release(&settings, source, area_type, release, offline, args.as_of)?;
    if let Some(fetched) = fetched {
        eprintln!("{}", fetched.summary);
        report(None, &[], &fetched.warnings);
    }
    Ok(Some(found))
}

fn draft(args: DraftArgs) -> anyhow::Result<()> {
    let request = EachAreaRequest {
        archive: archive_source(&args)?,
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
    let Some(out_dir) = args.out_dir.filter(|_| args.each_area) else {
        let patch = request.patch.clone().expect("clap requires --patch");
        let draft = casewire::draft::draft(&request.for_patch(patch, args.format))?;
        report(None, &draft.notes, &draft.warnings);
        eprintln!("{}", draft.checked);
        match args.out {
            Some(path) => {
                let facts = casewire::draft::write_out(&draft, &path)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("wrote {} and {}", path.display(), facts.display());
            }
            None => print_out(&draft.output),
        }
        return Ok(());
    };
    let staged = casewire::draft::stage_each_area(&request, &out_dir, args.format)?;
    let run = &staged.summary;
    report(None, &run.notes, &run.warnings);
    report(None, &[], &run.skipped);
    run.checked_line().iter().for_each(|l| eprintln!("{l}"));
    let (stories, skipped) = (run.stories, run.skipped.len());
    let files = staged.commit()?;
    let dir = out_dir.display();
    eprintln!("wrote {stories} stories to {dir} ({files} files; {skipped} areas without a story)");
    Ok(())
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Draft(args) => draft(args)?,
        Command::Templates { action } => match action {
            TemplatesAction::List => casewire::render::Renderer::new(None)?
                .story_templates()
                .iter()
                .for_each(|n| println!("{n}")),
            TemplatesAction::Export { dir, force } => {
                for path in casewire::render::export_builtin(&dir, force)? {
                    eprintln!("wrote {}", path.display());
                }
            }
        },
        Command::Fetch(args) => {
            let settings = args.net.settings();
            let mut opts = settings.options(args.source, &args.area_type);
            (opts.metrics, opts.release) = (args.metrics, args.release);
            (opts.areas, opts.years) = (args.areas, args.years);
            let archive = settings.archive_path();
            let fetched = casewire::fetch::fetch_command(&opts, &archive, args.out.as_deref())?;
            let stamp = now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            report(Some(&stamp), &[], &fetched.warnings);
            if let Some(out) = &args.out {
                eprintln!("wrote {}", out.display());
            }
            println!("{}", fetched.summary);
        }
        Command::Population {
            url,
            out,
            name,
            net,
        } => {
            let settings = net.settings();
            let got = casewire::fetch::population::download(
                &settings,
                &url,
                &out,
                name.as_deref(),
                today(),
            )?;
            got.notes.iter().for_each(|n| eprintln!("note: {n}"));
            println!("{got}");
        }
        Command::Publish {
            config,
            dry_run,
            offline,
        } => {
            let options = casewire::publish::PublishOptions {
                config,
                dry_run,
                offline,
                today: Some(today()),
            };
            let run = casewire::publish::run_with(&options, &mut casewire::fsio::Disk);
            let stamp = now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            run.notes.iter().for_each(|n| eprintln!("{stamp} {n}"));
            report(Some(&stamp), &[], &run.warnings);
            print!("{}", run.result?.report());
        }
        Command::Lint { file } => {
            let result = casewire::lint::lint_file(&file);
            match &result {
                Ok(findings) => {
                    for f in findings {
                        print_out(&format!("{}\n", f.in_file(&file)));
                    }
                    let rules = casewire::lint::Rule::ALL.len();
                    let (name, n) = (file.display(), findings.len());
                    eprintln!("{name}: {n} finding(s) from {rules} rules");
                }
                Err(e) => eprintln!("error: {e}"),
            }
            let code = u8::try_from(casewire::lint::exit_code(&result)).unwrap_or(2);
            return Ok(ExitCode::from(code));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes to standard output. A reader that has gone away (`casewire lint FILE | head`)
/// ends the program quietly, as it would any command-line tool, instead of a panic.
fn print_out(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// An error and its causes on standard error, one a line.
fn print_error(e: &anyhow::Error) {
    eprintln!("error: {e}");
    for cause in e.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Log lines (fetch progress when not on a terminal) go to stderr, filtered by RUST_LOG.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    run(cli).unwrap_or_else(|e| {
        print_error(&e);
        ExitCode::FAILURE
    })
}
