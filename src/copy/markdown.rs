//! Markdown lines as copy: which lines are front matter, headings, list items, table rows or
//! prose, and the stretches of lines that read as one block.

use std::borrow::Cow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Blank,
    FrontMatter,
    Heading,
    ListItem,
    Table,
    Text,
}

pub(crate) struct Line<'t> {
    pub(crate) kind: Kind,
    /// The line with Markdown markers blanked to spaces, so byte offsets match the source:
    /// borrowed from it when there is nothing to blank, as in most lines of prose.
    pub(crate) content: Cow<'t, str>,
}

/// The text's lines, without their line ends (`\n` or `\r\n`).
pub(crate) fn split_lines(text: &str) -> Vec<&str> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect()
}

/// Each line's kind, with its Markdown markers blanked.
pub(crate) fn classify<'t>(raw: &[&'t str]) -> Vec<Line<'t>> {
    let mut lines: Vec<Line> = Vec::with_capacity(raw.len());
    // Front matter only counts at the very top, closed by a second `---` (or `...`).
    let mut front_end = None;
    if raw
        .first()
        .is_some_and(|l| l.trim_start_matches('\u{feff}').trim() == "---")
    {
        front_end = raw
            .iter()
            .skip(1)
            .position(|l| matches!(l.trim(), "---" | "..."))
            .map(|p| p + 1);
    }
    for (i, line) in raw.iter().enumerate() {
        if front_end.is_some_and(|end| i <= end) {
            lines.push(Line {
                kind: Kind::FrontMatter,
                content: Cow::Borrowed(""),
            });
            continue;
        }
        lines.push(classify_line(line));
    }
    lines
}

pub(crate) fn blank(s: &mut String, range: std::ops::Range<usize>) {
    let spaces = " ".repeat(range.len());
    s.replace_range(range, &spaces);
}

pub(crate) fn classify_line(line: &str) -> Line<'_> {
    // A byte-order mark (EF BB BF) is blanked to three spaces; most lines hold none, and are
    // borrowed without a search for it.
    let mut content = if memchr::memchr(0xEF, line.as_bytes()).is_some() {
        Cow::Owned(line.replace('\u{feff}', "   "))
    } else {
        Cow::Borrowed(line)
    };
    let mut at = content.len() - content.trim_start().len();
    // Block quotes wrap any other kind.
    while content[at..].starts_with('>') {
        blank(content.to_mut(), at..at + 1);
        at = content.len() - content.trim_start().len();
    }
    let rest = &content[at..];
    let trimmed = rest.trim_end();
    if trimmed.is_empty() || is_thematic_break(trimmed) {
        return Line {
            kind: Kind::Blank,
            content,
        };
    }
    let hashes = rest.bytes().take_while(|b| *b == b'#').count();
    if (1..=6).contains(&hashes)
        && rest[hashes..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace)
    {
        blank(content.to_mut(), at..at + hashes);
        return Line {
            kind: Kind::Heading,
            content,
        };
    }
    if rest.starts_with('|') {
        return Line {
            kind: Kind::Table,
            content,
        };
    }
    if let Some(len) = list_marker(rest) {
        blank(content.to_mut(), at..at + len);
        return Line {
            kind: Kind::ListItem,
            content,
        };
    }
    Line {
        kind: Kind::Text,
        content,
    }
}

/// Whether a line is a rule: three or more of one of `-`, `*` or `_`, spaces allowed.
pub(crate) fn is_thematic_break(s: &str) -> bool {
    let mut marks = s.chars().filter(|c| !c.is_whitespace());
    let Some(first @ ('-' | '*' | '_')) = marks.next() else {
        return false;
    };
    let mut n = 1;
    for c in marks {
        if c != first {
            return false;
        }
        n += 1;
    }
    n >= 3
}

/// Length of a list marker (`- `, `* `, `+ `, `1. `, `1) `) at the start of `s`.
pub(crate) fn list_marker(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let followed_by_space = |i: usize| b.get(i).is_none_or(|c| *c == b' ' || *c == b'\t');
    if matches!(b.first(), Some(b'-' | b'*' | b'+')) && b.len() > 1 && followed_by_space(1) {
        return Some(1);
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if (1..=9).contains(&digits)
        && matches!(b.get(digits), Some(b'.' | b')'))
        && b.len() > digits + 1
        && followed_by_space(digits + 1)
    {
        return Some(digits + 1);
    }
    None
}

/// Consecutive lines read as one stretch of copy: a paragraph, a list item, a heading or a
/// table row.
pub(crate) fn blocks(lines: &[Line]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut open = false;
    for (i, line) in lines.iter().enumerate() {
        match line.kind {
            Kind::Blank | Kind::FrontMatter => open = false,
            Kind::Heading | Kind::Table => {
                out.push(vec![i]);
                open = false;
            }
            Kind::ListItem => {
                out.push(vec![i]);
                open = true;
            }
            Kind::Text => {
                match out.last_mut() {
                    Some(block) if open => block.push(i),
                    _ => out.push(vec![i]),
                }
                open = true;
            }
        }
    }
    out
}

/// Whether a line is a row of a Markdown table.
pub(crate) fn is_table_line(line: &str) -> bool {
    line.trim_start().starts_with('|')
}

/// Whether a table line is the rule under the header (`|---|:--|`).
pub(crate) fn is_table_rule(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.contains('-') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_kinds() {
        let raw = split_lines("---\ntitle: x\n---\n# Head\r\n- item\n| a | b |\n\ntext");
        assert_eq!(raw[3], "# Head");
        let kinds: Vec<Kind> = classify(&raw).iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::FrontMatter,
                Kind::FrontMatter,
                Kind::FrontMatter,
                Kind::Heading,
                Kind::ListItem,
                Kind::Table,
                Kind::Blank,
                Kind::Text,
            ]
        );
        assert!(is_table_rule("|---|:--|") && !is_table_rule("| a | b |"));
    }
}
