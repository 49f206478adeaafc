//! What a name or code may hold, and the file name an area is written under: the rules every
//! reader of names and settings shares.

/// A character no name or setting may hold, and what kind it is: control characters (C0,
/// DEL, C1), noncharacters (U+FFFE, U+FFFF and the rest of the 66), bidi controls,
/// zero-width characters and the private-use area U+E000 to U+F8FF, which the renderer's
/// marks use. Each either breaks a format the copy goes into (a NUL or U+FFFE in
/// YAML front matter or SVG, which then do not parse) or changes what a reader sees without
/// showing itself (a right-to-left override reorders the name it sits in; a zero-width space
/// makes two names that look alike differ). One rule, used by every reader of names and
/// settings, so a name refused in a CSV is refused in JSON, the archive and a patch.
pub fn forbidden_char(c: char) -> Option<&'static str> {
    let u = c as u32;
    match u {
        0x00..=0x1F | 0x7F | 0x80..=0x9F => Some("a control character"),
        0x202A..=0x202E | 0x2066..=0x2069 | 0x200E | 0x200F | 0x061C => Some("a bidi control"),
        0x200B..=0x200D | 0x2060 | 0xFEFF => Some("a zero-width character"),
        0xFDD0..=0xFDEF => Some("a noncharacter"),
        // The renderer marks headlines, standfirsts and fixed text with these: a name that held
        // them could pass for boilerplate the checks skip.
        0xE000..=0xF8FF => Some("a private-use character"),
        _ if u & 0xFFFE == 0xFFFE => Some("a noncharacter"),
        _ => None,
    }
}

/// The first character of `s` that [`forbidden_char`] refuses: its byte offset, the
/// character and what kind it is.
pub fn find_forbidden(s: &str) -> Option<(usize, char, &'static str)> {
    s.char_indices()
        .find_map(|(i, c)| forbidden_char(c).map(|kind| (i, c, kind)))
}

/// A code point as Unicode writes it: `U+202E`.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// `s` with every character [`forbidden_char`] refuses shown as its code point in angle
/// brackets (`Bex<U+202E>ley`), so that a message can quote a hostile name without carrying
/// the character itself onto the terminal.
pub fn show_forbidden(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if forbidden_char(c).is_some() {
            out.push('<');
            out.push_str(&code_point(c));
            out.push('>');
        } else {
            out.push(c);
        }
    }
    out
}

/// A lower-case ASCII slug of `name` and `code`, never empty, never leaving a folder:
/// `Kingston upon Hull, City of` + `E06000010` → `kingston-upon-hull-city-of-e06000010`.
/// Every-area file names are made from it.
pub fn slug(name: &str, code: &str) -> String {
    let mut out = String::new();
    for c in name.chars().chain(std::iter::once(' ')).chain(code.chars()) {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut slug = out.trim_matches('-').to_string();
    // Long names are cut, keeping the code (which makes the slug unique) at the end.
    if slug.len() > 100 {
        let code_part: String = code
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let keep = 100usize.saturating_sub(code_part.len() + 1);
        slug = format!("{}-{code_part}", slug[..keep].trim_end_matches('-'));
    }
    if slug.is_empty() {
        slug = "area".to_string();
    }
    slug
}
