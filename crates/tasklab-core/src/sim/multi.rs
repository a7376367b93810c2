//! The multiprocessor model: one shared ready queue or one per CPU, work stealing, affinity and per-CPU caches, on
//! top of every policy except aging priority (see `docs/multiprocessor-model.md`).
//!
//! Time advances tick by tick but jumps over the ticks in which nothing can change. Each tick handled does, in
//! order:
//!
//! 1. **turn ends**: under the `ostep` conventions every running task leaves its CPU at each multiple of the
//!    quantum (OSTEP `multi.py`'s global slice clock) and goes straight to the back of its queue; otherwise each
//!    CPU's turn ends on its own clock (the policy's quantum or MLFQ allotment since it was dispatched);
//! 2. the MLFQ boost, if one falls due (running tasks start a fresh turn at the top level);
//! 3. arrivals and I/O returns, then tasks whose turn ended (or the reverse, per the conventions) enter a queue,
//!    each group in scenario order. With per-CPU queues a task returning from I/O or whose turn ended goes back
//!    to the queue of the CPU it ran on; a new task is placed round robin: the next CPU (after the one that got
//!    the last new task) on which it may run. Under `ostep` all tasks arrive at 0 and are placed as `multi.py`
//!    does ([`place_round_robin`]);
//! 4. a **steal round**, every `steal_interval` ticks with per-CPU queues: each CPU whose queue is empty (busy or
//!    not) takes the first task it may run from another queue: the longest one (lowest-numbered on a tie), or
//!    under `ostep` a victim drawn at random with `multi.py`'s steal test;
//! 5. **dispatch**: idle CPUs, in order, take the first task of their queue (the shared one, or their own) that
//!    they may run;
//! 6. preemptive policies: a waiting task strictly better than a running one takes its CPU (with per-CPU queues,
//!    each CPU compares its own queue; with a shared queue the worst running task goes first);
//! 7. the ticks up to the next event run: a task does `warm_rate` units of work per tick on a CPU whose cache
//!    holds its warm working set, else 1.
//!
//! **Caches.** A task that starts on a CPU where it is not warm warms up for `warmup` ticks of running there
//! (kept across turns), then becomes warm: it is put in that CPU's cache, and the tasks that became warm there
//! first are evicted until the working sets fit. Moving to another CPU means starting cold there.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::engine::{record_entrants, EntryRules, PreparedTask, RunOutcome, NOT_YET, NO_CPU};
use super::error::{SimError, DEFAULT_MAX_SLICES};
use super::metrics::{SliceKind, TraceSlice};
use super::model::{
    Burst, CacheModel, Completed, CpuChoice, CpuState, Decision, DecisionKind, DispatchReason,
    Entrant, EntryCause, IoWait, PreemptReason, QueueState, Queued, Recording, SimState,
};
use crate::sched::multi::{may_run_on, ostep_may_steal, place_round_robin, ticks_to_slice_end};
use crate::sched::{Entry, Order, ReadyQueue, Rules, Standing};

/// Supplies the choices OSTEP `multi.py` draws at random: the victim of a steal (with three CPUs or more) and the
/// order in which idle CPUs take tasks at a tick ([`super::DispatchOrder::Random`]).
///
/// [`simulate_with`](super::simulate_with) uses [`SeededChooser::default`]; tests that must equal multi.py's
/// output replay its recorded draws through [`simulate_multi_with`](super::simulate_multi_with). Outside the
/// `ostep` conventions the steal victim is not drawn (the longest queue is robbed) and only a random dispatch
/// order consults it.
pub trait MultiChooser {
    /// The CPU that `thief` tries to steal from at `tick`, one of `candidates` (every other CPU, in order;
    /// never empty). A value outside `candidates` is replaced by the first candidate.
    fn victim(&mut self, tick: u64, thief: u32, candidates: &[u32]) -> u32;
    /// Reorders `order` (the CPUs 0, 1, …) into the order idle CPUs take tasks at `tick`. Called at every tick of
    /// a run with a random dispatch order. Anything that is not a permutation is ignored (fixed order kept).
    fn cpu_order(&mut self, tick: u64, order: &mut [u32]);
}

/// The default [`MultiChooser`]: a SplitMix64 generator with a fixed seed, so runs are reproducible (but its
/// draws are not CPython's, so results differ from multi.py's wherever a draw matters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededChooser {
    state: u64,
}

impl SeededChooser {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SeededChooser { state: seed }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        // The modulo bias is irrelevant for at most 64 CPUs.
        (self.next() % bound.max(1) as u64) as usize
    }
}

impl Default for SeededChooser {
    /// Seed 0.
    fn default() -> Self {
        SeededChooser::new(0)
    }
}

impl MultiChooser for SeededChooser {
    fn victim(&mut self, _tick: u64, _thief: u32, candidates: &[u32]) -> u32 {
        candidates
            .get(self.below(candidates.len()))
            .copied()
            .unwrap_or(0)
    }

    fn cpu_order(&mut self, _tick: u64, order: &mut [u32]) {
        for index in (1..order.len()).rev() {
            let other = self.below(index + 1);
            order.swap(index, other);
        }
    }
}

/// A validated multiprocessor run.
pub(crate) struct MultiConfig<'a> {
    pub tasks: &'a [PreparedTask],
    pub working_set: Vec<u64>,
    pub affinity: Vec<Option<&'a [u32]>>,
    pub cpus: u32,
    pub rules: Rules,
    /// `multi.py`'s rules: global slice clock, its placement, random steal victims and its steal test. Only
    /// round robin, every task arriving at 0 with one CPU burst (checked by the caller).
    pub ostep: bool,
    pub arrival_before_preempted: bool,
    pub per_cpu: bool,
    /// Per-CPU queues only, ≥ 1.
    pub steal_interval: Option<u64>,
    pub cache: Option<CacheModel>,
    pub random_order: bool,
    pub record_trace: bool,
    /// Record each decision and the state after each tick ([`Recording`]).
    pub record: bool,
    pub max_slices: u64,
    pub max_steps: u64,
}

