//! What has been published: the state file beside the editions, written only after every
//! file of a run is in place, so it never claims an edition that is not there.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::PublishError;

/// The state file's name in the output folder.
pub(crate) const STATE_FILE: &str = ".casewire-state.json";

/// A figure as an edition printed it, kept to detect revisions.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PrintedFigure {
    /// Area code.
    pub code: String,
    /// Area name.
    pub name: String,
    /// Rate this week, in tenths.
    pub rate: i64,
    /// Cases this week.
    pub cases: i64,
    /// Rate the week before, in tenths.
    pub prev_rate: i64,
    /// Cases the week before.
    pub prev_cases: i64,
    /// What the copy said of its change, when known: direction and degree (`down/sharp`)
    /// where it printed a degree word, the direction alone (`down`) where it printed the
    /// plain verb.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    /// The national rank the copy printed, for a leader (by rate) or a mover (by the size of
    /// its rise or fall).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<PrintedRank>,
    /// The bundle of the page that printed it, when an edition has a page per area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
}

/// A printed national rank.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PrintedRank {
    /// By this week's rate (a national leader).
    Rate(usize),
    /// By the size of its rise (a mover).
    Rise(usize),
    /// By the size of its fall (a mover).
    Fall(usize),
}

/// An edition's correction note: one per edition, rewritten as later releases move its
/// figures further.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CorrectionNote {
    /// The note's file, relative to the output folder.
    pub path: String,
    /// The release that first called for it: the note's date.
    pub first: NaiveDate,
    /// The release whose figures it gives now.
    pub updated: NaiveDate,
    /// Its lines, one per corrected figure, to tell a further move from none.
    pub lines: Vec<String>,
}

/// One published edition.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Edition {
    /// The release it was drafted from.
    pub release: NaiveDate,
    /// The files written, relative to the output folder.
    pub files: Vec<String>,
    /// The figures it printed: its table's areas, the national leaders and movers, and each
    /// area of an every-area edition.
    pub figures: Vec<PrintedFigure>,
    /// Releases whose revisions have been corrected already.
    #[serde(default)]
    pub corrected_with: Vec<NaiveDate>,
    /// The edition's page bundle (`NAME-RELEASE`, or the folder of an every-area edition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// Its page, for an edition of one page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// Its headline, for the title of its correction and the feeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The last day of the week it reported; editions recorded before it was kept are not
    /// watched for revisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week_end: Option<NaiveDate>,
    /// The areas its national figures counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub universe: Option<crate::stats::Universe>,
    /// The area type of its figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_type: Option<String>,
    /// The areas of its area type that its release held, code → name: what the next release
    /// is checked against when the release folder before it is gone (old folders pruned).
    /// Editions recorded before they were kept have none, and the register is used instead.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub areas: BTreeMap<String, String>,
    /// Its standfirst, for the feeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Its correction note, once it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<CorrectionNote>,
    /// Its ninjs items by file (relative to the output folder): one for an edition of one
    /// page, one per page of an every-area edition. Editions recorded before items were
    /// written have none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub items: BTreeMap<String, ItemRecord>,
    /// Its WordPress post, once `[wordpress]` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wordpress: Option<WordpressPost>,
    /// An every-area edition's posts (`[wordpress] every_area = true`), by area page bundle
    /// (`NAME-RELEASE/AREA`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub area_posts: BTreeMap<String, WordpressPost>,
    /// Its withdrawal, once withdrawn: its pages are gone, its items canceled, and no later
    /// run republishes, corrects or posts it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<Withdrawal>,
}

impl Edition {
    /// The `area_type` areas of a release's `dataset`, code → name, as [`Edition::areas`]
    /// keeps them.
    pub(crate) fn areas_of(
        dataset: &crate::model::Dataset,
        area_type: &str,
    ) -> BTreeMap<String, String> {
        dataset
            .areas
            .iter()
            .filter(|a| a.area_type == area_type)
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect()
    }

    /// The edition's name, as the feeds, the alerts, WordPress's slug and `withdraw` know it:
    /// its bundle (`NAME-RELEASE`).
    pub fn name(&self, story: &str) -> String {
        self.bundle
            .clone()
            .unwrap_or_else(|| format!("{story}-{}", self.release))
    }
}

/// Who withdrew an edition, when and why.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Withdrawal {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (`--by`, else the login name).
    pub by: String,
    /// Why, as given.
    pub reason: String,
}

/// What the state keeps of a ninjs item, so the next version carries on from it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ItemRecord {
    /// The version last written.
    pub version: u32,
    /// When the first version went out.
    pub firstcreated: DateTime<Utc>,
    /// When the version last written was made.
    pub versioncreated: DateTime<Utc>,
}

/// An edition's post on the newsroom's WordPress.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct WordpressPost {
    /// The post's id, once created: a rerun edits it rather than making another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<u64>,
    /// The chart's media id, once uploaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<u64>,
    /// The item version the post shows; behind the edition's item, the post needs a push.
    #[serde(default)]
    pub pushed_version: u32,
    /// Whether the post still needs a push (created, or edited to the newest version, or
    /// taken down once its edition is withdrawn).
    #[serde(default)]
    pub pending: bool,
    /// Whether the post has been moved to the site's trash, its edition withdrawn.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub trashed: bool,
}

/// A withheld item written for an edition a gate held back, so that the edition's first
/// usable item carries on from it (same `firstcreated`, next `version`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct HeldItem {
    /// The release held back.
    pub release: NaiveDate,
    /// The withheld item's file, relative to the output folder.
    pub path: String,
    /// Its version and times.
    pub record: ItemRecord,
}

/// What has been published, per story.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct State {
    /// Editions by story name, oldest first.
    pub stories: BTreeMap<String, Vec<Edition>>,
    /// Withheld items by story name: the release a gate holds back.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub held: BTreeMap<String, HeldItem>,
}

impl State {
    /// Reads the state file; none yet is a state with nothing published.
    pub fn load(path: &Path) -> Result<State, PublishError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| PublishError::State {
                path: path.to_path_buf(),
                message: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(source) => Err(PublishError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// The newest release published for a story.
    pub(crate) fn last_release(&self, story: &str) -> Option<NaiveDate> {
        self.stories.get(story)?.iter().map(|e| e.release).max()
    }

    /// The areas the newest edition before `release` was drafted from, with its story and
    /// release, of whichever story: every story of a newsroom reads the same release. A
    /// withdrawn edition is passed over, as its release may be why it was withdrawn.
    pub(crate) fn last_areas(&self, release: NaiveDate) -> Option<(&str, &Edition)> {
        self.stories
            .iter()
            .flat_map(|(story, eds)| eds.iter().map(move |e| (story.as_str(), e)))
            .filter(|(_, e)| {
                e.release < release
                    && e.withdrawn.is_none()
                    && e.area_type.is_some()
                    && !e.areas.is_empty()
            })
            .max_by_key(|(_, e)| e.release)
    }

    /// The state as written to its file.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("serialisable")
    }
}
