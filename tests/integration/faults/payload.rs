//! Faults in what a server sends: bodies that are not what they claim (truncated, not UTF-8,
//! too large, a gzip bomb, empty), schema drift, duplicated records, and pagination that
//! loops or never ends.

use casewire::fetch::archive::Archive;
use casewire::fetch::run::{fetch, fetch_into};
use serde_json::{Value, json};

use super::{
    always, areas, clean_page, date, edited, no_tweak, options, recovers, refuses, rig, rows,
    series, serve, silent, view,
};
use crate::fetch::server::{Request, Response};

// Bodies that are not what they claim.

#[tokio::test]
async fn fault_truncated_json_is_refused() {
    let clean = clean_page().to_string();
    let text = refuses(
        always(move || Response::json(clean[..clean.len() / 2].to_string())),
        no_tweak,
    )
    .await;
    assert!(
        text.contains("malformed JSON") && text.contains("Hartlepool"),
        "{text}"
    );
}

#[tokio::test]
async fn fault_invalid_utf8_is_refused() {
    let clean = clean_page().to_string();
    let text = refuses(
        always(move || {
            let mut body = clean.clone().into_bytes();
            // Inside the first geography name: "Hartlepool" with a byte no UTF-8 holds.
            let at = body.windows(10).position(|w| w == b"Hartlepool").unwrap();
            body[at + 1] = 0xFF;
            Response::json(body)
        }),
        no_tweak,
    )
    .await;
    assert!(
        text.contains("malformed JSON") && text.contains("invalid unicode"),
        "{text}"
    );
}

#[tokio::test]
async fn fault_json_with_a_byte_order_mark_is_read() {
    let clean = clean_page().to_string();
    let report = recovers(always(move || {
        let mut body = b"\xEF\xBB\xBF".to_vec();
        body.extend_from_slice(clean.as_bytes());
        Response::json(body)
    }))
    .await;
    assert_eq!(report.summary.retries, 0);
}

#[tokio::test]
async fn fault_body_larger_than_the_limit_is_refused() {
    let text = refuses(
        always(|| {
            let mut body = b"{\"count\":0,\"next\":null,\"results\":[".to_vec();
            body.extend(std::iter::repeat_n(b' ', 2_000_000));
            body.extend_from_slice(b"]}");
            Response::json(body)
        }),
        |opts| opts.client.max_body_bytes = 1_000_000,
    )
    .await;
    assert!(text.contains("larger than 1000000 bytes"), "{text}");
}

#[tokio::test]
async fn fault_gzip_bomb_is_refused_without_inflating_it_all() {
    // 64 MB of spaces gzip to about 64 KB; the limit stops the read at 1 MB.
    let bomb = {
        let mut body = b"{\"count\":0,\"next\":null,\"results\":[".to_vec();
        body.extend(std::iter::repeat_n(b' ', 64 << 20));
        body.extend_from_slice(b"]}");
        Response::json(body).gzipped()
    };
    assert!(bomb.body.len() < 1 << 20);
    let text = refuses(always(move || bomb.clone()), |opts| {
        opts.client.max_body_bytes = 1 << 20
    })
    .await;
    assert!(text.contains("larger than 1048576 bytes"), "{text}");
}

