//! A small HTTP/1.1 server on 127.0.0.1 for fetch tests, alert tests and the fetch benchmark:
//! real sockets, keep-alive, an optional delay per response, counters a test can check
//! (requests seen, requests in flight at once), and every request's method and body.
//!
//! Written on tokio rather than a mocking crate because a test needs to count requests *in
//! flight*, which only the code that holds the response back can know.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A request as the handler sees it.
#[derive(Clone, Debug)]
pub struct Request {
    /// The path, still percent-encoded.
    pub path: String,
    /// The raw query string (without `?`), empty if none.
    pub query: String,
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
    /// The server's own base URL, for absolute links.
    pub base: String,
    /// How many times this exact path and query were asked for before.
    pub seen_before: usize,
}

impl Request {
    /// The decoded query parameters, in order.
    pub fn params(&self) -> Vec<(String, String)> {
        url_decode_pairs(&self.query)
    }

    /// The first value of a parameter.
    pub fn param(&self, name: &str) -> Option<String> {
        self.params()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

fn url_decode_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Percent-decodes (and `+` to space, as in forms).
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A request as it arrived, body and all, for a test that checks what was sent (an alert).
#[derive(Clone, Debug)]
pub struct Received {
    /// `GET`, `POST`...
    pub method: String,
    /// The path, still percent-encoded.
    pub path: String,
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
    /// The body, read by its `Content-Length` (empty without one).
    pub body: Vec<u8>,
}

/// A response the handler wants sent.
#[derive(Clone, Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// How long to hold the response back, on top of the server's delay.
    pub delay: Duration,
    /// How long to wait between sending the head and the body: a body slower than a timeout.
    pub body_delay: Duration,
    /// A `Content-Length` larger than the body, after which the connection is closed: a
    /// connection reset mid-body.
    pub declared_length: Option<usize>,
    /// Close the connection without answering at all.
    pub hang_up: bool,
}

impl Response {
    /// A 200 with a JSON body.
    pub fn json(body: impl Into<Vec<u8>>) -> Self {
        Self::with(200, "application/json", body)
    }

    /// A response with a content type.
    pub fn with(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
            body_delay: Duration::ZERO,
            declared_length: None,
            hang_up: false,
        }
    }

    /// A bodiless status.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
            body_delay: Duration::ZERO,
            declared_length: None,
            hang_up: false,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Holds the response back.
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Sends the head at once and the body only after `delay`.
    pub fn slow_body(mut self, delay: Duration) -> Self {
        self.body_delay = delay;
        self
    }

    /// Sends only the first half of the body under a `Content-Length` for all of it, then
    /// closes the connection.
    pub fn cut_mid_body(mut self) -> Self {
        self.declared_length = Some(self.body.len());
        self.body.truncate(self.body.len() / 2);
        self
    }

    /// Closes the connection having read the request, sending nothing.
    pub fn hang_up() -> Self {
        let mut response = Self::status(500);
        response.hang_up = true;
        response
    }

    /// Gzips the body and says so, as the legacy API does for every response.
    pub fn gzipped(mut self) -> Self {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&self.body).unwrap();
        self.body = encoder.finish().unwrap();
        self.headers
            .push(("Content-Encoding".into(), "gzip".into()));
        self
    }
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// Counters the server keeps.
#[derive(Debug, Default)]
pub struct Counters {
    /// Requests received.
    pub requests: AtomicUsize,
    /// Requests being answered now.
    pub in_flight: AtomicUsize,
    /// The most requests ever being answered at once.
    pub max_in_flight: AtomicUsize,
}

