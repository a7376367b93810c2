//! Step through a simulation: the scheduler's decisions, event by event or tick by tick, each with one sentence
//! saying why, and a snapshot of every CPU, the ready queues, the I/O waits and the completed tasks.
//!
//! The decisions and states come from the simulator itself ([`crate::sim::simulate_recorded`]): the engine writes
//! each decision with the facts it compared at the moment it takes it. This module only puts them into words and
//! advances a snapshot between two event ticks (a running task's work left and quantum left; nothing else changes
//! there).
//!
//! ```
//! use tasklab_core::sim::{Conventions, Machine, Policy, SimScenario, SimTask};
//! use tasklab_core::step;
//!
//! let scenario = SimScenario { tasks: vec![SimTask::cpu_only("A", 0, 8), SimTask::cpu_only("B", 1, 4)] };
//! let trace = step::record(&scenario, &Machine::default(), &Policy::Srtf, &Conventions::default()).unwrap();
//! let at_one = trace.at_tick(1).unwrap();
//! assert_eq!(at_one.decisions[1].sentence, "B preempts A on CPU 1: 4 ticks left against A's 7 (SRTF)");
//! ```

use serde::Serialize;
use thiserror::Error;

use crate::sim::{
    simulate_recorded, Completed, Conventions, CpuChoice, CpuState, Decision, DecisionKind,
    DispatchReason, Entrant, EntryCause, IoWait, Machine, Policy, PreemptReason, QueueState,
    SimError, SimInput, SimOptions, SimResult, SimScenario, SimState, TieRule,
};

/// Most tasks a recorded run may have: every state holds every task, so the recording grows with tasks × events.
pub const MAX_STEP_TASKS: usize = 200;
/// Most trace slices of a recorded run (about the number of steps, within a small factor).
pub const MAX_STEP_SLICES: u64 = 20_000;

/// Why a run could not be recorded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StepError {
    /// The simulator refused the input (or the run exceeds [`MAX_STEP_SLICES`]).
    #[error(transparent)]
    Sim(#[from] SimError),
    /// More tasks than [`MAX_STEP_TASKS`].
    #[error(
        "stepping through a run needs at most {MAX_STEP_TASKS} tasks; this scenario has {tasks}"
    )]
    TooManyTasks {
        /// The tasks of the scenario.
        tasks: usize,
    },
}

/// A decision with its sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explained {
    /// The decision as the scheduler recorded it (its fields appear at the top level in JSON).
    #[serde(flatten)]
    pub decision: Decision,
    /// One plain English sentence saying what happened and why.
    pub sentence: String,
}

/// One CPU at a tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CpuView {
    /// CPU index (0 first; sentences say "CPU 1" for it).
    pub cpu: u32,
    /// What it does (its fields appear at the top level in JSON).
    #[serde(flatten)]
    pub state: CpuState,
    /// Running under a quantum: the ticks of it left at this tick.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantum_left: Option<u64>,
}

/// Everything a step shows at one tick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// The tick.
    pub tick: u64,
    /// Every CPU, CPU 0 first.
    pub cpus: Vec<CpuView>,
    /// The ready queues, in the order their tasks would run: one shared, or one per CPU; per MLFQ level.
    pub queues: Vec<QueueState>,
    /// Tasks waiting on I/O, soonest back first.
    pub io: Vec<IoWait>,
    /// Completed tasks, in the order they completed.
    pub completed: Vec<Completed>,
}

/// One step: a tick, the decisions taken at it (none between two events) and the snapshot after them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The tick.
    pub tick: u64,
    /// The decisions taken at this tick, in order, each with its sentence.
    pub decisions: Vec<Explained>,
    /// The state after them.
    pub snapshot: Snapshot,
}

/// A recorded run, ready to walk forward and backward.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepTrace {
    /// Task names, by index (`T<index>` for unnamed tasks).
    tasks: Vec<String>,
    /// One step per tick at which the scheduler acted.
    steps: Vec<Step>,
    /// The run's result, as [`crate::sim::simulate_with`] gives it.
    result: SimResult,
}

