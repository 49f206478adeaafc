//! `review` and `serve`: the review queue from a terminal, and the desk in a browser.

use crate::args::{DeskArgs, OutputFormat, ReviewAction};
use crate::log::{self, Kind::Progress};
use casewire::review::{Desk, Editor};

/// Who the log names: `--by`, else the login name.
fn editor(args: &DeskArgs) -> Editor {
    let name = args
        .by
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "unknown".into());
    Editor {
        name,
        at: log::now(),
    }
}

/// One `review` command.
pub(crate) fn review(action: ReviewAction) -> anyhow::Result<()> {
    match action {
        ReviewAction::List { desk, format } => {
            let waiting = Desk::open(&desk.config)?.list()?;
            if format == OutputFormat::Json {
                let rows: Vec<serde_json::Value> = waiting
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "id": e.id, "story": e.story, "release": e.release,
                            "headline": e.headline(), "warnings": e.warnings,
                            "corrections": e.corrections, "files": e.files,
                        })
                    })
                    .collect();
                crate::print_out(&format!("{}\n", serde_json::to_string_pretty(&rows)?));
            } else {
                for e in &waiting {
                    let warned = e.warnings.len();
                    crate::print_out(&format!(
                        "{}\t{}\t{}\t{}\t{warned} warning(s)\n",
                        e.id,
                        e.story,
                        e.release,
                        e.headline()
                    ));
                }
            }
            log::line(Progress, format!("{} edition(s) waiting", waiting.len()));
        }
        ReviewAction::Show { id, desk } => {
            let desk = Desk::open(&desk.config)?;
            let entry = desk.get(&id)?;
            let mut out = format!(
                "id: {}\nstory: {}\nrelease: {}\nheadline: {}\n",
                entry.id,
                entry.story,
                entry.release,
                entry.headline()
            );
            if let Some(d) = &entry.drafted {
                let chosen = if d.original() == &d.choice {
                    String::new()
                } else {
                    format!(" (chosen at the desk; drafted with {})", d.original())
                };
                out.push_str(&format!("version: {}{chosen}\n", d.choice));
            }
            entry
                .warnings
                .iter()
                .for_each(|w| out.push_str(&format!("warning: {w}\n")));
            entry
                .files
                .iter()
                .for_each(|f| out.push_str(&format!("file: {f}\n")));
            if let Some(copy) = desk.copy(&entry)? {
                let state = if copy.edited.is_some() {
                    "edited at the desk"
                } else {
                    "as drafted"
                };
                out.push_str(&format!("copy ({state}):\n\n{}", copy.body()));
            }
            crate::print_out(&out);
        }
        ReviewAction::Approve { id, desk: args } => {
            let desk = Desk::open(&args.config)?;
            let outcome = desk.approve(
                &id,
                &editor(&args),
                Some(crate::today()),
                &mut casewire::fsio::Disk,
            )?;
            crate::print_out(&format!("approved {id}: {outcome}\n"));
        }
        ReviewAction::Reject {
            id,
            reason,
            desk: args,
        } => {
            Desk::open(&args.config)?.reject(&id, &reason, &editor(&args))?;
            crate::print_out(&format!("rejected {id}\n"));
        }
    }
    Ok(())
}

/// `serve`: the desk until the process is stopped.
pub(crate) fn serve(config: std::path::PathBuf, bind: std::net::SocketAddr) -> anyhow::Result<()> {
    let options = casewire::serve::ServeOptions {
        config,
        bind,
        password_hash: std::env::var(casewire::serve::PASSWORD_ENV).ok(),
        now: log::now,
    };
    casewire::serve::serve(&options, |addr| {
        log::line(Progress, format!("the desk is at http://{addr}/"));
    })?;
    Ok(())
}
