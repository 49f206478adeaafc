//! Output faults: a newsroom publishing from a folder of release files, with the 2021-01-18
//! edition already out, meets an output folder it cannot write when the 19th arrives
//! (read-only, under a file, failing part way, a full disk, a read-only mount); a reader
//! closes the pipe mid-output; the disk fills while a fetch is archived.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use casewire::publish::{Outcome, PublishError};

use super::{CONTACT, chain, newsroom};
use crate::support::{every_file, shared};

struct Desk {
    dir: tempfile::TempDir,
}

impl Desk {
    /// A newsroom with the 18th's release published.
    fn with_the_18th_published() -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk { dir };
        desk.add_release("2021-01-18");
        crate::support::NewsroomFixture::new(desk.dir.path())
            .source_files("ltla-reconstructed.csv", &shared("population/mid-2019.csv"))
            .patch_file("se-london.toml", crate::support::se_london())
            .story("weekly", "se-london.toml")
            .write();
        let first = desk.publish().unwrap();
        assert_eq!(first.to_string(), "published 1 for release 2021-01-18");
        desk
    }

    fn add_release(&self, day: &str) {
        crate::support::place_release(
            self.dir.path(),
            day,
            "ltla-reconstructed.csv",
            &shared(&format!("releases/{day}/ltla-reconstructed.csv")),
            crate::support::Place::Copy,
        );
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("newsroom.toml")
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn publish(&self) -> Result<Outcome, PublishError> {
        crate::support::publish(&self.config(), None)
    }

    fn files(&self) -> BTreeMap<String, Vec<u8>> {
        every_file(&self.out())
    }
}

/// Every file under an output folder (editions are page bundles), by its path there.
/// Whether this process can write into a folder whose mode says it cannot (root can).
fn mode_bits_are_ignored() -> bool {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let ignored = std::fs::write(dir.path().join("probe"), b"x").is_ok();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    ignored
}

