//! The event-driven engine.
//!
//! Time jumps from one event tick to the next (a slice or switch ending, an arrival, an I/O return, an MLFQ
//! boost); nothing is done for the ticks in between. Every event tick is handled in the same fixed order:
//!
//! 1. slices and switches ending now (finished bursts go to I/O or complete; expired quanta are "preempted"),
//! 2. the MLFQ boost, if one falls due,
//! 3. tasks whose switch ended start running,
//! 4. arrivals and I/O returns, then preempted tasks (or the reverse, per the conventions) enter the ready queue,
//!    each group in scenario order,
//! 5. free CPUs take ready tasks,
//! 6. for preemptive policies, a ready task strictly better than the worst running one takes its CPU.
//!
//! Under the `ostep` conventions (one CPU, no switch cost) a tick follows `mlfq.py`'s order instead
//! ([`Engine::step_ostep`]): the task whose quantum expired is queued first, then the boost, then arrivals, then
//! I/O returns; a task displaced by a better one goes back to the front of its queue.
//!
//! The multiprocessor model (per-CPU queues, stealing, affinity, caches) has its own loop, in `multi.rs`, off this
//! path: caches make a task's progress per tick depend on where it runs, which the events above do not model.
//!
//! Costs per slice: O(log n) for the heaps (ready tasks for the keyed policies, I/O returns, CPU events), O(1)
//! for the FIFO policies; choosing a CPU is O(1) with bit masks (at most 64 CPUs). The only O(CPUs) scan is the
//! preemption check of the preemptive policies.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::error::{SimError, DEFAULT_MAX_SLICES};
use super::metrics::{SliceKind, TraceSlice};
use super::model::{
    Burst, Completed, Conventions, CpuChoice, CpuState, Decision, DecisionKind, DispatchReason,
    Entrant, EntryCause, IoWait, Policy, PreemptReason, QueueState, Queued, Recording, SimState,
    TieRule,
};
use crate::sched::{Entry, Order, ReadyQueue, Rules, Standing};

/// A validated task: bursts merged, alternating, each at least one tick long.
#[derive(Debug, Clone)]
pub(crate) struct PreparedTask {
    pub arrival: u64,
    /// Priority mapped so that a smaller key is a higher priority.
    pub priority_key: i128,
    pub bursts: Vec<Burst>,
}

/// What the engine was asked to do.
pub(crate) struct RunConfig<'a> {
    pub tasks: &'a [PreparedTask],
    pub cpus: u32,
    pub switch_cost: u64,
    pub policy: &'a Policy,
    pub conventions: Conventions,
    pub record_trace: bool,
    pub max_slices: u64,
    pub max_steps: u64,
}

/// Raw figures of a run; turned into [`super::SimResult`] by the caller.
pub(crate) struct RunOutcome {
    pub trace: Vec<TraceSlice>,
    pub first_run: Vec<u64>,
    pub completion: Vec<u64>,
    pub busy_ticks: Vec<u64>,
    pub switch_ticks: Vec<u64>,
    pub context_switches: u64,
    pub task_slices: u64,
    pub switch_slices: u64,
    pub idle_slices: u64,
    pub window_start: u64,
    pub window_end: u64,
    /// Multiprocessor model with a cache: per CPU, the ticks run warm (empty otherwise).
    pub warm_ticks: Vec<u64>,
    /// Multiprocessor model: per task, the ticks it ran (empty otherwise: its CPU bursts).
    pub cpu_ticks: Vec<u64>,
    /// Multiprocessor model only.
    pub migrations: Option<u64>,
    pub steals: Option<u64>,
}

pub(super) const NO_CPU: u32 = u32::MAX;

// `ostep` entry classes, for the keyed policies: at one tick, a task whose turn ended first, then arrivals, then
// I/O returns (FIFO and MLFQ queues follow the push order, which is the same).
const OSTEP_EXPIRED: u8 = 0;
const OSTEP_ARRIVAL: u8 = 1;
const OSTEP_RETURN: u8 = 2;

fn ostep_entry(at: u64, class: u8, index: usize) -> Entry {
    Entry { at, class, index }
}
pub(super) const NOT_YET: u64 = u64::MAX;

#[derive(Debug, Clone, Copy)]
enum Activity {
    Free { since: u64 },
    Switching { item: Runnable, start: u64 },
    Running { item: Runnable, start: u64 },
}

#[derive(Debug, Clone)]
struct Cpu {
    activity: Activity,
    last_task: Option<usize>,
    /// Bumped whenever the CPU's pending event changes, so stale heap entries can be recognised and skipped.
    generation: u64,
    busy: u64,
    switching: u64,
}

/// The state of a task between two CPU bursts' ends, carried by value through the ready queue and the CPU
/// running it, so a slice never reads per-task memory at random (that would be a cache miss per slice with
/// many tasks).
#[derive(Debug, Clone, Copy)]
struct Runnable {
    task: usize,
    /// Ticks left in the current CPU burst.
    remaining: u64,
    /// CPU the task ran on last, or `NO_CPU`.
    last_cpu: u32,
    /// Whether `ColdTask::first_run` is set.
    has_run: bool,
}

/// The per-task fields touched only at burst boundaries (and by MLFQ).
#[derive(Debug, Clone, Copy)]
struct ColdTask {
    /// Index of the current burst.
    burst: usize,
    /// CPU the task ran on last and whether it has run, kept here while it is in I/O.
    last_cpu: u32,
    has_run: bool,
    first_run: u64,
    completion: u64,
    /// MLFQ level and used allotment, and the boost count when they were set (older = boosted since).
    standing: Standing,
    epoch: u64,
}

