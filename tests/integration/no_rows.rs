//! A data file with a header and no rows is said to hold no rows, naming it, not taken as data
//! of no area type.

use crate::support::*;

#[test]
fn a_header_without_rows_is_said_to_hold_none() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("header.csv");
    std::fs::write(
        &data,
        "areaCode,areaName,areaType,date,newCasesBySpecimenDate\n",
    )
    .unwrap();
    let run = Casewire::new()
        .args(["draft", "--patch", arg(&se_london()), "--data", arg(&data)])
        .args(["--population", arg(&shared("population/mid-2019.csv"))])
        .args(["--release", "2021-01-18"])
        .code(1);
    assert!(
        run.stderr.contains(&format!(
            "error: no newCasesBySpecimenDate rows in {}",
            data.display()
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("area types"), "{}", run.stderr);
}
