//! Fuzzing every parser with proptest, bounded so CI stays fast: arbitrary bytes, and valid
//! documents mutated (bytes flipped, cut, spliced, repeated). Each parser must return (an
//! error is fine, with a message) without panicking and in bounded time.
//!
//! `tests/fixtures/fuzz/` is the corpus: every file there is run through every parser, and a
//! crash found here is added there with a named test below.

use std::path::{Path, PathBuf};

use casewire::config::Patch;
use casewire::draft::{DraftRequest, draft, slug};
use casewire::fetch::file::{read_data_bytes, read_population_bytes};
use casewire::lint::lint;
use casewire::model::DatasetBuilder;
use casewire::publish::Newsroom;
use proptest::prelude::*;

use crate::support::{date, fixture, root};

/// Cases per target: bounded for CI; set `CASEWIRE_FUZZ_CASES` for a longer run.
fn cases(default: u32) -> u32 {
    std::env::var("CASEWIRE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs one parser on one input, naming both if the parser panics. No test asserts a time
/// (the machine is shared, and speed is the benchmarks' to show).
fn guarded<T>(what: &str, input: &[u8], f: impl FnOnce() -> T) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(out) => out,
        Err(_) => panic!(
            "{what} panicked on {} bytes: {:?}",
            input.len(),
            String::from_utf8_lossy(&input[..input.len().min(200)])
        ),
    }
}

/// Runs `bytes` through every parser. Errors must say something; nothing may panic.
fn every_parser(bytes: &[u8]) {
    for release in [None, Some(date("2021-01-18"))] {
        let mut builder = DatasetBuilder::new();
        let read = guarded("read_data_bytes", bytes, || {
            read_data_bytes(&mut builder, "fuzz.csv", bytes, release)
        });
        match read {
            Ok(_) => {
                if let Err(e) = guarded("DatasetBuilder::finish", bytes, || builder.finish()) {
                    assert!(!e.to_string().is_empty());
                }
            }
            Err(e) => assert!(e.to_string().contains("fuzz.csv"), "{e}"),
        }
    }
    match guarded("read_population_bytes", bytes, || {
        read_population_bytes("fuzz-population.csv", bytes)
    }) {
        Ok(_) => {}
        Err(e) => assert!(e.to_string().contains("fuzz-population.csv"), "{e}"),
    }
    let text = String::from_utf8_lossy(bytes);
    if let Err(e) = guarded("Patch::parse", bytes, || {
        Patch::parse(Path::new("fuzz-patch.toml"), &text)
    }) {
        assert!(e.to_string().contains("fuzz-patch.toml"), "{e}");
    }
    if let Err(e) = guarded("Newsroom::parse", bytes, || {
        Newsroom::parse(Path::new("/newsroom/fuzz.toml"), &text)
    }) {
        assert!(e.to_string().contains("fuzz.toml"), "{e}");
    }
    for finding in guarded("lint", bytes, || lint(&text)) {
        assert!(finding.line >= 1 && finding.column >= 1, "{finding:?}");
        assert!(!finding.message.is_empty());
    }
}

/// The valid documents mutations start from: one of each format every parser reads.
fn seeds() -> Vec<Vec<u8>> {
    [
        "data/tiny.csv",
        "data/tiny-v2.json",
        "data/v1.json",
        "data/population.csv",
        "data/population-supplement.csv",
        "data/hostile.csv",
        "fetch/v1-page1.json",
        "patches/tiny.toml",
        "patches/hostile.toml",
        "lint/slips.md",
    ]
    .iter()
    .map(|f| std::fs::read(fixture(f)).unwrap())
    .chain([std::fs::read(root().join("examples/newsroom.toml")).unwrap()])
    .collect()
}

