//! Delivering editions: ninjs items built from real drafts and validated against IPTC's own
//! schema (read from `../shared/schemas`, never copied), the body's HTML compared with a
//! CommonMark renderer's, and alerts posted to a real HTTP server on 127.0.0.1 that records
//! what it receives, including one that fails first and one that is not there.

use std::path::Path;
use std::time::Duration;

use casewire::config::Newsroom;
use casewire::config::alerts::Alerts;
use casewire::deliver::alerts::{Alert, AlertError, AlertSettings, send_alert};
use casewire::deliver::markdown;
use casewire::deliver::ninjs::{
    Attachment, Ednote, NinjsInput, PubStatus, item, story_places, svg_size,
};
use casewire::draft::{Draft, Format, Inputs};
use casewire::render::Renderer;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

use crate::fetch::server::{Response, TestServer};
use crate::support::*;

const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/schemas/ninjs-schema_2.2.json"
);

/// The schema's one external reference is GeoJSON's, for a place's `geojson`, which casewire
/// never writes. Tests reach no network, so it resolves to `false`: an item that did carry a
/// `geojson` would fail, which is stricter than the real schema, never looser.
struct Offline;

impl jsonschema::Retrieve for Offline {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri
            .as_str()
            .starts_with("https://geojson.org/schema/GeoJSON.json")
        {
            Ok(Value::Bool(false))
        } else {
            Err(format!("{uri}: no network in tests").into())
        }
    }
}

pub(crate) fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(SCHEMA).unwrap()).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .with_retriever(Offline)
        .build(&schema)
        .unwrap()
}

pub(crate) fn assert_valid(validator: &jsonschema::Validator, item: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(item)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "not valid ninjs 2.2: {errors:#?}\n{item:#}"
    );
}

fn drafted(request: &casewire::draft::DraftRequest, template: &str) -> Draft {
    let inputs = Inputs::for_request(request).unwrap();
    let renderer = Renderer::new(None).unwrap();
    draft_from(
        &inputs,
        &renderer,
        request.release,
        template,
        Format::Markdown,
        None,
        false,
    )
    .unwrap()
}

/// The body as an edition prints it: the draft without its headline, the chart under it.
fn edition_body(draft: &Draft) -> String {
    format!(
        "{}\n\n![Covid-19 rates per 100,000 people in {}](chart.svg)\n",
        draft.output.trim_end(),
        casewire::lang::markdown_text(&draft.story.region)
    )
}

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 1, day, hour, 5, 0).unwrap()
}

/// A chart as publish draws one: its size read from the SVG itself.
const CHART: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="640" height="302" viewBox="0 0 640 302" role="img"></svg>"#;

fn input_for(draft: &Draft, name: &str) -> NinjsInput {
    let (width, height) = svg_size(CHART).unwrap();
    let release = draft.story.week_part.release.to_string();
    NinjsInput {
        uri_base: "https://courier.example/casewire".into(),
        story: name.into(),
        release: release.clone(),
        version: 1,
        firstcreated: at(18, 16),
        versioncreated: at(18, 16),
        pubstatus: PubStatus::Usable,
        headline: draft.headline.clone().unwrap(),
        standfirst: draft.standfirst.clone().unwrap(),
        body_markdown: edition_body(draft),
        areas: story_places(&draft.story),
        ednote: Ednote::for_draft(draft, None),
        assets_base: Some(format!(
            "https://files.courier.example/covid/{name}-{release}/"
        )),
        chart: Some(Attachment::svg(
            "chart.svg",
            width,
            height,
            "Covid-19 rates per 100,000 people, this week and last",
        )),
        table: Some(Attachment::csv("table.csv", "The figures behind the story")),
        copyrightholder: "South East London Courier".into(),
        usageterms: "Figures from Public Health England, calculated by the Courier's data desk; \
                     free to republish with credit."
            .into(),
    }
}