/// One CPU's cache: the warm tasks (most recently warmed first) and, per task, one word of state: warm, never ran
/// here (or warm and evicted before: see [`CpuCache::warm_up`]), or the ticks still to run here before it is
/// warm. One word per task and CPU keeps the state of 100,000 tasks on 8 CPUs within a few megabytes.
struct CpuCache {
    contents: Vec<usize>,
    /// [`WARM`], [`NOT_HERE`], or a warm-up counter. The counter may reach −1 with a warm-up of 0 (a task
    /// evicted then runs one cold tick).
    state: Vec<i64>,
}

const WARM: i64 = i64::MAX;
const NOT_HERE: i64 = i64::MIN;

impl CpuCache {
    fn new(tasks: usize) -> Self {
        CpuCache {
            contents: Vec::new(),
            state: vec![NOT_HERE; tasks],
        }
    }

    fn is_warm(&self, task: usize) -> bool {
        self.state[task] == WARM
    }

    /// The warm-up counter of a task warming here.
    fn warming(&self, task: usize) -> Option<i64> {
        let state = self.state[task];
        (state != WARM && state != NOT_HERE).then_some(state)
    }

    /// Puts `task` at the front of the contents and evicts first-warmed-first-out until the working sets fit.
    /// An evicted task must warm up again.
    fn warm_up(
        &mut self,
        task: usize,
        model: &CacheModel,
        working_set: &[u64],
        mut evicted_out: Option<&mut Vec<usize>>,
    ) {
        self.state[task] = WARM;
        self.contents.insert(0, task);
        let mut used: u64 = self
            .contents
            .iter()
            .map(|&t| working_set[t])
            .fold(0, u64::saturating_add);
        while used > model.size {
            let Some(evicted) = self.contents.pop() else {
                break;
            };
            used -= working_set[evicted];
            self.state[evicted] = warmup_counter(model);
            if let Some(out) = evicted_out.as_deref_mut() {
                out.push(evicted);
            }
        }
    }
}

fn warmup_counter(model: &CacheModel) -> i64 {
    // Warm-ups are at most `MAX_TICKS`, far from the two sentinels.
    i64::try_from(model.warmup).unwrap_or(i64::MAX - 1)
}

/// A task on a CPU: since when, when its turn ends (`u64::MAX`: with the burst, or on the global clock), and
/// whether it runs warm (the slice is cut where it turns warm).
#[derive(Debug, Clone, Copy)]
struct Run {
    task: usize,
    start: u64,
    turn_end: u64,
    warm: bool,
}

#[derive(Debug, Clone, Copy)]
struct MultiCpu {
    running: Option<Run>,
    /// When it became idle (while `running` is none).
    idle_since: u64,
    last_task: Option<usize>,
    busy: u64,
    warm: u64,
}

/// The per-task fields touched at every slice, apart from the rest so that a slice reads little memory (many
/// tasks would otherwise mean a cache miss per slice).
#[derive(Debug, Clone, Copy)]
struct TaskState {
    /// Work left in the current CPU burst.
    left: u64,
    /// Ticks run (fewer than the work when warm).
    ran: u64,
    first_run: u64,
    last_cpu: u32,
}

/// The per-task fields touched at burst boundaries (and by MLFQ).
#[derive(Debug, Clone, Copy)]
struct ColdTask {
    /// Index of the current burst.
    burst: usize,
    /// MLFQ level and used allotment, and the boost count when they were set (older = boosted since).
    standing: Standing,
    epoch: u64,
    completion: u64,
}

struct Multi<'a, 'c> {
    config: &'a MultiConfig<'a>,
    chooser: &'c mut dyn MultiChooser,
    queues: Vec<ReadyQueue<usize>>,
    caches: Vec<CpuCache>,
    cpus: Vec<MultiCpu>,
    tasks: Vec<TaskState>,
    cold: Vec<ColdTask>,
    /// The global slice under `ostep`.
    quantum: u64,
    any_affinity: bool,
    arrival_class: u8,
    preempted_class: u8,
    arrival_order: Vec<usize>,
    next_arrival: usize,
    io_returns: BinaryHeap<Reverse<(u64, usize)>>,
    /// Per-CPU queues: the CPU after the one that got the last new task.
    placement_cursor: usize,
    boosts_done: u64,
    unfinished: usize,
    last_completion: u64,
    trace: Vec<TraceSlice>,
    slices: u64,
    task_slices: u64,
    idle_slices: u64,
    context_switches: u64,
    dispatches: u64,
    migrations: u64,
    steals: u64,
    // Scratch lists reused at every tick.
    entered: Vec<usize>,
    preempted: Vec<(usize, usize)>,
    order: Vec<u32>,
    candidates: Vec<u32>,
    /// `config.record` only: the decisions and states so far.
    recording: Recording,
    /// `config.record`: tasks that entered a queue at this tick, in the order pushed: (entrant, queue, key).
    entrants: Vec<(Entrant, usize, i128)>,
    completed_list: Vec<Completed>,
}

/// Runs the multiprocessor model (see the module docs). The inputs must have been validated.
pub(crate) fn run_multi(
    config: &MultiConfig<'_>,
    chooser: &mut dyn MultiChooser,
) -> Result<(RunOutcome, Recording), SimError> {
    let mut multi = Multi::new(config, chooser);
    let outcome = multi.run()?;
    Ok((outcome, std::mem::take(&mut multi.recording)))
}

