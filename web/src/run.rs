//! The data of a run as the page keeps it: a run in progress (shared with the future that runs it) and a finished
//! run. Plain data, no page APIs, so the page state that holds them stays pure and testable.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use tasklab_core::report::{RunRecord, RunReport};
use tasklab_core::scenario::Scenario;
use tasklab_core::settings::Settings;
use tasklab_engine::model::ModelOfRun;
use tasklab_engine::LiveProgress;

/// Frames drawn while a run goes on, and the longest gap between two of them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FrameMeter {
    /// Animation frames seen since the run started.
    pub frames: u32,
    /// Longest time without a frame, ms.
    pub longest_gap_ms: f64,
    /// When the last frame (or the start) was seen, ms on the page's clock.
    pub last_frame_ms: f64,
}

impl FrameMeter {
    /// A meter whose run starts at `now_ms`.
    pub fn started_at(now_ms: f64) -> Self {
        Self {
            frames: 0,
            longest_gap_ms: 0.0,
            last_frame_ms: now_ms,
        }
    }

    /// Counts a frame drawn at `now_ms`.
    pub fn frame_at(&mut self, now_ms: f64) {
        self.frames += 1;
        self.longest_gap_ms = self.longest_gap_ms.max(now_ms - self.last_frame_ms);
        self.last_frame_ms = now_ms;
    }

    /// Counts the stretch from the last frame to the run's end at `end_ms` as a gap too (the whole run, in the
    /// no-yield mode).
    pub fn close_at(&mut self, end_ms: f64) {
        self.longest_gap_ms = self.longest_gap_ms.max(end_ms - self.last_frame_ms);
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
    pub finished: Cell<bool>,
    /// Names of the run's tasks (the page's scenario may change under a run, e.g. with Back).
    pub names: Vec<String>,
    /// Colours of the run's tasks.
    pub colours: Vec<String>,
    /// How long each keystroke typed in the reply box during the run waited to be drawn, ms, in the order they
    /// were measured (filled by the page's keystroke meter, `latency.rs`).
    pub latencies: RefCell<Vec<f64>>,
}

impl ActiveRun {
    /// A run of `scenario` about to start.
    pub fn new(scenario: &Scenario) -> Self {
        Self {
            progress: Arc::new(LiveProgress::new(scenario)),
            meter: RefCell::new(FrameMeter::default()),
            finished: Cell::new(false),
            names: scenario
                .tasks
                .iter()
                .map(|task| task.name.clone())
                .collect(),
            colours: scenario.colours(),
            latencies: RefCell::new(Vec::new()),
        }
    }
}

/// A finished run: the settings it ran with, the executor's record, the published report.
#[derive(Debug, Clone, PartialEq)]
pub struct FinishedRun {
    /// The settings of the run (the page's may have changed since).
    pub settings: Settings,
    /// What the executor recorded.
    pub record: RunRecord,
    /// The report (also published on `window.tasklabLastRun`).
    pub report: RunReport,
    /// The reference checksums the run was checked against.
    pub reference: Vec<u64>,
    /// The model of this very run (none for a stopped run, or one too large to simulate).
    pub model: Option<ModelOfRun>,
}

impl FinishedRun {
    /// CPU time of the run: its slices summed over every lane, ms.
    pub fn busy_ms(&self) -> f64 {
        self.record
            .slices
            .iter()
            .map(|slice| slice.end_ms - slice.start_ms)
            .sum()
    }
}
