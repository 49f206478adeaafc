//! Editions as a static site takes them (issue 16): casewire publishes two releases of a patch
//! story and an every-area story into a real Hugo or Jekyll site (Debian's own packages, which
//! `.ci/run` installs), the generator builds it with no network, and every built page is checked
//! as a reader meets it: a page for every Markdown file published, a title and a real date, no
//! folder repeated in its URL, every image and link to a local file resolving to a built file,
//! and the chart's data linked beside it, and every feed item linking a built page. Editions are
//! page bundles, so the same checks hold for Hugo's default URLs, its `uglyURLs` and Jekyll;
//! with `front_matter = "jekyll"` they are Jekyll's posts, checked the same way.
//!
//! A missing generator skips its tests with a line on stderr, unless `CI` is set: in CI it
//! fails them. Each site is published and built once per test process and shared by its checks
//! (publishing every English area twice is the slow part); it stays under `target/tmp/site/`
//! for a look when a check fails, and the next run removes it.
//!
//! This module publishes and builds the sites and reads what was built; the checks, with a
//! test for each check and generator, are in `checks`, the example setup's tests in `examples`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::support::*;

mod checks;
mod examples;

/// The releases published, in order: the second revises the first's week, so with the low
/// thresholds below it also gives the first edition a correction.
const RELEASES: [&str; 2] = ["2021-01-18", "2021-01-19"];

/// The release file in each release folder.
const FILE: &str = "ltla-reconstructed.csv";

/// The newsroom's settings beyond its patch story: corrections for a day's revisions, so that
/// notes are published too, and one story per English area.
const NEWSROOM: &str = "[corrections]\nrate_change = 0.1\ncases_share = 0.001\n\
    [[story]]\nname = \"england-areas\"\npatch = \"se-london.toml\"\neach_area = true\n\
    universe = \"england\"\n";

/// The site's section casewire publishes into; pages' source paths start with it.
const SECTION: &str = "covid";

/// The host in the sites' base URL: links to it are links to the site's own files.
const BASE_URL: &str = "https://news.example";

#[derive(Clone, Copy, Debug)]
pub(crate) enum Generator {
    /// Hugo with its default ("pretty") URLs: a page is a folder's `index.html`.
    Hugo,
    /// Hugo with `uglyURLs = true`: a page is `NAME.html`.
    HugoUglyUrls,
    /// Jekyll taking the pages as they are, in folders.
    Jekyll,
    /// Jekyll with `front_matter = "jekyll"`: editions as posts under `_posts/`, their files
    /// under `assets/`, published into the site's root as Jekyll expects.
    JekyllPosts,
}

