//! A release cut short, or missing areas, is refused: the real 2021-01-18 file cut half-way at
//! a line boundary, inside a number, and exactly where an area begins.

use std::collections::BTreeSet;
use std::path::Path;

use casewire::fetch::read_data_file;
use casewire::gates::{
    ExpectedAreas, ExpectedFrom, Gate, GateConfig, GateInput, GateReport, Severity, check_release,
};
use casewire::model::{Dataset, DatasetBuilder, Population};

use crate::support::*;

fn full() -> Vec<u8> {
    std::fs::read(shared("releases/2021-01-18/ltla-reconstructed.csv")).unwrap()
}

/// The first `lines` lines of the real file (header included), each with its newline.
fn first_lines(lines: usize) -> Vec<u8> {
    let bytes = full();
    let end = memchr_nth(&bytes, lines);
    bytes[..end].to_vec()
}

fn memchr_nth(bytes: &[u8], n: usize) -> usize {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(n - 1)
        .map(|(i, _)| i + 1)
        .unwrap()
}

fn read(path: &Path) -> Result<Dataset, String> {
    let mut b = DatasetBuilder::new();
    read_data_file(&mut b, path).map_err(|e| e.to_string())?;
    b.finish().map_err(|e| e.to_string())
}

fn gates(data: &Dataset, expected: Option<&ExpectedAreas>) -> GateReport {
    let universe: BTreeSet<String> = data.areas.iter().map(|a| a.code.clone()).collect();
    let mut config = GateConfig::default();
    // Only what this file is about: the population and the schedule are other tests'.
    config.severity.population_missing = Severity::Off;
    config.severity.stale_data = Severity::Off;
    check_release(
        &GateInput {
            dataset: data,
            area_type: "ltla",
            universe: &universe,
            release: date("2021-01-18"),
            week_end: date("2021-01-13"),
            today: None,
            population: &Population::default(),
            previous_population: None,
            previous_dataset: None,
            config: &config,
        },
        expected,
    )
}

fn write(dir: &Path, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join("ltla-reconstructed.csv");
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn completeness_the_whole_release_passes() {
    let path = shared("releases/2021-01-18/ltla-reconstructed.csv");
    let data = read(&path).unwrap();
    let expected = ExpectedAreas::of_dataset(
        &data,
        "ltla",
        ExpectedFrom::File {
            path: path.display().to_string(),
        },
    );
    let report = gates(&data, Some(&expected));
    assert!(report.of_gate(Gate::MissingAreas).is_empty(), "{report}");
    assert!(report.of_gate(Gate::SeriesStopped).is_empty(), "{report}");
}

#[test]
fn completeness_a_file_cut_half_way_at_a_line_boundary_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // 9,120 lines: Mansfield's last row (2020-12-01) and every area after it are cut off.
    let path = write(dir.path(), &first_lines(9120));
    let data = read(&path).unwrap();
    let report = gates(&data, None);
    assert!(report.is_blocking(), "{report}");
    let stopped = report.of_gate(Gate::SeriesStopped);
    assert_eq!(stopped.len(), 1, "{report}");
    assert_eq!(
        stopped[0].to_string(),
        format!(
            "error: series-stopped: Mansfield (E07000174): the series starts at 2020-12-02, \
             after 2020-12-01, where every other area's starts (in {}): a file in the \
             dashboard's order (newest day first) cut short in this area",
            path.display()
        )
    );
}

#[test]
fn completeness_a_file_cut_inside_a_number_is_refused_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = first_lines(9121);
    // Line 9,122 is "E07000175,Newark and Sherwood,ltla,2021-01-17,40": cut after the 4, so
    // the row still has five fields and a count that reads, 4.
    let next = &full()[bytes.len()..];
    assert!(next.starts_with(b"E07000175,Newark and Sherwood,ltla,2021-01-17,40\n"));
    bytes.extend_from_slice(b"E07000175,Newark and Sherwood,ltla,2021-01-17,4");
    let path = write(dir.path(), &bytes);
    assert_eq!(
        read(&path).unwrap_err(),
        format!(
            "{}:9122: the last line is not complete (the file ends without a newline): the \
             file was cut short, and is not read as a release",
            path.display()
        )
    );
    // The same bytes as a response body (the legacy API's CSV) are refused the same way.
    let mut b = DatasetBuilder::new();
    let err = casewire::fetch::read_data_bytes(&mut b, "https://api.example/v2", &bytes, None)
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("https://api.example/v2:9122: the last line")
    );
}

#[test]
fn completeness_a_file_cut_where_an_area_begins_is_refused_naming_the_missing_areas() {
    let full_path = shared("releases/2021-01-18/ltla-reconstructed.csv");
    let previous = read(&full_path).unwrap();
    let expected = ExpectedAreas::of_dataset(
        &previous,
        "ltla",
        ExpectedFrom::File {
            path: "releases/2021-01-17/ltla.csv".into(),
        },
    );
    let dir = tempfile::tempdir().unwrap();
    // 9,121 lines end with Mansfield's last row: Newark and Sherwood, and all after, are gone.
    let path = write(dir.path(), &first_lines(9121));
    let data = read(&path).unwrap();
    // Every area left is whole, so only what was expected can tell.
    assert!(gates(&data, None).of_gate(Gate::SeriesStopped).is_empty());
    let report = gates(&data, Some(&expected));
    let missing = report.of_gate(Gate::MissingAreas);
    assert_eq!(missing.len(), 1, "{report}");
    let gone = previous.areas.len() - data.areas.len();
    assert_eq!(
        missing[0].to_string(),
        format!(
            "error: missing-areas: {gone} of the {} ltla areas in the previous release \
             (releases/2021-01-17/ltla.csv) are missing from this release: Newark and Sherwood \
             (E07000175), Rushcliffe (E07000176), Cherwell (E07000177), Oxford (E07000178), \
             South Oxfordshire (E07000179), Vale of White Horse (E07000180), West Oxfordshire \
             (E07000181), Mendip (E07000187), Sedgemoor (E07000188), South Somerset \
             (E07000189) and {} others",
            previous.areas.len(),
            gone - 10
        )
    );
    // Its severity is set like any gate's.
    let toml = "[severity]\nmissing_areas = \"warn\"\n";
    let config: GateConfig = toml::from_str(toml).unwrap();
    assert_eq!(config.severity.of(Gate::MissingAreas), Severity::Warn);
}
