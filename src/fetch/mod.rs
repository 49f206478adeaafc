//! Getting dashboard data in: local files today; the dashboard APIs and the local archive
//! build on the same [`crate::model::DatasetBuilder`].

pub mod file;

pub use file::{ReadError, read_data_bytes, read_data_file, read_population_file};
