//! The entries of a newsroom's releases folder that are not read as releases, said aloud.
//!
//! Only a folder named `YYYY-MM-DD`, a real day, is a release. A folder someone named
//! `2021-1-19`, `19-01-2021` or `2021-01-19-fixed` holds a release the run would otherwise
//! pass over without a word, publishing last week's story as if nothing were new; each is a
//! warning naming it. Hidden entries (`.DS_Store`, a copy tool's `.tmp` folder) and names
//! with no digit in them (a `README`, a `notes` folder) cannot be releases and are left alone.

use std::path::Path;

use chrono::NaiveDate;

/// One warning for each entry of `releases` that looks like a release (its name holds a
/// digit) but is not read as one, in name order.
pub(crate) fn misnamed(releases: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(releases) else {
        // An unreadable folder is the release list's error to give.
        return Vec::new();
    };
    let mut found: Vec<(String, bool)> = entries
        .filter_map(Result::ok)
        .map(|e| {
            let is_dir = e.path().is_dir();
            (e.file_name().to_string_lossy().into_owned(), is_dir)
        })
        .collect();
    found.sort();
    found
        .into_iter()
        .filter_map(|(name, is_dir)| {
            let why = why_not_a_release(&name, is_dir)?;
            Some(format!(
                "{} is not read as a release: {why}",
                releases.join(&name).display()
            ))
        })
        .collect()
}

/// Why the entry `name` is not a release, or `None` when it is one or cannot be meant as one.
fn why_not_a_release(name: &str, is_dir: bool) -> Option<String> {
    if name.starts_with('.') || !name.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(date) = crate::model::parse_date(name) {
        return (!is_dir).then(|| {
            format!("it is a file, not a folder; the {date} release goes in a folder of that name")
        });
    }
    let form = "a release folder is named by its day as YYYY-MM-DD and nothing else";
    if is_date_shaped(name) {
        return Some(format!(
            "{name} is not a day in the calendar; {form}, so it is skipped until it is renamed"
        ));
    }
    if let Some(head) = name.get(..10)
        && let Some(date) = crate::model::parse_date(head)
    {
        return Some(format!(
            "its name has more after the date; {form}: rename it {date} if it holds that \
             release"
        ));
    }
    Some(match guess_date(name) {
        Some(date) => format!("{form}: rename it {date} if it holds that release"),
        None => format!("{form} (2021-01-19)"),
    })
}

/// `DDDD-DD-DD` in digits, whether or not a real day.
fn is_date_shaped(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// The day a name in another date form means, for the rename to suggest: three numbers
/// with the year first (`2021-1-19`) or last (`19-01-2021`, a British day-month-year).
fn guess_date(name: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = name
        .split(['-', '_', '.', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if !parts.iter().all(|p| p.bytes().all(|d| d.is_ascii_digit())) {
        return None;
    }
    let (y, m, d) = match (a.len(), c.len()) {
        (4, _) => (a, b, c),
        (_, 4) => (c, b, a),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_not_releases_say_why() {
        assert_eq!(why_not_a_release("2021-01-19", true), None);
        assert_eq!(why_not_a_release(".DS_Store", false), None);
        assert_eq!(why_not_a_release("README", false), None);
        for (name, says) in [
            ("2021-1-19", "rename it 2021-01-19"),
            ("19-01-2021", "rename it 2021-01-19"),
            ("2021-01-19-fixed", "more after the date"),
            ("2021-02-30", "not a day in the calendar"),
            ("release 7", "YYYY-MM-DD"),
        ] {
            let why = why_not_a_release(name, true).unwrap();
            assert!(why.contains(says), "{name}: {why}");
        }
        assert!(
            why_not_a_release("2021-01-19", false)
                .unwrap()
                .contains("a file")
        );
    }
}
