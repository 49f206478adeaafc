//! `--format json`: what `lint` and `publish` print for a script to read, one JSON document on
//! standard output (the log lines stay on standard error).

use std::path::Path;

use casewire::lint::LintFinding;
use casewire::publish::{Outcome, PublishReport};

/// One lint finding, with the file it is in and how serious it is.
#[derive(serde::Serialize)]
struct Finding<'a> {
    file: &'a Path,
    /// Every house-style finding holds the copy back: always "error".
    severity: &'static str,
    #[serde(flatten)]
    finding: &'a LintFinding,
}

/// `lint --format json`: an array of findings, each with file, line, column, rule, severity,
/// message, snippet and sentence.
pub(crate) fn lint(file: &Path, findings: &[LintFinding]) -> String {
    let findings: Vec<Finding<'_>> = findings
        .iter()
        .map(|finding| Finding {
            file,
            severity: "error",
            finding,
        })
        .collect();
    pretty(&findings)
}

/// A publish run as a script reads it.
#[derive(serde::Serialize)]
struct Publish<'a> {
    /// What the run did (null when it failed): the files a dry run would write among it.
    outcome: Option<&'a Outcome>,
    /// The line the text format prints: the outcome, or the error.
    summary: String,
    /// Why the run failed, its causes after a colon each; null when it did not.
    error: Option<String>,
    /// The exit code the run ends with.
    exit_code: u8,
    notes: &'a [String],
    warnings: &'a [String],
}

/// `publish --format json` (and with `--dry-run`).
pub(crate) fn publish(run: &PublishReport) -> String {
    let (summary, error, exit_code) = match &run.result {
        Ok(outcome) => (outcome.to_string(), None, crate::exit::OK),
        Err(e) => {
            let mut chain = e.to_string();
            let mut cause = std::error::Error::source(e);
            while let Some(c) = cause {
                chain.push_str(&format!(": {c}"));
                cause = c.source();
            }
            (e.to_string(), Some(chain), crate::exit::for_publish(e))
        }
    };
    pretty(&Publish {
        outcome: run.result.as_ref().ok(),
        summary,
        error,
        exit_code,
        notes: &run.notes,
        warnings: &run.warnings,
    })
}

fn pretty(value: &impl serde::Serialize) -> String {
    // Our own types of strings, numbers and dates always serialise.
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}
