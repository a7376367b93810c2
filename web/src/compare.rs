//! A comparison of every mode on one scenario, and the runs table of the tab. Plain data, no page APIs, so the
//! page state that holds them stays pure and testable.
//!
//! - [`ComparePlan`]: which configurations run (single thread without yielding, multitasking, multiprocessing at
//!   each worker count), how often, and in which order. Rounds are interleaved (every configuration once, then
//!   again) so that a machine getting slower or faster during the comparison affects every row alike.
//! - [`Comparison`]: the runs made so far and what the page shows of them: one row per configuration with the
//!   median and spread of its runs, speed-ups against the single-thread run (the honest baseline: no yielding)
//!   and against one worker, the Amdahl fit, and the report published as `window.tasklabLastCompare`.
//! - [`RunRow`]: one line of the runs table, kept for every run of the tab.

use std::cell::Cell;
use std::rc::Rc;

use tasklab_core::compare::{
    default_worker_counts, fit_amdahl, spread, AmdahlFit, CompareFit, CompareReport,
    PredictedSpeedup, Spread,
};
use tasklab_core::report::RunReport;
use tasklab_core::settings::{Mode, Settings};

use crate::run::FinishedRun;

/// One configuration of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompareConfig {
    /// How it runs.
    pub mode: Mode,
    /// Workers (1 outside multiprocessing).
    pub workers: u32,
}

impl CompareConfig {
    /// "single thread, no yielding", "multitasking", "multiprocessing · 2 workers".
    pub fn label(&self) -> String {
        match self.mode {
            Mode::SingleThread => "single thread, no yielding".to_owned(),
            Mode::Multitasking => "multitasking".to_owned(),
            Mode::Multiprocessing if self.workers == 1 => "multiprocessing · 1 worker".to_owned(),
            Mode::Multiprocessing => format!("multiprocessing · {} workers", self.workers),
        }
    }
}

/// Which runs a comparison makes.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparePlan {
    /// The configurations, in display order.
    pub configs: Vec<CompareConfig>,
    /// Runs of each configuration.
    pub repeat: u32,
    /// This machine's cores (more workers are "oversubscribed").
    pub hardware: u32,
    /// Why multiprocessing is left out, if it is.
    pub without_workers: Option<String>,
    /// The settings every run starts from (mode and workers replaced per run).
    pub base: Settings,
    /// The simulator's speed-up for the same scenario on virtual CPUs (set when the comparison starts).
    pub predicted: Vec<PredictedSpeedup>,
    /// Set by Stop: no further run starts (the run in progress is stopped through its own flag).
    pub stop: Rc<Cell<bool>>,
}

impl ComparePlan {
    /// The plan for `settings` on a machine of `hardware` cores; `workers_unavailable` says why multiprocessing
    /// cannot run, if it cannot.
    pub fn new(settings: &Settings, hardware: u32, workers_unavailable: Option<String>) -> Self {
        let mut configs = vec![
            CompareConfig {
                mode: Mode::SingleThread,
                workers: 1,
            },
            CompareConfig {
                mode: Mode::Multitasking,
                workers: 1,
            },
        ];
        if workers_unavailable.is_none() {
            let counts = settings
                .compare_workers
                .clone()
                .unwrap_or_else(|| default_worker_counts(hardware));
            configs.extend(counts.into_iter().map(|workers| CompareConfig {
                mode: Mode::Multiprocessing,
                workers,
            }));
        }
        Self {
            configs,
            repeat: settings.compare_repeat.max(1),
            hardware: hardware.max(1),
            without_workers: workers_unavailable,
            base: Settings {
                run_on_load: false,
                ..settings.clone()
            },
            predicted: Vec::new(),
            stop: Rc::default(),
        }
    }

    /// How many runs the comparison makes.
    pub fn total_runs(&self) -> usize {
        self.configs.len() * self.repeat as usize
    }

    /// The configuration of run `index` (rounds interleaved) and the settings it runs with.
    pub fn run(&self, index: usize) -> Option<(usize, Settings)> {
        if index >= self.total_runs() {
            return None;
        }
        let config_index = index % self.configs.len();
        let config = self.configs[config_index];
        Some((
            config_index,
            Settings {
                mode: config.mode,
                workers: config.workers,
                ..self.base.clone()
            },
        ))
    }
}

