//! The audit's faster readings against the plain ones they replace, on real copy and hostile
//! variants of it: the same words, names, front matter, printed forms and phrases, so the
//! audit's verdicts are the ones the plain readings gave.

use std::borrow::Cow;
use std::collections::HashMap;

use super::phrase::{Phrase, contains_phrase};
use super::reading::{
    Lexicon, NumClass, T, Tok, after_word_char, clause_word, direction_word, front_matter_blocks,
    number_word, word,
};
use super::truth::canonical_into;
use super::{Name, PrintedIndex, SharedIndex};
use crate::copy::Copy;
use crate::copy::block::Block;
use crate::copy::markdown::{Kind, classify};
use crate::copy::tokens::{is_word_char, strip_possessive};
use crate::facts::{FactKind, FactValue};
use crate::lang::{NUMBER_WORDS, ORDINAL_WORDS};
use crate::stats::Direction;

/// Copy to read: real stories' sentences, and words an editor or a broken template might
/// leave.
const TEXTS: &[&str] = &[
    "Ash 029's rate is 214.1 cases per 100,000 people in the seven days to November 27.",
    "Hull's's rate rose; the boroughs' rates fell - sharply -- and Wyre-'s did not.",
    "Ynys Môn’s rate fell, Môn-y-Graig's rose, and Ceredigion’s’s stayed the same.",
    "THE SEVENTH highest, the Second, one-third, Nine and ninety-nine: zero 0 'one'.",
    "Rock'n'roll isn't it's; x-'s-'s - ' -- ’ ’s 's; é, Éire, ÉIRE's rate.",
    "Kingston upon Hull, City of, and the Vale of Glamorgan's rates rose (up 12%).",
    "",
    "a",
    "’",
    "'s",
];

/// A word read as the audit read it before it read ASCII by bytes: by characters.
fn word_by_chars(text: &str, at: usize) -> (String, usize) {
    let len: usize = text[at..]
        .chars()
        .take_while(|&ch| is_word_char(ch))
        .map(char::len_utf8)
        .sum();
    let base = strip_possessive(&text[at..at + len]).trim_end_matches(['\'', '’', '-']);
    (base.to_lowercase(), at + len)
}

#[test]
fn words_read_by_bytes_are_the_words_read_by_characters() {
    for text in TEXTS {
        let lower = text.to_ascii_lowercase();
        for (at, _) in text.char_indices() {
            if at > 0 && text[..at].chars().next_back().is_some_and(is_word_char) {
                continue;
            }
            if !text[at..].chars().next().is_some_and(is_word_char) {
                continue;
            }
            let mut toks: Vec<Tok<'_>> = Vec::new();
            let end = word(text, &lower, at, &mut toks);
            let (want, want_end) = word_by_chars(text, at);
            assert_eq!(end, want_end, "{text:?} at {at}");
            let [tok] = toks.as_slice() else {
                panic!("one word at {at} of {text:?}")
            };
            let (class, got) = match &tok.t {
                T::Word(w) => (None, w.as_str()),
                T::Num(c, w) => (Some(*c), w.as_str()),
                t => panic!("{t:?} at {at} of {text:?}"),
            };
            assert_eq!(got, want, "{text:?} at {at}");
            assert_eq!((tok.start, tok.end), (at, want_end));
            let listed = if NUMBER_WORDS.contains(&got) {
                Some(NumClass::Word)
            } else if ORDINAL_WORDS.contains(&got) {
                Some(NumClass::OrdinalWord)
            } else {
                None
            };
            assert_eq!(class, listed, "{got:?}");
        }
    }
}

#[test]
fn a_word_goes_on_where_its_last_character_says() {
    for text in TEXTS {
        for at in (0..=text.len()).filter(|&at| text.is_char_boundary(at)) {
            assert_eq!(
                after_word_char(text, at),
                text[..at].chars().next_back().is_some_and(is_word_char),
                "{text:?} at {at}"
            );
        }
    }
}

