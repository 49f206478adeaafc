//! The fetching commands end to end: `fetch` archiving and writing a snapshot `draft --data`
//! reads, a fetched release drafted offline, `publish` fetching the day's release, the
//! `population` command, and `fetch --out -`.

use std::time::Duration;

use casewire::fetch::archive::ReleaseSelector;
use casewire::fetch::legacy;
use casewire::fetch::run::{Source, fetch_command, load_offline_from};

use super::server::{Request, Response, TestServer};
use super::{areas, date, file_dataset, options, shared, v2_handler};

#[test]
fn the_fetch_command_archives_and_writes_a_snapshot_draft_data_reads() {
    // The command is synchronous and starts its own runtime; the server runs on another.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start(
        Duration::ZERO,
        v2_handler("ltla", "ltla-reconstructed"),
    ));
    let dir = tempfile::tempdir().unwrap();
    let archive_path = dir.path().join("archive.sqlite");
    let out = dir.path().join("ltla-2021-01-20.csv");
    let mut opts = options(Source::LegacyV2, "ltla", &server);
    opts.release = Some(date(2021, 1, 20));
    opts.format = legacy::Format::Csv;
    let report = fetch_command(&opts, &archive_path, Some(&out)).unwrap();
    assert_eq!(report.summary.requests, 1);
    assert_eq!(report.summary.areas, 380);

    let expected = areas(&file_dataset(&shared(
        "releases/2021-01-20/ltla-reconstructed.csv",
    )));
    assert_eq!(areas(&file_dataset(&out)), expected);
    let (offline, release) = load_offline_from(
        &archive_path,
        Source::LegacyV2,
        "ltla",
        &ReleaseSelector::Exact("2021-01-20".into()),
    )
    .unwrap();
    assert_eq!(
        (areas(&offline), release.as_str()),
        (expected, "2021-01-20")
    );

    let missing = load_offline_from(
        &dir.path().join("nowhere.sqlite"),
        Source::LegacyV2,
        "ltla",
        &ReleaseSelector::Latest,
    )
    .unwrap_err();
    assert!(
        missing.to_string().contains("run casewire fetch first"),
        "{missing}"
    );
    drop(runtime);
}

/// The end-to-end check: fetch a release from the test server into the archive with the real
/// binary, then `draft --offline` prints exactly the story `draft --data` prints from the
/// same rows in a file; and `draft --source` without `--offline` reuses the archived release.
#[test]
fn fetched_then_drafted_offline_is_the_story_drafted_from_the_file() {
    use crate::support::{Casewire, arg, fixture};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start(
        Duration::ZERO,
        v2_handler("utla", "utla"),
    ));
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive.sqlite");
    let population = shared("population/mid-2019.csv");
    let patch = fixture("patches/london-utla.toml");
    Casewire::new()
        .args([
            "fetch",
            "--source",
            "legacy-v2",
            "--area-type",
            "utla",
            "--release",
            "2021-01-18",
            "--base-url",
            &server.base,
            "--archive",
            arg(&archive),
            "--contact",
            "tests@example.com",
        ])
        .success();
    assert_eq!(server.requests(), 1);
    let common = [
        "--patch",
        arg(&patch),
        "--population",
        arg(&population),
        "--release",
        "2021-01-18",
    ];
    let mut offline_args = vec![
        "draft",
        "--source",
        "legacy-v2",
        "--offline",
        "--area-type",
        "utla",
        "--archive",
        arg(&archive),
    ];
    offline_args.extend(common);
    let offline = Casewire::new().args(offline_args).success();
    let utla = shared("releases/2021-01-18/utla.csv");
    let mut direct_args = vec!["draft", "--data", arg(&utla)];
    direct_args.extend(common);
    let direct = Casewire::new().args(direct_args).success();
    assert!(direct.stdout.contains("Greenwich"), "{}", direct.stdout);
    assert_eq!(offline.stdout, direct.stdout);
    // Online again: the archive holds the release, so nothing is fetched twice.
    let mut online_args = vec![
        "draft",
        "--source",
        "legacy-v2",
        "--area-type",
        "utla",
        "--archive",
        arg(&archive),
        "--base-url",
        &server.base,
    ];
    online_args.extend(common);
    let online = Casewire::new().args(online_args).success();
    assert_eq!(online.stdout, direct.stdout);
    assert_eq!(server.requests(), 1, "the archived release was reused");
    // Every area's story from the archive, as from the file.
    let from_archive = dir.path().join("each-archive");
    let from_file = dir.path().join("each-file");
    let pop = arg(&population);
    Casewire::new()
        .args([
            "draft",
            "--each-area",
            "--source",
            "legacy-v2",
            "--offline",
            "--area-type",
            "utla",
            "--archive",
            arg(&archive),
            "--population",
            pop,
            "--release",
            "2021-01-18",
            "--out-dir",
            arg(&from_archive),
        ])
        .success();
    Casewire::new()
        .args([
            "draft",
            "--each-area",
            "--data",
            arg(&utla),
            "--population",
            pop,
            "--release",
            "2021-01-18",
            "--out-dir",
            arg(&from_file),
        ])
        .success();
    // The stories; their facts, and the week's shared facts, name different sources (the
    // archive, the file).
    let names = |d: &std::path::Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".md"))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&from_archive), names(&from_file));
    assert_eq!(
        names(&from_file).len(),
        123,
        "English upper-tier areas with a population"
    );
    for n in names(&from_file) {
        assert_eq!(
            std::fs::read_to_string(from_archive.join(&n)).unwrap(),
            std::fs::read_to_string(from_file.join(&n)).unwrap(),
            "{n}"
        );
    }
    drop(runtime);
}

