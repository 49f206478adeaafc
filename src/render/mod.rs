//! Fills Tera templates with a [`Story`], through house-style filters.
//!
//! Templates are built into the binary; a newsroom's folder overrides them by file name and
//! may add its own. `casewire templates export DIR` writes the built-ins out for editing.
//!
//! A partial under `partials/week/` prints only what every story of a week shares (the
//! story's [`WeekPart`]): it is rendered once a week, with the week part's fields and nothing
//! else, and every story prints that text where it includes the partial.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use tera::{Context, Tera};

use crate::fsio::write_atomic;
use crate::lang::markdown_escape;

mod fields;
mod filters;
mod marks;
use crate::story::{Story, WeekPart};
pub(crate) use filters::tidy;
use filters::{find_literals, register_filters};
use marks::{MARKED_BLOCKS, MARKS, split_marked, take_literals};

/// The built-in templates, by name. Names ending in `.md` under the top level are stories;
/// `partials/` holds pieces they include, and `partials/week/` ([`WEEK_PARTIALS`]) those
/// rendered once a week.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "weekly-roundup.md",
        include_str!("../../templates/weekly-roundup.md"),
    ),
    ("by-area.md", include_str!("../../templates/by-area.md")),
    ("area.md", include_str!("../../templates/area.md")),
    (
        "partials/components.md",
        include_str!("../../templates/partials/components.md"),
    ),
    (
        "partials/table.md",
        include_str!("../../templates/partials/table.md"),
    ),
    (
        "partials/week/method.md",
        include_str!("../../templates/partials/week/method.md"),
    ),
    (
        "partials/week/national.md",
        include_str!("../../templates/partials/week/national.md"),
    ),
    (
        "partials/week/leaders.md",
        include_str!("../../templates/partials/week/leaders.md"),
    ),
    (
        "partials/week/movers.md",
        include_str!("../../templates/partials/week/movers.md"),
    ),
    (
        "partials/week/hospital.md",
        include_str!("../../templates/partials/week/hospital.md"),
    ),
    (
        "partials/week/nations.md",
        include_str!("../../templates/partials/week/nations.md"),
    ),
    (
        "partials/week/provenance.md",
        include_str!("../../templates/partials/week/provenance.md"),
    ),
];

/// The folder of partials that print only what every story of a week shares: each is rendered
/// once a week in a context holding the [`WeekPart`]'s fields alone, so reading a story's own
/// field there is an error naming the field, never a text that differs from story to story.
pub const WEEK_PARTIALS: &str = "partials/week/";

/// The story template used when none is named.
pub(crate) const DEFAULT_TEMPLATE: &str = "weekly-roundup";

/// Why templates could not be loaded or rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A template folder or file could not be read.
    #[error("cannot read templates from {path}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A template does not parse.
    #[error("templates do not parse:\n{report}")]
    Syntax {
        /// Tera's report, naming each template, line and a pointer.
        report: String,
    },
    /// No template of that name.
    #[error("no template named \"{name}\"; available: {available}")]
    NotFound {
        /// The name asked for.
        name: String,
        /// The story templates there are.
        available: String,
    },
    /// Rendering failed.
    #[error("template {name} failed to render:\n{report}")]
    Render {
        /// Template.
        name: String,
        /// Tera's report.
        report: String,
    },
    /// Export would overwrite a file.
    #[error("{path} already exists; export refuses to overwrite a newsroom's edits (use --force)")]
    Exists {
        /// The file.
        path: PathBuf,
    },
}

