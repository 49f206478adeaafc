//! Building an edition's files and where they go: a page bundle of Markdown with front matter,
//! the view model, the table as CSV, the chart as SVG and the facts sidecar for a patch's
//! story; a folder of bundles, each a story and its facts, with the week's shared facts once,
//! for an every-area story.

use std::path::Path;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::config::StoryConfig;
use crate::draft::{Draft, DraftError, Inputs, Week};
use crate::render::Renderer;

use super::corrections::printed_figures;
use super::files;
use super::frontmatter::{Flavour, Matter, Value};
use super::items::{self, ItemParts, PendingItem};
use super::state::Edition;
use crate::story::Story;

/// A file of the run, relative to the output folder, with its bytes.
pub(crate) struct Planned {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// What every edition of a run shares: the release, today, the templates and their hash,
/// and where pages and their files go.
pub(super) struct Run<'a> {
    pub release: NaiveDate,
    pub today: Option<NaiveDate>,
    pub renderer: &'a Renderer,
    pub templates_hash: &'a str,
    pub layout: &'a Layout,
    pub site: &'a super::items::ItemSite,
}

/// Where an edition's page and its files go for the site generator in use, and how the page
/// links them: each edition is a bundle named `NAME-RELEASE` (an every-area edition a folder
/// of them, `NAME-RELEASE/AREA`), which Hugo takes as a leaf bundle and Zola as a page with
/// colocated assets, and Jekyll as a post with its files under `assets/`.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The generator.
    pub flavour: Flavour,
    /// The URL path of the output folder on the site (`/covid/`), when known: Hugo's content
    /// folder is `content/`, so an output folder under it is the site's path beneath it.
    pub url_prefix: Option<String>,
}

impl Layout {
    /// The layout for a newsroom's output folder.
    pub fn for_output(flavour: Flavour, output: &Path) -> Layout {
        let parts: Vec<String> = output
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        let url_prefix = parts.iter().rposition(|p| p == "content").map(|at| {
            let rest = &parts[at + 1..];
            if rest.is_empty() {
                "/".to_string()
            } else {
                format!("/{}/", rest.join("/"))
            }
        });
        Layout {
            flavour,
            url_prefix,
        }
    }

    /// The page of the bundle `bundle` (`NAME-RELEASE` or `NAME-RELEASE/AREA`) dated `date`.
    pub fn page(&self, bundle: &str, date: NaiveDate) -> String {
        match self.flavour {
            Flavour::Hugo | Flavour::Zola => format!("{bundle}/index.md"),
            Flavour::Jekyll => format!("_posts/{}.md", jekyll_post(bundle, date)),
        }
    }

    /// A file of the bundle.
    pub fn file(&self, bundle: &str, name: &str) -> String {
        match self.flavour {
            Flavour::Hugo | Flavour::Zola => format!("{bundle}/{name}"),
            Flavour::Jekyll => format!("assets/{bundle}/{name}"),
        }
    }

    /// The folder holding every file of the bundle but (for Jekyll) its pages: put in
    /// place whole, in one step.
    pub fn bundle_folder(&self, bundle: &str) -> String {
        match self.flavour {
            Flavour::Hugo | Flavour::Zola => bundle.to_string(),
            Flavour::Jekyll => format!("assets/{bundle}"),
        }
    }

    /// The folders an edition is put in place as, each whole in one step: its bundle's
    /// folder, and for Jekyll an every-area edition's folder of posts as well, so a site
    /// built at any moment sees every area's page or none.
    pub fn edition_folders(&self, bundle: &str, every_area: bool) -> Vec<String> {
        let mut out = vec![self.bundle_folder(bundle)];
        if every_area && self.flavour == Flavour::Jekyll {
            out.push(format!("_posts/{bundle}"));
        }
        out
    }

    /// A folder of bundles' shared file (an every-area edition's shared facts).
    pub fn folder_file(&self, folder: &str, name: &str) -> String {
        self.file(folder, name)
    }

    /// How the bundle's page links a file of its own: beside it, for the generators that
    /// publish a page as its bundle's `index.html`.
    pub fn link(&self, bundle: &str, name: &str) -> String {
        match self.flavour {
            Flavour::Hugo | Flavour::Zola => name.to_string(),
            Flavour::Jekyll => format!("{{{{ '/assets/{bundle}/{name}' | relative_url }}}}"),
        }
    }

    /// How the page of bundle `from` links the page of bundle `to` (dated `date`).
    pub fn page_link(&self, from: &str, to: &str, date: NaiveDate) -> String {
        match self.flavour {
            Flavour::Hugo | Flavour::Zola => {
                let up = "../".repeat(from.split('/').count());
                format!("{up}{to}/")
            }
            Flavour::Jekyll => format!(
                "{{{{ site.baseurl }}}}{{% post_url {} %}}",
                jekyll_post(to, date)
            ),
        }
    }

