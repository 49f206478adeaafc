//! The patch file: which areas a newsroom covers and how its copy is signed, checked once
//! before any work starts; and the neutral settings of a run without one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::Dataset;
use crate::stats::Universe;

/// Why a patch file or a name in it is not usable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read patch file {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The TOML is malformed or has unknown or mistyped keys.
    #[error("{path}: {message}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A value is outside what makes sense.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A patch names an area the data do not have.
    #[error("{path}: area \"{name}\" is not in the data ({area_type} areas in {sources}){hint}")]
    UnknownArea {
        /// The patch file.
        path: PathBuf,
        /// The name as written.
        name: String,
        /// The area type searched.
        area_type: String,
        /// The data files searched.
        sources: String,
        /// "; did you mean ...?" or empty.
        hint: String,
    },
    /// A patch names an area by a name the data give to several areas.
    #[error(
        "{path}: area \"{name}\" is the name of {count} {area_type} areas in the data ({codes}); \
         name the one meant by its code"
    )]
    AmbiguousName {
        /// The patch file.
        path: PathBuf,
        /// The name as written.
        name: String,
        /// The area type searched.
        area_type: String,
        /// How many areas carry it.
        count: usize,
        /// Their codes, in the data's order.
        codes: String,
    },
    /// A patch names an area outside the story's national comparison.
    #[error(
        "{path}: area \"{name}\" ({code}) is outside the story's universe, {universe}, whose \
         figures the story compares; remove it, or set universe = \"uk\""
    )]
    OutsideUniverse {
        /// The patch file.
        path: PathBuf,
        /// The name as written.
        name: String,
        /// The area's code.
        code: String,
        /// The universe's name ("England").
        universe: &'static str,
    },
    /// The data hold several area types and the patch does not say which to use.
    #[error(
        "{path}: the data hold several area types ({types}); say which one the story uses with area_type = \"...\""
    )]
    AmbiguousAreaType {
        /// The patch file.
        path: PathBuf,
        /// The types found.
        types: String,
    },
}

/// How long the lists in a story are.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Lists {
    /// How many national leaders (highest rates) the story names.
    pub leaders: usize,
    /// How many areas the list of largest falls (or rises) holds; 0 for none.
    pub movers: usize,
}

impl Default for Lists {
    fn default() -> Self {
        Lists {
            leaders: 3,
            movers: 10,
        }
    }
}

/// A newsroom's patch, as written in its TOML file.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    /// The publication the story is for.
    pub publication: String,
    /// The region's name as used in copy: "south east London".
    pub region: String,
    /// What the areas of the patch are called in copy: "borough", "district", "area".
    #[serde(default = "default_area_noun")]
    pub area_noun: String,
    /// Its plural; when not given, the noun's regular English plural ("counties",
    /// "parishes", "council areas").
    #[serde(default)]
    pub area_noun_plural: Option<String>,
    /// The areas the story is about, by name or code.
    pub core: Vec<String>,
    /// Areas just outside the patch, mentioned in one sentence.
    #[serde(default)]
    pub nearby: Vec<String>,
    /// The national comparison: England or the UK.
    #[serde(default = "default_universe")]
    pub universe: Universe,
    /// The dashboard area type the story uses ("ltla"); needed only when the data hold several.
    #[serde(default)]
    pub area_type: Option<String>,
    /// The NHS region whose hospital figures the story gives (name or code), when the data
    /// carry `hospitalCases` / `covidOccupiedMVBeds` for it.
    #[serde(default)]
    pub nhs_region: Option<String>,
    /// Who calculated the figures, for the provenance line: "our data team".
    pub calculated_by: String,
    /// Whose data they are, as the copy names the publisher: "Public Health England". When not
    /// given, the body that ran the dashboard on the release date (see [`publisher_on`]).
    #[serde(default)]
    pub source_name: Option<String>,
    /// How the copy names the dashboard.
    #[serde(default = "default_dashboard_name")]
    pub dashboard_name: String,
    /// Days before the release that are still incomplete and left out of the week.
    #[serde(default = "default_incomplete_days")]
    pub incomplete_days: u32,
    /// Picks among sentence frames; the same seed and data always give the same copy.
    #[serde(default)]
    pub seed: u64,
    /// List lengths.
    #[serde(default)]
    pub lists: Lists,
    /// Input gates: which checks stop a story and which only warn, and their limits.
    #[serde(default)]
    pub gates: crate::gates::GateConfig,
    /// Names as this newsroom prints them, over the built-in press names: ONS code or the
    /// data's name → the name as it reads inside a sentence ("the Vale of Glamorgan").
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// When a week-on-week change is too small to tell as a rise or a fall.
    #[serde(default)]
    pub noise: Noise,
    /// What the checks take as the newsroom wrote it.
    #[serde(default)]
    pub copy: CopyText,
}

