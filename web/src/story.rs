//! The story of a finished run, in sentences computed from its own numbers (the Results panel's `#run-story`):
//! how long it took against a baseline (speed-up and efficiency), where the time that was not computing went
//! (yielding, handing out work, idle workers), and how the page felt meanwhile (frames, the longest gap, keys).
//! Pure, so it is tested natively with made-up runs.

use tasklab_core::report::InputLatency;
use tasklab_core::settings::Mode;
use tasklab_engine::plan::ExecutorPlan;

use crate::compare::RunRow;
use crate::run::FinishedRun;
use crate::widgets::format_ms;

/// A gap between frames longer than this is one a person notices (a stutter), ms.
pub const SMOOTH_GAP_MS: f64 = 100.0;

/// Below this speed-up, more workers did not pay.
pub const FASTER_FROM: f64 = 1.1;

/// Which story a run tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoryKind {
    /// Several workers, measurably faster than one CPU.
    Faster,
    /// Several workers, no faster (or slower) than one CPU.
    Slower,
    /// More workers than cores: they took turns on the cores.
    Oversubscribed,
    /// The main thread was never given back: the page froze.
    Froze,
    /// A one-CPU run (the baseline of the speed-ups).
    OneCpu,
    /// Several workers, but no one-CPU run to compare with yet.
    NoBaseline,
    /// Stopped before its end.
    Stopped,
}

/// What the story needs of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFacts {
    /// How it ran.
    pub mode: Mode,
    /// Workers it ran on (1 on the main thread).
    pub workers: u32,
    /// "multiprocessing, 2 workers".
    pub how: String,
    /// Wall time, ms.
    pub wall_ms: f64,
    /// CPU time of its slices, summed over lanes, ms.
    pub cpu_ms: f64,
    /// Busy share of each lane.
    pub busy_per_lane: Vec<f64>,
    /// Time between slices while a task was ready (yielding, deciding), ms.
    pub overhead_ms: f64,
    /// Time workers waited for the next piece of work once handed it, ms.
    pub dispatch_overhead_ms: f64,
    /// Pieces of work handed to workers.
    pub dispatches: u64,
    /// Frames drawn.
    pub frames: u32,
    /// Longest gap between frames, ms.
    pub longest_frame_gap_ms: f64,
    /// Longest main-thread task, ms.
    pub longest_main_task_ms: f64,
    /// Keys typed in the reply box.
    pub keys: InputLatency,
    /// Stopped before its end.
    pub stopped: bool,
}

impl RunFacts {
    /// The facts of a finished run.
    pub fn of(run: &FinishedRun) -> Self {
        let plan = ExecutorPlan::from_settings(&run.settings);
        Self {
            mode: run.settings.mode,
            workers: if plan.needs_pool() { plan.workers } else { 1 },
            how: plan.describe(),
            wall_ms: run.record.wall_ms,
            cpu_ms: run.busy_ms(),
            busy_per_lane: run.report.busy_per_lane.clone(),
            overhead_ms: run.record.overhead_ms,
            dispatch_overhead_ms: run.record.dispatch_overhead_ms,
            dispatches: run.record.dispatches,
            frames: run.report.frames,
            longest_frame_gap_ms: run.report.longest_frame_gap_ms,
            longest_main_task_ms: run.report.longest_main_task_ms,
            keys: run.report.input_latency_ms,
            stopped: run.record.stopped,
        }
    }
}

/// The run a story compares with: for a run on several workers, the last one-CPU run of its scenario; for a
/// one-CPU run, the last earlier run of its scenario on several workers.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// How it ran.
    pub how: String,
    /// Its wall time, ms.
    pub wall_ms: f64,
}

/// The last complete run on several workers of preset `scenario` in `earlier` (the runs table without the run
/// the story is about). Custom scenarios share one name in the table, so they are never matched.
pub fn earlier_parallel_run(earlier: &[RunRow], scenario: &str) -> Option<Baseline> {
    earlier
        .iter()
        .rev()
        .find(|row| {
            row.scenario == scenario
                && scenario != "custom"
                && !row.stopped
                && row.mode == Mode::Multiprocessing
                && row.workers > 1
                && row.wall_ms > 0.0
        })
        .map(|row| Baseline {
            how: format!("multiprocessing, {} workers", row.workers),
            wall_ms: row.wall_ms,
        })
}

/// A run's story: which one, and its sentences.
#[derive(Debug, Clone, PartialEq)]
pub struct RunStory {
    /// Which story.
    pub kind: StoryKind,
    /// Two to four sentences.
    pub sentences: Vec<String>,
}

fn percent(share: f64) -> String {
    format!("{:.0} %", share * 100.0)
}

