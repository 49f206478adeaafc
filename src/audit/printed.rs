//! The facts a figure may be, by the forms they are printed in.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::facts::Fact;

/// Printed forms (lower case) → facts: each fact's forms sorted by form, the facts of one
/// form in their order, so the facts a figure may be are one binary search away. A form
/// already in lower case (most are digits) is borrowed from the fact.
pub(super) struct PrintedIndex<'f> {
    pub(super) forms: Vec<(Cow<'f, str>, usize)>,
}

/// `text` in lower case, borrowed when it is so already.
pub(super) fn lowered(text: &str) -> Cow<'_, str> {
    if text
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

impl<'f> PrintedIndex<'f> {
    pub(super) fn new(facts: &'f [Fact]) -> PrintedIndex<'f> {
        Self::of_forms(
            facts
                .iter()
                .enumerate()
                .flat_map(|(i, f)| f.printed.iter().map(move |p| (p.as_str(), i))),
        )
    }

    /// The index of (printed form, fact) pairs, in the facts' order.
    pub(super) fn of_forms(printed: impl Iterator<Item = (&'f str, usize)>) -> PrintedIndex<'f> {
        let mut forms: Vec<(Cow<'f, str>, usize)> = printed.map(|(p, i)| (lowered(p), i)).collect();
        // A stable sort keeps each form's facts in their order.
        forms.sort_by(|a, b| by_length(&a.0, &b.0));
        PrintedIndex { forms }
    }

    /// The forms printed as `key` (lower case), with their facts in order.
    pub(super) fn get(&self, key: &str) -> &[(Cow<'f, str>, usize)] {
        let from = self
            .forms
            .partition_point(|(f, _)| by_length(f, key).is_lt());
        let to = self.forms[from..].partition_point(|(f, _)| by_length(f, key).is_eq());
        &self.forms[from..from + to]
    }
}

/// A [`PrintedIndex`] looked up by hashing: the week's shared facts are looked up by every
/// figure of every story, and hold many forms of one length.
pub(super) struct SharedIndex<'f> {
    index: PrintedIndex<'f>,
    /// Each form → where its facts are in the index.
    ranges: HashMap<String, (usize, usize), BuildHasherDefault<Fnv>>,
}

impl<'f> SharedIndex<'f> {
    pub(super) fn new(facts: &'f [Fact]) -> SharedIndex<'f> {
        Self::of(PrintedIndex::new(facts))
    }

    pub(super) fn of(index: PrintedIndex<'f>) -> SharedIndex<'f> {
        let mut ranges: HashMap<String, (usize, usize), BuildHasherDefault<Fnv>> =
            HashMap::default();
        for (at, (form, _)) in index.forms.iter().enumerate() {
            ranges
                .entry(form.to_string())
                .and_modify(|r| r.1 = at + 1)
                .or_insert((at, at + 1));
        }
        SharedIndex { index, ranges }
    }

    /// The forms printed as `key` (lower case), with their facts in order.
    pub(super) fn get(&self, key: &str) -> &[(Cow<'f, str>, usize)] {
        self.ranges
            .get(key)
            .map_or(&[], |&(from, to)| &self.index.forms[from..to])
    }
}

/// The Fowler–Noll–Vo hash: a few operations a byte, for the short forms figures print as
/// (the standard hasher's guard against chosen keys is not needed for the week's own forms).
pub(super) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Forms ordered by length first, so most of the comparisons a look-up makes are of lengths.
fn by_length(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}
