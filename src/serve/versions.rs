//! Other versions of an edition at the desk: a preview of the same release drafted with
//! another seed or built-in template, and the form that puts it in the queue's place. A
//! version is named only by its seed and template, each checked against the fixed few the
//! desk offers; drafts are made off the server's threads and kept, a bounded few, in memory.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{App, Said, blocking, checked_form, editor, message, page, review_error, signed_in};
use crate::publish::queue::{Choice, Version, builtin_templates};
use crate::review::versions::Offer;
use crate::review::{Desk, ReviewError};

/// The most drafted versions kept in memory; past it the store starts again.
const KEPT: usize = 32;

/// How many versions are drafted at once; more requests wait their turn.
pub(super) const AT_ONCE: usize = 2;

/// The versions drafted so far, by edition and choice.
pub(super) type Drafts = std::sync::Mutex<HashMap<(String, Choice), Arc<Version>>>;

/// A choice as a request gives it, or the page saying what is wrong with it.
fn choice(
    app: &App,
    given: &HashMap<String, String>,
    editor: Option<&str>,
) -> Result<Choice, Box<Response>> {
    let refuse = |status, heading: &str, text: String| {
        Box::new(message(app, status, heading, &text, editor))
    };
    let (Some(seed), Some(template)) = (given.get("seed"), given.get("template")) else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "No version named",
            "A version is named by its seed and its template; this request gave neither or only one. Pick one from the edition's page.".into(),
        ));
    };
    let shown: String = seed.chars().take(40).collect();
    let Ok(seed) = seed.trim().parse::<u64>() else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "Not a seed",
            format!("\"{shown}\" is not a seed: a seed is a whole number, 0 or more."),
        ));
    };
    let builtin = builtin_templates();
    if !builtin.iter().any(|t| t == template) {
        let shown: String = template.chars().take(40).collect();
        return Err(refuse(
            StatusCode::NOT_FOUND,
            "No such template",
            format!(
                "There is no built-in template \"{shown}\". The built-in story templates are: {}.",
                builtin.join(", ")
            ),
        ));
    }
    Ok(Choice {
        seed,
        template: template.clone(),
    })
}

/// `choice` of `id`, drafted now or as drafted before, with what the desk offers of it.
fn drafted(app: &App, id: &str, choice: &Choice) -> Result<(Arc<Version>, Offer), ReviewError> {
    let desk = Desk::open(&app.config)?;
    // Checked every time, kept or not: the version must still be one the desk offers.
    let entry = desk.get(id)?;
    desk.check_offered(&entry, choice)?;
    let offer = desk.offer(&entry);
    let key = (id.to_string(), choice.clone());
    if let Some(v) = app.versions.lock().expect("versions").get(&key) {
        return Ok((v.clone(), offer));
    }
    let version = Arc::new(desk.version(id, choice)?);
    let mut kept = app.versions.lock().expect("versions");
    if kept.len() >= KEPT {
        kept.clear();
    }
    kept.insert(key, version.clone());
    Ok((version, offer))
}

pub(super) async fn preview(
    State(app): State<App>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (_, s) = match signed_in(&app, &headers) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    if !crate::review::is_id(&id) {
        return super::unknown(&app, &id, s.editor.as_deref());
    }
    let choice = match choice(&app, &query, s.editor.as_deref()) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let (shared, owned, wanted) = (app.clone(), id.clone(), choice.clone());
    let Ok(_turn) = app.drafting.acquire().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let got = blocking(move || drafted(&shared, &owned, &wanted)).await;
    match got {
        Ok((version, offer)) => {
            let html = app.pages.version(&id, &version, &offer, &s);
            page(StatusCode::OK, html, None)
        }
        Err(e) => review_error(&app, &e, s.editor.as_deref()),
    }
}

pub(super) async fn use_it(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (_, s) = match checked_form(&app, &headers, &form) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    if !crate::review::is_id(&id) {
        return super::unknown(&app, &id, s.editor.as_deref());
    }
    let choice = match choice(&app, &form, s.editor.as_deref()) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let editor = editor(&app, &s);
    let (config, owned, wanted) = (app.config.clone(), id.clone(), choice.clone());
    let Ok(_turn) = app.drafting.acquire().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let done = blocking(move || Desk::open(&config)?.use_version(&owned, &wanted, &editor)).await;
    match done {
        Ok(version) => {
            let said = Said {
                notice: Some((
                    format!(
                        "Now queued: the version with {}. The copy it replaces (with any edit of it) is kept beside it; this one goes live when the edition is approved.",
                        version.choice
                    ),
                    "ok",
                )),
                ..Said::default()
            };
            super::show_edition(&app, &id, &s, said, StatusCode::OK).await
        }
        Err(e) => review_error(&app, &e, s.editor.as_deref()),
    }
}
