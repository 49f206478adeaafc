//! The desk's pages: Tera templates built into the binary (`templates/desk/`), filled from the
//! queue. Tera escapes every value; the one value passed as it is, the story's HTML, is built
//! by [`crate::deliver::markdown::to_html`], which escapes every character of the copy, and
//! [`super::figures`], which escapes what it adds.

use std::path::Path;

use serde::Serialize;
use tera::{Context, Tera};

use super::{Said, Session};
use crate::publish::queue::QueuedEdition;
use crate::publish::queue::{Choice, Version};
use crate::review::log::Decision;
use crate::review::versions::Offer;
use crate::review::{Desk, ReviewError};

/// The desk's style sheet.
pub(super) const CSS: &str = include_str!("../../templates/desk/desk.css");
/// The desk's one script.
pub(super) const JS: &str = include_str!("../../templates/desk/desk.js");

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/desk/base.html")),
    (
        "login.html",
        include_str!("../../templates/desk/login.html"),
    ),
    (
        "queue.html",
        include_str!("../../templates/desk/queue.html"),
    ),
    (
        "edition.html",
        include_str!("../../templates/desk/edition.html"),
    ),
    (
        "message.html",
        include_str!("../../templates/desk/message.html"),
    ),
    (
        "versions.html",
        include_str!("../../templates/desk/versions.html"),
    ),
    (
        "version.html",
        include_str!("../../templates/desk/version.html"),
    ),
];

/// The templates, loaded once.
pub(super) struct Pages {
    tera: Tera,
}

/// An edition as its page shows it.
#[derive(Clone, Debug)]
pub(super) struct Shown {
    pub entry: QueuedEdition,
    /// The body as it stands (edited or drafted).
    pub body: String,
    pub edited: bool,
    /// The facts sidecar, as JSON.
    pub facts: Option<serde_json::Value>,
    /// The headline and standfirst, from the front matter's record.
    pub standfirst: Option<String>,
    /// The other versions offered.
    pub offer: Offer,
}

/// What the checks said of a copy.
#[derive(Clone, Debug)]
pub(super) struct Checked {
    pub summary: String,
    pub findings: Vec<String>,
}

/// An edition of the queue, for its page.
pub(super) fn load(config: &Path, id: &str) -> Result<Shown, ReviewError> {
    let desk = Desk::open(config)?;
    let entry = desk.get(id)?;
    let copy = desk.copy(&entry)?;
    let facts = entry
        .files
        .iter()
        .find(|f| f.ends_with(".facts.json"))
        .and_then(|f| desk.queue.file(&entry, f).ok())
        .and_then(|b| serde_json::from_slice(&b).ok());
    let (body, edited) = match &copy {
        Some(c) => (c.body().to_string(), c.edited.is_some()),
        None => (String::new(), false),
    };
    Ok(Shown {
        offer: desk.offer(&entry),
        standfirst: entry.edition.summary.clone(),
        entry,
        body,
        edited,
        facts,
    })
}

/// The lint and audit of an edition's copy as it stands.
pub(super) fn check(config: &Path, id: &str, body: &str) -> Checked {
    let run = || -> Result<Checked, ReviewError> {
        let desk = Desk::open(config)?;
        let entry = desk.get(id)?;
        if entry.page().is_none() {
            return Ok(Checked {
                summary: "Every area's page passed the lint and the audit when the run drafted it."
                    .into(),
                findings: Vec::new(),
            });
        }
        let report = crate::review::check::check_copy(&desk.newsroom, &entry, body)?;
        let summary = if report.passed() {
            format!("Lint and audit passed: {}.", report.summary())
        } else {
            "The copy fails its checks:".to_string()
        };
        Ok(Checked {
            summary,
            findings: report.lines(),
        })
    };
    run().unwrap_or_else(|e| Checked {
        summary: format!("The checks could not run: {e}"),
        findings: Vec::new(),
    })
}

