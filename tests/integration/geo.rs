//! The geography register and print names against the real dashboard files.

use std::collections::BTreeSet;

use casewire::geo::{self, Nation, Register};
use chrono::NaiveDate;

use crate::support::shared;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn codes_in(rel: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(shared(rel)).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .map(String::from)
        .collect()
}

fn owned(set: BTreeSet<&'static str>) -> BTreeSet<String> {
    set.into_iter().map(String::from).collect()
}

fn england(set: &BTreeSet<String>) -> usize {
    set.iter().filter(|c| c.starts_with('E')).count()
}

#[test]
fn register_holds_exactly_the_lower_tier_areas_each_release_published() {
    let register = Register::builtin();
    for release in [
        "2021-01-18",
        "2021-01-19",
        "2021-01-20",
        "2021-01-21",
        "2021-01-22",
        "2021-01-29",
    ] {
        let file = codes_in(&format!("releases/{release}/ltla-reconstructed.csv"));
        let ours = owned(register.lower_tier_on(day(release)).unwrap());
        assert_eq!(ours, file, "lower tier on {release}");
        assert_eq!((ours.len(), england(&ours)), (380, 315));
    }
    let january = codes_in("archive/ltla_2020-12-01_2021-01-31.csv");
    assert_eq!(
        owned(register.lower_tier_on(day("2020-12-01")).unwrap()),
        january
    );
    let august = codes_in("archive/ltla_2021-07-25_2021-09-10.csv");
    for date in ["2021-07-25", "2021-09-10"] {
        let ours = owned(register.lower_tier_on(day(date)).unwrap());
        assert_eq!(ours, august, "lower tier on {date}");
        assert_eq!((ours.len(), england(&ours)), (377, 312));
    }
    // Between the spans the data show, the switch date is unknown: no claim is made.
    assert!(register.lower_tier_on(day("2021-04-15")).is_none());
}

#[test]
fn register_holds_exactly_the_upper_tier_areas_each_release_published() {
    let register = Register::builtin();
    let releases = std::fs::read_dir(shared("releases")).unwrap();
    let mut checked = 0;
    for entry in releases {
        let release = entry.unwrap().file_name().into_string().unwrap();
        let file = codes_in(&format!("releases/{release}/utla.csv"));
        // The shared utla files leave Scotland out; the register keeps its councils.
        let ours: BTreeSet<String> = owned(register.upper_tier_on(day(&release)).unwrap())
            .into_iter()
            .filter(|c| !c.starts_with('S'))
            .collect();
        assert_eq!(ours, file, "upper tier on {release}");
        checked += 1;
    }
    assert_eq!(checked, 11);
}

#[test]
fn authority_changes_are_explained_by_dates_and_former_codes() {
    let register = Register::builtin();
    let january = register.lower_tier_on(day("2021-01-18")).unwrap();
    let august = register.lower_tier_on(day("2021-08-01")).unwrap();
    // Buckinghamshire's districts merged on 2020-04-01; the dashboard showed it from 2021.
    let bucks_districts = ["E07000004", "E07000005", "E07000006", "E07000007"];
    for code in bucks_districts {
        assert!(january.contains(code) && !august.contains(code), "{code}");
        let district = geo::authority(code).unwrap();
        assert_eq!(district.end, Some(day("2020-04-01")));
        assert_eq!(district.replaced_by, ["E06000060"]);
    }
    assert!(!january.contains("E06000060") && august.contains("E06000060"));
    assert_eq!(
        geo::authority("E06000060").unwrap().start,
        Some(day("2020-04-01"))
    );
    // Northamptonshire's districts ended on 2021-04-01, but the dashboard still showed them in
    // August 2021 (its geography was that of April 2020), and not yet the two new unitaries.
    for code in [
        "E07000150",
        "E07000151",
        "E07000152",
        "E07000153",
        "E07000154",
        "E07000155",
        "E07000156",
    ] {
        assert!(january.contains(code) && august.contains(code), "{code}");
        assert_eq!(geo::authority(code).unwrap().end, Some(day("2021-04-01")));
    }
    for code in ["E06000061", "E06000062"] {
        assert!(!january.contains(code) && !august.contains(code), "{code}");
    }
    // Dorset, Suffolk and Somerset's 2019 mergers were in place before the dashboard began.
    for (code, present) in [
        ("E06000058", true),
        ("E06000059", true),
        ("E07000244", true),
        ("E07000246", true),
        ("E06000028", false),
        ("E07000190", false),
    ] {
        assert_eq!(january.contains(code), present, "{code}");
    }
    // Scottish code changes of 2018-19 (Fife S12000015 → S12000047, Perth and Kinross
    // S12000024 → S12000048, Glasgow, North Lanarkshire, East Dunbartonshire) and earlier English
    // ones (Gateshead, Northumberland, four Hertfordshire districts) came before the dashboard:
    // a former code is never in any set, and is never any authority's current code.
    assert_eq!(
        geo::authority("S12000047").unwrap().former_codes,
        ["S12000015"]
    );
    assert_eq!(
        geo::authority("S12000048").unwrap().former_codes,
        ["S12000024"]
    );
    for authority in geo::authorities() {
        for former in &authority.former_codes {
            assert!(
                !january.contains(former) && !august.contains(former),
                "{former}"
            );
            assert!(geo::authority(former).is_none(), "{former}");
        }
    }
    // The dashboard's merges.
    for code in ["E09000001", "E06000053"] {
        assert!(!january.contains(code) && !august.contains(code));
    }
}

