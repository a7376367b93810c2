//! One run from the page's point of view (an effect at the edge of the page state): start the plan's executor,
//! measure responsiveness while it runs, check the checksums against a reference, build and publish the report,
//! and hand the finished run back to the state as an action.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use tasklab_core::predict::UnitCosts;
use tasklab_core::report::{RunReport, TaskResult};
use tasklab_core::scenario::{Scenario, TaskRun, TaskSpec, TaskStep};
use tasklab_core::settings::Settings;
use tasklab_engine::plan::{run_plan, ExecutorPlan};
use tasklab_engine::web::{yield_with, BrowserHost, WebClock, YieldMechanism};
use tasklab_engine::Clock;
use yew::Callback;

use crate::browser;
use crate::faults;
use crate::latency;
use crate::run::{ActiveRun, FinishedRun, FrameMeter};
use crate::state::{scenario_key, Action, AppState, PoolStatus};

/// Longest wait for an animation frame before going on without one.
const FRAME_WAIT_LIMIT_MS: f64 = 100.0;

thread_local! {
    /// Reference checksums per preset, computed once per page load.
    static REFERENCES: RefCell<HashMap<String, Vec<u64>>> = RefCell::new(HashMap::new());
}

/// Units computed between two yields on the main thread (a few milliseconds of work).
const REFERENCE_UNITS_PER_TURN: u64 = 1_000;

/// The reference checksum of one task ([`TaskSpec::reference_checksum`]: each phase in one go, waits skipped), but
/// in turns of a few milliseconds on the main thread, yielding between them so the page stays usable.
async fn reference_checksum_yielding(task: &TaskSpec) -> u64 {
    let mut run = TaskRun::new(task);
    loop {
        match run.step(REFERENCE_UNITS_PER_TURN) {
            TaskStep::Finished => break run.checksum(),
            TaskStep::Computed(_) => yield_with(YieldMechanism::best_available()).await,
            TaskStep::Wait(_) => {}
        }
    }
}

/// Reference checksums of a scenario, cached per scenario. With a pool every task is computed in one go on a
/// worker, tasks in parallel (the main thread stays free); without one, on the main thread in short turns.
async fn reference_checksums(key: String, scenario: &Scenario, pool_ready: bool) -> Vec<u64> {
    if let Some(cached) = REFERENCES.with(|references| references.borrow().get(&key).cloned()) {
        return cached;
    }
    let mut checksums = Vec::with_capacity(scenario.tasks.len());
    if pool_ready {
        let receivers: Vec<_> = scenario
            .tasks
            .iter()
            .map(|task| {
                let (sender, receiver) = futures_channel::oneshot::channel();
                let task = task.clone();
                rayon::spawn(move || {
                    let _ = sender.send(task.reference_checksum());
                });
                receiver
            })
            .collect();
        for receiver in receivers {
            checksums.push(receiver.await.unwrap_or_default());
        }
    } else {
        for task in &scenario.tasks {
            checksums.push(reference_checksum_yielding(task).await);
        }
    }
    REFERENCES.with(|references| references.borrow_mut().insert(key, checksums.clone()));
    checksums
}

/// Starts a run of the state's settings, unless Run is blocked: tells the state it started, runs it, and tells
/// the state it finished.
pub fn start(state: &AppState, dispatch: Callback<Action>) {
    if state.run_blocker().is_some() {
        return;
    }
    let settings = state.settings.clone();
    // SJF and SRTF order real tasks by their estimated CPU time: the same calibrated costs Predict uses.
    let (costs, _) = state.prediction_costs();
    let active = Rc::new(ActiveRun::new(&settings.scenario()));
    let pool_ready = state.pool == PoolStatus::Ready;
    let one_cpu_wall_ms = state
        .one_cpu_runs
        .get(&scenario_key(&settings))
        .map(|run| run.wall_ms);
    dispatch.emit(Action::RunStarted(Rc::clone(&active)));
    wasm_bindgen_futures::spawn_local(async move {
        let finished = run(settings, costs, pool_ready, active, one_cpu_wall_ms).await;
        dispatch.emit(Action::RunFinished(Box::new(finished)));
    });
}

