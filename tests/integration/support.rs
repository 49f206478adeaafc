//! A small harness: paths to the real data and fixtures, and a runner for the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use casewire::draft::{DraftRequest, Format};

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

/// What a run of the binary gave.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the real `casewire` binary in `dir` with no inherited configuration.
pub fn casewire_in(dir: &Path, args: &[&str]) -> Run {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_casewire"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .output()
        .expect("the casewire binary runs");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `casewire` from the crate root.
pub fn casewire(args: &[&str]) -> Run {
    casewire_in(&root(), args)
}

/// A path as a `&str` argument.
pub fn arg(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}
