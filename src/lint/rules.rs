//! The house-style rules of one sentence: figures, dates, doubled words, empty values.

use crate::copy::markdown::Kind;
use crate::copy::tokens::Tok;
use crate::lang::{MONTHS, NUMBER_WORDS};

use super::marks::Checker;
use super::words::{
    APPROXIMATE, COUNT_IN_BRACKETS, RATE_FOLLOW, RATE_GLUE, UNIT_ADJECTIVES, UNITS, YEAR_CONTEXT,
    in_list, is_plain, month_abbreviation, month_index, numeric_date, ordinal, plain_int,
    with_commas,
};
use super::{LintFinding, MAX_SENTENCE, Rule, window};

/// One sentence of a block, by its token range.
pub(super) struct Sentence<'b> {
    pub(super) block: &'b Checker<'b>,
    pub(super) first: usize,
    pub(super) end: usize,
}

impl Sentence<'_> {
    /// The sentence's text on one line. Only a finding quotes it (and the repeated-sentence
    /// rule reads it), so it is not made for the sentences that break no rule.
    pub(super) fn text(&self) -> std::borrow::Cow<'_, str> {
        self.block.sentence_text(&(self.first..self.end))
    }

    #[inline(always)]
    pub(super) fn tok(&self, i: usize) -> Option<Tok> {
        (self.first..self.end)
            .contains(&i)
            .then(|| self.block.tokens[i].tok)
    }

    #[inline(always)]
    pub(super) fn s(&self, i: usize) -> &str {
        self.block.s(i)
    }

    #[inline(always)]
    pub(super) fn word(&self, i: usize) -> Option<&str> {
        (self.tok(i) == Some(Tok::Word)).then(|| self.s(i))
    }

    #[inline(always)]
    pub(super) fn number(&self, i: usize) -> Option<&str> {
        (self.tok(i) == Some(Tok::Number)).then(|| self.s(i))
    }

    #[inline(always)]
    pub(super) fn is_punct(&self, i: usize, c: char) -> bool {
        self.tok(i) == Some(Tok::Punct(c))
    }

    #[inline(always)]
    pub(super) fn word_is(&self, i: usize, w: &str) -> bool {
        self.word(i).is_some_and(|x| x.eq_ignore_ascii_case(w))
    }

    #[inline]
    pub(super) fn prev(&self, i: usize) -> Option<usize> {
        (i > self.first).then(|| i - 1)
    }

    #[inline]
    fn is_month(&self, i: usize) -> bool {
        self.word(i).and_then(month_index).is_some()
    }

    pub(super) fn push(
        &self,
        out: &mut Vec<LintFinding>,
        rule: Rule,
        from: usize,
        to: usize,
        message: String,
    ) {
        let b = self.block;
        let offset = b.tokens[from].start;
        let snippet = &b.text[offset..b.tokens[to].end];
        let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
        let start = b.tokens[self.first].start;
        let raw = &b.text[start..b.tokens[self.end - 1].end];
        // A long sentence is quoted only near the finding, from its own bytes: putting the
        // whole of it on one line for each of its findings took time in the square of its
        // length.
        let quote = if raw.len() > MAX_SENTENCE {
            let near = window(raw, offset - start);
            near.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            self.text().into_owned()
        };
        out.push(b.finding(rule, offset, &snippet, quote, message));
    }

    pub(super) fn check(&self, out: &mut Vec<LintFinding>) {
        let table = self.block.kind == Kind::Table;
        if !table {
            self.starts_with_figure(out);
        }
        let b = self.block;
        let bytes = b.text.as_bytes();
        let toks = &b.tokens[self.first..self.end];
        for (k, t) in toks.iter().enumerate() {
            let i = self.first + k;
            // What a word may break is told from its first byte and the token after it: most
            // words are followed by another word and are no month, doubled word or empty
            // value, and are left before their text or protection is looked at.
            let (month, double, empty) = match t.tok {
                Tok::Word => {
                    let first = FIRST_BYTE[usize::from(bytes[t.start])];
                    let next = toks.get(k + 1);
                    let month =
                        first & MONTH_FIRST != 0 && next.is_some_and(|u| u.tok == Tok::Number);
                    // Words of different lengths or first bytes differ, without ASCII case too.
                    let double = !table
                        && next.is_some_and(|u| {
                            u.tok == Tok::Word
                                && u.end - u.start == t.end - t.start
                                && bytes[u.start].eq_ignore_ascii_case(&bytes[t.start])
                        });
                    // Every empty value `empty_word` knows is of 3, 4, 8 or 9 bytes: "in",
                    // "is" and "it" share a first byte with "inf" and are left here.
                    let empty =
                        first & EMPTY_FIRST != 0 && matches!(t.end - t.start, 3 | 4 | 8 | 9);
                    if !(month || double || empty) {
                        continue;
                    }
                    (month, double, empty)
                }
                Tok::Number | Tok::Punct('(' | '[' | '"' | '“') => (false, false, false),
                _ => continue,
            };
            // A known name or literal is printed as given: "Hartlepool 001", "call 119".
            if b.is_protected(t.start) {
                continue;
            }
            match t.tok {
                // A figure that is part of a date is judged as a date only.
                Tok::Number if !self.date_style(i, out) => self.number_rules(i, table, out),
                Tok::Word => {
                    if month {
                        self.month_first_date(i, out);
                    }
                    if double {
                        self.doubled(i, out);
                    }
                    if empty {
                        self.empty_word(i, out);
                    }
                }
                Tok::Punct(_) => self.empty_pair(i, out),
                _ => {}
            }
        }
    }

    fn starts_with_figure(&self, out: &mut Vec<LintFinding>) {
        let first = (self.first..self.end).find(|&i| {
            !matches!(
                self.block.tokens[i].tok,
                Tok::Punct('"' | '“' | '‘' | '\'' | '(' | '[' | '*' | '_')
            )
        });
        if let Some(i) = first
            && self.tok(i) == Some(Tok::Number)
            && !self.block.is_protected(self.block.tokens[i].start)
        {
            self.push(
                out,
                Rule::SentenceStartsWithFigure,
                i,
                i,
                "a sentence does not start with a figure: reword it, or write the number in words"
                    .to_string(),
            );
        }
    }

    /// "14 January", "14th January", "14th of January", and dates in figures. Returns whether
    /// the token was part of a date, so the number rules leave it alone.
    fn date_style(&self, i: usize, out: &mut Vec<LintFinding>) -> bool {
        let s = self.s(i);
        let ordinal = ordinal(s);
        let day = plain_int(s).or(ordinal).filter(|d| (1..=31).contains(d));
        if let Some(day) = day {
            let month_at = if self.is_month(i + 1)
                || self.word(i + 1).and_then(month_abbreviation).is_some()
            {
                Some(i + 1)
            } else if ordinal.is_some() && self.word_is(i + 1, "of") && self.is_month(i + 2) {
                Some(i + 2)
            } else {
                None
            };
            if let Some(m) = month_at {
                let w = self.s(m);
                let month = month_index(w)
                    .or_else(|| month_abbreviation(w))
                    .unwrap_or(0);
                self.push(
                    out,
                    Rule::DateStyle,
                    i,
                    m,
                    format!(
                        "dates are written month first, without a suffix: \"{} {day}\"",
                        MONTHS[month]
                    ),
                );
                return true;
            }
            // A day after a month name is a date; the month's own check has judged it.
            if self.prev(i).is_some_and(|p| {
                self.is_month(p) || self.word(p).and_then(month_abbreviation).is_some()
            }) {
                return true;
            }
        }
        if let Some((month, day)) = numeric_date(s) {
            self.push(
                out,
                Rule::DateStyle,
                i,
                i,
                format!(
                    "dates are written with the month's name: \"{} {day}\"",
                    MONTHS[month]
                ),
            );
            return true;
        }
        false
    }

    /// "January 14th" and "Jan 14".
    fn month_first_date(&self, i: usize, out: &mut Vec<LintFinding>) {
        let w = self.s(i);
        let full = month_index(w);
        let Some(month) = full.or_else(|| month_abbreviation(w)) else {
            return;
        };
        let Some(next) = self.number(i + 1) else {
            return;
        };
        if let Some(day) = ordinal(next).filter(|d| (1..=31).contains(d)) {
            self.push(
                out,
                Rule::DateStyle,
                i,
                i + 1,
                format!("dates take no suffix: \"{} {day}\"", MONTHS[month]),
            );
            return;
        }
        if let Some(day) = plain_int(next).filter(|d| (1..=31).contains(d))
            && full.is_none()
        {
            self.push(
                out,
                Rule::DateStyle,
                i,
                i + 1,
                format!("months are written in full: \"{} {day}\"", MONTHS[month]),
            );
        }
    }

    fn is_year(&self, i: usize) -> bool {
        let Some(n) = plain_int(self.s(i)) else {
            return false;
        };
        if self.s(i).len() != 4 || !(1900..=2100).contains(&n) {
            return false;
        }
        let Some(p) = self.prev(i) else {
            return false;
        };
        if self.is_month(p) || self.word(p).is_some_and(|w| YEAR_CONTEXT.contains(w)) {
            return true;
        }
        // "January 14, 2021" and "14 January 2021".
        if self.is_punct(p, ',')
            && let Some(q) = self.prev(p)
        {
            return self.number(q).is_some() && self.prev(q).is_some_and(|m| self.is_month(m));
        }
        false
    }

    fn is_percent(&self, i: usize) -> bool {
        self.is_punct(i + 1, '%')
            || self.word_is(i + 1, "percent")
            || (self.word_is(i + 1, "per") && self.word_is(i + 2, "cent"))
    }

    /// "254.0 per 100,000", "250 cases per 100,000", "254.0 per 100k".
    fn per_100k(&self, i: usize) -> bool {
        let mut j = i + 1;
        while j < i + 4 && self.word(j).is_some_and(|w| COUNT_IN_BRACKETS.contains(w)) {
            j += 1;
        }
        if !self.word_is(j, "per") {
            return false;
        }
        // Only a number after "per" is read: "per" can end the text.
        self.number(j + 1).is_some_and(|n| {
            // `n` without its commas is "100000" or "100k", compared without a copy.
            let mut digits = n.bytes().filter(|b| *b != b',');
            let is = |want: &[u8], digits: &mut dyn Iterator<Item = u8>| {
                let mut want = want.iter();
                loop {
                    match (digits.next(), want.next()) {
                        (None, None) => return true,
                        (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => {}
                        _ => return false,
                    }
                }
            };
            is(b"100000", &mut digits.clone()) || is(b"100k", &mut digits)
        })
    }

    /// "254.0 (800 cases)" and "237.5 (592)": a figure followed by its count in brackets.
    fn count_in_brackets_follows(&self, i: usize) -> bool {
        if !self.is_punct(i + 1, '(')
            || self
                .number(i + 2)
                .is_none_or(|n| !is_plain(n) || n.as_bytes().contains(&b'.'))
        {
            return false;
        }
        let mut j = i + 3;
        while self.word(j).is_some_and(|w| COUNT_IN_BRACKETS.contains(w)) {
            j += 1;
        }
        self.is_punct(j, ')')
    }

    fn week_ago_follows(&self, i: usize) -> bool {
        (self.word_is(i + 1, "last") && self.word_is(i + 2, "week"))
            || (self.word_is(i + 1, "a")
                && self.word_is(i + 2, "week")
                && self.word_is(i + 3, "ago"))
            || (self.word_is(i + 1, "the")
                && (self.word_is(i + 2, "week") && self.word_is(i + 3, "before")
                    || self.word_is(i + 2, "previous") && self.word_is(i + 3, "week")))
            || self.word_is(i + 1, "previously")
    }

    /// Walks back from a figure over the words that can join it to "rate".
    fn rate_before(&self, i: usize) -> bool {
        let mut j = i;
        let mut steps = 0;
        while let Some(p) = self.prev(j) {
            steps += 1;
            if steps > 10 {
                return false;
            }
            j = p;
            match self.block.tokens[p].tok {
                Tok::Word => {
                    let w = lowercase(self.s(p));
                    let w = crate::copy::tokens::strip_possessive(&w);
                    if w == "rate" || w == "rates" {
                        return true;
                    }
                    if !RATE_GLUE.contains(w) {
                        return false;
                    }
                }
                Tok::Number => {}
                Tok::Punct(',' | '–' | '—' | ':' | '-') => {}
                // A list of movers: "Knowsley (down from 1,464.9 to 1,134.8)".
                Tok::Punct('(') => {
                    return (self.word_is(p + 1, "down") || self.word_is(p + 1, "up"))
                        && self.word_is(p + 2, "from");
                }
                Tok::Punct(')') => {
                    // Skip a bracketed count back to its opening bracket.
                    while let Some(q) = self.prev(j) {
                        j = q;
                        if self.is_punct(q, '(') {
                            break;
                        }
                    }
                }
                _ => return false,
            }
        }
        false
    }

    fn is_rate(&self, i: usize) -> bool {
        let s = self.s(i);
        if !is_plain(s) || self.is_percent(i) {
            return false;
        }
        let prev = self.prev(i);
        if prev.is_some_and(|p| self.word_is(p, "per")) {
            return false;
        }
        if prev.is_some_and(|p| self.word(p).is_some_and(|w| APPROXIMATE.contains(w))) {
            return false;
        }
        if self.per_100k(i) {
            return true;
        }
        if prev.is_some_and(|p| self.is_punct(p, '(')) {
            return false;
        }
        if self.word(i + 1).is_some_and(|w| !RATE_FOLLOW.contains(w)) {
            return false;
        }
        // "225 (60 per cent)": a count of areas with its share.
        if self.is_punct(i + 1, '(') && self.number(i + 2).is_some() && self.is_percent(i + 2) {
            return false;
        }
        self.count_in_brackets_follows(i) || self.week_ago_follows(i) || self.rate_before(i)
    }

    fn number_rules(&self, i: usize, table: bool, out: &mut Vec<LintFinding>) {
        let s = self.s(i);
        if !is_plain(s) {
            return;
        }
        let year = self.is_year(i);
        // A plain figure is ASCII, so its point is found among its bytes.
        let (int, decimals) = match s.bytes().position(|b| b == b'.') {
            Some(dot) => (&s[..dot], Some(&s[dot + 1..])),
            None => (s, None),
        };
        if !year {
            self.thousands(i, int, decimals, out);
        }
        if !year && self.is_rate(i) {
            let places = decimals.map_or(0, str::len);
            if places != 1 {
                let message = match decimals {
                    None => format!(
                        "rates are printed with exactly one decimal place: \"{}.0\"",
                        with_commas(&int.replace(',', ""))
                    ),
                    Some(_) => format!(
                        "rates are printed with exactly one decimal place (rounded half-up), not {places}"
                    ),
                };
                self.push(out, Rule::RateDecimals, i, i, message);
            }
            return;
        }
        if !table {
            self.small_count(i, out);
        }
    }

    fn thousands(&self, i: usize, int: &str, decimals: Option<&str>, out: &mut Vec<LintFinding>) {
        // Read without a list of the groups or a copy of the digits, as this runs for every
        // figure of every story and nearly all are in style.
        let commas = int.as_bytes().contains(&b',');
        let needs = int.len() >= 4 && !commas;
        let well_grouped = !commas || {
            let mut groups = int.split(',');
            let head = groups.next().unwrap_or("");
            head.len() <= 3 && !head.is_empty() && groups.all(|g| g.len() == 3)
        };
        if !needs && well_grouped {
            return;
        }
        let digits = int.replace(',', "");
        let fixed = match decimals {
            Some(d) => format!("{}.{d}", with_commas(&digits)),
            None => with_commas(&digits),
        };
        let message = if needs {
            format!("figures of 1,000 or more take commas: \"{fixed}\"")
        } else {
            format!("thousands separators are misplaced: \"{fixed}\"")
        };
        self.push(out, Rule::ThousandsSeparators, i, i, message);
    }

    fn small_count(&self, i: usize, out: &mut Vec<LintFinding>) {
        let s = self.s(i);
        let Some(n) = plain_int(s).filter(|n| *n < 10 && s.len() == 1) else {
            return;
        };
        // "3 new cases": a unit may come after an adjective or two.
        let mut j = i + 1;
        while j < i + 3 && self.word(j).is_some_and(|w| UNIT_ADJECTIVES.contains(w)) {
            j += 1;
        }
        if self.is_percent(i) || self.word(j).is_some_and(|w| UNITS.contains(w)) {
            return;
        }
        let prev = self.prev(i);
        if prev.is_some_and(|p| matches!(self.tok(p), Some(Tok::Punct('£' | '$' | '€' | '#'))))
            || (prev.is_some_and(|p| self.is_punct(p, '(')) && self.is_punct(i + 1, ')'))
        {
            return;
        }
        // "1 in 10", "5 to 11", "between 5 and 10": a figure paired with another reads as one.
        let paired = |j: usize, k: usize| {
            (self
                .word(j)
                .is_some_and(|w| in_list(&["in", "to", "and", "or", "of"], w))
                || self.is_punct(j, '-')
                || self.is_punct(j, '–'))
                && self.number(k).is_some()
        };
        if paired(i + 1, i + 2) || prev.is_some_and(|p| p > self.first && paired(p, p - 1)) {
            return;
        }
        self.push(
            out,
            Rule::SmallCountsInWords,
            i,
            i,
            format!(
                "counts under ten are written in words: \"{}\"",
                // A count of nothing reads as "none" in prose ("none are unchanged").
                if n == 0 {
                    "none"
                } else {
                    NUMBER_WORDS[n as usize]
                }
            ),
        );
    }

    fn doubled(&self, i: usize, out: &mut Vec<LintFinding>) {
        let Some(next) = self.word(i + 1) else { return };
        let here = self.s(i);
        let b = self.block;
        let between = &b.text[b.tokens[i].end..b.tokens[i + 1].start];
        if here.eq_ignore_ascii_case(next)
            && between.chars().all(|c| c == ' ' || c == '\t')
            && !b.is_protected(b.tokens[i + 1].start)
            && !in_list(&["had", "that"], here)
        {
            self.push(
                out,
                Rule::DoubledWords,
                i,
                i + 1,
                format!("the word \"{here}\" is repeated"),
            );
        }
    }

    fn empty_word(&self, i: usize, out: &mut Vec<LintFinding>) {
        let w = self.s(i);
        let empty = match w {
            // "None of the boroughs..." opens a sentence; a None anywhere else is a value.
            "None" => !(i == self.first && self.word(i + 1).is_some()),
            "NaN" | "NAN" | "null" | "Null" | "NULL" | "undefined" | "inf" | "Inf" | "INF"
            | "Infinity" | "NaT" => true,
            _ => false,
        };
        if empty {
            self.push(
                out,
                Rule::EmptyValues,
                i,
                i,
                format!("\"{w}\" is an empty or missing value printed as if it were a figure"),
            );
        }
    }

    fn empty_pair(&self, i: usize, out: &mut Vec<LintFinding>) {
        let close = match self.tok(i) {
            Some(Tok::Punct('(')) => ')',
            Some(Tok::Punct('[')) => ']',
            Some(Tok::Punct('“')) => '”',
            Some(Tok::Punct('"')) => '"',
            _ => return,
        };
        // A straight quote closing one quotation can touch the next one's opening only if
        // nothing separates them; brackets may hold spaces and still be empty.
        let b = self.block;
        let adjacent = i + 1 < self.end && b.tokens[i].end == b.tokens[i + 1].start;
        if self.is_punct(i + 1, close) && (adjacent || matches!(close, ')' | ']')) {
            self.push(
                out,
                Rule::EmptyValues,
                i,
                i + 1,
                "empty brackets or quotes: a value was left out".to_string(),
            );
        }
    }
}