/// The `[copy]` table: fixed text the newsroom's templates print, and how names are placed.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct CopyText {
    /// Phrases printed word for word wherever they appear in a story ("book a test at nhs.uk
    /// or call 119"): the audit traces none of their figures to a fact and the lint applies no
    /// figure rule to them, as for text printed through the templates' `literal` filter.
    pub literal: Vec<String>,
    /// Whether a district of a two-tier or metropolitan county is placed for the reader
    /// ("Knowsley in Merseyside") where the copy names it among the national leaders. On by
    /// default; a paper whose readers know the counties turns it off.
    pub qualifiers: bool,
}

impl Default for CopyText {
    fn default() -> Self {
        CopyText {
            literal: Vec::new(),
            qualifiers: true,
        }
    }
}

/// The largest noise threshold in cases: more is a week's news in a small area.
const MAX_NOISE_CASES: i64 = 100;

/// The largest noise threshold in per cent: the copy calls a change under 10% "slight", which
/// is still a change.
const MAX_NOISE_PERCENT: i64 = 10;

/// A change too small to mean anything is told as "almost unchanged": a couple of cases, or a
/// rate that moved by less than a set share of itself.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Noise {
    /// A change of at most this many cases is noise.
    pub cases: i64,
    /// A rate change of under this many per cent of last week's rate is noise.
    pub percent: i64,
}

impl Default for Noise {
    fn default() -> Self {
        Noise {
            cases: 2,
            percent: 1,
        }
    }
}

impl Noise {
    /// Whether a move from `prev_cases` to `cases`, with a rate change of `percent_change`
    /// per cent (absent from zero), is noise.
    pub fn is_noise(&self, cases: i64, prev_cases: i64, percent_change: Option<i64>) -> bool {
        (cases - prev_cases).abs() <= self.cases
            || percent_change.is_some_and(|p| p.abs() < self.percent)
    }
}

fn default_area_noun() -> String {
    "area".to_string()
}
fn default_universe() -> Universe {
    Universe::England
}
/// The body that published the dashboard's data on `release`: Public Health England until the
/// UK Health Security Agency took it over on October 1 2021.
pub fn publisher_on(release: chrono::NaiveDate) -> &'static str {
    if release < chrono::NaiveDate::from_ymd_opt(2021, 10, 1).expect("a valid date") {
        "Public Health England"
    } else {
        "the UK Health Security Agency"
    }
}
fn default_dashboard_name() -> String {
    "the Government's coronavirus dashboard".to_string()
}
fn default_incomplete_days() -> u32 {
    4
}

/// The most days a newsroom may leave out as incomplete; more than a fortnight is a mistake.
pub const MAX_INCOMPLETE_DAYS: u32 = 14;

/// What a run changes of a patch file's settings (a newsroom story's universe, a `--seed`),
/// applied to the file as read, before it is checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PatchOverrides {
    /// The national comparison.
    pub universe: Option<Universe>,
    /// The seed that picks sentence frames.
    pub seed: Option<u64>,
}

impl Patch {
    /// The settings of a run without a patch file (every area's own story): neutral wording,
    /// no named publication or calculator (the provenance line then names only the data's
    /// publisher), and no areas of its own.
    pub(crate) fn neutral() -> Patch {
        Patch {
            publication: String::new(),
            region: String::new(),
            area_noun: default_area_noun(),
            area_noun_plural: None,
            core: Vec::new(),
            nearby: Vec::new(),
            universe: default_universe(),
            area_type: None,
            nhs_region: None,
            calculated_by: String::new(),
            source_name: None,
            dashboard_name: default_dashboard_name(),
            incomplete_days: default_incomplete_days(),
            seed: 0,
            lists: Lists::default(),
            gates: crate::gates::GateConfig::default(),
            names: BTreeMap::new(),
            noise: Noise::default(),
            copy: CopyText::default(),
        }
    }

