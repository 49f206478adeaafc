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

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::support::*;

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
// The checks: each gives one line per fault, and a test asserts there are none.

/// Every Markdown file casewire published is built into a page.
fn unbuilt_files(site: &Site) -> Vec<String> {
    let built: BTreeSet<&str> = site.pages.iter().map(|p| p.source.as_str()).collect();
    site.published
        .iter()
        .filter(|f| !built.contains(f.as_str()))
        .map(|f| format!("{f}: published, but built into no page"))
        .collect()
}

/// Every page has a title and a real date (a missing date is Hugo's 0001-01-01, Jekyll's
/// nothing).
fn untitled_or_undated(site: &Site) -> Vec<String> {
    let mut faults = Vec::new();
    for page in &site.pages {
        if page.title.trim().is_empty() {
            faults.push(format!("{}: no title", page.url()));
        }
        let real = chrono::NaiveDate::parse_from_str(&page.date, "%Y-%m-%d")
            .is_ok_and(|d| chrono::Datelike::year(&d) >= 2020);
        if !real {
            faults.push(format!("{}: date {:?}", page.url(), page.date));
        }
    }
    faults
}

/// No page's URL names a folder twice, as `/covid/england-areas-R/england-areas-R/bromley/`
/// does. Numbers are left out: a date's month and day may be equal.
fn doubled_folders(site: &Site) -> Vec<String> {
    let mut faults = Vec::new();
    for page in &site.pages {
        let url = page.url();
        let mut seen = BTreeSet::new();
        let doubled = url
            .split('/')
            .map(|s| s.strip_suffix(".html").unwrap_or(s))
            .filter(|s| !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit()))
            .any(|s| !seen.insert(s));
        if doubled {
            faults.push(format!("{url}: a folder repeated"));
        }
    }
    faults
}

/// Every `<img src>` and `<a href>` to a file of the site's own resolves to a built file, as a
/// browser resolves it from the page's URL.
fn broken_links(site: &Site) -> Vec<String> {
    assert!(
        site.pages.iter().any(|p| !p.images.is_empty()),
        "no built page shows an image"
    );
    let mut faults = Vec::new();
    for page in &site.pages {
        for link in page.images.iter().chain(&page.links) {
            if let Some(Err(target)) = resolve(site, page, link) {
                faults.push(format!("{}: {link} -> {target}, not built", page.url()));
            }
        }
    }
    faults
}

/// Every page that shows a chart links its data (the CSV) too, and the link resolves.
fn charts_without_data(site: &Site) -> Vec<String> {
    let charts: Vec<&Page> = site
        .pages
        .iter()
        .filter(|p| p.images.iter().any(|src| src.ends_with(".svg")))
        .collect();
    assert!(!charts.is_empty(), "no built page shows a chart");
    charts
        .into_iter()
        .filter(|page| {
            !page.links.iter().any(|href| {
                href.ends_with(".csv") && matches!(resolve(site, page, href), Some(Ok(())))
            })
        })
        .map(|page| format!("{}: a chart, but no link to its data", page.url()))
        .collect()
}

/// `Some(Ok)` when `link`, on `page`, is a file of the site's own that was built;
/// `Some(Err(path))` when it is one that was not; `None` for a link elsewhere or within the
/// page.
fn resolve(site: &Site, page: &Page, link: &str) -> Option<Result<(), String>> {
    let link = link.split(['#', '?']).next().unwrap_or_default();
    let link = link.strip_prefix(BASE_URL).unwrap_or(link);
    if link.is_empty() || link.starts_with("//") || link.contains(':') {
        return None;
    }
    let link = percent_decode(&entity_decode(link));
    let joined = match link.strip_prefix('/') {
        Some(absolute) => PathBuf::from(absolute),
        None => page.file.parent().unwrap_or(Path::new("")).join(&link),
    };
    let mut target = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::Normal(p) => target.push(p),
            Component::ParentDir => {
                target.pop();
            }
            _ => {}
        }
    }
    let mut full = site.public.join(&target);
    if full.is_dir() {
        full.push("index.html");
    }
    Some(if full.is_file() {
        Ok(())
    } else {
        Err(format!("/{}", target.display()))
    })
}

