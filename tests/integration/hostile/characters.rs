//! Cells a spreadsheet would run are neutralised, and characters that break formats or hide
//! (control characters, noncharacters, bidi controls, zero-width and private-use characters)
//! are refused in names, codes and settings, by every reader.

use super::{edited, read_error};
use crate::support::*;

/// Every CSV casewire writes (an edition's table, `fetch --out`'s snapshot) prefixes a text
/// cell that a spreadsheet would run as a formula with `'`; numbers stay numbers.
#[test]
fn csv_cells_a_spreadsheet_would_run_are_neutralised() {
    let formulas = [
        ("<script>alert(1)</script>", "=SUM(A:A)"),
        ("*Bold* _Town_ [link](http://x)", "+Plus Town"),
        ("# Not a heading", "-Minus Town"),
        ("---", "@Mention Town"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let data = edited(
        dir.path(),
        "data/hostile.csv",
        "formulas.csv",
        |mut text| {
            for (from, to) in formulas {
                text = text.replace(&format!("\"{from}\""), &format!("\"{to}\""));
            }
            text
        },
    );
    place_release(dir.path(), "2021-01-18", "formulas.csv", &data, Place::Copy);
    std::fs::copy(
        fixture("patches/hostile.toml"),
        dir.path().join("hostile.toml"),
    )
    .unwrap();
    let config = NewsroomFixture::new(dir.path())
        .source_files("formulas.csv", &fixture("data/hostile-population.csv"))
        .story("hostile", "hostile.toml")
        .write();
    let outcome = publish(&config, None).unwrap();
    assert_eq!(outcome.to_string(), "published 1 for release 2021-01-18");
    let table = std::fs::read_to_string(
        dir.path()
            .join("out/hostile-2021-01-18/hostile-2021-01-18.csv"),
    )
    .unwrap();
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(table.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    let mut names: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "'+Plus Town",
            "'-Minus Town",
            "'=SUM(A:A)",
            "'@Mention Town",
            "Name: with \"quotes\" | pipes"
        ]
    );
    // Codes and figures are left alone: every rate and count still reads as a number.
    for r in &rows {
        assert!(r[0].starts_with("E0900000"), "{r:?}");
        for i in 3..7 {
            r[i].parse::<f64>().unwrap_or_else(|_| panic!("{r:?}"));
        }
    }

    // The snapshot: text cells prefixed, a negative count left a number.
    let mut builder = casewire::model::DatasetBuilder::new();
    casewire::fetch::read_data_file(&mut builder, &data).unwrap();
    let mut dataset = builder.finish().unwrap();
    dataset.areas[0].cases[0] = Some(-5);
    let mut out = Vec::new();
    casewire::fetch::snapshot::write_legacy_csv(&dataset, &mut out).unwrap();
    let snapshot = String::from_utf8(out).unwrap();
    let mut reader = csv::Reader::from_reader(snapshot.as_bytes());
    let cells: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let first_of = |code: &str| cells.iter().find(|c| c[0] == code).unwrap().clone();
    assert_eq!(first_of("E09000001")[1], "'=SUM(A:A)");
    assert_eq!(first_of("E09000003")[1], "'-Minus Town");
    assert!(
        cells.iter().any(|c| c[0] == "E09000001" && c[4] == "-5"),
        "{snapshot}"
    );
    // Tab and carriage return lead cells too, though names holding them are refused on reading.
    for (cell, safe) in [
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-5", "'-5"),
        ("Bromley", "Bromley"),
        ("", ""),
    ] {
        assert_eq!(casewire::lang::spreadsheet_text(cell), safe);
    }
}

/// The characters every reader refuses in a name or code, one of each kind.
const FORBIDDEN: [(char, &str); 18] = [
    ('\u{0}', "a control character"),
    ('\u{1}', "a control character"),
    ('\t', "a control character"),
    ('\u{7f}', "a control character"),
    ('\u{85}', "a control character"),
    ('\u{fffe}', "a noncharacter"),
    ('\u{ffff}', "a noncharacter"),
    ('\u{202e}', "a bidi control"),
    ('\u{202a}', "a bidi control"),
    ('\u{2066}', "a bidi control"),
    ('\u{200f}', "a bidi control"),
    ('\u{61c}', "a bidi control"),
    ('\u{200b}', "a zero-width character"),
    ('\u{200d}', "a zero-width character"),
    ('\u{2060}', "a zero-width character"),
    ('\u{feff}', "a zero-width character"),
    ('\u{e004}', "a private-use character"),
    ('\u{f8ff}', "a private-use character"),
];

/// Control characters (C0, DEL, C1), noncharacters, bidi controls and zero-width characters in
/// an area's name or code are refused by every reader: the fast CSV reader, the general one,
/// JSON, and the population table, naming the file, line, area and code point.
#[test]
fn names_holding_control_bidi_or_zero_width_characters_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let refused = |at: &str| {
        format!(
            "{at}; it would break the front matter or chart, or change the name without showing, so the data are refused"
        )
    };
    let mut tried = 0;
    for (c, kind) in FORBIDDEN {
        let cp = format!("U+{:04X}", c as u32);
        let hostile = format!("Brom{c}ley");
        // The fast reader (the dashboard's layout), then the general one (a `null` count
        // sends the file to it), then JSON.
        for (from, name, edit) in [
            ("data/tiny.csv", "fast.csv", None),
            (
                "data/tiny.csv",
                "general.csv",
                Some((
                    "E09000006,Bromley,ltla,2021-01-17,18",
                    "E09000006,Bromley,ltla,2021-01-17,null",
                )),
            ),
            ("data/tiny-v2.json", "v2.json", None),
        ] {
            let path = edited(dir.path(), from, name, |text| {
                let text = match edit {
                    Some((a, b)) => text.replace(a, b),
                    None => text,
                };
                // JSON carries control characters only as escapes.
                let written = if from.ends_with("json") {
                    format!("Brom\\u{:04X}ley", c as u32)
                } else {
                    hostile.clone()
                };
                text.replacen("Bromley", &written, 1)
            });
            let line = if from.ends_with("json") { 1 } else { 2 };
            let shown = format!("Brom<{cp}>ley");
            assert_eq!(
                read_error(&path),
                refused(&format!(
                    "{}:{line}: area E09000006 (\"{shown}\"): the name holds {cp}, {kind}",
                    path.display()
                )),
                "{c:?} in {name}"
            );
            tried += 1;
        }
        // In a code.
        let path = edited(dir.path(), "data/tiny.csv", "code.csv", |text| {
            text.replace("E09000023", &format!("E0900{c}0023"))
        });
        assert_eq!(
            read_error(&path),
            refused(&format!(
                "{}:19: area E0900<{cp}>0023: the code holds {cp}, {kind}",
                path.display()
            ))
        );
        // In the population table.
        let pop = edited(dir.path(), "data/population.csv", "pop.csv", |text| {
            text.replacen("Bromley", &hostile, 1)
        });
        let err = casewire::fetch::read_population_file(&pop).err().unwrap();
        assert_eq!(
            err.to_string(),
            format!(
                "{}:2: area E09000006: the name holds {cp}, {kind}; the table is refused",
                pop.display()
            )
        );
        tried += 2;
    }
    assert_eq!(tried, FORBIDDEN.len() * 5);
    // Through the command line: exit 1, the message, no story on standard output.
    let path = edited(dir.path(), "data/tiny.csv", "cli.csv", |t| {
        t.replacen("Bromley", "Brom\u{202e}ley", 1)
    });
    let run = Casewire::new()
        .args([
            "draft",
            "--data",
            arg(&path),
            "--population",
            arg(&fixture("data/population.csv")),
        ])
        .args([
            "--patch",
            arg(&fixture("patches/tiny.toml")),
            "--release",
            "2021-01-18",
        ])
        .code(1);
    assert!(
        run.stderr()
            .contains("the name holds U+202E, a bidi control"),
        "{}",
        run.stderr()
    );
    assert_eq!(run.stdout(), "");
}