/// Tera's message with every cause beneath it: its first line rarely names the real problem.
fn tera_report(e: &tera::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str("\ncaused by: ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// The loaded templates and filters, ready to render any number of stories.
pub struct Renderer {
    /// The templates rendered: as written, or (when `sources` is kept) with each week partial
    /// printing the week's text and the blocks marked (see [`plan_fast`]).
    tera: Tera,
    /// The templates as written, when `tera` holds the fast ones.
    sources: Option<BTreeMap<String, String>>,
    /// Loaded from `sources` when first needed.
    plain: OnceLock<Result<Tera, String>>,
    names: Vec<String>,
    /// (template file, block name) pairs, so a missing block is known without an error.
    blocks: std::collections::BTreeSet<(String, String)>,
    /// For each story template, the template that renders it faster, if any: see
    /// [`Fast`].
    fast: BTreeMap<String, Fast>,
    /// The week partials ([`WEEK_PARTIALS`]), rendered once per week into the context
    /// variable [`week_variable`] of their place in this list.
    week: Vec<String>,
    /// Contexts of the week being rendered, one per thread rendering at once, each with the
    /// shared fields already converted for Tera: every story of a week carries the same
    /// national lists, and converting them was a third of the cost of a one-area story.
    shared: Mutex<Vec<Slot>>,
    /// The templates' fixed text, marked with the `literal` filter.
    literals: Vec<String>,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("names", &self.names)
            .finish()
    }
}

/// An include tag for `name`.
fn include_tag(name: &str) -> String {
    format!("{{% include \"{name}\" %}}")
}

/// Keeps a newsroom's templates from before the week partials had their folder working: those
/// include them as `partials/NAME.md`, and may replace one under that name. An old name the
/// newsroom does not use includes the week partial; one it replaces (without replacing the new
/// name too) takes the week partial's place in every template, rendered per story as any
/// partial is. Returns the week partials so handed to the newsroom's old ones.
fn keep_old_names(
    sources: &mut BTreeMap<String, String>,
    newsroom: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    let mut per_story = BTreeSet::new();
    for (name, _) in BUILTIN {
        let Some(rest) = name.strip_prefix(WEEK_PARTIALS) else {
            continue;
        };
        let old = format!("partials/{rest}");
        if !newsroom.contains_key(&old) {
            sources.insert(old, include_tag(name));
        } else if !newsroom.contains_key(*name) {
            sources.insert((*name).to_string(), include_tag(&old));
            per_story.insert((*name).to_string());
        }
    }
    per_story
}

fn read_overrides(
    dir: &Path,
    prefix: &str,
    out: &mut BTreeMap<String, String>,
) -> Result<(), RenderError> {
    let io = |source| RenderError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            read_overrides(&path, &format!("{prefix}{name}/"), out)?;
        } else if name.ends_with(".md") {
            let text = std::fs::read_to_string(&path).map_err(|source| RenderError::Io {
                path: path.clone(),
                source,
            })?;
            out.insert(format!("{prefix}{name}"), text);
        }
    }
    Ok(())
}

impl Renderer {
    /// Loads the built-in templates, then a newsroom's folder over them (same name wins).
    pub fn new(overrides: Option<&Path>) -> Result<Renderer, RenderError> {
        Renderer::load(overrides, None)
    }

    /// [`Renderer::new`], for a run that renders only the story template `template`: the
    /// other story templates are parsed only if a story asks for them. Parsing a template
    /// costs about what rendering a hundred stories does.
    pub fn for_story(overrides: Option<&Path>, template: &str) -> Result<Renderer, RenderError> {
        Renderer::load(overrides, Some(template))
    }

    fn load(overrides: Option<&Path>, only: Option<&str>) -> Result<Renderer, RenderError> {
        let mut sources: BTreeMap<String, String> = BUILTIN
            .iter()
            .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
            .collect();
        let mut newsroom = BTreeMap::new();
        if let Some(dir) = overrides {
            read_overrides(dir, "", &mut newsroom)?;
        }
        let per_story = keep_old_names(&mut sources, &newsroom);
        sources.extend(newsroom);
        let week: Vec<String> = sources
            .keys()
            .filter(|n| n.starts_with(WEEK_PARTIALS) && !per_story.contains(*n))
            .cloned()
            .collect();
        let names = sources
            .keys()
            .filter(|n| !n.contains('/'))
            .map(|n| n.trim_end_matches(".md").to_string())
            .collect();
        let blocks = sources
            .iter()
            .flat_map(|(file, text)| {
                ["headline", "standfirst"]
                    .into_iter()
                    .filter(|b| text.contains(&format!("block {b}")))
                    .map(|b| (file.clone(), b.to_string()))
                    .collect::<Vec<_>>()
            })
            .collect();
        // The partials and the one story template, unless it extends another (whose text
        // would be needed too).
        let file = only.map(|t| format!("{t}.md"));
        let wanted = match &file {
            Some(f) if sources.get(f).is_some_and(|t| !t.contains("extends")) => sources
                .iter()
                .filter(|(n, _)| n.contains('/') || *n == f)
                .map(|(n, t)| (n.clone(), t.clone()))
                .collect(),
            _ => sources.clone(),
        };
        let literals = find_literals(sources.values().map(String::as_str));
        let (fast_sources, fast) = plan_fast(&wanted, &blocks, &week);
        let loaded = if fast.is_empty() {
            None
        } else {
            load(&fast_sources).ok()
        };
        let (tera, sources, fast, week) = match loaded {
            Some(tera) => (tera, Some(sources), fast, week),
            // As written: also what reports a template's syntax error, naming the file.
            None => {
                let tera = load(&sources).map_err(|e| RenderError::Syntax {
                    report: tera_report(&e),
                })?;
                (tera, None, BTreeMap::new(), Vec::new())
            }
        };
        Ok(Renderer {
            tera,
            literals,
            plain: OnceLock::new(),
            sources,
            names,
            blocks,
            fast,
            week,
            shared: Mutex::new(Vec::new()),
        })
    }

