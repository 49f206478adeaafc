//! The desk over HTTP: the real `casewire serve` on 127.0.0.1, a free port its own, spoken to
//! with plain HTTP/1.1. The password rule, sessions and CSRF, unknown ids, oversized bodies
//! and hostile text in an edit.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Child;

use crate::review::newsroom;
use crate::support::{Casewire, arg};

/// A desk server the test started; stopped when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `casewire serve --config CONFIG --bind 127.0.0.1:0`, once it says where it listens.
    pub fn start(config: &Path) -> Server {
        let mut child = Casewire::new()
            .args(["serve", "--config", arg(config), "--bind", "127.0.0.1:0"])
            .spawn();
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let addr = loop {
            let line = lines.next().expect("serve says where it listens").unwrap();
            if let Some(at) = line.find("http://") {
                break line[at + 7..].trim_end_matches('/').to_string();
            }
        };
        // Keep reading its standard error so the pipe never fills.
        std::thread::spawn(move || for _ in lines {});
        Server { child, addr }
    }
}

/// What the server answered.
pub struct Reply {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

/// One request, `Connection: close`.
pub fn request(addr: &str, method: &str, path: &str, cookie: &str, form: &[(&str, &str)]) -> Reply {
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    raw(addr, method, path, cookie, body.as_bytes())
}

pub fn raw(addr: &str, method: &str, path: &str, cookie: &str, body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let _ = stream.write_all(body);
    let mut text = Vec::new();
    let _ = stream.read_to_end(&mut text);
    let text = String::from_utf8_lossy(&text).into_owned();
    let (headers, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = headers
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Reply {
        status,
        headers: headers.to_string(),
        body: body.to_string(),
    }
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The value of `name="csrf" value="..."` in a page.
pub fn csrf(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("a form with a token")
        + 19;
    page[at..].split('"').next().unwrap().to_string()
}

/// The session cookie a reply sets.
pub fn cookie(reply: &Reply) -> String {
    let line = reply
        .headers
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .expect("a cookie");
    line.split_once(':')
        .unwrap()
        .1
        .trim()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// Signs in as `name`; the session's cookie.
pub fn sign_in(addr: &str, name: &str) -> String {
    let login = request(addr, "GET", "/login", "", &[]);
    let pre = cookie(&login);
    let token = csrf(&login.body);
    let done = request(
        addr,
        "POST",
        "/login",
        &pre,
        &[("csrf", &token), ("name", name)],
    );
    assert_eq!(done.status, 303, "{}", done.body);
    cookie(&done)
}

#[test]
fn a_non_loopback_address_needs_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), "");
    Casewire::new()
        .args(["serve", "--config", arg(&config), "--bind", "0.0.0.0:0"])
        .failure()
        .stderr_has("will not listen on 0.0.0.0:0 without a password")
        .stderr_has("CASEWIRE_DESK_PASSWORD_HASH");
    Casewire::new()
        .args(["serve", "--config", arg(&config), "--bind", "0.0.0.0:0"])
        .env("CASEWIRE_DESK_PASSWORD_HASH", "not-a-hash")
        .failure()
        .stderr_has("is not an argon2 hash");
}

#[test]
fn with_a_password_only_the_password_signs_in() {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let dir = tempfile::tempdir().unwrap();
    let salt = SaltString::encode_b64(b"fixed-salt-bytes").unwrap();
    let hash = argon2::Argon2::default()
        .hash_password(b"correct horse", &salt)
        .unwrap()
        .to_string();
    let config = newsroom(dir.path(), &format!("[desk]\npassword_hash = \"{hash}\"\n"));
    let server = Server::start(&config);
    let login = request(&server.addr, "GET", "/login", "", &[]);
    assert!(login.body.contains("type=\"password\""));
    let pre = cookie(&login);
    let token = csrf(&login.body);
    let wrong = request(
        &server.addr,
        "POST",
        "/login",
        &pre,
        &[("csrf", &token), ("name", "Ann"), ("password", "guess")],
    );
    assert_eq!(wrong.status, 401);
    let right = request(
        &server.addr,
        "POST",
        "/login",
        &pre,
        &[
            ("csrf", &token),
            ("name", "Ann"),
            ("password", "correct horse"),
        ],
    );
    assert_eq!(right.status, 303);
    let set = right.headers.to_ascii_lowercase();
    assert!(
        set.contains("httponly") && set.contains("samesite=strict"),
        "{set}"
    );
    let queue = request(&server.addr, "GET", "/", &cookie(&right), &[]);
    assert_eq!(queue.status, 200);
    // Without the session, the queue sends the browser to sign in.
    assert_eq!(request(&server.addr, "GET", "/", "", &[]).status, 303);
}

#[test]
fn forms_need_the_sessions_token_ids_are_looked_up_and_bodies_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), "");
    Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .success();
    let server = Server::start(&config);
    let session = sign_in(&server.addr, "Ann");
    let page = request(
        &server.addr,
        "GET",
        "/edition/weekly-2021-01-18",
        &session,
        &[],
    );
    assert_eq!(page.status, 200);
    assert!(
        page.headers.contains("content-security-policy"),
        "{}",
        page.headers
    );
    assert!(
        page.body.contains("1,718 / 248,287 × 100,000 = 691.9"),
        "a figure's sum"
    );
    // The patch's total ("more than 10,000 new cases"), added up area by area.
    assert!(
        page.body.contains(
            "Greenwich 2,233 + Lewisham 2,263 + Southwark 2,237 + Bexley 1,718 + Bromley 1,884 \
             = 10,335"
        ),
        "the patch total's sum"
    );
    let token = csrf(&page.body);

    let forged = request(
        &server.addr,
        "POST",
        "/edition/weekly-2021-01-18/approve",
        &session,
        &[("csrf", "0000")],
    );
    assert_eq!(forged.status, 403);
    let none = request(
        &server.addr,
        "POST",
        "/edition/weekly-2021-01-18/approve",
        &session,
        &[],
    );
    assert_eq!(none.status, 403);
    assert!(
        !dir.path().join("out/weekly-2021-01-18").exists(),
        "nothing went live"
    );

    for path in [
        "/edition/nope-2021-01-18",
        "/edition/..%2F..%2Fnewsroom.toml",
        "/edition/%3Cscript%3E",
    ] {
        let r = request(&server.addr, "GET", path, &session, &[]);
        assert_eq!(r.status, 404, "{path}");
        assert!(!r.body.contains("<script>"), "{}", r.body);
    }

    let big = format!("csrf={token}&body={}", "a".repeat(200 * 1024));
    let r = raw(
        &server.addr,
        "POST",
        "/edition/weekly-2021-01-18/edit",
        &session,
        big.as_bytes(),
    );
    assert_eq!(r.status, 413);

    let hostile =
        "<script>alert(1)</script> Greenwich has \"<b>\" 775.5 & <img src=x onerror=alert(2)>\n";
    let r = request(
        &server.addr,
        "POST",
        "/edition/weekly-2021-01-18/edit",
        &session,
        &[("csrf", &token), ("body", hostile)],
    );
    assert_eq!(r.status, 422, "refused by the checks");
    assert!(
        !r.body.contains("<script>alert") && !r.body.contains("<img src=x"),
        "{}",
        r.body
    );
    assert!(r.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        !dir.path()
            .join("out/.casewire-queue/pending/weekly-2021-01-18/edit.md")
            .exists()
    );

    let approved = request(
        &server.addr,
        "POST",
        "/edition/weekly-2021-01-18/approve",
        &session,
        &[("csrf", &token)],
    );
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert!(dir.path().join("out/weekly-2021-01-18/index.md").exists());
    let again = request(
        &server.addr,
        "POST",
        "/edition/weekly-2021-01-18/approve",
        &session,
        &[("csrf", &token)],
    );
    assert_eq!(again.status, 404);
}

