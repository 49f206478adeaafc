//! Correction notes as a reader and a sub meet them (issue 16): a patch story and an every-area
//! story published over five daily releases, with thresholds low enough that routine
//! revisions earn notes, so notes are written, then updated in place. Every note passes
//! `casewire lint`, and every figure a note prints is recomputed here from the raw counts of
//! the release it cites and of the release the corrected edition printed: the note's own
//! audit.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::support::*;

/// Five releases in a row: each revises the week the day before's editions printed.
const RELEASES: [&str; 5] = [
    "2021-01-18",
    "2021-01-19",
    "2021-01-20",
    "2021-01-21",
    "2021-01-22",
];

const FILE: &str = "ltla-reconstructed.csv";

const NEWSROOM: &str = "[corrections]\nrate_change = 0.1\ncases_share = 0.001\n\
    [[story]]\nname = \"england-areas\"\npatch = \"se-london.toml\"\neach_area = true\n\
    universe = \"england\"\n";

struct Published {
    _dir: tempfile::TempDir,
    out: PathBuf,
}

/// Publishes the releases one run each, as a daily timer would, into a fresh folder.
fn publish_all() -> Published {
    let dir = tempfile::tempdir().unwrap();
    NewsroomFixture::new(dir.path())
        .source_files(FILE, &shared("population/mid-2019.csv"))
        .extra(NEWSROOM)
        .story("se-london-weekly", "se-london.toml")
        .patch_file("se-london.toml", se_london())
        .write();
    let config = dir.path().join("newsroom.toml");
    for release in RELEASES {
        place_release(
            dir.path(),
            release,
            FILE,
            &shared(&format!("releases/{release}/{FILE}")),
            Place::Link,
        );
        let run = Casewire::new()
            .args(["publish", "--config", arg(&config)])
            .run();
        assert_eq!(run.status, 0, "publishing {release}: {}", run.stderr);
    }
    Published {
        out: dir.path().join("out"),
        _dir: dir,
    }
}

/// Every correction note's page under the output folder.
fn notes(out: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![out.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let path = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(path);
            } else if path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|f| f.to_string_lossy().ends_with("-correction"))
                && path.file_name().is_some_and(|f| f == "index.md")
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The value of a front-matter key (`key: value`, quotes removed).
fn front(note: &str, key: &str) -> Option<String> {
    let head = note.strip_prefix("---\n")?.split("\n---\n").next()?;
    head.lines().find_map(|l| {
        let v = l.strip_prefix(key)?.strip_prefix(':')?.trim();
        Some(v.trim_matches('"').to_string())
    })
}

/// A release's data, read once per test.
struct Releases {
    data: HashMap<String, casewire::model::Dataset>,
    population: casewire::model::Population,
}

impl Releases {
    fn load() -> Releases {
        let data = RELEASES
            .iter()
            .map(|r| {
                let path = shared(&format!("releases/{r}/{FILE}"));
                (r.to_string(), casewire::draft::load_data(&[path]).unwrap())
            })
            .collect();
        let (population, _) =
            casewire::fetch::read_population_file(&shared("population/mid-2019.csv")).unwrap();
        Releases { data, population }
    }

    /// An area's week as `release` gives it: rate (tenths), cases, the week before's rate
    /// and cases.
    fn week(&self, release: &str, code: &str, week_end: &str) -> (String, String, String, String) {
        let d = &self.data[release];
        let area = d.area("ltla", code).unwrap();
        let week = casewire::stats::Week::ending(date(week_end));
        let before = casewire::stats::Week::ending(date(week_end) - chrono::Days::new(7));
        let cases = casewire::stats::week_sum(area, week).unwrap();
        let prev = casewire::stats::week_sum(area, before).unwrap();
        let p = self.population.get(code).unwrap();
        let rate = |c| casewire::lang::rate_tenths(casewire::stats::Rate::per_100k(c, p).0);
        (
            rate(cases),
            casewire::lang::thousands(cases),
            rate(prev),
            casewire::lang::thousands(prev),
        )
    }
}