    /// How the feeds (in the output folder) link the page of bundle `bundle` dated `date`:
    /// the bundle's folder, or for Jekyll the post's URL under Jekyll's default permalinks
    /// (`/:categories/:year/:month/:day/:title.html`, the category the front matter gives).
    pub fn feed_link(&self, bundle: &str, date: NaiveDate) -> String {
        match self.flavour {
            Flavour::Hugo | Flavour::Zola => format!("{bundle}/"),
            Flavour::Jekyll => format!(
                "{}/{}/{}.html",
                super::frontmatter::JEKYLL_CATEGORY,
                date.format("%Y/%m/%d"),
                bundle.replace('/', "-")
            ),
        }
    }

    /// The page's URL, for Hugo's `url`: its bundle's folder, with or without `uglyURLs`.
    pub fn url(&self, bundle: &str) -> Option<String> {
        self.url_prefix.as_ref().map(|p| format!("{p}{bundle}/"))
    }
}

/// A Jekyll post's path under `_posts/`, without `.md`: `DATE-NAME-RELEASE` for a bundle of
/// its own; an every-area edition's posts in a folder of their own (`NAME-RELEASE/`), so
/// the edition goes in whole, each still named after its whole bundle, which keeps its URL
/// (Jekyll's `:title` is the file's name after the date) unique across stories.
fn jekyll_post(bundle: &str, date: NaiveDate) -> String {
    let name = bundle.replace('/', "-");
    match bundle.rsplit_once('/') {
        Some((folder, _)) => format!("{folder}/{date}-{name}"),
        None => format!("{date}-{name}"),
    }
}

fn generator() -> String {
    format!("casewire {}", env!("CARGO_PKG_VERSION"))
}

/// What the front matter of every edition says besides its title, description and tags.
fn provenance(
    story: &Story,
    data_hash: &str,
    templates_hash: &str,
    seed: u64,
) -> Vec<(&'static str, Value)> {
    vec![
        ("data_release", Value::Date(story.release)),
        ("week_start", Value::Date(story.week.start)),
        ("week_end", Value::Date(story.week.end)),
        ("generator", Value::Str(generator())),
        ("data_sha256", Value::Str(data_hash.to_string())),
        ("templates_sha256", Value::Str(templates_hash.to_string())),
        ("seed", Value::Int(i64::try_from(seed).unwrap_or(i64::MAX))),
    ]
}

/// An every-area edition: its files, its record, its warnings and its pages' items.
pub(super) type EveryArea = (Vec<Planned>, Edition, Vec<String>, Vec<PendingItem>);

