//! A small harness: paths to the real data and fixtures, a builder for runs of the real binary,
//! a builder for newsroom folders, and the requests the tests share. Every call the tests make
//! into the publish and draft APIs' option types is made here, so a change to those types is
//! a change to this file alone.
#![allow(
    dead_code,
    reason = "the harness's whole vocabulary, whether or not today's tests use every word"
)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use casewire::draft::{DraftRequest, EachAreaRequest, Format};
use casewire::publish::{Outcome, PublishError, PublishOptions};

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A file in `../shared/data`, the real archived dashboard data.
pub fn shared(rel: &str) -> PathBuf {
    let p = root().join("../shared/data").join(rel);
    assert!(
        p.exists(),
        "{} is missing: the tests read ../shared/data beside the repository",
        p.display()
    );
    p
}

/// A file in `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// The south east London example patch.
pub fn se_london() -> PathBuf {
    root().join("examples/se-london.toml")
}

/// A request for one scenario of `tests/fixtures/scenarios/`: its data file `DATA.csv`, its
/// patch file and the template to draft, on the scenarios' four areas of 100,000 people.
pub fn scenario_request(data: &str, patch: &str, template: &str) -> DraftRequest {
    let mut request = request(
        fixture(&format!("scenarios/{patch}")),
        vec![fixture(&format!("scenarios/{data}.csv"))],
        fixture("scenarios/population.csv"),
        "2021-01-18",
    );
    request.template = Some(template.to_string());
    request
}

/// The draft of `request`, and the audit of its copy after `edit` (which must change it).
pub fn audit_edited(
    request: &DraftRequest,
    edit: impl Fn(&str) -> String,
) -> (casewire::draft::Draft, casewire::audit::AuditReport) {
    let inputs = casewire::draft::Inputs::for_request(request).unwrap();
    let d = casewire::draft::draft(request).unwrap();
    let text = edit(&d.output);
    assert_ne!(text, d.output, "the edit applies");
    let report = casewire::audit::audit(casewire::audit::AuditInput {
        text: &text,
        facts: &d.facts.facts,
        story: &d.story,
        dataset: &inputs.dataset,
        population: &inputs.population,
        patch: &inputs.patch,
    });
    (d, report)
}

/// A copy of the south east London patch with `edits` applied and `added` appended.
pub fn patch_with(edits: &[(&str, &str)], added: &str) -> (tempfile::TempDir, DraftRequest) {
    let dir = tempfile::tempdir().unwrap();
    let mut text = std::fs::read_to_string(se_london()).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{from}");
        text = text.replace(from, to);
    }
    text.push_str(added);
    let patch = dir.path().join("patch.toml");
    std::fs::write(&patch, text).unwrap();
    let mut request = january_request();
    request.patch = patch;
    (dir, request)
}

/// Fails unless one of `report`'s failures says `message`.
pub fn refused(report: &casewire::audit::AuditReport, message: &str) {
    assert!(
        report
            .failures
            .iter()
            .any(|f| f.to_string().contains(message)),
        "not refused for {message:?}: {:#?}",
        report.failures
    );
}

/// Each of `true_claims`, added as a line at the end of `request`'s draft, passes its audit;
/// each of `false_claims` is refused, saying why.
pub fn added_claims_judged(
    request: &DraftRequest,
    true_claims: &[&str],
    false_claims: &[(&str, &str)],
) {
    let add = |sentence: &str| {
        let sentence = sentence.to_string();
        move |t: &str| format!("{t}\n{sentence}\n")
    };
    for claim in true_claims {
        let (_, r) = audit_edited(request, add(claim));
        assert!(r.passed(), "{claim}: {:#?}", r.failures);
    }
    for (claim, why) in false_claims {
        let (_, r) = audit_edited(request, add(claim));
        refused(&r, why);
    }
}

/// A draft request with the defaults every test shares: Markdown, the built-in templates, a
/// fixed "today" (never the wall clock), the patch's own seed.
pub fn request(
    patch: PathBuf,
    data: Vec<PathBuf>,
    population: PathBuf,
    release: &str,
) -> DraftRequest {
    DraftRequest {
        patch,
        data,
        population,
        release: date(release),
        template: None,
        templates: None,
        format: Format::Markdown,
        today: Some(date("2026-01-01")),
        no_audit: false,
        seed: None,
        archive: None,
        expect_from: None,
    }
}

