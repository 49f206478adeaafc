//! `draft --each-area`: a story for every area, UK-wide stories, and copy that never repeats a
//! sentence frame back to back or trips over agreement.
//!
//! The stories and their copy are checked here; the national facts the stories share are in
//! `facts`, the folder `--out-dir` writes in `out_dir`.

use crate::support::draft_each_area;
use casewire::draft::{EachArea, EachAreaRequest, slug};
use casewire::stats::Universe;

use crate::support::*;

mod facts;
mod out_dir;

fn each(
    data: &str,
    population: &str,
    release: &str,
    universe: Universe,
    template: Option<&str>,
) -> EachArea {
    draft_each_area(&EachAreaRequest {
        universe: Some(universe),
        template: template.map(str::to_string),
        ..each_area_request(vec![shared(data)], shared(population), release)
    })
    .unwrap()
}

fn january(universe: Universe, template: Option<&str>) -> EachArea {
    each(
        "releases/2021-01-18/ltla-reconstructed.csv",
        "population/mid-2019.csv",
        "2021-01-18",
        universe,
        template,
    )
}

fn august(universe: Universe, template: Option<&str>) -> EachArea {
    each(
        "archive/ltla_2021-07-25_2021-09-10.csv",
        "population/ONS-population_2021-08-05.csv",
        "2021-08-27",
        universe,
        template,
    )
}

/// One line per story: its file and headline. The whole set in one reviewable snapshot.
fn index(run: &EachArea) -> String {
    run.stories
        .iter()
        .map(|s| {
            format!(
                "{} | {}\n",
                s.file_name,
                s.draft.headline.as_deref().unwrap_or("")
            )
        })
        .collect()
}

fn story<'a>(run: &'a EachArea, file: &str) -> &'a str {
    &run.stories
        .iter()
        .find(|s| s.file_name == file)
        .unwrap()
        .draft
        .output
}

#[test]
fn january_each_area() {
    let run = january(Universe::England, None);
    assert_eq!(run.stories.len(), 315);
    insta::assert_snapshot!("january_each_area_index", index(&run));
    insta::assert_snapshot!(
        "january_each_area_knowsley",
        story(&run, "knowsley-e08000011.md")
    );
    insta::assert_snapshot!(
        "january_each_area_bromley",
        story(&run, "bromley-e09000006.md")
    );
}

#[test]
fn august_each_area() {
    let run = august(Universe::England, None);
    assert_eq!(run.stories.len(), 312);
    insta::assert_snapshot!("august_each_area_index", index(&run));
    insta::assert_snapshot!(
        "august_each_area_cornwall",
        story(&run, "cornwall-and-isles-of-scilly-e06000052.md")
    );
    insta::assert_snapshot!(
        "august_each_area_lewisham",
        story(&run, "lewisham-e09000023.md")
    );
}

/// The week to August 28 (published September 1) across the UK. The published story counted
/// 147 rising, 225 falling and five unchanged of 377; the revised archive differs a little,
/// and the copy must match the data used.
#[test]
fn uk_wide_week_to_august_28() {
    let mut request = august_request();
    request.release = date("2021-09-01");
    let dir = tempfile::tempdir().unwrap();
    let patch = dir.path().join("uk.toml");
    let text = std::fs::read_to_string(se_london())
        .unwrap()
        .replace("universe = \"england\"", "universe = \"uk\"");
    std::fs::write(&patch, text).unwrap();
    request.patch = patch;
    let d = casewire::draft::draft(&request).unwrap();
    let m = d.story.universe.movement;
    assert_eq!(m.total, 377);
    assert_eq!(m.rising + m.falling + m.unchanged, 377);
    assert_eq!((m.rising, m.falling, m.unchanged), (157, 220, 0));
    let nations: Vec<&str> = d
        .story
        .nation_leaders
        .iter()
        .map(|n| n.nation.as_str())
        .collect();
    assert_eq!(
        nations,
        ["England", "Scotland", "Wales", "Northern Ireland"]
    );
    for n in d.story.nation_leaders.iter() {
        assert!(d.output.contains(&n.area.name), "{} leader named", n.nation);
    }
    assert!(
        d.output
            .contains("Across the UK, 157 of the 377 local areas (42%)")
    );
    insta::assert_snapshot!("uk_week_to_august_28", d.output);
}

#[test]
fn england_stories_never_mention_the_other_nations() {
    let run = august(Universe::England, None);
    for s in &run.stories {
        let text = s.draft.output.replace("the UK Health Security Agency", "");
        for other in ["Scotland", "Wales", "Northern Ireland", "the UK"] {
            assert!(!text.contains(other), "{} mentions {other}", s.file_name);
        }
    }
    let uk = august(Universe::Uk, None);
    assert_eq!(uk.stories.len(), 377);
    assert!(
        story(&uk, "cardiff-w06000015.md").contains("highest rate in Wales")
            || story(&uk, "cardiff-w06000015.md").contains("In Wales, the highest rate")
    );
}