/// A patch story's edition from its draft: its files, and the edition as the state records it.
pub(super) fn patch_story(
    name: &str,
    draft: &Draft,
    inputs: &Inputs,
    run: &Run<'_>,
) -> (Vec<Planned>, Edition, PendingItem) {
    let release = run.release;
    let layout = run.layout;
    let data_hash = dataset_hash(inputs);
    let slug = format!("{name}-{release}");
    let chart = format!("{slug}.svg");
    let table = format!("{slug}.csv");
    let mut tags: Vec<String> = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    for (_, a) in files::table_areas(&draft.story) {
        tags.push(a.name.clone());
        codes.push(a.code.clone());
    }
    let title = draft.headline.as_deref().unwrap_or(&draft.story.region);
    let mut extra = provenance(
        &draft.story,
        &data_hash,
        run.templates_hash,
        inputs.patch.seed,
    );
    extra.push(("image", Value::Str(chart.clone())));
    extra.push(("data", Value::Str(table.clone())));
    let front = Matter {
        title: title.to_string(),
        description: draft.standfirst.clone().unwrap_or_default(),
        date: Some(release),
        slug: slug.clone(),
        url: layout.url(&slug),
        tags,
        area_codes: codes,
        extra,
        ..Matter::default()
    };
    // The headline is in the front matter; the standfirst is its description, so the body
    // starts after both.
    let body = strip_standfirst(strip_headline(&draft.output), draft.standfirst.as_deref());
    // Built here, not by a template, so escaped here: a region holding `]` or a line
    // break would otherwise end the image's text or start a heading.
    let alt = format!(
        "Covid-19 rates per 100,000 people in {} in the seven days to {}, against the week before",
        crate::lang::markdown_text(&draft.story.region),
        crate::lang::date(draft.story.week.end, None)
    );
    let markdown = format!(
        "{}\n{body}\n![{alt}]({})\n\n[The figures behind the chart (CSV)]({})\n",
        front.render(layout.flavour),
        layout.link(&slug, &chart),
        layout.link(&slug, &table),
    );
    let story_json = serde_json::to_string_pretty(&draft.story).expect("serialisable") + "\n";
    let page = layout.page(&slug, release);
    let svg = files::chart_svg(&draft.story);
    // The item's body names the files as they sit beside it, for any CMS, not as a site
    // generator's page links them.
    let item = items::pending(
        run.site,
        layout,
        ItemParts {
            story: name,
            bundle: &slug,
            release,
            draft,
            body: format!(
                "{body}\n![{alt}]({chart})\n\n[The figures behind the chart (CSV)]({table})\n"
            ),
            areas: crate::deliver::ninjs::story_places(&draft.story),
            chart: Some((&chart, &svg, &alt)),
            table: Some(&table),
        },
    );
    let planned = vec![
        Planned {
            path: page.clone(),
            bytes: markdown.into_bytes(),
        },
        Planned {
            path: layout.file(&slug, &format!("{slug}.story.json")),
            bytes: story_json.into_bytes(),
        },
        Planned {
            path: layout.file(&slug, &table),
            bytes: files::table_csv(&draft.story).into_bytes(),
        },
        Planned {
            path: layout.file(&slug, &chart),
            bytes: svg.clone().into_bytes(),
        },
        // Every figure of the edition traced to the data, beside it.
        Planned {
            path: layout.file(&slug, &format!("{slug}.facts.json")),
            bytes: draft.facts.to_json().into_bytes(),
        },
    ];
    let edition = Edition {
        release,
        files: planned.iter().map(|p| p.path.clone()).collect(),
        figures: printed_figures(&draft.story, None),
        corrected_with: Vec::new(),
        bundle: Some(slug),
        page: Some(page),
        title: Some(title.to_string()),
        week_end: Some(draft.story.week.end),
        universe: Some(draft.story.universe.kind),
        area_type: Some(draft.story.universe.area_type.clone()),
        areas: Edition::areas_of(&inputs.dataset, &draft.story.universe.area_type),
        summary: draft.standfirst.clone(),
        correction: None,
        items: Default::default(),
        wordpress: None,
        area_posts: Default::default(),
        withdrawn: None,
    };
    (planned, edition, item)
}

/// An every-area story's edition: a folder `NAME-RELEASE/` of one bundle per area, its story
/// and its facts, with the week's national facts once in the folder, which every story's
/// sidecar names. Each story is planned as soon as it passes its checks, so the run never
/// holds every story's view model at once.
pub(super) fn every_area(
    story: &StoryConfig,
    inputs: &Inputs,
    run: &Run<'_>,
) -> Result<EveryArea, DraftError> {
    let release = run.release;
    let layout = run.layout;
    let data_hash = dataset_hash(inputs);
    let folder = format!("{}-{release}", story.name);
    let mut planned = Vec::new();
    let mut pending = Vec::new();
    let mut figures = Vec::new();
    let mut week_of: Option<(NaiveDate, crate::stats::Universe, String)> = None;
    let template = story
        .template
        .as_deref()
        .unwrap_or(crate::draft::EACH_AREA_TEMPLATE);
    run.renderer.check_template(template)?;
    let week = Week::prepare(inputs, release, run.today)?;
    let summary = week.draft_each_area(
        run.renderer,
        template,
        false,
        |mut area| -> Result<(), DraftError> {
            let stem = area.file_name.trim_end_matches(".md").to_string();
            let bundle = format!("{folder}/{stem}");
            let s = &area.draft.story;
            let a = &s.core[0];
            let page = layout.page(&bundle, release);
            // The leaders are the week's, the same on every page: watched once.
            let with_leaders = figures.is_empty();
            let mut own = printed_figures(s, Some(&bundle));
            if !with_leaders {
                own.retain(|f| f.rank.is_none());
            }
            figures.extend(own);
            week_of
                .get_or_insert_with(|| (s.week.end, s.universe.kind, s.universe.area_type.clone()));
            let front = Matter {
                title: area
                    .draft
                    .headline
                    .clone()
                    .unwrap_or_else(|| a.name.clone()),
                description: area.draft.standfirst.clone().unwrap_or_default(),
                date: Some(release),
                slug: stem.clone(),
                url: layout.url(&bundle),
                tags: vec![a.name.clone()],
                area_codes: vec![a.code.clone()],
                extra: provenance(s, &data_hash, run.templates_hash, inputs.patch.seed),
                ..Matter::default()
            };
            let body = strip_standfirst(
                strip_headline(&area.draft.output),
                area.draft.standfirst.as_deref(),
            );
            let markdown = format!("{}\n{body}", front.render(layout.flavour));
            pending.push(items::pending(
                run.site,
                layout,
                ItemParts {
                    story: &story.name,
                    bundle: &bundle,
                    release,
                    draft: &area.draft,
                    body: body.to_string(),
                    areas: vec![crate::deliver::ninjs::Place {
                        code: a.code.clone(),
                        name: a.name.clone(),
                    }],
                    chart: None,
                    table: None,
                },
            ));
            planned.push(Planned {
                path: page,
                bytes: markdown.into_bytes(),
            });
            planned.push(area_facts(layout, &bundle, &stem, &mut area.draft.facts));
            Ok(())
        },
    )?;
    if let Some(shared) = summary.shared {
        planned.insert(0, shared_facts(layout, &folder, shared.json));
    }
    let (week_end, universe, area_type) = match week_of {
        Some((end, universe, area_type)) => (Some(end), Some(universe), Some(area_type)),
        None => (None, None, None),
    };
    let edition = Edition {
        release,
        files: planned.iter().map(|p| p.path.clone()).collect(),
        figures,
        corrected_with: Vec::new(),
        bundle: Some(folder),
        page: None,
        title: Some(format!(
            "Covid-19 rates in every area, {}",
            crate::lang::date(release, None)
        )),
        week_end,
        universe,
        areas: area_type
            .as_deref()
            .map(|t| Edition::areas_of(&inputs.dataset, t))
            .unwrap_or_default(),
        area_type,
        summary: None,
        correction: None,
        items: Default::default(),
        wordpress: None,
        area_posts: Default::default(),
        withdrawn: None,
    };
    let mut warnings = summary.warnings;
    warnings.extend(summary.skipped);
    Ok((planned, edition, warnings, pending))
}

