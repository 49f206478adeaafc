//! The words the audit tells apart in every sentence: direction words, the words that join
//! clauses, number and ordinal words. Each is asked of every word of a story, so each tells
//! words apart by their first letter (and length) before comparing any.

use super::NumClass;
#[cfg(doc)]
use crate::lang::{NUMBER_WORDS, ORDINAL_WORDS};
use crate::stats::Direction;

/// The direction a word says: "up", "rose", "risen", "rise", "climbed", "increase" and their
/// forms; "down", "fell", "fallen", "fall", "dropped", "decrease" and theirs; "unchanged",
/// "steady", "same".
pub(in crate::audit) fn direction_word(w: &str) -> Option<Direction> {
    // Told apart by the first letter, then compared with the words it may begin.
    match w.as_bytes().first()? {
        b'u' => match w {
            "up" => Some(Direction::Up),
            "unchanged" => Some(Direction::Unchanged),
            _ => None,
        },
        b'r' => {
            matches!(w, "rose" | "risen" | "rise" | "rises" | "rising").then_some(Direction::Up)
        }
        b'c' => matches!(w, "climbed" | "climb" | "climbs" | "climbing").then_some(Direction::Up),
        b'i' => matches!(w, "increase" | "increased" | "increases" | "increasing")
            .then_some(Direction::Up),
        b'd' => matches!(
            w,
            "down"
                | "dropped"
                | "drop"
                | "drops"
                | "dropping"
                | "decrease"
                | "decreased"
                | "decreases"
                | "decreasing"
        )
        .then_some(Direction::Down),
        b'f' => {
            matches!(w, "fell" | "fallen" | "fall" | "falls" | "falling").then_some(Direction::Down)
        }
        b's' => matches!(w, "steady" | "same").then_some(Direction::Unchanged),
        _ => None,
    }
}

/// Whether a word joins two clauses ("and", "while", "but", "with", "whereas").
pub(in crate::audit) fn clause_word(w: &str) -> bool {
    // Every word of a sentence is asked: told apart by the first letter before any is compared.
    match w.as_bytes().first() {
        Some(b'a') => w == "and",
        Some(b'b') => w == "but",
        Some(b'w') => matches!(w, "while" | "with" | "whereas"),
        _ => false,
    }
}

/// Whether a lower-case word is a number word ("seven") or an ordinal word ("third"), as
/// [`NUMBER_WORDS`] and [`ORDINAL_WORDS`] list them: a match, so a story's every word is not
/// compared with each of them in turn.
pub(in crate::audit) fn number_word(word: &str) -> Option<NumClass> {
    // Every word of a story is asked: told apart by length and first letter, most words are
    // compared with none of the number words, and the rest with one or two.
    let &first = word.as_bytes().first()?;
    let (number, ordinal) = match (word.len(), first) {
        (3, b'o') => (word == "one", false),
        (3, b't') => (word == "two", false),
        (3, b's') => (word == "six", false),
        (4, b'z') => (word == "zero", false),
        (4, b'f') => (matches!(word, "four" | "five"), false),
        (4, b'n') => (word == "nine", false),
        (5, b't') => (word == "three", word == "third"),
        (5, b's') => (word == "seven", word == "sixth"),
        (5, b'e') => (word == "eight", false),
        (5, b'f') => (false, matches!(word, "first" | "fifth")),
        (5, b'n') => (false, word == "ninth"),
        (6, b's') => (false, word == "second"),
        (6, b'f') => (false, word == "fourth"),
        (6, b'e') => (false, word == "eighth"),
        (7, b's') => (false, word == "seventh"),
        _ => (false, false),
    };
    if number {
        Some(NumClass::Word)
    } else if ordinal {
        Some(NumClass::OrdinalWord)
    } else {
        None
    }
}
