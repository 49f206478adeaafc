//! Corrections: every figure an edition printed (its table's areas, the national leaders and
//! movers, each area of an every-area edition) is watched as later releases revise its week.
//! A revision earns a note only when it is more than routine: a printed figure moves past its
//! threshold (per kind of figure, in `[corrections]`), or a claim word ("rose", "sharply") or
//! a printed rank would change. Each edition has at most one note, with front matter of its
//! own, rewritten in place as later releases move its figures further; the edition's page
//! gains `updated` and a link to it.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use chrono::NaiveDate;

use crate::config::Corrections;
use crate::draft::Inputs;
use crate::lang;
use crate::stats::{AreaWeek, Direction, National, Universe, Week};
use crate::story::{AreaView, Degree, Story};

use super::edition::{Layout, Planned};
use super::files;
use super::frontmatter::{self, Matter, Value};
use super::items::{ItemUpdate, item_file};
use super::state::{CorrectionNote, Edition, PrintedFigure, PrintedRank};

/// What the copy says of a change: its direction and degree, as `down/sharp`; with no
/// degree, as `down`, the direction alone (the plain verb "down from").
fn claim(direction: Direction, degree: Option<Degree>) -> String {
    match degree {
        Some(degree) => format!("{direction:?}/{degree:?}").to_lowercase(),
        None => format!("{direction:?}").to_lowercase(),
    }
}

/// The degree the copy printed for an area's change: none where it printed the plain verb,
/// as `degree_word` in the components partial decides (a story's degree words are capped, and
/// a change told as counts or as "almost unchanged" takes none).
fn printed_degree(a: &AreaView) -> Option<Degree> {
    (a.show_degree && !a.small && !a.noise).then_some(a.degree)
}

/// Whether what the copy printed (`was`) no longer holds by the revised figures' claim
/// (`now`, always with its degree): a claim printed with a degree word is held to its degree,
/// one printed with the plain verb to its direction only.
fn claim_changed(was: &str, now: &str) -> bool {
    match was.split_once('/') {
        Some(_) => was != now,
        None => now.split_once('/').map_or(now, |(direction, _)| direction) != was,
    }
}

fn figure(a: &AreaView, rank: Option<PrintedRank>, page: Option<&str>) -> PrintedFigure {
    PrintedFigure {
        code: a.code.clone(),
        name: a.name.clone(),
        rate: a.rate.0,
        cases: a.cases,
        prev_rate: a.prev_rate.0,
        prev_cases: a.prev_cases,
        claim: Some(claim(a.direction, printed_degree(a))),
        rank,
        page: page.map(str::to_string),
    }
}

/// Every figure a story prints, as the state keeps them: its table's areas (on `page`, for
/// an edition of a page per area, the bundle of its page), then the national leaders by rate
/// and the movers by the size of their change, with the ranks the copy gives them and what
/// the copy claimed of each change.
pub fn printed_figures(story: &Story, page: Option<&str>) -> Vec<PrintedFigure> {
    let mut out: Vec<PrintedFigure> = files::table_areas(story)
        .into_iter()
        .map(|(_, a)| figure(a, None, page))
        .collect();
    for l in story.leaders.iter() {
        out.push(figure(&l.area, Some(PrintedRank::Rate(l.position)), None));
    }
    if let Some(movers) = &story.movers {
        for a in &movers.items {
            let rank = if movers.kind == "rises" {
                a.ranks.rise.map(PrintedRank::Rise)
            } else {
                a.ranks.fall.map(PrintedRank::Fall)
            };
            if rank.is_some() {
                out.push(figure(a, rank, None));
            }
        }
    }
    out
}

/// What a run needs to correct a story's earlier editions.
pub(super) struct Correcting<'a> {
    /// The newest release, whose figures the notes give.
    pub release: NaiveDate,
    /// Its data.
    pub inputs: &'a Inputs,
    /// The thresholds.
    pub limits: &'a Corrections,
    /// Where pages go.
    pub layout: &'a Layout,
    /// The output folder, where the editions' pages are read to be updated.
    pub output: &'a Path,
}

