//! A block of copy read as sentences: its lines joined, tokenised once, and split where a
//! sentence ends or a line starts a new one.

use std::borrow::Cow;

use super::markdown::{Kind, Line};
use super::tokens::{Tok, Token, tokenize};

/// A block's text, where each of its lines starts in it (and the line's 1-based number), and
/// its kind: what [`Block::read`] reads.
pub(crate) type Joined = (String, Vec<(usize, usize)>, Kind);

pub(crate) struct Block {
    pub(crate) text: String,
    /// Byte offset in `text` where each line starts, and the line's 1-based number.
    pub(crate) line_starts: Vec<(usize, usize)>,
    pub(crate) kind: Kind,
    pub(crate) tokens: Vec<Token>,
    /// Token ranges of the sentences.
    pub(crate) sentences: Vec<std::ops::Range<usize>>,
}

impl Block {
    pub(crate) fn new(lines: &[Line<'_>], indices: &[usize]) -> Self {
        let (text, line_starts, kind) = Block::joined(lines, indices);
        Block::read(text, line_starts, kind)
    }

    /// The lines of `indices` joined as one text, where each starts in it (and its 1-based
    /// number), and the block's kind: all a block is read from.
    pub(crate) fn joined(lines: &[Line<'_>], indices: &[usize]) -> Joined {
        let len = indices.iter().map(|&i| lines[i].content.len() + 1).sum();
        let mut text = String::with_capacity(len);
        let mut line_starts = Vec::with_capacity(indices.len());
        for &i in indices {
            if !text.is_empty() {
                text.push('\n');
            }
            line_starts.push((text.len(), i + 1));
            text.push_str(&lines[i].content);
        }
        (text, line_starts, lines[indices[0]].kind)
    }

    /// A block read from what [`Block::joined`] gives: its tokens, and its sentences.
    pub(crate) fn read(text: String, line_starts: Vec<(usize, usize)>, kind: Kind) -> Self {
        let tokens = tokenize(&text);
        let mut block = Block {
            kind,
            text,
            line_starts,
            tokens,
            sentences: Vec::new(),
        };
        block.sentences = block.split_sentences();
        block
    }

    /// One line read as a block of prose of its own: `number` is its 1-based line number.
    pub(crate) fn line(content: &str, number: usize) -> Self {
        let line = Line {
            kind: Kind::Text,
            content: Cow::Borrowed(content),
        };
        let mut block = Block::new(std::slice::from_ref(&line), &[0]);
        block.line_starts[0].1 = number;
        block
    }

    pub(crate) fn line_index(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|(start, _)| *start <= offset)
            .saturating_sub(1)
    }

    /// Whether a line starts a sentence of its own: in hard-wrapped prose it does not, but a
    /// sub-heading written as a bare line ("Bexley") or a finished sentence ends the last one.
    pub(crate) fn line_starts_sentence(&self, line: usize) -> bool {
        let Some(prev) = line.checked_sub(1) else {
            return true;
        };
        let start = self.line_starts[prev].0;
        let end = self.line_starts[line].0.saturating_sub(1);
        let prev_text = self.text[start..end].trim();
        // A long line that ends mid-phrase (a word, a figure, a bracket closed before the
        // sentence's stop: "(2,052 cases)") goes on on the next.
        let wraps = prev_text.chars().last().is_some_and(|c| {
            c.is_alphanumeric()
                || matches!(
                    c,
                    ',' | ';'
                        | ':'
                        | '('
                        | ')'
                        | ']'
                        | '%'
                        | '-'
                        | '–'
                        | '—'
                        | '\''
                        | '’'
                        | '"'
                        | '”'
                )
        });
        !(wraps && prev_text.chars().count() >= 40)
    }

    /// Where a sentence ends if token `i` ends one: a full stop, "!", "?" or "…" with the
    /// closing quotes, brackets and emphasis glued to it, then a space or the block's end.
    /// The token after the sentence's last.
    fn sentence_end_at(&self, i: usize) -> Option<usize> {
        let toks = &self.tokens;
        if !matches!(toks[i].tok, Tok::Punct('.' | '!' | '?' | '…')) {
            return None;
        }
        let mut j = i + 1;
        while j < toks.len()
            && toks[j].start == toks[j - 1].end
            && matches!(
                toks[j].tok,
                Tok::Punct('"' | '”' | '’' | '\'' | ')' | ']' | '*' | '_')
            )
        {
            j += 1;
        }
        let after = self.text[toks[j - 1].end..].chars().next();
        after.is_none_or(char::is_whitespace).then_some(j)
    }

    pub(crate) fn split_sentences(&self) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0;
        let toks = &self.tokens;
        // The line of each token, found walking forward: tokens are in order, so a line's
        // search is the step from the last token's (what `line_index` gives, without a
        // binary search per token). The next line's start is kept, so a token on the same
        // line as the one before it, as most are, costs one comparison.
        let mut line = 0;
        let start_of = |line: usize| self.line_starts.get(line).map_or(usize::MAX, |(s, _)| *s);
        let mut next = start_of(1);
        let mut i = 0;
        while i < toks.len() {
            if i > start {
                while next <= toks[i - 1].start {
                    line += 1;
                    next = start_of(line + 1);
                }
                if next <= toks[i].start {
                    while next <= toks[i].start {
                        line += 1;
                        next = start_of(line + 1);
                    }
                    if self.line_starts_sentence(line) {
                        out.push(start..i);
                        start = i;
                    }
                }
            }
            if let Some(j) = self.sentence_end_at(i) {
                out.push(start..j);
                start = j;
                i = j;
                continue;
            }
            i += 1;
        }
        if start < toks.len() {
            out.push(start..toks.len());
        }
        out
    }

