//! The claim words a sentence says, found in one pass over its words.

/// Which of the words that start a claim a sentence says, found in one pass over its words,
/// so the checks of words it does not say are not run.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Said {
    pub(super) only: bool,
    /// "no", as in "no other".
    pub(super) no: bool,
    /// "continue" or "continues".
    pub(super) continues: bool,
    pub(super) highest: bool,
    pub(super) lowest: bool,
    /// "sharply", "slightly", "dramatically" and their kin.
    pub(super) degree: bool,
    /// "halved", "doubled" and their kin.
    pub(super) ratio: bool,
    /// A word a move in the ranking starts with ("climbed", "up", "dropped", "slipped").
    pub(super) moves: bool,
    pub(super) top: bool,
    pub(super) most: bool,
}

impl Said {
    pub(super) fn of(words: &[&str]) -> Said {
        let mut said = Said::default();
        for w in words {
            // Told apart by the first letter, then compared with the words it may begin.
            match w.as_bytes().first() {
                Some(b'o') => said.only |= *w == "only",
                Some(b'n') => said.no |= *w == "no",
                Some(b'c') => match *w {
                    "continue" | "continues" => said.continues = true,
                    "climbed" | "climbing" => said.moves = true,
                    _ => {}
                },
                Some(b'h') => match *w {
                    "highest" => said.highest = true,
                    "halves" | "halved" | "halving" | "halve" => said.ratio = true,
                    _ => {}
                },
                Some(b'l') => said.lowest |= *w == "lowest",
                Some(b's') => match *w {
                    "sharply" | "sharp" | "slightly" | "slight" => said.degree = true,
                    "slipped" | "slipping" => said.moves = true,
                    _ => {}
                },
                Some(b'd') => match *w {
                    "dramatically" | "dramatic" => said.degree = true,
                    "doubles" | "doubled" | "doubling" | "double" => said.ratio = true,
                    "dropped" | "dropping" => said.moves = true,
                    _ => {}
                },
                Some(b'w') => said.degree |= *w == "whopping",
                Some(b'u') => said.moves |= *w == "up",
                Some(b't') => said.top |= *w == "top",
                Some(b'm') => said.most |= *w == "most",
                _ => {}
            }
        }
        said
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words said as the checks used to find them: each looked for among all.
    fn said_plainly(words: &[&str]) -> Said {
        let has = |w: &str| words.contains(&w);
        let any = |ws: &[&str]| ws.iter().any(|w| has(w));
        Said {
            only: has("only"),
            no: has("no"),
            continues: any(&["continue", "continues"]),
            highest: has("highest"),
            lowest: has("lowest"),
            degree: any(&[
                "sharply",
                "sharp",
                "slightly",
                "slight",
                "dramatically",
                "dramatic",
                "whopping",
            ]),
            ratio: any(&[
                "halves", "halved", "halving", "halve", "doubles", "doubled", "doubling", "double",
            ]),
            moves: any(&[
                "climbed", "climbing", "up", "dropped", "dropping", "slipped", "slipping",
            ]),
            top: has("top"),
            most: has("most"),
        }
    }

    #[test]
    fn the_words_said_are_the_words_looked_for() {
        let sentences = [
            "the only area whose rate rose sharply to the top spot from",
            "no other area has dropped to the second highest or lowest rate",
            "rates continue to fall dramatically in most areas and continues up",
            "the rate halved doubled doubling whopping slipped slipping climbing",
            "",
            "o",
            "n",
            "nos",
            "tops",
            "mostly",
            "dramaticallyy",
            "highests",
        ];
        for sentence in sentences {
            let words: Vec<&str> = sentence.split(' ').collect();
            assert_eq!(Said::of(&words), said_plainly(&words), "{sentence:?}");
            for w in &words {
                assert_eq!(Said::of(&[w]), said_plainly(&[w]), "{w:?}");
            }
        }
    }
}