    /// The templates as written, for a story the fast way cannot render: `self.tera` when
    /// that holds them, else loaded the first time they are needed.
    fn plain(&self) -> Result<&Tera, RenderError> {
        let Some(sources) = &self.sources else {
            return Ok(&self.tera);
        };
        self.plain
            .get_or_init(|| load(sources).map_err(|e| tera_report(&e)))
            .as_ref()
            .map_err(|report| RenderError::Syntax {
                report: report.clone(),
            })
    }

    /// The fixed text the templates print (each string given to the `literal` filter): the
    /// lint and the audit take it as written ([`crate::copy::Known::literals`]).
    pub fn literals(&self) -> &[String] {
        &self.literals
    }

    /// The story templates available (partials excluded), without the `.md`.
    pub fn story_templates(&self) -> &[String] {
        &self.names
    }

    /// Checks that a story template exists.
    pub fn check_template(&self, name: &str) -> Result<(), RenderError> {
        if self.names.iter().any(|n| n == name) {
            Ok(())
        } else {
            Err(RenderError::NotFound {
                name: name.to_string(),
                available: self.names.join(", "),
            })
        }
    }

    /// Renders a story with the named template: the whole text, and the headline and
    /// standfirst on their own when the template defines those blocks.
    pub fn render(&self, template: &str, story: &Story) -> Result<Rendered, RenderError> {
        self.check_template(template)?;
        let file = format!("{template}.md");
        let mut slot = self.slot(story, &file)?;
        let rendered = self.render_in(&file, &mut slot);
        self.shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(slot);
        let rendered = rendered?;
        self.check_fixed(&file, &rendered)?;
        Ok(rendered)
    }

    /// Refuses a render whose `literal` filter was given anything but a quoted string of the
    /// templates (`{{ a.rate | rate | literal }}`): the checks take what it prints as fixed
    /// text and trace none of its figures, so a value of the story's through it would print
    /// unchecked.
    fn check_fixed(&self, file: &str, rendered: &Rendered) -> Result<(), RenderError> {
        let fixed = |phrase: &str| self.literals.iter().any(|l| l.trim() == phrase);
        match rendered.literals.iter().find(|p| !fixed(p)) {
            None => Ok(()),
            Some(phrase) => Err(RenderError::Render {
                name: file.to_string(),
                report: format!(
                    "the `literal` filter printed \"{phrase}\", which is not a quoted string in the templates: it takes fixed text only (`{{{{ \"call 119\" | literal }}}}`), since the checks do not trace the figures of what it prints"
                ),
            }),
        }
    }

    /// Renders the story template `file` in a story's context (the slot's): the fast way when
    /// it can, into the slot's buffers, else as written.
    fn render_in(&self, file: &str, slot: &mut Slot) -> Result<Rendered, RenderError> {
        let Slot {
            context,
            raw: buffer,
            scratch,
            ..
        } = slot;
        let context = &*context;
        let has = |name: &str| self.blocks.contains(&(file.to_string(), name.to_string()));
        let mut literals = Vec::new();
        buffer.clear();
        if let Some(fast) = self.fast.get(file)
            && self
                .tera
                .render_to(&fast.template, context, &mut *buffer)
                .is_ok()
            && let Ok(raw) = std::str::from_utf8(buffer)
            && let Ok(raw) = take_literals(raw, &mut literals)
            && let Some(rendered) = if fast.marked {
                split_marked(&raw, MARKED_BLOCKS.map(has), literals, scratch)
            } else {
                Some(Rendered {
                    text: tidy(&raw),
                    headline: None,
                    standfirst: None,
                    literals,
                })
            }
        {
            debug_assert_eq!(
                Some(&rendered),
                self.render_unmarked(file, context).ok().as_ref(),
                "a fast render must give what rendering the story and its blocks apart gives"
            );
            return Ok(rendered);
        }
        self.render_unmarked(file, context)
    }

