//! The blocks of casewire's Markdown: headings, paragraphs, lists, thematic breaks and pipe
//! tables, each holding its inline text still as Markdown.

/// A block of the document.
#[derive(Debug, PartialEq)]
pub(super) enum Block {
    Heading(u8, String),
    Paragraph(String),
    List {
        start: Option<u64>,
        items: Vec<String>,
        loose: bool,
    },
    Rule,
    Table {
        align: Vec<Align>,
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Align {
    None,
    Left,
    Center,
    Right,
}

/// How a line opens a list item: its number (none for a bullet), its bullet or delimiter, and
/// the item's text.
fn list_item(line: &str) -> Option<(Option<u64>, char, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let mut chars = rest.chars();
    let first = chars.next()?;
    let (number, mark, after) = if matches!(first, '-' | '*' | '+') {
        (None, first, &rest[1..])
    } else {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        let mark = rest[digits..].chars().next()?;
        if !matches!(mark, '.' | ')') {
            return None;
        }
        (
            Some(rest[..digits].parse().ok()?),
            mark,
            &rest[digits + 1..],
        )
    };
    if after.is_empty() {
        return Some((number, mark, ""));
    }
    if !after.starts_with([' ', '\t']) {
        return None;
    }
    Some((number, mark, after.trim()))
}

fn heading(line: &str) -> Option<(u8, String)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let level = rest.bytes().take_while(|&b| b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let after = &rest[level..];
    if !after.is_empty() && !after.starts_with([' ', '\t']) {
        return None;
    }
    let mut text = after.trim();
    // A closing run of `#` goes, when a space stands before it.
    let trimmed = text.trim_end_matches('#');
    if trimmed.is_empty() {
        text = "";
    } else if trimmed.len() < text.len() && trimmed.ends_with([' ', '\t']) {
        text = trimmed.trim_end();
    }
    Some((level as u8, text.to_string()))
}

fn is_rule(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let indent = line.len() - line.trim_start_matches(' ').len();
    indent <= 3 && t.len() >= 3 && ['-', '*', '_'].iter().any(|&m| t.chars().all(|c| c == m))
}

/// A setext underline: `===` (level 1) or `---` (level 2) under a paragraph.
fn setext(line: &str) -> Option<u8> {
    let t = line.trim();
    if t.is_empty() || line.len() - line.trim_start_matches(' ').len() > 3 {
        None
    } else if t.chars().all(|c| c == '=') {
        Some(1)
    } else if t.chars().all(|c| c == '-') {
        Some(2)
    } else {
        None
    }
}

/// The cells of a table row, split at the `|` that are not escaped or in a code span.
fn cells(line: &str) -> Vec<String> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = if t.ends_with('|') && !t.ends_with("\\|") {
        &t[..t.len() - 1]
    } else {
        t
    };
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut chars = t.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                match chars.next() {
                    // `\|` is a pipe in the cell, not an edge; other escapes stay for the
                    // inline reader.
                    Some('|') => cell.push('|'),
                    Some(next) => {
                        cell.push('\\');
                        cell.push(next);
                    }
                    None => cell.push('\\'),
                }
            }
            '|' => out.push(std::mem::take(&mut cell).trim().to_string()),
            c => cell.push(c),
        }
    }
    out.push(cell.trim().to_string());
    out
}

fn delimiter_row(line: &str) -> Option<Vec<Align>> {
    if !line.contains('-') {
        return None;
    }
    let cells = cells(line);
    cells
        .iter()
        .map(|c| {
            let left = c.starts_with(':');
            let right = c.ends_with(':');
            let dashes = c.trim_matches(':');
            if dashes.is_empty() || !dashes.chars().all(|ch| ch == '-') {
                return None;
            }
            Some(match (left, right) {
                (true, true) => Align::Center,
                (true, false) => Align::Left,
                (false, true) => Align::Right,
                (false, false) => Align::None,
            })
        })
        .collect()
}

fn has_pipe(line: &str) -> bool {
    let b = line.as_bytes();
    (0..b.len()).any(|i| b[i] == b'|' && (i == 0 || b[i - 1] != b'\\'))
}

pub(super) fn blocks(markdown: &str) -> Vec<Block> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, out: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            let text: Vec<&str> = paragraph.iter().map(|l| l.trim()).collect();
            out.push(Block::Paragraph(text.join("\n")));
            paragraph.clear();
        }
    };
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() {
            flush(&mut paragraph, &mut out);
            i += 1;
            continue;
        }
        if !paragraph.is_empty()
            && let Some(level) = setext(line)
        {
            let text: Vec<&str> = paragraph.iter().map(|l| l.trim()).collect();
            out.push(Block::Heading(level, text.join("\n")));
            paragraph.clear();
            i += 1;
            continue;
        }
        if let Some((level, text)) = heading(line) {
            flush(&mut paragraph, &mut out);
            out.push(Block::Heading(level, text));
            i += 1;
            continue;
        }
        if is_rule(line) {
            flush(&mut paragraph, &mut out);
            out.push(Block::Rule);
            i += 1;
            continue;
        }
        if paragraph.is_empty()
            && has_pipe(line)
            && let Some(align) = lines.get(i + 1).and_then(|l| delimiter_row(l))
        {
            let head = cells(line);
            if head.len() == align.len() {
                let mut rows = Vec::new();
                i += 2;
                while i < lines.len() && !lines[i].trim().is_empty() && has_pipe(lines[i]) {
                    rows.push(cells(lines[i]));
                    i += 1;
                }
                out.push(Block::Table { align, head, rows });
                continue;
            }
        }
        if let Some((start, mark, text)) = list_item(line)
            // A numbered list interrupts a paragraph only from 1, and an empty item never
            // does (CommonMark), so "in 2021. The" wrapped at the number stays prose.
            && (paragraph.is_empty() || (start.is_none_or(|n| n == 1) && !text.is_empty()))
        {
            flush(&mut paragraph, &mut out);
            let mut items = vec![text.to_string()];
            let mut loose = false;
            let mut blank = false;
            i += 1;
            while i < lines.len() {
                let next = lines[i];
                if next.trim().is_empty() {
                    blank = true;
                    i += 1;
                    continue;
                }
                if let Some((n, m, t)) = list_item(next)
                    && m == mark
                    && n.is_some() == start.is_some()
                    && !is_rule(next)
                {
                    loose |= blank;
                    blank = false;
                    items.push(t.to_string());
                    i += 1;
                    continue;
                }
                let indented = next.starts_with("  ") || next.starts_with('\t');
                // An indented line continues the item; so does a plain line right after it
                // (a lazy continuation), unless it opens a block of its own.
                let lazy = !blank
                    && heading(next).is_none()
                    && !is_rule(next)
                    && list_item(next).is_none();
                if indented && !blank || lazy {
                    let item = items.last_mut().expect("a list has an item");
                    item.push('\n');
                    item.push_str(next.trim());
                    i += 1;
                    continue;
                }
                break;
            }
            out.push(Block::List {
                start,
                items,
                loose,
            });
            continue;
        }
        paragraph.push(line);
        i += 1;
    }
    flush(&mut paragraph, &mut out);
    out
}
