//! The completeness gates as the commands run them: `draft` (a story and every area's),
//! `publish` and `fetch`, against real release files cut short, the real archive and a legacy
//! v2 server on 127.0.0.1; `--as-of`; the release a story was drafted from named.

use std::path::{Path, PathBuf};
use std::time::Duration;

use casewire::draft::{DraftRequest, ExpectFrom};
use serde_json::{Value, json};

use crate::fetch::server::{Request, Response, TestServer};
use crate::support::*;

const CONTACT: &str = "tests@example.com";

fn population() -> PathBuf {
    shared("population/mid-2019.csv")
}

fn london_utla() -> PathBuf {
    fixture("patches/london-utla.toml")
}

/// A patch of areas early in the files (Hartlepool, Middlesbrough and their neighbour), so
/// that a file cut after them still holds the patch's own areas.
fn north_patch(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(se_london())
        .unwrap()
        .replace(
            r#"core = ["Bexley", "Bromley", "Greenwich", "Lewisham", "Southwark"]"#,
            r#"core = ["Hartlepool", "Middlesbrough"]"#,
        )
        .replace(
            r#"nearby = ["Croydon", "Dartford", "Lambeth"]"#,
            r#"nearby = ["Redcar and Cleveland"]"#,
        )
        .replace("south east London", "Teesside");
    let path = dir.join("north.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The file at `from` up to (not including) the first line whose area code is `code`: cut
/// exactly where that area begins, every area before it whole.
fn cut_before(from: &Path, code: &str, to: &Path) -> usize {
    let text = std::fs::read_to_string(from).unwrap();
    let at = text.find(&format!("\n{code},")).unwrap() + 1;
    std::fs::write(to, &text[..at]).unwrap();
    text[..at].lines().count()
}

/// A CSV release as the v2 API's JSON: `{"body": [records]}`.
fn v2_json(csv: &str) -> Vec<u8> {
    let mut lines = csv.lines();
    let headers: Vec<&str> = lines.next().unwrap().split(',').collect();
    let body: Vec<Value> = lines
        .map(|line| {
            let mut record = serde_json::Map::new();
            // The release files quote names holding commas; none of the fields after them do.
            let (code, rest) = line.split_once(',').unwrap();
            let (rest, last) = rest.rsplit_once(',').unwrap();
            let (rest, date) = rest.rsplit_once(',').unwrap();
            let (name, area_type) = rest.rsplit_once(',').unwrap();
            let values = [code, name.trim_matches('"'), area_type, date];
            for (k, v) in headers.iter().zip(values) {
                record.insert(k.to_string(), json!(v));
            }
            record.insert(headers[4].to_string(), json!(last.parse::<i64>().unwrap()));
            Value::Object(record)
        })
        .collect();
    json!({"length": body.len(), "maxPageLimit": 2500, "body": body})
        .to_string()
        .into_bytes()
}

/// The legacy v2 API serving the shared utla releases (filtered by `areaCode` as the API
/// does), `add` added to every count, and on 2021-01-19 without the areas from
/// `cut_19th_at` on (a release served cut short where an area begins).
fn v2_utla(
    add: i64,
    cut_19th_at: Option<&'static str>,
) -> impl Fn(&Request) -> Response + Send + Sync + 'static {
    move |req: &Request| {
        let release = req.param("release").unwrap();
        let Ok(text) = std::fs::read_to_string(shared(&format!("releases/{release}/utla.csv")))
        else {
            return Response::with(404, "application/json", r#"{"response":"not found"}"#);
        };
        let code = req.param("areaCode");
        let mut out = String::new();
        for (i, line) in text.lines().enumerate() {
            let cut = release == "2021-01-19"
                && cut_19th_at.is_some_and(|at| line.get(..9).is_some_and(|c| c >= at));
            let keep = i == 0 || (code.as_deref().is_none_or(|c| line.starts_with(c)) && !cut);
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
        if req.param("format").as_deref() == Some("csv") {
            Response::with(200, "text/csv; charset=utf-8", out)
        } else {
            Response::with(200, "application/vnd.PHE-COVID19.v2+json", v2_json(&out))
        }
    }
}

/// A test server on its own runtime, kept while the test runs.
struct Server {
    server: TestServer,
    _runtime: tokio::runtime::Runtime,
}

fn serve(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Server {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(TestServer::start(Duration::ZERO, handler));
    Server {
        server,
        _runtime: runtime,
    }
}

/// `casewire fetch` of a legacy v2 utla release into `archive`, with `more` arguments.
fn fetch(server: &Server, archive: &Path, release: &str, more: &[&str]) -> Casewire {
    let mut args = vec![
        "fetch",
        "--source",
        "legacy-v2",
        "--area-type",
        "utla",
        "--release",
        release,
        "--base-url",
        &server.server.base,
        "--archive",
        arg(archive),
        "--contact",
        CONTACT,
    ];
    args.extend(more);
    Casewire::new().args(args)
}

/// `casewire draft --offline` of the London utla patch from `archive`, with `more` arguments.
fn draft_offline(archive: &Path, release: &str, more: &[&str]) -> Casewire {
    let patch = london_utla();
    let population = population();
    let mut args = vec![
        "draft",
        "--source",
        "legacy-v2",
        "--offline",
        "--area-type",
        "utla",
        "--archive",
        arg(archive),
        "--patch",
        arg(&patch),
        "--population",
        arg(&population),
        "--release",
        release,
    ];
    args.extend(more);
    Casewire::new().args(args)
}

/// The one line of an error, as `casewire` prints it.
fn gate_error(findings: &[String]) -> String {
    let lines: Vec<String> = findings.iter().map(|f| format!("  {f}")).collect();
    format!(
        "error: the data failed {} input check(s); no story was written:\n{}\nOnce a human has \
         checked the figures, a gate can be made a warning in the patch file: \
         [gates.severity] gate_name = \"warn\"\n",
        findings.len(),
        lines.join("\n")
    )
}

#[test]
fn whole_every_shared_release_drafts_unchanged_with_its_areas_expected() {
    let mut dates: Vec<String> = std::fs::read_dir(shared("releases"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    dates.sort();
    let mut tried = 0;
    for (file, patch) in [
        ("ltla-reconstructed.csv", se_london()),
        ("utla.csv", london_utla()),
    ] {
        let mut previous: Option<PathBuf> = None;
        for release in &dates {
            let path = shared("releases").join(release).join(file);
            if !path.exists() {
                continue;
            }
            let base = request(patch.clone(), vec![path.clone()], population(), release);
            let plain = casewire::draft::draft(&base).unwrap();
            let mut expects = vec![ExpectFrom::Register];
            expects.extend(previous.clone().map(ExpectFrom::File));
            for expect in expects {
                let checked = casewire::draft::draft(&DraftRequest {
                    expect_from: Some(expect.clone()),
                    ..base.clone()
                })
                .unwrap_or_else(|e| panic!("{file} {release} {expect:?}: {e}"));
                assert_eq!(checked.output, plain.output, "{file} {release} {expect:?}");
                assert_eq!(checked.warnings, plain.warnings, "{file} {release}");
                // The register is the default, so a plain draft runs missing-areas too.
                assert_eq!((plain.checked.gates, checked.checked.gates), (14, 14));
                tried += 1;
            }
            previous = Some(path);
        }
    }
    // 6 ltla releases (5 with a previous one), 11 utla releases (10 with one).
    assert_eq!(tried, 6 + 5 + 11 + 10);
    // The UK's upper tier: the register's Scottish councils are not in the dashboard's files,
    // and a nation left out whole is said, not refused.
    let run = casewire::draft::draft(&DraftRequest {
        expect_from: Some(ExpectFrom::Register),
        ..request(
            fixture("patches/england-uk.toml"),
            vec![shared("releases/2021-01-18/ltla-reconstructed.csv")],
            population(),
            "2021-01-18",
        )
    })
    .unwrap();
    assert_eq!(run.checked.gates, 14);
    let each = draft_each_area(&casewire::draft::EachAreaRequest {
        universe: Some(casewire::stats::Universe::Uk),
        no_audit: true,
        expect_from: Some(ExpectFrom::Register),
        ..each_area_request(
            vec![shared("releases/2021-01-18/utla.csv")],
            population(),
            "2021-01-18",
        )
    })
    .unwrap();
    assert!(
        each.warnings.contains(
            &"the release holds no utla area in Scotland, where the register lists 32 on \
              2021-01-18: Scotland is not checked (the source may not publish it)"
                .to_string()
        ),
        "{:?}",
        each.warnings
    );
}

#[test]
fn draft_a_file_cut_where_an_area_begins_is_refused_naming_the_missing_areas_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("ltla-reconstructed.csv");
    let full_18th = shared("releases/2021-01-18/ltla-reconstructed.csv");
    // Every area before Newark and Sherwood whole, and none after: 190 of 380.
    assert_eq!(cut_before(&full_18th, "E07000175", &cut), 9121);
    let out = dir.path().join("story.md");
    let pop = population();
    let draft = |expect: &str, patch: &Path| {
        Casewire::new()
            .args([
                "draft",
                "--patch",
                arg(patch),
                "--data",
                arg(&cut),
                "--population",
                arg(&pop),
                "--release",
                "2021-01-18",
                "--expect-from",
                expect,
                "--out",
                arg(&out),
            ])
            .run()
    };
    let first_ten = "Newark and Sherwood (E07000175), Rushcliffe (E07000176), Cherwell \
                     (E07000177), Oxford (E07000178), South Oxfordshire (E07000179), Vale of \
                     White Horse (E07000180), West Oxfordshire (E07000181), Mendip (E07000187), \
                     Sedgemoor (E07000188), South Somerset (E07000189)";
    let north = north_patch(dir.path());
    // Against the register: England's 315, of which 125 are gone.
    let run = draft("register", &north);
    assert_eq!(run.status, 3, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        gate_error(&[format!(
            "error: missing-areas: 125 of the 315 ltla areas in the register of lower-tier areas \
             in England on 2021-01-18 are missing from this release: {first_ten} and 115 others"
        )])
    );
    assert!(!out.exists() && !dir.path().join("story.facts.json").exists());
    // Against the previous release's file (here the whole 18th): all 380, of which 190 gone.
    let run = draft(arg(&full_18th), &north);
    assert_eq!(run.status, 3, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        gate_error(&[format!(
            "error: missing-areas: 190 of the 380 ltla areas in the previous release ({}) are \
             missing from this release: {first_ten} and 180 others",
            full_18th.display()
        )])
    );
    assert!(!out.exists());
    // Every area's stories, and a story per area of the patch (`--template area --out-dir`):
    // refused the same way, no folder written, held back by a gate as the single story is
    // (exit 3, not a failure's 1).
    let out_dir = dir.path().join("each");
    let north_arg = arg(&north);
    for folder_run in [
        &["--each-area"][..],
        &["--patch", north_arg, "--template", "area"][..],
    ] {
        let run = Casewire::new()
            .arg("draft")
            .args(folder_run)
            .args([
                "--data",
                arg(&cut),
                "--population",
                arg(&pop),
                "--release",
                "2021-01-18",
                "--expect-from",
                "register",
                "--out-dir",
                arg(&out_dir),
            ])
            .run();
        assert_eq!(run.status, 3, "{folder_run:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("error: missing-areas: 125 of the 315 ltla areas in the register"),
            "{}",
            run.stderr
        );
        assert!(!out_dir.exists());
    }
    // Its severity is set like any gate's: a warning, and the story is written.
    let patch = dir.path().join("patch.toml");
    let text = std::fs::read_to_string(&north).unwrap();
    std::fs::write(
        &patch,
        format!("{text}\n[gates.severity]\nmissing_areas = \"warn\"\n"),
    )
    .unwrap();
    let run = draft("register", &patch);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "warning: missing-areas: 125 of the 315 ltla areas in the register of lower-tier \
             areas in England on 2021-01-18 are missing from this release: {first_ten} and 115 \
             others\n"
        )),
        "{}",
        run.stderr
    );
    assert!(out.exists());
}

#[test]
fn draft_a_file_cut_half_way_through_an_area_is_refused_without_being_told_what_to_expect() {
    let dir = tempfile::tempdir().unwrap();
    let cut = dir.path().join("ltla-reconstructed.csv");
    let text =
        std::fs::read_to_string(shared("releases/2021-01-18/ltla-reconstructed.csv")).unwrap();
    let end: usize = text.split_inclusive('\n').take(9120).map(str::len).sum();
    std::fs::write(&cut, &text[..end]).unwrap();
    let out = dir.path().join("story.md");
    let run = Casewire::new()
        .args([
            "draft",
            "--patch",
            arg(&north_patch(dir.path())),
            "--data",
            arg(&cut),
            "--population",
            arg(&population()),
            "--release",
            "2021-01-18",
            "--out",
            arg(&out),
        ])
        .run();
    assert_eq!(run.status, 3, "{}", run.stderr);
    // Nothing named, the register is checked too, and both faults are named.
    let series = format!(
        "error: series-stopped: Mansfield (E07000174): the series starts at 2020-12-02, after \
         2020-12-01, where every other area's starts (in {}): a file in the dashboard's order \
         (newest day first) cut short in this area\n",
        cut.display()
    );
    let register = "error: missing-areas: 125 of the 315 ltla areas in the register";
    assert!(
        run.stderr
            .starts_with("error: the data failed 2 input check(s)")
    );
    assert!(run.stderr.contains(register) && run.stderr.contains(&series));
    assert!(!out.exists());
}

#[test]
fn archive_a_release_served_cut_short_is_refused_by_draft_and_publish_against_the_previous() {
    // The 19th served without the areas from E10 (England's counties) on: Northern Ireland
    // and Wales go with them.
    let server = serve(v2_utla(0, Some("E10000000")));
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive.sqlite");
    fetch(&server, &archive, "2021-01-18", &[]).success();
    fetch(&server, &archive, "2021-01-19", &[]).success();
    let file = std::fs::read_to_string(shared("releases/2021-01-19/utla.csv")).unwrap();
    let mut codes: Vec<&str> = file.lines().skip(1).map(|l| &l[..9]).collect();
    codes.dedup();
    let gone = codes.iter().filter(|c| **c >= "E10000000").count();
    assert_eq!((codes.len(), gone), (182, 59));
    let first_ten = "Buckinghamshire (E10000002), Cambridgeshire (E10000003), Cumbria \
                     (E10000006), Derbyshire (E10000007), Devon (E10000008), East Sussex \
                     (E10000011), Essex (E10000012), Gloucestershire (E10000013), Hampshire \
                     (E10000014), Hertfordshire (E10000015)";
    let run = draft_offline(&archive, "2021-01-19", &[]).run();
    assert_eq!(run.status, 3, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        gate_error(&[format!(
            "error: missing-areas: 59 of the 182 utla areas in the previous release (legacy-v2 \
             2021-01-18) are missing from this release: {first_ten} and 49 others"
        )])
    );
    // The 18th, whole, still drafts.
    draft_offline(&archive, "2021-01-18", &[]).success();
    // A scheduled publish from the archive refuses the 19th and writes nothing.
    let newsroom = dir.path().join("newsroom");
    std::fs::create_dir(&newsroom).unwrap();
    std::fs::copy(&archive, newsroom.join("archive.sqlite")).unwrap();
    let config = NewsroomFixture::new(&newsroom)
        .contact(CONTACT)
        .source_legacy_archive("utla", &population(), &server.server.base)
        .max_age_days(3)
        .patch_file("patch.toml", london_utla())
        .story("london", "patch.toml")
        .write();
    let err = publish_offline(&config, Some(date("2021-01-19"))).unwrap_err();
    assert_eq!(err.to_string(), "story \"london\" for release 2021-01-19");
    let cause = std::error::Error::source(&err).unwrap().to_string();
    assert!(
        cause.contains(&format!(
            "missing-areas: 59 of the 182 utla areas in the previous release (legacy-v2 \
             2021-01-18) are missing from this release: {first_ten} and 49 others"
        )),
        "{cause}"
    );
    let out = newsroom.join("out");
    let written: Vec<_> = std::fs::read_dir(&out)
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(
        written
            .iter()
            .all(|n| n.to_string_lossy().starts_with(".casewire")),
        "{written:?}"
    );
    // The first release of an archive is checked against the register.
    let first = dir.path().join("first.sqlite");
    fetch(&server, &first, "2021-01-19", &[]).success();
    let run = draft_offline(&first, "2021-01-19", &[]).run();
    assert_eq!(run.status, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "error: missing-areas: 26 of the 149 utla areas in the register of upper-tier \
             areas in England on 2021-01-19 are missing from this release: {first_ten} and 16 \
             others\n"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn as_of_draft_offline_of_a_day_without_a_release_is_refused_unless_as_of() {
    let server = serve(v2_utla(0, None));
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive.sqlite");
    fetch(&server, &archive, "2021-01-18", &[]).success();
    let run = draft_offline(&archive, "2021-01-19", &[]).run();
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr,
        format!(
            "error: archive {}: no release on 2021-01-19 of legacy-v2 utla (stored: 2021-01-18); \
             fetch it first, or draft from the newest earlier release on purpose (--as-of)\n",
            archive.display()
        )
    );
    let of_18th = draft_offline(&archive, "2021-01-18", &[]).success();
    let as_of = draft_offline(&archive, "2021-01-19", &["--as-of"]).success();
    // The 18th's story, its dates the 18th's, and the release used named.
    assert_eq!(as_of.stdout, of_18th.stdout);
    assert!(!as_of.stdout.contains("January 19"), "{}", as_of.stdout);
    assert!(
        as_of.stderr.contains(
            "warning: drafted from legacy-v2 release 2021-01-18, not 2021-01-19: the archive \
             holds no release on 2021-01-19, and --as-of takes the newest earlier one; the \
             copy's dates are 2021-01-18's\n"
        ),
        "{}",
        as_of.stderr
    );
    assert!(
        !of_18th.stderr.contains("drafted from"),
        "{}",
        of_18th.stderr
    );
}

#[test]
fn release_label_a_revision_is_named_in_the_json_and_on_standard_error() {
    let good = serve(v2_utla(0, None));
    let other = serve(v2_utla(1, None));
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive.sqlite");
    fetch(&good, &archive, "2021-01-18", &[]).success();
    // Every area again with other numbers, as a revision beside the 18th.
    {
        let mut store = casewire::fetch::Archive::open(&archive).unwrap();
        let mut opts =
            casewire::fetch::FetchOptions::new(casewire::fetch::Source::LegacyV2, "utla");
        opts.base_url = Some(other.server.base.clone());
        opts.client.contact = CONTACT.into();
        opts.release = Some(date("2021-01-18"));
        opts.refetch = true;
        let report = casewire::fetch::fetch_blocking(
            &opts,
            Some(&mut store),
            std::sync::Arc::new(casewire::fetch::progress::Silent),
        )
        .unwrap();
        assert_eq!(report.release, "2021-01-18+r02");
        assert_eq!(
            report.warnings,
            [
                "legacy-v2 utla release 2021-01-18+r02 is stored beside release 2021-01-18, as a \
              revision: this fetch has other numbers than the stored release, which keeps its \
              own; drafts and publishes of the release use the revision from now on"
            ]
        );
    }
    let run = draft_offline(&archive, "2021-01-18", &["--format", "json"]).success();
    let view: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(view["release_label"], "2021-01-18+r02");
    assert_eq!(view["release"], "2021-01-18");
    assert!(
        run.stderr.contains(
            "warning: drafted from legacy-v2 release 2021-01-18+r02, the newest stored on \
             2021-01-18\n"
        ),
        "{}",
        run.stderr
    );
    // A draft of data files has no archive label.
    let file = Casewire::new()
        .args([
            "draft",
            "--patch",
            arg(&london_utla()),
            "--data",
            arg(&shared("releases/2021-01-18/utla.csv")),
            "--population",
            arg(&population()),
            "--release",
            "2021-01-18",
            "--format",
            "json",
        ])
        .success();
    let view: Value = serde_json::from_str(&file.stdout).unwrap();
    assert!(view.get("release_label").is_none());
    assert!(!file.stderr.contains("drafted from"), "{}", file.stderr);
}

/// A warning line as `fetch` and `publish` print it: a UTC timestamp, then the warning.
fn stamped(stderr: &str, warning: &str) -> bool {
    stderr.lines().any(|line| {
        line.split_once(' ').is_some_and(|(stamp, rest)| {
            chrono::DateTime::parse_from_rfc3339(stamp).is_ok()
                && stamp.ends_with('Z')
                && rest == format!("warning: {warning}")
        })
    })
}

#[test]
fn partial_and_revised_fetches_are_said_by_fetch_and_publish() {
    let good = serve(v2_utla(0, None));
    let other = serve(v2_utla(1, None));
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive.sqlite");
    let partial = "legacy-v2 utla release 2021-01-18 is stored as partial (a fetch of \
                   E09000011 and E09000023 only): it is never drafted or published as the \
                   release; fetch without --area for the whole release";
    let run = fetch(
        &other,
        &archive,
        "2021-01-18",
        &["--area", "E09000011", "--area", "E09000023"],
    )
    .success();
    assert!(stamped(&run.stderr_stamped, partial), "{}", run.stderr);
    assert_eq!(run.stderr.matches("warning:").count(), 1, "{}", run.stderr);
    // The whole release from a server with other numbers than the partial fetch's: stored
    // beside it, said by publish, and published.
    let newsroom = dir.path().join("newsroom");
    std::fs::create_dir(&newsroom).unwrap();
    std::fs::copy(&archive, newsroom.join("archive.sqlite")).unwrap();
    let config = NewsroomFixture::new(&newsroom)
        .contact(CONTACT)
        .source_legacy_archive("utla", &population(), &good.server.base)
        .max_age_days(3)
        .patch_file("patch.toml", london_utla())
        .story("london", "patch.toml")
        .write();
    let options = casewire::publish::PublishOptions {
        config: config.clone(),
        today: Some(date("2021-01-18")),
        ..casewire::publish::PublishOptions::default()
    };
    let run = casewire::publish::run_with(&options, &mut casewire::fsio::Disk);
    assert_eq!(
        run.result.unwrap().to_string(),
        "published 1 for release 2021-01-18"
    );
    let revision = "legacy-v2 utla release 2021-01-18+r02 is stored beside release \
                    2021-01-18, as a revision: this fetch has other numbers than the stored \
                    release, which keeps its own; drafts and publishes of the release use the \
                    revision from now on";
    assert!(
        run.warnings.contains(&revision.to_string()),
        "{:?}",
        run.warnings
    );
    // A partial revision: both said.
    let whole = dir.path().join("whole.sqlite");
    fetch(&good, &whole, "2021-01-18", &[]).success();
    let run = fetch(&other, &whole, "2021-01-18", &["--area", "E09000011"]).success();
    assert!(
        stamped(
            &run.stderr_stamped,
            "legacy-v2 utla release 2021-01-18+r02 is stored as partial (a fetch of E09000011 \
             only): it is never drafted or published as the release; fetch without --area for \
             the whole release"
        ),
        "{}",
        run.stderr
    );
    assert!(
        stamped(
            &run.stderr_stamped,
            "legacy-v2 utla release 2021-01-18+r02 is stored beside release 2021-01-18, as a \
             revision: this fetch has other numbers than the stored release, which keeps its \
             own; a whole fetch makes the revision the release"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn series_an_area_behind_its_nation_is_refused_a_nation_a_day_behind_is_not() {
    // The real 2021-01-22 file: Wales's series end on the 20th, England's on the 21st.
    let full = shared("releases/2021-01-22/ltla-reconstructed.csv");
    let text = std::fs::read_to_string(&full).unwrap();
    let ends = |code: &str| {
        text.lines()
            .find(|l| l.starts_with(code))
            .map(|l| l.split(',').nth(3).unwrap().to_string())
            .unwrap()
    };
    assert_eq!(
        (ends("E06000001"), ends("W06000015")),
        ("2021-01-21".into(), "2021-01-20".into())
    );
    let dir = tempfile::tempdir().unwrap();
    let north = north_patch(dir.path());
    let draft = |data: &Path| {
        Casewire::new()
            .args([
                "draft",
                "--patch",
                arg(&north),
                "--data",
                arg(data),
                "--population",
                arg(&population()),
                "--release",
                "2021-01-22",
            ])
            .run()
    };
    assert_eq!(draft(&full).status, 0);
    // Hartlepool's newest day gone: a day behind England.
    let cut = dir.path().join("ltla-reconstructed.csv");
    let newest = "E06000001,Hartlepool,ltla,2021-01-21,";
    let at = text.find(newest).unwrap();
    let line_end = at + text[at..].find('\n').unwrap() + 1;
    std::fs::write(&cut, format!("{}{}", &text[..at], &text[line_end..])).unwrap();
    let run = draft(&cut);
    assert_eq!(run.status, 3, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        gate_error(&[format!(
            "error: series-stopped: Hartlepool (E06000001): the series stops at 2021-01-20, \
             before its nation's last date in the release, 2021-01-21 (in {}): the release was \
             cut short, or the area dropped",
            cut.display()
        )])
    );
}

#[test]
fn publish_a_release_file_cut_where_an_area_begins_is_refused_against_the_previous_folder() {
    let dir = tempfile::tempdir().unwrap();
    let patches = tempfile::tempdir().unwrap();
    let north = north_patch(patches.path());
    place_release(
        dir.path(),
        "2021-01-18",
        "ltla-reconstructed.csv",
        &shared("releases/2021-01-18/ltla-reconstructed.csv"),
        Place::Link,
    );
    let config = NewsroomFixture::new(dir.path())
        .source_files("ltla-reconstructed.csv", &population())
        .patch_file("north.toml", &north)
        .story("teesside", "north.toml")
        .write();
    assert_eq!(
        publish(&config, None).unwrap().to_string(),
        "published 1 for release 2021-01-18"
    );
    let out = dir.path().join("out");
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != ".casewire.lock")
            .collect();
        names.sort();
        names
    };
    let before = listing();
    let state = std::fs::read(out.join(".casewire-state.json")).unwrap();
    // The 19th arrives cut where Newark and Sherwood begins: 190 of its 380 areas.
    let folder = dir.path().join("releases/2021-01-19");
    std::fs::create_dir_all(&folder).unwrap();
    cut_before(
        &shared("releases/2021-01-19/ltla-reconstructed.csv"),
        "E07000175",
        &folder.join("ltla-reconstructed.csv"),
    );
    let err = publish(&config, None).unwrap_err();
    assert_eq!(err.to_string(), "story \"teesside\" for release 2021-01-19");
    let cause = std::error::Error::source(&err).unwrap().to_string();
    assert_eq!(
        cause,
        format!(
            "the data failed 1 input check(s); no story was written:\n  error: missing-areas: \
             190 of the 380 ltla areas in the previous release ({}) are missing from this \
             release: Newark and Sherwood (E07000175), Rushcliffe (E07000176), Cherwell \
             (E07000177), Oxford (E07000178), South Oxfordshire (E07000179), Vale of White \
             Horse (E07000180), West Oxfordshire (E07000181), Mendip (E07000187), Sedgemoor \
             (E07000188), South Somerset (E07000189) and 180 others\nOnce a human has checked \
             the figures, a gate can be made a warning in the patch file: [gates.severity] \
             gate_name = \"warn\"",
            dir.path()
                .join("releases/2021-01-18/ltla-reconstructed.csv")
                .display()
        )
    );
    assert_eq!(listing(), before);
    assert_eq!(
        std::fs::read(out.join(".casewire-state.json")).unwrap(),
        state
    );
}