    /// The story, then each block on its own: what reports a template's own error.
    fn render_unmarked(&self, file: &str, context: &Context) -> Result<Rendered, RenderError> {
        let failed = |e: tera::Error| RenderError::Render {
            name: file.to_string(),
            report: tera_report(&e),
        };
        let tera = self.plain()?;
        let unmarked = |raw: &str, literals: &mut Vec<String>| {
            take_literals(raw, literals)
                .map(std::borrow::Cow::into_owned)
                .map_err(|report| RenderError::Render {
                    name: file.to_string(),
                    report,
                })
        };
        let mut literals = Vec::new();
        let text = unmarked(&tera.render(file, context).map_err(failed)?, &mut literals)?;
        let block = |name: &str| -> Result<Option<String>, RenderError> {
            if !self.blocks.contains(&(file.to_string(), name.to_string())) {
                return Ok(None);
            }
            let raw = tera.render_block(file, name, context).map_err(failed)?;
            // The block is part of the story's text, whose phrases are already taken.
            let text = unmarked(&raw, &mut Vec::new())?;
            Ok(Some(tidy(&text).trim().to_string()))
        };
        Ok(Rendered {
            headline: block("headline")?,
            standfirst: block("standfirst")?,
            text: tidy(&text),
            literals,
        })
    }
}

/// How a story template renders faster than as written.
#[derive(Debug)]
struct Fast {
    /// The template to render instead.
    template: String,
    /// Whether it marks the headline and standfirst blocks ([`MARKS`]).
    marked: bool,
}

/// The context variable holding the week's text of the `k`th week partial. `'static` keys, as
/// the week's fields have, cost no copy when a story's own fields are written over them.
fn week_variable(k: usize) -> Cow<'static, str> {
    const NAMES: [&str; 8] = [
        "__casewire_week_0",
        "__casewire_week_1",
        "__casewire_week_2",
        "__casewire_week_3",
        "__casewire_week_4",
        "__casewire_week_5",
        "__casewire_week_6",
        "__casewire_week_7",
    ];
    match NAMES.get(k) {
        Some(name) => Cow::Borrowed(name),
        None => Cow::Owned(format!("{WEEK_VARIABLE}{k}")),
    }
}

/// What every [`week_variable`] starts with.
const WEEK_VARIABLE: &str = "__casewire_week_";

/// Where the fast templates keep a week partial's text as written: names starting with a dot
/// are never read from a newsroom's folder, so they cannot clash.
fn week_source(name: &str) -> String {
    format!(".week/{name}")
}

/// A Tera with casewire's filters and Markdown escaping, holding `sources`.
fn load(sources: &BTreeMap<String, String>) -> tera::TeraResult<Tera> {
    let mut tera = Tera::new();
    // Every value printed into Markdown is escaped as Markdown, so an area name holding
    // `*`, `_`, `<script>` or `#` prints as text and cannot change the story's structure.
    tera.autoescape_on([".md"]);
    tera.set_escape_fn(markdown_escape);
    register_filters(&mut tera);
    // All at once: includes and components resolve across the whole set.
    tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str())))?;
    Ok(tera)
}