/// An every-area request with the same defaults as [`request`]: no patch, the patch's (or
/// England's) universe, the built-in templates, a fixed "today", audited.
pub fn each_area_request(
    data: Vec<PathBuf>,
    population: PathBuf,
    release: &str,
) -> EachAreaRequest {
    EachAreaRequest {
        patch: None,
        data,
        population,
        release: date(release),
        universe: None,
        template: None,
        templates: None,
        seed: None,
        today: Some(date("2026-01-01")),
        no_audit: false,
        archive: None,
        expect_from: None,
    }
}

/// January 2021: data published 2021-01-18, mid-2019 population.
pub fn january_request() -> DraftRequest {
    request(
        se_london(),
        vec![shared("releases/2021-01-18/ltla-reconstructed.csv")],
        shared("population/mid-2019.csv"),
        "2021-01-18",
    )
}

/// `casewire draft` of [`january_request`]'s inputs on the command line: the south east London
/// patch, the 2021-01-18 release and the mid-2019 population; add what the test varies.
pub fn january_draft() -> Casewire {
    Casewire::new()
        .args(["draft", "--patch", arg(&se_london()), "--data"])
        .arg(shared("releases/2021-01-18/ltla-reconstructed.csv"))
        .arg("--population")
        .arg(shared("population/mid-2019.csv"))
        .args(["--release", "2021-01-18"])
}

/// August 2021: the archive's week to August 23 (published August 27), mid-2020 population.
pub fn august_request() -> DraftRequest {
    request(
        se_london(),
        vec![shared("archive/ltla_2021-07-25_2021-09-10.csv")],
        shared("population/ONS-population_2021-08-05.csv"),
        "2021-08-27",
    )
}

/// A date from `YYYY-MM-DD`.
pub fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test dates are valid")
}

/// A path as a `&str` argument.
pub fn arg(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

// ---------------------------------------------------------------------------------------------
// Publish runs in this process.

/// Publishes `config` as a scheduled run does: online, not a dry run, today's date unless
/// given.
pub fn publish(config: &Path, today: Option<chrono::NaiveDate>) -> Result<Outcome, PublishError> {
    casewire::publish::run(&PublishOptions {
        config: config.to_path_buf(),
        today,
        ..PublishOptions::default()
    })
}

/// Publishes `config` offline: only what the archive holds, nothing fetched.
pub fn publish_offline(
    config: &Path,
    today: Option<chrono::NaiveDate>,
) -> Result<Outcome, PublishError> {
    casewire::publish::run(&PublishOptions {
        config: config.to_path_buf(),
        offline: true,
        today,
        ..PublishOptions::default()
    })
}

/// Publishes `config` with the writer failing after `files` files, as a run killed part way
/// through its edition would.
pub fn publish_failing_after(config: &Path, files: usize) -> Result<Outcome, PublishError> {
    let options = PublishOptions {
        config: config.to_path_buf(),
        ..PublishOptions::default()
    };
    casewire::publish::run_with(&options, &mut FailsAfter(files)).result
}

/// A file sink that places as many files as it holds, then fails as a killed run would.
struct FailsAfter(usize);

impl casewire::fsio::FileSink for FailsAfter {
    fn place(&mut self, staged: &Path, target: &Path) -> std::io::Result<()> {
        if self.0 == 0 {
            return Err(std::io::Error::other(
                "injected fault: the run was killed here",
            ));
        }
        self.0 -= 1;
        casewire::fsio::Disk.place(staged, target)
    }
}

// ---------------------------------------------------------------------------------------------
// The binary.

/// The `casewire` binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_casewire"))
}