impl<'a, 'c> Multi<'a, 'c> {
    fn new(config: &'a MultiConfig<'a>, chooser: &'c mut dyn MultiChooser) -> Self {
        let task_count = config.tasks.len();
        let cpu_count = config.cpus.clamp(1, 64) as usize;
        let queues = (0..if config.per_cpu { cpu_count } else { 1 })
            .map(|_| ReadyQueue::new(&config.rules))
            .collect();
        let mut arrival_order: Vec<usize> = (0..task_count).collect();
        // Stable sort: equal arrivals keep scenario order.
        arrival_order.sort_by_key(|&task| config.tasks[task].arrival);
        let window_start = arrival_order
            .first()
            .map_or(0, |&task| config.tasks[task].arrival);
        let (arrival_class, preempted_class) = if config.arrival_before_preempted {
            (0, 1)
        } else {
            (1, 0)
        };
        Multi {
            config,
            chooser,
            queues,
            caches: match config.cache {
                Some(_) => (0..cpu_count).map(|_| CpuCache::new(task_count)).collect(),
                None => Vec::new(),
            },
            cpus: vec![
                MultiCpu {
                    running: None,
                    idle_since: window_start,
                    last_task: None,
                    busy: 0,
                    warm: 0,
                };
                cpu_count
            ],
            tasks: vec![
                TaskState {
                    left: 0,
                    ran: 0,
                    first_run: NOT_YET,
                    last_cpu: NO_CPU,
                };
                task_count
            ],
            cold: vec![
                ColdTask {
                    burst: 0,
                    standing: Standing::default(),
                    epoch: 0,
                    completion: 0,
                };
                task_count
            ],
            quantum: config
                .rules
                .turn_length(u64::MAX, Standing::default())
                .max(1),
            any_affinity: config.affinity.iter().any(Option::is_some),
            arrival_class,
            preempted_class,
            arrival_order,
            next_arrival: 0,
            io_returns: BinaryHeap::new(),
            placement_cursor: 0,
            boosts_done: 0,
            unfinished: task_count,
            last_completion: window_start,
            trace: Vec::new(),
            slices: 0,
            task_slices: 0,
            idle_slices: 0,
            context_switches: 0,
            dispatches: 0,
            migrations: 0,
            steals: 0,
            entered: Vec::new(),
            preempted: Vec::new(),
            order: (0..cpu_count as u32).collect(),
            candidates: Vec::with_capacity(cpu_count),
            recording: Recording::default(),
            entrants: Vec::new(),
            completed_list: Vec::new(),
        }
    }

    fn run(&mut self) -> Result<RunOutcome, SimError> {
        let window_start = self.last_completion;
        if self.config.record_trace {
            self.trace.reserve(self.expected_slices());
        }
        if self.config.ostep {
            self.place_all_ostep();
        }
        let mut now = window_start;
        let mut steps: u64 = 0;
        while self.unfinished > 0 {
            steps += 1;
            if steps > self.config.max_steps {
                return Err(SimError::TooManySteps {
                    max: self.config.max_steps,
                });
            }
            self.end_turns(now)?;
            self.boost_if_due(now)?;
            self.enter_ready(now);
            if self.config.record {
                self.record_entrants(now);
            }
            if self.unfinished == 0 {
                // The last task completed by coming back from I/O.
                break;
            }
            let steal_round = self
                .config
                .steal_interval
                .is_some_and(|interval| now > 0 && now.is_multiple_of(interval));
            if steal_round {
                self.steal_round(now);
            }
            self.dispatch_idle(now)?;
            if !self.config.ostep && self.config.rules.is_preemptive() {
                self.preempt(now)?;
            }
            if self.config.record {
                self.record_state(now);
            }
            let span = self.span(now)?;
            self.run_span(now, span)?;
            now += span;
        }
        if self.config.record
            && self
                .recording
                .states
                .last()
                .is_none_or(|state| state.tick < self.last_completion)
        {
            // The end: every task done.
            self.record_state(self.last_completion);
        }
        for cpu in 0..self.cpus.len() {
            if self.cpus[cpu].running.is_none() {
                let since = self.cpus[cpu].idle_since;
                self.emit(cpu, SliceKind::Idle, since, self.last_completion, false)?;
            }
        }
        // Slices are emitted when they end, so the trace is already in order of end (as the main engine's is).
        Ok(RunOutcome {
            trace: std::mem::take(&mut self.trace),
            first_run: self.tasks.iter().map(|t| t.first_run).collect(),
            completion: self.cold.iter().map(|t| t.completion).collect(),
            busy_ticks: self.cpus.iter().map(|c| c.busy).collect(),
            switch_ticks: vec![0; self.cpus.len()],
            // multi.py has no notion of a switch; it counts every dispatch.
            context_switches: if self.config.ostep {
                self.dispatches
            } else {
                self.context_switches
            },
            task_slices: self.task_slices,
            switch_slices: 0,
            idle_slices: self.idle_slices,
            window_start,
            window_end: self.last_completion,
            warm_ticks: if self.config.cache.is_some() {
                self.cpus.iter().map(|c| c.warm).collect()
            } else {
                Vec::new()
            },
            cpu_ticks: self.tasks.iter().map(|t| t.ran).collect(),
            migrations: Some(self.migrations),
            steals: Some(self.steals),
        })
    }

    /// A lower bound on the slices of the run (one per quantum of work, or per CPU burst), capped, to reserve the
    /// trace once instead of growing it by doubling.
    fn expected_slices(&self) -> usize {
        let slices = self
            .config
            .tasks
            .iter()
            .flat_map(|task| task.bursts.iter())
            .map(|burst| match burst {
                Burst::Cpu(work) => work.div_ceil(self.quantum).max(1),
                Burst::Io(_) => 0,
            })
            .fold(2 * self.cpus.len() as u64, u64::saturating_add);
        usize::try_from(slices.min(self.config.max_slices).min(DEFAULT_MAX_SLICES)).unwrap_or(0)
    }

