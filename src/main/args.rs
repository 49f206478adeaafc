//! The command line's arguments and their help: every flag of every command, and the
//! parsers of its values. `main.rs` maps them to library requests.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::error::ErrorKind;
use clap::{Parser, Subcommand};

use casewire::draft::{ExpectFrom, Format};
use casewire::fetch::{FetchSettings, Source};
use casewire::stats::Universe;

/// Writes local news copy from public-health dashboard data.
///
/// casewire reads the dashboard's daily case counts, computes each area's seven-day rate per
/// 100,000 people, decides what the figures say (who leads, who rose, who is "the only one")
/// and writes the story in house style. Every figure is checked against the data before a
/// story is written; input gates hold back a story whose data look wrong.
///
/// Start with one story to standard output (`casewire draft --help` explains it):
///   casewire draft --patch examples/se-london.toml \
///     --data ../shared/data/releases/2021-01-18/ltla-reconstructed.csv \
///     --population ../shared/data/population/mid-2019.csv --release 2021-01-18
///
/// then publish a newsroom's stories on a schedule (`casewire publish --help`).
///
/// Log lines, warnings and errors go to standard error, each stamped with the time (RFC 3339,
/// UTC); what a command produces goes to standard output.
#[derive(Parser, Debug)]
#[command(name = "casewire", version, about, long_about, verbatim_doc_comment)]
#[command(after_help = crate::exit::TABLE)]
pub(crate) struct Cli {
    /// Print errors only: no warnings, notes or progress on standard error.
    #[arg(short, long, global = true, conflicts_with = "verbose", help_heading = LOG)]
    pub(crate) quiet: bool,
    /// Say more on standard error: -v what each step did, -vv and -vvv more.
    ///
    /// Without -q or -v, RUST_LOG chooses instead (RUST_LOG=casewire=debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = LOG)]
    #[arg(verbatim_doc_comment)]
    pub(crate) verbose: u8,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The heading of the flags every command takes.
const LOG: &str = "Standard error";

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Draft a story for a patch from dashboard data.
    ///
    /// The story covers the seven days to the release date minus the patch's incomplete days
    /// (four by default: data published January 18 give the seven days to January 14),
    /// compared with the seven days before. The data pass the input gates first: a story they
    /// hold back is not written, and the command exits 3 naming each fault.
    ///
    /// The area template tells one area's story: with a patch of several areas, --out-dir DIR
    /// writes one story per area of the patch (without it the draft is refused, exit 2).
    ///
    /// Examples:
    ///   casewire draft --patch examples/se-london.toml \
    ///     --data ../shared/data/releases/2021-01-18/ltla-reconstructed.csv \
    ///     --population ../shared/data/population/mid-2019.csv --release 2021-01-18
    ///   casewire draft --patch examples/se-london.toml --template area --out-dir boroughs \
    ///     --data ../shared/data/releases/2021-01-18/ltla-reconstructed.csv \
    ///     --population ../shared/data/population/mid-2019.csv --release 2021-01-18
    #[command(verbatim_doc_comment)]
    Draft(DraftArgs),
    /// List the built-in templates, or write them out for a newsroom to edit.
    ///
    /// A newsroom changes its copy by editing the templates (Tera) and passing the folder back
    /// with --templates; files it does not override stay the built-in ones.
    ///
    /// Example:
    ///   casewire templates export my-templates
    ///   casewire draft --templates my-templates ...
    #[command(verbatim_doc_comment)]
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
    ///
    /// The file is written only once the whole table has been read and checked.
    ///
    /// Example:
    ///   casewire population --url https://example.org/population.csv \
    ///     --out population.csv --name mid-2020 --contact desk@example.org
    #[command(verbatim_doc_comment)]
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
    /// For a scheduled job: takes the output folder's lock (another run holding it: skipped),
    /// finds the newest release, and writes each story's new edition (Markdown with front
    /// matter, CSV, SVG chart, view model) and any correction notes, then records what it
    /// published. Prints one line: "published N ..." or "nothing new since RELEASE"; exit 0.
    /// Warnings go to standard error, each line stamped with the time (UTC). On failure, one
    /// line on standard error and exit 1 (3 when a gate held a story back), earlier editions
    /// untouched. Try a newsroom file first with --dry-run, which lists what it would write.
    ///
    /// When something was published it runs the newsroom's after_publish command (a site
    /// build, say), for at most after_publish_timeout_secs (default 600): past that the
    /// command's whole process group is killed. A command that fails or overruns makes the
    /// run exit 1, naming it; the editions stay out.
    ///
    /// Example:
    ///   casewire publish --config examples/newsroom.toml --dry-run
    // Not wrapped: the crontab line below must stay on one line to be copied.
    #[command(verbatim_doc_comment, after_long_help = crontab_help(), term_width = 0)]
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
        /// text: the line above; json: the outcome, notes, warnings and exit code.
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
    },
    /// Take a published edition off the site, for good: its page and feed entries go, its
    /// ninjs items become canceled, its WordPress post goes to the trash.
    ///
    /// Runs under the publish lock. The state records who withdrew it, when and why, so no
    /// later run republishes or corrects it. --list prints the editions it can take
    /// (EDITION, story, release, live or withdrawn, headline).
    ///
    /// Examples:
    ///   casewire withdraw --list --config newsroom.toml
    ///   casewire withdraw se-london-weekly-2021-01-18 --config newsroom.toml --reason "wrong area"
    #[command(verbatim_doc_comment)]
    Withdraw(crate::withdraw::WithdrawArgs),
    /// The review queue: editions a run held for an editor (`[review] required = true`).
    ///
    /// With review required, `publish` drafts and checks each new edition as always but puts
    /// it in the queue instead of the output folder. `approve` puts it live exactly as an
    /// unattended run would (its folder whole, corrections, feeds, the state, after_publish);
    /// `reject` keeps it off the site for good. Every decision is logged with who, when and why.
    ///
    /// Examples:
    ///   casewire review list --config newsroom.toml
    ///   casewire review approve se-london-weekly-2021-01-18 --config newsroom.toml
    ///   casewire review reject se-london-weekly-2021-01-18 --reason "data revised" --config newsroom.toml
    #[command(verbatim_doc_comment)]
    Review {
        #[command(subcommand)]
        action: ReviewAction,
    },
    /// The editors' desk in a browser: the queue, each edition as readers will see it with
    /// every figure's source, editing checked by the lint and the audit, approve and reject.
    ///
    /// Listens on 127.0.0.1 unless --bind says otherwise; any other address needs a password,
    /// its argon2 hash in the newsroom file ([desk] password_hash) or in
    /// CASEWIRE_DESK_PASSWORD_HASH.
    ///
    /// Example:
    ///   casewire serve --config newsroom.toml --bind 127.0.0.1:8018
    #[command(verbatim_doc_comment)]
    Serve {
        /// The newsroom file.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// The address and port to listen on (port 0: any free port, printed at start).
        #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8018")]
        bind: std::net::SocketAddr,
    },
    /// Check a story's copy against house style.
    ///
    /// Rates with exactly one decimal, thousands separators, small counts in words, no sentence
    /// opening with a figure, dates as "January 14", no doubled words, balanced quotes and
    /// brackets, no leftover template syntax or empty values. Exit code 0 when clean, 1 when
    /// anything is found, 2 when the file cannot be read.
    ///
    /// Examples:
    ///   casewire lint story.md
    ///   casewire lint --format json story.md
    #[command(verbatim_doc_comment)]
    Lint {
        /// The Markdown or text file to check.
        file: PathBuf,
        /// text: FILE:LINE: rule: message, a line each; json: an array of findings (file,
        /// line, column, rule, severity, message, snippet, sentence).
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
    },
    /// Print a completion script for a shell.
    ///
    /// Examples:
    ///   casewire completions bash > /etc/bash_completion.d/casewire
    ///   casewire completions zsh > "${fpath[1]}/_casewire"
    ///   casewire completions fish > ~/.config/fish/completions/casewire.fish
    #[command(verbatim_doc_comment)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on standard output: casewire(1), or a command's own.
    ///
    /// Examples:
    ///   casewire man > /usr/local/share/man/man1/casewire.1 && man casewire
    ///   casewire man publish > /usr/local/share/man/man1/casewire-publish.1
    #[command(verbatim_doc_comment)]
    Man {
        /// The command whose page to print (casewire-COMMAND(1)) instead of casewire(1).
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
}

