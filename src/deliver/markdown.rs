//! The Markdown casewire writes, as HTML and as plain text, for a CMS that takes either.
//!
//! Not a general CommonMark engine: it reads what the templates and `lang::markdown_text`
//! produce (ATX and setext headings, paragraphs, `-`/`*`/`+` and numbered lists, thematic
//! breaks, GitHub pipe tables, `**strong**`, `*em*`/`_em_`, code spans, links, images and
//! backslash escapes), and for that Markdown its HTML is what a CommonMark renderer gives
//! (the tests compare it with pulldown-cmark on real stories). Anything else is text.
//!
//! What comes out is safe to put in a page whatever went in: every character of the copy is
//! escaped, raw HTML is never passed through (`<b>` prints as `&lt;b&gt;`), and a link or an
//! image whose address is not `http`, `https`, `mailto` or relative keeps its text but
//! loses the address (`javascript:` cannot reach a reader's browser through a CMS).

/// Relative addresses (the chart `chart.svg` beside the story) resolved against a base, so
/// that a body read away from its bundle still finds them.
pub type Resolve<'a> = &'a dyn Fn(&str) -> String;

/// A block of the document.
#[derive(Debug, PartialEq)]
enum Block {
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
enum Align {
    None,
    Left,
    Center,
    Right,
}

/// A piece of inline text.
#[derive(Debug, PartialEq)]
enum Inline {
    Text(String),
    SoftBreak,
    Code(String),
    Strong(Vec<Inline>),
    Em(Vec<Inline>),
    Link {
        text: Vec<Inline>,
        href: String,
        title: Option<String>,
    },
    Image {
        alt: Vec<Inline>,
        src: String,
        title: Option<String>,
    },
}

/// The document as HTML: one element a block, each on its own line, as CommonMark renders.
pub fn to_html(markdown: &str, resolve: Resolve<'_>) -> String {
    let mut out = String::new();
    for block in blocks(markdown) {
        match block {
            Block::Heading(level, text) => {
                out.push_str(&format!(
                    "<h{level}>{}</h{level}>\n",
                    inline_html(&text, resolve)
                ));
            }
            Block::Paragraph(text) => {
                out.push_str(&format!("<p>{}</p>\n", inline_html(&text, resolve)));
            }
            Block::List {
                start,
                items,
                loose,
            } => {
                let tag = match start {
                    None => "ul".to_string(),
                    Some(1) => "ol".to_string(),
                    Some(n) => format!("ol start=\"{n}\""),
                };
                out.push_str(&format!("<{tag}>\n"));
                for item in items {
                    let html = inline_html(&item, resolve);
                    if loose {
                        out.push_str(&format!("<li>\n<p>{html}</p>\n</li>\n"));
                    } else {
                        out.push_str(&format!("<li>{html}</li>\n"));
                    }
                }
                out.push_str(if start.is_some() {
                    "</ol>\n"
                } else {
                    "</ul>\n"
                });
            }
            Block::Rule => out.push_str("<hr />\n"),
            Block::Table { align, head, rows } => {
                let cell = |tag: &str, i: usize, text: &str| {
                    let style = match align.get(i).copied().unwrap_or(Align::None) {
                        Align::None => "",
                        Align::Left => " style=\"text-align: left\"",
                        Align::Center => " style=\"text-align: center\"",
                        Align::Right => " style=\"text-align: right\"",
                    };
                    format!("<{tag}{style}>{}</{tag}>", inline_html(text, resolve))
                };
                out.push_str("<table><thead><tr>");
                for (i, h) in head.iter().enumerate() {
                    out.push_str(&cell("th", i, h));
                }
                out.push_str("</tr></thead><tbody>\n");
                for row in &rows {
                    out.push_str("<tr>");
                    // A row is as wide as the header: missing cells are empty, extra ones go.
                    for i in 0..head.len() {
                        out.push_str(&cell("td", i, row.get(i).map_or("", String::as_str)));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody></table>\n");
            }
        }
    }
    out
}

/// The document as plain text: blocks apart by a blank line, list items marked as in the
/// Markdown, table cells apart by ` | `, links as `text (address)`, images left out (the
/// chart travels beside the text).
pub fn to_plain(markdown: &str, resolve: Resolve<'_>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for block in blocks(markdown) {
        let text = match block {
            Block::Heading(_, text) | Block::Paragraph(text) => inline_plain(&text, resolve),
            Block::List { start, items, .. } => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let mark = match start {
                        None => "-".to_string(),
                        Some(n) => format!("{}.", n + i as u64),
                    };
                    format!("{mark} {}", inline_plain(item, resolve))
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Rule => continue,
            Block::Table { head, rows, .. } => std::iter::once(&head)
                .chain(&rows)
                .map(|row| {
                    row.iter()
                        .map(|c| inline_plain(c, resolve))
                        .collect::<Vec<_>>()
                        .join(" | ")
                })
                .collect::<Vec<_>>()
                .join("\n"),
        };
        if !text.trim().is_empty() {
            parts.push(text);
        }
    }
    parts.join("\n\n")
}

/// One line of Markdown (a headline, a standfirst) as plain text.
pub fn inline_to_plain(markdown: &str) -> String {
    let text = inline_plain(markdown.trim(), &|href: &str| href.to_string());
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------
// Blocks.

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

fn blocks(markdown: &str) -> Vec<Block> {
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

// ---------------------------------------------------------------------------------------------
// Inlines.

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
}

/// Where the code span opening at `at` (a run of backticks) closes: the content's range and
/// the end of the closing run.
fn code_span(chars: &[char], at: usize) -> Option<(usize, usize, usize)> {
    let run = chars[at..].iter().take_while(|&&c| c == '`').count();
    let mut j = at + run;
    while j < chars.len() {
        if chars[j] == '`' {
            let close = chars[j..].iter().take_while(|&&c| c == '`').count();
            if close == run {
                return Some((at + run, j, j + close));
            }
            j += close;
        } else {
            j += 1;
        }
    }
    None
}

/// The closing `]` of the bracket opening at `at`.
fn closing_bracket(chars: &[char], at: usize) -> Option<usize> {
    let mut depth = 0;
    let mut j = at;
    while j < chars.len() {
        match chars[j] {
            '\\' => j += 1,
            '`' => {
                if let Some((_, _, end)) = code_span(chars, j) {
                    j = end;
                    continue;
                }
            }
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
        j += 1;
    }
    None
}

/// `(destination "title")` from `at` (the `(`): the destination, the title and the end.
fn link_target(chars: &[char], at: usize) -> Option<(String, Option<String>, usize)> {
    if chars.get(at) != Some(&'(') {
        return None;
    }
    let mut j = at + 1;
    while chars.get(j).is_some_and(|c| c.is_whitespace()) {
        j += 1;
    }
    let mut dest = String::new();
    if chars.get(j) == Some(&'<') {
        j += 1;
        while let Some(&c) = chars.get(j) {
            match c {
                '>' => break,
                '\n' | '<' => return None,
                '\\' if chars.get(j + 1).is_some_and(|&n| is_punct(n)) => {
                    dest.push(chars[j + 1]);
                    j += 1;
                }
                c => dest.push(c),
            }
            j += 1;
        }
        if chars.get(j) != Some(&'>') {
            return None;
        }
        j += 1;
    } else {
        let mut parens = 0;
        while let Some(&c) = chars.get(j) {
            match c {
                c if c.is_whitespace() => break,
                '(' => parens += 1,
                ')' if parens == 0 => break,
                ')' => parens -= 1,
                '\\' if chars.get(j + 1).is_some_and(|&n| is_punct(n)) => {
                    dest.push(chars[j + 1]);
                    j += 2;
                    continue;
                }
                _ => {}
            }
            dest.push(c);
            j += 1;
        }
    }
    while chars.get(j).is_some_and(|c| c.is_whitespace()) {
        j += 1;
    }
    let mut title = None;
    if let Some(&open) = chars.get(j)
        && matches!(open, '"' | '\'' | '(')
    {
        let close = if open == '(' { ')' } else { open };
        let mut t = String::new();
        j += 1;
        loop {
            match chars.get(j) {
                None => return None,
                Some(&c) if c == close => break,
                Some('\\') if chars.get(j + 1).is_some_and(|&n| is_punct(n)) => {
                    t.push(chars[j + 1]);
                    j += 1;
                }
                Some(&c) => t.push(c),
            }
            j += 1;
        }
        title = Some(t);
        j += 1;
        while chars.get(j).is_some_and(|c| c.is_whitespace()) {
            j += 1;
        }
    }
    if chars.get(j) != Some(&')') {
        return None;
    }
    Some((dest, title, j + 1))
}

/// Where the emphasis opened by `run` (`*`, `**`, `_` or `__`) at `at` closes.
fn closing_delimiter(chars: &[char], at: usize, mark: char, run: usize) -> Option<usize> {
    let mut j = at + run;
    while j < chars.len() {
        match chars[j] {
            '\\' => j += 2,
            '`' => match code_span(chars, j) {
                Some((_, _, end)) => j = end,
                None => j += 1,
            },
            '[' => match closing_bracket(chars, j) {
                Some(end) => j = end + 1,
                None => j += 1,
            },
            c if c == mark => {
                let len = chars[j..].iter().take_while(|&&c| c == mark).count();
                let before_ok = !chars[j - 1].is_whitespace();
                let after = chars.get(j + len).copied();
                let after_ok = mark == '*' || !after.is_some_and(char::is_alphanumeric);
                // `**` closes on a run of two or more; `*` on a lone one, so that the strong
                // inside an em is passed over.
                if before_ok && after_ok && j > at + run && (len == run || (run == 1 && len >= 3)) {
                    return Some(j);
                }
                j += len;
            }
            _ => j += 1,
        }
    }
    None
}

fn inlines(chars: &[char]) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut text = String::new();
    let push_text = |text: &mut String, out: &mut Vec<Inline>| {
        if !text.is_empty() {
            out.push(Inline::Text(std::mem::take(text)));
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if chars.get(i + 1).is_some_and(|&n| is_punct(n)) => {
                text.push(chars[i + 1]);
                i += 2;
            }
            '\n' => {
                // Trailing spaces of a line are not text.
                let kept = text.trim_end_matches(' ').len();
                text.truncate(kept);
                push_text(&mut text, &mut out);
                out.push(Inline::SoftBreak);
                i += 1;
                while chars.get(i) == Some(&' ') {
                    i += 1;
                }
            }
            '`' => {
                if let Some((from, to, end)) = code_span(chars, i) {
                    push_text(&mut text, &mut out);
                    let mut code: String = chars[from..to]
                        .iter()
                        .map(|&c| if c == '\n' { ' ' } else { c })
                        .collect();
                    if code.len() >= 2
                        && code.starts_with(' ')
                        && code.ends_with(' ')
                        && !code.trim().is_empty()
                    {
                        code = code[1..code.len() - 1].to_string();
                    }
                    out.push(Inline::Code(code));
                    i = end;
                } else {
                    let run = chars[i..].iter().take_while(|&&c| c == '`').count();
                    text.extend(std::iter::repeat_n('`', run));
                    i += run;
                }
            }
            '!' | '[' => {
                let image = c == '!';
                let open = if image { i + 1 } else { i };
                let found = (chars.get(open) == Some(&'['))
                    .then(|| closing_bracket(chars, open))
                    .flatten()
                    .and_then(|close| link_target(chars, close + 1).map(|t| (close, t)));
                match found {
                    Some((close, (href, title, end))) => {
                        push_text(&mut text, &mut out);
                        let inner = inlines(&chars[open + 1..close]);
                        out.push(if image {
                            Inline::Image {
                                alt: inner,
                                src: href,
                                title,
                            }
                        } else {
                            Inline::Link {
                                text: inner,
                                href,
                                title,
                            }
                        });
                        i = end;
                    }
                    None => {
                        text.push(c);
                        i += 1;
                    }
                }
            }
            '*' | '_' => {
                let run = chars[i..].iter().take_while(|&&m| m == c).count();
                let take = if run >= 2 { 2 } else { 1 };
                let next = chars.get(i + take).copied();
                let prev = if i == 0 { None } else { Some(chars[i - 1]) };
                let opens = next.is_some_and(|n| !n.is_whitespace())
                    && (c == '*' || !prev.is_some_and(char::is_alphanumeric));
                match opens
                    .then(|| closing_delimiter(chars, i, c, take))
                    .flatten()
                {
                    Some(close) => {
                        push_text(&mut text, &mut out);
                        let inner = inlines(&chars[i + take..close]);
                        out.push(if take == 2 {
                            Inline::Strong(inner)
                        } else {
                            Inline::Em(inner)
                        });
                        i = close + take;
                    }
                    None => {
                        text.extend(std::iter::repeat_n(c, run));
                        i += run;
                    }
                }
            }
            c => {
                text.push(c);
                i += 1;
            }
        }
    }
    push_text(&mut text, &mut out);
    out
}

/// Escapes text for HTML, as CommonMark renderers do (`&`, `<`, `>`, `"`).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// An address as an attribute: characters a URL may not hold percent-encoded, `&` and `'`
/// as entities.
fn escape_href(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#x27;"),
            c if c.is_ascii_alphanumeric() || "-_.!*(),%#@?=;:/+$~".contains(c) => out.push(c),
            c => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

/// Whether an address may be followed from a reader's page: the web, mail, or relative.
fn safe_href(href: &str) -> bool {
    let scheme_end = href.find(':');
    let first_stop = href.find(['/', '?', '#']);
    match scheme_end {
        Some(at) if first_stop.is_none_or(|stop| at < stop) => {
            let scheme = href[..at].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
        _ => true,
    }
}

fn plain_of(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::SoftBreak => out.push(' '),
            Inline::Strong(inner) | Inline::Em(inner) => out.push_str(&plain_of(inner)),
            Inline::Link { text, .. } => out.push_str(&plain_of(text)),
            Inline::Image { alt, .. } => out.push_str(&plain_of(alt)),
        }
    }
    out
}

fn render_html(inlines: &[Inline], resolve: Resolve<'_>, out: &mut String) {
    for i in inlines {
        match i {
            Inline::Text(t) => out.push_str(&escape_html(t)),
            Inline::SoftBreak => out.push('\n'),
            Inline::Code(t) => out.push_str(&format!("<code>{}</code>", escape_html(t))),
            Inline::Strong(inner) => {
                out.push_str("<strong>");
                render_html(inner, resolve, out);
                out.push_str("</strong>");
            }
            Inline::Em(inner) => {
                out.push_str("<em>");
                render_html(inner, resolve, out);
                out.push_str("</em>");
            }
            Inline::Link { text, href, title } => {
                if !safe_href(href) {
                    render_html(text, resolve, out);
                    continue;
                }
                out.push_str(&format!("<a href=\"{}\"", escape_href(&resolve(href))));
                if let Some(t) = title {
                    out.push_str(&format!(" title=\"{}\"", escape_html(t)));
                }
                out.push('>');
                render_html(text, resolve, out);
                out.push_str("</a>");
            }
            Inline::Image { alt, src, title } => {
                if !safe_href(src) {
                    out.push_str(&escape_html(&plain_of(alt)));
                    continue;
                }
                out.push_str(&format!(
                    "<img src=\"{}\" alt=\"{}\"",
                    escape_href(&resolve(src)),
                    escape_html(&plain_of(alt))
                ));
                if let Some(t) = title {
                    out.push_str(&format!(" title=\"{}\"", escape_html(t)));
                }
                out.push_str(" />");
            }
        }
    }
}

fn render_plain(inlines: &[Inline], resolve: Resolve<'_>, out: &mut String) {
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::SoftBreak => out.push(' '),
            Inline::Strong(inner) | Inline::Em(inner) => render_plain(inner, resolve, out),
            Inline::Link { text, href, .. } => {
                let words = plain_of(text);
                out.push_str(&words);
                if safe_href(href) {
                    let href = resolve(href);
                    if words != href {
                        out.push_str(&format!(" ({href})"));
                    }
                }
            }
            Inline::Image { .. } => {}
        }
    }
}

fn inline_html(text: &str, resolve: Resolve<'_>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    render_html(&inlines(&chars), resolve, &mut out);
    out
}

fn inline_plain(text: &str, resolve: Resolve<'_>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    render_plain(&inlines(&chars), resolve, &mut out);
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str) -> String {
        to_html(md, &|h: &str| h.to_string())
    }

