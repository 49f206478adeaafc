//! casewire's house-style filters for templates, and the tidying of rendered text.

use chrono::NaiveDate;
use tera::{Kwargs, State, Tera};

use super::marks::{LITERAL_CLOSE, LITERAL_OPEN};
use crate::lang;

fn date_arg(value: &str) -> tera::TeraResult<NaiveDate> {
    crate::model::parse_date(value)
        .ok_or_else(|| tera::Error::message(format!("\"{value}\" is not a date (YYYY-MM-DD)")))
}

fn story_year(kwargs: &Kwargs, state: &State) -> tera::TeraResult<Option<i32>> {
    match kwargs.get::<i32>("year")? {
        Some(y) => Ok(Some(y)),
        None => state.get::<i32>("story_year"),
    }
}

pub(super) fn register_filters(tera: &mut Tera) {
    tera.register_filter("thousands", |n: i64, _: Kwargs, _: &State| {
        lang::thousands(n)
    });
    tera.register_filter("rate", |v: f64, _: Kwargs, _: &State| lang::rate(v));
    tera.register_filter("percent", |n: i64, _: Kwargs, _: &State| lang::percent(n));
    tera.register_filter("count_words", |n: i64, _: Kwargs, _: &State| {
        lang::count_words(n)
    });
    tera.register_filter("ordinal", |n: i64, _: Kwargs, _: &State| lang::ordinal(n));
    tera.register_filter("ordinal_words", |n: i64, _: Kwargs, _: &State| {
        lang::ordinal_words(n)
    });
    tera.register_filter(
        "ranked",
        |n: i64, kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
            let word = kwargs.get::<&str>("word")?.unwrap_or("highest");
            Ok(lang::ranked(n, word))
        },
    );
    tera.register_filter(
        "date",
        |d: &str, kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
            Ok(lang::date(date_arg(d)?, story_year(&kwargs, state)?))
        },
    );
    tera.register_filter(
        "weekday_date",
        |d: &str, kwargs: Kwargs, state: &State| -> tera::TeraResult<String> {
            Ok(lang::weekday_date(
                date_arg(d)?,
                story_year(&kwargs, state)?,
            ))
        },
    );
    tera.register_filter(
        "weekday",
        |d: &str, _: Kwargs, _: &State| -> tera::TeraResult<String> {
            Ok(lang::weekday_name(date_arg(d)?).to_string())
        },
    );
    tera.register_filter("possessive", |s: &str, _: Kwargs, _: &State| {
        lang::possessive(s)
    });
    tera.register_filter("list_and", |items: Vec<String>, _: Kwargs, _: &State| {
        lang::list_and(&items)
    });
    tera.register_filter(
        "agree",
        |n: i64, kwargs: Kwargs, _: &State| -> tera::TeraResult<String> {
            let one = kwargs.must_get::<&str>("one")?;
            let many = kwargs.must_get::<&str>("many")?;
            Ok(lang::agree(n, one, many).to_string())
        },
    );
    tera.register_filter("sentence_case", |s: &str, _: Kwargs, _: &State| {
        lang::sentence_case(s)
    });
    // Fixed text ("call 119"): printed between marks that the renderer removes, giving the
    // checks each phrase the story printed as fixed text (`marks::take_literals`).
    tera.register_filter("literal", |s: &str, _: Kwargs, _: &State| {
        format!("{LITERAL_OPEN}{s}{LITERAL_CLOSE}")
    });
}

/// The phrases the templates mark as fixed text: each string literal piped through the
/// `literal` filter (`{{ "call 119" | literal }}`), in order of first use.
pub(super) fn find_literals<'s>(sources: impl Iterator<Item = &'s str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for text in sources {
        let mut rest = text;
        while let Some(at) = rest.find("| literal") {
            let before = rest[..at].trim_end();
            let after = &rest[at + "| literal".len()..];
            rest = after;
            // Only a filter named exactly `literal`, on a quoted string.
            if after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let Some(quote) = before
                .chars()
                .next_back()
                .filter(|c| matches!(c, '"' | '\'' | '`'))
            else {
                continue;
            };
            let body = &before[..before.len() - 1];
            if let Some(open) = body.rfind(quote) {
                let phrase = &body[open + 1..];
                if !phrase.is_empty() && !out.iter().any(|p| p == phrase) {
                    out.push(phrase.to_string());
                }
            }
        }
    }
    out
}

/// Collapses the blank lines that conditional blocks leave, trims trailing spaces and ends the
/// text with exactly one newline, so a template can be laid out for reading.
pub(crate) fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    // `memchr` rather than `lines()`: the same lines, found faster in short text.
    let mut start = 0;
    let mut breaks = memchr::memchr_iter(b'\n', text.as_bytes());
    while start <= text.len() {
        let end = breaks.next().unwrap_or(text.len());
        let line = text[start..end].trim_end();
        start = end + 1;
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() && blank_run > 0 {
            out.push('\n');
        }
        blank_run = 0;
        out.push_str(line);
        out.push('\n');
    }
    out
}
