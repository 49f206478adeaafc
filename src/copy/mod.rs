//! The copy reader the lint and the audit share: rendered Markdown read as lines, blocks,
//! sentences and tokens.
//!
//! Copy is read once per story with [`Copy::read`]: its lines are split and classified
//! (front matter, headings, list items, table rows, prose) and each of its blocks is split
//! into sentences of tokens. [`crate::lint::lint_copy`] checks those sentences against the
//! house style; [`crate::audit::AuditContext::audit_copy`] reads the same blocks, sentences
//! and tokens with what only the story knows: its area names (one token each, even across a
//! line end), the patch's own words (masked; no sentence ends inside them), dates as one token,
//! and each figure classed as the facts print it.

pub(crate) mod block;
mod known;
pub(crate) mod markdown;
mod shared;
pub(crate) mod tokens;

use block::Block;
pub use known::Known;
pub(crate) use known::odd_names;
pub(crate) use shared::{KEEP as KEPT_BLOCKS, ReadFrom, SharedBlocks, hash as block_hash};

/// Rendered copy, read once: its lines, their Markdown kinds, and its blocks as sentences.
pub struct Copy<'t> {
    /// The copy as it was read.
    pub(crate) text: &'t str,
    /// The copy's lines without their line ends, 0-based.
    pub(crate) raw: Vec<&'t str>,
    /// The blocks of prose, headings, list items and table rows, each as sentences of tokens.
    pub(crate) blocks: Vec<Block>,
}

impl<'t> Copy<'t> {
    /// Reads `text` (plain text or Markdown, with or without YAML front matter).
    pub fn read(text: &'t str) -> Copy<'t> {
        let raw = markdown::split_lines(text);
        let lines = markdown::classify(&raw);
        let blocks = markdown::blocks(&lines)
            .iter()
            .map(|indices| Block::new(&lines, indices))
            .collect();
        Copy { text, raw, blocks }
    }

    /// [`Copy::read`] for one of a run of stories that print the same paragraphs: a block
    /// `shared` has read before is not read again (see [`SharedBlocks`] for why it reads the
    /// same).
    pub(crate) fn read_in(text: &'t str, shared: &SharedBlocks) -> Copy<'t> {
        let raw = markdown::split_lines(text);
        let lines = markdown::classify(&raw);
        let joined = markdown::blocks(&lines)
            .iter()
            .map(|indices| Block::joined(&lines, indices))
            .collect();
        let blocks = shared.read(joined);
        Copy { text, raw, blocks }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_read_as_sentences_across_its_lines() {
        // A hard-wrapped line joins the next; a short bare line ends its sentence.
        let copy = Copy::read(
            "# Bexley\n\nThe rate rose. In the seven days to January 14 it was\n254.0 per 100,000.\nBromley\nfell.\n",
        );
        assert_eq!(copy.raw.len(), 7);
        let sentences: Vec<String> = copy
            .blocks
            .iter()
            .flat_map(|b| b.sentences.iter().map(|r| b.sentence_text(r).into_owned()))
            .collect();
        assert_eq!(
            sentences,
            [
                "Bexley",
                "The rate rose.",
                "In the seven days to January 14 it was 254.0 per 100,000.",
                "Bromley",
                "fell.",
            ]
        );
    }
}
