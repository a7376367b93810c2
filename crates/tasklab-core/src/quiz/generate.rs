//! Questions: drawn from a seed ([`Quiz::generate`]) or built from a known input ([`QuizQuestion::from_input`]),
//! each with its answer from the simulator ([`Solution`]).

use serde::{Deserialize, Serialize};

use super::params::{
    QuizOptions, QuizParams, MAX_LEVEL, MAX_QUIZ_CPUS, MAX_QUIZ_QUANTUM, MIN_LEVEL,
};
use super::rng::{mix64, SplitMix64};
use super::QuizError;
use crate::policy::{PolicyKind, PolicyKnobs};
use crate::sim::{run_input, Burst, Conventions, Machine, SimInput, SimOutput, SimTask, SliceKind};

/// Largest bound on the makespan ([`QuizQuestion::paint_ticks`]) of a generated question at levels 1 and 2.
pub const MAX_TICKS_EASY: u64 = 30;
/// Largest bound on the makespan of a generated question at level 3.
pub const MAX_TICKS_HARD: u64 = 40;
/// Most tasks of a question built with [`QuizQuestion::from_input`].
pub const MAX_INPUT_TASKS: usize = 26;
/// Most CPUs of a question built with [`QuizQuestion::from_input`].
pub const MAX_INPUT_CPUS: u32 = 8;
/// Most ticks of the Gantt grid of a question built with [`QuizQuestion::from_input`].
pub const MAX_INPUT_TICKS: u64 = 200;

/// Draws before a generated question that is still too long is shortened by hand (practically never).
const MAX_ATTEMPTS: u32 = 64;

/// Where a generated question comes from: the same three numbers (and overrides) give the same question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QuizOrigin {
    /// The seed's number ([`super::QuizSeed::value`]).
    pub seed: u64,
    /// The level, 1..=3.
    pub level: u8,
    /// The question's position in its link, from 0.
    pub index: usize,
}

/// What a question asks, and its answer: the CLI's JSON input (with machine, policy and conventions always
/// written out) and the simulator's [`Solution`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuizQuestion {
    origin: Option<QuizOrigin>,
    input: SimInput,
    paint_ticks: u64,
    solution: Solution,
}

/// The right answer to a question, from the simulator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Solution {
    /// Each task's completion tick, in scenario order.
    pub completions: Vec<ExpectedCompletion>,
    /// What each CPU did at each tick.
    pub gantt: Gantt,
    /// The simulator's makespan (last completion − earliest arrival).
    pub makespan: u64,
}

/// One task's right answer. JSON: `{"name": "A", "completion": 7}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedCompletion {
    /// The task's name.
    pub name: String,
    /// The tick its last burst ended.
    pub completion: u64,
}

/// The true Gantt chart as a grid: for each CPU and each tick from 0 to the last completion, what it did (the
/// simulator's [`SliceKind`]: `{"task": i}`, `{"switch": i}` or `"idle"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gantt {
    /// Rows: one per CPU.
    pub cpus: u32,
    /// Columns: ticks `0..ticks` (the last completion).
    pub ticks: u64,
    /// `cells[cpu][tick]`.
    pub cells: Vec<Vec<SliceKind>>,
}

impl Gantt {
    /// What `cpu` did at `tick`: idle outside the grid.
    pub fn cell(&self, cpu: u32, tick: u64) -> SliceKind {
        let row = usize::try_from(cpu)
            .ok()
            .and_then(|cpu| self.cells.get(cpu));
        let cell = usize::try_from(tick)
            .ok()
            .and_then(|tick| row.and_then(|row| row.get(tick)));
        cell.copied().unwrap_or(SliceKind::Idle)
    }

