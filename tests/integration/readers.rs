//! Reading the dashboard's layouts: told apart by content, normalised to one dataset.

use casewire::fetch::file::{read_data_bytes, read_population_bytes};
use casewire::fetch::{read_data_file, read_population_file};
use casewire::model::{DatasetBuilder, ROLLING_SUM_METRIC};

use crate::support::*;

fn read(paths: &[std::path::PathBuf]) -> casewire::model::Dataset {
    casewire::draft::load_data(paths).unwrap()
}

/// The v2 JSON of 2021-01-18 and the CSV of the same release are the same data.
#[test]
fn v2_json_and_csv_of_one_release_are_the_same_dataset() {
    let csv = read(&[shared("releases/2021-01-18/utla.csv")]);
    let json = read(&[shared("releases/2021-01-18/utla.json")]);
    assert_eq!(csv.areas.len(), json.areas.len());
    assert_eq!(csv.areas, {
        // Sources differ by name only.
        let mut a = json.areas.clone();
        for area in &mut a {
            area.sources = vec![0];
        }
        a
    });
    assert_eq!(json.sources[0].layout, "legacy v2 JSON");
    assert_eq!(csv.sources[0].layout, "legacy dashboard CSV");
}

#[test]
fn layout_is_told_by_content_not_name() {
    // A JSON file named .csv still reads as JSON.
    let bytes = std::fs::read(fixture("data/tiny-v2.json")).unwrap();
    let mut b = DatasetBuilder::new();
    read_data_bytes(&mut b, "misnamed.csv", &bytes, None).unwrap();
    let d = b.finish().unwrap();
    assert_eq!(d.sources[0].layout, "legacy v2 JSON");
    assert_eq!(d.areas.len(), 3);
}

#[test]
fn v1_envelope_maps_structure_keys_back_to_metrics() {
    let d = read(&[fixture("data/v1.json")]);
    assert_eq!(d.sources[0].layout, "legacy v1 JSON");
    let bromley = d.area("ltla", "E09000006").unwrap();
    assert_eq!(bromley.name, "Bromley");
    assert_eq!(bromley.cases, vec![Some(30), Some(28)]);
    assert_eq!(
        bromley.extra_on(ROLLING_SUM_METRIC, date("2021-01-14")),
        Some(204.0)
    );
    let lewisham = d.area("ltla", "E09000023").unwrap();
    // null is no data, never zero; a number given as a string is read as the number.
    assert_eq!(lewisham.cases, vec![Some(32), None]);
}

#[test]
fn blanks_are_no_data_and_identical_repeats_collapse() {
    let d = read(&[fixture("data/blank-day.csv")]);
    let dartford = d.area("ltla", "E07000107").unwrap();
    assert_eq!(dartford.cases_on(date("2021-01-13")), None);
    assert_eq!(dartford.cases_on(date("2021-01-12")), Some(4));
    let repeated = read(&[fixture("data/repeats.csv")]);
    let plain = read(&[fixture("data/tiny.csv")]);
    assert_eq!(repeated.areas, plain.areas);
}

#[test]
fn files_merge_and_overlaps_must_agree() {
    // The same rows twice, from two files: identical, so collapsed.
    let twice = read(&[fixture("data/tiny.csv"), fixture("data/tiny-v2.json")]);
    assert_eq!(twice.areas.len(), 3);
    assert_eq!(twice.area("ltla", "E09000006").unwrap().sources, vec![0, 1]);
    // A conflict across files names both.
    let err = casewire::draft::load_data(&[fixture("data/tiny.csv"), fixture("data/conflict.csv")])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("tiny.csv:7") && err.contains("conflict.csv:27"),
        "{err}"
    );
}

#[test]
fn rolling_sums_are_cross_checked_not_trusted() {
    let mut request = january_request();
    request.patch = fixture("patches/tiny.toml");
    request.population = fixture("data/population.csv");
    request.data = vec![fixture("data/tiny-v2.json")];
    casewire::draft::draft(&request).expect("a rolling sum that agrees passes");
    request.data = vec![fixture("data/wrong-rolling-sum.json")];
    let err = casewire::draft::draft(&request).unwrap_err().to_string();
    assert_eq!(
        err,
        "Bromley (E09000006): the source gives a 7-day sum of 999 to 2021-01-14, but its daily counts add up to 165"
    );
}

#[test]
fn unreadable_layouts_say_what_was_expected() {
    let mut b = DatasetBuilder::new();
    let err = read_data_file(&mut b, &fixture("data/not-dashboard.csv"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("expected a CSV header with areaCode and date"),
        "{err}"
    );
    assert!(err.contains("found \"not,a,dashboard\""), "{err}");
    let err = read_data_file(&mut b, &fixture("data/truncated.json"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("truncated.json: malformed JSON at line 1"),
        "{err}"
    );
    let err = read_data_bytes(&mut b, "empty.csv", b"  \n", None)
        .unwrap_err()
        .to_string();
    assert_eq!(err, "empty.csv is empty");
    let err = read_data_bytes(&mut b, "x.json", br#"{"rows": []}"#, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"body\" (v2) or \"data\" (v1)"), "{err}");
}

#[test]
fn population_tables_in_both_layouts() {
    let (plain, notes) = read_population_file(&fixture("data/population.csv")).unwrap();
    assert!(notes.is_empty());
    let (supplement, _) = read_population_file(&fixture("data/population-supplement.csv")).unwrap();
    assert_eq!(
        plain.by_code, supplement.by_code,
        "only the ALL rows are totals"
    );
    let (real, notes) =
        read_population_file(&shared("population/ONS-population_2021-08-05.csv")).unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(real.get("E09000006"), Some(332_752));
    let (mid2019, notes) = read_population_file(&shared("population/mid-2019.csv")).unwrap();
    assert_eq!(
        mid2019.get("E09000012"),
        Some(290_841),
        "Hackney with the City of London"
    );
    assert!(notes[0].contains("E09000012 is given twice"), "{notes:?}");
    let err = read_population_bytes("p.csv", b"areaCode,people\nE1,2\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a population table"), "{err}");
    let err = read_population_bytes("p.csv", b"areaCode,areaName,population\nE1,X,-5\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("p.csv:2: population of E1 is \"-5\""), "{err}");
}