impl Releases {
    /// An area's rank in England in `release`'s figures for the week: by rate, by rise or
    /// by fall.
    fn rank(&self, release: &str, code: &str, week_end: &str, what: &str) -> Option<usize> {
        let d = &self.data[release];
        let national = casewire::stats::National::compute(
            d,
            &self.population,
            casewire::stats::Universe::England,
            "ltla",
            casewire::stats::Week::ending(date(week_end)),
        );
        let index = d.areas.iter().position(|a| a.code == code).unwrap();
        let ranks = national.ranks_of(index);
        match what {
            "highest rate" => ranks.rate,
            "largest rise" => ranks.rise,
            _ => ranks.fall,
        }
    }
}

/// The area codes the state records for each printed name, so a note's line (which names
/// the area as printed) can be traced to the area's counts.
fn codes_by_name(out: &Path) -> HashMap<String, String> {
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join(".casewire-state.json")).unwrap()).unwrap();
    let mut by_name = HashMap::new();
    for editions in state["stories"].as_object().unwrap().values() {
        for e in editions.as_array().unwrap() {
            for f in e["figures"].as_array().into_iter().flatten() {
                by_name.insert(
                    f["name"].as_str().unwrap().to_string(),
                    f["code"].as_str().unwrap().to_string(),
                );
            }
        }
    }
    by_name
}

