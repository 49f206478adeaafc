//! casewire's one integration-test binary: every test here runs real parts (the binary, the
//! library, the real archived data in `../shared/data`), none reaches the network.

mod support;

mod cli;
mod fast_csv;
mod figures;
mod formatting;
mod lookups;
mod properties;
mod readers;
mod render_reuse;
mod stories;
mod templates;
