//! Words and numbers in house style: every figure the copy prints goes through here.
//!
//! Each function does one thing and is tested on a table of its edge cases (0, 1, 11, 12, 13,
//! 21, 111 ...). The render stage exposes them to templates as filters.

use chrono::{Datelike, NaiveDate};

/// The counts under ten in words, zero first: the house writes these in words.
pub(crate) const NUMBER_WORDS: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
/// The ordinals under ten in words, first first: the house writes these in words.
pub(crate) const ORDINAL_WORDS: [&str; 9] = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
];
/// The weekdays' names, Monday first.
pub(crate) const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
/// The months' names, January first.
pub(crate) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A whole number with thousands separators: `4705` → `4,705`.
///
/// ```
/// assert_eq!(casewire::lang::thousands(4705), "4,705");
/// ```
pub fn thousands(n: i64) -> String {
    let mut out = String::with_capacity(16);
    if n < 0 {
        out.push('-');
    }
    push_grouped(&mut out, n.unsigned_abs());
    out
}

/// Appends `n` with a comma between groups of three digits, without allocating: a story
/// prints dozens of figures, and every one went through `to_string` and `format!` before.
fn push_grouped(out: &mut String, mut n: u64) {
    // 20 digits and 6 commas at most.
    let mut buf = [0u8; 26];
    let mut i = buf.len();
    let mut digits = 0;
    loop {
        if digits > 0 && digits % 3 == 0 {
            i -= 1;
            buf[i] = b',';
        }
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        digits += 1;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).expect("digits and commas are ASCII"));
}

/// A rate in tenths, with one decimal always and thousands separators: `12313` → `1,231.3`.
pub fn rate_tenths(tenths: i64) -> String {
    let abs = tenths.unsigned_abs();
    let mut out = String::with_capacity(16);
    if tenths < 0 {
        out.push('-');
    }
    push_grouped(&mut out, abs / 10);
    out.push('.');
    out.push(char::from(b'0' + (abs % 10) as u8));
    out
}

/// A rate given as a number with (at most) one decimal, printed with exactly one.
///
/// Rates reach templates as `f64` holding tenths exactly (`1231.3`); rounding to the nearest
/// tenth recovers the integer the figure was computed as.
pub fn rate(value: f64) -> String {
    rate_tenths((value * 10.0).round() as i64)
}

/// A whole percentage: `64` → `64%`.
pub(crate) fn percent(n: i64) -> String {
    format!("{n}%")
}

/// A count in words under ten, in figures (with separators) from ten: `5` → `five`, `12` → `12`.
pub(crate) fn count_words(n: i64) -> String {
    match usize::try_from(n) {
        Ok(i) if i < NUMBER_WORDS.len() => NUMBER_WORDS[i].to_string(),
        _ => thousands(n),
    }
}

/// A numeric ordinal: `1st`, `2nd`, `3rd`, `11th`, `12th`, `13th`, `21st`, `111th`.
///
/// ```
/// assert_eq!(casewire::lang::ordinal(12), "12th");
/// assert_eq!(casewire::lang::ordinal(21), "21st");
/// ```
pub fn ordinal(n: i64) -> String {
    let abs = n.unsigned_abs();
    let suffix = match (abs % 10, abs % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    // Pushed rather than formatted: a story's facts print a dozen ranks.
    let mut s = thousands(n);
    s.push_str(suffix);
    s
}

/// An ordinal in words under ten, in figures from ten: `2` → `second`, `12` → `12th`.
pub(crate) fn ordinal_words(n: i64) -> String {
    match usize::try_from(n) {
        Ok(i) if (1..=ORDINAL_WORDS.len()).contains(&i) => ORDINAL_WORDS[i - 1].to_string(),
        _ => ordinal(n),
    }
}

/// A rank before a superlative: `1, "highest"` → `highest`; `2` → `second highest`;
/// `12` → `12th highest`.
pub(crate) fn ranked(rank: i64, superlative: &str) -> String {
    if rank == 1 {
        superlative.to_string()
    } else {
        format!("{} {superlative}", ordinal_words(rank))
    }
}

/// The name of a month, 1-based.
fn month_name(month: u32) -> &'static str {
    MONTHS[(month as usize).saturating_sub(1).min(11)]
}

/// A date as the copy prints it: `January 14`; with the year when it is not `story_year`:
/// `December 30 2020`.
pub fn date(d: NaiveDate, story_year: Option<i32>) -> String {
    let base = format!("{} {}", month_name(d.month()), d.day());
    match story_year {
        Some(y) if y != d.year() => format!("{base} {}", d.year()),
        _ => base,
    }
}

/// The weekday's name.
pub(crate) fn weekday_name(d: NaiveDate) -> &'static str {
    WEEKDAYS[d.weekday().num_days_from_monday() as usize]
}

