//! The lint on copy of unusual length: a paragraph of one very long sentence full of
//! findings is quoted near each finding and each finding's column is counted right.

use casewire::lint::{Rule, lint};

/// A sentence of `words` words with a doubled word ("the the") every 50 words.
fn long_sentence(words: usize) -> String {
    let mut text = String::from("Bromley");
    for i in 0..words {
        let filler = [" rate", " cases", " week", " fell"][i % 4];
        text.push_str(if i % 50 == 25 { " the the" } else { filler });
    }
    text.push_str(".\n");
    text
}

#[test]
fn each_finding_of_a_long_sentence_is_quoted_where_it_is() {
    let text = long_sentence(20_000);
    let doubled: Vec<_> = lint(&text)
        .into_iter()
        .filter(|f| f.rule == Rule::DoubledWords)
        .collect();
    assert_eq!(doubled.len(), 400);
    for f in &doubled {
        // The column is the finding's own, counted in characters on its line.
        let at = f.column - 1;
        assert_eq!(&text[at..at + f.snippet.len()], f.snippet, "{f:?}");
        // The quote is a window of the sentence, not all of it, and holds the finding.
        assert!(f.sentence.len() < 500, "{}", f.sentence.len());
        assert!(f.sentence.contains("the the"), "{f:?}");
    }
    // Findings far apart are quoted from different parts of the sentence.
    let last = doubled.last().unwrap();
    assert!(last.sentence.ends_with('.'), "{}", last.sentence);
    assert!(
        !doubled[0].sentence.ends_with('.'),
        "{}",
        doubled[0].sentence
    );
}
