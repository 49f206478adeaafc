//! The marks a render prints for the renderer alone, in characters of Unicode's private use
//! area, which no template or figure prints: where the headline and standfirst blocks start
//! and end, and where the `literal` filter's fixed text does. None reaches a story's text.

use std::borrow::Cow;

use super::Rendered;
use super::filters::tidy;

/// Where the headline and standfirst blocks start and end in a marked render: characters of
/// Unicode's private use area, which no template or figure prints.
pub(super) const MARKS: [(char, char); 2] = [('\u{E000}', '\u{E001}'), ('\u{E002}', '\u{E003}')];

/// The two blocks a marked template marks, in the order of [`MARKS`].
pub(super) const MARKED_BLOCKS: [&str; 2] = ["headline", "standfirst"];

/// Where the `literal` filter's text starts and ends in a render: characters of Unicode's
/// private use area (after the block marks of [`MARKS`]), which no template or figure
/// prints, removed before the text leaves the renderer.
pub(super) const LITERAL_OPEN: char = '\u{E004}';
/// See [`LITERAL_OPEN`].
pub(super) const LITERAL_CLOSE: char = '\u{E005}';

/// `raw` without its literal marks, and the phrases printed between them (trimmed, each
/// once, in order). An error names the fault when a mark is closed without being opened,
/// opened inside another, or left open: the text would otherwise say what is fixed text only
/// in part.
pub(super) fn take_literals<'r>(
    raw: &'r str,
    literals: &mut Vec<String>,
) -> Result<Cow<'r, str>, String> {
    let near = |at: usize| {
        let before: Vec<char> = raw[..at].chars().rev().take(40).collect();
        before
            .into_iter()
            .rev()
            .collect::<String>()
            .trim_start()
            .to_string()
    };
    // Both marks are three bytes, EE 80 84 and EE 80 85 in UTF-8, and 0xEE only ever starts
    // a character: the text between them is copied whole, not character by character.
    let bytes = raw.as_bytes();
    let is_mark = |at: usize| matches!(bytes.get(at + 1..at + 3), Some([0x80, 0x84 | 0x85]));
    // A render without literal marks is the text as it is.
    let Some(first) = memchr::memchr_iter(0xEE, bytes).find(|&at| is_mark(at)) else {
        return Ok(Cow::Borrowed(raw));
    };
    let mut text = String::with_capacity(raw.len());
    let mut open: Option<usize> = None;
    let mut from = 0;
    for at in memchr::memchr_iter(0xEE, &bytes[first..]).map(|at| at + first) {
        let opens = match bytes.get(at + 1..at + 3) {
            Some([0x80, 0x84]) => true,
            Some([0x80, 0x85]) => false,
            _ => continue,
        };
        text.push_str(&raw[from..at]);
        from = at + 3;
        match (opens, open) {
            (true, None) => open = Some(text.len()),
            (true, Some(_)) => {
                return Err(format!(
                    "a literal mark opens inside another, after \"{}\"",
                    near(at)
                ));
            }
            (false, Some(start)) => {
                let phrase = text[start..].trim();
                if !phrase.is_empty() && !literals.iter().any(|p| p == phrase) {
                    literals.push(phrase.to_string());
                }
                open = None;
            }
            (false, None) => {
                return Err(format!(
                    "a literal mark closes without opening, after \"{}\"",
                    near(at)
                ));
            }
        }
    }
    text.push_str(&raw[from..]);
    if let Some(start) = open {
        return Err(format!(
            "a literal mark is left unclosed, before \"{}\"",
            text[start..]
                .chars()
                .take(40)
                .collect::<String>()
                .trim_end()
        ));
    }
    Ok(Cow::Owned(text))
}

