//! How a sidecar is written out: each datum once. The daily counts, population, name and
//! files of every area the facts draw on are written once, in `series`, and each fact names
//! the series and the week it sums; the words of each recipe are written once, in `formulas`;
//! the release, weeks and files once, at the top. A fact's kind is its recipe's (a
//! `week_rate` of the `week` is a rate), so only the recipe is written. One fact a line, so that a sidecar reads
//! (and diffs) fact by fact.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::emit;
use super::*;
use crate::stats::Week;

/// The words of each recipe, by its `op`: how a sub-editor recomputes a fact from its series
/// (or from the facts it names) with a calculator.
pub const FORMULAS: &[(&str, &str)] = &[
    (
        "date",
        "date(which): a date of the story: the release as given; the week ends the release less the patch's incomplete days and starts six days before; the week before ends the day before the week starts",
    ),
    ("year", "year(): the year of the release"),
    (
        "constant",
        "constant(value): a fixed figure of the method: a week is seven days, rates are new cases per 100,000 people",
    ),
    (
        "tally",
        "tally(scope, tally, direction): over the scope's areas (universe: every area of the type in the universe with figures for both weeks; patch: the story's core areas with figures), total counts them; moved counts those whose rate, rounded to 1 dp, rose (up), fell (down) or did not change (unchanged); share is moved / total × 100, rounded half-up to a whole percent; left_out counts the areas without a full fortnight of figures or a population; exceptions counts the core areas that did not go the way all the others went",
    ),
    (
        "similar_around",
        "similar_around(): the mean of the rates in inputs.facts rounded to two significant figures, every rate within 10% of the mean",
    ),
    (
        "patch_total",
        "patch_total(window): the sum of week_sum(code, window) over the patch's core areas, the cases facts in inputs.facts; the copy may round it as a reader says it (\"nearly 10,000\"), printed with its hedge",
    ),
    (
        "list_length",
        "list_length(list): how many entries the list has: the patch's setting, or fewer if fewer areas qualify",
    ),
    (
        "week_sum",
        "week_sum(code, window): the sum of the area's series of daily newCasesBySpecimenDate counts over the window's seven days",
    ),
    (
        "week_rate",
        "week_rate(code, window): week_sum(code, window) / the series' population × 100,000, rounded half-up to 1 dp",
    ),
    (
        "change_size",
        "change_size(code): |code.rate - code.prev_rate|, the area's two rates as rounded to 1 dp",
    ),
    (
        "percent_change_size",
        "percent_change_size(code): |code.rate - code.prev_rate| / code.prev_rate × 100 of the area's two rounded rates, rounded half-up to a whole percent",
    ),
    (
        "population",
        "population(code): the population table's figure for the area code, the series' population",
    ),
    (
        "rank",
        "rank(code, by): 1 + the number of areas in the universe ahead of the area by: rate (this week's rate, highest first), rate_low (lowest first), prev_rate (last week's rate), rise or fall (the size of the change, among the areas that rose or fell); tied areas share a rank",
    ),
    (
        "patch_rank",
        "patch_rank(code): 1 + the number of the patch's core areas with a higher rate this week",
    ),
    (
        "list_position",
        "list_position(code, list, by, position): the area's 1-based place in the list (leaders by rate, movers by the size of fall or rise, core by rate within the patch), which must fit its rank",
    ),
    (
        "missing_day",
        "missing_day(code, date): a day of the fortnight on which the area's series has no newCasesBySpecimenDate value",
    ),
    (
        "hospital",
        "hospital(code, metric, date): the metric's figure for the NHS region on the date, rounded to a whole number",
    ),
    (
        "hospital_date",
        "hospital_date(code, metric): the latest day on or before the release with a figure of the metric for the NHS region",
    ),
];

