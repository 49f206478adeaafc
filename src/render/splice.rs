//! Which partials print only what every story of a week shares, so that an every-area run can
//! render them once a week and splice the text into each story instead of running them again.
//!
//! The test is made on the templates' text, conservatively: a partial is shared when every
//! name it reads before binding it is a week-wide field of the story, when no template binds
//! such a name (which would change what the partial sees), and when nothing the partial
//! assigns is read by another template. Anything the scan does not follow makes the answer
//! "not shared", which only costs speed.

use std::collections::{BTreeMap, BTreeSet};

/// What a scan of one template found.
#[derive(Debug, Default)]
pub(super) struct Scan {
    /// Names read before the template binds them.
    pub free: BTreeSet<String>,
    /// Names assigned with `set` or `set_global`, which an including template can see.
    pub assigned: BTreeSet<String>,
    /// Every name bound: `for` variables, `set` targets, component arguments.
    pub bound: BTreeSet<String>,
    /// `{% include "NAME" %}` tags: where they are, and what they include.
    pub includes: Vec<Include>,
    /// Whether the template includes, extends or defines blocks or components: a partial that
    /// does is not rendered on its own.
    pub structural: bool,
}

/// One include tag in a template's text.
#[derive(Debug, Clone)]
pub(super) struct Include {
    /// Byte range of the whole tag, `{%` to `%}`.
    pub range: std::ops::Range<usize>,
    /// Whether the tag trims the whitespace before and after it (`{%-`, `-%}`).
    pub trim: (bool, bool),
    /// The template it includes.
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok<'a> {
    Ident(&'a str),
    Literal,
    Op(&'a str),
}

/// Splits an expression into names, literals and operators; `None` if a string is not closed.
fn lex(text: &str) -> Option<Vec<Tok<'_>>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if matches!(c, b'"' | b'\'' | b'`') {
            let end = text[i + 1..].find(c as char)?;
            out.push(Tok::Literal);
            i += end + 2;
        } else if c.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
            out.push(Tok::Literal);
        } else if c == b'_' || c.is_ascii_alphabetic() {
            let start = i;
            while i < bytes.len() && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric()) {
                i += 1;
            }
            out.push(Tok::Ident(&text[start..i]));
        } else {
            let two = text.get(i..i + 2).unwrap_or("");
            let len = if matches!(two, "==" | "!=" | "<=" | ">=" | "//" | "**") {
                2
            } else {
                text[i..].chars().next().map_or(1, char::len_utf8)
            };
            out.push(Tok::Op(&text[i..i + len]));
            i += len;
        }
    }
    Some(out)
}

/// Words of the template language that are not variables.
const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "is", "if", "else", "true", "false", "True", "False", "none", "None",
];

/// Scopes of bound names: the template's own, then one per open `for` or component.
struct Scopes(Vec<BTreeSet<String>>);

impl Scopes {
    fn bound(&self, name: &str) -> bool {
        self.0.iter().any(|s| s.contains(name))
    }
}

/// The names an expression reads, skipping attributes, filters, tests, keyword arguments,
/// functions and component names.
fn reads<'a>(toks: &[Tok<'a>]) -> Vec<&'a str> {
    let mut out = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        let Tok::Ident(name) = *t else { continue };
        let before = k.checked_sub(1).map(|j| toks[j]);
        let before2 = k.checked_sub(2).map(|j| toks[j]);
        let after = toks.get(k + 1).copied();
        let skip = KEYWORDS.contains(&name)
            || matches!(before, Some(Tok::Op("." | "|")))
            || matches!(before, Some(Tok::Ident("is")))
            || matches!(
                (before2, before),
                (Some(Tok::Ident("is")), Some(Tok::Ident("not")))
            )
            || matches!(after, Some(Tok::Op("=" | "(")));
        if !skip {
            out.push(name);
        }
    }
    out
}

/// Finds the end of a `{{ ... }}` or `{% ... %}` region that opens at `start`: the closing
/// pair outside strings and braces. Returns the index just past it.
fn region_end(src: &str, start: usize, close: &str) -> Option<usize> {
    let bytes = src.as_bytes();
    let mut i = start + 2;
    let mut depth = 0usize;
    while i < bytes.len() {
        let c = bytes[i];
        if matches!(c, b'"' | b'\'' | b'`') {
            i += src[i + 1..].find(c as char)? + 2;
            continue;
        }
        if depth == 0 && src[i..].starts_with(close) {
            return Some(i + 2);
        }
        if depth == 0 && c == b'-' && src[i + 1..].starts_with(close) {
            return Some(i + 3);
        }
        match c {
            b'{' => depth += 1,
            b'}' => depth = depth.checked_sub(1)?,
            _ => {}
        }
        i += 1;
    }
    None
}