/// The edition's chart, if it has one.
pub(super) fn chart(config: &Path, id: &str) -> Result<Option<Vec<u8>>, ReviewError> {
    let desk = Desk::open(config)?;
    let entry = desk.get(id)?;
    let Some(svg) = entry.files.iter().find(|f| f.ends_with(".svg")) else {
        return Ok(None);
    };
    Ok(Some(desk.queue.file(&entry, svg)?))
}

/// A version as the pages list it.
#[derive(Serialize)]
struct Listed<'a> {
    seed: u64,
    template: &'a str,
    queued: bool,
    original: bool,
}

fn listed<'a>(offer: &'a Offer, choices: &'a [Choice]) -> Vec<Listed<'a>> {
    choices
        .iter()
        .map(|c| Listed {
            seed: c.seed,
            template: &c.template,
            queued: offer.queued.as_ref() == Some(c),
            original: offer.original.as_ref() == Some(c),
        })
        .collect()
}

/// The edition's story as HTML: escaped as it is built, every figure marked with its fact.
fn story_html(id: &str, body: &str, facts: Option<&serde_json::Value>) -> String {
    let chart = format!("/edition/{id}/chart");
    let resolve = |link: &str| {
        if link.ends_with(".svg") {
            chart.clone()
        } else {
            // The table's CSV and other files of the bundle are not served: the desk
            // names no file from the browser.
            "#".to_string()
        }
    };
    let html = crate::deliver::markdown::to_html(body, &resolve);
    match facts {
        Some(facts) => super::figures::mark(&html, facts),
        None => html,
    }
}

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    story: &'a str,
    release: String,
    headline: &'a str,
    warnings: &'a [String],
    corrections: usize,
    edited: bool,
}

impl Pages {
    pub(super) fn new() -> Result<Pages, String> {
        let mut tera = Tera::new();
        tera.autoescape_on([".html"]);
        tera.add_raw_templates(TEMPLATES.iter().copied())
            .map_err(|e| e.to_string())?;
        Ok(Pages { tera })
    }

    fn render(&self, name: &str, context: &Context) -> String {
        self.tera.render(name, context).unwrap_or_else(|e| {
            // Only a bug in the desk's own templates gets here: say so plainly, escaped.
            format!(
                "<!doctype html><title>desk error</title><p>The desk could not draw {name}: {}</p>",
                crate::deliver::markdown::escape_html(&e.to_string())
            )
        })
    }

    fn base(editor: Option<&str>) -> Context {
        let mut c = Context::new();
        c.insert("editor", &editor.unwrap_or(""));
        c
    }

    pub(super) fn login(&self, csrf: &str, password: bool, problem: Option<&str>) -> String {
        let mut c = Pages::base(None);
        c.insert("csrf", csrf);
        c.insert("password", &password);
        c.insert("problem", &problem.unwrap_or(""));
        self.render("login.html", &c)
    }

    pub(super) fn message(
        &self,
        heading: &str,
        text: &str,
        kind: &str,
        editor: Option<&str>,
    ) -> String {
        let mut c = Pages::base(editor);
        c.insert("heading", heading);
        c.insert("message", text);
        c.insert("kind", kind);
        self.render("message.html", &c)
    }

    pub(super) fn queue(
        &self,
        waiting: &[QueuedEdition],
        edited: &[bool],
        decisions: &[Decision],
        editor: Option<&str>,
    ) -> String {
        let rows: Vec<Row<'_>> = waiting
            .iter()
            .zip(edited)
            .map(|(e, edited)| Row {
                id: &e.id,
                story: &e.story,
                release: e.release.to_string(),
                headline: e.headline(),
                warnings: &e.warnings,
                corrections: e.corrections,
                edited: *edited,
            })
            .collect();
        let recent: Vec<serde_json::Value> = decisions
            .iter()
            .rev()
            .take(20)
            .map(|d| {
                serde_json::json!({
                    "action": serde_json::to_value(d.action).unwrap_or_default(),
                    "id": d.id, "by": d.by,
                    "at": d.at.format("%Y-%m-%d %H:%M UTC").to_string(),
                    "reason": d.reason.clone().unwrap_or_default(),
                })
            })
            .collect();
        let mut c = Pages::base(editor);
        c.insert("editions", &rows);
        c.insert("decisions", &recent);
        self.render("queue.html", &c)
    }

