//! `casewire publish` as a scheduled job meets it: editions once, whole files, state after
//! files, a lock, corrections, and output a static-site generator takes as is.

use std::path::{Path, PathBuf};

use crate::support::*;

/// A newsroom in a temporary folder whose releases folder holds the given real releases.
struct Newsroom {
    dir: tempfile::TempDir,
}

impl Newsroom {
    fn new(releases: &[&str], extra: &str) -> Newsroom {
        let dir = tempfile::tempdir().unwrap();
        let n = Newsroom { dir };
        for r in releases {
            n.add_release(r);
        }
        NewsroomFixture::new(n.path())
            .source_files("ltla-reconstructed.csv", &shared("population/mid-2019.csv"))
            .extra(extra)
            .story("se-london-weekly", "se-london.toml")
            .patch_file("se-london.toml", se_london())
            .write();
        n
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn config(&self) -> PathBuf {
        self.path().join("newsroom.toml")
    }

    fn out(&self) -> PathBuf {
        self.path().join("out")
    }

    fn add_release(&self, release: &str) {
        place_release(
            self.path(),
            release,
            "ltla-reconstructed.csv",
            &shared(&format!("releases/{release}/ltla-reconstructed.csv")),
            Place::Link,
        );
    }

    fn publish(&self) -> Run {
        Casewire::new()
            .args(["publish", "--config", arg(&self.config())])
            .run()
    }

    /// Every file in the output folder, by its path there.
    fn files(&self) -> Vec<String> {
        fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).into_iter().flatten() {
                let e = e.unwrap();
                let name = format!("{prefix}{}", e.file_name().to_string_lossy());
                if e.file_type().unwrap().is_dir() {
                    walk(&e.path(), &format!("{name}/"), out);
                } else {
                    out.push(name);
                }
            }
        }
        let mut names = Vec::new();
        walk(&self.out(), "", &mut names);
        names.sort();
        names
    }
}

#[test]
fn first_run_publishes_then_nothing_new_then_the_next_edition() {
    let n = Newsroom::new(&["2021-01-18"], "");
    let first = n.publish();
    assert_eq!(first.status, 0, "{}", first.stderr);
    assert_eq!(first.stdout, "published 1 for release 2021-01-18\n");
    assert_eq!(
        n.files(),
        [
            ".casewire-state.json",
            "feed.json",
            "feed.xml",
            "se-london-weekly-2021-01-18/index.md",
            "se-london-weekly-2021-01-18/se-london-weekly-2021-01-18.csv",
            "se-london-weekly-2021-01-18/se-london-weekly-2021-01-18.facts.json",
            "se-london-weekly-2021-01-18/se-london-weekly-2021-01-18.ninjs.json",
            "se-london-weekly-2021-01-18/se-london-weekly-2021-01-18.story.json",
            "se-london-weekly-2021-01-18/se-london-weekly-2021-01-18.svg",
        ]
    );
    let second = n.publish();
    assert_eq!(second.status, 0);
    assert_eq!(second.stdout, "nothing new since 2021-01-18\n");
    n.add_release("2021-01-20");
    let third = n.publish();
    assert_eq!(third.status, 0, "{}", third.stderr);
    assert!(
        third
            .stdout
            .starts_with("published 1 for release 2021-01-20"),
        "{}",
        third.stdout
    );
    assert!(
        n.files()
            .contains(&"se-london-weekly-2021-01-20/index.md".to_string())
    );
    assert!(
        n.files()
            .contains(&"se-london-weekly-2021-01-18/index.md".to_string()),
        "earlier edition kept"
    );
}

#[test]
fn dry_run_writes_nothing() {
    let n = Newsroom::new(&["2021-01-18"], "");
    let run = Casewire::new()
        .args(["publish", "--config", arg(&n.config()), "--dry-run"])
        .success();
    assert!(
        run.stdout
            .contains("would write se-london-weekly-2021-01-18/index.md")
    );
    assert!(
        run.stdout
            .ends_with("would publish 1 for release 2021-01-18\n")
    );
    assert!(!n.out().exists());
}

