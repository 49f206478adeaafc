//! Whether a release is whole: the areas it should hold (from the previous release, or later
//! a register of geographies) and series that stop before the release's last day. A release
//! cut short reads as a smaller country, not as an error, unless something knows what to
//! expect.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;

use crate::model::Dataset;

use super::checks::{Findings, area_ref, counted};
use super::{AreaRef, Gate, GateInput};

/// How many missing areas a finding names before it summarises the rest.
const NAMED: usize = 10;

/// Where the expected areas came from, so a finding says what it compared with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectedFrom {
    /// The previous release of the same source and area type in the archive.
    ArchivedRelease {
        /// The source (`legacy-v2`, `ukhsa`).
        source: String,
        /// The release label.
        release: String,
    },
    /// The previous release's file, given by the caller.
    File {
        /// The file.
        path: String,
    },
    /// The areas of the release a newsroom's last edition was drafted from, as its state
    /// recorded them.
    Edition {
        /// The story of the edition.
        story: String,
        /// The release it was drafted from.
        release: NaiveDate,
    },
    /// A register of the geographies that existed on a date.
    Register {
        /// The register's name or vintage.
        name: String,
    },
}

impl fmt::Display for ExpectedFrom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedFrom::ArchivedRelease { source, release } => {
                write!(f, "the previous release ({source} {release})")
            }
            ExpectedFrom::File { path } => write!(f, "the previous release ({path})"),
            ExpectedFrom::Edition { story, release } => {
                write!(f, "the last published edition ({story}, release {release})")
            }
            ExpectedFrom::Register { name } => write!(f, "the register {name}"),
        }
    }
}

/// The areas a release of one area type should hold: code → name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedAreas {
    /// Codes, with the name to print for each.
    pub areas: BTreeMap<String, String>,
    /// Where they came from.
    pub from: ExpectedFrom,
}

impl ExpectedAreas {
    /// The areas of `area_type` in `dataset` (the previous release), as expected by the next.
    pub fn of_dataset(dataset: &Dataset, area_type: &str, from: ExpectedFrom) -> Self {
        let areas = dataset
            .areas
            .iter()
            .filter(|a| a.area_type == area_type)
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect();
        Self { areas, from }
    }
}

/// "Hartlepool (E06000001), …" for at most [`NAMED`] areas, then "and N others".
fn describe_areas(missing: &[AreaRef]) -> String {
    let named: Vec<String> = missing
        .iter()
        .take(NAMED)
        .map(ToString::to_string)
        .collect();
    let rest = missing.len().saturating_sub(NAMED);
    if rest == 0 {
        named.join(", ")
    } else {
        format!(
            "{} and {}",
            named.join(", "),
            counted(rest, "other", "others")
        )
    }
}

pub(super) fn missing_areas(
    input: &GateInput<'_>,
    expected: Option<&ExpectedAreas>,
    out: &mut Findings<'_>,
) {
    let Some(expected) = expected else { return };
    if !out.on(Gate::MissingAreas) {
        return;
    }
    let missing: Vec<AreaRef> = expected
        .areas
        .iter()
        .filter(|(code, _)| input.dataset.area(input.area_type, code).is_none())
        .map(|(code, name)| AreaRef {
            code: code.clone(),
            name: name.clone(),
        })
        .collect();
    if missing.is_empty() {
        return;
    }
    let message = format!(
        "{} of the {} {} areas in {} {} missing from this release: {}",
        missing.len(),
        expected.areas.len(),
        input.area_type,
        expected.from,
        if missing.len() == 1 { "is" } else { "are" },
        describe_areas(&missing)
    );
    out.push(Gate::MissingAreas, None, vec![input.release], message);
}

pub(super) fn series_stopped(input: &GateInput<'_>, out: &mut Findings<'_>) {
    if !out.on(Gate::SeriesStopped) {
        return;
    }
    let areas = || {
        input
            .dataset
            .areas
            .iter()
            .filter(|a| a.area_type == input.area_type)
    };
    let Some(last) = areas().filter_map(|a| a.end()).max() else {
        return;
    };
    let sources = |area: &crate::model::Area| {
        area.sources
            .iter()
            .filter_map(|&i| input.dataset.sources.get(i))
            .map(|s| s.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    // The dashboard writes each area newest day first, so a file cut at a line boundary
    // leaves its last area starting late. That is only told apart from an area that truly
    // starts late when every other area starts on one day: then the one is flagged.
    let mut starts: BTreeMap<NaiveDate, Vec<&crate::model::Area>> = BTreeMap::new();
    for area in areas().filter(|a| !a.cases.is_empty()) {
        starts.entry(area.start).or_default().push(area);
    }
    if let [(first, common), (late, one)] = starts.iter().collect::<Vec<_>>()[..]
        && common.len() >= 2
        && let [area] = one[..]
    {
        let message = format!(
            "the series starts at {late}, after {first}, where every other area's starts (in {}): \
             a file in the dashboard's order (newest day first) cut short in this area",
            sources(area)
        );
        out.push(
            Gate::SeriesStopped,
            Some(area_ref(area)),
            vec![*first, *late],
            message,
        );
    }
    // Each nation publishes on its own schedule (in January 2021 Wales's figures ran a day
    // behind England's), so an area is compared with the last date of its own nation's areas:
    // a nation a day behind is the stale-data gate's to judge, an area behind its nation ours.
    let nation = |area: &crate::model::Area| area.code.chars().next();
    let mut lasts: BTreeMap<Option<char>, NaiveDate> = BTreeMap::new();
    for area in areas() {
        if let Some(end) = area.end() {
            let entry = lasts.entry(nation(area)).or_insert(end);
            *entry = (*entry).max(end);
        }
    }
    for area in areas() {
        let last = lasts.get(&nation(area)).copied().unwrap_or(last);
        let Some(end) = area.end().filter(|end| *end < last) else {
            continue;
        };
        let from = sources(area);
        let message = format!(
            "the series stops at {end}, before its nation's last date in the release, {last} \
             (in {from}): the release was cut short, or the area dropped"
        );
        out.push(
            Gate::SeriesStopped,
            Some(area_ref(area)),
            vec![end, last],
            message,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_missing_areas_are_summarised() {
        let missing: Vec<AreaRef> = (0..12)
            .map(|i| AreaRef {
                code: format!("E0{i}"),
                name: format!("Area {i}"),
            })
            .collect();
        let text = describe_areas(&missing);
        assert!(text.starts_with("Area 0 (E00), Area 1 (E01)"), "{text}");
        assert!(text.ends_with("Area 9 (E09) and 2 others"), "{text}");
    }
}
