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

impl Known<'_> {
    /// Whether nothing is known (the checks then read the copy exactly as [`crate::lint::lint`]
    /// does).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.literals.is_empty()
    }

    /// The byte ranges of `text` that hold a known name or literal, as whole words, in order.
    pub(crate) fn protected(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        for phrase in self.names.iter().chain(self.literals) {
            let phrase = phrase.trim();
            if phrase.is_empty() {
                continue;
            }
            for (at, _) in text.match_indices(phrase) {
                let end = at + phrase.len();
                let before = text[..at].chars().next_back();
                let after = text[end..].chars().next();
                if !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
                {
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
            .protected(text)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(got, ["Hartlepool 001", "call 119"]);
        assert!(Known::default().is_empty() && !known.is_empty());
    }
}
