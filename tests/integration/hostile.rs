//! Hostile strings: names and settings full of Markdown, HTML and YAML metacharacters must print
//! as text and never change a story's structure, front matter or file layout.

use casewire::draft::{draft, slug};

use crate::support::*;

fn hostile() -> casewire::draft::Draft {
    draft(&request(
        fixture("patches/hostile.toml"),
        vec![fixture("data/hostile.csv")],
        fixture("data/hostile-population.csv"),
        "2021-01-18",
    ))
    .unwrap()
}

#[test]
fn names_print_as_text_in_markdown() {
    let d = hostile();
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&d.output));
    assert!(!html.contains("<script>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        !html.contains("<em>") && !html.contains("<strong>"),
        "{html}"
    );
    assert!(!html.contains("<a href"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    // Only the template's own headline is a heading.
    assert_eq!(html.matches("<h1>").count(), 1, "{html}");
    assert!(!html.contains("<h2>") && !html.contains("<hr"), "{html}");
    assert!(html.contains("*Bold* _Town_ [link](http://x)"), "{html}");
    // The view model keeps the names as they are.
    assert!(
        d.story
            .core
            .iter()
            .any(|a| a.name == "<script>alert(1)</script>")
    );
}

#[test]
fn slugs_never_leave_the_output_folder() {
    for (name, code) in [
        ("../../etc/passwd", "E1"),
        ("/absolute/path", "E2"),
        ("nul\0byte", "E3"),
        ("..", ".."),
        ("<script>", "E09000001"),
    ] {
        let s = slug(name, code);
        assert!(
            !s.contains('/') && !s.contains('\\') && !s.contains("..") && !s.contains('\0'),
            "{s}"
        );
        assert!(!s.is_empty() && s.len() <= 100, "{s}");
        let joined = std::path::Path::new("/out").join(format!("{s}.md"));
        assert_eq!(joined.parent(), Some(std::path::Path::new("/out")), "{s}");
    }
}

/// A publish run over the hostile names, with a patch whose settings are hostile too: the
/// front matter is YAML with exactly its own keys, the body stays text, the chart is XML
/// with no script in it, the table's CSV gives the names back (a formula-like one behind a
/// `'`).
#[test]
fn published_files_keep_hostile_names_and_settings_as_text() {
    let dir = tempfile::tempdir().unwrap();
    place_release(
        dir.path(),
        "2021-01-18",
        "hostile.csv",
        &fixture("data/hostile.csv"),
        Place::Copy,
    );
    let patch = std::fs::read_to_string(fixture("patches/hostile.toml"))
        .unwrap()
        .replace(
            r#"publication = "Hostile Herald""#,
            r#"publication = "The \"Herald\": --- <script>x</script>""#,
        )
        .replace(
            r#"region = "the *test* patch""#,
            r#"region = "the *test* patch: --- # not: a heading""#,
        );
    std::fs::write(dir.path().join("hostile.toml"), patch).unwrap();
    let config = NewsroomFixture::new(dir.path())
        .source_files("hostile.csv", &fixture("data/hostile-population.csv"))
        .story("hostile", "hostile.toml")
        .write();
    let outcome = publish(&config, None).unwrap();
    assert_eq!(outcome.to_string(), "published 1 for release 2021-01-18");
    let out = dir.path().join("out");
    let names = [
        "<script>alert(1)</script>",
        "*Bold* _Town_ [link](http://x)",
        "# Not a heading",
        "---",
        "Name: with \"quotes\" | pipes",
    ];

    // Front matter: one YAML document with exactly the generator's keys.
    let md = std::fs::read_to_string(out.join("hostile-2021-01-18/index.md")).unwrap();
    let rest = md.strip_prefix("---\n").expect("front matter first");
    let (front, body) = rest.split_once("\n---\n").expect("front matter closed");
    let docs = yaml_rust2::YamlLoader::load_from_str(front).unwrap();
    assert_eq!(docs.len(), 1);
    let hash = docs[0].as_hash().expect("a mapping");
    let keys: Vec<&str> = hash.keys().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "title",
            "description",
            "date",
            "slug",
            "tags",
            "area_codes",
            "data_release",
            "week_start",
            "week_end",
            "generator",
            "data_sha256",
            "templates_sha256",
            "seed",
            "image",
            "data"
        ]
    );
    let tags: Vec<&str> = docs[0]["tags"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for name in names {
        assert!(tags.contains(&name), "{name} not in {tags:?}");
    }
    assert_eq!(docs[0]["slug"].as_str(), Some("hostile-2021-01-18"));

    // The body: text, with no structure the names or settings brought in.
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(body));
    // The one link of casewire's own, to the chart's data beside the page.
    let data_link = "<a href=\"hostile-2021-01-18.csv\">";
    assert_eq!(html.matches("<a href").count(), 1, "{html}");
    let html = html.replace(data_link, "");
    for bad in [
        "<script", "<h1", "<h2", "<hr", "<em>", "<strong>", "<a href", "<b>",
    ] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }

    // The chart: well-formed XML, names as text, no script element.
    let svg =
        std::fs::read_to_string(out.join("hostile-2021-01-18/hostile-2021-01-18.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(!doc.descendants().any(|n| n.has_tag_name("script")));
    let text: String = doc
        .descendants()
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("<script>alert(1)</script>"), "{text}");

    // The table: the names back as they were, but for the `'` a spreadsheet reads as "text"
    // before a cell it would otherwise run as a formula ("---").
    let csv_text =
        std::fs::read_to_string(out.join("hostile-2021-01-18/hostile-2021-01-18.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let cells: Vec<String> = reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect();
    for name in names {
        let cell = if name.starts_with('-') {
            format!("'{name}")
        } else {
            name.to_string()
        };
        assert!(cells.contains(&cell), "{cell} not in {cells:?}");
    }
}

/// A story's name becomes file names: anything that could leave the output folder is refused.
#[test]
fn story_names_that_could_leave_the_output_folder_are_refused() {
    let base = std::fs::read_to_string(root().join("examples/newsroom.toml")).unwrap();
    let first = base
        .lines()
        .find(|l| l.trim_start().starts_with("name ="))
        .expect("the example names a story")
        .to_string();
    for name in [
        "../escape",
        "/etc/cron.d/x",
        "a/b",
        "nul\\u0000byte",
        "..",
        "UPPER",
        "",
        &"x".repeat(300),
    ] {
        let text = base.replacen(&first, &format!("name = \"{name}\""), 1);
        let err =
            casewire::publish::Newsroom::parse(std::path::Path::new("/n/newsroom.toml"), &text)
                .err();
        let long_but_plain = name.len() == 300;
        if long_but_plain {
            // Plain, only long: accepted, and its file names stay in the folder.
            continue;
        }
        assert!(err.is_some(), "{name:?} was accepted");
    }
}

/// Any value printed at the start of a line or mid-sentence stays one paragraph of text:
/// line breaks, list marks, setext underlines, thematic breaks, headings, HTML.
#[test]
fn escaped_values_never_open_a_block() {
    for value in [
        "- list",
        "+ list",
        "* list",
        "1. item",
        "12) item",
        "=",
        "===",
        "---",
        "a\n---\nb",
        "x\n# heading",
        "x\r\n> quote",
        "x\u{2028}- y",
        "<div>block</div>",
        "    indented code",
        "`code`",
        "[link](javascript:alert(1))",
        "![img](x.png)",
        "a | b |\n|---|---|",
    ] {
        let escaped = casewire::lang::markdown_text(value);
        for line in [
            format!("{escaped} has the highest rate."),
            format!("The rate in {escaped} rose."),
        ] {
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&line));
            let inner = html
                .trim_end()
                .strip_prefix("<p>")
                .and_then(|h| h.strip_suffix("</p>"));
            let Some(inner) = inner.map(|i| i.trim_start()) else {
                panic!("{value:?} made {html:?}");
            };
            assert!(
                !inner.contains('<') && !inner.contains('\n'),
                "{value:?} made {html:?}"
            );
        }
    }
    // Ordinary figures and names are left alone.
    for plain in ["834.7", "-5", "Stockton-on-Tees", "1,234", "St. Helens"] {
        assert_eq!(casewire::lang::markdown_text(plain), plain);
    }
}

