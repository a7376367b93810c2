//! Measurement hooks for the benchmark script (`scripts/bench.sh`), exported on trunk's `window.wasmBindings`.
//! They measure; they change nothing on the page.

use tasklab_core::sim::bench_scenario;
use tasklab_engine::web::{yield_with, WebClock, YieldMechanism};
use tasklab_engine::Clock;
use wasm_bindgen::prelude::*;

/// Average cost of one yield to the browser, in microseconds, over `count` yields in a row.
/// `mechanism` is `scheduler-yield`, `message-channel` or `set-timeout`.
#[wasm_bindgen(js_name = tasklabBenchYield)]
pub async fn bench_yield(mechanism: String, count: u32) -> Result<f64, JsValue> {
    let mechanism = match mechanism.as_str() {
        "scheduler-yield" => YieldMechanism::SchedulerYield,
        "message-channel" => YieldMechanism::MessageChannel,
        "set-timeout" => YieldMechanism::SetTimeout,
        other => return Err(JsValue::from_str(&format!("unknown mechanism {other}"))),
    };
    let count = count.clamp(1, 100_000);
    let start = WebClock.now_ms();
    for _ in 0..count {
        yield_with(mechanism).await;
    }
    Ok((WebClock.now_ms() - start) * 1000.0 / f64::from(count))
}

/// Simulates the benchmark's round-robin scenario (quantum 1, 8 CPUs) with `tasks` tasks and returns
/// `[task slices, milliseconds]`.
#[wasm_bindgen(js_name = tasklabBenchSim)]
pub fn bench_sim(tasks: u32) -> Result<Vec<f64>, JsValue> {
    let setup = bench_scenario(tasks as usize);
    let start = WebClock.now_ms();
    // No trace: at 100,000 tasks it would hold about 8 million slices (over 300 MB) in wasm memory.
    let result = setup
        .run(false)
        .map_err(|error| JsValue::from_str(&error.to_string()))?;
    let elapsed = WebClock.now_ms() - start;
    Ok(vec![result.summary.task_slices as f64, elapsed])
}
