//! Telling a person how a fetch is going: a bar on a terminal, log lines (through `tracing`,
//! so `RUST_LOG` governs them) in a scheduled job's log, nothing in tests.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use std::fmt;
use std::time::Duration;

/// Receives a fetch's progress. Called from several tasks at once.
pub trait Progress: Send + Sync {
    /// The fetch knows how many request chains (areas, pages of a v1 query...) it will run.
    fn begin(&self, total: u64, what: &str);
    /// One chain is done; `item` names it (an area, a URL).
    fn advance(&self, item: &str);
    /// The fetch ended well.
    fn finish(&self, summary: &FetchSummary);
}

/// Reports nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn begin(&self, _: u64, _: &str) {}
    fn advance(&self, _: &str) {}
    fn finish(&self, _: &FetchSummary) {}
}

/// Plain log lines through `tracing`: one per chain at debug level, a line every tenth of the
/// way at info, and the summary.
#[derive(Debug, Default)]
struct LogLines {
    total: AtomicU64,
    done: AtomicU64,
}

impl Progress for LogLines {
    fn begin(&self, total: u64, what: &str) {
        self.total.store(total, Ordering::Relaxed);
        tracing::info!("fetching {total} {what}");
    }

    fn advance(&self, item: &str) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.total.load(Ordering::Relaxed).max(1);
        tracing::debug!("done {done}/{total}: {item}");
        let step = (total / 10).max(1);
        if done.is_multiple_of(step) || done == total {
            tracing::info!("{done}/{total} done");
        }
    }

    fn finish(&self, summary: &FetchSummary) {
        tracing::info!("{summary}");
    }
}

/// An indicatif bar, for a person watching a terminal.
#[derive(Debug)]
struct Bar(indicatif::ProgressBar);

impl Default for Bar {
    fn default() -> Self {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} {prefix} [{bar:30}] {pos}/{len} {wide_msg} ({elapsed}, {eta} left)",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Self(bar)
    }
}

impl Progress for Bar {
    fn begin(&self, total: u64, what: &str) {
        self.0.set_length(total);
        self.0.set_prefix(what.to_string());
    }

    fn advance(&self, item: &str) {
        self.0.set_message(item.to_string());
        self.0.inc(1);
    }

    fn finish(&self, summary: &FetchSummary) {
        self.0.finish_and_clear();
        eprintln!("{summary}");
    }
}

/// A bar when standard error is a terminal, log lines when it is not (a cron job, CI).
pub(crate) fn for_stderr() -> Arc<dyn Progress> {
    if std::io::stderr().is_terminal() {
        Arc::new(Bar::default())
    } else {
        Arc::new(LogLines::default())
    }
}

/// What a fetch did, for the line printed at the end.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FetchSummary {
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Retries among them.
    pub retries: u64,
    /// Values received (one area, date and metric each).
    pub rows: u64,
    /// Body bytes received.
    pub bytes: u64,
    /// Areas in the dataset.
    pub areas: usize,
    /// Time from start to end.
    pub elapsed: Duration,
    /// The waits the retries were scheduled for.
    pub retry_wait: Duration,
    /// Observations written to the archive, if it was written.
    pub stored: Option<u64>,
}

impl fmt::Display for FetchSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} requests ({} retries), {} rows for {} areas, {:.1} kB in {:.1} s",
            self.requests,
            self.retries,
            self.rows,
            self.areas,
            self.bytes as f64 / 1000.0,
            self.elapsed.as_secs_f64()
        )?;
        if let Some(stored) = self.stored {
            write!(f, "; {stored} observations archived")?;
        }
        Ok(())
    }
}