#[test]
fn slugs_are_safe_and_unique() {
    assert_eq!(
        slug("Kingston upon Hull, City of", "E06000010"),
        "kingston-upon-hull-city-of-e06000010"
    );
    assert_eq!(slug("Ynys Môn", "W06000001"), "ynys-m-n-w06000001");
    assert_eq!(slug("../../etc/passwd", "E1"), "etc-passwd-e1");
    assert_eq!(slug("", ""), "area");
    let long = slug(&"a".repeat(500), "E06000010");
    assert!(long.len() <= 100 && long.ends_with("-e06000010"), "{long}");
    let run = august(Universe::Uk, None);
    let mut names: Vec<&str> = run.stories.iter().map(|s| s.file_name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), run.stories.len(), "one file per area");
}

/// A sentence's frame: its words with names and figures taken out.
fn frame_of(sentence: &str, names: &[String]) -> String {
    let mut s = sentence.to_string();
    for n in names {
        s = s.replace(n.as_str(), "NAME");
    }
    s.split_whitespace()
        .map(|w| {
            if w.chars().any(|c| c.is_ascii_digit()) {
                "N"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Agreement slips a simple pattern can catch.
fn agreement_slips(text: &str) -> Vec<String> {
    let mut slips = Vec::new();
    let words: Vec<&str> = text.split_whitespace().collect();
    for w in words.windows(3) {
        let (a, b, c) = (w[0], w[1], w[2].trim_end_matches(['.', ',', ')', ':']));
        let one = a == "1" || a.eq_ignore_ascii_case("one");
        let many = a.parse::<i64>().is_ok_and(|n| n != 1)
            || [
                "two", "three", "four", "five", "six", "seven", "eight", "nine", "zero",
            ]
            .contains(&a);
        if one
            && ((b == "new" && c == "cases")
                || b == "cases"
                || b == "were"
                || b == "areas"
                || b == "patients")
        {
            slips.push(w.join(" "));
        }
        if many
            && ((b == "new" && c == "case")
                || b == "case"
                || (b == "was" && a != "one")
                || b == "area")
        {
            slips.push(w.join(" "));
        }
    }
    slips
}

/// Every built-in template for every area of two real weeks: no frame used twice in a row,
/// no agreement slip.
#[test]
fn copy_varies_and_agrees_for_every_area_of_two_weeks() {
    let names = |run: &EachArea| -> Vec<String> {
        let mut n: Vec<String> = run
            .stories
            .iter()
            .map(|s| s.draft.story.core[0].name.clone())
            .collect();
        n.extend(
            run.stories[0]
                .draft
                .story
                .leaders
                .iter()
                .map(|l| l.area.name.clone()),
        );
        n.sort_by_key(|s| std::cmp::Reverse(s.len()));
        n
    };
    for week in [january as fn(Universe, Option<&str>) -> EachArea, august] {
        for template in ["area", "weekly-roundup", "by-area"] {
            let run = week(Universe::England, Some(template));
            let all_names = names(&run);
            for s in &run.stories {
                let text = &s.draft.output;
                let slips = agreement_slips(text);
                assert!(slips.is_empty(), "{} ({template}): {slips:?}", s.file_name);
                let mut previous = String::new();
                for para in text.split("\n\n") {
                    let para = para.trim();
                    if para.starts_with('#') || para.starts_with("1.") || para.is_empty() {
                        previous.clear();
                        continue;
                    }
                    let framed = frame_of(para, &all_names);
                    let frame = framed.split(". ").next().unwrap_or(&framed).to_string();
                    let first = para;
                    assert!(
                        frame != previous,
                        "{} ({template}) repeats a frame back to back: {first:?}",
                        s.file_name
                    );
                    previous = frame;
                }
            }
        }
    }
}

/// `casewire draft --each-area` on the real 2021-01-18 release into `out`, with `extra`.
fn january_cli(out: &std::path::Path, extra: &[&str]) -> Run {
    let data = shared("releases/2021-01-18/ltla-reconstructed.csv");
    let population = shared("population/mid-2019.csv");
    let mut args = vec![
        "draft",
        "--each-area",
        "--out-dir",
        arg(out),
        "--data",
        arg(&data),
        "--population",
        arg(&population),
        "--release",
        "2021-01-18",
    ];
    args.extend_from_slice(extra);
    Casewire::new().args(args).run()
}