    fn plain(md: &str) -> String {
        to_plain(md, &|h: &str| h.to_string())
    }

    #[test]
    fn blocks_of_casewire_copy_become_elements() {
        let md = "# Rates fall\n\nFirst paragraph\nwraps.\n\n## Bexley\n\nThe 10 areas:\n\n1. Epping Forest (down)\n2. Redbridge (down)\n\n- one\n- two\n\n---\n\n![Chart of rates](chart.svg)\n";
        assert_eq!(
            html(md),
            "<h1>Rates fall</h1>\n<p>First paragraph\nwraps.</p>\n<h2>Bexley</h2>\n<p>The 10 areas:</p>\n<ol>\n<li>Epping Forest (down)</li>\n<li>Redbridge (down)</li>\n</ol>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<hr />\n<p><img src=\"chart.svg\" alt=\"Chart of rates\" /></p>\n"
        );
        assert_eq!(
            plain(md),
            "Rates fall\n\nFirst paragraph wraps.\n\nBexley\n\nThe 10 areas:\n\n1. Epping Forest (down)\n2. Redbridge (down)\n\n- one\n- two"
        );
    }

    #[test]
    fn inline_marks_links_and_escapes() {
        assert_eq!(
            html("**Bold** and *em* and _em_ and `code` and [the data](table.csv \"CSV\")"),
            "<p><strong>Bold</strong> and <em>em</em> and <em>em</em> and <code>code</code> and <a href=\"table.csv\" title=\"CSV\">the data</a></p>\n"
        );
        assert_eq!(
            html(r"St Helen\'s \*not em\* 5 \* 3 snake_case_name"),
            "<p>St Helen's *not em* 5 * 3 snake_case_name</p>\n"
        );
        assert_eq!(
            html("*a **b** c*"),
            "<p><em>a <strong>b</strong> c</em></p>\n"
        );
        assert_eq!(
            plain("[the data](table.csv) and **x**"),
            "the data (table.csv) and x"
        );
        assert_eq!(
            inline_to_plain(r"Covid-19 in Barking \& Dagenham\!"),
            "Covid-19 in Barking & Dagenham!"
        );
    }