/// A running server; it stops when the test's runtime does.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// What it has counted.
    pub counters: Arc<Counters>,
    /// Every request, in arrival order.
    pub log: Arc<Mutex<Vec<Request>>>,
    /// Every request with its method and body, in arrival order.
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl TestServer {
    /// Starts a server answering with `handler`, adding `delay` to every response.
    pub async fn start(
        delay: Duration,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let counters = Arc::new(Counters::default());
        let log = Arc::new(Mutex::new(Vec::new()));
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        {
            let (base, counters, log, received) = (
                base.clone(),
                counters.clone(),
                log.clone(),
                received.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let Ok((socket, _)) = listener.accept().await else {
                        return;
                    };
                    let (base, counters, log, seen, handler) = (
                        base.clone(),
                        counters.clone(),
                        log.clone(),
                        seen.clone(),
                        handler.clone(),
                    );
                    let logs = Logs {
                        log,
                        received: received.clone(),
                    };
                    tokio::spawn(async move {
                        let _ = serve(socket, base, counters, logs, seen, handler, delay).await;
                    });
                }
            });
        }
        Self {
            base,
            counters,
            log,
            received,
        }
    }

    /// A copy of every request with its method and body.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Requests received so far.
    pub fn requests(&self) -> usize {
        self.counters.requests.load(Ordering::SeqCst)
    }

    /// The most requests in flight at once so far.
    pub fn max_in_flight(&self) -> usize {
        self.counters.max_in_flight.load(Ordering::SeqCst)
    }

    /// A copy of the request log.
    pub fn requests_seen(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }
}

/// Where a connection records what it receives.
struct Logs {
    log: Arc<Mutex<Vec<Request>>>,
    received: Arc<Mutex<Vec<Received>>>,
}

