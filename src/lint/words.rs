//! The lint's vocabulary: the words that tell a rate from a count, a year from a figure, and
//! the spellings of figures and dates it reads.

pub(super) use crate::copy::tokens::month_index;

const MONTH_ABBREVIATIONS: [(&str, usize); 12] = [
    ("Jan", 0),
    ("Feb", 1),
    ("Mar", 2),
    ("Apr", 3),
    ("Jun", 5),
    ("Jul", 6),
    ("Aug", 7),
    ("Sep", 8),
    ("Sept", 8),
    ("Oct", 9),
    ("Nov", 10),
    ("Dec", 11),
];

/// Words that can sit between "rate" and its figure ("rate is currently 254.0", "rate, up
/// from 358.0 to 696.5").
#[rustfmt::skip]
pub(super) static RATE_GLUE: Words = Words::new(&[
    "of", "is", "was", "were", "are", "be", "been", "has", "had", "have", "currently", "now",
    "still", "at", "to", "from", "down", "up", "slightly", "sharply", "significantly",
    "recording", "recorded", "reporting", "reported", "records", "reports", "a", "an", "its",
    "their", "with", "stands", "stood", "rose", "fell", "risen", "fallen", "dropped", "climbed",
    "increased", "decreased", "falling", "rising", "jumped", "just", "then", "this", "week",
    "last", "went", "gone", "compared", "against",
]);

/// Words after a figure that leave it a rate: anything else ("cases", "local areas") makes the
/// figure a count of something.
#[rustfmt::skip]
pub(super) static RATE_FOLLOW: Words = Words::new(&[
    "per", "to", "last", "a", "and", "from", "down", "up", "in", "on", "previously", "this",
    "the", "with", "after", "compared", "against", "for", "or", "but", "while", "which", "when",
    "as", "at", "than", "since", "so", "over", "before", "its", "their", "is", "was",
]);

/// Words before a figure that mark it as rounded prose ("rates of around 250").
#[rustfmt::skip]
pub(super) static APPROXIMATE: Words = Words::new(&[
    "around", "about", "roughly", "nearly", "almost", "approximately", "some", "over", "under",
    "above", "below", "than", "circa",
]);

/// Words a bare small figure may stand before and stay a figure: units.
#[rustfmt::skip]
pub(super) static UNITS: Words = Words::new(&[
    "per", "percent", "cases", "case", "deaths", "death", "people", "patients", "tests",
    "admissions", "beds", "pm", "am", "points", "x",
]);

/// Words that can sit between a small figure and its unit ("3 new cases").
pub(super) static UNIT_ADJECTIVES: Words =
    Words::new(&["new", "more", "fewer", "positive", "confirmed", "further"]);

/// Words inside the brackets of "254.0 (800 new cases)".
#[rustfmt::skip]
pub(super) static COUNT_IN_BRACKETS: Words = Words::new(&[
    "new", "cases", "case", "virus", "infections", "positive", "confirmed", "coronavirus",
    "covid",
]);

/// Prepositions that make a four-digit figure a year ("in 2021", "since 2020").
#[rustfmt::skip]
pub(super) static YEAR_CONTEXT: Words = Words::new(&[
    "in", "since", "during", "until", "till", "before", "after", "early", "late", "mid", "year",
    "summer", "autumn", "winter", "spring",
]);

pub(super) fn month_abbreviation(word: &str) -> Option<usize> {
    // Each abbreviation is three or four letters from a capital among these.
    if !(3..=4).contains(&word.len())
        || !word
            .bytes()
            .next()
            .is_some_and(|b| matches!(b, b'J' | b'F' | b'M' | b'A' | b'S' | b'O' | b'N' | b'D'))
    {
        return None;
    }
    MONTH_ABBREVIATIONS
        .iter()
        .find(|(a, _)| *a == word)
        .map(|(_, i)| *i)
}

pub(super) fn in_list(list: &[&str], word: &str) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// A list of words (ASCII lower case, compared without ASCII case) with, for each first
/// letter, the lengths of its words and where its words are: most words looked up are in none
/// of the lists, and a bit tells so where comparing them with each word of a list took a loop
/// of dozens; the others are compared with the words of their first letter only.
pub(super) struct Words {
    list: &'static [&'static str],
    /// Bit `n` of `lengths[l]`: a word of the list starts with the letter `l` ('a' is 0)
    /// and is `n` bytes long.
    lengths: [u32; 26],
    /// The list's words by first letter: those starting with letter `l` are
    /// `order[letters[l].0..letters[l].1]`, as indices into `list`.
    order: [u8; 64],
    letters: [(u8, u8); 26],
}

