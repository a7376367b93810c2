//! Tests of the scheduling simulator: textbook worked examples and property tests over random scenarios.
// Native only: proptest does not build for the browser (the wasm parity check is `sim_parity_wasm.rs`).
#![cfg(not(target_arch = "wasm32"))]

mod sim {
    pub mod check;
    mod examples;
    mod multiprocessor;
    mod properties;
}