    #[test]
    fn html_in_the_copy_is_text_and_unsafe_addresses_are_dropped() {
        assert_eq!(
            html("<script>alert(1)</script> & \"q\""),
            "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;</p>\n"
        );
        assert_eq!(
            html("[click](javascript:alert(1)) ![x](JavaScript:alert(1))"),
            "<p>click x</p>\n"
        );
        assert_eq!(plain("[click](javascript:alert(1))"), "click");
        assert_eq!(
            html("[a](https://x.example/?a=1&b='2')"),
            "<p><a href=\"https://x.example/?a=1&amp;b=&#x27;2&#x27;\">a</a></p>\n"
        );
    }

    #[test]
    fn pipe_tables_with_alignment() {
        let md = "| Area | Rate |\n|:--|--:|\n| Bexley | 691.9 |\n| A \\| B | 1 |\n";
        assert_eq!(
            html(md),
            "<table><thead><tr><th style=\"text-align: left\">Area</th><th style=\"text-align: right\">Rate</th></tr></thead><tbody>\n<tr><td style=\"text-align: left\">Bexley</td><td style=\"text-align: right\">691.9</td></tr>\n<tr><td style=\"text-align: left\">A | B</td><td style=\"text-align: right\">1</td></tr>\n</tbody></table>\n"
        );
        assert_eq!(plain(md), "Area | Rate\nBexley | 691.9\nA | B | 1");
    }

    #[test]
    fn relative_addresses_are_resolved() {
        let resolve = |h: &str| format!("https://files.example/b/{h}");
        assert_eq!(
            to_html("![c](chart.svg)", &resolve),
            "<p><img src=\"https://files.example/b/chart.svg\" alt=\"c\" /></p>\n"
        );
    }

    #[test]
    fn a_numbered_line_inside_a_paragraph_stays_prose() {
        assert_eq!(html("rates in\n2021. The"), "<p>rates in\n2021. The</p>\n");
        assert_eq!(html("Heading\n==="), "<h1>Heading</h1>\n");
        assert_eq!(html("Sub\n---"), "<h2>Sub</h2>\n");
    }
}
