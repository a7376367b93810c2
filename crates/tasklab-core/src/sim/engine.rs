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
//! Costs per slice: O(log n) for the heaps (ready tasks for the keyed policies, I/O returns, CPU events), O(1)
//! for the FIFO policies; choosing a CPU is O(1) with bit masks (at most 64 CPUs). The only O(CPUs) scan is the
//! preemption check of the preemptive policies.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::error::{SimError, DEFAULT_MAX_SLICES};
use super::metrics::{SliceKind, TraceSlice};
use super::model::{Burst, MlfqLevel, Policy};

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
    pub arrival_before_preempted: bool,
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
}

const NO_CPU: u32 = u32::MAX;
const NOT_YET: u64 = u64::MAX;

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

/// A ready task in a keyed queue, ordered by its key only.
#[derive(Debug, Clone, Copy)]
struct Keyed {
    key: ReadyKey,
    item: Runnable,
}

impl PartialEq for Keyed {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Keyed {}

impl PartialOrd for Keyed {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Keyed {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
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
    /// MLFQ level, used allotment at that level, and the boost count when they were set (older = boosted since).
    level: usize,
    used: u64,
    epoch: u64,
}

/// Heap key of a ready task: (policy key, tick it entered the ready queue, arrival/preempted class, index).
type ReadyKey = (i128, u64, u8, usize);

enum ReadyQueue {
    Fifo(VecDeque<Runnable>),
    Keyed(BinaryHeap<Reverse<Keyed>>),
    /// One FIFO per MLFQ level; bit `l` of `nonempty` is set when level `l` has tasks.
    Levels {
        queues: Vec<VecDeque<Runnable>>,
        nonempty: u64,
    },
}

/// Which policy key orders the ready tasks and decides preemption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Remaining,
    Priority,
    Level,
    None,
}

struct Engine<'a> {
    tasks: &'a [PreparedTask],
    policy: &'a Policy,
    key_kind: KeyKind,
    preemptive: bool,
    switch_cost: u64,
    arrival_class: u8,
    preempted_class: u8,
    cpus: Vec<Cpu>,
    /// Bit c set when CPU c is free.
    free_mask: u64,
    /// Bit c set when CPU c has never run a task (starting there costs no switch).
    fresh_mask: u64,
    all_mask: u64,
    cold: Vec<ColdTask>,
    ready: ReadyQueue,
    ready_len: usize,
    cpu_events: BinaryHeap<Reverse<(u64, u32, u64)>>,
    io_returns: BinaryHeap<Reverse<(u64, usize)>>,
    arrival_order: Vec<usize>,
    next_arrival: usize,
    mlfq_levels: &'a [MlfqLevel],
    boost_period: Option<u64>,
    boosts_done: u64,
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
}

/// Runs one simulation. The inputs must have been validated.
pub(crate) fn run(config: &RunConfig<'_>) -> Result<RunOutcome, SimError> {
    let mut engine = Engine::new(config);
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
    }
    let window_end = engine.last_completion.max(window_start);
    for index in 0..engine.cpus.len() {
        if let Activity::Free { since } = engine.cpus[index].activity {
            engine.emit(index as u32, SliceKind::Idle, since, window_end)?;
        }
    }
    Ok(RunOutcome {
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
    })
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