/// How `lint` and `publish` print what they found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum OutputFormat {
    /// Lines for a person.
    Text,
    /// One JSON document, for a script.
    Json,
}

/// The example crontab, as examples/casewire.crontab has it: help and example cannot disagree.
fn crontab_help() -> String {
    const CRONTAB: &str = include_str!("../../examples/casewire.crontab");
    let mut help = String::from(
        "Example crontab (examples/casewire.crontab; the same schedule as a systemd timer is\n\
         examples/casewire-publish.timer):\n",
    );
    for line in CRONTAB.lines() {
        help.push_str(&format!("  {line}\n"));
    }
    help
}

#[derive(clap::Args, Debug)]
pub(crate) struct DraftArgs {
    /// The patch file (TOML): the areas covered, the region's name, who signs the figures.
    /// Optional with --each-area, where it supplies only the publication's settings.
    #[arg(long, value_name = "FILE", required_unless_present = "each_area")]
    pub(crate) patch: Option<PathBuf>,
    /// Dashboard data: legacy CSV (areaCode,areaName,areaType,date,newCasesBySpecimenDate...)
    /// or JSON ({"body": [...]} or {"data": [...]}). Repeat to merge several files.
    #[arg(long, value_name = "FILE", required_unless_present = "source")]
    pub(crate) data: Vec<PathBuf>,
    /// Population table: areaCode,areaName,population or the dashboard's supplement
    /// (category,areaCode,gender,age,population).
    #[arg(long, value_name = "FILE")]
    pub(crate) population: PathBuf,
    /// The day the data were published, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub(crate) release: NaiveDate,
    /// Story template: weekly-roundup (default), by-area or area (the default with
    /// --out-dir), or one of your own. The area template tells one area's story: for a
    /// patch of several areas give --out-dir DIR, for one story per area.
    #[arg(long, value_name = "NAME")]
    pub(crate) template: Option<String>,
    /// A folder of templates that override the built-ins by file name.
    #[arg(long, value_name = "DIR")]
    pub(crate) templates: Option<PathBuf>,
    /// markdown: the copy; json: the story's view model, every figure in it, and its facts.
    #[arg(long, default_value = "markdown", value_parser = one_of::<Format>(["markdown", "json"]))]
    pub(crate) format: Format,
    /// Write here instead of standard output (only when the whole story succeeded), with the
    /// facts sidecar beside it: story.md and story.facts.json, both or neither.
    #[arg(long, value_name = "FILE", conflicts_with = "each_area")]
    pub(crate) out: Option<PathBuf>,
    /// Skip the house-style lint and the round-trip audit of the copy. For template
    /// development only: unchecked copy is not for print.
    #[arg(long)]
    pub(crate) no_audit: bool,
    /// Write one story for every area of the universe into --out-dir, each led by that
    /// area's own figures and national ranks.
    #[arg(long, requires = "out_dir")]
    pub(crate) each_area: bool,
    /// With --each-area: which areas get a story and are counted nationally.
    #[arg(long, requires = "each_area", value_parser = one_of::<Universe>(["england", "uk"]))]
    pub(crate) universe: Option<Universe>,
    /// The folder for a story per area, one file per area named by a slug of its name and
    /// code (bromley-e09000006.md). With --each-area, every area of the universe, with every
    /// story's own facts in one file, area_facts.json (keyed by the story's file name), and
    /// the week's national facts once, in shared_facts.json; without it, each of the patch's
    /// areas with the area template (the default here), each with its facts beside it
    /// (bromley-e09000006.facts.json). All or nothing: the folder is replaced whole once
    /// every story has passed its checks.
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    pub(crate) out_dir: Option<PathBuf>,
    /// Picks among sentence frames; the same seed and data always give the same copy.
    /// Overrides the patch's seed.
    #[arg(long, value_name = "N")]
    pub(crate) seed: Option<u64>,
    /// Instead of --data: the dashboard API whose data to use (ukhsa, legacy-v2, legacy-v1).
    /// Fetches the release into the archive first, unless --offline.
    #[arg(long, value_name = "SOURCE", conflicts_with = "data")]
    pub(crate) source: Option<Source>,
    /// With --source: use only what the archive already holds (the release stored on
    /// --release), so the same release always gives the same story.
    #[arg(long, requires = "source")]
    pub(crate) offline: bool,
    /// With --source: when the archive holds no release on --release, draft from the newest
    /// earlier one (named on standard error); the copy's dates are then that release's.
    #[arg(long, requires = "source")]
    pub(crate) as_of: bool,
    /// With --data: the areas the release should hold, from the previous release's FILE, or
    /// "register" for the geography register on --release; areas missing are an error
    /// (gate missing-areas). Without it the register is used too, but data holding fewer than
    /// 20 of its areas are taken for an extract, with a warning. Drafts from the archive always
    /// check against the previous archived release.
    #[arg(long, value_name = "FILE|register", requires = "data", value_parser = parse_expect)]
    pub(crate) expect_from: Option<ExpectFrom>,
    /// With --source: the area type, as for fetch.
    #[arg(long, value_name = "TYPE", default_value = "ltla", requires = "source")]
    pub(crate) area_type: String,
    /// With --source: the archive file.
    #[command(flatten)]
    pub(crate) net: NetArgs,
}

