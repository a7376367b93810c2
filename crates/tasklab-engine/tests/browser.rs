//! In-browser tests (`wasm-pack test --headless --chrome crates/tasklab-engine`): the cooperative executor really
//! yields to the event loop, and the Web Worker pool runs a batch on several workers with the same checksums.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use tasklab_core::presets::Preset;
use tasklab_core::scenario::{Phase, Scenario, TaskSpec};
use tasklab_core::workload::WorkloadKind;
use tasklab_engine::cooperative::{run_cooperative, CooperativeOptions, CooperativeRun};
use tasklab_engine::parallel::{run_parallel, ParallelOptions, Placement};
use tasklab_engine::schedule::RealSchedule;
use tasklab_engine::web::{start_pool, BrowserHost, WebClock, YieldMechanism};
use tasklab_engine::{Clock, Host, LiveProgress};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn batch(tasks: usize, units: u64) -> Scenario {
    Scenario {
        tasks: (0..tasks)
            .map(|index| TaskSpec {
                name: format!("task {index}"),
                phases: vec![Phase::Compute {
                    kind: WorkloadKind::Primes,
                    units,
                }],
                splittable: false,
                colour: None,
                arrival_ms: 0,
                priority: 0,
            })
            .collect(),
    }
}

thread_local! {
    /// Whether this page's pool has started: `initThreadPool` may be called only once per page, and every test
    /// runs in the same page.
    static POOL_STARTED: Cell<bool> = const { Cell::new(false) };
}

/// Starts the two-thread pool once for all the tests that need it.
async fn pool_of_two() {
    if !POOL_STARTED.with(Cell::get) {
        start_pool(2)
            .await
            .expect("the test server is cross-origin isolated");
        POOL_STARTED.with(|started| started.set(true));
    }
}

/// Queues a macrotask with `setTimeout(0)` that records when it ran.
fn queue_timestamp_task() -> Rc<Cell<f64>> {
    let ran_at = Rc::new(Cell::new(f64::NAN));
    let recorder = Rc::clone(&ran_at);
    let callback = Closure::once_into_js(move || recorder.set(WebClock.now_ms()));
    web_sys::window()
        .unwrap()
        .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 0)
        .unwrap();
    ran_at
}

/// Runs `scenario` cooperatively on the browser host: awaited as a future after every yield
/// ([`run_cooperative`]), or driven by direct calls from the event loop ([`Host::run_to_end`], as the page does).
async fn run_in_browser(
    scenario: &Scenario,
    options: &CooperativeOptions,
    host: &BrowserHost,
    progress: Arc<LiveProgress>,
    direct: bool,
) -> tasklab_core::report::RunRecord {
    if direct {
        let run = CooperativeRun::new(scenario, options, host.clock());
        host.run_to_end(run, progress).await
    } else {
        run_cooperative(scenario, options, host, &progress).await
    }
}

async fn check_yields_with(mechanism: YieldMechanism, direct: bool) {
    let scenario = batch(2, 4_000);
    let host = BrowserHost { mechanism };
    let options = CooperativeOptions {
        slice_ms: 2.0,
        yield_to_host: true,
        schedule: RealSchedule::round_robin(2),
    };
    let start = WebClock.now_ms();
    let ran_at = queue_timestamp_task();
    let progress = Arc::new(LiveProgress::new(&scenario));
    let record = run_in_browser(&scenario, &options, &host, progress, direct).await;
    let end = start + record.wall_ms;
    let ran_at = ran_at.get();
    assert!(record.slices.len() > 4, "{} slices", record.slices.len());
    assert!(
        ran_at > start && ran_at < end,
        "{}: the queued task ran at {ran_at}, outside the run [{start}, {end}]",
        mechanism.label()
    );
    // ...and work went on after it: it ran in the middle, not at the end.
    let ran_ms = ran_at - start;
    assert!(record.slices.iter().any(|slice| slice.start_ms > ran_ms));
    assert_eq!(record.checksums, scenario.reference_checksums());
}

#[wasm_bindgen_test]
async fn cooperative_executor_lets_queued_tasks_run_mid_run() {
    for direct in [false, true] {
        check_yields_with(YieldMechanism::best_available(), direct).await;
        check_yields_with(YieldMechanism::MessageChannel, direct).await;
    }
}