/// Records `scenario` on `machine` under `policy` (with the trace kept) and explains it.
///
/// # Errors
/// [`StepError::Sim`] when the simulator refuses the input or the run exceeds [`MAX_STEP_SLICES`];
/// [`StepError::TooManyTasks`] beyond [`MAX_STEP_TASKS`].
pub fn record(
    scenario: &SimScenario,
    machine: &Machine,
    policy: &Policy,
    conventions: &Conventions,
) -> Result<StepTrace, StepError> {
    if scenario.tasks.len() > MAX_STEP_TASKS {
        return Err(StepError::TooManyTasks {
            tasks: scenario.tasks.len(),
        });
    }
    let options = SimOptions {
        max_slices: MAX_STEP_SLICES,
        ..SimOptions::default()
    };
    let (result, recording) = simulate_recorded(scenario, machine, policy, conventions, &options)?;
    let tasks: Vec<String> = result.tasks.iter().map(|task| task.name.clone()).collect();
    let words = Words {
        tasks: &tasks,
        cpus: machine.cpus,
    };
    let mut decisions = recording.decisions.into_iter().peekable();
    let steps = recording
        .states
        .into_iter()
        .map(|state| {
            let mut explained = Vec::new();
            while let Some(decision) = decisions.next_if(|decision| decision.tick <= state.tick) {
                let sentence = words.sentence(&decision);
                explained.push(Explained { decision, sentence });
            }
            Step {
                tick: state.tick,
                decisions: explained,
                snapshot: snapshot_at(&state, state.tick),
            }
        })
        .collect();
    Ok(StepTrace {
        tasks,
        steps,
        result,
    })
}

/// [`record`] of a [`SimInput`] with its defaults filled in (one CPU, FCFS, the default conventions).
///
/// # Errors
/// As [`record`].
pub fn record_input(input: &SimInput) -> Result<StepTrace, StepError> {
    record(
        &input.scenario(),
        &input.machine_or_default(),
        &input.policy_or_default(),
        &input.conventions_or_default(),
    )
}

impl StepTrace {
    /// One step per tick at which the scheduler acted, in order of tick.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Task names, by index.
    pub fn task_names(&self) -> &[String] {
        &self.tasks
    }

    /// The run's result (figures and trace).
    pub fn result(&self) -> &SimResult {
        &self.result
    }

    /// The first tick of the run (the earliest arrival).
    pub fn start(&self) -> u64 {
        self.steps.first().map_or(0, |step| step.tick)
    }

    /// The last tick of the run (the last completion).
    pub fn end(&self) -> u64 {
        self.steps.last().map_or(0, |step| step.tick)
    }

    /// The step at tick `tick`, for walking tick by tick: the decisions taken at that tick (none between events)
    /// and the snapshot then. `None` outside [`StepTrace::start`]..=[`StepTrace::end`].
    pub fn at_tick(&self, tick: u64) -> Option<Step> {
        if tick > self.end() {
            return None;
        }
        let index = self.steps.partition_point(|step| step.tick <= tick);
        let step = self.steps.get(index.checked_sub(1)?)?;
        if step.tick == tick {
            return Some(step.clone());
        }
        Some(Step {
            tick,
            decisions: Vec::new(),
            snapshot: advance(&step.snapshot, tick),
        })
    }

    /// The index in [`StepTrace::steps`] of the step at or before `tick`, for jumping from a tick to the events.
    pub fn step_index_at(&self, tick: u64) -> Option<usize> {
        self.steps
            .partition_point(|step| step.tick <= tick)
            .checked_sub(1)
    }
}

/// The snapshot of a recorded state, seen at `tick` (at or after the state's tick, before the next event).
fn snapshot_at(state: &SimState, tick: u64) -> Snapshot {
    let cpus = state
        .cpus
        .iter()
        .enumerate()
        .map(|(cpu, &cpu_state)| view(cpu as u32, cpu_state, state.tick, tick))
        .collect();
    Snapshot {
        tick,
        cpus,
        queues: state.queues.clone(),
        io: state.io.clone(),
        completed: state.completed.clone(),
    }
}

/// A snapshot advanced to a later `tick` with no event in between: only running tasks progress.
fn advance(snapshot: &Snapshot, tick: u64) -> Snapshot {
    let cpus = snapshot
        .cpus
        .iter()
        .map(|view_then| view(view_then.cpu, view_then.state, snapshot.tick, tick))
        .collect();
    Snapshot {
        tick,
        cpus,
        ..snapshot.clone()
    }
}