    fn from_output(output: &SimOutput) -> Gantt {
        let cpus = output.machine.cpus;
        let ticks = output
            .result
            .tasks
            .iter()
            .map(|task| task.completion)
            .max()
            .unwrap_or(0);
        // Sizes are capped by the callers (at most MAX_INPUT_TICKS columns), so these fit in usize.
        let width = usize::try_from(ticks).unwrap_or(0);
        let mut cells = vec![vec![SliceKind::Idle; width]; cpus as usize];
        for slice in &output.result.trace {
            let Some(row) = cells.get_mut(slice.cpu as usize) else {
                continue;
            };
            let start = usize::try_from(slice.start).unwrap_or(width).min(width);
            let end = usize::try_from(slice.end).unwrap_or(width).min(width);
            if let Some(span) = row.get_mut(start..end) {
                span.fill(slice.kind);
            }
        }
        Gantt { cpus, ticks, cells }
    }
}

/// One level's recipe for questions.
struct LevelSpec {
    tasks: (u64, u64),
    latest_arrival: u64,
    cpus: u32,
    /// A CPU burst of a task without I/O.
    burst: (u64, u64),
    /// Whether tasks may do I/O (then at least one does).
    io: bool,
    policies: &'static [PolicyKind],
    max_ticks: u64,
}

const LEVEL_1: LevelSpec = LevelSpec {
    tasks: (3, 3),
    latest_arrival: 0,
    cpus: 1,
    burst: (1, 8),
    io: false,
    // With every task at tick 0, SRTF is SJF and a priority needs priorities to read: kept for later levels.
    policies: &[PolicyKind::Fcfs, PolicyKind::Sjf, PolicyKind::RoundRobin],
    max_ticks: MAX_TICKS_EASY,
};

const LEVEL_2: LevelSpec = LevelSpec {
    tasks: (4, 5),
    latest_arrival: 6,
    cpus: 1,
    burst: (1, 7),
    io: false,
    policies: &[
        PolicyKind::Fcfs,
        PolicyKind::Sjf,
        PolicyKind::Srtf,
        PolicyKind::RoundRobin,
        PolicyKind::Priority,
        PolicyKind::PriorityPreemptive,
    ],
    max_ticks: MAX_TICKS_EASY,
};

const LEVEL_3: LevelSpec = LevelSpec {
    tasks: (4, 6),
    latest_arrival: 6,
    cpus: 2,
    burst: (1, 6),
    io: true,
    policies: &PolicyKind::ALL,
    max_ticks: MAX_TICKS_HARD,
};

fn spec(level: u8) -> &'static LevelSpec {
    match level {
        0 | 1 => &LEVEL_1,
        2 => &LEVEL_2,
        _ => &LEVEL_3,
    }
}

/// The name of task `index`: A, B, … Z, then T26, T27, … (generated questions have at most 6).
fn task_name(index: usize) -> String {
    match u8::try_from(index) {
        Ok(small) if small < 26 => char::from(b'A' + small).to_string(),
        _ => format!("T{index}"),
    }
}

/// A bound on the last completion under any policy on any number of CPUs without switch cost: at every tick before
/// the end either a CPU runs a task (at most the total CPU ticks), or no task is ready, because every unfinished
/// task has not arrived yet (at most the latest arrival) or is in I/O (at most the total I/O ticks). Never below
/// [`chart_bound`], and independent of the CPUs: a generated question's tasks must meet it, so the tasks do not
/// depend on the CPUs of the link.
fn makespan_bound(tasks: &[SimTask]) -> u64 {
    let latest = tasks.iter().map(|task| task.arrival).max().unwrap_or(0);
    let work: u64 = tasks
        .iter()
        .flat_map(|task| &task.bursts)
        .map(|burst| burst.ticks())
        .fold(0, u64::saturating_add);
    latest.saturating_add(work)
}