/// Reads a template's text. `None` when it holds something the scan does not follow.
pub(super) fn scan(src: &str) -> Option<Scan> {
    let mut out = Scan::default();
    let mut scopes = Scopes(vec![BTreeSet::new()]);
    let read = |names: Vec<&str>, scopes: &Scopes, out: &mut Scan| {
        for n in names {
            if !scopes.bound(n) {
                out.free.insert(n.to_string());
            }
        }
    };
    let mut i = 0;
    while let Some(off) = src[i..].find('{') {
        let at = i + off;
        match src.as_bytes().get(at + 1) {
            Some(b'#') => {
                i = at + 2 + src[at + 2..].find("#}")? + 2;
                continue;
            }
            Some(b'{') | Some(b'%') => {}
            _ => {
                i = at + 1;
                continue;
            }
        }
        let is_tag = src.as_bytes()[at + 1] == b'%';
        let end = region_end(src, at, if is_tag { "%}" } else { "}}" })?;
        let inner = &src[at + 2..end - 2];
        let trim_left = inner.starts_with('-');
        let trim_right = inner.ends_with('-');
        let inner = inner.strip_prefix('-').unwrap_or(inner);
        let inner = inner.strip_suffix('-').unwrap_or(inner);
        let toks = lex(inner)?;
        i = end;
        if !is_tag {
            // A component call, `{{<name a={x}/>}}` or its closing `{{</name>}}`: the name is
            // the component's.
            let toks = match toks.as_slice() {
                [Tok::Op("<"), Tok::Op("/"), Tok::Ident(_), rest @ ..]
                | [Tok::Op("<"), Tok::Ident(_), rest @ ..] => rest,
                all => all,
            };
            read(reads(toks), &scopes, &mut out);
            continue;
        }
        let Some(Tok::Ident(tag)) = toks.first().copied() else {
            return None;
        };
        let rest = &toks[1..];
        match tag {
            // What a branch sets is bound in that branch only: after `endif`, or in another
            // branch, the name may be the includer's.
            "if" => {
                read(reads(rest), &scopes, &mut out);
                scopes.0.push(BTreeSet::new());
            }
            "elif" | "else" => {
                if scopes.0.len() < 2 {
                    return None;
                }
                scopes.0.pop();
                read(reads(rest), &scopes, &mut out);
                scopes.0.push(BTreeSet::new());
            }
            "endif" if rest.is_empty() => {
                if scopes.0.len() < 2 {
                    return None;
                }
                scopes.0.pop();
            }
            "break" | "continue" | "endset" | "endfilter" if rest.is_empty() => {}
            "for" => {
                let split = rest.iter().position(|t| *t == Tok::Ident("in"))?;
                // What is looped over is read before the loop's names are bound.
                read(reads(&rest[split + 1..]), &scopes, &mut out);
                let mut scope = BTreeSet::from(["loop".to_string()]);
                for t in &rest[..split] {
                    match t {
                        Tok::Ident(n) => {
                            scope.insert((*n).to_string());
                            out.bound.insert((*n).to_string());
                        }
                        Tok::Op(",") => {}
                        _ => return None,
                    }
                }
                scopes.0.push(scope);
            }
            "endfor" | "endcomponent" => {
                if scopes.0.len() < 2 {
                    return None;
                }
                scopes.0.pop();
            }
            "set" | "set_global" => {
                let Some(Tok::Ident(name)) = rest.first().copied() else {
                    return None;
                };
                read(reads(rest.get(2..).unwrap_or(&[])), &scopes, &mut out);
                // `set_global` reaches further, but only once it has run: counting it bound
                // where it stands is the safe reading.
                scopes
                    .0
                    .last_mut()
                    .expect("never empty")
                    .insert(name.to_string());
                out.bound.insert(name.to_string());
                out.assigned.insert(name.to_string());
            }
            "include" => {
                let [Tok::Literal] = rest else { return None };
                let name = inner.trim().strip_prefix("include")?.trim();
                let name = name
                    .strip_prefix('"')
                    .and_then(|n| n.strip_suffix('"'))?
                    .to_string();
                out.includes.push(Include {
                    range: at..end,
                    trim: (trim_left, trim_right),
                    name,
                });
                out.structural = true;
            }
            "extends" | "endblock" => out.structural = true,
            "block" => out.structural = true,
            "filter" => read(reads(&rest[1.min(rest.len())..]), &scopes, &mut out),
            "component" => {
                // A definition: its arguments are its own names (and its body sees no other).
                out.structural = true;
                let scope: BTreeSet<String> = rest
                    .iter()
                    .skip(1)
                    .filter_map(|t| match t {
                        Tok::Ident(n) => Some((*n).to_string()),
                        _ => None,
                    })
                    .collect();
                out.bound.extend(scope.iter().cloned());
                scopes.0.push(scope);
            }
            "raw" => {
                // Literal text up to the closing tag: nothing in it is read.
                let close = src[i..].find("endraw")?;
                i += close;
                i += src[i..].find("%}")? + 2;
            }
            _ => return None,
        }
    }
    (scopes.0.len() == 1).then_some(out)
}

