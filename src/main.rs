//! The casewire command line: parses arguments, calls the library, maps errors to exit codes.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use casewire::draft::{DraftRequest, Format};

/// Writes local news copy from public-health dashboard data.
///
/// casewire reads the dashboard's daily case counts, computes each area's seven-day rate per
/// 100,000 people, decides what the figures say (who leads, who rose, who is "the only one")
/// and writes the story in house style.
#[derive(Parser, Debug)]
#[command(name = "casewire", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Draft a story for a patch from dashboard data.
    ///
    /// The story covers the seven days to the release date minus the patch's incomplete days
    /// (four by default: data published January 18 give the seven days to January 14),
    /// compared with the seven days before.
    ///
    /// Example:
    ///   casewire draft --patch examples/se-london.toml \
    ///     --data ../shared/data/releases/2021-01-18/ltla-reconstructed.csv \
    ///     --population ../shared/data/population/mid-2019.csv --release 2021-01-18
    #[command(verbatim_doc_comment)]
    Draft(DraftArgs),
    /// List the built-in templates, or write them out for a newsroom to edit.
    Templates {
        #[command(subcommand)]
        action: TemplatesAction,
    },
    /// Publish every story of a newsroom whose data have a new release, once, atomically.
    ///
    /// For a scheduled job: takes a lock (a stale one from a killed run is taken over), finds
    /// the newest release, and writes each story's new edition (Markdown with front matter,
    /// CSV, SVG chart, view model) and any correction notes, then records what it published.
    /// Prints one line: "published N ..." or "nothing new since RELEASE"; exit 0. On failure,
    /// one line on standard error and exit 1, earlier editions untouched.
    ///
    /// Example crontab line (every hour at ten past):
    ///   10 * * * * cd /srv/casewire && casewire publish --config newsroom.toml
    #[command(verbatim_doc_comment)]
    Publish {
        /// The newsroom file (TOML): stories, data source, output folder, schedule.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Say what would be written; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Check a story's copy against house style.
    ///
    /// Rates with exactly one decimal, thousands separators, small counts in words, no sentence
    /// opening with a figure, dates as "January 14", no doubled words, balanced quotes and
    /// brackets, no leftover template syntax or empty values. Exit code 0 when clean, 1 when
    /// anything is found, 2 when the file cannot be read.
    Lint {
        /// The Markdown or text file to check.
        file: PathBuf,
    },
}

#[derive(clap::Args, Debug)]
struct DraftArgs {
    /// The patch file (TOML): the areas covered, the region's name, who signs the figures.
    /// Optional with --each-area, where it supplies only the publication's settings.
    #[arg(long, value_name = "FILE", required_unless_present = "each_area")]
    patch: Option<PathBuf>,
    /// Dashboard data: legacy CSV (areaCode,areaName,areaType,date,newCasesBySpecimenDate...)
    /// or JSON ({"body": [...]} or {"data": [...]}). Repeat to merge several files.
    #[arg(long, value_name = "FILE", required = true)]
    data: Vec<PathBuf>,
    /// Population table: areaCode,areaName,population or the dashboard's supplement
    /// (category,areaCode,gender,age,population).
    #[arg(long, value_name = "FILE")]
    population: PathBuf,
    /// The day the data were published, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    release: NaiveDate,
    /// Story template: weekly-roundup (default), by-area or area (the default with
    /// --each-area), or one of your own.
    #[arg(long, value_name = "NAME")]
    template: Option<String>,
    /// A folder of templates that override the built-ins by file name.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// markdown: the copy; json: the story's view model, every figure in it.
    #[arg(long, value_enum, default_value_t = FormatArg::Markdown)]
    format: FormatArg,
    /// Write here instead of standard output (only when the whole story succeeded).
    #[arg(long, value_name = "FILE", conflicts_with = "each_area")]
    out: Option<PathBuf>,
    /// Write one story for every area of the universe into --out-dir, each led by that
    /// area's own figures and national ranks.
    #[arg(long, requires = "out_dir")]
    each_area: bool,
    /// With --each-area: which areas get a story and are counted nationally.
    #[arg(long, value_enum, requires = "each_area")]
    universe: Option<UniverseArg>,
    /// With --each-area: the folder for the stories, one file per area named by a slug of its
    /// name and code (bromley-e09000006.md).
    #[arg(long, value_name = "DIR", requires = "each_area")]
    out_dir: Option<PathBuf>,
    /// Picks among sentence frames; the same seed and data always give the same copy.
    /// Overrides the patch's seed.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum UniverseArg {
    England,
    Uk,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FormatArg {
    Markdown,
    Json,
}

#[derive(Subcommand, Debug)]
enum TemplatesAction {
    /// List the built-in story templates.
    List,
    /// Write the built-in templates into DIR, to edit and pass back with --templates DIR.
    Export {
        /// Folder to write into (created if missing).
        dir: PathBuf,
        /// Overwrite files that already exist.
        #[arg(long)]
        force: bool,
    },
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    casewire::fetch::file::parse_date(s)
        .ok_or_else(|| format!("\"{s}\" is not a date in the form YYYY-MM-DD"))
}

/// Today's date (UTC), read here so that the library never reads the clock.
fn today() -> NaiveDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date") + chrono::Days::new(secs / 86_400)
}

