//! RELIABILITY.md is kept true: every test it names exists, and every fault, fuzz, TLS and
//! hostile-input test is in it.

use crate::support::every_file;

#[test]
fn reliability_md_names_real_tests_and_every_fault_test() {
    let root = crate::support::root();
    let doc = std::fs::read_to_string(root.join("RELIABILITY.md")).unwrap();
    let dir = root.join("tests/integration");
    let mut functions = std::collections::BTreeSet::new();
    let mut must_list = Vec::new();
    // Every test file, those of a module split into a folder (`faults/transport.rs`) too.
    for (file, bytes) in every_file(&dir) {
        if !file.ends_with(".rs") {
            continue;
        }
        // The module a file belongs to: `faults` for `faults.rs` and for `faults/*.rs`.
        let module = file.split('/').next().unwrap().trim_end_matches(".rs");
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let Some(rest) = line
                .trim_start()
                .strip_prefix("fn ")
                .or_else(|| line.trim_start().strip_prefix("async fn "))
            else {
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let is_test = i > 0 && lines[i - 1].contains("test");
            if is_test
                && ["faults", "fuzz", "tls", "hostile"].contains(&module)
                && name != "reliability_md_names_real_tests_and_every_fault_test"
            {
                must_list.push(name.clone());
            }
            functions.insert(name);
        }
    }
    let mut named = Vec::new();
    for row in doc.lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = row.trim_end_matches('|').split('|').collect();
        let last = cells.last().unwrap();
        for (i, part) in last.split('`').enumerate() {
            if i % 2 == 1
                && part.contains('_')
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                named.push(part.to_string());
            }
        }
    }
    assert!(named.len() > 60, "{} tests named", named.len());
    for name in &named {
        assert!(
            functions.contains(name),
            "RELIABILITY.md names {name}, which is no test"
        );
    }
    for name in &must_list {
        assert!(named.contains(name), "{name} is not in RELIABILITY.md");
    }
}
