//! Shared by the benches: a deterministic generator of dashboard-shaped CSV files, and the
//! "every area's story for one week" job built on the library API.
#![allow(dead_code)]

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use casewire::config::Patch;
use casewire::model::{Dataset, Population};
use casewire::render::Renderer;
use casewire::stats::{National, Week};
use casewire::story::{self, StoryInput};
use chrono::{Days, NaiveDate};

/// The real archived data beside the repository.
pub fn shared(rel: &str) -> PathBuf {
    let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")).join(rel);
    assert!(
        p.exists(),
        "{} is missing: the benches read ../shared/data beside the repository",
        p.display()
    );
    p
}

/// The south east London example patch.
pub fn se_london() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/se-london.toml"
    ))
    .to_path_buf()
}

/// Which kind of areas a synthetic file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Lower-tier districts (`ltla`): mostly `E06`..`E09` codes, some Welsh, Scottish and
    /// Northern Irish ones, as in the real 380.
    District,
    /// Neighbourhoods (`msoa`): `E02000001`...
    Neighbourhood,
}

impl Kind {
    /// The dashboard's area type.
    pub fn area_type(self) -> &'static str {
        match self {
            Kind::District => "ltla",
            Kind::Neighbourhood => "msoa",
        }
    }
}

/// A synthetic data set: N areas x D days ending on a fixed date.
#[derive(Clone, Copy, Debug)]
pub struct Synth {
    /// Kind of areas.
    pub kind: Kind,
    /// Number of areas.
    pub areas: usize,
    /// Number of days per area.
    pub days: usize,
    /// Seed of the generator.
    pub seed: u64,
}

/// The last day every synthetic file has.
pub fn synth_end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 11, 30).expect("a real date")
}

/// The release of a synthetic file: the day after its last day, as the dashboard published
/// each day's figures up to the day before. Its story's week ends four days earlier (the
/// default incomplete days), and the stale-data gate passes.
pub fn synth_release() -> NaiveDate {
    synth_end() + Days::new(1)
}

/// Bump when the generator's output changes.
const GENERATOR_VERSION: u32 = 4;

/// splitmix64: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

// No stem is a month's short form: "Mar 020" reads as a date to the house-style lint, and no
// real area name is one.
const STEMS: &[&str] = &[
    "Ash", "Brad", "Carl", "Dor", "Elm", "Fair", "Glen", "Hal", "Ivy", "Kirk", "Lang", "Mel",
    "Nor", "Oak", "Pen", "Rad", "Sal", "Thorn", "Ux", "Wen", "York",
];
const SIDES: &[&str] = &["North", "South", "East", "West", "Upper", "Lower", "Great"];
const ENDS: &[&str] = &[
    "ford", "ton", "ley", "by", "ham", "wick", "field", "bury", "stead", "mouth",
];

impl Synth {
    /// A file name that says what is in it (and which version of the generator wrote it, so
    /// that a change here never reuses an old file).
    pub fn file_stem(&self) -> String {
        format!(
            "{}-{}x{}-s{}-g{GENERATOR_VERSION}",
            self.kind.area_type(),
            self.areas,
            self.days,
            self.seed
        )
    }

    fn code(&self, i: usize) -> String {
        match self.kind {
            Kind::Neighbourhood => format!("E02{:06}", i + 1),
            Kind::District => {
                // Roughly the real mix: 315 of 380 in England.
                let prefix = match i * 380 / self.areas.max(1) {
                    0..=58 => "E06",
                    59..=239 => "E07",
                    240..=275 => "E08",
                    276..=308 => "E09",
                    309..=314 => "E10",
                    315..=336 => "W06",
                    337..=368 => "S12",
                    _ => "N09",
                };
                format!("{prefix}{:06}", i + 1)
            }
        }
    }

