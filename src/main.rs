//! The casewire command line: parses arguments, calls the library, prints what it returns and
//! maps errors to exit codes. Nothing here decides anything about the copy.

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Parser;
use clap::error::ErrorKind;

use casewire::fsio::{OutGuard, OutTarget};

/// An every-area run allocates and frees millions of small strings on every core; mimalloc
/// does that with a fraction of the system allocator's instructions and without its locks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "main/args.rs"]
mod args;
#[path = "main/desk.rs"]
mod desk;
#[path = "main/draft.rs"]
mod draft;
#[path = "main/exit.rs"]
mod exit;
#[path = "main/json.rs"]
mod json;
#[path = "main/log.rs"]
mod log;
#[path = "main/sources.rs"]
mod sources;
#[path = "main/withdraw.rs"]
mod withdraw;
use args::{Cli, Command, OutputFormat, TemplatesAction};
use log::Kind::{Error, Progress};

pub(crate) fn today() -> NaiveDate {
    log::now().date_naive()
}

/// A publish run: its notes and warnings on standard error, its outcome on standard output.
fn publish(
    options: &casewire::publish::PublishOptions,
    format: OutputFormat,
) -> anyhow::Result<()> {
    let (config, dry_run) = (options.config.display(), options.dry_run);
    tracing::info!(%config, dry_run, offline = options.offline, "publishing");
    let run = casewire::publish::run_with(options, &mut casewire::fsio::Disk);
    run.notes.iter().for_each(|n| log::line(Progress, n));
    log::said(&[], &run.warnings);
    if let Ok(casewire::publish::Outcome::Published { files, .. }) = &run.result {
        let verb = if dry_run { "would write" } else { "wrote" };
        files.iter().for_each(|f| tracing::debug!("{verb} {f}"));
    }
    if format == OutputFormat::Json {
        print_out(&json::publish(&run));
    }
    let outcome = run.result?;
    tracing::info!("{outcome}");
    if format == OutputFormat::Text {
        print_out(&outcome.report());
    }
    Ok(())
}

/// Checks `file` against house style; its own exit codes (0 clean, 1 findings, 2 unreadable).
fn lint(file: &std::path::Path, format: OutputFormat) -> ExitCode {
    let result = casewire::lint::lint_file(file);
    match &result {
        Ok(findings) if format == OutputFormat::Json => print_out(&json::lint(file, findings)),
        Ok(findings) => findings
            .iter()
            .for_each(|f| print_out(&format!("{}\n", f.in_file(file)))),
        // With its causes: "cannot read FILE" alone does not say what was wrong.
        Err(e) => log::line(Error, with_causes(e)),
    }
    if let Ok(findings) = &result {
        let rules = casewire::lint::Rule::ALL.len();
        let (name, n) = (file.display(), findings.len());
        log::line(
            Progress,
            format!("{name}: {n} finding(s) from {rules} rules"),
        );
    }
    ExitCode::from(u8::try_from(casewire::lint::exit_code(&result)).unwrap_or(exit::FAILED))
}

/// `completions SHELL` and `man`: clap's own generators, from the same arguments as the help.
fn generated(command: &Command) -> anyhow::Result<ExitCode> {
    let mut cli = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    match command {
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut cli, "casewire", &mut out);
        }
        Command::Man {
            command: Some(name),
        } => {
            cli.build();
            let Some(sub) = cli.find_subcommand(name).filter(|_| name != "help") else {
                let why = format!("\"{name}\" is not a command; casewire --help lists them");
                return Ok(usage_error(&cli.error(ErrorKind::InvalidValue, why)));
            };
            // A page is printed once per run: its name may live as long as the program.
            let page = sub.clone().name(&*format!("casewire-{name}").leak());
            let page = page.version(env!("CARGO_PKG_VERSION"));
            clap_mangen::Man::new(page).render(&mut out)?;
        }
        _ => clap_mangen::Man::new(cli).render(&mut out)?,
    }
    print_out(&String::from_utf8_lossy(&out));
    Ok(ExitCode::from(exit::OK))
}

/// A malformed command line: clap's message, stamped like every other line, and exit 2.
fn usage_error(e: &clap::Error) -> ExitCode {
    let text = e.render().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    log::line(Error, lines.join("\n"));
    ExitCode::from(exit::USAGE)
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Draft(args) => draft::run(args)?,
        Command::Templates { action } => match action {
            TemplatesAction::List => casewire::render::Renderer::new(None)?
                .story_templates()
                .iter()
                .for_each(|n| println!("{n}")),
            TemplatesAction::Export { dir, force } => {
                for path in casewire::render::export_builtin(&dir, force)? {
                    log::line(Progress, format!("wrote {}", path.display()));
                }
            }
        },
        Command::Fetch(args) => {
            let settings = args.net.settings();
            let mut opts = settings.options(args.source, &args.area_type);
            (opts.metrics, opts.release) = (args.metrics, args.release);
            (opts.areas, opts.years) = (args.areas, args.years);
            let archive = settings.archive_path();
            let guard = OutGuard::new(&[archive.as_path()]);
            let target = args.out.as_deref().map(|p| guard.check(p)).transpose()?;
            let file = match &target {
                Some(OutTarget::File(path)) => Some(path.as_path()),
                _ => None,
            };
            let fetched = casewire::fetch::fetch_command(&opts, &archive, file)?;
            log::said(&[], &fetched.warnings);
            if let Some(out) = file {
                log::line(Progress, format!("wrote {}", out.display()));
            }
            if target == Some(OutTarget::Stdout) {
                // The snapshot is standard output; the summary goes beside the log lines.
                let mut csv = Vec::new();
                casewire::fetch::snapshot::write_legacy_csv(&fetched.dataset, &mut csv)?;
                print_out(&String::from_utf8(csv)?);
                log::line(Progress, &fetched.summary);
            } else {
                println!("{}", fetched.summary);
            }
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
            log::said(&got.notes, &[]);
            println!("{got}");
        }
        Command::Publish {
            config,
            dry_run,
            offline,
            format,
        } => {
            let options = casewire::publish::PublishOptions {
                config,
                dry_run,
                offline,
                today: Some(today()),
                now: Some(log::now()),
            };
            publish(&options, format)?;
        }
        Command::Review { action } => desk::review(action)?,
        Command::Withdraw(args) => withdraw::run(args)?,
        Command::Serve { config, bind } => desk::serve(config, bind)?,
        Command::Lint { file, format } => return Ok(lint(&file, format)),
        command @ (Command::Completions { .. } | Command::Man { .. }) => {
            return generated(&command);
        }
    }
    Ok(ExitCode::from(exit::OK))
}

/// Writes to standard output. A reader that has gone away (`casewire lint FILE | head`)
/// ends the program quietly, as it would any command-line tool, instead of a panic.
pub(crate) fn print_out(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        log::line(Error, format!("cannot write to standard output: {e}"));
        std::process::exit(1);
    }
}

/// An error and its causes on standard error, one a line.
fn print_error(e: &anyhow::Error) {
    log::line(Error, with_causes(e.as_ref()));
}

/// An error's message and each of its causes on a line of its own.
fn with_causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(&format!("\n  caused by: {c}"));
        cause = c.source();
    }
    text
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and the version go to standard output as they are.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        Err(e) => return usage_error(&e),
    };
    log::init(cli.quiet, cli.verbose);
    run(cli).unwrap_or_else(|e| {
        print_error(&e);
        ExitCode::from(exit::for_error(&e))
    })
}