/// One change to a document.
#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Repeat(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop_oneof![
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\0".to_vec()),
        Just(b"\xFF\xFE".to_vec()),
        Just(b"-1".to_vec()),
        Just(b"null".to_vec()),
        Just(b"1e309".to_vec()),
        Just(b"99999999999999999999".to_vec()),
        Just(b"NaN".to_vec()),
        Just(b"2021-02-30".to_vec()),
        Just(b"9999-12-31".to_vec()),
        Just(b"{".to_vec()),
        Just(b"[".to_vec()),
        Just(b"]]]}".to_vec()),
        Just(b"=".to_vec()),
        Just(b"[[story]]\n".to_vec()),
        Just("\u{202E}".as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 1..16),
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), interesting).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Repeat(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(mut doc: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = doc.len().max(1);
        match m {
            Mutation::Flip(i, b) => {
                if !doc.is_empty() {
                    doc[i % len] = *b;
                }
            }
            Mutation::Insert(i, bytes) => {
                let at = i % (doc.len() + 1);
                doc.splice(at..at, bytes.iter().copied());
            }
            Mutation::Delete(i, n) => {
                let at = i % len;
                let end = (at + n).min(doc.len());
                if at < end {
                    doc.drain(at..end);
                }
            }
            Mutation::Repeat(i, n) => {
                let at = i % len;
                let end = (at + n).min(doc.len());
                if at < end {
                    let copy = doc[at..end].to_vec();
                    doc.splice(end..end, copy);
                }
            }
            Mutation::Truncate(i) => doc.truncate(i % len),
        }
    }
    doc
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn fuzz_arbitrary_bytes_through_every_parser(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        every_parser(&bytes);
    }

    #[test]
    fn fuzz_arbitrary_text_through_every_parser(text in "\\PC{0,512}") {
        every_parser(text.as_bytes());
    }

    #[test]
    fn fuzz_mutated_documents_through_every_parser(
        seed in 0usize..11,
        mutations in proptest::collection::vec(mutation(), 1..8),
    ) {
        let doc = mutate(seeds()[seed].clone(), &mutations);
        every_parser(&doc);
    }

    /// CSV whose fields are the awkward values a feed can send, in the dashboard's columns.
    #[test]
    fn fuzz_dashboard_csv_fields(rows in proptest::collection::vec(
        (
            prop_oneof![Just("E09000006".to_string()), Just(String::new()), "[A-Z0-9]{0,12}"],
            prop_oneof![Just("Bromley".to_string()), Just(String::new()), "\\PC{0,20}"],
            prop_oneof![Just("ltla".to_string()), Just("utla".to_string()), "\\PC{0,8}"],
            prop_oneof![
                Just("2021-01-17".to_string()),
                "20[0-9]{2}-[0-1][0-9]-[0-3][0-9]",
                "\\PC{0,12}",
            ],
            prop_oneof![
                (0i64..100_000).prop_map(|n| n.to_string()),
                any::<i64>().prop_map(|n| n.to_string()),
                Just(String::new()),
                Just("null".to_string()),
                Just("1.5".to_string()),
                Just("1e309".to_string()),
                Just("-0".to_string()),
                "\\PC{0,12}",
            ],
        ),
        0..40,
    )) {
        let mut csv = String::from("areaCode,areaName,areaType,date,newCasesBySpecimenDate\n");
        for (code, name, kind, day, value) in rows {
            let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
            csv.push_str(&[code, name, kind, day, value].iter().map(|s| quote(s)).collect::<Vec<_>>().join(","));
            csv.push('\n');
        }
        every_parser(csv.as_bytes());
    }

    /// Slugs stay inside the output folder whatever the name and code.
    #[test]
    fn fuzz_slugs_never_leave_the_folder(name in "\\PC{0,300}", code in "\\PC{0,40}") {
        let s = slug(&name, &code);
        prop_assert!(!s.is_empty() && s.len() <= 100, "{s}");
        prop_assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{s}");
        prop_assert!(!s.starts_with('-') && !s.contains(".."), "{s}");
    }
}

