//! What goes live is what was checked, and nothing a run leaves stops the next one: an
//! approval checks the queued copy again (a figure changed in the queue folder is refused,
//! the edition stays waiting, as is a table or chart changed or removed there; an edit made
//! through the desk still goes live); every command
//! that takes the run lock clears what a killed run left out of sight (a dry run, which
//! writes nothing, leaves it); `after_publish` is killed at its time limit and an empty
//! program is refused when the newsroom file is read.

use std::path::{Path, PathBuf};

use crate::support::{Casewire, NewsroomFixture, Place, arg, place_release, se_london, shared};

const ID: &str = "weekly-2021-01-18";
const PAGE: &str = "weekly-2021-01-18/index.md";
const SENTENCE: &str = "at 775.5 with";

/// A newsroom with one patch story and the 18th's release; `review` holds its editions for
/// an editor, `top` is top-level settings and `stories` more `[[story]]` tables.
fn newsroom(dir: &Path, review: bool, top: &str, stories: &str) -> PathBuf {
    place_release(
        dir,
        "2021-01-18",
        "ltla-reconstructed.csv",
        &shared("releases/2021-01-18/ltla-reconstructed.csv"),
        Place::Link,
    );
    let review = if review {
        "[review]\nrequired = true\n"
    } else {
        ""
    };
    let mut fixture = NewsroomFixture::new(dir)
        .source_files("ltla-reconstructed.csv", &shared("population/mid-2019.csv"))
        .extra(review)
        .story("weekly", "se-london.toml")
        .patch_file("se-london.toml", se_london());
    for line in top.lines() {
        fixture = fixture.setting(line);
    }
    let config = fixture.write();
    if !stories.is_empty() {
        let mut text = std::fs::read_to_string(&config).unwrap();
        text.push_str(stories);
        std::fs::write(&config, text).unwrap();
    }
    config
}

fn publish(config: &Path) -> Casewire {
    Casewire::new().args(["publish", "--config", arg(config)])
}

fn review(config: &Path, args: &[&str]) -> Casewire {
    Casewire::new()
        .arg("review")
        .args(args)
        .args(["--config", arg(config), "--by", "Ann Editor"])
}

fn pending(dir: &Path, id: &str) -> PathBuf {
    dir.join("out/.casewire-queue/pending").join(id)
}

/// Replaces `from` with `to` in the file at `path`, which must hold it.
fn change(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} holds {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn approval_refuses_a_figure_changed_in_the_queue_and_the_edition_stays_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), true, "", "");
    publish(&config).success().stdout_has("queued 1 for review");
    let queued = pending(dir.path(), ID).join("files").join(PAGE);
    let drafted = std::fs::read(&queued).unwrap();
    change(&queued, SENTENCE, "at 999.9 with");

    let refused = review(&config, &["approve", ID]).code(1);
    refused
        .stderr_has(&queued.display().to_string())
        .stderr_has("fails its checks")
        .stderr_has("\"999.9\" traces to no fact")
        .stderr_has("it stays waiting");
    assert!(
        !dir.path().join("out/weekly-2021-01-18").exists(),
        "nothing published"
    );
    assert!(!dir.path().join("out/.casewire-state.json").exists());
    review(&config, &["list"])
        .success()
        .stdout_has(&format!("{ID}\t"));

    // A headline the data contradict is refused too: the front matter is copy.
    std::fs::write(&queued, &drafted).unwrap();
    change(&queued, "rates fall in every", "rates rise in every");
    review(&config, &["approve", ID])
        .code(1)
        .stderr_has(&queued.display().to_string());

    // Put back as drafted, it goes live.
    std::fs::write(&queued, &drafted).unwrap();
    review(&config, &["approve", ID])
        .success()
        .stdout_has("published 1 for release 2021-01-18");
    let live = std::fs::read_to_string(dir.path().join("out").join(PAGE)).unwrap();
    assert!(live.contains(SENTENCE), "{live}");
}

