//! casewire's one integration-test binary: every test here runs real parts (the binary, the
//! library, the real archived data in `../shared/data`), none reaches the network.

mod support;

mod audit;
mod cli;
mod figures;
mod gates;
mod lint;
mod properties;
mod readers;
mod stories;
mod templates;
