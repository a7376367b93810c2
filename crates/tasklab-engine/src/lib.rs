//! tasklab-engine: runs a scenario's tasks for real.
//!
//! - [`cooperative`]: one thread, the policy choosing each turn, a yield to the host's event loop after each
//!   slice (or, in the no-yield mode, no yield at all).
//! - [`parallel`]: the tasks spread over a rayon pool (Web Workers in the browser), dispatched from an async loop
//!   that never blocks the thread it runs on; each job pinned to the worker the policy chose, or a splittable
//!   phase's chunks placed by rayon's work stealing ([`parallel::Placement`]).
//! - [`plan`]: which of the two a [`Mode`](tasklab_core::settings::Mode) uses and with which options, its lanes,
//!   and the simulator model that describes it; [`run_plan`] runs a scenario as a plan says.
//! - [`model`]: the simulator's model of a finished run, and the run against it task by task.
//! - [`schedule`]: the scenario's policy applied to real tasks (a [`schedule::Dispatcher`] over core's
//!   scheduling rules), shared by both executors.
//! - [`record`]: the one builder of a run's [`RunRecord`](tasklab_core::report::RunRecord), shared by both executors.
//!
//! Both are generic over a [`host::Host`] (clock, yield, sleep), so their logic is tested natively; the browser's
//! host and pool set-up live in `web`, compiled only for wasm32, and so does `script`: the page's script API
//! (`window.tasklab`: `simulate`, `lastRun`, `lastCompare`, as plain JS objects through serde-wasm-bindgen).

pub mod cooperative;
pub mod fault;
pub mod host;
pub mod model;
pub mod parallel;
pub mod plan;
pub mod progress;
pub mod record;
pub mod schedule;
#[cfg(target_arch = "wasm32")]
pub mod script;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use host::{Clock, Host};
pub use plan::{run_plan, ExecutorPlan};
pub use progress::LiveProgress;
