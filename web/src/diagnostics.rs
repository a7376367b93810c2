//! Measurement hooks for the benchmark script (`scripts/bench.sh`), exported on trunk's `window.wasmBindings`.
//! They measure; they change nothing on the page.

use std::cell::Cell;
use std::rc::Rc;

use tasklab_core::sim::bench_scenario;
use tasklab_engine::cooperative::Resume;
use tasklab_engine::web::{drive_direct, yield_with, WebClock, YieldMechanism};
use tasklab_engine::Clock;
use wasm_bindgen::prelude::*;

fn mechanism_of(id: &str) -> Result<YieldMechanism, JsValue> {
    YieldMechanism::from_id(id)
        .filter(|mechanism| mechanism.is_available())
        .ok_or_else(|| JsValue::from_str(&format!("unknown or unavailable mechanism {id}")))
}

/// The ids of the yield mechanisms this browser has (`post-task`, `scheduler-yield`, `message-channel`,
/// `set-timeout`), and first the one the page's runs use.
#[wasm_bindgen(js_name = tasklabYieldMechanisms)]
pub fn yield_mechanisms() -> Vec<String> {
    let best = YieldMechanism::best_available();
    std::iter::once(best)
        .chain(
            YieldMechanism::ALL
                .into_iter()
                .filter(|mechanism| *mechanism != best),
        )
        .filter(|mechanism| mechanism.is_available())
        .map(|mechanism| mechanism.id().to_owned())
        .collect()
}

/// Average cost of one yield to the browser, in microseconds, over `count` yields in a row, each awaited as a
/// Rust future ([`yield_with`]). `mechanism` is one of [`yield_mechanisms`].
#[wasm_bindgen(js_name = tasklabBenchYield)]
pub async fn bench_yield(mechanism: String, count: u32) -> Result<f64, JsValue> {
    let mechanism = mechanism_of(&mechanism)?;
    let count = count.clamp(1, 100_000);
    let start = WebClock.now_ms();
    for _ in 0..count {
        yield_with(mechanism).await;
    }
    Ok((WebClock.now_ms() - start) * 1000.0 / f64::from(count))
}

/// The same through the driver of the page's multitasking runs ([`drive_direct`]): each yield ends with a
/// direct JS→wasm call of an empty step.
#[wasm_bindgen(js_name = tasklabBenchYieldDirect)]
pub async fn bench_yield_direct(mechanism: String, count: u32) -> Result<f64, JsValue> {
    let mechanism = mechanism_of(&mechanism)?;
    let count = count.clamp(1, 100_000);
    let left = Rc::new(Cell::new(count));
    let start = WebClock.now_ms();
    drive_direct(mechanism, move || {
        left.set(left.get().saturating_sub(1));
        if left.get() == 0 {
            Resume::Finished
        } else {
            Resume::Yield
        }
    })
    .await;
    // `count` steps are `count - 1` yields; the last one's future wake-up is not a yield of a run.
    Ok((WebClock.now_ms() - start) * 1000.0 / f64::from(count.saturating_sub(1).max(1)))
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

/// The CPU-bound batch preset run by the cooperative executor alone (round robin, quantum = slice), without the
/// page's progress panel and frame meter: what the executor's yields cost by themselves. `driver` is `direct`
/// (the page's driver, [`drive_direct`]), `future` (the run awaited as a future after every yield) or
/// `no-yield`. Returns `[wall ms, slices, mean gap between slices in ms]`.
#[wasm_bindgen(js_name = tasklabBenchCooperative)]
pub async fn bench_cooperative(
    slice_ms: u32,
    driver: String,
    mechanism: String,
) -> Result<Vec<f64>, JsValue> {
    use std::sync::Arc;
    use tasklab_core::presets::Preset;
    use tasklab_engine::cooperative::{run_cooperative, CooperativeOptions, CooperativeRun};
    use tasklab_engine::schedule::RealSchedule;
    use tasklab_engine::web::BrowserHost;
    use tasklab_engine::{Host, LiveProgress};

    let scenario = Preset::CpuBatch.scenario();
    let host = BrowserHost {
        mechanism: mechanism_of(&mechanism)?,
    };
    let options = CooperativeOptions {
        slice_ms: f64::from(slice_ms.max(1)),
        yield_to_host: driver != "no-yield",
        schedule: RealSchedule::round_robin(u64::from(slice_ms.max(1))),
    };
    let progress = Arc::new(LiveProgress::new(&scenario));
    let record = match driver.as_str() {
        "future" => run_cooperative(&scenario, &options, &host, &progress).await,
        "direct" | "no-yield" => {
            let run = CooperativeRun::new(&scenario, &options, WebClock);
            host.run_to_end(run, progress).await
        }
        other => return Err(JsValue::from_str(&format!("unknown driver {other}"))),
    };
    let slices = &record.slices;
    let gaps: f64 = slices
        .windows(2)
        .map(|pair| pair[1].start_ms - pair[0].end_ms)
        .sum();
    let count = slices.len().saturating_sub(1).max(1) as f64;
    Ok(vec![record.wall_ms, slices.len() as f64, gaps / count])
}
