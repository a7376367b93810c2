//! The policy of a real run: the simulator's scheduling rules ([`tasklab_core::sched`]) applied to real tasks,
//! on microseconds of the run's clock instead of ticks.
//!
//! Both executors ask a [`Dispatcher`] the same questions the simulator asks: which ready task runs next, how long
//! its turn may last, whether a ready task preempts a running one, and (MLFQ) which level a task is at. The
//! conventions are the simulator's: ready tasks that are equal for the policy run in the order they entered the
//! ready queue; tasks that became ready at the same time enter in scenario order; a task back from a wait enters
//! like an arrival; arrivals enter before a task preempted at the same time unless the conventions say otherwise.
//!
//! SJF and SRTF order tasks by the CPU time left in their current burst, *estimated* from units × this machine's
//! calibrated cost per unit ([`UnitCosts`]): a real run cannot know its future, so it uses the same estimate as
//! the model.

use tasklab_core::policy::PolicyKind;
use tasklab_core::predict::{PredictSettings, UnitCosts};
use tasklab_core::scenario::{Scenario, TaskRun};
use tasklab_core::sched::{Entry, ReadyQueue, Rules, Standing};
use tasklab_core::sim::Policy;

/// Microseconds in a millisecond: the unit of every time a [`Dispatcher`] handles.
pub const MICROS_PER_MS: f64 = 1_000.0;

/// Milliseconds (a clock difference) as whole microseconds, never negative.
pub fn micros(ms: f64) -> u64 {
    if ms.is_finite() && ms > 0.0 {
        (ms * MICROS_PER_MS) as u64
    } else {
        0
    }
}

/// The policy a real run follows.
#[derive(Debug, Clone, PartialEq)]
pub struct RealSchedule {
    /// The policy, every time (quantum, allotments, boost period) in microseconds.
    pub policy: Policy,
    /// Whether a task that becomes ready at the time another is preempted enters the ready queue first.
    pub arrival_before_preempted: bool,
    /// Cost per unit on this machine, for the SJF/SRTF estimates.
    pub costs: UnitCosts,
}

impl RealSchedule {
    /// The policy of the page's settings (quantum in ms) with these unit costs.
    pub fn from_settings(settings: &PredictSettings, costs: UnitCosts) -> Self {
        Self {
            policy: settings.policy_at(1_000),
            arrival_before_preempted: settings.arrival_before_preempted,
            costs,
        }
    }

    /// Round robin with a quantum of `slice_ms` (what the executors did before they followed policies).
    pub fn round_robin(slice_ms: u64) -> Self {
        Self::from_settings(
            &PredictSettings {
                policy: PolicyKind::RoundRobin,
                quantum: slice_ms.max(1),
                ..PredictSettings::default()
            },
            UnitCosts::default(),
        )
    }

    /// First come, first served (what the parallel executor did before it followed policies).
    pub fn fcfs() -> Self {
        Self::from_settings(
            &PredictSettings {
                policy: PolicyKind::Fcfs,
                ..PredictSettings::default()
            },
            UnitCosts::default(),
        )
    }

    /// Estimated microseconds of CPU left in `run`'s current burst.
    pub fn remaining_us(&self, run: &TaskRun) -> u64 {
        micros(run.remaining_burst_ms(|kind| self.costs.of(kind)))
    }
}

/// A task becoming ready at a time: its arrival or the end of a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// When, in µs from the run's start.
    pub at_us: u64,
    /// Which task.
    pub task: usize,
}

/// The arrivals and wake-ups still to come, earliest first (ties: scenario order), shared by both executors.
#[derive(Debug, Clone, Default)]
pub struct Pending {
    dues: Vec<Due>,
}

impl Pending {
    /// Every task's arrival (`arrival_ms` from the run's start).
    pub fn arrivals(scenario: &Scenario) -> Self {
        let mut dues: Vec<Due> = scenario
            .tasks
            .iter()
            .enumerate()
            .map(|(task, spec)| Due {
                at_us: spec.arrival_ms.saturating_mul(1_000),
                task,
            })
            .collect();
        dues.sort_by_key(|due| (due.at_us, due.task));
        Self { dues }
    }

    /// `task` starts a wait of `ms` at `now_us`.
    pub fn wake_after(&mut self, task: usize, now_us: u64, ms: u32) {
        let wake = Due {
            at_us: now_us.saturating_add(u64::from(ms).saturating_mul(1_000)),
            task,
        };
        let at = self
            .dues
            .partition_point(|due| (due.at_us, due.task) <= (wake.at_us, wake.task));
        self.dues.insert(at, wake);
    }

    /// Removes and returns the dues at or before `now_us`, in order.
    pub fn take_due(&mut self, now_us: u64) -> Vec<Due> {
        let due = self.dues.partition_point(|due| due.at_us <= now_us);
        self.dues.drain(..due).collect()
    }

    /// When the next one is due.
    pub fn next_at_us(&self) -> Option<u64> {
        self.dues.first().map(|due| due.at_us)
    }

