//! The audit's reading of the copy as it was before it took its words and figures as spans of
//! the copy: kept for the tests alone, as the oracle the shared reading must agree with
//! sentence for sentence and token for token.

use super::reading::{NumClass, PRONOUNS, first_bytes, prev_column};
use crate::copy::markdown::{is_table_line, is_table_rule};
use crate::copy::tokens::{date_len, is_foreign_numeral, is_word_char, strip_possessive};
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
            // A numeral other than ASCII 0–9 is read besides the word it is in.
            for (k, d) in word.char_indices().filter(|&(_, d)| is_foreign_numeral(d)) {
                let at = i + k;
                push(
                    T::Num(NumClass::Foreign, d.to_string()),
                    at,
                    at + d.len_utf8(),
                );
            }
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
        let (content_start, marker) = prose_start(raw);
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
/// Where the prose of a line that is not a table row starts: after its indent, heading hashes
/// and list marker; with the byte range of a numbered item's number.
fn prose_start(raw: &str) -> (usize, Option<std::ops::Range<usize>>) {
    let trimmed = raw.trim_start();
    let mut content_start = raw.len() - trimmed.len();
    let hashes = trimmed.bytes().take_while(|&b| b == b'#').count();
    if hashes > 0 && trimmed[hashes..].starts_with(' ') {
        content_start += hashes + 1;
    }
    let body = &raw[content_start..];
    let digits = body.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && body[digits..].starts_with(". ") {
        (
            content_start + digits + 2,
            Some(content_start..content_start + digits),
        )
    } else if body.starts_with("- ") || body.starts_with("* ") {
        (content_start + 2, None)
    } else {
        (content_start, None)
    }
}

mod prose_tests {
    use super::prose_start;

    #[test]
    fn prose_start_table() {
        for (line, start, marker) in [
            ("Bexley rose.", 0, None),
            ("  Bexley rose.", 2, None),
            ("## Bexley", 3, None),
            ("####### Bexley", 8, None),
            ("#Bexley", 0, None),
            ("- Bexley", 2, None),
            ("* Bexley", 2, None),
            ("+ Bexley", 0, None),
            ("12. Bexley", 4, Some(0..2)),
            ("## 3. Bexley", 6, Some(3..4)),
            ("3) Bexley", 0, None),
        ] {
            assert_eq!(prose_start(line), (start, marker), "{line:?}");
        }
    }
}

pub(crate) mod compare {
    use super::super::reading::{self, W};
    use super::super::{
        AuditContext, AuditInput, AuditReport, area_names, audit_with, judge, story_labels,
    };
    use crate::copy::Copy;
    use crate::copy::markdown::split_lines;
    use std::borrow::Cow;

    /// An oracle's sentence as the audit's own, borrowing from it and from its line.
    fn as_read<'o>(
        o: &'o super::Sentence,
        lines: &[&'o str],
        before: Option<usize>,
    ) -> reading::Sentence<'o> {
        let t = |t: &super::T| match t {
            super::T::Word(w) => reading::T::Word(W::owned(w.clone())),
            super::T::Num(c, w) => reading::T::Num(*c, W::owned(w.clone())),
            super::T::Area(k) => reading::T::Area(*k),
            super::T::Open => reading::T::Open,
            super::T::Comma => reading::T::Comma,
            super::T::Semi => reading::T::Semi,
            super::T::Stop => reading::T::Stop,
        };
        reading::Sentence {
            line: o.line,
            text: Cow::Borrowed(o.text.as_str()),
            src: lines[o.line - 1],
            end: lines[o.line - 1].len(),
            toks: o
                .toks
                .iter()
                .map(|k| reading::Tok {
                    t: t(&k.t),
                    start: k.start,
                    end: k.end,
                })
                .collect(),
            carried: o.carried,
            before,
            row: o.row.clone(),
        }
    }

    /// A verdict as a reader of it sees it: each failure's line and message.
    pub(crate) type Verdict = Vec<(usize, String)>;

    fn verdict(report: &AuditReport) -> Verdict {
        report
            .failures
            .iter()
            .map(|f| (f.line, f.message.clone()))
            .collect()
    }

    /// The audit of `input.text` through the shared reader, and through the oracle's reading.
    pub(crate) fn both_ways(input: AuditInput<'_>, literals: &[String]) -> (Verdict, Verdict) {
        let story = input.story;
        let ctx = AuditContext::new(story, &[], input.dataset, input.population, input.patch);
        let shared = audit_with(&ctx, input, &Copy::read(input.text), literals);
        let names = area_names(story, &ctx.escapes);
        let labels = story_labels(story, literals, &ctx.escapes);
        let prev = crate::facts::date_forms(story.prev_week.end, story.story_year);
        let lines = split_lines(input.text);
        let owned_names: Vec<(String, String)> = names
            .iter()
            .map(|(n, c)| (n.to_string(), c.to_string()))
            .collect();
        let owned_labels: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
        let old = super::sentences(&lines, &owned_names, &owned_labels, &prev);
        // The oracle told of the area before a sentence on its line alone.
        let mut last: Option<(usize, usize)> = None;
        let read: Vec<reading::Sentence<'_>> = old
            .iter()
            .map(|o| {
                let before = last.filter(|(line, _)| *line == o.line).map(|(_, a)| a);
                if let Some(a) = o.toks.iter().find_map(|t| match t.t {
                    super::T::Area(k) => Some(k),
                    _ => None,
                }) {
                    last = Some((o.line, a));
                } else if last.is_some_and(|(line, _)| line != o.line) {
                    last = None;
                }
                as_read(o, &lines, before)
            })
            .collect();
        let oracle = judge(&ctx, input, &names, &read);
        (verdict(&shared), verdict(&oracle))
    }

    /// `text` hard-wrapped at 60 columns, as an editor's tool might leave it.
    pub(crate) fn hard_wrapped(text: &str) -> String {
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
        wrapped
    }

    /// The copy changed as an editor or a broken template might change it: directions
    /// swapped, figures changed, Markdown structure added, front matter.
    pub(crate) fn variants(text: &str) -> Vec<(&'static str, String)> {
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
        // Blank lines stay blank: the paragraphs are the story's.
        let marked: String = text
            .lines()
            .enumerate()
            .map(|(i, l)| match i % 6 {
                _ if l.trim().is_empty() => format!("{l}\n"),
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
            ("marked up", marked),
            (
                "with front matter",
                format!("---\ntitle: 254.0 per 100,000\n---\n{text}"),
            ),
        ]
    }
}