/// An every-area story's facts file, in its bundle `bundle` beside its page `stem`: the week's
/// shared facts it names are in the folder above the bundle.
pub(crate) fn area_facts(
    layout: &Layout,
    bundle: &str,
    stem: &str,
    facts: &mut crate::facts::FactsSidecar,
) -> Planned {
    if let Some(shared) = facts.shared.as_mut() {
        shared.file = format!("../{}", shared.file);
    }
    Planned {
        path: layout.file(bundle, &format!("{stem}.facts.json")),
        bytes: facts.to_json().into_bytes(),
    }
}

/// The week's national facts of an every-area edition, once in its folder `folder`.
pub(crate) fn shared_facts(layout: &Layout, folder: &str, json: String) -> Planned {
    Planned {
        path: layout.folder_file(folder, crate::draft::SHARED_FACTS_FILE),
        bytes: json.into_bytes(),
    }
}

/// A hash of the templates a run uses: the built-ins, and the newsroom's folder by name and
/// content, so the front matter says when the wording machinery changed.
pub(super) fn templates_hash(templates: Option<&Path>) -> String {
    let mut parts: Vec<Vec<u8>> = crate::render::BUILTIN
        .iter()
        .map(|(n, t)| [n.as_bytes(), t.as_bytes()].concat())
        .collect();
    if let Some(dir) = templates {
        parts.push(dir.display().to_string().into_bytes());
        if let Ok(entries) = std::fs::read_dir(dir) {
            let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                parts.push(std::fs::read(e.path()).unwrap_or_default());
            }
        }
    }
    let mut h = Sha256::new();
    for p in &parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    hex(h)
}

/// A hash of the figures a story was drafted from (every daily count and population), so the
/// same hash means the same data whichever file or archive they came from.
fn dataset_hash(inputs: &Inputs) -> String {
    let mut h = Sha256::new();
    for a in &inputs.dataset.areas {
        h.update(a.area_type.as_bytes());
        h.update(a.code.as_bytes());
        h.update(a.start.to_string().as_bytes());
        for c in &a.cases {
            h.update(c.map_or(-1i64, i64::from).to_le_bytes());
        }
        h.update(inputs.population.get(&a.code).unwrap_or(0).to_le_bytes());
    }
    hex(h)
}

fn hex(h: Sha256) -> String {
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The body without its first paragraph when that is the standfirst, which the front matter
/// gives as the page's description: a theme shows it once, not twice.
fn strip_standfirst<'a>(body: &'a str, standfirst: Option<&str>) -> &'a str {
    let Some(standfirst) = standfirst.filter(|s| !s.is_empty()) else {
        return body;
    };
    let (first, rest) = body.split_once("\n\n").unwrap_or((body, ""));
    if crate::lang::markdown_text(standfirst) == first.trim() || standfirst == first.trim() {
        rest.trim_start_matches('\n')
    } else {
        body
    }
}

fn strip_headline(markdown: &str) -> &str {
    match markdown.strip_prefix("# ") {
        Some(rest) => rest
            .split_once('\n')
            .map_or("", |(_, body)| body.trim_start_matches('\n')),
        None => markdown,
    }
}
