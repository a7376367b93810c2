//! The scenario editor: tasks (add, remove, duplicate, reorder), each with its name, colour, phases (compute of a
//! kind and size, or wait), and for the simulator its arrival and priority. Every change produces a new scenario
//! that the page validates, keeps in the URL, and can undo.

use std::rc::Rc;

use tasklab_core::predict::UnitCosts;
use tasklab_core::scenario::{
    Phase, Scenario, TaskSpec, MAX_ARRIVAL_MS, MAX_NAME_CHARS, MAX_PHASES, MAX_PRIORITY, MAX_TASKS,
    MAX_UNITS_PER_PHASE, MAX_WAIT_MS,
};
use tasklab_core::workload::WorkloadKind;
use yew::prelude::*;

use crate::browser::{form_value, input_checked};
use crate::widgets::format_ms;

/// What the editor edits.
#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The scenario as it is.
    pub scenario: Scenario,
    /// Unit costs, for the duration estimates.
    pub costs: UnitCosts,
    /// Whether the scenario differs from its preset.
    pub modified: bool,
    /// Whether there is an edit to undo.
    pub can_undo: bool,
    /// Why the scenario cannot run, if it cannot.
    pub problem: Option<AttrValue>,
    /// Emits the edited scenario.
    pub on_edit: Callback<Scenario>,
    /// Undoes the last edit.
    pub on_undo: Callback<()>,
    /// Goes back to the preset.
    pub on_reset: Callback<()>,
    /// Whether editing is allowed now (not during a run).
    pub disabled: bool,
}

/// A change to the scenario made from an input's event.
type EventEdit = Box<dyn Fn(&mut Scenario, &Event)>;
/// A change to the scenario made by a button.
type ClickEdit = Box<dyn Fn(&mut Scenario)>;

/// A new task for "Add task".
fn new_task(number: usize) -> TaskSpec {
    TaskSpec {
        name: format!("Task {number}"),
        phases: vec![Phase::Compute {
            kind: WorkloadKind::Primes,
            units: 20_000,
        }],
        splittable: false,
        colour: None,
        arrival_ms: 0,
        priority: 0,
    }
}