    fn emit(
        &mut self,
        cpu: usize,
        kind: SliceKind,
        start: u64,
        end: u64,
        warm: bool,
    ) -> Result<(), SimError> {
        if end <= start {
            return Ok(());
        }
        if self.slices >= self.config.max_slices {
            return Err(SimError::TooManySlices {
                max: self.config.max_slices,
            });
        }
        self.slices += 1;
        match kind {
            SliceKind::Task(_) => self.task_slices += 1,
            _ => self.idle_slices += 1,
        }
        if self.config.record_trace {
            self.trace.push(TraceSlice {
                cpu: cpu as u32,
                kind,
                start,
                end,
                warm,
            });
        }
        Ok(())
    }

    fn queue_of(&self, cpu: usize) -> usize {
        if self.config.per_cpu {
            cpu
        } else {
            0
        }
    }

    /// The task's MLFQ standing, reset to the top if a boost happened since it was set.
    fn standing(&mut self, task: usize) -> Standing {
        let state = &mut self.cold[task];
        if state.epoch < self.boosts_done {
            state.standing = Standing::default();
            state.epoch = self.boosts_done;
        }
        state.standing
    }

    fn key(&mut self, task: usize) -> i128 {
        // Only the fields the order needs: FIFO queues (the common case) read nothing per task.
        match self.config.rules.order() {
            Order::Entry => 0,
            Order::Level => self.standing(task).level as i128,
            Order::Remaining => i128::from(self.tasks[task].left),
            Order::Priority => self.config.tasks[task].priority_key,
        }
    }

    fn push(&mut self, queue: usize, task: usize, now: u64, class: u8) {
        let key = self.key(task);
        let entry = Entry {
            at: now,
            class,
            index: task,
        };
        self.queues[queue].push(task, key, entry);
    }

    /// `ostep`: every task arrives at 0 with one CPU burst and is placed as multi.py does.
    fn place_all_ostep(&mut self) {
        for (state, task) in self.tasks.iter_mut().zip(self.config.tasks) {
            if let Some(Burst::Cpu(work)) = task.bursts.first() {
                state.left = *work;
            }
        }
        self.next_arrival = self.arrival_order.len();
        if self.config.per_cpu {
            let placement =
                place_round_robin(self.config.cpus, self.config.affinity.iter().copied());
            for (queue, placed) in placement.into_iter().enumerate() {
                for task in placed {
                    self.push(queue, task, 0, 0);
                    self.note_entrant(task, queue, EntryCause::Arrival);
                }
            }
        } else {
            for task in 0..self.tasks.len() {
                self.push(0, task, 0, 0);
                self.note_entrant(task, 0, EntryCause::Arrival);
            }
        }
    }

    /// Moves `task` into its current burst: ready for a CPU burst, I/O for an I/O burst, or done.
    fn enter_burst(&mut self, task: usize, now: u64) {
        match self.config.tasks[task].bursts.get(self.cold[task].burst) {
            Some(Burst::Cpu(work)) => {
                self.tasks[task].left = *work;
                self.entered.push(task);
            }
            Some(Burst::Io(ticks)) => {
                let until = now.saturating_add(*ticks);
                self.io_returns.push(Reverse((until, task)));
                if self.config.record {
                    self.decide(now, None, Some(task), DecisionKind::Block { until });
                }
            }
            None => {
                self.cold[task].completion = now;
                self.unfinished -= 1;
                self.last_completion = self.last_completion.max(now);
                if self.config.record {
                    self.completed_list.push(Completed { task, at: now });
                    self.decide(now, None, Some(task), DecisionKind::Complete);
                }
            }
        }
    }

    /// Takes the task off `cpu` at `now`, accounts its run and returns it.
    fn stop(&mut self, cpu: usize, now: u64) -> Result<Option<usize>, SimError> {
        let Some(run) = self.cpus[cpu].running.take() else {
            return Ok(None);
        };
        self.emit(
            cpu,
            SliceKind::Task(run.task as u32),
            run.start,
            now,
            run.warm,
        )?;
        self.cpus[cpu].idle_since = now;
        if self.config.rules.order() == Order::Level {
            let standing = self.standing(run.task);
            self.cold[run.task].standing =
                self.config
                    .rules
                    .after_turn(standing, now - run.start, false);
        }
        Ok(Some(run.task))
    }

    fn end_turns(&mut self, now: u64) -> Result<(), SimError> {
        if self.config.ostep {
            // The global slice clock: every running task goes to the back of its queue, in CPU order.
            if now > 0 && now.is_multiple_of(self.quantum) {
                for cpu in 0..self.cpus.len() {
                    if let Some(task) = self.stop(cpu, now)? {
                        let queue = self.queue_of(cpu);
                        self.push(queue, task, now, 0);
                        if self.config.record {
                            let kind = DecisionKind::QuantumEnd {
                                quantum: self.quantum,
                                level: None,
                            };
                            self.decide(now, Some(cpu as u32), Some(task), kind);
                            self.note_entrant(task, queue, EntryCause::TurnEnd);
                        }
                    }
                }
            }
            return Ok(());
        }
        for cpu in 0..self.cpus.len() {
            if self.cpus[cpu]
                .running
                .is_some_and(|run| run.turn_end == now)
            {
                let level_before = self.cpus[cpu]
                    .running
                    .map_or(0, |run| self.level_of(run.task));
                if let Some(task) = self.stop(cpu, now)? {
                    if self.config.record {
                        self.record_turn_end(cpu, task, level_before, now);
                    }
                    self.preempted.push((task, cpu));
                }
            }
        }
        Ok(())
    }

