//! Front matter for the static-site generator a newsroom uses: YAML for Hugo (the default) and
//! Jekyll, TOML between `+++` lines for Zola, whose front matter refuses keys it does not know,
//! so everything of casewire's own goes in its `[extra]` table there.

use std::fmt::Write;

use chrono::NaiveDate;

/// The category every Jekyll post is filed under: the first folder of its URL.
pub(crate) const JEKYLL_CATEGORY: &str = "covid";

pub use crate::config::Flavour;

/// A value of the front matter.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string, quoted whatever it holds.
    Str(String),
    /// A date, `YYYY-MM-DD`.
    Date(NaiveDate),
    /// A whole number.
    Int(i64),
    /// A list of strings.
    List(Vec<String>),
}

impl Value {
    fn yaml(&self) -> String {
        match self {
            Value::Str(s) => quoted(s),
            Value::Date(d) => d.to_string(),
            Value::Int(n) => n.to_string(),
            Value::List(items) => {
                let items: Vec<String> = items.iter().map(|s| quoted(s)).collect();
                format!("[{}]", items.join(", "))
            }
        }
    }

    fn toml(&self) -> String {
        // TOML's basic strings take JSON's escapes for everything JSON escapes.
        self.yaml()
    }
}

/// A double-quoted scalar, safe whatever a name holds (`:`, `#`, `---`, `+++`, quotes, line
/// breaks): YAML's double-quoted style and TOML's basic strings both read JSON's escapes.
pub fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serialises")
}

/// Everything a page's front matter says.
#[derive(Clone, Debug, Default)]
pub struct Matter {
    /// The page's title.
    pub title: String,
    /// The standfirst (not repeated as the first paragraph).
    pub description: String,
    /// Publication date: the data release.
    pub date: Option<NaiveDate>,
    /// When the page last changed (its correction), if it has.
    pub updated: Option<NaiveDate>,
    /// The last part of the page's URL: never a folder.
    pub slug: String,
    /// The page's full URL path, when the site's content folder is known (Hugo's `url`, so
    /// that the page is its bundle's `index.html` with `uglyURLs` too).
    pub url: Option<String>,
    /// Area names, as tags.
    pub tags: Vec<String>,
    /// ONS area codes, in their own key (not tags: a tag page per code helps no reader).
    pub area_codes: Vec<String>,
    /// Everything else, in order: generator-neutral keys of casewire's own.
    pub extra: Vec<(&'static str, Value)>,
}

impl Matter {
    /// The front matter block, with its delimiters and a trailing newline.
    pub fn render(&self, flavour: Flavour) -> String {
        match flavour {
            Flavour::Hugo | Flavour::Jekyll => self.yaml(flavour),
            Flavour::Zola => self.toml(),
        }
    }

    fn yaml(&self, flavour: Flavour) -> String {
        let mut out = String::from("---\n");
        let mut field = |k: &str, v: &Value| {
            let _ = writeln!(out, "{k}: {}", v.yaml());
        };
        if flavour == Flavour::Jekyll {
            field("layout", &Value::Str("post".into()));
            field("categories", &Value::List(vec![JEKYLL_CATEGORY.into()]));
        }
        field("title", &Value::Str(self.title.clone()));
        field("description", &Value::Str(self.description.clone()));
        if let Some(d) = self.date {
            field("date", &Value::Date(d));
        }
        if let Some(d) = self.updated {
            field("updated", &Value::Date(d));
            // Hugo's own name for it, which its templates read as `.Lastmod`.
            let key = match flavour {
                Flavour::Jekyll => "last_modified_at",
                _ => "lastmod",
            };
            field(key, &Value::Date(d));
        }
        if flavour != Flavour::Jekyll {
            field("slug", &Value::Str(self.slug.clone()));
        }
        if let (Some(url), Flavour::Hugo) = (&self.url, flavour) {
            field("url", &Value::Str(url.clone()));
        }
        field("tags", &Value::List(self.tags.clone()));
        field("area_codes", &Value::List(self.area_codes.clone()));
        for (k, v) in &self.extra {
            field(k, v);
        }
        out.push_str("---\n");
        out
    }

