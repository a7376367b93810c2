//! tasklab-core: the pure model behind tasklab.
//!
//! Nothing here touches a browser: scenarios, workloads that can be run in bounded resumable steps with a
//! deterministic checksum, presets, the URL settings codec, run reports, and the deterministic scheduling
//! simulator. Everything compiles and is tested natively, and compiles unchanged to wasm32.

pub mod codec;
pub mod compare;
pub mod detail;
pub mod export;
pub mod policy;
pub mod predict;
pub mod presets;
pub mod quiz;
pub mod report;
pub mod scenario;
pub mod sched;
pub mod settings;
pub mod sim;
pub mod split;
pub mod step;
pub mod timeline;
pub mod workload;
