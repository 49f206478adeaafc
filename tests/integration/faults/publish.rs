//! Faults on the publish path: a newsroom fetching the legacy API's day release into its
//! archive, with an edition for 2021-01-18 already published, is served a broken 2021-01-19
//! release. A release that cannot be read publishes nothing and leaves the 18th's edition
//! byte-identical; duplicates that agree and a renamed area publish the clean story.

use std::collections::BTreeMap;

use casewire::fetch::archive::{Archive, ReleaseSelector};
use casewire::fetch::run::{FetchOptions, Source, fetch, load_offline};

use super::{CONTACT, date, newsroom, silent, v2_json};
use crate::fetch::server::{Request, Response, fixture};

/// A CSV release with each line passed through `edit` (header included).
fn csv_edit(
    edit: impl Fn(&str) -> Vec<String> + Send + Sync + 'static,
) -> impl Fn(&Request, &[u8]) -> Option<Response> + Send + Sync + 'static {
    move |_req: &Request, body: &[u8]| {
        let text = String::from_utf8(body.to_vec()).unwrap();
        let mut out = String::new();
        for line in text.lines() {
            for l in edit(line) {
                out.push_str(&l);
                out.push('\n');
            }
        }
        Some(Response::with(200, "text/csv; charset=utf-8", out).gzipped())
    }
}

#[test]
fn publish_fault_server_error_that_persists_publishes_nothing() {
    let n = newsroom(|_, _| Some(Response::with(503, "text/plain", "busy")));
    let text = n.nineteenth_is_refused_unarchived();
    assert!(
        text.contains("gave up after 2 attempts") && text.contains("HTTP 503"),
        "{text}"
    );
}

#[test]
fn publish_fault_connection_reset_mid_body_publishes_nothing() {
    let n = newsroom(|_, body| Some(Response::with(200, "text/csv", body.to_vec()).cut_mid_body()));
    let text = n.nineteenth_is_refused_unarchived();
    assert!(text.contains("could not read the body"), "{text}");
}

#[test]
fn publish_fault_truncated_json_publishes_nothing() {
    let n = newsroom(|_, body| {
        let json = v2_json(body);
        Some(Response::json(json[..json.len() / 2].to_vec()).gzipped())
    });
    let text = n.nineteenth_is_refused_unarchived();
    assert!(text.contains("malformed JSON"), "{text}");
}

#[test]
fn publish_fault_truncated_csv_publishes_nothing() {
    // Cut mid-line: the last record has too few fields. A CSV cut exactly at a line end is
    // indistinguishable from a shorter release; the gates' missing-days check catches that.
    let n = newsroom(|_, body| {
        let cut = body.len() / 2;
        let cut = cut + body[cut..].iter().position(|&b| b == b',').unwrap() + 1;
        Some(Response::with(200, "text/csv", body[..cut].to_vec()).gzipped())
    });
    let text = n.nineteenth_is_refused_unarchived();
    assert!(text.contains("release=2021-01-19"), "{text}");
}

#[test]
fn publish_fault_invalid_utf8_csv_publishes_nothing() {
    let n = newsroom(|_, body| {
        let mut body = body.to_vec();
        let at = body.windows(9).position(|w| w == b"Greenwich").unwrap();
        body[at + 2] = 0xFF;
        Some(Response::with(200, "text/csv", body).gzipped())
    });
    let text = n.nineteenth_is_refused_unarchived();
    assert!(text.contains("UTF-8"), "{text}");
}

