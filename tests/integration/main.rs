//! casewire's one integration-test binary: every test here runs real parts (the binary, the
//! library, the real archived data in `../shared/data`), none reaches the network.

mod support;

mod cli;
mod each_area;
mod faults;
mod fetch;
mod figures;
mod fuzz;
mod gates;
mod hostile;
mod lint;
mod properties;
mod publish;
mod readers;
mod scenarios;
mod stories;
mod templates;
mod tls;
