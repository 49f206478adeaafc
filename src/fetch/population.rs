//! Population tables from the web: download one (such as the dashboard's population
//! supplement), check it reads, keep it in the archive under a name if asked, and write it
//! where `draft --population` will read it.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use reqwest::Url;

use crate::fetch::archive::Archive;
use crate::fetch::client::{Client, ClientConfig, Expect, check_transport};
use crate::fetch::error::FetchError;
use crate::fetch::file::read_population_bytes;
use crate::fetch::options::{FetchSettings, Source};
use crate::fetch::tasks::runtime;
use crate::model::Population;

/// A population table downloaded and written, as [`download`] returns it.
#[derive(Clone, Debug)]
pub struct Downloaded {
    /// The table as read.
    pub population: Population,
    /// Notes from reading it, for the person who asked.
    pub notes: Vec<String>,
    /// The file written.
    pub out: PathBuf,
}

impl fmt::Display for Downloaded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "wrote {} ({} areas, {})",
            self.out.display(),
            self.population.by_code.len(),
            self.population.layout
        )
    }
}

/// Everything `casewire population` does: downloads the table at `url` with the newsroom's
/// client settings, checks it reads, keeps it in the archive under `name` (stamped as stored
/// on `stored_on`) when one is given, and only then writes the bytes as they came to `out`.
pub fn download(
    settings: &FetchSettings,
    url: &str,
    out: &Path,
    name: Option<&str>,
    stored_on: NaiveDate,
) -> Result<Downloaded, FetchError> {
    let config = settings.options(Source::Ukhsa, "ltla").client;
    let (population, notes, bytes) = download_population_blocking(&config, url)?;
    if let Some(name) = name {
        let mut archive = Archive::open(&settings.archive_path())?;
        let stamp = format!("{stored_on}T00:00:00Z");
        archive.store_population(name, url, &bytes, &stamp)?;
    }
    crate::fsio::write_atomic(out, &bytes).map_err(|source| FetchError::Write {
        path: out.display().to_string(),
        source,
    })?;
    Ok(Downloaded {
        population,
        notes,
        out: out.to_path_buf(),
    })
}

/// Downloads a population table (e.g. the dashboard's population supplement) and reads it.
/// Returns the table, notes from reading it, and the bytes (to keep in the archive with
/// [`Archive::store_population`]).
pub async fn download_population(
    config: &ClientConfig,
    url: &str,
) -> Result<(Population, Vec<String>, Vec<u8>), FetchError> {
    let url = Url::parse(url)
        .map_err(|e| FetchError::Options(format!("population URL \"{url}\": {e}")))?;
    check_transport(&url).map_err(|why| FetchError::Options(format!("population URL {why}")))?;
    let client = Client::new(config.clone())?;
    let fetched = client.get(&url, Expect::Csv).await?;
    let (population, notes) =
        read_population_bytes(url.as_str(), &fetched.body).map_err(|e| FetchError::Api {
            url: url.to_string(),
            why: e.to_string(),
        })?;
    Ok((population, notes, fetched.body))
}

/// [`download_population`] on a runtime of its own.
pub fn download_population_blocking(
    config: &ClientConfig,
    url: &str,
) -> Result<(Population, Vec<String>, Vec<u8>), FetchError> {
    runtime()?.block_on(download_population(config, url))
}