fn each_area(args: DraftArgs) -> anyhow::Result<()> {
    let out_dir = args
        .out_dir
        .expect("clap requires --out-dir with --each-area");
    let request = casewire::draft::EachAreaRequest {
        patch: args.patch,
        data: args.data,
        population: args.population,
        release: args.release,
        universe: args.universe.map(|u| match u {
            UniverseArg::England => casewire::stats::Universe::England,
            UniverseArg::Uk => casewire::stats::Universe::Uk,
        }),
        template: args.template,
        templates: args.templates,
        seed: args.seed,
        today: Some(today()),
    };
    let run = casewire::draft::draft_each_area(&request)?;
    for n in &run.notes {
        eprintln!("note: {n}");
    }
    for w in run.warnings.iter().chain(&run.skipped) {
        eprintln!("warning: {w}");
    }
    for story in &run.stories {
        let path = out_dir.join(&story.file_name);
        let body = match args.format {
            FormatArg::Markdown => story.draft.output.clone(),
            FormatArg::Json => format!(
                "{}\n",
                serde_json::to_string_pretty(&story.draft.story).expect("serialisable")
            ),
        };
        let path = match args.format {
            FormatArg::Markdown => path,
            FormatArg::Json => path.with_extension("json"),
        };
        casewire::publish::write_atomic(&path, body.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    eprintln!(
        "wrote {} stories to {} ({} areas without a story)",
        run.stories.len(),
        out_dir.display(),
        run.skipped.len()
    );
    Ok(())
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Draft(args) if args.each_area => each_area(args)?,
        Command::Draft(args) => {
            let request = DraftRequest {
                patch: args
                    .patch
                    .expect("clap requires --patch without --each-area"),
                data: args.data,
                population: args.population,
                release: args.release,
                template: args.template,
                templates: args.templates,
                format: match args.format {
                    FormatArg::Markdown => Format::Markdown,
                    FormatArg::Json => Format::Json,
                },
                today: Some(today()),
                seed: args.seed,
            };
            let draft = casewire::draft::draft(&request)?;
            for n in &draft.notes {
                eprintln!("note: {n}");
            }
            for w in &draft.warnings {
                eprintln!("warning: {w}");
            }
            match args.out {
                Some(path) => {
                    casewire::publish::write_atomic(&path, draft.output.as_bytes())
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("wrote {}", path.display());
                }
                None => print!("{}", draft.output),
            }
        }
        Command::Templates { action } => match action {
            TemplatesAction::List => {
                let renderer = casewire::render::Renderer::new(None)?;
                for name in renderer.story_templates() {
                    println!("{name}");
                }
            }
            TemplatesAction::Export { dir, force } => {
                let written = casewire::render::export_builtin(&dir, force)?;
                for path in written {
                    eprintln!("wrote {}", path.display());
                }
            }
        },
        Command::Publish { config, dry_run } => {
            let outcome = casewire::publish::run(&casewire::publish::PublishOptions {
                config,
                dry_run,
                today: Some(today()),
                fail_after_files: None,
            })?;
            if let casewire::publish::Outcome::Published {
                files,
                dry_run: true,
                ..
            } = &outcome
            {
                for f in files {
                    println!("would write {f}");
                }
            }
            println!("{outcome}");
        }
        Command::Lint { file } => {
            let result = casewire::lint::lint_file(&file);
            match &result {
                Ok(findings) => {
                    for f in findings {
                        println!("{}", f.in_file(&file));
                    }
                    eprintln!(
                        "{}: {} finding(s) from {} rules",
                        file.display(),
                        findings.len(),
                        casewire::lint::Rule::ALL.len()
                    );
                }
                Err(e) => eprintln!("error: {e}"),
            }
            let code = u8::try_from(casewire::lint::exit_code(&result)).unwrap_or(2);
            return Ok(ExitCode::from(code));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
