//! Blocks of copy already found to break no house-style rule, kept for a run of stories that
//! print the same text: every story of a week prints its week partials' paragraphs word for
//! word, and linting them again for each story was most of the lint's cost.
//!
//! Without the subbing rules, a block's findings depend on nothing but its text, its line
//! breaks, its kind and the byte ranges of it that are known names or literals: its tokens and
//! sentences are read from those alone, and its line numbers only place a finding. A block
//! equal to a clean one in all four is clean too, so skipping it changes no verdict; a block
//! that broke a rule is never kept, and is checked again wherever it is printed.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Mutex;

use crate::copy::block::Block;
use crate::copy::{KEPT_BLOCKS, ReadFrom};

/// Everything a block's findings without the subbing rules depend on: what it is read from
/// and its protected ranges.
struct Key {
    from: ReadFrom,
    protected: Vec<Range<usize>>,
}

impl Key {
    fn matches(&self, block: &Block, protected: &[Range<usize>]) -> bool {
        self.protected == protected
            && self
                .from
                .matches(block.kind, &block.text, &block.line_starts)
    }
}

/// Clean blocks of a run of stories (a week's), shared by the threads drafting them.
#[derive(Default)]
pub(crate) struct CleanBlocks {
    kept: Mutex<HashMap<u64, Key>>,
}

impl std::fmt::Debug for CleanBlocks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CleanBlocks").finish_non_exhaustive()
    }
}

/// A hash of what [`Key`] holds but the line starts: only to find a candidate, which is
/// then compared whole.
fn hash(block: &Block, protected: &[Range<usize>]) -> u64 {
    crate::copy::block_hash(&block.text, protected.iter().flat_map(|r| [r.start, r.end]))
}

impl CleanBlocks {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Key>> {
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Which of `blocks` (each with its protected ranges) are known clean, and the hash of
    /// each, for [`CleanBlocks::keep`].
    pub(super) fn known(&self, blocks: &[(&Block, &[Range<usize>])]) -> Vec<(u64, bool)> {
        let hashes: Vec<u64> = blocks.iter().map(|(b, p)| hash(b, p)).collect();
        let kept = self.lock();
        blocks
            .iter()
            .zip(hashes)
            .map(|((b, p), h)| (h, kept.get(&h).is_some_and(|k| k.matches(b, p))))
            .collect()
    }

    /// Keeps a block that was checked and broke no rule, while there is room.
    pub(super) fn keep(&self, hash: u64, block: &Block, protected: &[Range<usize>]) {
        let mut kept = self.lock();
        if kept.len() >= KEPT_BLOCKS || kept.contains_key(&hash) {
            return;
        }
        kept.insert(
            hash,
            Key {
                from: ReadFrom::of(block),
                protected: protected.to_vec(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::copy::{Copy, Known};
    use crate::lint::{lint_known, lint_known_in};
    use proptest::prelude::*;

    /// Paragraphs clean and not, some alike but for a break, a mark or a name.
    const PARAGRAPHS: &[&str] = &[
        "Ash 029 recorded 30 new cases of Covid-19 in the seven days to November 27.",
        "Ash 029 recorded 30 new cases of Covid-19 in the seven days\nto November 27.",
        "- Ash 029 recorded 30 new cases of Covid-19 in the seven days to November 27.",
        "# Ash 029 recorded 30 new cases",
        "Its rate of 1243 per 100,000 people is up from 1,024.9.",
        "Its rate of 1,243.3 per 100,000 people is up from 1,024.9.",
        "Wen 056, with 74 new cases, has the highest rate in England.",
        "Wen 056 056, with 74 new cases, has the the highest rate.",
        "5 areas were unchanged, on 14 January.",
        "Book a test at nhs.uk or call 119.",
        "The figures (published on December 1 cover the week.",
        "A \"quote\" and an \u{201c}open one.",
        "Left {{ over }} and None.",
        "| Area | Rate |\n| --- | --- |\n| Ash 029 | 214.1 |",
    ];

    proptest! {
        /// A run sharing its clean blocks lints each copy as a lint of it alone does, with
        /// names and literals that change from copy to copy.
        #[test]
        fn a_run_sharing_clean_blocks_lints_each_copy_as_alone(
            copies in prop::collection::vec(
                (
                    prop::collection::vec(0..PARAGRAPHS.len(), 1..8),
                    prop::collection::vec(
                        prop::sample::select(vec!["Ash 029", "Wen 056", "Wen 056 056", "119", "nhs.uk"]),
                        0..3,
                    ),
                ),
                1..12,
            )
        ) {
            let clean = CleanBlocks::default();
            for (paragraphs, names) in &copies {
                let text: Vec<&str> = paragraphs.iter().map(|&p| PARAGRAPHS[p]).collect();
                let text = text.join("\n\n");
                let names: Vec<String> = names.iter().map(|n| (*n).to_string()).collect();
                let known = Known { names: &names, literals: &[] };
                let read = Copy::read(&text);
                prop_assert_eq!(lint_known_in(&read, &known, &clean), lint_known(&read, &known));
            }
        }
    }

    #[test]
    fn a_block_that_broke_a_rule_is_never_kept() {
        let clean = CleanBlocks::default();
        let read = Copy::read("The the rate rose.\n\nIt rose.");
        let known = Known::default();
        assert_eq!(lint_known_in(&read, &known, &clean).len(), 1);
        assert_eq!(clean.lock().len(), 1);
        assert_eq!(lint_known_in(&read, &known, &clean).len(), 1);
    }
}