/// Runs the settings' scenario as their plan says and returns the finished run, counting animation frames
/// meanwhile.
pub(crate) async fn run(
    settings: Settings,
    costs: UnitCosts,
    pool_ready: bool,
    active: Rc<ActiveRun>,
    one_cpu_wall_ms: Option<f64>,
) -> FinishedRun {
    let scenario = settings.scenario();
    let plan = ExecutorPlan::from_settings(&settings).with_costs(costs);
    let visibility = browser::VisibilityWatch::start();
    // Let the page paint its "running" state before the no-yield mode takes the thread (a hidden tab draws no
    // frames, hence the time limit).
    browser::next_animation_frame_within(FRAME_WAIT_LIMIT_MS).await;
    let clock = WebClock;
    let start_ms = clock.now_ms();
    *active.meter.borrow_mut() = FrameMeter::started_at(start_ms);
    // Keystrokes typed in the reply box from now until the executor returns belong to this run.
    latency::begin_run(&active, start_ms);

    let frame_loop_run = Rc::clone(&active);
    browser::each_animation_frame(move || {
        if frame_loop_run.finished.get() {
            return false;
        }
        frame_loop_run
            .meter
            .borrow_mut()
            .frame_at(WebClock.now_ms());
        true
    });

    // Guards: a test may ask a worker job to crash; the watchdog stops a run far past its estimate.
    tasklab_engine::fault::inject_panic_in(faults::take_injected_panic());
    let estimate_ms = faults::estimate_ms(&scenario, &costs);
    let limit_ms = faults::take_watchdog_override()
        .unwrap_or_else(|| faults::watchdog_limit_ms(&scenario, &costs));
    let watchdog_fired = Rc::new(Cell::new(false));
    let watchdog = {
        let (fired, progress) = (Rc::clone(&watchdog_fired), Arc::clone(&active.progress));
        gloo_timers::callback::Timeout::new(limit_ms.min(f64::from(u32::MAX)) as u32, move || {
            fired.set(true);
            progress.request_stop();
        })
    };

    let host = BrowserHost::default();
    let record = run_plan(&plan, &scenario, &host, Arc::clone(&active.progress)).await;
    drop(watchdog);
    let end_ms = clock.now_ms();
    active.finished.set(true);
    latency::close_run(end_ms);
    active.meter.borrow_mut().close_at(end_ms);
    // Long-task entries arrive after the task: give the observer a turn before reading them.
    browser::next_animation_frame_within(FRAME_WAIT_LIMIT_MS).await;
    let longest_long_task = browser::longest_long_task_between(start_ms, end_ms);

    // A stopped run is not checked: that would cost the whole scenario's work again for nothing.
    let reference = if record.stopped {
        Vec::new()
    } else {
        reference_checksums(scenario_key(&settings), &scenario, pool_ready).await
    };
    let model = if record.stopped {
        None
    } else {
        plan.model_of_run(&scenario, &record).ok()
    };
    let meter = *active.meter.borrow();
    let input_latency_ms = latency::end_run(&plan).await;
    let checksums_agree = !record.stopped && record.checksums == reference;
    let speedup = one_cpu_wall_ms
        .filter(|_| !record.stopped && record.wall_ms > 0.0)
        .map(|one_cpu| one_cpu / record.wall_ms);
    let report = RunReport {
        preset: if settings.custom.is_some() {
            "custom".to_owned()
        } else {
            settings.preset.id().to_owned()
        },
        mode: settings.mode.id().to_owned(),
        policy: settings.predict.policy.id().to_owned(),
        workers: settings.workers,
        placement: record.placement.id().to_owned(),
        forked_chunks: record.forked_chunks,
        stolen_chunks: record.stolen_chunks,
        slice_ms: settings.slice_ms,
        wall_ms: record.wall_ms,
        stopped: record.stopped,
        checksums_agree,
        tasks: record
            .tasks
            .iter()
            .enumerate()
            .map(|(index, task)| {
                let modelled = model.as_ref().and_then(|model| model.tasks.get(index));
                TaskResult {
                    model_first_run_ms: modelled.map(|task| task.first_run_ms),
                    model_end_ms: modelled.map(|task| task.completion_ms),
                    ..task.clone()
                }
            })
            .collect(),
        slices: record.slices.clone(),
        lanes_used: record.lanes_used(),
        busy_per_lane: record.busy_fraction_per_lane(),
        frames: meter.frames,
        longest_frame_gap_ms: meter.longest_gap_ms,
        longest_main_task_ms: record.longest_main_stretch_ms.max(longest_long_task),
        input_latency_ms,
        speedup_vs_one_worker: speedup,
        model_makespan_ms: model.as_ref().map(|model| model.makespan_ms),
        model: model.as_ref().map(|model| model.description.clone()),
        ended_at_epoch_ms: end_ms,
        page_was_hidden: visibility.was_hidden(),
        failure: record.failure.clone().or_else(|| {
            watchdog_fired
                .get()
                .then(|| faults::watchdog_words(limit_ms, estimate_ms))
        }),
    };
    if let Ok(json) = serde_json::to_string(&report) {
        browser::publish_last_run(&json);
    }
    FinishedRun {
        settings,
        record,
        report,
        reference,
        model,
    }
}
