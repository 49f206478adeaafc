//! Where a draft's data come from when they come from the archive.

use casewire::draft::OfflineSource;

use crate::args::DraftArgs;
use crate::log::{self, Kind::Progress};

/// The draft's archived source, fetched first unless --offline; the fetch's summary printed.
pub(crate) fn archive_source(args: &DraftArgs) -> anyhow::Result<Option<OfflineSource>> {
    let Some(source) = args.source else {
        return Ok(None);
    };
    let (release, offline, area_type) = (args.release, args.offline, &args.area_type);
    let settings = args.net.settings();
    let (found, fetched) =
        OfflineSource::for_release(&settings, source, area_type, release, offline, args.as_of)?;
    if let Some(fetched) = fetched {
        log::line(Progress, &fetched.summary);
        log::said(&[], &fetched.warnings);
    }
    Ok(Some(found))
}
