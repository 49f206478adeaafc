//! Running the newsroom's `after_publish` command (a site build, say) once a run has
//! published, within its time limit.
//!
//! The command runs in a process group of its own, so that when it overruns every process
//! it started (a shell's children, a build's workers) is killed with it: a build left
//! running would go on writing the site after the run reported it failed. Its output goes to
//! unnamed temporary files rather than pipes, so nothing it leaves behind can keep the run
//! waiting to read them; it is kept only to report a failure.

use std::io::{Read, Seek};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::Newsroom;

/// How often a running command is looked at: short beside any time limit, long enough not
/// to busy the machine.
const POLL: Duration = Duration::from_millis(25);

/// Runs `newsroom`'s `after_publish` in the folder of the newsroom file `config`; why it
/// failed, if it did (could not start, exited unsuccessfully, or overran its limit).
pub(super) fn run(newsroom: &Newsroom, config: &Path) -> Option<String> {
    let after = &newsroom.after_publish;
    let (program, args) = after.command.split_first()?;
    let folder = config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let (Ok(mut out), Ok(mut err)) = (tempfile::tempfile(), tempfile::tempfile()) else {
        return Some("cannot make a temporary file for its output".into());
    };
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(folder)
        .stdin(Stdio::null())
        .stdout(out.try_clone().map_or(Stdio::null(), Stdio::from))
        .stderr(err.try_clone().map_or(Stdio::null(), Stdio::from));
    own_group(&mut command);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return Some(format!("cannot start {program}: {e}")),
    };
    let status = match wait_within(&mut child, after.timeout) {
        Ok(Some(status)) => status,
        Ok(None) => {
            kill_group(&mut child);
            return Some(format!(
                "it did not finish within {} s (after_publish_timeout_secs), so it and every process it started were killed",
                after.timeout.as_secs()
            ));
        }
        Err(e) => {
            kill_group(&mut child);
            return Some(format!("cannot wait for {program}: {e}"));
        }
    };
    if status.success() {
        return None;
    }
    let said = read_back(&mut err);
    let said = if said.trim().is_empty() {
        read_back(&mut out)
    } else {
        said
    };
    let tail: Vec<&str> = said.lines().rev().take(5).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Some(format!("{status}; it said: {}", tail.join(" / ")))
}

/// The child's exit status, or `None` if it is still running when `limit` has passed.
fn wait_within(child: &mut Child, limit: Duration) -> std::io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        std::thread::sleep(left.min(POLL));
    }
}

/// What the command wrote to `file`, from the start.
fn read_back(file: &mut std::fs::File) -> String {
    let mut bytes = Vec::new();
    let _ = file.rewind().and_then(|()| file.read_to_end(&mut bytes));
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(unix)]
fn own_group(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
}

#[cfg(not(unix))]
fn own_group(_: &mut Command) {}

/// Kills the child's process group (the child leads it) and reaps the child.
fn kill_group(child: &mut Child) {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{Pid, Signal, kill_process_group};
        if let Some(pid) = i32::try_from(child.id()).ok().and_then(Pid::from_raw) {
            let _ = kill_process_group(pid, Signal::KILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}
