//! What the checks know of a story besides its copy: the names its data hold and the fixed
//! text its templates print.

/// Names and fixed text the lint and the audit take as they are.
///
/// - `names` are areas' names from the data. A name may hold digits (an MSOA's "Hartlepool
///   001") or the same word twice; the lint reads neither as figures or doubled words. The
///   subbing rules still read them: "Bristol, City of" is an ONS inversion whoever supplied it.
/// - `literals` are phrases a template prints word for word ("book a test at nhs.uk or call
///   119"): their figures are not the story's, so the audit traces none of them to a fact and
///   the lint applies no figure rule to them.
///
/// The lists are borrowed, so a run of thousands of stories builds them once.
#[derive(Clone, Copy, Debug, Default)]
pub struct Known<'k> {
    /// Area names from the data, as printed.
    pub names: &'k [String],
    /// Fixed phrases of the templates, as printed.
    pub literals: &'k [String],
}

impl<'k> Known<'k> {
    /// Whether nothing is known (the checks then read the copy exactly as [`crate::lint::lint`]
    /// does).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.literals.is_empty()
    }

    /// The phrases indexed for [`Index::protected`]: built once for a story, read for each
    /// of its blocks.
    pub(crate) fn index(&self) -> Index<'k> {
        Index::new(*self)
    }

    /// [`Index::protected`] as one search of `text` for each phrase: what the index finds in
    /// one pass, and what it falls back on when there are more phrases than its masks hold.
    fn search(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        for phrase in self.names.iter().chain(self.literals) {
            let phrase = phrase.trim();
            if phrase.is_empty() {
                continue;
            }
            for (at, _) in text.match_indices(phrase) {
                let end = at + phrase.len();
                if whole_word(text, at, end) {
                    out.push(at..end);
                }
            }
        }
        out.sort_by_key(|r| (r.start, r.end));
        out
    }
}

/// Whether `text[at..end]` is not part of a longer word: no letter or digit touches it.
fn whole_word(text: &str, at: usize, end: usize) -> bool {
    let before = text[..at].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// The most phrases [`Index`] reads in one pass: one bit of a mask each.
const MASK_BITS: usize = 64;

/// A story's known phrases by their first two bytes. A block's text is read once, a byte at
/// a time, and a phrase is compared only where both of its first bytes are: searching the
/// text once for every phrase (a dozen template literals) cost more than the rest of the lint.
pub(crate) struct Index<'k> {
    known: Known<'k>,
    /// The phrases trimmed, names then literals, empty ones left out.
    phrases: Vec<&'k str>,
    /// Bit `p` of `first[b]`: phrase `p` starts with the byte `b`.
    first: [u64; 256],
    /// Bit `p` of `second[b]`: phrase `p`'s second byte is `b`, or it has one byte only.
    second: [u64; 256],
    /// Bit `p`: phrase `p` has one byte only (so it may end the text).
    single: u64,
}

impl<'k> Index<'k> {
    fn new(known: Known<'k>) -> Self {
        let phrases: Vec<&str> = known
            .names
            .iter()
            .chain(known.literals)
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect();
        let mut index = Index {
            known,
            phrases,
            first: [0; 256],
            second: [0; 256],
            single: 0,
        };
        if index.phrases.len() <= MASK_BITS {
            for (p, phrase) in index.phrases.iter().enumerate() {
                let bit = 1u64 << p;
                let b = phrase.as_bytes();
                index.first[usize::from(b[0])] |= bit;
                match b.get(1) {
                    Some(&c) => index.second[usize::from(c)] |= bit,
                    None => {
                        index.single |= bit;
                        index.second.iter_mut().for_each(|m| *m |= bit);
                    }
                }
            }
        }
        index
    }

    /// The byte ranges of `text` that hold a known name or literal as whole words, in order. Each phrase's matches are found as [`str::match_indices`] finds them,
    /// left to right without overlapping, so a match that is no whole word still hides one
    /// that overlaps it.
    pub(crate) fn protected(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        if self.phrases.is_empty() {
            return out;
        }
        if self.phrases.len() > MASK_BITS {
            return self.known.search(text);
        }
        let bytes = text.as_bytes();
        // Where each phrase's next match may start: the end of its last one.
        let mut next = [0usize; MASK_BITS];
        let mut from = 0;
        // The bytes no phrase starts with are skipped in a loop of their own: kept apart
        // from the matching below, it is a few instructions a byte.
        while let Some(skip) = bytes[from..]
            .iter()
            .position(|&b| self.first[usize::from(b)] != 0)
        {
            let at = from + skip;
            from = at + 1;
            let mut candidates = self.first[usize::from(bytes[at])];
            candidates &= match bytes.get(at + 1) {
                Some(&c) => self.second[usize::from(c)],
                None => self.single,
            };
            while candidates != 0 {
                let p = candidates.trailing_zeros() as usize;
                candidates &= candidates - 1;
                let phrase = self.phrases[p].as_bytes();
                if at < next[p] || !bytes[at..].starts_with(phrase) {
                    continue;
                }
                // A phrase starts with a whole character, so `at` and `end` are boundaries.
                let end = at + phrase.len();
                next[p] = end;
                if whole_word(text, at, end) {
                    out.push(at..end);
                }
            }
        }
        out.sort_by_key(|r| (r.start, r.end));
        out
    }
}

