//! An editor's copy checked as a draft is: the house-style lint the draft runs, then the
//! round-trip audit against the story's own facts and the release's data (the story drafted
//! again from the same release, so the facts are those the queued copy was checked against).
//! A changed figure that no fact backs, or a claim word the data contradict, fails it.

use serde::Serialize;

use super::{QueuedEdition, ReviewError};
use crate::audit::{AuditContext, AuditInput, AuditReport};
use crate::lint::LintFinding;
use crate::publish::Newsroom;

/// What the checks found in a version of the copy.
#[derive(Clone, Debug, Serialize)]
pub struct CopyCheck {
    /// House-style findings (any one stops the copy).
    pub lint: Vec<LintFinding>,
    /// The audit's counts and failures.
    pub audit: AuditReport,
    /// How many lint rules ran.
    pub lint_rules: usize,
}

impl CopyCheck {
    /// Whether the copy may go live.
    pub fn passed(&self) -> bool {
        self.lint.is_empty() && self.audit.passed()
    }

    /// Each finding as a line: the sentence and why.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .lint
            .iter()
            .map(|f| {
                format!(
                    "line {}: {}: {}, in \"{}\"",
                    f.line,
                    f.rule.name(),
                    f.message,
                    f.sentence
                )
            })
            .collect();
        out.extend(self.audit.failures.iter().map(ToString::to_string));
        out
    }

    /// The one line a passing check earns.
    pub fn summary(&self) -> String {
        format!(
            "{} figures traced to data, {} facts recomputed, {} claims, {} lint rules",
            self.audit.figures, self.audit.facts, self.audit.claims, self.lint_rules
        )
    }
}

/// Lints and audits `body` (the page's copy after its front matter) as the draft of `entry`.
pub fn check_copy(
    newsroom: &Newsroom,
    entry: &QueuedEdition,
    body: &str,
) -> Result<CopyCheck, ReviewError> {
    let (inputs, draft, renderer) = crate::publish::queue::redraft(newsroom, entry)?;
    Ok(check_drafted(&inputs, &draft, &renderer, body))
}

/// Lints and audits `body` against `draft`'s facts and the data it was drafted from.
pub(crate) fn check_drafted(
    inputs: &crate::draft::Inputs,
    draft: &crate::draft::Draft,
    renderer: &crate::render::Renderer,
    body: &str,
) -> CopyCheck {
    let context = AuditContext::new(
        &draft.story,
        &[],
        &inputs.dataset,
        &inputs.population,
        &inputs.patch,
    );
    check_in(&context, inputs, &inputs.patch, draft, renderer, body)
}

/// [`check_drafted`] in `context` (an every-area week's, with its shared facts) and with
/// `patch` as the story was drafted with it (an area's, named for the area).
pub(crate) fn check_in(
    context: &AuditContext<'_>,
    inputs: &crate::draft::Inputs,
    patch: &crate::config::Patch,
    draft: &crate::draft::Draft,
    renderer: &crate::render::Renderer,
    body: &str,
) -> CopyCheck {
    let copy = crate::copy::Copy::read(body);
    let names = crate::draft::misread_names(&draft.story);
    let literals: Vec<String> = renderer
        .literals()
        .iter()
        .chain(&patch.copy.literal)
        .cloned()
        .collect();
    let known = crate::copy::Known {
        names: &names,
        literals: &literals,
    };
    // As the draft's own lint reads it: the story's odd names and fixed text are no figures.
    let lint = crate::lint::lint_known(&copy, &known);
    let audit = context.audit_known(
        AuditInput {
            text: body,
            facts: &draft.facts.facts,
            story: &draft.story,
            dataset: &inputs.dataset,
            population: &inputs.population,
            patch,
        },
        &copy,
        &known,
    );
    CopyCheck {
        lint,
        audit,
        lint_rules: crate::lint::Rule::ALL.len(),
    }
}
