//! Each input gate against a small fixture that trips it and nothing else, and real weeks that
//! trip none.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use casewire::fetch::{read_data_file, read_population_file};
use casewire::gates::{Gate, GateConfig, GateInput, GateReport, Severity, check_inputs};
use casewire::model::{Dataset, DatasetBuilder, Population};
use chrono::NaiveDate;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/gates");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn dataset(path: &Path) -> Dataset {
    let mut builder = DatasetBuilder::new();
    read_data_file(&mut builder, path).unwrap();
    builder.finish().unwrap()
}

fn population(path: &Path) -> Population {
    read_population_file(path).unwrap().0
}

fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(name)
}

/// A run over the fixtures: the base files unless a test swaps one.
struct Case {
    data: &'static str,
    population: &'static str,
    previous_population: Option<&'static str>,
    previous_data: Option<&'static str>,
    today: Option<&'static str>,
    config: GateConfig,
}

impl Default for Case {
    fn default() -> Self {
        Self {
            data: "base.csv",
            population: "population.csv",
            previous_population: None,
            previous_data: None,
            today: Some("2021-01-18"),
            config: GateConfig::default(),
        }
    }
}

impl Case {
    fn run(&self) -> GateReport {
        let data = dataset(&fixture(self.data));
        let pop = population(&fixture(self.population));
        let previous_pop = self.previous_population.map(|p| population(&fixture(p)));
        let previous_data = self.previous_data.map(|p| dataset(&fixture(p)));
        let universe: BTreeSet<String> = ["E06000001", "E06000002"].map(String::from).into();
        check_inputs(&GateInput {
            dataset: &data,
            area_type: "ltla",
            universe: &universe,
            release: date("2021-01-18"),
            week_end: date("2021-01-14"),
            today: self.today.map(date),
            population: &pop,
            previous_population: previous_pop.as_ref(),
            previous_dataset: previous_data.as_ref(),
            config: &self.config,
        })
    }
}

fn gates_of(report: &GateReport) -> BTreeSet<Gate> {
    report.findings.iter().map(|f| f.gate).collect()
}

/// Asserts the report holds findings of `gate` only, all for `code`, and returns them.
fn only(report: &GateReport, gate: Gate, code: Option<&str>) {
    assert_eq!(gates_of(report), BTreeSet::from([gate]), "{report}");
    for f in &report.findings {
        assert_eq!(f.area.as_ref().map(|a| a.code.as_str()), code, "{report}");
        assert!(!f.message.is_empty());
    }
}

#[test]
fn the_base_fixture_trips_nothing() {
    let report = Case {
        previous_population: Some("population.csv"),
        previous_data: Some("base.csv"),
        ..Case::default()
    }
    .run();
    assert!(report.findings.is_empty(), "{report}");
    assert!(!report.is_blocking());
}

#[test]
fn future_dates() {
    // A row from the future is also after the release; turn that gate off to see this one alone.
    let mut config = GateConfig::default();
    config.severity.after_release = Severity::Off;
    let report = Case {
        data: "future-dates.csv",
        config,
        ..Case::default()
    }
    .run();
    only(&report, Gate::FutureDates, Some("E06000001"));
    let f = &report.findings[0];
    assert_eq!(f.dates, vec![date("2021-02-01")]);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(
        f.to_string(),
        "error: future-dates: Alpha (E06000001): 1 count is dated 2021-02-01: after today (2021-01-18)"
    );
    assert!(report.is_blocking());
}

#[test]
fn future_dates_needs_today() {
    let mut config = GateConfig::default();
    config.severity.after_release = Severity::Off;
    let report = Case {
        data: "future-dates.csv",
        today: None,
        config,
        ..Case::default()
    }
    .run();
    assert!(report.findings.is_empty(), "{report}");
}

#[test]
fn after_release() {
    let report = Case {
        data: "after-release.csv",
        ..Case::default()
    }
    .run();
    only(&report, Gate::AfterRelease, Some("E06000001"));
    assert_eq!(report.findings[0].dates, vec![date("2021-01-18")]);
    assert!(
        report.findings[0]
            .message
            .contains("on or after the release date (2021-01-18)")
    );
}

#[test]
fn negative_counts() {
    let report = Case {
        data: "negative-counts.csv",
        ..Case::default()
    }
    .run();
    only(&report, Gate::NegativeCounts, Some("E06000001"));
    assert_eq!(report.findings[0].dates, vec![date("2021-01-10")]);
    assert!(
        report.findings[0].message.contains("-3 on 2021-01-10"),
        "{report}"
    );
}

