//! Inputs a scheduled run must refuse by name rather than publish from: counts in spellings
//! the dashboard never writes, a v1 page that says more pages follow, release folders named
//! wrongly, data from a later release than the one asked for, and a lock held for hours.
//! Fixtures are written to temporary folders; servers listen on 127.0.0.1; no test reads the
//! clock or asserts a time.

use std::time::Duration;

use casewire::fetch::file::{read_data_bytes, read_population_bytes};
use casewire::fetch::read_data_file;
use casewire::fetch::run::{FetchOptions, Source, fetch};
use casewire::model::DatasetBuilder;
use serde_json::{Value, json};

use crate::fetch::server::{Request, Response, TestServer};
use crate::support::*;

const HEADER: &str = "areaCode,areaName,areaType,date,newCasesBySpecimenDate";

/// A small file in the dashboard's CSV: Bromley, 2021-01-17 back to 2021-01-01, the count on
/// line 3 (2021-01-16) written as `third`.
fn csv_with(third: &str) -> String {
    let mut text = format!("{HEADER}\n");
    for (i, day) in (1..=17).rev().enumerate() {
        let count = if i == 1 {
            third.to_string()
        } else {
            "20".to_string()
        };
        text.push_str(&format!(
            "E09000006,Bromley,ltla,2021-01-{day:02},{count}\n"
        ));
    }
    text
}

