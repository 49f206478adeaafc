//! Sentence frames: which of a template's wordings a story uses for each of its sentences,
//! decided here from the patch's seed so that the same data and seed always give the same
//! copy, and templates only switch on the choice.
//!
//! Two kinds of choice are made. Each area's own line (in the patch, nearby, among the
//! leaders) takes a frame from [`pick_frames`], keyed by the area, so neighbouring lines differ.
//! The story's one-off sentences (the lead, the patch's highest and lowest rates, the
//! provenance line) take a [`StoryFrames`] and a [`Provenance`]: seed 0, the default, keeps the
//! house wording a newsroom's snapshot stories were read in; for any other seed the release and
//! region set where each sentence's frames start, so a paper with a fixed seed still reads
//! differently from week to week.
//!
//! Seeds move frames by two strides over the three frames of each sentence: the lead steps one
//! frame a seed ([`lead_stride`]); every other sentence steps one frame a seed and one more every
//! third seed ([`stride`]). Either way the next seed moves every sentence to another frame, and
//! since the two strides never both come back to where they were within three seeds, each of
//! the next three seeds (the versions the review desk offers) prints other copy than the seed's.

use chrono::NaiveDate;
use serde::Serialize;

use super::FRAMES;

/// FNV-1a: a stable hash, so the same inputs pick the same frames on every machine and
/// every Rust version.
pub(super) fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// How many frames seed `seed` moves an area line, the highest, lowest and provenance
/// sentences on from seed 0: one a seed, and one more every third seed, so that three seeds
/// on it has not come back (unlike the lead's [`lead_stride`]).
fn stride(seed: u64) -> u64 {
    (seed % 3 + seed / 3 % 3) % 3
}

/// How many frames seed `seed` moves the lead on from seed 0: one a seed, so that two seeds on
/// it has not come back even where [`stride`] has.
fn lead_stride(seed: u64) -> u64 {
    seed % 3
}

/// Picks a frame for each key in order, deterministically from the seed, release and key,
/// never repeating the previous pick. The release and key set where each key's frames start
/// (as seed 0 always picked them); the seed's [`stride`] moves every key on by as many
/// frames, so the next seed moves every line to another frame, repeats and all.
pub fn pick_frames(seed: u64, release: NaiveDate, keys: &[&str]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(keys.len());
    let date = release.to_string();
    let step = stride(seed) % u64::from(FRAMES);
    for key in keys {
        let h = stable_hash(&[&0u64.to_le_bytes(), date.as_bytes(), key.as_bytes()]);
        let mut frame = ((h % u64::from(FRAMES) + step) % u64::from(FRAMES)) as u8;
        if out.last() == Some(&frame) {
            frame = (frame + 1) % FRAMES;
        }
        out.push(frame);
    }
    out
}

/// How the story's first paragraph opens and credits its figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lead {
    /// The house lead: the news first, the source after it ("..., according to figures from
    /// the dashboard"; for one area, "..., figures from the dashboard show").
    House,
    /// The source first: "Figures from the dashboard show that ...".
    SourceFirst,
    /// The news first, the source last as PA's later copy put it ("... in the most recent
    /// week, the latest figures from the dashboard show").
    SourceLast,
}

/// The shape of the sentence naming the patch's highest (or lowest) rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Superlative {
    /// The area first: "Lewisham has the highest rate in south east London, at ...".
    NameFirst,
    /// The claim first: "The lowest rate in south east London is in Greenwich, at ...".
    PlaceFirst,
    /// The rate first: "Lewisham's rate of 255.8, with 781 new cases, is the highest in ...".
    RateFirst,
}

/// How the closing line credits the calculation and the data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// "The figures were calculated by ... from data published on ... on ...".
    House,
    /// "The rates were calculated by ... using data published ..." ("are based on data" when
    /// no one is credited with the calculation).
    Using,
    /// "... calculated these rates from data published ..." ("These rates come from data"
    /// when no one is credited).
    Calculated,
}

/// The frames of a story's one-off sentences.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct StoryFrames {
    /// The lead (the first sentence of the body).
    pub lead: Lead,
    /// The patch's highest-rate sentence.
    pub highest: Superlative,
    /// The patch's lowest-rate sentence: never the shape of the highest, so the two
    /// sentences a reader meets a few lines apart are not built alike.
    pub lowest: Superlative,
}

impl StoryFrames {
    /// The house frames, which seed 0 prints.
    pub const HOUSE: StoryFrames = StoryFrames {
        lead: Lead::House,
        highest: Superlative::NameFirst,
        lowest: Superlative::PlaceFirst,
    };