    fn toml(&self) -> String {
        let mut out = String::from("+++\n");
        let field = |out: &mut String, k: &str, v: &Value| {
            let _ = writeln!(out, "{k} = {}", v.toml());
        };
        field(&mut out, "title", &Value::Str(self.title.clone()));
        field(
            &mut out,
            "description",
            &Value::Str(self.description.clone()),
        );
        if let Some(d) = self.date {
            field(&mut out, "date", &Value::Date(d));
        }
        if let Some(d) = self.updated {
            field(&mut out, "updated", &Value::Date(d));
        }
        field(&mut out, "slug", &Value::Str(self.slug.clone()));
        out.push_str("\n[taxonomies]\n");
        field(&mut out, "tags", &Value::List(self.tags.clone()));
        out.push_str("\n[extra]\n");
        field(
            &mut out,
            "area_codes",
            &Value::List(self.area_codes.clone()),
        );
        for (k, v) in &self.extra {
            field(&mut out, k, v);
        }
        out.push_str("+++\n");
        out
    }
}

/// The body of a page after its front matter (either flavour's delimiters).
pub fn body(page: &str) -> &str {
    for fence in ["---\n", "+++\n"] {
        if let Some(rest) = page.strip_prefix(fence)
            && let Some(at) = rest.find(&format!("\n{fence}"))
        {
            return &rest[at + fence.len() + 1..];
        }
    }
    page
}

/// The page with `updated` (and the generator's own name for it) set to `date` and `key` set
/// to `value`, replacing any earlier values; a page without front matter is returned as is.
pub fn set_keys(page: &str, flavour: Flavour, date: NaiveDate, key: &str, value: &str) -> String {
    let fence = if flavour == Flavour::Zola {
        "+++\n"
    } else {
        "---\n"
    };
    let Some(rest) = page.strip_prefix(fence) else {
        return page.to_string();
    };
    let Some(end) = rest.find(&format!("\n{fence}")) else {
        return page.to_string();
    };
    let (head, tail) = (&rest[..=end], &rest[end + 1..]);
    let (sep, lastmod) = match flavour {
        Flavour::Zola => (" = ", None),
        Flavour::Hugo => (": ", Some("lastmod")),
        Flavour::Jekyll => (": ", Some("last_modified_at")),
    };
    let owned = |line: &str| {
        ["updated", key]
            .into_iter()
            .chain(lastmod)
            .any(|k| line.starts_with(&format!("{k}{sep}")))
    };
    let mut out = String::from(fence);
    let mut dated = false;
    for line in head.lines() {
        if owned(line) {
            continue;
        }
        // Zola's own keys come before its tables; `updated` goes with them, the link in
        // `[extra]`. Blank lines are laid out afresh, one before each table.
        if flavour == Flavour::Zola {
            if line.is_empty() {
                continue;
            }
            if line.starts_with('[') {
                if !dated {
                    let _ = writeln!(out, "updated = {date}");
                    dated = true;
                }
                out.push('\n');
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    if flavour == Flavour::Zola {
        if !dated {
            let _ = writeln!(out, "updated = {date}");
        }
        let _ = writeln!(out, "{key} = {}", quoted(value));
    } else {
        let _ = writeln!(out, "updated: {date}");
        if let Some(k) = lastmod {
            let _ = writeln!(out, "{k}: {date}");
        }
        let _ = writeln!(out, "{key}: {}", quoted(value));
    }
    out.push_str(tail);
    out
}

#[cfg(test)]
mod tests {
    /// A name holding YAML's own syntax stays one string in front matter.
    #[test]
    fn hostile_names_cannot_break_front_matter() {
        let matter = super::quoted("Bad: name\n---\n\"quoted\" # not a comment");
        let docs = yaml_rust2::YamlLoader::load_from_str(&format!("title: {matter}\n")).unwrap();
        assert_eq!(
            docs[0]["title"].as_str(),
            Some("Bad: name\n---\n\"quoted\" # not a comment")
        );
    }

    use super::*;

    fn matter() -> Matter {
        Matter {
            title: "Rates \"fall\": +++ ---".into(),
            description: "A line".into(),
            date: NaiveDate::from_ymd_opt(2021, 1, 18),
            slug: "weekly-2021-01-18".into(),
            url: Some("/covid/weekly-2021-01-18/".into()),
            tags: vec!["Bromley".into()],
            area_codes: vec!["E09000006".into()],
            extra: vec![("seed", Value::Int(0))],
            ..Matter::default()
        }
    }

    #[test]
    fn each_flavour_parses_with_its_own_parser() {
        let m = matter();
        for flavour in [Flavour::Hugo, Flavour::Jekyll] {
            let text = m.render(flavour);
            let inner = text.strip_prefix("---\n").unwrap();
            let inner = &inner[..inner.find("---\n").unwrap()];
            let y = &yaml_rust2::YamlLoader::load_from_str(inner).unwrap()[0];
            assert_eq!(y["title"].as_str(), Some(m.title.as_str()));
            assert_eq!(y["tags"][0].as_str(), Some("Bromley"));
            assert_eq!(y["area_codes"][0].as_str(), Some("E09000006"));
            assert_eq!(y["date"].as_str(), Some("2021-01-18"));
            if flavour == Flavour::Jekyll {
                assert_eq!(y["layout"].as_str(), Some("post"));
                assert_eq!(y["categories"][0].as_str(), Some("covid"));
            } else {
                assert_eq!(y["url"].as_str(), Some("/covid/weekly-2021-01-18/"));
            }
        }
        let text = m.render(Flavour::Zola);
        let inner = text.strip_prefix("+++\n").unwrap();
        let inner = &inner[..inner.find("+++\n").unwrap()];
        let t: toml::Table = toml::from_str(inner).unwrap();
        assert_eq!(t["title"].as_str(), Some(m.title.as_str()));
        assert_eq!(t["taxonomies"]["tags"][0].as_str(), Some("Bromley"));
        assert_eq!(t["extra"]["area_codes"][0].as_str(), Some("E09000006"));
        assert_eq!(t["extra"]["seed"].as_integer(), Some(0));
        // Zola refuses keys it does not know: casewire's own are all in [extra].
        let top: Vec<&str> = t.keys().map(String::as_str).collect();
        assert_eq!(
            top,
            [
                "date",
                "description",
                "extra",
                "slug",
                "taxonomies",
                "title"
            ]
        );
    }

    #[test]
    fn setting_keys_replaces_earlier_values_in_every_flavour() {
        let date = NaiveDate::from_ymd_opt(2021, 1, 20).unwrap();
        for flavour in [Flavour::Hugo, Flavour::Zola, Flavour::Jekyll] {
            let page = matter().render(flavour) + "\nBody\n";
            let once = set_keys(&page, flavour, date, "correction", "../a/");
            let twice = set_keys(&once, flavour, date, "correction", "../a/");
            assert_eq!(once, twice, "{flavour:?}");
            assert!(once.contains("2021-01-20"), "{once}");
            assert_eq!(body(&once), "\nBody\n", "{flavour:?}");
            if flavour == Flavour::Zola {
                let inner = once.trim_start_matches("+++\n");
                let inner = &inner[..inner.find("+++\n").unwrap()];
                let v: toml::Table = toml::from_str(inner).unwrap();
                assert_eq!(v["updated"].to_string(), "2021-01-20");
                assert_eq!(v["extra"]["correction"].as_str(), Some("../a/"));
            }
        }
    }
}
