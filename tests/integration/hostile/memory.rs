//! Memory: CSV with Windows line ends reads as with Unix ones and is streamed, a large file in
//! bounded memory.

use super::read_error;
use crate::support::*;

/// The dashboard's CSV with Windows line ends reads exactly as with Unix line ends, and so
/// does a CRLF file whose lines the fast reader does not take (the general reader streams
/// it); which reader takes which is a unit test of `fetch::file`.
#[test]
fn crlf_csv_reads_as_lf_and_is_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let lf = std::fs::read_to_string(fixture("data/tiny.csv")).unwrap();
    let crlf = lf.replace('\n', "\r\n");
    let read = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let mut builder = casewire::model::DatasetBuilder::new();
        casewire::fetch::read_data_file(&mut builder, &path).unwrap();
        builder.finish().unwrap().areas
    };
    let want = read("lf.csv", &lf);
    assert_eq!(read("crlf.csv", &crlf), want);
    // Padding sends the file to the general reader.
    let padded = crlf.replacen(",18\r\n", ", 18\r\n", 1);
    assert_eq!(read("padded.csv", &padded), want);
    // A blank count, a mixed file, a CRLF file cut short.
    let blank = crlf.replacen(",18\r\n", ",\r\n", 1);
    let bromley = read("blank.csv", &blank)
        .into_iter()
        .find(|a| a.code == "E09000006")
        .unwrap();
    assert_eq!(bromley.cases.last(), Some(&None));
    let mixed = lf.replacen('\n', "\r\n", 10);
    assert_eq!(read("mixed.csv", &mixed), want);
    let cut = dir.path().join("cut.csv");
    std::fs::write(&cut, &crlf[..crlf.len() - 2]).unwrap();
    assert_eq!(
        read_error(&cut),
        format!(
            "{}:52: the last line is not complete (the file ends without a newline): the file was cut short, and is not read as a release",
            cut.display()
        )
    );
}

/// A 60 MB dashboard CSV with Windows line ends is read with the process's data limited to
/// 48 MB (`ulimit -d`), less than the file: it is streamed, never read whole (the old reader
/// read such a file into memory whole, and ran out). Every area is read: the error names the
/// data's whole span.
#[test]
fn a_large_crlf_csv_is_read_in_bounded_memory() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    out.write_all(b"areaCode,areaName,areaType,date,newCasesBySpecimenDate\r\n")
        .unwrap();
    let end = date("2021-01-17");
    let days: Vec<String> = (0..4000)
        .map(|d| (end - chrono::Days::new(d)).to_string())
        .collect();
    for a in 0..400 {
        for (d, day) in days.iter().enumerate() {
            write!(
                out,
                "E{:08},Area {a},ltla,{day},{}\r\n",
                6_000_000 + a,
                (a + d) % 50
            )
            .unwrap();
        }
    }
    out.flush().unwrap();
    drop(out);
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 60_000_000, "{size}");
    let pop = dir.path().join("pop.csv");
    let rows: String = (0..400)
        .map(|a| format!("E{:08},Area {a},100000\n", 6_000_000 + a))
        .collect();
    std::fs::write(&pop, format!("areaCode,areaName,population\n{rows}")).unwrap();
    let patch = dir.path().join("p.toml");
    std::fs::write(
        &patch,
        "publication = \"P\"\nregion = \"R\"\ncore = [\"Area 1\"]\ncalculated_by = \"us\"\n",
    )
    .unwrap();
    let run = Casewire::under(
        "sh",
        &["-c", "ulimit -d 49152 && exec \"$0\" draft --data \"$1\" --population \"$2\" --patch \"$3\" --release 2030-01-18"],
    )
    .args([arg(&path), arg(&pop), arg(&patch)])
    .code(1);
    assert_eq!(
        run.stderr(),
        format!(
            "error: release 2030-01-18 needs data from 2030-01-01 to 2030-01-14 (the seven days to 2030-01-14 and the week before), but {} run from 2010-02-05 to 2021-01-17\n",
            path.display()
        )
    );
}
