//! How close a fetch comes to the ideal when the server, not casewire, is the bottleneck.
//!
//! A local UKHSA-shaped server holds every response back 50 ms and serves the 380 lower-tier
//! areas of `../shared/data/archive/ltla_2020-12-01_2021-01-31.csv`, one page each. casewire
//! lists the geographies, fetches each series with its default concurrency of 4 and stores
//! everything in an archive file. The
//! network part (`fetch`) and the archive write are timed apart; the target is about the former. The ideal is `requests x 50 ms / 4`; the target is at most
//! 1.25 times that. Run with `cargo bench --bench fetch`; results go in BENCHMARKS.md.

#[path = "../tests/integration/server.rs"]
mod server;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use casewire::fetch::archive::Archive;
use casewire::fetch::client::ClientConfig;
use casewire::fetch::progress::Silent;
use casewire::fetch::run::{FetchOptions, Source, fetch};
use server::{TestServer, geography_list, series_from_csv, ukhsa_handler};

const DELAY: Duration = Duration::from_millis(50);
const RUNS: usize = 5;
const TARGET: f64 = 1.25;

fn main() {
    let csv = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/archive/ltla_2020-12-01_2021-01-31.csv");
    let mut reader = csv::Reader::from_path(&csv).expect("the shared data are beside the crate");
    let mut codes: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    codes.dedup();
    let code_refs: Vec<&str> = codes.iter().map(String::as_str).collect();
    let series = series_from_csv(&csv, &code_refs);
    assert_eq!(series.len(), 380, "380 lower-tier areas");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut ratios = Vec::new();
    runtime.block_on(async {
        let server = TestServer::start(
            DELAY,
            ukhsa_handler(geography_list(&series), series.clone(), 365),
        )
        .await;
        println!("run  requests  concurrency  ideal_s  network_s  ratio  archive_write_s");
        for run in 1..=RUNS {
            let dir = tempfile::tempdir().unwrap();
            let mut archive = Archive::open(&dir.path().join("archive.sqlite")).unwrap();
            let mut opts = FetchOptions::new(Source::Ukhsa, "Lower Tier Local Authority");
            opts.base_url = Some(server.base.clone());
            opts.client = ClientConfig {
                contact: "bench@example.org".into(),
                ..opts.client
            };
            let concurrency = opts.client.concurrency;
            let started = Instant::now();
            let report = fetch(&opts, Arc::new(Silent)).await.unwrap();
            let network = started.elapsed().as_secs_f64();
            let started = Instant::now();
            archive
                .store(
                    &report.record,
                    &report.dataset,
                    Source::Ukhsa.cases_metric(),
                )
                .unwrap();
            let write = started.elapsed().as_secs_f64();
            assert_eq!(report.dataset.areas.len(), 380);
            assert_eq!(report.summary.retries, 0);
            let requests = report.summary.requests;
            let ideal = DELAY.as_secs_f64() * requests as f64 / concurrency as f64;
            let ratio = network / ideal;
            ratios.push(ratio);
            println!(
                "{run:>3}  {requests:>8}  {concurrency:>11}  {ideal:>7.3}  {network:>9.3}  \
                 {ratio:>5.3}  {write:>13.3}"
            );
        }
    });
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    println!(
        "median ratio {median:.3} (best {:.3}, worst {:.3}); target <= {TARGET}",
        ratios[0],
        ratios[ratios.len() - 1]
    );
    if median > TARGET {
        eprintln!("fetching took more than {TARGET} times the ideal");
        std::process::exit(1);
    }
}
