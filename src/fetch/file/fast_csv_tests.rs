//! The fast reader of the dashboard's CSV layout reads exactly what the general CSV reader
//! reads: the same dataset, or the same error.

use std::path::PathBuf;

use proptest::prelude::*;

use super::csv::read_csv_general;
use super::{DashboardCsv, read_data_bytes, read_data_file};
use crate::model::{Dataset, DatasetBuilder};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test dates are valid")
}

fn read(label: &str, bytes: &[u8]) -> Result<Dataset, String> {
    let mut b = DatasetBuilder::new();
    read_data_bytes(&mut b, label, bytes, None).map_err(|e| e.to_string())?;
    b.finish().map_err(|e| e.to_string())
}

fn read_general(label: &str, bytes: &[u8]) -> Result<Dataset, String> {
    let mut b = DatasetBuilder::new();
    read_csv_general(&mut b, label, bytes, None).map_err(|e| e.to_string())?;
    b.finish().map_err(|e| e.to_string())
}

/// Both readers on the same bytes; returns whether the fast one took them.
fn same_both_ways(label: &str, bytes: &[u8]) -> bool {
    let fast = read(label, bytes);
    let general = read_general(label, bytes);
    assert_eq!(fast, general, "{label}");
    DashboardCsv::parse(bytes).is_some()
}

#[test]
fn every_real_csv_reads_the_same_and_fast() {
    let root = root().join("../shared/data");
    let mut files = Vec::new();
    for dir in ["archive", "releases"] {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let p = entry.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|e| e == "csv") {
                    files.push(p);
                }
            }
        }
    }
    assert!(files.len() > 10, "{files:?}");
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let label = path.display().to_string();
        assert!(
            same_both_ways(&label, &bytes),
            "{label} took the general reader"
        );
        let mut b = DatasetBuilder::new();
        read_data_file(&mut b, &path).unwrap();
        assert_eq!(Ok(b.finish().unwrap()), read(&label, &bytes), "{label}");
    }
}

#[test]
fn every_fixture_reads_the_same() {
    for entry in std::fs::read_dir(fixture("data")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let bytes = std::fs::read(&path).unwrap();
            same_both_ways(&path.display().to_string(), &bytes);
        }
    }
}

fn big_file(areas: usize) -> String {
    let mut text = String::from("areaCode,areaName,areaType,date,newCasesBySpecimenDate\n");
    let start = date("2021-06-30");
    for a in 0..areas {
        let name = if a % 7 == 0 {
            format!("\"Town {a}, City of\"")
        } else {
            format!("Town {a}")
        };
        for k in 0..600u64 {
            let day = start - chrono::Days::new(k);
            let value = if (a as u64 + k).is_multiple_of(97) {
                String::new()
            } else {
                ((a as u64 * 31 + k * 7) % 400).to_string()
            };
            text.push_str(&format!("E02{a:06},{name},msoa,{day},{value}\n"));
        }
    }
    text
}

fn read_file(text: &str) -> (Result<Dataset, String>, Result<Dataset, String>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    std::fs::write(&path, text).unwrap();
    let mut b = DatasetBuilder::new();
    let streamed = read_data_file(&mut b, &path)
        .map_err(|e| e.to_string())
        .and_then(|_| b.finish().map_err(|e| e.to_string()));
    let label = path.display().to_string();
    (streamed, read_general(&label, text.as_bytes()))
}

#[test]
fn a_file_streamed_in_blocks_and_halves_reads_as_a_whole() {
    // Several megabytes, so that lines straddle the reader's blocks and the file is read in
    // two halves, one area cut in two.
    let text = big_file(300);
    assert!(text.len() > 6 << 20);
    assert!(DashboardCsv::parse(text.as_bytes()).is_some());
    let (streamed, general) = read_file(&text);
    assert!(streamed.is_ok());
    assert_eq!(streamed, general);
    // A row the fast reader does not take, late in the second half: the general reader's
    // message, with the right line.
    let bad = format!("{text}E02000001,Town 1,msoa,2021-07-01,five\n");
    let (streamed, general) = read_file(&bad);
    assert!(
        streamed.as_ref().unwrap_err().contains(":180002: "),
        "{streamed:?}"
    );
    assert_eq!(streamed, general);
    // Another header: the general reader, for the whole file.
    let other = text.replacen("newCasesBySpecimenDate", "newCasesByPublishDate", 1);
    let (streamed, general) = read_file(&other);
    assert!(streamed.is_ok());
    assert_eq!(streamed, general);
    // A conflict between a row of the first half and one of the second names both lines.
    let conflict = format!("{text}E02000000,\"Town 0, City of\",msoa,2021-06-30,1\n");
    let (streamed, general) = read_file(&conflict);
    let err = streamed.clone().unwrap_err();
    assert!(
        err.contains("big.csv:2 ") && err.contains("big.csv:180002"),
        "{err}"
    );
    assert_eq!(streamed, general);
}

