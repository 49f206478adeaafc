//! A whole folder of files put in place in one step: assembled in a hidden folder beside its
//! place (`.casewire-each-NAME.XXXXXX`), then renamed there, or exchanged with the folder
//! already there (Linux's `RENAME_EXCHANGE`), so a reader at any moment, or a run killed at
//! any moment, sees the old folder whole or the new one whole, never a mixture.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::folder_of;

/// A folder being assembled out of sight, to replace `target` whole when it commits.
///
/// Any number of threads may [`FolderStage::write`] into it at once. The stage holds an
/// operating-system lock on its hidden folder for its life, so a later run can tell the
/// leftovers of a killed run (unlocked) from another run still at work (locked), and removes
/// only the former. Dropped before it commits, it removes what it wrote.
#[derive(Debug)]
pub struct FolderStage {
    target: PathBuf,
    dir: Option<tempfile::TempDir>,
    // The hidden folder, held open: the lock goes when it closes, however the process ends.
    // Files are created relative to it, and it is what is flushed: a flush through it reports
    // any write-back error since the stage began, where a folder opened at the end would not.
    lock: std::fs::File,
    /// Whether a file created 0644 comes out 0644 (the umask takes nothing from it), so that
    /// no file needs a `chmod`: unknown until the first file, then known.
    mode: std::sync::atomic::AtomicU8,
    flusher: Flusher,
}

/// The umask is not known yet.
const MODE_UNKNOWN: u8 = 0;
/// Files come out 0644 as created.
const MODE_AS_CREATED: u8 = 1;
/// The umask takes bits from 0644: each file needs a `chmod`.
const MODE_CHMOD: u8 = 2;

/// How many files are written between flushes to disk started while the run goes on.
const FLUSH_EVERY: usize = 1024;

/// Flushes the stage's files to disk on a thread of its own every [`FLUSH_EVERY`] files while
/// the stories are still being drafted, so that the flush before the commit has only the last
/// files left to wait for. Each is a `syncfs` through the stage's folder (Linux; elsewhere
/// each file is flushed as it is written and this does nothing).
#[derive(Debug)]
struct Flusher {
    written: std::sync::atomic::AtomicUsize,
    wake: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Flusher {
    #[cfg(target_os = "linux")]
    fn start(dir: &std::fs::File) -> std::io::Result<Flusher> {
        let dir = dir.try_clone()?;
        let (wake, asked) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new().name("flush".into()).spawn(
            move || -> std::io::Result<()> {
                while asked.recv().is_ok() {
                    // Requests that came in during a flush are served by the next one.
                    while asked.try_recv().is_ok() {}
                    rustix::fs::syncfs(&dir)?;
                }
                Ok(())
            },
        )?;
        Ok(Flusher {
            written: 0.into(),
            wake: Some(wake),
            thread: Some(thread),
        })
    }

    #[cfg(not(target_os = "linux"))]
    fn start(_: &std::fs::File) -> std::io::Result<Flusher> {
        Ok(Flusher {
            written: 0.into(),
            wake: None,
            thread: None,
        })
    }

    fn wrote_one(&self) {
        let n = self
            .written
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        if n.is_multiple_of(FLUSH_EVERY)
            && let Some(wake) = &self.wake
        {
            let _ = wake.send(());
        }
    }

    /// Stops the thread; the first error any of its flushes met.
    fn stop(&mut self) -> std::io::Result<()> {
        self.wake = None;
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(std::io::Error::other("the flushing thread panicked")),
            None => Ok(()),
        }
    }
}

/// The hidden folders' name for `target`: `.casewire-each-NAME.`, followed by random letters.
fn prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy());
    format!(".casewire-each-{name}.")
}