#[test]
fn publish_fault_read_only_output_folder_publishes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    if mode_bits_are_ignored() {
        // Running as root: a mode of 0o555 stops nothing. The next two tests cover an output
        // folder that cannot be written in ways root cannot override.
        eprintln!("skipped: this process ignores folder permissions (root); see RELIABILITY.md");
        return;
    }
    let desk = Desk::with_the_18th_published();
    let before = desk.files();
    desk.add_release("2021-01-19");
    std::fs::set_permissions(desk.out(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let err = desk.publish().unwrap_err();
    std::fs::set_permissions(desk.out(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let text = chain(&err);
    assert!(
        text.contains("cannot write") && text.contains("ermission denied"),
        "{text}"
    );
    assert_eq!(desk.files(), before);
}

#[test]
fn publish_fault_output_folder_under_a_file_publishes_nothing() {
    // An output path whose parent is a regular file cannot be created, even by root.
    let desk = Desk::with_the_18th_published();
    let text = std::fs::read_to_string(desk.config()).unwrap();
    std::fs::write(desk.dir.path().join("blocker"), b"not a folder").unwrap();
    std::fs::write(
        desk.config(),
        text.replace(r#"output = "out""#, r#"output = "blocker/out""#),
    )
    .unwrap();
    let err = desk.publish().unwrap_err();
    let text = chain(&err);
    assert!(
        text.contains("cannot write") && text.contains("blocker/out"),
        "{text}"
    );
    assert_eq!(
        std::fs::read(desk.dir.path().join("blocker")).unwrap(),
        b"not a folder"
    );
}

#[test]
fn publish_fault_write_failing_part_way_leaves_no_partial_edition() {
    // A folder where the 18th's correction note should go: the 19th's edition goes in whole,
    // then the note cannot, so the edition is taken back out.
    let desk = Desk::with_the_18th_published();
    desk.add_release("2021-01-19");
    let blocker = desk.out().join("weekly-2021-01-18-correction/index.md");
    std::fs::create_dir_all(blocker.join("inside")).unwrap();
    let before = desk.files();
    let err = desk.publish().unwrap_err();
    let text = chain(&err);
    assert!(
        text.contains("cannot write")
            && text.contains("weekly-2021-01-18-correction/index.md")
            && text.contains("not a regular file"),
        "{text}"
    );
    // No file of the 19th left behind, nothing out of sight, the state and the 18th's
    // edition untouched.
    assert_eq!(desk.files(), before);
    std::fs::remove_dir_all(&blocker).unwrap();
    let again = desk.publish().unwrap();
    assert!(
        again
            .to_string()
            .starts_with("published 1 for release 2021-01-19"),
        "{again}"
    );
}

#[test]
fn publish_fault_disk_full_publishes_nothing() {
    // A full disk, as a file-size limit makes it: writes past the limit fail (EFBIG, as
    // ENOSPC would). The limit lets the lock and the Markdown through and stops the story's
    // JSON, so the failure comes part way through the edition. Run in a child process so
    // the limit binds only it.
    let desk = Desk::with_the_18th_published();
    let before = desk.files();
    desk.add_release("2021-01-19");
    let out = crate::support::Casewire::under(
        "sh",
        &[
            "-c",
            "trap '' XFSZ; ulimit -f 10 && exec \"$0\" publish --config \"$1\"",
        ],
    )
    .arg(desk.config())
    .code(1);
    let stderr = out.stderr();
    assert!(
        stderr.contains("cannot write") && stderr.contains("too large"),
        "{stderr}"
    );
    assert_eq!(desk.files(), before);
    let leftovers: Vec<String> = std::fs::read_dir(desk.out())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp") || n.contains("2021-01-19"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Runs `script` with `sh` in a mount namespace of its own, when this process may make one
/// (root with CAP_SYS_ADMIN, as in most CI containers); `None` otherwise.
fn in_mount_namespace(script: &str, args: &[&Path]) -> Option<std::process::Output> {
    let probe = std::process::Command::new("unshare")
        .args(["-m", "sh", "-c", "mount -t tmpfs -o size=4k tmpfs /mnt"])
        .output()
        .ok()?;
    if !probe.status.success() {
        return None;
    }
    let mut command = std::process::Command::new("unshare");
    command.args(["-m", "sh", "-c", script, "sh"]);
    command.args(args);
    Some(crate::support::hermetic(&mut command).output().unwrap())
}

#[test]
fn publish_fault_disk_full_enospc_publishes_nothing() {
    // A real full disk: the output folder on a 48 KB tmpfs holding the 18th's edition, with
    // room for the 19th's Markdown and not its JSON. Checked from inside the namespace.
    let desk = Desk::with_the_18th_published();
    let before = desk.files();
    desk.add_release("2021-01-19");
    let small = desk.dir.path().join("small");
    std::fs::create_dir(&small).unwrap();
    // Room for the 18th's files, page by page, and 16 KB more: less than the 19th needs.
    let pages: usize = before.values().map(|b| b.len().div_ceil(4096)).sum();
    let size = format!("{}k", pages * 4 + 16);
    let script = r#"set -e
mount -t tmpfs -o size="$5" tmpfs "$2"
cp -a "$1"/. "$2"/
mount --bind "$2" "$1"
set +e
"$3" publish --config "$4"
echo "exit=$?"
cd "$1" && find . -type f | sed 's|^\./||' | while read -r f; do echo "file $f $(cksum < "$f")"; done
find . -mindepth 1 | sed 's|^\./||'
"#;
    let bin = crate::support::bin();
    let size = PathBuf::from(size);
    let Some(out) = in_mount_namespace(script, &[&desk.out(), &small, &bin, &desk.config(), &size])
    else {
        eprintln!("skipped: cannot make a mount namespace here; see RELIABILITY.md");
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("exit=1"), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("cannot write") && stderr.contains("No space left on device"),
        "{stderr}"
    );
    // Inside the full folder: exactly the 18th's files, unchanged, nothing else.
    let mut expected: Vec<String> = Vec::new();
    for (name, bytes) in &before {
        let sum = std::process::Command::new("cksum")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write as _;
                child.stdin.take().unwrap().write_all(bytes)?;
                child.wait_with_output()
            })
            .unwrap();
        expected.push(format!(
            "file {name} {}",
            String::from_utf8_lossy(&sum.stdout).trim()
        ));
    }
    for line in &expected {
        assert!(
            stdout.contains(line.as_str()),
            "{line} missing from {stdout}"
        );
    }
    let listed: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("exit="))
        .filter(|l| !l.starts_with("exit=") && !l.starts_with("file "))
        .collect();
    // Folders are listed too: only those of the 18th's bundles.
    let listed: Vec<&str> = listed
        .into_iter()
        .filter(|l| !before.keys().any(|k| k.starts_with(&format!("{l}/"))))
        .collect();
    let mut names: Vec<&str> = before.keys().map(String::as_str).collect();
    names.sort();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort();
    assert_eq!(listed_sorted, names, "{stdout}");
    // Outside the namespace the folder was never touched.
    assert_eq!(desk.files(), before);
}

#[test]
fn publish_fault_read_only_mount_publishes_nothing() {
    // A read-only file system stops root too.
    let desk = Desk::with_the_18th_published();
    let before = desk.files();
    desk.add_release("2021-01-19");
    let script = r#"set -e
mount --bind "$1" "$1"
mount -o remount,bind,ro "$1"
set +e
"$2" publish --config "$3"
echo "exit=$?"
"#;
    let bin = crate::support::bin();
    let Some(out) = in_mount_namespace(script, &[&desk.out(), &bin, &desk.config()]) else {
        eprintln!("skipped: cannot make a mount namespace here; see RELIABILITY.md");
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("exit=1"), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("cannot write") && stderr.contains("Read-only file system"),
        "{stderr}"
    );
    assert_eq!(desk.files(), before);
}

/// `casewire lint FILE | head`: the reader goes away mid-output; the program ends quietly.
#[test]
fn fault_reader_closing_the_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.md");
    // Thousands of findings: far more than a pipe buffer holds.
    std::fs::write(&file, "{{ x }} ".repeat(20_000)).unwrap();
    let mut child = crate::support::Casewire::new()
        .args(["lint", crate::support::arg(&file)])
        .spawn();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("leftover-template"), "{first}");
    // The reader is dropped here, closing the pipe.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

/// The disk fills while a fetch is being archived: the store fails, and the archive still
/// gives back exactly the story it gave before. Needs a mount namespace, as above.
#[test]
fn fault_disk_full_while_archiving_leaves_the_archive_whole() {
    let n = newsroom(|_, _| None);
    let dir = n.dir.path();
    let archive = dir.join("archive.sqlite");
    // The 18th's release archived, and its story drafted offline, outside the namespace.
    crate::support::Casewire::new()
        .args([
            "fetch",
            "--source",
            "legacy-v2",
            "--area-type",
            "utla",
            "--release",
            "2021-01-18",
            "--base-url",
            &n.server.base,
            "--archive",
            crate::support::arg(&archive),
            "--contact",
            CONTACT,
        ])
        .success();
    let patch = dir.join("patch.toml");
    let population = shared("population/mid-2019.csv");
    let draft_args = [
        "draft",
        "--source",
        "legacy-v2",
        "--offline",
        "--area-type",
        "utla",
        "--archive",
        crate::support::arg(&archive),
        "--patch",
        crate::support::arg(&patch),
        "--population",
        crate::support::arg(&population),
        "--release",
        "2021-01-18",
    ];
    let story_before = crate::support::Casewire::new().args(draft_args).success();
    // Asked for the 19th as of that day, the archive answers with the newest release it
    // holds, the 18th.
    let mut args_19 = draft_args.to_vec();
    args_19[draft_args.len() - 1] = "2021-01-19";
    args_19.push("--as-of");
    let story_19_before = crate::support::Casewire::new().args(args_19).success();
    let holder = dir.join("archive-dir");
    std::fs::create_dir(&holder).unwrap();
    std::fs::rename(&archive, holder.join("archive.sqlite")).unwrap();
    let small = dir.join("small");
    std::fs::create_dir(&small).unwrap();
    let story_after = dir.join("story-after.md");
    let story_19_after = dir.join("story-19-after.md");
    // A tmpfs only 24 KB larger than the archive, then the 19th's 8,918 rows.
    let script = r#"set -e
size=$(( $(stat -c %s "$1/archive.sqlite") / 1024 + 24 ))
mount -t tmpfs -o size=${size}k tmpfs "$2"
cp -a "$1"/. "$2"/
mount --bind "$2" "$1"
set +e
"$3" fetch --source legacy-v2 --area-type utla --release 2021-01-19 --base-url "$4" \
  --archive "$1/archive.sqlite" --contact tests@example.com
echo "fetch-exit=$?"
"$3" draft --source legacy-v2 --offline --area-type utla --archive "$1/archive.sqlite" \
  --patch "$5" --population "$6" --release 2021-01-18 > "$7"
echo "draft-exit=$?"
"$3" draft --source legacy-v2 --offline --area-type utla --archive "$1/archive.sqlite" \
  --patch "$5" --population "$6" --release 2021-01-19 --as-of > "$8"
echo "draft-19-exit=$?"
"#;
    let bin = crate::support::bin();
    let base = PathBuf::from(&n.server.base);
    let Some(out) = in_mount_namespace(
        script,
        &[
            &holder,
            &small,
            &bin,
            &base,
            &patch,
            &population,
            &story_after,
            &story_19_after,
        ],
    ) else {
        eprintln!("skipped: cannot make a mount namespace here; see RELIABILITY.md");
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("fetch-exit=1"), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("full") && stderr.contains("archive"),
        "{stderr}"
    );
    assert!(stdout.contains("draft-exit=0"), "{stdout}\n{stderr}");
    assert_eq!(
        std::fs::read_to_string(&story_after).unwrap(),
        story_before.stdout,
        "the 18th's story changed"
    );
    // Nothing of the 19th is in the archive: asked for it, the archive still answers with
    // the 18th, exactly as before the failed fetch.
    assert!(stdout.contains("draft-19-exit=0"), "{stdout}\n{stderr}");
    assert_eq!(
        std::fs::read_to_string(&story_19_after).unwrap(),
        story_19_before.stdout
    );
}
