//! forklore: run real Python multiprocessing programs and watch them work.
//!
//! Layers, one direction: `runtime` (processes, socket, threads) produces
//! `protocol::Event`s; `model` folds them (pure); `ui` draws the model
//! (read-only); `record` writes and reads event logs.

pub mod app;
pub mod cast;
pub mod explore;
pub mod export;
pub mod fuzz;
pub mod headless;
pub mod keys;
pub mod lesson;
pub mod model;
pub mod protocol;
pub mod record;
pub mod repeat;
pub mod replay;
pub mod runtime;
pub mod schedule;
pub mod session;
pub mod ui;