/// [`FIRST_BYTE`]: a word starting with this byte may be a month or its abbreviation.
const MONTH_FIRST: u8 = 1;
/// [`FIRST_BYTE`]: a word starting with this byte may be an empty value ("None", "NaN", "null",
/// "undefined", "inf").
const EMPTY_FIRST: u8 = 2;

/// What a word may be, by its first byte: every month and abbreviation starts with one of
/// "JFMASOND", every empty value `empty_word` knows with one of "NnuiI".
const FIRST_BYTE: [u8; 256] = {
    let mut table = [0u8; 256];
    let months = b"JFMASOND";
    let mut k = 0;
    while k < months.len() {
        table[months[k] as usize] |= MONTH_FIRST;
        k += 1;
    }
    let empty = b"NnuiI";
    let mut k = 0;
    while k < empty.len() {
        table[empty[k] as usize] |= EMPTY_FIRST;
        k += 1;
    }
    table
};

/// `word` lower-cased, borrowed when it has no capital: an ASCII word is lower-cased as
/// [`str::to_lowercase`] would, without a copy unless it holds a capital.
pub(super) fn lowercase(word: &str) -> std::borrow::Cow<'_, str> {
    if !word.is_ascii() {
        return word.to_lowercase().into();
    }
    if word.bytes().any(|b| b.is_ascii_uppercase()) {
        word.to_ascii_lowercase().into()
    } else {
        word.into()
    }
}
