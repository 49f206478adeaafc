//! The newsroom's `after_publish` command (a site build, say) and its time limit, checked
//! when the newsroom file is read: a command with no program to run would fail only after
//! the editions went out, and a limit of none would let a hung build hold the run lock, and
//! so stop every later run, for ever.

use std::time::Duration;

use toml::Spanned;

use super::patch::line_at;

/// How long `after_publish` may run when the newsroom file does not say: long enough for a
/// large site build, short enough that the next scheduled run still finds the lock free.
pub const DEFAULT_TIMEOUT_SECS: u64 = 600;

/// The longest time limit the file may set: a day, past which runs would skip for days.
pub const MAX_TIMEOUT_SECS: u64 = 86_400;

/// A command run after a run that published something, and how long it may take.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AfterPublish {
    /// The program and its arguments; empty for none.
    pub command: Vec<String>,
    /// Past this the command's whole process group is killed and the run fails.
    pub timeout: Duration,
}

/// `after_publish` and `after_publish_timeout_secs` as the file gives them, checked; the
/// error names the key and its line in `text`.
pub(super) fn checked(
    text: &str,
    command: Option<Spanned<Vec<String>>>,
    timeout: Option<Spanned<u64>>,
) -> Result<AfterPublish, String> {
    let command = match command {
        None => Vec::new(),
        Some(c) => {
            let line = line_at(text, c.span().start);
            let command = c.into_inner();
            if command.first().is_some_and(|p| p.trim().is_empty()) {
                return Err(format!(
                    "line {line}: after_publish names no program to run (its first item is empty); give the command as a list, [\"hugo\", \"--source\", \"site\"], or leave the key out"
                ));
            }
            command
        }
    };
    let secs = match timeout {
        None => DEFAULT_TIMEOUT_SECS,
        Some(t) => {
            let line = line_at(text, t.span().start);
            let secs = t.into_inner();
            if !(1..=MAX_TIMEOUT_SECS).contains(&secs) {
                return Err(format!(
                    "line {line}: after_publish_timeout_secs = {secs} is out of range: from 1 to {MAX_TIMEOUT_SECS} seconds (default {DEFAULT_TIMEOUT_SECS})"
                ));
            }
            secs
        }
    };
    Ok(AfterPublish {
        command,
        timeout: Duration::from_secs(secs),
    })
}