#[test]
fn words_are_classed_as_the_lists_class_them() {
    const UP: &[&str] = &[
        "up",
        "rose",
        "risen",
        "rise",
        "rises",
        "rising",
        "climbed",
        "climb",
        "climbs",
        "climbing",
        "increase",
        "increased",
        "increases",
        "increasing",
    ];
    const DOWN: &[&str] = &[
        "down",
        "fell",
        "fallen",
        "fall",
        "falls",
        "falling",
        "dropped",
        "drop",
        "drops",
        "dropping",
        "decrease",
        "decreased",
        "decreases",
        "decreasing",
    ];
    const SAME: &[&str] = &["unchanged", "steady", "same"];
    const CLAUSE: &[&str] = &["and", "while", "but", "with", "whereas"];
    let near = [
        "", "u", "ups", "Rose", "fel", "fells", "same ", "an", "butt", "tenth",
    ];
    let all = UP
        .iter()
        .chain(DOWN)
        .chain(SAME)
        .chain(CLAUSE)
        .chain(&NUMBER_WORDS)
        .chain(&ORDINAL_WORDS)
        .chain(&near);
    for w in all {
        let listed = if UP.contains(w) {
            Some(Direction::Up)
        } else if DOWN.contains(w) {
            Some(Direction::Down)
        } else if SAME.contains(w) {
            Some(Direction::Unchanged)
        } else {
            None
        };
        assert_eq!(direction_word(w), listed, "{w:?}");
        assert_eq!(clause_word(w), CLAUSE.contains(w), "{w:?}");
        let number = if NUMBER_WORDS.contains(w) {
            Some(NumClass::Word)
        } else if ORDINAL_WORDS.contains(w) {
            Some(NumClass::OrdinalWord)
        } else {
            None
        };
        assert_eq!(number_word(w), number, "{w:?}");
    }
}

proptest::proptest! {
    /// Number words and clause words told apart by length and first letter are the words the
    /// lists hold, whatever else a word is (longer, shorter, a letter off, not ASCII).
    #[test]
    fn dispatched_words_are_the_listed_ones(
        w in "(s?e?v?e?n?t?h?|w?h?i?l?e?|[a-z\u{e9}]{0,9}|(one|two|six|third|nine|and|with|but)[a-z]?)",
    ) {
        let number = if NUMBER_WORDS.contains(&w.as_str()) {
            Some(NumClass::Word)
        } else if ORDINAL_WORDS.contains(&w.as_str()) {
            Some(NumClass::OrdinalWord)
        } else {
            None
        };
        proptest::prop_assert_eq!(number_word(&w), number);
        let clause = ["and", "while", "but", "with", "whereas"].contains(&w.as_str());
        proptest::prop_assert_eq!(clause_word(&w), clause);
    }
}

#[test]
fn names_bucketed_by_first_byte_read_as_the_list_reads_them() {
    let names: Vec<Name<'_>> = [
        "Kingston upon Hull, City of",
        "Hull's Own",
        "Ash 029",
        "Ash",
        "",
        "Hull",
        "Ynys Môn",
        "Môn",
        "Wyre Forest",
        "Wyre",
        "the Vale of Glamorgan",
        "The Vale of Glamorgan",
        "Ash 029",
    ]
    .iter()
    .map(|&n| (Cow::Borrowed(n), "E00"))
    .collect();
    let labels: Vec<Cow<'_, str>> = Vec::new();
    let mut no_blank = names.clone();
    no_blank.retain(|(n, _)| !n.is_empty());
    for names in [&names, &no_blank] {
        let lex = Lexicon::new(names, &labels);
        let texts = TEXTS.iter().copied().chain([
            "Kingston upon Hull, City of and Hull; Ash 029 and Ash 0291, Wyre Forest",
            "Ynys Môn and Môn; the Vale of Glamorgan. The Vale of Glamorgan",
            "Kingston upon\nHull, City of",
        ]);
        for text in texts {
            for at in (0..=text.len()).filter(|&at| text.is_char_boundary(at)) {
                let first = text.as_bytes().get(at);
                let listed = first
                    .filter(|&&b| names.iter().any(|(n, _)| n.as_bytes().first() == Some(&b)))
                    .and_then(|_| {
                        names.iter().position(|(n, _)| {
                            let rest = &text.as_bytes()[at..];
                            rest.len() >= n.len()
                                && rest
                                    .iter()
                                    .zip(n.as_bytes())
                                    .all(|(t, p)| t == p || (*p == b' ' && *t == b'\n'))
                                && !text[at + n.len()..]
                                    .chars()
                                    .next()
                                    .is_some_and(char::is_alphanumeric)
                        })
                    });
                assert_eq!(lex.area_at(text, at), listed, "{text:?} at {at}");
            }
        }
    }
}