/// `OSTEP` is [`Conventions::is_ostep`]: a compile-time switch, so the default conventions run the code (and get
/// the inlining) they had before the `ostep` branches existed.
struct Engine<'a, const OSTEP: bool, const RECORD: bool> {
    tasks: &'a [PreparedTask],
    rules: Rules,
    order: Order,
    preemptive: bool,
    switch_cost: u64,
    arrival_class: u8,
    preempted_class: u8,
    /// `mlfq.py -S` (MLFQ under `ostep` only): the end of a turn needs to know whether an I/O follows.
    io_stay: bool,
    /// `mlfq.py -I` (MLFQ under `ostep` only): I/O returns go to the front of their level.
    io_bump: bool,
    cpus: Vec<Cpu>,
    /// Bit c set when CPU c is free.
    free_mask: u64,
    /// Bit c set when CPU c has never run a task (starting there costs no switch).
    fresh_mask: u64,
    all_mask: u64,
    cold: Vec<ColdTask>,
    ready: ReadyQueue<Runnable>,
    cpu_events: BinaryHeap<Reverse<(u64, u32, u64)>>,
    io_returns: BinaryHeap<Reverse<(u64, usize)>>,
    arrival_order: Vec<usize>,
    next_arrival: usize,
    boost_period: Option<u64>,
    boosts_done: u64,
    /// The tick being handled (the last one handled, between steps).
    now: u64,
    /// Whether the policy ages waiting tasks (checked once, off the default path).
    ages: bool,
    /// With aging, per CPU: the key of the task it runs, as aged when it was dispatched (kept while it runs).
    /// Apart from the CPUs' hot state, which it would otherwise widen.
    aged_keys: Vec<i128>,
    record_trace: bool,
    trace: Vec<TraceSlice>,
    slices: u64,
    max_slices: u64,
    task_slices: u64,
    switch_slices: u64,
    idle_slices: u64,
    context_switches: u64,
    completed: usize,
    last_completion: u64,
    // Scratch lists reused at every tick.
    entered: Vec<Runnable>,
    preempted: Vec<Runnable>,
    starting: Vec<(u32, Runnable)>,
    /// `ostep`: the I/O returns of a tick as (issue tick, task).
    returns: Vec<(u64, usize)>,
    /// `RECORD` only (empty otherwise): the decisions and states so far.
    recording: Recording,
    /// `RECORD`: the tasks that entered a ready queue at this tick, in the order pushed, with queue and key.
    entrants: Vec<(Entrant, usize, i128)>,
    /// `RECORD`: tasks that arrived at this tick (to tell arrivals from I/O returns).
    arrived_now: Vec<usize>,
    /// `RECORD`: tasks done, in order.
    completed_list: Vec<Completed>,
    /// Priority keys are negated priorities (`higher_number_is_higher`): to show a key as a priority again.
    priority_sign: i128,
}

/// Runs one simulation. The inputs must have been validated.
pub(crate) fn run(config: &RunConfig<'_>) -> Result<RunOutcome, SimError> {
    let (outcome, _) = if config.conventions.is_ostep() {
        run_with::<true, false>(config)?
    } else {
        run_with::<false, false>(config)?
    };
    Ok(outcome)
}

/// [`run`], also recording every decision with its reason and the state after each event tick. A separate
/// instance of the engine (`RECORD`), so plain runs carry none of it.
pub(crate) fn run_recorded(config: &RunConfig<'_>) -> Result<(RunOutcome, Recording), SimError> {
    if config.conventions.is_ostep() {
        run_with::<true, true>(config)
    } else {
        run_with::<false, true>(config)
    }
}

fn run_with<const OSTEP: bool, const RECORD: bool>(
    config: &RunConfig<'_>,
) -> Result<(RunOutcome, Recording), SimError> {
    let mut engine = Engine::<OSTEP, RECORD>::new(config);
    let window_start = engine.window_start();
    for cpu in &mut engine.cpus {
        cpu.activity = Activity::Free {
            since: window_start,
        };
    }
    let mut steps: u64 = 0;
    while let Some(tick) = engine.next_event_tick() {
        steps += 1;
        if steps > config.max_steps {
            return Err(SimError::TooManySteps {
                max: config.max_steps,
            });
        }
        engine.step(tick)?;
        if RECORD {
            engine.record_state(tick);
        }
    }
    let window_end = engine.last_completion.max(window_start);
    for index in 0..engine.cpus.len() {
        if let Activity::Free { since } = engine.cpus[index].activity {
            engine.emit(index as u32, SliceKind::Idle, since, window_end)?;
        }
    }
    let recording = std::mem::take(&mut engine.recording);
    let outcome = RunOutcome {
        trace: engine.trace,
        first_run: engine.cold.iter().map(|s| s.first_run).collect(),
        completion: engine.cold.iter().map(|s| s.completion).collect(),
        busy_ticks: engine.cpus.iter().map(|c| c.busy).collect(),
        switch_ticks: engine.cpus.iter().map(|c| c.switching).collect(),
        context_switches: engine.context_switches,
        task_slices: engine.task_slices,
        switch_slices: engine.switch_slices,
        idle_slices: engine.idle_slices,
        window_start,
        window_end,
        warm_ticks: Vec::new(),
        cpu_ticks: Vec::new(),
        migrations: None,
        steals: None,
    };
    Ok((outcome, recording))
}

/// A lower bound on the slices of a run (one per quantum or per CPU burst, plus a little), capped, to reserve
/// the trace once instead of growing it by doubling.
fn expected_slices(config: &RunConfig<'_>) -> usize {
    let quantum = match config.policy {
        Policy::RoundRobin { quantum } => *quantum,
        _ => u64::MAX,
    };
    let task_slices: u64 = config
        .tasks
        .iter()
        .flat_map(|task| task.bursts.iter())
        .map(|burst| match burst {
            Burst::Cpu(ticks) => ticks.div_ceil(quantum),
            Burst::Io(_) => 1,
        })
        .fold(0u64, u64::saturating_add);
    let cap = config.max_slices.min(DEFAULT_MAX_SLICES);
    usize::try_from(
        task_slices
            .saturating_add(2 * u64::from(config.cpus))
            .min(cap),
    )
    .unwrap_or(0)
}