    /// A name no other area of the file has: two areas of one name would make a story that
    /// names both ambiguous (and its audit cannot tell them apart), and real names are unique.
    fn name(&self, i: usize, rng: &mut Rng, taken: &mut HashSet<String>) -> String {
        let mut attempt = 0;
        let base = loop {
            let stem = STEMS[rng.below(STEMS.len() as u64) as usize];
            let end = ENDS[rng.below(ENDS.len() as u64) as usize];
            let base = match self.kind {
                Kind::District if attempt == 0 => format!("{stem}{end}"),
                Kind::District => {
                    let side = SIDES[rng.below(SIDES.len() as u64) as usize];
                    format!("{side} {stem}{end}")
                }
                // One in three without an ending keeps the 6,791 x 700 file near the real 186 MB.
                Kind::Neighbourhood if i.is_multiple_of(3) => format!("{stem} {:03}", i % 1000),
                Kind::Neighbourhood => format!("{stem}{end} {:03}", i % 1000),
            };
            if taken.insert(base.clone()) {
                break base;
            }
            attempt += 1;
        };
        // Some real names carry a comma ("Kingston upon Hull, City of") and so are quoted.
        if i % 97 == 13 {
            format!("\"{base}, City of\"")
        } else {
            base
        }
    }

    /// Writes the data CSV (newest date first within each area, as the dashboard does) and a
    /// population table into `dir`, unless they are there already. Returns (data, population).
    pub fn write(&self, dir: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
        std::fs::create_dir_all(dir)?;
        let data = dir.join(format!("{}.csv", self.file_stem()));
        let population = dir.join(format!("{}-population.csv", self.file_stem()));
        if data.exists() && population.exists() {
            return Ok((data, population));
        }
        let tmp_data = dir.join(format!("{}.csv.part", self.file_stem()));
        let tmp_pop = dir.join(format!("{}-population.csv.part", self.file_stem()));
        let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp_data)?);
        let mut pop = BufWriter::new(File::create(&tmp_pop)?);
        writeln!(
            out,
            "areaCode,areaName,areaType,date,newCasesBySpecimenDate"
        )?;
        writeln!(pop, "areaCode,areaName,population")?;
        let end = synth_end();
        let dates: Vec<String> = (0..self.days as u64)
            .map(|k| (end - Days::new(k)).format("%Y-%m-%d").to_string())
            .collect();
        let mut rng = Rng(self.seed ^ 0x5EED_CA5E);
        let area_type = self.kind.area_type();
        let mut line = Vec::with_capacity(128);
        let mut taken = HashSet::new();
        for i in 0..self.areas {
            let code = self.code(i);
            let name = self.name(i, &mut rng, &mut taken);
            let people: u64 = match self.kind {
                Kind::Neighbourhood => 5_000 + rng.below(10_000),
                Kind::District => 25_000 + rng.below(1_100_000),
            };
            writeln!(pop, "{code},{name},{people}")?;
            // Cases per 100,000 a day: a slow wave (triangle, integer arithmetic so every
            // machine writes the same bytes) around an area's own level, with noise.
            let level = 5 + rng.below(60);
            let period = 90 + rng.below(120);
            let phase = rng.below(period);
            let prefix = format!("{code},{name},{area_type},");
            for (k, date) in dates.iter().enumerate() {
                let t = (k as u64 + phase) % period;
                let tri = if t * 2 < period { t } else { period - t };
                let per_100k_x100 = level * 100 + level * 300 * tri / period;
                let noise = 80 + rng.below(41); // 0.80 .. 1.20
                let expected = people * per_100k_x100 * noise / 100 / 100 / 100_000;
                let cases = expected + rng.below(3);
                line.clear();
                line.extend_from_slice(prefix.as_bytes());
                line.extend_from_slice(date.as_bytes());
                line.push(b',');
                // Early, patchy days: now and then a blank ("no data"), never in the last
                // month, which the stories use.
                if !(k > 30 && rng.below(20_000) == 0) {
                    line.extend_from_slice(cases.to_string().as_bytes());
                }
                line.push(b'\n');
                out.write_all(&line)?;
            }
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        pop.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(tmp_data, &data)?;
        std::fs::rename(tmp_pop, &population)?;
        Ok((data, population))
    }
}

