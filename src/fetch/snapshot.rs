//! Writing a dataset back out in the legacy API's CSV layout
//! (`areaCode,areaName,areaType,date,newCasesBySpecimenDate`, newest date first within each
//! area), so a fetch can hand an editor the exact file `draft --data` reads.

use std::io::Write;
use std::path::Path;

use chrono::{Days, NaiveDate};

use crate::model::{CASES_METRIC, Dataset};

/// Writes `dataset` as legacy CSV. Every slot of an area's case series becomes a row (a day
/// without data as an empty field), so reading the file back gives the same series. Other
/// metrics follow as extra columns, sorted by name, when any area has them.
///
/// Text cells (code, name, area type) that a spreadsheet would run as a formula gain a
/// leading `'` ([`crate::lang::spreadsheet_text`]); numbers, which we format, are left as
/// numbers, so a file of real areas reads back exactly.
pub fn write_legacy_csv<W: Write>(dataset: &Dataset, out: W) -> std::io::Result<()> {
    let mut extras: Vec<&str> = dataset
        .areas
        .iter()
        .flat_map(|a| a.extra.keys().map(String::as_str))
        .collect();
    extras.sort_unstable();
    extras.dedup();
    let mut writer = csv::Writer::from_writer(out);
    let mut header = vec!["areaCode", "areaName", "areaType", "date", CASES_METRIC];
    header.extend(&extras);
    writer.write_record(&header)?;
    for area in &dataset.areas {
        let mut dates: Vec<NaiveDate> = (0..area.cases.len() as u64)
            .map(|i| area.start + Days::new(i))
            .collect();
        for series in area.extra.values() {
            dates.extend(series.iter().map(|(d, _)| *d));
        }
        dates.sort_unstable();
        dates.dedup();
        for date in dates.into_iter().rev() {
            let text = |s: &str| crate::lang::spreadsheet_text(s).into_owned();
            let mut record = vec![
                text(&area.code),
                text(&area.name),
                text(&area.area_type),
                date.format("%Y-%m-%d").to_string(),
                area.cases_on(date)
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
            ];
            for metric in &extras {
                record.push(
                    area.extra_on(metric, date)
                        .map(|v| v.to_string())
                        .unwrap_or_default(),
                );
            }
            writer.write_record(&record)?;
        }
    }
    writer.flush()?;
    Ok(())
}

/// Writes the CSV to `path` through a temporary file beside it, so an interrupted write never
/// leaves half a snapshot where a whole one is expected.
pub fn write_legacy_csv_file(dataset: &Dataset, path: &Path) -> std::io::Result<()> {
    crate::fsio::write_atomic_with(path, |out| write_legacy_csv(dataset, out))
}