impl Recipe {
    /// The recipe's `op`, which names its words in [`FORMULAS`].
    pub fn op(&self) -> &'static str {
        match self {
            Recipe::WeekSum { .. } => "week_sum",
            Recipe::WeekRate { .. } => "week_rate",
            Recipe::ChangeSize { .. } => "change_size",
            Recipe::PercentChangeSize { .. } => "percent_change_size",
            Recipe::Population { .. } => "population",
            Recipe::Rank { .. } => "rank",
            Recipe::PatchRank { .. } => "patch_rank",
            Recipe::ListPosition { .. } => "list_position",
            Recipe::Tally { .. } => "tally",
            Recipe::SimilarAround => "similar_around",
            Recipe::PatchTotal { .. } => "patch_total",
            Recipe::ListLength { .. } => "list_length",
            Recipe::Date { .. } => "date",
            Recipe::MissingDay { .. } => "missing_day",
            Recipe::Constant { .. } => "constant",
            Recipe::Year => "year",
            Recipe::Hospital { .. } => "hospital",
            Recipe::HospitalDate { .. } => "hospital_date",
        }
    }
}

/// Which formulas a sidecar spells out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Glossary {
    /// None: a story's own sidecar, whose shared file spells them out.
    None,
    /// The recipes its facts use: a self-contained sidecar.
    Used,
    /// Every recipe: the shared file, for all the stories that name it.
    All,
}

/// One area's daily counts and what goes with them, as the facts drew on them.
#[derive(Default)]
struct Series<'a> {
    name: Option<&'a str>,
    population: Option<u64>,
    sources: Vec<usize>,
    /// The facts' daily counts, each set once (the facts of an area's week share theirs); a
    /// day in more than one has the last one's count, as merging them in order would give.
    daily: Vec<&'a BTreeMap<NaiveDate, i64>>,
    /// Where the view model holds the area (`core[0]`, `leaders[2]`), in the order the
    /// facts first name them: a fact `CODE.rate` used by `core[0].rate` is held at `core[0]`.
    at: Vec<&'a str>,
}

impl Series<'_> {
    /// Whether `f`'s `used_by` is what the series' `at` says it is: each of its places
    /// followed by the fact's id after the area code, in order. Such a fact leaves its
    /// `used_by` to the series.
    fn implies_used_by(&self, code: &str, f: &Fact) -> bool {
        let Some(rest) = own_part(code, &f.id) else {
            return false;
        };
        f.used_by.len() == self.at.len()
            && f.used_by.iter().zip(&self.at).all(|(path, place)| {
                path.strip_prefix(place)
                    .and_then(|p| p.strip_prefix('.'))
                    .is_some_and(|p| p == rest)
            })
    }
}

/// The part of an area fact's id after its area's code: `rate` of `E09000011.rate`.
fn own_part<'a>(code: &str, id: &'a str) -> Option<&'a str> {
    id.strip_prefix(code).and_then(|r| r.strip_prefix('.'))
}

pub(super) fn json<T: Serialize + ?Sized>(out: &mut String, value: &T) {
    serde_json::to_writer(Append(out), value).expect("facts are plain data");
}

/// Appends what serde_json writes to a string, checking only the new bytes: taking the
/// whole buffer back as a `String` after each value checked all of it again, which made
/// writing a sidecar grow with the square of its length.
struct Append<'a>(&'a mut String);

impl std::io::Write for Append<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        // serde_json writes whole characters in each piece (it splits strings only at the
        // ASCII characters it escapes), so every piece is UTF-8 on its own.
        let text = std::str::from_utf8(bytes).map_err(std::io::Error::other)?;
        self.0.push_str(text);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn key(out: &mut String, first: &mut bool, name: &str) {
    if !std::mem::take(first) {
        out.push(',');
    }
    out.push('"');
    out.push_str(name);
    out.push_str("\":");
}

impl FactsSidecar {
    /// The sidecar as JSON with a final newline: see the module's text and README.md's
    /// *Facts sidecar* for its shape. A story's own sidecar (one that names a shared file)
    /// leaves the recipes' words to that file; a self-contained one spells out those it uses.
    pub fn to_json(&self) -> String {
        let glossary = if self.shared.is_some() {
            Glossary::None
        } else {
            Glossary::Used
        };
        self.write_json(glossary)
    }

