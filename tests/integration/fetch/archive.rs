//! The archive: a fetch gives back the dataset of its file, a revised release is kept beside
//! the earlier one, UKHSA fetches are versioned by fetch time, a fetch failing part way leaves
//! the archive as it was, and population tables keep their name.

use std::time::Duration;

use casewire::fetch::archive::{Archive, ReleaseSelector};
use casewire::fetch::client::ClientConfig;
use casewire::fetch::run::{Source, download_population, fetch_into, load_offline};
use casewire::fetch::snapshot::write_legacy_csv_file;
use casewire::fetch::{legacy, read_population_file};

use super::server::{
    Request, Response, TestServer, fixture, geography_list, series_from_csv, ukhsa_handler,
};
use super::{
    CONTACT, THREE_LTLAS, areas, at, date, file_dataset, options, shared, silent, v2_handler,
};

#[tokio::test]
async fn the_archive_gives_back_the_dataset_of_the_file_it_was_fetched_from() {
    let server = TestServer::start(Duration::ZERO, v2_handler("ltla", "ltla-reconstructed")).await;
    let dir = tempfile::tempdir().unwrap();
    let mut archive = Archive::open(&dir.path().join("archive.sqlite")).unwrap();
    let mut opts = options(Source::LegacyV2, "ltla", &server);
    opts.format = legacy::Format::Csv;
    opts.release = Some(date(2021, 1, 19));
    let report = fetch_into(&opts, &mut archive, silent()).await.unwrap();
    assert_eq!(
        report.summary.stored,
        Some(archive.observation_count().unwrap())
    );

    let file = shared("releases/2021-01-19/ltla-reconstructed.csv");
    let expected = file_dataset(&file);
    assert_eq!(expected.areas.len(), 380);
    let (offline, release) = load_offline(
        &archive,
        Source::LegacyV2,
        "ltla",
        &ReleaseSelector::AsOf(date(2021, 1, 19)),
    )
    .unwrap();
    assert_eq!(release, "2021-01-19");
    assert_eq!(areas(&offline), areas(&expected));
    assert_eq!(offline.sources[0].release, Some(date(2021, 1, 19)));

    // The snapshot written for --out reads back as the same dataset.
    let out = dir.path().join("snapshot.csv");
    write_legacy_csv_file(&offline, &out).unwrap();
    assert_eq!(areas(&file_dataset(&out)), areas(&expected));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("areaCode,areaName,areaType,date,newCasesBySpecimenDate")
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("E06000001,Hartlepool,ltla,2021-01-18,")
    );
}

#[tokio::test]
async fn a_revised_release_is_kept_beside_the_earlier_one() {
    let server = TestServer::start(Duration::ZERO, v2_handler("utla", "utla")).await;
    let mut archive = Archive::in_memory().unwrap();
    for day in [18, 19] {
        let mut opts = options(Source::LegacyV2, "utla", &server);
        opts.release = Some(date(2021, 1, day));
        opts.format = legacy::Format::Csv;
        fetch_into(&opts, &mut archive, silent()).await.unwrap();
    }
    assert_eq!(
        archive.releases("legacy-v2", Some("utla")).unwrap(),
        ["2021-01-18", "2021-01-19"]
    );
    // A release already archived is a publication that does not change: not fetched again.
    let mut opts = options(Source::LegacyV2, "utla", &server);
    opts.release = Some(date(2021, 1, 18));
    let again = fetch_into(&opts, &mut archive, silent()).await.unwrap();
    assert_eq!((server.requests(), again.summary.requests), (2, 0));
    assert!(
        again
            .dataset
            .warnings
            .iter()
            .any(|w| w.contains("already in the archive"))
    );
    opts.refetch = true;
    opts.format = legacy::Format::Csv;
    fetch_into(&opts, &mut archive, silent()).await.unwrap();
    assert_eq!(server.requests(), 3);
    let load = |selector: ReleaseSelector| {
        load_offline(&archive, Source::LegacyV2, "utla", &selector)
            .unwrap()
            .0
    };
    let the_18th = areas(&file_dataset(&shared("releases/2021-01-18/utla.csv")));
    let the_19th = areas(&file_dataset(&shared("releases/2021-01-19/utla.csv")));
    assert_ne!(the_18th, the_19th, "the 19th revises the 18th's figures");
    assert_eq!(
        areas(&load(ReleaseSelector::AsOf(date(2021, 1, 18)))),
        the_18th
    );
    assert_eq!(
        areas(&load(ReleaseSelector::Exact("2021-01-18".into()))),
        the_18th
    );
    assert_eq!(
        areas(&load(ReleaseSelector::AsOf(date(2021, 1, 25)))),
        the_19th
    );
    assert_eq!(areas(&load(ReleaseSelector::Latest)), the_19th);
    // The same release loaded twice is the same dataset.
    assert_eq!(
        load(ReleaseSelector::AsOf(date(2021, 1, 18))),
        load(ReleaseSelector::AsOf(date(2021, 1, 18)))
    );
    let err = load_offline(
        &archive,
        Source::LegacyV2,
        "utla",
        &ReleaseSelector::AsOf(date(2021, 1, 1)),
    )
    .unwrap_err();
    assert!(err.to_string().contains("2021-01-18, 2021-01-19"), "{err}");
}