/// A bound on the last completion on `cpus` CPUs without switch cost, for a simulator that never leaves a CPU idle
/// while a task is ready (Graham's argument): take the task that ends last; at every tick before its end it has
/// not arrived, or it runs or does I/O, or it is ready and waits, and then every CPU runs another task. So the end
/// is at most its arrival, plus its bursts, plus the other tasks' CPU ticks shared by the CPUs.
fn chart_bound(tasks: &[SimTask], cpus: u32) -> u64 {
    let cpu_ticks = |task: &SimTask| -> u64 {
        task.bursts
            .iter()
            .filter(|burst| matches!(burst, Burst::Cpu(_)))
            .map(|burst| burst.ticks())
            .fold(0, u64::saturating_add)
    };
    let total_cpu = tasks.iter().map(cpu_ticks).fold(0, u64::saturating_add);
    tasks
        .iter()
        .map(|task| {
            let own = task
                .bursts
                .iter()
                .map(|burst| burst.ticks())
                .fold(task.arrival, u64::saturating_add);
            own.saturating_add((total_cpu - cpu_ticks(task)) / u64::from(cpus.max(1)))
        })
        .max()
        .unwrap_or(0)
}

/// The questions of a quiz link, and the generator of any question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quiz {
    params: QuizParams,
}

impl Quiz {
    /// The quiz of a link.
    pub fn new(params: QuizParams) -> Self {
        Quiz { params }
    }

    /// The link's parameters.
    pub fn params(&self) -> &QuizParams {
        &self.params
    }

    /// Question `index` (from 0) of the link.
    pub fn question(&self, index: usize) -> QuizQuestion {
        Quiz::generate(
            self.params.seed.value,
            self.params.level,
            index,
            &self.params.options,
        )
    }

    /// The link's `count` questions, in order.
    pub fn questions(&self) -> Vec<QuizQuestion> {
        (0..self.params.count)
            .map(|index| self.question(index))
            .collect()
    }

    /// Question `index` of `seed` at `level` (clamped to 1..=3), with the link's overrides: the same arguments
    /// give the same question on every machine.
    ///
    /// The tasks depend only on (`seed`, `level`, `index`): the policy and quantum are drawn every time (then
    /// replaced by any override), so a teacher may ask the same tasks under another policy. Level 1: 3 tasks at
    /// tick 0, bursts of 1–8 ticks, one CPU, FCFS, SJF or RR. Level 2: 4–5 tasks arriving over ticks 0–6 (A at
    /// 0), bursts 1–7, one CPU, any policy but MLFQ, priorities 1–5 when the policy reads them. Level 3: 4–6 tasks,
    /// about half with CPU, I/O, CPU bursts (at least one), two CPUs, any policy. RR quanta are 2–4 ticks, MLFQ's
    /// top quantum 1–3 (the [`PolicyKind::build`] recipe). Whatever the policy and CPUs, the makespan is at most
    /// 30 ticks (levels 1, 2) or 40 (level 3): see [`QuizQuestion::paint_ticks`].
    pub fn generate(seed: u64, level: u8, index: usize, options: &QuizOptions) -> QuizQuestion {
        let level = level.clamp(MIN_LEVEL, MAX_LEVEL);
        let spec = spec(level);
        // One stream per (seed, level, question): mixing keeps neighbouring seeds and indices unrelated.
        let stream = mix64(seed ^ mix64((u64::from(level) << 32) ^ index as u64));
        let mut rng = SplitMix64::new(stream);
        // Every choice is drawn whether or not it is overridden, so overrides never shift the tasks.
        let drawn_policy = spec
            .policies
            .get(rng.below(spec.policies.len() as u64) as usize)
            .copied()
            .unwrap_or(PolicyKind::Fcfs);
        let drawn_quantum = rng.between(2, 4);
        let policy = options.policy.unwrap_or(drawn_policy);
        let quantum = options.quantum.map_or(
            if policy == PolicyKind::Mlfq {
                drawn_quantum - 1
            } else {
                drawn_quantum
            },
            |quantum| quantum.clamp(1, MAX_QUIZ_QUANTUM),
        );
        let cpus = options.cpus.unwrap_or(spec.cpus).clamp(1, MAX_QUIZ_CPUS);
        let mut tasks = draw_tasks(&mut rng, spec);
        let mut attempts = 1;
        while makespan_bound(&tasks) > spec.max_ticks && attempts < MAX_ATTEMPTS {
            tasks = draw_tasks(&mut rng, spec);
            attempts += 1;
        }
        shorten_to(&mut tasks, spec.max_ticks);
        if !policy.uses_priorities() {
            for task in &mut tasks {
                task.priority = 0;
            }
        }
        let input = SimInput {
            tasks,
            machine: Some(Machine::new(cpus, 0)),
            policy: Some(policy.build(&PolicyKnobs::with_quantum(quantum))),
            conventions: Some(Conventions::default()),
        };
        let origin = QuizOrigin { seed, level, index };
        // Valid by construction: 3–6 tasks, bursts of at least a tick, 1–4 CPUs, a quantum of at least 1 (the
        // tests generate every level under every policy and CPU count).
        QuizQuestion::solve(Some(origin), input)
            .expect("a generated question is a valid simulator input")
    }
}

