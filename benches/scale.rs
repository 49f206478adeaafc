//! The end-to-end table: parse alone, stats, one patch story and every area's story for one
//! week, on the real archive files and on synthetic files at several sizes, each job in its own
//! process so that its peak memory is its own.
//!
//! Run: `cargo bench --bench scale` (add `-- --quick` for one run of each job instead of five,
//! `-- --paired PYTHON` for only the command line and the pandas + Jinja2 script writing
//! their stories, run by run on the neighbourhood files,
//! `-- --only 6791x700` for the data sets whose file name contains that, `-- --pandas PYTHON`
//! to run the pandas + Jinja2 script in `benches/compare/` on the same files with that Python).
//! Synthetic files are generated once into `target/bench-data/` (about 600 MB in all).
//! The command-line runs write every story into folders beside them, removed at the end; a
//! bench started within six minutes of the last one's removal waits out the rest of that time
//! first (ext4 without a journal makes creating files slow just after many were deleted), and
//! nothing else should delete thousands of files on the disk in the six minutes before a run.

mod common;
#[path = "scale/outputs.rs"]
mod outputs;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use casewire::draft::{DraftRequest, Format, load_data};
use casewire::fetch::file::read_population_file;
use casewire::render::Renderer;
use casewire::stats::{National, Universe, Week};
use chrono::NaiveDate;
use common::{Kind, Synth};
use outputs::{remove_outputs, settle};

/// One data set the table covers.
struct Case {
    label: String,
    data: PathBuf,
    population: PathBuf,
    patch: PathBuf,
    area_type: String,
    release: NaiveDate,
    areas: usize,
    days: usize,
}

/// What a child process reports.
#[derive(Clone, Debug, Default)]
struct Report {
    /// The timed work, inside the process.
    secs: f64,
    /// Of which: reading and parsing the data.
    parse_secs: f64,
    /// Of which: the national figures.
    stats_secs: f64,
    /// Stories written.
    stories: usize,
    /// Their bytes.
    bytes: usize,
    /// Peak resident memory, kB.
    max_rss_kb: u64,
    /// User and system CPU time of the whole process, as /usr/bin/time saw it.
    cpu_secs: f64,
    /// The fastest of the runs (`secs`), for a median's report.
    best_secs: f64,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(&args[1..]);
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let runs = if quick { 1 } else { 5 };
    // `--paired PYTHON`: only the command line against pandas + Jinja2, run by run.
    if let Some(python) = args
        .iter()
        .position(|a| a == "--paired")
        .and_then(|i| args.get(i + 1))
    {
        let dir = std::env::var_os("CASEWIRE_BENCH_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"));
        let only = args
            .iter()
            .position(|a| a == "--only")
            .and_then(|i| args.get(i + 1));
        let cases: Vec<Case> = cases(&dir)
            .into_iter()
            .filter(|c| only.is_none_or(|o| c.data.to_string_lossy().contains(o.as_str())))
            .collect();
        paired(python, &cases, runs);
        return;
    }
    let dir = std::env::var_os("CASEWIRE_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"));
    // `--only TEXT`: just the data sets whose file name contains TEXT.
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1));
    let cases: Vec<Case> = cases(&dir)
        .into_iter()
        .filter(|c| only.is_none_or(|o| c.data.to_string_lossy().contains(o.as_str())))
        .collect();
    let time = Path::new("/usr/bin/time").exists();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    println!();
    println!("load average before the run: {}", load.join(" "));
    println!(
        "casewire scale benchmark: {runs} run(s) of each job ({} for files under 50 MB), medians; peak RSS from {}",
        if quick { runs } else { 3 * runs },
        if time {
            "/usr/bin/time -v"
        } else {
            "VmHWM (/usr/bin/time not found)"
        }
    );
    println!();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "| data | areas x days | MB | parse ms | stats ms | one patch ms | every area ms, stories on 1 thread | every area ms, stories on {threads} threads | stories | us per story (1 thread) | every / parse (1 / {threads} threads) | peak MB: parse / patch / every | CPU ms: parse / every (1 thread) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut summary: Vec<(String, Report, Report)> = Vec::new();
    for case in &cases {
        // Small files are quick: more runs steady their medians on a shared machine.
        let small = std::fs::metadata(&case.data).map_or(0, |m| m.len()) < 50_000_000;
        let runs = if small && !quick { 3 * runs } else { runs };
        let parse = median_of(runs, || run_child(time, "parse", case));
        let stats = median_of(runs, || run_child(time, "stats", case));
        let patch = median_of(runs, || run_child(time, "patch", case));
        let every1 = median_of(runs, || run_child(time, "every1", case));
        let every = median_of(runs, || run_child(time, "every", case));
        let mb = std::fs::metadata(&case.data).map_or(0, |m| m.len()) as f64 / 1e6;
        let per_story = if every1.stories > 0 {
            (every1.secs - every1.parse_secs - every1.stats_secs) / every1.stories as f64 * 1e6
        } else {
            0.0
        };
        println!(
            "| {} | {} x {} | {:.1} | {:.1} | {:.2} | {:.1} | {:.1} | {:.1} | {} | {:.0} | {:.2} / {:.2} | {:.0} / {:.0} / {:.0} | {:.0} / {:.0} |",
            case.label,
            case.areas,
            case.days,
            mb,
            parse.secs * 1e3,
            stats.stats_secs * 1e3,
            patch.secs * 1e3,
            every1.secs * 1e3,
            every.secs * 1e3,
            every.stories,
            per_story,
            every1.secs / parse.secs,
            every.secs / parse.secs,
            parse.max_rss_kb as f64 / 1024.0,
            patch.max_rss_kb as f64 / 1024.0,
            every.max_rss_kb.max(every1.max_rss_kb) as f64 / 1024.0,
            parse.cpu_secs * 1e3,
            every1.cpu_secs * 1e3,
        );
        summary.push((case.data.to_string_lossy().into_owned(), parse, every));
    }
    targets(&summary);
    cli_table(&cases, runs, quick, time);
    if let Some(python) = args
        .iter()
        .position(|a| a == "--pandas")
        .and_then(|i| args.get(i + 1))
    {
        compare_with_pandas(python, &cases, time);
    }
    println!();
    println!(
        "parse: reading the file into the dataset; stats: the national figures for one week; \
         one patch: a whole draft (data, population, patch, story, render); every area: data, \
         population, national figures once, then each area's own story as draft --each-area \
         decides and renders it (the area template), each kept in memory and counted, on one thread and on all. us per story: the 1-thread every-area \
         time less parse and stats, per story (deciding and rendering). Times are inside the \
         process; peak RSS is the whole process's."
    );
}

