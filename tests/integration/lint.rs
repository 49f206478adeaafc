//! House-style lint tests.