/// One draw of a level's tasks, sorted by arrival (A first, at tick 0).
fn draw_tasks(rng: &mut SplitMix64, spec: &LevelSpec) -> Vec<SimTask> {
    let count = rng.between(spec.tasks.0, spec.tasks.1) as usize;
    let mut arrivals: Vec<u64> = (0..count)
        .map(|_| rng.between(0, spec.latest_arrival))
        .collect();
    arrivals.sort_unstable();
    if let Some(first) = arrivals.first_mut() {
        // The chart starts at tick 0.
        *first = 0;
    }
    let mut with_io: Vec<bool> = (0..count).map(|_| spec.io && rng.coin()).collect();
    if spec.io && !with_io.contains(&true) {
        let chosen = rng.below(count as u64) as usize;
        if let Some(flag) = with_io.get_mut(chosen) {
            *flag = true;
        }
    }
    arrivals
        .into_iter()
        .zip(with_io)
        .enumerate()
        .map(|(index, (arrival, io))| {
            let priority = rng.between(1, 5) as i64;
            let bursts = if io {
                vec![
                    Burst::Cpu(rng.between(1, 4)),
                    Burst::Io(rng.between(1, 4)),
                    Burst::Cpu(rng.between(1, 3)),
                ]
            } else {
                vec![Burst::Cpu(rng.between(spec.burst.0, spec.burst.1))]
            };
            SimTask {
                name: task_name(index),
                arrival,
                priority,
                bursts,
                ..SimTask::default()
            }
        })
        .collect()
}

/// Takes a tick off the longest burst (the first of equals) until the bound holds; only reached when
/// [`MAX_ATTEMPTS`] draws were all too long.
fn shorten_to(tasks: &mut [SimTask], max_ticks: u64) {
    while makespan_bound(tasks) > max_ticks {
        let longest = tasks
            .iter_mut()
            .flat_map(|task| task.bursts.iter_mut())
            .filter(|burst| burst.ticks() > 1)
            .reduce(|best, burst| {
                if burst.ticks() > best.ticks() {
                    burst
                } else {
                    best
                }
            });
        match longest {
            Some(Burst::Cpu(ticks) | Burst::Io(ticks)) => *ticks -= 1,
            None => return,
        }
    }
}

