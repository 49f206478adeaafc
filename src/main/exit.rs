//! The exit codes, documented once: in `casewire --help` (from [`TABLE`]) and the README.

use casewire::draft::{DraftError, WriteEachAreaError};
use casewire::publish::PublishError;

/// Done: a story drafted, editions published, nothing new to publish, a run skipped because
/// another holds the lock, copy that lints clean.
pub(crate) const OK: u8 = 0;
/// Failed: an input missing, unreadable or not usable, a write that failed, copy that failed
/// its own checks; `lint`: the copy breaks house style.
pub(crate) const FAILED: u8 = 1;
/// The command line is malformed (clap's own code).
pub(crate) const USAGE: u8 = 2;
/// Held back by a gate: the data failed an input check a human must look at first; nothing was
/// written.
pub(crate) const HELD_BACK: u8 = 3;

/// The table `casewire --help` ends with.
pub(crate) const TABLE: &str = "\
Exit codes:
  0  done: drafted, published, nothing new since the last release, or skipped because another
     publish run holds the lock; withdrawn; lint: the copy is clean
  1  failed: an input missing, unreadable or unusable, a write that failed, copy that fails the
     audit; withdraw: no such edition, withdrawn already, or a publish run holds the lock;
     lint: the copy breaks house style
  2  the command line is malformed (an unknown flag, a bad date) or asks for what cannot be
     drafted (--template area with a patch of several areas but no --out-dir, or --out-dir
     without --each-area and a template other than area); lint: the file cannot be read
  3  held back by a gate: the data failed an input check (draft, publish); nothing was
     published (with [ninjs], a withheld item tells the CMS to wait). Once a human has checked
     the figures, the gate can be made a warning in the patch file.";

/// The exit code for a command that failed with `e`.
pub(crate) fn for_error(e: &anyhow::Error) -> u8 {
    // A folder run (`--each-area`, `--template area --out-dir`) held back by a gate exits as
    // the single story does: the desk, not the operator, has figures to check.
    let held_back = e.chain().any(|cause| {
        let publish = cause.downcast_ref::<PublishError>();
        draft_error(cause).is_some_and(DraftError::is_held_back_by_gates)
            || publish.is_some_and(|e| for_publish(e) == HELD_BACK)
    });
    let usage = e
        .chain()
        .any(|cause| draft_error(cause).is_some_and(DraftError::is_usage));
    if held_back {
        HELD_BACK
    } else if usage {
        USAGE
    } else {
        FAILED
    }
}

/// A draft's error, on its own or as a folder of stories carries it (which names no cause of
/// its own for it).
fn draft_error<'e>(cause: &'e (dyn std::error::Error + 'static)) -> Option<&'e DraftError> {
    cause.downcast_ref::<DraftError>().or_else(|| {
        match cause.downcast_ref::<WriteEachAreaError>() {
            Some(WriteEachAreaError::Draft(e)) => Some(e),
            _ => None,
        }
    })
}

/// The exit code for a publish run that failed with `e`.
pub(crate) fn for_publish(e: &PublishError) -> u8 {
    match e {
        PublishError::Draft { source, .. } if source.is_held_back_by_gates() => HELD_BACK,
        _ => FAILED,
    }
}
