//! What a release should hold, for the completeness gates: the areas of the release before it
//! (the archive's, or a file the editor names, or the areas a newsroom's last edition was
//! drafted from), or the geography register on its date. A release cut short reads as a
//! smaller country unless something says what to expect.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::{DraftError, OfflineSource};
use crate::gates::{ExpectedAreas, ExpectedFrom};
use crate::model::Dataset;
use crate::stats::Universe;

/// Data holding fewer of the register's areas of the story's universe than this are taken for
/// an editor's extract, drafted with a warning, not for a release that lost areas: stories and
/// tests are drafted from files of a patch and its neighbours (two to eight areas), while a
/// release that lost areas still holds most of a country (England alone had 149 upper-tier and
/// 315 lower-tier areas in January 2021).
pub const EXTRACT_UNDER: usize = 20;

/// Where a draft of data files takes the areas its release should hold (`--expect-from`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectFrom {
    /// The previous release's file (any layout `--data` reads).
    File(PathBuf),
    /// The geography register built into the crate, on the release's date.
    Register,
}

impl ExpectFrom {
    /// In a folder of `YYYY-MM-DD` release folders each holding `file`, the file of the
    /// newest release before `release`: what a newsroom publishing from release files checks
    /// the release against. `None` for the first release (or a folder that cannot be read).
    pub fn previous_in(releases: &Path, file: &str, release: NaiveDate) -> Option<ExpectFrom> {
        let entries = std::fs::read_dir(releases).ok()?;
        let previous = entries
            .filter_map(Result::ok)
            .filter_map(|e| crate::model::parse_date(e.file_name().to_str()?))
            .filter(|d| *d < release && releases.join(d.to_string()).join(file).is_file())
            .max()?;
        Some(ExpectFrom::File(
            releases.join(previous.to_string()).join(file),
        ))
    }
}

impl std::str::FromStr for ExpectFrom {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "" => Err("--expect-from needs a file, or \"register\"".into()),
            "register" => Ok(ExpectFrom::Register),
            file => Ok(ExpectFrom::File(PathBuf::from(file))),
        }
    }
}

/// What a loaded release is checked against; resolved for the story's area type, universe
/// and release by [`Expectation::resolve`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Expectation {
    /// Nothing says what the release should hold (a [`Dataset`] given to the library on its
    /// own): only series that stop early are caught.
    #[default]
    Unknown,
    /// Nothing was named (data files without `--expect-from`, a newsroom's first release
    /// folder with nothing published before it): the register's areas on the release's date
    /// where it covers the area type and the date, unless the data hold fewer than
    /// [`EXTRACT_UNDER`] of them, which are an editor's extract, said in a warning.
    Implied,
    /// The areas of the previous release, by area type, code → name.
    Previous {
        /// Area type → code → name.
        areas: BTreeMap<String, BTreeMap<String, String>>,
        /// Which release they came from.
        from: ExpectedFrom,
    },
    /// The register's areas on the release's date.
    Register {
        /// Why the register is used: the archive holds no earlier release (`None` when the
        /// editor asked for it).
        because: Option<String>,
    },
}

impl Expectation {
    /// The areas a release should hold, of each area type: those of the previous release's
    /// file at `path`.
    pub fn of_file(path: &Path) -> Result<Expectation, DraftError> {
        let dataset = super::load_data(&[path.to_path_buf()])?;
        Ok(Expectation::of_dataset(
            &dataset,
            ExpectedFrom::File {
                path: path.display().to_string(),
            },
        ))
    }

    fn of_dataset(dataset: &Dataset, from: ExpectedFrom) -> Expectation {
        let mut areas: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for a in &dataset.areas {
            areas
                .entry(a.area_type.clone())
                .or_default()
                .insert(a.code.clone(), a.name.clone());
        }
        Expectation::Previous { areas, from }
    }

    /// The areas a newsroom's edition of `release` (of `story`) was drafted from, `area_type`
    /// ones, code → name: what a release is expected to hold when the release before it is no
    /// longer kept.
    pub fn of_edition(
        story: &str,
        release: NaiveDate,
        area_type: &str,
        areas: BTreeMap<String, String>,
    ) -> Expectation {
        Expectation::Previous {
            areas: BTreeMap::from([(area_type.to_string(), areas)]),
            from: ExpectedFrom::Edition {
                story: story.to_string(),
                release,
            },
        }
    }

    /// The expectation of a release loaded from the archive under `label`: the areas of the
    /// newest whole release of the same source and area type stored before it, or, for the
    /// first, the register.
    pub fn of_archived(offline: &OfflineSource, label: &str) -> Result<Expectation, DraftError> {
        let boxed = |e| DraftError::Archive(Box::new(e));
        let archive = crate::fetch::Archive::open(&offline.path).map_err(boxed)?;
        let source = offline.source.as_str();
        let area_type = offline.source.dataset_area_type(&offline.area_type);
        let Some(previous) = archive
            .previous_release(source, &area_type, label)
            .map_err(boxed)?
        else {
            return Ok(Expectation::Register {
                because: Some(format!(
                    "the archive holds no {source} {area_type} release before {label}"
                )),
            });
        };
        let areas = archive
            .areas_of(source, &area_type, &previous)
            .map_err(boxed)?;
        Ok(Expectation::Previous {
            areas: BTreeMap::from([(area_type, areas)]),
            from: ExpectedFrom::ArchivedRelease {
                source: source.to_string(),
                release: previous,
            },
        })
    }