#[test]
fn publish_fault_empty_release_publishes_nothing() {
    let n = newsroom(|_, _| {
        Some(Response::json(r#"{"length":0,"maxPageLimit":1,"body":[]}"#).gzipped())
    });
    let text = n.nineteenth_is_refused_unarchived();
    assert!(text.contains("no data came back"), "{text}");
}

#[test]
fn publish_fault_html_page_in_a_200_publishes_nothing() {
    let n = newsroom(|_, _| {
        Some(Response::with(
            200,
            "text/html",
            fixture("browsable-api.html"),
        ))
    });
    let text = n.nineteenth_is_refused_unarchived();
    assert!(text.contains("not reading it as data"), "{text}");
}

#[test]
fn publish_fault_schema_renamed_column_publishes_nothing() {
    let n = newsroom(csv_edit(|line| {
        vec![line.replace("newCasesBySpecimenDate", "newCasesBySpecimenDateRate")]
    }));
    let text = n.nineteenth_is_refused_unarchived();
    assert!(
        text.contains("no values of newCasesBySpecimenDate") && text.contains("renamed"),
        "{text}"
    );
}

#[test]
fn publish_fault_negative_count_publishes_nothing() {
    let n = newsroom(csv_edit(|line| {
        if line.starts_with("E09000011,Greenwich,utla,2021-01-14,") {
            vec!["E09000011,Greenwich,utla,2021-01-14,-40".into()]
        } else {
            vec![line.into()]
        }
    }));
    let text = n.nineteenth_is_refused();
    assert!(
        text.contains("negative") && text.contains("Greenwich"),
        "{text}"
    );
}

#[test]
fn publish_fault_dates_in_the_future_publish_nothing() {
    let n = newsroom(csv_edit(|line| {
        if line.starts_with("E09000011,Greenwich,utla,2021-01-18,") {
            vec![line.into(), "E09000011,Greenwich,utla,2021-02-01,90".into()]
        } else {
            vec![line.into()]
        }
    }));
    let text = n.nineteenth_is_refused();
    assert!(
        text.contains("2021-02-01") && text.contains("Greenwich"),
        "{text}"
    );
}

#[test]
fn publish_fault_conflicting_duplicates_publish_nothing() {
    let n = newsroom(csv_edit(|line| {
        if line.starts_with("E09000011,Greenwich,utla,2021-01-12,") {
            vec![line.into(), "E09000011,Greenwich,utla,2021-01-12,1".into()]
        } else {
            vec![line.into()]
        }
    }));
    let text = n.nineteenth_is_refused_unarchived();
    assert!(
        text.contains("conflicting rows for E09000011")
            && text.contains("2021-01-12")
            && text.contains("318 at")
            && text.contains("but 1 at"),
        "{text}"
    );
}

/// The 19th published from a clean server, for comparing figures.
fn clean_nineteenth() -> BTreeMap<String, Vec<u8>> {
    let n = newsroom(|_, _| None);
    n.publish(18).unwrap();
    n.publish(19).unwrap();
    n.files()
}

#[test]
fn publish_fault_identical_duplicates_publish_the_clean_story() {
    let n = newsroom(csv_edit(|line| {
        if line.starts_with("E09") {
            vec![line.into(), line.into()]
        } else {
            vec![line.into()]
        }
    }));
    n.publish(18).unwrap();
    let outcome = n.publish(19).unwrap();
    assert!(
        outcome
            .to_string()
            .starts_with("published 1 for release 2021-01-19"),
        "{outcome}"
    );
    let clean = clean_nineteenth();
    for name in [
        "london-2021-01-19/index.md",
        "london-2021-01-19/london-2021-01-19.csv",
        "london-2021-01-19/london-2021-01-19.story.json",
    ] {
        assert_eq!(n.files()[name], clean[name], "{name}");
    }
}

#[test]
fn publish_fault_area_renamed_uses_the_latest_name_with_a_warning() {
    // Greenwich is "Royal Borough of Greenwich" on every day but the newest.
    let n = newsroom(csv_edit(|line| {
        if line.starts_with("E09000011,Greenwich,utla,") && !line.contains(",2021-01-18,") {
            vec![line.replace(",Greenwich,", ",Royal Borough of Greenwich,")]
        } else {
            vec![line.into()]
        }
    }));
    n.publish(18).unwrap();
    n.publish(19).unwrap();
    let files = n.files();
    let md = String::from_utf8(files["london-2021-01-19/index.md"].clone()).unwrap();
    assert!(
        md.contains("Greenwich") && !md.contains("Royal Borough"),
        "{md}"
    );
    let clean = clean_nineteenth();
    assert_eq!(
        files["london-2021-01-19/london-2021-01-19.csv"],
        clean["london-2021-01-19/london-2021-01-19.csv"]
    );
    // The warning, as the fetch reports it.
    let archive = Archive::open(&n.dir.path().join("archive.sqlite")).unwrap();
    let (dataset, _) = load_offline(
        &archive,
        Source::LegacyV2,
        "utla",
        &ReleaseSelector::Exact("2021-01-19".into()),
    )
    .unwrap();
    let greenwich = dataset.area("utla", "E09000011").unwrap();
    assert_eq!(greenwich.name, "Greenwich");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut opts = FetchOptions::new(Source::LegacyV2, "utla");
    opts.base_url = Some(n.server.base.clone());
    opts.release = Some(date(2021, 1, 19));
    opts.format = casewire::fetch::legacy::Format::Csv;
    opts.client.contact = CONTACT.into();
    let report = rt.block_on(fetch(&opts, silent())).unwrap();
    assert!(
        report
            .dataset
            .warnings
            .iter()
            .any(|w| w.contains("E09000011")
                && w.contains("Royal Borough of Greenwich")
                && w.contains("using \"Greenwich\"")),
        "{:?}",
        report.dataset.warnings
    );
}
