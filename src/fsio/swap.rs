//! Putting whole editions in place: each edition's folder is assembled out of sight, in a
//! hidden folder inside the output folder (site generators skip names starting with `.`),
//! and then moved in with one rename, so a site built at any moment sees an edition whole
//! or not at all. A folder or file already in place is exchanged with the new one in one
//! step (Linux's `RENAME_EXCHANGE`), and the old one is kept until the run has put every
//! unit in place: a run that fails part way puts every old one back.

use std::path::{Path, PathBuf};

use super::{CommitError, FileSink, folder_of, stage_unsynced};

/// The hidden folder inside an output folder where a run assembles what it will put in place.
pub const STAGING: &str = ".casewire-staging";

/// One thing put in place in one step: a folder with every file in it, or one file.
#[derive(Debug)]
struct Unit {
    /// Relative to the output folder.
    rel: PathBuf,
    /// Taken out of the output folder rather than put in.
    remove: bool,
}

/// What a commit did to one unit, so a failure can undo it.
enum Done {
    /// Moved in where nothing was.
    Placed(PathBuf),
    /// Exchanged with what was there, which now sits at the staged path.
    Exchanged(PathBuf),
    /// Moved out of sight, to the staged path.
    Removed(PathBuf),
}

/// Editions and files assembled in `OUTPUT/.casewire-staging/` and put in place together.
///
/// Units go in in the order staged: stage the editions first and the state file that
/// records them last, so the state never names an edition that is not in place.
#[derive(Debug)]
pub struct Staging {
    out: PathBuf,
    root: PathBuf,
    units: Vec<Unit>,
}

impl Staging {
    /// Starts a run's staging in `out`, first removing whatever an earlier run killed part
    /// way left behind: its staging folder and any temporary file (`.casewire-*.tmp`). Call
    /// it only while holding the output folder's [`super::RunLock`].
    pub fn begin(out: &Path) -> std::io::Result<Staging> {
        clean_leftovers(out)?;
        let root = out.join(STAGING);
        std::fs::create_dir_all(&root)?;
        Ok(Staging {
            out: out.to_path_buf(),
            root,
            units: Vec::new(),
        })
    }

