//! The command-line runs' output folders: removed so that no timed run pays for another's
//! clean-up.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// How long ext4 without a journal (this machine's root) passes over a freed inode when it
/// allocates one: `recently_deleted` in fs/ext4/ialloc.c skips inodes deleted in the last 60
/// seconds, or 360 while their inode table block is unwritten, and creating a file in a block
/// that holds one makes it unwritten again. Creating thousands of files just after thousands
/// were deleted then costs seconds of kernel time, which measures the clean-up, not the run.
const FREED_INODES_SKIPPED: Duration = Duration::from_secs(365);

/// The file beside the outputs that says when the bench last removed some.
fn removal_mark(roots: &[PathBuf]) -> Option<PathBuf> {
    Some(roots.first()?.parent()?.join(".outputs-removed"))
}

/// Removes the runs' output folders, noting when if there were any.
pub fn remove_outputs(roots: &[PathBuf]) {
    let removed = roots
        .iter()
        .filter(|r| std::fs::remove_dir_all(r).is_ok())
        .count();
    if let (true, Some(mark)) = (removed > 0, removal_mark(roots)) {
        let _ = std::fs::write(&mark, "");
    }
}

/// Waits until what the bench last removed no longer slows the files it creates (see
/// [`FREED_INODES_SKIPPED`]); files removed by anything else in the last six minutes still
/// would. `CASEWIRE_BENCH_NO_WAIT=1` skips the wait.
pub fn settle(roots: &[PathBuf]) {
    let _ = Command::new("sync").status();
    let since = removal_mark(roots)
        .and_then(|m| std::fs::metadata(m).ok())
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.elapsed().ok());
    let Some(since) = since else { return };
    if since >= FREED_INODES_SKIPPED || std::env::var_os("CASEWIRE_BENCH_NO_WAIT").is_some() {
        return;
    }
    let wait = FREED_INODES_SKIPPED - since;
    eprintln!(
        "waiting {} s: the last bench removed its outputs {} s ago, and ext4 would charge the clean-up to these runs",
        wait.as_secs(),
        since.as_secs()
    );
    std::thread::sleep(wait);
}
