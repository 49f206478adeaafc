// The file-writing floor of an every-area run (BENCHMARKS.md, "Issue 15, fourth pass"):
// N pairs of files of a story's and a sidecar's size created with one open and one write
// each in a hidden folder on T threads, then one syncfs, the rename and a syncfs; with a
// fifth argument K, a syncfs every K files on a thread of its own beside the writing.
// Not a cargo target; Linux only, std only:
//   rustc -O --edition 2024 benches/compare/file_floor.rs -o /tmp/file_floor
//   sync; /tmp/file_floor target/floor/run-1 6791 2 sync 0
use std::io::Write;
use std::os::unix::io::AsRawFd;
use std::time::Instant;
unsafe extern "C" { fn syncfs(fd: i32) -> i32; }
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let root = std::path::PathBuf::from(&a[1]);
    let n: usize = a[2].parse().unwrap();
    let threads: usize = a[3].parse().unwrap();
    let sync = a.get(4).map_or(true, |s| s != "nosync");
    let story = vec![b'x'; 1564];
    let facts = vec![b'y'; 3100];
    std::fs::create_dir_all(&root).unwrap();
    let hidden = root.join(".hidden-out");
    let t0 = Instant::now();
    std::fs::create_dir(&hidden).unwrap();
    let every: usize = a.get(5).map_or(0, |s| s.parse().unwrap());
    let count = std::sync::atomic::AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let dirfd = std::fs::File::open(&hidden).unwrap();
    let flusher = std::thread::spawn(move || { while rx.recv().is_ok() { unsafe { syncfs(dirfd.as_raw_fd()); } } });
    std::thread::scope(|s| {
        for t in 0..threads {
            let (count, tx) = (&count, tx.clone());
            let (hidden, story, facts) = (&hidden, &story, &facts);
            s.spawn(move || {
                for i in (t..n).step_by(threads) {
                    for (name, bytes) in [(format!("area-{i:05}.facts.json"), facts), (format!("area-{i:05}.md"), story)] {
                        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(hidden.join(name)).unwrap();
                        f.write_all(bytes).unwrap();
                        if every > 0 && count.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % every == every - 1 { let _ = tx.send(()); }
                    }
                }
            });
        }
    });
    drop(tx); flusher.join().unwrap();
    std::fs::write(hidden.join("shared_facts.json"), vec![b'z'; 24000]).unwrap();
    let t1 = Instant::now();
    if sync { unsafe { syncfs(std::fs::File::open(&hidden).unwrap().as_raw_fd()); } }
    let t2 = Instant::now();
    std::fs::rename(&hidden, root.join("out")).unwrap();
    if sync { unsafe { syncfs(std::fs::File::open(&root).unwrap().as_raw_fd()); } }
    let t3 = Instant::now();
    println!("{} files on {threads} thread(s): create+write {:.3} s, syncfs {:.3} s, rename+syncfs {:.3} s, total {:.3} s",
        2*n+1, (t1-t0).as_secs_f64(), (t2-t1).as_secs_f64(), (t3-t2).as_secs_f64(), (t3-t0).as_secs_f64());
}