/// What one configuration measured over its runs.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareRow {
    /// The configuration.
    pub config: CompareConfig,
    /// Runs made.
    pub runs: usize,
    /// Wall time, ms.
    pub wall: Spread,
    /// Speed-up against the single-thread run's median, per run.
    pub speedup_vs_single: Option<Spread>,
    /// Median wall time of one worker over this row's median.
    pub speedup_vs_one_worker: Option<f64>,
    /// Speed-up against single thread over workers.
    pub efficiency: Option<f64>,
    /// Busy share of the lanes used (median over runs).
    pub busy_share: f64,
    /// Longest main-thread task over the runs, ms.
    pub longest_main_task_ms: f64,
    /// Frames drawn (median over runs).
    pub frames: f64,
    /// Longest frame gap over the runs, ms.
    pub longest_frame_gap_ms: f64,
    /// Keystrokes typed in the reply box during the runs.
    pub keystrokes: u32,
    /// The highest p95 keystroke latency of the runs, ms.
    pub keystroke_p95_ms: f64,
    /// The worst keystroke latency of the runs, ms.
    pub keystroke_worst_ms: f64,
    /// Whether every run's checksums agreed with the reference.
    pub checksums_agree: bool,
    /// The run whose wall time is nearest the median, drawn in the stacked timelines.
    pub representative: Rc<FinishedRun>,
    /// More workers than cores.
    pub oversubscribed: bool,
}

impl CompareRow {
    /// Whether the speed-up exceeds what the workers can give (a flag the table explains).
    pub fn above_worker_count(&self) -> bool {
        // The single-thread row is the baseline itself: its spread around 1× is noise, not a speed-up.
        self.config.mode != Mode::SingleThread
            && self
                .speedup_vs_single
                .is_some_and(|speedup| speedup.median > f64::from(self.config.workers) * 1.02)
    }
}

/// A comparison under way or done.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// What it runs.
    pub plan: Rc<ComparePlan>,
    /// The runs made, each with its configuration's index.
    pub runs: Vec<(usize, Rc<FinishedRun>)>,
    /// Whether it has ended (all runs made, or stopped).
    pub ended: bool,
}

impl Comparison {
    /// A comparison about to start.
    pub fn new(plan: Rc<ComparePlan>) -> Self {
        Self {
            plan,
            runs: Vec::new(),
            ended: false,
        }
    }

    /// Whether some runs are missing (stopped, or still going).
    pub fn is_partial(&self) -> bool {
        self.runs.len() < self.plan.total_runs()
            || self.runs.iter().any(|(_, run)| run.record.stopped)
    }

    /// The complete runs of configuration `index`.
    fn runs_of(&self, index: usize) -> Vec<&Rc<FinishedRun>> {
        self.runs
            .iter()
            .filter(|(config, run)| *config == index && !run.record.stopped)
            .map(|(_, run)| run)
            .collect()
    }

    fn median_wall(&self, mode: Mode, workers: u32) -> Option<f64> {
        let index = self.plan.configs.iter().position(|config| {
            config.mode == mode && (mode != Mode::Multiprocessing || config.workers == workers)
        })?;
        let walls: Vec<f64> = self
            .runs_of(index)
            .iter()
            .map(|run| run.record.wall_ms)
            .collect();
        spread(&walls).map(|spread| spread.median)
    }

