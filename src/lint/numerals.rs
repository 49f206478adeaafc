//! `ascii-digits`: figures are printed in ASCII digits. A full-width "９", an Arabic-Indic "٩",
//! a mathematical "𝟗", a circled "⑨", a superscript "⁹", a fraction "½" or a Roman numeral
//! "Ⅻ" may look like a figure to a reader but is not the house's, and no figure rule reads it.

use super::marks::Checker;
use super::{LintFinding, Rule};
use crate::copy::tokens::is_foreign_numeral;

impl Checker<'_> {
    /// Each run of numerals other than ASCII 0–9 (with the ASCII digits and separators among
    /// them: "７⁹⁹.9") outside a known name or literal and outside a link, one finding a run.
    pub(super) fn check_numerals(&self, out: &mut Vec<LintFinding>) {
        // Nearly all copy is ASCII, and ASCII holds no such numeral.
        if self.text.is_ascii() {
            return;
        }
        let text = self.text.as_str();
        let mut chars = text.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if !is_foreign_numeral(c) || self.is_protected(start) || self.in_url(start) {
                continue;
            }
            let mut end = start + c.len_utf8();
            while let Some(&(at, d)) = chars.peek() {
                let numeral = is_foreign_numeral(d) || d.is_ascii_digit();
                let separator = matches!(d, '.' | ',')
                    && text[at + 1..]
                        .chars()
                        .next()
                        .is_some_and(|e| is_foreign_numeral(e) || e.is_ascii_digit());
                if !(numeral || separator) {
                    break;
                }
                end = at + d.len_utf8();
                chars.next();
            }
            let snippet = &text[start..end];
            out.push(self.finding(
                Rule::AsciiDigits,
                start,
                snippet,
                self.sentence_of_offset(start),
                format!(
                    "figures are printed in ASCII digits: \"{c}\" (U+{:04X}) is not one",
                    u32::from(c)
                ),
            ));
        }
    }
}