/// A CPU's state recorded at `then`, seen at `now`.
fn view(cpu: u32, state: CpuState, then: u64, now: u64) -> CpuView {
    let elapsed = now.saturating_sub(then);
    match state {
        CpuState::Running {
            task,
            since,
            left,
            rate,
            quantum_end,
            level,
        } => CpuView {
            cpu,
            state: CpuState::Running {
                task,
                since,
                left: left.saturating_sub(rate.saturating_mul(elapsed)),
                rate,
                quantum_end,
                level,
            },
            quantum_left: quantum_end.map(|end| end.saturating_sub(now)),
        },
        other => CpuView {
            cpu,
            state: other,
            quantum_left: None,
        },
    }
}

/// Puts decisions into words.
struct Words<'a> {
    tasks: &'a [String],
    cpus: u32,
}

impl Words<'_> {
    fn name(&self, task: usize) -> &str {
        self.tasks.get(task).map_or("?", String::as_str)
    }

    fn names(&self, tasks: &[usize]) -> String {
        let names: Vec<&str> = tasks.iter().map(|&task| self.name(task)).collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => (*one).to_string(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }

    /// The sentence of one decision (templates in `docs/step-through.md`).
    fn sentence(&self, decision: &Decision) -> String {
        let tick = decision.tick;
        let task = decision.task.map_or("?", |task| self.name(task));
        let cpu = decision.cpu.map_or(0, |cpu| cpu + 1);
        let queue_name = |queue: Option<u32>| match queue {
            Some(queue) => format!("CPU {}'s queue", queue + 1),
            None => "the ready queue".to_string(),
        };
        match &decision.kind {
            DecisionKind::Arrive { queue: None } => {
                format!("{task} arrives at {tick} and joins the ready queue")
            }
            DecisionKind::Arrive { queue } => format!(
                "{task} arrives at {tick} and joins {}: new tasks are placed round robin",
                queue_name(*queue)
            ),
            DecisionKind::Wake { front: true, .. } => format!(
                "{task} is back from I/O at {tick} and goes to the front of its level (mlfq.py -I)"
            ),
            DecisionKind::Wake { queue, .. } => format!(
                "{task} is back from I/O at {tick} and joins {}",
                queue_name(*queue)
            ),
            DecisionKind::Tie { order, rule, queue } => self.tie(tick, order, *rule, *queue),
            DecisionKind::Dispatch {
                reason,
                others,
                cpu_choice,
                switch_until,
                moved_from,
            } => {
                let why = match reason {
                    _ if *others == 0 => "it is the only ready task".to_string(),
                    DispatchReason::HeadOfQueue if decision.cpu.is_some() && matches!(cpu_choice, Some(CpuChoice::OwnQueue)) => {
                        "it heads its queue".to_string()
                    }
                    DispatchReason::HeadOfQueue => "it heads the queue".to_string(),
                    DispatchReason::ShortestBurst { ticks } => {
                        format!("its {ticks}-tick burst is the shortest ready (SJF)")
                    }
                    DispatchReason::ShortestRemaining { ticks } => {
                        format!("its {ticks} ticks left are the fewest ready (SRTF)")
                    }
                    DispatchReason::HighestPriority { priority } => {
                        format!("its priority {priority} is the best ready")
                    }
                    DispatchReason::TopLevel { level } => {
                        format!("it heads level {level}, the highest level with a ready task")
                    }
                };
                let mut sentence = format!("{task} starts on CPU {cpu}: {why}");
                if self.cpus > 1 {
                    let place = match cpu_choice {
                        Some(CpuChoice::LastCpu) => "; it ran there last",
                        Some(CpuChoice::FreshCpu) => "; that CPU has run nothing yet",
                        Some(CpuChoice::LowestFree) => "; it is the lowest-numbered free CPU",
                        Some(CpuChoice::OwnQueue) | None => "",
                    };
                    sentence.push_str(place);
                }
                if let Some(from) = moved_from {
                    sentence.push_str(&format!(" (it moves from CPU {})", from + 1));
                }
                if let Some(until) = switch_until {
                    sentence.push_str(&format!("; the context switch lasts until {until}"));
                }
                sentence
            }
            DecisionKind::Preempt {
                victim,
                reason,
                front,
            } => {
                let victim = self.name(*victim);
                let why = match reason {
                    PreemptReason::ShorterRemaining {
                        ticks,
                        victim_ticks,
                    } => format!("{ticks} ticks left against {victim}'s {victim_ticks} (SRTF)"),
                    PreemptReason::HigherPriority {
                        priority,
                        victim_priority,
                        aged,
                    } => format!(
                        "priority {priority} against {victim}'s {victim_priority}{}",
                        if *aged { " (after aging)" } else { "" }
                    ),
                    PreemptReason::HigherLevel {
                        level,
                        victim_level,
                    } => format!("level {level} is above {victim}'s level {victim_level} (MLFQ)"),
                    PreemptReason::IoBump { level } => {
                        format!("back from I/O, it goes ahead of {victim} at level {level} (mlfq.py -I)")
                    }
                };
                let place = if *front {
                    format!("; {victim} keeps its place at the front of its queue")
                } else {
                    String::new()
                };
                format!("{task} preempts {victim} on CPU {cpu}: {why}{place}")
            }
            DecisionKind::QuantumEnd {
                quantum,
                level: Some(level),
            } => format!(
                "{task}'s {quantum}-tick quantum ends: it goes to the back of level {level}"
            ),
            DecisionKind::QuantumEnd { quantum, level: None } => {
                format!("{task}'s {quantum}-tick quantum ends: it goes to the back of the queue")
            }
            DecisionKind::Demote {
                from,
                to,
                allotment,
            } => format!(
                "{task} moves down to level {to}: it used its {allotment}-tick allotment at level {from}"
            ),
            DecisionKind::Boost { period } => format!(
                "Boost at {tick}: every task moves back to level 0 (a boost every {period} ticks)"
            ),
            DecisionKind::Block { until } => format!("{task} blocks for I/O until {until}"),
            DecisionKind::Complete => format!("{task} completes at {tick}"),
            DecisionKind::Steal { from, longest } => format!(
                "CPU {cpu} steals {task} from CPU {}'s queue: its own queue was empty{}",
                from + 1,
                if *longest {
                    " and that queue was the longest"
                } else {
                    " (victim drawn at random)"
                }
            ),
            DecisionKind::Warm {
                warmup,
                rate,
                evicted,
            } => {
                let mut sentence = format!(
                    "{task} is warm on CPU {cpu} after {warmup} ticks there: it now does {rate} units of work a tick"
                );
                if !evicted.is_empty() {
                    sentence.push_str(&format!("; {} evicted", self.names(evicted)));
                }
                sentence
            }
        }
    }

    /// "C and D arrive at 5; C first: scenario order".
    fn tie(&self, tick: u64, order: &[Entrant], rule: TieRule, queue: Option<u32>) -> String {
        let of = |cause: EntryCause| -> Vec<usize> {
            order
                .iter()
                .filter(|entrant| entrant.cause == cause)
                .map(|entrant| entrant.task)
                .collect()
        };
        let mut clauses = Vec::new();
        let arrivals = of(EntryCause::Arrival);
        match arrivals.len() {
            0 => {}
            1 => clauses.push(format!("{} arrives", self.names(&arrivals))),
            _ => clauses.push(format!("{} arrive", self.names(&arrivals))),
        }
        let returns = of(EntryCause::IoReturn);
        if !returns.is_empty() {
            let verb = if returns.len() == 1 { "is" } else { "are" };
            clauses.push(format!("{} {verb} back from I/O", self.names(&returns)));
        }
        let ended = of(EntryCause::TurnEnd);
        match ended.len() {
            0 => {}
            1 => clauses.push(format!("{}'s turn ends", self.names(&ended))),
            _ => clauses.push(format!("the turns of {} end", self.names(&ended))),
        }
        let what = match clauses.as_slice() {
            [init @ .., last] if !init.is_empty() => format!("{} and {last}", init.join(", ")),
            _ => clauses.concat(),
        };
        let tasks: Vec<usize> = order.iter().map(|entrant| entrant.task).collect();
        let first = match tasks.as_slice() {
            [first, _] => format!("{} first", self.name(*first)),
            _ => format!("in the order {}", self.names(&tasks)),
        };
        let why = match rule {
            TieRule::ScenarioOrder => "scenario order",
            TieRule::ArrivalsFirst => {
                "arrivals queue before a task whose turn ended (arrival_before_preempted)"
            }
            TieRule::TurnEndsFirst => {
                "a task whose turn ended queues before arrivals (arrival_before_preempted off)"
            }
            TieRule::Ostep => {
                "OSTEP's order: the expired task, then arrivals, then I/O returns as issued"
            }
        };
        let place = match queue {
            Some(queue) => format!(" in CPU {}'s queue", queue + 1),
            None => String::new(),
        };
        format!("{what} at {tick}; {first}{place}: {why}")
    }
}
