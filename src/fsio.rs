//! Getting copy onto disk safely: whole files or nothing, and one run at a time.

use std::io::Write;
use std::path::{Path, PathBuf};

mod folder;
mod swap;

pub use folder::FolderStage;
pub use swap::{STAGING, Staging, clean_leftovers};

/// Refuses to read a device or a socket as an input: `/dev/zero` given as data would be read
/// for ever. A pipe (`/dev/stdin` fed by a shell) is read as a file is.
pub fn check_readable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::FileTypeExt;
    let kind = std::fs::metadata(path)?.file_type();
    let what = if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        return Ok(());
    };
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("it is {what}, not a file"),
    ))
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// reader (or a crash) never sees half a file. Creates missing parent folders. The file is
/// readable by all (0644), as published copy must be.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    stage(path, bytes)?.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// [`write_atomic`] of what `write` writes, for a file too large to hold in memory first
/// (a data snapshot): streamed to a temporary file beside `path`, flushed and renamed into
/// place only when `write` succeeds, so a failed or interrupted write leaves no file at all.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let tmp = stage_unsynced(path, &[])?;
    let mut out = std::io::BufWriter::new(tmp);
    write(&mut out)?;
    let tmp = out
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Appends `line` (which ends with its own line end) to the log at `path`, creating it and
/// its folder when missing, and flushes it to disk before returning. One write of one line:
/// two writers' appends never interleave within a line.
pub fn append_line(path: &Path, line: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(line.as_bytes())?;
    file.sync_all()
}

/// Moves the file or folder `from` to `to` in one rename (both on one file system), made
/// durable: a reader sees it in one place or the other, never both or neither.
pub fn move_whole(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::rename(from, to)?;
    let folders: std::collections::BTreeSet<PathBuf> = [folder_of(from), folder_of(to)]
        .into_iter()
        .map(Path::to_path_buf)
        .collect();
    sync_after_rename(&folders)
}