impl<'a, const OSTEP: bool, const RECORD: bool> Engine<'a, OSTEP, RECORD> {
    fn new(config: &RunConfig<'a>) -> Self {
        let cpu_count = config.cpus.clamp(1, 64);
        let all_mask = if cpu_count == 64 {
            u64::MAX
        } else {
            (1u64 << cpu_count) - 1
        };
        let rules = Rules::with_conventions(config.policy, &config.conventions);
        let ages = rules.aging().is_some();
        let variant = rules.mlfq_variant();
        let ready = ReadyQueue::new(&rules);
        let mut arrival_order: Vec<usize> = (0..config.tasks.len()).collect();
        // Stable sort: equal arrivals keep scenario order.
        arrival_order.sort_by_key(|&task| config.tasks[task].arrival);
        let (arrival_class, preempted_class) = if config.conventions.arrival_before_preempted {
            (0, 1)
        } else {
            (1, 0)
        };
        Engine {
            tasks: config.tasks,
            order: rules.order(),
            preemptive: rules.is_preemptive(),
            boost_period: rules.boost_period(),
            rules,
            switch_cost: config.switch_cost,
            arrival_class,
            preempted_class,
            io_stay: variant.io_stay,
            io_bump: variant.io_bump,
            cpus: vec![
                Cpu {
                    activity: Activity::Free { since: 0 },
                    last_task: None,
                    generation: 0,
                    busy: 0,
                    switching: 0,
                };
                cpu_count as usize
            ],
            free_mask: all_mask,
            fresh_mask: all_mask,
            all_mask,
            cold: vec![
                ColdTask {
                    burst: 0,
                    last_cpu: NO_CPU,
                    has_run: false,
                    first_run: NOT_YET,
                    completion: 0,
                    standing: Standing::default(),
                    epoch: 0
                };
                config.tasks.len()
            ],
            ready,
            cpu_events: BinaryHeap::with_capacity(cpu_count as usize * 2),
            io_returns: BinaryHeap::new(),
            arrival_order,
            next_arrival: 0,
            boosts_done: 0,
            now: 0,
            ages,
            aged_keys: vec![0; cpu_count as usize],
            record_trace: config.record_trace,
            trace: if config.record_trace {
                Vec::with_capacity(expected_slices(config))
            } else {
                Vec::new()
            },
            slices: 0,
            max_slices: config.max_slices,
            task_slices: 0,
            switch_slices: 0,
            idle_slices: 0,
            context_switches: 0,
            completed: 0,
            last_completion: 0,
            entered: Vec::new(),
            preempted: Vec::new(),
            starting: Vec::new(),
            returns: Vec::new(),
            recording: Recording::default(),
            entrants: Vec::new(),
            arrived_now: Vec::new(),
            completed_list: Vec::new(),
            priority_sign: match config.policy {
                Policy::Priority {
                    higher_number_is_higher: true,
                    ..
                } => -1,
                _ => 1,
            },
        }
    }

    fn window_start(&self) -> u64 {
        self.arrival_order
            .first()
            .map_or(0, |&task| self.tasks[task].arrival)
    }

    /// The tick of the next event, or `None` when every task has completed.
    fn next_event_tick(&mut self) -> Option<u64> {
        let mut next: Option<u64> = None;
        let mut consider = |tick: u64| next = Some(next.map_or(tick, |n: u64| n.min(tick)));
        while let Some(&Reverse((tick, cpu, generation))) = self.cpu_events.peek() {
            if self.cpus[cpu as usize].generation == generation {
                consider(tick);
                break;
            }
            self.cpu_events.pop();
        }
        if let Some(&task) = self.arrival_order.get(self.next_arrival) {
            consider(self.tasks[task].arrival);
        }
        if let Some(&Reverse((tick, _))) = self.io_returns.peek() {
            consider(tick);
        }
        // Aging can only change who runs while a task runs and another waits.
        if self.ages && self.free_mask != self.all_mask && !self.ready.is_empty() {
            if let Some(tick) = self.rules.next_aging_after(self.now) {
                consider(tick);
            }
        }
        // Boosts only matter while something runs or waits; lazily applied otherwise (see `mlfq_state`).
        if let Some(period) = self.boost_period {
            if self.free_mask != self.all_mask || !self.ready.is_empty() {
                consider(self.boosts_done.saturating_add(1).saturating_mul(period));
            }
        }
        next
    }

    fn step(&mut self, tick: u64) -> Result<(), SimError> {
        self.now = tick;
        if OSTEP {
            return self.step_ostep(tick);
        }
        self.end_cpu_events(tick)?;
        self.boost_if_due(tick)?;
        let mut starting = std::mem::take(&mut self.starting);
        for (cpu, item) in starting.drain(..) {
            self.begin_run(cpu, item, tick);
        }
        self.starting = starting;
        self.enqueue_arrivals_and_preempted(tick);
        if RECORD {
            self.record_entrants(tick);
        }
        self.dispatch_free_cpus(tick)?;
        if self.preemptive && !self.ready.is_empty() {
            self.preempt_worse_running(tick)?;
        }
        Ok(())
    }

