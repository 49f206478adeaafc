//! The editors' desk, `casewire serve`: the review queue in a browser, server-rendered.
//!
//! Safe by default. It listens on loopback unless told otherwise, and anything else needs a
//! password (its argon2 hash in the newsroom file or [`PASSWORD_ENV`]); without one it does
//! not start. A visitor gets a session in an HttpOnly, SameSite=Strict cookie, signs in with a
//! name for the log (and the password, when there is one), and every form carries the
//! session's CSRF token, checked before anything is done. Request bodies are bounded
//! ([`MAX_BODY`]); an edition is named only by its queue id, looked up in the queue, so
//! nothing from the browser names a file; every value in a page is escaped by the templates,
//! and the story's own HTML is escaped as it is built ([`crate::deliver::markdown`]).

mod figures;
mod pages;
mod versions;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::review::{Desk, Editor, ReviewError};

/// The environment variable holding the desk password's argon2 hash, read when the newsroom
/// file gives none.
pub const PASSWORD_ENV: &str = "CASEWIRE_DESK_PASSWORD_HASH";

/// The largest request body the desk reads (an edited story is a few kilobytes).
pub const MAX_BODY: usize = 64 * 1024;

/// The session cookie's name.
const COOKIE: &str = "casewire_desk";

/// How `serve` is to run.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The newsroom file.
    pub config: PathBuf,
    /// Where to listen.
    pub bind: SocketAddr,
    /// The password's hash from the environment; the newsroom file's wins.
    pub password_hash: Option<String>,
    /// The clock decisions are logged by (the library reads none of its own).
    pub now: fn() -> chrono::DateTime<chrono::Utc>,
}

/// Why the desk could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The newsroom file or its queue could not be read.
    #[error(transparent)]
    Review(#[from] ReviewError),
    /// A non-loopback address without a password.
    #[error(
        "the desk will not listen on {addr} without a password: only 127.0.0.1 or ::1 may go without one. Put the password's argon2 hash in the newsroom file ([desk] password_hash = \"$argon2id$...\") or in {PASSWORD_ENV}, or bind to 127.0.0.1"
    )]
    NeedsPassword {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The password hash is not an argon2 PHC string.
    #[error(
        "the desk's password hash ({from}) is not an argon2 hash (\"$argon2id$v=19$...\"): {why}"
    )]
    BadHash {
        /// Where it came from.
        from: String,
        /// What the parser said.
        why: String,
    },
    /// The address could not be listened on.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The desk's own templates failed to load (a bug).
    #[error("the desk's templates: {0}")]
    Templates(String),
}

/// One visitor's session.
#[derive(Clone, Debug)]
struct Session {
    csrf: String,
    /// Set once signed in.
    editor: Option<String>,
}

/// What every request shares.
struct Shared {
    config: PathBuf,
    now: fn() -> chrono::DateTime<chrono::Utc>,
    password_hash: Option<String>,
    pages: pages::Pages,
    sessions: Mutex<HashMap<String, Session>>,
    /// The checks of each edition's copy, by id and copy, so a page view does not redraft.
    checks: Mutex<HashMap<(String, String), pages::Checked>>,
    /// Other versions of editions, drafted when first asked for.
    versions: versions::Drafts,
    /// Drafts of other versions under way at once, at most [`versions::AT_ONCE`].
    drafting: tokio::sync::Semaphore,
}

type App = Arc<Shared>;

/// Runs the desk until the process ends, calling `ready` with the address once it listens.
pub fn serve(options: &ServeOptions, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let desk = Desk::open(&options.config)?;
    let (hash, from) = match (&desk.newsroom.desk.password_hash, &options.password_hash) {
        (Some(h), _) => (Some(h.clone()), "the newsroom file's [desk] password_hash"),
        (None, Some(h)) if !h.trim().is_empty() => (Some(h.trim().to_string()), PASSWORD_ENV),
        _ => (None, ""),
    };
    if let Some(h) = &hash
        && let Err(e) = argon2::PasswordHash::new(h)
    {
        return Err(ServeError::BadHash {
            from: from.to_string(),
            why: e.to_string(),
        });
    }
    if hash.is_none() && !options.bind.ip().is_loopback() {
        return Err(ServeError::NeedsPassword { addr: options.bind });
    }
    let pages = pages::Pages::new().map_err(ServeError::Templates)?;
    let shared = Arc::new(Shared {
        config: options.config.clone(),
        now: options.now,
        password_hash: hash,
        pages,
        sessions: Mutex::new(HashMap::new()),
        checks: Mutex::new(HashMap::new()),
        versions: Mutex::new(HashMap::new()),
        drafting: tokio::sync::Semaphore::new(versions::AT_ONCE),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| ServeError::Bind {
            addr: options.bind,
            source,
        })?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.bind)
            .await
            .map_err(|source| ServeError::Bind {
                addr: options.bind,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Bind {
            addr: options.bind,
            source,
        })?;
        ready(addr);
        axum::serve(listener, router(shared))
            .await
            .map_err(|source| ServeError::Bind { addr, source })
    })
}