/// Writes `bytes` to a temporary file beside `path`, flushed to disk and readable by all,
/// ready to be renamed over `path` with `persist`. Several staged files can be renamed one
/// after another so that a set of files appears together or not at all.
pub(crate) fn stage(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let tmp = stage_unsynced(path, bytes)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// [`stage`] without the flush to disk, for a [`Batch`] that flushes all its files at once.
fn stage_unsynced(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = folder_of(path);
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".casewire-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    // A temporary file is private (0600); copy a web server and editors must read is not.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    Ok(tmp)
}

/// Files written together, each whole or not at all: [`Batch::stage`] writes each to a
/// temporary file beside its target; [`Batch::commit`] makes them all durable at once, renames
/// them into place in the order staged, and makes the renames durable. A batch dropped
/// before it commits removes what it staged, so a run that fails leaves nothing half-written.
///
/// A batch of thousands of files is flushed to disk with one sync of the file system on Linux
/// rather than one per file; elsewhere each file is flushed as it is staged.
#[derive(Debug, Default)]
pub struct Batch {
    staged: Vec<(tempfile::TempPath, PathBuf)>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Batch {
        Batch::default()
    }

    /// How many files are staged.
    pub fn len(&self) -> usize {
        self.staged.len()
    }

    /// Whether nothing is staged.
    pub fn is_empty(&self) -> bool {
        self.staged.is_empty()
    }

    /// Writes `bytes` to a temporary file beside `path` (creating missing folders), readable by
    /// all, to be renamed over `path` when the batch commits. The file is closed at once, so a
    /// batch holds no file open.
    pub fn stage(&mut self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let tmp = stage_unsynced(path, bytes)?;
        #[cfg(not(target_os = "linux"))]
        tmp.as_file().sync_all()?;
        self.staged.push((tmp.into_temp_path(), path.to_path_buf()));
        Ok(())
    }

    /// [`Batch::stage`], but the file is renamed into place before every file staged so far
    /// (a file the others refer to).
    pub fn stage_first(&mut self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        self.stage(path, bytes)?;
        let last = self.staged.pop().expect("just staged");
        self.staged.insert(0, last);
        Ok(())
    }

    /// Moves every file `other` staged to the end of this batch, in its order: batches staged
    /// on several threads commit as one.
    pub fn append(&mut self, other: Batch) {
        self.staged.extend(other.staged);
    }

    /// Flushes every staged file to disk, renames each into place in the order staged, then
    /// flushes the renames. If a rename fails, the files this batch put in place where none
    /// was before are removed again (a file it replaced stays replaced) and the rest are
    /// discarded. Returns how many files were written.
    pub fn commit(self) -> std::io::Result<usize> {
        self.commit_to(&mut Disk).map_err(|e| e.source)
    }

    /// [`Batch::commit`], putting each file in place through `sink`; the error names the file
    /// that could not be put in place.
    pub(crate) fn commit_to(self, sink: &mut dyn FileSink) -> Result<usize, CommitError> {
        let folders: std::collections::BTreeSet<PathBuf> = self
            .staged
            .iter()
            .map(|(_, path)| folder_of(path).to_path_buf())
            .collect();
        let at = |path: &Path| {
            let path = path.to_path_buf();
            move |source| CommitError { path, source }
        };
        let first = self
            .staged
            .first()
            .map_or(PathBuf::new(), |(_, p)| p.clone());
        sync_before_rename(&folders).map_err(at(&first))?;
        let mut placed: Vec<PathBuf> = Vec::new();
        let n = self.staged.len();
        for (tmp, path) in self.staged {
            let existed = path.exists();
            if let Err(e) = sink.place(&tmp, &path) {
                for p in &placed {
                    let _ = std::fs::remove_file(p);
                }
                return Err(at(&path)(e));
            }
            // Renamed away, or exchanged with the old file, which is now at the temporary
            // name and goes.
            if let Ok(left) = tmp.keep() {
                let _ = std::fs::remove_file(left);
            }
            if !existed {
                placed.push(path);
            }
        }
        sync_after_rename(&folders).map_err(at(&first))?;
        Ok(n)
    }
}

/// A file of a [`Batch`] that could not be put in place.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}", path.display())]
pub(crate) struct CommitError {
    /// The file.
    pub path: PathBuf,
    /// What the operating system said.
    #[source]
    pub source: std::io::Error,
}

/// Puts a staged file in place when a [`Batch`] commits. [`Disk`] renames; a test passes in
/// one that fails part way, as a full disk or a killed run would, to show what a failure
/// leaves behind.
pub trait FileSink {
    /// Moves the staged file `staged` to `target`, replacing what is there.
    fn place(&mut self, staged: &Path, target: &Path) -> std::io::Result<()>;
}

/// The file system: a rename within one folder, or where something is already at the
/// target, an exchange in one step (the old one then sits at the staged path).
#[derive(Clone, Copy, Debug, Default)]
pub struct Disk;

impl FileSink for Disk {
    fn place(&mut self, staged: &Path, target: &Path) -> std::io::Result<()> {
        swap::place(staged, target)
    }
}

/// A lock held for the life of a run, so two runs never write one folder at once: an
/// operating-system lock on a file, which the kernel releases when the process ends however
/// it ends. A lock file left by a killed run is therefore simply locked again.
#[derive(Debug)]
pub struct RunLock {
    path: PathBuf,
    // Held open: closing it releases the lock.
    _file: std::fs::File,
}

impl RunLock {
    /// Takes the lock at `path` (creating the file and its folder), or `None` while another
    /// process holds it.
    pub fn try_acquire(path: &Path) -> std::io::Result<Option<RunLock>> {
        std::fs::create_dir_all(folder_of(path))?;
        loop {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
                Err(std::fs::TryLockError::Error(e)) => return Err(e),
            }
            // The holder before us removes the file as it lets go; a lock taken on a file
            // already removed guards nothing, so open the path afresh.
            if same_file(&file, path) {
                record_holder(&file)?;
                return Ok(Some(RunLock {
                    path: path.to_path_buf(),
                    _file: file,
                }));
            }
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Writes who holds the lock and since when into the lock file (`PID\nUNIX-SECONDS\n`), so a
/// run that finds it held can say which process has had it how long: a lock held for hours is
/// a run that is stuck, which the operator needs to hear of.
fn record_holder(mut file: &std::fs::File) -> std::io::Result<()> {
    use std::io::{Seek, Write};
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    file.set_len(0)?;
    file.rewind()?;
    write!(file, "{}\n{since}\n", std::process::id())
}

/// Who holds a lock, as its lock file says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockHolder {
    /// The holder's process id, when the file names one.
    pub pid: Option<u32>,
    /// When it took the lock: the time the file records, else the file's last change.
    pub since: std::time::SystemTime,
}

/// Reads the holder of the lock at `path`; `None` when the file cannot be read.
pub fn lock_holder(path: &Path) -> Option<LockHolder> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines().map(str::trim);
    let pid = lines.next().and_then(|l| l.parse().ok());
    let recorded = lines
        .next()
        .and_then(|l| l.parse::<u64>().ok())
        .and_then(|secs| std::time::UNIX_EPOCH.checked_add(std::time::Duration::from_secs(secs)));
    // A holder that wrote no time (an older casewire, a file being written) is dated by the
    // file itself, which it changed when it took the lock.
    let since = match recorded {
        Some(t) => t,
        None => std::fs::metadata(path).ok()?.modified().ok()?,
    };
    Some(LockHolder { pid, since })
}

#[cfg(unix)]
fn same_file(file: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::File, path: &Path) -> bool {
    path.exists()
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // Removed while still held, so no other run can be holding this file when it goes;
        // the lock itself goes when the file closes.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Where a run's `--out` sends what it writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutTarget {
    /// `-`: standard output.
    Stdout,
    /// A regular file, or a name nothing has yet.
    File(PathBuf),
}

/// Why an output path is refused before anything is written.
#[derive(Debug, thiserror::Error)]
pub enum OutError {
    /// The output is one of the run's inputs, which writing would destroy.
    #[error("refusing to write {}: it is the run's input {}", out.display(), input.display())]
    Input {
        /// The output path as given.
        out: PathBuf,
        /// The input it is.
        input: PathBuf,
    },
    /// The output is a symbolic link: a write replaces it rather than the file it names.
    #[error(
        "refusing to write {}: it is a symbolic link (to {}), which writing would replace; \
         give the file it points to instead",
        path.display(),
        target.display()
    )]
    Symlink {
        /// The link.
        path: PathBuf,
        /// Where it points.
        target: PathBuf,
    },
    /// The output exists and is not a regular file (a device such as `/dev/full`, a pipe, a
    /// folder), which a write through a temporary file and a rename would replace.
    #[error("refusing to write {}: it is {kind}, not a regular file", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// "a folder", "a device", "a named pipe", "a socket".
        kind: &'static str,
    },
    /// An output folder that is not a folder.
    #[error("refusing to write into {}: it is {kind}, not a folder", path.display())]
    NotFolder {
        /// The path.
        path: PathBuf,
        /// What it is.
        kind: &'static str,
    },
    /// The path could not be looked at.
    #[error("cannot check {}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}

