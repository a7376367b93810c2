//! What running in a [`Mode`] means, decided in one place: which executor runs it and with which options, whether
//! it needs the worker pool, how many lanes its timeline draws and what they are called, and which simulator
//! model describes it, so a real run can be compared with its prediction.

use std::sync::Arc;

use tasklab_core::predict::{PredictSettings, UnitCosts};
use tasklab_core::report::RunRecord;
use tasklab_core::scenario::Scenario;
use tasklab_core::settings::{Mode, Placement, Settings};

use crate::cooperative::{CooperativeOptions, CooperativeRun};
use crate::host::Host;
use crate::parallel::{run_parallel, ParallelOptions};
use crate::progress::LiveProgress;
use crate::schedule::RealSchedule;

/// How a run is executed: the mode, the settings that mode reads, and the policy every mode follows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExecutorPlan {
    /// How the tasks are run.
    pub mode: Mode,
    /// Workers for multiprocessing (at least 1; the other modes ignore it).
    pub workers: u32,
    /// Longest stretch of work between two scheduling decisions, in milliseconds: on the main thread, between two
    /// yields to the browser; on a worker, between two chances to preempt (for preemptive policies).
    pub slice_ms: u32,
    /// The policy (kind, quantum in ms, tie convention; `cpus` and `switch_cost` are the model's, not the run's).
    pub policy: PredictSettings,
    /// Cost per unit on this machine, for the SJF/SRTF estimates.
    pub costs: UnitCosts,
    /// How multiprocessing places its work on the workers (the other modes ignore it).
    pub placement: Placement,
}

/// The simulator's description of what an executor does, to compare a run with its model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunModel {
    /// The policy, CPUs, quantum and conventions that behave like the executor.
    pub predict: PredictSettings,
    /// Chunks a splittable task is cut into (1 = none), for
    /// [`simulate_split`](tasklab_core::split::simulate_split).
    pub chunks: usize,
}

impl ExecutorPlan {
    /// A plan for `mode` under round robin with the slice as quantum; `workers` is raised to at least 1.
    pub fn new(mode: Mode, workers: u32, slice_ms: u32) -> Self {
        Self {
            mode,
            workers: workers.max(1),
            slice_ms,
            policy: PredictSettings {
                quantum: u64::from(slice_ms.max(1)),
                ..PredictSettings::default()
            },
            costs: UnitCosts::default(),
            placement: Placement::Pinned,
        }
    }

    /// The same plan with another placement of its multiprocessing work.
    pub fn with_placement(self, placement: Placement) -> Self {
        Self { placement, ..self }
    }

    /// The same plan under another policy (its `cpus` and `switch_cost` are ignored).
    pub fn with_policy(self, policy: PredictSettings) -> Self {
        Self { policy, ..self }
    }

    /// The same plan with this machine's unit costs (for SJF and SRTF).
    pub fn with_costs(self, costs: UnitCosts) -> Self {
        Self { costs, ..self }
    }

    /// The plan the page's settings ask for: their mode, workers, slice, policy and placement.
    pub fn from_settings(settings: &Settings) -> Self {
        Self::new(settings.mode, settings.workers, settings.slice_ms)
            .with_policy(settings.predict)
            .with_placement(settings.placement)
    }

    /// The policy as the executors apply it.
    pub fn schedule(&self) -> RealSchedule {
        RealSchedule::from_settings(&self.policy, self.costs)
    }

    /// Whether the run needs the worker pool (only multiprocessing does).
    pub fn needs_pool(&self) -> bool {
        self.mode == Mode::Multiprocessing
    }

    /// Whether the run computes on one CPU at a time: the main-thread modes, or multiprocessing with 1 worker.
    /// Such a run is the baseline a speed-up is measured against.
    pub fn uses_one_cpu(&self) -> bool {
        !self.needs_pool() || self.workers == 1
    }

    /// Lanes of the run's timeline: the main thread, or one per worker.
    pub fn lanes(&self) -> usize {
        if self.needs_pool() {
            self.worker_count()
        } else {
            1
        }
    }

