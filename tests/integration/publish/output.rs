//! What a run writes for readers and sites: corrections with the right figures, front matter,
//! CommonMark and SVG that parse, feeds that validate, and ninjs items versioned through
//! corrections and held editions.

use std::path::Path;

use super::{Newsroom, contents};
use crate::support::*;

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