#[test]
fn an_edit_made_through_the_desk_goes_live_and_one_changed_after_it_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), true, "", "");
    publish(&config).success();
    let desk = casewire::review::Desk::open(&config).unwrap();
    let entry = desk.get(ID).unwrap();
    let cut = "The most recent days are left out because their test results are still coming in. ";
    let body = desk
        .copy(&entry)
        .unwrap()
        .unwrap()
        .original
        .replacen(cut, "", 1);
    let editor = casewire::review::Editor {
        name: "Ann Editor".into(),
        at: chrono::DateTime::UNIX_EPOCH,
    };
    desk.edit(ID, &body, &editor)
        .expect("the edit passes the desk's checks");
    let edit = pending(dir.path(), ID).join("edit.md");
    let kept = std::fs::read(&edit).unwrap();

    // The kept edit changed afterwards: the approval names it.
    change(&edit, SENTENCE, "at 999.9 with");
    review(&config, &["approve", ID])
        .code(1)
        .stderr_has(&edit.display().to_string())
        .stderr_has("\"999.9\" traces to no fact");
    assert!(!dir.path().join("out/weekly-2021-01-18").exists());

    std::fs::write(&edit, kept).unwrap();
    review(&config, &["approve", ID])
        .success()
        .stdout_has("published 1 for release 2021-01-18");
    let live = std::fs::read_to_string(dir.path().join("out").join(PAGE)).unwrap();
    assert!(!live.contains(cut) && live.contains(SENTENCE), "{live}");
}

#[test]
fn approval_checks_every_areas_page_of_an_every_area_edition() {
    let dir = tempfile::tempdir().unwrap();
    let areas = "[[story]]\nname = \"areas\"\npatch = \"se-london.toml\"\neach_area = true\nuniverse = \"england\"\n";
    let config = newsroom(dir.path(), true, "", areas);
    publish(&config).success().stdout_has("queued 2 for review");
    let id = "areas-2021-01-18";
    let queued =
        pending(dir.path(), id).join("files/areas-2021-01-18/greenwich-e09000011/index.md");
    let drafted = std::fs::read(&queued).unwrap();
    change(&queued, "1,177.9 per", "1,277.9 per");
    review(&config, &["approve", id])
        .code(1)
        .stderr_has(&queued.display().to_string())
        .stderr_has("\"1,277.9\" traces to no fact");
    assert!(!dir.path().join("out/areas-2021-01-18").exists());

    std::fs::write(&queued, drafted).unwrap();

    // An area's facts, or the week's, changed in the queue are refused too.
    let files = pending(dir.path(), id).join("files/areas-2021-01-18");
    for facts in [
        files.join("greenwich-e09000011/greenwich-e09000011.facts.json"),
        files.join("shared_facts.json"),
    ] {
        let drafted = std::fs::read(&facts).unwrap();
        std::fs::write(&facts, b"{}\n").unwrap();
        review(&config, &["approve", id])
            .code(1)
            .stderr_has(&facts.display().to_string())
            .stderr_has("changed or removed after the run queued it");
        std::fs::write(&facts, drafted).unwrap();
    }

    // So is a figure changed in an area's CMS item, which the queue keeps in its entry, and
    // an item for an area the edition does not have.
    let entry = pending(dir.path(), id).join("entry.json");
    let queued_entry = std::fs::read(&entry).unwrap();
    change(&entry, "1,177.9 per", "1,277.9 per");
    review(&config, &["approve", id])
        .code(1)
        .stderr_has(&entry.display().to_string())
        .stderr_has("\"1,277.9\" traces to no fact");
    std::fs::write(&entry, &queued_entry).unwrap();
    change(
        &entry,
        "\"areas/greenwich-e09000011\"",
        "\"areas/atlantis-e09999999\"",
    );
    review(&config, &["approve", id])
        .code(1)
        .stderr_has("areas/atlantis-e09999999, which is not an area of the edition");
    std::fs::write(&entry, &queued_entry).unwrap();

    review(&config, &["approve", id])
        .success()
        .stdout_has("published 1 for release 2021-01-18");
    assert!(
        dir.path()
            .join("out/areas-2021-01-18/greenwich-e09000011/index.md")
            .exists()
    );
}

/// Leaves in the output folder `out` what a publish killed just after its commit leaves
/// there: its staging folder holding the old copies the commit exchanged out (the page, the
/// feeds, the state file) and a temporary file of an atomic write.
fn leave_killed_runs_leftovers(out: &Path) {
    let staging = out.join(".casewire-staging");
    std::fs::create_dir_all(staging.join("weekly-2021-01-18")).unwrap();
    std::fs::write(staging.join(PAGE), "an old copy of the page\n").unwrap();
    for file in ["feed.json", "feed.xml", ".casewire-state.json"] {
        std::fs::write(staging.join(file), "an old copy\n").unwrap();
    }
    std::fs::write(out.join("weekly-2021-01-18/.casewire-x1y2z3.tmp"), "half").unwrap();
}

fn leftovers(out: &Path) -> bool {
    out.join(".casewire-staging").exists()
        || out.join("weekly-2021-01-18/.casewire-x1y2z3.tmp").exists()
}