    fn emit(&mut self, cpu: u32, kind: SliceKind, start: u64, end: u64) -> Result<(), SimError> {
        if end <= start {
            return Ok(());
        }
        if self.slices >= self.max_slices {
            return Err(SimError::TooManySlices {
                max: self.max_slices,
            });
        }
        self.slices += 1;
        match kind {
            SliceKind::Task(_) => self.task_slices += 1,
            SliceKind::Switch(_) => self.switch_slices += 1,
            SliceKind::Idle => self.idle_slices += 1,
        }
        if self.record_trace {
            self.trace.push(TraceSlice {
                cpu,
                kind,
                start,
                end,
                warm: false,
            });
        }
        Ok(())
    }

    fn end_cpu_events(&mut self, tick: u64) -> Result<(), SimError> {
        while let Some(&Reverse((event_tick, cpu, generation))) = self.cpu_events.peek() {
            if event_tick != tick {
                break;
            }
            self.cpu_events.pop();
            let index = cpu as usize;
            if self.cpus[index].generation != generation {
                continue;
            }
            match self.cpus[index].activity {
                Activity::Switching { item, start } => {
                    self.emit(cpu, SliceKind::Switch(item.task as u32), start, tick)?;
                    self.cpus[index].switching += tick - start;
                    self.starting.push((cpu, item));
                }
                Activity::Running { item, start } => {
                    let level_before = self.level_of(item.task);
                    let item = self.stop_run(cpu, item, start, tick)?;
                    if item.remaining > 0 {
                        if RECORD {
                            self.record_turn_end(cpu, item.task, level_before, tick);
                        }
                        self.preempted.push(item);
                    } else {
                        let state = &mut self.cold[item.task];
                        state.burst += 1;
                        state.last_cpu = item.last_cpu;
                        state.has_run = item.has_run;
                        self.enter_next_burst(item.task, tick);
                    }
                }
                Activity::Free { .. } => {}
            }
        }
        Ok(())
    }

    /// Ends the run of `item` on `cpu` at `tick`, accounts it and frees the CPU. Returns the task's state after
    /// the run (`remaining` is what is left of its current CPU burst).
    fn stop_run(
        &mut self,
        cpu: u32,
        mut item: Runnable,
        start: u64,
        tick: u64,
    ) -> Result<Runnable, SimError> {
        let ran = tick - start;
        self.emit(cpu, SliceKind::Task(item.task as u32), start, tick)?;
        let index = cpu as usize;
        self.cpus[index].busy += ran;
        self.cpus[index].activity = Activity::Free { since: tick };
        self.cpus[index].generation += 1;
        self.free_mask |= 1 << cpu;
        // Recorded here rather than when the run begins: a run preempted the tick it begins never ran.
        if !item.has_run && ran > 0 {
            item.has_run = true;
            self.cold[item.task].first_run = start;
        }
        item.remaining -= ran.min(item.remaining);
        item.last_cpu = cpu;
        if self.order == Order::Level {
            let standing = self.mlfq_state(item.task);
            // Merged bursts alternate, so a CPU burst that is not the last one is followed by an I/O.
            let starts_io = OSTEP
                && self.io_stay
                && item.remaining == 0
                && self.cold[item.task].burst + 1 < self.tasks[item.task].bursts.len();
            self.cold[item.task].standing = self.rules.after_turn(standing, ran, starts_io);
        }
        Ok(item)
    }

    /// The task's MLFQ standing, reset to the top if a boost happened since it was set.
    fn mlfq_state(&mut self, task: usize) -> Standing {
        let state = &mut self.cold[task];
        if state.epoch < self.boosts_done {
            state.standing = Standing::default();
            state.epoch = self.boosts_done;
        }
        state.standing
    }

    /// Moves `task` into its current burst (`burst` of its cold state): ready for a CPU burst, I/O for an I/O
    /// burst, or done.
    fn enter_next_burst(&mut self, task: usize, tick: u64) {
        let state = &mut self.cold[task];
        match self.tasks[task].bursts.get(state.burst) {
            Some(Burst::Cpu(ticks)) => self.entered.push(Runnable {
                task,
                remaining: *ticks,
                last_cpu: state.last_cpu,
                has_run: state.has_run,
            }),
            Some(Burst::Io(ticks)) => {
                let until = tick.saturating_add(*ticks);
                self.io_returns.push(Reverse((until, task)));
                if RECORD {
                    self.decide(tick, None, Some(task), DecisionKind::Block { until });
                }
            }
            None => {
                state.completion = tick;
                self.completed += 1;
                self.last_completion = self.last_completion.max(tick);
                if RECORD {
                    self.completed_list.push(Completed { task, at: tick });
                    self.decide(tick, None, Some(task), DecisionKind::Complete);
                }
            }
        }
    }

    fn boost_if_due(&mut self, tick: u64) -> Result<(), SimError> {
        let Some(period) = self.boost_period else {
            return Ok(());
        };
        let due = tick / period;
        if due <= self.boosts_done {
            return Ok(());
        }
        if OSTEP && tick.is_multiple_of(period) {
            // Before `boosts_done` moves on, so the run is accounted at the level it ran at.
            for cpu in 0..self.cpus.len() {
                self.requeue_at_front(cpu, tick)?;
            }
        }
        self.boosts_done = due;
        if !tick.is_multiple_of(period) {
            // Boosts passed while nothing ran or waited: tasks in I/O are reset lazily.
            return Ok(());
        }
        if RECORD {
            self.decide(tick, None, None, DecisionKind::Boost { period });
        }
        if OSTEP {
            // The running task is already back at the front of its level and moves with it.
            self.ready.boost();
            return Ok(());
        }
        // Running tasks start a fresh slice at the top level.
        for cpu in 0..self.cpus.len() {
            if let Activity::Running { item, start } = self.cpus[cpu].activity {
                let item = self.stop_run(cpu as u32, item, start, tick)?;
                self.free_mask &= !(1 << cpu);
                let state = &mut self.cold[item.task];
                (state.standing, state.epoch) = (Standing::default(), self.boosts_done);
                self.begin_run(cpu as u32, item, tick);
            }
        }
        self.ready.boost();
        Ok(())
    }