/// The story as a page shows it, between its `<article>` tags.
fn article(page: &str) -> &str {
    let start = page.find("<article").expect("an article");
    let end = page[start..].find("</article>").expect("its end") + start;
    &page[start..end]
}

#[test]
fn other_versions_are_drafted_checked_and_one_can_replace_the_queued_copy() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), "");
    Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .success();
    let queued = dir
        .path()
        .join("out/.casewire-queue/pending/weekly-2021-01-18");
    let entry_path = queued.join("entry.json");
    let entry_text = std::fs::read_to_string(&entry_path).unwrap();
    let entry: serde_json::Value = serde_json::from_str(&entry_text).unwrap();
    assert_eq!(entry["drafted"]["template"], "weekly-roundup");
    let seed = entry["drafted"]["seed"]
        .as_u64()
        .expect("the seed recorded");
    let page_path = queued.join("files/weekly-2021-01-18/index.md");
    let drafted = std::fs::read_to_string(&page_path).unwrap();

    let server = Server::start(&config);
    let session = sign_in(&server.addr, "Ann");
    let base = "/edition/weekly-2021-01-18";

    // An entry queued before its drafting was recorded is shown, without other versions.
    let mut old = entry.clone();
    old.as_object_mut().unwrap().remove("drafted");
    std::fs::write(&entry_path, serde_json::to_vec(&old).unwrap()).unwrap();
    let page = request(&server.addr, "GET", base, &session, &[]);
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Not offered: this edition was queued by an earlier casewire"),
        "{}",
        page.body
    );
    let r = request(
        &server.addr,
        "GET",
        &format!("{base}/version?seed={seed}&template=by-area"),
        &session,
        &[],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    std::fs::write(&entry_path, &entry_text).unwrap();

    let page = request(&server.addr, "GET", base, &session, &[]);
    assert_eq!(page.status, 200);
    let other_seed = format!(
        "{base}/version?seed={}&amp;template=weekly-roundup",
        seed + 1
    );
    let other_template = format!("{base}/version?seed={seed}&amp;template=by-area");
    assert!(page.body.contains(&other_seed), "{}", page.body);
    assert!(page.body.contains(&other_template), "{}", page.body);
    let token = csrf(&page.body);

    let by_area = request(
        &server.addr,
        "GET",
        &other_template.replace("&amp;", "&"),
        &session,
        &[],
    );
    assert_eq!(by_area.status, 200, "{}", by_area.body);
    assert!(
        by_area.body.contains("Lint and audit passed"),
        "{}",
        by_area.body
    );
    assert!(by_area.body.contains("id=\"use-version\""));
    assert!(
        by_area.body.contains("1,718 / 248,287 × 100,000 = 691.9"),
        "its figures are traced too"
    );
    assert_ne!(article(&by_area.body), article(&page.body), "other copy");
    let next = request(
        &server.addr,
        "GET",
        &other_seed.replace("&amp;", "&"),
        &session,
        &[],
    );
    assert_eq!(next.status, 200, "{}", next.body);
    let area = request(
        &server.addr,
        "GET",
        &format!("{base}/version?seed={seed}&template=area"),
        &session,
        &[],
    );
    eprintln!(
        "AREA {} {}",
        area.status,
        &area.body[..area.body.len().min(3000)]
    );

    for (query, status, says) in [
        ("seed=abc&template=weekly-roundup", 400, "is not a seed"),
        ("seed=-1&template=weekly-roundup", 400, "is not a seed"),
        (
            "template=by-area",
            400,
            "named by its seed and its template",
        ),
        (
            &format!("seed={seed}&template=nope") as &str,
            404,
            "no built-in template",
        ),
        (
            &format!("seed={seed}&template=..%2F..%2Fnewsroom.toml"),
            404,
            "no built-in template",
        ),
        (
            &format!("seed={}&template=weekly-roundup", seed + 99),
            404,
            "not a version the desk offers",
        ),
    ] {
        let r = request(
            &server.addr,
            "GET",
            &format!("{base}/version?{query}"),
            &session,
            &[],
        );
        assert_eq!(r.status, status, "{query}: {}", r.body);
        assert!(r.body.contains(says), "{query}: {}", r.body);
    }

    let seed_text = seed.to_string();
    let forged = request(
        &server.addr,
        "POST",
        &format!("{base}/version"),
        &session,
        &[("seed", &seed_text), ("template", "by-area")],
    );
    assert_eq!(forged.status, 403);
    assert_eq!(std::fs::read_to_string(&page_path).unwrap(), drafted);

    let used = request(
        &server.addr,
        "POST",
        &format!("{base}/version"),
        &session,
        &[
            ("csrf", &token),
            ("seed", &seed_text),
            ("template", "by-area"),
        ],
    );
    assert_eq!(used.status, 200, "{}", used.body);
    assert!(used.body.contains("Now queued"), "{}", used.body);
    assert!(used.body.contains("the version chosen at the desk"));
    let chosen = std::fs::read_to_string(&page_path).unwrap();
    assert_ne!(chosen, drafted, "the queued copy changed");
    assert_eq!(
        std::fs::read_to_string(queued.join("versions/1/files/weekly-2021-01-18/index.md"))
            .unwrap(),
        drafted,
        "the copy as drafted kept beside it"
    );
    let entry: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&entry_path).unwrap()).unwrap();
    assert_eq!(entry["drafted"]["template"], "by-area");
    assert_eq!(entry["drafted"]["first"]["template"], "weekly-roundup");
    let log = std::fs::read_to_string(dir.path().join("out/.casewire-queue/log.jsonl")).unwrap();
    assert!(log.contains("\"chose_version\""), "{log}");
    assert!(log.contains("template by-area"), "{log}");
    // The version queued now is the one the page offers no button for.
    let again = request(
        &server.addr,
        "GET",
        &other_template.replace("&amp;", "&"),
        &session,
        &[],
    );
    assert!(!again.body.contains("id=\"use-version\""), "{}", again.body);

    Casewire::new()
        .args(["review", "approve", "weekly-2021-01-18"])
        .args(["--config", arg(&config), "--by", "Ann"])
        .success();
    let live = std::fs::read_to_string(dir.path().join("out/weekly-2021-01-18/index.md")).unwrap();
    assert_eq!(live, chosen, "the version chosen went live");
    let log = std::fs::read_to_string(dir.path().join("out/.casewire-queue/log.jsonl")).unwrap();
    assert!(log.contains("as the version the desk chose (seed"), "{log}");
}