fn json_of(input: &NinjsInput) -> Value {
    serde_json::from_str(&item(input).unwrap().to_json()).unwrap()
}

#[test]
fn ninjs_items_of_a_real_story_validate_usable_withheld_updated_and_canceled() {
    let validator = validator();
    let draft = drafted(&january_request(), "weekly-roundup");
    let first = input_for(&draft, "se-london-weekly");
    let usable = json_of(&first);
    assert_valid(&validator, &usable);

    assert_eq!(
        usable["uri"],
        "https://courier.example/casewire/se-london-weekly/2021-01-18"
    );
    assert_eq!(usable["version"], "1");
    assert_eq!(usable["pubstatus"], "usable");
    assert_eq!(usable["language"], "en-GB");
    assert_eq!(usable["firstcreated"], "2021-01-18T16:05:00Z");
    assert_eq!(
        usable["headlines"][0]["value"],
        "Covid-19 rates fall in every borough in south east London"
    );
    assert_eq!(
        usable["descriptions"][0]["value"],
        "Rates fell in all five boroughs of south east London in the seven days to January 14."
    );
    let places: Vec<(&str, &str)> = usable["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["literal"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        places.len(),
        8,
        "five boroughs and three nearby areas: {places:?}"
    );
    assert!(places.contains(&("E09000006", "Bromley")));
    assert_eq!(
        usable["places"][0]["uri"],
        format!(
            "http://statistics.data.gov.uk/id/statistical-geography/{}",
            places[0].0
        )
    );
    assert_eq!(usable["subjects"][1]["literal"], "medtop:20000449");
    let bodies = usable["bodies"].as_array().unwrap();
    assert_eq!(bodies[0]["contenttype"], "text/plain");
    assert_eq!(bodies[1]["contenttype"], "text/html");
    let plain = bodies[0]["value"].as_str().unwrap();
    assert!(
        plain.starts_with("Rates fell in all five boroughs"),
        "{plain}"
    );
    assert!(
        plain.contains("\n\n1. Epping Forest in Essex (down from 1,197.5 to 600.7)\n2. Redbridge")
    );
    assert!(!plain.contains('#') && !plain.contains('\\') && !plain.contains("]("));
    let html = bodies[1]["value"].as_str().unwrap();
    assert!(
        html.starts_with("<p>Rates fell in all five boroughs"),
        "{html}"
    );
    assert!(html.contains("<ol>\n<li>Epping Forest in Essex (down from 1,197.5 to 600.7)</li>"));
    assert!(html.contains(
        "<img src=\"https://files.courier.example/covid/se-london-weekly-2021-01-18/chart.svg\""
    ));
    let ednote = usable["ednote"].as_str().unwrap();
    assert!(ednote.contains("seven days to January 14, against the seven days to January 7"));
    assert!(
        ednote.contains("Checked: 89 figures traced to data, 258 facts recomputed"),
        "{ednote}"
    );
    let chart = &usable["associations"][0];
    assert_eq!(chart["name"], "chart");
    assert_eq!(chart["renditions"][0]["contenttype"], "image/svg+xml");
    assert_eq!(chart["renditions"][0]["width"], 640.0);
    assert_eq!(
        usable["associations"][1]["renditions"][0]["href"],
        "https://files.courier.example/covid/se-london-weekly-2021-01-18/table.csv"
    );

    // Held back by a gate: the same edition, not to be run, the note saying why.
    let withheld = json_of(&NinjsInput {
        pubstatus: PubStatus::Withheld,
        ednote: Ednote::for_draft(
            &draft,
            Some(
                "Held back: the week-on-week-jump gate stopped it for Bromley (E09000006).".into(),
            ),
        ),
        ..first.clone()
    });
    assert_valid(&validator, &withheld);
    assert_eq!(withheld["pubstatus"], "withheld");
    assert!(
        withheld["ednote"]
            .as_str()
            .unwrap()
            .starts_with("Held back: the week-on-week-jump")
    );

    // Updated: the same uri, version 2, made a day later, first made when version 1 was.
    let updated = json_of(&NinjsInput {
        version: 2,
        versioncreated: at(19, 9),
        body_markdown: format!(
            "{}\n**Correction:** an earlier version of this story gave *last week's* rate for \
             Bexley as 1,197.3.\n",
            first.body_markdown
        ),
        ..first.clone()
    });
    assert_valid(&validator, &updated);
    assert_eq!(updated["uri"], usable["uri"]);
    assert_eq!(
        (
            &updated["version"],
            &updated["firstcreated"],
            &updated["versioncreated"]
        ),
        (
            &json!("2"),
            &usable["firstcreated"],
            &json!("2021-01-19T09:05:00Z")
        )
    );
    assert!(updated["bodies"][1]["value"].as_str().unwrap().contains(
        "<p><strong>Correction:</strong> an earlier version of this story gave <em>last week's</em> rate"
    ));

    // Withdrawn.
    let canceled = json_of(&NinjsInput {
        version: 3,
        versioncreated: at(20, 9),
        pubstatus: PubStatus::Canceled,
        ..first.clone()
    });
    assert_valid(&validator, &canceled);
    assert_eq!(canceled["pubstatus"], "canceled");

    // The validator is not vacuous: what the schema forbids is caught.
    for broken in [
        json!({"uri": "https://courier.example/x", "pubstatus": "published"}),
        json!({"uri": "https://courier.example/x", "firstcreated": "Monday"}),
        json!({"uri": "https://courier.example/x", "headline": "not a ninjs field"}),
        json!({"uri": "https://courier.example/x", "places": [{"name": "X", "geojson": {}}]}),
        {
            let mut v = usable.clone();
            v["associations"][0]["renditions"][0]["href"] = json!("not a uri");
            v
        },
    ] {
        assert!(!validator.is_valid(&broken), "accepted: {broken}");
    }
}