// ---------------------------------------------------------------------------------------------
// Cells a spreadsheet would run, characters that break formats or hide, names that collide.

/// A copy of a fixture, edited, in `dir`.
fn edited(
    dir: &std::path::Path,
    from: &str,
    name: &str,
    edit: impl Fn(String) -> String,
) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, edit(std::fs::read_to_string(fixture(from)).unwrap())).unwrap();
    path
}

fn draft_error(
    patch: std::path::PathBuf,
    data: std::path::PathBuf,
    population: std::path::PathBuf,
) -> String {
    draft(&request(patch, vec![data], population, "2021-01-18"))
        .expect_err("refused")
        .to_string()
}

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

fn read_error(path: &std::path::Path) -> String {
    let mut builder = casewire::model::DatasetBuilder::new();
    match casewire::fetch::read_data_file(&mut builder, path) {
        Err(e) => e.to_string(),
        Ok(_) => builder.finish().expect_err("refused").to_string(),
    }
}

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

/// Two areas whose codes differ only in case or punctuation, or whose every-area file names
/// are the same, are refused naming both, before anything is written.
#[test]
fn codes_differing_only_in_case_or_punctuation_are_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let dartford = |text: &str, code: &str, name: &str| -> String {
        let extra: String = text
            .lines()
            .filter(|l| l.starts_with("E07000107,"))
            .map(|l| {
                format!(
                    "{}\n",
                    l.replace("E07000107,Dartford", &format!("{code},{name}"))
                )
            })
            .collect();
        format!("{text}{extra}")
    };
    let tail = "one place would be counted twice or written over, so the data are refused";
    for (code, name, why) in [
        (
            "e07000107",
            "Dartford",
            "Dartford (E07000107) and Dartford (e07000107), have codes that differ only in case or punctuation",
        ),
        (
            "E07-000107",
            "Dartford",
            "Dartford (E07-000107) and Dartford (E07000107), have codes that differ only in case or punctuation",
        ),
        (
            "E07 000107",
            "Dartford!",
            "Dartford! (E07 000107) and Dartford (E07000107), have codes that differ only in case or punctuation",
        ),
    ] {
        let path = edited(dir.path(), "data/tiny.csv", "twice.csv", |t| {
            dartford(&t, code, name)
        });
        assert_eq!(
            read_error(&path),
            format!("two ltla areas, {why}; {tail}"),
            "{code}"
        );
    }
    // Codes that differ, but a name and code that run together into one file name.
    let path = edited(dir.path(), "data/tiny.csv", "twice.csv", |t| {
        dartford(&dartford(&t, "C1", "A B"), "B C1", "A")
    });
    assert_eq!(
        read_error(&path),
        format!(
            "two ltla areas, A (B C1) and A B (C1), would both be written as a-b-c1.md; {tail}"
        )
    );
    // An every-area run writes nothing.
    let path = edited(dir.path(), "data/tiny.csv", "twice.csv", |t| {
        dartford(&t, "e07000107", "Dartford")
    });
    let out = dir.path().join("stories");
    let run = Casewire::new()
        .args([
            "draft",
            "--each-area",
            "--out-dir",
            arg(&out),
            "--data",
            arg(&path),
        ])
        .args([
            "--population",
            arg(&fixture("data/population.csv")),
            "--release",
            "2021-01-18",
        ])
        .code(1);
    assert!(
        run.stderr()
            .contains("Dartford (E07000107) and Dartford (e07000107)"),
        "{}",
        run.stderr()
    );
    assert!(!out.exists());
}