#[test]
fn every_area_of_the_vintages_has_a_print_name() {
    let register = Register::builtin();
    let mut codes = BTreeSet::new();
    for vintage in register.vintages() {
        codes.extend(register.lower_tier_on(vintage.from).unwrap());
        codes.extend(register.upper_tier_on(vintage.from).unwrap());
    }
    let mut listing = String::new();
    for code in &codes {
        let name = geo::print_name(code).unwrap_or_else(|| panic!("{code} has no print name"));
        let printed = name.in_sentence();
        let qualifier = geo::qualifier(code)
            .map(|q| format!(" in {q}"))
            .unwrap_or_default();
        listing.push_str(&format!("{code}\t{printed}{qualifier}\n"));
        for raw in [", City of", ", County of", "St.", " Council"] {
            assert!(!printed.contains(raw), "{code}: {printed}");
        }
        // "Armagh City, Banbridge and Craigavon" and "Derry City and Strabane" are the councils'
        // names and the press's; no name ends in " City".
        assert!(!printed.ends_with(" City"), "{code}: {printed}");
        assert!(!printed.chars().any(char::is_control), "{code}");
        let qualified = code.starts_with("E07") || code.starts_with("E08");
        assert_eq!(geo::qualifier(code).is_some(), qualified, "{code}");
        assert!(
            geo::nation(code).is_some() && geo::region(code).is_some(),
            "{code}"
        );
    }
    println!("{listing}");
    // 380 of January, Buckinghamshire of August, and the 26 counties of 2019.
    assert_eq!(codes.len(), 380 + 1 + 26);
    for (code, printed) in [
        ("E06000010", "Hull"),
        ("E06000023", "Bristol"),
        ("E06000019", "Herefordshire"),
        ("E08000013", "St Helens"),
        ("E06000052", "Cornwall and the Isles of Scilly"),
        ("E09000012", "Hackney and the City of London"),
        ("W06000014", "the Vale of Glamorgan"),
        ("W06000016", "Rhondda Cynon Taf"),
        ("S12000023", "Orkney"),
        ("S12000027", "Shetland"),
        ("S12000013", "Na h-Eileanan Siar"),
        ("S12000036", "Edinburgh"),
        ("S12000049", "Glasgow"),
        ("S12000033", "Aberdeen"),
        ("S12000042", "Dundee"),
        ("S12000026", "the Scottish Borders"),
        ("E06000059", "Dorset"),
        ("E07000138", "Lincoln"),
        ("N09000010", "Newry, Mourne and Down"),
        ("E08000015", "Wirral"),
    ] {
        assert_eq!(
            geo::print_name(code).unwrap().in_sentence(),
            printed,
            "{code}"
        );
    }
    assert_eq!(geo::qualifier("E07000188").as_deref(), Some("Somerset"));
    assert_eq!(geo::qualifier("E08000011").as_deref(), Some("Merseyside"));
    assert_eq!(
        geo::qualifier("E07000004").as_deref(),
        Some("Buckinghamshire")
    );
    assert_eq!(geo::nation("N09000002"), Some(Nation::NorthernIreland));
    assert_eq!(geo::region("E07000153"), Some("East Midlands"));
    assert_eq!(geo::region("E10000002"), Some("South East"));
}

/// A patch's `[names]` wins over the built-in press name, by code or by the data's name, in
/// the headline and the copy, and the audit takes the patch's form as the area.
#[test]
fn a_patch_names_an_area_its_own_way() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = std::fs::read_to_string(crate::support::fixture("patches/hull.toml")).unwrap();
    text.push_str(
        "\n[names]\nE06000010 = \"Kingston upon Hull\"\n\"East Riding of Yorkshire\" = \"the East Riding\"\n",
    );
    let patch = dir.path().join("patch.toml");
    std::fs::write(&patch, text).unwrap();
    let mut request = crate::support::january_request();
    request.patch = patch;
    let d = casewire::draft::draft(&request).unwrap();
    assert!(d.checked.audited);
    assert!(
        d.output
            .starts_with("# Covid-19 rate falls in Kingston upon Hull\n"),
        "{}",
        d.output
    );
    assert!(
        d.output
            .contains("Nearby, the East Riding has a rate of 196.4"),
        "{}",
        d.output
    );
    assert!(!d.output.contains("Hull City") && !d.output.contains("City of"));
}