    /// How the copy names an area: the patch's `[names]` entry for its code or its data name,
    /// else the press's name from [`crate::geo`], else the data's name as it is.
    pub fn print_name(&self, code: &str, official: &str) -> String {
        if let Some(n) = self.names.get(code).or_else(|| self.names.get(official)) {
            return n.clone();
        }
        // The press name stands in only for the authority the data name: a file whose names
        // are its own (a test's "Alder" under a real code) keeps them.
        let plain = |s: &str| s.replace('.', "");
        crate::geo::print_name(code)
            .filter(|p| {
                p.name
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| plain(official).contains(&plain(w)))
            })
            .map_or_else(|| official.to_string(), |p| p.in_sentence())
    }

    /// Reads and checks a patch file.
    pub fn load(path: &Path) -> Result<Patch, ConfigError> {
        Patch::load_with(path, PatchOverrides::default())
    }

    /// [`Patch::load`] with a run's overrides.
    pub(crate) fn load_with(path: &Path, overrides: PatchOverrides) -> Result<Patch, ConfigError> {
        let io = |source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        };
        crate::fsio::check_readable(path).map_err(io)?;
        let text = std::fs::read_to_string(path).map_err(io)?;
        Patch::parse_with(path, &text, overrides)
    }

    /// Parses and checks patch TOML; `path` is used in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Patch, ConfigError> {
        Patch::parse_with(path, text, PatchOverrides::default())
    }

    /// [`Patch::parse`] with a run's overrides.
    pub(crate) fn parse_with(
        path: &Path,
        text: &str,
        overrides: PatchOverrides,
    ) -> Result<Patch, ConfigError> {
        let mut patch: Patch = toml::from_str(text).map_err(|e| ConfigError::Toml {
            path: path.to_path_buf(),
            message: toml_message(text, &e),
        })?;
        if let Some(bad) = super::forbidden_setting(text) {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                message: bad.to_string(),
            });
        }
        if let Some(universe) = overrides.universe {
            patch.universe = universe;
        }
        if let Some(seed) = overrides.seed {
            patch.seed = seed;
        }
        patch.check_story(path)?;
        patch.check(path)?;
        Ok(patch)
    }

    /// What a patch file must say that the [`Patch::neutral`] settings leave out: the areas
    /// of its story and the names its copy prints.
    fn check_story(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        if self.core.is_empty() {
            return Err(invalid("core lists no areas: name at least one".into()));
        }
        for (key, value) in [
            ("publication", &self.publication),
            ("region", &self.region),
            ("calculated_by", &self.calculated_by),
        ] {
            if value.trim().is_empty() {
                return Err(invalid(format!("{key} is empty")));
            }
        }
        // An empty phrase would take nothing as written, and hide a slip in the list.
        if let Some(k) = self.copy.literal.iter().position(|l| l.trim().is_empty()) {
            return Err(invalid(format!(
                "[copy] literal: phrase {} is empty",
                k + 1
            )));
        }
        Ok(())
    }

    /// Checks the settings every patch needs, a file's or the neutral one: limits in range,
    /// no area named twice. `path` is used in messages.
    pub(crate) fn check(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        if self.area_noun.trim().is_empty() {
            return Err(invalid("area_noun is empty".into()));
        }
        if self.incomplete_days > MAX_INCOMPLETE_DAYS {
            return Err(invalid(format!(
                "incomplete_days = {} is more than {MAX_INCOMPLETE_DAYS}",
                self.incomplete_days
            )));
        }
        if self.lists.leaders == 0 || self.lists.leaders > 10 {
            return Err(invalid(format!(
                "lists.leaders = {} must be from 1 to 10",
                self.lists.leaders
            )));
        }
        if self.lists.movers > 50 {
            return Err(invalid(format!(
                "lists.movers = {} must be from 0 to 50",
                self.lists.movers
            )));
        }
        let mut seen = std::collections::BTreeSet::new();
        for name in self.core.iter().chain(&self.nearby) {
            if !seen.insert(name.to_lowercase()) {
                return Err(invalid(format!("area \"{name}\" is listed twice")));
            }
        }
        // A blank name prints a sentence without its subject.
        if let Some((key, _)) = self.names.iter().find(|(_, v)| v.trim().is_empty()) {
            return Err(invalid(format!(
                "[names] \"{key}\" is empty: give the name the copy prints"
            )));
        }
        // Two entries printing alike are refused against the data ([`Patch::check_areas`]),
        // where a code and a name of one area can be told from two areas.
        self.check_limits().map_err(invalid)
    }

    /// The noise threshold and the gates' limits: each in the range where it means what its
    /// documentation says. A noise threshold of 1,000% told a 28% fall as "almost unchanged",
    /// a jump factor of 0 printed "more than 1-fold", and a negative ceiling held every area.
    fn check_limits(&self) -> Result<(), String> {
        let n = &self.noise;
        if !(0..=MAX_NOISE_CASES).contains(&n.cases) {
            return Err(format!(
                "noise.cases = {} must be from 0 to {MAX_NOISE_CASES}",
                n.cases
            ));
        }
        if !(0..=MAX_NOISE_PERCENT).contains(&n.percent) {
            return Err(format!(
                "noise.percent = {} must be from 0 to {MAX_NOISE_PERCENT}: a bigger change is news, not noise",
                n.percent
            ));
        }
        let g = &self.gates;
        let positive = [
            ("gates.rate_ceiling", g.rate_ceiling, 0.0, "above 0"),
            ("gates.jump_factor", g.jump_factor, 1.0, "above 1"),
            (
                "gates.population_factor",
                g.population_factor,
                1.0,
                "above 1",
            ),
        ];
        for (key, value, floor, says) in positive {
            if !value.is_finite() || value <= floor {
                return Err(format!("{key} = {value} must be a number {says}"));
            }
        }
        for (key, value) in [
            ("gates.jump_min_rate", g.jump_min_rate),
            ("gates.population_tolerance", g.population_tolerance),
        ] {
            if !value.is_finite() || value < 0.0 {
                return Err(format!("{key} = {value} must be a number from 0 up"));
            }
        }
        if g.jump_min_cases < 0 {
            return Err(format!(
                "gates.jump_min_cases = {} must be from 0 up",
                g.jump_min_cases
            ));
        }
        if g.population_ceiling == 0 {
            return Err("gates.population_ceiling = 0 must be above 0".into());
        }
        Ok(())
    }

    /// The publisher named in copy for a release: the patch's; for English areas, who ran the
    /// dashboard then; for Scottish, Welsh and Northern Irish ones (whose figures the
    /// dashboard gathers from their own public health bodies), the dashboard itself, as the
    /// press credits them.
    pub fn source_name_for(&self, release: chrono::NaiveDate, english: bool) -> String {
        match &self.source_name {
            Some(name) => name.clone(),
            None if english => publisher_on(release).to_string(),
            None => self.dashboard_name.clone(),
        }
    }

    /// The plural of the area noun.
    pub(crate) fn area_noun_plural(&self) -> String {
        self.area_noun_plural
            .clone()
            .unwrap_or_else(|| crate::lang::plural(&self.area_noun))
    }

    /// Checks the patch's areas against the data before any figure is computed: a name that
    /// two codes carry, or an area outside the story's universe, is an error. Other faults (an
    /// unknown name, several area types) are left for where the areas are resolved to report.
    pub(crate) fn check_areas(&self, path: &Path, dataset: &Dataset) -> Result<(), ConfigError> {
        let Ok(area_type) = self.resolve_area_type(path, dataset) else {
            return Ok(());
        };
        let mut resolved: BTreeMap<usize, &str> = BTreeMap::new();
        for name in self.core.iter().chain(&self.nearby) {
            let i = match resolve_area(path, dataset, &area_type, name) {
                Ok(i) => i,
                Err(e @ ConfigError::AmbiguousName { .. }) => return Err(e),
                Err(_) => continue,
            };
            let area = &dataset.areas[i];
            // By name and by code, one area would be counted twice.
            if let Some(first) = resolved.insert(i, name) {
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message: format!(
                        "\"{first}\" and \"{name}\" are the same area ({} {}): list it once",
                        area.name, area.code
                    ),
                });
            }
            if !self.universe.contains(&area.code) {
                return Err(ConfigError::OutsideUniverse {
                    path: path.to_path_buf(),
                    name: name.clone(),
                    code: area.code.clone(),
                    universe: self.universe.name(),
                });
            }
        }
        self.check_printed_names(path, dataset, &area_type)
    }

    /// Refuses a `[names]` entry that makes an area print as another area of the data prints:
    /// the copy would name two areas alike, and the checks would read one as the other.
    fn check_printed_names(
        &self,
        path: &Path,
        dataset: &Dataset,
        area_type: &str,
    ) -> Result<(), ConfigError> {
        if self.names.is_empty() {
            return Ok(());
        }
        let mut printed: BTreeMap<String, &crate::model::Area> = BTreeMap::new();
        for area in dataset.areas.iter().filter(|a| a.area_type == area_type) {
            let name = self.print_name(&area.code, &area.name);
            let Some(other) = printed.insert(name.to_lowercase(), area) else {
                continue;
            };
            let renamed = |a: &crate::model::Area| {
                self.names.contains_key(&a.code) || self.names.contains_key(&a.name)
            };
            if other.code != area.code && (renamed(area) || renamed(other)) {
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message: format!(
                        "[names] makes {} ({}) and {} ({}) both print as \"{name}\": readers could not tell them apart",
                        other.name, other.code, area.name, area.code
                    ),
                });
            }
        }
        Ok(())
    }

    /// The area type the story uses: the patch's, or the only one the data hold.
    pub(crate) fn resolve_area_type(
        &self,
        path: &Path,
        dataset: &Dataset,
    ) -> Result<String, ConfigError> {
        if let Some(t) = &self.area_type {
            return Ok(t.clone());
        }
        match dataset.area_types().as_slice() {
            [one] => Ok((*one).to_string()),
            types => Err(ConfigError::AmbiguousAreaType {
                path: path.to_path_buf(),
                types: types.join(", "),
            }),
        }
    }
}