/// The targets, and the cost per row and per story at each size.
fn targets(summary: &[(String, Report, Report)]) {
    let find = |stem: &str| summary.iter().find(|(path, _, _)| path.contains(stem));
    println!();
    println!("| target | median | fastest run | limit |");
    println!("|---|---|---|---|");
    if let Some((_, parse, every)) = find("ltla-380x1400") {
        println!(
            "| every district's story, 380 x 1,400: every area / parse alone | {:.2} ({:.1} / {:.1} ms) | {:.2} | 1.5 |",
            every.secs / parse.secs,
            every.secs * 1e3,
            parse.secs * 1e3,
            every.best_secs / parse.best_secs,
        );
    }
    if let Some((_, _, every)) = find("msoa-6791x700") {
        println!(
            "| every neighbourhood's story, 6,791 x 700: time | {:.0} ms | {:.0} ms | 500 ms |",
            every.secs * 1e3,
            every.best_secs * 1e3
        );
        println!(
            "| every neighbourhood's story, 6,791 x 700: peak memory | {:.0} MB (highest run) | | 200 MB |",
            every.max_rss_kb as f64 / 1024.0
        );
    }
    println!();
    println!(
        "| data | rows | parse ns per row (median / fastest) | every area, us per area (median / fastest) |"
    );
    println!("|---|---|---|---|");
    for (path, parse, every) in summary {
        let Some(stem) = Path::new(path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
        else {
            continue;
        };
        let lines = std::fs::read(path).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
        let rows = lines.saturating_sub(1).max(1);
        println!(
            "| {stem} | {rows} | {:.1} / {:.1} | {:.1} / {:.1} |",
            parse.secs / rows as f64 * 1e9,
            parse.best_secs / rows as f64 * 1e9,
            every.secs / every.stories.max(1) as f64 * 1e6,
            every.best_secs / every.stories.max(1) as f64 * 1e6,
        );
    }
}

/// The same every-area job as a plain pandas + Jinja2 script (`benches/compare/`), once per
/// synthetic data set, beside casewire's figure on all threads.
fn compare_with_pandas(python: &str, cases: &[Case], time: bool) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/compare/pandas_jinja.py");
    println!();
    println!(
        "| data | areas x days | pandas + Jinja2 s | peak MB | casewire s | peak MB | faster |"
    );
    println!("|---|---|---|---|---|---|---|");
    for case in cases.iter().filter(|c| c.label.starts_with("synthetic")) {
        let week_end = case.release - chrono::Days::new(4);
        let mut cmd = if time {
            let mut c = Command::new("/usr/bin/time");
            c.arg("-v").arg(python);
            c
        } else {
            Command::new(python)
        };
        let started = Instant::now();
        let out = cmd
            .arg(&script)
            .arg(&case.data)
            .arg(&case.population)
            .arg(week_end.to_string())
            .output()
            .expect("python runs");
        let wall = started.elapsed().as_secs_f64();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rss_kb = time_field(&String::from_utf8_lossy(&out.stderr), MAX_RSS).unwrap_or(0.0);
        let ours = run_child(time, "every", case);
        println!(
            "| {} | {} x {} | {:.2} | {:.0} | {:.3} | {:.0} | {:.0}x |",
            case.label,
            case.areas,
            case.days,
            wall,
            rss_kb / 1024.0,
            ours.secs,
            ours.max_rss_kb as f64 / 1024.0,
            wall / ours.secs,
        );
    }
}