fn router(app: App) -> Router {
    Router::new()
        .route("/", get(queue_page))
        .route("/login", get(login_page).post(login))
        .route("/desk.css", get(|| async { asset("text/css", pages::CSS) }))
        .route(
            "/desk.js",
            get(|| async { asset("text/javascript", pages::JS) }),
        )
        .route("/edition/{id}", get(edition_page))
        .route("/edition/{id}/chart", get(chart))
        .route("/edition/{id}/edit", post(edit))
        .route("/edition/{id}/title", post(retitle))
        .route(
            "/edition/{id}/version",
            get(versions::preview).post(versions::use_it),
        )
        .route("/edition/{id}/approve", post(approve))
        .route("/edition/{id}/reject", post(reject))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(app)
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

/// 32 random bytes as hex: a session id or a CSRF token.
fn token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares tokens in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The request's session, or a new one (with the cookie to set).
fn session(app: &App, headers: &HeaderMap) -> (String, Session, Option<HeaderValue>) {
    let id = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string());
    let mut sessions = app.sessions.lock().expect("sessions");
    if let Some(id) = id
        && let Some(s) = sessions.get(&id)
    {
        return (id, s.clone(), None);
    }
    let id = token();
    let s = Session {
        csrf: token(),
        editor: None,
    };
    sessions.insert(id.clone(), s.clone());
    let cookie = format!("{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/");
    (id, s, HeaderValue::from_str(&cookie).ok())
}

/// A page with the desk's headers (and a new session's cookie).
fn page(status: StatusCode, html: String, cookie: Option<HeaderValue>) -> Response {
    let mut response = (status, html).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(c) = cookie {
        h.insert(header::SET_COOKIE, c);
    }
    response
}

fn message(
    app: &App,
    status: StatusCode,
    heading: &str,
    text: &str,
    editor: Option<&str>,
) -> Response {
    let kind = if status.is_success() { "ok" } else { "refused" };
    page(status, app.pages.message(heading, text, kind, editor), None)
}

/// A signed-in request's editor and CSRF token, or the response that sends it to sign in.
fn signed_in(app: &App, headers: &HeaderMap) -> Result<(String, Session), Box<Response>> {
    let (id, s, cookie) = session(app, headers);
    if s.editor.is_none() {
        let mut r = Redirect::to("/login").into_response();
        if let Some(c) = cookie {
            r.headers_mut().insert(header::SET_COOKIE, c);
        }
        return Err(Box::new(r));
    }
    Ok((id, s))
}

/// A form's CSRF token checked against the session's; a mismatch does nothing.
fn checked_form(
    app: &App,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(String, Session), Box<Response>> {
    let (id, s) = signed_in(app, headers)?;
    match form.get("csrf") {
        Some(t) if same(t, &s.csrf) => Ok((id, s)),
        _ => Err(Box::new(message(
            app,
            StatusCode::FORBIDDEN,
            "Not done",
            "This form's security token does not match your session (an old page, or a form from another site). Nothing was changed; reload the page and try again.",
            s.editor.as_deref(),
        ))),
    }
}

/// Runs blocking queue work (files, a redraft) off the server's threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("desk work")
}