/// The parser's message, led by the line it points at.
pub(super) fn toml_message(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().to_string();
    match e.span() {
        Some(span) => format!("line {}: {message}", line_at(text, span.start)),
        None => message,
    }
}

/// The line (from 1) holding byte `offset` of `text`.
pub(super) fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Finds areas by name (case-insensitive) or code among the areas of one type, answering an
/// unknown name with the nearest names the data do have.
pub fn resolve_areas(
    path: &Path,
    dataset: &Dataset,
    area_type: &str,
    names: &[String],
) -> Result<Vec<usize>, ConfigError> {
    names
        .iter()
        .map(|name| resolve_area(path, dataset, area_type, name))
        .collect()
}

fn resolve_area(
    path: &Path,
    dataset: &Dataset,
    area_type: &str,
    name: &str,
) -> Result<usize, ConfigError> {
    let wanted = name.trim();
    let candidates = || {
        dataset
            .areas
            .iter()
            .enumerate()
            .filter(|(_, a)| a.area_type == area_type)
    };
    if let Some((i, _)) = candidates().find(|(_, a)| a.code.eq_ignore_ascii_case(wanted)) {
        return Ok(i);
    }
    // A name two codes carry is not resolved to either: the story would be about one of
    // them, chosen by the order of the data.
    let named: Vec<(usize, &crate::model::Area)> = candidates()
        .filter(|(_, a)| a.name.eq_ignore_ascii_case(wanted))
        .collect();
    match named.as_slice() {
        [(i, _)] => return Ok(*i),
        [] => {}
        several => {
            let codes: Vec<&str> = several.iter().map(|(_, a)| a.code.as_str()).collect();
            return Err(ConfigError::AmbiguousName {
                path: path.to_path_buf(),
                name: name.to_string(),
                area_type: area_type.to_string(),
                count: several.len(),
                codes: crate::lang::list_and(&codes),
            });
        }
    }
    let lower = wanted.to_lowercase();
    let mut scored: Vec<(f64, &str)> = candidates()
        .map(|(_, a)| {
            let n = a.name.to_lowercase();
            let mut score = strsim::jaro_winkler(&lower, &n);
            if n.contains(&lower) || lower.contains(&n) {
                score = score.max(0.9);
            }
            (score, a.name.as_str())
        })
        .filter(|(score, _)| *score >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    let near: Vec<String> = scored
        .iter()
        .take(3)
        .map(|(_, n)| format!("\"{n}\""))
        .collect();
    let hint = if near.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", crate::lang::list_or(&near))
    };
    Err(ConfigError::UnknownArea {
        path: path.to_path_buf(),
        name: name.to_string(),
        area_type: area_type.to_string(),
        sources: dataset.source_labels(),
        hint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_neutral_patch_passes_the_check() {
        Patch::neutral()
            .check(Path::new("(built-in settings)"))
            .unwrap();
    }

    #[test]
    fn overrides_are_applied_before_the_check() {
        let text = "publication = \"P\"\nregion = \"R\"\ncore = [\"A\"]\ncalculated_by = \"us\"\n";
        let patch = Patch::parse_with(
            Path::new("p.toml"),
            text,
            PatchOverrides {
                universe: Some(Universe::Uk),
                seed: Some(7),
            },
        )
        .unwrap();
        assert_eq!((patch.universe, patch.seed), (Universe::Uk, 7));
    }
}
