//! casewire's one integration-test binary: every test here runs real parts (the binary, the
//! library, the real archived data in `../shared/data`), none reaches the network.

mod support;

mod area_stories;
mod audit;
mod browser;
mod cli;
mod complete_drafts;
mod completeness;
mod corrections;
mod degree;
mod deliver;
mod desk;
mod each_area;
mod faults;
mod fetch;
mod figures;
mod formatting;
mod frames;
mod fuzz;
mod gates;
mod geo;
mod hostile;
mod kill;
mod layout;
mod lint;
mod literals;
mod lookups;
mod mentions;
mod nations;
mod patch_total;
mod properties;
mod publish;
mod qualifiers;
mod readers;
mod render_reuse;
mod review;
mod scenarios;
mod site;
mod stories;
mod subbing;
mod table;
mod templates;
mod tls;
mod withdraw;
mod wordpress;