impl Generator {
    fn program(self) -> &'static str {
        match self {
            Generator::Hugo | Generator::HugoUglyUrls => "hugo",
            Generator::Jekyll | Generator::JekyllPosts => "jekyll",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Generator::Hugo => "hugo",
            Generator::HugoUglyUrls => "hugo-ugly-urls",
            Generator::Jekyll => "jekyll",
            Generator::JekyllPosts => "jekyll-posts",
        }
    }

    fn slot(self) -> &'static OnceLock<Site> {
        static SITES: [OnceLock<Site>; 4] = [
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
        ];
        &SITES[self as usize]
    }

    /// The folder casewire publishes into, relative to the site's source.
    fn section(self) -> PathBuf {
        match self {
            Generator::Hugo | Generator::HugoUglyUrls => Path::new("content").join(SECTION),
            Generator::Jekyll => PathBuf::from(SECTION),
            Generator::JekyllPosts => PathBuf::new(),
        }
    }

    /// Writes the smallest site that shows a page's title, date and body, and names the
    /// page's source file so each published file can be found among the built pages.
    pub(crate) fn write_site(self, site: &Path) {
        match self {
            Generator::Hugo | Generator::HugoUglyUrls => {
                // Tag pages are lists the generator makes, not editions; they are left out.
                let ugly = matches!(self, Generator::HugoUglyUrls);
                write(
                    &site.join("hugo.toml"),
                    &format!(
                        "baseURL = \"{BASE_URL}/\"\ntitle = \"Courier\"\ncontentDir = \"content\"\n\
                         uglyURLs = {ugly}\n\
                         disableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\", \"robotsTXT\", \"404\"]\n"
                    ),
                );
                let layouts = site.join("layouts/_default");
                write(
                    &layouts.join("baseof.html"),
                    "<!DOCTYPE html>\n<html><head><title>{{ .Title }}</title>\n\
                     <meta name=\"source\" content=\"{{ with .File }}{{ .Path }}{{ end }}\">\n\
                     </head><body>\n<h1 class=\"title\">{{ .Title }}</h1>\n\
                     <time datetime=\"{{ .Date.Format \"2006-01-02\" }}\">{{ .Date.Format \"2 January 2006\" }}</time>\n\
                     {{ block \"main\" . }}{{ end }}\n</body></html>\n",
                );
                write(
                    &layouts.join("single.html"),
                    "{{ define \"main\" }}<article>{{ .Content }}</article>{{ end }}\n",
                );
                write(
                    &layouts.join("list.html"),
                    "{{ define \"main\" }}<ul>{{ range .Pages }}\
                     <li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n",
                );
            }
            Generator::Jekyll | Generator::JekyllPosts => {
                write(
                    &site.join("_config.yml"),
                    &format!(
                        "title: Courier\nurl: \"{BASE_URL}\"\nbaseurl: \"\"\n\
                         defaults:\n  - scope:\n      path: \"\"\n    values:\n      layout: default\n"
                    ),
                );
                write(
                    &site.join("_layouts/default.html"),
                    "<!DOCTYPE html>\n<html><head><title>{{ page.title }}</title>\n\
                     <meta name=\"source\" content=\"{{ page.path }}\">\n</head><body>\n\
                     <h1 class=\"title\">{{ page.title }}</h1>\n\
                     <time datetime=\"{{ page.date | date: \"%Y-%m-%d\" }}\">{{ page.date | date: \"%-d %B %Y\" }}</time>\n\
                     <article>{{ content }}</article>\n</body></html>\n",
                );
                // Posts ask for `layout: post`, as every Jekyll theme has; here it is the
                // default layout under another name.
                write(
                    &site.join("_layouts/post.html"),
                    "---\nlayout: default\n---\n{{ content }}\n",
                );
            }
        }
    }

    /// Builds `site` into `public` with the generator, offline.
    pub(crate) fn build(self, site: &Path, public: &Path, scratch: &Path) {
        let mut command = Command::new(self.program());
        match self {
            Generator::Hugo | Generator::HugoUglyUrls => command
                .args([
                    "--quiet",
                    "--source",
                    arg(site),
                    "--destination",
                    arg(public),
                ])
                .args(["--cacheDir", arg(&scratch.join("cache"))]),
            Generator::Jekyll | Generator::JekyllPosts => command
                .args(["build", "--quiet", "--safe", "--disable-disk-cache"])
                .args(["--source", arg(site), "--destination", arg(public)]),
        };
        let out = command
            .stdin(Stdio::null())
            .output()
            .expect("the generator runs");
        assert!(
            out.status.success(),
            "{} failed to build the site:\n{}{}",
            self.program(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A site casewire published into and the generator built.
struct Site {
    /// The built site.
    public: PathBuf,
    /// The Markdown files casewire published, as paths in the site's source (`covid/...`).
    published: BTreeSet<String>,
    /// Every HTML page the generator built.
    pages: Vec<Page>,
}

/// A built page, read from its HTML.
struct Page {
    /// Its file, relative to the built site.
    file: PathBuf,
    /// Its source file as the generator names it (empty for the lists it makes itself).
    source: String,
    title: String,
    /// `YYYY-MM-DD` as the layout prints the page's date.
    date: String,
    /// Every `<img src>`.
    images: Vec<String>,
    /// Every `<a href>`.
    links: Vec<String>,
}

impl Page {
    /// The page's URL path, as a reader's browser shows it.
    fn url(&self) -> String {
        let path = self.file.to_string_lossy();
        match path.strip_suffix("index.html") {
            Some(folder) => format!("/{folder}"),
            None => format!("/{path}"),
        }
    }
}

/// The site `generator` builds, published and built on first use; `None`, after saying so on
/// stderr, when the generator is not installed outside CI.
fn site(generator: Generator) -> Option<&'static Site> {
    let installed = Command::new(generator.program())
        .arg(match generator {
            Generator::Jekyll | Generator::JekyllPosts => "--version",
            _ => "version",
        })
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !installed {
        assert!(
            std::env::var_os("CI").is_none(),
            "`{}` is not installed; in CI that is a failure (.ci/run installs Debian's package)",
            generator.program()
        );
        // Straight to stderr, past the test harness's capture of `eprintln!`, so that the skip
        // shows in an ordinary `cargo test` run instead of passing unseen.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: `{}` is not installed (apt-get install {}); with CI set this test fails",
            generator.program(),
            generator.program()
        );
        return None;
    }
    Some(
        generator
            .slot()
            .get_or_init(|| publish_and_build(generator)),
    )
}

fn publish_and_build(generator: Generator) -> Site {
    let scratch = scratch(generator);
    let site = scratch.join("site");
    let newsroom = scratch.join("newsroom");
    let public = scratch.join("public");
    let section = site.join(generator.section());
    std::fs::create_dir_all(&newsroom).unwrap();
    generator.write_site(&site);
    let mut fixture = NewsroomFixture::new(&newsroom);
    if let Generator::JekyllPosts = generator {
        fixture = fixture.setting("front_matter = \"jekyll\"");
    }
    let config = fixture
        .source_files(FILE, &shared("population/mid-2019.csv"))
        .output(&section)
        .extra(NEWSROOM)
        .story("se-london-weekly", "se-london.toml")
        .patch_file("se-london.toml", se_london())
        .write();
    for release in RELEASES {
        place_release(
            &newsroom,
            release,
            FILE,
            &shared(&format!("releases/{release}/{FILE}")),
            Place::Link,
        );
        let run = Casewire::new()
            .args(["publish", "--config", arg(&config)])
            .success();
        assert!(
            run.stdout
                .starts_with(&format!("published 2 for release {release}")),
            "{}",
            run.stdout
        );
    }
    generator.build(&site, &public, &scratch);
    let published = files(&section)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| match generator {
            // Source paths as the generator names them: Hugo's below `content/`.
            Generator::JekyllPosts => p.display().to_string(),
            _ => format!("{SECTION}/{}", p.display()),
        })
        .collect();
    let pages: Vec<Page> = files(&public)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|file| {
            let html = std::fs::read_to_string(public.join(&file)).unwrap();
            Page {
                source: between(&html, "<meta name=\"source\" content=\"", "\"").to_string(),
                title: between(&html, "<h1 class=\"title\">", "</h1>").to_string(),
                date: between(&html, "<time datetime=\"", "\"").to_string(),
                images: attributes(&html, "img", "src"),
                links: attributes(&html, "a", "href"),
                file,
            }
        })
        .collect();
    assert!(
        pages.len() > 600,
        "{} built only {} pages",
        generator.name(),
        pages.len()
    );
    Site {
        public,
        published,
        pages,
    }
}

