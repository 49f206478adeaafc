//! The crate's layout as the pipeline reads: each module imports only the layers below it, no
//! source file holds more than one file's worth of responsibilities, and the command line
//! stays a thin layer. Read from the source text, so a new import that climbs a layer fails
//! here rather than in a reviewer's memory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::root;

/// The library's top-level modules, bottom layer first. A module may use any module of a
/// lower layer and none of its own layer or above.
const LAYERS: &[&[&str]] = &[
    &["model", "lang", "fsio", "geo"],
    &["stats", "gates", "fetch"],
    &["config"],
    &["story"],
    &["facts", "render", "copy"],
    &["lint"],
    &["audit"],
    &["draft"],
    &["deliver"],
    &["publish"],
    &["review"],
    &["serve"],
];

/// The longest a source file may grow before it holds more than one responsibility.
const MAX_LINES: usize = 800;

/// The command line maps arguments to requests, prints and maps errors; the rest is library.
const MAX_MAIN_LINES: usize = 300;

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file under `src/` belongs to (`src/fetch/file/csv.rs` → `fetch`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// Every `crate::NAME` a file's code (not its comments) names.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push((i + 1, name));
            }
            rest = after;
        }
    }
    found
}

#[test]
fn every_module_imports_only_the_layers_below_it() {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut climbs = Vec::new();
    let mut unknown = BTreeMap::new();
    for file in &files {
        let module = module_of(&src, file);
        if matches!(module.as_str(), "lib" | "main") {
            continue;
        }
        let Some(own) = layer_of(&module) else {
            unknown.insert(module, file.display().to_string());
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (line, used) in crate_paths(&text) {
            if used == module {
                continue;
            }
            match layer_of(&used) {
                Some(layer) if layer < own => {}
                _ => climbs.push(format!(
                    "{}:{line}: {module} uses crate::{used}",
                    file.strip_prefix(root()).unwrap().display()
                )),
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "modules missing from LAYERS (place each in its layer): {unknown:?}"
    );
    assert!(
        climbs.is_empty(),
        "imports that climb a layer or stay on their own:\n{}",
        climbs.join("\n")
    );
}

#[test]
fn every_module_of_the_library_is_placed_in_a_layer() {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    for line in lib.lines() {
        if let Some(name) = line.trim().strip_prefix("pub mod ") {
            let name = name.trim_end_matches(';');
            assert!(layer_of(name).is_some(), "{name} is in no layer");
        }
    }
}

#[test]
fn no_source_file_holds_more_than_one_files_worth() {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > MAX_LINES).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:?}");
}

/// Each source file under `src/` (its path from the crate's root) with its library code: the
/// numbered lines before its test module, comments left out.
fn library_code() -> Vec<(String, Vec<(usize, String)>)> {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files
        .iter()
        .map(|f| {
            let rel = f
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .to_string();
            let text = std::fs::read_to_string(f).unwrap();
            let code = text
                .lines()
                .enumerate()
                .take_while(|(_, l)| !l.starts_with("#[cfg(test)]"))
                .filter(|(_, l)| !l.trim_start().starts_with("//"))
                .map(|(n, l)| (n + 1, l.to_string()))
                .collect();
            (rel, code)
        })
        .collect()
}

/// Files are written, renamed and appended to in one module, `fsio`, which knows how to do it
/// whole or not at all; everything else hands it bytes.
#[test]
fn only_fsio_writes_files() {
    let writes = [
        "fs::write(",
        "File::create(",
        "OpenOptions::new(",
        "fs::rename(",
        "fs::copy(",
    ];
    let mut found = Vec::new();
    for (rel, code) in library_code() {
        if rel.starts_with("src/fsio") || rel.ends_with("_tests.rs") {
            continue;
        }
        for (n, line) in code {
            if writes.iter().any(|w| line.contains(w)) {
                found.push(format!("{rel}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "files written outside fsio: {found:#?}");
}

#[test]
fn the_command_line_stays_a_thin_layer() {
    let main = std::fs::read_to_string(root().join("src/main.rs")).unwrap();
    let n = main.lines().count();
    assert!(n <= MAX_MAIN_LINES, "src/main.rs has {n} lines");
    let library = library_code();
    for printing in ["println!", "eprintln!"] {
        for (rel, code) in &library {
            if rel.starts_with("src/main") || rel == "src/fetch/progress.rs" {
                continue;
            }
            assert!(
                !code.iter().any(|(_, l)| l.contains(printing)),
                "{rel} prints with {printing}: the library returns what it has to say"
            );
        }
    }
}