/// The same characters in a patch's or a newsroom's settings, written as they are or as TOML
/// escapes, are refused naming the file, the line, the setting and the code point.
#[test]
fn settings_holding_control_bidi_or_zero_width_characters_are_refused() {
    let base = std::fs::read_to_string(fixture("patches/tiny.toml")).unwrap();
    let p = std::path::Path::new("/n/tiny.toml");
    let message = |line: usize, key: &str, cp: &str, kind: &str| {
        format!(
            "/n/tiny.toml: line {line}: setting {key} holds {cp}, {kind}; a setting may not hold control, bidi, zero-width or private-use characters or noncharacters"
        )
    };
    let mut tried = 0;
    for (c, kind) in FORBIDDEN {
        let cp = format!("U+{:04X}", c as u32);
        let escape = format!("\\u{:04X}", c as u32);
        // The character itself (where TOML allows it in a string) and its escape.
        let raw_ok = !matches!(c as u32, 0x00..=0x08 | 0x0A..=0x1F | 0x7F);
        for written in [raw_ok.then(|| c.to_string()), Some(escape)]
            .into_iter()
            .flatten()
        {
            for (setting, key, line) in [
                ("region = \"the fixture patch\"", "region", 2),
                ("core = [\"Bromley\", \"Lewisham\"]", "core[1]", 4),
                ("calculated_by = \"the fixture desk\"", "calculated_by", 6),
            ] {
                let hostile = match key {
                    "region" => format!("region = \"the fixture{written} patch\""),
                    "core[1]" => format!("core = [\"Bromley\", \"Lewis{written}ham\"]"),
                    _ => format!("calculated_by = \"the {written}fixture desk\""),
                };
                let text = base.replace(setting, &hostile);
                let err = casewire::config::Patch::parse(p, &text).expect_err("refused");
                assert_eq!(err.to_string(), message(line, key, &cp, kind), "{text}");
                tried += 1;
            }
        }
    }
    assert_eq!(tried, 3 * (FORBIDDEN.len() * 2 - 3));
    // A line break is a control character too: no setting is printed across lines.
    let text = base.replace("the fixture patch", "the fixture\\npatch");
    let err = casewire::config::Patch::parse(p, &text).err().unwrap();
    assert_eq!(
        err.to_string(),
        message(2, "region", "U+000A", "a control character")
    );

    // The newsroom file.
    let newsroom = std::fs::read_to_string(root().join("examples/newsroom.toml")).unwrap();
    let text = newsroom.replacen(
        "name = \"se-london-weekly\"",
        "name = \"se-london\u{202e}weekly\"",
        1,
    );
    let err = casewire::publish::Newsroom::parse(std::path::Path::new("/n/newsroom.toml"), &text)
        .err()
        .unwrap();
    let line = text.lines().position(|l| l.contains('\u{202e}')).unwrap() + 1;
    assert_eq!(
        err.to_string(),
        format!(
            "/n/newsroom.toml: line {line}: setting story[0].name holds U+202E, a bidi control; a setting may not hold control, bidi, zero-width or private-use characters or noncharacters"
        )
    );
}