/// The templates to render stories faster, and how each story template renders:
///
/// - each week partial (`week`, in [`week_variable`] order) prints the week's text from its
///   variable, and its text as written moves to [`week_source`], from which that text is
///   rendered once a week. Until the week's texts are in the context (while they are being
///   rendered: a week partial may include another), the partial renders its text as written.
///   A story template's own include tags of week partials print the variable in place
///   ([`inline_week_includes`]);
/// - `.marked/NAME.md` extends a story template with a headline or standfirst block and wraps
///   those blocks in [`MARKS`], so that one render gives the story and both blocks (Tera
///   renders a block by running the whole template again).
///
/// Returns the templates, and for each story template the one to render.
fn plan_fast(
    sources: &BTreeMap<String, String>,
    blocks: &BTreeSet<(String, String)>,
    week: &[String],
) -> (BTreeMap<String, String>, BTreeMap<String, Fast>) {
    let mut out = sources.clone();
    for (k, name) in week.iter().enumerate() {
        let Some(text) = sources.get(name) else {
            continue;
        };
        let source = week_source(name);
        let variable = week_variable(k);
        out.insert(
            name.clone(),
            format!(
                "{{% if {variable} is defined %}}{{{{ {variable} | safe }}}}{{% else %}}{}{{% endif %}}",
                include_tag(&source)
            ),
        );
        out.insert(source, text.clone());
    }
    let mut fast = BTreeMap::new();
    for (file, text) in sources.iter().filter(|(n, _)| !n.contains('/')) {
        if let Some(inlined) = inline_week_includes(text, week) {
            out.insert(file.clone(), inlined);
        }
        let mut marks = format!("{{% extends \"{file}\" %}}");
        let mut marked = false;
        for (block, (open, close)) in MARKED_BLOCKS.iter().zip(MARKS) {
            if blocks.contains(&(file.clone(), (*block).to_string())) {
                marks.push_str(&format!(
                    "{{% block {block} %}}{open}{{{{ super() }}}}{close}{{% endblock {block} %}}"
                ));
                marked = true;
            }
        }
        let name = format!(".marked/{file}");
        if marked {
            out.insert(name.clone(), marks);
        }
        fast.insert(
            file.clone(),
            Fast {
                template: if marked { name } else { file.clone() },
                marked,
            },
        );
    }
    (out, fast)
}

/// A story template with each exact `{% include "partials/week/NAME.md" %}` tag (trimming
/// or not) printing the week partial's variable in place, as including its stub would, but
/// without an include's cost (a seventh of a story's instructions for the seven built-in
/// ones). `None` when there is none, or when the template has a `raw` block, whose literal
/// text must stay as written; other includes of a week partial go through its stub.
fn inline_week_includes(text: &str, week: &[String]) -> Option<String> {
    if text.contains("endraw") {
        return None;
    }
    let mut out = None::<String>;
    for (k, name) in week.iter().enumerate() {
        let variable = week_variable(k);
        for (left, right) in [("", ""), ("-", ""), ("", "-"), ("-", "-")] {
            let tag = format!("{{%{left} include \"{name}\" {right}%}}");
            let current = out.as_deref().unwrap_or(text);
            if current.contains(&tag) {
                let print = format!("{{{{{left} {variable} | safe {right}}}}}");
                out = Some(current.replace(&tag, &print));
            }
        }
    }
    out
}

/// A rendered story.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// The whole story.
    pub text: String,
    /// The `headline` block, if the template has one.
    pub headline: Option<String>,
    /// The `standfirst` block, if the template has one.
    pub standfirst: Option<String>,
    /// The fixed text the story printed through the `literal` filter, each phrase once, as
    /// printed: `text` holds it without the marks that found it. The lint and the audit take
    /// it as written ([`crate::copy::Known::literals`]).
    pub literals: Vec<String>,
}

/// A week's context, kept between stories: the renderer holds one per thread rendering at
/// once, and each story writes only its own part over it.
struct Slot {
    /// The week's part the context was converted from.
    key: Arc<WeekPart>,
    /// The week part's fields converted for Tera, the week partials' text, and the last
    /// story's own fields.
    context: Context,
    /// The last story's render as Tera wrote it, kept for its capacity: a story's text is
    /// a few kilobytes, and growing a new buffer to that size for each story cost more than
    /// the copying.
    raw: Vec<u8>,
    /// The last story's text without its marks, kept for the same reason.
    scratch: String,
}