/// A scheduled publish that fetches each day's release from the (test) API into the archive
/// and publishes a new edition only when the release is new.
#[test]
fn publish_fetches_the_days_release_and_publishes_it_once() {
    use casewire::publish::Outcome;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start(
        Duration::ZERO,
        v2_handler("utla", "utla"),
    ));
    let dir = tempfile::tempdir().unwrap();
    let config = crate::support::NewsroomFixture::new(dir.path())
        .contact("tests@example.com")
        .source_legacy_archive("utla", &shared("population/mid-2019.csv"), &server.base)
        .max_age_days(3)
        .patch_file(
            "patch.toml",
            crate::support::fixture("patches/london-utla.toml"),
        )
        .story("london", "patch.toml")
        .write();
    let on = |day: &str| {
        crate::support::publish(&config, Some(date(2021, 1, day.parse().unwrap()))).unwrap()
    };
    let first = on("18");
    assert!(
        matches!(first, Outcome::Published { editions: 1, .. }),
        "{first}"
    );
    assert_eq!(first.to_string(), "published 1 for release 2021-01-18");
    assert_eq!(on("18").to_string(), "nothing new since 2021-01-18");
    assert_eq!(
        server.requests(),
        1,
        "the archived release is not fetched again"
    );
    let next = on("19");
    assert!(
        next.to_string()
            .starts_with("published 1 for release 2021-01-19"),
        "{next}"
    );
    assert!(dir.path().join("out/london-2021-01-19/index.md").exists());
    // Offline, the archive alone answers.
    let offline = crate::support::publish_offline(&config, Some(date(2021, 1, 19))).unwrap();
    assert_eq!(offline.to_string(), "nothing new since 2021-01-19");
    assert_eq!(server.requests(), 2);
    drop(runtime);
}

#[test]
fn the_population_command_downloads_checks_and_keeps_a_table() {
    use crate::support::{Casewire, arg};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start(Duration::ZERO, |req: &Request| {
        let name = req.path.trim_start_matches('/');
        match std::fs::read(shared(&format!("population/{name}"))) {
            Ok(body) => Response::with(200, "text/csv", body).gzipped(),
            Err(_) => Response::status(404),
        }
    }));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("population.csv");
    let archive = dir.path().join("archive.sqlite");
    let url = format!("{}/ONS-population_2021-08-05.csv", server.base);
    let run = Casewire::new()
        .args([
            "population",
            "--url",
            &url,
            "--out",
            arg(&out),
            "--name",
            "mid-2020",
            "--archive",
            arg(&archive),
            "--contact",
            "tests@example.com",
        ])
        .success();
    assert!(run.stdout.contains("453 areas"), "{}", run.stdout);
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(shared("population/ONS-population_2021-08-05.csv")).unwrap()
    );
    let missing = Casewire::new()
        .args([
            "population",
            "--url",
            &format!("{}/nope.csv", server.base),
            "--out",
            arg(&dir.path().join("nope.csv")),
            "--contact",
            "tests@example.com",
        ])
        .code(1);
    assert!(missing.stderr.contains("nope.csv"), "{}", missing.stderr);
    assert!(!dir.path().join("nope.csv").exists());
    drop(runtime);
}

/// `fetch --out -` writes the snapshot to standard output (the summary then goes to standard
/// error), byte for byte the file `--out FILE` writes; no file named `-` appears.
#[test]
fn fetch_out_dash_writes_the_snapshot_to_standard_output() {
    use crate::support::{Casewire, arg};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start(
        Duration::ZERO,
        v2_handler("utla", "utla"),
    ));
    let dir = tempfile::tempdir().unwrap();
    let fetch = |archive: &str, out: &str| {
        Casewire::new()
            .current_dir(dir.path())
            .args(["fetch", "--source", "legacy-v2", "--area-type", "utla"])
            .args(["--release", "2021-01-18", "--base-url", &server.base])
            .args([
                "--archive",
                archive,
                "--contact",
                "tests@example.com",
                "--out",
                out,
            ])
            .success()
    };
    let to_file = dir.path().join("snapshot.csv");
    let first = fetch("a.sqlite", arg(&to_file));
    let second = fetch("b.sqlite", "-");
    let file = std::fs::read_to_string(&to_file).unwrap();
    assert!(file.starts_with("areaCode,areaName,areaType,date,newCasesBySpecimenDate\n"));
    assert_eq!(second.stdout(), file);
    // The summary (its timing aside), on standard error.
    let summary = |s: &str| {
        s.trim_end()
            .lines()
            .last()
            .unwrap()
            .split(" in ")
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(summary(second.stderr()), summary(first.stdout()));
    assert!(summary(first.stdout()).starts_with("1 requests (0 retries), 8736 rows for 182 areas"));
    assert!(!dir.path().join("-").exists());
}