    pub(super) fn edition(
        &self,
        shown: &Shown,
        checked: &Checked,
        said: &Said,
        s: &Session,
    ) -> String {
        let e = &shown.entry;
        let story_html = if e.page().is_some() {
            story_html(&e.id, &shown.body, shown.facts.as_ref())
        } else {
            let html = format!(
                "<p>An every-area edition: {} files, one page per area.</p>",
                e.files.len()
            );
            html
        };
        let mut c = Pages::base(s.editor.as_deref());
        c.insert("id", &e.id);
        c.insert("story", &e.story);
        c.insert("release", &e.release.to_string());
        c.insert("headline", e.headline());
        c.insert("standfirst", &shown.standfirst.clone().unwrap_or_default());
        c.insert("story_html", &story_html);
        c.insert("warnings", &e.warnings);
        c.insert("edited", &shown.edited);
        c.insert("editable", &e.page().is_some());
        c.insert("body", &shown.body);
        c.insert("csrf", &s.csrf);
        c.insert("checks", &checked.summary);
        c.insert("check_findings", &checked.findings);
        let (notice, kind) = said
            .notice
            .as_ref()
            .map_or(("", ""), |(n, k)| (n.as_str(), *k));
        c.insert("notice", notice);
        c.insert("notice_kind", kind);
        c.insert("findings", &said.findings);
        let none = Vec::new();
        let (choices, why) = match &shown.offer.choices {
            Ok(choices) => (choices, ""),
            Err(why) => (&none, why.as_str()),
        };
        c.insert("versions", &listed(&shown.offer, choices));
        c.insert("versions_why", why);
        let standfirst = shown.standfirst.clone().unwrap_or_default();
        let (form_headline, form_standfirst) = said
            .title
            .clone()
            .unwrap_or_else(|| (e.headline().to_string(), standfirst));
        c.insert("form_headline", &form_headline);
        c.insert("form_standfirst", &form_standfirst);
        c.insert("retitled", &e.drafted.as_ref().is_some_and(|d| d.retitled));
        let chosen = shown
            .offer
            .queued
            .as_ref()
            .filter(|q| Some(*q) != shown.offer.original.as_ref());
        c.insert(
            "chosen",
            &chosen.map(ToString::to_string).unwrap_or_default(),
        );
        self.render("edition.html", &c)
    }

    pub(super) fn version(&self, id: &str, v: &Version, offer: &Offer, s: &Session) -> String {
        let facts: Option<serde_json::Value> = serde_json::from_str(&v.facts).ok();
        let k = &v.checked;
        let mut c = Pages::base(s.editor.as_deref());
        c.insert("id", id);
        c.insert("seed", &v.choice.seed);
        c.insert("template", &v.choice.template);
        c.insert("choice", &v.choice.to_string());
        c.insert("queued", &(offer.queued.as_ref() == Some(&v.choice)));
        c.insert("original", &(offer.original.as_ref() == Some(&v.choice)));
        c.insert("headline", v.headline.as_deref().unwrap_or(id));
        c.insert("standfirst", v.standfirst.as_deref().unwrap_or(""));
        c.insert(
            "story_html",
            &story_html(id, crate::review::split_front(&v.page).1, facts.as_ref()),
        );
        c.insert(
            "checks",
            &format!(
                "Lint and audit passed: {} figures traced to data, {} facts recomputed, {} claims, {} input gates, {} lint rules.",
                k.figures, k.facts, k.claims, k.gates, k.lint_rules
            ),
        );
        c.insert("warnings", &v.warnings);
        c.insert("csrf", &s.csrf);
        let none = Vec::new();
        let choices = offer.choices.as_ref().unwrap_or(&none);
        c.insert("versions", &listed(offer, choices));
        c.insert("versions_why", "");
        self.render("version.html", &c)
    }
}