impl<'a> Engine<'a> {
    fn new(config: &RunConfig<'a>) -> Self {
        let cpu_count = config.cpus.clamp(1, 64);
        let all_mask = if cpu_count == 64 {
            u64::MAX
        } else {
            (1u64 << cpu_count) - 1
        };
        let (key_kind, preemptive, ready, mlfq_levels, boost_period): (_, _, _, &[MlfqLevel], _) =
            match config.policy {
                Policy::Fcfs | Policy::RoundRobin { .. } => (
                    KeyKind::None,
                    false,
                    ReadyQueue::Fifo(VecDeque::new()),
                    &[],
                    None,
                ),
                Policy::Sjf => (
                    KeyKind::Remaining,
                    false,
                    ReadyQueue::Keyed(BinaryHeap::new()),
                    &[],
                    None,
                ),
                Policy::Srtf => (
                    KeyKind::Remaining,
                    true,
                    ReadyQueue::Keyed(BinaryHeap::new()),
                    &[],
                    None,
                ),
                Policy::Priority { preemptive, .. } => (
                    KeyKind::Priority,
                    *preemptive,
                    ReadyQueue::Keyed(BinaryHeap::new()),
                    &[],
                    None,
                ),
                Policy::Mlfq {
                    queues,
                    boost_period,
                } => (
                    KeyKind::Level,
                    true,
                    ReadyQueue::Levels {
                        queues: vec![VecDeque::new(); queues.len()],
                        nonempty: 0,
                    },
                    queues.as_slice(),
                    *boost_period,
                ),
            };
        let mut arrival_order: Vec<usize> = (0..config.tasks.len()).collect();
        // Stable sort: equal arrivals keep scenario order.
        arrival_order.sort_by_key(|&task| config.tasks[task].arrival);
        let (arrival_class, preempted_class) = if config.arrival_before_preempted {
            (0, 1)
        } else {
            (1, 0)
        };
        Engine {
            tasks: config.tasks,
            policy: config.policy,
            key_kind,
            preemptive,
            switch_cost: config.switch_cost,
            arrival_class,
            preempted_class,
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
                    level: 0,
                    used: 0,
                    epoch: 0
                };
                config.tasks.len()
            ],
            ready,
            ready_len: 0,
            cpu_events: BinaryHeap::with_capacity(cpu_count as usize * 2),
            io_returns: BinaryHeap::new(),
            arrival_order,
            next_arrival: 0,
            mlfq_levels,
            boost_period,
            boosts_done: 0,
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
        // Boosts only matter while something runs or waits; lazily applied otherwise (see `mlfq_state`).
        if let Some(period) = self.boost_period {
            if self.free_mask != self.all_mask || self.ready_len > 0 {
                consider(self.boosts_done.saturating_add(1).saturating_mul(period));
            }
        }
        next
    }

    fn step(&mut self, tick: u64) -> Result<(), SimError> {
        self.end_cpu_events(tick)?;
        self.boost_if_due(tick)?;
        let mut starting = std::mem::take(&mut self.starting);
        for (cpu, item) in starting.drain(..) {
            self.begin_run(cpu, item, tick);
        }
        self.starting = starting;
        self.enqueue_arrivals_and_preempted(tick);
        self.dispatch_free_cpus(tick)?;
        if self.preemptive && self.ready_len > 0 {
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
                    let item = self.stop_run(cpu, item, start, tick)?;
                    if item.remaining > 0 {
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
        if self.key_kind == KeyKind::Level {
            self.account_mlfq(item.task, ran);
        }
        Ok(item)
    }

    /// The task's MLFQ level and used allotment, reset to the top if a boost happened since they were set.
    fn mlfq_state(&mut self, task: usize) -> (usize, u64) {
        let state = &mut self.cold[task];
        if state.epoch < self.boosts_done {
            state.level = 0;
            state.used = 0;
            state.epoch = self.boosts_done;
        }
        (state.level, state.used)
    }

    fn account_mlfq(&mut self, task: usize, ran: u64) {
        let (level, used) = self.mlfq_state(task);
        let used = used.saturating_add(ran);
        let last_level = self.mlfq_levels.len().saturating_sub(1);
        let state = &mut self.cold[task];
        match self.mlfq_levels.get(level) {
            Some(current) if level < last_level && used >= current.allotment => {
                state.level = level + 1;
                state.used = 0;
            }
            _ => state.used = used,
        }
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
            Some(Burst::Io(ticks)) => self
                .io_returns
                .push(Reverse((tick.saturating_add(*ticks), task))),
            None => {
                state.completion = tick;
                self.completed += 1;
                self.last_completion = self.last_completion.max(tick);
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
        self.boosts_done = due;
        if !tick.is_multiple_of(period) {
            // Boosts passed while nothing ran or waited: tasks in I/O are reset lazily.
            return Ok(());
        }
        // Running tasks start a fresh slice at the top level.
        for cpu in 0..self.cpus.len() {
            if let Activity::Running { item, start } = self.cpus[cpu].activity {
                let item = self.stop_run(cpu as u32, item, start, tick)?;
                self.free_mask &= !(1 << cpu);
                let state = &mut self.cold[item.task];
                (state.level, state.used, state.epoch) = (0, 0, self.boosts_done);
                self.begin_run(cpu as u32, item, tick);
            }
        }
        if let ReadyQueue::Levels { queues, nonempty } = &mut self.ready {
            if let Some((top, lower)) = queues.split_first_mut() {
                for queue in lower {
                    top.append(queue);
                }
                *nonempty = u64::from(!top.is_empty());
            }
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
        entered.clear();
        preempted.clear();
        self.entered = entered;
        self.preempted = preempted;
    }

    /// The policy key of a task with `remaining` ticks left in its burst (smaller runs first).
    fn policy_key(&mut self, task: usize, remaining: u64) -> i128 {
        match self.key_kind {
            KeyKind::Remaining => i128::from(remaining),
            KeyKind::Priority => self.tasks[task].priority_key,
            KeyKind::Level => self.mlfq_state(task).0 as i128,
            KeyKind::None => 0,
        }
    }

    fn push_ready(&mut self, item: Runnable, tick: u64, class: u8) {
        let key = self.policy_key(item.task, item.remaining);
        match &mut self.ready {
            ReadyQueue::Fifo(queue) => queue.push_back(item),
            ReadyQueue::Keyed(heap) => heap.push(Reverse(Keyed {
                key: (key, tick, class, item.task),
                item,
            })),
            ReadyQueue::Levels { queues, nonempty } => {
                let level = usize::try_from(key).unwrap_or(0);
                if let Some(queue) = queues.get_mut(level) {
                    queue.push_back(item);
                    *nonempty |= 1 << level;
                }
            }
        }
        self.ready_len += 1;
    }

    fn pop_ready(&mut self) -> Option<Runnable> {
        let item = match &mut self.ready {
            ReadyQueue::Fifo(queue) => queue.pop_front(),
            ReadyQueue::Keyed(heap) => heap.pop().map(|Reverse(entry)| entry.item),
            ReadyQueue::Levels { queues, nonempty } => {
                let level = nonempty.trailing_zeros() as usize;
                let queue = queues.get_mut(level)?;
                let item = queue.pop_front();
                if queue.is_empty() {
                    *nonempty &= !(1 << level);
                }
                item
            }
        };
        if item.is_some() {
            self.ready_len -= 1;
        }
        item
    }

    /// The policy key of the best ready task.
    fn best_ready_key(&self) -> Option<i128> {
        match &self.ready {
            ReadyQueue::Fifo(_) => None,
            ReadyQueue::Keyed(heap) => heap.peek().map(|Reverse(entry)| entry.key.0),
            ReadyQueue::Levels { nonempty, .. } => {
                (*nonempty != 0).then(|| i128::from(nonempty.trailing_zeros()))
            }
        }
    }

    fn dispatch_free_cpus(&mut self, tick: u64) -> Result<(), SimError> {
        while self.free_mask != 0 {
            let Some(item) = self.pop_ready() else { break };
            let last_cpu = item.last_cpu;
            // Prefer the CPU the task ran on last (no switch), then a CPU that never ran anything (no switch
            // either), then the lowest free CPU.
            let cpu = if last_cpu != NO_CPU && self.free_mask & (1 << last_cpu) != 0 {
                last_cpu
            } else if self.free_mask & self.fresh_mask != 0 {
                (self.free_mask & self.fresh_mask).trailing_zeros()
            } else {
                self.free_mask.trailing_zeros()
            };
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
        let remaining = item.remaining;
        let length = match self.policy {
            Policy::RoundRobin { quantum } => remaining.min(*quantum),
            Policy::Mlfq { .. } => {
                let (level, used) = self.mlfq_state(item.task);
                let last_level = self.mlfq_levels.len().saturating_sub(1);
                match self.mlfq_levels.get(level) {
                    Some(current) if level < last_level => remaining
                        .min(current.quantum)
                        .min(current.allotment.saturating_sub(used).max(1)),
                    Some(current) => remaining.min(current.quantum),
                    None => remaining,
                }
            }
            _ => remaining,
        };
        let slot = &mut self.cpus[cpu as usize];
        slot.activity = Activity::Running { item, start: tick };
        slot.generation += 1;
        self.cpu_events
            .push(Reverse((tick.saturating_add(length), cpu, slot.generation)));
    }

    /// Preemptive policies: while the best ready task is strictly better than the worst running one, it takes
    /// that CPU and the preempted task goes back to the ready queue.
    fn preempt_worse_running(&mut self, tick: u64) -> Result<(), SimError> {
        while let Some(best) = self.best_ready_key() {
            let mut worst: Option<(i128, Runnable, u32, u64)> = None;
            for cpu in 0..self.cpus.len() {
                if let Activity::Running { item, start } = self.cpus[cpu].activity {
                    let remaining_now = item.remaining.saturating_sub(tick - start);
                    let key = self.policy_key(item.task, remaining_now);
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
            if best >= worst_key {
                break;
            }
            let item = self.stop_run(cpu, item, start, tick)?;
            self.push_ready(item, tick, self.preempted_class);
            if let Some(next) = self.pop_ready() {
                self.dispatch(cpu, next, tick)?;
            }
        }
        Ok(())
    }
}
