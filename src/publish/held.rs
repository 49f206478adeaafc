//! What a run does when a gate holds an edition back: the edition is not written, but a
//! `withheld` ninjs item goes where its item would, so a CMS that watches the bundle learns
//! the story is coming and must not run, and the state remembers it so the edition's first
//! usable item is its next version.

use crate::draft::DraftError;
use crate::fsio::{FileSink, RunLock, Staging};

use super::edition::Layout;
use super::items::{self, ItemSite};
use super::state::{STATE_FILE, State};
use super::{Newsroom, PublishError, PublishOptions};

/// The gate findings of a run held back, one a line (`error: GATE: AREA: what`).
pub(crate) fn gate_lines(e: &PublishError) -> Option<(&str, chrono::NaiveDate, Vec<String>)> {
    let PublishError::Draft {
        story,
        release,
        source,
    } = e
    else {
        return None;
    };
    let mut err: &DraftError = source;
    loop {
        match err {
            DraftError::Gates { report, .. } => {
                let lines = report
                    .lines()
                    .map(|l| l.trim().to_string())
                    .filter(|l| !l.is_empty())
                    .collect();
                return Some((story, *release, lines));
            }
            DraftError::AreaStory { source, .. } => err = source,
            _ => return None,
        }
    }
}

/// One finding's gate, area and message, from its line.
pub(crate) fn finding_parts(line: &str) -> (String, Option<String>, String) {
    let rest = line.strip_prefix("error: ").unwrap_or(line);
    let (gate, rest) = rest.split_once(": ").unwrap_or((rest, ""));
    // An area is `Name (CODE)` or a bare code before the message.
    let area = rest.split_once(": ").filter(|(a, _)| {
        let code = a
            .rsplit_once(" (")
            .map_or(*a, |(_, c)| c.trim_end_matches(')'));
        code.len() == 9
            && code.as_bytes()[0].is_ascii_uppercase()
            && code.as_bytes()[1..].iter().all(u8::is_ascii_digit)
    });
    match area {
        Some((a, message)) => (gate.to_string(), Some(a.to_string()), message.to_string()),
        None => (gate.to_string(), None, rest.to_string()),
    }
}

/// Writes the withheld item of the edition `e` held back, and the state recording it; a
/// problem doing so is a warning, as the run has already failed for a reason of its own.
pub(super) fn hold_back(
    options: &PublishOptions,
    newsroom: &Newsroom,
    e: &PublishError,
    sink: &mut dyn FileSink,
    warnings: &mut Vec<String>,
) {
    let Some((story, release, lines)) = gate_lines(e) else {
        return;
    };
    // Only a newsroom that delivers to a ninjs-reading CMS (`[ninjs]`) hears of a held
    // edition this way; for the rest a held run writes nothing at all.
    if newsroom.ninjs.is_none() {
        return;
    }
    if let Err(why) = write_withheld(options, newsroom, story, release, &lines, sink) {
        warnings.push(format!(
            "the withheld ninjs item for {story} ({release}) was not written: {why}"
        ));
    }
}

fn write_withheld(
    options: &PublishOptions,
    newsroom: &Newsroom,
    story: &str,
    release: chrono::NaiveDate,
    lines: &[String],
    sink: &mut dyn FileSink,
) -> Result<(), String> {
    let out = &newsroom.output;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let lock_path = out.join(".casewire.lock");
    let _lock = match RunLock::try_acquire(&lock_path) {
        Ok(Some(lock)) => lock,
        Ok(None) => return Err("another publish run holds the lock".into()),
        Err(e) => return Err(format!("{}: {e}", lock_path.display())),
    };
    let state_path = out.join(STATE_FILE);
    let mut state = State::load(&state_path).map_err(|e| e.to_string())?;
    if state
        .stories
        .get(story)
        .is_some_and(|eds| eds.iter().any(|ed| ed.release == release))
    {
        return Ok(());
    }
    let layout = Layout::for_output(newsroom.front_matter, out);
    let site = ItemSite::of(newsroom);
    let why = lines
        .iter()
        .map(|l| l.strip_prefix("error: ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("; ");
    let now = items::run_time(options, release);
    let (planned, held) = items::withheld(
        &site,
        &layout,
        story,
        release,
        &why,
        state.held.get(story),
        now,
    )
    .map_err(|e| e.to_string())?;
    state.held.insert(story.to_string(), held);
    let io = |e: std::io::Error| e.to_string();
    let mut staging = Staging::begin(out).map_err(io)?;
    staging
        .file(std::path::Path::new(&planned.path), &planned.bytes)
        .map_err(io)?;
    staging
        .file(std::path::Path::new(STATE_FILE), &state.to_bytes())
        .map_err(io)?;
    staging
        .commit_to(sink)
        .map_err(|e| format!("{}: {}", e.path.display(), e.source))?;
    Ok(())
}