/// A patch naming an area by a name two codes carry is refused, listing the codes.
#[test]
fn a_patch_name_two_codes_carry_is_refused_listing_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = edited(dir.path(), "data/tiny.csv", "two.csv", |text| {
        let copy: String = text
            .lines()
            .filter(|l| l.starts_with("E09000006,"))
            .map(|l| format!("{}\n", l.replace("E09000006", "E09000099")))
            .collect();
        format!("{text}{copy}")
    });
    let patch = fixture("patches/tiny.toml");
    assert_eq!(
        draft_error(patch.clone(), data.clone(), fixture("data/population.csv")),
        format!(
            "{}: area \"Bromley\" is the name of 2 ltla areas in the data (E09000006 and E09000099); name the one meant by its code",
            patch.display()
        )
    );
    // By its code, either is found.
    let by_code = edited(dir.path(), "patches/tiny.toml", "by-code.toml", |t| {
        t.replace("\"Bromley\"", "\"E09000006\"")
    });
    let pop = edited(dir.path(), "data/population.csv", "pop.csv", |t| {
        format!("{t}E09000099,Bromley,332336\n")
    });
    draft(&request(by_code, vec![data], pop, "2021-01-18")).unwrap();
}

/// A patch area outside the story's universe is an error naming the area and the universe,
/// not a story that says the area "is not counted in England".
#[test]
fn a_patch_area_outside_the_universe_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = edited(dir.path(), "data/tiny.csv", "glasgow.csv", |text| {
        let copy: String = text
            .lines()
            .filter(|l| l.starts_with("E07000107,"))
            .map(|l| {
                format!(
                    "{}\n",
                    l.replace("E07000107,Dartford", "S12000049,Glasgow City")
                )
            })
            .collect();
        format!("{text}{copy}")
    });
    let pop = edited(dir.path(), "data/population.csv", "pop.csv", |t| {
        format!("{t}S12000049,Glasgow City,633120\n")
    });
    for (list, edit) in [
        ("core", "core = [\"Bromley\", \"Glasgow City\"]"),
        ("nearby", "nearby = [\"Dartford\", \"S12000049\"]"),
    ] {
        let patch = edited(dir.path(), "patches/tiny.toml", "glasgow.toml", |t| {
            t.replace(
                "core = [\"Bromley\", \"Lewisham\"]",
                if list == "core" {
                    edit
                } else {
                    "core = [\"Bromley\", \"Lewisham\"]"
                },
            )
            .replace(
                "nearby = [\"Dartford\"]",
                if list == "nearby" {
                    edit
                } else {
                    "nearby = [\"Dartford\"]"
                },
            )
        });
        let name = if list == "core" {
            "Glasgow City"
        } else {
            "S12000049"
        };
        assert_eq!(
            draft_error(patch.clone(), data.clone(), pop.clone()),
            format!(
                "{}: area \"{name}\" (S12000049) is outside the story's universe, England, whose figures the story compares; remove it, or set universe = \"uk\"",
                patch.display()
            )
        );
    }
    // With the UK as the universe, Glasgow is in it.
    let patch = edited(dir.path(), "patches/tiny.toml", "uk.toml", |t| {
        format!(
            "{}\nuniverse = \"uk\"\n",
            t.replace(
                "core = [\"Bromley\", \"Lewisham\"]",
                "core = [\"Bromley\", \"Glasgow City\"]"
            )
        )
    });
    let d = draft(&request(patch, vec![data], pop, "2021-01-18")).unwrap();
    assert!(d.story.core.iter().any(|a| a.code == "S12000049"));
}

