//! The pieces of a sidecar's JSON, written straight into the output: the bytes serde_json
//! writes for the same values (the tests hold each to it), without a serializer, a UTF-8
//! check or a formatting call per value. A story's sidecar is a few hundred small values.

use chrono::{Datelike, NaiveDate};

use super::{FactValue, List, RankBy, Scope, StoryDate};
use crate::stats::{Direction, Week};

/// A JSON string, escaped as serde_json escapes it: `"` and `\` and the control characters,
/// nothing else.
pub(super) fn string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    if plain(bytes) {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        // Every byte escaped is ASCII, so `i` is on a character boundary.
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Whether no byte needs escaping, eight bytes at a time: ids, paths and names are
/// most of a sidecar and never do.
fn plain(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Whether any byte of `v` is zero.
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGH != 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        // A control character has none of its top three bits set.
        if zero_byte(w & 0xE0E0_E0E0_E0E0_E0E0)
            || zero_byte(w ^ (ONES * u64::from(b'"')))
            || zero_byte(w ^ (ONES * u64::from(b'\\')))
        {
            return false;
        }
    }
    chunks
        .remainder()
        .iter()
        .all(|&b| b >= 0x20 && b != b'"' && b != b'\\')
}

/// A list of strings.
pub(super) fn strings<S: AsRef<str>>(out: &mut String, items: &[S]) {
    out.push('[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(out, s.as_ref());
    }
    out.push(']');
}

/// An unsigned whole number.
pub(super) fn uint(out: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

/// A whole number.
pub(super) fn int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    uint(out, n.unsigned_abs());
}

/// A day as chrono serialises it, `2021-01-14`; a year outside 0..=9999 the way chrono
/// writes it.
pub(super) fn date(out: &mut String, d: NaiveDate) {
    let year = d.year();
    if !(0..=9999).contains(&year) {
        super::json::json(out, &d);
        return;
    }
    out.push('"');
    day_text(out, d);
    out.push('"');
}

/// A day as `{}` prints it, `2021-01-14`, unquoted.
pub(super) fn day_text(out: &mut String, d: NaiveDate) {
    let year = d.year();
    if !(0..=9999).contains(&year) {
        use std::fmt::Write as _;
        let _ = write!(out, "{d}");
        return;
    }
    pad(out, year as u32, 4);
    out.push('-');
    pad(out, d.month(), 2);
    out.push('-');
    pad(out, d.day(), 2);
}

fn pad(out: &mut String, n: u32, width: u32) {
    for k in (0..width).rev() {
        out.push(char::from(b'0' + (n / 10u32.pow(k) % 10) as u8));
    }
}

/// A week, `{"start":...,"end":...}`.
pub(super) fn week(out: &mut String, w: &Week) {
    out.push_str("{\"start\":");
    date(out, w.start);
    out.push_str(",\"end\":");
    date(out, w.end);
    out.push('}');
}

/// A fact's value: tenths as the decimal serde_json writes for the `f64` (`214.1`, `14.0`).
pub(super) fn value(out: &mut String, v: &FactValue) {
    match *v {
        // Within 2^53 / 10 the double nearest to t / 10 prints as t's digits with one decimal:
        // no shorter decimal is that double, and serde_json keeps the `.0` of a whole number.
        FactValue::Tenths(t) if t.unsigned_abs() < 1 << 49 => {
            if t < 0 {
                out.push('-');
            }
            let abs = t.unsigned_abs();
            uint(out, abs / 10);
            out.push('.');
            out.push(char::from(b'0' + (abs % 10) as u8));
        }
        FactValue::Tenths(_) => super::json::json(out, v),
        FactValue::Int(n) => int(out, n),
        FactValue::Date(d) => date(out, d),
    }
}

/// The names the types' `Serialize` gives their variants, as JSON strings.
pub(super) fn rank_by(b: RankBy) -> &'static str {
    match b {
        RankBy::Rate => "\"rate\"",
        RankBy::RateLow => "\"rate_low\"",
        RankBy::PrevRate => "\"prev_rate\"",
        RankBy::Rise => "\"rise\"",
        RankBy::Fall => "\"fall\"",
    }
}

pub(super) fn list(l: List) -> &'static str {
    match l {
        List::Leaders => "\"leaders\"",
        List::Movers => "\"movers\"",
        List::Core => "\"core\"",
    }
}

pub(super) fn scope(s: Scope) -> &'static str {
    match s {
        Scope::Universe => "\"universe\"",
        Scope::Patch => "\"patch\"",
    }
}