fn review_error(app: &App, e: &ReviewError, editor: Option<&str>) -> Response {
    let status = match e {
        ReviewError::Unknown { .. } | ReviewError::NoSuchVersion { .. } => StatusCode::NOT_FOUND,
        // A version of the copy that fails the draft's own checks.
        ReviewError::Publish(crate::publish::PublishError::Draft { .. }) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ReviewError::Refused { .. } | ReviewError::Busy { .. } => StatusCode::CONFLICT,
        ReviewError::NoReason(_) | ReviewError::EditRefused { .. } => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    message(app, status, "Not done", &text, editor)
}

fn unknown(app: &App, id: &str, editor: Option<&str>) -> Response {
    message(
        app,
        StatusCode::NOT_FOUND,
        "No such edition",
        &format!("No edition \"{id}\" is waiting in the review queue."),
        editor,
    )
}

async fn login_page(State(app): State<App>, headers: HeaderMap) -> Response {
    let (_, s, cookie) = session(&app, &headers);
    let html = app.pages.login(&s.csrf, app.password_hash.is_some(), None);
    page(StatusCode::OK, html, cookie)
}

async fn login(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (id, s, cookie) = session(&app, &headers);
    if !form.get("csrf").is_some_and(|t| same(t, &s.csrf)) {
        let html = app.pages.login(
            &s.csrf,
            app.password_hash.is_some(),
            Some("The form's security token did not match; try again."),
        );
        return page(StatusCode::FORBIDDEN, html, cookie);
    }
    let name = form.get("name").map(|n| n.trim()).unwrap_or("");
    let name: String = name.chars().filter(|c| !c.is_control()).take(80).collect();
    let password = form.get("password").cloned().unwrap_or_default();
    let hash = app.password_hash.clone();
    let ok = blocking(move || match hash {
        None => true,
        Some(h) => argon2::PasswordHash::new(&h).is_ok_and(|parsed| {
            argon2::PasswordVerifier::verify_password(
                &argon2::Argon2::default(),
                password.as_bytes(),
                &parsed,
            )
            .is_ok()
        }),
    })
    .await;
    if name.is_empty() || !ok {
        let why = if name.is_empty() {
            "Give your name: the log records who decided."
        } else {
            "That password is not the desk's."
        };
        let html = app
            .pages
            .login(&s.csrf, app.password_hash.is_some(), Some(why));
        return page(StatusCode::UNAUTHORIZED, html, cookie);
    }
    // A new session id on signing in, so an id seen before it is worth nothing after.
    let mut sessions = app.sessions.lock().expect("sessions");
    sessions.remove(&id);
    let fresh = token();
    sessions.insert(
        fresh.clone(),
        Session {
            csrf: token(),
            editor: Some(name),
        },
    );
    let cookie = format!("{COOKIE}={fresh}; HttpOnly; SameSite=Strict; Path=/");
    let mut r = Redirect::to("/").into_response();
    if let Ok(c) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, c);
    }
    r
}

async fn queue_page(State(app): State<App>, headers: HeaderMap) -> Response {
    let (_, s) = match signed_in(&app, &headers) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let config = app.config.clone();
    let listed = blocking(move || {
        let desk = Desk::open(&config)?;
        let waiting = desk.list()?;
        let edited: Vec<bool> = waiting
            .iter()
            .map(|e| desk.copy(e).map(|c| c.is_some_and(|c| c.edited.is_some())))
            .collect::<Result<_, _>>()?;
        let decisions = desk.decisions()?;
        Ok::<_, ReviewError>((waiting, edited, decisions))
    })
    .await;
    match listed {
        Ok((waiting, edited, decisions)) => {
            let html = app
                .pages
                .queue(&waiting, &edited, &decisions, s.editor.as_deref());
            page(StatusCode::OK, html, None)
        }
        Err(e) => review_error(&app, &e, s.editor.as_deref()),
    }
}

/// What the edition page says besides the edition: a notice, refused findings, the text in
/// the editor.
#[derive(Default)]
struct Said {
    notice: Option<(String, &'static str)>,
    findings: Vec<String>,
    body: Option<String>,
    /// A headline and standfirst the checks refused, back in their fields to fix.
    title: Option<(String, String)>,
}

async fn edition_page(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (_, s) = match signed_in(&app, &headers) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    show_edition(&app, &id, &s, Said::default(), StatusCode::OK).await
}

async fn show_edition(
    app: &App,
    id: &str,
    s: &Session,
    said: Said,
    status: StatusCode,
) -> Response {
    if !crate::review::is_id(id) {
        return unknown(app, id, s.editor.as_deref());
    }
    let config = app.config.clone();
    let owned = id.to_string();
    let loaded = blocking(move || pages::load(&config, &owned)).await;
    let mut shown = match loaded {
        Ok(shown) => shown,
        Err(e) => return review_error(app, &e, s.editor.as_deref()),
    };
    // The checks of the copy as it stands, once per copy.
    let key = (id.to_string(), shown.body.clone());
    let cached = app.checks.lock().expect("checks").get(&key).cloned();
    let checked = match cached {
        Some(c) => c,
        None => {
            let config = app.config.clone();
            let (owned, body) = (id.to_string(), shown.body.clone());
            let c = blocking(move || pages::check(&config, &owned, &body)).await;
            app.checks.lock().expect("checks").insert(key, c.clone());
            c
        }
    };
    if let Some(body) = &said.body {
        shown.body.clone_from(body);
    }
    let html = app.pages.edition(&shown, &checked, &said, s);
    page(status, html, None)
}

async fn chart(State(app): State<App>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let (_, s) = match signed_in(&app, &headers) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    if !crate::review::is_id(&id) {
        return unknown(&app, &id, s.editor.as_deref());
    }
    let config = app.config.clone();
    let got = blocking(move || pages::chart(&config, &id)).await;
    match got {
        Ok(Some(svg)) => {
            let mut r = svg.into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            );
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            );
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            r
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => review_error(&app, &e, s.editor.as_deref()),
    }
}