impl FolderStage {
    /// Starts assembling the folder that will replace `target` (creating its parent),
    /// first removing hidden folders that killed runs for the same target left beside it.
    /// A symbolic link to a folder is followed: the folder it names is replaced, and the
    /// link still names it.
    pub fn begin(target: &Path) -> std::io::Result<FolderStage> {
        let linked = std::fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink())
            && std::fs::metadata(target).is_ok_and(|m| m.is_dir());
        let target = &if linked {
            std::fs::canonicalize(target)?
        } else {
            target.to_path_buf()
        };
        let parent = folder_of(target);
        std::fs::create_dir_all(parent)?;
        let prefix = prefix(target);
        for entry in std::fs::read_dir(parent)?.flatten() {
            let name = entry.file_name();
            if !name.to_string_lossy().starts_with(&prefix) {
                continue;
            }
            let path = entry.path();
            let Ok(dir) = std::fs::File::open(&path) else {
                continue;
            };
            // Locked: another run is assembling it now.
            if dir.try_lock().is_ok() {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
        let dir = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(parent)?;
        let lock = std::fs::File::open(dir.path())?;
        lock.try_lock().map_err(std::io::Error::other)?;
        let flusher = Flusher::start(&lock)?;
        Ok(FolderStage {
            target: target.to_path_buf(),
            dir: Some(dir),
            lock,
            mode: MODE_UNKNOWN.into(),
            flusher,
        })
    }

    fn root(&self) -> &Path {
        self.dir.as_ref().expect("held until commit").path()
    }

    /// Writes the file `name` of the folder, readable by all (0644) as published copy must
    /// be. No two writes may name the same file.
    pub fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let mut file = self.create_file(name)?;
        // One `write` for the whole file, as a rule: a story and its sidecar are small.
        file.write_all(bytes)?;
        self.finish_file(file)
    }

    /// Creates the file `name` of the folder, readable by all (0644), for a caller that writes
    /// it in parts, as they come; [`FolderStage::finish_file`] ends it. No two files may have
    /// the same name.
    pub fn create_file(&self, name: &str) -> std::io::Result<std::fs::File> {
        let file = self.create(name)?;
        self.make_readable(&file)?;
        Ok(file)
    }

    /// Ends a file of [`FolderStage::create_file`] once all of it is written.
    pub fn finish_file(&self, file: std::fs::File) -> std::io::Result<()> {
        #[cfg(not(target_os = "linux"))]
        file.sync_all()?;
        drop(file);
        self.flusher.wrote_one();
        Ok(())
    }

    /// Creates the new file `name`, 0644 less the umask, relative to the open folder: the
    /// kernel does not walk the folder's whole path again for each of thousands of files.
    #[cfg(target_os = "linux")]
    fn create(&self, name: &str) -> std::io::Result<std::fs::File> {
        use rustix::fs::{Mode, OFlags};
        let fd = rustix::fs::openat(
            &self.lock,
            name,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o644),
        )?;
        Ok(std::fs::File::from(fd))
    }

    #[cfg(not(target_os = "linux"))]
    fn create(&self, name: &str) -> std::io::Result<std::fs::File> {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.root().join(name))
    }

    /// Makes `file` 0644 whatever the umask: a `chmod` only when the umask took bits from
    /// the mode it was created with, which the first file tells.
    fn make_readable(&self, file: &std::fs::File) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            use std::sync::atomic::Ordering;
            let mut mode = self.mode.load(Ordering::Relaxed);
            if mode == MODE_UNKNOWN {
                let as_created = file.metadata()?.permissions().mode() & 0o7777 == 0o644;
                mode = if as_created {
                    MODE_AS_CREATED
                } else {
                    MODE_CHMOD
                };
                self.mode.store(mode, Ordering::Relaxed);
            }
            if mode == MODE_CHMOD {
                file.set_permissions(std::fs::Permissions::from_mode(0o644))?;
            }
        }
        #[cfg(not(unix))]
        let _ = file;
        Ok(())
    }

    /// How many files the folder holds.
    pub fn len(&self) -> std::io::Result<usize> {
        Ok(std::fs::read_dir(self.root())?.count())
    }

    /// Whether the folder holds nothing yet.
    pub fn is_empty(&self) -> std::io::Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Flushes every file to disk (what the flushes during the run left), then puts the folder at its target in one step: a rename
    /// where nothing is, an exchange with the folder there (which is then removed), and
    /// flushes that. On failure nothing at the target has changed.
    pub fn commit(mut self) -> std::io::Result<()> {
        let parent = folder_of(&self.target).to_path_buf();
        self.flusher.stop()?;
        #[cfg(target_os = "linux")]
        rustix::fs::syncfs(&self.lock)?;
        let staged = self.dir.take().expect("held until commit").keep();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // A temporary folder is private (0700); a folder of copy is not.
            std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o755))?;
        }
        let placed = match std::fs::symlink_metadata(&self.target) {
            Ok(meta) if !meta.file_type().is_dir() => Err(std::io::Error::other(
                "it is not a folder, so a folder of stories cannot replace it",
            )),
            Ok(_) => super::swap::exchange(&staged, &self.target),
            Err(_) => std::fs::rename(&staged, &self.target),
        };
        if let Err(e) = placed {
            let _ = std::fs::remove_dir_all(&staged);
            return Err(e);
        }
        // What was at the target, if anything, now sits at the staged name.
        let _ = std::fs::remove_dir_all(&staged);
        super::sync_after_rename(&[parent].into())
    }
}

