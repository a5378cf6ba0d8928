//! Sharing a recording outside the terminal. `frames` renders a replay as
//! the screen showed it; the asciicast in `crate::cast` is made of its
//! frames.

pub mod frames;