/// The front matter's lines as blocks, found by classifying every line.
fn front_matter_by_classifying(copy: &Copy<'_>) -> Vec<Block> {
    classify(&copy.raw)
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            l.kind == Kind::FrontMatter && !matches!(copy.raw[*i].trim(), "---" | "...")
        })
        .map(|(i, _)| Block::line(copy.raw[i], i + 1))
        .collect()
}

#[test]
fn front_matter_is_the_front_matter_the_reader_classifies() {
    let texts = [
        "---\ntitle: 254.0 per 100,000\n---\n# Heading\n\nBody 1.\n",
        "\u{feff}---\ntitle: x\n...\nBody\n",
        "\u{feff} --- \r\ntitle: 12th\r\n --- \r\nBody\r\n",
        "---\ntitle: never closed\nBody 12.\n",
        "---\n---\nBody\n",
        "Body\n---\ntitle: not front matter\n---\n",
        "",
        "---",
        "   ---\n  ...  \n",
    ];
    for text in texts {
        let copy = Copy::read(text);
        let got: Vec<(String, Vec<(usize, usize)>)> = front_matter_blocks(&copy)
            .into_iter()
            .map(|b| (b.text, b.line_starts))
            .collect();
        let want: Vec<(String, Vec<(usize, usize)>)> = front_matter_by_classifying(&copy)
            .into_iter()
            .map(|b| (b.text, b.line_starts))
            .collect();
        assert_eq!(got, want, "{text:?}");
    }
}

#[test]
fn the_sorted_printed_forms_find_the_facts_the_map_found() {
    let printed: Vec<(&str, usize)> = vec![
        ("254.0", 0),
        ("254", 0),
        ("twelfth", 1),
        ("12th", 1),
        ("12TH", 2),
        ("Twelfth", 2),
        ("254.0", 3),
        ("January 14", 4),
        ("january 14", 4),
        ("İstanbul", 5),
        ("", 6),
        ("1,134.8", 7),
        ("254.0", 8),
    ];
    let index = PrintedIndex::of_forms(printed.iter().copied());
    let hashed = SharedIndex::of(PrintedIndex::of_forms(printed.iter().copied()));
    let mut map: HashMap<String, Vec<usize>> = HashMap::new();
    for &(p, i) in &printed {
        map.entry(p.to_lowercase()).or_default().push(i);
    }
    let keys = printed
        .iter()
        .map(|&(p, _)| p.to_lowercase())
        .chain(["254.00", "12", "nothing", "i̇stanbul"].map(String::from));
    for key in keys {
        let want = map.get(&key).cloned().unwrap_or_default();
        let got: Vec<usize> = index.get(&key).iter().map(|&(_, i)| i).collect();
        assert_eq!(got, want, "{key:?}");
        let got: Vec<usize> = hashed.get(&key).iter().map(|&(_, i)| i).collect();
        assert_eq!(got, want, "{key:?} hashed");
    }
}