/// The story of `run` against `baseline`, on a machine of `cores` cores.
pub fn run_story(run: &RunFacts, baseline: Option<&Baseline>, cores: u32) -> RunStory {
    let wall = format_ms(run.wall_ms);
    let on_workers = run.mode == Mode::Multiprocessing && run.workers > 1;
    let (kind, first) = if run.stopped {
        (
            StoryKind::Stopped,
            format!("Stopped after {wall}: a partial run has no speed-up to tell; run it to the end to compare."),
        )
    } else if run.mode == Mode::SingleThread {
        (
            StoryKind::Froze,
            format!("The single thread, never yielding, finished in {wall}."),
        )
    } else if !on_workers {
        let first = match baseline {
            Some(other) => format!(
                "On one CPU ({}) the run took {wall}: {:.2}× as long as the earlier run on {} ({}). That run's speed-up is this ratio.",
                run.how,
                run.wall_ms / other.wall_ms,
                other.how.trim_start_matches("multiprocessing, "),
                format_ms(other.wall_ms)
            ),
            None => format!(
                "On one CPU ({}) the run took {wall}: this is the baseline for the speed-ups of this scenario.",
                run.how
            ),
        };
        (StoryKind::OneCpu, first)
    } else {
        match baseline.filter(|other| other.wall_ms > 0.0 && run.wall_ms > 0.0) {
            None => (
                StoryKind::NoBaseline,
                format!(
                    "{} workers finished in {wall}. Run the same scenario on one CPU (multitasking) too, to measure the speed-up.",
                    run.workers
                ),
            ),
            Some(other) => {
                let speedup = other.wall_ms / run.wall_ms;
                let efficiency = speedup / f64::from(run.workers);
                let figures = format!(
                    "{} workers finished in {wall} instead of {} on one CPU ({}): speed-up {speedup:.2}×, efficiency {}.",
                    run.workers,
                    format_ms(other.wall_ms),
                    other.how,
                    percent(efficiency)
                );
                if run.workers > cores {
                    (StoryKind::Oversubscribed, format!("{figures} With {} workers on {cores} cores the workers took turns on the cores (oversubscribed), so the extra workers could not add speed.", run.workers))
                } else if speedup >= FASTER_FROM {
                    (StoryKind::Faster, figures)
                } else {
                    (StoryKind::Slower, format!("{figures} No faster: the work did not spread over the workers, or handing it out cost more than it saved."))
                }
            }
        }
    };
    let mut sentences = vec![first];
    if !run.stopped {
        sentences.push(where_time_went(run, on_workers));
    }
    sentences.push(responsiveness(run, on_workers));
    if run.keys.count > 0 {
        sentences.push(format!(
            "The {} keys typed in the reply box waited at most {} to be drawn (95 % within {}).",
            run.keys.count,
            format_ms(run.keys.worst),
            format_ms(run.keys.p95)
        ));
    }
    RunStory { kind, sentences }
}

/// Where the time that was not computing went.
fn where_time_went(run: &RunFacts, on_workers: bool) -> String {
    let cpu = format_ms(run.cpu_ms);
    if on_workers {
        let capacity = f64::from(run.workers) * run.wall_ms;
        let idle = (capacity - run.cpu_ms - run.dispatch_overhead_ms).max(0.0);
        let least_busy = run
            .busy_per_lane
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .filter(|(_, busy)| **busy < 0.8)
            .map(|(lane, busy)| {
                format!(
                    " (worker {} was busy only {} of the run)",
                    lane + 1,
                    percent(*busy)
                )
            })
            .unwrap_or_default();
        format!(
            "Of {} workers × {} of worker time, the tasks computed for {cpu} ({}); handing out {} pieces of work cost {}; the rest, {}, the workers sat idle with nothing to run (a task waiting for I/O, or the last one running alone){least_busy}.",
            run.workers,
            format_ms(run.wall_ms),
            percent(run.cpu_ms / capacity.max(f64::MIN_POSITIVE)),
            run.dispatches,
            format_ms(run.dispatch_overhead_ms),
            format_ms(idle)
        )
    } else if run.mode == Mode::SingleThread {
        format!(
            "The tasks computed for {cpu} of it ({}), with no time given back to the browser.",
            percent(run.cpu_ms / run.wall_ms.max(f64::MIN_POSITIVE))
        )
    } else {
        let idle = (run.wall_ms - run.cpu_ms - run.overhead_ms).max(0.0);
        format!(
            "Of the {}, the tasks computed for {cpu} ({}); yielding to the browser between slices cost {}; the rest, {}, no task was ready (waiting for I/O or not yet arrived) or the browser was drawing.",
            format_ms(run.wall_ms),
            percent(run.cpu_ms / run.wall_ms.max(f64::MIN_POSITIVE)),
            format_ms(run.overhead_ms),
            format_ms(idle)
        )
    }
}

/// How the page felt during the run.
fn responsiveness(run: &RunFacts, on_workers: bool) -> String {
    let gap = format_ms(run.longest_frame_gap_ms);
    let task = format_ms(run.longest_main_task_ms);
    if run.mode == Mode::SingleThread {
        format!(
            "The page froze: it drew {} frames in {}, and the longest gap between two frames was {gap}, because the executor kept the main thread until all the work was done, so the browser could neither draw nor react to clicks and keys (longest main-thread task {task}).",
            run.frames,
            format_ms(run.wall_ms)
        )
    } else if run.longest_frame_gap_ms <= SMOOTH_GAP_MS {
        let why = if on_workers || run.mode == Mode::Multiprocessing {
            "the main thread only handed out work and collected results"
        } else {
            "each slice gave the thread back to the browser"
        };
        format!(
            "The page stayed responsive: it drew {} frames, and the longest gap between two was {gap}, because {why}.",
            run.frames
        )
    } else {
        format!(
            "The page stuttered: it drew {} frames, but the longest gap between two was {gap} (longest main-thread task {task}), long enough to notice.",
            run.frames
        )
    }
}

#[cfg(test)]
mod tests;