/// This process's folder for `generator`'s site, empty; folders earlier runs left behind are
/// removed first.
fn scratch(generator: Generator) -> PathBuf {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("site");
    static SWEPT: OnceLock<()> = OnceLock::new();
    SWEPT.get_or_init(|| {
        for entry in std::fs::read_dir(&base).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let pid = name.split('-').next().unwrap_or_default();
            // Another test process still running keeps its folder.
            if !Path::new("/proc").join(pid).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    });
    let dir = base.join(format!("{}-{}", std::process::id(), generator.name()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---------------------------------------------------------------------------------------------
// Reading what was built.

/// Every file under `dir`, relative to it, leaving out hidden ones (casewire's lock and state).
fn files(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(root.join(rel)).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = rel.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, Path::new(""), &mut out);
    out.sort();
    out
}

/// The text between the first `start` and the next `end`; empty when there is none.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    html.split_once(start)
        .and_then(|(_, rest)| rest.split_once(end))
        .map_or("", |(inside, _)| inside)
}

/// The value of `attribute` in every `<tag ...>` (both generators quote with `"`).
fn attributes(html: &str, tag: &str, attribute: &str) -> Vec<String> {
    let open = format!("<{tag} ");
    let key = format!(" {attribute}=\"");
    html.split(&open)
        .skip(1)
        .filter_map(|rest| {
            let inside = format!(" {}", rest.split('>').next().unwrap_or_default());
            let value = inside.split_once(&key)?.1.split('"').next()?;
            Some(entity_decode(value))
        })
        .collect()
}

fn entity_decode(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}