/// A date with its weekday: `Monday, January 18`.
pub(crate) fn weekday_date(d: NaiveDate, story_year: Option<i32>) -> String {
    format!("{}, {}", weekday_name(d), date(d, story_year))
}

/// The possessive of a name: `Lewisham's`; a name ending in s takes only the apostrophe:
/// `Three Rivers'`.
pub(crate) fn possessive(name: &str) -> String {
    if name.ends_with('s') || name.ends_with('S') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}

/// Items joined as prose: `A`, `A and B`, `A, B and C` (no serial comma, as the house does).
pub(crate) fn list_and<S: AsRef<str>>(items: &[S]) -> String {
    join_last(items, "and")
}

fn join_last<S: AsRef<str>>(items: &[S], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => {
            let head: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} {word} {}", head.join(", "), last.as_ref())
        }
    }
}

/// Items joined as alternatives: `A, B or C`.
pub(crate) fn list_or<S: AsRef<str>>(items: &[S]) -> String {
    join_last(items, "or")
}

/// A noun that agrees with its count: `1, "case", "cases"` → `case`.
pub(crate) fn agree<'a>(n: i64, singular: &'a str, plural: &'a str) -> &'a str {
    if n == 1 { singular } else { plural }
}

/// The regular English plural of a noun, made on its last word: `borough` → `boroughs`,
/// `county` → `counties`, `parish` → `parishes`, `local authority` → `local authorities`.
/// Irregular nouns need their plural given (a patch's `area_noun_plural`).
pub(crate) fn plural(noun: &str) -> String {
    let last = noun.rsplit(' ').next().unwrap_or(noun).to_ascii_lowercase();
    let consonant_y = last
        .strip_suffix('y')
        .and_then(|stem| stem.chars().last())
        .is_some_and(|c| c.is_ascii_alphabetic() && !"aeiou".contains(c));
    if consonant_y {
        return format!("{}ies", &noun[..noun.len() - 1]);
    }
    if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|t| last.ends_with(t))
    {
        return format!("{noun}es");
    }
    format!("{noun}s")
}

/// Upper-cases the first letter only, for a sentence that opens with a lower-case phrase:
/// `south east London` → `South east London`.
pub(crate) fn sentence_case(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Backslash-escapes the characters that could start Markdown or HTML structure. CommonMark
/// lets any ASCII punctuation be escaped; figures and ordinary names hold none of these.
/// A line break in a value becomes a space: a value is one phrase, and a break would let
/// what follows it start a heading, a list or a thematic break. A value starting like a
/// list item or a setext underline (`-`, `+`, `=`, `1.`) has that mark escaped too, since it
/// may be printed at the start of a line; leading spaces and tabs are dropped.
pub(crate) fn markdown_escape(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    // Indentation would make a value printed at the start of a line a code block.
    let input = input.trim_start_matches([' ', '\t']);
    let bytes = input.as_bytes();
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    // A mark only opens a list (or underlines a heading) when a space or the end follows.
    let ends_mark = |i: usize, mark: u8| {
        matches!(bytes.get(i), None | Some(b' ' | b'\t')) || bytes.get(i) == Some(&mark)
    };
    let list_mark = match bytes.first() {
        Some(&m @ (b'-' | b'+' | b'=')) if ends_mark(1, m) => Some(0),
        Some(b'0'..=b'9')
            if matches!(bytes.get(digits), Some(b'.' | b')')) && ends_mark(digits + 1, b' ') =>
        {
            Some(digits)
        }
        _ => None,
    };
    let mut start = 0;
    for (i, c) in input.char_indices() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '{' | '}'
        ) || list_mark == Some(i)
        {
            out.write_all(&input.as_bytes()[start..i])?;
            out.write_all(&[b'\\', c as u8])?;
            start = i + 1;
        } else if matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}') {
            out.write_all(&input.as_bytes()[start..i])?;
            out.write_all(b" ")?;
            start = i + c.len_utf8();
        }
    }
    out.write_all(&input.as_bytes()[start..])
}