/// Checks output paths against a run's inputs: each input's canonical path and, on Unix, its
/// device and inode, so that neither another spelling nor a hard link of an input passes.
#[derive(Clone, Debug, Default)]
pub struct OutGuard {
    inputs: Vec<Input>,
}

/// An input as given, its canonical path, and its device and inode where known.
type Input = (PathBuf, PathBuf, Option<(u64, u64)>);

impl OutGuard {
    /// A guard for a run reading `inputs` (patch, data, population, archive); inputs that do
    /// not exist are left out (the run will fail reading them).
    pub fn new(inputs: &[&Path]) -> OutGuard {
        let inputs = inputs
            .iter()
            .filter_map(|p| {
                let canonical = std::fs::canonicalize(p).ok()?;
                let id = std::fs::metadata(p).ok().and_then(|m| file_id(&m));
                Some((p.to_path_buf(), canonical, id))
            })
            .collect();
        OutGuard { inputs }
    }

    /// Checks `path` as an output file: `-` is standard output; a symbolic link, an input,
    /// or anything but a regular file is refused; a name nothing has is a new file.
    pub fn check(&self, path: &Path) -> Result<OutTarget, OutError> {
        if path.as_os_str() == "-" {
            return Ok(OutTarget::Stdout);
        }
        self.check_file(path, folder_of(path).canonicalize().ok().as_deref())
    }

    /// [`OutGuard::check`] for the many files of one folder: the folder's canonical path is
    /// found once, not once a file.
    pub fn in_folder(&self, dir: &Path) -> FolderGuard<'_> {
        FolderGuard {
            guard: self,
            canonical: dir.canonicalize().ok(),
        }
    }

    /// [`OutGuard::check`] of a file whose folder's canonical path is `dir` (`None`: it
    /// has none, as a folder not made yet).
    fn check_file(&self, path: &Path, dir: Option<&Path>) -> Result<OutTarget, OutError> {
        let io = |source| OutError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = match std::fs::symlink_metadata(path) {
            Ok(meta) => Some(meta),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(e)),
        };
        if let Some(meta) = &meta {
            let kind = meta.file_type();
            if kind.is_symlink() {
                return Err(OutError::Symlink {
                    path: path.to_path_buf(),
                    target: std::fs::read_link(path).unwrap_or_default(),
                });
            }
            if !kind.is_file() {
                return Err(OutError::NotRegular {
                    path: path.to_path_buf(),
                    kind: kind_of(&kind),
                });
            }
        }
        // Where the file would be: its folder's canonical path and its name.
        let canonical = match (dir, path.file_name()) {
            (Some(dir), Some(name)) => Some(dir.join(name)),
            _ => None,
        };
        let id = meta.as_ref().and_then(file_id);
        for (input, input_canonical, input_id) in &self.inputs {
            let same_path = canonical.as_ref() == Some(input_canonical);
            let same_file = id.is_some() && id == *input_id;
            if same_path || same_file {
                return Err(OutError::Input {
                    out: path.to_path_buf(),
                    input: input.clone(),
                });
            }
        }
        Ok(OutTarget::File(path.to_path_buf()))
    }

    /// Checks `dir` as an output folder: absent, or a folder (a link to one is followed, as
    /// the files are written inside it); never an input.
    pub fn check_folder(&self, dir: &Path) -> Result<(), OutError> {
        match std::fs::metadata(dir) {
            Ok(meta) if meta.is_dir() => Ok(()),
            Ok(meta) => Err(OutError::NotFolder {
                path: dir.to_path_buf(),
                kind: kind_of(&meta.file_type()),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(OutError::Io {
                path: dir.to_path_buf(),
                source,
            }),
        }
    }
}

/// An [`OutGuard`] for the files of one folder, which knows the folder's canonical path.
#[derive(Debug)]
pub struct FolderGuard<'a> {
    guard: &'a OutGuard,
    canonical: Option<PathBuf>,
}

