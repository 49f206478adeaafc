//! Delivering editions beyond the Markdown files: to a newsroom's CMS as IPTC ninjs items
//! ([`ninjs`], with the body's HTML and plain text from [`markdown`]) and to the desk as
//! alerts on a webhook ([`alerts`]).
//!
//! Each piece is a function of plain inputs, so the publisher calls it with what an edition
//! already holds and what its state keeps; none reads the clock or prints.

pub mod alerts;
pub mod markdown;
pub mod ninjs;
pub mod wordpress;

pub use alerts::{Alert, AlertError, AlertEvent, AlertSettings, post_alert, send_alert};
pub use ninjs::{
    Attachment, Ednote, NinjsError, NinjsInput, NinjsItem, Place, PubStatus, item, story_places,
    svg_size,
};

/// An HTTP client builder for the newsroom's own endpoints (its webhook, its WordPress):
/// named as casewire with the newsroom's contact, bounded by `connect_timeout`, and following
/// no redirect: a POST redirected is an endpoint moved, which the newsroom should hear of
/// rather than have casewire chase.
pub(crate) fn newsroom_client(
    contact: &str,
    connect_timeout: std::time::Duration,
) -> reqwest::ClientBuilder {
    // reqwest is built without a default crypto provider (see Cargo.toml); as the fetch
    // client does, install ring unless the program already chose one.
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    let base = format!("casewire/{}", env!("CARGO_PKG_VERSION"));
    let agent = match contact.trim() {
        "" => base,
        contact => format!("{base} (+{contact})"),
    };
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(agent)
        .connect_timeout(connect_timeout)
}