impl Drop for FolderStage {
    fn drop(&mut self) {
        let _ = self.flusher.stop();
        if let Some(dir) = self.dir.take() {
            let _ = dir.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_folder_goes_in_whole_and_replaces_the_old_one_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("stories");
        let stage = FolderStage::begin(&out).unwrap();
        stage.write("a.md", b"a").unwrap();
        assert!(!out.exists(), "nothing is visible before the commit");
        stage.commit().unwrap();
        assert_eq!(names(&out), ["a.md"]);
        let stage = FolderStage::begin(&out).unwrap();
        stage.write("b.md", b"b").unwrap();
        assert_eq!(stage.len().unwrap(), 1);
        stage.commit().unwrap();
        assert_eq!(names(&out), ["b.md"]);
        assert_eq!(names(dir.path()), ["stories"], "no hidden folder is left");
        // Through a link to the folder, the folder is replaced and the link kept.
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&out, &link).unwrap();
            let stage = FolderStage::begin(&link).unwrap();
            stage.write("c.md", b"c").unwrap();
            stage.commit().unwrap();
            assert_eq!(names(&out), ["c.md"]);
            assert!(
                std::fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
        }
    }

    #[test]
    fn a_stage_flushed_while_it_is_written_commits_every_file_readable_by_all() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("stories");
        let stage = FolderStage::begin(&out).unwrap();
        let count = 2 * FLUSH_EVERY + 3;
        std::thread::scope(|scope| {
            for half in 0..2 {
                let stage = &stage;
                scope.spawn(move || {
                    for i in (half..count).step_by(2) {
                        stage
                            .write(&format!("{i}.md"), i.to_string().as_bytes())
                            .unwrap();
                    }
                });
            }
        });
        stage.commit().unwrap();
        assert_eq!(names(&out).len(), count);
        assert_eq!(std::fs::read_to_string(out.join("7.md")).unwrap(), "7");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(out.join("0.md"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }

    #[test]
    fn a_stage_dropped_leaves_the_old_folder_and_a_killed_ones_leftovers_go() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("stories");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("old.md"), "old").unwrap();
        let stage = FolderStage::begin(&out).unwrap();
        stage.write("new.md", b"new").unwrap();
        drop(stage);
        assert_eq!(names(dir.path()), ["stories"]);
        assert_eq!(names(&out), ["old.md"]);
        // A killed run's hidden folder holds no lock; a live run's does.
        let killed = dir.path().join(".casewire-each-stories.dead");
        std::fs::create_dir(&killed).unwrap();
        let live = FolderStage::begin(&out).unwrap();
        assert!(!killed.exists());
        let other = FolderStage::begin(&out).unwrap();
        assert!(live.root().exists(), "a run at work keeps its folder");
        drop((live, other));
        assert_eq!(names(dir.path()), ["stories"]);
    }
}