impl FolderGuard<'_> {
    /// [`OutGuard::check`] of `path`, a file of the guard's folder, which is where the
    /// folder was when the guard was made (a folder not there then has no canonical path;
    /// the file itself is still looked at).
    pub fn check(&self, path: &Path) -> Result<OutTarget, OutError> {
        self.guard.check_file(path, self.canonical.as_deref())
    }
}

/// [`OutGuard::check`] for one path: the output of a run that reads `inputs`.
pub fn check_out(path: &Path, inputs: &[&Path]) -> Result<OutTarget, OutError> {
    OutGuard::new(inputs).check(path)
}

fn kind_of(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else if kind.is_file() {
        "a regular file"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Flushes the file systems that hold `folders`: on Linux one `syncfs` each, which writes
/// every staged file at once.
#[cfg(target_os = "linux")]
fn sync_before_rename(
    folders: &std::collections::BTreeSet<std::path::PathBuf>,
) -> std::io::Result<()> {
    for dir in folders {
        rustix::fs::syncfs(std::fs::File::open(dir)?)?;
    }
    Ok(())
}

/// Elsewhere each file was flushed as it was staged.
#[cfg(not(target_os = "linux"))]
fn sync_before_rename(_: &std::collections::BTreeSet<std::path::PathBuf>) -> std::io::Result<()> {
    Ok(())
}

/// Makes the renames into `folders` durable.
fn sync_after_rename(
    folders: &std::collections::BTreeSet<std::path::PathBuf>,
) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    return sync_before_rename(folders);
    #[cfg(all(unix, not(target_os = "linux")))]
    {
        for dir in folders {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        let _ = folders;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_write_that_fails_leaves_no_file_and_one_that_succeeds_leaves_it_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snapshot.csv");
        let failed = write_atomic_with(&path, |out| {
            out.write_all(b"date,areaCode\n")?;
            Err(std::io::Error::other("the data ran out"))
        });
        assert!(failed.is_err());
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
        write_atomic_with(&path, |out| out.write_all(b"date,areaCode\n")).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"date,areaCode\n");
    }

    #[test]
    fn appended_lines_follow_one_another() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log/decisions.jsonl");
        append_line(&path, "one\n").unwrap();
        append_line(&path, "two\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\ntwo\n");
    }

    #[test]
    fn a_second_lock_is_refused_while_the_first_is_held() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out").join(".lock");
        let first = RunLock::try_acquire(&path).unwrap().expect("free");
        assert!(RunLock::try_acquire(&path).unwrap().is_none());
        drop(first);
        assert!(!path.exists(), "removed on release");
        let again = RunLock::try_acquire(&path).unwrap();
        assert!(again.is_some(), "taken once the first is dropped");
    }

    #[test]
    fn a_lock_file_left_behind_is_locked_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".lock");
        // What a killed run leaves: the file, with no process holding it.
        std::fs::write(&path, "4000000\n").unwrap();
        assert!(RunLock::try_acquire(&path).unwrap().is_some());
    }

    struct FailOn(usize);

    impl FileSink for FailOn {
        fn place(&mut self, staged: &Path, target: &Path) -> std::io::Result<()> {
            if self.0 == 0 {
                return Err(std::io::Error::other("injected"));
            }
            self.0 -= 1;
            Disk.place(staged, target)
        }
    }

    #[test]
    fn a_commit_failing_part_way_takes_back_the_new_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b"), "old").unwrap();
        let mut batch = Batch::new();
        for name in ["a", "b", "c"] {
            batch.stage(&dir.path().join(name), b"new").unwrap();
        }
        let err = batch.commit_to(&mut FailOn(2)).unwrap_err();
        assert_eq!(err.path, dir.path().join("c"));
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["b"]);
    }
}