// ---------------------------------------------------------------------------------------------
// Populations no real area has.

fn population_gate(
    data: &casewire::model::Dataset,
    population: &casewire::model::Population,
    previous: Option<&casewire::model::Population>,
) -> Vec<String> {
    let universe: std::collections::BTreeSet<String> =
        data.areas.iter().map(|a| a.code.clone()).collect();
    let config = casewire::gates::GateConfig::default();
    let report = casewire::gates::check_inputs(&casewire::gates::GateInput {
        dataset: data,
        area_type: "ltla",
        universe: &universe,
        release: date("2021-01-18"),
        week_end: date("2021-01-14"),
        today: None,
        population,
        previous_population: previous,
        previous_dataset: None,
        config: &config,
    });
    report
        .of_gate(casewire::gates::Gate::ImplausiblePopulation)
        .iter()
        .map(|f| f.to_string())
        .collect()
}

/// A population of 0, one above any UK area's (2^63−1 made every rate 0.0 and a new leader),
/// or one ten times from the previous table's or from the one the source's own rolling rate
/// implies, is the `implausible-population` gate's error, naming the area and the value.
#[test]
fn implausible_populations_are_a_gate_error_naming_area_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let mut builder = casewire::model::DatasetBuilder::new();
    casewire::fetch::read_data_file(&mut builder, &fixture("data/tiny.csv")).unwrap();
    let data = builder.finish().unwrap();
    let table = |rows: &str| {
        let path = dir.path().join("pop.csv");
        std::fs::write(&path, format!("areaCode,areaName,population\n{rows}")).unwrap();
        casewire::fetch::read_population_file(&path).unwrap().0
    };
    let normal = "E09000023,Lewisham,305842\nE07000107,Dartford,113775\n";
    let label = dir.path().join("pop.csv").display().to_string();
    let max = table(&format!("E09000006,Bromley,9223372036854775807\n{normal}"));
    assert_eq!(
        population_gate(&data, &max, None),
        [format!(
            "error: implausible-population: Bromley (E09000006): population 9,223,372,036,854,775,807 in {label} is above 20,000,000, more than any UK area holds; every rate of the area would be wrong"
        )]
    );
    let big = table(&format!("E09000006,Bromley,25000000\n{normal}"));
    assert_eq!(population_gate(&data, &big, None).len(), 1);
    // Ten times the previous table's.
    let previous = table(&format!("E09000006,Bromley,332336\n{normal}"));
    let tenfold = table(&format!("E09000006,Bromley,3323361\n{normal}"));
    assert_eq!(
        population_gate(&data, &tenfold, Some(&previous)),
        [format!(
            "error: implausible-population: Bromley (E09000006): population 3,323,361 in {label} is more than 10 times from 332,336 in {label}"
        )]
    );
    assert!(population_gate(&data, &previous, Some(&previous)).is_empty());
    // The rate the source published (and its sum) imply Bromley's population.
    let mut builder = casewire::model::DatasetBuilder::new();
    let rolling = dir.path().join("rolling.csv");
    let text = std::fs::read_to_string(fixture("data/tiny.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = format!(
        "{},newCasesBySpecimenDateRollingSum,newCasesBySpecimenDateRollingRate\n",
        lines.next().unwrap()
    );
    for l in lines {
        let extra = if l.starts_with("E09000006,Bromley,ltla,2021-01-14,") {
            "165,49.6"
        } else {
            ","
        };
        out.push_str(&format!("{l},{extra}\n"));
    }
    std::fs::write(&rolling, out).unwrap();
    casewire::fetch::read_data_file(&mut builder, &rolling).unwrap();
    let with_rates = builder.finish().unwrap();
    let small = table(&format!("E09000006,Bromley,30000\n{normal}"));
    assert_eq!(
        population_gate(&with_rates, &small, None),
        [format!(
            "error: implausible-population: Bromley (E09000006): population 30,000 in {label} is more than 10 times from the 332,661 the source's own rolling rate and sum imply"
        )]
    );
    assert!(population_gate(&with_rates, &previous, None).is_empty());
    // 0: a table never holds it (refused on reading), and a population built with it is the gate's.
    std::fs::write(
        dir.path().join("zero.csv"),
        format!("areaCode,areaName,population\nE09000006,Bromley,0\n{normal}"),
    )
    .unwrap();
    let zero = dir.path().join("zero.csv");
    assert_eq!(
        casewire::fetch::read_population_file(&zero)
            .err()
            .unwrap()
            .to_string(),
        format!(
            "{}:2: population of E09000006 is \"0\", not a positive whole number",
            zero.display()
        )
    );
    let mut built = previous.clone();
    built.by_code.insert("E09000006".into(), 0);
    assert_eq!(
        population_gate(&data, &built, None),
        [format!(
            "error: implausible-population: Bromley (E09000006): population is 0 in {label}; no area has no people"
        )]
    );

    // Through the command line: refused; made a warning in the patch, drafted with it.
    let pop = dir.path().join("max.csv");
    std::fs::write(
        &pop,
        format!("areaCode,areaName,population\nE09000006,Bromley,9223372036854775807\n{normal}"),
    )
    .unwrap();
    let cli = |patch: &std::path::Path| {
        Casewire::new()
            .args([
                "draft",
                "--data",
                arg(&fixture("data/tiny.csv")),
                "--population",
                arg(&pop),
            ])
            .args(["--patch", arg(patch), "--release", "2021-01-18"])
    };
    let run = cli(&fixture("patches/tiny.toml")).code(3);
    assert!(run.stderr().contains("the data failed 1 input check(s); no story was written:\n  error: implausible-population: Bromley (E09000006): population 9,223,372,036,854,775,807"), "{}", run.stderr());
    let warn = edited(dir.path(), "patches/tiny.toml", "warn.toml", |t| {
        format!("{t}\n[gates.severity]\nimplausible_population = \"warn\"\n")
    });
    let run = cli(&warn).success();
    assert!(run.stderr().contains("warning: implausible-population: Bromley (E09000006): population 9,223,372,036,854,775,807"), "{}", run.stderr());
}