    /// MLFQ: at each boost, running tasks start a fresh turn at the top level and every queue lifts its tasks.
    fn boost_if_due(&mut self, now: u64) -> Result<(), SimError> {
        let Some(period) = self.config.rules.boost_period() else {
            return Ok(());
        };
        let due = now / period;
        if due <= self.boosts_done {
            return Ok(());
        }
        self.boosts_done = due;
        if !now.is_multiple_of(period) {
            // Boosts passed while nothing ran or waited: standings are reset lazily.
            return Ok(());
        }
        if self.config.record {
            self.decide(now, None, None, DecisionKind::Boost { period });
        }
        for cpu in 0..self.cpus.len() {
            if let Some(task) = self.stop(cpu, now)? {
                self.cold[task].standing = Standing::default();
                self.cold[task].epoch = self.boosts_done;
                self.begin(cpu, task, now);
            }
        }
        for queue in &mut self.queues {
            queue.boost();
        }
        Ok(())
    }

    /// Arrivals and I/O returns at `now`, then tasks whose turn ended (or the reverse), enter their queues.
    fn enter_ready(&mut self, now: u64) {
        while let Some(&task) = self.arrival_order.get(self.next_arrival) {
            if self.config.tasks[task].arrival != now {
                break;
            }
            self.next_arrival += 1;
            self.enter_burst(task, now);
        }
        while let Some(&Reverse((tick, task))) = self.io_returns.peek() {
            if tick != now {
                break;
            }
            self.io_returns.pop();
            self.cold[task].burst += 1;
            self.enter_burst(task, now);
        }
        if self.entered.is_empty() && self.preempted.is_empty() {
            return;
        }
        let mut entered = std::mem::take(&mut self.entered);
        let mut preempted = std::mem::take(&mut self.preempted);
        entered.sort_unstable();
        preempted.sort_unstable();
        let arrivals_first = self.arrival_class == 0;
        for round in 0..2 {
            if (round == 0) == arrivals_first {
                for &task in &entered {
                    let queue = self.queue_for_entering(task);
                    self.push(queue, task, now, self.arrival_class);
                    if self.config.record {
                        // A task that never ran is new; one that ran is back from I/O.
                        let cause = if self.cold[task].burst == 0 {
                            EntryCause::Arrival
                        } else {
                            EntryCause::IoReturn
                        };
                        self.note_entrant(task, queue, cause);
                    }
                }
            } else {
                for &(task, cpu) in &preempted {
                    let queue = self.queue_of(cpu);
                    self.push(queue, task, now, self.preempted_class);
                    if self.config.record {
                        self.note_entrant(task, queue, EntryCause::TurnEnd);
                    }
                }
            }
        }
        entered.clear();
        preempted.clear();
        self.entered = entered;
        self.preempted = preempted;
    }

    /// The queue a task becoming ready joins: the shared one; or, per CPU, the queue of the CPU it ran on last,
    /// or for a new task the next CPU round robin on which it may run.
    fn queue_for_entering(&mut self, task: usize) -> usize {
        if !self.config.per_cpu {
            return 0;
        }
        let last = self.tasks[task].last_cpu;
        if last != NO_CPU {
            return last as usize;
        }
        let cpus = self.cpus.len();
        let affinity = self.config.affinity[task];
        let chosen = (0..cpus)
            .map(|offset| (self.placement_cursor + offset) % cpus)
            .find(|&cpu| may_run_on(affinity, cpu as u32))
            .unwrap_or(self.placement_cursor % cpus);
        self.placement_cursor = (chosen + 1) % cpus;
        chosen
    }

    /// Every CPU with an empty queue, busy or not, tries to take one task from another queue.
    fn steal_round(&mut self, now: u64) {
        for thief in 0..self.cpus.len() {
            if !self.queues[thief].is_empty() {
                continue;
            }
            let stolen = if self.config.ostep {
                self.candidates.clear();
                self.candidates
                    .extend((0..self.config.cpus).filter(|&c| c as usize != thief));
                if self.candidates.is_empty() {
                    continue;
                }
                let mut victim = self.chooser.victim(now, thief as u32, &self.candidates);
                if !self.candidates.contains(&victim) {
                    victim = self.candidates[0];
                }
                let (work, working_set, affinity) = (
                    &self.config.tasks,
                    &self.config.working_set,
                    &self.config.affinity,
                );
                self.queues[victim as usize]
                    .take_first(|&task| {
                        let own_work = match work[task].bursts.first() {
                            Some(Burst::Cpu(run)) => *run,
                            _ => 0,
                        };
                        ostep_may_steal(affinity[task], thief as u32, own_work, working_set[task])
                    })
                    .map(|task| (task, victim as usize))
            } else {
                let victim = (0..self.queues.len())
                    .filter(|&victim| victim != thief)
                    .max_by_key(|&victim| (self.queues[victim].len(), Reverse(victim)));
                let Some(victim) = victim else { continue };
                let affinity = &self.config.affinity;
                self.queues[victim]
                    .take_first(|&task| may_run_on(affinity[task], thief as u32))
                    .map(|task| (task, victim))
            };
            if let Some((task, victim)) = stolen {
                let class = self.arrival_class;
                self.push(thief, task, now, class);
                self.steals += 1;
                if self.config.record {
                    let kind = DecisionKind::Steal {
                        from: victim as u32,
                        longest: !self.config.ostep,
                    };
                    self.decide(now, Some(thief as u32), Some(task), kind);
                }
            }
        }
    }

