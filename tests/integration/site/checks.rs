//! The checks of a built site, as a reader meets it: each gives one line per fault, and a test
//! for each generator asserts there are none.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use super::{BASE_URL, Generator, Page, SECTION, Site, entity_decode, percent_decode, site};

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
