//! Native benchmark of the scheduling simulator: throughput in task slices per second.
//!
//! Run it with:
//!
//! ```text
//! cargo run --release -p tasklab-cli -- bench
//! ```
//!
//! (options: `--sizes 1000,10000,100000`, `--repeat 3`, `--ticks 8000000`, `--no-trace`). It simulates
//! [`tasklab_core::sim::bench_scenario`] — Round Robin, quantum 1, 8 CPUs, no switch cost, about eight million
//! CPU ticks whatever the task count — at each size, and prints the task slices per second of the median run
//! (and of the fastest run, the better estimate on a busy machine).
//! Because every size produces about the same number of slices, a flat slices/s column shows that the cost per
//! slice does not grow with the number of tasks. The trace is recorded (as the page would) unless `--no-trace`.

use std::io::Write;
use std::time::Instant;

use tasklab_core::sim::{
    bench_scenario_multiprocessor, bench_scenario_sized, BENCH_TOTAL_CPU_TICKS,
};

/// What to measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchSettings {
    /// Task counts to simulate.
    pub sizes: Vec<usize>,
    /// Timed runs per size (after one warm-up run); the median and the best are reported.
    pub repeat: u32,
    /// Record the trace during the timed runs.
    pub record_trace: bool,
    /// CPU ticks of the scenario at every size (about the task slices per run).
    pub total_ticks: u64,
    /// Simulate the multiprocessor model (per-CPU queues, stealing, caches, under `ostep`) instead of one shared
    /// queue.
    pub multiprocessor: bool,
}

impl Default for BenchSettings {
    fn default() -> Self {
        BenchSettings {
            sizes: vec![1_000, 10_000, 100_000],
            repeat: 3,
            record_trace: true,
            total_ticks: BENCH_TOTAL_CPU_TICKS,
            multiprocessor: false,
        }
    }
}

/// Runs the benchmark and writes one line per size to `out`.
pub fn run(settings: &BenchSettings, out: &mut impl Write) {
    let _ = writeln!(
        out,
        "simulator benchmark: round robin, quantum 1, 8 CPUs, switch cost 0, {}, trace {}",
        if settings.multiprocessor {
            "per-CPU queues, stealing every 30 ticks, caches (ostep)"
        } else {
            "one shared queue"
        },
        if settings.record_trace {
            "recorded"
        } else {
            "not recorded"
        }
    );
    let _ = writeln!(
        out,
        "{:>8} {:>12} {:>10} {:>14} {:>10} {:>14}",
        "tasks", "task slices", "median s", "slices/s", "ns/slice", "best slices/s"
    );
    for &size in &settings.sizes {
        let setup = if settings.multiprocessor {
            bench_scenario_multiprocessor(size, settings.total_ticks)
        } else {
            bench_scenario_sized(size, settings.total_ticks)
        };
        let mut timings = Vec::new();
        let mut slices = 0;
        // One warm-up run, then the timed ones.
        for run in 0..=settings.repeat {
            let started = Instant::now();
            let result = setup.run(settings.record_trace);
            let elapsed = started.elapsed().as_secs_f64();
            match result {
                Ok(result) => slices = result.summary.task_slices,
                Err(error) => {
                    let _ = writeln!(out, "{size:>8} failed: {error}");
                    break;
                }
            }
            if run > 0 {
                timings.push(elapsed);
            }
        }
        if timings.is_empty() {
            continue;
        }
        timings.sort_by(f64::total_cmp);
        let median = timings[timings.len() / 2];
        let per_second = slices as f64 / median;
        let best_per_second = slices as f64 / timings[0];
        let _ = writeln!(
            out,
            "{size:>8} {slices:>12} {median:>10.3} {per_second:>14.0} {:>10.1} {best_per_second:>14.0}",
            median * 1e9 / slices.max(1) as f64
        );
        let _ = out.flush();
    }
}