/// The editor.
#[function_component(ScenarioEditor)]
pub fn scenario_editor(props: &EditorProps) -> Html {
    // Bumped on every change event: the inputs are keyed on it, so each is redrawn from the model even when a
    // value was refused or clamped to what it already was (otherwise the field would keep what was typed).
    let generation = use_state(|| 0u64);
    // The tasks are drawn only while the editor is open: a large scenario (64 tasks of 64 phases) is thousands of
    // inputs the browser would lay out for nothing.
    let open = use_state_eq(|| false);
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |event: Event| {
            let is_open = event
                .target_dyn_into::<web_sys::Element>()
                .is_some_and(|details| details.has_attribute("open"));
            open.set(is_open);
        })
    };
    // One copy of the scenario shared by every callback (a copy each would be quadratic in its phases).
    let shared = Rc::new(props.scenario.clone());
    // Builds a callback that applies `change` to a copy of the scenario and emits it.
    let edit = |change: EventEdit| {
        let scenario = Rc::clone(&shared);
        let on_edit = props.on_edit.clone();
        let generation = generation.clone();
        Callback::from(move |event: Event| {
            generation.set(*generation + 1);
            let mut next = (*scenario).clone();
            change(&mut next, &event);
            if next != *scenario {
                on_edit.emit(next);
            }
        })
    };
    let click = |change: ClickEdit| {
        let scenario = Rc::clone(&shared);
        let on_edit = props.on_edit.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*scenario).clone();
            change(&mut next);
            on_edit.emit(next);
        })
    };
    let task_count = props.scenario.tasks.len();
    let tasks = props.scenario.tasks.iter().take(if *open { task_count } else { 0 }).enumerate().map(|(index, task)| {
        let colour = task.colour_at(index).to_owned();
        let phases = task.phases.iter().enumerate().map(|(phase_index, phase)| {
            let (kind_value, amount, estimate) = match *phase {
                Phase::Compute { kind, units } => (
                    kind.id().to_owned(),
                    units.to_string(),
                    format!("≈ {}", format_ms(units as f64 * props.costs.of(kind))),
                ),
                Phase::Wait { ms } => ("wait".to_owned(), ms.to_string(), "of waiting".to_owned()),
            };
            let is_wait = matches!(phase, Phase::Wait { .. });
            html! {
                <li class="phase">
                    <select aria-label="Phase kind" class="phase-kind" disabled={props.disabled}
                            onchange={edit(Box::new(move |scenario, event| {
                                let value = form_value(event);
                                let Some(phase) = scenario.tasks.get_mut(index).and_then(|task| task.phases.get_mut(phase_index)) else { return };
                                *phase = match WorkloadKind::from_id(&value) {
                                    Some(kind) => Phase::Compute { kind, units: match *phase { Phase::Compute { units, .. } => units, Phase::Wait { .. } => 10_000 } },
                                    None => Phase::Wait { ms: match *phase { Phase::Wait { ms } => ms, Phase::Compute { .. } => 50 } },
                                };
                            }))}>
                        { for WorkloadKind::ALL.iter().map(|kind| html! {
                            <option value={kind.id()} selected={kind_value == kind.id()}>{format!("compute: {}", kind.label())}</option>
                        }) }
                        <option value="wait" selected={is_wait}>{"wait (no CPU)"}</option>
                    </select>
                    <input type="number" class="phase-amount" aria-label={if is_wait { "Milliseconds" } else { "Units" }}
                           min={if is_wait { "0" } else { "1" }}
                           max={if is_wait { MAX_WAIT_MS.to_string() } else { MAX_UNITS_PER_PHASE.to_string() }}
                           value={amount} disabled={props.disabled}
                           onchange={edit(Box::new(move |scenario, event| {
                               let Ok(value) = form_value(event).trim().parse::<u64>() else { return };
                               let Some(phase) = scenario.tasks.get_mut(index).and_then(|task| task.phases.get_mut(phase_index)) else { return };
                               match phase {
                                   Phase::Compute { units, .. } => *units = value.clamp(1, MAX_UNITS_PER_PHASE),
                                   Phase::Wait { ms } => *ms = value.min(u64::from(MAX_WAIT_MS)) as u32,
                               }
                           }))} />
                    <span class="unit">{ if is_wait { "ms" } else { "units" } }</span>
                    <span class="estimate">{estimate}</span>
                    <button class="small" title="Remove this phase" disabled={props.disabled || task.phases.len() <= 1}
                            onclick={click(Box::new(move |scenario| {
                                if let Some(task) = scenario.tasks.get_mut(index) {
                                    if task.phases.len() > 1 { task.phases.remove(phase_index); }
                                }
                            }))}>{"✕"}</button>
                </li>
            }
        });
        html! {
            <li class="edit-task" data-task={index.to_string()}>
                <div class="task-head">
                    <input type="color" aria-label="Colour" value={colour} disabled={props.disabled}
                           onchange={edit(Box::new(move |scenario, event| {
                               let value = form_value(event).to_lowercase();
                               if let Some(task) = scenario.tasks.get_mut(index) {
                                   if tasklab_core::scenario::is_valid_colour(&value) { task.colour = Some(value); }
                               }
                           }))} />
                    <input type="text" class="task-name-input" aria-label="Task name" maxlength={MAX_NAME_CHARS.to_string()}
                           value={task.name.clone()} disabled={props.disabled}
                           onchange={edit(Box::new(move |scenario, event| {
                               let value: String = form_value(event).trim().chars().take(MAX_NAME_CHARS).collect();
                               if let Some(task) = scenario.tasks.get_mut(index) {
                                   if !value.is_empty() { task.name = value; }
                               }
                           }))} />
                    <label title="Its compute phases may be cut into chunks that run on several workers at once">
                        <input type="checkbox" checked={task.splittable} disabled={props.disabled}
                               onchange={edit(Box::new(move |scenario, event| {
                                   let checked = input_checked(event);
                                   if let Some(task) = scenario.tasks.get_mut(index) { task.splittable = checked; }
                               }))} />
                        {" splittable"}
                    </label>
                    <label>{"arrives at "}
                        <input type="number" class="small-number" min="0" max={MAX_ARRIVAL_MS.to_string()} value={task.arrival_ms.to_string()}
                               disabled={props.disabled}
                               onchange={edit(Box::new(move |scenario, event| {
                                   let Ok(value) = form_value(event).trim().parse::<u64>() else { return };
                                   if let Some(task) = scenario.tasks.get_mut(index) { task.arrival_ms = value.min(MAX_ARRIVAL_MS); }
                               }))} />
                        {" ms"}
                    </label>
                    <label>{"priority "}
                        <input type="number" class="small-number" min={(-MAX_PRIORITY).to_string()} max={MAX_PRIORITY.to_string()}
                               value={task.priority.to_string()} disabled={props.disabled}
                               onchange={edit(Box::new(move |scenario, event| {
                                   let Ok(value) = form_value(event).trim().parse::<i64>() else { return };
                                   if let Some(task) = scenario.tasks.get_mut(index) { task.priority = value.clamp(-MAX_PRIORITY, MAX_PRIORITY); }
                               }))} />
                    </label>
                    <span class="task-buttons">
                        <button class="small" title="Move up" disabled={props.disabled || index == 0}
                                onclick={click(Box::new(move |scenario| { if index > 0 { scenario.tasks.swap(index, index - 1); } }))}>{"↑"}</button>
                        <button class="small" title="Move down" disabled={props.disabled || index + 1 >= task_count}
                                onclick={click(Box::new(move |scenario| { if index + 1 < scenario.tasks.len() { scenario.tasks.swap(index, index + 1); } }))}>{"↓"}</button>
                        <button class="small duplicate-task" title="Duplicate" disabled={props.disabled || task_count >= MAX_TASKS}
                                onclick={click(Box::new(move |scenario| {
                                    if scenario.tasks.len() < MAX_TASKS {
                                        if let Some(task) = scenario.tasks.get(index).cloned() { scenario.tasks.insert(index + 1, task); }
                                    }
                                }))}>{"Duplicate"}</button>
                        <button class="small remove-task" title="Remove" disabled={props.disabled || task_count <= 1}
                                onclick={click(Box::new(move |scenario| { if scenario.tasks.len() > 1 { scenario.tasks.remove(index); } }))}>{"Remove"}</button>
                    </span>
                </div>
                <ol class="phases">{ for phases }</ol>
                <button class="small add-phase" disabled={props.disabled || task.phases.len() >= MAX_PHASES}
                        onclick={click(Box::new(move |scenario| {
                            if let Some(task) = scenario.tasks.get_mut(index) {
                                if task.phases.len() < MAX_PHASES { task.phases.push(Phase::Wait { ms: 50 }); }
                            }
                        }))}>{"+ phase"}</button>
            </li>
        }
    });
    let on_undo = {
        let on_undo = props.on_undo.clone();
        Callback::from(move |_| on_undo.emit(()))
    };
    let on_reset = {
        let on_reset = props.on_reset.clone();
        Callback::from(move |_| on_reset.emit(()))
    };
    html! {
        <details class="editor" id="editor" {ontoggle}>
            <summary>
                <strong>{"Edit the scenario"}</strong>
                if props.modified {
                    <span class="modified" id="modified-badge">{" — modified (a custom scenario, saved in the link)"}</span>
                }
            </summary>
            if let Some(problem) = &props.problem {
                <p class="notice editor-problem" role="alert">{format!("This scenario cannot run: {problem}")}</p>
            }
            <ol class="edit-tasks" key={generation.to_string()}>{ for tasks }</ol>
            <div class="actions">
                <button id="add-task" disabled={props.disabled || task_count >= MAX_TASKS}
                        onclick={click(Box::new(move |scenario| {
                            if scenario.tasks.len() < MAX_TASKS { let number = scenario.tasks.len() + 1; scenario.tasks.push(new_task(number)); }
                        }))}>{"+ Add task"}</button>
                <button id="undo" disabled={props.disabled || !props.can_undo} onclick={on_undo}>{"Undo"}</button>
                <button id="reset-preset" disabled={props.disabled || !props.modified} onclick={on_reset}>{"Reset to the preset"}</button>
                <small>{format!("Up to {MAX_TASKS} tasks and {MAX_PHASES} phases each; a compute phase has at most {MAX_UNITS_PER_PHASE} units, a wait at most {MAX_WAIT_MS} ms. Durations are estimates for this machine.")}</small>
            </div>
        </details>
    }
}
