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

// A partial fetch is never a release; a stored release is never rewritten; a story's release
// is the one asked for; names and time are bounded. Against the local server in the APIs'
// formats.

mod fetching {
    use std::sync::Arc;
    use std::time::Duration;

    use casewire::fetch::archive::{Archive, ReleaseSelector};
    use casewire::fetch::client::ClientConfig;
    use casewire::fetch::legacy;
    use casewire::fetch::progress::{Progress, Silent};
    use casewire::fetch::run::{FetchOptions, Source, fetch_into, load_offline};
    use chrono::{DateTime, NaiveDate, Utc};

    use crate::fetch::server::{
        Request, Response, TestServer, geography_list, series_from_csv, ukhsa_handler,
    };
    use crate::support::shared;

    fn silent() -> Arc<dyn Progress> {
        Arc::new(Silent)
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 1, d).unwrap()
    }

    fn options(source: Source, area_type: &str, server: &TestServer) -> FetchOptions {
        let mut opts = FetchOptions::new(source, area_type);
        opts.base_url = Some(server.base.clone());
        opts.client = ClientConfig {
            contact: "newsdesk@example.org".into(),
            timeout: Duration::from_secs(10),
            backoff_base: Duration::from_millis(10),
            backoff_max: Duration::from_millis(40),
            max_attempts: 2,
            ..ClientConfig::default()
        };
        opts.fetched_at = Some(
            DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        );
        opts
    }

    /// The legacy v2 API's CSV of a utla release, filtered by `areaCode` as the API does, with
    /// `add` added to every count (a server with other numbers).
    fn v2_utla(add: i64) -> impl Fn(&Request) -> Response + Send + Sync + 'static {
        move |req: &Request| {
            let release = req.param("release").unwrap();
            let text =
                std::fs::read_to_string(shared(&format!("releases/{release}/utla.csv"))).unwrap();
            let code = req.param("areaCode");
            let mut out = String::new();
            for (i, line) in text.lines().enumerate() {
                let keep = i == 0 || code.as_deref().is_none_or(|c| line.starts_with(c));
                if !keep {
                    continue;
                }
                match line.rsplit_once(',') {
                    Some((head, n)) if i > 0 && add != 0 => {
                        let n: i64 = n.parse().unwrap();
                        out.push_str(&format!("{head},{}\n", n + add));
                    }
                    _ => {
                        out.push_str(line);
                        out.push('\n');
                    }
                }
            }
            Response::with(200, "text/csv; charset=utf-8", out)
        }
    }

    fn legacy_options(server: &TestServer, release: u32) -> FetchOptions {
        let mut opts = options(Source::LegacyV2, "utla", server);
        opts.release = Some(day(release));
        opts.format = legacy::Format::Csv;
        opts
    }

    #[tokio::test]
    async fn partial_a_fetch_of_two_areas_is_never_the_release_and_a_full_fetch_fetches_all() {
        let server = TestServer::start(Duration::ZERO, v2_utla(0)).await;
        let mut archive = Archive::in_memory().unwrap();
        let mut opts = legacy_options(&server, 18);
        opts.areas = vec!["E09000011".into(), "E09000023".into()];
        let partial = fetch_into(&opts, &mut archive, silent()).await.unwrap();
        assert_eq!(partial.dataset.areas.len(), 2);
        assert!(archive.fetches().unwrap()[0].0.partial);
        // Not the release: not listed, not loaded, not reused.
        assert!(
            archive
                .releases("legacy-v2", Some("utla"))
                .unwrap()
                .is_empty()
        );
        for selector in [
            ReleaseSelector::Latest,
            ReleaseSelector::On(day(18)),
            ReleaseSelector::AsOf(day(18)),
        ] {
            let err = load_offline(&archive, Source::LegacyV2, "utla", &selector).unwrap_err();
            assert!(err.to_string().contains("none stored"), "{err}");
        }
        // A plain fetch of the release fetches everything.
        let before = server.requests();
        let full = fetch_into(&legacy_options(&server, 18), &mut archive, silent())
            .await
            .unwrap();
        assert_eq!(server.requests(), before + 1);
        assert_eq!(full.summary.requests, 1);
        let file = std::fs::read_to_string(shared("releases/2021-01-18/utla.csv")).unwrap();
        let codes: std::collections::BTreeSet<&str> = file
            .lines()
            .skip(1)
            .filter_map(|l| l.split(',').next())
            .collect();
        let (loaded, release) = load_offline(
            &archive,
            Source::LegacyV2,
            "utla",
            &ReleaseSelector::On(day(18)),
        )
        .unwrap();
        assert_eq!(release, "2021-01-18");
        assert_eq!(loaded.areas.len(), codes.len());
        assert_eq!(
            archive.releases("legacy-v2", Some("utla")).unwrap(),
            ["2021-01-18"]
        );
    }

    #[tokio::test]
    async fn immutable_a_fetch_with_other_numbers_is_a_new_revision_beside_the_old() {
        let good = TestServer::start(Duration::ZERO, v2_utla(0)).await;
        let other = TestServer::start(Duration::ZERO, v2_utla(1)).await;
        let mut archive = Archive::in_memory().unwrap();
        fetch_into(&legacy_options(&good, 18), &mut archive, silent())
            .await
            .unwrap();
        let load = |a: &Archive, selector: ReleaseSelector| {
            load_offline(a, Source::LegacyV2, "utla", &selector).unwrap()
        };
        let original = load(&archive, ReleaseSelector::On(day(18)));
        assert_eq!(original.1, "2021-01-18");
        let greenwich = |d: &casewire::model::Dataset| {
            d.area("utla", "E09000011")
                .unwrap()
                .cases_on(day(10))
                .unwrap()
        };
        // Some areas from a server with other numbers: a partial revision, never chosen.
        let mut opts = legacy_options(&other, 18);
        opts.areas = vec!["E09000011".into()];
        let partial = fetch_into(&opts, &mut archive, silent()).await.unwrap();
        assert_eq!(partial.release, "2021-01-18+r02");
        assert_eq!(load(&archive, ReleaseSelector::On(day(18))), original);
        // Every area from it: the revision becomes whole, and is what the date chooses.
        let mut opts = legacy_options(&other, 18);
        opts.refetch = true;
        let revised = fetch_into(&opts, &mut archive, silent()).await.unwrap();
        assert_eq!(revised.release, "2021-01-18+r02");
        let (now, label) = load(&archive, ReleaseSelector::On(day(18)));
        assert_eq!(label, "2021-01-18+r02");
        assert_eq!(greenwich(&now), greenwich(&original.0) + 1);
        assert_eq!(
            archive.releases("legacy-v2", Some("utla")).unwrap(),
            ["2021-01-18", "2021-01-18+r02"]
        );
        // The earlier numbers are as they were, by their label.
        assert_eq!(
            load(&archive, ReleaseSelector::Exact("2021-01-18".into())),
            original
        );
        // Storing other numbers under a stored label directly is refused.
        let err = archive
            .store(
                &{
                    let mut r = partial.record.clone();
                    r.release = "2021-01-18".into();
                    r
                },
                &partial.dataset,
                "newCasesBySpecimenDate",
            )
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("legacy-v2 release 2021-01-18 already holds newCasesBySpecimenDate")
                && err.contains("A stored release is not rewritten"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn as_of_a_release_not_on_the_asked_date_is_an_error_unless_as_of() {
        let server = TestServer::start(Duration::ZERO, v2_utla(0)).await;
        let mut archive = Archive::in_memory().unwrap();
        fetch_into(&legacy_options(&server, 18), &mut archive, silent())
            .await
            .unwrap();
        let err = load_offline(
            &archive,
            Source::LegacyV2,
            "utla",
            &ReleaseSelector::On(day(19)),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "archive :memory:: no release on 2021-01-19 of legacy-v2 utla (stored: 2021-01-18); \
             fetch it first, or draft from the newest earlier release on purpose (--as-of)"
        );
        let (_, used) = load_offline(
            &archive,
            Source::LegacyV2,
            "utla",
            &ReleaseSelector::AsOf(day(19)),
        )
        .unwrap();
        assert_eq!(used, "2021-01-18");
    }

    const TWO: [&str; 2] = ["E06000001", "E08000011"];

    fn two_series() -> crate::fetch::server::Series {
        series_from_csv(&shared("archive/ltla_2020-12-01_2021-01-31.csv"), &TWO)
    }

    #[tokio::test]
    async fn ukhsa_a_geography_served_empty_is_an_error_naming_it() {
        let series = two_series();
        let list = geography_list(&series);
        let mut served = series.clone();
        served.remove("Knowsley");
        let server = TestServer::start(Duration::ZERO, ukhsa_handler(list, served, 365)).await;
        let mut archive = Archive::in_memory().unwrap();
        let opts = options(Source::Ukhsa, "ltla", &server);
        let err = fetch_into(&opts, &mut archive, silent()).await.unwrap_err();
        let text = err.to_string();
        assert!(
            text.ends_with(
                "geography \"Knowsley\" came back with no rows for any metric or year; a \
                 release without it would be partial, so nothing is stored"
            ) && text.contains("/geographies/Knowsley/"),
            "{text}"
        );
        assert_eq!(archive.observation_count().unwrap(), 0);
    }

    #[tokio::test]
    async fn ukhsa_a_geography_served_another_geographys_rows_is_an_error_naming_both() {
        let series = two_series();
        let list = geography_list(&series);
        let mut served = series.clone();
        // Knowsley's request answered with Hartlepool's rows.
        let hartlepool = served["Hartlepool"].clone();
        served.insert("Knowsley".into(), hartlepool);
        let inner = ukhsa_handler(list, served, 365);
        let server = TestServer::start(Duration::ZERO, move |req: &Request| {
            let mut resp = inner(req);
            if req.path.contains("/Knowsley/") {
                let text = String::from_utf8(resp.body.clone()).unwrap();
                resp.body = text
                    .replace("\"geography\":\"Knowsley\"", "\"geography\":\"Hartlepool\"")
                    .into_bytes();
            }
            resp
        })
        .await;
        let mut archive = Archive::in_memory().unwrap();
        let opts = options(Source::Ukhsa, "ltla", &server);
        let err = fetch_into(&opts, &mut archive, silent()).await.unwrap_err();
        let text = err.to_string();
        assert!(
            text.ends_with("asked for geography \"Knowsley\" but a row names \"Hartlepool\""),
            "{text}"
        );
        assert_eq!(archive.observation_count().unwrap(), 0);
    }

    #[tokio::test]
    async fn ukhsa_a_geography_named_dot_dot_is_refused_before_any_request() {
        let server = TestServer::start(
            Duration::ZERO,
            ukhsa_handler(b"[]".to_vec(), Default::default(), 365),
        )
        .await;
        for name in ["..", "Leeds/../Hartlepool", "a/b"] {
            let mut opts = options(Source::Ukhsa, "ltla", &server);
            opts.areas = vec![name.into()];
            let err = casewire::fetch::fetch(&opts, silent()).await.unwrap_err();
            assert!(
                err.to_string()
                    .starts_with(&format!("geography name {name:?} is refused")),
                "{err}"
            );
        }
        assert_eq!(server.requests(), 0);
    }

    #[tokio::test]
    async fn deadline_a_fetch_of_slow_areas_stops_at_its_deadline() {
        let series = two_series();
        let server = TestServer::start(
            Duration::from_millis(700),
            ukhsa_handler(geography_list(&series), series, 365),
        )
        .await;
        let mut archive = Archive::in_memory().unwrap();
        let mut opts = options(Source::Ukhsa, "ltla", &server);
        opts.client.concurrency = 1;
        opts.deadline = Duration::from_secs(1);
        let started = std::time::Instant::now();
        let err = fetch_into(&opts, &mut archive, silent()).await.unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(
            err.to_string(),
            format!(
                "{}/: the fetch did not finish within its deadline of 1 s; nothing is stored",
                server.base
            )
        );
        assert_eq!(archive.observation_count().unwrap(), 0);
        // The newsroom's setting.
        let settings: casewire::fetch::FetchSettings = toml::from_str("deadline_secs = 5").unwrap();
        assert_eq!(
            settings.options(Source::Ukhsa, "ltla").deadline,
            Duration::from_secs(5)
        );
        assert_eq!(
            FetchOptions::new(Source::Ukhsa, "ltla").deadline,
            Duration::from_secs(1800)
        );
    }

    fn checksum_error(path: &std::path::Path) -> String {
        let archive = Archive::open(path).unwrap();
        load_offline(
            &archive,
            Source::LegacyV2,
            "utla",
            &ReleaseSelector::On(day(18)),
        )
        .unwrap_err()
        .to_string()
    }

    async fn stored_18th(dir: &std::path::Path) -> std::path::PathBuf {
        let server = TestServer::start(Duration::ZERO, v2_utla(0)).await;
        let path = dir.join("archive.sqlite");
        let mut archive = Archive::open(&path).unwrap();
        fetch_into(&legacy_options(&server, 18), &mut archive, silent())
            .await
            .unwrap();
        drop(archive);
        let archive = Archive::open(&path).unwrap();
        load_offline(
            &archive,
            Source::LegacyV2,
            "utla",
            &ReleaseSelector::On(day(18)),
        )
        .unwrap();
        path
    }

    fn names_the_release(err: &str) {
        assert!(
            err.contains(
                "legacy-v2 utla release 2021-01-18 does not match the checksum written when it \
                 was stored (sha256 "
            ) && err.ends_with("the archive has been changed or damaged since, and is not read"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn checksum_a_value_changed_through_sqlite_is_an_error_naming_the_release() {
        let dir = tempfile::tempdir().unwrap();
        let path = stored_18th(dir.path()).await;
        let conn = rusqlite::Connection::open(&path).unwrap();
        let changed = conn
            .execute(
                "UPDATE observations SET value = value + 1
                 WHERE area_code = 'E09000011' AND date = '2021-01-10'",
                [],
            )
            .unwrap();
        assert_eq!(changed, 1);
        drop(conn);
        names_the_release(&checksum_error(&path));
    }

    #[tokio::test]
    async fn checksum_a_byte_flipped_in_the_file_is_an_error_naming_the_release() {
        let dir = tempfile::tempdir().unwrap();
        let path = stored_18th(dir.path()).await;
        let mut bytes = std::fs::read(&path).unwrap();
        // One byte of the name in each row that has it (freed pages may hold stale copies, so
        // which single copy is live is SQLite's business): "Hartlepool" becomes "hartlepool".
        let at: Vec<usize> = bytes
            .windows(b"Hartlepool".len())
            .enumerate()
            .filter(|(_, w)| *w == b"Hartlepool")
            .map(|(i, _)| i)
            .collect();
        assert!(!at.is_empty());
        for i in at {
            bytes[i] ^= 0x20;
        }
        std::fs::write(&path, &bytes).unwrap();
        names_the_release(&checksum_error(&path));
    }
}