// ---------------------------------------------------------------------------------------------
// `--out`: never an input, a device, a pipe, a folder or a symbolic link; `-` is standard output.

fn tiny_draft(out: &std::path::Path, patch: &std::path::Path, data: &std::path::Path) -> Casewire {
    Casewire::new()
        .args([
            "draft",
            "--data",
            arg(data),
            "--population",
            arg(&fixture("data/population.csv")),
        ])
        .args([
            "--patch",
            arg(patch),
            "--release",
            "2021-01-18",
            "--out",
            arg(out),
        ])
}

/// `--out` naming an input of the run (the patch, a data file, the population table, by
/// another spelling or a hard link) is refused, and the input is unchanged.
#[test]
fn out_refuses_an_input_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let patch = edited(dir.path(), "patches/tiny.toml", "tiny.toml", |t| t);
    let data = edited(dir.path(), "data/tiny.csv", "tiny.csv", |t| t);
    let linked = dir.path().join("linked.csv");
    std::fs::hard_link(&data, &linked).unwrap();
    let before = (
        std::fs::read(&patch).unwrap(),
        std::fs::read(&data).unwrap(),
    );
    let spelled = dir.path().join(".").join("tiny.toml");
    for (out, input) in [
        (&patch, &patch),
        (&spelled, &patch),
        (&data, &data),
        (&linked, &data),
    ] {
        let run = tiny_draft(out, &patch, &data).code(1);
        assert_eq!(
            run.stderr(),
            format!(
                "error: refusing to write {}: it is the run's input {}\n",
                out.display(),
                input.display()
            )
        );
    }
    let pop = fixture("data/population.csv");
    let run = tiny_draft(&pop, &patch, &data).code(1);
    assert!(
        run.stderr().contains("it is the run's input"),
        "{}",
        run.stderr()
    );
    // The sidecar beside an --out is checked too: story.csv's is story.csv.facts.json.
    let sidecar_of = dir.path().join("x");
    std::fs::rename(&data, dir.path().join("x.facts.json")).unwrap();
    let moved = dir.path().join("x.facts.json");
    let run = tiny_draft(&sidecar_of, &patch, &moved).code(1);
    assert!(
        run.stderr()
            .contains(&format!("refusing to write {}", moved.display())),
        "{}",
        run.stderr()
    );
    assert_eq!(
        (
            std::fs::read(&patch).unwrap(),
            std::fs::read(&moved).unwrap()
        ),
        before
    );
}