impl Renderer {
    /// A context for the story, rendering the story template `file`: what
    /// `Context::from_serialize(story)` gives, plus the week partials' text. The week part
    /// (national lists above all) is converted, and the week partials rendered, once for as
    /// long as the stories share it; each story then writes its own part over it. The slot
    /// goes back to `self.shared` after rendering.
    fn slot(&self, story: &Story, file: &str) -> Result<Slot, RenderError> {
        let taken = self
            .shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        let mut slot = match taken {
            Some(slot)
                if Arc::ptr_eq(&slot.key, &story.week_part) || slot.key == story.week_part =>
            {
                slot
            }
            _ => self.week_slot(&story.week_part)?,
        };
        fields::write_fields(&story.own_part(), &mut slot.context).map_err(|e| {
            RenderError::Render {
                name: file.to_string(),
                report: e.to_string(),
            }
        })?;
        #[cfg(debug_assertions)]
        {
            let mut check = slot.context.clone();
            for k in 0..self.week.len() {
                check.remove(week_variable(k).as_ref());
            }
            debug_assert_eq!(
                Some(&check),
                Context::from_serialize(story).ok().as_ref(),
                "the context must be what the whole story serialises to"
            );
        }
        Ok(slot)
    }

    /// The week part converted for Tera, and the week partials rendered from it alone.
    fn week_slot(&self, week_part: &Arc<WeekPart>) -> Result<Slot, RenderError> {
        let failed = |name: &str, report: String| RenderError::Render {
            name: name.to_string(),
            report,
        };
        let mut context = Context::new();
        fields::write_fields(&**week_part, &mut context)
            .map_err(|e| failed(WEEK_PARTIALS, e.to_string()))?;
        let mut texts = Vec::with_capacity(self.week.len());
        for name in &self.week {
            let source = week_source(name);
            // Tera's own list of the names the partial (and what it includes) reads from
            // outside: one the week part lacks is a story's own, or no field at all.
            if let Ok(names) = self.tera.get_template_variables(&source)
                && let Some(field) = names
                    .iter()
                    .filter(|n| !n.starts_with(WEEK_VARIABLE) && !context.contains_key(n))
                    .min()
            {
                return Err(failed(
                    name,
                    format!(
                        "it reads `{field}`, which is not among what every story of a week shares; \
                         a partial under {WEEK_PARTIALS} is rendered once a week with those fields \
                         only (move it out of {WEEK_PARTIALS} to print a story's own)"
                    ),
                ));
            }
            let text = self
                .tera
                .render(&source, &context)
                .map_err(|e| failed(name, tera_report(&e)))?;
            texts.push(text);
        }
        for (k, text) in texts.into_iter().enumerate() {
            context.insert_value(week_variable(k), tera::Value::from(text));
        }
        Ok(Slot {
            key: Arc::clone(week_part),
            context,
            raw: Vec::new(),
            scratch: String::new(),
        })
    }
}

/// Writes the built-in templates into `dir` for a newsroom to edit. Refuses to overwrite a file
/// unless `force`; returns the files written.
pub fn export_builtin(dir: &Path, force: bool) -> Result<Vec<PathBuf>, RenderError> {
    let targets: Vec<(PathBuf, &str)> = BUILTIN
        .iter()
        .map(|(name, text)| (dir.join(name), *text))
        .collect();
    if !force && let Some((path, _)) = targets.iter().find(|(p, _)| p.exists()) {
        return Err(RenderError::Exists { path: path.clone() });
    }
    for (path, text) in &targets {
        write_atomic(path, text.as_bytes()).map_err(|source| RenderError::Io {
            path: path.clone(),
            source,
        })?;
    }
    Ok(targets.into_iter().map(|(p, _)| p).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_week_include_tags_print_the_variable_with_their_trimming() {
        let week = ["partials/week/a.md".to_string()];
        assert_eq!(
            inline_week_includes(
                "x {% include \"partials/week/a.md\" %} {%- include \"partials/week/a.md\" -%} {% include \"partials/b.md\" %}",
                &week
            )
            .as_deref(),
            Some(
                "x {{ __casewire_week_0 | safe }} {{- __casewire_week_0 | safe -}} {% include \"partials/b.md\" %}"
            )
        );
        assert_eq!(
            inline_week_includes("{% include \"partials/b.md\" %}", &week),
            None
        );
        // A raw block's text stays as written: its includes go through the stub.
        assert_eq!(
            inline_week_includes(
                "{% raw %}{% include \"partials/week/a.md\" %}{% endraw %}",
                &week
            ),
            None
        );
    }
}