    fn dispatch_idle(&mut self, now: u64) -> Result<(), SimError> {
        if self.config.random_order {
            let mut drawn: Vec<u32> = (0..self.config.cpus).collect();
            self.chooser.cpu_order(now, &mut drawn);
            let mut seen = vec![false; self.cpus.len()];
            let permutation = drawn.len() == self.cpus.len()
                && drawn.iter().all(|&c| {
                    (c as usize) < seen.len() && !std::mem::replace(&mut seen[c as usize], true)
                });
            self.order = if permutation {
                drawn
            } else {
                (0..self.config.cpus).collect()
            };
        }
        for position in 0..self.order.len() {
            let cpu = self.order[position] as usize;
            if self.cpus[cpu].running.is_some() {
                continue;
            }
            let queue = self.queue_of(cpu);
            if let Some(task) = self.take(queue, cpu) {
                if self.config.record {
                    self.record_dispatch(cpu, task, queue, now);
                }
                self.start(cpu, task, now)?;
            }
        }
        Ok(())
    }

    /// The first task of `queue` that `cpu` may run.
    fn take(&mut self, queue: usize, cpu: usize) -> Option<usize> {
        if self.any_affinity {
            let affinity = &self.config.affinity;
            self.queues[queue].take_first(|&task| may_run_on(affinity[task], cpu as u32))
        } else {
            self.queues[queue].pop()
        }
    }

    /// `task` starts a run on idle `cpu` at `now`.
    fn start(&mut self, cpu: usize, task: usize, now: u64) -> Result<(), SimError> {
        let since = self.cpus[cpu].idle_since;
        self.emit(cpu, SliceKind::Idle, since, now, false)?;
        self.dispatches += 1;
        if self.cpus[cpu].last_task.replace(task) != Some(task) {
            self.context_switches += 1;
        }
        let last = self.tasks[task].last_cpu;
        if last != NO_CPU && last as usize != cpu {
            self.migrations += 1;
        }
        self.tasks[task].last_cpu = cpu as u32;
        if let Some(model) = &self.config.cache {
            let cache = &mut self.caches[cpu];
            if cache.state[task] == NOT_HERE {
                if model.warmup == 0 {
                    cache.warm_up(task, model, &self.config.working_set, None);
                } else {
                    cache.state[task] = warmup_counter(model);
                }
            }
        }
        self.begin(cpu, task, now);
        Ok(())
    }

    /// Puts `task` on `cpu` from `now` for one turn.
    fn begin(&mut self, cpu: usize, task: usize, now: u64) {
        let turn_end = if self.config.ostep {
            u64::MAX
        } else {
            let standing = self.standing(task);
            now.saturating_add(self.config.rules.turn_length(u64::MAX, standing))
        };
        let warm = self
            .caches
            .get(cpu)
            .is_some_and(|cache| cache.is_warm(task));
        self.cpus[cpu].running = Some(Run {
            task,
            start: now,
            turn_end,
            warm,
        });
    }

    /// Preemptive policies: a waiting task strictly better than a running one takes its CPU.
    fn preempt(&mut self, now: u64) -> Result<(), SimError> {
        if self.config.per_cpu {
            for cpu in 0..self.cpus.len() {
                let Some(run) = self.cpus[cpu].running else {
                    continue;
                };
                let Some(best) = self.queues[cpu].best_key() else {
                    continue;
                };
                let running = self.key(run.task);
                if self.config.rules.preempts(best, running) {
                    self.swap_out(cpu, cpu, now, (best, running))?;
                }
            }
            return Ok(());
        }
        for _ in 0..self.cpus.len() {
            let Some(best) = self.queues[0].best_key() else {
                break;
            };
            let mut worst: Option<(i128, usize, usize)> = None;
            for cpu in 0..self.cpus.len() {
                if let Some(run) = self.cpus[cpu].running {
                    let key = self.key(run.task);
                    if worst.is_none_or(|(worst_key, worst_task, _)| {
                        (key, run.task) > (worst_key, worst_task)
                    }) {
                        worst = Some((key, run.task, cpu));
                    }
                }
            }
            let Some((worst_key, _, cpu)) = worst else {
                break;
            };
            if !self.config.rules.preempts(best, worst_key) {
                break;
            }
            if !self.swap_out(cpu, 0, now, (best, worst_key))? {
                break;
            }
        }
        Ok(())
    }