    /// One tick under the `ostep` conventions, in `mlfq.py`'s order (see `docs/ostep-semantics.md`).
    fn step_ostep(&mut self, tick: u64) -> Result<(), SimError> {
        self.end_cpu_events(tick)?;
        // mlfq.py queues a task whose quantum ran out at the end of the previous tick, before this tick's boost
        // and arrivals.
        let mut preempted = std::mem::take(&mut self.preempted);
        preempted.sort_unstable_by_key(|item| item.task);
        for &item in &preempted {
            self.push_ready(item, tick, OSTEP_EXPIRED);
            if RECORD {
                self.note_entrant(item.task, item.remaining, EntryCause::TurnEnd);
            }
        }
        preempted.clear();
        self.preempted = preempted;
        let mut starting = std::mem::take(&mut self.starting);
        for (cpu, item) in starting.drain(..) {
            self.begin_run(cpu, item, tick);
        }
        self.starting = starting;
        self.boost_if_due(tick)?;
        self.enqueue_ostep(tick)?;
        if RECORD {
            self.record_entrants(tick);
        }
        self.dispatch_free_cpus(tick)
    }

    /// `ostep`: arrivals (by index), then I/O returns (in issue order) enter the ready queue; a running task that
    /// one of them displaces goes back to the front of its queue first, keeping the rest of its quantum (in
    /// mlfq.py it never left the front of its queue).
    fn enqueue_ostep(&mut self, tick: u64) -> Result<(), SimError> {
        while let Some(&task) = self.arrival_order.get(self.next_arrival) {
            if self.tasks[task].arrival != tick {
                break;
            }
            self.next_arrival += 1;
            self.enter_next_burst(task, tick);
        }
        let arrivals = self.entered.len();
        if RECORD {
            self.arrived_now.clear();
            self.arrived_now
                .extend(self.entered.iter().map(|item| item.task));
        }
        let mut returns = std::mem::take(&mut self.returns);
        while let Some(&Reverse((io_tick, task))) = self.io_returns.peek() {
            if io_tick != tick {
                break;
            }
            self.io_returns.pop();
            let length = self.tasks[task]
                .bursts
                .get(self.cold[task].burst)
                .map_or(0, |burst| burst.ticks());
            returns.push((tick.saturating_sub(length), task));
        }
        returns.sort_unstable();
        for &(_, task) in &returns {
            self.cold[task].burst += 1;
            self.enter_next_burst(task, tick);
        }
        returns.clear();
        self.returns = returns;
        if self.entered.is_empty() {
            return Ok(());
        }
        let mut entered = std::mem::take(&mut self.entered);
        self.displace_running(tick, &entered, arrivals)?;
        for (position, &item) in entered.iter().enumerate() {
            if position < arrivals {
                self.push_ready(item, tick, OSTEP_ARRIVAL);
            } else if self.io_bump {
                let key = self.policy_key(item.task, item.remaining);
                self.ready
                    .push_front(item, key, ostep_entry(tick, OSTEP_RETURN, item.task));
                if RECORD {
                    let kind = DecisionKind::Wake {
                        queue: None,
                        front: true,
                    };
                    self.decide(tick, None, Some(item.task), kind);
                }
                continue;
            } else {
                self.push_ready(item, tick, OSTEP_RETURN);
            }
            if RECORD {
                let cause = if position < arrivals {
                    EntryCause::Arrival
                } else {
                    EntryCause::IoReturn
                };
                self.note_entrant(item.task, item.remaining, cause);
            }
        }
        entered.clear();
        self.entered = entered;
        Ok(())
    }

    /// `ostep`: takes the CPU from a running task when one of `entering` (arrivals first, `arrivals` of them)
    /// will be ahead of it: a strictly better key, or, with `io_bump`, an I/O return of the same key.
    fn displace_running(
        &mut self,
        tick: u64,
        entering: &[Runnable],
        arrivals: usize,
    ) -> Result<(), SimError> {
        for cpu in 0..self.cpus.len() {
            let Activity::Running { item, start } = self.cpus[cpu].activity else {
                continue;
            };
            let running = self.policy_key(item.task, item.remaining.saturating_sub(tick - start));
            let displaced = entering.iter().enumerate().find(|(position, other)| {
                let key = self.policy_key(other.task, other.remaining);
                self.rules.preempts(key, running)
                    || (self.io_bump && *position >= arrivals && key == running)
            });
            if let Some((_, by)) = displaced {
                if RECORD {
                    let key = self.policy_key(by.task, by.remaining);
                    let reason = if self.rules.preempts(key, running) {
                        self.preempt_reason(key, running, false)
                    } else {
                        Some(PreemptReason::IoBump {
                            level: usize::try_from(key).unwrap_or(0),
                        })
                    };
                    if let Some(reason) = reason {
                        let kind = DecisionKind::Preempt {
                            victim: item.task,
                            reason,
                            front: true,
                        };
                        self.decide(tick, Some(cpu as u32), Some(by.task), kind);
                    }
                }
                self.requeue_at_front(cpu, tick)?;
            }
        }
        Ok(())
    }

    /// `ostep`: stops the task running on `cpu`, if any, and puts it back at the front of its queue (its turn is
    /// cut, its quantum is not).
    fn requeue_at_front(&mut self, cpu: usize, tick: u64) -> Result<(), SimError> {
        if let Activity::Running { item, start } = self.cpus[cpu].activity {
            let item = self.stop_run(cpu as u32, item, start, tick)?;
            let key = self.policy_key(item.task, item.remaining);
            self.ready
                .push_front(item, key, ostep_entry(tick, OSTEP_EXPIRED, item.task));
        }
        Ok(())
    }

