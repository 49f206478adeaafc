//! The audit's reading of the copy as it was before it took its words and figures as spans of
//! the copy: kept for the tests alone, as the oracle the shared reading must agree with
//! sentence for sentence and token for token.

use super::reading::{NumClass, PRONOUNS, first_bytes, prev_column};
use crate::copy::markdown::{self, is_table_line, is_table_rule};
use crate::copy::tokens::{date_len, is_word_char, strip_possessive};
use crate::lang::{NUMBER_WORDS, ORDINAL_WORDS, WEEKDAYS};

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum T {
    Word(String),
    Num(NumClass, String),
    Area(usize),
    Open,
    Comma,
    Semi,
    Stop,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Tok {
    pub(super) t: T,
    pub(super) start: usize,
    pub(super) end: usize,
}
pub(super) fn tokenize(line: &str, names: &[(String, String)], labels: &[String]) -> Vec<Tok> {
    let mut toks = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut push = |t: T, start: usize, end: usize| toks.push(Tok { t, start, end });
    // The first bytes names and labels start with: most places in a line can start neither.
    let name_first = first_bytes(names.iter().map(|(n, _)| n.as_str()));
    let label_first = first_bytes(labels.iter().map(String::as_str));
    while i < line.len() {
        let c = line[i..].chars().next().expect("in bounds");
        let after_word = line[..i].chars().next_back().is_some_and(is_word_char);
        let first = usize::from(bytes[i]);
        // The patch's own words (publication, region, who calculated the figures) are not
        // figures, whatever they contain; area names are matched first.
        let label = (!after_word && label_first[first])
            .then(|| {
                labels.iter().find(|l| {
                    line[i..].starts_with(l.as_str())
                        && !line[i + l.len()..]
                            .chars()
                            .next()
                            .is_some_and(char::is_alphanumeric)
                        // The longer reading wins: a region that starts with an area's
                        // name ("Cardiff and the Vale") is the region, a region that is an
                        // area's name ("Hull") is the area.
                        && !names.iter().any(|(n, _)| {
                            n.len() >= l.len() && line[i..].starts_with(n.as_str())
                        })
                })
            })
            .flatten();
        if let Some(l) = label {
            i += l.len();
            continue;
        }
        if !after_word && !c.is_whitespace() && !c.is_ascii_digit() {
            let hit = name_first[first].then(|| {
                names.iter().position(|(n, _)| {
                    line[i..].starts_with(n.as_str())
                        && !line[i + n.len()..]
                            .chars()
                            .next()
                            .is_some_and(char::is_alphanumeric)
                })
            });
            if let Some(k) = hit.flatten() {
                push(T::Area(k), i, i + names[k].0.len());
                i += names[k].0.len();
                continue;
            }
            // Weekdays and months open with a capital: most words need not be compared.
            let capital = bytes[i].is_ascii_uppercase();
            if let Some(w) = WEEKDAYS
                .iter()
                .find(|w| capital && line[i..].starts_with(*w))
                && let Some(rest) = line[i + w.len()..].strip_prefix(", ")
                && let Some(n) = date_len(rest)
            {
                let end = i + w.len() + 2 + n;
                push(T::Num(NumClass::Date, line[i..end].to_string()), i, end);
                i = end;
                continue;
            }
            if let Some(n) = capital.then(|| date_len(&line[i..])).flatten() {
                push(T::Num(NumClass::Date, line[i..i + n].to_string()), i, i + n);
                i += n;
                continue;
            }
        }
        if c.is_ascii_digit() && !after_word {
            let mut j = i;
            while j < line.len() {
                let b = bytes[j];
                let next_digit = bytes.get(j + 1).is_some_and(u8::is_ascii_digit);
                if b.is_ascii_digit() || ((b == b',' || b == b'.') && next_digit) {
                    j += 1;
                } else {
                    break;
                }
            }
            let text = &line[i..j];
            let rest = &line[j..];
            let suffix = ["st", "nd", "rd", "th"].iter().find(|s| {
                rest.starts_with(*s) && !rest[2..].chars().next().is_some_and(char::is_alphanumeric)
            });
            let (class, end) = if rest.starts_with('%') {
                (NumClass::Percent, j + 1)
            } else if suffix.is_some() {
                (NumClass::Ordinal, j + 2)
            } else if text.contains('.') {
                (NumClass::Rate, j)
            } else {
                (NumClass::Int, j)
            };
            push(T::Num(class, line[i..end].to_string()), i, end);
            i = end;
            continue;
        }
        if c.is_alphanumeric() {
            let len: usize = line[i..]
                .chars()
                .take_while(|&ch| is_word_char(ch))
                .map(char::len_utf8)
                .sum();
            let word = &line[i..i + len];
            let base = strip_possessive(word).trim_end_matches(['\'', '’', '-']);
            let lower = base.to_lowercase();
            let t = if NUMBER_WORDS.contains(&lower.as_str()) {
                T::Num(NumClass::Word, lower)
            } else if ORDINAL_WORDS.contains(&lower.as_str()) {
                T::Num(NumClass::OrdinalWord, lower)
            } else {
                T::Word(lower)
            };
            push(t, i, i + len);
            i += len;
            continue;
        }
        match c {
            '(' => push(T::Open, i, i + 1),
            ',' => push(T::Comma, i, i + 1),
            ';' | ':' => push(T::Semi, i, i + 1),
            '.' | '!' | '?' => push(T::Stop, i, i + 1),
            _ => {}
        }
        i += c.len_utf8();
    }
    toks
}

#[derive(Debug, PartialEq, Eq)]
pub(super) struct Sentence {
    pub(super) line: usize,
    pub(super) text: String,
    pub(super) toks: Vec<Tok>,
    /// The area a pronoun at the start refers to.
    pub(super) carried: Option<usize>,
    /// For a table row, whether each token sits in a column of last week's figures.
    pub(super) row: Option<Vec<bool>>,
}

/// Splits the copy into sentences, each with its tokens. Headings and list items are sentences
/// of their own; a numbered list's marker becomes a list-position token.
pub(super) fn sentences(
    lines: &[&str],
    names: &[(String, String)],
    labels: &[String],
    prev_markers: &[String],
) -> Vec<Sentence> {
    let mut out = Vec::new();
    // A Markdown table: a header row, a rule, then one row per line; each row is a sentence
    // about the first area it names, each cell read under its header.
    let mut header: Option<Vec<bool>> = None;
    for (n, raw) in lines.iter().copied().enumerate() {
        if is_table_line(raw) {
            if is_table_rule(raw) {
                continue;
            }
            let cells: Vec<&str> = raw.trim().trim_matches('|').split('|').collect();
            let starts_header = n == 0 || !is_table_line(lines[n - 1]);
            if starts_header {
                header = Some(cells.iter().map(|c| prev_column(c, prev_markers)).collect());
            }
            let toks = tokenize(raw, names, labels);
            let cols = header.clone().unwrap_or_default();
            let lead = raw.len() - raw.trim_start().len() + 1;
            let prev: Vec<bool> = toks
                .iter()
                .map(|t| {
                    let cell = raw[lead.min(t.start)..t.start].matches('|').count();
                    !starts_header && cols.get(cell).copied().unwrap_or(false)
                })
                .collect();
            if !toks.is_empty() {
                out.push(Sentence {
                    line: n + 1,
                    text: raw.trim().to_string(),
                    toks,
                    carried: None,
                    row: Some(prev),
                });
            }
            continue;
        }
        let (content_start, marker) = markdown::prose_start(raw);
        let mut toks = tokenize(&raw[content_start..], names, labels);
        for t in &mut toks {
            t.start += content_start;
            t.end += content_start;
        }
        if let Some(m) = marker {
            toks.insert(
                0,
                Tok {
                    t: T::Num(NumClass::ListPos, raw[m.clone()].to_string()),
                    start: 0,
                    end: m.len(),
                },
            );
        }
        let mut start_byte = 0;
        let mut current: Vec<Tok> = Vec::new();
        let mut last_area: Option<usize> = None;
        let flush = |toks: Vec<Tok>, end: usize, start: usize, last_area: &mut Option<usize>| {
            // "It ...", "That ...", "No other ..." go on about the area of the sentence before.
            let carried = match (toks.first().map(|t| &t.t), toks.get(1).map(|t| &t.t)) {
                (Some(T::Word(w)), _) if PRONOUNS.contains(&w.as_str()) => *last_area,
                (Some(T::Word(a)), Some(T::Word(b))) if a == "no" && b == "other" => *last_area,
                _ => None,
            };
            // The subject a pronoun refers to: the first area the sentence names.
            if let Some(a) = toks.iter().find_map(|t| match t.t {
                T::Area(k) => Some(k),
                _ => None,
            }) {
                *last_area = Some(a);
            }
            Sentence {
                line: n + 1,
                text: raw[start..end].trim().to_string(),
                toks,
                carried,
                row: None,
            }
        };
        for tok in toks {
            let is_stop = tok.t == T::Stop;
            let end = tok.end;
            current.push(tok);
            if is_stop {
                let s = flush(
                    std::mem::take(&mut current),
                    end,
                    start_byte,
                    &mut last_area,
                );
                if s.toks.len() > 1 {
                    out.push(s);
                }
                start_byte = end;
            }
        }
        if current.iter().any(|t| t.t != T::Stop) {
            out.push(flush(current, raw.len(), start_byte, &mut last_area));
        }
    }
    out
}

/// The comparison of the two readings, run on drafted stories by the drafting layer's tests
/// (`crate::draft`'s `reading_tests`), which this layer may not call.
pub(crate) mod compare {
    use super::super::reading::{self, NumClass};
    use super::super::{area_names, story_labels};
    use crate::copy::markdown::split_lines;

    /// The shared reading's sentences in the oracle's owned form.
    fn owned(s: &reading::Sentence<'_>) -> super::Sentence {
        let t = |t: &reading::T<'_>| match t {
            reading::T::Word(w) => super::T::Word(w.to_string()),
            reading::T::Num(c, w) => super::T::Num(*c, w.to_string()),
            reading::T::Area(k) => super::T::Area(*k),
            reading::T::Open => super::T::Open,
            reading::T::Comma => super::T::Comma,
            reading::T::Semi => super::T::Semi,
            reading::T::Stop => super::T::Stop,
        };
        super::Sentence {
            line: s.line,
            text: s.text.to_string(),
            toks: s
                .toks
                .iter()
                .map(|k| super::Tok {
                    t: t(&k.t),
                    start: k.start,
                    end: k.end,
                })
                .collect(),
            carried: s.carried,
            row: s.row.clone(),
        }
    }

    /// Reads `text` both ways and fails on the first sentence they read differently.
    fn same_reading(
        what: &str,
        text: &str,
        names: &[(String, String)],
        labels: &[String],
        prev: &[String],
    ) -> usize {
        let copy = crate::copy::Copy::read(text);
        let lines = &copy.raw;
        let lower_text = lines.join("\n").to_ascii_lowercase();
        let lower: Vec<&str> = lower_text.split('\n').collect();
        let read = reading::sentences(lines, &lower, names, labels, prev);
        assert_refines(what, &copy, &read);
        let new: Vec<super::Sentence> = read.iter().map(owned).collect();
        let old = super::sentences(&split_lines(text), names, labels, prev);
        for (n, o) in new.iter().zip(&old) {
            assert_eq!(n, o, "{what}: the readings part at line {}", o.line);
        }
        assert_eq!(new.len(), old.len(), "{what}: sentence counts");
        old.len()
    }

    /// Every sentence boundary of the copy reader (the lint's sentences) is one of the audit's:
    /// the audit cuts finer (at every line end, where the reader joins hard-wrapped lines, and at
    /// every full stop, "nhs.uk" too), so no sentence of the audit straddles one of the
    /// reader's. The one exception is an ellipsis, which ends a sentence for the reader only.
    fn assert_refines(what: &str, copy: &crate::copy::Copy<'_>, read: &[reading::Sentence<'_>]) {
        for block in &copy.blocks {
            for r in &block.sentences {
                let Some(first) = block.tokens.get(r.start) else {
                    continue;
                };
                let at = block.line_index(first.start);
                let (line_start, line) = block.line_starts[at];
                let col = first.start - line_start;
                let end_col = if at + 1 < block.line_starts.len() && r.end > r.start {
                    // Only the part of the reader's sentence on its first line.
                    let last = &block.tokens[r.end - 1];
                    if block.line_index(last.start) == at {
                        last.end - line_start
                    } else {
                        block.line_starts[at + 1].0 - 1 - line_start
                    }
                } else {
                    block.tokens[r.end - 1].end - line_start
                };
                // The audit's first token in the reader's sentence must open one of its sentences.
                let opens = read.iter().filter(|s| s.line == line).find_map(|s| {
                    s.toks
                        .iter()
                        .position(|t| t.start >= col && t.start < end_col)
                        // A list marker the reader blanks ("1.", "1)") may open it: the audit reads
                        // the number of a numbered item, and "1)" as copy.
                        .map(|p| {
                            s.toks[..p].iter().all(|t| {
                                matches!(t.t, reading::T::Num(NumClass::ListPos, _))
                                    || block.text[line_start + t.start..line_start + t.end]
                                        .trim()
                                        .is_empty()
                            })
                        })
                });
                let after_ellipsis = block.text[..first.start].trim_end().ends_with('…');
                assert!(
                    opens != Some(false) || after_ellipsis,
                    "{what}: line {line}: the reader opens a sentence at column {col} inside one of the audit's: {:?} / {:?}",
                    copy.raw[line - 1],
                    read.iter()
                        .filter(|s| s.line == line)
                        .map(|s| s.text)
                        .collect::<Vec<_>>()
                );
            }
        }
    }

    /// The copy changed as an editor or a broken template might change it: directions
    /// swapped, figures changed, lines hard-wrapped, Markdown structure added, front matter.
    fn variants(text: &str) -> Vec<(&'static str, String)> {
        let swapped = text
            .replace("rose", "\u{0}")
            .replace("fell", "rose")
            .replace('\u{0}', "fell");
        let figures: String = text
            .chars()
            .map(|c| match c {
                '4' => '7',
                '1' => '2',
                c => c,
            })
            .collect();
        let mut wrapped = String::new();
        for line in text.lines() {
            let mut width = 0;
            for word in line.split(' ') {
                if width > 0 && width + word.len() > 60 {
                    wrapped.push('\n');
                    width = 0;
                } else if width > 0 {
                    wrapped.push(' ');
                    width += 1;
                }
                wrapped.push_str(word);
                width += word.len();
            }
            wrapped.push('\n');
        }
        let marked: String = text
            .lines()
            .enumerate()
            .map(|(i, l)| match i % 6 {
                1 => format!("1) {l}\n"),
                2 => format!("> {l}\n"),
                3 => format!("+ {l}\n"),
                4 => format!("{l}\n<!-- a note -->\n"),
                5 => format!("####### {l}\r\n"),
                _ => format!("{l}\n"),
            })
            .collect();
        vec![
            ("as drafted", text.to_string()),
            ("directions swapped", swapped),
            ("figures changed", figures),
            ("hard-wrapped", wrapped),
            ("marked up", marked),
            (
                "with front matter",
                format!("---\ntitle: 254.0 per 100,000\n---\n{text}"),
            ),
        ]
    }

    /// Reads a drafted story's copy both ways, as drafted and changed, and the lint's fixture
    /// copy with the story's names: fails on the first sentence read differently, or on a
    /// boundary of the copy reader inside one of the audit's sentences. The sentences read.
    pub(crate) fn reads_as_before(name: &str, story: &crate::story::Story, output: &str) -> usize {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let names = area_names(story);
        let literals = vec!["call 119".to_string()];
        let labels = story_labels(story, &literals);
        let prev = crate::facts::date_forms(story.prev_week.end, story.story_year);
        let mut sentences = 0;
        for (how, text) in variants(output) {
            let what = format!("{name}, {how}");
            sentences += same_reading(&what, &text, &names, &labels, &prev);
        }
        for f in ["clean.md", "slips.md", "published-snippets.txt"] {
            let text = std::fs::read_to_string(root.join("tests/fixtures/lint").join(f))
                .expect("lint fixture");
            let what = format!("{name}, lint fixture {f}");
            sentences += same_reading(&what, &text, &names, &labels, &prev);
        }
        sentences
    }
}