#[test]
fn ninjs_items_of_other_templates_and_weeks_validate() {
    let validator = validator();
    for (request, template, name) in [
        (january_request(), "by-area", "se-london-by-area"),
        (august_request(), "weekly-roundup", "se-london-weekly"),
    ] {
        let draft = drafted(&request, template);
        let mut input = input_for(&draft, name);
        input.firstcreated = Utc.with_ymd_and_hms(2021, 8, 27, 16, 0, 0).unwrap();
        input.versioncreated = input.firstcreated;
        let v = json_of(&input);
        assert_valid(&validator, &v);
        assert_eq!(
            v["slugline"],
            format!("{name}-{}", request.release),
            "{template}"
        );
        if template == "by-area" {
            let html = v["bodies"][1]["value"].as_str().unwrap();
            assert!(html.contains("<h2>Bexley</h2>"), "{html}");
        }
    }
}

/// Names full of Markdown and HTML reach the CMS as text, in both bodies and the metadata.
#[test]
fn ninjs_items_of_a_hostile_story_carry_names_as_text() {
    let draft = casewire::draft::draft(&request(
        fixture("patches/hostile.toml"),
        vec![fixture("data/hostile.csv")],
        fixture("data/hostile-population.csv"),
        "2021-01-18",
    ))
    .unwrap();
    let v = json_of(&input_for(&draft, "hostile"));
    assert_valid(&validator(), &v);
    let html = v["bodies"][1]["value"].as_str().unwrap();
    assert!(
        !html.contains("<script>") && !html.contains("<b>"),
        "{html}"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        !html.contains("<em>") && !html.contains("<a href"),
        "{html}"
    );
    let plain = v["bodies"][0]["value"].as_str().unwrap();
    assert!(plain.contains("<script>alert(1)</script>"), "{plain}");
    assert!(plain.contains("*Bold* _Town_ [link](http://x)"), "{plain}");
    assert!(
        v["places"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "<script>alert(1)</script>" && p["literal"] == "E09000001")
    );
}

