//! The review queue from the command line: with `[review] required = true` a publish run
//! puts its editions in the queue and nothing in the site; `review approve` puts one live as
//! an unattended run would, and refuses when the state has moved on; `review reject` keeps
//! one off the site for good; every decision is logged.

use std::path::{Path, PathBuf};

use crate::support::{Casewire, NewsroomFixture, Place, arg, place_release, se_london, shared};

/// A newsroom with one story and one release, holding its editions for review.
pub fn newsroom(dir: &Path, extra: &str) -> PathBuf {
    place_release(
        dir,
        "2021-01-18",
        "ltla-reconstructed.csv",
        &shared("releases/2021-01-18/ltla-reconstructed.csv"),
        Place::Link,
    );
    NewsroomFixture::new(dir)
        .source_files("ltla-reconstructed.csv", &shared("population/mid-2019.csv"))
        .extra(&format!("[review]\nrequired = true\n{extra}"))
        .story("weekly", "se-london.toml")
        .patch_file("se-london.toml", se_london())
        .write()
}

const ID: &str = "weekly-2021-01-18";

fn review(config: &Path, args: &[&str]) -> Casewire {
    Casewire::new()
        .arg("review")
        .args(args)
        .args(["--config", arg(config), "--by", "Ann Editor"])
}

#[test]
fn publish_queues_and_nothing_reaches_the_site_until_approved() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), "");
    let run = Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .success();
    run.stdout_has("queued 1 for review, release 2021-01-18");
    let out = dir.path().join("out");
    let listed: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        listed,
        [".casewire-queue"],
        "only the hidden queue in the output"
    );
    // A second run queues nothing twice.
    Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .success()
        .stdout_has("queued 0 for review");

    let list = review(&config, &["list"]).success();
    let line = list.stdout().lines().next().unwrap();
    assert!(line.starts_with(&format!("{ID}\t")), "{line}");
    assert_eq!(list.stdout().lines().count(), 1);
    let json = review(&config, &["list", "--format", "json"]).success();
    let rows: serde_json::Value = serde_json::from_str(json.stdout()).unwrap();
    assert_eq!(rows[0]["id"], ID);

    review(&config, &["show", ID])
        .success()
        .stdout_has("version: seed 0, template weekly-roundup\n")
        .stdout_has("copy (as drafted):")
        .stdout_has("Greenwich has the highest rate");

    review(&config, &["approve", ID])
        .success()
        .stdout_has("approved weekly-2021-01-18: published 1 for release 2021-01-18");
    assert!(out.join("weekly-2021-01-18/index.md").exists());
    assert!(out.join("feed.xml").exists());
    // Its ninjs item goes live with it, as an unattended run's would: valid, usable, first
    // version.
    let item = std::fs::read(out.join("weekly-2021-01-18/weekly-2021-01-18.ninjs.json"))
        .expect("the approved edition's ninjs item");
    let item: serde_json::Value = serde_json::from_slice(&item).unwrap();
    crate::deliver::assert_valid(&crate::deliver::validator(), &item);
    assert_eq!(item["pubstatus"], "usable");
    assert_eq!(item["version"], "1");
    let state = std::fs::read_to_string(out.join(".casewire-state.json")).unwrap();
    assert!(state.contains("2021-01-18"));
    let log = std::fs::read_to_string(out.join(".casewire-queue/log.jsonl")).unwrap();
    assert!(
        log.contains("\"action\":\"approved\"") && log.contains("Ann Editor"),
        "{log}"
    );
    assert!(
        out.join(".casewire-queue/approved")
            .join(ID)
            .join("entry.json")
            .exists()
    );

    // Approved already: the id is no longer waiting, and the error says so.
    review(&config, &["approve", ID])
        .failure()
        .stderr_has("it was approved already");
    // With the release live, the next run has nothing new.
    Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .success()
        .stdout_has("nothing new since 2021-01-18");
}

#[test]
fn an_edition_whose_release_went_live_meanwhile_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), "");
    Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .success();
    let queue = dir.path().join("out/.casewire-queue/pending");
    // The same edition queued twice over (a copy of its folder), one approved first.
    let copy = queue.join("weekly-2021-01-18-again");
    std::fs::create_dir_all(&copy).unwrap();
    let entry = std::fs::read_to_string(queue.join(ID).join("entry.json")).unwrap();
    std::fs::write(
        copy.join("entry.json"),
        entry.replace(
            "\"id\": \"weekly-2021-01-18\"",
            "\"id\": \"weekly-2021-01-18-again\"",
        ),
    )
    .unwrap();
    std::os::unix::fs::symlink(queue.join(ID).join("files"), copy.join("files")).unwrap();
    review(&config, &["approve", ID]).success();
    review(&config, &["approve", "weekly-2021-01-18-again"])
        .failure()
        .stderr_has("is live already");
}

#[test]
fn reject_needs_a_reason_is_logged_and_is_never_queued_again() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), "");
    Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .success();
    review(&config, &["reject", ID, "--reason", "  "])
        .failure()
        .stderr_has("needs a reason");
    review(
        &config,
        &["reject", ID, "--reason", "figures revised overnight"],
    )
    .success()
    .stdout_has("rejected weekly-2021-01-18");
    let out = dir.path().join("out");
    let log = std::fs::read_to_string(out.join(".casewire-queue/log.jsonl")).unwrap();
    assert!(
        log.contains("\"rejected\"") && log.contains("figures revised overnight"),
        "{log}"
    );
    let run = Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .success();
    run.stdout_has("queued 0 for review");
    run.stderr_has("was rejected at the desk");
    assert!(!out.join("weekly-2021-01-18").exists());
}

#[test]
fn unknown_ids_are_named_with_what_is_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), "");
    review(&config, &["show", "nothing-here"])
        .failure()
        .stderr_has("no edition \"nothing-here\" is waiting")
        .stderr_has("nothing is waiting");
    Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .success();
    review(&config, &["approve", "../../etc"])
        .failure()
        .stderr_has("waiting: weekly-2021-01-18");
}

#[test]
fn a_queue_a_site_generator_would_read_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), "queue = \"out/queue\"\n");
    Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .failure()
        .stderr_has("[review] queue")
        .stderr_has("leading dot");
}