/// The story and its blocks from a marked render, or `None` when the marks are not each
/// there once and in order (a value that printed one, say), so the caller renders again
/// block by block. `scratch` holds the text without its marks on the way, kept by the caller
/// from one story to the next.
pub(super) fn split_marked(
    raw: &str,
    expected: [bool; 2],
    literals: Vec<String>,
    scratch: &mut String,
) -> Option<Rendered> {
    // Every mark is three bytes, EE 80 80..83 in UTF-8; 0xEE starts no other character the
    // copy prints, so one pass over the bytes finds them all.
    let bytes = raw.as_bytes();
    let mut found: Vec<(usize, u8)> = Vec::with_capacity(4);
    for at in memchr::memchr_iter(0xEE, bytes) {
        if let [0x80, k @ 0x80..=0x83, ..] = bytes[at + 1..] {
            if found.len() == 4 {
                return None;
            }
            found.push((at, k - 0x80));
        }
    }
    // Each expected block once, its open mark straight before its close; nothing else.
    let mut blocks: [Option<String>; 2] = [None, None];
    let pairs = found.chunks(2);
    if found.len() != 2 * expected.iter().filter(|e| **e).count() {
        return None;
    }
    for pair in pairs {
        let &[(start, open), (end, close)] = pair else {
            return None;
        };
        let block = usize::from(open / 2);
        if open % 2 != 0 || close != open + 1 || !expected[block] || blocks[block].is_some() {
            return None;
        }
        blocks[block] = Some(tidy(&raw[start + 3..end]).trim().to_string());
    }
    let text = scratch;
    text.clear();
    let mut from = 0;
    for &(at, _) in &found {
        text.push_str(&raw[from..at]);
        from = at + 3;
    }
    text.push_str(&raw[from..]);
    let [headline, standfirst] = blocks;
    Some(Rendered {
        text: tidy(text),
        headline,
        standfirst,
        literals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_give_the_blocks_and_leave_the_text() {
        let r = split_marked(
            "# \u{E000}Head\u{E001}\n\n\u{E002}Stand\n first\u{E003}\n\nBody\n",
            [true, true],
            Vec::new(),
            &mut String::new(),
        )
        .unwrap();
        assert_eq!(r.headline.as_deref(), Some("Head"));
        assert_eq!(r.standfirst.as_deref(), Some("Stand\n first"));
        assert_eq!(r.text, "# Head\n\nStand\n first\n\nBody\n");
    }

    #[test]
    fn a_stray_or_missing_mark_means_render_the_slow_way() {
        // A name that prints a mark, a block that did not print, marks out of order.
        for (text, printed) in [
            ("\u{E000}A \u{E001}B\u{E001}", [true, false]),
            ("\u{E000}A\u{E001}", [true, true]),
            ("\u{E001}A\u{E000}", [true, false]),
            ("\u{E000}A\u{E001}\u{E000}B\u{E001}", [true, true]),
            ("\u{E002}A\u{E003}", [true, false]),
        ] {
            assert!(
                split_marked(text, printed, Vec::new(), &mut String::new()).is_none(),
                "{text:?}"
            );
        }
        assert!(split_marked("no marks", [false, false], Vec::new(), &mut String::new()).is_some());
    }

    #[test]
    fn literal_marks_go_and_leave_their_phrases() {
        let mut found = Vec::new();
        let text = take_literals(
            "Call \u{E004}119\u{E005} or \u{E004} nhs.uk \u{E005}; \u{E004}119\u{E005}.",
            &mut found,
        )
        .unwrap();
        assert_eq!(text, "Call 119 or  nhs.uk ; 119.");
        assert_eq!(found, ["119", "nhs.uk"]);
        assert_eq!(take_literals("plain", &mut found).unwrap(), "plain");
        for bad in [
            "call \u{E004}119",
            "call 119\u{E005}",
            "\u{E004}a \u{E004}b\u{E005}\u{E005}",
        ] {
            assert!(take_literals(bad, &mut Vec::new()).is_err(), "{bad:?}");
        }
        // Other characters of the private use area, the block marks among them, stay.
        let kept = "\u{E000}a\u{E003} \u{EE80}\u{E006}\u{E084}";
        assert_eq!(take_literals(kept, &mut Vec::new()).unwrap(), kept);
        let mut found = Vec::new();
        assert_eq!(
            take_literals("é\u{E004} ü \u{E005}\u{E000}", &mut found).unwrap(),
            "é ü \u{E000}"
        );
        assert_eq!(found, ["ü"]);
        let unclosed = take_literals("Book at \u{E004}nhs.uk or call 119", &mut Vec::new());
        assert!(
            unclosed
                .unwrap_err()
                .contains("left unclosed, before \"nhs.uk or call 119\"")
        );
    }
}