    /// [`FactsSidecar::to_json`] for the file every story of a run shares: every recipe's
    /// words, for all of them.
    pub fn to_shared_json(&self) -> String {
        self.write_json(Glossary::All)
    }

    pub(super) fn write_json(&self, glossary: Glossary) -> String {
        let source_index = |label: &str| self.sources.iter().position(|s| s.label == label);

        // Each area's series, in the order the facts first name them, and each fact's.
        let mut series: Vec<(&str, Series<'_>)> = Vec::new();
        let mut of: Vec<Option<usize>> = Vec::with_capacity(self.facts.len());
        let mut last: Option<usize> = None;
        for f in &self.facts {
            let Some(code) = series_code(f) else {
                of.push(None);
                continue;
            };
            // An area's facts come together: the last fact's series is most often this one's.
            let k = match last {
                Some(k) if series[k].0 == code => k,
                _ => match series.iter().position(|(c, _)| *c == code) {
                    Some(k) => k,
                    None => {
                        series.push((code, Series::default()));
                        series.len() - 1
                    }
                },
            };
            of.push(Some(k));
            last = Some(k);
            let s = &mut series[k].1;
            if s.name.is_none() {
                s.name = f.area_name.as_deref();
            }
            if f.inputs.population.is_some() {
                s.population = f.inputs.population;
            }
            for label in f.inputs.sources.iter() {
                if let Some(i) = source_index(label)
                    && !s.sources.contains(&i)
                {
                    s.sources.push(i);
                }
            }
            let days = &*f.inputs.daily;
            if !days.is_empty() && !s.daily.iter().any(|d| std::ptr::eq(*d, days)) {
                s.daily.push(days);
            }
            if let Some(rest) = own_part(code, &f.id) {
                for path in &f.used_by {
                    let place = path
                        .strip_suffix(rest)
                        .and_then(|p| p.strip_suffix('.'))
                        .filter(|p| !p.is_empty());
                    if let Some(place) = place
                        && !s.at.contains(&place)
                    {
                        s.at.push(place);
                    }
                }
            }
        }

        let mut out = String::with_capacity(1024 + 160 * self.facts.len());
        out.push_str("{\n  \"release\": ");
        emit::date(&mut out, self.release);
        out.push_str(",\n  \"universe\": ");
        emit::string(&mut out, &self.universe);
        out.push_str(",\n  \"week\": ");
        emit::week(&mut out, &self.week);
        out.push_str(",\n  \"prev_week\": ");
        emit::week(&mut out, &self.prev_week);
        out.push_str(",\n  \"sources\": [");
        for (i, s) in self.sources.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"label\":");
            emit::string(&mut out, &s.label);
            out.push_str(",\"layout\":");
            emit::string(&mut out, &s.layout);
            out.push_str(",\"release\":");
            match s.release {
                Some(d) => emit::date(&mut out, d),
                None => out.push_str("null"),
            }
            out.push('}');
        }
        out.push_str("],\n  \"population_source\": ");
        emit::string(&mut out, &self.population_source);
        if let Some(shared) = &self.shared {
            out.push_str(",\n  \"shared\": {\"file\":");
            emit::string(&mut out, &shared.file);
            out.push_str(",\"sha256\":");
            emit::string(&mut out, &shared.sha256);
            out.push('}');
        }
        if glossary != Glossary::None {
            out.push_str(",\n  \"formulas\": {");
            let mut first = true;
            for (op, words) in FORMULAS {
                if glossary == Glossary::Used && !self.facts.iter().any(|f| f.recipe.op() == *op) {
                    continue;
                }
                out.push_str(if first { "\n    " } else { ",\n    " });
                first = false;
                emit::string(&mut out, op);
                out.push_str(": ");
                emit::string(&mut out, words);
            }
            out.push_str(if first { "}" } else { "\n  }" });
        }
        out.push_str(",\n  \"series\": {");
        for (i, (code, s)) in series.iter().enumerate() {
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            emit::string(&mut out, code);
            out.push_str(": {");
            let mut first = true;
            if let Some(name) = s.name {
                key(&mut out, &mut first, "name");
                emit::string(&mut out, name);
            }
            if let Some(p) = s.population {
                key(&mut out, &mut first, "population");
                emit::uint(&mut out, p);
            }
            key(&mut out, &mut first, "sources");
            indices(&mut out, s.sources.iter().map(|&i| Some(i)));
            if !s.at.is_empty() {
                key(&mut out, &mut first, "at");
                emit::strings(&mut out, &s.at);
            }
            let first_day = s.daily.iter().filter_map(|d| d.keys().next()).min();
            let last_day = s.daily.iter().filter_map(|d| d.keys().next_back()).max();
            if let (Some(&start), Some(&end)) = (first_day, last_day) {
                key(&mut out, &mut first, "start");
                emit::date(&mut out, start);
                key(&mut out, &mut first, "daily");
                out.push('[');
                for (n, day) in start.iter_days().take_while(|d| *d <= end).enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    match s.daily.iter().rev().find_map(|d| d.get(&day)) {
                        Some(&c) => emit::int(&mut out, c),
                        None => out.push_str("null"),
                    }
                }
                out.push(']');
            }
            out.push('}');
        }
        out.push_str(if series.is_empty() { "}" } else { "\n  }" });

        out.push_str(",\n  \"facts\": [");
        for (i, (f, k)) in self.facts.iter().zip(&of).enumerate() {
            out.push_str(if i == 0 { "\n  " } else { ",\n  " });
            let s = k.map(|k| &series[k]);
            self.write_fact(&mut out, f, s, &source_index);
        }
        out.push_str(if self.facts.is_empty() {
            "]\n}\n"
        } else {
            "\n  ]\n}\n"
        });
        out
    }

    /// A recipe as a call: its op, then its arguments in the order [`FORMULAS`] names them.
    /// An area code names the area's entry in `series`, a window `week` or `prev_week`.
    fn write_recipe(&self, out: &mut String, recipe: &Recipe) {
        out.push_str("[\"");
        out.push_str(recipe.op());
        out.push('"');
        let string = |out: &mut String, s: &str| {
            out.push(',');
            emit::string(out, s);
        };
        let name = |out: &mut String, s: &str| {
            out.push(',');
            out.push_str(s);
        };
        match recipe {
            Recipe::WeekSum { code, week } | Recipe::WeekRate { code, week } => {
                string(out, code);
                out.push(',');
                self.window(out, week);
            }
            Recipe::ChangeSize { code }
            | Recipe::PercentChangeSize { code }
            | Recipe::Population { code }
            | Recipe::PatchRank { code } => string(out, code),
            Recipe::Rank { code, by } => {
                string(out, code);
                name(out, emit::rank_by(*by));
            }
            Recipe::ListPosition {
                code,
                list,
                by,
                position,
            } => {
                string(out, code);
                name(out, emit::list(*list));
                name(out, emit::rank_by(*by));
                out.push(',');
                emit::uint(out, *position as u64);
            }
            Recipe::Tally { scope, tally } => {
                name(out, emit::scope(*scope));
                let (tally, direction) = match tally {
                    Tally::Total => ("\"total\"", None),
                    Tally::Moved(d) => ("\"moved\"", Some(d)),
                    Tally::Share(d) => ("\"share\"", Some(d)),
                    Tally::LeftOut => ("\"left_out\"", None),
                    Tally::Exceptions => ("\"exceptions\"", None),
                };
                name(out, tally);
                if let Some(d) = direction {
                    name(out, emit::direction(*d));
                }
            }
            Recipe::SimilarAround | Recipe::Year => {}
            Recipe::PatchTotal { week } => {
                out.push(',');
                self.window(out, week);
            }
            Recipe::ListLength { list } => name(out, emit::list(*list)),
            Recipe::Date { which } => name(out, emit::story_date(*which)),
            Recipe::MissingDay { code, date } => {
                string(out, code);
                out.push(',');
                emit::date(out, *date);
            }
            Recipe::Constant { value } => {
                out.push(',');
                emit::int(out, *value);
            }
            Recipe::Hospital { code, metric, date } => {
                string(out, code);
                string(out, metric);
                out.push(',');
                emit::date(out, *date);
            }
            Recipe::HospitalDate { code, metric } => {
                string(out, code);
                string(out, metric);
            }
        }
        out.push(']');
    }

    fn window(&self, out: &mut String, w: &Week) {
        if *w == self.week {
            out.push_str("\"week\"");
        } else if *w == self.prev_week {
            out.push_str("\"prev_week\"");
        } else {
            emit::week(out, w);
        }
    }

    /// Writes a fact; `series` is its area's, when it draws on one.
    fn write_fact(
        &self,
        out: &mut String,
        f: &Fact,
        series: Option<&(&str, Series<'_>)>,
        source_index: &dyn Fn(&str) -> Option<usize>,
    ) {
        out.push_str("{\"id\":");
        emit::string(out, &f.id);
        out.push_str(",\"value\":");
        emit::value(out, &f.value);
        out.push_str(",\"printed\":");
        emit::strings(out, &f.printed);
        let in_series = series.is_some();
        if !in_series {
            if let Some(code) = &f.area_code {
                out.push_str(",\"area_code\":");
                emit::string(out, code);
            }
            if let Some(name) = &f.area_name {
                out.push_str(",\"area_name\":");
                emit::string(out, name);
            }
        }

        // What it is computed from beyond its recipe's series: other facts, or files; a fact
        // that names none draws on its series' files, or on every file of the story.
        // A change's two rates are the area's own, as its recipe says.
        let facts = !f.inputs.facts.is_empty()
            && !matches!(
                f.recipe,
                Recipe::ChangeSize { .. } | Recipe::PercentChangeSize { .. }
            );
        let sources = &f.inputs.sources;
        let sources = !in_series
            && !sources.is_empty()
            && !sources
                .iter()
                .map(String::as_str)
                .eq(self.sources.iter().map(|s| s.label.as_str()));
        if facts || sources {
            out.push_str(",\"inputs\":{");
            if facts {
                out.push_str("\"facts\":");
                emit::strings(out, &f.inputs.facts);
            }
            if sources {
                out.push_str(if facts {
                    ",\"sources\":"
                } else {
                    "\"sources\":"
                });
                indices(out, f.inputs.sources.iter().map(|s| source_index(s)));
            }
            out.push('}');
        }
        // Where the view model holds it, unless its series' `at` says so.
        if !series.is_some_and(|(code, s)| s.implies_used_by(code, f)) {
            out.push_str(",\"used_by\":");
            emit::strings(out, &f.used_by);
        }
        out.push_str(",\"recipe\":");
        self.write_recipe(out, &f.recipe);
        out.push('}');
    }
}

/// A list of source indices, `null` for a file the sidecar does not list.
fn indices(out: &mut String, items: impl Iterator<Item = Option<usize>>) {
    out.push('[');
    for (n, i) in items.enumerate() {
        if n > 0 {
            out.push(',');
        }
        match i {
            Some(i) => emit::uint(out, i as u64),
            None => out.push_str("null"),
        }
    }
    out.push(']');
}

/// The area whose series a fact draws on: an area fact's own area. Hospital figures are an
/// NHS region's, not a series of case counts.
fn series_code(f: &Fact) -> Option<&str> {
    match f.recipe {
        Recipe::Hospital { .. } | Recipe::HospitalDate { .. } => None,
        _ => f.area_code.as_deref(),
    }
}