    fn enqueue_arrivals_and_preempted(&mut self, tick: u64) {
        while let Some(&task) = self.arrival_order.get(self.next_arrival) {
            if self.tasks[task].arrival != tick {
                break;
            }
            self.next_arrival += 1;
            self.enter_next_burst(task, tick);
        }
        if RECORD {
            self.arrived_now.clear();
            self.arrived_now
                .extend(self.entered.iter().map(|item| item.task));
        }
        while let Some(&Reverse((io_tick, task))) = self.io_returns.peek() {
            if io_tick != tick {
                break;
            }
            self.io_returns.pop();
            self.cold[task].burst += 1;
            self.enter_next_burst(task, tick);
        }
        if self.entered.is_empty() && self.preempted.is_empty() {
            return;
        }
        let mut entered = std::mem::take(&mut self.entered);
        let mut preempted = std::mem::take(&mut self.preempted);
        entered.sort_unstable_by_key(|item| item.task);
        preempted.sort_unstable_by_key(|item| item.task);
        let (first, first_class, second, second_class) = if self.arrival_class == 0 {
            (
                &entered,
                self.arrival_class,
                &preempted,
                self.preempted_class,
            )
        } else {
            (
                &preempted,
                self.preempted_class,
                &entered,
                self.arrival_class,
            )
        };
        for &item in first {
            self.push_ready(item, tick, first_class);
        }
        for &item in second {
            self.push_ready(item, tick, second_class);
        }
        if RECORD {
            for &item in first.iter().chain(second) {
                let cause = if preempted.iter().any(|other| other.task == item.task) {
                    EntryCause::TurnEnd
                } else if self.arrived_now.contains(&item.task) {
                    EntryCause::Arrival
                } else {
                    EntryCause::IoReturn
                };
                self.note_entrant(item.task, item.remaining, cause);
            }
        }
        entered.clear();
        preempted.clear();
        self.entered = entered;
        self.preempted = preempted;
    }

    /// The policy key of a task with `remaining` ticks left in its burst (smaller runs first).
    #[inline]
    fn policy_key(&mut self, task: usize, remaining: u64) -> i128 {
        match self.order {
            Order::Entry => 0,
            Order::Level => self.mlfq_state(task).level as i128,
            _ => self.rules.key(
                remaining,
                self.tasks[task].priority_key,
                Standing::default(),
            ),
        }
    }

    fn push_ready(&mut self, item: Runnable, tick: u64, class: u8) {
        let key = self.policy_key(item.task, item.remaining);
        let key = if self.ages {
            self.rules.entry_key(key, tick)
        } else {
            key
        };
        let entry = Entry {
            at: tick,
            class,
            index: item.task,
        };
        self.ready.push(item, key, entry);
    }

    fn dispatch_free_cpus(&mut self, tick: u64) -> Result<(), SimError> {
        while self.free_mask != 0 {
            let queued_key = if self.ages {
                self.ready.best_key()
            } else {
                None
            };
            let Some(item) = self.ready.pop() else { break };
            let last_cpu = item.last_cpu;
            // Prefer the CPU the task ran on last (no switch), then a CPU that never ran anything (no switch
            // either), then the lowest free CPU.
            let (cpu, choice) = if last_cpu != NO_CPU && self.free_mask & (1 << last_cpu) != 0 {
                (last_cpu, CpuChoice::LastCpu)
            } else if self.free_mask & self.fresh_mask != 0 {
                (
                    (self.free_mask & self.fresh_mask).trailing_zeros(),
                    CpuChoice::FreshCpu,
                )
            } else {
                (self.free_mask.trailing_zeros(), CpuChoice::LowestFree)
            };
            if RECORD {
                self.record_dispatch(cpu, item, choice, queued_key, tick);
            }
            self.keep_aged_key(cpu, queued_key, tick);
            self.dispatch(cpu, item, tick)?;
        }
        Ok(())
    }

    fn dispatch(&mut self, cpu: u32, item: Runnable, tick: u64) -> Result<(), SimError> {
        let index = cpu as usize;
        if let Activity::Free { since } = self.cpus[index].activity {
            self.emit(cpu, SliceKind::Idle, since, tick)?;
        }
        self.free_mask &= !(1 << cpu);
        self.fresh_mask &= !(1 << cpu);
        let previous = self.cpus[index].last_task.replace(item.task);
        if previous.is_some_and(|previous| previous != item.task) {
            self.context_switches += 1;
            if self.switch_cost > 0 {
                let slot = &mut self.cpus[index];
                slot.activity = Activity::Switching { item, start: tick };
                slot.generation += 1;
                self.cpu_events.push(Reverse((
                    tick.saturating_add(self.switch_cost),
                    cpu,
                    slot.generation,
                )));
                return Ok(());
            }
        }
        self.begin_run(cpu, item, tick);
        Ok(())
    }

    fn begin_run(&mut self, cpu: u32, item: Runnable, tick: u64) {
        let standing = if self.order == Order::Level {
            self.mlfq_state(item.task)
        } else {
            Standing::default()
        };
        let length = self.rules.turn_length(item.remaining, standing);
        let slot = &mut self.cpus[cpu as usize];
        slot.activity = Activity::Running { item, start: tick };
        slot.generation += 1;
        self.cpu_events
            .push(Reverse((tick.saturating_add(length), cpu, slot.generation)));
    }

