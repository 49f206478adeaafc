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
    /// Fetch dashboard data into the local archive (and, with --out, a CSV snapshot).
    ///
    /// Politely: at most --concurrency requests at once, a timeout on each, retries with
    /// backoff on 429 and 5xx that honour Retry-After, a request budget, and a firewall block
    /// or an HTML page where JSON was asked for treated as an error, never as data. A release
    /// the archive holds already is not fetched again; revised releases are kept beside
    /// earlier ones.
    ///
    /// Examples:
    ///   casewire fetch --source legacy-v2 --area-type ltla --release 2021-01-18 --out ltla.csv
    ///   casewire fetch --source ukhsa --area-type "Lower Tier Local Authority" --year 2023
    #[command(verbatim_doc_comment)]
    Fetch(FetchArgs),
    /// Download a population table (such as the dashboard's population supplement), check it
    /// reads, and save it for --population (and in the archive under --name).
    Population {
        /// Where the table is published.
        #[arg(long, value_name = "URL")]
        url: String,
        /// The file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Also keep it in the archive under this name (a name never holds two tables).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        #[command(flatten)]
        net: NetArgs,
    },
    /// Publish every story of a newsroom whose data have a new release, once, atomically.
    ///
    /// For a scheduled job: takes the output folder's lock (another run holding it: skipped), finds
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
        /// Publish from what the archive holds; do not fetch first.
        #[arg(long)]
        offline: bool,
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
    #[arg(long, value_name = "FILE", required_unless_present = "source")]
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
    /// markdown: the copy; json: the story's view model, every figure in it, and its facts.
    #[arg(long, value_enum, default_value_t = FormatArg::Markdown)]
    format: FormatArg,
    /// Write here instead of standard output (only when the whole story succeeded), with the
    /// facts sidecar beside it: story.md and story.facts.json, both or neither.
    #[arg(long, value_name = "FILE", conflicts_with = "each_area")]
    out: Option<PathBuf>,
    /// Skip the house-style lint and the round-trip audit of the copy. For template
    /// development only: unchecked copy is not for print.
    #[arg(long)]
    no_audit: bool,
    /// Write one story for every area of the universe into --out-dir, each led by that
    /// area's own figures and national ranks.
    #[arg(long, requires = "out_dir")]
    each_area: bool,
    /// With --each-area: which areas get a story and are counted nationally.
    #[arg(long, value_enum, requires = "each_area")]
    universe: Option<UniverseArg>,
    /// With --each-area: the folder for the stories, one file per area named by a slug of its
    /// name and code (bromley-e09000006.md) with its own facts beside it, and the week's
    /// national facts once, in shared_facts.json.
    #[arg(long, value_name = "DIR", requires = "each_area")]
    out_dir: Option<PathBuf>,
    /// Picks among sentence frames; the same seed and data always give the same copy.
    /// Overrides the patch's seed.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Instead of --data: the dashboard API whose data to use (ukhsa, legacy-v2, legacy-v1).
    /// Fetches the release into the archive first, unless --offline.
    #[arg(long, value_name = "SOURCE", conflicts_with = "data")]
    source: Option<casewire::fetch::Source>,
    /// With --source: use only what the archive already holds (the newest release on or
    /// before --release), so the same release always gives the same story.
    #[arg(long, requires = "source")]
    offline: bool,
    /// With --source: the area type, as for fetch.
    #[arg(long, value_name = "TYPE", default_value = "ltla", requires = "source")]
    area_type: String,
    /// With --source: the archive file.
    #[command(flatten)]
    net: NetArgs,
}

/// Where the archive is and how to behave towards the dashboard's servers.
#[derive(clap::Args, Debug)]
struct NetArgs {
    /// The local archive of everything fetched (SQLite); casewire-archive.sqlite by default.
    #[arg(long, value_name = "FILE", env = "CASEWIRE_ARCHIVE")]
    archive: Option<PathBuf>,
    /// The API's base URL, to use a mirror or a test server instead of the real host.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Who the API's operators can contact about this traffic (sent in the User-Agent).
    #[arg(long, value_name = "EMAIL", env = "CASEWIRE_CONTACT")]
    contact: Option<String>,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4)]
    concurrency: usize,
}

impl NetArgs {
    fn settings(&self) -> casewire::fetch::FetchSettings {
        casewire::fetch::FetchSettings {
            contact: self.contact.clone(),
            archive: self.archive.clone(),
            concurrency: Some(self.concurrency),
            ukhsa_base_url: self.base_url.clone(),
            legacy_base_url: self.base_url.clone(),
            ..Default::default()
        }
    }
}

#[derive(clap::Args, Debug)]
struct FetchArgs {
    /// ukhsa (the live UKHSA data dashboard), legacy-v2 or legacy-v1 (the archived
    /// coronavirus.data.gov.uk APIs).
    #[arg(long, value_name = "SOURCE")]
    source: casewire::fetch::Source,
    /// Area type: ltla, utla, nhsRegion... (legacy) or a UKHSA geography type such as
    /// "Lower Tier Local Authority" (ltla works too).
    #[arg(long, value_name = "TYPE")]
    area_type: String,
    /// Metrics to fetch (repeat); the source's daily case count by default. Legacy v2 takes
    /// up to five a request and splits longer lists.
    #[arg(long = "metric", value_name = "NAME")]
    metrics: Vec<String>,
    /// Legacy v2: the release (publication date) to fetch; the latest by default.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    release: Option<NaiveDate>,
    /// Only these areas (codes for legacy, geography names for UKHSA); repeat.
    #[arg(long = "area", value_name = "AREA")]
    areas: Vec<String>,
    /// UKHSA: only these years (repeat); a story needs the last few weeks only.
    #[arg(long = "year", value_name = "YYYY")]
    years: Vec<i32>,
    /// Also write what was fetched as legacy CSV, which draft --data reads.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    net: NetArgs,
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
    casewire::model::parse_date(s)
        .ok_or_else(|| format!("\"{s}\" is not a date in the form YYYY-MM-DD"))
}