/// The notes (and updated edition pages) the newest release calls for among a story's
/// earlier `editions`, each recorded on its edition; and how many notes they are.
pub(super) fn notes_for(
    editions: &mut [Edition],
    c: &Correcting<'_>,
) -> (Vec<Planned>, usize, Vec<ItemUpdate>) {
    let mut out = Vec::new();
    let mut updates = Vec::new();
    let mut notes = 0;
    for edition in editions.iter_mut() {
        let (Some(week_end), Some(bundle)) = (edition.week_end, edition.bundle.clone()) else {
            continue;
        };
        if edition.release >= c.release || edition.figures.is_empty() {
            continue;
        }
        let universe = edition.universe.unwrap_or(c.inputs.patch.universe);
        let area_type = match &edition.area_type {
            Some(t) => t.clone(),
            None => continue,
        };
        let national = National::compute(
            &c.inputs.dataset,
            &c.inputs.population,
            universe,
            &area_type,
            Week::ending(week_end),
        );
        let found = revisions_in(&edition.figures, &national, &c.inputs.dataset, c.limits);
        if found.is_empty() {
            continue;
        }
        let lines: Vec<String> = dedup(found.iter().map(|(_, l)| l.clone()));
        if edition
            .correction
            .as_ref()
            .is_some_and(|n| n.lines == lines)
        {
            continue;
        }
        let first = edition.correction.as_ref().map_or(c.release, |n| n.first);
        let note_bundle = format!("{bundle}-correction");
        let note_path = c.layout.page(&note_bundle, first);
        let areas: Vec<(String, String)> = dedup_pairs(
            edition
                .figures
                .iter()
                .filter(|f| f.page.is_some() && found.iter().any(|(p, _)| *p == f.page))
                .map(|f| (f.name.clone(), f.page.clone().unwrap_or_default())),
        );
        let note = render_note(
            edition,
            (week_end, universe),
            (&lines, &areas),
            c,
            first,
            &note_bundle,
        );
        out.push(Planned {
            path: note_path.clone(),
            bytes: note.into_bytes(),
        });
        notes += 1;
        // The pages that printed a figure now corrected link the note, and say when.
        let bundles: BTreeSet<String> = match &edition.page {
            Some(_) => [bundle.clone()].into(),
            None => found.iter().filter_map(|(p, _)| p.clone()).collect(),
        };
        for from in bundles {
            let page = c.layout.page(&from, edition.release);
            let Ok(text) = std::fs::read_to_string(c.output.join(&page)) else {
                continue;
            };
            let link = c.layout.page_link(&from, &note_bundle, first);
            let text =
                frontmatter::set_keys(&text, c.layout.flavour, c.release, "correction", &link);
            out.push(Planned {
                path: page,
                bytes: with_notice(&text, c.release, &link).into_bytes(),
            });
            // The page's ninjs item, when it has one, is rewritten as its next version.
            let item = c.layout.file(&from, &item_file(&from));
            if let Some(old) = std::fs::read(c.output.join(&item))
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            {
                updates.push(ItemUpdate {
                    story: String::new(),
                    edition: edition.release,
                    path: item,
                    old,
                    corrected: c.release,
                    lines: lines.clone(),
                });
            }
        }
        if !edition.files.contains(&note_path) {
            edition.files.push(note_path.clone());
        }
        edition.corrected_with.push(c.release);
        edition.correction = Some(CorrectionNote {
            path: note_path,
            first,
            updated: c.release,
            lines,
        });
    }
    (out, notes, updates)
}

fn dedup_pairs(pairs: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut seen = BTreeSet::new();
    pairs.filter(|(_, p)| seen.insert(p.clone())).collect()
}

fn dedup(lines: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    lines.filter(|l| seen.insert(l.clone())).collect()
}

/// The line an edition's page ends with once corrected, replacing any earlier one.
const NOTICE: &str = "*This report was corrected on ";

fn with_notice(page: &str, release: NaiveDate, link: &str) -> String {
    let mut out: String = page
        .split_inclusive('\n')
        .filter(|l| !l.starts_with(NOTICE))
        .collect();
    while out.ends_with("\n\n") {
        out.pop();
    }
    out.push_str(&format!(
        "\n{NOTICE}{}: [read the correction]({link}).*\n",
        lang::weekday_date(release, None)
    ));
    out
}

