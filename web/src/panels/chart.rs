//! A small Gantt chart as a table: one row per CPU, one cell per tick, each cell the letter of the task it ran
//! in that task's colour. Used by the step-through (up to the current tick) and by the quiz (the real chart
//! after Reveal). Text keeps its size at any width; the table scrolls sideways.

use tasklab_core::sim::{SliceKind, TraceSlice};
use yew::prelude::*;

use crate::learn::text_colour_on;
use crate::widgets::swatch;

/// Most ticks drawn cell by cell; longer runs get a bar chart without letters.
pub const MAX_CELL_TICKS: u64 = 200;

/// What each CPU did at each tick `0..ticks` of a trace (idle where no slice covers it).
pub fn grid_of_trace(trace: &[TraceSlice], cpus: u32, ticks: u64) -> Vec<Vec<SliceKind>> {
    let width = usize::try_from(ticks).unwrap_or(0);
    let mut grid = vec![vec![SliceKind::Idle; width]; cpus as usize];
    for slice in trace {
        if let Some(row) = grid.get_mut(slice.cpu as usize) {
            for tick in slice.start..slice.end.min(ticks) {
                row[tick as usize] = slice.kind;
            }
        }
    }
    grid
}

/// The chart `cells[cpu][tick]` as a table; `marked` says which cells get the class `wrong`, `shown` which ticks
/// are drawn (later ones stay blank: the future).
pub fn chart_table(
    id: &str,
    caption: &str,
    cells: &[Vec<SliceKind>],
    names: &[String],
    colours: &[String],
    shown: u64,
) -> Html {
    let ticks = cells.first().map_or(0, Vec::len) as u64;
    let cell = |kind: SliceKind, tick: u64| {
        if tick >= shown {
            return html! { <td class="future"></td> };
        }
        match kind {
            SliceKind::Task(task) => {
                let colour = colours.get(task as usize).map_or("#888888", String::as_str);
                let name = names.get(task as usize).cloned().unwrap_or_default();
                html! {
                    <td style={format!("background:{colour};color:{}", text_colour_on(colour))}>{name}</td>
                }
            }
            SliceKind::Switch(_) => html! { <td class="switch" title="context switch">{"s"}</td> },
            SliceKind::Idle => html! { <td class="idle"></td> },
        }
    };
    html! {
        <div class="chart-scroll" tabindex="0" role="region" aria-label={format!("{caption} (scrolls sideways)")}>
            <table class="gantt-chart" id={id.to_owned()}>
                <caption>{caption.to_owned()}</caption>
                <thead><tr><th scope="col">{"CPU"}</th>
                    { for (0..ticks).map(|tick| html! { <th scope="col">{ if tick % 5 == 0 { tick.to_string() } else { String::new() } }</th> }) }
                </tr></thead>
                <tbody>
                    { for cells.iter().enumerate().map(|(cpu, row)| html! {
                        <tr><th scope="row">{format!("CPU {}", cpu + 1)}</th>
                            { for row.iter().enumerate().map(|(tick, kind)| cell(*kind, tick as u64)) }
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

/// A long run as bars (no letters): one lane per CPU, up to tick `shown`, in a box of fixed height.
pub fn bar_strip(
    trace: &[TraceSlice],
    cpus: u32,
    start: u64,
    end: u64,
    shown: u64,
    names: &[String],
    colours: &[String],
) -> Html {
    let span = end.saturating_sub(start).max(1);
    let legend = html! {
        <p class="strip-legend">
            {format!("One lane per CPU (CPU 1 on top), from tick {start} at the left edge to tick {end} at the right; the dark line is now, tick {shown}. ")}
            { for names.iter().zip(colours).map(|(name, colour)| html! { <span class="strip-task">{swatch(colour)}{name.clone()}</span> }) }
        </p>
    };
    let lane = 10;
    let height = cpus.max(1) * lane;
    html! {
        <>
        <svg id="step-gantt" class="bar-strip" viewBox={format!("0 0 {span} {height}")} preserveAspectRatio="none" role="img"
             aria-label={format!("Gantt chart of {cpus} CPU(s) from tick {start} to tick {shown}; the CPU list below says what each runs now")}>
            { for trace.iter().filter(|slice| slice.start < shown).filter_map(|slice| match slice.kind {
                SliceKind::Task(task) => {
                    let colour = colours.get(task as usize).cloned().unwrap_or_else(|| "#888888".to_owned());
                    let from = slice.start.saturating_sub(start);
                    let to = slice.end.min(shown).saturating_sub(start);
                    Some(html! { <rect x={from.to_string()} y={(slice.cpu * lane + 1).to_string()}
                                       width={to.saturating_sub(from).to_string()} height={(lane - 2).to_string()} fill={colour} /> })
                }
                _ => None,
            }) }
            <line x1={shown.saturating_sub(start).to_string()} x2={shown.saturating_sub(start).to_string()} y1="0" y2={height.to_string()}
                  stroke="#1d2329" stroke-width="2" vector-effect="non-scaling-stroke" />
        </svg>
        {legend}
        </>
    }
}