/// Whether `text` names `phrase` other than inside a longer name, as the audit first found it:
/// each longer name holding it blanked, then the lower-cased copy searched.
fn named_plainly(phrase: &str, names: &[Name<'_>], text: &str) -> bool {
    let escaped = crate::lang::markdown_text(phrase);
    let mut text = text.to_string();
    for (name, _) in names {
        if name.len() > phrase.len()
            && (contains_phrase(name, phrase) || contains_phrase(name, &escaped))
        {
            text = text.replace(name.as_ref(), " ");
        }
    }
    contains_phrase(&text, phrase) || contains_phrase(&text, &escaped)
}

#[test]
fn phrases_are_named_where_the_plain_search_names_them() {
    let names: Vec<Name<'_>> = [
        "Wyre Forest",
        "Wyre",
        "North East Lincolnshire",
        "England",
        "New England Road",
        "Ynys Môn",
        "St\\*Ives",
    ]
    .iter()
    .map(|&n| (Cow::Borrowed(n), "E00"))
    .collect();
    let phrases = [
        "England",
        "Wyre",
        "Lincolnshire",
        "St*Ives",
        "Môn",
        "North East",
        "  ",
        "ENGLAND",
        "zz",
    ];
    let texts = TEXTS.iter().copied().chain([
        "Across England, 795 of the 1,698 local areas saw their rate rise.",
        "Wyre Forest and Wyre rose; New England Road fell in ENGLAND's north.",
        "englandish England- -england North East Lincolnshire, north east",
        "St\\*Ives and St*Ives; Ynys Môn and MÔN",
        "zz zzz azz zz",
    ]);
    for text in texts {
        for phrase in phrases {
            let phrase_of = Phrase::new(phrase, &names);
            assert_eq!(
                phrase_of.named_in(text),
                named_plainly(phrase, &names, text),
                "{phrase:?} in {text:?}"
            );
        }
    }
}

/// A recomputed value's house-style form as the audit made it before it wrote the form into a
/// buffer: through the house's own formatting, a string each.
fn canonical_by_lang(kind: FactKind, value: FactValue, story_year: i32) -> String {
    match value {
        FactValue::Tenths(t) => crate::lang::rate_tenths(t),
        FactValue::Date(d) => crate::lang::date(d, Some(story_year)),
        FactValue::Int(n) => match kind {
            FactKind::Share | FactKind::PercentChange => crate::lang::percent(n),
            FactKind::Rank => crate::lang::ordinal(n),
            FactKind::ListPosition | FactKind::Date => n.to_string(),
            FactKind::Constant if n == 7 => crate::lang::count_words(n),
            _ => crate::lang::thousands(n),
        },
    }
}

#[test]
fn canonical_forms_are_the_house_forms() {
    let kinds = [
        FactKind::Rate,
        FactKind::PrevRate,
        FactKind::Cases,
        FactKind::PrevCases,
        FactKind::Change,
        FactKind::PercentChange,
        FactKind::Population,
        FactKind::Share,
        FactKind::Count,
        FactKind::Rank,
        FactKind::ListPosition,
        FactKind::Around,
        FactKind::Date,
        FactKind::Constant,
    ];
    let mut ints: Vec<i64> = (-1_200..=1_200).collect();
    for p in 0..19 {
        let big = 10_i64.pow(p);
        ints.extend([big - 1, big, big + 1, -big, -big - 1, -big + 1]);
    }
    ints.extend([
        i64::MAX,
        i64::MIN,
        i64::MIN + 1,
        111,
        112,
        113,
        1_011,
        2_012,
        123_456_789,
    ]);
    let dates = [
        chrono::NaiveDate::from_ymd_opt(2021, 12, 1).expect("a date"),
        chrono::NaiveDate::from_ymd_opt(2020, 2, 29).expect("a date"),
        chrono::NaiveDate::from_ymd_opt(2022, 1, 3).expect("a date"),
    ];
    let mut out = String::from("left over");
    for kind in kinds {
        for &n in &ints {
            for value in [FactValue::Int(n), FactValue::Tenths(n)] {
                canonical_into(kind, value, 2021, &mut out);
                assert_eq!(
                    out,
                    canonical_by_lang(kind, value, 2021),
                    "{kind:?} {value:?}"
                );
            }
        }
        for d in dates {
            for year in [2020, 2021, 2022] {
                canonical_into(kind, FactValue::Date(d), year, &mut out);
                assert_eq!(out, canonical_by_lang(kind, FactValue::Date(d), year));
            }
        }
    }
}