    /// Stages a whole folder `rel` (relative to the output folder) holding `files`, each a
    /// path relative to the folder and its bytes. Put in place, it replaces any folder there
    /// whole: a file of the old folder that is not among `files` is gone with it.
    pub fn folder<'a>(
        &mut self,
        rel: &Path,
        files: impl IntoIterator<Item = (&'a Path, &'a [u8])>,
    ) -> std::io::Result<()> {
        let base = self.root.join(rel);
        std::fs::create_dir_all(&base)?;
        for (name, bytes) in files {
            write_into(&base.join(name), bytes)?;
        }
        self.units.push(Unit {
            rel: rel.to_path_buf(),
            remove: false,
        });
        Ok(())
    }

    /// Stages the removal of the file or folder `rel` (relative to the output folder): when
    /// the commit reaches it, it is moved out of sight in one rename, and it goes with the
    /// staging folder once every unit is in place; a failure part way puts it back. Nothing
    /// there is nothing to remove.
    pub fn remove(&mut self, rel: &Path) {
        self.units.push(Unit {
            rel: rel.to_path_buf(),
            remove: true,
        });
    }

    /// Stages one file `rel` (relative to the output folder), to replace the file there.
    pub fn file(&mut self, rel: &Path, bytes: &[u8]) -> std::io::Result<()> {
        write_into(&self.root.join(rel), bytes)?;
        self.units.push(Unit {
            rel: rel.to_path_buf(),
            remove: false,
        });
        Ok(())
    }

    /// How many units are staged.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Whether nothing is staged.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Flushes everything staged to disk, then puts each unit in place through `sink`, in
    /// the order staged, and flushes the renames. If one cannot be put in place, every unit
    /// already in place is taken back (a new one removed, a replaced one given back its old
    /// self) and the error names the unit. The staging folder is removed either way. Returns
    /// how many units were put in place.
    pub(crate) fn commit_to(self, sink: &mut dyn FileSink) -> Result<usize, CommitError> {
        let at = |path: &Path| {
            let path = path.to_path_buf();
            move |source| CommitError { path, source }
        };
        // The staging folder goes when `self` is dropped, on success or failure.
        self.put_in_place(sink)
            .map_err(|(rel, e)| at(&self.out.join(rel))(e))
    }

    fn put_in_place(&self, sink: &mut dyn FileSink) -> Result<usize, (PathBuf, std::io::Error)> {
        super::sync_before_rename(&[self.root.clone()].into()).map_err(|e| (PathBuf::new(), e))?;
        let mut done: Vec<Done> = Vec::new();
        let mut made: Vec<PathBuf> = Vec::new();
        let mut folders: std::collections::BTreeSet<PathBuf> = [self.out.clone()].into();
        for unit in &self.units {
            let staged = self.root.join(&unit.rel);
            let target = self.out.join(&unit.rel);
            if unit.remove {
                if std::fs::symlink_metadata(&target).is_err() {
                    continue;
                }
                let step = std::fs::create_dir_all(folder_of(&staged))
                    .and_then(|()| std::fs::rename(&target, &staged));
                if let Err(e) = step {
                    self.undo(done, &made);
                    return Err((unit.rel.clone(), e));
                }
                folders.insert(folder_of(&target).to_path_buf());
                done.push(Done::Removed(unit.rel.clone()));
                continue;
            }
            let step = (|| {
                let parent = folder_of(&target).to_path_buf();
                for missing in missing_ancestors(&parent, &self.out) {
                    std::fs::create_dir(&missing)?;
                    made.push(missing);
                }
                folders.insert(parent);
                let existed = match std::fs::symlink_metadata(&target) {
                    Ok(meta) => {
                        check_kind(&meta, staged.is_dir())?;
                        true
                    }
                    Err(_) => false,
                };
                sink.place(&staged, &target)?;
                Ok(if existed {
                    Done::Exchanged(unit.rel.clone())
                } else {
                    Done::Placed(unit.rel.clone())
                })
            })();
            match step {
                Ok(d) => done.push(d),
                Err(e) => {
                    self.undo(done, &made);
                    return Err((unit.rel.clone(), e));
                }
            }
        }
        super::sync_after_rename(&folders).map_err(|e| (PathBuf::new(), e))?;
        Ok(done.len())
    }

    /// Takes back what a failed commit put in place, newest first.
    fn undo(&self, done: Vec<Done>, made: &[PathBuf]) {
        for d in done.into_iter().rev() {
            match d {
                Done::Placed(rel) => {
                    let _ = std::fs::rename(self.out.join(&rel), self.root.join(&rel));
                }
                Done::Exchanged(rel) => {
                    let _ = exchange(&self.root.join(&rel), &self.out.join(&rel));
                }
                Done::Removed(rel) => {
                    let _ = std::fs::rename(self.root.join(&rel), self.out.join(&rel));
                }
            }
        }
        for dir in made.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

impl Drop for Staging {
    /// A run that fails before it commits, or commits, leaves nothing out of sight.
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The folders from `out` down to `dir` that do not exist yet, outermost first.
fn missing_ancestors(dir: &Path, out: &Path) -> Vec<PathBuf> {
    let mut missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|a| a.starts_with(out) && *a != out)
        .filter(|a| !a.exists())
        .map(Path::to_path_buf)
        .collect();
    missing.reverse();
    missing
}

/// What is in place may be replaced only by its own kind: a folder by a folder, a file by a
/// file; a symbolic link is never replaced (it may point anywhere).
fn check_kind(meta: &std::fs::Metadata, folder: bool) -> std::io::Result<()> {
    let kind = meta.file_type();
    let why = if kind.is_symlink() {
        "is a symbolic link, which is not replaced"
    } else if folder && !kind.is_dir() {
        "is not a folder, so an edition's folder cannot replace it"
    } else if !folder && !kind.is_file() {
        "is not a regular file, so a file cannot replace it"
    } else {
        return Ok(());
    };
    Err(std::io::Error::other(why))
}

fn write_into(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = stage_unsynced(path, bytes)?;
    #[cfg(not(target_os = "linux"))]
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Puts `staged` at `target` in one step: a rename where nothing is, an exchange where
/// something is (the old then sits at `staged`).
pub(crate) fn place(staged: &Path, target: &Path) -> std::io::Result<()> {
    if std::fs::symlink_metadata(target).is_ok() {
        exchange(staged, target)
    } else {
        std::fs::rename(staged, target)
    }
}

#[cfg(target_os = "linux")]
pub(super) fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // A file system without exchange (some network ones): two renames, with a moment
        // between them where the target is missing, never one where it is half there.
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => exchange_by_renames(a, b),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
pub(super) fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    exchange_by_renames(a, b)
}

fn exchange_by_renames(a: &Path, b: &Path) -> std::io::Result<()> {
    let aside = a.with_extension("casewire-old");
    std::fs::rename(b, &aside)?;
    if let Err(e) = std::fs::rename(a, b) {
        let _ = std::fs::rename(&aside, b);
        return Err(e);
    }
    std::fs::rename(&aside, a)
}

/// Removes what a run killed part way leaves in `out`: the staging folder, and temporary
/// files of atomic writes (`.casewire-*.tmp`) anywhere beneath it.
pub fn clean_leftovers(out: &Path) -> std::io::Result<()> {
    let root = out.join(STAGING);
    if std::fs::symlink_metadata(&root).is_ok() {
        std::fs::remove_dir_all(&root)?;
    }
    let mut dirs = vec![out.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                dirs.push(entry.path());
            } else if kind.is_file() && name.starts_with(".casewire-") && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsio::Disk;

    fn tree(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut dirs = vec![dir.to_path_buf()];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                if e.file_type().unwrap().is_dir() {
                    dirs.push(e.path());
                } else {
                    let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
                    let text = std::fs::read_to_string(e.path()).unwrap();
                    out.push(format!("{rel}={text}"));
                }
            }
        }
        out.sort();
        out
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
    fn a_folder_replaces_the_old_one_whole_and_the_staging_goes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("ed")).unwrap();
        std::fs::write(dir.path().join("ed/old.txt"), "old").unwrap();
        let mut s = Staging::begin(dir.path()).unwrap();
        s.folder(
            Path::new("ed"),
            [
                (Path::new("index.md"), b"new".as_slice()),
                (Path::new("a/b.txt"), b"b".as_slice()),
            ],
        )
        .unwrap();
        s.file(Path::new("state.json"), b"{}").unwrap();
        assert_eq!(s.commit_to(&mut Disk).unwrap(), 2);
        assert_eq!(
            tree(dir.path()),
            ["ed/a/b.txt=b", "ed/index.md=new", "state.json={}"]
        );
    }

    #[test]
    fn a_commit_failing_part_way_puts_every_old_unit_back() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("live")).unwrap();
        std::fs::write(dir.path().join("live/index.md"), "live").unwrap();
        std::fs::write(dir.path().join("state.json"), "old").unwrap();
        let before = tree(dir.path());
        let mut s = Staging::begin(dir.path()).unwrap();
        s.folder(
            Path::new("live"),
            [(Path::new("index.md"), b"replaced".as_slice())],
        )
        .unwrap();
        s.folder(
            Path::new("deep/new"),
            [(Path::new("index.md"), b"new".as_slice())],
        )
        .unwrap();
        s.file(Path::new("state.json"), b"new").unwrap();
        let err = s.commit_to(&mut FailOn(2)).unwrap_err();
        assert_eq!(err.path, dir.path().join("state.json"));
        assert_eq!(tree(dir.path()), before);
        assert!(!dir.path().join("deep").exists());
    }

    #[test]
    fn a_removal_goes_with_the_commit_and_comes_back_when_it_fails() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("gone")).unwrap();
        std::fs::write(dir.path().join("gone/index.md"), "old").unwrap();
        std::fs::write(dir.path().join("post.md"), "post").unwrap();
        std::fs::write(dir.path().join("state.json"), "old").unwrap();
        let before = tree(dir.path());
        let stage = || {
            let mut s = Staging::begin(dir.path()).unwrap();
            s.remove(Path::new("gone"));
            s.remove(Path::new("post.md"));
            s.remove(Path::new("never-there"));
            s.file(Path::new("state.json"), b"new").unwrap();
            s
        };
        // The state's exchange is the first place through the sink: failing it undoes both.
        assert!(stage().commit_to(&mut FailOn(0)).is_err());
        assert_eq!(tree(dir.path()), before);
        assert_eq!(stage().commit_to(&mut Disk).unwrap(), 3);
        assert_eq!(tree(dir.path()), ["state.json=new"]);
        assert!(!dir.path().join("gone").exists());
    }

    #[test]
    fn leftovers_of_a_killed_run_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(STAGING).join("half")).unwrap();
        std::fs::write(dir.path().join(STAGING).join("half/index.md"), "x").unwrap();
        std::fs::create_dir_all(dir.path().join("ed")).unwrap();
        std::fs::write(dir.path().join("ed/.casewire-abc.tmp"), "x").unwrap();
        std::fs::write(dir.path().join("ed/index.md"), "keep").unwrap();
        clean_leftovers(dir.path()).unwrap();
        assert_eq!(tree(dir.path()), ["ed/index.md=keep"]);
    }
}
