//! The week's national facts in an every-area run: one shared file, referenced by every
//! story's own sidecar, recomputed once by the audit, and enough, with a story's own facts,
//! to check every fact from the files alone.

use std::collections::{BTreeMap, BTreeSet};

use casewire::audit::{AuditContext, AuditInput};
use casewire::draft::{AREA_FACTS_FILE, SHARED_FACTS_FILE, default_patch, load_data};
use casewire::facts::{Fact, FactValue};
use casewire::fetch::file::read_population_file;
use casewire::stats::Universe;

use super::{august, january, january_cli};
use crate::support::*;

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