/// The note: front matter of its own, what it corrects, a line per figure, and for an
/// every-area edition a link to each area's page it corrects.
fn render_note(
    edition: &Edition,
    (week_end, universe): (NaiveDate, Universe),
    (lines, areas): (&[String], &[(String, String)]),
    c: &Correcting<'_>,
    first: NaiveDate,
    note_bundle: &str,
) -> String {
    let bundle = edition.bundle.as_deref().unwrap_or_default();
    let headline = edition.title.clone().unwrap_or_else(|| bundle.to_string());
    let year = Some(edition.release.year_ce().1 as i32);
    let link = match &edition.page {
        Some(_) => c.layout.page_link(note_bundle, bundle, edition.release),
        None => String::new(),
    };
    let front = Matter {
        title: format!("Correction: {headline}"),
        description: format!(
            "Revised figures for our report of {}",
            lang::weekday_date(edition.release, year)
        ),
        date: Some(first),
        updated: (c.release != first).then_some(c.release),
        slug: note_bundle.to_string(),
        url: c.layout.url(note_bundle),
        tags: Vec::new(),
        area_codes: Vec::new(),
        extra: [
            ("corrects", Value::Str(link.clone())),
            ("data_release", Value::Date(c.release)),
            ("week_end", Value::Date(week_end)),
        ]
        .into_iter()
        .filter(|(_, v)| *v != Value::Str(String::new()))
        .collect(),
    };
    let report = if link.is_empty() {
        format!(
            "Our reports of {}",
            lang::weekday_date(edition.release, year)
        )
    } else {
        format!(
            "Our report of {}, [{}]({link}),",
            lang::weekday_date(edition.release, year),
            lang::markdown_text(&headline)
        )
    };
    let mut body = format!(
        "{report} gave figures for the seven days to {} that later data have revised. The data published on {} give these figures for {}:\n\n",
        lang::weekday_date(week_end, year),
        lang::weekday_date(c.release, year),
        universe.name(),
    );
    for line in lines {
        // The lines name areas: escaped, so a hostile name stays text.
        body.push_str(&format!("- {}\n", lang::markdown_text(line)));
    }
    if !areas.is_empty() {
        let links: Vec<String> = areas
            .iter()
            .map(|(name, bundle)| {
                let to = c.layout.page_link(note_bundle, bundle, edition.release);
                format!("[{}]({to})", lang::markdown_text(name))
            })
            .collect();
        body.push_str(&format!(
            "\nThe reports corrected: {}.\n",
            lang::list_and(&links)
        ));
    }
    format!("{}\n{body}", front.render(c.layout.flavour))
}

use chrono::Datelike as _;

/// The printed figures a later release revises past the thresholds, with the page each was
/// printed on and a line each saying what it is now: `national` is the printed week as the
/// later release's `dataset` gives it.
pub fn revisions_in(
    printed: &[PrintedFigure],
    national: &National,
    dataset: &crate::model::Dataset,
    limits: &Corrections,
) -> Vec<(Option<String>, String)> {
    let by_code: HashMap<&str, &AreaWeek> = national
        .weeks
        .iter()
        .map(|w| (dataset.areas[w.index].code.as_str(), w))
        .collect();
    let mut out = Vec::new();
    for old in printed {
        let Some(new) = by_code.get(old.code.as_str()) else {
            continue;
        };
        let new_ranks = national.ranks_of(new.index);
        // A rank now in the bottom half of its table is not printed as "the 290th highest":
        // the note says only that the first report's rank no longer holds, as the story
        // itself leaves such ranks out.
        let upper_half = |rank: Option<usize>, of: &crate::stats::Ranking| {
            rank.filter(|r| r * 2 <= of.len() + 1)
        };
        let rank_now = old.rank.map(|r| match r {
            PrintedRank::Rate(_) => upper_half(new_ranks.rate, &national.by_rate),
            PrintedRank::Rise(_) => upper_half(new_ranks.rise, &national.by_rise),
            PrintedRank::Fall(_) => upper_half(new_ranks.fall, &national.by_fall),
        });
        let revised = PrintedFigure {
            code: old.code.clone(),
            name: old.name.clone(),
            rate: new.rate.0,
            cases: new.cases,
            prev_rate: new.prev_rate.0,
            prev_cases: new.prev_cases,
            claim: Some(claim(new.direction, Some(Degree::of(new)))),
            rank: rank_now.map(|n| match (old.rank, n) {
                (Some(PrintedRank::Rate(_)), Some(n)) => PrintedRank::Rate(n),
                (Some(PrintedRank::Rise(_)), Some(n)) => PrintedRank::Rise(n),
                (Some(PrintedRank::Fall(_)), Some(n)) => PrintedRank::Fall(n),
                (r, _) => r.expect("only printed ranks are compared"),
            }),
            page: old.page.clone(),
        };
        for line in figure_revisions(old, &revised, limits, national.universe) {
            out.push((old.page.clone(), line));
        }
    }
    out
}