/// A patch for the every-area job: one area at a time is the core, the whole country the
/// universe, default lists.
pub fn one_area_patch(area_noun: &str) -> Patch {
    let text = format!(
        "publication = \"The Bench Gazette\"\nregion = \"the area\"\narea_noun = \"{area_noun}\"\n\
         core = [\"placeholder\"]\nuniverse = \"uk\"\ncalculated_by = \"the data desk\"\n"
    );
    Patch::parse(Path::new("bench-patch.toml"), &text).expect("the bench patch parses")
}

/// What the every-area job produced.
#[derive(Clone, Copy, Debug, Default)]
pub struct Produced {
    /// Stories written.
    pub stories: usize,
    /// Their total size in bytes.
    pub bytes: usize,
    /// Areas with no story (no figures for the week).
    pub skipped: usize,
}

/// The national figures for the every-area job: every area of the type, the whole country.
pub fn every_area_national(
    dataset: &Dataset,
    population: &Population,
    area_type: &str,
    release: NaiveDate,
) -> National {
    let patch = one_area_patch("area");
    let week = Week::for_release(release, patch.incomplete_days);
    National::compute(dataset, population, patch.universe, area_type, week)
}

/// Every area's story for the week of `national`, as `casewire draft --each-area` decides and
/// renders them: one story per area it counts, each led by its own area (the patch's region
/// named after it), rendered with the each-area template (`area`), on `threads` threads (each
/// takes a contiguous share of the areas). Stories are kept in memory only long enough to be
/// counted; the command line also lints, audits and writes them (BENCHMARKS.md measures that
/// apart).
pub fn every_area_stories(
    dataset: &Dataset,
    national: &National,
    renderer: &Renderer,
    release: NaiveDate,
    threads: usize,
) -> Produced {
    let mut patch = casewire::draft::default_patch();
    patch.universe = national.universe;
    let template = casewire::draft::EACH_AREA_TEMPLATE;
    let areas: Vec<usize> = dataset
        .areas
        .iter()
        .enumerate()
        .filter(|(_, a)| a.area_type == national.area_type && national.universe.contains(&a.code))
        .map(|(i, _)| i)
        .collect();
    let share = areas.len().div_ceil(threads.max(1)).max(1);
    let work = |indices: &[usize]| {
        let mut produced = Produced::default();
        let mut local = patch.clone();
        // The week's part every story shares, decided once, as `draft --each-area` does.
        let week = story::week_part(&StoryInput {
            dataset,
            national,
            patch: &patch,
            core: &[],
            nearby: &[],
            release,
            template,
            hospital: None,
        });
        for &i in indices {
            let core = [i];
            local.region.clone_from(&dataset.areas[i].name);
            let input = StoryInput {
                dataset,
                national,
                patch: &local,
                core: &core,
                nearby: &[],
                release,
                template,
                hospital: None,
            };
            match story::build_for_week(input, &week) {
                Ok(story) => {
                    let text = renderer
                        .render(template, &story)
                        .expect("the built-in template renders");
                    produced.stories += 1;
                    produced.bytes += text.text.len();
                }
                Err(_) => produced.skipped += 1,
            }
        }
        produced
    };
    if threads <= 1 {
        return work(&areas);
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = areas
            .chunks(share)
            .map(|chunk| scope.spawn(move || work(chunk)))
            .collect();
        handles.into_iter().fold(Produced::default(), |acc, h| {
            let p = h.join().expect("a story thread panicked");
            Produced {
                stories: acc.stories + p.stories,
                bytes: acc.bytes + p.bytes,
                skipped: acc.skipped + p.skipped,
            }
        })
    })
}