#[tokio::test]
async fn ukhsa_fetches_are_versioned_by_fetch_time() {
    // Two fetches a week apart; the second revises Hartlepool's figures.
    let archive_csv = shared("archive/ltla_2020-12-01_2021-01-31.csv");
    let first = series_from_csv(&archive_csv, &["E06000001"]);
    let mut revised = first.clone();
    for row in revised.get_mut("Hartlepool").unwrap() {
        row.2 += 1;
    }
    let mut archive = Archive::in_memory().unwrap();
    for (series, when) in [
        (first, "2026-11-16T09:00:00Z"),
        (revised, "2026-11-23T09:00:00Z"),
    ] {
        // Every area of the type (here the one the server lists): a fetch of some areas is
        // partial, and never stands as a release.
        let server = TestServer::start(
            Duration::ZERO,
            ukhsa_handler(geography_list(&series), series, 365),
        )
        .await;
        let mut opts = options(Source::Ukhsa, "ltla", &server);
        opts.fetched_at = Some(at(when));
        fetch_into(&opts, &mut archive, silent()).await.unwrap();
    }
    let cases_on = |selector: ReleaseSelector| {
        let (dataset, release) = load_offline(
            &archive,
            Source::Ukhsa,
            "Lower Tier Local Authority",
            &selector,
        )
        .unwrap();
        (release, dataset.areas[0].cases_on(date(2021, 1, 31)))
    };
    let original = file_dataset(&archive_csv)
        .area("ltla", "E06000001")
        .unwrap()
        .cases_on(date(2021, 1, 31))
        .unwrap();
    assert_eq!(
        cases_on(ReleaseSelector::AsOf(date(2026, 11, 20))),
        ("2026-11-16T09:00:00Z".to_string(), Some(original))
    );
    assert_eq!(
        cases_on(ReleaseSelector::AsOf(date(2026, 11, 23))),
        ("2026-11-23T09:00:00Z".to_string(), Some(original + 1))
    );
    let fetches = archive.fetches().unwrap();
    assert_eq!(fetches.len(), 2);
    assert_eq!(fetches[0].0.metrics, ["COVID-19_cases_casesByDay"]);
}

#[tokio::test]
async fn a_fetch_that_fails_part_way_leaves_the_archive_as_it_was() {
    let archive_csv = shared("archive/ltla_2020-12-01_2021-01-31.csv");
    let series = series_from_csv(&archive_csv, &THREE_LTLAS);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.sqlite");
    let mut archive = Archive::open(&path).unwrap();
    let good = TestServer::start(
        Duration::ZERO,
        ukhsa_handler(fixture("ukhsa-geographies.json"), series.clone(), 365),
    )
    .await;
    let mut opts = options(Source::Ukhsa, "ltla", &good);
    fetch_into(&opts, &mut archive, silent()).await.unwrap();
    let before = (
        archive.observation_count().unwrap(),
        archive.fetches().unwrap(),
        load_offline(&archive, Source::Ukhsa, "ltla", &ReleaseSelector::Latest).unwrap(),
    );

    // A week later Knowsley's series breaks after Bristol and Hartlepool came back fine.
    let inner = ukhsa_handler(fixture("ukhsa-geographies.json"), series, 365);
    let bad = TestServer::start(Duration::ZERO, move |req: &Request| {
        if req.path.contains("/Knowsley/") {
            Response::with(
                500,
                "application/json",
                r#"{"message":"Internal server error"}"#,
            )
        } else {
            inner(req)
        }
    })
    .await;
    opts.base_url = Some(bad.base.clone());
    opts.fetched_at = Some(at("2026-11-30T10:00:00Z"));
    opts.client.max_attempts = 2;
    let err = fetch_into(&opts, &mut archive, silent()).await.unwrap_err();
    assert!(err.to_string().contains("Knowsley"), "{err}");
    drop(archive);

    let archive = Archive::open(&path).unwrap();
    let after = (
        archive.observation_count().unwrap(),
        archive.fetches().unwrap(),
        load_offline(&archive, Source::Ukhsa, "ltla", &ReleaseSelector::Latest).unwrap(),
    );
    assert_eq!(after, before);
}

#[tokio::test]
async fn population_tables_download_and_keep_their_name() {
    let server = TestServer::start(Duration::ZERO, |req: &Request| {
        let name = req.path.trim_start_matches('/');
        match std::fs::read(shared(&format!("population/{name}"))) {
            Ok(body) => Response::with(200, "text/csv", body).gzipped(),
            Err(_) => Response::status(404),
        }
    })
    .await;
    let config = ClientConfig {
        contact: CONTACT.into(),
        ..ClientConfig::default()
    };
    let url = format!("{}/ONS-population_2021-08-05.csv", server.base);
    let (population, _, bytes) = download_population(&config, &url).await.unwrap();
    let (expected, _) =
        read_population_file(&shared("population/ONS-population_2021-08-05.csv")).unwrap();
    assert_eq!(population.by_code, expected.by_code);

    let mut archive = Archive::in_memory().unwrap();
    archive
        .store_population("mid-2020", &url, &bytes, "2026-11-23T10:00:00Z")
        .unwrap();
    let (stored, _) = archive.load_population("mid-2020").unwrap();
    assert_eq!(stored.by_code, expected.by_code);
    // Another table under a name in use would change old stories' rates: refused.
    let other = std::fs::read(shared("population/mid-2019.csv")).unwrap();
    assert!(
        archive
            .store_population("mid-2020", "mid-2019.csv", &other, "2026-11-23T10:00:00Z")
            .is_err()
    );

    let err = download_population(&config, &format!("{}/nope.csv", server.base))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nope.csv"), "{err}");
}