#[test]
fn every_correction_note_passes_the_lint_and_its_figures_trace_to_the_raw_counts() {
    let site = publish_all();
    let notes = notes(&site.out);
    assert!(
        notes.len() >= 2,
        "five daily releases with low thresholds correct both stories: {notes:?}"
    );
    let releases = Releases::load();
    let codes = codes_by_name(&site.out);
    let mut checked = 0;
    let mut updated = 0;
    for path in &notes {
        let lint = Casewire::new().args(["lint", arg(path)]).run();
        assert_eq!(
            lint.status,
            0,
            "{} fails the lint:\n{}{}",
            path.display(),
            lint.stdout,
            lint.stderr
        );
        let note = std::fs::read_to_string(path).unwrap();
        let cited = front(&note, "data_release").expect("the note names its release");
        let week_end = front(&note, "week_end").expect("the note names its week");
        if front(&note, "lastmod").is_some() || front(&note, "updated").is_some() {
            updated += 1;
        }
        // The edition corrected is the bundle's release: `NAME-RELEASE-correction`.
        let bundle = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy();
        let stem = bundle.trim_end_matches("-correction");
        let printed_in = &stem[stem.len() - 10..];
        assert!(
            RELEASES.contains(&printed_in),
            "{bundle}: edition release {printed_in}"
        );
        for line in note.lines().filter_map(|l| l.strip_prefix("- ")) {
            let line = line.replace('\\', "");
            let (name, now, was) = parse_line(&line);
            let code = codes
                .get(&name)
                .unwrap_or_else(|| panic!("{bundle}: {name:?} is no printed area"));
            let new = releases.week(&cited, code, &week_end);
            let old = releases.week(printed_in, code, &week_end);
            let (n, o) = match kind(&line) {
                Kind::Rate => (new.0, old.0),
                Kind::Cases => (new.1, old.1),
                Kind::PrevRate => (new.2, old.2),
                Kind::PrevCases => (new.3, old.3),
                Kind::Claim => {
                    let (now, was) = claims(&line);
                    assert_eq!(now, direction(&new), "{bundle}: {line}");
                    assert_eq!(was, direction(&old), "{bundle}: {line}");
                    checked += 1;
                    continue;
                }
                Kind::Rank => {
                    let (what, now, was) = ranks(&line);
                    let rank = |release: &str| releases.rank(release, code, &week_end, what);
                    assert_eq!(now, rank(&cited), "{bundle}: {line}");
                    assert_eq!(was, rank(printed_in), "{bundle}: {line}");
                    checked += 1;
                    continue;
                }
            };
            assert_eq!(
                (now.as_str(), was.as_str()),
                (n.as_str(), o.as_str()),
                "{bundle}: {line}"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no figure checked in {notes:?}");
    assert!(updated > 0, "a later release updates a note in place");
}

enum Kind {
    Rate,
    Cases,
    PrevRate,
    PrevCases,
    Claim,
    Rank,
}

fn kind(line: &str) -> Kind {
    if line.contains(" as first reported") {
        Kind::Claim
    } else if line.contains(" had the ") || line.contains(" did not have the ") {
        Kind::Rank
    } else if line.contains(" rate the week before was ") {
        Kind::PrevRate
    } else if line.contains(" rate was ") {
        Kind::Rate
    } else if line.contains(" cases the week before, not ") {
        Kind::PrevCases
    } else if line.contains(" recorded ") {
        Kind::Cases
    } else {
        panic!("an unknown kind of line: {line}")
    }
}

/// The direction the figures give, as a note words it: the rounded rates compared.
fn direction(week: &(String, String, String, String)) -> &'static str {
    let tenths = |s: &str| s.replace([',', '.'], "").parse::<i64>().unwrap();
    match tenths(&week.0).cmp(&tenths(&week.2)) {
        std::cmp::Ordering::Greater => "rose",
        std::cmp::Ordering::Less => "fell",
        std::cmp::Ordering::Equal => "was unchanged",
    }
}

/// A claim line's verbs, now and as first printed, without their degree: "rate fell
/// sharply rather than rose as first reported" → ("fell", "rose").
fn claims(line: &str) -> (&'static str, &'static str) {
    let verb = |s: &str| {
        ["rose", "fell", "was unchanged"]
            .into_iter()
            .find(|v| s.trim_start().starts_with(v))
            .unwrap_or_else(|| panic!("no verb in {s:?} of {line}"))
    };
    let rest = line.split(" rate ").nth(1).expect("a claim line");
    let (now, was) = rest.split_once(" rather than ").expect("a claim line");
    (verb(now), verb(was))
}

/// A rank line: which ranking, the rank now (none when the area left the ranks printed) and
/// the rank first printed.
fn ranks(line: &str) -> (&'static str, Option<usize>, Option<usize>) {
    let what = ["highest rate", "largest rise", "largest fall"]
        .into_iter()
        .find(|w| line.contains(w))
        .unwrap_or_else(|| panic!("no ranking in {line}"));
    let number = |phrase: &str| -> usize {
        let words = [
            "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        ];
        let first = phrase.split_whitespace().next().unwrap_or_default();
        if first == what.split(' ').next().unwrap() {
            return 1;
        }
        if let Some(i) = words.iter().position(|w| *w == first) {
            return i + 2;
        }
        first
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .parse()
            .unwrap_or_else(|_| panic!("no rank in {phrase:?} of {line}"))
    };
    if let Some(rest) = line.split(" did not have the ").nth(1) {
        return (what, None, Some(number(rest)));
    }
    let rest = line.split(" had the ").nth(1).expect("a rank line");
    let (now, was) = rest.split_once(", not the ").expect("a rank line");
    (what, Some(number(now)), Some(number(was)))
}

/// A note's line: the area as printed, the figure now and the figure first printed.
fn parse_line(line: &str) -> (String, String, String) {
    let name_end = [
        "'s rate",
        "' rate",
        " recorded ",
        " had the ",
        " did not have ",
    ]
    .iter()
    .filter_map(|m| line.find(m))
    .min()
    .unwrap_or_else(|| panic!("an unknown kind of line: {line}"));
    let name = line[..name_end].to_string();
    let figure_after = |marker: &str| -> String {
        line.split(marker)
            .nth(1)
            .map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
                    .collect::<String>()
                    .trim_end_matches(['.', ','])
                    .to_string()
            })
            .unwrap_or_default()
    };
    let now = [" was ", " recorded "]
        .iter()
        .map(|m| figure_after(m))
        .find(|f| !f.is_empty())
        .unwrap_or_default();
    (name, now, figure_after(", not "))
}

/// `data` with the week before's cases of area `code` set to `prev` in all (on its first day):
/// a revision that moves only last week's figures, and so the size of the change.
fn revise_prev_week(
    data: &mut casewire::model::Dataset,
    code: &str,
    week: casewire::stats::Week,
    prev: i64,
) {
    let area = data
        .areas
        .iter_mut()
        .find(|a| a.code == code && a.area_type == "ltla")
        .unwrap();
    let before = casewire::stats::Week::ending(week.end - chrono::Days::new(7));
    for (i, day) in before.days().enumerate() {
        let at = usize::try_from((day - area.start).num_days()).unwrap();
        area.cases[at] = Some(if i == 0 {
            i32::try_from(prev).unwrap()
        } else {
            0
        });
    }
}

/// Last week's cases that give `a` the same direction but another degree: a plain change made
/// dramatic, a worded one made plain (a fifth either way).
fn other_degree(a: &casewire::story::AreaView) -> i64 {
    use casewire::stats::Direction;
    use casewire::story::Degree;
    let plain = a.degree == Degree::Plain;
    match (a.direction, plain) {
        (Direction::Down, true) => a.cases * 3,
        (Direction::Down, false) => a.cases * 5 / 4,
        (_, true) => a.cases / 2,
        (_, false) => a.cases * 5 / 6,
    }
}

#[test]
fn a_revision_of_degree_alone_is_corrected_only_where_the_copy_printed_a_degree_word() {
    use casewire::stats::Direction;
    let draft = casewire::draft::draft(&january_request()).unwrap();
    let story = &draft.story;
    let printed = casewire::publish::corrections::printed_figures(story, None);
    let told = |a: &casewire::story::AreaView| {
        printed
            .iter()
            .find(|f| f.code == a.code && f.rank.is_none())
            .and_then(|f| f.claim.clone())
            .unwrap()
    };
    let changed = |a: &&casewire::story::AreaView| {
        a.direction != Direction::Unchanged && !a.small && !a.noise
    };
    // A borough the copy gives the plain verb though its change has a degree of its own, and
    // one it gives a degree word: the story's cap leaves only its biggest moves worded.
    let plain = story
        .core
        .iter()
        .filter(changed)
        .find(|a| !a.show_degree)
        .expect("a borough printed with the plain verb");
    let worded = story
        .core
        .iter()
        .filter(changed)
        .find(|a| a.show_degree)
        .expect("a borough printed with a degree word");
    assert!(!told(plain).contains('/'), "{}", told(plain));
    assert!(told(worded).contains('/'), "{}", told(worded));

    // Only the claim is watched: figures and ranks may move as far as they like.
    let limits = casewire::publish::Corrections {
        rate_change: 1e9,
        cases_share: 1e9,
        ranks: false,
        ..casewire::publish::Corrections::default()
    };
    let (population, _) =
        casewire::fetch::read_population_file(&shared("population/mid-2019.csv")).unwrap();
    let lines = |code: &str, prev: i64| {
        let mut data =
            casewire::draft::load_data(&[shared("releases/2021-01-18/ltla-reconstructed.csv")])
                .unwrap();
        revise_prev_week(&mut data, code, story.week, prev);
        let national = casewire::stats::National::compute(
            &data,
            &population,
            casewire::stats::Universe::England,
            "ltla",
            story.week,
        );
        casewire::publish::corrections::revisions_in(&printed, &national, &data, &limits)
            .into_iter()
            .map(|(_, line)| line)
            .collect::<Vec<_>>()
    };

    // The plain verb said only "down" (or "up"), which still holds: no note.
    let revised = lines(&plain.code, other_degree(plain));
    assert!(
        !revised.iter().any(|l| l.starts_with(&plain.name)),
        "{}: {revised:?}",
        plain.name
    );
    // The degree word said more, and is corrected.
    let revised = lines(&worded.code, other_degree(worded));
    let verb = if worded.direction == Direction::Down {
        "fell"
    } else {
        "rose"
    };
    assert!(
        revised.iter().any(|l| l.starts_with(&worded.name)
            && l.contains(&format!(" rate {verb} rather than {verb} "))
            && l.ends_with(" as first reported.")),
        "{}: {revised:?}",
        worded.name
    );
}