#[test]
fn conflicts_and_bad_rows_give_the_general_readers_messages() {
    let header = "areaCode,areaName,areaType,date,newCasesBySpecimenDate\n";
    let conflict =
        format!("{header}E1,A,ltla,2021-01-02,5\nE1,A,ltla,2021-01-01,4\nE1,A,ltla,2021-01-02,6\n");
    let err = read("c.csv", conflict.as_bytes()).unwrap_err();
    assert!(err.contains("c.csv:2") && err.contains("c.csv:4"), "{err}");
    assert!(DashboardCsv::parse(conflict.as_bytes()).is_some());
    let bad = format!("{header}E1,A,ltla,2021-01-02,5\nE1,A,ltla,2021-01-01,five\n");
    assert_eq!(
        read("b.csv", bad.as_bytes()).unwrap_err(),
        "b.csv:3: E1 (A) on 2021-01-01: newCasesBySpecimenDate: \"five\" is not a whole \
         number of cases: it is not a number; the dashboard writes a day's count as a plain \
         whole number (12), so the value is refused rather than rounded"
    );
}

/// A field as a file might hold it: plain, padded, quoted, with a comma or a quote inside.
fn name_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Bexley".to_string()),
        Just("Bromley".to_string()),
        Just(" Bexley ".to_string()),
        Just("\"Hull, City of\"".to_string()),
        Just("\"Say \"\"Hi\"\"\"".to_string()),
        Just("Ynys Môn".to_string()),
        Just("\"Bexley\"".to_string()),
    ]
}

fn value_text() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0u32..500).prop_map(|v| v.to_string()),
        1 => Just(String::new()),
        1 => Just("null".to_string()),
        1 => Just(" 7".to_string()),
        1 => Just("12.0".to_string()),
        1 => Just("-3".to_string()),
        1 => Just("+4".to_string()),
        1 => Just("0012".to_string()),
        1 => Just("9999999999".to_string()),
        1 => Just("1.5".to_string()),
    ]
}

/// One row: area, how far the date moves from the row before, value; now and then a row that
/// is off in some way.
fn row() -> impl Strategy<Value = (usize, String, i64, String, u8)> {
    (0usize..3, name_text(), -2i64..=2, value_text(), 0u8..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn any_rows_read_the_same_both_ways(
        rows in prop::collection::vec(row(), 0..60),
        descending in any::<bool>(),
        clean in any::<bool>(),
    ) {
        let mut text = String::from("areaCode,areaName,areaType,date,newCasesBySpecimenDate\n");
        let codes = ["E09000004", "E09000006", "W06000001"];
        let mut day = date("2021-03-01");
        for (area, name, step, mut value, mut odd) in rows {
            // Half the files hold only what the fast reader takes, so that it is exercised.
            if clean {
                odd = 39;
                if value.len() > 9 || (!value.bytes().all(|b| b.is_ascii_digit()) && value != "-3") {
                    value = "1".to_string();
                }
            }
            let step = if descending { -step.abs() } else { step };
            day = if step < 0 {
                day - chrono::Days::new(step.unsigned_abs())
            } else {
                day + chrono::Days::new(step as u64)
            };
            let line = match odd {
                0 => format!("{},{name},ltla,{day}\n", codes[area]),
                1 => format!("{},{name},ltla,{day},{value},9\n", codes[area]),
                2 => format!(",{name},ltla,{day},{value}\n"),
                3 => format!("{},{name},ltla,2021-02-30,{value}\n", codes[area]),
                4 => "\n".to_string(),
                5 => format!("{},{name},utla,{day},{value}\n", codes[area]),
                _ => format!("{},{name},ltla,{day},{value}\n", codes[area]),
            };
            text.push_str(&line);
        }
        prop_assert_eq!(read("p.csv", text.as_bytes()), read_general("p.csv", text.as_bytes()));
        if clean {
            prop_assert!(DashboardCsv::parse(text.as_bytes()).is_some(), "{}", text);
        }
        // Without a final newline too.
        let trimmed = text.trim_end_matches('\n');
        prop_assert_eq!(read("p.csv", trimmed.as_bytes()), read_general("p.csv", trimmed.as_bytes()));
    }
}

/// Windows line ends are the fast reader's to take; a padded count sends the same file to the
/// general reader.
#[test]
fn crlf_is_taken_by_the_fast_reader_and_padding_is_not() {
    let lf = std::fs::read_to_string(fixture("data/tiny.csv")).unwrap();
    let crlf = lf.replace('\n', "\r\n");
    assert!(DashboardCsv::parse(crlf.as_bytes()).is_some());
    let padded = crlf.replacen(",18\r\n", ", 18\r\n", 1);
    assert!(DashboardCsv::parse(padded.as_bytes()).is_none());
}
