//! Digits and numerals other than ASCII 0–9 ("９", "٩", "𝟗", "⑨", "½", "Ⅻ"), read as tokens of
//! their own wherever they stand, alone or inside a word: no fact prints one, so copy that
//! prints one fails the audit however a template or an editor came to print it.

use super::{NumClass, T, Tok, borrowed};
use crate::copy::tokens::is_foreign_numeral;

/// Pushes a token for each numeral other than ASCII 0–9 in `text[from..to]`.
pub(super) fn push_foreign<'c>(text: &'c str, from: usize, to: usize, toks: &mut Vec<Tok<'c>>) {
    for (k, c) in text[from..to].char_indices() {
        if is_foreign_numeral(c) {
            let (start, end) = (from + k, from + k + c.len_utf8());
            toks.push(Tok {
                t: T::Num(NumClass::Foreign, borrowed(&text[start..end])),
                start,
                end,
            });
        }
    }
}

/// Why a numeral other than ASCII 0–9 fails: it and its code point, so an editor can find a
/// character that may look like an ASCII digit.
pub(in crate::audit) fn foreign_message(c: char) -> String {
    format!(
        "prints \"{c}\" (U+{:04X}), a digit the audit cannot trace: figures are printed in ASCII digits",
        u32::from(c)
    )
}