#[test]
fn the_headline_and_standfirst_are_edited_through_the_same_checks() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), "");
    Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .success();
    let queued = dir
        .path()
        .join("out/.casewire-queue/pending/weekly-2021-01-18");
    let page_path = queued.join("files/weekly-2021-01-18/index.md");
    let drafted = std::fs::read_to_string(&page_path).unwrap();
    let server = Server::start(&config);
    let session = sign_in(&server.addr, "Ann");
    let base = "/edition/weekly-2021-01-18";
    let page = request(&server.addr, "GET", base, &session, &[]);
    assert!(page.body.contains("id=\"headline\""), "{}", page.body);
    let token = csrf(&page.body);
    let title = format!("{base}/title");

    let unsigned = request(
        &server.addr,
        "POST",
        &title,
        &session,
        &[("headline", "Rates fall"), ("standfirst", "")],
    );
    assert_eq!(unsigned.status, 403);
    // A figure no fact backs, and a claim the data contradict, are refused.
    for (headline, standfirst, says) in [
        (
            "Covid-19 rates fall in south east London",
            "Bexley's rate is 691.7 cases per 100,000 people.",
            "&quot;691.7&quot; traces to no fact",
        ),
        (
            "Covid-19 rates rise in every borough in south east London",
            "",
            "says rates rose in every of the boroughs but 0 of 5 did",
        ),
    ] {
        let r = request(
            &server.addr,
            "POST",
            &title,
            &session,
            &[
                ("csrf", &token),
                ("headline", headline),
                ("standfirst", standfirst),
            ],
        );
        assert_eq!(r.status, 422, "{headline}: {}", r.body);
        let at = r.body.find("id=\"refused\"").expect("the findings");
        let found = &r.body[at..at + r.body[at..].find("</section>").unwrap()];
        assert!(found.contains(says), "{says}: {found}");
        assert_eq!(std::fs::read_to_string(&page_path).unwrap(), drafted);
    }
    let empty = request(
        &server.addr,
        "POST",
        &title,
        &session,
        &[("csrf", &token), ("headline", " \r\n "), ("standfirst", "")],
    );
    assert_eq!(empty.status, 422);

    let kept = request(
        &server.addr,
        "POST",
        &title,
        &session,
        &[
            ("csrf", &token),
            ("headline", "Rates fall across\r\nsouth east London"),
            (
                "standfirst",
                "All five boroughs of south east London saw rates fall in the seven days to January 14.",
            ),
        ],
    );
    assert_eq!(kept.status, 200, "{}", kept.body);
    assert!(
        kept.body.contains("Headline and standfirst kept"),
        "{}",
        kept.body
    );
    assert!(
        kept.body
            .contains("<h1>Rates fall across south east London</h1>")
    );
    let page = std::fs::read_to_string(&page_path).unwrap();
    assert!(
        page.contains("title: Rates fall across south east London")
            || page.contains("title: \"Rates fall across south east London\""),
        "{page}"
    );
    assert_eq!(
        std::fs::read_to_string(queued.join("versions/1/files/weekly-2021-01-18/index.md"))
            .unwrap(),
        drafted
    );
    let log = std::fs::read_to_string(dir.path().join("out/.casewire-queue/log.jsonl")).unwrap();
    assert!(log.contains("headline and standfirst"), "{log}");

    Casewire::new()
        .args(["review", "approve", "weekly-2021-01-18"])
        .args(["--config", arg(&config), "--by", "Ann"])
        .success();
    let out = dir.path().join("out/weekly-2021-01-18");
    assert_eq!(std::fs::read_to_string(out.join("index.md")).unwrap(), page);
    let item = std::fs::read_to_string(out.join("weekly-2021-01-18.ninjs.json")).unwrap();
    assert!(
        item.contains("Rates fall across south east London"),
        "the CMS gets the headline too: {item}"
    );
}
