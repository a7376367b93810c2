//! Live progress of a run, shared between the executor (possibly on workers) and the page that draws it.
//!
//! Only atomics: the page reads them on the main thread, where a contended lock could not wait.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tasklab_core::scenario::Scenario;

/// Units done per task and the Stop request.
#[derive(Debug)]
pub struct LiveProgress {
    units_done: Vec<AtomicU64>,
    units_total: Vec<u64>,
    stop_requested: AtomicBool,
}

impl LiveProgress {
    /// Zero progress for every task of `scenario`.
    pub fn new(scenario: &Scenario) -> Self {
        Self {
            units_done: scenario.tasks.iter().map(|_| AtomicU64::new(0)).collect(),
            units_total: scenario
                .tasks
                .iter()
                .map(|task| task.total_units())
                .collect(),
            stop_requested: AtomicBool::new(false),
        }
    }

    /// Adds `units` to a task's count.
    pub fn add_units(&self, task: usize, units: u64) {
        if let Some(done) = self.units_done.get(task) {
            done.fetch_add(units, Ordering::Relaxed);
        }
    }

    /// Fraction done (0 to 1) of each task.
    pub fn fractions(&self) -> Vec<f64> {
        self.units_done
            .iter()
            .zip(&self.units_total)
            .map(|(done, &total)| {
                if total == 0 {
                    1.0
                } else {
                    (done.load(Ordering::Relaxed) as f64 / total as f64).min(1.0)
                }
            })
            .collect()
    }

    /// Asks the run to stop as soon as it can.
    pub fn request_stop(&self) {
        self.stop_requested.store(true, Ordering::Relaxed);
    }

    /// Whether Stop was pressed.
    pub fn stop_requested(&self) -> bool {
        self.stop_requested.load(Ordering::Relaxed)
    }
}

/// Chooses how many units to run between two clock readings, so a step lasts about 0.05–0.25 ms whatever the
/// cost of a unit: small enough to end a slice on time, large enough that reading the clock costs little.
#[derive(Debug, Clone, Copy)]
pub struct BatchSizer {
    units: u64,
}

impl Default for BatchSizer {
    fn default() -> Self {
        Self { units: 1 }
    }
}

impl BatchSizer {
    const MAX_UNITS: u64 = 1 << 20;

    /// Units for the next step.
    pub fn units(&self) -> u64 {
        self.units
    }

    /// Learns from how long the last step of `ran` units took.
    pub fn observe(&mut self, ran: u64, elapsed_ms: f64) {
        if ran < self.units {
            return; // a phase ended early: the timing says nothing about the batch size
        }
        if elapsed_ms < 0.05 && self.units < Self::MAX_UNITS {
            self.units *= 2;
        } else if elapsed_ms > 0.25 && self.units > 1 {
            self.units /= 2;
        }
    }
}