/// `--out` naming a device, a named pipe or a folder is refused: none is replaced by a file.
#[test]
fn out_refuses_a_device_a_pipe_or_a_folder() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    let (patch, data) = (fixture("patches/tiny.toml"), fixture("data/tiny.csv"));
    for (out, kind) in [
        (std::path::PathBuf::from("/dev/full"), "a device"),
        (std::path::PathBuf::from("/dev/null"), "a device"),
        (fifo.clone(), "a named pipe"),
        (folder.clone(), "a folder"),
    ] {
        let run = tiny_draft(&out, &patch, &data).code(1);
        assert_eq!(
            run.stderr(),
            format!(
                "error: refusing to write {}: it is {kind}, not a regular file\n",
                out.display()
            )
        );
    }
    assert!(
        std::fs::metadata("/dev/full")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
}

/// `--out` naming a symbolic link is refused, and the link and the file it names are left as
/// they were (a write through a temporary file and a rename would replace the link).
#[test]
fn out_refuses_a_symlink_and_leaves_it() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.md");
    std::fs::write(&target, "kept\n").unwrap();
    let link = dir.path().join("story.md");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let run = tiny_draft(
        &link,
        &fixture("patches/tiny.toml"),
        &fixture("data/tiny.csv"),
    )
    .code(1);
    assert_eq!(
        run.stderr(),
        format!(
            "error: refusing to write {}: it is a symbolic link (to {}), which writing would replace; give the file it points to instead\n",
            link.display(),
            target.display()
        )
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "kept\n");
    assert!(!dir.path().join("story.facts.json").exists());
    // A dangling link is refused the same way.
    let dangling = dir.path().join("dangling.md");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
    let run = tiny_draft(
        &dangling,
        &fixture("patches/tiny.toml"),
        &fixture("data/tiny.csv"),
    )
    .code(1);
    assert!(
        run.stderr().contains("it is a symbolic link"),
        "{}",
        run.stderr()
    );
    assert!(!dir.path().join("nowhere").exists());
}