/// The changes between what an edition printed and what a later release says of the same
/// week that earn a correction, a sentence each, ranks told within `universe`.
#[cfg(test)]
fn revisions(
    printed: &[PrintedFigure],
    revised: &[PrintedFigure],
    limits: &Corrections,
    universe: Universe,
) -> Vec<String> {
    let mut out = Vec::new();
    for old in printed {
        if let Some(new) = revised
            .iter()
            .find(|n| n.code == old.code && same_kind(n.rank, old.rank))
        {
            out.extend(figure_revisions(old, new, limits, universe));
        }
    }
    out
}

#[cfg(test)]
fn same_kind(a: Option<PrintedRank>, b: Option<PrintedRank>) -> bool {
    std::mem::discriminant(&a) == std::mem::discriminant(&b)
        && match (a, b) {
            (Some(x), Some(y)) => std::mem::discriminant(&x) == std::mem::discriminant(&y),
            _ => true,
        }
}

fn figure_revisions(
    old: &PrintedFigure,
    new: &PrintedFigure,
    limits: &Corrections,
    universe: Universe,
) -> Vec<String> {
    let rate_moved = |a: i64, b: i64, limit: f64| a != b && (a - b).abs() as f64 / 10.0 >= limit;
    let cases_moved = |a: i64, b: i64, share: f64| {
        a != b && (a - b).abs() as f64 >= share * (a.max(b).max(1) as f64)
    };
    let name = &old.name;
    let owner = lang::possessive(name);
    let mut out = Vec::new();
    if rate_moved(old.rate, new.rate, limits.rate_change) {
        out.push(format!(
            "{owner} rate was {} cases per 100,000 people, not {}.",
            lang::rate_tenths(new.rate),
            lang::rate_tenths(old.rate)
        ));
    }
    if cases_moved(old.cases, new.cases, limits.cases_share) {
        out.push(format!(
            "{name} recorded {} cases, not {}.",
            lang::thousands(new.cases),
            lang::thousands(old.cases)
        ));
    }
    let prev_limit = limits.prev_rate_change.unwrap_or(limits.rate_change);
    if rate_moved(old.prev_rate, new.prev_rate, prev_limit) {
        out.push(format!(
            "{owner} rate the week before was {} cases per 100,000 people, not {}.",
            lang::rate_tenths(new.prev_rate),
            lang::rate_tenths(old.prev_rate)
        ));
    }
    let prev_share = limits.prev_cases_share.unwrap_or(limits.cases_share);
    if cases_moved(old.prev_cases, new.prev_cases, prev_share) {
        out.push(format!(
            "{name} recorded {} cases the week before, not {}.",
            lang::thousands(new.prev_cases),
            lang::thousands(old.prev_cases)
        ));
    }
    if limits.claims
        && let (Some(was), Some(now)) = (&old.claim, &new.claim)
        && claim_changed(was, now)
    {
        out.push(format!(
            "{owner} rate {} rather than {} as first reported.",
            claim_words(now),
            claim_words(was)
        ));
    }
    if limits.ranks && old.rank != new.rank {
        let place = |r: Option<PrintedRank>| match r {
            Some(PrintedRank::Rate(n)) => Some(lang::ranked(n as i64, "highest rate")),
            Some(PrintedRank::Rise(n)) => Some(lang::ranked(n as i64, "largest rise")),
            Some(PrintedRank::Fall(n)) => Some(lang::ranked(n as i64, "largest fall")),
            None => None,
        };
        match (place(new.rank), place(old.rank)) {
            (Some(now), Some(was)) => out.push(format!(
                "{name} had the {now} in {}, not the {was}.",
                universe.name()
            )),
            (None, Some(was)) => out.push(format!(
                "{name} did not have the {was} in {}.",
                universe.name()
            )),
            _ => {}
        }
    }
    out
}

