//! What the step-through shows at one step: the reasons, every CPU, the ready queues, the I/O waits and the
//! completed tasks, each in words with this run's numbers.

use tasklab_core::sim::CpuState;
use tasklab_core::step::{Snapshot, Step};
use yew::prelude::*;

use crate::widgets::swatch;

/// Names and colours of the recorded run's tasks.
pub struct Tasks<'a> {
    /// By task index.
    pub names: &'a [String],
    /// By task index.
    pub colours: &'a [String],
    /// The time unit in words ("tick", or "ms").
    pub unit: &'a str,
}

impl Tasks<'_> {
    fn name(&self, task: usize) -> String {
        self.names
            .get(task)
            .cloned()
            .unwrap_or_else(|| format!("T{task}"))
    }

    /// A task's swatch and name.
    fn label(&self, task: usize) -> Html {
        let colour = self.colours.get(task).map_or("#888888", String::as_str);
        html! { <>{swatch(colour)}<strong>{self.name(task)}</strong></> }
    }

    fn amount(&self, count: u64) -> String {
        let unit = self.unit;
        if count == 1 || unit == "ms" {
            format!("{count} {unit}")
        } else {
            format!("{count} {unit}s")
        }
    }
}

/// The sentences of the decisions at this step (`#step-reasons`), or what goes on between two events.
pub fn reasons(step: &Step, tasks: &Tasks) -> Html {
    let running: Vec<String> = step
        .snapshot
        .cpus
        .iter()
        .filter_map(|cpu| match cpu.state {
            CpuState::Running { task, .. } => Some(tasks.name(task)),
            _ => None,
        })
        .collect();
    html! {
        <ol id="step-reasons" class="step-reasons">
            if step.decisions.is_empty() {
                <li class="quiet">{ if running.is_empty() {
                    format!("No decision at {}: nothing is ready, the CPUs wait.", step.tick)
                } else {
                    format!("No decision at {}: the scheduler has nothing to decide, so {} simply go{} on running.", step.tick, running.join(" and "), if running.len() == 1 { "es" } else { "" })
                } }</li>
            }
            { for step.decisions.iter().map(|decision| html! { <li>{decision.sentence.clone()}</li> }) }
        </ol>
    }
}

/// Every CPU: what it runs, since when, its quantum and work left (`#step-cpus`).
pub fn cpus(snapshot: &Snapshot, tasks: &Tasks) -> Html {
    let now = snapshot.tick;
    let line = |view: &tasklab_core::step::CpuView| match view.state {
        CpuState::Idle { since } => {
            html! { <>{format!("idle since {since}: nothing ready for it")}</> }
        }
        CpuState::Switching { task, since, until } => html! {
            <>{"switching to "}{tasks.label(task)}{format!(" since {since}, until {until} (a context switch: no task runs)")}</>
        },
        CpuState::Running {
            task,
            since,
            left,
            rate,
            quantum_end,
            level,
        } => {
            let quantum = match (view.quantum_left, quantum_end) {
                (Some(remaining), Some(end)) => format!(
                    "; {} of its {} quantum left",
                    tasks.amount(remaining),
                    tasks.amount(end.saturating_sub(since))
                ),
                _ => "; no quantum: it keeps the CPU until its burst ends or a better task preempts it".to_owned(),
            };
            let level = level
                .map(|level| format!(" at level {level}"))
                .unwrap_or_default();
            let warm = if rate > 1 {
                format!(" (warm: {rate} units of work a tick)")
            } else {
                String::new()
            };
            let work = if rate > 1 {
                format!("{left} units")
            } else {
                tasks.amount(left)
            };
            html! {
                <>{"runs "}{tasks.label(task)}{level}{format!(" since {since} ({} this turn){quantum}; {work} of work left in this burst{warm}", tasks.amount(now.saturating_sub(since)))}</>
            }
        }
    };
    html! {
        <ul id="step-cpus" class="step-list">
            { for snapshot.cpus.iter().map(|view| html! {
                <li><span class="step-cpu">{format!("CPU {}", view.cpu + 1)}</span>{": "}{line(view)}</li>
            }) }
        </ul>
    }
}

/// The ready queues in the order their tasks would run (`#step-queues`): MLFQ levels apart, per CPU when the
/// model has per-CPU queues.
pub fn queues(snapshot: &Snapshot, tasks: &Tasks) -> Html {
    let queue = |levels: &Vec<Vec<tasklab_core::sim::Queued>>| {
        let many = levels.len() > 1;
        html! {
            { for levels.iter().enumerate().map(|(level, queued)| html! {
                <div class="step-queue">
                    if many {
                        <span class="step-level">{ if level == 0 { "Level 0 (top): ".to_owned() } else { format!("Level {level}: ") } }</span>
                    }
                    if queued.is_empty() {
                        <span class="quiet">{"empty"}</span>
                    } else {
                        <ol class="queue-order">
                            { for queued.iter().map(|entry| html! {
                                <li>{tasks.label(entry.task)}{format!(" ({} left)", tasks.amount(entry.left))}</li>
                            }) }
                        </ol>
                    }
                </div>
            }) }
        }
    };
    html! {
        <div id="step-queues">
            { for snapshot.queues.iter().map(|state| html! {
                <div class="step-queue-box">
                    <h4>{ match state.cpu { Some(cpu) => format!("CPU {}'s queue", cpu + 1), None => "The ready queue".to_owned() } }</h4>
                    {queue(&state.levels)}
                </div>
            }) }
        </div>
    }
}

/// The tasks waiting on I/O, soonest back first (`#step-io`), and the completed ones.
pub fn waits_and_done(snapshot: &Snapshot, tasks: &Tasks) -> Html {
    let now = snapshot.tick;
    html! {
        <>
            <h3>{"Waiting on I/O"}</h3>
            <ul id="step-io" class="step-list">
                if snapshot.io.is_empty() {
                    <li class="quiet">{"No task is waiting on I/O."}</li>
                }
                { for snapshot.io.iter().map(|wait| html! {
                    <li>{tasks.label(wait.task)}{format!(" until {} ({} from now); then it queues again", wait.until, tasks.amount(wait.until.saturating_sub(now)))}</li>
                }) }
            </ul>
            <h3>{"Completed"}</h3>
            <ul id="step-done" class="step-list">
                if snapshot.completed.is_empty() {
                    <li class="quiet">{"None yet."}</li>
                }
                { for snapshot.completed.iter().map(|done| html! {
                    <li>{tasks.label(done.task)}{format!(" at {}", done.at)}</li>
                }) }
            </ul>
        </>
    }
}