/// Variables of the test's own environment that would change what the binary does: its log
/// filter, its default archive and contact, and proxies that would send the test servers'
/// requests elsewhere.
const LEAKY_VARIABLES: &[&str] = &[
    "RUST_LOG",
    "CASEWIRE_ARCHIVE",
    "CASEWIRE_CONTACT",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

/// Clears `command`'s environment of what would leak into a run, and asks for plain text.
pub fn hermetic(command: &mut Command) -> &mut Command {
    for name in LEAKY_VARIABLES {
        command.env_remove(name);
    }
    command.env("NO_COLOR", "1")
}

/// A run of the real `casewire` binary, built up as `Casewire::new().args([..]).success()`:
/// from the crate root, with none of the test's configuration leaking in and no stdin unless
/// given.
pub struct Casewire {
    command: Command,
    stdin: Option<Vec<u8>>,
}

impl Default for Casewire {
    fn default() -> Self {
        Self::new()
    }
}

impl Casewire {
    /// The binary itself.
    pub fn new() -> Self {
        Self::from_command(Command::new(bin()))
    }

    /// The binary run by `program`: `program ARGS.. BINARY` then this builder's arguments, as
    /// `sh -c SCRIPT` runs its `$0`.
    pub fn under(program: &str, args: &[&str]) -> Self {
        let mut command = Command::new(program);
        command.args(args).arg(bin());
        Self::from_command(command)
    }

    fn from_command(mut command: Command) -> Self {
        hermetic(&mut command).current_dir(root());
        Self {
            command,
            stdin: None,
        }
    }

    /// One more argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    /// More arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    /// Runs in `dir` instead of the crate root.
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// Sets an environment variable for the run.
    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.command.env(name, value);
        self
    }

    /// Gives the run `text` on stdin.
    pub fn stdin(mut self, text: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(text.into());
        self
    }

    /// Runs to the end, whatever the exit code.
    pub fn run(mut self) -> Run {
        use std::io::Write as _;
        let stdin = if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        };
        let mut child = self
            .command
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the casewire binary runs");
        if let Some(text) = self.stdin.take() {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            // Written from a thread so that a large input cannot fill the pipe while the
            // child waits for us to read its output.
            std::thread::spawn(move || pipe.write_all(&text));
        }
        let out = child.wait_with_output().expect("the casewire binary ends");
        let stamped = String::from_utf8_lossy(&out.stderr).into_owned();
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: unstamped(&stamped),
            stderr_stamped: stamped,
        }
    }

    /// Runs to the end and asserts it exited 0.
    #[track_caller]
    pub fn success(self) -> Run {
        self.code(0)
    }

    /// Runs to the end and asserts it exited with anything but 0.
    #[track_caller]
    pub fn failure(self) -> Run {
        let run = self.run();
        assert_ne!(run.status, 0, "should fail:\n{}{}", run.stdout, run.stderr);
        run
    }

    /// Runs to the end and asserts it exited with `code`.
    #[track_caller]
    pub fn code(self, code: i32) -> Run {
        let run = self.run();
        assert_eq!(
            run.status, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
        run
    }

    /// Starts the run and hands it back, its stdout and stderr piped, for a test that reads
    /// it as it goes or runs several at once.
    pub fn spawn(mut self) -> Child {
        self.command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the casewire binary runs")
    }
}

/// What a run of the binary gave.
pub struct Run {
    /// The exit code; -1 when a signal ended the run.
    pub status: i32,
    pub stdout: String,
    /// Standard error without the time each line starts with, so tests can compare it.
    pub stderr: String,
    /// Standard error as printed, each line stamped with the time.
    pub stderr_stamped: String,
}

/// `text` with the RFC 3339 time (`2026-12-02T02:40:40Z `) that starts each line removed.
pub fn unstamped(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let b = line.as_bytes();
            let stamped = b.len() > 21
                && b[20] == b' '
                && b[19] == b'Z'
                && b[10] == b'T'
                && b[..4].iter().all(u8::is_ascii_digit);
            if stamped { &line[21..] } else { line }
        })
        .collect()
}

impl Run {
    /// The exit code; -1 when a signal ended the run.
    pub fn status(&self) -> i32 {
        self.status
    }

    /// What it printed on stdout.
    pub fn stdout(&self) -> &str {
        &self.stdout
    }

    /// What it printed on stderr.
    pub fn stderr(&self) -> &str {
        &self.stderr
    }

    /// Asserts stdout holds `needle`.
    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert!(self.stdout.contains(needle), "{}", self.stdout);
        self
    }

    /// Asserts stderr holds `needle`.
    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr_stamped.contains(needle),
            "{}",
            self.stderr_stamped
        );
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Newsroom folders.

