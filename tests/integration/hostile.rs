//! Hostile inputs: names and settings full of Markdown, HTML and YAML metacharacters must print
//! as text and never change a story's structure, front matter or file layout; cells a
//! spreadsheet would run, characters that break formats or hide, names that collide,
//! populations no real area has and `--out` paths that are not a new file are neutralised or
//! refused before anything is written; CSV with Windows line ends is streamed.
//!
//! The helpers the tests share are here; the tests are in its submodules, by what is tried.

use crate::support::*;

mod characters;
mod collisions;
mod markup;
mod memory;
mod out;
mod populations;

/// A copy of a fixture, edited, in `dir`.
fn edited(
    dir: &std::path::Path,
    from: &str,
    name: &str,
    edit: impl Fn(String) -> String,
) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, edit(std::fs::read_to_string(fixture(from)).unwrap())).unwrap();
    path
}

fn read_error(path: &std::path::Path) -> String {
    let mut builder = casewire::model::DatasetBuilder::new();
    match casewire::fetch::read_data_file(&mut builder, path) {
        Err(e) => e.to_string(),
        Ok(_) => builder.finish().expect_err("refused").to_string(),
    }
}