    /// With aging, remembers the key the task dispatched on `cpu` had when it left the queue (its aging bonus holds
    /// while it runs).
    #[inline]
    fn keep_aged_key(&mut self, cpu: u32, queued_key: Option<i128>, tick: u64) {
        if let Some(key) = queued_key {
            self.aged_keys[cpu as usize] = self.rules.aged(key, tick);
        }
    }

    /// Preemptive policies: while the best ready task is strictly better than the worst running one, it takes
    /// that CPU and the preempted task goes back to the ready queue.
    fn preempt_worse_running(&mut self, tick: u64) -> Result<(), SimError> {
        while let Some(best) = self.ready.best_key().map(|key| self.rules.aged(key, tick)) {
            let mut worst: Option<(i128, Runnable, u32, u64)> = None;
            for cpu in 0..self.cpus.len() {
                if let Activity::Running { item, start } = self.cpus[cpu].activity {
                    let remaining_now = item.remaining.saturating_sub(tick - start);
                    let key = if self.ages {
                        self.aged_keys[cpu]
                    } else {
                        self.policy_key(item.task, remaining_now)
                    };
                    if worst.is_none_or(|(worst_key, worst_item, ..)| {
                        (key, item.task) > (worst_key, worst_item.task)
                    }) {
                        worst = Some((key, item, cpu as u32, start));
                    }
                }
            }
            let Some((worst_key, item, cpu, start)) = worst else {
                break;
            };
            if !self.rules.preempts(best, worst_key) {
                break;
            }
            let victim = item.task;
            let item = self.stop_run(cpu, item, start, tick)?;
            self.push_ready(item, tick, self.preempted_class);
            let queued_key = if self.ages {
                self.ready.best_key()
            } else {
                None
            };
            if let Some(next) = self.ready.pop() {
                if RECORD {
                    if let Some(reason) = self.preempt_reason(best, worst_key, self.ages) {
                        let kind = DecisionKind::Preempt {
                            victim,
                            reason,
                            front: false,
                        };
                        self.decide(tick, Some(cpu), Some(next.task), kind);
                    }
                }
                self.keep_aged_key(cpu, queued_key, tick);
                self.dispatch(cpu, next, tick)?;
            }
        }
        Ok(())
    }
}

/// Recording (`RECORD` only): each decision is written where the engine takes it, with the facts it compared.
impl<const OSTEP: bool, const RECORD: bool> Engine<'_, OSTEP, RECORD> {
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

    /// A priority key as the scenario writes priorities.
    fn shown_priority(&self, key: i128) -> i64 {
        let priority = key * self.priority_sign;
        i64::try_from(priority).unwrap_or(if priority < 0 { i64::MIN } else { i64::MAX })
    }

    /// A turn ended with work left: the quantum ran out, or (MLFQ) the allotment, which moves it down.
    fn record_turn_end(&mut self, cpu: u32, task: usize, level_before: usize, tick: u64) {
        let is_mlfq = self.order == Order::Level;
        let level_after = self.level_of(task);
        let levels = self.rules.levels();
        let kind = if is_mlfq && level_after != level_before {
            DecisionKind::Demote {
                from: level_before,
                to: level_after,
                allotment: levels.get(level_before).map_or(0, |level| level.allotment),
            }
        } else {
            let quantum = if is_mlfq {
                levels.get(level_before).map_or(0, |level| level.quantum)
            } else {
                self.rules.turn_length(u64::MAX, Standing::default())
            };
            DecisionKind::QuantumEnd {
                quantum,
                level: is_mlfq.then_some(level_before),
            }
        };
        self.decide(tick, Some(cpu), Some(task), kind);
    }

    /// A task entered the ready queue at this tick (for [`Engine::record_entrants`]).
    fn note_entrant(&mut self, task: usize, remaining: u64, cause: EntryCause) {
        let key = self.policy_key(task, remaining);
        self.entrants.push((Entrant { task, cause }, 0, key));
    }

    fn record_entrants(&mut self, tick: u64) {
        let ostep = OSTEP;
        let arrivals_first = self.arrival_class == 0;
        record_entrants(
            tick,
            &self.entrants,
            EntryRules {
                ostep,
                arrivals_first,
                per_cpu: false,
            },
            &mut self.recording.decisions,
        );
        self.entrants.clear();
    }

    /// Why the ready queue gave `item`: its key, as the policy reads it.
    fn dispatch_reason(
        &self,
        item: &Runnable,
        queued_key: Option<i128>,
        tick: u64,
    ) -> DispatchReason {
        match self.order {
            Order::Entry => DispatchReason::HeadOfQueue,
            Order::Remaining if self.preemptive => DispatchReason::ShortestRemaining {
                ticks: item.remaining,
            },
            Order::Remaining => DispatchReason::ShortestBurst {
                ticks: item.remaining,
            },
            Order::Priority => {
                let key = match queued_key {
                    Some(key) => self.rules.aged(key, tick),
                    None => self.tasks[item.task].priority_key,
                };
                DispatchReason::HighestPriority {
                    priority: self.shown_priority(key),
                }
            }
            Order::Level => DispatchReason::TopLevel {
                level: self.level_of(item.task),
            },
        }
    }

    fn record_dispatch(
        &mut self,
        cpu: u32,
        item: Runnable,
        choice: CpuChoice,
        queued_key: Option<i128>,
        tick: u64,
    ) {
        let reason = self.dispatch_reason(&item, queued_key, tick);
        let switches = self.cpus[cpu as usize]
            .last_task
            .is_some_and(|last| last != item.task);
        let kind = DecisionKind::Dispatch {
            reason,
            others: self.ready.len(),
            cpu_choice: (self.cpus.len() > 1).then_some(choice),
            switch_until: (switches && self.switch_cost > 0)
                .then(|| tick.saturating_add(self.switch_cost)),
            moved_from: (item.last_cpu != NO_CPU && item.last_cpu != cpu).then_some(item.last_cpu),
        };
        self.decide(tick, Some(cpu), Some(item.task), kind);
    }

    /// The comparison of a preemption, from the two keys the engine compared.
    fn preempt_reason(&self, key: i128, victim_key: i128, aged: bool) -> Option<PreemptReason> {
        let ticks = |key: i128| u64::try_from(key).unwrap_or(0);
        let level = |key: i128| usize::try_from(key).unwrap_or(0);
        match self.order {
            Order::Remaining => Some(PreemptReason::ShorterRemaining {
                ticks: ticks(key),
                victim_ticks: ticks(victim_key),
            }),
            Order::Priority => Some(PreemptReason::HigherPriority {
                priority: self.shown_priority(key),
                victim_priority: self.shown_priority(victim_key),
                aged,
            }),
            Order::Level => Some(PreemptReason::HigherLevel {
                level: level(key),
                victim_level: level(victim_key),
            }),
            // FIFO orders never preempt.
            Order::Entry => None,
        }
    }

    /// The state after the decisions of `tick`.
    fn record_state(&mut self, tick: u64) {
        let is_mlfq = self.order == Order::Level;
        let cpus = self
            .cpus
            .iter()
            .map(|cpu| match cpu.activity {
                Activity::Free { since } => CpuState::Idle { since },
                Activity::Switching { item, start } => CpuState::Switching {
                    task: item.task,
                    since: start,
                    until: start.saturating_add(self.switch_cost),
                },
                Activity::Running { item, start } => {
                    let standing = if is_mlfq {
                        Standing {
                            level: self.level_of(item.task),
                            used: if self.cold[item.task].epoch < self.boosts_done {
                                0
                            } else {
                                self.cold[item.task].standing.used
                            },
                        }
                    } else {
                        Standing::default()
                    };
                    // The policy's limit on a turn, whatever the burst: none for run-to-end policies.
                    let quantum = self.rules.turn_length(u64::MAX, standing);
                    CpuState::Running {
                        task: item.task,
                        since: start,
                        left: item.remaining.saturating_sub(tick - start),
                        rate: 1,
                        quantum_end: (quantum != u64::MAX).then(|| start.saturating_add(quantum)),
                        level: is_mlfq.then_some(standing.level),
                    }
                }
            })
            .collect();
        let level_count = if is_mlfq {
            self.rules.levels().len().max(1)
        } else {
            1
        };
        let mut levels = vec![Vec::new(); level_count];
        for item in self.ready.in_order() {
            let level = if is_mlfq { self.level_of(item.task) } else { 0 };
            levels[level.min(level_count - 1)].push(Queued {
                task: item.task,
                left: item.remaining,
            });
        }
        let mut io: Vec<IoWait> = self
            .io_returns
            .iter()
            .map(|&Reverse((until, task))| IoWait { task, until })
            .collect();
        io.sort_unstable_by_key(|wait| (wait.until, wait.task));
        self.recording.states.push(SimState {
            tick,
            cpus,
            queues: vec![QueueState { cpu: None, levels }],
            io,
            completed: self.completed_list.clone(),
        });
    }
}

