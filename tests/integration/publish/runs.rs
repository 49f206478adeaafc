//! Which editions a run publishes: an edition once, then nothing new, then the next release's;
//! nothing on a dry run; a stale feed or a release folder without its file refused; an
//! every-area story as a folder of editions; a weekly story from a daily source.

use super::{Newsroom, contents};
use crate::support::*;

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
