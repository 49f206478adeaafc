//! Getting copy onto disk safely: whole files or nothing.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// reader (or a crash) never sees half a file. Creates missing parent folders. The file is
/// readable by all (0644), as published copy must be.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    stage(path, bytes)?.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path`, flushed to disk and readable by all,
/// ready to be renamed over `path` with `persist`. Several staged files can be renamed one
/// after another so that a set of files appears together or not at all.
pub fn stage(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
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
    staged: Vec<(tempfile::TempPath, std::path::PathBuf)>,
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

    /// Flushes every staged file to disk, renames each into place in the order staged, then
    /// flushes the renames. If a rename fails, the files this batch put in place where none
    /// was before are removed again (a file it replaced stays replaced) and the rest are
    /// discarded. Returns how many files were written.
    pub fn commit(self) -> std::io::Result<usize> {
        let folders: std::collections::BTreeSet<std::path::PathBuf> = self
            .staged
            .iter()
            .map(|(_, path)| folder_of(path).to_path_buf())
            .collect();
        sync_before_rename(&folders)?;
        let mut placed: Vec<std::path::PathBuf> = Vec::new();
        let n = self.staged.len();
        let mut staged = self.staged.into_iter();
        for (tmp, path) in staged.by_ref() {
            let existed = path.exists();
            if let Err(e) = tmp.persist(&path) {
                for p in &placed {
                    let _ = std::fs::remove_file(p);
                }
                return Err(e.error);
            }
            if !existed {
                placed.push(path);
            }
        }
        sync_after_rename(&folders)?;
        Ok(n)
    }
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