/// How the tie conventions of a run order tasks entering a queue at one tick.
#[derive(Debug, Clone, Copy)]
pub(super) struct EntryRules {
    pub ostep: bool,
    pub arrivals_first: bool,
    pub per_cpu: bool,
}

/// Records what happened to the tasks that entered the queues at `tick` (`entrants`: in the order pushed, with
/// their queue and key): one alone with its key in its queue arrives or wakes; tasks with equal keys in one queue
/// were ordered by the tie convention, which is named.
pub(super) fn record_entrants(
    tick: u64,
    entrants: &[(Entrant, usize, i128)],
    rules: EntryRules,
    decisions: &mut Vec<Decision>,
) {
    let mut done = vec![false; entrants.len()];
    for first in 0..entrants.len() {
        if done[first] {
            continue;
        }
        let (_, queue, key) = entrants[first];
        // Pushed in entry order, so tasks of equal keys keep their queue order here.
        let group: Vec<Entrant> = entrants
            .iter()
            .enumerate()
            .skip(first)
            .filter(|(_, (_, other_queue, other_key))| (*other_queue, *other_key) == (queue, key))
            .map(|(position, (entrant, ..))| {
                done[position] = true;
                *entrant
            })
            .collect();
        let queue = rules.per_cpu.then_some(queue as u32);
        if let [only] = group.as_slice() {
            let kind = match only.cause {
                EntryCause::Arrival => DecisionKind::Arrive { queue },
                EntryCause::IoReturn => DecisionKind::Wake {
                    queue,
                    front: false,
                },
                // Its quantum end (or the steal) is recorded already.
                EntryCause::TurnEnd => continue,
            };
            decisions.push(Decision {
                tick,
                cpu: None,
                task: Some(only.task),
                kind,
            });
            continue;
        }
        let turn_ends = group
            .iter()
            .filter(|entrant| entrant.cause == EntryCause::TurnEnd)
            .count();
        let returns = group
            .iter()
            .filter(|entrant| entrant.cause == EntryCause::IoReturn)
            .count();
        let mixed = turn_ends > 0 && turn_ends < group.len();
        let rule = if rules.ostep && (mixed || returns > 1) {
            TieRule::Ostep
        } else if !mixed {
            TieRule::ScenarioOrder
        } else if rules.arrivals_first {
            TieRule::ArrivalsFirst
        } else {
            TieRule::TurnEndsFirst
        };
        decisions.push(Decision {
            tick,
            cpu: None,
            task: None,
            kind: DecisionKind::Tie {
                order: group,
                rule,
                queue,
            },
        });
    }
}
