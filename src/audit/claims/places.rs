//! Places the copy names: the county or region that places an area ("Sedgemoor in
//! Somerset"), checked against the geography, and the place a superlative ranks within ("the
//! second highest rate in the North West"), ranked against all of that place's areas in the
//! data. A place just after an area's name places that area; only a place the superlative's
//! own words reach, not one that qualifies an area, is a ranking scope.

use crate::geo::Nation;
use crate::story::lies_in;

use super::super::Auditor;
use super::super::reading::{NumClass, Sentence, T};

/// What a superlative ranks within, as its words after it say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::audit) struct Within {
    /// "among the four council areas": the patch's own areas.
    pub(super) among: bool,
    /// The patch's region is named after the superlative.
    pub(super) region_here: bool,
    /// A place the geography knows, the patch's region or another.
    pub(super) place: Option<&'static str>,
}

impl Auditor<'_> {
    /// The ranking scope of the superlative at token `i`: the words after it up to the next
    /// comma or full stop, read on one line. `region_is_nation` says the patch's region is a
    /// nation, whose superlatives rank among the nation's areas instead.
    pub(super) fn within(&self, s: &Sentence, i: usize, region_is_nation: bool) -> Within {
        let after_end = s.toks[i..]
            .iter()
            .position(|t| t.t == T::Comma || t.t == T::Stop)
            .map_or(s.end, |p| s.toks[i + p].start);
        let after = s.src.get(s.toks[i].end..after_end).unwrap_or("");
        let after = crate::copy::block::one_line(after);
        let among = after.contains("among the ");
        let region_here = !region_is_nation && self.region.named_in(&after);
        // The areas printed after the superlative: a place just after one of them places it.
        let areas: Vec<&str> = s.toks[i..]
            .iter()
            .filter(|t| t.start < after_end && matches!(t.t, T::Area(_)))
            .filter_map(|t| s.src.get(t.start..t.end))
            .collect();
        let place = if among {
            None
        } else if region_here {
            known_place(&self.input.story.region)
        } else {
            place_named(&after, &areas)
        };
        Within {
            among,
            region_here,
            place,
        }
    }

    /// [`Auditor::within`], read once a sentence: the figures' check and the claims' check
    /// both ask it of a ranked superlative ("second highest rate in the North West"), and it
    /// depends only on the sentence, the token and the story.
    pub(super) fn scope(&mut self, s: &Sentence, i: usize, region_is_nation: bool) -> Within {
        if let Some(&(_, _, w)) = self
            .scopes
            .iter()
            .find(|&&(j, r, _)| j == i && r == region_is_nation)
        {
            return w;
        }
        let w = self.within(s, i, region_is_nation);
        self.scopes.push((i, region_is_nation, w));
        w
    }

    /// Whether the ordinal at token `i` is the rank of a superlative within a place the
    /// geography knows ("the second highest rate in the North West"): no fact holds such a
    /// rank, and the claims check ranks it against the place's areas in the data, so it is
    /// not traced as a figure.
    pub(in crate::audit) fn ranked_within_place(
        &mut self,
        s: &Sentence,
        i: usize,
        owner: &[Option<usize>],
    ) -> bool {
        if !matches!(
            s.toks[i].t,
            T::Num(NumClass::OrdinalWord | NumClass::Ordinal, _)
        ) {
            return false;
        }
        let j = i + 1;
        let superlative = matches!(
            s.toks.get(j).map(|t| &t.t),
            Some(T::Word(w)) if w.as_str() == "highest" || w.as_str() == "lowest"
        );
        // The claims check ranks it only for an area it can find, as here.
        let area = superlative
            && (owner[j].is_some() || s.toks[j..].iter().any(|t| matches!(t.t, T::Area(_))));
        if !area {
            return false;
        }
        let story = self.input.story;
        let region_is_nation = super::region_nation(&story.region, story.universe.kind).is_some();
        let within = self.scope(s, j, region_is_nation);
        let ranked = !within.among && within.place.is_some();
        if ranked {
            self.report.figures += 1;
        }
        ranked
    }

    /// "Sedgemoor in Somerset", "Knowsley in the North West", "Cardiff in Wales": an area's
    /// name followed by "in" and a county, English region or nation the geography knows must
    /// be one the area lies in; refused, naming the right one, when it is not.
    pub(super) fn check_qualifiers(&mut self, s: &Sentence) {
        for t in &s.toks {
            let T::Area(k) = t.t else { continue };
            let Some(rest) = s.src.get(t.end..s.end) else {
                continue;
            };
            let Some((printed, place)) = qualifying_place(rest) else {
                continue;
            };
            self.report.claims += 1;
            let code = self.code(k);
            if lies_in(place, code) {
                continue;
            }
            let name = self.name(k);
            let right = match crate::geo::authority(code) {
                None => format!("the geography does not know {name}, so it cannot be placed"),
                Some(a) if Nation::from_name(place).is_some() => {
                    format!("{name} is in {}", a.nation.name())
                }
                Some(a) if a.region.is_empty() => format!("{name} is in {}", a.nation.name()),
                Some(a) if is_region(place) || a.county.is_empty() => {
                    format!("{name} is in {}", place_words(a.region))
                }
                Some(a) => format!("{name} is in {}", a.county),
            };
            self.fail(
                s,
                format!("\"{name} in {printed}\" is wrong: {right}, not {printed}"),
            );
        }
    }
}

