//! The timeline: one lane per CPU (the main thread, or each worker), slices coloured by task, a time axis and a
//! legend. Pure drawing from a run record; no state.

use tasklab_core::report::Slice;
use yew::prelude::*;

/// Task colours, chosen to stay distinct for colour-blind readers (Okabe–Ito palette), cycled past eight tasks.
pub const TASK_COLOURS: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];

/// The palette colour of task number `task`.
pub fn task_colour(task: usize) -> &'static str {
    TASK_COLOURS[task % TASK_COLOURS.len()]
}

/// The colour of each task of `scenario`: its own, or the palette's.
pub fn scenario_colours(scenario: &tasklab_core::scenario::Scenario) -> Vec<String> {
    scenario
        .tasks
        .iter()
        .enumerate()
        .map(|(index, task)| {
            task.colour
                .clone()
                .unwrap_or_else(|| task_colour(index).to_lowercase())
        })
        .collect()
}

/// What a timeline shows.
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// Task names, by task index.
    pub task_names: Vec<String>,
    /// The slices.
    pub slices: Vec<Slice>,
    /// Run length, ms (the axis spans it).
    pub wall_ms: f64,
    /// Lane labels, by lane index; slices on lanes past the end get "CPU n".
    pub lane_labels: Vec<String>,
    /// Context switches (task = the task switched to), drawn in grey; only predictions have them.
    #[prop_or_default]
    pub switches: Vec<Slice>,
    /// Colour of each task (missing entries use the palette).
    #[prop_or_default]
    pub task_colours: Vec<String>,
    /// Unit of the axis.
    #[prop_or(AttrValue::Static("ms"))]
    pub unit: AttrValue,
}

const WIDTH: f64 = 1000.0;
const LABEL_WIDTH: f64 = 110.0;
const LANE_HEIGHT: f64 = 28.0;
const LANE_GAP: f64 = 6.0;
const AXIS_HEIGHT: f64 = 26.0;

/// A round step for axis ticks so there are about 5–10 of them.
fn tick_step(span_ms: f64) -> f64 {
    let rough = (span_ms / 8.0).max(1e-3);
    let magnitude = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|factor| factor * magnitude)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * magnitude)
}

/// The timeline as an SVG.
#[function_component(Timeline)]
pub fn timeline(props: &TimelineProps) -> Html {
    let lanes = props
        .slices
        .iter()
        .map(|slice| slice.lane + 1)
        .max()
        .unwrap_or(0)
        .max(props.lane_labels.len())
        .max(1);
    let span_ms = props.wall_ms.max(1e-3);
    let plot_width = WIDTH - LABEL_WIDTH - 10.0;
    let x_of = |ms: f64| LABEL_WIDTH + (ms.clamp(0.0, span_ms) / span_ms) * plot_width;
    let height = lanes as f64 * (LANE_HEIGHT + LANE_GAP) + AXIS_HEIGHT;
    let lane_y = |lane: usize| lane as f64 * (LANE_HEIGHT + LANE_GAP);

    let lane_rows = (0..lanes).map(|lane| {
        let label = props
            .lane_labels
            .get(lane)
            .cloned()
            .unwrap_or_else(|| format!("CPU {}", lane + 1));
        let y = lane_y(lane);
        html! {
            <g class="lane">
                <rect x={LABEL_WIDTH.to_string()} y={y.to_string()} width={plot_width.to_string()}
                      height={LANE_HEIGHT.to_string()} fill="#f1f3f5" />
                <text x="4" y={(y + LANE_HEIGHT * 0.65).to_string()} class="lane-label">{label}</text>
            </g>
        }
    });
    let switch_rects = props.switches.iter().map(|slice| {
        let x = x_of(slice.start_ms);
        let width = (x_of(slice.end_ms) - x).max(0.5);
        html! {
            <rect class="switch" x={format!("{x:.2}")} y={(lane_y(slice.lane) + 8.0).to_string()}
                  width={format!("{width:.2}")} height={(LANE_HEIGHT - 16.0).to_string()} fill="#868e96">
                <title>{format!("context switch: {:.0}–{:.0}", slice.start_ms, slice.end_ms)}</title>
            </rect>
        }
    });
    let colour_of = |task: usize| -> String {
        props
            .task_colours
            .get(task)
            .cloned()
            .unwrap_or_else(|| task_colour(task).to_owned())
    };
    let slice_rects = props.slices.iter().map(|slice| {
        let x = x_of(slice.start_ms);
        // At least half a unit wide so a very short slice is still visible.
        let width = (x_of(slice.end_ms) - x).max(0.5);
        let name = props
            .task_names
            .get(slice.task)
            .cloned()
            .unwrap_or_default();
        html! {
            <rect class="slice" x={format!("{x:.2}")} y={(lane_y(slice.lane) + 2.0).to_string()}
                  width={format!("{width:.2}")} height={(LANE_HEIGHT - 4.0).to_string()}
                  fill={colour_of(slice.task)} data-task={slice.task.to_string()}>
                <title>{format!("{name}: {:.1}–{:.1} ms", slice.start_ms, slice.end_ms)}</title>
            </rect>
        }
    });
    let step = tick_step(span_ms);
    let axis_y = lanes as f64 * (LANE_HEIGHT + LANE_GAP);
    let ticks = (0..=((span_ms / step).floor() as usize).min(50)).map(|index| {
        let ms = index as f64 * step;
        let x = x_of(ms);
        html! {
            <g class="tick">
                <line x1={x.to_string()} x2={x.to_string()} y1="0" y2={(axis_y + 4.0).to_string()} stroke="#ced4da" stroke-width="1" />
                <text x={x.to_string()} y={(axis_y + 18.0).to_string()} text-anchor="middle">{format!("{ms:.0} {}", props.unit)}</text>
            </g>
        }
    });
    let legend = props.task_names.iter().enumerate().map(|(task, name)| {
        html! {
            <li><span class="swatch" style={format!("background:{}", colour_of(task))}></span>{name.clone()}</li>
        }
    });
    let switch_legend = (!props.switches.is_empty()).then(|| {
        html! { <li><span class="swatch" style="background:#868e96"></span>{"context switch"}</li> }
    });
    html! {
        <figure class="timeline">
            <svg viewBox={format!("0 0 {WIDTH} {height}")} role="img"
                 aria-label="Timeline: one lane per CPU, slices coloured by task">
                { for lane_rows }
                { for ticks }
                { for slice_rects }
                { for switch_rects }
            </svg>
            <ul class="legend">{ for legend }{ for switch_legend }</ul>
        </figure>
    }
}
