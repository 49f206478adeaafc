//! The inline text of a block: escapes, code spans, emphasis, links and images.

/// A piece of inline text.
#[derive(Debug, PartialEq)]
pub(super) enum Inline {
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

/// How deep links and emphasis may nest before the rest is read as text: real copy nests
/// two deep at most, and a hostile `[[[[…` must not exhaust the stack.
const MAX_DEPTH: usize = 16;

/// The inline pieces of `chars`.
pub(super) fn inlines(chars: &[char]) -> Vec<Inline> {
    inlines_at(chars, 0)
}

fn inlines_at(chars: &[char], depth: usize) -> Vec<Inline> {
    let nest = depth < MAX_DEPTH;
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
            '!' | '[' if nest => {
                let image = c == '!';
                let open = if image { i + 1 } else { i };
                let found = (chars.get(open) == Some(&'['))
                    .then(|| closing_bracket(chars, open))
                    .flatten()
                    .and_then(|close| link_target(chars, close + 1).map(|t| (close, t)));
                match found {
                    Some((close, (href, title, end))) => {
                        push_text(&mut text, &mut out);
                        let inner = inlines_at(&chars[open + 1..close], depth + 1);
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
            '*' | '_' if nest => {
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
                        let inner = inlines_at(&chars[i + take..close], depth + 1);
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
