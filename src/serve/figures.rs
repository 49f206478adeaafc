//! Every figure of a story's HTML marked with its fact: what it is, the sum with its numbers
//! (`1,718 / 248,287 × 100,000 = 691.9`), the days summed and the source, shown on hover
//! and on keyboard focus (`<span class="fig" tabindex="0">`), read from the edition's facts
//! sidecar. The figure matched is a printed form of a fact, as the audit matches it; where
//! one printed form belongs to several facts, each is listed.

use chrono::NaiveDate;
use serde_json::Value;

use crate::deliver::markdown::escape_html;

/// How many facts one mark lists before saying how many more share its printed form.
const MAX_LISTED: usize = 3;

/// `html` (already escaped) with each figure wrapped in its provenance.
pub(super) fn mark(html: &str, sidecar: &Value) -> String {
    let facts = sidecar["facts"].as_array().map_or(&[][..], Vec::as_slice);
    // Printed form (as it appears in escaped HTML) → the facts printed so.
    let mut forms: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, f) in facts.iter().enumerate() {
        for p in f["printed"].as_array().into_iter().flatten() {
            let Some(p) = p
                .as_str()
                .filter(|p| p.starts_with(|c: char| c.is_alphanumeric()))
            else {
                continue;
            };
            let p = escape_html(p);
            match forms.iter_mut().find(|(form, _)| *form == p) {
                Some((_, list)) => list.push(i),
                None => forms.push((p, vec![i])),
            }
        }
    }
    // The longest first, so "Monday, January 18" is one figure, not a day and a date.
    forms.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    let mut out = String::with_capacity(html.len() * 2);
    let mut in_tag = false;
    let mut at = 0;
    while at < html.len() {
        let c = html[at..].chars().next().expect("in bounds");
        if in_tag {
            in_tag = c != '>';
        } else if c == '<' {
            in_tag = true;
        } else if c.is_alphanumeric() && !word_before(html, at) {
            let found = forms.iter().find(|(form, _)| {
                html[at..].starts_with(form.as_str())
                    && !html[at + form.len()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric)
            });
            if let Some((form, list)) = found {
                out.push_str("<span class=\"fig\" tabindex=\"0\">");
                out.push_str(form);
                out.push_str("<span class=\"prov\" role=\"tooltip\">");
                for &i in list.iter().take(MAX_LISTED) {
                    out.push_str(&provenance(&facts[i], sidecar));
                }
                if list.len() > MAX_LISTED {
                    let more = list.len() - MAX_LISTED;
                    out.push_str(&format!("<i>and {more} more facts printed so</i>"));
                }
                out.push_str("</span></span>");
                at += form.len();
                continue;
            }
        }
        out.push(c);
        at += c.len_utf8();
    }
    out
}

/// Whether the character before `at` continues a word (so a figure cannot start there).
fn word_before(html: &str, at: usize) -> bool {
    html[..at]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '.' | ',' | '-'))
}