/// What one process of a paired run cost, timed from outside.
struct Cost {
    wall: f64,
    cpu: f64,
    /// Of `cpu`, the kernel's (creating and writing files, mostly).
    sys: f64,
    rss_mb: f64,
}

fn timed(mut cmd: Command) -> Cost {
    let _ = Command::new("sync").status();
    let started = Instant::now();
    let out = cmd.output().expect("the job runs");
    let wall = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let field = |name: &str| time_field(&stderr, name).unwrap_or(0.0);
    Cost {
        wall,
        cpu: field("User time (seconds)") + field("System time (seconds)"),
        sys: field("System time (seconds)"),
        rss_mb: field(MAX_RSS) / 1024.0,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The paired run: for each neighbourhood file, `casewire draft --each-area
/// --universe england` (lint, audit and facts on, every story written) and the pandas +
/// Jinja2 script writing one story per area, one after the other, `runs` times; medians of
/// each and of the runs' ratios, CPU time, peak memory and the bytes written per story.
fn paired(python: &str, cases: &[Case], runs: usize) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/compare/pandas_jinja.py");
    let exe = env!("CARGO_BIN_EXE_casewire");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average before the run: {}", load.trim());
    println!(
        "| data | areas x days | casewire s (median) | pandas + Jinja2 s | ratio (median of pairs) | casewire CPU s | pandas CPU s | casewire peak MB | pandas peak MB | stories | story bytes per story | facts bytes per story (own + shared) | facts files |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    // Every run writes into a folder of its own, and all are removed only at the end, so
    // that no run pays for another's clean-up (see `settle`).
    let cases: Vec<&Case> = cases.iter().filter(|c| c.area_type == "msoa").collect();
    let roots: Vec<PathBuf> = cases
        .iter()
        .map(|c| c.data.with_extension("paired-out"))
        .collect();
    remove_outputs(&roots);
    settle(&roots);
    for (case, root) in cases.iter().zip(&roots) {
        let week_end = case.release - chrono::Days::new(4);
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for n in 0..runs {
            let out = root.join(format!("casewire-{n}"));
            let mut cmd = Command::new("/usr/bin/time");
            cmd.arg("-v").arg(exe);
            cmd.args(["draft", "--each-area", "--universe", "england", "--data"])
                .arg(&case.data)
                .arg("--population")
                .arg(&case.population)
                .arg("--release")
                .arg(case.release.to_string())
                .arg("--out-dir")
                .arg(&out);
            ours.push(timed(cmd));
            let mut cmd = Command::new("/usr/bin/time");
            cmd.arg("-v")
                .arg(python)
                .arg(&script)
                .arg(&case.data)
                .arg(&case.population)
                .arg(week_end.to_string())
                .arg(root.join(format!("pandas-{n}")));
            theirs.push(timed(cmd));
        }
        // Every story's own facts are in one file of the folder and the week's national facts
        // in another: both are the stories' facts, shared out over them.
        let (mut stories, mut story_bytes, mut facts_bytes, mut facts_files) =
            (0u64, 0u64, 0u64, 0u64);
        for e in std::fs::read_dir(root.join("casewire-0"))
            .expect("written")
            .flatten()
        {
            let name = e.file_name().to_string_lossy().into_owned();
            let len = e.metadata().map_or(0, |m| m.len());
            if name.ends_with(".json") {
                facts_bytes += len;
                facts_files += 1;
            } else if name.ends_with(".md") {
                stories += 1;
                story_bytes += len;
            }
        }
        let per = |b: u64| b as f64 / stories.max(1) as f64;
        let ratios: Vec<f64> = ours
            .iter()
            .zip(&theirs)
            .map(|(o, t)| t.wall / o.wall)
            .collect();
        println!(
            "| {} | {} x {} | {:.3} | {:.3} | {:.1}x | {:.2} | {:.2} | {:.0} | {:.0} | {} | {:.0} | {:.0} | {} |",
            case.label,
            case.areas,
            case.days,
            median(ours.iter().map(|c| c.wall).collect()),
            median(theirs.iter().map(|c| c.wall).collect()),
            median(ratios),
            median(ours.iter().map(|c| c.cpu).collect()),
            median(theirs.iter().map(|c| c.cpu).collect()),
            ours.iter().map(|c| c.rss_mb).fold(0.0, f64::max),
            theirs.iter().map(|c| c.rss_mb).fold(0.0, f64::max),
            stories,
            per(story_bytes),
            per(facts_bytes),
            facts_files,
        );
        for (n, (o, t)) in ours.iter().zip(&theirs).enumerate() {
            println!(
                "  run {n}: casewire {:.3} s ({:.2} s CPU, {:.2} s of it system, {:.0} MB), pandas {:.3} s ({:.2} s CPU, {:.2} s system, {:.0} MB)",
                o.wall, o.cpu, o.sys, o.rss_mb, t.wall, t.cpu, t.sys, t.rss_mb
            );
        }
    }
    remove_outputs(&roots);
}

/// The same every-area job through the command line, as a newsroom runs it: `casewire draft
/// --each-area --universe uk`, which also lints and audits every story and writes each with
/// its facts. Timed from outside the process (start-up included), the files written counted.
fn cli_table(cases: &[Case], runs: usize, quick: bool, time: bool) {
    println!();
    println!(
        "| data | areas x days | `draft --each-area` s (median) | fastest | peak MB | stories | files | MB written |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    // Every run writes into a folder of its own, and all are removed at the end, so that no
    // run pays for another's clean-up (see `settle`).
    let roots: Vec<PathBuf> = cases
        .iter()
        .map(|c| c.data.with_extension("cli-out"))
        .collect();
    remove_outputs(&roots);
    settle(&roots);
    for (case, root) in cases.iter().zip(&roots) {
        let small = std::fs::metadata(&case.data).map_or(0, |m| m.len()) < 50_000_000;
        let runs = if small && !quick { 3 * runs } else { runs };
        let mut n = 0;
        let report = median_of(runs, || {
            n += 1;
            run_cli(time, case, &root.join(format!("run-{n}")))
        });
        let (files, bytes) = std::fs::read_dir(root.join("run-1"))
            .map(|d| {
                d.flatten()
                    .filter_map(|e| e.metadata().ok())
                    .fold((0usize, 0u64), |(n, b), m| (n + 1, b + m.len()))
            })
            .unwrap_or_default();
        println!(
            "| {} | {} x {} | {:.3} | {:.3} | {:.0} | {} | {} | {:.1} |",
            case.label,
            case.areas,
            case.days,
            report.secs,
            report.best_secs,
            report.max_rss_kb as f64 / 1024.0,
            report.stories,
            files,
            bytes as f64 / 1e6,
        );
    }
    remove_outputs(&roots);
}

fn run_cli(time: bool, case: &Case, out: &Path) -> Report {
    // Whatever earlier runs left unwritten is flushed before, not during, this one.
    let _ = Command::new("sync").status();
    let exe = env!("CARGO_BIN_EXE_casewire");
    let mut cmd = if time {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-v").arg(exe);
        c
    } else {
        Command::new(exe)
    };
    cmd.args(["draft", "--each-area", "--universe", "uk", "--data"])
        .arg(&case.data)
        .arg("--population")
        .arg(&case.population)
        .arg("--release")
        .arg(case.release.to_string())
        .arg("--out-dir")
        .arg(out);
    let started = Instant::now();
    let output = cmd.output().expect("casewire runs");
    let secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "casewire draft --each-area on {} failed:\n{stderr}",
        case.data.display()
    );
    let max_rss_kb = time_field(&stderr, MAX_RSS).map_or(0, |kb| kb as u64);
    // "[time ]wrote N stories to DIR": the log's lines may open with the time.
    let stories = stderr
        .lines()
        .find_map(|l| {
            l.split_once("wrote ")?
                .1
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0);
    Report {
        secs,
        stories,
        max_rss_kb,
        ..Report::default()
    }
}

fn median_of(runs: usize, mut f: impl FnMut() -> Report) -> Report {
    let mut reports: Vec<Report> = (0..runs).map(|_| f()).collect();
    reports.sort_by(|a, b| a.secs.total_cmp(&b.secs));
    let max_rss = reports.iter().map(|r| r.max_rss_kb).max().unwrap_or(0);
    let mut mid = reports[reports.len() / 2].clone();
    mid.max_rss_kb = max_rss;
    mid.best_secs = reports[0].secs;
    mid
}

fn cases(dir: &Path) -> Vec<Case> {
    let mut out = vec![
        Case {
            label: "real: release 2021-01-18 LTLA".into(),
            data: common::shared("releases/2021-01-18/ltla-reconstructed.csv"),
            population: common::shared("population/mid-2019.csv"),
            patch: common::se_london(),
            area_type: "ltla".into(),
            release: NaiveDate::from_ymd_opt(2021, 1, 18).expect("date"),
            areas: 380,
            days: 48,
        },
        Case {
            label: "real: archive Jul-Sep 2021 LTLA".into(),
            data: common::shared("archive/ltla_2021-07-25_2021-09-10.csv"),
            population: common::shared("population/ONS-population_2021-08-05.csv"),
            patch: common::se_london(),
            area_type: "ltla".into(),
            release: NaiveDate::from_ymd_opt(2021, 8, 27).expect("date"),
            areas: 377,
            days: 48,
        },
    ];
    let synths = [
        (Kind::District, 380, 350),
        (Kind::District, 380, 700),
        (Kind::District, 380, 1_400),
        (Kind::Neighbourhood, 1_698, 700),
        (Kind::Neighbourhood, 3_396, 350),
        (Kind::Neighbourhood, 3_396, 700),
        (Kind::Neighbourhood, 3_396, 1_400),
        (Kind::Neighbourhood, 6_791, 700),
    ];
    for (kind, areas, days) in synths {
        let synth = Synth {
            kind,
            areas,
            days,
            seed: 7,
        };
        let started = Instant::now();
        let (data, population) = synth
            .write(dir)
            .unwrap_or_else(|e| panic!("cannot write synthetic data into {}: {e}", dir.display()));
        if started.elapsed() > Duration::from_millis(200) {
            eprintln!(
                "generated {} in {:.1} s",
                data.display(),
                started.elapsed().as_secs_f64()
            );
        }
        let patch = dir.join(format!("{}-patch.toml", synth.file_stem()));
        write_synth_patch(&patch, &data);
        out.push(Case {
            label: format!("synthetic {}", kind.area_type()),
            data,
            population,
            patch,
            area_type: kind.area_type().into(),
            release: common::synth_release(),
            areas,
            days,
        });
    }
    out
}

/// A five-area patch over the first English areas of a synthetic file, named by code.
fn write_synth_patch(path: &Path, data: &Path) {
    let mut codes: Vec<String> = Vec::new();
    let file = std::fs::File::open(data).expect("just written");
    use std::io::BufRead;
    for line in std::io::BufReader::new(file).lines().skip(1) {
        let line = line.expect("readable");
        let code = line.split(',').next().unwrap_or_default().to_string();
        if code.starts_with('E') && !codes.contains(&code) {
            codes.push(code);
            if codes.len() == 5 {
                break;
            }
        }
    }
    let core: Vec<String> = codes.iter().map(|c| format!("\"{c}\"")).collect();
    let text = format!(
        "publication = \"The Bench Gazette\"\nregion = \"the area\"\ncore = [{}]\n\
         universe = \"england\"\ncalculated_by = \"the data desk\"\n",
        core.join(", ")
    );
    std::fs::write(path, text).expect("bench folder is writable");
}

fn run_child(time: bool, job: &str, case: &Case) -> Report {
    let exe = std::env::current_exe().expect("own path");
    let mut cmd = if time {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-v").arg(exe);
        c
    } else {
        Command::new(exe)
    };
    cmd.arg("--child")
        .arg(job)
        .arg(&case.data)
        .arg(&case.population)
        .arg(&case.patch)
        .arg(&case.area_type)
        .arg(case.release.to_string());
    let out = cmd.output().expect("the bench binary runs itself");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "child {job} on {} failed:\n{stdout}\n{stderr}",
        case.data.display()
    );
    let mut report = Report::default();
    for word in stdout.split_whitespace() {
        let Some((k, v)) = word.split_once('=') else {
            continue;
        };
        match k {
            "secs" => report.secs = v.parse().unwrap_or_default(),
            "parse_secs" => report.parse_secs = v.parse().unwrap_or_default(),
            "stats_secs" => report.stats_secs = v.parse().unwrap_or_default(),
            "stories" => report.stories = v.parse().unwrap_or_default(),
            "bytes" => report.bytes = v.parse().unwrap_or_default(),
            "hwm_kb" => report.max_rss_kb = v.parse().unwrap_or_default(),
            _ => {}
        }
    }
    let field = |name: &str| time_field(&stderr, name);
    if let Some(kb) = field(MAX_RSS) {
        report.max_rss_kb = kb as u64;
    }
    report.cpu_secs =
        field("User time (seconds)").unwrap_or(0.0) + field("System time (seconds)").unwrap_or(0.0);
    report
}

/// The line of `/usr/bin/time -v` that gives the peak memory.
const MAX_RSS: &str = "Maximum resident set size (kbytes)";

/// A figure from the report `/usr/bin/time -v` writes to standard error.
fn time_field(stderr: &str, name: &str) -> Option<f64> {
    stderr
        .lines()
        .find(|l| l.contains(name))
        .and_then(|l| l.rsplit(':').next())
        .and_then(|v| v.trim().parse().ok())
}

/// Peak resident memory of this process so far, kB.
fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// One job, in this process: `--child JOB DATA POPULATION PATCH AREA_TYPE RELEASE`.
fn child(args: &[String]) {
    let [job, data, population, patch, area_type, release] = args else {
        panic!("usage: --child JOB DATA POPULATION PATCH AREA_TYPE RELEASE");
    };
    let data = vec![PathBuf::from(data)];
    let release: NaiveDate = release.parse().expect("release is a date");
    let started = Instant::now();
    let mut parse_secs = 0.0;
    let mut stats_secs = 0.0;
    let mut stories = 0;
    let mut bytes = 0;
    match job.as_str() {
        "parse" => {
            let dataset = load_data(&data).expect("data load");
            parse_secs = started.elapsed().as_secs_f64();
            std::hint::black_box(&dataset);
        }
        "stats" => {
            let dataset = load_data(&data).expect("data load");
            let (population, _) =
                read_population_file(Path::new(population)).expect("population loads");
            parse_secs = started.elapsed().as_secs_f64();
            let week = Week::for_release(release, 4);
            let mut times: Vec<f64> = (0..5)
                .map(|_| {
                    let t = Instant::now();
                    let national =
                        National::compute(&dataset, &population, Universe::Uk, area_type, week);
                    std::hint::black_box(&national);
                    t.elapsed().as_secs_f64()
                })
                .collect();
            times.sort_by(f64::total_cmp);
            stats_secs = times[2];
        }
        "patch" => {
            let request = DraftRequest {
                patch: PathBuf::from(patch),
                data,
                population: PathBuf::from(population),
                release,
                template: None,
                templates: None,
                format: Format::Markdown,
                today: None,
                seed: None,
                archive: None,
                no_audit: false,
                expect_from: None,
            };
            let draft = casewire::draft::draft(&request).expect("the patch story drafts");
            stories = 1;
            bytes = draft.output.len();
        }
        "every" | "every1" => {
            let dataset = load_data(&data).expect("data load");
            parse_secs = started.elapsed().as_secs_f64();
            let t = Instant::now();
            let (population, _) =
                read_population_file(Path::new(population)).expect("population loads");
            let population_secs = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let renderer = Renderer::for_story(None, casewire::draft::EACH_AREA_TEMPLATE)
                .expect("built-in templates load");
            // For a reader of the child's own output; the table does not use them.
            println!(
                "population_secs={population_secs} renderer_secs={}",
                t.elapsed().as_secs_f64()
            );
            let t = Instant::now();
            let national = common::every_area_national(&dataset, &population, area_type, release);
            stats_secs = t.elapsed().as_secs_f64();
            let threads = if job == "every1" {
                1
            } else {
                std::thread::available_parallelism().map_or(1, usize::from)
            };
            let produced =
                common::every_area_stories(&dataset, &national, &renderer, release, threads);
            stories = produced.stories;
            bytes = produced.bytes;
        }
        other => panic!("unknown job {other}"),
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "secs={secs} parse_secs={parse_secs} stats_secs={stats_secs} stories={stories} bytes={bytes} hwm_kb={}",
        vm_hwm_kb()
    );
}