/// How a release's file gets into a newsroom's releases folder.
#[derive(Clone, Copy)]
pub enum Place {
    Copy,
    Link,
}

/// Puts `from` in the newsroom at `dir` as `releases/RELEASE/NAME`.
pub fn place_release(dir: &Path, release: &str, name: &str, from: &Path, how: Place) {
    let folder = dir.join("releases").join(release);
    std::fs::create_dir_all(&folder).unwrap();
    match how {
        Place::Copy => {
            std::fs::copy(from, folder.join(name)).unwrap();
        }
        Place::Link => std::os::unix::fs::symlink(from, folder.join(name)).unwrap(),
    }
}

/// A newsroom's folder: its `newsroom.toml` (output to `out` unless
/// [`NewsroomFixture::output`] says otherwise), the patches its stories name
/// and its release files, written by [`NewsroomFixture::write`].
pub struct NewsroomFixture {
    dir: PathBuf,
    contact: &'static str,
    output: PathBuf,
    source: Option<String>,
    max_age_days: u32,
    top: String,
    extra: String,
    fetch: Vec<String>,
    stories: Vec<(String, String, String)>,
    patches: Vec<(String, PathBuf)>,
}

impl NewsroomFixture {
    /// A newsroom in `dir`, its contact `test@example.com`, publishing only a fresh release
    /// (`max_age_days = 0`).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            contact: "test@example.com",
            output: PathBuf::from("out"),
            source: None,
            max_age_days: 0,
            top: String::new(),
            extra: String::new(),
            fetch: Vec::new(),
            stories: Vec::new(),
            patches: Vec::new(),
        }
    }

    /// A top-level setting (`front_matter = "jekyll"`), written before every table.
    pub fn setting(mut self, line: &str) -> Self {
        self.top.push_str(line);
        self.top.push('\n');
        self
    }

    /// Another contact address.
    pub fn contact(mut self, contact: &'static str) -> Self {
        self.contact = contact;
        self
    }

    /// Editions written to `output` (relative to the newsroom's folder, or absolute), such as
    /// a static site's content folder, instead of `out`.
    pub fn output(mut self, output: impl Into<PathBuf>) -> Self {
        self.output = output.into();
        self
    }

    /// Releases read from `releases/DAY/FILE`, with the population table `population`.
    pub fn source_files(mut self, file: &str, population: &Path) -> Self {
        self.source = Some(format!(
            "kind = \"files\"\nreleases = \"releases\"\nfile = \"{file}\"\npopulation = \"{}\"\n",
            population.display()
        ));
        self
    }

    /// Releases read from `archive.sqlite`, fetched as CSV from the legacy v2 API at
    /// `base_url` when the archive lacks them.
    pub fn source_legacy_archive(
        mut self,
        area_type: &str,
        population: &Path,
        base_url: &str,
    ) -> Self {
        self.source = Some(format!(
            "kind = \"archive\"\narchive = \"archive.sqlite\"\napi = \"legacy-v2\"\n\
             area_type = \"{area_type}\"\npopulation = \"{}\"\nfetch = true\nformat = \"csv\"\n",
            population.display()
        ));
        self.fetch
            .insert(0, format!("legacy_base_url = \"{base_url}\""));
        self
    }

    /// The schedule's oldest acceptable release, in days.
    pub fn max_age_days(mut self, days: u32) -> Self {
        self.max_age_days = days;
        self
    }

    /// One more `[fetch]` setting, as a TOML line.
    pub fn fetch_setting(mut self, line: &str) -> Self {
        self.fetch.push(line.to_string());
        self
    }

    /// TOML written after the schedule, before the fetch settings and the stories.
    pub fn extra(mut self, toml: &str) -> Self {
        self.extra.push_str(toml);
        self
    }

    /// A story drafted with the patch `patch` (a file in the newsroom's folder).
    pub fn story(self, name: &str, patch: &str) -> Self {
        self.story_with(name, patch, "")
    }

    /// A story with settings of its own (`template = "area"`), a line each.
    pub fn story_with(mut self, name: &str, patch: &str, settings: &str) -> Self {
        self.stories
            .push((name.to_string(), patch.to_string(), settings.to_string()));
        self
    }

    /// Copies the patch `from` into the newsroom's folder as `name`.
    pub fn patch_file(mut self, name: &str, from: impl Into<PathBuf>) -> Self {
        self.patches.push((name.to_string(), from.into()));
        self
    }

    /// Writes the patches and `newsroom.toml`; returns the latter's path.
    pub fn write(self) -> PathBuf {
        for (name, from) in &self.patches {
            std::fs::copy(from, self.dir.join(name)).unwrap();
        }
        let mut toml = format!(
            "contact = \"{}\"\noutput = \"{}\"\n",
            self.contact,
            self.output.display()
        );
        toml.push_str(&self.top);
        toml.push_str("[source]\n");
        toml.push_str(self.source.as_deref().expect("a newsroom has a source"));
        toml.push_str(&format!(
            "[schedule]\nmax_age_days = {}\n",
            self.max_age_days
        ));
        toml.push_str(&self.extra);
        if !self.fetch.is_empty() {
            toml.push_str("[fetch]\n");
            for line in &self.fetch {
                toml.push_str(line);
                toml.push('\n');
            }
        }
        for (name, patch, settings) in &self.stories {
            toml.push_str(&format!(
                "[[story]]\nname = \"{name}\"\npatch = \"{patch}\"\n"
            ));
            for line in settings.lines() {
                toml.push_str(line);
                toml.push('\n');
            }
        }
        let config = self.dir.join("newsroom.toml");
        std::fs::write(&config, toml).unwrap();
        config
    }
}

