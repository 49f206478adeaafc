//! Numbers in words beyond the ones the facts print ("zero"–"nine", "first"–"ninth"):
//! cardinals from "ten" ("twenty-one", "hundreds", "a million", "dozens", "a score of") and
//! fractions used as quantities ("half of", "a third of", "two thirds", "three quarters").
//! The facts print such numbers in figures, so a template or an editor that writes one in
//! words prints a figure nothing checks unless the audit reads it too.

use super::reading::{NumClass, Sentence, T, number_word};

/// What a number in words is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// "twenty-one", "hundreds", "a million": traced to a fact printed so, if any is.
    Cardinal,
    /// "half of", "a third of", "two thirds": no fact is a fraction.
    Fraction,
}

/// A number in words read at one token of a sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct InWords<'s> {
    pub(super) kind: Kind,
    /// The token's word, lower case.
    pub(super) word: &'s str,
    /// The word before it that the number includes ("a" million, "two" thirds, "nine"
    /// hundred), if any.
    pub(super) lead: Option<&'s str>,
}

impl InWords<'_> {
    /// Why the number fails when no fact is printed so.
    pub(super) fn message(&self) -> String {
        let quoted = match self.lead {
            Some(lead) => format!("{lead} {}", self.word),
            None => self.word.to_string(),
        };
        format!("prints \"{quoted}\", a number in words the audit cannot trace")
    }
}

/// Cardinals from ten up, one word each.
const TEENS: [&str; 10] = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
/// Words that scale a number, always quantities: "hundreds of", "a million", "dozens".
const SCALES: [&str; 10] = [
    "hundred",
    "hundreds",
    "thousand",
    "thousands",
    "million",
    "millions",
    "billion",
    "billions",
    "dozen",
    "dozens",
];
/// The parts of a fraction.
const PARTS: [&str; 6] = ["half", "halves", "third", "thirds", "quarter", "quarters"];
/// Words before "half of" that make it a part of something, not a quantity: "the second half
/// of January", "the top half of the table".
const NOT_A_SHARE: [&str; 10] = [
    "first", "second", "other", "top", "bottom", "upper", "lower", "latter", "former", "last",
];

/// Whether a lower-case word is a cardinal of ten or more: "ten", "ninety", "twenty-one",
/// "hundreds", or a hyphenated compound of number words with one of them ("two-hundred").
fn cardinal(w: &str) -> bool {
    let big = |p: &str| TEENS.contains(&p) || TENS.contains(&p) || SCALES.contains(&p);
    if big(w) {
        return true;
    }
    hyphenated(w)
        && w.split('-').any(big)
        && w.split('-')
            .all(|p| big(p) || matches!(number_word(p), Some(NumClass::Word)))
}

/// Whether the word holds a hyphen: found by byte, as most words are short and hold none.
fn hyphenated(w: &str) -> bool {
    w.as_bytes().contains(&b'-')
}

/// Whether a lower-case word may be, or be part of, a number in words: one of the words above
/// or a hyphenated one. Every word of every sentence is asked, so it is one `match` (by length,
/// then bytes) rather than a search of each list.
fn may_be_number(w: &str) -> bool {
    // The letters a number word, or the first part of a hyphenated one ("a-half", "one-third",
    // "twenty-one"), starts with: most words of a story start with another.
    let Some(first) = w.bytes().next() else {
        return false;
    };
    if !matches!(
        first,
        b'a' | b'b' | b'd' | b'e' | b'f' | b'h' | b'm' | b'n' | b'o' | b'q' | b's' | b't' | b'z'
    ) {
        return false;
    }
    matches!(
        w,
        "ten"
            | "eleven"
            | "twelve"
            | "thirteen"
            | "fourteen"
            | "fifteen"
            | "sixteen"
            | "seventeen"
            | "eighteen"
            | "nineteen"
            | "twenty"
            | "thirty"
            | "forty"
            | "fifty"
            | "sixty"
            | "seventy"
            | "eighty"
            | "ninety"
            | "hundred"
            | "hundreds"
            | "thousand"
            | "thousands"
            | "million"
            | "millions"
            | "billion"
            | "billions"
            | "dozen"
            | "dozens"
            | "score"
            | "scores"
            | "half"
            | "halves"
            | "third"
            | "thirds"
            | "quarter"
            | "quarters"
    ) || hyphenated(w)
}

/// Whether a lower-case word is a fraction in one hyphenated word: "two-thirds", "one-half".
fn hyphenated_fraction(w: &str) -> bool {
    match w.split_once('-') {
        Some((n, part)) => {
            PARTS.contains(&part) && (n == "a" || matches!(number_word(n), Some(NumClass::Word)))
        }
        None => false,
    }
}

/// The word of token `j` of `s`, lower case, if it is one (a number word too).
fn word_at<'s>(s: &'s Sentence<'_>, j: Option<usize>) -> Option<&'s str> {
    match &s.toks.get(j?)?.t {
        T::Word(w) | T::Num(NumClass::Word | NumClass::OrdinalWord, w) => Some(w.as_str()),
        _ => None,
    }
}