#[test]
fn window_gap() {
    let report = Case {
        data: "window-gap.csv",
        ..Case::default()
    }
    .run();
    only(&report, Gate::WindowGap, Some("E06000001"));
    assert_eq!(report.findings[0].dates, vec![date("2021-01-05")]);
    assert!(
        report.findings[0]
            .message
            .contains("no count for 2021-01-05 (1 day)"),
        "{report}"
    );
}

#[test]
fn areas_appeared() {
    let report = Case {
        data: "areas-appeared.csv",
        previous_data: Some("base.csv"),
        ..Case::default()
    }
    .run();
    only(&report, Gate::AreasAppeared, Some("E06000003"));
    assert_eq!(report.findings[0].severity, Severity::Warn);
    assert!(!report.is_blocking());
    assert_eq!(report.warnings().len(), 1);
    assert!(report.errors().is_empty());
}

#[test]
fn areas_vanished() {
    let report = Case {
        previous_data: Some("areas-vanished-previous.csv"),
        ..Case::default()
    }
    .run();
    only(&report, Gate::AreasVanished, Some("E06000003"));
    assert_eq!(report.findings[0].area.as_ref().unwrap().name, "Gamma");
}

#[test]
fn rate_ceiling() {
    let report = Case {
        data: "rate-ceiling.csv",
        ..Case::default()
    }
    .run();
    only(&report, Gate::RateCeiling, Some("E06000002"));
    // Both weeks are 5,600.0 per 100,000, both published, so both are held.
    assert_eq!(report.findings.len(), 2, "{report}");
    assert!(
        report.findings[1].message.starts_with(
            "rate of 5,600.0 per 100,000 in the seven days to 2021-01-14 is above the ceiling of 5,000.0"
        ),
        "{report}"
    );
}

#[test]
fn rate_ceiling_is_configurable() {
    let config = GateConfig {
        rate_ceiling: 6000.0,
        ..GateConfig::default()
    };
    let report = Case {
        data: "rate-ceiling.csv",
        config,
        ..Case::default()
    }
    .run();
    assert!(report.findings.is_empty(), "{report}");
}

#[test]
fn week_on_week_jump() {
    let report = Case {
        data: "week-on-week-jump.csv",
        ..Case::default()
    }
    .run();
    only(&report, Gate::WeekOnWeekJump, Some("E06000001"));
    let f = &report.findings[0];
    assert_eq!(f.dates, vec![date("2021-01-07"), date("2021-01-14")]);
    assert!(
        f.message.starts_with(
            "rate rose more than 4-fold, from 70.0 in the seven days to 2021-01-07 to 420.0"
        ),
        "{report}"
    );
    // Six-fold is within a factor of eight.
    let config = GateConfig {
        jump_factor: 8.0,
        ..GateConfig::default()
    };
    let report = Case {
        data: "week-on-week-jump.csv",
        config,
        ..Case::default()
    }
    .run();
    assert!(report.findings.is_empty(), "{report}");
}

#[test]
fn week_on_week_jump_catches_a_collapse_too() {
    // A week of zeros after 140.0 is more often a feed that stopped than a real fall.
    let report = Case {
        data: "week-on-week-fall.csv",
        ..Case::default()
    }
    .run();
    only(&report, Gate::WeekOnWeekJump, Some("E06000001"));
    assert!(
        report.findings[0]
            .message
            .starts_with("rate fell to zero, from 140.0 in the seven days to 2021-01-07 to 0.0"),
        "{report}"
    );
}

#[test]
fn population_missing() {
    let report = Case {
        population: "population-missing.csv",
        ..Case::default()
    }
    .run();
    only(&report, Gate::PopulationMissing, Some("E06000002"));
    assert!(
        report.findings[0].message.starts_with("no population in "),
        "{report}"
    );
}

#[test]
fn population_shift() {
    let report = Case {
        previous_population: Some("population-shift-previous.csv"),
        ..Case::default()
    }
    .run();
    // Alpha moved 2%, within tolerance; Beta moved a third.
    only(&report, Gate::PopulationShift, Some("E06000002"));
    assert_eq!(report.findings[0].severity, Severity::Warn);
    assert!(
        report.findings[0].message.contains("-33.3% from 150,000"),
        "{report}"
    );
}

#[test]
fn stale_data() {
    let report = Case {
        data: "stale-data.csv",
        ..Case::default()
    }
    .run();
    only(&report, Gate::StaleData, Some("E06000001"));
    assert_eq!(report.findings[0].dates, vec![date("2021-01-14")]);
    assert!(
        report.findings[0]
            .message
            .starts_with("latest data is 2021-01-14, 4 days before"),
        "{report}"
    );
}