/// The partials that can be rendered once for all stories sharing `shared_names`, among
/// `sources` (every template, by name), and for each story template the text with those
/// partials' include tags replaced by a variable holding their text: `(partial names in
/// variable order, story template name -> rewritten text)`.
pub(super) fn plan(
    sources: &BTreeMap<String, String>,
    shared_names: &[&str],
    variable: impl Fn(usize) -> String,
) -> (Vec<String>, BTreeMap<String, String>) {
    let scans: BTreeMap<&String, Option<Scan>> =
        sources.iter().map(|(n, t)| (n, scan(t))).collect();
    // A template the scan cannot follow might bind or read anything.
    let all_understood = scans.values().all(Option::is_some);
    let bound_anywhere: BTreeSet<&String> =
        scans.values().flatten().flat_map(|s| &s.bound).collect();
    let shared: Vec<&String> = scans
        .iter()
        .filter(|(name, scan)| {
            let Some(scan) = scan else { return false };
            name.starts_with("partials/")
                && all_understood
                && !scan.structural
                // Filters read the story's year through the template's state.
                && scan
                    .free
                    .iter()
                    .map(String::as_str)
                    .chain(["story_year"])
                    .all(|n| shared_names.contains(&n) && !bound_anywhere.contains(&n.to_string()))
                && scan.assigned.iter().all(|a| {
                    scans
                        .iter()
                        .filter(|(other, _)| other != name)
                        .all(|(_, s)| s.as_ref().is_some_and(|s| !s.free.contains(a)))
                })
        })
        .map(|(name, _)| *name)
        .collect();
    let mut used: Vec<String> = Vec::new();
    let mut rewritten = BTreeMap::new();
    for (name, scan) in &scans {
        let Some(scan) = scan else { continue };
        if name.contains('/') {
            continue;
        }
        let text = &sources[*name];
        let mut out = String::with_capacity(text.len());
        let mut from = 0;
        for inc in &scan.includes {
            if !shared.contains(&&inc.name) {
                continue;
            }
            let k = used.iter().position(|u| *u == inc.name).unwrap_or_else(|| {
                used.push(inc.name.clone());
                used.len() - 1
            });
            out.push_str(&text[from..inc.range.start]);
            out.push_str(&format!(
                "{{{{{} {} | safe {}}}}}",
                if inc.trim.0 { "-" } else { "" },
                variable(k),
                if inc.trim.1 { "-" } else { "" },
            ));
            from = inc.range.end;
        }
        if from > 0 {
            out.push_str(&text[from..]);
            rewritten.insert((*name).clone(), out);
        }
    }
    (used, rewritten)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free(src: &str) -> Vec<String> {
        scan(src).expect("understood").free.into_iter().collect()
    }

    #[test]
    fn reads_names_not_attributes_filters_tests_or_arguments() {
        assert_eq!(
            free(
                "{{ a.name | possessive }} {% if b is number and c.d > 0 %}{{ e | agree(one=\"x\", many=f) }}{% endif %}"
            ),
            ["a", "b", "c", "e", "f"]
        );
        assert_eq!(free("{{<movement a={l}/>}} {{ range(end=3) }}"), ["l"]);
    }

    #[test]
    fn loop_and_set_names_are_bound_only_where_they_are() {
        let s = scan(
            "{% for x in xs %}{{ x }}{{ loop.index }}{% endfor %}{{ x }}{% set y = z %}{{ y }}",
        )
        .unwrap();
        assert_eq!(s.free.iter().collect::<Vec<_>>(), ["x", "xs", "z"]);
        assert!(s.assigned.contains("y"));
        // Read before it is set: the includer's value.
        assert!(free("{{ y }}{% set y = 1 %}").contains(&"y".to_string()));
    }

    #[test]
    fn a_name_set_in_one_branch_is_not_bound_in_another_or_after() {
        assert_eq!(
            free("{% if c %}{% set y = 1 %}{{ y }}{% else %}{{ y }}{% endif %}{{ y }}"),
            ["c", "y"]
        );
        assert_eq!(free("{% if c %}{% set y = 1 %}{{ y }}{% endif %}"), ["c"]);
        // A loop's names are not bound in its `else`.
        assert_eq!(
            free("{% for x in xs %}{% else %}{{ x }}{% endfor %}"),
            ["x", "xs"]
        );
    }

    #[test]
    fn includes_are_found_with_their_trimming() {
        let s = scan("a {%- include \"partials/x.md\" %} b").unwrap();
        assert_eq!(s.includes.len(), 1);
        assert_eq!(s.includes[0].name, "partials/x.md");
        assert_eq!(s.includes[0].trim, (true, false));
    }

    #[test]
    fn what_is_not_followed_is_not_shared() {
        assert!(scan("{% macro m() %}{% endmacro %}").is_none());
        assert!(scan("{{ \"unclosed }}").is_none());
        assert!(scan("{% for x in y %}").is_none());
    }

    #[test]
    fn a_comparison_reads_both_sides() {
        assert_eq!(free("{% if a < b %}{% endif %}"), ["a", "b"]);
    }

    /// Every built-in partial but the components prints only what a week shares, and every
    /// story template includes them spliced.
    #[test]
    fn the_built_in_partials_are_shared() {
        let sources: BTreeMap<String, String> = crate::render::BUILTIN
            .iter()
            .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
            .collect();
        let (used, rewritten) = plan(&sources, &crate::story::WeekPart::FIELDS, |k| {
            format!("__p{k}")
        });
        let mut used = used;
        used.sort();
        assert_eq!(
            used,
            [
                "partials/hospital.md",
                "partials/leaders.md",
                "partials/method.md",
                "partials/movers.md",
                "partials/national.md",
                "partials/nations.md",
                "partials/provenance.md",
            ]
        );
        for story in ["area.md", "by-area.md", "weekly-roundup.md"] {
            assert!(!rewritten[story].contains("{% include"), "{story}");
        }
    }

    fn sources(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
            .collect()
    }

    #[test]
    fn a_partial_reading_a_per_story_name_is_not_shared() {
        let (used, rewritten) = plan(
            &sources(&[
                (
                    "s.md",
                    "{% include \"partials/a.md\" %}{% include \"partials/b.md\" %}",
                ),
                ("partials/a.md", "{{ universe.name }}"),
                ("partials/b.md", "{{ core[0].name }}"),
            ]),
            &["universe", "story_year"],
            |k| format!("__p{k}"),
        );
        assert_eq!(used, ["partials/a.md"]);
        assert_eq!(
            rewritten["s.md"],
            "{{ __p0 | safe }}{% include \"partials/b.md\" %}"
        );
    }

    #[test]
    fn a_shared_name_rebound_anywhere_makes_its_readers_not_shared() {
        let (used, _) = plan(
            &sources(&[
                (
                    "s.md",
                    "{% set universe = core[0] %}{% include \"partials/a.md\" %}",
                ),
                ("partials/a.md", "{{ universe.name }}"),
            ]),
            &["universe", "story_year"],
            |k| format!("__p{k}"),
        );
        assert!(used.is_empty());
    }

    #[test]
    fn a_partial_whose_assignment_is_read_elsewhere_is_not_shared() {
        let (used, _) = plan(
            &sources(&[
                ("s.md", "{% include \"partials/a.md\" %}{{ m }}"),
                ("partials/a.md", "{% set m = universe %}{{ m.name }}"),
            ]),
            &["universe", "story_year"],
            |k| format!("__p{k}"),
        );
        assert!(used.is_empty());
    }
}
