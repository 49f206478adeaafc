//! Checks of a whole block: its quotes, brackets and leftover template syntax, and the
//! findings' line, column and quoted sentence.

use crate::copy::block::Block;

use super::rules::Sentence;
use super::{LintFinding, MAX_SENTENCE, Rule, shorten, window};
/// A block of copy under the lint's checks.
pub(super) struct Checker<'c> {
    pub(super) block: &'c Block,
    /// Byte ranges of known names and literals, which no figure or doubled-word rule reads;
    /// empty for [`super::lint`].
    pub(super) protected: Vec<std::ops::Range<usize>>,
    /// Whether the subbing rules ([`Rule::COPY`]) run too.
    pub(super) subbing: bool,
    /// The line, byte and characters before it of the last finding's column.
    pub(super) last_column: std::cell::Cell<(usize, usize, usize)>,
}

impl std::ops::Deref for Checker<'_> {
    type Target = Block;
    fn deref(&self) -> &Block {
        self.block
    }
}

/// Sentences already seen in a story, by a hash of their text, with the line of the first.
pub(super) type Seen = std::collections::HashMap<u64, usize>;

impl Checker<'_> {
    pub(super) fn sentence_of_offset(&self, offset: usize) -> String {
        // Sentences are in reading order: the one that could hold `offset` is the last to
        // start at or before it (a scan of them all for each mark took time in the square
        // of a paragraph's length).
        let before = self.sentences.partition_point(|r| {
            r.start < self.tokens.len() && self.tokens[r.start].start <= offset
        });
        let found = self.sentences[..before]
            .iter()
            .rev()
            .find(|r| !r.is_empty())
            .filter(|r| {
                offset
                    < self.tokens[r.end - 1]
                        .end
                        .max(self.tokens[r.start].start + 1)
            });
        let (start, end) = match found {
            Some(r) => (self.tokens[r.start].start, self.tokens[r.end - 1].end),
            None => {
                // Between sentences (a stray mark after a full stop): the line is the context.
                let li = self.line_index(offset);
                let start = self.line_starts[li].0;
                let end = self
                    .line_starts
                    .get(li + 1)
                    .map_or(self.text.len(), |(s, _)| s.saturating_sub(1));
                (start, end.max(start))
            }
        };
        // Only the part near the mark, so that many marks in one long stretch of text do not
        // each copy all of it.
        let raw = &self.text[start..end];
        let near = window(raw, offset.saturating_sub(start).min(raw.len()));
        near.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    pub(super) fn finding(
        &self,
        rule: Rule,
        offset: usize,
        snippet: &str,
        sentence: String,
        message: String,
    ) -> LintFinding {
        let li = self.line_index(offset);
        let (start, line) = self.line_starts[li];
        let column = self.column(li, start, offset);
        // What `window` quotes is at most MAX_SENTENCE bytes and an ellipsis either side.
        let sentence = if sentence.len() > MAX_SENTENCE + 2 * '…'.len_utf8() {
            shorten(&sentence, snippet)
        } else {
            sentence
        };
        LintFinding {
            rule,
            line,
            column,
            snippet: snippet.to_string(),
            sentence,
            message,
        }
    }

    /// The column (in characters, from 1) of byte `offset` of line `li`, which starts at byte
    /// `start`. Findings come in reading order, so each is counted on from the one before on
    /// its line: counting every finding's column from its line's start took time in the
    /// square of the line's length for a long paragraph full of findings.
    fn column(&self, li: usize, start: usize, offset: usize) -> usize {
        let (from, chars) = match self.last_column.get() {
            (l, at, chars) if l == li && at <= offset => (at, chars),
            _ => (start, 0),
        };
        let chars = chars + self.text[from..offset].chars().count();
        self.last_column.set((li, offset, chars));
        chars + 1
    }

    /// Whether the byte at `offset` is part of a known name or literal.
    pub(super) fn is_protected(&self, offset: usize) -> bool {
        !self.protected.is_empty() && self.protected.iter().any(|r| r.contains(&offset))
    }

    pub(super) fn check(&self, out: &mut Vec<LintFinding>, seen: &mut Seen) {
        for range in &self.sentences {
            let sentence = Sentence {
                block: self,
                first: range.start,
                end: range.end,
            };
            sentence.check(out);
            if self.subbing {
                sentence.subbing(out, seen);
            }
        }
        self.check_quotes(out);
        self.check_brackets(out);
        self.check_template(out);
        self.check_numerals(out);
    }

    /// The text of a mark and a few words either side of it, on its own line.
    fn context(&self, offset: usize, len: usize) -> String {
        let li = self.line_index(offset);
        let line_start = self.line_starts[li].0;
        let line_end = self
            .line_starts
            .get(li + 1)
            .map_or(self.text.len(), |(s, _)| s.saturating_sub(1))
            .max(offset);
        let line = &self.text[line_start..line_end];
        let at = offset - line_start;
        // About a dozen characters each side, widened to whole words (by at most 40
        // characters: text without spaces would otherwise be quoted whole at every mark).
        let mut from = line[..at]
            .char_indices()
            .rev()
            .nth(11)
            .map_or(0, |(i, _)| i);
        let mut widened = 0;
        while let Some(c) = line[..from]
            .chars()
            .next_back()
            .filter(|c| !c.is_whitespace() && widened < 40)
        {
            from -= c.len_utf8();
            widened += 1;
        }
        let mut to = line[at..]
            .char_indices()
            .nth(len + 12)
            .map_or(line.len(), |(i, _)| at + i);
        let mut widened = 0;
        while let Some(c) = line[to..]
            .chars()
            .next()
            .filter(|c| !c.is_whitespace() && widened < 40)
        {
            to += c.len_utf8();
            widened += 1;
        }
        line[from..to]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn check_quotes(&self, out: &mut Vec<LintFinding>) {
        let mut straight: Option<usize> = None;
        let mut curly: Vec<usize> = Vec::new();
        // '"' is ASCII, and '“' and '”' are the bytes E2 80 9C and E2 80 9D, so only those two
        // first bytes are looked for and nothing is decoded.
        let bytes = self.text.as_bytes();
        for offset in memchr::memchr2_iter(b'"', 0xE2, bytes) {
            let c = match bytes[offset] {
                b'"' => '"',
                0xE2 if bytes.get(offset + 1) == Some(&0x80) => match bytes.get(offset + 2) {
                    Some(0x9C) => '“',
                    Some(0x9D) => '”',
                    _ => continue,
                },
                _ => continue,
            };
            if self.in_url(offset) {
                continue;
            }
            match c {
                '"' => {
                    straight = if straight.is_some() {
                        None
                    } else {
                        Some(offset)
                    }
                }
                '“' => curly.push(offset),
                // The guard pops the partner; only a closer without one is reported.
                '”' if curly.pop().is_none() => {
                    out.push(self.finding(
                        Rule::BalancedQuotes,
                        offset,
                        &self.context(offset, 1),
                        self.sentence_of_offset(offset),
                        "closing quote ” has no opening quote “".to_string(),
                    ));
                }
                _ => {}
            }
        }
        let mut open: Vec<(usize, &str)> = curly
            .into_iter()
            .map(|o| (o, "opening quote “ is never closed with ”"))
            .collect();
        if let Some(o) = straight {
            open.push((o, "quote \" is never closed"));
        }
        for (offset, message) in open {
            out.push(self.finding(
                Rule::BalancedQuotes,
                offset,
                &self.context(offset, 1),
                self.sentence_of_offset(offset),
                message.to_string(),
            ));
        }
    }

    fn check_brackets(&self, out: &mut Vec<LintFinding>) {
        let mut stack: Vec<(usize, char)> = Vec::new();
        // Brackets are ASCII: their bytes are looked for, with no character decoded.
        let bytes = self.text.as_bytes();
        for offset in brackets(bytes) {
            let c = char::from(bytes[offset]);
            if self.in_url(offset) {
                continue;
            }
            match c {
                '(' | '[' => stack.push((offset, c)),
                ')' | ']' => {
                    let want = if c == ')' { '(' } else { '[' };
                    match stack.last() {
                        Some(&(_, open)) if open == want => {
                            stack.pop();
                        }
                        Some(&(_, open)) => {
                            stack.pop();
                            out.push(self.finding(
                                Rule::BalancedBrackets,
                                offset,
                                &self.context(offset, 1),
                                self.sentence_of_offset(offset),
                                format!("bracket {open} is closed with {c}"),
                            ));
                        }
                        None => out.push(self.finding(
                            Rule::BalancedBrackets,
                            offset,
                            &self.context(offset, 1),
                            self.sentence_of_offset(offset),
                            format!("closing bracket {c} has no opening bracket"),
                        )),
                    }
                }
                _ => {}
            }
        }
        for (offset, c) in stack {
            out.push(self.finding(
                Rule::BalancedBrackets,
                offset,
                &self.context(offset, 1),
                self.sentence_of_offset(offset),
                format!("opening bracket {c} is never closed"),
            ));
        }
    }

    fn check_template(&self, out: &mut Vec<LintFinding>) {
        const OPENERS: [(&str, &str); 4] = [("{{", "}}"), ("{%", "%}"), ("{#", "#}"), ("${", "}")];
        const CLOSERS: [&str; 3] = ["}}", "%}", "#}"];
        let text = &self.text;
        let bytes = text.as_bytes();
        // Every opener and closer holds a brace, as its first byte or its second: only a brace
        // and the byte before it can start one. `i` is where the next one may start.
        let starts = memchr::memchr2_iter(b'{', b'}', bytes)
            .flat_map(|brace| [brace.checked_sub(1), Some(brace)])
            .flatten();
        let mut i = 0;
        for at in starts {
            if at < i {
                continue;
            }
            i = at;
            // Each starts with an ASCII byte, so where one matches, `at` is a boundary.
            let rest = &bytes[at..];
            let opener = OPENERS.iter().find(|(o, _)| rest.starts_with(o.as_bytes()));
            let (end, snippet, what) = if let Some((open, close)) = opener {
                let rest = &text[at..];
                // One finding for a whole tag, shown whole, when it closes on the same line.
                let line_end = rest.find('\n').unwrap_or(rest.len());
                match rest[open.len()..line_end].find(close) {
                    Some(p) => {
                        let end = i + open.len() + p + close.len();
                        let tag = text[i..end]
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ");
                        (end, tag, "a template tag")
                    }
                    None => (
                        i + open.len(),
                        self.context(i, open.len()),
                        "template syntax",
                    ),
                }
            } else if let Some(close) = CLOSERS.iter().find(|c| rest.starts_with(c.as_bytes())) {
                (
                    i + close.len(),
                    self.context(i, close.len()),
                    "template syntax",
                )
            } else {
                i += 1;
                continue;
            };
            out.push(self.finding(
                Rule::LeftoverTemplate,
                i,
                &snippet,
                self.sentence_of_offset(i),
                format!("{what} was left in the copy: a value or tag was not filled in"),
            ));
            i = end;
        }
    }
}

/// The offsets of the round and square brackets in `bytes`, in order.
fn brackets(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    // Four bytes are more than one search takes: the closing square bracket is looked for on
    // its own, and the two searches merged.
    let mut most = memchr::memchr3_iter(b'(', b')', b'[', bytes).peekable();
    let mut square = memchr::memchr_iter(b']', bytes).peekable();
    std::iter::from_fn(move || match (most.peek(), square.peek()) {
        (Some(a), Some(b)) if a < b => most.next(),
        (Some(_), Some(_)) | (None, _) => square.next(),
        (Some(_), None) => most.next(),
    })
}
