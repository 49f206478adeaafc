//! What a run leaves on disk when it fails or meets another run: whole files or none, the live
//! copy put back, one run at a time under a lock; and files a web server can read.

use super::{Newsroom, contents};
use crate::support::*;

/// A writer that puts the first `n` files in place and then fails, as a full disk would.
#[test]
fn a_run_failing_between_files_leaves_no_partial_file_and_the_next_run_completes() {
    let n = Newsroom::new(&["2021-01-18"], "");
    // The edition's folder goes in whole, then the state fails.
    let err = publish_failing_after(&n.config(), 1).unwrap_err();
    assert!(format!("{err:#?}").contains("injected fault"));
    // The edition already in place is taken back: no edition, no leftovers out of sight,
    // no lock, and no state claiming an edition.
    assert_eq!(n.files(), Vec::<String>::new());
    let again = n.publish();
    assert_eq!(
        again.stdout, "published 1 for release 2021-01-18\n",
        "{}",
        again.stderr
    );
    // The state file, the two feeds and the edition's six: story, view model, table, chart,
    // facts and ninjs item.
    assert_eq!(n.files().len(), 9);
}

#[test]
fn two_runs_started_together_never_both_publish() {
    let n = Newsroom::new(&["2021-01-18"], "");
    let spawn = || {
        Casewire::new()
            .args(["publish", "--config", arg(&n.config())])
            .spawn()
    };
    let (a, b) = (spawn(), spawn());
    let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let said: Vec<String> = outs
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .collect();
    assert!(outs.iter().all(|o| o.status.success()), "{said:?}");
    let published = said.iter().filter(|s| s.starts_with("published 1")).count();
    assert_eq!(published, 1, "{said:?}");
    assert!(
        said.iter()
            .any(|s| s.starts_with("skipped: another publish run") || s.starts_with("nothing new")),
        "{said:?}"
    );
    assert!(
        !n.out().join(".casewire.lock").exists(),
        "the lock is released"
    );
}

#[test]
fn a_lock_file_left_by_a_killed_run_is_simply_locked_again() {
    let n = Newsroom::new(&["2021-01-18"], "");
    std::fs::create_dir_all(n.out()).unwrap();
    // The file a killed run leaves: the kernel let go of its lock when the process died.
    std::fs::write(n.out().join(".casewire.lock"), "4000000\n").unwrap();
    let run = n.publish();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    assert!(run.stdout.starts_with("published 1"));
}

#[test]
fn a_run_is_skipped_while_another_holds_the_lock_and_runs_once_it_is_let_go() {
    let n = Newsroom::new(&["2021-01-18"], "");
    let path = n.out().join(".casewire.lock");
    let held = casewire::fsio::RunLock::try_acquire(&path)
        .unwrap()
        .expect("free");
    let skipped = n.publish();
    assert_eq!(skipped.status, 0, "{}", skipped.stderr);
    assert!(
        skipped
            .stdout
            .starts_with("skipped: another publish run holds"),
        "{}",
        skipped.stdout
    );
    assert!(!n.out().join(".casewire-state.json").exists());
    drop(held);
    assert!(n.publish().stdout.starts_with("published 1"));
}

#[test]
fn published_files_are_readable_by_a_web_server() {
    use std::os::unix::fs::PermissionsExt;
    let n = Newsroom::new(&["2021-01-18"], "");
    assert!(n.publish().stdout.starts_with("published 1"));
    for name in n.files() {
        let mode = std::fs::metadata(n.out().join(&name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "{name}");
    }
}

#[test]
fn a_run_failing_after_replacing_live_copy_puts_the_live_copy_back() {
    // The 19th's run puts its edition in place, then the 18th's correction note, then the
    // 18th's page rewritten to link the note (live copy replaced), and fails at the state.
    let n = Newsroom::new(
        &["2021-01-18"],
        "[corrections]\nrate_change = 0.1\ncases_share = 0.001\n",
    );
    assert!(n.publish().stdout.starts_with("published 1"));
    n.add_release("2021-01-19");
    let before = contents(&n.out());
    let err = publish_failing_after(&n.config(), 3).unwrap_err();
    assert!(format!("{err:#?}").contains("injected fault"), "{err:#?}");
    let after = contents(&n.out());
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert!(
        after == before,
        "the 18th's page, its files and the state are byte for byte as they were"
    );
    // And the next run does it all.
    let run = n.publish();
    assert!(run.stdout.contains("and 1 correction(s)"), "{}", run.stdout);
    let page =
        std::fs::read_to_string(n.out().join("se-london-weekly-2021-01-18/index.md")).unwrap();
    assert!(page.contains("read the correction"), "{page}");
}
