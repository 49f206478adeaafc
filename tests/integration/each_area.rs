//! `draft --each-area`: a story for every area, UK-wide stories, and copy that never repeats a
//! sentence frame back to back or trips over agreement.

use crate::support::draft_each_area;
use casewire::draft::{EachArea, EachAreaRequest, slug};
use casewire::stats::Universe;

use crate::support::*;

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

#[test]
fn the_cli_writes_one_file_per_area() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stories");
    let run = january_cli(&out, &["--universe", "england", "--seed", "7"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("wrote 315 stories"), "{}", run.stderr);
    // Each story in a file of its own, every story's own facts in one file, and the week's
    // national facts once, for all of them.
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.iter().filter(|n| n.ends_with(".md")).count(), 315);
    for file in [
        casewire::draft::AREA_FACTS_FILE,
        casewire::draft::SHARED_FACTS_FILE,
    ] {
        assert!(names.iter().any(|n| n == file), "{file}");
    }
    assert_eq!(names.len(), 317);
    let knowsley = std::fs::read_to_string(out.join("knowsley-e08000011.md")).unwrap();
    assert!(
        knowsley.starts_with("# Knowsley has the highest Covid-19 rate in England"),
        "{knowsley}"
    );
    let missing = Casewire::new()
        .args([
            "draft",
            "--each-area",
            "--data",
            "x",
            "--population",
            "y",
            "--release",
            "2021-01-18",
        ])
        .run();
    assert_eq!(missing.status, 2, "--out-dir is required");
}

// ---------------------------------------------------------------------------------------------
// The week's national facts: one shared file, referenced by every story's own sidecar

use std::collections::{BTreeMap, BTreeSet};

use casewire::audit::{AuditContext, AuditInput};
use casewire::draft::{AREA_FACTS_FILE, SHARED_FACTS_FILE, default_patch, load_data};
use casewire::facts::{Fact, FactValue};
use casewire::fetch::file::read_population_file;

/// The January data, as the every-area run read them.
fn january_inputs() -> (casewire::model::Dataset, casewire::model::Population) {
    let dataset = load_data(&[shared("releases/2021-01-18/ltla-reconstructed.csv")]).unwrap();
    let (population, _) = read_population_file(&shared("population/mid-2019.csv")).unwrap();
    (dataset, population)
}

/// The patch an every-area story of the built-in settings is drafted with.
fn area_patch(story: &casewire::story::Story) -> casewire::config::Patch {
    let mut patch = default_patch();
    patch.region = story.region.clone();
    patch
}

