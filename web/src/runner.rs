//! One run from the page's point of view: start the chosen executor, measure responsiveness while it runs,
//! check the checksums against a reference, and build the report.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use tasklab_core::report::{RunRecord, RunReport};
use tasklab_core::scenario::{Phase, Scenario, TaskSpec};
use tasklab_core::settings::{Mode, Settings};
use tasklab_core::workload::{fold_phase, ComputeProgress};
use tasklab_engine::cooperative::{run_cooperative, CooperativeOptions};
use tasklab_engine::parallel::{run_parallel, ParallelOptions};
use tasklab_engine::web::{yield_with, BrowserHost, WebClock, YieldMechanism};
use tasklab_engine::{Clock, LiveProgress};

use crate::browser;

/// Frames drawn while a run goes on, and the longest gap between two of them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FrameMeter {
    /// Animation frames seen since the run started.
    pub frames: u32,
    /// Longest time without a frame, ms.
    pub longest_gap_ms: f64,
    last_frame_ms: f64,
}

impl FrameMeter {
    fn started_at(now_ms: f64) -> Self {
        Self {
            frames: 0,
            longest_gap_ms: 0.0,
            last_frame_ms: now_ms,
        }
    }

    fn frame_at(&mut self, now_ms: f64) {
        self.frames += 1;
        self.longest_gap_ms = self.longest_gap_ms.max(now_ms - self.last_frame_ms);
        self.last_frame_ms = now_ms;
    }
}

/// A run in progress, shared between the page (progress bars, Stop) and the future that runs it.
#[derive(Debug)]
pub struct ActiveRun {
    /// Units done per task, and the Stop flag.
    pub progress: Arc<LiveProgress>,
    /// Responsiveness so far.
    pub meter: RefCell<FrameMeter>,
    /// Set when the executor has returned.
    pub finished: std::cell::Cell<bool>,
    /// Names of the run's tasks (the page's scenario may change under a run, e.g. with Back).
    pub names: Vec<String>,
    /// Colours of the run's tasks.
    pub colours: Vec<String>,
}

/// A finished run: the executor's record and the published report.
#[derive(Debug, Clone, PartialEq)]
pub struct FinishedRun {
    /// What the executor recorded.
    pub record: RunRecord,
    /// The report (also published on `window.tasklabLastRun`).
    pub report: RunReport,
    /// The reference checksums the run was checked against.
    pub reference: Vec<u64>,
}

/// Longest wait for an animation frame before going on without one.
const FRAME_WAIT_LIMIT_MS: f64 = 100.0;

thread_local! {
    /// Reference checksums per preset, computed once per page load.
    static REFERENCES: RefCell<HashMap<String, Vec<u64>>> = RefCell::new(HashMap::new());
}

/// Units computed between two yields on the main thread (a few milliseconds of work).
const REFERENCE_UNITS_PER_TURN: u64 = 1_000;

/// The reference checksum of one task, computed on the main thread phase by phase straight through
/// [`ComputeProgress`], yielding every few milliseconds so the page stays usable.
async fn reference_checksum_yielding(task: &TaskSpec) -> u64 {
    let mut checksum = 0;
    for phase in &task.phases {
        if let Phase::Compute { kind, units } = *phase {
            let mut progress = ComputeProgress::new(kind, 0, units);
            while !progress.is_finished() {
                progress.step(REFERENCE_UNITS_PER_TURN);
                yield_with(YieldMechanism::best_available()).await;
            }
            checksum = fold_phase(checksum, progress.checksum());
        }
    }
    checksum
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

/// Runs the settings' scenario as they say and returns the finished run, counting animation frames meanwhile.
pub async fn run(
    settings: Settings,
    pool_ready: bool,
    active: Rc<ActiveRun>,
    one_cpu_wall_ms: Option<f64>,
) -> FinishedRun {
    let scenario = settings.scenario();
    let visibility = browser::VisibilityWatch::start();
    // Let the page paint its "running" state before the no-yield mode takes the thread (a hidden tab draws no
    // frames, hence the time limit).
    browser::next_animation_frame_within(FRAME_WAIT_LIMIT_MS).await;
    let clock = WebClock;
    let start_ms = clock.now_ms();
    *active.meter.borrow_mut() = FrameMeter::started_at(start_ms);

    let frame_loop_run = Rc::clone(&active);
    wasm_bindgen_futures::spawn_local(async move {
        while !frame_loop_run.finished.get() {
            browser::next_animation_frame().await;
            if frame_loop_run.finished.get() {
                break;
            }
            frame_loop_run
                .meter
                .borrow_mut()
                .frame_at(WebClock.now_ms());
        }
    });

    let host = BrowserHost::default();
    let record = match settings.mode {
        Mode::Multitasking | Mode::SingleThread => {
            let options = CooperativeOptions {
                slice_ms: f64::from(settings.slice_ms),
                yield_to_host: settings.mode == Mode::Multitasking,
            };
            run_cooperative(&scenario, options, &host, &active.progress).await
        }
        Mode::Multiprocessing => {
            let options = ParallelOptions::with_workers(settings.workers as usize);
            run_parallel(&scenario, options, &host, Arc::clone(&active.progress)).await
        }
    };
    let end_ms = clock.now_ms();
    active.finished.set(true);
    {
        // The gap from the last frame to the end of the run counts too (the whole run, in no-yield mode).
        let mut meter = active.meter.borrow_mut();
        let tail_gap = end_ms - meter.last_frame_ms;
        meter.longest_gap_ms = meter.longest_gap_ms.max(tail_gap);
    }
    // Long-task entries arrive after the task: give the observer a turn before reading them.
    browser::next_animation_frame_within(FRAME_WAIT_LIMIT_MS).await;
    let longest_long_task = browser::longest_long_task_between(start_ms, end_ms);

    // A stopped run is not checked: that would cost the whole scenario's work again for nothing.
    let reference = if record.stopped {
        Vec::new()
    } else {
        reference_checksums(crate::app::scenario_key(&settings), &scenario, pool_ready).await
    };
    let meter = *active.meter.borrow();
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
        workers: settings.workers,
        slice_ms: settings.slice_ms,
        wall_ms: record.wall_ms,
        stopped: record.stopped,
        checksums_agree,
        tasks: record.tasks.clone(),
        slices: record.slices.clone(),
        lanes_used: record.lanes_used(),
        busy_per_lane: record.busy_fraction_per_lane(),
        frames: meter.frames,
        longest_frame_gap_ms: meter.longest_gap_ms,
        longest_main_task_ms: record.longest_main_stretch_ms.max(longest_long_task),
        speedup_vs_one_worker: speedup,
        ended_at_epoch_ms: end_ms,
        page_was_hidden: visibility.was_hidden(),
    };
    if let Ok(json) = serde_json::to_string(&report) {
        browser::publish_last_run(&json);
    }
    FinishedRun {
        record,
        report,
        reference,
    }
}