pub(super) fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Up => "\"up\"",
        Direction::Down => "\"down\"",
        Direction::Unchanged => "\"unchanged\"",
    }
}

pub(super) fn story_date(d: StoryDate) -> &'static str {
    match d {
        StoryDate::Release => "\"release\"",
        StoryDate::WeekStart => "\"week_start\"",
        StoryDate::WeekEnd => "\"week_end\"",
        StoryDate::PrevWeekStart => "\"prev_week_start\"",
        StoryDate::PrevWeekEnd => "\"prev_week_end\"",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde<T: serde::Serialize + ?Sized>(v: &T) -> String {
        serde_json::to_string(v).unwrap()
    }

    fn ours(f: impl FnOnce(&mut String)) -> String {
        let mut out = String::new();
        f(&mut out);
        out
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut hostile: String = (0u8..0x80).map(char::from).collect();
        hostile.push_str("é — “quoted” \u{2028} 🦀 \\\" </script>");
        // Each character that needs escaping at each place of an eight-byte word and after.
        let mut placed = Vec::new();
        for c in ['"', '\\', '\n', '\u{1f}', '\0', '\u{7f}', 'é'] {
            for at in 0..20 {
                let mut s = "abcdefghijklmnopqrstu".to_string();
                s.insert(at, c);
                placed.push(s);
            }
        }
        for s in placed.iter().map(String::as_str).chain([
            "",
            "plain",
            "E09000006.rate",
            "Ash 029",
            "a\"b\\c",
            hostile.as_str(),
        ]) {
            assert_eq!(ours(|o| string(o, s)), serde(s), "{s:?}");
        }
        let list = ["a", "b\n", ""];
        assert_eq!(ours(|o| strings(o, &list)), serde(&list));
        assert_eq!(ours(|o| strings::<&str>(o, &[])), serde::<[&str]>(&[]));
    }

    #[test]
    fn numbers_dates_and_weeks_are_written_as_serde_json_writes_them() {
        for n in [0, 1, -1, 9, 10, 99, 100, 12_345, i64::MAX, i64::MIN] {
            assert_eq!(ours(|o| int(o, n)), serde(&n));
            assert_eq!(
                ours(|o| value(o, &FactValue::Int(n))),
                serde(&FactValue::Int(n))
            );
        }
        for t in (-2_000..2_000)
            .chain([
                123_456_789,
                -987_654_321,
                (1 << 49) - 1,
                1 << 49,
                -(1 << 49),
            ])
            .chain([1 << 52, i64::MAX / 3])
        {
            let v = FactValue::Tenths(t);
            assert_eq!(ours(|o| value(o, &v)), serde(&v), "{t}");
        }
        let days = [
            NaiveDate::from_ymd_opt(2021, 1, 14).unwrap(),
            NaiveDate::from_ymd_opt(999, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(0, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(-5, 3, 9).unwrap(),
            NaiveDate::from_ymd_opt(12_345, 6, 7).unwrap(),
            NaiveDate::MIN,
            NaiveDate::MAX,
        ];
        for d in days {
            assert_eq!(ours(|o| date(o, d)), serde(&d));
            assert_eq!(ours(|o| day_text(o, d)), d.to_string());
            assert_eq!(ours(|o| value(o, &FactValue::Date(d))), serde(&d));
            let w = Week { start: d, end: d };
            assert_eq!(ours(|o| week(o, &w)), serde(&w));
        }
    }

    #[test]
    fn enum_names_are_the_ones_serde_gives() {
        for b in [
            RankBy::Rate,
            RankBy::RateLow,
            RankBy::PrevRate,
            RankBy::Rise,
            RankBy::Fall,
        ] {
            assert_eq!(rank_by(b), serde(&b));
        }
        for l in [List::Leaders, List::Movers, List::Core] {
            assert_eq!(list(l), serde(&l));
        }
        for s in [Scope::Universe, Scope::Patch] {
            assert_eq!(scope(s), serde(&s));
        }
        for d in [Direction::Up, Direction::Down, Direction::Unchanged] {
            assert_eq!(direction(d), serde(&d));
        }
        for d in [
            StoryDate::Release,
            StoryDate::WeekStart,
            StoryDate::WeekEnd,
            StoryDate::PrevWeekStart,
            StoryDate::PrevWeekEnd,
        ] {
            assert_eq!(story_date(d), serde(&d));
        }
    }
}