#[wasm_bindgen_test]
async fn every_mechanism_drives_a_run_with_waits_to_the_same_checksums() {
    // A wait phase makes the run sleep on a timer (every task waits) as well as yield.
    let mut scenario = batch(2, 1_500);
    scenario.tasks[0].phases.push(Phase::Wait { ms: 12 });
    scenario.tasks[0].phases.push(Phase::Compute {
        kind: WorkloadKind::Primes,
        units: 500,
    });
    let options = CooperativeOptions {
        slice_ms: 1.0,
        yield_to_host: true,
        schedule: RealSchedule::round_robin(1),
    };
    for mechanism in YieldMechanism::ALL
        .into_iter()
        .filter(|mechanism| mechanism.is_available())
    {
        let host = BrowserHost { mechanism };
        let progress = Arc::new(LiveProgress::new(&scenario));
        let direct = run_in_browser(&scenario, &options, &host, progress, true).await;
        let progress = Arc::new(LiveProgress::new(&scenario));
        let awaited = run_in_browser(&scenario, &options, &host, progress, false).await;
        for record in [&direct, &awaited] {
            assert!(!record.stopped, "{}", mechanism.label());
            assert_eq!(record.checksums, scenario.reference_checksums());
            assert!(
                record.wall_ms >= 12.0,
                "{}: {} ms",
                mechanism.label(),
                record.wall_ms
            );
        }
        // Same policy decisions: the same tasks in the same order, slice after slice.
        let order = |record: &tasklab_core::report::RunRecord| {
            let mut tasks: Vec<usize> = record.slices.iter().map(|slice| slice.task).collect();
            tasks.dedup();
            tasks
        };
        assert_eq!(order(&direct).first(), order(&awaited).first());
        assert!(direct.longest_main_stretch_ms < 50.0);
    }
}

#[wasm_bindgen_test]
async fn stop_ends_a_directly_driven_run() {
    let scenario = batch(2, 400_000);
    let options = CooperativeOptions {
        slice_ms: 2.0,
        yield_to_host: true,
        schedule: RealSchedule::round_robin(2),
    };
    let progress = Arc::new(LiveProgress::new(&scenario));
    let stopper = Arc::clone(&progress);
    let callback = Closure::once_into_js(move || stopper.request_stop());
    web_sys::window()
        .unwrap()
        .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 30)
        .unwrap();
    let host = BrowserHost::default();
    let record = run_in_browser(&scenario, &options, &host, progress, true).await;
    assert!(record.stopped);
    assert!(
        record.wall_ms < 1_000.0,
        "stopped after {} ms",
        record.wall_ms
    );
}

#[wasm_bindgen_test]
async fn no_yield_mode_holds_the_thread_until_done() {
    let scenario = batch(2, 2_000);
    let options = CooperativeOptions {
        slice_ms: 2.0,
        yield_to_host: false,
        schedule: RealSchedule::round_robin(2),
    };
    let start = WebClock.now_ms();
    let ran_at = queue_timestamp_task();
    let record = run_cooperative(
        &scenario,
        &options,
        &BrowserHost::default(),
        &LiveProgress::new(&scenario),
    )
    .await;
    assert!(
        ran_at.get().is_nan(),
        "nothing else may run during a no-yield run"
    );
    assert!(record.longest_main_stretch_ms >= record.wall_ms - 1e-6);
    assert!(start > 0.0);
}

#[wasm_bindgen_test]
async fn pool_runs_a_batch_on_two_workers_with_the_cooperative_checksums() {
    pool_of_two().await;
    let scenario = batch(4, 6_000);
    let parallel = run_parallel(
        &scenario,
        &ParallelOptions::with_workers(2),
        &BrowserHost::default(),
        Arc::new(LiveProgress::new(&scenario)),
    )
    .await;
    let cooperative = run_cooperative(
        &scenario,
        &CooperativeOptions {
            slice_ms: 5.0,
            yield_to_host: true,
            schedule: RealSchedule::round_robin(2),
        },
        &BrowserHost::default(),
        &LiveProgress::new(&scenario),
    )
    .await;
    assert!(!parallel.stopped);
    assert!(
        parallel.lanes_used() >= 2,
        "lanes used: {}",
        parallel.lanes_used()
    );
    assert_eq!(parallel.checksums, cooperative.checksums);
    assert_eq!(parallel.checksums, scenario.reference_checksums());

    // A splittable job spreads over both workers too.
    let big_job = Preset::OneBigJob.scenario();
    let record = run_parallel(
        &big_job,
        &ParallelOptions::with_workers(2),
        &BrowserHost::default(),
        Arc::new(LiveProgress::new(&big_job)),
    )
    .await;
    assert!(record.lanes_used() >= 2);
    assert_eq!(record.checksums, big_job.reference_checksums());
}

#[wasm_bindgen_test]
async fn work_stealing_places_the_chunks_with_the_pinned_checksums() {
    pool_of_two().await;
    let big_job = Preset::OneBigJob.scenario();
    for workers in [2, 1] {
        let options = ParallelOptions {
            placement: Placement::Stealing,
            ..ParallelOptions::with_workers(workers)
        };
        let record = run_parallel(
            &big_job,
            &options,
            &BrowserHost::default(),
            Arc::new(LiveProgress::new(&big_job)),
        )
        .await;
        assert!(!record.stopped);
        assert_eq!(record.placement, Placement::Stealing);
        assert_eq!(record.checksums, big_job.reference_checksums());
        // Every chunk once, each a slice on the lane of the worker that ran it, and only the run's workers.
        let chunks = options.chunks_per_splittable_phase() as u64;
        assert_eq!(record.forked_chunks, chunks);
        assert_eq!(record.slices.len() as u64, chunks);
        assert!(record.stolen_chunks <= chunks);
        assert!(record.slices.iter().all(|slice| slice.lane < workers));
        if workers == 1 {
            assert_eq!(record.stolen_chunks, 0, "the second pool thread was held");
        }
    }
}