/// The story's names the lint would misread: a name holding a digit ("Hartlepool 001", "Area
/// 51") or the same word twice ("Walla Walla"), wherever the story may print it: an area of its
/// own, one nearby, in the national lists or the leader one took the top spot from, and the
/// patch's own words (its region and publication). Most stories have none, so this allocates
/// nothing for them.
pub(crate) fn odd_names(story: &crate::story::Story) -> Vec<String> {
    let odd = |name: &str| {
        name.bytes().any(|b| b.is_ascii_digit())
            || name
                .split_whitespace()
                .zip(name.split_whitespace().skip(1))
                .any(|(a, b)| a.eq_ignore_ascii_case(b))
    };
    let areas = story
        .core
        .iter()
        .chain(&story.nearby)
        .chain(story.leaders.iter().map(|l| &l.area))
        .chain(story.movers.iter().flat_map(|m| &m.items))
        .chain(story.nation_leaders.iter().map(|n| &n.area))
        .map(|a| a.name.as_str());
    let words = story
        .leaders
        .iter()
        .filter_map(|l| l.replaced.as_deref())
        .chain([story.region.as_str(), story.publication.as_str()]);
    let mut out: Vec<String> = Vec::new();
    for name in areas.chain(words) {
        if odd(name) && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_ranges_are_whole_words() {
        let names = vec!["Hartlepool 001".to_string()];
        let literals = vec!["call 119".to_string()];
        let known = Known {
            names: &names,
            literals: &literals,
        };
        let text = "Hartlepool 001 rose; Hartlepool 0012 did not. Please call 119.";
        let got: Vec<&str> = known
            .index()
            .protected(text)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(got, ["Hartlepool 001", "call 119"]);
        assert!(Known::default().is_empty() && !known.is_empty());
    }

    /// The index finds what one search per phrase finds, on every text and list of phrases.
    fn same_as_search(names: &[String], literals: &[String], text: &str) {
        let known = Known { names, literals };
        assert_eq!(
            known.index().protected(text),
            known.search(text),
            "{names:?} {literals:?} in {text:?}"
        );
    }

    #[test]
    fn the_index_finds_what_a_search_for_each_phrase_finds() {
        let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let copy = [
            include_str!("../../tests/fixtures/lint/clean.md"),
            include_str!("../../tests/fixtures/lint/slips.md"),
            include_str!("../../tests/fixtures/lint/published-snippets.txt"),
        ];
        let names = strings(&["Hartlepool 001", "Area 51", "Walla Walla", " Ash 029 ", ""]);
        let literals = strings(&[
            "book a test at nhs.uk or call 119",
            "Covid-19",
            "call 119",
            "119",
            "the",
            "Covid-19",
            "é",
            "’s",
            "  ",
        ]);
        for text in copy {
            same_as_search(&names, &literals, text);
            same_as_search(&[], &literals, text);
            same_as_search(&names, &[], text);
        }
        // Phrases that overlap themselves or each other, end the text, are one byte long or
        // not ASCII: a match that is no whole word hides the next one as `match_indices` does.
        let hostile = [
            ("a a a a", &["a a"][..]),
            ("ba a a", &["a a"]),
            ("aaa aa a", &["aa", "a", "aaa"]),
            ("x", &["x"]),
            ("xy x", &["x", "y", "xy"]),
            ("Ésa Ésa", &["Ésa", "sa", "É"]),
            ("1191 119 119", &["119", "19", "1"]),
            ("Walla Walla Walla", &["Walla Walla", "Walla"]),
        ];
        for (text, phrases) in hostile {
            same_as_search(&strings(phrases), &[], text);
            same_as_search(&[], &strings(phrases), text);
        }
        // More phrases than the masks hold: the search itself.
        let many: Vec<String> = (0..70).map(|i| format!("Area {i}")).collect();
        same_as_search(&many, &[], "Area 7 and Area 69, not Area 700.");
    }

    #[test]
    fn the_index_agrees_with_the_search_on_random_text() {
        // A small alphabet, so phrases meet, overlap and touch one another often.
        let mut rng = fastrand::Rng::with_seed(15);
        let alphabet = ['a', 'b', ' ', '1', 'é', '-', '.'];
        let word = |rng: &mut fastrand::Rng, max: usize| -> String {
            (0..rng.usize(0..=max))
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect()
        };
        for _ in 0..3000 {
            let phrases: Vec<String> = (0..rng.usize(1..6)).map(|_| word(&mut rng, 4)).collect();
            let text = word(&mut rng, 40);
            let split = rng.usize(..=phrases.len());
            same_as_search(&phrases[..split], &phrases[split..], &text);
        }
    }
}
