//! Blocks a run of stories prints word for word, read once: every story of a week prints its
//! week partials' paragraphs, and tokenising them again for each story was most of the copy
//! reader's cost.
//!
//! A block's tokens and sentences are read from its text, the byte offsets where its lines
//! start and its kind alone (its line numbers only say where it is), so a block equal to one
//! already read in all three takes that one's tokens and sentences as they are.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Mutex;

use super::block::{Block, Joined};
use super::markdown::Kind;
use super::tokens::Token;

/// How many blocks a run keeps (here, and clean in the lint): a week's shared paragraphs are
/// a dozen, found by its first story; the rest are stories' own paragraphs, which do not come
/// back.
pub(crate) const KEEP: usize = 64;

/// What a block is read from: its kind, its text and the byte offsets where its lines start
/// (their numbers only say where it is). A kept block is found again by this, compared whole.
pub(crate) struct ReadFrom {
    kind: Kind,
    text: String,
    lines: Vec<usize>,
}

impl ReadFrom {
    /// What `block` was read from.
    pub(crate) fn of(block: &Block) -> ReadFrom {
        ReadFrom {
            kind: block.kind,
            text: block.text.clone(),
            lines: block.line_starts.iter().map(|(s, _)| *s).collect(),
        }
    }

    /// Whether a block of `kind`, `text` and `line_starts` is read from the same.
    pub(crate) fn matches(&self, kind: Kind, text: &str, line_starts: &[(usize, usize)]) -> bool {
        self.kind == kind
            && self.text == text
            && self.lines.len() == line_starts.len()
            && self.lines.iter().zip(line_starts).all(|(a, (b, _))| a == b)
    }
}

/// A block as read, and what it was read from.
struct Read {
    from: ReadFrom,
    tokens: Vec<Token>,
    sentences: Vec<Range<usize>>,
}

/// The blocks of a run of stories (a week's), shared by the threads reading them.
#[derive(Default)]
pub(crate) struct SharedBlocks {
    kept: Mutex<HashMap<u64, Read>>,
}

impl std::fmt::Debug for SharedBlocks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedBlocks").finish_non_exhaustive()
    }
}

/// A hash of a text and some offsets: only to find a candidate, which is then compared
/// whole, so its quality decides speed, never what is read.
pub(crate) fn hash(text: &str, offsets: impl IntoIterator<Item = usize>) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mix = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let mut h = mix(0, text.len() as u64);
    let mut chunks = text.as_bytes().chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = mix(h, u64::from_le_bytes(word));
    }
    for &b in chunks.remainder() {
        h = mix(h, u64::from(b));
    }
    for o in offsets {
        h = mix(h, o as u64);
    }
    h
}

impl SharedBlocks {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Read>> {
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reads each block (its text, line starts and kind, as [`Block::joined`] gives them) as
    /// [`Block::read`] does: a block read before takes its tokens and sentences from here,
    /// and one read now is kept while there is room.
    pub(crate) fn read(&self, joined: Vec<Joined>) -> Vec<Block> {
        let hashes: Vec<u64> = joined
            .iter()
            .map(|(text, lines, _)| hash(text, lines.iter().map(|(s, _)| *s)))
            .collect();
        // Blocks not read before are read once the lock is let go, so that another thread
        // waits only for the look-up.
        let mut fresh = Vec::new();
        let found: Vec<Result<Block, Joined>> = {
            let kept = self.lock();
            joined
                .into_iter()
                .zip(&hashes)
                .enumerate()
                .map(|(i, ((text, line_starts, kind), h))| match kept.get(h) {
                    Some(r) if r.from.matches(kind, &text, &line_starts) => Ok(Block {
                        text,
                        line_starts,
                        kind,
                        tokens: r.tokens.clone(),
                        sentences: r.sentences.clone(),
                    }),
                    other => {
                        if other.is_none() {
                            fresh.push(i);
                        }
                        Err((text, line_starts, kind))
                    }
                })
                .collect()
        };
        let out: Vec<Block> = found
            .into_iter()
            .map(|b| {
                b.unwrap_or_else(|(text, line_starts, kind)| Block::read(text, line_starts, kind))
            })
            .collect();
        if !fresh.is_empty() {
            let mut kept = self.lock();
            for i in fresh {
                let b = &out[i];
                if kept.len() >= KEEP {
                    break;
                }
                kept.entry(hashes[i]).or_insert_with(|| Read {
                    from: ReadFrom::of(b),
                    tokens: b.tokens.clone(),
                    sentences: b.sentences.clone(),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::copy::Copy;
    use proptest::prelude::*;

    /// Paragraphs alike but for a break, a mark or a word, in the forms Markdown gives them.
    const PARAGRAPHS: &[&str] = &[
        "Ash 029 recorded 30 new cases of Covid-19 in the seven days to November 27.",
        "Ash 029 recorded 30 new cases of Covid-19 in the seven days\nto November 27.",
        "Ash 029 recorded 30 new cases of Covid-19\nin the seven days to November 27.",
        "- Ash 029 recorded 30 new cases of Covid-19 in the seven days to November 27.",
        "# Ash 029 recorded 30 new cases",
        "Ash 029\nrecorded 30 new cases. It rose.",
        "Its rate of 1,243.3 per 100,000 people is up from 1,024.9 (see nhs.uk/x).",
        "| Area | Rate |\n| --- | --- |\n| Ash 029 | 214.1 |",
        "---\ntitle: x\n---",
        "Wen 056, with 74 new cases, has the highest rate in England.",
    ];

    fn parts(b: &Block) -> impl PartialEq + std::fmt::Debug {
        (
            b.text.clone(),
            b.line_starts.clone(),
            b.kind,
            b.tokens
                .iter()
                .map(|t| (t.tok, t.start, t.end))
                .collect::<Vec<_>>(),
            b.sentences.clone(),
        )
    }

    proptest! {
        /// A run sharing its blocks reads each copy as reading it alone does, line numbers
        /// and all.
        #[test]
        fn a_run_sharing_blocks_reads_each_copy_as_alone(
            copies in prop::collection::vec(
                (prop::collection::vec(0..PARAGRAPHS.len(), 1..8), 0..3usize),
                1..12,
            )
        ) {
            let shared = SharedBlocks::default();
            for (paragraphs, lead) in &copies {
                let text: Vec<&str> = paragraphs.iter().map(|&p| PARAGRAPHS[p]).collect();
                let text = format!("{}{}", "\n".repeat(*lead), text.join("\n\n"));
                let alone = Copy::read(&text);
                let run = Copy::read_in(&text, &shared);
                prop_assert_eq!(&run.raw, &alone.raw);
                let a: Vec<_> = alone.blocks.iter().map(parts).collect();
                let r: Vec<_> = run.blocks.iter().map(parts).collect();
                prop_assert_eq!(r, a);
            }
        }
    }
}
