//! Sharing a recording outside the terminal: every export reads the same
//! recorded events. `frames` renders a replay as the screen showed it (the
//! asciicast in `crate::cast` is made of its frames); `perfetto` turns the
//! events into a trace for Perfetto.

pub mod frames;
pub mod perfetto;