    /// Milliseconds from `now_us` until the next one is due (0 if overdue).
    pub fn ms_until_next(&self, now_us: u64) -> Option<f64> {
        self.next_at_us()
            .map(|at| at.saturating_sub(now_us) as f64 / MICROS_PER_MS)
    }

    /// Forgets every arrival and wake-up (Stop).
    pub fn clear(&mut self) {
        self.dues.clear();
    }
}

/// The ready queue and the policy's decisions over real tasks; `T` is what the executor carries per ready entry
/// (a task index, or a piece of work).
#[derive(Debug, Clone)]
pub struct Dispatcher<T> {
    rules: Rules,
    ready: ReadyQueue<T>,
    priority_keys: Vec<i128>,
    standings: Vec<Standing>,
    /// Boost count when each standing was set (older = boosted since).
    epochs: Vec<u64>,
    boosts_done: u64,
    arrival_class: u8,
    preempted_class: u8,
}

impl<T> Dispatcher<T> {
    /// A dispatcher for `scenario`'s tasks under `schedule`.
    pub fn new(schedule: &RealSchedule, scenario: &Scenario) -> Self {
        let rules = Rules::new(&schedule.policy);
        let (arrival_class, preempted_class) = if schedule.arrival_before_preempted {
            (0, 1)
        } else {
            (1, 0)
        };
        let tasks = scenario.tasks.len();
        Self {
            ready: ReadyQueue::new(&rules),
            priority_keys: scenario
                .tasks
                .iter()
                .map(|task| rules.priority_key(task.priority))
                .collect(),
            rules,
            standings: vec![Standing::default(); tasks],
            epochs: vec![0; tasks],
            boosts_done: 0,
            arrival_class,
            preempted_class,
        }
    }

    /// The rules in force.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The MLFQ standing of `task` (the top level for other policies).
    pub fn standing(&mut self, task: usize) -> Standing {
        if self.epochs[task] < self.boosts_done {
            self.standings[task] = Standing::default();
            self.epochs[task] = self.boosts_done;
        }
        self.standings[task]
    }

    /// The policy's key of `task` with `remaining_us` left in its burst (smaller runs first).
    pub fn key(&mut self, task: usize, remaining_us: u64) -> i128 {
        let standing = self.standing(task);
        self.rules
            .key(remaining_us, self.priority_keys[task], standing)
    }

    /// `item` of `task` becomes ready at `now_us`: as an arrival (or return from a wait), or as a preempted task.
    /// Entries of one moment must be made in scenario order.
    pub fn enter(&mut self, item: T, task: usize, remaining_us: u64, now_us: u64, preempted: bool) {
        let key = self.key(task, remaining_us);
        let key = self.rules.entry_key(key, now_us);
        let class = if preempted {
            self.preempted_class
        } else {
            self.arrival_class
        };
        let entry = Entry {
            at: now_us,
            class,
            index: task,
        };
        self.ready.push(item, key, entry);
    }

    /// The next entry to run, if any is ready, with its key as it stands at `now_us` (with aging, the priority it
    /// keeps while it runs; see [`Dispatcher::should_preempt`]).
    pub fn pick(&mut self, now_us: u64) -> Option<(T, i128)> {
        let key = self.ready.best_key().unwrap_or(0);
        let item = self.ready.pop()?;
        Some((item, self.rules.aged(key, now_us)))
    }

    /// Whether the best ready entry should take the CPU of `task`, running with `remaining_us` left; `picked_key`
    /// is the key it was picked with (what counts under aging, which a running task keeps).
    pub fn should_preempt(
        &mut self,
        task: usize,
        remaining_us: u64,
        picked_key: i128,
        now_us: u64,
    ) -> bool {
        let Some(best) = self.ready.best_key() else {
            return false;
        };
        let best = self.rules.aged(best, now_us);
        let running = if self.rules.aging().is_some() {
            picked_key
        } else {
            self.key(task, remaining_us)
        };
        self.rules.preempts(best, running)
    }

    /// The longest turn `task` may have now, with `remaining_us` left in its burst. At least 1 µs.
    pub fn turn_length_us(&mut self, task: usize, remaining_us: u64) -> u64 {
        let standing = self.standing(task);
        // An estimate may be short: a turn ends with the burst, not with the estimate.
        self.rules
            .turn_length(remaining_us.max(u64::MAX / 2), standing)
            .max(1)
    }

    /// `task` ran `ran_us` of CPU: MLFQ counts it against the level's allotment.
    pub fn account(&mut self, task: usize, ran_us: u64) {
        let standing = self.standing(task);
        self.standings[task] = self.rules.after_run(standing, ran_us);
    }

    /// Applies the MLFQ boosts due by `now_us`; returns whether one happened (running tasks then start a fresh
    /// turn at the top level).
    pub fn boost_if_due(&mut self, now_us: u64) -> bool {
        let due = self.rules.boosts_due(now_us);
        if due <= self.boosts_done {
            return false;
        }
        self.boosts_done = due;
        self.ready.boost();
        true
    }
}