/// Today's date (UTC), read here so that the library never reads the clock.
fn today() -> NaiveDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date") + chrono::Days::new(secs / 86_400)
}

/// Notes and warnings on standard error, one a line.
fn report(notes: &[String], warnings: &[String]) {
    for n in notes {
        eprintln!("note: {n}");
    }
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

impl DraftArgs {
    /// The archived release to draft from, when --source is given.
    fn archive(&self) -> anyhow::Result<Option<casewire::draft::OfflineSource>> {
        self.source
            .map(|source| {
                offline_source(
                    source,
                    &self.area_type,
                    self.release,
                    self.offline,
                    &self.net,
                )
            })
            .transpose()
    }
}

/// The archived release a draft reads: fetched first unless `offline`.
fn offline_source(
    source: casewire::fetch::Source,
    area_type: &str,
    release: NaiveDate,
    offline: bool,
    net: &NetArgs,
) -> anyhow::Result<casewire::draft::OfflineSource> {
    let settings = net.settings();
    let path = settings.archive_path();
    if !offline {
        let mut opts = settings.options(source, area_type);
        match source {
            casewire::fetch::Source::LegacyV2 => opts.release = Some(release),
            casewire::fetch::Source::Ukhsa => {
                opts.years = casewire::fetch::years_needed(release, 21);
            }
            casewire::fetch::Source::LegacyV1 => {}
        }
        let report = casewire::fetch::fetch_command(&opts, &path, None)?;
        eprintln!("{}", report.summary);
    }
    Ok(casewire::draft::OfflineSource {
        path,
        source,
        area_type: area_type.to_string(),
        release: casewire::fetch::archive::ReleaseSelector::AsOf(release),
    })
}

fn each_area(args: DraftArgs) -> anyhow::Result<()> {
    let archive = args.archive()?;
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
        no_audit: args.no_audit,
        archive,
    };
    let format = match args.format {
        FormatArg::Json => casewire::draft::Format::Json,
        FormatArg::Markdown => casewire::draft::Format::Markdown,
    };
    let staged = casewire::draft::stage_each_area(&request, &out_dir, format)?;
    let run = &staged.summary;
    report(&run.notes, &run.warnings);
    report(&[], &run.skipped);
    match &run.checked {
        Some(first) if first.audited => eprintln!(
            "checked: {} stories, {} figures traced to data, {} input gates, {} lint rules",
            run.stories, run.figures, first.gates, first.lint_rules
        ),
        Some(first) => eprintln!("{first}"),
        None => {}
    }
    let (stories, skipped) = (run.stories, run.skipped.len());
    let files = staged.commit()?;
    eprintln!(
        "wrote {} stories to {} ({} files; {} areas without a story)",
        stories,
        out_dir.display(),
        files,
        skipped
    );
    Ok(())
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Draft(args) if args.each_area => each_area(args)?,
        Command::Draft(args) => {
            let archive = args.archive()?;
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
                no_audit: args.no_audit,
                seed: args.seed,
                archive,
            };
            let draft = casewire::draft::draft(&request)?;
            report(&draft.notes, &draft.warnings);
            eprintln!("{}", draft.checked);
            match args.out {
                Some(path) => {
                    let facts = casewire::draft::write_out(&draft, &path)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("wrote {} and {}", path.display(), facts.display());
                }
                None => print_out(&draft.output),
            }
        }
        Command::Templates {
            action: TemplatesAction::List,
        } => {
            let renderer = casewire::render::Renderer::new(None)?;
            renderer
                .story_templates()
                .iter()
                .for_each(|n| println!("{n}"));
        }
        Command::Templates {
            action: TemplatesAction::Export { dir, force },
        } => {
            for path in casewire::render::export_builtin(&dir, force)? {
                eprintln!("wrote {}", path.display());
            }
        }
        Command::Fetch(args) => {
            let settings = args.net.settings();
            let mut opts = settings.options(args.source, &args.area_type);
            opts.metrics = args.metrics;
            opts.release = args.release;
            opts.areas = args.areas;
            opts.years = args.years;
            let report = casewire::fetch::fetch_command(
                &opts,
                &settings.archive_path(),
                args.out.as_deref(),
            )?;
            if let Some(out) = &args.out {
                eprintln!("wrote {}", out.display());
            }
            println!("{}", report.summary);
        }
        Command::Population {
            url,
            out,
            name,
            net,
        } => {
            let settings = net.settings();
            let config = settings
                .options(casewire::fetch::Source::Ukhsa, "ltla")
                .client;
            let (population, notes, bytes) =
                casewire::fetch::run::download_population_blocking(&config, &url)?;
            for n in notes {
                eprintln!("note: {n}");
            }
            if let Some(name) = name {
                let mut archive = casewire::fetch::Archive::open(&settings.archive_path())?;
                let stamp = format!("{}T00:00:00Z", today());
                archive.store_population(&name, &url, &bytes, &stamp)?;
            }
            casewire::fsio::write_atomic(&out, &bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "wrote {} ({} areas, {})",
                out.display(),
                population.by_code.len(),
                population.layout
            );
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
            run.notes.iter().for_each(|n| eprintln!("{n}"));
            print!("{}", run.result?.report());
        }
        Command::Lint { file } => {
            let result = casewire::lint::lint_file(&file);
            match &result {
                Ok(findings) => {
                    for f in findings {
                        print_out(&format!("{}\n", f.in_file(&file)));
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Log lines (fetch progress when not on a terminal) go to stderr, filtered by RUST_LOG.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
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