/// A writer that puts the first `n` files in place and then fails, as a full disk would.
#[test]
fn a_run_failing_between_files_leaves_no_partial_file_and_the_next_run_completes() {
    let n = Newsroom::new(&["2021-01-18"], "");
    // The edition's folder goes in whole, then the state fails.
    let err = publish_failing_after(&n.config(), 1).unwrap_err();
    assert!(format!("{err:#?}").contains("injected fault"));
    // The edition already in place is taken back: no edition, no leftovers out of sight,
    // no lock, and no state claiming an edition.
    assert_eq!(n.files(), Vec::<String>::new());
    let again = n.publish();
    assert_eq!(
        again.stdout, "published 1 for release 2021-01-18\n",
        "{}",
        again.stderr
    );
    // The state file, the two feeds and the edition's six: story, view model, table, chart,
    // facts and ninjs item.
    assert_eq!(n.files().len(), 9);
}

#[test]
fn two_runs_started_together_never_both_publish() {
    let n = Newsroom::new(&["2021-01-18"], "");
    let spawn = || {
        Casewire::new()
            .args(["publish", "--config", arg(&n.config())])
            .spawn()
    };
    let (a, b) = (spawn(), spawn());
    let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
    let said: Vec<String> = outs
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .collect();
    assert!(outs.iter().all(|o| o.status.success()), "{said:?}");
    let published = said.iter().filter(|s| s.starts_with("published 1")).count();
    assert_eq!(published, 1, "{said:?}");
    assert!(
        said.iter()
            .any(|s| s.starts_with("skipped: another publish run") || s.starts_with("nothing new")),
        "{said:?}"
    );
    assert!(
        !n.out().join(".casewire.lock").exists(),
        "the lock is released"
    );
}

#[test]
fn a_lock_file_left_by_a_killed_run_is_simply_locked_again() {
    let n = Newsroom::new(&["2021-01-18"], "");
    std::fs::create_dir_all(n.out()).unwrap();
    // The file a killed run leaves: the kernel let go of its lock when the process died.
    std::fs::write(n.out().join(".casewire.lock"), "4000000\n").unwrap();
    let run = n.publish();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    assert!(run.stdout.starts_with("published 1"));
}

#[test]
fn a_run_is_skipped_while_another_holds_the_lock_and_runs_once_it_is_let_go() {
    let n = Newsroom::new(&["2021-01-18"], "");
    let path = n.out().join(".casewire.lock");
    let held = casewire::fsio::RunLock::try_acquire(&path)
        .unwrap()
        .expect("free");
    let skipped = n.publish();
    assert_eq!(skipped.status, 0, "{}", skipped.stderr);
    assert!(
        skipped
            .stdout
            .starts_with("skipped: another publish run holds"),
        "{}",
        skipped.stdout
    );
    assert!(!n.out().join(".casewire-state.json").exists());
    drop(held);
    assert!(n.publish().stdout.starts_with("published 1"));
}

#[test]
fn a_revised_release_writes_a_correction_with_the_right_figures() {
    // A threshold low enough that a day's revisions count, so the note is exercised.
    let n = Newsroom::new(
        &["2021-01-18"],
        "[corrections]\nrate_change = 0.1\ncases_share = 0.001\n",
    );
    assert!(n.publish().stdout.starts_with("published 1"));
    n.add_release("2021-01-19");
    let run = n.publish();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("and 1 correction(s)"), "{}", run.stdout);
    let note = std::fs::read_to_string(
        n.out()
            .join("se-london-weekly-2021-01-18-correction/index.md"),
    )
    .unwrap();
    // The revised figures are the 2021-01-19 release's own for the week to January 14.
    let revised =
        casewire::draft::load_data(&[shared("releases/2021-01-19/ltla-reconstructed.csv")])
            .unwrap();
    let original =
        casewire::draft::load_data(&[shared("releases/2021-01-18/ltla-reconstructed.csv")])
            .unwrap();
    let (pop, _) =
        casewire::fetch::read_population_file(&shared("population/mid-2019.csv")).unwrap();
    let week = casewire::stats::Week::ending(date("2021-01-14"));
    let mut expected = 0;
    for code in [
        "E09000004",
        "E09000006",
        "E09000011",
        "E09000023",
        "E09000028",
        "E09000008",
        "E07000107",
        "E09000022",
    ] {
        let old = casewire::stats::week_sum(original.area("ltla", code).unwrap(), week).unwrap();
        let new = casewire::stats::week_sum(revised.area("ltla", code).unwrap(), week).unwrap();
        if old != new {
            let name = &revised.area("ltla", code).unwrap().name;
            let p = pop.get(code).unwrap();
            let line = format!(
                "{name}'s rate was {} cases per 100,000 people, not {}.",
                casewire::lang::rate_tenths(casewire::stats::Rate::per_100k(new, p).0),
                casewire::lang::rate_tenths(casewire::stats::Rate::per_100k(old, p).0)
            );
            assert!(note.contains(&line), "missing {line:?} in\n{note}");
            expected += 1;
        }
    }
    assert!(
        expected > 0,
        "the 2021-01-19 release revises the week to January 14"
    );
    // Said once: a third run with nothing new writes no second note.
    assert_eq!(n.publish().stdout, "nothing new since 2021-01-19\n");
}

