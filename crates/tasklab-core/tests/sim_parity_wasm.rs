//! Parity of the simulator across platforms, wasm side: compiled to wasm32 and run in a headless browser, every
//! case of `parity/cases.rs` must give exactly the result the native build stored in `parity/golden.json`.
//!
//! Run from the workspace root: `wasm-pack test --headless --chrome crates/tasklab-core`.
#![cfg(target_arch = "wasm32")]

mod parity {
    pub mod cases;
}

use parity::cases::compare_with_golden;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// The fixture written by the native test, compiled in (the browser has no file system).
const GOLDEN_JSON: &str = include_str!("parity/golden.json");

#[wasm_bindgen_test]
fn wasm_results_equal_the_golden_fixture() {
    match compare_with_golden(GOLDEN_JSON) {
        Ok(compared) => console_log!("{compared} cases equal the golden fixture in wasm"),
        Err(problems) => panic!(
            "{} problem(s) in wasm:\n{}",
            problems.len(),
            problems.join("\n")
        ),
    }
}