/// One patch story of loaded inputs, drafted as `casewire draft` drafts it: the template
/// checked, the patch's areas found, then the week prepared and the story drafted from it.
pub fn draft_from(
    inputs: &casewire::draft::Inputs,
    renderer: &casewire::render::Renderer,
    release: chrono::NaiveDate,
    template: &str,
    format: Format,
    today: Option<chrono::NaiveDate>,
    no_audit: bool,
) -> Result<casewire::draft::Draft, casewire::draft::DraftError> {
    use casewire::draft::{PatchAreas, Week};
    renderer.check_template(template)?;
    let areas = PatchAreas::resolve(inputs)?;
    Week::prepare(inputs, release, today)?.draft_patch(&areas, renderer, template, format, no_audit)
}

/// [`draft_from`] of `template` in Markdown, audited, on `request`'s release and day.
pub fn draft_markdown(
    inputs: &casewire::draft::Inputs,
    renderer: &casewire::render::Renderer,
    request: &DraftRequest,
    template: &str,
) -> Result<casewire::draft::Draft, casewire::draft::DraftError> {
    draft_from(
        inputs,
        renderer,
        request.release,
        template,
        Format::Markdown,
        request.today,
        false,
    )
}

/// Every area's story of a request, all held at once (the tests compare them): the inputs
/// loaded, the week prepared once and every story drafted from it.
pub fn draft_each_area(
    request: &EachAreaRequest,
) -> Result<casewire::draft::EachArea, casewire::draft::DraftError> {
    use casewire::draft::{EACH_AREA_TEMPLATE, EachArea, Week, each_area_inputs};
    let template = request.template.as_deref().unwrap_or(EACH_AREA_TEMPLATE);
    let renderer = casewire::render::Renderer::for_story(request.templates.as_deref(), template)?;
    renderer.check_template(template)?;
    let inputs = each_area_inputs(request)?;
    let week = Week::prepare(&inputs, request.release, request.today)?;
    let mut stories = Vec::new();
    let run = week.draft_each_area(&renderer, template, request.no_audit, |story| {
        stories.push(story);
        Ok::<(), casewire::draft::DraftError>(())
    })?;
    Ok(EachArea {
        stories,
        shared: run.shared,
        skipped: run.skipped,
        warnings: run.warnings,
        notes: run.notes,
    })
}

/// Every file under `dir` (none if it is missing), by its path relative to `dir` with `/`
/// between folders, with its bytes: what tests compare to say a run wrote nothing, or the
/// same as another.
pub fn every_file(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::collections::BTreeMap;
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).into_iter().flatten() {
            let e = e.unwrap();
            let name = format!("{prefix}{}", e.file_name().to_string_lossy());
            if e.file_type().unwrap().is_dir() {
                walk(&e.path(), &format!("{name}/"), out);
            } else {
                out.insert(name, std::fs::read(e.path()).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out);
    out
}
