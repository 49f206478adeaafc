//! Figures printed in digits other than ASCII 0–9, or as numbers in words from ten up: a
//! template that prints one is refused by `draft` and `publish`, and nothing is written; an
//! editor's desk edit that prints one is refused and not kept.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Child;

use crate::support::*;

/// What each template line prints, and what the refusal must say.
const KINDS: &[(&str, &str)] = &[
    ("Lewisham's rate stands at ９９９.９.", "(U+FF19)"),
    ("Lewisham's rate stands at ٩٩٩.٩.", "(U+0669)"),
    ("Lewisham's rate stands at 𝟗𝟗𝟗.𝟗.", "(U+1D7D7)"),
    ("Lewisham's rate stands at ⑨⑨⑨.", "(U+2468)"),
    ("Lewisham's rate stands at 7⁹⁹.9.", "(U+2079)"),
    ("Cases rose in ¾ of the boroughs.", "(U+00BE)"),
    ("Cases rose in Ⅻ boroughs.", "(U+216B)"),
    (
        "Over a million people live there.",
        "prints \"a million\", a number in words the audit cannot trace",
    ),
    (
        "Dozens of care homes had a case.",
        "prints \"dozens\", a number in words the audit cannot trace",
    ),
    (
        "Cases rose in a third of the boroughs.",
        "prints \"a third\", a number in words the audit cannot trace",
    ),
    (
        "Cases rose in twenty-one boroughs.",
        "prints \"twenty-one\", a number in words the audit cannot trace",
    ),
];

/// A template folder whose provenance partial ends with `line`.
fn templates_printing(line: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let partial = dir.path().join("partials/week");
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::write(
        partial.join("provenance.md"),
        format!("Figures from {{{{ dashboard_name }}}}.\n\n{line}\n"),
    )
    .unwrap();
    dir
}

#[test]
fn the_built_in_templates_draft_and_the_audit_finds_nothing_foreign() {
    let d = casewire::draft::draft(&january_request()).unwrap_or_else(|e| panic!("{e}"));
    assert!(d.checked.audited);
    assert!(
        !d.output
            .chars()
            .any(|c| c.is_numeric() && !c.is_ascii_digit())
    );
}

#[test]
fn a_template_printing_each_kind_is_refused_by_draft_and_nothing_is_written() {
    for (line, says) in KINDS {
        let templates = templates_printing(line);
        let out = tempfile::tempdir().unwrap();
        let story = out.path().join("story.md");
        let run = Casewire::new()
            .args([
                "draft",
                "--patch",
                arg(&se_london()),
                "--data",
                arg(&shared("releases/2021-01-18/ltla-reconstructed.csv")),
                "--population",
                arg(&shared("population/mid-2019.csv")),
                "--release",
                "2021-01-18",
                "--templates",
                arg(templates.path()),
                "--out",
                arg(&story),
            ])
            .code(1);
        assert!(run.stderr().contains(says), "{line}: {}", run.stderr());
        assert!(
            std::fs::read_dir(out.path()).unwrap().next().is_none(),
            "{line}: nothing written"
        );
    }
}

#[test]
fn the_audit_itself_refuses_each_kind_naming_the_line() {
    for (line, says) in KINDS {
        let (d, report) = audit_edited(&january_request(), |t| format!("{t}\n{line}\n"));
        let at = d.output.lines().count() + 2;
        assert!(
            report
                .failures
                .iter()
                .any(|f| f.line == at && f.message.contains(says)),
            "{line}: {:#?}",
            report.failures
        );
    }
}

/// A newsroom publishing the south east London round-up of January 18, 2021, with the
/// templates in `templates` if any, its editions held for review when `review` is set.
fn newsroom(dir: &Path, templates: Option<&Path>, review: bool) -> std::path::PathBuf {
    place_release(
        dir,
        "2021-01-18",
        "ltla-reconstructed.csv",
        &shared("releases/2021-01-18/ltla-reconstructed.csv"),
        Place::Link,
    );
    let mut fixture = NewsroomFixture::new(dir)
        .source_files("ltla-reconstructed.csv", &shared("population/mid-2019.csv"))
        .story("weekly", "se-london.toml")
        .patch_file("se-london.toml", se_london());
    if let Some(t) = templates {
        fixture = fixture.setting(&format!("templates = \"{}\"", t.display()));
    }
    if review {
        fixture = fixture.extra("[review]\nrequired = true\n");
    }
    fixture.write()
}