#[test]
fn output_parses_as_yaml_commonmark_and_svg() {
    let n = Newsroom::new(&["2021-01-18"], "");
    assert!(n.publish().stdout.starts_with("published 1"));
    let bundle = n.out().join("se-london-weekly-2021-01-18");
    let md = std::fs::read_to_string(bundle.join("index.md")).unwrap();
    let (front, body) = md
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .expect("front matter between --- lines");
    let docs = yaml_rust2::YamlLoader::load_from_str(front).expect("front matter is YAML");
    let y = &docs[0];
    assert_eq!(
        y["title"].as_str(),
        Some("Covid-19 rates fall in every borough in south east London")
    );
    assert_eq!(y["slug"].as_str(), Some("se-london-weekly-2021-01-18"));
    assert_eq!(y["data_release"].as_str(), Some("2021-01-18"));
    assert_eq!(y["week_end"].as_str(), Some("2021-01-14"));
    assert_eq!(y["seed"].as_i64(), Some(0));
    assert!(y["data_sha256"].as_str().unwrap().len() == 64);
    let tags: Vec<&str> = y["tags"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(tags.contains(&"Bromley") && !tags.contains(&"E09000006"));
    let codes = y["area_codes"].as_vec().unwrap();
    assert!(codes.iter().any(|c| c.as_str() == Some("E09000006")));
    // The standfirst is the description, not the first paragraph too.
    let standfirst = y["description"].as_str().unwrap();
    assert!(
        !standfirst.is_empty() && !body.contains(standfirst),
        "{body}"
    );
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(body));
    assert!(html.contains("<p>Greenwich has the highest rate"), "{html}");
    assert!(
        html.contains("<img src=\"se-london-weekly-2021-01-18.svg\""),
        "{html}"
    );
    assert!(html.contains("<ol>"), "the movers list is a list");
    assert!(
        html.contains("<a href=\"se-london-weekly-2021-01-18.csv\""),
        "the chart's data are linked under it: {html}"
    );
    let svg = std::fs::read_to_string(bundle.join("se-london-weekly-2021-01-18.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("the chart is XML");
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    for area in [
        "Bexley",
        "Bromley",
        "Greenwich",
        "Lewisham",
        "Southwark",
        "Croydon",
        "Dartford",
        "Lambeth",
    ] {
        assert!(texts.contains(&area), "the chart names {area}");
    }
    let csv = std::fs::read_to_string(bundle.join("se-london-weekly-2021-01-18.csv")).unwrap();
    assert!(
        csv.contains("E09000011,Greenwich,core,775.5,2233,1081.1,3113,2021-01-14"),
        "{csv}"
    );
}

#[test]
fn a_stale_feed_fails_the_run_with_one_line() {
    let n = Newsroom::new(&["2021-01-18"], "");
    let text = std::fs::read_to_string(n.config())
        .unwrap()
        .replace("max_age_days = 0", "max_age_days = 8");
    std::fs::write(n.config(), text).unwrap();
    let run = n.publish();
    assert_eq!(run.status, 1);
    assert!(
        run.stderr
            .starts_with("error: the newest release, 2021-01-18, is "),
        "{}",
        run.stderr
    );
    assert!(!n.out().join(".casewire-state.json").exists());
}

#[test]
fn published_files_are_readable_by_a_web_server() {
    use std::os::unix::fs::PermissionsExt;
    let n = Newsroom::new(&["2021-01-18"], "");
    assert!(n.publish().stdout.starts_with("published 1"));
    for name in n.files() {
        let mode = std::fs::metadata(n.out().join(&name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "{name}");
    }
}

#[test]
fn an_every_area_story_publishes_a_folder_of_editions() {
    let n = Newsroom::new(&["2021-01-18"], "");
    let mut config = std::fs::read_to_string(n.config()).unwrap();
    config.push_str(
        "\n[[story]]\nname = \"england-areas\"\npatch = \"se-london.toml\"\neach_area = true\nuniverse = \"england\"\n",
    );
    std::fs::write(n.config(), config).unwrap();
    let run = n.publish();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "published 2 for release 2021-01-18\n");
    let folder = n.out().join("england-areas-2021-01-18");
    let files: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        files.len(),
        316,
        "a bundle for each of 315 areas, and the week's national facts once"
    );
    let bundle: Vec<String> = std::fs::read_dir(folder.join("bromley-e09000006"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        bundle.len(),
        3,
        "a story, its facts and its ninjs item: {bundle:?}"
    );
    // One item per area page, each its own uri, each valid.
    let item: serde_json::Value = serde_json::from_slice(
        &std::fs::read(folder.join("bromley-e09000006/bromley-e09000006.ninjs.json")).unwrap(),
    )
    .unwrap();
    crate::deliver::assert_valid(&crate::deliver::validator(), &item);
    assert!(
        item["uri"].as_str().unwrap().contains("bromley-e09000006"),
        "{item:#}"
    );
    let shared = std::fs::read(folder.join(casewire::draft::SHARED_FACTS_FILE)).unwrap();
    let shared_json: serde_json::Value = serde_json::from_slice(&shared).unwrap();
    assert!(
        shared_json["facts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "E08000011.rate")
    );
    let own: serde_json::Value = serde_json::from_slice(
        &std::fs::read(folder.join("bromley-e09000006/bromley-e09000006.facts.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        own["shared"]["file"],
        format!("../{}", casewire::draft::SHARED_FACTS_FILE)
    );
    assert!(
        own["facts"].as_array().unwrap().iter().all(|f| f["id"]
            .as_str()
            .unwrap()
            .starts_with("E09000006.")
            || f["id"].as_str().unwrap().starts_with("local.")),
        "{own}"
    );
    // The state records the shared file with the edition's other files.
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(n.out().join(".casewire-state.json")).unwrap())
            .unwrap();
    let recorded = state["stories"]["england-areas"][0]["files"]
        .as_array()
        .unwrap();
    assert_eq!(
        recorded.len(),
        946,
        "each page, its facts and its ninjs item, and the shared facts"
    );
    assert_eq!(
        recorded[0],
        format!(
            "england-areas-2021-01-18/{}",
            casewire::draft::SHARED_FACTS_FILE
        )
        .as_str()
    );
    let md = std::fs::read_to_string(folder.join("knowsley-e08000011/index.md")).unwrap();
    let (front, body) = md
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .expect("front matter");
    let y = &yaml_rust2::YamlLoader::load_from_str(front).unwrap()[0];
    assert_eq!(
        y["title"].as_str(),
        Some("Knowsley has the highest Covid-19 rate in England")
    );
    assert_eq!(y["slug"].as_str(), Some("knowsley-e08000011"));
    assert!(body.contains("1,177.9"), "{body}");
    assert_eq!(n.publish().stdout, "nothing new since 2021-01-18\n");
}

#[test]
fn a_daily_source_on_a_thursday_schedule_publishes_the_weekly_story() {
    let n = Newsroom::new(&["2021-01-20", "2021-01-21", "2021-01-22"], "");
    let text = std::fs::read_to_string(n.config()).unwrap().replace(
        "max_age_days = 0",
        "max_age_days = 0\nweekday = \"thursday\"",
    );
    std::fs::write(n.config(), text).unwrap();
    let run = n.publish();
    assert_eq!(
        run.stdout, "published 1 for release 2021-01-21\n",
        "{}",
        run.stderr
    );
    assert!(
        n.files()
            .contains(&"se-london-weekly-2021-01-21/index.md".to_string())
    );
    assert!(!n.files().iter().any(|f| f.contains("2021-01-22")));
    n.add_release("2021-01-29");
    assert_eq!(n.publish().stdout, "nothing new since 2021-01-21\n");
}

/// Every file under `dir` with its bytes, hidden ones included.
fn contents(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, prefix: &str, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).into_iter().flatten() {
            let e = e.unwrap();
            let name = format!("{prefix}{}", e.file_name().to_string_lossy());
            if e.file_type().unwrap().is_dir() {
                walk(&e.path(), &format!("{name}/"), out);
            } else {
                out.insert(name, std::fs::read(e.path()).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

#[test]
fn a_run_failing_after_replacing_live_copy_puts_the_live_copy_back() {
    // The 19th's run puts its edition in place, then the 18th's correction note, then the
    // 18th's page rewritten to link the note (live copy replaced), and fails at the state.
    let n = Newsroom::new(
        &["2021-01-18"],
        "[corrections]\nrate_change = 0.1\ncases_share = 0.001\n",
    );
    assert!(n.publish().stdout.starts_with("published 1"));
    n.add_release("2021-01-19");
    let before = contents(&n.out());
    let err = publish_failing_after(&n.config(), 3).unwrap_err();
    assert!(format!("{err:#?}").contains("injected fault"), "{err:#?}");
    let after = contents(&n.out());
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert!(
        after == before,
        "the 18th's page, its files and the state are byte for byte as they were"
    );
    // And the next run does it all.
    let run = n.publish();
    assert!(run.stdout.contains("and 1 correction(s)"), "{}", run.stdout);
    let page =
        std::fs::read_to_string(n.out().join("se-london-weekly-2021-01-18/index.md")).unwrap();
    assert!(page.contains("read the correction"), "{page}");
}

#[test]
fn the_feeds_list_the_editions_newest_first_with_their_updates_and_validate() {
    let n = Newsroom::new(
        &["2021-01-18"],
        "[corrections]\nrate_change = 0.1\ncases_share = 0.001\n\
         [feed]\ntitle = \"Courier & Covid <data>\"\nsite_url = \"https://news.example/covid/\"\n",
    );
    assert!(n.publish().stdout.starts_with("published 1"));
    n.add_release("2021-01-19");
    let run = n.publish();
    assert!(run.stdout.contains("and 1 correction(s)"), "{}", run.stdout);

    // JSON Feed 1.1: its required fields, an item per edition, newest first.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(n.out().join("feed.json")).unwrap()).unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["title"], "Courier & Covid <data>");
    assert_eq!(json["feed_url"], "https://news.example/covid/feed.json");
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "tag:test@example.com,2021-01-19:se-london-weekly/2021-01-19",
            "tag:test@example.com,2021-01-18:se-london-weekly/2021-01-18",
        ]
    );
    assert_eq!(
        items[1]["url"],
        "https://news.example/covid/se-london-weekly-2021-01-18/"
    );
    // The 18th's edition was corrected by the 19th's release: updated then.
    assert_eq!(items[1]["date_published"], "2021-01-18T00:00:00Z");
    assert_eq!(items[1]["date_modified"], "2021-01-19T00:00:00Z");
    for item in items {
        assert!(item["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(item["summary"].as_str().is_some_and(|t| !t.is_empty()));
    }

    // Atom: well-formed XML in the Atom namespace, with RFC 4287's required elements.
    let atom = std::fs::read_to_string(n.out().join("feed.xml")).unwrap();
    let doc = roxmltree::Document::parse(&atom).unwrap();
    let feed = doc.root_element();
    let ns = "http://www.w3.org/2005/Atom";
    assert_eq!(feed.tag_name().namespace(), Some(ns));
    assert_eq!(feed.tag_name().name(), "feed");
    let child = |node: roxmltree::Node, name: &str| {
        node.children()
            .find(|c| c.tag_name().name() == name && c.tag_name().namespace() == Some(ns))
            .and_then(|c| c.text().map(str::to_string))
    };
    assert_eq!(
        child(feed, "title").as_deref(),
        Some("Courier & Covid <data>")
    );
    assert!(child(feed, "id").is_some());
    assert_eq!(
        child(feed, "updated").as_deref(),
        Some("2021-01-19T00:00:00Z")
    );
    let entries: Vec<roxmltree::Node> = feed
        .children()
        .filter(|c| c.tag_name().name() == "entry")
        .collect();
    assert_eq!(entries.len(), 2);
    for e in &entries {
        for required in ["id", "title", "updated"] {
            assert!(child(*e, required).is_some(), "entry without {required}");
        }
        let link = e
            .children()
            .find(|c| c.tag_name().name() == "link")
            .and_then(|l| l.attribute("href"))
            .unwrap();
        assert!(link.starts_with("https://news.example/covid/se-london-weekly-"));
    }
    assert_eq!(
        child(entries[1], "updated").as_deref(),
        Some("2021-01-19T00:00:00Z")
    );
}

#[test]
fn after_publish_runs_only_when_something_was_published_and_its_failure_is_reported() {
    let n = Newsroom::new(
        &["2021-01-18"],
        "after_publish = [\"sh\", \"-c\", \"echo built >> built.txt\"]\n",
    );
    // `after_publish` is a top-level key: the fixture puts extra TOML after [schedule], so
    // move it to the top of the file.
    let config = std::fs::read_to_string(n.config()).unwrap();
    let line = "after_publish = [\"sh\", \"-c\", \"echo built >> built.txt\"]\n";
    std::fs::write(n.config(), format!("{line}{}", config.replace(line, ""))).unwrap();
    assert!(n.publish().stdout.starts_with("published 1"));
    assert_eq!(
        std::fs::read_to_string(n.path().join("built.txt")).unwrap(),
        "built\n"
    );
    // Nothing new: not run again.
    assert!(n.publish().stdout.starts_with("nothing new"));
    assert_eq!(
        std::fs::read_to_string(n.path().join("built.txt")).unwrap(),
        "built\n"
    );
    // A failing command: the edition is out, the run fails saying so.
    let failing = "after_publish = [\"sh\", \"-c\", \"echo the site build broke >&2; exit 3\"]\n";
    let config = std::fs::read_to_string(n.config()).unwrap();
    std::fs::write(n.config(), config.replace(line, failing)).unwrap();
    n.add_release("2021-01-20");
    let run = n.publish();
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("published 1 for release 2021-01-20, but after_publish `sh -c")
            && run.stderr.contains("the site build broke"),
        "{}",
        run.stderr
    );
    assert!(
        n.out()
            .join("se-london-weekly-2021-01-20/index.md")
            .exists()
    );
}

#[test]
fn a_newest_release_folder_without_its_file_is_an_error_naming_it() {
    let n = Newsroom::new(&["2021-01-18"], "");
    assert!(n.publish().stdout.starts_with("published 1"));
    let before = contents(&n.out());
    std::fs::create_dir_all(n.path().join("releases/2021-01-19")).unwrap();
    std::fs::write(n.path().join("releases/2021-01-19/ltla.csv"), "misnamed").unwrap();
    let run = n.publish();
    assert_eq!(run.status, 1, "{}", run.stdout);
    let folder = n.path().join("releases").join("2021-01-19");
    assert!(
        run.stderr.contains(&format!(
            "the newest release folder, {}, holds no ltla-reconstructed.csv",
            folder.display()
        )),
        "{}",
        run.stderr
    );
    assert!(contents(&n.out()) == before, "nothing written");
}

/// Every ninjs item under the output folder, by path, each checked against IPTC's schema.
fn valid_items(out: &Path) -> std::collections::BTreeMap<String, serde_json::Value> {
    let validator = crate::deliver::validator();
    let mut items = std::collections::BTreeMap::new();
    for (path, bytes) in contents(out) {
        if path.ends_with(".ninjs.json") {
            let item: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            crate::deliver::assert_valid(&validator, &item);
            items.insert(path, item);
        }
    }
    items
}

const NINJS: &str = "[ninjs]\nuri_base = \"https://courier.example/casewire\"\n\
    files_url = \"https://files.courier.example/covid/\"\n\
    copyrightholder = \"South East London Courier\"\n\
    usageterms = \"Free to republish with credit to the Courier.\"\n";

#[test]
fn each_edition_carries_a_ninjs_item_and_a_correction_rewrites_it_as_the_next_version() {
    let n = Newsroom::new(
        &["2021-01-18"],
        &format!("[corrections]\nrate_change = 0.1\ncases_share = 0.001\n{NINJS}"),
    );
    let first = n.publish();
    assert_eq!(first.status, 0, "{}", first.stderr);
    let path = "se-london-weekly-2021-01-18/se-london-weekly-2021-01-18.ninjs.json";
    let items = valid_items(&n.out());
    let item = &items[path];
    assert_eq!(
        item["uri"],
        "https://courier.example/casewire/se-london-weekly/2021-01-18"
    );
    assert_eq!(item["version"], "1");
    assert_eq!(item["pubstatus"], "usable");
    assert_eq!(item["firstcreated"], item["versioncreated"]);
    assert_eq!(item["copyrightholder"], "South East London Courier");
    assert_eq!(
        item["associations"][0]["renditions"][0]["href"],
        "https://files.courier.example/covid/se-london-weekly-2021-01-18/se-london-weekly-2021-01-18.svg"
    );
    let places: Vec<&str> = item["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["literal"].as_str().unwrap())
        .collect();
    assert!(places.contains(&"E09000006"), "{places:?}");
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(n.out().join(".casewire-state.json")).unwrap())
            .unwrap();
    let record = &state["stories"]["se-london-weekly"][0]["items"][path];
    assert_eq!(record["version"], 1);

    // The next release corrects the first edition: its item is rewritten, same uri, next
    // version, made later, still valid; the new edition has an item of its own.
    n.add_release("2021-01-19");
    let second = n.publish();
    assert_eq!(second.status, 0, "{}", second.stderr);
    assert!(
        second.stdout.contains("and 1 correction(s)"),
        "{}",
        second.stdout
    );
    let items = valid_items(&n.out());
    let updated = &items[path];
    assert_eq!(updated["uri"], item["uri"]);
    assert_eq!(updated["version"], "2");
    assert_eq!(updated["firstcreated"], item["firstcreated"]);
    // Made no earlier than the first (two runs can fall in one second).
    assert!(updated["versioncreated"].as_str() >= item["versioncreated"].as_str());
    assert_eq!(updated["associations"][0]["version"], "2");
    assert!(
        updated["bodies"][1]["value"]
            .as_str()
            .unwrap()
            .contains("This report was corrected on"),
        "{updated:#}"
    );
    assert!(
        updated["ednote"]
            .as_str()
            .unwrap()
            .contains("Corrected with the data of 2021-01-19")
    );
    let next = &items["se-london-weekly-2021-01-19/se-london-weekly-2021-01-19.ninjs.json"];
    assert_eq!(next["version"], "1");
}

#[test]
fn a_held_edition_leaves_a_withheld_item_that_its_usable_item_follows() {
    let n = Newsroom::new(&["2021-01-18"], NINJS);
    let patch = n.path().join("se-london.toml");
    let text = std::fs::read_to_string(&patch).unwrap();
    std::fs::write(&patch, format!("{text}\n[gates]\nrate_ceiling = 10.0\n")).unwrap();
    let held = n.publish();
    assert_eq!(held.status, 3, "{}", held.stderr);
    let path = "se-london-weekly-2021-01-18/se-london-weekly-2021-01-18.ninjs.json";
    // No page, nothing a site or a reader takes for the edition: only the withheld item and
    // the state that remembers it.
    assert_eq!(n.files(), [".casewire-state.json", path]);
    let items = valid_items(&n.out());
    let withheld = &items[path];
    assert_eq!(withheld["pubstatus"], "withheld");
    assert_eq!(withheld["version"], "1");
    assert!(
        withheld["ednote"]
            .as_str()
            .unwrap()
            .contains("rate-ceiling"),
        "{withheld:#}"
    );
    assert!(withheld.get("associations").is_none());

    // The gate relaxed, the edition goes out: the same uri, usable, as version 2.
    std::fs::write(&patch, text).unwrap();
    let run = n.publish();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let items = valid_items(&n.out());
    let usable = &items[path];
    assert_eq!(usable["uri"], withheld["uri"]);
    assert_eq!(usable["pubstatus"], "usable");
    assert_eq!(usable["version"], "2");
    assert_eq!(usable["firstcreated"], withheld["firstcreated"]);
    let state = std::fs::read_to_string(n.out().join(".casewire-state.json")).unwrap();
    assert!(!state.contains("\"held\""), "{state}");
}

/// A webhook on 127.0.0.1 that records every alert it is sent.
struct Hook {
    _runtime: tokio::runtime::Runtime,
    server: crate::fetch::server::TestServer,
}

impl Hook {
    fn start() -> Hook {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let server = runtime.block_on(crate::fetch::server::TestServer::start(
            std::time::Duration::ZERO,
            |_| crate::fetch::server::Response::with(200, "text/plain", "ok"),
        ));
        Hook {
            _runtime: runtime,
            server,
        }
    }

    fn table(&self) -> String {
        format!(
            "[alerts]\nwebhook = \"{}/hooks/SECRET\"\n",
            self.server.base
        )
    }

    fn alerts(&self) -> Vec<serde_json::Value> {
        self.server
            .received()
            .iter()
            .map(|r| {
                assert_eq!(
                    (r.method.as_str(), r.path.as_str()),
                    ("POST", "/hooks/SECRET")
                );
                serde_json::from_slice(&r.body).unwrap()
            })
            .collect()
    }
}

#[test]
fn the_desk_is_alerted_when_editions_go_out_when_a_gate_holds_one_and_when_a_run_fails() {
    let hook = Hook::start();
    let n = Newsroom::new(&["2021-01-18"], &hook.table());
    let run = n.publish();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let sent = hook.alerts();
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0]["event"], "published");
    assert_eq!(sent[0]["release"], "2021-01-18");
    assert_eq!(
        sent[0]["editions"],
        serde_json::json!(["se-london-weekly-2021-01-18"])
    );
    assert!(
        sent[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("casewire published 1 edition")
    );
    // Nothing new: nothing to tell.
    assert_eq!(n.publish().status, 0);
    assert_eq!(hook.alerts().len(), 1);

    // A gate holds the next release back: which gate, which area.
    let held = Newsroom::new(&["2021-01-18"], &hook.table());
    let patch = held.path().join("se-london.toml");
    let text = std::fs::read_to_string(&patch).unwrap();
    std::fs::write(&patch, format!("{text}\n[gates]\nrate_ceiling = 10.0\n")).unwrap();
    assert_eq!(held.publish().status, 3);
    let sent = hook.alerts();
    assert_eq!(sent.len(), 2, "{sent:#?}");
    assert_eq!(sent[1]["event"], "held");
    assert_eq!(sent[1]["story"], "se-london-weekly");
    assert_eq!(sent[1]["gate"], "rate-ceiling");
    assert!(
        sent[1]["area"].as_str().is_some_and(|a| a.contains("(E0")),
        "{:#}",
        sent[1]
    );

    // A run that fails says why, with the error's chain.
    let failing = Newsroom::new(&[], &hook.table());
    assert_eq!(failing.publish().status, 1);
    let sent = hook.alerts();
    assert_eq!(sent.len(), 3, "{sent:#?}");
    assert_eq!(sent[2]["event"], "failed");
    assert!(
        sent[2]["error"]
            .as_str()
            .unwrap()
            .contains("no release found"),
        "{:#}",
        sent[2]
    );
}

#[test]
fn an_alert_that_cannot_be_delivered_is_a_warning_and_the_editions_still_go_out() {
    // A port nothing listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let n = Newsroom::new(
        &["2021-01-18"],
        &format!(
            "[alerts]\nwebhook = \"http://127.0.0.1:{port}/hooks/SECRET\"\ntimeout_secs = 2\n"
        ),
    );
    let run = n.publish();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "published 1 for release 2021-01-18\n");
    assert!(
        run.stderr.contains("alert was not delivered"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("SECRET"), "{}", run.stderr);
    assert!(
        n.out()
            .join("se-london-weekly-2021-01-18/index.md")
            .exists()
    );
}
