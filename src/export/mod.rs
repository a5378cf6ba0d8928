//! Sharing a recording outside the terminal: every export reads the same
//! recorded events. `frames` renders a replay as the screen showed it (the
//! asciicast in `crate::cast` and the web page in `html` are made of its
//! frames); `perfetto` turns the events into a trace for Perfetto.

pub mod frames;
pub mod html;
pub mod perfetto;
