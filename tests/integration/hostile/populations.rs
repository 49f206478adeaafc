//! Populations no real area has: zero, larger than any UK area's, or ten times the previous
//! table's or the source's own are the `implausible-population` gate's error, naming the area
//! and the value.

use super::edited;
use crate::support::*;

fn population_gate(
    data: &casewire::model::Dataset,
    population: &casewire::model::Population,
    previous: Option<&casewire::model::Population>,
) -> Vec<String> {
    let universe: std::collections::BTreeSet<String> =
        data.areas.iter().map(|a| a.code.clone()).collect();
    let config = casewire::gates::GateConfig::default();
    let report = casewire::gates::check_inputs(&casewire::gates::GateInput {
        dataset: data,
        area_type: "ltla",
        universe: &universe,
        release: date("2021-01-18"),
        week_end: date("2021-01-14"),
        today: None,
        population,
        previous_population: previous,
        previous_dataset: None,
        config: &config,
    });
    report
        .of_gate(casewire::gates::Gate::ImplausiblePopulation)
        .iter()
        .map(|f| f.to_string())
        .collect()
}

/// A population of 0, one above any UK area's (2^63−1 made every rate 0.0 and a new leader),
/// or one ten times from the previous table's or from the one the source's own rolling rate
/// implies, is the `implausible-population` gate's error, naming the area and the value.
#[test]
fn implausible_populations_are_a_gate_error_naming_area_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let mut builder = casewire::model::DatasetBuilder::new();
    casewire::fetch::read_data_file(&mut builder, &fixture("data/tiny.csv")).unwrap();
    let data = builder.finish().unwrap();
    let table = |rows: &str| {
        let path = dir.path().join("pop.csv");
        std::fs::write(&path, format!("areaCode,areaName,population\n{rows}")).unwrap();
        casewire::fetch::read_population_file(&path).unwrap().0
    };
    let normal = "E09000023,Lewisham,305842\nE07000107,Dartford,113775\n";
    let label = dir.path().join("pop.csv").display().to_string();
    let max = table(&format!("E09000006,Bromley,9223372036854775807\n{normal}"));
    assert_eq!(
        population_gate(&data, &max, None),
        [format!(
            "error: implausible-population: Bromley (E09000006): population 9,223,372,036,854,775,807 in {label} is above 20,000,000, more than any UK area holds; every rate of the area would be wrong"
        )]
    );
    let big = table(&format!("E09000006,Bromley,25000000\n{normal}"));
    assert_eq!(population_gate(&data, &big, None).len(), 1);
    // Ten times the previous table's.
    let previous = table(&format!("E09000006,Bromley,332336\n{normal}"));
    let tenfold = table(&format!("E09000006,Bromley,3323361\n{normal}"));
    assert_eq!(
        population_gate(&data, &tenfold, Some(&previous)),
        [format!(
            "error: implausible-population: Bromley (E09000006): population 3,323,361 in {label} is more than 10 times from 332,336 in {label}"
        )]
    );
    assert!(population_gate(&data, &previous, Some(&previous)).is_empty());
    // The rate the source published (and its sum) imply Bromley's population.
    let mut builder = casewire::model::DatasetBuilder::new();
    let rolling = dir.path().join("rolling.csv");
    let text = std::fs::read_to_string(fixture("data/tiny.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = format!(
        "{},newCasesBySpecimenDateRollingSum,newCasesBySpecimenDateRollingRate\n",
        lines.next().unwrap()
    );
    for l in lines {
        let extra = if l.starts_with("E09000006,Bromley,ltla,2021-01-14,") {
            "165,49.6"
        } else {
            ","
        };
        out.push_str(&format!("{l},{extra}\n"));
    }
    std::fs::write(&rolling, out).unwrap();
    casewire::fetch::read_data_file(&mut builder, &rolling).unwrap();
    let with_rates = builder.finish().unwrap();
    let small = table(&format!("E09000006,Bromley,30000\n{normal}"));
    assert_eq!(
        population_gate(&with_rates, &small, None),
        [format!(
            "error: implausible-population: Bromley (E09000006): population 30,000 in {label} is more than 10 times from the 332,661 the source's own rolling rate and sum imply"
        )]
    );
    assert!(population_gate(&with_rates, &previous, None).is_empty());
    // 0: a table never holds it (refused on reading), and a population built with it is the gate's.
    std::fs::write(
        dir.path().join("zero.csv"),
        format!("areaCode,areaName,population\nE09000006,Bromley,0\n{normal}"),
    )
    .unwrap();
    let zero = dir.path().join("zero.csv");
    assert_eq!(
        casewire::fetch::read_population_file(&zero)
            .err()
            .unwrap()
            .to_string(),
        format!(
            "{}:2: population of E09000006 is \"0\", not a positive whole number",
            zero.display()
        )
    );
    let mut built = previous.clone();
    built.by_code.insert("E09000006".into(), 0);
    assert_eq!(
        population_gate(&data, &built, None),
        [format!(
            "error: implausible-population: Bromley (E09000006): population is 0 in {label}; no area has no people"
        )]
    );

    // Through the command line: refused; made a warning in the patch, drafted with it.
    let pop = dir.path().join("max.csv");
    std::fs::write(
        &pop,
        format!("areaCode,areaName,population\nE09000006,Bromley,9223372036854775807\n{normal}"),
    )
    .unwrap();
    let cli = |patch: &std::path::Path| {
        Casewire::new()
            .args([
                "draft",
                "--data",
                arg(&fixture("data/tiny.csv")),
                "--population",
                arg(&pop),
            ])
            .args(["--patch", arg(patch), "--release", "2021-01-18"])
    };
    let run = cli(&fixture("patches/tiny.toml")).code(3);
    assert!(run.stderr().contains("the data failed 1 input check(s); no story was written:\n  error: implausible-population: Bromley (E09000006): population 9,223,372,036,854,775,807"), "{}", run.stderr());
    let warn = edited(dir.path(), "patches/tiny.toml", "warn.toml", |t| {
        format!("{t}\n[gates.severity]\nimplausible_population = \"warn\"\n")
    });
    let run = cli(&warn).success();
    assert!(run.stderr().contains("warning: implausible-population: Bromley (E09000006): population 9,223,372,036,854,775,807"), "{}", run.stderr());
}