#[tokio::test]
async fn fault_empty_result_is_refused_and_not_archived() {
    let text = refuses(
        always(|| Response::json(r#"{"count":0,"next":null,"previous":null,"results":[]}"#)),
        no_tweak,
    )
    .await;
    assert!(text.contains("no data came back"), "{text}");
}

// Schema drift.

#[tokio::test]
async fn fault_schema_missing_value_field_is_refused() {
    let text = refuses(
        edited(|page| {
            for row in rows(page) {
                row.as_object_mut().unwrap().remove("metric_value");
            }
        }),
        no_tweak,
    )
    .await;
    assert!(text.contains("missing field `metric_value`"), "{text}");
}

#[tokio::test]
async fn fault_schema_missing_results_is_refused() {
    let text = refuses(
        edited(|page| {
            page.as_object_mut().unwrap().remove("results");
        }),
        no_tweak,
    )
    .await;
    assert!(text.contains("missing field `results`"), "{text}");
}

#[tokio::test]
async fn fault_schema_missing_geography_is_refused() {
    let text = refuses(
        edited(|page| {
            for row in rows(page) {
                let row = row.as_object_mut().unwrap();
                row.remove("geography");
                row.remove("geography_code");
            }
        }),
        no_tweak,
    )
    .await;
    assert!(
        text.contains("neither geography nor geography_code"),
        "{text}"
    );
}

#[tokio::test]
async fn fault_schema_null_value_is_no_data_never_zero() {
    let rig = rig().await;
    let server = serve(edited(|page| {
        for row in rows(page) {
            if row["date"] == "2021-01-10" {
                row["metric_value"] = Value::Null;
            }
        }
    }))
    .await;
    let report = fetch(&options(&server, "2026-11-23T10:00:00Z"), silent())
        .await
        .unwrap();
    let area = &report.dataset.areas[0];
    assert_eq!(area.cases_on(date(2021, 1, 10)), None);
    let clean = &rig.clean[0];
    for day in 1..=31 {
        if day != 10 {
            let d = date(2021, 1, day);
            assert_eq!(area.cases_on(d), clean.cases_on(d), "{d}");
        }
    }
}

#[tokio::test]
async fn fault_schema_numbers_as_strings_are_refused() {
    let text = refuses(
        edited(|page| {
            for row in rows(page) {
                let v = row["metric_value"].as_f64().unwrap();
                row["metric_value"] = json!(v.to_string());
            }
        }),
        no_tweak,
    )
    .await;
    assert!(
        text.contains("malformed JSON") && text.contains("invalid type: string"),
        "{text}"
    );
}

#[tokio::test]
async fn fault_schema_unknown_extra_fields_are_ignored() {
    let rig = rig().await;
    let server = serve(edited(|page| {
        page["api_version"] = json!("9.9");
        for row in rows(page) {
            row["confidence_interval"] = json!({"lower": 1, "upper": 2});
            row["metric_value_v2"] = json!("not ours");
        }
    }))
    .await;
    let report = fetch(&options(&server, "2026-11-23T10:00:00Z"), silent())
        .await
        .unwrap();
    assert_eq!(areas(&report.dataset), rig.clean);
}

#[tokio::test]
async fn fault_schema_renamed_metric_is_refused() {
    let text = refuses(
        edited(|page| {
            for row in rows(page) {
                row["metric"] = json!("COVID-19_cases_casesByDayRolling");
            }
        }),
        no_tweak,
    )
    .await;
    assert!(
        text.contains("the row is for metric COVID-19_cases_casesByDayRolling"),
        "{text}"
    );
}

#[tokio::test]
async fn fault_schema_renamed_value_field_is_refused() {
    let text = refuses(
        edited(|page| {
            for row in rows(page) {
                let v = row.as_object_mut().unwrap().remove("metric_value").unwrap();
                row["value"] = v;
            }
        }),
        no_tweak,
    )
    .await;
    assert!(text.contains("missing field `metric_value`"), "{text}");
}

#[tokio::test]
async fn fault_schema_date_in_another_format_is_refused() {
    let text = refuses(
        edited(|page| {
            for row in rows(page) {
                let d = row["date"].as_str().unwrap().to_string();
                row["date"] = json!(format!("{}/{}/{}", &d[8..10], &d[5..7], &d[..4]));
            }
        }),
        no_tweak,
    )
    .await;
    assert!(text.contains("not in the form YYYY-MM-DD"), "{text}");
}

// Records.

#[tokio::test]
async fn fault_identical_duplicated_records_collapse() {
    let rig = rig().await;
    let server = serve(edited(|page| {
        let again = rows(page).clone();
        rows(page).extend(again);
    }))
    .await;
    let report = fetch(&options(&server, "2026-11-23T10:00:00Z"), silent())
        .await
        .unwrap();
    assert_eq!(areas(&report.dataset), rig.clean);
}

#[tokio::test]
async fn fault_conflicting_duplicated_records_are_refused_naming_both() {
    let text = refuses(
        edited(|page| {
            let mut again = rows(page)[0].clone();
            again["metric_value"] = json!(again["metric_value"].as_f64().unwrap() + 7.0);
            rows(page).push(again);
        }),
        no_tweak,
    )
    .await;
    assert!(
        text.contains("Hartlepool") && text.contains("2020-12-01"),
        "{text}"
    );
}

// Pagination.

/// A series split into pages of 10 whose `next` links are rewritten by `next_of(page)`.
fn paged(
    next_of: impl Fn(usize) -> Option<usize> + Send + Sync + 'static,
) -> impl Fn(&Request) -> Option<Response> + Send + Sync + 'static {
    let page = clean_page();
    let all = page["results"].as_array().unwrap().clone();
    move |req: &Request| {
        if !series(req) {
            return None;
        }
        let n: usize = req.param("page").map_or(1, |p| p.parse().unwrap());
        let start = ((n - 1) * 10) % all.len();
        let rows: Vec<Value> = all.iter().skip(start).take(10).cloned().collect();
        let next = next_of(n).map(|m| format!("{}{}?page={m}", req.base, req.path));
        Some(Response::json(
            json!({"count": all.len(), "next": next, "previous": null, "results": rows})
                .to_string(),
        ))
    }
}

#[tokio::test]
async fn fault_pagination_next_that_loops_is_refused() {
    // 1 → 2 → 3 → 1 → ...
    let text = refuses(paged(|n| Some(n % 3 + 1)), no_tweak).await;
    assert!(text.contains("page=1") && text.contains("loop"), "{text}");
}

#[tokio::test]
async fn fault_pagination_next_to_itself_is_refused() {
    let text = refuses(paged(Some), no_tweak).await;
    assert!(text.contains("points back"), "{text}");
}

#[tokio::test]
async fn fault_pagination_that_never_ends_is_refused() {
    let rig = rig().await;
    let before = view(&rig.path);
    let server = serve(paged(|n| Some(n + 1))).await;
    let opts = options(&server, "2026-11-23T10:00:00Z");
    let mut archive = Archive::open(&rig.path).unwrap();
    let err = fetch_into(&opts, &mut archive, silent()).await.unwrap_err();
    drop(archive);
    let text = err.to_string();
    assert!(
        text.contains(&server.base) && text.contains("never end"),
        "{text}"
    );
    // Stopped as soon as the pages held more rows than the API's own count: 62 rows.
    assert!(server.requests() <= 8, "{} requests", server.requests());
    assert_eq!(view(&rig.path), before);
}

#[tokio::test]
async fn fault_pagination_that_never_ends_without_a_count_stops_at_the_budget() {
    let text = refuses(
        |req: &Request| {
            series(req).then(|| {
                let n: usize = req.param("page").map_or(1, |p| p.parse().unwrap());
                Response::json(
                    json!({"next": format!("{}{}?page={}", req.base, req.path, n + 1), "results": []})
                        .to_string(),
                )
            })
        },
        |opts| opts.client.request_budget = Some(20),
    )
    .await;
    assert!(
        text.contains("budget of 20") || text.contains("never end"),
        "{text}"
    );
}