/// A claim as the copy words it: `down/sharp` → `fell sharply`.
fn claim_words(claim: &str) -> String {
    let (direction, degree) = claim.split_once('/').unwrap_or((claim, ""));
    let verb = match direction {
        "up" => "rose",
        "down" => "fell",
        _ => return "was unchanged".into(),
    };
    match degree {
        "whopping" => format!("{verb} dramatically"),
        "sharp" => format!("{verb} sharply"),
        "slight" => format!("{verb} slightly"),
        _ => verb.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(rate: i64, cases: i64, claim: &str, rank: Option<PrintedRank>) -> PrintedFigure {
        PrintedFigure {
            code: "E09000006".into(),
            name: "Bromley".into(),
            rate,
            cases,
            prev_rate: 5000,
            prev_cases: 1000,
            claim: Some(claim.into()),
            rank,
            page: None,
        }
    }

    #[test]
    fn a_routine_revision_under_every_threshold_earns_no_note() {
        let old = printed(4000, 800, "down/sharp", None);
        let new = printed(4005, 801, "down/sharp", None);
        assert!(revisions(&[old], &[new], &Corrections::default(), Universe::England).is_empty());
    }

    #[test]
    fn a_rate_past_its_threshold_is_corrected() {
        let old = printed(4000, 800, "down/sharp", None);
        let new = printed(4010, 800, "down/sharp", None);
        assert_eq!(
            revisions(&[old], &[new], &Corrections::default(), Universe::England),
            ["Bromley's rate was 401.0 cases per 100,000 people, not 400.0."]
        );
    }

    #[test]
    fn each_kind_of_figure_has_its_own_threshold() {
        let limits = Corrections {
            prev_rate_change: Some(5.0),
            prev_cases_share: Some(0.5),
            ..Corrections::default()
        };
        let old = printed(4000, 800, "down/sharp", None);
        let mut new = old.clone();
        new.prev_rate = 5030;
        new.prev_cases = 1100;
        assert!(
            revisions(
                std::slice::from_ref(&old),
                std::slice::from_ref(&new),
                &limits,
                Universe::England
            )
            .is_empty()
        );
        assert_eq!(
            revisions(&[old], &[new], &Corrections::default(), Universe::England).len(),
            2
        );
    }

    #[test]
    fn a_changed_claim_word_is_corrected_however_small_the_move() {
        let old = printed(4000, 800, "down/sharp", None);
        let new = printed(4001, 800, "down/plain", None);
        assert_eq!(
            revisions(
                std::slice::from_ref(&old),
                std::slice::from_ref(&new),
                &Corrections::default(),
                Universe::England
            ),
            ["Bromley's rate fell rather than fell sharply as first reported."]
        );
        let off = Corrections {
            claims: false,
            ..Corrections::default()
        };
        assert!(revisions(&[old], &[new], &off, Universe::England).is_empty());
    }

    #[test]
    fn a_plain_verb_claims_only_its_direction() {
        let old = printed(4000, 800, "down", None);
        let sharper = printed(4001, 800, "down/whopping", None);
        assert!(
            revisions(
                std::slice::from_ref(&old),
                &[sharper],
                &Corrections::default(),
                Universe::England
            )
            .is_empty()
        );
        let turned = printed(5001, 800, "up/plain", None);
        let limits = Corrections {
            rate_change: 1000.0,
            ..Corrections::default()
        };
        assert_eq!(
            revisions(&[old], &[turned], &limits, Universe::England),
            ["Bromley's rate rose rather than fell as first reported."]
        );
    }

    #[test]
    fn a_changed_rank_is_corrected_however_small_the_move() {
        let old = printed(4000, 800, "down/sharp", Some(PrintedRank::Rate(2)));
        let new = printed(4001, 800, "down/sharp", Some(PrintedRank::Rate(3)));
        assert_eq!(
            revisions(&[old], &[new], &Corrections::default(), Universe::England),
            ["Bromley had the third highest rate in England, not the second highest rate."]
        );
    }

    #[test]
    fn a_rank_is_told_within_the_story_s_own_universe() {
        let old = printed(4000, 800, "down/sharp", Some(PrintedRank::Fall(1)));
        let new = printed(4001, 800, "down/sharp", Some(PrintedRank::Fall(3)));
        assert_eq!(
            revisions(&[old], &[new], &Corrections::default(), Universe::Uk),
            ["Bromley had the third largest fall in the UK, not the largest fall."]
        );
    }

    #[test]
    fn a_page_keeps_one_notice_however_often_it_is_corrected() {
        let day = |d| NaiveDate::from_ymd_opt(2021, 1, d).unwrap();
        let once = with_notice("Body\n", day(19), "../a/");
        let twice = with_notice(&once, day(20), "../a/");
        assert_eq!(twice.matches(NOTICE).count(), 1);
        assert!(twice.contains("Wednesday, January 20"), "{twice}");
    }
}
