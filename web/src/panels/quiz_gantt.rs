//! The quiz's Gantt chart to paint (`#quiz-gantt`): a grid of buttons, one per CPU and tick. A click (or Enter)
//! paints the next task, a task's letter paints that task, Space or Delete empties the cell, the arrows, Home and
//! End move. After Reveal the cells that differ from the real chart are marked `wrong`.

use std::collections::HashMap;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::learn::{cycled, grid_move, paint_of_key, text_colour_on};

/// A painted cell: CPU, tick, and the task painted (none: empty).
pub type Paint = (u32, u64, Option<u32>);

/// The chart's properties.
#[derive(Properties, PartialEq)]
pub struct PaintProps {
    /// Task names (their letters paint them).
    pub names: Vec<String>,
    /// Task colours.
    pub colours: Vec<String>,
    /// `painted[cpu][tick]`.
    pub painted: Vec<Vec<Option<u32>>>,
    /// After Reveal: the cells that differ, with what really ran there (in words).
    #[prop_or_default]
    pub wrong: Option<HashMap<(u32, u64), String>>,
    /// Told of each paint.
    pub on_paint: Callback<Paint>,
}

fn cell_id(cpu: u32, tick: u64) -> String {
    format!("quiz-cell-{cpu}-{tick}")
}

fn focus(cpu: u32, tick: u64) {
    let element = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(&cell_id(cpu, tick)))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

/// The chart to paint.
#[function_component(PaintGantt)]
pub fn paint_gantt(props: &PaintProps) -> Html {
    let current = use_state(|| (0u32, 0u64));
    let cpus = props.painted.len() as u32;
    let ticks = props.painted.first().map_or(0, Vec::len) as u64;
    let revealed = props.wrong.is_some();
    let names: Vec<&str> = props.names.iter().map(String::as_str).collect();
    let letters = names.join(", ");
    let cell = |cpu: u32, tick: u64, paint: Option<u32>| {
        let on_click = {
            let on_paint = props.on_paint.clone();
            let current = current.clone();
            let tasks = props.names.len();
            Callback::from(move |_: MouseEvent| {
                current.set((cpu, tick));
                on_paint.emit((cpu, tick, cycled(paint, tasks)));
            })
        };
        let on_key = {
            let on_paint = props.on_paint.clone();
            let current = current.clone();
            let names: Vec<String> = props.names.clone();
            Callback::from(move |event: KeyboardEvent| {
                let key = event.key();
                if let Some((to_cpu, to_tick)) = grid_move(&key, cpu, tick, cpus, ticks) {
                    event.prevent_default();
                    current.set((to_cpu, to_tick));
                    focus(to_cpu, to_tick);
                    return;
                }
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                if let Some(paint) = paint_of_key(&key, &names) {
                    event.prevent_default();
                    on_paint.emit((cpu, tick, paint));
                    // Painting moves on, as typing does.
                    let next = (tick + 1).min(ticks.saturating_sub(1));
                    current.set((cpu, next));
                    focus(cpu, next);
                }
            })
        };
        let name = paint
            .and_then(|task| props.names.get(task as usize))
            .cloned();
        let style = paint
            .and_then(|task| props.colours.get(task as usize))
            .map(|colour| format!("background:{colour};color:{}", text_colour_on(colour)));
        let wrong = props
            .wrong
            .as_ref()
            .and_then(|wrong| wrong.get(&(cpu, tick)));
        let label = format!(
            "CPU {}, tick {tick}: {}{}",
            cpu + 1,
            name.clone().unwrap_or_else(|| "empty".to_owned()),
            wrong
                .map(|really| format!("; wrong, really {really}"))
                .unwrap_or_default()
        );
        html! {
            <td>
                <button id={cell_id(cpu, tick)} class={classes!("paint-cell", wrong.map(|_| "wrong"))} style={style}
                        data-cpu={cpu.to_string()} data-tick={tick.to_string()} aria-label={label}
                        tabindex={if *current == (cpu, tick) { "0" } else { "-1" }} disabled={revealed}
                        onclick={on_click} onkeydown={on_key}>
                    {name.unwrap_or_default()}
                </button>
            </td>
        }
    };
    html! {
        <>
            <p class="story" id="quiz-gantt-help">{format!(
                "Optional: paint what each CPU runs at each tick (tick 0 is the first). Click a cell (or press Enter) for the next task, type a task's letter ({letters}) to paint it and move on, Space or Delete to empty it; the arrows, Home and End move. Leave idle ticks empty. The chart earns no points, but Reveal marks every cell that differs."
            )}</p>
            <div class="chart-scroll" tabindex="0" role="region" aria-label="Your Gantt chart (scrolls sideways)">
                <table class="gantt-chart paint" id="quiz-gantt" role="grid" aria-label="Your Gantt chart: one row per CPU, one cell per tick" aria-describedby="quiz-gantt-help">
                    <thead><tr><th scope="col">{"CPU"}</th>
                        { for (0..ticks).map(|tick| html! { <th scope="col" aria-label={format!("tick {tick}")}>{ if tick % 5 == 0 { tick.to_string() } else { String::new() } }</th> }) }
                    </tr></thead>
                    <tbody>
                        { for props.painted.iter().enumerate().map(|(cpu, row)| html! {
                            <tr><th scope="row">{format!("CPU {}", cpu + 1)}</th>
                                { for row.iter().enumerate().map(|(tick, paint)| cell(cpu as u32, tick as u64, *paint)) }
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </>
    }
}
