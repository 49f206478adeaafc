//! `degree-words`: more than [`crate::story::DEGREE_WORDS`] degree words in one story ("up
//! dramatically" ten times over). A sub keeps them for the biggest moves and prints the plain
//! verb elsewhere; the rule counts across the whole story, so it runs after every block.

use crate::copy::tokens::Tok;
use crate::story::DEGREE_WORDS;

use super::marks::Checker;
use super::rules::Sentence;
use super::{LintFinding, Rule};

/// The words that tell a change's size: the story model's degrees as the templates print them
/// ("up dramatically", "a whopping rise", "a sharp fall", "down slightly").
const DEGREE: &[&str] = &[
    "dramatically",
    "dramatic",
    "whopping",
    "sharply",
    "sharp",
    "slightly",
    "slight",
];

/// Flags each degree word after the story's first [`DEGREE_WORDS`], naming the lines of
/// those it keeps. A known name or literal is not read. `checkers` are the story's blocks as
/// the other rules read them, so the known names are found in each block once.
pub(super) fn check(checkers: &[Checker<'_>], out: &mut Vec<LintFinding>) {
    let mut kept: Vec<usize> = Vec::new();
    for checker in checkers {
        let block = checker.block;
        for range in &block.sentences {
            for i in range.clone() {
                if block.tokens[i].tok != Tok::Word || checker.is_protected(block.tokens[i].start) {
                    continue;
                }
                let word = block.s(i);
                if !DEGREE.iter().any(|d| d.eq_ignore_ascii_case(word)) {
                    continue;
                }
                let line = block.line_starts[block.line_index(block.tokens[i].start)].1;
                if kept.len() < DEGREE_WORDS {
                    kept.push(line);
                    continue;
                }
                let sentence = Sentence {
                    block: checker,
                    first: range.start,
                    end: range.end,
                };
                let lines: Vec<String> = kept.iter().map(usize::to_string).collect();
                sentence.push(
                    out,
                    Rule::DegreeWords,
                    i,
                    i,
                    format!(
                        "more than {DEGREE_WORDS} degree words in one story (the first on lines {}): \
                         keep them for the biggest moves and print the plain verb here",
                        lines.join(" and ")
                    ),
                );
            }
        }
    }
}