/// [`markdown_escape`] into a string, for Markdown built outside the templates.
pub fn markdown_text(input: &str) -> String {
    let mut out = Vec::with_capacity(input.len());
    markdown_escape(input, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("escaping keeps UTF-8")
}

/// A text cell for a CSV a spreadsheet may open: a cell starting with `=`, `+`, `-`, `@`, a
/// tab or a carriage return is read by spreadsheets as a formula (`=HYPERLINK(...)`,
/// `-2+3`), so it gains a leading `'`, which they take as "text" and do not show. Only for
/// text (names, codes): a number casewire formats itself (`-5`, `254.0`) is a number in
/// any spreadsheet, and prefixing it would make it text there and stop `draft --data`
/// reading the file back.
pub fn spreadsheet_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_table() {
        for (n, want) in [
            (0, "0"),
            (1, "1"),
            (11, "11"),
            (999, "999"),
            (1000, "1,000"),
            (4705, "4,705"),
            (12345, "12,345"),
            (111111, "111,111"),
            (1234567, "1,234,567"),
            (-1339, "-1,339"),
        ] {
            assert_eq!(thousands(n), want, "{n}");
        }
    }

    #[test]
    fn rate_table() {
        for (tenths, want) in [
            (0, "0.0"),
            (5, "0.5"),
            (2540, "254.0"),
            (5190, "519.0"),
            (11348, "1,134.8"),
            (12313, "1,231.3"),
            (10000, "1,000.0"),
            (-289, "-28.9"),
        ] {
            assert_eq!(rate_tenths(tenths), want, "{tenths}");
        }
        for (v, want) in [
            (254.0, "254.0"),
            (1231.3, "1,231.3"),
            (0.1, "0.1"),
            (817.5, "817.5"),
        ] {
            assert_eq!(rate(v), want, "{v}");
        }
    }

    #[test]
    fn count_words_table() {
        for (n, want) in [
            (0, "zero"),
            (1, "one"),
            (5, "five"),
            (9, "nine"),
            (10, "10"),
            (11, "11"),
            (1339, "1,339"),
            (-1, "-1"),
        ] {
            assert_eq!(count_words(n), want, "{n}");
        }
    }

    #[test]
    fn ordinal_table() {
        for (n, want) in [
            (1, "1st"),
            (2, "2nd"),
            (3, "3rd"),
            (4, "4th"),
            (10, "10th"),
            (11, "11th"),
            (12, "12th"),
            (13, "13th"),
            (21, "21st"),
            (22, "22nd"),
            (23, "23rd"),
            (101, "101st"),
            (111, "111th"),
            (112, "112th"),
            (113, "113th"),
            (121, "121st"),
            (1001, "1,001st"),
        ] {
            assert_eq!(ordinal(n), want, "{n}");
        }
        for (n, want) in [
            (1, "first"),
            (2, "second"),
            (3, "third"),
            (9, "ninth"),
            (10, "10th"),
            (12, "12th"),
            (0, "0th"),
        ] {
            assert_eq!(ordinal_words(n), want, "{n}");
        }
    }

    #[test]
    fn ranked_table() {
        for (n, want) in [
            (1, "highest"),
            (2, "second highest"),
            (3, "third highest"),
            (12, "12th highest"),
            (21, "21st highest"),
        ] {
            assert_eq!(ranked(n, "highest"), want, "{n}");
        }
    }

    #[test]
    fn date_table() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(date(d("2021-01-14"), Some(2021)), "January 14");
        assert_eq!(date(d("2021-08-23"), None), "August 23");
        assert_eq!(date(d("2020-12-30"), Some(2021)), "December 30 2020");
        assert_eq!(date(d("2021-09-01"), Some(2021)), "September 1");
        assert_eq!(weekday_date(d("2021-03-08"), Some(2021)), "Monday, March 8");
        assert_eq!(
            weekday_date(d("2021-01-18"), Some(2021)),
            "Monday, January 18"
        );
    }

    #[test]
    fn possessive_table() {
        for (name, want) in [
            ("Lewisham", "Lewisham's"),
            ("Hackney and City of London", "Hackney and City of London's"),
            ("Three Rivers", "Three Rivers'"),
            ("St Albans", "St Albans'"),
        ] {
            assert_eq!(possessive(name), want);
        }
    }

    #[test]
    fn plural_table() {
        for (noun, want) in [
            ("borough", "boroughs"),
            ("district", "districts"),
            ("county", "counties"),
            ("city", "cities"),
            ("local authority", "local authorities"),
            ("council area", "council areas"),
            ("parish", "parishes"),
            ("county borough", "county boroughs"),
            ("health board", "health boards"),
            ("way", "ways"),
            ("valley", "valleys"),
            ("box", "boxes"),
            ("area", "areas"),
        ] {
            assert_eq!(plural(noun), want, "{noun}");
        }
    }

    #[test]
    fn list_and_table() {
        let empty: [&str; 0] = [];
        assert_eq!(list_and(&empty), "");
        assert_eq!(list_and(&["Bexley"]), "Bexley");
        assert_eq!(list_and(&["Bexley", "Bromley"]), "Bexley and Bromley");
        assert_eq!(
            list_and(&["Bexley", "Bromley", "Greenwich"]),
            "Bexley, Bromley and Greenwich"
        );
        assert_eq!(
            list_or(&["\"Bexley\"", "\"Brent\""]),
            "\"Bexley\" or \"Brent\""
        );
    }

    #[test]
    fn agreement_and_case() {
        assert_eq!(agree(1, "case", "cases"), "case");
        assert_eq!(agree(0, "case", "cases"), "cases");
        assert_eq!(agree(2, "case", "cases"), "cases");
        assert_eq!(sentence_case("south east London"), "South east London");
        assert_eq!(sentence_case(""), "");
    }
}