/// The converter's HTML is a CommonMark renderer's for the Markdown casewire writes.
#[test]
fn ninjs_html_bodies_match_a_commonmark_renderer_on_real_stories() {
    for (request, template) in [
        (january_request(), "weekly-roundup"),
        (january_request(), "by-area"),
        (august_request(), "weekly-roundup"),
        (august_request(), "by-area"),
    ] {
        let draft = drafted(&request, template);
        let body = edition_body(&draft);
        let mut expected = String::new();
        pulldown_cmark::html::push_html(&mut expected, pulldown_cmark::Parser::new(&body));
        let ours = markdown::to_html(&body, &|h: &str| h.to_string());
        assert_eq!(ours, expected, "{template} {}", request.release);
    }
}

/// Every `<` of the converter's HTML opens one of its own elements: whatever the copy holds,
/// none of it becomes markup.
fn only_our_tags(html: &str) -> Result<(), String> {
    const TAGS: [&str; 24] = [
        "<p>",
        "</p>",
        "<h1>",
        "<h2>",
        "<h3>",
        "<h4>",
        "<h5>",
        "<h6>",
        "</h",
        "<ol>",
        "<ol start=\"",
        "</ol>",
        "<ul>",
        "</ul>",
        "<li>",
        "</li>",
        "<strong>",
        "</strong>",
        "<em>",
        "</em>",
        "<code>",
        "</code>",
        "<a href=\"",
        "</a>",
    ];
    const MORE: [&str; 7] = [
        "<img src=\"",
        "<hr />",
        "<table>",
        "</table>",
        "<t",
        "</t",
        "<tr>",
    ];
    for (at, _) in html.match_indices('<') {
        let rest = &html[at..];
        if !TAGS.iter().chain(&MORE).any(|t| rest.starts_with(t)) {
            return Err(format!("markup from the copy at {at}: {html}"));
        }
    }
    Ok(())
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: std::env::var("CASEWIRE_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Any text, and text built from Markdown's and HTML's marks, converts without a panic
    /// and without passing markup through.
    #[test]
    fn ninjs_markdown_converter_takes_any_text(
        text in proptest::string::string_regex("(?s).{0,300}").unwrap(),
        marks in proptest::collection::vec(proptest::sample::select(vec![
            "*", "**", "_", "`", "[", "]", "(", ")", "![", "](", "<", ">", "&", "\\", "\n", "\n\n",
            "# ", "- ", "1. ", "|", "---", ":--", "javascript:", "<script>", "\"", "'", " ", "a", "é",
        ]), 0..120),
    ) {
        for input in [text, marks.concat()] {
            let html = markdown::to_html(&input, &|h: &str| h.to_string());
            proptest::prop_assert!(only_our_tags(&html).is_ok(), "{}", only_our_tags(&html).unwrap_err());
            proptest::prop_assert!(!html.to_ascii_lowercase().contains("href=\"javascript")
                && !html.to_ascii_lowercase().contains("src=\"javascript"));
            let _ = markdown::to_plain(&input, &|h: &str| h.to_string());
            let _ = markdown::inline_to_plain(&input);
        }
    }
}

/// Deep nesting and long runs of marks: no stack overflow, and the result is text.
#[test]
fn ninjs_markdown_converter_survives_deep_nesting() {
    for input in [
        "[".repeat(20_000) + &"](x)".repeat(20_000),
        format!("x{}", "*".repeat(20_000)),
        "*a ".repeat(5_000) + &"b* ".repeat(5_000),
        "`".repeat(10_000),
        format!("{}x{}", "[x".repeat(5_000), "](y)".repeat(5_000)),
    ] {
        let html = markdown::to_html(&input, &|h: &str| h.to_string());
        only_our_tags(&html).unwrap();
        assert!(!markdown::to_plain(&input, &|h: &str| h.to_string()).is_empty());
    }
}

// ---------------------------------------------------------------------------------------------
// Alerts.

struct Hook {
    _runtime: tokio::runtime::Runtime,
    server: TestServer,
}

impl Hook {
    fn start(
        handler: impl Fn(&crate::fetch::server::Request) -> Response + Send + Sync + 'static,
    ) -> Hook {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let server = runtime.block_on(TestServer::start(Duration::ZERO, handler));
        Hook {
            _runtime: runtime,
            server,
        }
    }

    fn settings(&self) -> AlertSettings {
        settings_for(&format!("{}/services/T0/B0/SECRET", self.server.base))
    }

    fn received(&self) -> Vec<Value> {
        self.server
            .received()
            .iter()
            .map(|r| {
                assert_eq!(r.method, "POST");
                assert_eq!(r.path, "/services/T0/B0/SECRET");
                assert_eq!(r.headers["content-type"], "application/json");
                assert!(r.headers["user-agent"].starts_with("casewire/"));
                serde_json::from_slice(&r.body).unwrap()
            })
            .collect()
    }
}

/// The settings a newsroom file with this webhook gives, with test-sized waits.
fn settings_for(webhook: &str) -> AlertSettings {
    let text = format!(
        "contact = \"desk@example.org\"\noutput = \"out\"\n[source]\nkind = \"files\"\nreleases = \"r\"\nfile = \"f.csv\"\npopulation = \"p.csv\"\n[[story]]\nname = \"weekly\"\npatch = \"p.toml\"\n[alerts]\nwebhook = \"{webhook}\"\ntimeout_secs = 5\n"
    );
    let newsroom = Newsroom::parse(Path::new("newsroom.toml"), &text).unwrap();
    let alerts: &Alerts = newsroom.alerts.as_ref().unwrap();
    assert_eq!(alerts.timeout, Duration::from_secs(5));
    AlertSettings {
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(100),
        ..AlertSettings::new(alerts, &newsroom.contact)
    }
}

#[test]
fn alerts_for_published_held_and_failed_runs_reach_the_webhook() {
    let hook = Hook::start(|_| Response::with(200, "text/plain", "ok"));
    let settings = hook.settings();
    let editions = vec![
        "se-london-weekly-2021-01-18".to_string(),
        "england-areas-2021-01-18".to_string(),
    ];
    send_alert(&settings, &Alert::published("2021-01-18", &editions)).unwrap();
    send_alert(
        &settings,
        &Alert::held(
            "se-london-weekly",
            "2021-01-19",
            "week-on-week-jump",
            Some("Bromley (E09000006)"),
            "the rate went from 566.9 to 4,012.0, more than 4 times",
        ),
    )
    .unwrap();
    let failure = casewire::publish::PublishError::NoRelease {
        why: "../releases holds no YYYY-MM-DD folder".into(),
    };
    send_alert(&settings, &Alert::failed(None, None, &failure)).unwrap();

    let got = hook.received();
    assert_eq!(got.len(), 3);
    assert_eq!(
        got[0],
        json!({
            "text": "casewire published 2 editions for the 2021-01-18 release: se-london-weekly-2021-01-18, england-areas-2021-01-18.",
            "event": "published", "story": null, "release": "2021-01-18", "gate": null,
            "area": null, "editions": editions, "error": null,
        })
    );
    assert_eq!(got[1]["event"], "held");
    assert_eq!(
        (&got[1]["story"], &got[1]["gate"], &got[1]["area"]),
        (
            &json!("se-london-weekly"),
            &json!("week-on-week-jump"),
            &json!("Bromley (E09000006)")
        )
    );
    assert!(got[1]["text"].as_str().unwrap().contains(
        "the week-on-week-jump gate stopped it for Bromley (E09000006) (the rate went from 566.9 to 4,012.0"
    ));
    assert_eq!(got[2]["event"], "failed");
    assert_eq!(
        got[2]["error"],
        "no release found: ../releases holds no YYYY-MM-DD folder"
    );
    assert!(got[2]["text"].as_str().unwrap().starts_with(
        "casewire publish failed: no release found: ../releases holds no YYYY-MM-DD folder."
    ));
}

#[test]
fn alert_webhook_answering_500_then_200_is_retried_and_delivered() {
    let hook = Hook::start(|r| {
        if r.seen_before == 0 {
            Response::with(500, "text/plain", "internal error")
        } else {
            Response::with(200, "text/plain", "ok")
        }
    });
    send_alert(
        &hook.settings(),
        &Alert::published("2021-01-18", &["se-london-weekly-2021-01-18".into()]),
    )
    .unwrap();
    let got = hook.received();
    assert_eq!(got.len(), 2, "one retry");
    assert_eq!(got[0], got[1], "the same message both times");
}

#[test]
fn alert_webhook_failing_every_time_is_an_error_after_three_attempts() {
    let hook = Hook::start(|_| Response::with(503, "text/plain", "over capacity"));
    let err = send_alert(&hook.settings(), &Alert::published("2021-01-18", &[])).unwrap_err();
    assert_eq!(hook.server.requests(), 3);
    let text = err.to_string();
    assert!(
        text.contains("gave up after 3 attempt(s)") && text.contains("HTTP 503: over capacity"),
        "{text}"
    );
    assert!(
        !text.contains("SECRET"),
        "the webhook's secret path is never shown: {text}"
    );
}

#[test]
fn alert_webhook_refusing_the_message_is_not_retried() {
    let hook = Hook::start(|_| Response::with(400, "text/plain", "invalid_payload"));
    let err = send_alert(&hook.settings(), &Alert::published("2021-01-18", &[])).unwrap_err();
    assert_eq!(hook.server.requests(), 1);
    assert!(
        matches!(err, AlertError::Refused { status: 400, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("invalid_payload"));
}

#[test]
fn alert_webhook_that_is_down_is_an_error_not_a_panic() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let settings = settings_for(&format!("http://127.0.0.1:{port}/services/T0/B0/SECRET"));
    let err = send_alert(&settings, &Alert::published("2021-01-18", &[])).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "alert webhook http://127.0.0.1:{port}/…: gave up after 3 attempt(s)"
        )),
        "{text}"
    );
    assert!(text.contains("could not connect"), "{text}");
    assert!(!text.contains("SECRET"), "{text}");
}