    /// The name of each lane, indexed like [`Slice::lane`](tasklab_core::report::Slice::lane).
    pub fn lane_labels(&self) -> Vec<String> {
        if self.needs_pool() {
            (1..=self.lanes())
                .map(|worker| format!("Worker {worker}"))
                .collect()
        } else {
            vec!["Main thread".to_owned()]
        }
    }

    /// A short description for people, e.g. "multitasking, 5 ms slices" or "multiprocessing, 2 workers" (with
    /// ", work stealing" when rayon places the chunks).
    pub fn describe(&self) -> String {
        let stealing = match self.placement {
            Placement::Stealing => ", work stealing",
            Placement::Pinned => "",
        };
        match self.mode {
            Mode::Multitasking => format!("multitasking, {} ms slices", self.slice_ms),
            Mode::Multiprocessing if self.workers == 1 => {
                format!("multiprocessing, 1 worker{stealing}")
            }
            Mode::Multiprocessing => format!("multiprocessing, {} workers{stealing}", self.workers),
            Mode::SingleThread => "single thread, no yielding".to_owned(),
        }
    }

    /// How the plan places its work, in a sentence or two; none for the main-thread modes, which have one place.
    pub fn placement_description(&self) -> Option<&'static str> {
        if !self.needs_pool() {
            return None;
        }
        Some(match self.placement {
            Placement::Pinned => {
                "Every job goes to the worker the policy chose: the dispatcher pins it there."
            }
            Placement::Stealing => {
                "A splittable phase goes to one worker, which queues its chunks on its own deque; idle workers of \
                 the run steal them (rayon's work stealing), and a forked phase runs to its end. Other phases are \
                 pinned to the worker the policy chose; pool threads beyond the run's workers are held aside."
            }
        })
    }

    /// One sentence on how a finished multiprocessing run placed its work, with its numbers; none for the
    /// main-thread modes.
    pub fn placement_summary(&self, record: &RunRecord) -> Option<String> {
        if !self.needs_pool() {
            return None;
        }
        Some(match record.placement {
            Placement::Pinned => "Each job was pinned to the worker the policy chose.".to_owned(),
            Placement::Stealing if record.forked_chunks == 0 => {
                "Rayon's work stealing had no chunks to place (no phase here is splittable): each job was pinned \
                 to the worker the policy chose."
                    .to_owned()
            }
            Placement::Stealing => {
                let (chunks, them) = match record.forked_chunks {
                    1 => ("chunk", "it"),
                    _ => ("chunks", "them"),
                };
                format!(
                    "Rayon's work stealing placed {} {chunks}: {} ran on a worker other than the one that queued \
                     {them}.",
                    record.forked_chunks, record.stolen_chunks
                )
            }
        })
    }

    /// [`ExecutorPlan::describe`] with the policy, e.g. "multitasking, 5 ms slices, first come, first served".
    pub fn describe_with_policy(&self) -> String {
        format!(
            "{}, {}",
            self.describe(),
            tasklab_core::policy::PolicyKind::describe(&self.policy.policy(), "ms")
        )
    }

    /// The textbook schedule the executor follows: the plan's policy on one CPU (the main-thread modes) or on
    /// `workers` CPUs, with splittable tasks cut as the dispatcher cuts them. Switching costs nothing: the
    /// executors do not pay a measurable price per switch.
    pub fn model(&self) -> RunModel {
        let chunks = if self.needs_pool() {
            self.chunks_per_splittable_phase()
        } else {
            1
        };
        RunModel {
            predict: PredictSettings {
                cpus: u32::try_from(self.lanes()).unwrap_or(u32::MAX),
                switch_cost: 0,
                ..self.policy
            },
            chunks,
        }
    }

    /// How many chunks the parallel executor cuts a splittable compute phase into (fewer only for a phase with
    /// fewer units): read from [`ParallelOptions`], so the model and the run cannot disagree.
    pub fn chunks_per_splittable_phase(&self) -> usize {
        self.parallel_options().chunks_per_splittable_phase()
    }

    /// Options of the cooperative executor: the slice, and yielding to the browser except in the no-yield mode.
    /// A multiprocessing plan does not use them; it gets the multitasking ones.
    pub fn cooperative_options(&self) -> CooperativeOptions {
        CooperativeOptions {
            slice_ms: f64::from(self.slice_ms),
            yield_to_host: self.mode != Mode::SingleThread,
            schedule: self.schedule(),
        }
    }

    /// Options of the parallel executor: the workers and the placement. Only a multiprocessing plan uses them.
    pub fn parallel_options(&self) -> ParallelOptions {
        ParallelOptions {
            slice_ms: f64::from(self.slice_ms.max(1)),
            schedule: self.schedule(),
            placement: self.placement,
            ..ParallelOptions::with_workers(self.worker_count())
        }
    }

    /// Workers as a count; a `u32` always fits in `usize` on the targets tasklab builds for.
    fn worker_count(&self) -> usize {
        usize::try_from(self.workers.max(1)).unwrap_or(usize::MAX)
    }
}

