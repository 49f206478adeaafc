//! Phrases the audit looks for in a sentence (the story's region, its universe): found as
//! whole words in any case, and not inside a longer area name that holds them.

use super::Name;

/// Whether `phrase` occurs in `text` as whole words, ignoring case.
pub(super) fn contains_phrase(text: &str, phrase: &str) -> bool {
    !phrase.trim().is_empty() && contains_lowered(text, &phrase.to_lowercase())
}

/// [`contains_phrase`] with the phrase already in lower case (and not blank): a story looks
/// for its region and universe in every sentence, so their lower-case forms are made once.
pub(super) fn contains_lowered(text: &str, phrase: &str) -> bool {
    if text.is_ascii() {
        // Lower-casing ASCII keeps every byte where it was, so the copy is searched as it
        // is, without a lower-cased copy of it; a phrase with other letters cannot be in it.
        return phrase.is_ascii() && contains_ascii(text.as_bytes(), phrase.as_bytes());
    }
    let text = text.to_lowercase();
    let mut from = 0;
    while let Some(p) = text[from..].find(phrase) {
        let start = from + p;
        let end = start + phrase.len();
        let before = text[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        let after = text[end..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric);
        if !before && !after {
            return true;
        }
        from = start + phrase.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Whether lower-case ASCII `phrase` is in ASCII `text`, any case, as whole words.
fn contains_ascii(text: &[u8], phrase: &[u8]) -> bool {
    contains_ascii_at(text, phrase, rarest(phrase))
}

/// How often a byte is met in English copy, roughly (per mille): the rarest byte of a phrase
/// is the one its occurrences are looked for by.
fn frequency(b: u8) -> u32 {
    match b.to_ascii_lowercase() {
        b' ' => 180,
        b'e' => 100,
        b't' => 75,
        b'a' | b'o' => 65,
        b'i' | b'n' => 57,
        b's' | b'h' | b'r' => 50,
        b'd' | b'l' => 35,
        b'c' | b'u' => 23,
        b'm' | b'w' | b'f' | b'g' | b'y' | b'p' => 18,
        b'b' => 12,
        b'v' | b'k' | b'0'..=b'9' => 8,
        b'j' | b'x' | b'q' | b'z' => 1,
        _ => 4,
    }
}

/// The offset of `phrase`'s rarest byte (0 for an empty phrase).
fn rarest(phrase: &[u8]) -> usize {
    (0..phrase.len())
        .min_by_key(|&i| frequency(phrase[i]))
        .unwrap_or(0)
}

/// [`contains_ascii`] looking for the phrase's byte at `anchor` (in either case) and
/// comparing the phrase around each: every occurrence holds that byte there, and a rare byte
/// is met at few places that are not one.
fn contains_ascii_at(text: &[u8], phrase: &[u8], anchor: usize) -> bool {
    let Some(&key) = phrase.get(anchor) else {
        return false;
    };
    let fits = |start: usize| {
        text.len() - start >= phrase.len()
            && text[start..start + phrase.len()]
                .iter()
                .zip(phrase)
                .all(|(a, b)| a.to_ascii_lowercase() == *b)
            && !(start > 0 && text[start - 1].is_ascii_alphanumeric())
            && !text
                .get(start + phrase.len())
                .is_some_and(u8::is_ascii_alphanumeric)
    };
    memchr::memchr2_iter(key, key.to_ascii_uppercase(), text)
        .filter_map(|at| at.checked_sub(anchor))
        .any(fits)
}

/// The forms a phrase is looked for in: its printed and Markdown-escaped forms in lower case,
/// none blank, each with the offset of its rarest byte; made once for a phrase every story of
/// a week looks for (its universe's name).
pub(super) struct Forms {
    /// The phrase's length as printed.
    len: usize,
    forms: Vec<(String, usize)>,
}

impl Forms {
    pub(super) fn new(phrase: &str) -> Forms {
        let escaped = crate::lang::markdown_text(phrase);
        let mut forms: Vec<(String, usize)> = Vec::with_capacity(2);
        for f in [phrase, escaped.as_str()] {
            let f = f.to_lowercase();
            if !f.trim().is_empty() && !forms.iter().any(|(g, _)| *g == f) {
                let anchor = rarest(f.as_bytes());
                forms.push((f, anchor));
            }
        }
        Forms {
            len: phrase.len(),
            forms,
        }
    }
}

/// A phrase looked for in every sentence of a story (its region, its universe's name), read
/// once per story: its [`Forms`], and the story's area names that hold it, which do not name
/// it ("Wyre Forest" is not "Wyre").
pub(super) struct Phrase<'f> {
    forms: std::borrow::Cow<'f, [(String, usize)]>,
    /// The names (longest first) that hold the phrase as whole words and are longer.
    shadows: Vec<&'f str>,
}

impl<'f> Phrase<'f> {
    pub(super) fn new(phrase: &str, names: &'f [Name<'f>]) -> Phrase<'f> {
        let Forms { len, forms } = Forms::new(phrase);
        Phrase {
            shadows: shadows(len, &forms, names),
            forms: std::borrow::Cow::Owned(forms),
        }
    }

    /// The phrase of `forms` made already, in a story that names `names`.
    pub(super) fn of(forms: &'f Forms, names: &'f [Name<'f>]) -> Phrase<'f> {
        Phrase {
            shadows: shadows(forms.len, &forms.forms, names),
            forms: std::borrow::Cow::Borrowed(&forms.forms),
        }
    }

    /// Whether `text` names the phrase other than inside a longer area name.
    pub(super) fn named_in(&self, text: &str) -> bool {
        if self.forms.is_empty() {
            return false;
        }
        let mut text = std::borrow::Cow::Borrowed(text);
        for name in &self.shadows {
            if text.contains(name) {
                text = std::borrow::Cow::Owned(text.replace(name, " "));
            }
        }
        if text.is_ascii() {
            return self.forms.iter().any(|(f, anchor)| {
                f.is_ascii() && contains_ascii_at(text.as_bytes(), f.as_bytes(), *anchor)
            });
        }
        self.forms.iter().any(|(f, _)| contains_lowered(&text, f))
    }
}

/// The names longer than the phrase (`len` bytes as printed) that hold one of its `forms` as
/// whole words; a blank phrase has no forms and is in no name.
fn shadows<'n>(len: usize, forms: &[(String, usize)], names: &'n [Name<'n>]) -> Vec<&'n str> {
    names
        .iter()
        .filter(|(name, _)| {
            name.len() > len && forms.iter().any(|(f, _)| contains_lowered(name, f))
        })
        .map(|(name, _)| name.as_ref())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lower-case reading as the audit first wrote it: the copy lower-cased, then searched.
    fn by_lowering(text: &str, phrase: &str) -> bool {
        if phrase.trim().is_empty() {
            return false;
        }
        let (text, phrase) = (text.to_lowercase(), phrase.to_lowercase());
        let mut from = 0;
        while let Some(p) = text[from..].find(&phrase) {
            let start = from + p;
            let end = start + phrase.len();
            let before = text[..start]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
            let after = text[end..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric);
            if !before && !after {
                return true;
            }
            from = start + phrase.chars().next().map_or(1, char::len_utf8);
        }
        false
    }

    #[test]
    fn phrases_are_found_as_the_lower_cased_copy_finds_them() {
        let texts = [
            "Rates rose in South East London.",
            "south east londoner",
            "the South East London area",
            "Wyre Forest and Wyre",
            "Ynys Môn rose; ynys môn fell",
            "KELVIN \u{212a} k",
            "aaa aa",
            "",
            "İstanbul istanbul",
        ];
        let phrases = [
            "South East London",
            "london",
            "Wyre",
            "Ynys Môn",
            "k",
            "\u{212a}",
            "aa",
            " ",
            "istanbul",
            "İstanbul",
        ];
        for t in texts {
            for p in phrases {
                assert_eq!(contains_phrase(t, p), by_lowering(t, p), "{t:?} / {p:?}");
            }
        }
    }

    #[test]
    fn a_longer_name_holding_the_phrase_does_not_name_it() {
        let names = vec![
            ("Wyre Forest".into(), "E07000239"),
            ("Wyre".into(), "E07000128"),
        ];
        let wyre = Phrase::new("Wyre", &names);
        assert!(!wyre.named_in("Wyre Forest rose."));
        assert!(wyre.named_in("Wyre Forest and Wyre rose."));
        assert!(!Phrase::new("  ", &names).named_in("  "));
    }
}