impl Words {
    const fn new(list: &'static [&'static str]) -> Self {
        assert!(list.len() <= 64);
        let mut lengths = [0u32; 26];
        let mut order = [0u8; 64];
        let mut letters = [(0u8, 0u8); 26];
        let mut n = 0;
        let mut l = 0;
        while l < 26 {
            letters[l].0 = n as u8;
            let mut i = 0;
            while i < list.len() {
                let b = list[i].as_bytes();
                assert!(b[0].is_ascii_lowercase() && b.len() < 32);
                if (b[0] - b'a') as usize == l {
                    lengths[l] |= 1 << b.len();
                    order[n] = i as u8;
                    n += 1;
                }
                i += 1;
            }
            letters[l].1 = n as u8;
            l += 1;
        }
        Words {
            list,
            lengths,
            order,
            letters,
        }
    }

    /// Whether `word` is one of the list's, without ASCII case: [`in_list`] of the list.
    pub(super) fn contains(&self, word: &str) -> bool {
        let Some(first) = word.as_bytes().first().map(u8::to_ascii_lowercase) else {
            return false;
        };
        if !first.is_ascii_lowercase() || word.len() >= 32 {
            return false;
        }
        let l = usize::from(first - b'a');
        if (self.lengths[l] >> word.len()) & 1 == 0 {
            return false;
        }
        let (from, to) = self.letters[l];
        self.order[usize::from(from)..usize::from(to)]
            .iter()
            .any(|&i| self.list[usize::from(i)].eq_ignore_ascii_case(word))
    }
}

/// A plain figure: digits, optional thousands commas, at most one decimal point.
pub(super) fn is_plain(s: &str) -> bool {
    // One pass over the bytes, as every figure of every story is read so.
    let b = s.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let mut dots = 0;
    for &c in b {
        match c {
            b'0'..=b'9' | b',' => {}
            b'.' => dots += 1,
            _ => return false,
        }
    }
    dots <= 1
}

pub(super) fn plain_int(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 18 {
        return None;
    }
    // Eighteen digits cannot overflow a u64, so the value is summed as the digits are checked.
    let mut n = 0u64;
    for c in s.bytes() {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(c - b'0');
    }
    Some(n)
}

/// "14th" → 14, when the suffix is an English ordinal's.
pub(super) fn ordinal(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    // The suffix is two bytes after at least one digit: anything else is no ordinal.
    if b.len() < 3 {
        return None;
    }
    let (digits, suffix) = b.split_at(b.len() - 2);
    let suffix = [
        suffix[0].to_ascii_lowercase(),
        suffix[1].to_ascii_lowercase(),
    ];
    if !matches!(&suffix, b"st" | b"nd" | b"rd" | b"th") {
        return None;
    }
    plain_int(&s[..digits.len()])
}