/// Every item of the JSON feed the generator published links a built page, resolved from
/// the feed's own URL as a feed reader resolves it.
fn broken_feed_links(site: &Site, generator: Generator) -> Vec<String> {
    // The feeds are in the output folder, which the site publishes at its own path.
    let at = match generator {
        Generator::JekyllPosts => PathBuf::from("feed.json"),
        _ => Path::new(SECTION).join("feed.json"),
    };
    let feed = std::fs::read(site.public.join(&at)).expect("the feed is published");
    let feed: serde_json::Value = serde_json::from_slice(&feed).unwrap();
    let items = feed["items"].as_array().expect("items");
    assert!(!items.is_empty(), "the feed lists the editions");
    let at_root = Page {
        file: at,
        source: String::new(),
        title: String::new(),
        date: String::new(),
        images: Vec::new(),
        links: Vec::new(),
    };
    items
        .iter()
        .filter_map(|item| {
            let url = item["url"].as_str().unwrap_or_default();
            match resolve(site, &at_root, url) {
                Some(Ok(())) => None,
                Some(Err(target)) => Some(format!("feed item {url} -> {target}, not built")),
                None => Some(format!("feed item {url}: not a link into the site")),
            }
        })
        .collect()
}

#[track_caller]
fn assert_none(generator: Generator, check: &str, faults: Vec<String>) {
    assert!(
        faults.is_empty(),
        "{}: {check}: {} fault(s), the first:\n{}",
        generator.name(),
        faults.len(),
        faults[..faults.len().min(12)].join("\n")
    );
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

// ---------------------------------------------------------------------------------------------
// Hugo, default URLs.

#[test]
fn hugo_builds_a_page_for_every_published_file() {
    let Some(site) = site(Generator::Hugo) else {
        return;
    };
    assert_none(Generator::Hugo, "unbuilt files", unbuilt_files(site));
}

#[test]
fn hugo_pages_have_a_title_and_a_real_date() {
    let Some(site) = site(Generator::Hugo) else {
        return;
    };
    assert_none(Generator::Hugo, "title and date", untitled_or_undated(site));
}

#[test]
fn hugo_urls_repeat_no_folder() {
    let Some(site) = site(Generator::Hugo) else {
        return;
    };
    assert_none(Generator::Hugo, "doubled folders", doubled_folders(site));
}

#[test]
fn hugo_images_and_links_resolve() {
    let Some(site) = site(Generator::Hugo) else {
        return;
    };
    assert_none(Generator::Hugo, "broken links", broken_links(site));
}

#[test]
fn hugo_charts_link_their_data() {
    let Some(site) = site(Generator::Hugo) else {
        return;
    };
    assert_none(
        Generator::Hugo,
        "charts without data",
        charts_without_data(site),
    );
}

// ---------------------------------------------------------------------------------------------
// Hugo, `uglyURLs = true`.

#[test]
fn hugo_ugly_urls_builds_a_page_for_every_published_file() {
    let Some(site) = site(Generator::HugoUglyUrls) else {
        return;
    };
    assert_none(
        Generator::HugoUglyUrls,
        "unbuilt files",
        unbuilt_files(site),
    );
}

#[test]
fn hugo_ugly_urls_pages_have_a_title_and_a_real_date() {
    let Some(site) = site(Generator::HugoUglyUrls) else {
        return;
    };
    assert_none(
        Generator::HugoUglyUrls,
        "title and date",
        untitled_or_undated(site),
    );
}

#[test]
fn hugo_ugly_urls_repeat_no_folder() {
    let Some(site) = site(Generator::HugoUglyUrls) else {
        return;
    };
    assert_none(
        Generator::HugoUglyUrls,
        "doubled folders",
        doubled_folders(site),
    );
}

#[test]
fn hugo_ugly_urls_images_and_links_resolve() {
    let Some(site) = site(Generator::HugoUglyUrls) else {
        return;
    };
    assert_none(Generator::HugoUglyUrls, "broken links", broken_links(site));
}

#[test]
fn hugo_ugly_urls_charts_link_their_data() {
    let Some(site) = site(Generator::HugoUglyUrls) else {
        return;
    };
    assert_none(
        Generator::HugoUglyUrls,
        "charts without data",
        charts_without_data(site),
    );
}

// ---------------------------------------------------------------------------------------------
// Jekyll.

#[test]
fn jekyll_builds_a_page_for_every_published_file() {
    let Some(site) = site(Generator::Jekyll) else {
        return;
    };
    assert_none(Generator::Jekyll, "unbuilt files", unbuilt_files(site));
}

#[test]
fn jekyll_pages_have_a_title_and_a_real_date() {
    let Some(site) = site(Generator::Jekyll) else {
        return;
    };
    assert_none(
        Generator::Jekyll,
        "title and date",
        untitled_or_undated(site),
    );
}

#[test]
fn jekyll_urls_repeat_no_folder() {
    let Some(site) = site(Generator::Jekyll) else {
        return;
    };
    assert_none(Generator::Jekyll, "doubled folders", doubled_folders(site));
}

#[test]
fn jekyll_images_and_links_resolve() {
    let Some(site) = site(Generator::Jekyll) else {
        return;
    };
    assert_none(Generator::Jekyll, "broken links", broken_links(site));
}

#[test]
fn jekyll_charts_link_their_data() {
    let Some(site) = site(Generator::Jekyll) else {
        return;
    };
    assert_none(
        Generator::Jekyll,
        "charts without data",
        charts_without_data(site),
    );
}

// ---------------------------------------------------------------------------------------------
// Jekyll with its own front matter: posts.

#[test]
fn jekyll_posts_build_a_page_for_every_published_file() {
    let Some(site) = site(Generator::JekyllPosts) else {
        return;
    };
    let posts = site.published.iter().filter(|f| f.starts_with("_posts/"));
    assert!(posts.count() > 600, "the editions are posts");
    // An every-area edition's posts are a folder of their own, put in place whole.
    assert!(
        site.published
            .iter()
            .any(|f| f.starts_with("_posts/england-areas-2021-01-19/2021-01-19-england-areas-")),
        "every-area posts in their edition's folder"
    );
    assert_none(Generator::JekyllPosts, "unbuilt files", unbuilt_files(site));
}

#[test]
fn jekyll_posts_have_a_title_and_a_real_date() {
    let Some(site) = site(Generator::JekyllPosts) else {
        return;
    };
    assert_none(
        Generator::JekyllPosts,
        "title and date",
        untitled_or_undated(site),
    );
}

#[test]
fn jekyll_posts_urls_repeat_no_folder() {
    let Some(site) = site(Generator::JekyllPosts) else {
        return;
    };
    assert_none(
        Generator::JekyllPosts,
        "doubled folders",
        doubled_folders(site),
    );
}

#[test]
fn jekyll_posts_images_and_links_resolve() {
    let Some(site) = site(Generator::JekyllPosts) else {
        return;
    };
    assert_none(Generator::JekyllPosts, "broken links", broken_links(site));
}

#[test]
fn hugo_feed_links_resolve() {
    let Some(site) = site(Generator::Hugo) else {
        return;
    };
    assert_none(
        Generator::Hugo,
        "feed links",
        broken_feed_links(site, Generator::Hugo),
    );
}

#[test]
fn hugo_ugly_urls_feed_links_resolve() {
    let Some(site) = site(Generator::HugoUglyUrls) else {
        return;
    };
    assert_none(
        Generator::HugoUglyUrls,
        "feed links",
        broken_feed_links(site, Generator::HugoUglyUrls),
    );
}

#[test]
fn jekyll_feed_links_resolve() {
    let Some(site) = site(Generator::Jekyll) else {
        return;
    };
    assert_none(
        Generator::Jekyll,
        "feed links",
        broken_feed_links(site, Generator::Jekyll),
    );
}

#[test]
fn jekyll_posts_feed_links_resolve() {
    let Some(site) = site(Generator::JekyllPosts) else {
        return;
    };
    assert_none(
        Generator::JekyllPosts,
        "feed links",
        broken_feed_links(site, Generator::JekyllPosts),
    );
}

#[test]
fn jekyll_posts_charts_link_their_data() {
    let Some(site) = site(Generator::JekyllPosts) else {
        return;
    };
    assert_none(
        Generator::JekyllPosts,
        "charts without data",
        charts_without_data(site),
    );
}

// ---------------------------------------------------------------------------------------------
// The example setup (docs/setup.md) works as written.

/// `examples/newsroom.toml`, copied with its patch into a folder laid out as docs/setup.md
/// lays out /srv/casewire, publishes (as a dry run) from anywhere: its paths are relative to the
/// file, not to the folder casewire runs in.
#[test]
fn the_example_newsroom_works_outside_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let srv = dir.path();
    std::fs::copy(
        root().join("examples/newsroom.toml"),
        srv.join("newsroom.toml"),
    )
    .unwrap();
    std::fs::copy(se_london(), srv.join("se-london.toml")).unwrap();
    std::os::unix::fs::symlink(shared("releases"), srv.join("releases")).unwrap();
    std::os::unix::fs::symlink(shared("population"), srv.join("population")).unwrap();
    let run = Casewire::new()
        .current_dir("/")
        .args(["publish", "--dry-run", "--config"])
        .arg(srv.join("newsroom.toml"))
        .success();
    run.stdout_has("would write se-london-weekly-2021-01-29/index.md")
        .stdout_has("would publish 3 for release 2021-01-29");
    assert!(!srv.join("site").exists(), "a dry run writes nothing");
}