/// The place `rest` (the copy just after an area's name) opens with as " in PLACE": the
/// place as printed ("the North West") and as the geography writes it ("North West").
fn qualifying_place(rest: &str) -> Option<(String, &'static str)> {
    let rest = rest.strip_prefix(char::is_whitespace)?.trim_start();
    let rest = rest.strip_prefix("in")?;
    let rest = rest.strip_prefix(char::is_whitespace)?.trim_start();
    let (the, body) = match rest.strip_prefix("the") {
        Some(b) if b.starts_with(char::is_whitespace) => (true, b.trim_start()),
        _ => (false, rest),
    };
    let ends = |p: &str| {
        body.starts_with(p)
            && body
                .as_bytes()
                .get(p.len())
                .is_none_or(|b| !b.is_ascii_alphanumeric())
    };
    let place = places()
        .iter()
        .copied()
        .chain(NATION_NAMES)
        .find(|p| ends(p))?;
    Some((
        if the {
            format!("the {place}")
        } else {
            place.to_string()
        },
        place,
    ))
}

/// The nations, as the copy names them.
const NATION_NAMES: [&str; 4] = ["England", "Scotland", "Wales", "Northern Ireland"];

/// Whether `place` is an English region (not a county).
fn is_region(place: &str) -> bool {
    crate::geo::authorities().iter().any(|a| a.region == place)
}

/// The English regions and the counties of two-tier and metropolitan districts the geography
/// knows, longest first, so "the North West" is found before a shorter name inside it.
pub(super) fn places() -> &'static [&'static str] {
    static PLACES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    PLACES.get_or_init(|| {
        let mut v: Vec<&'static str> = crate::geo::authorities()
            .iter()
            .filter(|a| a.code.starts_with('E'))
            .flat_map(|a| [a.region, a.county])
            .filter(|p| !p.is_empty())
            .collect();
        v.sort_unstable_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        v.dedup();
        v
    })
}

/// The place the geography knows that `region` names ("the North West" → "North West"),
/// when it is one; a newsroom's own region ("south east London") is none.
pub(super) fn known_place(region: &str) -> Option<&'static str> {
    let region = region.trim();
    let region = region.strip_prefix("the ").unwrap_or(region);
    places()
        .iter()
        .copied()
        .find(|p| p.eq_ignore_ascii_case(region))
}

/// A known place as a sentence names it: an English region but London with "the" ("the
/// North West"), a county without.
pub(super) fn place_words(place: &str) -> String {
    if is_region(place) && place != "London" {
        format!("the {place}")
    } else {
        place.to_string()
    }
}

/// The known place a superlative's words rank within ("rate in the North West", "in
/// Merseyside"): written as the geography writes it, after "in" or "in the", and ending at a
/// word's end. A place just after one of `areas` (as printed) places that area ("the highest
/// rate is in Sedgemoor in Somerset") and is no ranking scope.
fn place_named(after: &str, areas: &[&str]) -> Option<&'static str> {
    let bytes = after.as_bytes();
    // Where a place could start: after each "in " or "in the " that starts a word. There are
    // few in a clause, and hundreds of places: each place is compared there alone.
    let mut starts = Vec::new();
    // "in " cannot overlap itself: every "i" followed by "n " is one, found without a
    // substring searcher's set-up for each short clause.
    let ins = memchr::memchr_iter(b'i', bytes).filter(|&at| bytes[at + 1..].starts_with(b"n "));
    for at in ins {
        let qualifies = areas.iter().any(|a| after[..at].trim_end().ends_with(a));
        if (at == 0 || !bytes[at - 1].is_ascii_alphanumeric()) && !qualifies {
            starts.push(at + 3);
            if after[at + 3..].starts_with("the ") {
                starts.push(at + 7);
            }
        }
    }
    if starts.is_empty() {
        return None;
    }
    let places = places();
    let reads = |k: usize, at: usize| {
        let p = places[k];
        after[at..].starts_with(p)
            && bytes
                .get(at + p.len())
                .is_none_or(|b| !b.is_ascii_alphanumeric())
    };
    // The first place in order read at any start: at each start, the first of the places
    // that open with its byte.
    let by_first = places_by_first();
    starts
        .iter()
        .filter_map(|&at| {
            let b = *bytes.get(at)?;
            let from = by_first.partition_point(|&(c, _)| c < b);
            by_first[from..]
                .iter()
                .take_while(|&&(c, _)| c == b)
                .map(|&(_, k)| k)
                .find(|&k| reads(k, at))
        })
        .min()
        .map(|k| places[k])
}