#[test]
fn a_run_with_nothing_new_clears_a_killed_runs_leftovers_and_a_dry_run_leaves_them() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), false, "", "");
    publish(&config).success().stdout_has("published 1");
    let out = dir.path().join("out");
    let page = std::fs::read(out.join(PAGE)).unwrap();
    let state = std::fs::read(out.join(".casewire-state.json")).unwrap();
    leave_killed_runs_leftovers(&out);

    publish(&config)
        .arg("--dry-run")
        .success()
        .stdout_has("nothing new since 2021-01-18");
    assert!(
        leftovers(&out),
        "a dry run writes nothing, removals included"
    );

    publish(&config)
        .success()
        .stdout_has("nothing new since 2021-01-18");
    assert!(!leftovers(&out), "the run under the lock cleared them");
    assert_eq!(std::fs::read(out.join(PAGE)).unwrap(), page);
    assert_eq!(
        std::fs::read(out.join(".casewire-state.json")).unwrap(),
        state
    );
}

#[test]
fn a_review_decision_clears_a_killed_runs_leftovers_in_the_output_and_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), true, "", "");
    publish(&config).success();
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("weekly-2021-01-18")).unwrap();
    leave_killed_runs_leftovers(&out);
    // A run that queues assembles its editions in the queue's own staging folder.
    let queue_staging = out.join(".casewire-queue/pending/.casewire-staging");
    std::fs::create_dir_all(queue_staging.join("weekly-2021-01-19/files")).unwrap();
    std::fs::write(queue_staging.join("weekly-2021-01-19/entry.json"), "{").unwrap();

    review(&config, &["reject", ID, "--reason", "wrong week"]).success();
    assert!(!leftovers(&out));
    assert!(!queue_staging.exists());
}

#[test]
fn an_after_publish_past_its_time_limit_is_killed_and_the_next_run_is_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let top =
        "after_publish = [\"sh\", \"-c\", \"sleep 30 & sleep 30\"]\nafter_publish_timeout_secs = 1";
    let config = newsroom(dir.path(), false, top, "");
    publish(&config)
        .code(1)
        .stderr_has("published 1 for release 2021-01-18, but after_publish `sh -c sleep 30 & sleep 30` failed")
        .stderr_has("did not finish within 1 s (after_publish_timeout_secs)");
    assert!(
        dir.path().join("out").join(PAGE).exists(),
        "the edition stays out"
    );
    // The lock went with the run: the next run looks for work rather than skipping.
    publish(&config)
        .success()
        .stdout_has("nothing new since 2021-01-18");
}

#[test]
fn after_publish_settings_that_cannot_work_are_refused_when_the_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), false, "after_publish = [\"\"]", "");
    publish(&config)
        .code(1)
        .stderr_has("line 3: after_publish names no program to run");
    assert!(
        !dir.path().join("out").join(PAGE).exists(),
        "nothing published"
    );

    for (setting, said) in [
        (
            "after_publish_timeout_secs = 0",
            "after_publish_timeout_secs = 0 is out of range",
        ),
        (
            "after_publish_timeout_secs = 90000",
            "after_publish_timeout_secs = 90000 is out of range",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let config = newsroom(dir.path(), false, setting, "");
        publish(&config)
            .code(1)
            .stderr_has(&format!("line 3: {said}"));
    }
}

#[test]
fn approval_refuses_a_table_or_chart_changed_or_removed_in_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), true, "", "");
    publish(&config).success().stdout_has("queued 1 for review");
    let files = pending(dir.path(), ID).join("files/weekly-2021-01-18");
    let table = files.join("weekly-2021-01-18.csv");
    let chart = files.join("weekly-2021-01-18.svg");
    let drafted_table = std::fs::read(&table).unwrap();
    let drafted_chart = std::fs::read(&chart).unwrap();

    change(&table, "775.5", "999.9");
    review(&config, &["approve", ID])
        .code(1)
        .stderr_has(&table.display().to_string())
        .stderr_has("changed or removed after the run queued it");
    std::fs::write(&table, &drafted_table).unwrap();

    std::fs::remove_file(&chart).unwrap();
    review(&config, &["approve", ID])
        .code(1)
        .stderr_has(&chart.display().to_string());
    assert!(!dir.path().join("out/weekly-2021-01-18").exists());

    // Put back as drafted, the edition goes live with the table the run made.
    std::fs::write(&chart, &drafted_chart).unwrap();
    review(&config, &["approve", ID])
        .success()
        .stdout_has("published 1 for release 2021-01-18");
    let live = dir
        .path()
        .join("out/weekly-2021-01-18/weekly-2021-01-18.csv");
    assert_eq!(std::fs::read(live).unwrap(), drafted_table);
}