#[test]
fn the_cli_writes_the_national_facts_once_and_every_storys_own_facts_name_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stories");
    let run = january_cli(&out, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let bytes = std::fs::read(out.join(SHARED_FACTS_FILE)).unwrap();
    let shared: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let shared_ids: Vec<&str> = shared["facts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    // The leaders, the movers, the universe's tallies and the dates, once.
    for id in [
        "E08000011.rate",
        "universe.rising",
        "date.week_end",
        "list.leaders",
    ] {
        assert!(shared_ids.contains(&id), "{id} in {shared_ids:?}");
    }
    assert!(!shared_ids.iter().any(|id| id.starts_with("local.")));
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // Every story's own facts, keyed by its file's name, in one file.
    let area: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(out.join(AREA_FACTS_FILE)).unwrap()).unwrap();
    let keys: Vec<&String> = area.keys().collect();
    let mut stories: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    stories.sort();
    assert_eq!(
        keys,
        stories.iter().collect::<Vec<_>>(),
        "one entry a story"
    );
    for (name, own) in &area {
        assert_eq!(own["shared"]["file"], SHARED_FACTS_FILE, "{name}");
        assert_eq!(own["shared"]["sha256"], sha.as_str(), "{name}");
        // The shared file's ids are its own to list: the hash pins them.
        assert!(own["shared"].get("facts").is_none(), "{name}");
        // Its own area's figures are its own.
        let stem = name.strip_suffix(".md").unwrap();
        let code = stem.rsplit('-').next().unwrap().to_uppercase();
        assert!(
            own["facts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["id"] == format!("{code}.rate").as_str()),
            "{name}"
        );
    }
    assert_eq!(area.len(), 315);
    // Each entry is the story's own sidecar as the library drafts it, and the entries are in
    // the stories' order (area-code order), however the threads finished their chunks.
    let library = january(Universe::England, None);
    let text = std::fs::read_to_string(out.join(AREA_FACTS_FILE)).unwrap();
    let mut last = 0;
    for s in &library.stories {
        let own: serde_json::Value = serde_json::from_str(&s.draft.facts.to_json()).unwrap();
        assert_eq!(area[&s.file_name], own, "{}", s.file_name);
        let at = text.find(&format!("\"{}\": {{", s.file_name)).unwrap();
        assert!(at >= last, "{} out of order", s.file_name);
        last = at;
    }
    // The national facts are no longer repeated: the stories' own facts are a fraction of
    // 315 copies of them.
    let own_bytes = std::fs::metadata(out.join(AREA_FACTS_FILE)).unwrap().len();
    assert!(
        own_bytes < 315 * bytes.len() as u64 / 2,
        "{own_bytes} bytes of own facts"
    );
    // No story's file can take the shared files' names.
    for file in [SHARED_FACTS_FILE, AREA_FACTS_FILE] {
        assert!(
            !file
                .trim_end_matches(".json")
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{file}"
        );
    }
}

/// A fact without the view-model places that use it.
fn placeless(f: &Fact) -> Fact {
    let mut f = f.clone();
    f.used_by.clear();
    f
}

#[test]
fn own_and_shared_facts_together_are_the_self_contained_sidecar() {
    let run = january(Universe::England, None);
    let (dataset, population) = january_inputs();
    let shared = run
        .shared
        .as_ref()
        .expect("a run with stories shares facts");
    let shared_by_id: BTreeMap<&str, &Fact> = shared
        .sidecar
        .facts
        .iter()
        .map(|f| (f.id.as_str(), f))
        .collect();
    assert_eq!(shared_by_id.len(), shared.sidecar.facts.len(), "ids unique");
    let mut overlapping = 0;
    for s in &run.stories {
        let whole = casewire::facts::sidecar(&s.draft.story, &dataset, &population);
        let own = &s.draft.facts;
        assert_eq!(own.shared, Some(shared.reference()), "{}", s.file_name);
        assert_eq!(
            (own.release, own.week, own.prev_week),
            (whole.release, whole.week, whole.prev_week)
        );
        assert_eq!(own.sources, whole.sources);
        assert_eq!(own.population_source, whole.population_source);
        let own_by_id: BTreeMap<&str, &Fact> =
            own.facts.iter().map(|f| (f.id.as_str(), f)).collect();
        assert_eq!(own_by_id.len(), own.facts.len(), "ids unique");
        let union: BTreeSet<&str> = own_by_id
            .keys()
            .chain(shared_by_id.keys())
            .copied()
            .collect();
        let whole_ids: BTreeSet<&str> = whole.facts.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(union, whole_ids, "{}", s.file_name);
        for f in &whole.facts {
            let mine = own_by_id.get(f.id.as_str());
            let theirs = shared_by_id.get(f.id.as_str());
            // Same value, printed forms, inputs, recipe: the fact itself.
            for g in mine.iter().chain(theirs.iter()) {
                assert_eq!(placeless(g), placeless(f), "{} in {}", f.id, s.file_name);
            }
            // Used where the whole sidecar says, by the story's own view or the national one.
            let mut used: Vec<&String> = mine
                .iter()
                .chain(theirs.iter())
                .flat_map(|g| &g.used_by)
                .collect();
            used.sort();
            used.dedup();
            let mut want: Vec<&String> = f.used_by.iter().collect();
            want.sort();
            assert_eq!(used, want, "{} in {}", f.id, s.file_name);
            if mine.is_some() && theirs.is_some() {
                overlapping += 1;
            }
        }
    }
    // Knowsley leads England: its figures are both its own and a national leader's.
    assert!(overlapping > 0);
}

#[test]
fn the_shared_facts_are_recomputed_once_and_every_story_still_traces_to_them() {
    let run = january(Universe::England, None);
    let (dataset, population) = january_inputs();
    let shared = &run.shared.as_ref().unwrap().sidecar.facts;
    let first = &run.stories[0].draft.story;
    let context = AuditContext::new(first, shared, &dataset, &population, &area_patch(first));
    for s in run.stories.iter().step_by(7) {
        let story = &s.draft.story;
        let patch = area_patch(story);
        let report = context.audit(AuditInput {
            text: &s.draft.output,
            facts: &s.draft.facts.facts,
            story,
            dataset: &dataset,
            population: &population,
            patch: &patch,
        });
        assert!(report.passed(), "{}: {:#?}", s.file_name, report.failures);
        // The same figures and claims as the audit of a self-contained sidecar.
        let whole = casewire::facts::sidecar(story, &dataset, &population);
        let alone = casewire::audit::audit(AuditInput {
            text: &s.draft.output,
            facts: &whole.facts,
            story,
            dataset: &dataset,
            population: &population,
            patch: &patch,
        });
        assert!(alone.passed(), "{}", s.file_name);
        assert_eq!(
            (report.figures, report.claims),
            (alone.figures, alone.claims),
            "{}",
            s.file_name
        );
        assert_eq!(s.draft.checked.figures, report.figures);
    }
}

#[test]
fn a_wrong_national_figure_fails_every_area_story_that_prints_it() {
    let run = january(Universe::England, None);
    let (dataset, population) = january_inputs();
    let week = &run.shared.as_ref().unwrap().sidecar.facts;
    let first = &run.stories[0].draft.story;
    let context = AuditContext::new(first, week, &dataset, &population, &area_patch(first));
    let s = run
        .stories
        .iter()
        .find(|s| s.file_name == "bromley-e09000006.md")
        .unwrap();
    let story = &s.draft.story;
    let patch = area_patch(story);
    let leader = &story.leaders[0].area;
    let printed = casewire::lang::rate_tenths(leader.rate.0);
    let wrong = casewire::lang::rate_tenths(leader.rate.0 + 1);
    assert!(s.draft.output.contains(&printed), "{}", s.draft.output);
    // The national leader's rate printed a tenth too high in Bromley's story.
    let text = s.draft.output.replacen(&printed, &wrong, 1);
    let report = context.audit(AuditInput {
        text: &text,
        facts: &s.draft.facts.facts,
        story,
        dataset: &dataset,
        population: &population,
        patch: &patch,
    });
    assert!(!report.passed());
    assert!(
        report.failures.iter().any(|f| f
            .message
            .contains(&format!("\"{wrong}\" traces to no fact"))),
        "{:#?}",
        report.failures
    );

    // The shared facts themselves computed wrongly: the leader's rate a tenth too high, as
    // the copy prints it. The audit recomputes them once for the week, and every story
    // that carries them fails, as it would if each carried its own copy.
    let mut bad: Vec<Fact> = week.clone();
    let id = format!("{}.rate", leader.code);
    let f = bad.iter_mut().find(|f| f.id == id).unwrap();
    f.value = FactValue::Tenths(leader.rate.0 + 1);
    f.printed = vec![wrong.clone()];
    let context = AuditContext::new(first, &bad, &dataset, &population, &area_patch(first));
    for s in run.stories.iter().step_by(31) {
        let story = &s.draft.story;
        let patch = area_patch(story);
        let text = s.draft.output.replace(&printed, &wrong);
        let report = context.audit(AuditInput {
            text: &text,
            facts: &s.draft.facts.facts,
            story,
            dataset: &dataset,
            population: &population,
            patch: &patch,
        });
        assert!(
            report
                .failures
                .iter()
                .any(|f| f.message.contains("does not recompute from the data")
                    && f.message.contains(&format!("the data give {printed}"))),
            "{}: {:#?}",
            s.file_name,
            report.failures
        );
    }

    // A story of another week is not checked against this week's facts.
    let august = august(Universe::England, None);
    let other = &august.stories[0];
    let patch = area_patch(&other.draft.story);
    let (a_data, a_pop) = (
        load_data(&[shared_path_august()]).unwrap(),
        read_population_file(&shared("population/ONS-population_2021-08-05.csv"))
            .unwrap()
            .0,
    );
    let report = context.audit(AuditInput {
        text: &other.draft.output,
        facts: &other.draft.facts.facts,
        story: &other.draft.story,
        dataset: &a_data,
        population: &a_pop,
        patch: &patch,
    });
    assert!(!report.passed());
    assert!(
        report.failures[0]
            .message
            .contains("its audit was prepared for"),
        "{:#?}",
        report.failures
    );
}

fn shared_path_august() -> std::path::PathBuf {
    shared("archive/ltla_2021-07-25_2021-09-10.csv")
}

#[test]
fn a_failed_every_area_run_writes_nothing() {
    // A template that prints a figure no fact backs in Bromley's story only: the stories
    // before it pass and are staged, then the run fails.
    let templates = tempfile::tempdir().unwrap();
    let area = std::fs::read_to_string(root().join("templates/area.md")).unwrap();
    std::fs::write(
        templates.path().join("area.md"),
        format!("{area}\n{{% if core[0].code == \"E09000006\" %}}It was 12.3 in the week.\n{{% endif %}}"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stories");
    let run = january_cli(&out, &["--templates", arg(templates.path())]);
    assert_ne!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("Bromley"), "{}", run.stderr);
    let left: Vec<String> = std::fs::read_dir(&out)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

// ---------------------------------------------------------------------------------------------
// What a sidecar holds is enough to check its facts

/// A sidecar's JSON, checked as a reader of the file alone would check it: every fact's
/// `used_by` (written, or implied by its series' `at`) is the story's, and every fact whose
/// recipe draws on the file's series, dates or other facts recomputes to its value from the
/// file's own figures. Returns how many facts were recomputed; the rest (ranks and the
/// universe's tallies) need every area of the universe, which the audit holds.
fn recompute_from_the_file(json: &str, facts: &casewire::facts::FactsSidecar) -> usize {
    use serde_json::Value;
    let file: Value = serde_json::from_str(json).unwrap();
    let day = |v: &Value| date(v.as_str().unwrap());
    let window = |w: &Value| -> (chrono::NaiveDate, chrono::NaiveDate) {
        let w = match w.as_str() {
            Some(name) => &file[name],
            None => w,
        };
        (day(&w["start"]), day(&w["end"]))
    };
    let series = file["series"].as_object().unwrap();
    let sum = |code: &str, w: &Value| -> i64 {
        let s = &series[code];
        let start = day(&s["start"]);
        let (from, to) = window(w);
        from.iter_days()
            .take_while(|d| *d <= to)
            .map(|d| {
                let i = usize::try_from((d - start).num_days()).unwrap();
                s["daily"][i]
                    .as_i64()
                    .expect("a day of the week has a count")
            })
            .sum()
    };
    let population = |code: &str| series[code]["population"].as_u64().unwrap();
    let rate =
        |code: &str, w: &Value| casewire::stats::Rate::per_100k(sum(code, w), population(code)).0;
    let tenths = |v: &Value| (v.as_f64().unwrap() * 10.0).round() as i64;
    let written = file["facts"].as_array().unwrap();
    let by_id: BTreeMap<&str, &Value> = written
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f))
        .collect();
    assert_eq!(written.len(), facts.facts.len());
    let mut recomputed = 0;
    for (f, mine) in written.iter().zip(&facts.facts) {
        let id = f["id"].as_str().unwrap();
        assert_eq!(id, mine.id);
        // Where the view model holds it: written out, or its series' places and its own part.
        let used_by: Vec<String> = match f.get("used_by") {
            Some(u) => serde_json::from_value(u.clone()).unwrap(),
            None => {
                let (code, rest) = id.split_once('.').unwrap();
                series[code]["at"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{id} has no used_by and its series no at"))
                    .iter()
                    .map(|place| format!("{}.{rest}", place.as_str().unwrap()))
                    .collect()
            }
        };
        assert_eq!(used_by, mine.used_by, "{id}");
        let recipe = f["recipe"].as_array().unwrap();
        let arg = |i: usize| &recipe[i];
        let code = || arg(1).as_str().unwrap();
        let value = &f["value"];
        let want: Option<i64> = match recipe[0].as_str().unwrap() {
            "week_sum" => Some(sum(code(), arg(2))),
            "week_rate" => Some(rate(code(), arg(2))),
            "change_size" => {
                Some((rate(code(), &"week".into()) - rate(code(), &"prev_week".into())).abs())
            }
            "percent_change_size" => {
                let (now, before) = (
                    rate(code(), &"week".into()),
                    rate(code(), &"prev_week".into()),
                );
                Some((200 * (now - before).abs() + before) / (2 * before))
            }
            "population" => Some(population(code()) as i64),
            "list_position" => Some(arg(4).as_i64().unwrap()),
            "constant" => Some(arg(1).as_i64().unwrap()),
            "year" => Some(i64::from(chrono::Datelike::year(&day(&file["release"])))),
            "similar_around" => {
                let rates: Vec<i64> = f["inputs"]["facts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|id| tenths(&by_id[id.as_str().unwrap()]["value"]))
                    .collect();
                // The mean in whole units, half-up, then to two significant figures.
                let n = rates.len() as i64;
                let mean = (rates.iter().sum::<i64>() + 5 * n) / (10 * n);
                let scale = 10i64.pow((mean.to_string().len() as u32).saturating_sub(2));
                Some((mean + scale / 2) / scale * scale)
            }
            "date" => {
                let (start, end) = window(&"week".into());
                let (prev_start, prev_end) = window(&"prev_week".into());
                let want = match arg(1).as_str().unwrap() {
                    "release" => day(&file["release"]),
                    "week_start" => start,
                    "week_end" => end,
                    "prev_week_start" => prev_start,
                    "prev_week_end" => prev_end,
                    other => panic!("date {other}"),
                };
                assert_eq!(day(value), want, "{id}");
                recomputed += 1;
                None
            }
            _ => None,
        };
        if let Some(want) = want {
            let got = match mine.value {
                FactValue::Tenths(_) => tenths(value),
                _ => value.as_i64().unwrap(),
            };
            assert_eq!(got, want, "{id} does not recompute from its file");
            recomputed += 1;
        }
    }
    recomputed
}

#[test]
fn every_fact_a_sidecar_can_check_recomputes_from_the_file_alone() {
    // A patch story's self-contained sidecar.
    let d = casewire::draft::draft(&january_request()).unwrap();
    let n = recompute_from_the_file(&d.facts.to_json(), &d.facts);
    // Of 257 facts, all but the ranks, the patch ranks and the tallies over areas.
    assert!(n > 150, "{n} recomputed");
    // Every area's own sidecar, and the file of the week's national facts they share.
    let run = january(Universe::England, None);
    let shared = run.shared.as_ref().unwrap();
    assert!(recompute_from_the_file(&shared.json, &shared.sidecar) > 20);
    for s in &run.stories {
        let own = &s.draft.facts;
        assert!(
            recompute_from_the_file(&own.to_json(), own) >= 4,
            "{}",
            s.file_name
        );
    }
}

/// An every-area run replaces its folder whole: a story an earlier run wrote that this run
/// does not write is gone, not left beside the new week's; a folder holding anything else
/// (a note, a sub-folder, the run's own input) is refused before anything is written.
#[test]
fn the_folder_is_replaced_whole_and_a_folder_holding_other_files_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stories");
    let tiny = |out: &std::path::Path, data: &std::path::Path| {
        Casewire::new()
            .args(["draft", "--each-area", "--out-dir", arg(out), "--data"])
            .args([
                arg(data),
                "--population",
                arg(&fixture("data/population.csv")),
                "--release",
                "2021-01-18",
            ])
    };
    let data = fixture("data/tiny.csv");
    tiny(&out, &data).success();
    let names = |d: &std::path::Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let first = names(&out);
    std::fs::write(out.join("stale-e09999999.md"), "last week's\n").unwrap();
    tiny(&out, &data).success();
    assert_eq!(names(&out), first, "the stale story is gone");
    assert_eq!(names(dir.path()), ["stories"], "nothing is left beside it");

    std::fs::write(out.join("notes.txt"), "mine\n").unwrap();
    let run = tiny(&out, &data).code(1);
    assert!(
        run.stderr.contains(&format!(
            "error: refusing to write into {}: it holds notes.txt",
            out.display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine\n"
    );
    std::fs::remove_file(out.join("notes.txt")).unwrap();
    // The run's own input inside the folder.
    let inside = out.join("tiny.json");
    std::fs::copy(&data, &inside).unwrap();
    let run = tiny(&out, &inside).failure();
    assert!(
        run.stderr.contains("it holds the run's input"),
        "{}",
        run.stderr
    );
    assert!(inside.exists());
}