/// One fact's provenance, escaped HTML.
fn provenance(fact: &Value, sidecar: &Value) -> String {
    let id = fact["id"].as_str().unwrap_or("");
    let recipe: Vec<&str> = fact["recipe"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut html = format!("<b>{}</b>", escape_html(&what(id, sidecar)));
    if let Some(sum) = arithmetic(fact, &recipe, sidecar) {
        html.push_str(&format!("<code>{}</code>", escape_html(&sum)));
    } else if let Some(formula) = recipe
        .first()
        .and_then(|name| sidecar["formulas"][*name].as_str())
    {
        html.push_str(&format!(
            "<span>{} <code>{}</code></span>",
            escape_html(formula),
            escape_html(&recipe.join(", "))
        ));
    }
    if let Some(days) = days_summed(&recipe, sidecar) {
        html.push_str(&format!("<span>Days summed: {}</span>", escape_html(&days)));
    }
    html.push_str(&format!(
        "<span>Source: {}</span>",
        escape_html(&source(&recipe, sidecar))
    ));
    html
}

/// What a fact is, in words: "Bexley's rate per 100,000 this week".
fn what(id: &str, sidecar: &Value) -> String {
    let (code, kind) = id.split_once('.').unwrap_or(("", id));
    let kind_words = match kind {
        "rate" => "rate per 100,000 this week".to_string(),
        "prev_rate" => "rate per 100,000 the week before".to_string(),
        "cases" => "new cases this week".to_string(),
        "prev_cases" => "new cases the week before".to_string(),
        "change" => "change in rate".to_string(),
        "percent_change" => "change in rate, per cent".to_string(),
        "population" => "population".to_string(),
        other => other.replace(['_', '.'], " "),
    };
    if id == "local.total_cases" {
        return "The patch's new cases this week, all its areas together".to_string();
    }
    match sidecar["series"][code]["name"].as_str() {
        Some(name) => format!("{}: {kind_words}", name),
        None => id.replace(['_', '.'], " "),
    }
}

/// A week's dates, from the sidecar: (start, end).
fn window(name: &str, sidecar: &Value) -> Option<(NaiveDate, NaiveDate)> {
    let w = &sidecar[name];
    let start = w["start"].as_str()?.parse().ok()?;
    let end = w["end"].as_str()?.parse().ok()?;
    Some((start, end))
}

/// An area's daily counts over a window.
fn daily(code: &str, name: &str, sidecar: &Value) -> Option<Vec<i64>> {
    let series = &sidecar["series"][code];
    let first: NaiveDate = series["start"].as_str()?.parse().ok()?;
    let (start, end) = window(name, sidecar)?;
    let days = series["daily"].as_array()?;
    let from = usize::try_from(start.signed_duration_since(first).num_days()).ok()?;
    let to = usize::try_from(end.signed_duration_since(first).num_days()).ok()?;
    days.get(from..=to)?
        .iter()
        .map(Value::as_i64)
        .collect::<Option<Vec<i64>>>()
}

fn printed(fact: &Value) -> String {
    fact["printed"][0].as_str().unwrap_or("").to_string()
}

/// The sum with its numbers, for the recipes a reader can redo on paper.
fn arithmetic(fact: &Value, recipe: &[&str], sidecar: &Value) -> Option<String> {
    match recipe {
        ["week_sum", code, name] => {
            let days = daily(code, name, sidecar)?;
            let terms: Vec<String> = days.iter().map(|d| thousands(*d)).collect();
            Some(format!("{} = {}", terms.join(" + "), printed(fact)))
        }
        ["week_rate", code, name] => {
            let sum: i64 = daily(code, name, sidecar)?.iter().sum();
            let population = sidecar["series"][code]["population"].as_i64()?;
            Some(format!(
                "{} / {} × 100,000 = {}",
                thousands(sum),
                thousands(population),
                printed(fact)
            ))
        }
        ["change_size", code] | ["percent_change_size", code] => {
            let rate = |kind: &str| {
                let id = format!("{code}.{kind}");
                sidecar["facts"]
                    .as_array()?
                    .iter()
                    .find(|f| f["id"] == id.as_str())
                    .map(printed)
            };
            let (now, before) = (rate("rate")?, rate("prev_rate")?);
            Some(if recipe[0] == "change_size" {
                format!("|{now} − {before}| = {}", printed(fact))
            } else {
                format!("|{now} − {before}| / {before} × 100 = {}", printed(fact))
            })
        }
        ["patch_total", _] => {
            // Each core area's cases fact, named by its area, added up as the fact says.
            let facts = sidecar["facts"].as_array()?;
            let terms: Vec<String> = fact["inputs"]["facts"]
                .as_array()?
                .iter()
                .map(|id| {
                    let id = id.as_str()?;
                    let cases = facts.iter().find(|f| f["id"] == id)?;
                    let code = id.split_once('.')?.0;
                    let value = printed(cases);
                    Some(match sidecar["series"][code]["name"].as_str() {
                        Some(name) => format!("{name} {value}"),
                        None => value,
                    })
                })
                .collect::<Option<_>>()?;
            Some(format!("{} = {}", terms.join(" + "), printed(fact)))
        }
        ["population", code] => {
            let population = sidecar["series"][code]["population"].as_i64()?;
            Some(format!("population table: {}", thousands(population)))
        }
        _ => None,
    }
}

/// The days a week's sum covers.
fn days_summed(recipe: &[&str], sidecar: &Value) -> Option<String> {
    let name = match recipe {
        ["week_sum" | "week_rate", _, name] | ["patch_total", name] => *name,
        _ => return None,
    };
    let (start, end) = window(name, sidecar)?;
    Some(format!(
        "{} to {} (seven days)",
        start.format("%A, %B %-d, %Y"),
        end.format("%A, %B %-d, %Y")
    ))
}

/// The files a fact's figures came from, and the release.
fn source(recipe: &[&str], sidecar: &Value) -> String {
    let sources = sidecar["sources"].as_array().map_or(&[][..], Vec::as_slice);
    let label = |i: usize| {
        let s = &sources.get(i)?;
        let name = s["label"].as_str()?.to_string();
        Some(match s["release"].as_str() {
            Some(r) => format!("{name} ({r})"),
            None => name,
        })
    };
    let of_area: Option<Vec<String>> = recipe.get(1).and_then(|code| {
        let used = sidecar["series"][*code]["sources"].as_array()?;
        Some(
            used.iter()
                .filter_map(Value::as_u64)
                .filter_map(|i| label(usize::try_from(i).ok()?))
                .collect(),
        )
    });
    let files = of_area.unwrap_or_else(|| (0..sources.len()).filter_map(label).collect());
    let mut text = files.join(", ");
    if recipe.first() == Some(&"population")
        && let Some(p) = sidecar["population_source"].as_str()
    {
        text = p.to_string();
    }
    let release = sidecar["release"].as_str().unwrap_or("");
    format!("{text}; release {release}")
}

/// A whole number with thousands separators, as house style prints it.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_as_printed() {
        for (n, s) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (248287, "248,287"),
            (-1718, "-1,718"),
        ] {
            assert_eq!(thousands(n), s);
        }
    }

    #[test]
    fn a_rate_shows_its_sum_and_a_figure_inside_a_word_is_left_alone() {
        let sidecar = serde_json::json!({
            "release": "2021-01-18",
            "week": {"start": "2021-01-08", "end": "2021-01-14"},
            "prev_week": {"start": "2021-01-01", "end": "2021-01-07"},
            "sources": [{"label": "ltla.csv", "release": null}],
            "formulas": {},
            "series": {"E1": {"name": "Bexley", "population": 248287, "sources": [0],
                "start": "2021-01-01", "daily": [0,0,0,0,0,0,0, 200,300,250,240,228,250,250]}},
            "facts": [{"id": "E1.rate", "printed": ["691.9"], "recipe": ["week_rate", "E1", "week"]}]
        });
        let html = mark(
            "<p>A rate of 691.9 in Covid-691.9 <a href=\"691.9\">x</a></p>",
            &sidecar,
        );
        assert_eq!(html.matches("class=\"fig\"").count(), 1, "{html}");
        assert!(html.contains("1,718 / 248,287 × 100,000 = 691.9"), "{html}");
        assert!(
            html.contains("Bexley: rate per 100,000 this week"),
            "{html}"
        );
        assert!(
            html.contains("Friday, January 8, 2021 to Thursday, January 14, 2021"),
            "{html}"
        );
    }

    #[test]
    fn a_patch_total_shows_each_area_s_cases_and_their_sum() {
        let sidecar = serde_json::json!({
            "release": "2021-01-18",
            "week": {"start": "2021-01-08", "end": "2021-01-14"},
            "sources": [{"label": "ltla.csv", "release": null}],
            "formulas": {},
            "series": {"E1": {"name": "Bexley"}, "E2": {"name": "Bromley"}},
            "facts": [
                {"id": "E1.cases", "printed": ["1,718"], "recipe": ["week_sum", "E1", "week"]},
                {"id": "E2.cases", "printed": ["1,884"], "recipe": ["week_sum", "E2", "week"]},
                {"id": "local.total_cases", "printed": ["3,602", "more than 3,500"],
                 "inputs": {"facts": ["E1.cases", "E2.cases"]}, "recipe": ["patch_total", "week"]}
            ]
        });
        let html = mark("<p>In all, more than 3,500 new cases</p>", &sidecar);
        assert_eq!(html.matches("class=\"fig\"").count(), 1, "{html}");
        assert!(
            html.contains("Bexley 1,718 + Bromley 1,884 = 3,602"),
            "{html}"
        );
        assert!(html.contains("all its areas together"), "{html}");
        assert!(
            html.contains("Friday, January 8, 2021 to Thursday, January 14, 2021"),
            "{html}"
        );
    }
}
