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