#[test]
fn a_gate_turned_off_reports_nothing_and_a_warning_does_not_block() {
    let mut config = GateConfig::default();
    config.severity.window_gap = Severity::Off;
    let report = Case {
        data: "window-gap.csv",
        config,
        ..Case::default()
    }
    .run();
    assert!(report.findings.is_empty(), "{report}");

    let mut config = GateConfig::default();
    config.severity.window_gap = Severity::Warn;
    let report = Case {
        data: "window-gap.csv",
        config,
        ..Case::default()
    }
    .run();
    assert_eq!(report.warnings().len(), 1);
    assert!(!report.is_blocking());
}

#[test]
fn config_reads_from_toml_with_defaults_and_either_spelling() {
    let config: GateConfig = toml::from_str(
        r#"
        jump_factor = 3.0
        [severity]
        window-gap = "warn"
        stale_data = "off"
        "#,
    )
    .unwrap();
    assert_eq!(config.jump_factor, 3.0);
    assert_eq!(config.rate_ceiling, 5000.0);
    assert_eq!(config.severity.window_gap, Severity::Warn);
    assert_eq!(config.severity.stale_data, Severity::Off);
    assert_eq!(config.severity.negative_counts, Severity::Error);
    assert_eq!(
        toml::from_str::<GateConfig>("").unwrap(),
        GateConfig::default()
    );
    assert!(toml::from_str::<GateConfig>("[severity]\nwindow_gaps = \"warn\"").is_err());
    assert!(toml::from_str::<GateConfig>("[severity]\nwindow_gap = \"loud\"").is_err());
}

fn real_release(release: &str) -> Dataset {
    dataset(&Path::new(DATA).join(format!("releases/{release}/ltla-reconstructed.csv")))
}

fn england(data: &Dataset) -> BTreeSet<String> {
    data.areas
        .iter()
        .filter(|a| a.area_type == "ltla" && a.code.starts_with('E'))
        .map(|a| a.code.clone())
        .collect()
}

#[test]
fn real_weeks_trip_no_gate() {
    let pop = population(&Path::new(DATA).join("population/mid-2019.csv"));
    let config = GateConfig::default();
    let first = real_release("2021-01-18");
    let universe = england(&first);
    assert_eq!(universe.len(), 315);
    let report = check_inputs(&GateInput {
        dataset: &first,
        area_type: "ltla",
        universe: &universe,
        release: date("2021-01-18"),
        week_end: date("2021-01-14"),
        today: Some(date("2021-01-18")),
        population: &pop,
        previous_population: Some(&pop),
        previous_dataset: None,
        config: &config,
    });
    assert!(report.findings.is_empty(), "{report}");

    // The next day's release, with the first as the previous one: no area came or went.
    let second = real_release("2021-01-19");
    let universe = england(&second);
    let report = check_inputs(&GateInput {
        dataset: &second,
        area_type: "ltla",
        universe: &universe,
        release: date("2021-01-19"),
        week_end: date("2021-01-15"),
        today: Some(date("2021-01-19")),
        population: &pop,
        previous_population: Some(&pop),
        previous_dataset: Some(&first),
        config: &config,
    });
    assert!(report.findings.is_empty(), "{report}");
}

#[test]
fn rates_match_a_published_figure() {
    // Knowsley, seven days to January 15, published as 1,134.8: a ceiling just under it catches
    // that figure (and the week before's), so the gates compute rates as the copy prints them.
    let pop = population(&Path::new(DATA).join("population/mid-2019.csv"));
    let data = real_release("2021-01-19");
    let universe = BTreeSet::from(["E08000011".to_string()]);
    let config = GateConfig {
        rate_ceiling: 1134.7,
        ..GateConfig::default()
    };
    let report = check_inputs(&GateInput {
        dataset: &data,
        area_type: "ltla",
        universe: &universe,
        release: date("2021-01-19"),
        week_end: date("2021-01-15"),
        today: None,
        population: &pop,
        previous_population: None,
        previous_dataset: None,
        config: &config,
    });
    only(&report, Gate::RateCeiling, Some("E08000011"));
    // The week before was published as 1,464.9.
    assert_eq!(report.findings.len(), 2, "{report}");
    let to =
        |i: usize, what: &str| assert!(report.findings[i].message.starts_with(what), "{report}");
    to(
        0,
        "rate of 1,464.9 per 100,000 in the seven days to 2021-01-08",
    );
    to(
        1,
        "rate of 1,134.8 per 100,000 in the seven days to 2021-01-15",
    );
}