pub(super) fn with_commas(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "2021-01-14", "14/01/2021", "14.01.2021", "14/01": a date in figures, read as day and month.
pub(super) fn numeric_date(s: &str) -> Option<(usize, u64)> {
    // A date has two separators, or one slash ("14/01"): a figure with fewer of each ("254.0",
    // "1,024") is none, told without splitting it.
    let (mut dashes, mut dots, mut slashes) = (0, 0, 0);
    for b in s.bytes() {
        match b {
            b'-' => dashes += 1,
            b'.' => dots += 1,
            b'/' => slashes += 1,
            _ => {}
        }
    }
    if dashes != 2 && dots != 2 && !matches!(slashes, 1 | 2) {
        return None;
    }
    for sep in ['-', '/', '.'] {
        // At most three parts are read; a figure of more is no date. Held on the stack, as
        // this runs for every figure of every story.
        let mut parts = [""; 3];
        let mut count = 0;
        for part in s.split(sep) {
            if count < 3 {
                parts[count] = part;
            }
            count += 1;
        }
        if !(2..=3).contains(&count) || parts[..count].iter().any(|p| plain_int(p).is_none()) {
            continue;
        }
        let parts = &parts[..count];
        let n = |i: usize| plain_int(parts[i]).unwrap_or(0);
        let (day, month) = match (sep, parts.len()) {
            (_, 3) if parts[0].len() == 4 => (n(2), n(1)),
            (_, 3)
                if parts[0].len() <= 2
                    && parts[1].len() <= 2
                    && matches!(parts[2].len(), 2 | 4) =>
            {
                (n(0), n(1))
            }
            // Two parts only with a slash: "16-17" is a range and "1.5" a decimal.
            ('/', 2) if parts[0].len() <= 2 && parts[1].len() <= 2 && s != "24/7" => (n(0), n(1)),
            _ => continue,
        };
        if (1..=31).contains(&day) && (1..=12).contains(&month) {
            return Some((month as usize - 1, day));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The figure readers as they were before they read a figure in one pass: the oracle
    /// the faster ones are held to.
    mod oracle {
        pub(super) fn is_plain(s: &str) -> bool {
            s.bytes()
                .all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
                && s.bytes().filter(|b| *b == b'.').count() <= 1
                && s.bytes().next().is_some_and(|b| b.is_ascii_digit())
        }

        pub(super) fn plain_int(s: &str) -> Option<u64> {
            if !s.bytes().all(|b| b.is_ascii_digit()) || s.is_empty() || s.len() > 18 {
                return None;
            }
            s.parse().ok()
        }

        pub(super) fn ordinal(s: &str) -> Option<u64> {
            let digits = s.bytes().take_while(u8::is_ascii_digit).count();
            let suffix = &s[digits..];
            ["st", "nd", "rd", "th"]
                .iter()
                .any(|o| suffix.eq_ignore_ascii_case(o))
                .then(|| plain_int(&s[..digits]))
                .flatten()
        }
    }

    fn same_as_oracle(s: &str) {
        assert_eq!(is_plain(s), oracle::is_plain(s), "is_plain {s:?}");
        assert_eq!(plain_int(s), oracle::plain_int(s), "plain_int {s:?}");
        assert_eq!(ordinal(s), oracle::ordinal(s), "ordinal {s:?}");
    }

    #[test]
    fn figures_are_read_as_the_oracle_reads_them() {
        let figures = [
            "",
            "0",
            "7",
            "10",
            "254.0",
            "1,024",
            "1,464.9",
            "12345",
            "1.2.3",
            ",5",
            ".5",
            "5.",
            "5,",
            "14th",
            "1st",
            "2ND",
            "3rd",
            "4Th",
            "th",
            "st1",
            "1stt",
            "11st",
            "0th",
            "x1",
            "1x",
            "123456789012345678",
            "1234567890123456789",
            "99999999999999999999th",
            "2021-01-14",
            "14/01",
            "١٢",
            "1é",
            "é1",
            "1,0.0",
            "100k",
            "24/7",
            "-5",
            "+5",
        ];
        for f in figures {
            same_as_oracle(f);
        }
        // Every string of up to four bytes from figures' alphabet and their neighbours.
        let alphabet = [
            "0", "1", "9", ",", ".", "s", "T", "h", "n", "d", "r", "x", "é",
        ];
        let mut strings = vec![String::new()];
        for _ in 0..4 {
            let mut longer = Vec::new();
            for s in &strings {
                for a in alphabet {
                    longer.push(format!("{s}{a}"));
                }
            }
            for s in &longer {
                same_as_oracle(s);
            }
            strings = longer;
        }
    }

    #[test]
    fn a_list_holds_what_a_search_of_it_finds() {
        let lists = [
            &RATE_GLUE,
            &RATE_FOLLOW,
            &APPROXIMATE,
            &UNITS,
            &UNIT_ADJECTIVES,
            &COUNT_IN_BRACKETS,
            &YEAR_CONTEXT,
        ];
        let others = [
            "", "cases", "Cases", "PER", "Per", "pe", "perr", "ünder", "x", "X", "1", "'s", "the",
            "The", "week", "WEEK", "compared", "Compared", "a", "A", "an", "én",
        ];
        for words in lists {
            let all = words.list.iter().chain(others.iter());
            for w in all {
                for w in [
                    w.to_string(),
                    w.to_ascii_uppercase(),
                    format!("{w}s"),
                    format!("x{w}"),
                ] {
                    assert_eq!(words.contains(&w), in_list(words.list, &w), "{w:?}");
                }
            }
        }
    }
}