async fn serve(
    socket: tokio::net::TcpStream,
    base: String,
    counters: Arc<Counters>,
    logs: Logs,
    seen: Arc<Mutex<HashMap<String, usize>>>,
    handler: Arc<Handler>,
    delay: Duration,
) -> std::io::Result<()> {
    // Without this, a response written as head then body waits on the client's delayed ACK
    // (Nagle), adding ~40 ms to every response and swamping the delay under test.
    socket.set_nodelay(true)?;
    let (read, mut write) = socket.into_split();
    let mut reader = BufReader::new(read);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).await? == 0 {
            return Ok(());
        }
        let mut headers = HashMap::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        // A body is read whole, so that the next request on the connection starts clean.
        let length = headers
            .get("content-length")
            .map_or(0, |n| n.parse().unwrap_or(0));
        let mut body = vec![0; length];
        reader.read_exact(&mut body).await?;
        let target = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_string();
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let seen_before = {
            let mut seen = seen.lock().unwrap();
            let n = seen.entry(target.clone()).or_insert(0);
            *n += 1;
            *n - 1
        };
        let request = Request {
            path: path.to_string(),
            query: query.to_string(),
            headers,
            base: base.clone(),
            seen_before,
        };
        counters.requests.fetch_add(1, Ordering::SeqCst);
        let now = counters.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        counters.max_in_flight.fetch_max(now, Ordering::SeqCst);
        logs.received.lock().unwrap().push(Received {
            method: request_line
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string(),
            path: request.path.clone(),
            headers: request.headers.clone(),
            body,
        });
        logs.log.lock().unwrap().push(request.clone());
        let response = handler(&request);
        let wait = delay + response.delay;
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        counters.in_flight.fetch_sub(1, Ordering::SeqCst);
        if response.hang_up {
            return Ok(());
        }
        let mut head = format!("HTTP/1.1 {} X\r\n", response.status);
        for (k, v) in &response.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if response.status != 204 && response.status != 304 {
            let length = response.declared_length.unwrap_or(response.body.len());
            head.push_str(&format!("Content-Length: {length}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        if !response.body_delay.is_zero() {
            write.write_all(&bytes).await?;
            write.flush().await?;
            bytes.clear();
            tokio::time::sleep(response.body_delay).await;
        }
        if response.status != 204 {
            bytes.extend_from_slice(&response.body);
        }
        write.write_all(&bytes).await?;
        write.flush().await?;
        if response.declared_length.is_some() {
            // Close with the body short of its length: the client sees the connection reset.
            return Ok(());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A UKHSA API serving series built from the shared archive.

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fetch");
const TOPIC: &str = "/themes/infectious_disease/sub_themes/respiratory/topics/COVID-19";
const LTLA: &str = "Lower%20Tier%20Local%20Authority";

/// A fixture file's bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(name)).unwrap()
}

/// A geography list view naming every geography of `series`, in the API's shape.
pub fn geography_list(series: &Series) -> Vec<u8> {
    let links: Vec<Value> = series
        .keys()
        .map(|name| json!({"name": name, "link": format!("https://api.ukhsa-dashboard.data.gov.uk{TOPIC}/geography_types/{LTLA}/geographies/{name}")}))
        .collect();
    Value::Array(links).to_string().into_bytes()
}

/// Rows by geography name, oldest first: (code, date, cases).
pub type Series = BTreeMap<String, Vec<(String, String, i64)>>;

pub fn series_from_csv(path: &Path, codes: &[&str]) -> Series {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut series: Series = BTreeMap::new();
    for record in reader.records() {
        let r = record.unwrap();
        if !codes.contains(&&r[0]) {
            continue;
        }
        series.entry(r[1].to_string()).or_default().push((
            r[0].to_string(),
            r[3].to_string(),
            r[4].parse().unwrap(),
        ));
    }
    for rows in series.values_mut() {
        rows.sort_by(|a, b| a.1.cmp(&b.1));
    }
    series
}

/// A row in the shape of the fixture `template`, for one geography, day and value.
pub fn ukhsa_row(template: &Value, geography: &str, code: &str, day: &str, value: f64) -> Value {
    let mut row = template.clone();
    row["geography_type"] = json!("Lower Tier Local Authority");
    row["geography"] = json!(geography);
    row["geography_code"] = json!(code);
    row["metric"] = json!("COVID-19_cases_casesByDay");
    row["metric_group"] = json!("cases");
    row["year"] = json!(day[..4].parse::<i32>().unwrap());
    row["month"] = json!(day[5..7].parse::<i32>().unwrap());
    row["date"] = json!(day);
    row["metric_value"] = json!(value);
    row
}

/// Answers like the UKHSA API, but with pages of `page_size` rows (the server decides; the
/// real one caps at 365), and `next` links naming the public host, as the real API's do.
pub fn ukhsa_handler(
    geographies: Vec<u8>,
    series: Series,
    page_size: usize,
) -> impl Fn(&Request) -> Response + Send + Sync + 'static {
    let template: Value = serde_json::from_slice(&fixture("ukhsa-row.json")).unwrap();
    move |req: &Request| {
        let list = format!("{TOPIC}/geography_types/{LTLA}/geographies");
        if req.path == list {
            return Response::json(geographies.clone());
        }
        let Some(rest) = req.path.strip_prefix(&format!("{list}/")) else {
            return Response::with(404, "application/json", r#"{"detail":"Not found."}"#);
        };
        let Some((geography, metric)) = rest.split_once("/metrics/") else {
            return Response::with(404, "application/json", r#"{"detail":"Not found."}"#);
        };
        let geography = decode(geography);
        let Some(rows) = series.get(&geography) else {
            return Response::json(r#"{"count":0,"next":null,"previous":null,"results":[]}"#);
        };
        let year = req.param("year");
        // The last five days by specimen date are still incomplete, as on the dashboard.
        let provisional_from = rows.len().saturating_sub(5);
        let rows: Vec<Value> = rows
            .iter()
            .enumerate()
            .filter(|(_, (_, day, _))| year.as_deref().is_none_or(|y| day.starts_with(y)))
            .map(|(i, (code, day, v))| {
                let mut row = ukhsa_row(&template, &geography, code, day, *v as f64);
                row["metric"] = json!(metric);
                row["in_reporting_delay_period"] = json!(i >= provisional_from);
                row
            })
            .collect();
        let page: usize = req.param("page").map_or(1, |p| p.parse().unwrap());
        let start = (page - 1) * page_size;
        if start > rows.len() || (start == rows.len() && page > 1) {
            return Response::with(404, "application/json", r#"{"detail":"Invalid page."}"#);
        }
        let end = (start + page_size).min(rows.len());
        let link = |n: usize| {
            let mut query: Vec<String> = req
                .query
                .split('&')
                .filter(|p| !p.starts_with("page=") && !p.is_empty())
                .map(str::to_string)
                .collect();
            query.insert(0, format!("page={n}"));
            json!(format!(
                "https://api.ukhsa-dashboard.data.gov.uk{}?{}",
                req.path,
                query.join("&")
            ))
        };
        let body = json!({
            "count": rows.len(),
            "next": if end < rows.len() { link(page + 1) } else { Value::Null },
            "previous": if page > 1 { link(page - 1) } else { Value::Null },
            "results": rows[start..end],
        });
        Response::json(body.to_string())
    }
}