/// Where the archive is and how to behave towards the dashboard's servers.
#[derive(clap::Args, Debug)]
pub(crate) struct NetArgs {
    /// The local archive of everything fetched (SQLite); casewire-archive.sqlite by default.
    #[arg(long, value_name = "FILE", env = "CASEWIRE_ARCHIVE")]
    pub(crate) archive: Option<PathBuf>,
    /// The API's base URL, to use a mirror or a test server instead of the real host.
    #[arg(long, value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// Who the API's operators can contact about this traffic (sent in the User-Agent).
    #[arg(long, value_name = "EMAIL", env = "CASEWIRE_CONTACT")]
    pub(crate) contact: Option<String>,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub(crate) concurrency: usize,
}

impl NetArgs {
    pub(crate) fn settings(&self) -> FetchSettings {
        FetchSettings {
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
pub(crate) struct FetchArgs {
    /// ukhsa (the live UKHSA data dashboard), legacy-v2 or legacy-v1 (the archived
    /// coronavirus.data.gov.uk APIs).
    #[arg(long, value_name = "SOURCE")]
    pub(crate) source: Source,
    /// Area type: ltla, utla, nhsRegion... (legacy) or a UKHSA geography type such as
    /// "Lower Tier Local Authority" (ltla works too).
    #[arg(long, value_name = "TYPE")]
    pub(crate) area_type: String,
    /// Metrics to fetch (repeat); the source's daily case count by default. Legacy v2 takes
    /// up to five a request and splits longer lists.
    #[arg(long = "metric", value_name = "NAME")]
    pub(crate) metrics: Vec<String>,
    /// Legacy v2: the release (publication date) to fetch; the latest by default.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub(crate) release: Option<NaiveDate>,
    /// Only these areas (codes for legacy, geography names for UKHSA); repeat.
    #[arg(long = "area", value_name = "AREA")]
    pub(crate) areas: Vec<String>,
    /// UKHSA: only these years (repeat); a story needs the last few weeks only.
    #[arg(long = "year", value_name = "YYYY")]
    pub(crate) years: Vec<i32>,
    /// Also write what was fetched as legacy CSV, which draft --data reads.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) net: NetArgs,
}

#[derive(Subcommand, Debug)]
pub(crate) enum TemplatesAction {
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

/// What `review` does.
#[derive(Subcommand, Debug)]
pub(crate) enum ReviewAction {
    /// One line per waiting edition: its id, story, release, headline and warnings.
    List {
        #[command(flatten)]
        desk: DeskArgs,
        /// text: a line each; json: an array of the waiting editions.
        #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
        format: OutputFormat,
    },
    /// An edition's details and its copy (as edited, when it was).
    Show {
        /// The edition's id, as `review list` prints it.
        id: String,
        #[command(flatten)]
        desk: DeskArgs,
    },
    /// Put an edition live, as an unattended publish would.
    Approve {
        /// The edition's id.
        id: String,
        #[command(flatten)]
        desk: DeskArgs,
    },
    /// Keep an edition off the site; it is not queued again.
    Reject {
        /// The edition's id.
        id: String,
        /// Why, for the log.
        #[arg(long, value_name = "TEXT")]
        reason: String,
        #[command(flatten)]
        desk: DeskArgs,
    },
}

/// What every `review` command takes.
#[derive(clap::Args, Debug)]
pub(crate) struct DeskArgs {
    /// The newsroom file.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: PathBuf,
    /// Who is deciding, for the log (default: $USER).
    #[arg(long, value_name = "NAME", env = "CASEWIRE_EDITOR")]
    pub(crate) by: Option<String>,
}

/// A parser of the library's own names for a setting, listing them in the help.
fn one_of<T: std::str::FromStr + Clone + Send + Sync + 'static>(
    names: [&'static str; 2],
) -> impl clap::builder::TypedValueParser<Value = T> {
    let parse = |s: String| {
        s.parse::<T>()
            .map_err(|_| clap::Error::new(ErrorKind::InvalidValue))
    };
    PossibleValuesParser::new(names).try_map(parse)
}

fn parse_expect(s: &str) -> Result<ExpectFrom, String> {
    s.parse()
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    casewire::model::parse_date(s)
        .ok_or_else(|| format!("\"{s}\" is not a date in the form YYYY-MM-DD"))
}