/// How many story pages (`.md` files) are under `dir`, at any depth.
fn stories(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .map(|e| e.unwrap().path())
        .map(|p| {
            if p.is_dir() {
                stories(&p)
            } else {
                usize::from(p.extension().is_some_and(|x| x == "md"))
            }
        })
        .sum()
}

#[test]
fn a_template_printing_a_full_width_figure_is_refused_by_publish() {
    for (line, says) in [KINDS[0], KINDS[7]] {
        let templates = templates_printing(line);
        let dir = tempfile::tempdir().unwrap();
        let config = newsroom(dir.path(), Some(templates.path()), false);
        let run = Casewire::new()
            .args(["publish", "--config", arg(&config)])
            .code(1);
        assert!(run.stderr().contains(says), "{line}: {}", run.stderr());
        assert!(
            run.stderr().contains("no story was written"),
            "{}",
            run.stderr()
        );
        assert_eq!(
            stories(&dir.path().join("out")),
            0,
            "{line}: nothing written"
        );
    }
}

/// A desk server the test started; stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `casewire serve --config CONFIG --bind 127.0.0.1:0`, once it says where it listens.
    fn start(config: &Path) -> Server {
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
        // Its standard error is read on so the pipe never fills.
        std::thread::spawn(move || for _ in lines {});
        Server { child, addr }
    }
}

/// The status, headers and body of one form request, `Connection: close`.
fn request(
    addr: &str,
    method: &str,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let body: String = form
        .iter()
        .map(|(k, v)| {
            let value: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={value}")
        })
        .collect::<Vec<_>>()
        .join("&");
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut text = Vec::new();
    let _ = stream.read_to_end(&mut text);
    let text = String::from_utf8_lossy(&text).into_owned();
    let (headers, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = headers
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, headers.to_string(), body.to_string())
}

/// The value of `name="csrf" value="..."` in a page.
fn csrf(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("a form with a token")
        + 19;
    page[at..].split('"').next().unwrap().to_string()
}

/// The session cookie a reply's headers set.
fn cookie(headers: &str) -> String {
    let line = headers
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .expect("a cookie");
    let value = line.split_once(':').unwrap().1.trim();
    value.split(';').next().unwrap().to_string()
}

/// Signs in as `name`; the session's cookie.
fn sign_in(addr: &str, name: &str) -> String {
    let (_, headers, body) = request(addr, "GET", "/login", "", &[]);
    let form = [("csrf", csrf(&body)), ("name", name.to_string())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, headers, body) = request(addr, "POST", "/login", &cookie(&headers), &form);
    assert_eq!(status, 303, "{body}");
    cookie(&headers)
}

#[test]
fn a_desk_edit_with_a_full_width_figure_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), None, true);
    Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .success();
    let queued = dir
        .path()
        .join("out/.casewire-queue/pending/weekly-2021-01-18");
    let page = std::fs::read_to_string(queued.join("files/weekly-2021-01-18/index.md")).unwrap();
    let (_, body) = casewire::review::split_front(&page);
    // The story's first rate ("742.5"), replaced in the edits below.
    let figure = body
        .split_whitespace()
        .map(|w| w.trim_end_matches([',', '.', ';', ')']))
        .find(|w| {
            w.contains('.')
                && w.chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        })
        .expect("a rate");
    let width = figure.chars().filter(char::is_ascii_digit).count();
    let (full, arabic) = ("９".repeat(width), "٧".repeat(width));
    let server = Server::start(&config);
    let session = sign_in(&server.addr, "Ann");
    let base = "/edition/weekly-2021-01-18";
    let (status, _, page) = request(&server.addr, "GET", base, &session, &[]);
    assert_eq!(status, 200);
    let token = csrf(&page);
    let edit = format!("{base}/edit");
    for (printed, says) in [
        (full.as_str(), "(U+FF19)"),
        (arabic.as_str(), "(U+0667)"),
        ("999.9", "traces to no fact"),
    ] {
        let edited = body.replacen(figure, printed, 1);
        let (status, _, reply) = request(
            &server.addr,
            "POST",
            &edit,
            &session,
            &[("csrf", &token), ("body", &edited)],
        );
        assert_eq!(status, 422, "{printed}: refused by the checks");
        assert!(reply.contains(says), "{printed}: {reply}");
        assert!(!queued.join("edit.md").exists(), "{printed}: not kept");
    }
}
