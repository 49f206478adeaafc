//! The schedule a newsroom keeps: from a source that releases every day, only the releases
//! on the newsroom's day (or every N days from a first release) are published, so a daily
//! feed yields the weekly story.

use chrono::NaiveDate;

use crate::config::{Cadence, Newsroom};

use super::PublishError;

/// The release a run publishes: the newest on the schedule no later than `newest`; `None`
/// when the source holds none on the schedule yet.
pub fn release_to_publish(
    newsroom: &Newsroom,
    newest: NaiveDate,
) -> Result<Option<NaiveDate>, PublishError> {
    if newsroom.cadence == Cadence::Every {
        return Ok(Some(newest));
    }
    let releases = super::plan::releases_in(&newsroom.source)?;
    Ok(newest_on(&newsroom.cadence, &releases, newest))
}

/// The newest of `releases`, up to `newest`, that `cadence` takes.
pub fn newest_on(
    cadence: &Cadence,
    releases: &[NaiveDate],
    newest: NaiveDate,
) -> Option<NaiveDate> {
    releases
        .iter()
        .rev()
        .copied()
        .find(|r| *r <= newest && cadence.takes(*r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 1, d).unwrap()
    }

    #[test]
    fn a_daily_source_yields_the_thursday_release() {
        let daily: Vec<NaiveDate> = (11..=20).map(day).collect();
        let thursday = Cadence::Weekday(chrono::Weekday::Thu);
        assert_eq!(newest_on(&thursday, &daily, day(20)), Some(day(14)));
        assert_eq!(newest_on(&thursday, &daily, day(13)), None);
        assert_eq!(newest_on(&Cadence::Every, &daily, day(20)), Some(day(20)));
    }

    #[test]
    fn every_n_days_counts_from_the_first_release() {
        let daily: Vec<NaiveDate> = (1..=20).map(day).collect();
        let fortnightly = Cadence::EveryDays {
            days: 14,
            first: day(4),
        };
        assert_eq!(newest_on(&fortnightly, &daily, day(17)), Some(day(4)));
        assert_eq!(newest_on(&fortnightly, &daily, day(18)), Some(day(18)));
        assert_eq!(newest_on(&fortnightly, &daily[..2], day(2)), None);
    }
}