    /// One row per configuration that has complete runs, in the plan's order.
    pub fn rows(&self) -> Vec<CompareRow> {
        let single = self.median_wall(Mode::SingleThread, 1);
        let one_worker = self.median_wall(Mode::Multiprocessing, 1);
        let median = |values: Vec<f64>| spread(&values).map_or(0.0, |spread| spread.median);
        self.plan
            .configs
            .iter()
            .enumerate()
            .filter_map(|(index, &config)| {
                let runs = self.runs_of(index);
                let walls: Vec<f64> = runs.iter().map(|run| run.record.wall_ms).collect();
                let wall = spread(&walls)?;
                let representative = runs
                    .iter()
                    .min_by(|a, b| {
                        (a.record.wall_ms - wall.median)
                            .abs()
                            .total_cmp(&(b.record.wall_ms - wall.median).abs())
                    })
                    .map(|run| Rc::clone(run))?;
                let speedup_vs_single = single.and_then(|single| {
                    let speedups: Vec<f64> = walls.iter().map(|wall| single / wall).collect();
                    spread(&speedups)
                });
                Some(CompareRow {
                    config,
                    runs: runs.len(),
                    wall,
                    efficiency: speedup_vs_single
                        .map(|speedup| speedup.median / f64::from(config.workers.max(1))),
                    speedup_vs_single,
                    speedup_vs_one_worker: (config.mode == Mode::Multiprocessing)
                        .then_some(one_worker)
                        .flatten()
                        .map(|one| one / wall.median),
                    busy_share: median(
                        runs.iter()
                            .map(|run| mean(&run.report.busy_per_lane))
                            .collect(),
                    ),
                    longest_main_task_ms: runs
                        .iter()
                        .map(|run| run.report.longest_main_task_ms)
                        .fold(0.0, f64::max),
                    frames: median(
                        runs.iter()
                            .map(|run| f64::from(run.report.frames))
                            .collect(),
                    ),
                    longest_frame_gap_ms: runs
                        .iter()
                        .map(|run| run.report.longest_frame_gap_ms)
                        .fold(0.0, f64::max),
                    keystrokes: runs
                        .iter()
                        .map(|run| run.report.input_latency_ms.count)
                        .sum(),
                    keystroke_p95_ms: runs
                        .iter()
                        .map(|run| run.report.input_latency_ms.p95)
                        .fold(0.0, f64::max),
                    keystroke_worst_ms: runs
                        .iter()
                        .map(|run| run.report.input_latency_ms.worst)
                        .fold(0.0, f64::max),
                    checksums_agree: runs.iter().all(|run| run.report.checksums_agree),
                    representative,
                    oversubscribed: config.mode == Mode::Multiprocessing
                        && config.workers > self.plan.hardware,
                })
            })
            .collect()
    }

    /// Amdahl's law fitted to the multiprocessing rows' median speed-ups against single thread.
    pub fn fit(&self) -> Option<AmdahlFit> {
        Self::fit_of(&self.rows())
    }

    /// [`Comparison::fit`] of rows already made.
    pub fn fit_of(rows: &[CompareRow]) -> Option<AmdahlFit> {
        let points: Vec<(u32, f64)> = rows
            .iter()
            .filter(|row| row.config.mode == Mode::Multiprocessing)
            .filter_map(|row| Some((row.config.workers, row.speedup_vs_single?.median)))
            .collect();
        fit_amdahl(&points)
    }

    /// The report published as `window.tasklabLastCompare`.
    pub fn report(&self, predicted: &[PredictedSpeedup]) -> CompareReport<RunReport> {
        CompareReport {
            runs: self
                .runs
                .iter()
                .map(|(_, run)| run.report.clone())
                .collect(),
            fit: self.fit().map(|fit| CompareFit {
                serial_fraction: fit.serial_fraction,
                karp_flatt: fit.karp_flatt,
            }),
            predicted: predicted.to_vec(),
            partial: self.is_partial(),
            workers: self
                .plan
                .configs
                .iter()
                .filter(|config| config.mode == Mode::Multiprocessing)
                .map(|config| config.workers)
                .collect(),
            repeat: self.plan.repeat,
        }
    }
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// One line of the runs table: every run of the tab, comparison or not.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    /// Scenario (preset id or "custom").
    pub scenario: String,
    /// Mode id.
    pub mode: Mode,
    /// Workers (multiprocessing).
    pub workers: u32,
    /// Policy id.
    pub policy: String,
    /// Wall time, ms.
    pub wall_ms: f64,
    /// Against the last one-CPU run of the same scenario, if any.
    pub speedup: Option<f64>,
    /// Frames drawn during the run.
    pub frames: u32,
    /// Stopped before the end.
    pub stopped: bool,
}

impl RunRow {
    /// The row of a finished run; `one_cpu_wall_ms` is the last one-CPU run of its scenario, if any.
    pub fn of(run: &FinishedRun, one_cpu_wall_ms: Option<f64>) -> Self {
        Self {
            scenario: run.report.preset.clone(),
            mode: run.settings.mode,
            workers: run.settings.workers,
            policy: run.report.policy.clone(),
            wall_ms: run.record.wall_ms,
            speedup: one_cpu_wall_ms
                .filter(|_| !run.record.stopped && run.record.wall_ms > 0.0)
                .map(|one_cpu| one_cpu / run.record.wall_ms),
            frames: run.report.frames,
            stopped: run.record.stopped,
        }
    }
}