/// The places' first bytes and their indices in [`places`], by first byte, in order within
/// a byte.
fn places_by_first() -> &'static [(u8, usize)] {
    static BY_FIRST: std::sync::OnceLock<Vec<(u8, usize)>> = std::sync::OnceLock::new();
    BY_FIRST.get_or_init(|| {
        let mut v: Vec<(u8, usize)> = places()
            .iter()
            .enumerate()
            .filter_map(|(k, p)| p.as_bytes().first().map(|&b| (b, k)))
            .collect();
        // A stable sort keeps the places' order within a byte.
        v.sort_by_key(|&(b, _)| b);
        v
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The place named as it was first found: every place compared at every start.
    fn place_named_plainly(after: &str, areas: &[&str]) -> Option<&'static str> {
        let bytes = after.as_bytes();
        let mut starts = Vec::new();
        for (at, _) in after.match_indices("in ") {
            let qualifies = areas.iter().any(|a| after[..at].trim_end().ends_with(a));
            if (at == 0 || !bytes[at - 1].is_ascii_alphanumeric()) && !qualifies {
                starts.push(at + 3);
                if after[at + 3..].starts_with("the ") {
                    starts.push(at + 7);
                }
            }
        }
        places().iter().copied().find(|p| {
            starts.iter().any(|&at| {
                after[at..].starts_with(p)
                    && bytes
                        .get(at + p.len())
                        .is_none_or(|b| !b.is_ascii_alphanumeric())
            })
        })
    }

    #[test]
    fn places_are_found_as_comparing_every_place_found_them() {
        let texts = [
            " rate in England",
            " rate in the North West, in Kent",
            " in Kent and in the North West",
            " in West Yorkshire in Yorkshire and The Humber",
            " rate in Surrey Heath in Surrey",
            " in Greater Manchester in the North",
            " in Somersetshire in Somerset",
            " in ",
            "in the ",
            " in Lancashire in the East Midlands in the South East",
        ];
        for text in texts {
            for areas in [&[][..], &["Surrey Heath"][..], &["rate"][..]] {
                assert_eq!(
                    place_named(text, areas),
                    place_named_plainly(text, areas),
                    "{text:?} {areas:?}"
                );
            }
        }
    }

    proptest::proptest! {
        /// Clauses made of the pieces a place is read from ("in", "the", spaces, places,
        /// names, a letter not ASCII) find the place the plain search finds.
        #[test]
        fn places_in_made_up_clauses_are_found_as_the_plain_search_finds_them(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "in ", "in", "i", "n ", "the ", " ", "Kent", "North West", "Surrey Heath",
                "Surrey", "\u{e9}", ",", "Min ", "West Yorkshire",
            ]), 0..12),
        ) {
            let text: String = pieces.concat();
            for areas in [&[][..], &["Surrey Heath"][..], &["Kent"][..]] {
                proptest::prop_assert_eq!(
                    place_named(&text, areas),
                    place_named_plainly(&text, areas),
                    "{:?} {:?}", text, areas
                );
            }
        }
    }

    #[test]
    fn a_place_after_an_area_qualifies_it_and_one_after_a_superlative_is_its_scope() {
        assert_eq!(
            qualifying_place(" in Somerset has the highest rate"),
            Some(("Somerset".to_string(), "Somerset"))
        );
        assert_eq!(
            qualifying_place(" in the North West,"),
            Some(("the North West".to_string(), "North West"))
        );
        assert_eq!(
            qualifying_place(" in\nWales."),
            Some(("Wales".to_string(), "Wales"))
        );
        assert_eq!(qualifying_place(" in the seven days"), None);
        assert_eq!(qualifying_place(" in Somersetshire"), None);
        assert_eq!(qualifying_place(", in Somerset"), None);
        assert_eq!(
            place_named(" rate in the North West", &[]),
            Some("North West")
        );
        assert_eq!(
            place_named(" rate is in Sedgemoor in Somerset: 500.0", &["Sedgemoor"]),
            None
        );
        assert_eq!(
            place_named(" rate is in Sedgemoor in Somerset", &["Mendip"]),
            Some("Somerset")
        );
    }
}
