//! Telling the desk what a run did, once the outcome is known: editions published, an
//! edition a gate held back, a run that failed. An alert that cannot be delivered is a
//! warning: it never turns a good run into a failure, nor a failure into another.

use crate::config::Newsroom;
use crate::deliver::alerts::{Alert, AlertSettings, send_alert};

use super::PublishError;

/// Sends `alert` to the newsroom's webhook, if it has one; a failure is a warning.
pub(super) fn send(newsroom: &Newsroom, alert: &Alert, warnings: &mut Vec<String>) {
    let Some(alerts) = &newsroom.alerts else {
        return;
    };
    let settings = AlertSettings::new(alerts, &newsroom.contact);
    if let Err(e) = send_alert(&settings, alert) {
        warnings.push(format!("the {:?} alert was not delivered: {e}", alert.event).to_lowercase());
    }
}

/// The alert for a run that failed with `e`: `held` when a gate held an edition back (its
/// first finding's gate and area), `failed` with the error chain otherwise. Nothing when the
/// newsroom file itself cannot be read (it names no webhook) or in a dry run: the caller
/// passes the file as [`super::hook_newsroom`] reads it.
pub(super) fn after_failure(newsroom: &Newsroom, e: &PublishError, warnings: &mut Vec<String>) {
    if newsroom.alerts.is_none() {
        return;
    }
    let alert = match super::held::gate_lines(e) {
        Some((story, release, lines)) => {
            let first = lines.first().map(String::as_str).unwrap_or("");
            let (gate, area, message) = super::held::finding_parts(first);
            let more = match lines.len() {
                0 | 1 => String::new(),
                n => format!(" and {} more finding(s)", n - 1),
            };
            Alert::held(
                story,
                &release.to_string(),
                &gate,
                area.as_deref(),
                &format!("{}{more}", message.trim().trim_end_matches('.')),
            )
        }
        None => {
            let (story, release) = match e {
                PublishError::Draft { story, release, .. } => {
                    (Some(story.as_str()), Some(release.to_string()))
                }
                PublishError::AfterPublish { release, .. } => (None, Some(release.to_string())),
                PublishError::Stale { release, .. } => (None, Some(release.to_string())),
                _ => (None, None),
            };
            Alert::failed(story, release.as_deref(), e)
        }
    };
    send(newsroom, &alert, warnings);
}