/// `--out -` is standard output: the story printed, no file named `-` written.
#[test]
fn out_dash_is_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let (patch, data) = (fixture("patches/tiny.toml"), fixture("data/tiny.csv"));
    let plain = Casewire::new()
        .args([
            "draft",
            "--data",
            arg(&data),
            "--population",
            arg(&fixture("data/population.csv")),
        ])
        .args(["--patch", arg(&patch), "--release", "2021-01-18"])
        .success();
    let dash = tiny_draft(std::path::Path::new("-"), &patch, &data)
        .current_dir(dir.path())
        .success();
    assert!(!plain.stdout().is_empty());
    assert_eq!(dash.stdout(), plain.stdout());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// An every-area run whose folder holds a symbolic link under a story's file name, or whose
/// folder is a file, is refused before anything is written, and the link is left.
#[test]
fn each_area_out_dir_refuses_a_symlinked_story_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stories");
    std::fs::create_dir(&out).unwrap();
    let target = dir.path().join("elsewhere.md");
    std::fs::write(&target, "kept\n").unwrap();
    let link = out.join("bromley-e09000006.md");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let each = |out: &std::path::Path| {
        Casewire::new()
            .args([
                "draft",
                "--each-area",
                "--out-dir",
                arg(out),
                "--data",
                arg(&fixture("data/tiny.csv")),
            ])
            .args([
                "--population",
                arg(&fixture("data/population.csv")),
                "--release",
                "2021-01-18",
            ])
    };
    let run = each(&out).code(1);
    assert!(
        run.stderr().contains(&format!(
            "error: refusing to write {}: it is a symbolic link (to {})",
            link.display(),
            target.display()
        )),
        "{}",
        run.stderr()
    );
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [std::ffi::OsString::from("bromley-e09000006.md")]);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "kept\n");
    let run = each(&target).code(1);
    assert_eq!(
        run.stderr(),
        format!(
            "error: refusing to write into {}: it is a regular file, not a folder\n",
            target.display()
        )
    );
}

/// `fetch --out` naming the archive, or a symbolic link, is refused before any request.
#[test]
fn fetch_out_refuses_the_archive_and_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive.sqlite");
    std::fs::write(&archive, "").unwrap();
    let link = dir.path().join("snapshot.csv");
    std::os::unix::fs::symlink(&archive, &link).unwrap();
    for (out, why) in [
        (
            &archive,
            format!("it is the run's input {}", archive.display()),
        ),
        (
            &link,
            format!(
                "it is a symbolic link (to {}), which writing would replace; give the file it points to instead",
                archive.display()
            ),
        ),
    ] {
        let run = Casewire::new()
            .args([
                "fetch",
                "--source",
                "legacy-v2",
                "--area-type",
                "ltla",
                "--release",
                "2021-01-18",
            ])
            .args([
                "--base-url",
                "http://127.0.0.1:9",
                "--archive",
                arg(&archive),
                "--contact",
                "tests@example.com",
            ])
            .args(["--out", arg(out)])
            .code(1);
        assert_eq!(
            run.stderr(),
            format!("error: refusing to write {}: {why}\n", out.display())
        );
    }
    assert_eq!(std::fs::read(&archive).unwrap(), b"");
}

// ---------------------------------------------------------------------------------------------
// Memory: CSV with Windows line ends is streamed.

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