/// The systemd units pass `systemd-analyze verify` where it exists, with the binary where the
/// service expects it (here, the one under test stands in for /usr/local/bin/casewire).
#[test]
fn the_example_units_pass_systemd_analyze_verify() {
    let installed = Command::new("systemd-analyze")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !installed {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: systemd-analyze is not installed; the example units are not verified"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let service = std::fs::read_to_string(root().join("examples/casewire-publish.service"))
        .unwrap()
        .replace("/usr/local/bin/casewire", arg(&bin()));
    write(&dir.path().join("casewire-publish.service"), &service);
    std::fs::copy(
        root().join("examples/casewire-publish.timer"),
        dir.path().join("casewire-publish.timer"),
    )
    .unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(dir.path().join("casewire-publish.service"))
        .arg(dir.path().join("casewire-publish.timer"))
        .output()
        .unwrap();
    // verify exits 0 on a setting it ignores; it says so on stderr.
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The crontab and the service run the same binary on the same newsroom file, at the same
/// hours (Thursdays, ten past eight to ten past twelve).
#[test]
fn the_example_crontab_and_units_agree() {
    let read = |name: &str| std::fs::read_to_string(root().join("examples").join(name)).unwrap();
    let crontab = read("casewire.crontab");
    let line = crontab
        .lines()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty())
        .expect("a crontab line");
    assert!(line.starts_with("10 8-12 * * 4 cd /srv/casewire && /usr/local/bin/casewire publish --config newsroom.toml "), "{line}");
    let service = read("casewire-publish.service");
    assert!(service.contains("\nWorkingDirectory=/srv/casewire\n"));
    assert!(service.contains(
        "\nExecStart=/usr/local/bin/casewire publish --config /srv/casewire/newsroom.toml\n"
    ));
    assert!(read("casewire-publish.timer").contains("\nOnCalendar=Thu *-*-* 08..12:10:00\n"));
}

/// `publish --help` shows the example's own line, so that a sysadmin copies the schedule the
/// example and the units keep.
#[test]
fn publish_help_shows_the_example_crontab_line() {
    let crontab = std::fs::read_to_string(root().join("examples/casewire.crontab")).unwrap();
    let line = crontab
        .lines()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty())
        .expect("a crontab line");
    Casewire::new()
        .args(["publish", "--help"])
        .success()
        .stdout_has(line);
}