impl QuizQuestion {
    /// A question on a known input (a textbook example): any valid simulator input of at most
    /// [`MAX_INPUT_TASKS`] tasks and [`MAX_INPUT_CPUS`] CPUs whose chart ends by tick [`MAX_INPUT_TICKS`]. The
    /// input is kept as given (its defaults are not written out).
    ///
    /// # Errors
    /// [`QuizError::TooLarge`] beyond those limits, [`QuizError::Refused`] when the simulator refuses the input.
    pub fn from_input(input: SimInput) -> Result<QuizQuestion, QuizError> {
        if input.tasks.len() > MAX_INPUT_TASKS {
            return Err(QuizError::TooLarge {
                reason: format!("{} tasks (at most {MAX_INPUT_TASKS})", input.tasks.len()),
            });
        }
        let cpus = input.machine_or_default().cpus;
        if cpus > MAX_INPUT_CPUS {
            return Err(QuizError::TooLarge {
                reason: format!("{cpus} CPUs (at most {MAX_INPUT_CPUS})"),
            });
        }
        // Checked before simulating, so a huge input costs nothing: the chart ends no earlier than any task's
        // arrival plus all its bursts, nor than all the CPU work shared by every CPU.
        let longest_task = input
            .tasks
            .iter()
            .map(|task| {
                task.bursts
                    .iter()
                    .map(|burst| burst.ticks())
                    .fold(task.arrival, u64::saturating_add)
            })
            .max()
            .unwrap_or(0);
        let cpu_work = input
            .tasks
            .iter()
            .flat_map(|task| &task.bursts)
            .filter(|burst| matches!(burst, Burst::Cpu(_)))
            .map(|burst| burst.ticks())
            .fold(0, u64::saturating_add);
        if longest_task > MAX_INPUT_TICKS
            || cpu_work > MAX_INPUT_TICKS.saturating_mul(u64::from(cpus))
        {
            return Err(QuizError::TooLarge {
                reason: format!("its chart would end after tick {MAX_INPUT_TICKS}"),
            });
        }
        let question = QuizQuestion::solve(None, input)?;
        if question.solution.gantt.ticks > MAX_INPUT_TICKS {
            return Err(QuizError::TooLarge {
                reason: format!(
                    "its chart ends at tick {} (at most {MAX_INPUT_TICKS})",
                    question.solution.gantt.ticks
                ),
            });
        }
        Ok(question)
    }

    fn solve(origin: Option<QuizOrigin>, input: SimInput) -> Result<QuizQuestion, QuizError> {
        let output = run_input(&input)?;
        let gantt = Gantt::from_output(&output);
        let completions = output
            .result
            .tasks
            .iter()
            .map(|task| ExpectedCompletion {
                name: task.name.clone(),
                completion: task.completion,
            })
            .collect();
        let bound = chart_bound(&input.tasks, output.machine.cpus);
        // Generated questions meet the bound (the tests generate thousands in debug builds).
        debug_assert!(origin.is_none() || gantt.ticks <= bound, "{input:?}");
        // A known input may have switch costs or per-CPU queues, which the bound does not cover: hence the max.
        let paint_ticks = bound.min(MAX_INPUT_TICKS).max(gantt.ticks);
        Ok(QuizQuestion {
            origin,
            input,
            paint_ticks,
            solution: Solution {
                completions,
                gantt,
                makespan: output.result.summary.makespan,
            },
        })
    }

    /// Where a generated question comes from (none for [`QuizQuestion::from_input`]).
    pub fn origin(&self) -> Option<QuizOrigin> {
        self.origin
    }

    /// The question in the CLI's JSON input format.
    pub fn input(&self) -> &SimInput {
        &self.input
    }

    /// The question as the CLI's JSON document (`tasklab --json` reads it).
    pub fn input_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.input)
            .unwrap_or_else(|error| serde_json::json!({ "error": error.to_string() }))
    }

    /// The tasks' names, in order (the names the simulator reports).
    pub fn task_names(&self) -> Vec<&str> {
        self.solution
            .completions
            .iter()
            .map(|task| task.name.as_str())
            .collect()
    }

    /// The CPUs: rows of the chart to paint.
    pub fn cpus(&self) -> u32 {
        self.solution.gantt.cpus
    }

    /// Columns of the chart to paint: a bound on the last completion that does not give it away (for the task
    /// ending last: its arrival, its bursts, and the other tasks' CPU ticks shared by the CPUs; at least the real
    /// end). At most 30 at levels 1–2 and 40 at level 3.
    pub fn paint_ticks(&self) -> u64 {
        self.paint_ticks
    }

    /// The right answer.
    pub fn solution(&self) -> &Solution {
        &self.solution
    }
}