/// Reads `bytes` as a data file called `label`, to a dataset or the error's text.
fn read_as(label: &str, bytes: &[u8]) -> Result<casewire::model::Dataset, String> {
    let mut builder = DatasetBuilder::new();
    read_data_bytes(&mut builder, label, bytes, None).map_err(|e| e.to_string())?;
    builder.finish().map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Counts.

#[test]
fn counts_in_any_spelling_but_plain_digits_are_refused_naming_file_line_area_and_date() {
    for (spelling, why) in [
        ("1e3", "exponent"),
        ("1E3", "exponent"),
        ("12.0", "decimal"),
        ("12.5", "decimal"),
        ("+12", "plus sign"),
        ("0x1F", "hexadecimal"),
        ("NaN", "not a number"),
        ("inf", "not a number"),
        ("-inf", "not a number"),
        ("-0", "minus sign"),
        ("twelve", "not a number"),
        ("99999999999999999999999", "too large"),
        ("4294967296", "out of range"),
        ("2147483648", "out of range"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cases.csv");
        std::fs::write(&path, csv_with(spelling)).unwrap();
        let mut builder = DatasetBuilder::new();
        let err = read_data_file(&mut builder, &path)
            .map(|_| ())
            .and_then(|()| builder.finish().map(|_| ()).map_err(Into::into))
            .expect_err(spelling)
            .to_string();
        let at = format!("{}:3: E09000006", path.display());
        assert!(err.contains(&at), "{spelling}: {err}");
        assert!(err.contains("2021-01-16"), "{spelling}: {err}");
        assert!(err.contains(why), "{spelling}: {err}");
        // The general reader, as a response's bytes are read, says the same.
        let err = read_as("answer.csv", csv_with(spelling).as_bytes()).unwrap_err();
        assert!(err.contains("answer.csv:3: E09000006"), "{spelling}: {err}");
    }
    // What the dashboard writes still reads: digits, a blank for no data, and a negative
    // count, which the negative-counts gate names.
    for fine in ["12", "0", "", "-3", "2147483647"] {
        assert!(
            read_as("fine.csv", csv_with(fine).as_bytes()).is_ok(),
            "{fine}"
        );
    }
}

#[test]
fn a_draft_from_a_file_with_a_count_written_1e3_fails_naming_it_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("cases.csv");
    let text = std::fs::read_to_string(shared("releases/2021-01-18/ltla-reconstructed.csv"))
        .unwrap()
        .replacen(
            "E09000006,Bromley,ltla,2021-01-10,",
            "E09000006,Bromley,ltla,2021-01-10,1e",
            1,
        );
    std::fs::write(&data, text).unwrap();
    let out = dir.path().join("story.md");
    let run = Casewire::new()
        .args(["draft", "--patch", arg(&se_london()), "--data", arg(&data)])
        .arg("--population")
        .arg(shared("population/mid-2019.csv"))
        .args(["--release", "2021-01-18", "--out", arg(&out)])
        .failure();
    run.stderr_has(&data.display().to_string())
        .stderr_has("Bromley")
        .stderr_has("2021-01-10")
        .stderr_has("is not a whole number of cases");
    assert!(!out.exists());
}

/// The v2 JSON of one area with `value` as its 2021-01-16 count.
fn v2_json(value: &str) -> String {
    let mut body = Vec::new();
    for day in (1..=17).rev() {
        body.push(format!(
            "{{\"areaCode\":\"E09000006\",\"areaName\":\"Bromley\",\"areaType\":\"ltla\",\
             \"date\":\"2021-01-{day:02}\",\"newCasesBySpecimenDate\":{}}}",
            if day == 16 { value } else { "20" }
        ));
    }
    format!("{{\"length\":17,\"body\":[{}]}}", body.join(","))
}

#[test]
fn json_counts_must_be_integers() {
    for (value, why) in [
        ("12.0", "a float"),
        ("1e3", "a float"),
        ("1.5e1", "a float"),
        ("12.5", "a fraction"),
        ("18446744073709551616", "too large"),
        ("-1e400", "malformed"),
        ("\"1e3\"", "exponent"),
        ("\"12.0\"", "decimal"),
        ("true", "not a number"),
        ("[12]", "not a number"),
    ] {
        let err = read_as("utla.json", v2_json(value).as_bytes()).unwrap_err();
        assert!(err.contains("utla.json"), "{value}: {err}");
        assert!(err.contains(why), "{value}: {err}");
        if why != "malformed" {
            assert!(
                err.contains("record:2") && err.contains("E09000006") && err.contains("2021-01-16"),
                "{value}: {err}"
            );
        }
    }
    let beyond = read_as("utla.json", v2_json("4294967296").as_bytes()).unwrap_err();
    assert!(
        beyond.contains("utla.json:2: E09000006 on 2021-01-16: count 4294967296 is out of range"),
        "{beyond}"
    );
    for fine in ["12", "0", "null", "\"12\""] {
        let d = read_as("utla.json", v2_json(fine).as_bytes()).unwrap();
        assert_eq!(d.areas.len(), 1, "{fine}");
    }
}

#[test]
fn populations_are_plain_digits() {
    for (value, why) in [
        ("+332336", "plus sign"),
        ("3.3e5", "exponent"),
        ("332336.0", "decimal"),
        ("0x5", "hexadecimal"),
        ("NaN", "not a number"),
        ("-5", "minus sign"),
        ("99999999999999999999999", "too large"),
    ] {
        let text = format!("areaCode,areaName,population\nE09000006,Bromley,{value}\n");
        let err = read_population_bytes("pop.csv", text.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "pop.csv:2: population of E09000006 is \"{value}\""
            )),
            "{value}: {err}"
        );
        assert!(err.contains(why), "{value}: {err}");
    }
    // The supplement's totals are read by the same rule.
    let text = "category,areaCode,gender,age,population\nALL,E09000006,ALL,ALL,332336.0\n";
    let err = read_population_bytes("supplement.csv", text.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(err.contains("supplement.csv:2"), "{err}");
    // Both real tables still read.
    for table in [
        "population/mid-2019.csv",
        "population/ONS-population_2021-08-05.csv",
    ] {
        casewire::fetch::read_population_file(&shared(table)).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// The legacy v1 API's pages.

/// A v1 page: Bromley's `day` (January 2021), its `pagination` links to `next` and `last`.
fn v1_page(page: u32, day: u32, next: Option<u32>, last: Option<u32>) -> Value {
    let link =
        |n: u32| format!("/v1/data?filters=areaType=ltla&structure={{...}}&format=json&page={n}");
    let mut pagination = json!({
        "current": link(page),
        "next": next.map(link),
        "previous": (page > 1).then(|| link(page - 1)),
        "first": link(1),
    });
    if let Some(last) = last {
        pagination["last"] = json!(link(last));
    }
    json!({
        "length": 1,
        "maxPageLimit": 2500,
        "data": [{"areaCode": "E09000006", "areaName": "Bromley", "areaType": "ltla",
                  "date": format!("2021-01-{day:02}"), "newCasesBySpecimenDate": 20 + day}],
        "requestPayload": {"structure": {"areaCode": "areaCode", "areaName": "areaName",
            "areaType": "areaType", "date": "date",
            "newCasesBySpecimenDate": "newCasesBySpecimenDate"}, "page": page},
        "pagination": pagination,
    })
}

#[test]
fn a_saved_v1_page_that_says_more_follow_is_refused_as_cut_short() {
    let dir = tempfile::tempdir().unwrap();
    for (page, next) in [(1, 2), (3, 4)] {
        let path = dir.path().join(format!("v1-page-{page}.json"));
        std::fs::write(&path, v1_page(page, 10, Some(next), Some(9)).to_string()).unwrap();
        let mut builder = DatasetBuilder::new();
        let err = read_data_file(&mut builder, &path).unwrap_err().to_string();
        assert!(err.starts_with(&path.display().to_string()), "{err}");
        assert!(
            err.contains(&format!(
                "page {page} of a v1 API answer says another page follows"
            )),
            "{err}"
        );
        assert!(err.contains(&format!("page={next}")), "{err}");
        // The same bytes as a response's.
        let err = read_as(
            "https://example.org/v1/data",
            v1_page(page, 10, Some(next), None).to_string().as_bytes(),
        )
        .unwrap_err();
        assert!(err.contains("https://example.org/v1/data: page"), "{err}");
    }
    // A `next` that is there but not a link still says a page follows.
    let mut odd = v1_page(1, 10, None, None);
    odd["pagination"]["next"] = json!(7);
    let err = read_as("odd.json", odd.to_string().as_bytes()).unwrap_err();
    assert!(err.contains("says another page follows"), "{err}");
    // The last page, and an answer without pages (latestBy), read.
    let last = v1_page(2, 10, None, Some(2));
    assert!(read_as("last.json", last.to_string().as_bytes()).is_ok());
    let mut latest = v1_page(1, 10, None, None);
    latest.as_object_mut().unwrap().remove("pagination");
    assert!(read_as("latest.json", latest.to_string().as_bytes()).is_ok());
    let file = fixture("fetch/v1-last-page.json");
    assert!(read_data_file(&mut DatasetBuilder::new(), &file).is_ok());
}

/// A v1 fetch of Bromley's lower-tier area against `server`.
fn v1_options(server: &TestServer) -> FetchOptions {
    let mut opts = FetchOptions::new(Source::LegacyV1, "ltla");
    opts.base_url = Some(server.base.clone());
    opts.areas = vec!["E09000006".into()];
    opts.client.contact = "newsdesk@example.org".into();
    opts.client.backoff_base = Duration::from_millis(10);
    opts.client.backoff_max = Duration::from_millis(40);
    opts
}

fn page_of(req: &Request) -> u32 {
    req.param("page").and_then(|p| p.parse().ok()).unwrap_or(1)
}

#[tokio::test]
async fn v1_pages_whose_next_loops_back_are_refused_not_followed_for_ever() {
    // Page 2's next names page 1 again (and page 3's would name 2): its records differ, so only
    // the link says the pages go round.
    for back_to in [1, 2] {
        let server = TestServer::start(Duration::ZERO, move |req: &Request| {
            let page = page_of(req);
            let next = if page == 2 { back_to } else { page + 1 };
            Response::json(v1_page(page, page, Some(next), None).to_string()).gzipped()
        })
        .await;
        let err = fetch(
            &v1_options(&server),
            std::sync::Arc::new(casewire::fetch::progress::Silent),
        )
        .await
        .map(|_| ())
        .expect_err("refused")
        .to_string();
        assert!(
            err.contains(&format!("page 2 says the next page is page {back_to}"))
                && err.contains("loop back")
                && err.contains(&server.base),
            "{err}"
        );
        assert_eq!(
            server.requests(),
            2,
            "no page fetched after the loop is seen"
        );
    }
}

#[tokio::test]
async fn a_v1_page_promised_but_missing_is_an_error_and_the_end_past_last_is_not() {
    // Page 1 says page 2 follows and the pages run to 3; page 2 answers 204.
    let server = TestServer::start(Duration::ZERO, |req: &Request| match page_of(req) {
        1 => Response::json(v1_page(1, 1, Some(2), Some(3)).to_string()).gzipped(),
        _ => Response::status(204),
    })
    .await;
    let silent = || std::sync::Arc::new(casewire::fetch::progress::Silent);
    let err = fetch(&v1_options(&server), silent())
        .await
        .map(|_| ())
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("page 2 is missing") && err.contains("page=2"),
        "{err}"
    );
    // An empty page where one was promised, with no `last` given, is missing too.
    let server = TestServer::start(Duration::ZERO, |req: &Request| match page_of(req) {
        1 => Response::json(v1_page(1, 1, Some(2), None).to_string()),
        _ => {
            let mut empty = v1_page(2, 1, None, None);
            empty["data"] = json!([]);
            Response::json(empty.to_string())
        }
    })
    .await;
    let err = fetch(&v1_options(&server), silent())
        .await
        .map(|_| ())
        .expect_err("refused");
    assert!(err.to_string().contains("page 2 is missing"), "{err}");
    // A next page that is not there at all (404) is the fetch's error too.
    let server = TestServer::start(Duration::ZERO, |req: &Request| match page_of(req) {
        1 => Response::json(v1_page(1, 1, Some(2), Some(2)).to_string()),
        _ => Response::with(404, "application/json", r#"{"response":"Not found"}"#),
    })
    .await;
    assert!(fetch(&v1_options(&server), silent()).await.is_err());
    // The server's documented end: page 2 is the last, its next names 3, and 3 is a 204.
    let server = TestServer::start(Duration::ZERO, |req: &Request| match page_of(req) {
        1 => Response::json(v1_page(1, 2, Some(2), Some(2)).to_string()),
        2 => Response::json(v1_page(2, 1, Some(3), Some(2)).to_string()),
        _ => Response::status(204),
    })
    .await;
    let report = fetch(&v1_options(&server), silent()).await.unwrap();
    let bromley = report.dataset.area("ltla", "E09000006").unwrap();
    assert_eq!(bromley.cases.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Release folders.

/// A newsroom in `dir` publishing the south east London story from `releases/DAY/ltla.csv`.
fn newsroom_in(dir: &std::path::Path) -> std::path::PathBuf {
    NewsroomFixture::new(dir)
        .source_files("ltla.csv", &shared("population/mid-2019.csv"))
        .story("se-london-weekly", "se-london.toml")
        .patch_file("se-london.toml", se_london())
        .write()
}

fn publish_run(config: &std::path::Path) -> Run {
    Casewire::new()
        .args(["publish", "--config", arg(config)])
        .run()
}

const MISNAMED: [&str; 5] = [
    "2021-1-19",
    "2021-01-19-fixed",
    "19-01-2021",
    "2021-02-30",
    "2021_01_19",
];

#[test]
fn misnamed_release_folders_are_warned_of_by_name_and_hidden_entries_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom_in(dir.path());
    let real = shared("releases/2021-01-18/ltla-reconstructed.csv");
    place_release(dir.path(), "2021-01-18", "ltla.csv", &real, Place::Link);
    let later = shared("releases/2021-01-19/ltla-reconstructed.csv");
    for name in MISNAMED {
        place_release(dir.path(), name, "ltla.csv", &later, Place::Link);
    }
    let releases = dir.path().join("releases");
    std::fs::write(releases.join(".DS_Store"), "x").unwrap();
    std::fs::create_dir_all(releases.join(".tmp")).unwrap();
    std::fs::write(releases.join("README"), "release folders go here").unwrap();
    let run = publish_run(&config);
    assert_eq!(run.status(), 0, "{}", run.stderr());
    assert!(run.stdout().starts_with("published 1"), "{}", run.stdout());
    for name in MISNAMED {
        run.stderr_has(&format!(
            "warning: {} is not read as a release",
            releases.join(name).display()
        ));
    }
    run.stderr_has("2021-1-19 is not read as a release: a release folder is named by its day as YYYY-MM-DD and nothing else: rename it 2021-01-19")
        .stderr_has("19-01-2021 is not read as a release: a release folder is named by its day as YYYY-MM-DD and nothing else: rename it 2021-01-19")
        .stderr_has("2021-02-30 is not a day in the calendar")
        .stderr_has("2021-01-19-fixed is not read as a release: its name has more after the date");
    for quiet in [".DS_Store", ".tmp", "README"] {
        let named = releases.join(quiet).display().to_string();
        assert!(!run.stderr().contains(&named), "{}", run.stderr());
    }
    // The next run, nothing new, says so again: the folders are still passed over.
    let again = publish_run(&config);
    assert_eq!(again.status(), 0, "{}", again.stderr());
    again.stderr_has("2021-1-19 is not read as a release");
}

#[test]
fn a_releases_folder_holding_only_misnamed_folders_is_an_error_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom_in(dir.path());
    let real = shared("releases/2021-01-18/ltla-reconstructed.csv");
    for name in ["2021-1-18", "2021-02-30"] {
        place_release(dir.path(), name, "ltla.csv", &real, Place::Link);
    }
    let run = publish_run(&config);
    assert_ne!(run.status(), 0, "{}", run.stdout());
    run.stderr_has("no YYYY-MM-DD folder in")
        .stderr_has("2021-1-18 is not read as a release")
        .stderr_has("rename it 2021-01-18")
        .stderr_has("2021-02-30 is not a day in the calendar");
    assert!(!dir.path().join("out/.casewire-state.json").exists());
}

// ---------------------------------------------------------------------------------------------
// Data from a later release than the one asked for.

fn draft_of(data: &std::path::Path, release: &str) -> Casewire {
    Casewire::new()
        .args(["draft", "--patch", arg(&se_london()), "--data", arg(data)])
        .arg("--population")
        .arg(shared("population/mid-2019.csv"))
        .args(["--release", release])
}

#[test]
fn a_draft_from_a_later_releases_file_is_refused_naming_file_latest_date_and_release() {
    let dir = tempfile::tempdir().unwrap();
    let later = shared("releases/2021-01-19/ltla-reconstructed.csv");
    let out = dir.path().join("story.md");
    let run = draft_of(&later, "2021-01-18")
        .args(["--out", arg(&out)])
        .failure();
    run.stderr_has(&format!(
        "{}: the latest count is dated 2021-01-18, but data published on 2021-01-18 run to \
         2021-01-17 at the latest",
        later.display()
    ))
    .stderr_has("--release 2021-01-19")
    .stderr_has("the file of the 2021-01-18 release");
    assert!(!out.exists());
    // One area's count a few days on is enough: that file is not the release's either.
    let data = dir.path().join("ltla.csv");
    let mut text =
        std::fs::read_to_string(shared("releases/2021-01-18/ltla-reconstructed.csv")).unwrap();
    text.push_str("E09000006,Bromley,ltla,2021-01-21,40\n");
    std::fs::write(&data, text).unwrap();
    draft_of(&data, "2021-01-18")
        .failure()
        .stderr_has("the latest count is dated 2021-01-21")
        .stderr_has("--release 2021-01-22");
    // Every-area drafts are held to the same rule.
    let each = dir.path().join("each");
    Casewire::new()
        .args([
            "draft",
            "--each-area",
            "--universe",
            "england",
            "--data",
            arg(&later),
        ])
        .arg("--population")
        .arg(shared("population/mid-2019.csv"))
        .args(["--release", "2021-01-18", "--out-dir", arg(&each)])
        .failure()
        .stderr_has("the latest count is dated 2021-01-18");
    assert!(!each.join("area_facts.json").exists());
    // The release's own file, and the right release for the later file, draft.
    draft_of(
        &shared("releases/2021-01-18/ltla-reconstructed.csv"),
        "2021-01-18",
    )
    .success();
    draft_of(&later, "2021-01-19").success();
}

#[test]
fn a_release_folder_holding_a_later_releases_file_publishes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom_in(dir.path());
    let later = shared("releases/2021-01-19/ltla-reconstructed.csv");
    place_release(dir.path(), "2021-01-18", "ltla.csv", &later, Place::Link);
    let run = publish_run(&config);
    assert_ne!(run.status(), 0, "{}", run.stdout());
    run.stderr_has("the latest count is dated 2021-01-18, but data published on 2021-01-18")
        .stderr_has("put the file in the 2021-01-19 release folder");
    assert!(!dir.path().join("out/.casewire-state.json").exists());
}

// ---------------------------------------------------------------------------------------------
// A lock held too long.

/// Holds the newsroom's run lock from this process, its file saying `text`.
fn hold_lock(dir: &std::path::Path, text: &str) -> (std::fs::File, std::path::PathBuf) {
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let path = out.join(".casewire.lock");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    file.try_lock().unwrap();
    std::fs::write(&path, text).unwrap();
    (file, path)
}

#[test]
fn a_lock_held_for_years_is_skipped_with_a_warning_naming_file_pid_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom_in(dir.path());
    let real = shared("releases/2021-01-18/ltla-reconstructed.csv");
    place_release(dir.path(), "2021-01-18", "ltla.csv", &real, Place::Link);
    // Taken at 2001-09-09T01:46:40Z, as the holder recorded it.
    let (held, path) = hold_lock(dir.path(), "4242\n1000000000\n");
    let run = publish_run(&config);
    assert_eq!(run.status(), 0, "{}", run.stderr());
    assert!(
        run.stdout()
            .starts_with("skipped: another publish run holds"),
        "{}",
        run.stdout()
    );
    run.stderr_has(&format!(
        "warning: the run lock {} has been held by process 4242 for ",
        path.display()
    ))
    .stderr_has("days")
    .stderr_has("that run may be stuck");
    drop(held);
    // A holder that recorded no time is dated by the lock file's own time.
    let (held, path) = hold_lock(dir.path(), "4343\n");
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(std::time::UNIX_EPOCH + Duration::from_secs(1_000_000_000))
        .unwrap();
    let run = publish_run(&config);
    assert_eq!(run.status(), 0, "{}", run.stderr());
    run.stderr_has("has been held by process 4343 for ");
    drop(held);
}