/// Runs every task of a valid `scenario` as `plan` says: on the calling thread (a [`CooperativeRun`] driven by
/// [`Host::run_to_end`]) or on the worker pool ([`run_parallel`], whose pool must be ready).
pub async fn run_plan<H: Host>(
    plan: &ExecutorPlan,
    scenario: &Scenario,
    host: &H,
    progress: Arc<LiveProgress>,
) -> RunRecord {
    if plan.needs_pool() {
        run_parallel(scenario, &plan.parallel_options(), host, progress).await
    } else {
        let run = CooperativeRun::new(scenario, &plan.cooperative_options(), host.clock());
        host.run_to_end(run, progress).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tasklab_core::policy::PolicyKind;
    use tasklab_core::settings::DEFAULT_SLICE_MS;

    #[test]
    fn main_thread_modes_draw_one_lane_and_use_one_cpu() {
        for mode in [Mode::Multitasking, Mode::SingleThread] {
            let plan = ExecutorPlan::new(mode, 4, 7);
            assert!(!plan.needs_pool());
            assert!(plan.uses_one_cpu(), "{mode:?}");
            assert_eq!(plan.lanes(), 1);
            assert_eq!(plan.lane_labels(), vec!["Main thread".to_owned()]);
            assert_eq!(plan.cooperative_options().slice_ms, 7.0);
            let model = plan.model();
            assert_eq!(model.chunks, 1);
            assert_eq!(
                model.predict,
                PredictSettings {
                    policy: PolicyKind::RoundRobin,
                    quantum: 7,
                    cpus: 1,
                    switch_cost: 0,
                    ..PredictSettings::default()
                }
            );
        }
        assert!(
            ExecutorPlan::new(Mode::Multitasking, 1, 5)
                .cooperative_options()
                .yield_to_host
        );
        assert!(
            !ExecutorPlan::new(Mode::SingleThread, 1, 5)
                .cooperative_options()
                .yield_to_host
        );
    }

    #[test]
    fn multiprocessing_draws_a_lane_per_worker_and_its_model_is_the_policy_on_the_workers() {
        let plan = ExecutorPlan::new(Mode::Multiprocessing, 3, 5).with_policy(PredictSettings {
            policy: PolicyKind::Fcfs,
            cpus: 7,
            switch_cost: 3,
            ..PredictSettings::default()
        });
        assert!(plan.needs_pool());
        assert!(!plan.uses_one_cpu());
        assert_eq!(plan.lanes(), 3);
        assert_eq!(plan.lane_labels(), ["Worker 1", "Worker 2", "Worker 3"]);
        assert_eq!(plan.parallel_options().workers, 3);
        let model = plan.model();
        assert_eq!(model.predict.policy, PolicyKind::Fcfs);
        assert_eq!(model.predict.cpus, 3);
        assert_eq!(model.predict.switch_cost, 0);
        assert!(model.predict.arrival_before_preempted);
        assert_eq!(model.chunks, plan.chunks_per_splittable_phase());
        assert_eq!(
            plan.chunks_per_splittable_phase(),
            plan.parallel_options().chunks_per_splittable_phase()
        );
        assert!(
            plan.chunks_per_splittable_phase() > 3,
            "more chunks than workers"
        );

        let one_worker = ExecutorPlan::new(Mode::Multiprocessing, 1, 5);
        assert!(one_worker.uses_one_cpu());
        assert_eq!(one_worker.lane_labels(), ["Worker 1"]);
    }

    #[test]
    fn placement_travels_from_the_settings_and_is_explained_only_for_multiprocessing() {
        let mut settings = Settings::defaults(4);
        settings.mode = Mode::Multiprocessing;
        settings.placement = Placement::Stealing;
        let plan = ExecutorPlan::from_settings(&settings);
        assert_eq!(plan.placement, Placement::Stealing);
        assert_eq!(plan.parallel_options().placement, Placement::Stealing);
        assert_eq!(plan.describe(), "multiprocessing, 4 workers, work stealing");
        assert!(plan.placement_description().is_some());
        let record = RunRecord {
            placement: Placement::Stealing,
            forked_chunks: 16,
            stolen_chunks: 5,
            ..RunRecord::default()
        };
        assert_eq!(
            plan.placement_summary(&record).as_deref(),
            Some("Rayon's work stealing placed 16 chunks: 5 ran on a worker other than the one that queued them.")
        );
        let nothing_forked = RunRecord {
            placement: Placement::Stealing,
            ..RunRecord::default()
        };
        assert!(plan
            .placement_summary(&nothing_forked)
            .is_some_and(|text| text.contains("no chunks")));
        assert_eq!(
            plan.with_placement(Placement::Pinned)
                .placement_summary(&RunRecord::default())
                .as_deref(),
            Some("Each job was pinned to the worker the policy chose.")
        );
        let main_thread =
            ExecutorPlan::new(Mode::Multitasking, 4, 5).with_placement(Placement::Stealing);
        assert_eq!(main_thread.placement_description(), None);
        assert_eq!(main_thread.placement_summary(&record), None);
        assert_eq!(main_thread.describe(), "multitasking, 5 ms slices");
    }

    #[test]
    fn zero_workers_become_one() {
        let plan = ExecutorPlan::new(Mode::Multiprocessing, 0, 5);
        assert_eq!(plan.workers, 1);
        assert_eq!(plan.lanes(), 1);
        assert!(plan.uses_one_cpu());
        assert!(plan.chunks_per_splittable_phase() >= 1);
    }

    #[test]
    fn descriptions() {
        let describe = |mode, workers, slice| ExecutorPlan::new(mode, workers, slice).describe();
        assert_eq!(
            describe(Mode::Multitasking, 2, 5),
            "multitasking, 5 ms slices"
        );
        assert_eq!(
            describe(Mode::Multiprocessing, 2, 5),
            "multiprocessing, 2 workers"
        );
        assert_eq!(
            describe(Mode::Multiprocessing, 1, 5),
            "multiprocessing, 1 worker"
        );
        assert_eq!(
            describe(Mode::SingleThread, 2, 5),
            "single thread, no yielding"
        );
    }

    #[test]
    fn from_settings_reads_mode_workers_and_slice() {
        let mut settings = Settings::defaults(6);
        settings.mode = Mode::Multiprocessing;
        settings.workers = 2;
        assert_eq!(
            ExecutorPlan::from_settings(&settings),
            ExecutorPlan::new(Mode::Multiprocessing, 2, DEFAULT_SLICE_MS)
        );
    }

    #[test]
    fn every_mode_has_a_plan_whose_labels_match_its_lanes() {
        for mode in Mode::ALL {
            for workers in [1, 2, 8] {
                let plan = ExecutorPlan::new(mode, workers, 3);
                assert_eq!(plan.lane_labels().len(), plan.lanes(), "{plan:?}");
                assert_eq!(plan.uses_one_cpu(), plan.lanes() == 1, "{plan:?}");
                assert_eq!(plan.model().predict.cpus as usize, plan.lanes(), "{plan:?}");
            }
        }
    }
}
