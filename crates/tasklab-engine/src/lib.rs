//! tasklab-engine: runs a scenario's tasks for real.
//!
//! - [`cooperative`]: one thread, round-robin, a time slice per turn, then a yield to the host's event loop (or,
//!   in the no-yield mode, no yield at all).
//! - [`parallel`]: the tasks spread over a rayon pool (Web Workers in the browser), dispatched from an async loop
//!   that never blocks the thread it runs on.
//!
//! Both are generic over a [`host::Host`] (clock, yield, sleep), so their logic is tested natively; the browser's
//! host and pool set-up live in `web`, compiled only for wasm32.

pub mod cooperative;
pub mod host;
pub mod parallel;
pub mod progress;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use host::{Clock, Host};
pub use progress::LiveProgress;