    /// The frames of a story of the patch with region `region` and seed `seed`, for the
    /// release `release`.
    pub fn pick(seed: u64, release: NaiveDate, region: &str) -> StoryFrames {
        if seed == 0 {
            return StoryFrames::HOUSE;
        }
        const LEADS: [Lead; 3] = [Lead::House, Lead::SourceFirst, Lead::SourceLast];
        const SHAPES: [Superlative; 3] = [
            Superlative::NameFirst,
            Superlative::PlaceFirst,
            Superlative::RateFirst,
        ];
        let highest = step(stride(seed), release, region, "highest");
        // One or two shapes on from the highest's: never the same shape, and, the offset
        // being fixed for the release, one shape on from the seed before's.
        let offset = 1 + start(release, region, "lowest") % 2;
        StoryFrames {
            lead: LEADS[step(lead_stride(seed), release, region, "lead")],
            highest: SHAPES[highest],
            lowest: SHAPES[(highest + offset as usize) % 3],
        }
    }
}

impl Provenance {
    /// The provenance frame of stories with seed `seed` for the release `release`: shared by
    /// every story of the week, so it depends on neither region nor areas.
    pub fn pick(seed: u64, release: NaiveDate) -> Provenance {
        if seed == 0 {
            return Provenance::House;
        }
        [Provenance::House, Provenance::Using, Provenance::Calculated]
            [step(stride(seed), release, "", "provenance")]
    }
}

/// Where a sentence's frames start for a release and region.
fn start(release: NaiveDate, region: &str, slot: &str) -> u64 {
    stable_hash(&[
        release.to_string().as_bytes(),
        region.as_bytes(),
        slot.as_bytes(),
    ])
}

/// The frame, of three, of `slot` moved `by` frames on from where the release and region
/// start it.
fn step(by: u64, release: NaiveDate, region: &str, slot: &str) -> usize {
    ((start(release, region, slot) % 3 + by) % 3) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 8, d).unwrap()
    }

    #[test]
    fn seed_zero_keeps_the_house_frames() {
        for d in 1..=28 {
            assert_eq!(StoryFrames::pick(0, day(d), "Wales"), StoryFrames::HOUSE);
            assert_eq!(Provenance::pick(0, day(d)), Provenance::House);
        }
    }

    #[test]
    fn consecutive_seeds_never_share_a_frame() {
        for d in 1..=28 {
            for region in ["south east London", "Wales", "the west of Scotland"] {
                for seed in 1..40u64 {
                    let (a, b) = (
                        StoryFrames::pick(seed, day(d), region),
                        StoryFrames::pick(seed + 1, day(d), region),
                    );
                    assert_ne!(a.lead, b.lead, "{seed} {d} {region}");
                    assert_ne!(a.highest, b.highest, "{seed} {d} {region}");
                    assert_ne!(a.lowest, b.lowest, "{seed} {d} {region}");
                    assert_ne!(a.highest, a.lowest, "{seed} {d} {region}");
                    assert_ne!(
                        Provenance::pick(seed, day(d)),
                        Provenance::pick(seed + 1, day(d))
                    );
                }
            }
        }
    }

    #[test]
    fn each_seed_moves_every_area_line_and_none_repeats_its_neighbour() {
        let keys = [
            "E09000004",
            "E09000006",
            "E09000011",
            "E09000023",
            "E09000028",
        ];
        for d in 1..=28 {
            for seed in 0..12u64 {
                let (a, b) = (
                    pick_frames(seed, day(d), &keys),
                    pick_frames(seed + 1, day(d), &keys),
                );
                assert!(a.windows(2).all(|w| w[0] != w[1]), "{seed}: {a:?}");
                assert!(a.iter().zip(&b).all(|(x, y)| x != y), "{seed}: {a:?} {b:?}");
            }
        }
    }

    #[test]
    fn each_of_the_next_three_seeds_prints_other_frames() {
        let keys = ["E09000004", "E09000006", "E09000011"];
        for d in 1..=28 {
            for seed in 0..40u64 {
                let of = |s: u64| {
                    (
                        pick_frames(s, day(d), &keys),
                        StoryFrames::pick(s, day(d), "Wales"),
                        Provenance::pick(s, day(d)),
                    )
                };
                for k in 1..=3 {
                    assert_ne!(of(seed), of(seed + k), "{seed} and {}", seed + k);
                }
            }
        }
    }

    #[test]
    fn every_frame_is_reached() {
        let picks: Vec<StoryFrames> = (1..=9)
            .map(|s| StoryFrames::pick(s, day(27), "south east London"))
            .collect();
        for lead in [Lead::House, Lead::SourceFirst, Lead::SourceLast] {
            assert!(picks.iter().any(|p| p.lead == lead), "{lead:?}");
        }
        for shape in [
            Superlative::NameFirst,
            Superlative::PlaceFirst,
            Superlative::RateFirst,
        ] {
            assert!(picks.iter().any(|p| p.highest == shape), "{shape:?}");
            assert!(picks.iter().any(|p| p.lowest == shape), "{shape:?}");
        }
    }
}
