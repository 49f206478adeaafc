//! Integration tests: the library's stages against small fixtures and the real dashboard data.

mod gates;
mod lint;