    /// Puts the task running on `cpu` back in `queue` and starts the first task there that `cpu` may run.
    /// Returns whether one started.
    /// `keys`: the best waiting key and the running one, as compared (for the recording).
    fn swap_out(
        &mut self,
        cpu: usize,
        queue: usize,
        now: u64,
        keys: (i128, i128),
    ) -> Result<bool, SimError> {
        let victim = self.stop(cpu, now)?;
        if let Some(task) = victim {
            let class = self.preempted_class;
            self.push(queue, task, now, class);
        }
        match self.take(queue, cpu) {
            Some(next) => {
                if self.config.record {
                    if let (Some(victim), Some(reason)) = (victim, self.preempt_reason(keys)) {
                        let kind = DecisionKind::Preempt {
                            victim,
                            reason,
                            front: false,
                        };
                        self.decide(now, Some(cpu as u32), Some(next), kind);
                    }
                }
                self.start(cpu, next, now)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The rate of `task` on `cpu` for the coming tick, and how many ticks it keeps that rate at most (`None` =
    /// until the run ends): a task warming there turns warm after its counter's ticks (at least one).
    fn rate_of(&self, cpu: usize, task: usize) -> (u64, Option<u64>) {
        let Some(model) = &self.config.cache else {
            return (1, None);
        };
        let cache = &self.caches[cpu];
        if cache.is_warm(task) {
            return (model.warm_rate.max(1), None);
        }
        let cold = cache
            .warming(task)
            .map(|counter| u64::try_from(counter).unwrap_or(0).max(1));
        (1, cold)
    }

    /// How many ticks from `now` nothing changes: up to the next turn end, steal round, completion, warm-up end,
    /// arrival, I/O return or boost.
    fn span(&self, now: u64) -> Result<u64, SimError> {
        let mut span = u64::MAX;
        if self.config.ostep {
            span = ticks_to_slice_end(now, self.quantum);
        }
        if let Some(interval) = self.config.steal_interval {
            span = span.min(ticks_to_slice_end(now, interval));
        }
        if self.config.random_order {
            span = 1;
        }
        let mut any_running = false;
        for (cpu, state) in self.cpus.iter().enumerate() {
            let Some(run) = state.running else { continue };
            any_running = true;
            span = span.min(run.turn_end.saturating_sub(now).max(1));
            let (rate, cold_left) = self.rate_of(cpu, run.task);
            span = span.min(self.tasks[run.task].left.div_ceil(rate).max(1));
            if let Some(cold) = cold_left {
                span = span.min(cold);
            }
        }
        let mut pending = false;
        if let Some(&task) = self.arrival_order.get(self.next_arrival) {
            pending = true;
            span = span.min(self.config.tasks[task].arrival.saturating_sub(now).max(1));
        }
        if let Some(&Reverse((tick, _))) = self.io_returns.peek() {
            pending = true;
            span = span.min(tick.saturating_sub(now).max(1));
        }
        if let Some(period) = self.config.rules.boost_period() {
            if any_running || self.queues.iter().any(|queue| !queue.is_empty()) {
                let next = self.boosts_done.saturating_add(1).saturating_mul(period);
                span = span.min(next.saturating_sub(now).max(1));
            }
        }
        if !any_running && !pending {
            self.check_progress(now)?;
        }
        Ok(span)
    }

    /// With no CPU running and nothing to arrive, only a steal can change anything. When no steal can move any
    /// task either, the run can never finish (multi.py loops forever): say so instead of spinning.
    fn check_progress(&self, now: u64) -> Result<(), SimError> {
        let config = self.config;
        let may_steal = |task: usize, thief: usize| {
            if config.ostep {
                let work = match config.tasks[task].bursts.first() {
                    Some(Burst::Cpu(run)) => *run,
                    _ => 0,
                };
                ostep_may_steal(
                    config.affinity[task],
                    thief as u32,
                    work,
                    config.working_set[task],
                )
            } else {
                may_run_on(config.affinity[task], thief as u32)
            }
        };
        let can_steal = config.steal_interval.is_some()
            && (0..self.queues.len()).any(|thief| {
                self.queues[thief].is_empty()
                    && self.queues.iter().enumerate().any(|(victim, queue)| {
                        victim != thief
                            && queue
                                .in_order()
                                .into_iter()
                                .any(|&task| may_steal(task, thief))
                    })
            });
        if can_steal {
            return Ok(());
        }
        let mut waiting: Vec<usize> = self
            .queues
            .iter()
            .flat_map(|queue| queue.in_order().into_iter().copied())
            .collect();
        waiting.sort_unstable();
        Err(SimError::NeverFinishes {
            tick: now,
            tasks: waiting
                .iter()
                .map(|task| task.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// Runs `span` ticks from `now`; tasks whose burst ends go to I/O or complete.
    fn run_span(&mut self, now: u64, span: u64) -> Result<(), SimError> {
        for cpu in 0..self.cpus.len() {
            let Some(run) = self.cpus[cpu].running else {
                continue;
            };
            let task = run.task;
            let (rate, _) = self.rate_of(cpu, task);
            let state = &mut self.tasks[task];
            if state.first_run == NOT_YET {
                state.first_run = run.start;
            }
            state.ran += span;
            state.left = state.left.saturating_sub(rate.saturating_mul(span));
            let finished = state.left == 0;
            self.cpus[cpu].busy += span;
            if rate > 1 {
                self.cpus[cpu].warm += span;
            }
            if let Some(model) = &self.config.cache {
                let cache = &mut self.caches[cpu];
                if let Some(counter) = cache.warming(task) {
                    let counter = counter.saturating_sub(i64::try_from(span).unwrap_or(i64::MAX));
                    cache.state[task] = counter;
                    if counter <= 0 {
                        if self.config.record {
                            let mut evicted = Vec::new();
                            cache.warm_up(
                                task,
                                model,
                                &self.config.working_set,
                                Some(&mut evicted),
                            );
                            let kind = DecisionKind::Warm {
                                warmup: model.warmup,
                                rate: model.warm_rate.max(1),
                                evicted,
                            };
                            self.recording.decisions.push(Decision {
                                tick: now + span,
                                cpu: Some(cpu as u32),
                                task: Some(task),
                                kind,
                            });
                        } else {
                            cache.warm_up(task, model, &self.config.working_set, None);
                        }
                    }
                }
            }
            let end = now + span;
            if finished {
                self.stop(cpu, end)?;
                self.cold[task].burst += 1;
                self.enter_burst(task, end);
            } else if !run.warm
                && self
                    .caches
                    .get(cpu)
                    .is_some_and(|cache| cache.is_warm(task))
            {
                // It turned warm: the cold part is a slice of its own, so the timeline can shade it.
                self.emit(cpu, SliceKind::Task(task as u32), run.start, end, false)?;
                self.cpus[cpu].running = Some(Run {
                    start: end,
                    warm: true,
                    ..run
                });
            }
        }
        Ok(())
    }
}

/// Recording (`config.record` only): each decision is written where the model takes it.
impl Multi<'_, '_> {
    fn decide(&mut self, tick: u64, cpu: Option<u32>, task: Option<usize>, kind: DecisionKind) {
        self.recording.decisions.push(Decision {
            tick,
            cpu,
            task,
            kind,
        });
    }

    /// The MLFQ level of a task without resetting it (a boost since it was set means the top).
    fn level_of(&self, task: usize) -> usize {
        let state = &self.cold[task];
        if state.epoch < self.boosts_done {
            0
        } else {
            state.standing.level
        }
    }

    fn note_entrant(&mut self, task: usize, queue: usize, cause: EntryCause) {
        if !self.config.record {
            return;
        }
        let key = self.key(task);
        self.entrants.push((Entrant { task, cause }, queue, key));
    }

    fn record_entrants(&mut self, now: u64) {
        let rules = EntryRules {
            ostep: self.config.ostep,
            arrivals_first: self.arrival_class == 0,
            per_cpu: self.config.per_cpu,
        };
        record_entrants(now, &self.entrants, rules, &mut self.recording.decisions);
        self.entrants.clear();
    }

    /// A turn ended with work left: the quantum ran out, or (MLFQ) the allotment, which moves it down.
    fn record_turn_end(&mut self, cpu: usize, task: usize, level_before: usize, now: u64) {
        let rules = &self.config.rules;
        let is_mlfq = rules.order() == Order::Level;
        let level_after = self.level_of(task);
        let kind = if is_mlfq && level_after != level_before {
            DecisionKind::Demote {
                from: level_before,
                to: level_after,
                allotment: rules
                    .levels()
                    .get(level_before)
                    .map_or(0, |level| level.allotment),
            }
        } else {
            let quantum = if is_mlfq {
                rules
                    .levels()
                    .get(level_before)
                    .map_or(0, |level| level.quantum)
            } else {
                rules.turn_length(u64::MAX, Standing::default())
            };
            DecisionKind::QuantumEnd {
                quantum,
                level: is_mlfq.then_some(level_before),
            }
        };
        self.decide(now, Some(cpu as u32), Some(task), kind);
    }

    /// A priority key as the scenario writes priorities (keys are negated when a higher number is higher).
    fn shown_priority(&self, key: i128) -> i64 {
        let priority = key * self.config.rules.priority_key(1);
        i64::try_from(priority).unwrap_or(if priority < 0 { i64::MIN } else { i64::MAX })
    }

    fn record_dispatch(&mut self, cpu: usize, task: usize, queue: usize, now: u64) {
        let reason = match self.config.rules.order() {
            Order::Entry => DispatchReason::HeadOfQueue,
            Order::Remaining if self.config.rules.is_preemptive() => {
                DispatchReason::ShortestRemaining {
                    ticks: self.tasks[task].left,
                }
            }
            Order::Remaining => DispatchReason::ShortestBurst {
                ticks: self.tasks[task].left,
            },
            Order::Priority => DispatchReason::HighestPriority {
                priority: self.shown_priority(self.config.tasks[task].priority_key),
            },
            Order::Level => DispatchReason::TopLevel {
                level: self.level_of(task),
            },
        };
        let last = self.tasks[task].last_cpu;
        let kind = DecisionKind::Dispatch {
            reason,
            others: self.queues[queue].len(),
            cpu_choice: (self.cpus.len() > 1).then_some(if self.config.per_cpu {
                CpuChoice::OwnQueue
            } else {
                CpuChoice::LowestFree
            }),
            switch_until: None,
            moved_from: (last != NO_CPU && last as usize != cpu).then_some(last),
        };
        self.decide(now, Some(cpu as u32), Some(task), kind);
    }

    /// The comparison of a preemption, from the keys compared (waiting, running).
    fn preempt_reason(&self, (key, victim_key): (i128, i128)) -> Option<PreemptReason> {
        let ticks = |key: i128| u64::try_from(key).unwrap_or(0);
        let level = |key: i128| usize::try_from(key).unwrap_or(0);
        match self.config.rules.order() {
            Order::Remaining => Some(PreemptReason::ShorterRemaining {
                ticks: ticks(key),
                victim_ticks: ticks(victim_key),
            }),
            Order::Priority => Some(PreemptReason::HigherPriority {
                priority: self.shown_priority(key),
                victim_priority: self.shown_priority(victim_key),
                aged: false,
            }),
            Order::Level => Some(PreemptReason::HigherLevel {
                level: level(key),
                victim_level: level(victim_key),
            }),
            Order::Entry => None,
        }
    }

    /// The state after the decisions of tick `now`.
    fn record_state(&mut self, now: u64) {
        let rules = &self.config.rules;
        let is_mlfq = rules.order() == Order::Level;
        let cpus = (0..self.cpus.len())
            .map(|cpu| match self.cpus[cpu].running {
                None => CpuState::Idle {
                    since: self.cpus[cpu].idle_since,
                },
                Some(run) => {
                    let quantum_end = if self.config.ostep {
                        Some(now + ticks_to_slice_end(now, self.quantum))
                    } else {
                        (run.turn_end != u64::MAX).then_some(run.turn_end)
                    };
                    CpuState::Running {
                        task: run.task,
                        since: run.start,
                        left: self.tasks[run.task].left,
                        rate: self.rate_of(cpu, run.task).0,
                        quantum_end,
                        level: is_mlfq.then(|| self.level_of(run.task)),
                    }
                }
            })
            .collect();
        let level_count = if is_mlfq {
            rules.levels().len().max(1)
        } else {
            1
        };
        let queues = self
            .queues
            .iter()
            .enumerate()
            .map(|(index, queue)| {
                let mut levels = vec![Vec::new(); level_count];
                for &task in queue.in_order() {
                    let level = if is_mlfq { self.level_of(task) } else { 0 };
                    levels[level.min(level_count - 1)].push(Queued {
                        task,
                        left: self.tasks[task].left,
                    });
                }
                QueueState {
                    cpu: self.config.per_cpu.then_some(index as u32),
                    levels,
                }
            })
            .collect();
        let mut io: Vec<IoWait> = self
            .io_returns
            .iter()
            .map(|&Reverse((until, task))| IoWait { task, until })
            .collect();
        io.sort_unstable_by_key(|wait| (wait.until, wait.task));
        self.recording.states.push(SimState {
            tick: now,
            cpus,
            queues,
            io,
            completed: self.completed_list.clone(),
        });
    }
}
