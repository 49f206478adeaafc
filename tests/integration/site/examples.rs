//! The example setup (docs/setup.md) works as written: the example newsroom publishes from
//! outside the repository, the systemd units verify, and the crontab, the units and
//! `publish --help` agree.

use std::process::{Command, Stdio};

use super::write;
use crate::support::*;

/// `examples/newsroom.toml`, copied with its patch into a folder laid out as docs/setup.md
/// lays out /srv/casewire, publishes (as a dry run) from anywhere: its paths are relative to the
/// file, not to the folder casewire runs in.
#[test]
fn the_example_newsroom_works_outside_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let srv = dir.path();
    std::fs::copy(
        root().join("examples/newsroom.toml"),
        srv.join("newsroom.toml"),
    )
    .unwrap();
    std::fs::copy(se_london(), srv.join("se-london.toml")).unwrap();
    std::os::unix::fs::symlink(shared("releases"), srv.join("releases")).unwrap();
    std::os::unix::fs::symlink(shared("population"), srv.join("population")).unwrap();
    let run = Casewire::new()
        .current_dir("/")
        .args(["publish", "--dry-run", "--config"])
        .arg(srv.join("newsroom.toml"))
        .success();
    run.stdout_has("would write se-london-weekly-2021-01-29/index.md")
        .stdout_has("would publish 3 for release 2021-01-29");
    assert!(!srv.join("site").exists(), "a dry run writes nothing");
}

/// The systemd units pass `systemd-analyze verify` where it exists, with the binary where the
/// service expects it (here, the one under test stands in for /usr/local/bin/casewire).
#[test]
fn the_example_units_pass_systemd_analyze_verify() {
    let installed = Command::new("systemd-analyze")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !installed {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: systemd-analyze is not installed; the example units are not verified"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let service = std::fs::read_to_string(root().join("examples/casewire-publish.service"))
        .unwrap()
        .replace("/usr/local/bin/casewire", arg(&bin()));
    write(&dir.path().join("casewire-publish.service"), &service);
    std::fs::copy(
        root().join("examples/casewire-publish.timer"),
        dir.path().join("casewire-publish.timer"),
    )
    .unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(dir.path().join("casewire-publish.service"))
        .arg(dir.path().join("casewire-publish.timer"))
        .output()
        .unwrap();
    // verify exits 0 on a setting it ignores; it says so on stderr.
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The crontab and the service run the same binary on the same newsroom file, at the same
/// hours (Thursdays, ten past eight to ten past twelve).
#[test]
fn the_example_crontab_and_units_agree() {
    let read = |name: &str| std::fs::read_to_string(root().join("examples").join(name)).unwrap();
    let crontab = read("casewire.crontab");
    let line = crontab
        .lines()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty())
        .expect("a crontab line");
    assert!(line.starts_with("10 8-12 * * 4 cd /srv/casewire && /usr/local/bin/casewire publish --config newsroom.toml "), "{line}");
    let service = read("casewire-publish.service");
    assert!(service.contains("\nWorkingDirectory=/srv/casewire\n"));
    assert!(service.contains(
        "\nExecStart=/usr/local/bin/casewire publish --config /srv/casewire/newsroom.toml\n"
    ));
    assert!(read("casewire-publish.timer").contains("\nOnCalendar=Thu *-*-* 08..12:10:00\n"));
}

/// `publish --help` shows the example's own line, so that a sysadmin copies the schedule the
/// example and the units keep.
#[test]
fn publish_help_shows_the_example_crontab_line() {
    let crontab = std::fs::read_to_string(root().join("examples/casewire.crontab")).unwrap();
    let line = crontab
        .lines()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty())
        .expect("a crontab line");
    Casewire::new()
        .args(["publish", "--help"])
        .success()
        .stdout_has(line);
}
