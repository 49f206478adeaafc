//! Sentences about the rest of the patch ("Neither of the other boroughs saw its rate go
//! up"): an "only" said of the area told of just before, in words that must fit the patch's
//! count.

use crate::lang;

use super::super::Auditor;
use super::super::reading::Sentence;

/// How a sentence about the rest of the patch opens: "The other borough ...", "Neither of
/// the other ...", "None of the other ...".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Others {
    /// One other area.
    One,
    /// Two other areas.
    Two,
    /// Three or more.
    Many,
}

/// The opening `words` (the sentence's words, in lower case) make about the rest of the patch,
/// whose areas are called `noun` ("borough", "council area"), if any.
pub(super) fn others_opening(words: &[&str], noun: &str) -> Option<Others> {
    let named = |rest: &[&str]| {
        let noun: Vec<&str> = noun.split_whitespace().collect();
        !noun.is_empty()
            && rest.len() >= noun.len()
            && rest
                .iter()
                .zip(&noun)
                .all(|(w, n)| w.eq_ignore_ascii_case(n))
    };
    match words {
        ["the", "other", rest @ ..] if named(rest) => Some(Others::One),
        ["neither", "of", "the", "other", ..] => Some(Others::Two),
        ["none", "of", "the", "other", ..] => Some(Others::Many),
        _ => None,
    }
}

impl Auditor<'_> {
    /// The area the copy told of last before sentence `s` in its paragraph: the first area of
    /// the last sentence before it that names one, as a pronoun opening a sentence is read.
    pub(super) fn area_before(&self, s: &Sentence) -> Option<usize> {
        s.before
    }

    /// "The other borough", "Neither of the other boroughs", "None of the other boroughs":
    /// the opening must fit the patch's count (two, three, more than three areas with
    /// figures), and the sentence must follow one about an area.
    pub(super) fn check_others(&mut self, s: &Sentence, opening: Others, area: Option<usize>) {
        self.report.claims += 1;
        let total = self.truth.core.len();
        let (fits, said) = match opening {
            Others::One => (total == 2, "the other"),
            Others::Two => (total == 3, "neither of the other"),
            Others::Many => (total > 3, "none of the other"),
        };
        if area.is_none() {
            self.fail(
                s,
                format!("\"{said}\" cannot be checked: no area is told of before it"),
            );
        } else if !fits {
            self.fail(
                s,
                format!(
                    "\"{said}\" is wrong for the patch: it has {} {}",
                    lang::count_words(total as i64),
                    self.input.story.area_noun_plural
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openings_are_read_with_the_patch_noun() {
        let words = |t: &str| t.split(' ').map(str::to_string).collect::<Vec<_>>();
        let read = |t: &str, noun: &str| {
            let w = words(t);
            let w: Vec<&str> = w.iter().map(String::as_str).collect();
            others_opening(&w, noun)
        };
        assert_eq!(
            read("the other council area did not see", "council area"),
            Some(Others::One)
        );
        assert_eq!(
            read("the other borough did not", "borough"),
            Some(Others::One)
        );
        assert_eq!(read("the other council did not", "council area"), None);
        assert_eq!(read("the other", "council area"), None);
        assert_eq!(
            read("neither of the other boroughs", "borough"),
            Some(Others::Two)
        );
        assert_eq!(
            read("none of the other boroughs", "borough"),
            Some(Others::Many)
        );
        assert_eq!(read("none of them", "borough"), None);
    }
}