async fn edit(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (_, s) = match checked_form(&app, &headers, &form) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let body = form.get("body").cloned().unwrap_or_default();
    let editor = editor(&app, &s);
    let (config, owned, text) = (app.config.clone(), id.clone(), body.clone());
    let done = blocking(move || Desk::open(&config)?.edit(&owned, &text, &editor)).await;
    let kept = "Edit kept: {}. It goes live when the edition is approved.";
    let refused = "Edit not kept: the checks found what is listed below. The copy as it was stays; your version is in the editor to fix.";
    let back = Said {
        body: Some(body),
        ..Said::default()
    };
    after_check(&app, &id, &s, done, (kept, refused), back).await
}

/// The edition page after an edit or a new headline: a notice with the checks' summary when
/// they passed, or their findings with the editor's text back in `back`'s fields to fix.
async fn after_check(
    app: &App,
    id: &str,
    s: &Session,
    done: Result<crate::review::check::CopyCheck, ReviewError>,
    (kept, refused): (&str, &str),
    back: Said,
) -> Response {
    match done {
        Ok(report) => {
            let said = Said {
                notice: Some((kept.replacen("{}", &report.summary(), 1), "ok")),
                ..Said::default()
            };
            show_edition(app, id, s, said, StatusCode::OK).await
        }
        Err(ReviewError::EditRefused { report, .. }) => {
            let said = Said {
                notice: Some((refused.to_string(), "refused")),
                findings: report.lines().map(str::to_string).collect(),
                ..back
            };
            show_edition(app, id, s, said, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => review_error(app, &e, s.editor.as_deref()),
    }
}

async fn retitle(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (_, s) = match checked_form(&app, &headers, &form) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let (headline, standfirst) = (field("headline"), field("standfirst"));
    let editor = editor(&app, &s);
    let (config, owned) = (app.config.clone(), id.clone());
    let (h, sf) = (headline.clone(), standfirst.clone());
    let Ok(_turn) = app.drafting.acquire().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let done = blocking(move || Desk::open(&config)?.retitle(&owned, &h, &sf, &editor)).await;
    let kept = "Headline and standfirst kept: {}. They go live when the edition is approved.";
    let refused = "Headline and standfirst not kept: the checks found what is listed below. The edition stays as it was; your version is in the fields to fix.";
    let back = Said {
        title: Some((headline, standfirst)),
        ..Said::default()
    };
    after_check(&app, &id, &s, done, (kept, refused), back).await
}

fn editor(app: &App, s: &Session) -> Editor {
    Editor {
        name: s.editor.clone().unwrap_or_default(),
        at: (app.now)(),
    }
}

async fn approve(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (_, s) = match checked_form(&app, &headers, &form) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let editor = editor(&app, &s);
    let (config, owned) = (app.config.clone(), id.clone());
    let today = editor.at.date_naive();
    let done = blocking(move || {
        Desk::open(&config)?.approve(&owned, &editor, Some(today), &mut crate::fsio::Disk)
    })
    .await;
    match done {
        Ok(outcome) => message(
            &app,
            StatusCode::OK,
            "Approved",
            &format!("{id} is live: {outcome}."),
            s.editor.as_deref(),
        ),
        Err(e) => review_error(&app, &e, s.editor.as_deref()),
    }
}

async fn reject(
    State(app): State<App>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (_, s) = match checked_form(&app, &headers, &form) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let reason = form.get("reason").cloned().unwrap_or_default();
    let editor = editor(&app, &s);
    let (config, owned) = (app.config.clone(), id.clone());
    let done = blocking(move || Desk::open(&config)?.reject(&owned, &reason, &editor)).await;
    match done {
        Ok(()) => message(
            &app,
            StatusCode::OK,
            "Rejected",
            &format!("{id} is off the queue and will not be queued again."),
            s.editor.as_deref(),
        ),
        Err(e) => review_error(&app, &e, s.editor.as_deref()),
    }
}