    /// The sentence splitter as it was before it kept the next line's start: the oracle of
    /// its walk over the lines (a sentence's end is found as the splitter finds it).
    #[cfg(test)]
    fn split_sentences_walking(&self) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0;
        let toks = &self.tokens;
        // The line of each token, found walking forward: tokens are in order, so a line's
        // search is the step from the last token's (what `line_index` gives, without a
        // binary search per token).
        let mut line = 0;
        let line_of = |line: &mut usize, offset: usize| {
            while self
                .line_starts
                .get(*line + 1)
                .is_some_and(|(s, _)| *s <= offset)
            {
                *line += 1;
            }
            *line
        };
        let mut i = 0;
        while i < toks.len() {
            if i > start {
                let a = line_of(&mut line, toks[i - 1].start);
                // The token is on a later line than the one before it only if the next line
                // starts at or before it: most are not, and their line is not walked to.
                if self
                    .line_starts
                    .get(a + 1)
                    .is_some_and(|(s, _)| *s <= toks[i].start)
                {
                    let b = line_of(&mut line, toks[i].start);
                    if self.line_starts_sentence(b) {
                        out.push(start..i);
                        start = i;
                    }
                }
            }
            if let Some(j) = self.sentence_end_at(i) {
                out.push(start..j);
                start = j;
                i = j;
                continue;
            }
            i += 1;
        }
        if start < toks.len() {
            out.push(start..toks.len());
        }
        out
    }

    #[inline]
    pub(crate) fn s(&self, i: usize) -> &str {
        let t = &self.tokens[i];
        &self.text[t.start..t.end]
    }

    /// The sentence's text on one line: borrowed from the block when it is on one already,
    /// as most sentences are, so reading a story's sentences copies none of them.
    pub(crate) fn sentence_text(&self, range: &std::ops::Range<usize>) -> Cow<'_, str> {
        if range.is_empty() {
            return Cow::Borrowed("");
        }
        let raw = &self.text[self.tokens[range.start].start..self.tokens[range.end - 1].end];
        if is_one_line(raw) {
            Cow::Borrowed(raw)
        } else {
            Cow::Owned(one_line(raw))
        }
    }

    pub(crate) fn in_url(&self, offset: usize) -> bool {
        // Tokens are in order and do not overlap: the one that could hold `offset` is the
        // last to start at or before it. (A scan of every token for every quote mark made
        // text full of quotes take time in the square of its length.)
        let i = self.tokens.partition_point(|t| t.start <= offset);
        i > 0 && {
            let t = &self.tokens[i - 1];
            t.tok == Tok::Url && offset < t.end
        }
    }
}

/// `text` with each run of white space one space and none at either end: its words joined
/// by spaces, in one string (without the list of words a join needs).
pub(crate) fn one_line(text: &str) -> String {
    if is_one_line(text) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether `text` is already as [`one_line`] would make it: no white space but single ASCII
/// spaces between words. Looked at a byte at a time, so only a byte that may start a wider
/// space (U+0085, U+00A0, U+1680, U+2000 to U+205F, U+3000) is decoded.
fn is_one_line(text: &str) -> bool {
    let b = text.as_bytes();
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return false;
    }
    let mut prev_space = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b' ' if prev_space => return false,
            b' ' => {
                prev_space = true;
                continue;
            }
            b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' => return false,
            0xC2 | 0xE1 | 0xE2 | 0xE3
                if text[i..].chars().next().is_some_and(char::is_whitespace) =>
            {
                return false;
            }
            _ => {}
        }
        prev_space = false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_oracle(text: &str) {
        let lines: Vec<Line<'_>> = text
            .split('\n')
            .map(|l| Line {
                kind: Kind::Text,
                content: Cow::Borrowed(l),
            })
            .collect();
        let indices: Vec<usize> = (0..lines.len()).collect();
        let block = Block::new(&lines, &indices);
        assert_eq!(block.sentences, block.split_sentences_walking(), "{text:?}");
    }

    #[test]
    fn sentences_are_split_as_the_oracle_splits_them() {
        let seeds = std::fs::read_dir("../shared/seeds").expect("the seeds folder");
        for seed in seeds.flatten() {
            let text = std::fs::read_to_string(seed.path()).expect("a seed story");
            same_as_oracle(&text);
            for para in text.split("\n\n") {
                same_as_oracle(para);
            }
        }
        let texts = [
            "",
            "\n",
            "\n\n\n",
            "Bexley\nfell.",
            "The rate rose. In the seven days to January 14 it was a long line that wraps on,\n254.0 per 100,000.\nBromley\nfell.",
            "A.\nB.\n\nC",
            "x\n\ny\n",
        ];
        for t in texts {
            same_as_oracle(t);
        }
        // Lines of words, figures and stops, joined by spaces and line ends at random.
        let pieces = [
            "a",
            "rose.",
            "254.0",
            "(2,052 cases)",
            "Bromley",
            "",
            " ",
            "long words that go on and on past forty bytes,",
        ];
        let mut state = 7u64;
        let mut step = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state >> 33
        };
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..step() % 9 {
                text.push_str(pieces[step() as usize % pieces.len()]);
                text.push(if step() % 3 == 0 { '\n' } else { ' ' });
            }
            same_as_oracle(&text);
        }
    }
}