    /// The areas the release of `dataset` should hold for a story of `area_type` in
    /// `universe` on `release`; `None`, with a warning saying why, when nothing can say.
    pub fn resolve(
        &self,
        dataset: &Dataset,
        area_type: &str,
        universe: Universe,
        release: NaiveDate,
        warnings: &mut Vec<String>,
    ) -> Option<ExpectedAreas> {
        match self {
            Expectation::Unknown => None,
            Expectation::Previous { areas, from } => {
                let Some(areas) = areas.get(area_type) else {
                    warnings.push(format!(
                        "{from} holds no {area_type} areas: this release's are not checked \
                         against any list"
                    ));
                    return None;
                };
                Some(ExpectedAreas {
                    areas: areas.clone(),
                    from: from.clone(),
                })
            }
            Expectation::Register { because } => {
                let asked = Asked::Register(because.as_deref());
                register(dataset, area_type, universe, release, asked, warnings)
            }
            Expectation::Implied => register(
                dataset,
                area_type,
                universe,
                release,
                Asked::Nothing,
                warnings,
            ),
        }
    }
}

/// Why the register is compared with.
#[derive(Clone, Copy, Debug)]
enum Asked<'a> {
    /// The editor asked for it (`because` is `None`), or the archive holds no earlier release.
    Register(Option<&'a str>),
    /// Nothing else said what to expect: an extract is let through, and where the register
    /// cannot say, nothing is said either, as before the register was the default.
    Nothing,
}

/// The register's areas of `area_type` in `universe` on `release`, without any nation the
/// release holds no area of: the register knows the geography, not which nations a source
/// publishes (the dashboard's upper-tier files hold no Scottish council), so a nation left
/// out whole is a warning, and a nation cut short an error.
fn register(
    dataset: &Dataset,
    area_type: &str,
    universe: Universe,
    release: NaiveDate,
    asked: Asked<'_>,
    warnings: &mut Vec<String>,
) -> Option<ExpectedAreas> {
    let register = crate::geo::Register::builtin();
    let first = match asked {
        Asked::Register(Some(because)) => format!("{because}, and "),
        Asked::Register(None) | Asked::Nothing => String::new(),
    };
    let implied = matches!(asked, Asked::Nothing);
    let (codes, tier) = match area_type {
        "ltla" => (register.lower_tier_on(release), "lower-tier"),
        "utla" => (register.upper_tier_on(release), "upper-tier"),
        _ if implied => return None,
        _ => {
            warnings.push(format!(
                "{first}the register holds local authorities only: the release's {area_type} \
                 areas are not checked against any list"
            ));
            return None;
        }
    };
    let Some(codes) = codes else {
        if implied {
            return None;
        }
        warnings.push(format!(
            "{first}the register knows no geography on {release}: the release's {area_type} \
             areas are not checked against any list"
        ));
        return None;
    };
    let mut areas: BTreeMap<String, String> = codes
        .into_iter()
        .filter(|c| universe.contains(c))
        .map(|c| {
            let name = crate::geo::authority(c).map_or(c, |a| a.print_name);
            (c.to_string(), name.to_string())
        })
        .collect();
    let name = format!("of {tier} areas in {} on {release}", universe.name());
    if implied {
        let held = areas
            .keys()
            .filter(|c| dataset.area(area_type, c).is_some())
            .count();
        if held < EXTRACT_UNDER {
            warnings.push(format!(
                "the data hold {held} of the {} {area_type} areas in the register {name}: taken \
                 for an editor's extract, not a whole release; the national figures cover only \
                 the {held} areas in the data, not all of {}",
                areas.len(),
                universe.name(),
            ));
            return None;
        }
    }
    for (letter, nation) in [
        ('E', "England"),
        ('N', "Northern Ireland"),
        ('S', "Scotland"),
        ('W', "Wales"),
    ] {
        let listed = areas.keys().filter(|c| c.starts_with(letter)).count();
        let held = dataset
            .areas
            .iter()
            .any(|a| a.area_type == area_type && a.code.starts_with(letter));
        if listed > 0 && !held {
            areas.retain(|c, _| !c.starts_with(letter));
            warnings.push(format!(
                "the release holds no {area_type} area in {nation}, where the register lists \
                 {listed} on {release}: {nation} is not checked (the source may not publish it)"
            ));
        }
    }
    Some(ExpectedAreas {
        areas,
        from: ExpectedFrom::Register { name },
    })
}
