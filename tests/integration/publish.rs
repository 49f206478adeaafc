//! `casewire publish` as a scheduled job meets it: editions once, whole files, state after
//! files, a lock, corrections, and output a static-site generator takes as is.
//!
//! This module holds the newsroom the tests publish from; the tests are in its submodules.

use std::path::{Path, PathBuf};

use crate::support::*;

mod alerts;
mod output;
mod runs;
mod safety;

/// A newsroom in a temporary folder whose releases folder holds the given real releases.
struct Newsroom {
    dir: tempfile::TempDir,
}

impl Newsroom {
    fn new(releases: &[&str], extra: &str) -> Newsroom {
        let dir = tempfile::tempdir().unwrap();
        let n = Newsroom { dir };
        for r in releases {
            n.add_release(r);
        }
        NewsroomFixture::new(n.path())
            .source_files("ltla-reconstructed.csv", &shared("population/mid-2019.csv"))
            .extra(extra)
            .story("se-london-weekly", "se-london.toml")
            .patch_file("se-london.toml", se_london())
            .write();
        n
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn config(&self) -> PathBuf {
        self.path().join("newsroom.toml")
    }

    fn out(&self) -> PathBuf {
        self.path().join("out")
    }

    fn add_release(&self, release: &str) {
        place_release(
            self.path(),
            release,
            "ltla-reconstructed.csv",
            &shared(&format!("releases/{release}/ltla-reconstructed.csv")),
            Place::Link,
        );
    }

    fn publish(&self) -> Run {
        Casewire::new()
            .args(["publish", "--config", arg(&self.config())])
            .run()
    }

    /// Every file in the output folder, by its path there.
    fn files(&self) -> Vec<String> {
        fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).into_iter().flatten() {
                let e = e.unwrap();
                let name = format!("{prefix}{}", e.file_name().to_string_lossy());
                if e.file_type().unwrap().is_dir() {
                    walk(&e.path(), &format!("{name}/"), out);
                } else {
                    out.push(name);
                }
            }
        }
        let mut names = Vec::new();
        walk(&self.out(), "", &mut names);
        names.sort();
        names
    }
}

/// Every file under `dir` with its bytes, hidden ones included.
fn contents(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, prefix: &str, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).into_iter().flatten() {
            let e = e.unwrap();
            let name = format!("{prefix}{}", e.file_name().to_string_lossy());
            if e.file_type().unwrap().is_dir() {
                walk(&e.path(), &format!("{name}/"), out);
            } else {
                out.insert(name, std::fs::read(e.path()).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, "", &mut out);
    out
}
