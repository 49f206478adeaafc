//! `withdraw`: takes a published edition back off the site, or lists the editions it can.

use std::path::PathBuf;

use crate::args::OutputFormat;
use crate::log::{self, Kind::Progress};
use casewire::publish::withdraw::{self, WithdrawOptions};

/// What `withdraw` takes.
#[derive(clap::Args, Debug)]
pub(crate) struct WithdrawArgs {
    /// The edition, named as `withdraw --list` prints it: STORY-RELEASE (the page bundle's
    /// folder, the feeds' and WordPress's slug), such as se-london-weekly-2021-01-18.
    #[arg(value_name = "EDITION", required_unless_present = "list")]
    edition: Option<String>,
    /// The newsroom file.
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Why it is withdrawn: kept in the state, said in the canceled item and the alert.
    #[arg(long, value_name = "TEXT", required_unless_present = "list")]
    reason: Option<String>,
    /// Who withdraws it (default: $USER).
    #[arg(long, value_name = "NAME", env = "CASEWIRE_EDITOR")]
    by: Option<String>,
    /// List the published editions instead (withdrawn ones marked); write nothing.
    #[arg(long, conflicts_with_all = ["edition", "reason"])]
    list: bool,
    /// With --list: text, a line each; json, an array.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, requires = "list")]
    format: OutputFormat,
}

/// One `withdraw` command.
pub(crate) fn run(args: WithdrawArgs) -> anyhow::Result<()> {
    if args.list {
        let editions = withdraw::list(&args.config)?;
        if args.format == OutputFormat::Json {
            crate::print_out(&format!("{}\n", serde_json::to_string_pretty(&editions)?));
            return Ok(());
        }
        for e in &editions {
            let status = match &e.withdrawn {
                Some(w) => format!("withdrawn {} by {}", w.at.format("%Y-%m-%d %H:%M"), w.by),
                None => "live".into(),
            };
            let title = e.title.as_deref().unwrap_or("");
            crate::print_out(&format!(
                "{}\t{}\t{}\t{status}\t{title}\n",
                e.edition, e.story, e.release
            ));
        }
        log::line(Progress, format!("{} edition(s) published", editions.len()));
        return Ok(());
    }
    let by = args
        .by
        .or_else(|| std::env::var("USER").ok())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "unknown".into());
    let options = WithdrawOptions {
        config: args.config,
        edition: args.edition.expect("clap requires EDITION"),
        reason: args.reason.expect("clap requires --reason"),
        by,
        now: log::now(),
    };
    let done = withdraw::withdraw(&options, &mut casewire::fsio::Disk)?;
    log::said(&[], &done.warnings);
    crate::print_out(&format!("{done}\n"));
    Ok(())
}