/// Tiny's three areas over the 17 days to 2021-01-17, with any counts and populations.
fn tiny_with(counts: &[Option<i64>], populations: &[i64]) -> (tempfile::TempDir, DraftRequest) {
    let dir = tempfile::tempdir().unwrap();
    let areas = [
        ("E09000006", "Bromley"),
        ("E09000023", "Lewisham"),
        ("E07000107", "Dartford"),
    ];
    let mut csv = String::from("areaCode,areaName,areaType,date,newCasesBySpecimenDate\n");
    let mut pop = String::from("areaCode,areaName,population\n");
    for (a, (code, name)) in areas.iter().enumerate() {
        for d in 0..17 {
            let day = date("2021-01-01") + chrono::Duration::days(d as i64);
            let value = counts[a * 17 + d].map_or(String::new(), |c| c.to_string());
            csv.push_str(&format!("{code},{name},ltla,{day},{value}\n"));
        }
        pop.push_str(&format!("{code},{name},{}\n", populations[a]));
    }
    std::fs::write(dir.path().join("data.csv"), csv).unwrap();
    std::fs::write(dir.path().join("population.csv"), pop).unwrap();
    let request = crate::support::request(
        fixture("patches/tiny.toml"),
        vec![dir.path().join("data.csv")],
        dir.path().join("population.csv"),
        "2021-01-18",
    );
    (dir, request)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    /// Whole stories from any counts: extreme, negative, missing, zero populations. A story
    /// comes out, or a clear refusal; never a panic, and never a figure that is not a number.
    #[test]
    fn fuzz_any_counts_give_a_story_or_a_refusal(
        counts in proptest::collection::vec(prop_oneof![
            8 => (0i64..2_000).prop_map(Some),
            1 => (0i64..=i64::from(i32::MAX)).prop_map(Some),
            1 => any::<i64>().prop_map(Some),
            1 => (-50i64..0).prop_map(Some),
            1 => Just(None),
        ], 51),
        populations in proptest::collection::vec(prop_oneof![
            8 => 1_000i64..1_000_000,
            1 => Just(0i64),
            1 => Just(1i64),
            1 => any::<i64>(),
        ], 3),
    ) {
        let (_dir, request) = tiny_with(&counts, &populations);
        match draft(&request) {
            Ok(d) => {
                for bad in ["NaN", "inf", "-0.0"] {
                    prop_assert!(!d.output.contains(bad), "{bad} in {}", d.output);
                }
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture("fuzz"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    files
}

#[test]
fn fuzz_corpus_goes_through_every_parser() {
    let files = corpus();
    assert!(files.len() >= 20, "the corpus is {} files", files.len());
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let result = std::panic::catch_unwind(|| every_parser(&bytes));
        assert!(result.is_ok(), "{} made a parser panic", file.display());
    }
}

/// Found by the corpus run: text full of template marks and no spaces (a feed's JSON pasted
/// into copy) made the lint quote the whole line at every mark and scan every token for every
/// quote, taking seconds for 18 KB and growing with the square of the length.
#[test]
fn fuzz_regression_lint_stays_linear_on_text_full_of_marks() {
    let reproducer = std::fs::read_to_string(fixture("fuzz/deep-object.json")).unwrap();
    let big = format!(
        "{{\"body\":{}1{}}}",
        "{\"a\":".repeat(12_000),
        "}".repeat(12_000)
    );
    for text in [reproducer, big] {
        let findings = lint(&text);
        assert!(!findings.is_empty());
        for f in &findings {
            assert!(f.snippet.len() < 200 && f.sentence.len() < 1_000, "{f:?}");
        }
    }
}

/// Found by `fuzz_mutated_documents_through_every_parser` (a mangled newsroom file): text
/// ending in a figure and "per" made the lint read past its last token and panic.
#[test]
fn fuzz_regression_lint_text_ending_in_per_does_not_panic() {
    for text in [
        "The rate in Bromley was 254.0 per",
        "254.0 cases per",
        "per",
        "5 per\n\nper 100,000",
    ] {
        lint(text);
    }
    let reproducer =
        std::fs::read(fixture("fuzz/lint-per-at-the-end-mutated-newsroom.toml")).unwrap();
    lint(&String::from_utf8_lossy(&reproducer));
    every_parser(&reproducer);
}