#[test]
fn a_withdrawal_refused_by_a_lock_held_for_years_names_its_holder() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom_in(dir.path());
    let (held, path) = hold_lock(dir.path(), "4242\n1000000000\n");
    let run = Casewire::new()
        .args(["withdraw", "weekly-2021-01-18", "--config", arg(&config)])
        .args(["--reason", "a wrong figure", "--by", "Ada"])
        .run();
    assert_ne!(run.status(), 0, "{}", run.stdout());
    run.stderr_has(&format!(
        "another publish run holds {} (process 4242, for ",
        path.display()
    ))
    .stderr_has("that run may be stuck")
    .stderr_has("try again once it has finished");
    drop(held);
}

#[test]
fn a_lock_just_taken_is_skipped_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom_in(dir.path());
    let real = shared("releases/2021-01-18/ltla-reconstructed.csv");
    place_release(dir.path(), "2021-01-18", "ltla.csv", &real, Place::Link);
    let path = dir.path().join("out/.casewire.lock");
    let held = casewire::fsio::RunLock::try_acquire(&path)
        .unwrap()
        .expect("free");
    // The holder says who it is.
    let holder = casewire::fsio::lock_holder(&path).unwrap();
    assert_eq!(holder.pid, Some(std::process::id()));
    let run = publish_run(&config);
    assert_eq!(run.status(), 0, "{}", run.stderr());
    assert!(
        run.stdout()
            .starts_with("skipped: another publish run holds")
    );
    assert!(!run.stderr().contains("held by"), "{}", run.stderr());
    drop(held);
}
