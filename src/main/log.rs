//! Every line the command line writes to standard error, stamped with the time (RFC 3339, UTC)
//! so that a scheduled job's log says when each thing happened: errors, warnings and notes
//! from the library, progress lines, and the library's `tracing` events, which `-v` and
//! `RUST_LOG` let through. `-q` keeps only the errors.

use std::fmt;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, SecondsFormat, Utc};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Set once by [`init`]: only errors are printed.
static QUIET: AtomicBool = AtomicBool::new(false);

/// What a line on standard error is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The command failed; printed even with `-q`.
    Error,
    /// Something a human should look at; the command went on.
    Warning,
    /// Something worth knowing, such as an area a story leaves out.
    Note,
    /// What the command did ("wrote FILE", a fetch's summary).
    Progress,
}

/// Now (UTC), read here so that the library never reads the clock.
pub(crate) fn now() -> DateTime<Utc> {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    let secs = since.map_or(0, |d| d.as_secs());
    DateTime::from_timestamp(i64::try_from(secs).unwrap_or(0), 0).unwrap_or_default()
}

/// The time as each line starts: `2021-01-18T08:10:00Z`.
fn stamp() -> String {
    now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Prints `text` on standard error, each of its lines stamped, the first saying its kind.
/// The one way anything reaches standard error, so that every line has the same shape.
pub(crate) fn line(kind: Kind, text: impl fmt::Display) {
    if kind != Kind::Error && QUIET.load(Ordering::Relaxed) {
        return;
    }
    let prefix = match kind {
        Kind::Error => "error: ",
        Kind::Warning => "warning: ",
        Kind::Note => "note: ",
        Kind::Progress => "",
    };
    let (stamp, text) = (stamp(), text.to_string());
    let mut err = std::io::stderr().lock();
    for (i, l) in text
        .lines()
        .enumerate()
        .chain(text.is_empty().then_some((0, "")))
    {
        let prefix = if i == 0 { prefix } else { "" };
        // Standard error gone away leaves nowhere to say so.
        let _ = writeln!(err, "{}", format!("{stamp} {prefix}{l}").trim_end());
    }
}

/// Notes, then warnings, one a line.
pub(crate) fn said(notes: &[String], warnings: &[String]) {
    notes.iter().for_each(|n| line(Kind::Note, n));
    warnings.iter().for_each(|w| line(Kind::Warning, w));
}

/// Sets up the log: `-q` shows errors only; by default casewire's warnings; each `-v` more of
/// casewire's own events (info, debug, trace). Without `-q` or `-v`, `RUST_LOG`, when set, is
/// the filter instead (`RUST_LOG=casewire=debug`, or `debug` for every library's events too).
pub(crate) fn init(quiet: bool, verbose: u8) {
    QUIET.store(quiet, Ordering::Relaxed);
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "warn,casewire=info",
        (false, 2) => "warn,casewire=debug",
        (false, _) => "warn,casewire=trace",
    };
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty());
    let filter = match from_env {
        Some(spec) if !quiet && verbose == 0 => EnvFilter::try_new(&spec).unwrap_or_else(|e| {
            line(
                Kind::Warning,
                format!("RUST_LOG=\"{spec}\" is not a filter ({e})"),
            );
            EnvFilter::new(level)
        }),
        _ => EnvFilter::new(level),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .event_format(Lines)
        .init();
}

/// A `tracing` event as one of our lines: the stamp, the level as a word, the message and
/// its fields.
struct Lines;

impl<S, N> FormatEvent<S, N> for Lines
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut w: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> fmt::Result {
        let kind = match *event.metadata().level() {
            tracing::Level::ERROR => "error",
            tracing::Level::WARN => "warning",
            tracing::Level::INFO => "info",
            tracing::Level::DEBUG => "debug",
            tracing::Level::TRACE => "trace",
        };
        write!(w, "{} {kind}: ", stamp())?;
        ctx.field_format().format_fields(w.by_ref(), event)?;
        writeln!(w)
    }
}