#[test]
fn alert_webhook_slower_than_its_timeout_is_abandoned() {
    let hook =
        Hook::start(|_| Response::with(200, "text/plain", "ok").delayed(Duration::from_secs(3)));
    let settings = AlertSettings {
        timeout: Duration::from_millis(300),
        max_attempts: 2,
        ..hook.settings()
    };
    let err = send_alert(&settings, &Alert::published("2021-01-18", &[])).unwrap_err();
    assert!(err.to_string().contains("timed out"), "{err}");
    assert_eq!(hook.server.requests(), 2);
}

#[test]
fn alert_webhook_in_plain_http_to_another_machine_is_refused_when_read() {
    let text = "contact = \"d@example.org\"\noutput = \"out\"\n[source]\nkind = \"files\"\nreleases = \"r\"\nfile = \"f.csv\"\npopulation = \"p.csv\"\n[[story]]\nname = \"weekly\"\npatch = \"p.toml\"\n[alerts]\nwebhook = \"http://hooks.example.com/services/SECRET\"\n";
    let err = Newsroom::parse(Path::new("newsroom.toml"), text)
        .unwrap_err()
        .to_string();
    assert!(err.contains("newsroom.toml: line 12"), "{err}");
    assert!(err.contains("plain HTTP to another machine"), "{err}");
    assert!(!err.contains("SECRET"), "{err}");
}