/// The number in words token `i` of `s` prints, if it prints one. "one another", "for the
/// first time", "the second half of", "a third wave", "a score" of a test are prose.
pub(super) fn in_words<'s>(s: &'s Sentence<'_>, i: usize) -> Option<InWords<'s>> {
    let word = word_at(s, Some(i))?;
    // Told apart by length first: most words of a story are no number and compare with none.
    if !(3..=13).contains(&word.len()) || !may_be_number(word) {
        return None;
    }
    let prev = word_at(s, i.checked_sub(1));
    let next = word_at(s, Some(i + 1));
    let small = prev.filter(|p| matches!(number_word(p), Some(NumClass::Word)));
    let article = prev.filter(|p| matches!(*p, "a" | "an"));
    let of = next == Some("of");
    let (kind, lead) = if cardinal(word) {
        (Kind::Cardinal, small.or(article))
    } else if hyphenated_fraction(word) {
        (Kind::Fraction, None)
    } else {
        match word {
            "score" if article.is_some() && of => (Kind::Cardinal, article),
            "scores" if of => (Kind::Cardinal, small),
            "half" if article.is_some() => (Kind::Fraction, article),
            "half" if of && !prev.is_some_and(|p| NOT_A_SHARE.contains(&p)) => {
                (Kind::Fraction, None)
            }
            "third" | "quarter" if of && (article.is_some() || prev == Some("one")) => {
                (Kind::Fraction, prev)
            }
            "thirds" | "quarters" | "halves" if small.is_some() => (Kind::Fraction, small),
            _ => return None,
        }
    };
    Some(InWords { kind, word, lead })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::reading::{Tok, W};
    use std::borrow::Cow;

    /// A sentence of lower-case words, each a token, as the audit reads them.
    fn read(text: &str) -> Sentence<'static> {
        let toks = text
            .split(' ')
            .enumerate()
            .map(|(k, w)| Tok {
                t: match number_word(w) {
                    Some(class) => T::Num(class, W::owned(w.to_string())),
                    None => T::Word(W::owned(w.to_string())),
                },
                start: k,
                end: k + 1,
            })
            .collect();
        Sentence {
            line: 1,
            text: Cow::Owned(text.to_string()),
            src: "",
            end: 0,
            toks,
            carried: None,
            before: None,
            row: None,
        }
    }

    /// The number each token prints, quoted as a failure quotes it.
    fn numbers(text: &str) -> Vec<String> {
        let s = read(text);
        (0..s.toks.len())
            .filter_map(|i| in_words(&s, i))
            .map(|n| match n.lead {
                Some(lead) => format!("{lead} {}", n.word),
                None => n.word.to_string(),
            })
            .collect()
    }

    #[test]
    fn every_word_of_the_lists_may_be_a_number() {
        for w in TEENS.iter().chain(&TENS).chain(&SCALES).chain(&PARTS) {
            assert!(may_be_number(w), "{w}");
        }
        for w in ["score", "scores", "twenty-one", "two-thirds"] {
            assert!(may_be_number(w), "{w}");
        }
        assert!(!may_be_number("rate") && !may_be_number("nine"));
    }

    #[test]
    fn cardinals_from_ten_and_quantities_are_numbers() {
        let cases: &[(&str, &[&str])] = &[
            ("over a million people live there", &["a million"]),
            ("dozens of care homes had a case", &["dozens"]),
            ("a third of them more than one", &["a third"]),
            ("nine hundred and ninety", &["nine hundred", "ninety"]),
            ("twenty-one areas rose", &["twenty-one"]),
            ("ten areas rose and eleven fell", &["ten", "eleven"]),
            ("half of the areas rose", &["half"]),
            ("one and a half times", &["a half"]),
            ("two thirds of areas", &["two thirds"]),
            ("three quarters fell", &["three quarters"]),
            ("a quarter of the boroughs", &["a quarter"]),
            ("two-thirds of the boroughs", &["two-thirds"]),
            ("a score of areas", &["a score"]),
            ("scores of areas", &["scores"]),
            ("thousands of cases", &["thousands"]),
            ("two-hundred cases", &["two-hundred"]),
        ];
        for (text, want) in cases {
            assert_eq!(numbers(text), *want, "{text:?}");
        }
    }

    #[test]
    fn prose_holds_no_number() {
        for text in [
            "they met one another for the first time",
            "in the second half of january",
            "the top half of the table",
            "a third wave of cases",
            "the third highest rate",
            "the score was level",
            "the rate halves in bromley",
            "it is often said",
            "the fourth quarter",
            "tenth",
            "seven days to january 14",
            "one-one",
        ] {
            assert_eq!(numbers(text), Vec::<String>::new(), "{text:?}");
        }
    }

    #[test]
    fn fractions_and_cardinals_are_told_apart() {
        let s = read("a third of a million");
        let kinds: Vec<Kind> = (0..s.toks.len())
            .filter_map(|i| in_words(&s, i))
            .map(|n| n.kind)
            .collect();
        assert_eq!(kinds, [Kind::Fraction, Kind::Cardinal]);
    }
}
