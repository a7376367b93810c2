//! The timeline you can explore: one row per CPU or worker, or one per task (running, ready, waiting on I/O), at
//! its box's width with 14 px text (18 px with large text), zoomed and panned with the wheel, a drag, the buttons
//! or the keys + − ← → 0, with a table view for screen readers. A timeline that shows more than
//! [`DENSE_SLICES`] slices at once is painted on a canvas at one pixel's detail ([`tasklab_core::detail`]) over the
//! same SVG frame, so a 100,000-slice trace draws and zooms smoothly; fewer stay one SVG element per slice, each
//! with its own tooltip. Reads its own size and the pointer with web-sys; imports only the leaf widgets.

use std::rc::Rc;

use tasklab_core::detail::{DetailIndex, Hit};
use tasklab_core::export::{
    svg_plot_geometry, to_svg_view, SvgView, COLD_LEGEND, MIGRATION_LEGEND, SWITCH_FILL,
};
use tasklab_core::timeline::{TaskState, TimeRange, TimeUnit, Timeline};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::timeline_canvas;
use crate::timeline_table::{time_text, timeline_table};
use crate::widgets::{swatch, Same};

/// Most slices (or stretches) a view shows as SVG elements; past it the page paints them on a canvas. About what
/// the browser lays out within a frame: one SVG element per slice costs roughly 10 µs to parse, style and paint.
pub const DENSE_SLICES: usize = 2_000;

/// What a timeline picture shows.
#[derive(Properties, PartialEq)]
pub struct TimelineViewProps {
    /// The timeline (of a run or of a prediction).
    pub timeline: Rc<Timeline>,
    /// A zoom and pan shared with other timelines (the compare view's rows), instead of its own.
    #[prop_or_default]
    pub range: Option<UseStateHandle<Option<TimeRange>>>,
}

/// Text of the timelines in pixels, and with the large-text toggle on (whatever the page's width: the picture is
/// drawn at its box's width, never scaled).
const CHART_TEXT_PX: f64 = 14.0;
const CHART_LARGE_TEXT_PX: f64 = 18.0;
/// Narrowest picture: below, its box scrolls sideways.
const CHART_MIN_WIDTH: f64 = 280.0;

/// The left and top edges of `element` in the viewport.
fn corner_of(element: &web_sys::Element) -> Option<(f64, f64)> {
    let rect = call_method(element, "getBoundingClientRect", None)?;
    let edge = |name: &str| js_sys::Reflect::get(&rect, &name.into()).ok()?.as_f64();
    Some((edge("left")?, edge("top")?))
}

/// Calls `object.name(argument)` (web-sys has `ResizeObserver` and `getBoundingClientRect` behind features the page
/// does not take, so they are reached by name).
fn call_method(
    object: &wasm_bindgen::JsValue,
    name: &str,
    argument: Option<&wasm_bindgen::JsValue>,
) -> Option<wasm_bindgen::JsValue> {
    let function: js_sys::Function = js_sys::Reflect::get(object, &name.into())
        .ok()?
        .dyn_into()
        .ok()?;
    match argument {
        Some(argument) => function.call1(object, argument),
        None => function.call0(object),
    }
    .ok()
}

/// A `ResizeObserver` calling `callback` whenever `element` changes size, if the browser has one.
fn observe_size(
    element: &web_sys::Element,
    callback: &wasm_bindgen::JsValue,
) -> Option<wasm_bindgen::JsValue> {
    let constructor: js_sys::Function =
        js_sys::Reflect::get(&js_sys::global(), &"ResizeObserver".into())
            .ok()?
            .dyn_into()
            .ok()?;
    let observer = js_sys::Reflect::construct(&constructor, &js_sys::Array::of1(callback)).ok()?;
    call_method(&observer, "observe", Some(element))?;
    Some(observer)
}

/// A timeline drawn by the same SVG writer as the SVG and PNG downloads (`tasklab_core::export`), which escapes
/// every name: by CPU (one `rect.slice` per span, hatched where it ran with a cold cache and marked ▼ where the
/// task moved from another CPU) or by task (running, ready, waiting on I/O); at its box's width with 14 px text
/// (18 px with large text); zoomed and panned with the wheel, a drag, the buttons or the keys + − ← → 0 (the
/// axis picks its ticks for what is shown); each slice's tooltip gives task, state or lane, start, end and
/// duration, and "Show as table" lists them for screen readers. Past [`DENSE_SLICES`] slices in view the SVG is
/// the frame alone and a canvas over its plot paints the slices at one pixel's detail (`data-detail="canvas"`),
/// with a tooltip for what is under the pointer.
#[function_component(TimelineView)]
pub fn timeline_view(props: &TimelineViewProps) -> Html {
    let timeline = &props.timeline;
    let by_task = use_state_eq(|| false);
    let own_range = use_state_eq(|| None::<TimeRange>);
    let range = props.range.clone().unwrap_or(own_range);
    let size = use_state_eq(|| (0.0_f64, CHART_TEXT_PX));
    let table_open = use_state_eq(|| false);
    let tip = use_state_eq(|| None::<(f64, f64, String)>);
    let drag = use_mut_ref(|| None::<(i32, TimeRange)>);
    let canvas = use_node_ref();
    let paint_canvas = use_node_ref();
    // A new timeline starts unzoomed.
    {
        let range = range.clone();
        // Keyed on what tells timelines apart, not the allocation: a parent that rebuilds the same timeline on
        // each render (the compare view) keeps its zoom.
        let identity = (
            timeline.title.clone(),
            timeline.spans.len(),
            timeline.axis_length().to_bits(),
        );
        use_effect_with(identity, move |_| range.set(None));
    }
    // Measure the box (and whether large text is on) now, when the box changes size (a scroll bar appearing) and
    // on every resize of the window (the large-text toggle sends one).
    {
        let (canvas, size) = (canvas.clone(), size.clone());
        use_effect_with((), move |()| {
            let element = canvas.cast::<web_sys::Element>();
            let measure = move || {
                if let Some(element) = canvas.cast::<web_sys::Element>() {
                    let large = element.closest(".large-text").ok().flatten().is_some();
                    let font = if large {
                        CHART_LARGE_TEXT_PX
                    } else {
                        CHART_TEXT_PX
                    };
                    size.set((f64::from(element.client_width()), font));
                }
            };
            measure();
            let listener = Closure::<dyn Fn()>::new(measure);
            let window = web_sys::window();
            if let Some(window) = &window {
                let _ = window
                    .add_event_listener_with_callback("resize", listener.as_ref().unchecked_ref());
            }
            let observer = element.and_then(|element| observe_size(&element, listener.as_ref()));
            move || {
                if let Some(window) = window {
                    let _ = window.remove_event_listener_with_callback(
                        "resize",
                        listener.as_ref().unchecked_ref(),
                    );
                }
                if let Some(observer) = observer {
                    let _ = call_method(&observer, "disconnect", None);
                }
                drop(listener);
            }
        });
    }
    let whole = TimeRange::whole(timeline);
    let shown = (*range).filter(|shown| !shown.covers(whole));
    let current = shown.unwrap_or(whole);
    let has_rows = !timeline.task_rows.is_empty();
    let rows_by_task = *by_task && has_rows;
    // Each row's slices in time order, built once per timeline and view: it counts what a range shows and
    // paints it at one pixel's detail.
    let index = use_memo(
        (Same(Rc::clone(timeline)), rows_by_task),
        |(timeline, by_task)| DetailIndex::new(&timeline.0, *by_task),
    );
    let in_view = index.count_in(current);
    let dense = in_view > DENSE_SLICES;
    let view = SvgView {
        width: if size.0 > 0.0 {
            size.0.max(CHART_MIN_WIDTH)
        } else {
            960.0
        },
        font_size: size.1,
        range: shown,
        by_task: rows_by_task,
        legend: false,
        slices: !dense,
    };
    // The picture (the frame alone when dense), and where its plot and rows lie.
    let drawn = use_memo((Same(Rc::clone(timeline)), view), |(timeline, view)| {
        let svg = AttrValue::from(to_svg_view(&timeline.0, view));
        (svg, svg_plot_geometry(&timeline.0, view))
    });
    let (svg, geometry) = (drawn.0.clone(), drawn.1);
    let (plot_left, plot_width) = (geometry.left, geometry.width);
    let painting = use_memo(
        (Same(Rc::clone(&index)), current, plot_width, dense),
        |(index, current, plot_width, dense)| {
            dense.then(|| Rc::new(index.0.bars(*current, *plot_width)))
        },
    );
    {
        let (paint_canvas, timeline) = (paint_canvas.clone(), Rc::clone(timeline));
        let font = view.font_size;
        use_effect_with(
            ((*painting).clone().map(Same), geometry, font),
            move |(painting, geometry, font)| {
                if let (Some(painting), Some(element)) =
                    (painting, paint_canvas.cast::<web_sys::HtmlCanvasElement>())
                {
                    timeline_canvas::paint(&element, &timeline, geometry, &painting.0, *font);
                }
            },
        );
    }
    let min_len = if timeline.unit == TimeUnit::Ticks {
        2.0
    } else {
        0.01
    };
    let zoom = {
        let range = range.clone();
        move |factor: f64, anchor: f64| {
            range.set(Some(current.zoomed(factor, anchor, whole, min_len)))
        }
    };
    let pan = {
        let range = range.clone();
        move |delta: f64| range.set(Some(current.panned(delta, whole)))
    };
    let centre = (current.start + current.end) / 2.0;
    let onkeydown = {
        let (zoom, pan, range) = (zoom.clone(), pan.clone(), range.clone());
        Callback::from(move |event: KeyboardEvent| {
            match event.key().as_str() {
                "+" | "=" => zoom(0.5, centre),
                "-" | "_" => zoom(2.0, centre),
                "ArrowLeft" => pan(-current.len() * 0.2),
                "ArrowRight" => pan(current.len() * 0.2),
                "0" => range.set(None),
                _ => return,
            }
            event.prevent_default();
        })
    };
    // The pointer's position in the box, in pixels from its top-left corner (scrolled content included).
    let point_in = |element: &web_sys::Element, client_x: i32, client_y: i32| {
        corner_of(element).map(|(left, top)| {
            (
                f64::from(client_x) - left + f64::from(element.scroll_left()),
                f64::from(client_y) - top,
            )
        })
    };
    // The wheel zooms around the pointer once the chart has focus (a click or Tab gives it), or with Ctrl or ⌘,
    // so scrolling the page over a chart still scrolls the page; sideways (or with Shift) it pans.
    let onwheel = {
        let (canvas, zoom, pan) = (canvas.clone(), zoom.clone(), pan.clone());
        Callback::from(move |event: WheelEvent| {
            let Some(element) = canvas.cast::<web_sys::Element>() else {
                return;
            };
            let focused = web_sys::window()
                .and_then(|window| window.document())
                .and_then(|document| document.active_element())
                .is_some_and(|active| active == element);
            if !(focused || event.ctrl_key() || event.meta_key()) {
                return;
            }
            event.prevent_default();
            let per_px = current.len() / plot_width;
            if event.shift_key() || event.delta_x().abs() > event.delta_y().abs() {
                let delta = if event.shift_key() {
                    event.delta_y()
                } else {
                    event.delta_x()
                };
                pan(delta * per_px);
            } else if event.delta_y() != 0.0 {
                let x = point_in(&element, event.client_x(), event.client_y())
                    .map_or(plot_left + plot_width / 2.0, |(x, _)| x);
                let anchor = current.start + (x - plot_left) * per_px;
                zoom(if event.delta_y() < 0.0 { 0.8 } else { 1.25 }, anchor);
            }
        })
    };
    let onpointerdown = {
        let (drag, canvas, tip) = (drag.clone(), canvas.clone(), tip.clone());
        Callback::from(move |event: PointerEvent| {
            if event.button() == 0 {
                *drag.borrow_mut() = Some((event.client_x(), current));
                tip.set(None);
                // On the box, which stays while the picture inside is redrawn.
                if let Some(element) = canvas.cast::<web_sys::Element>() {
                    let _ = element.set_pointer_capture(event.pointer_id());
                }
            }
        })
    };
    let onpointermove = {
        let (drag, range, tip, canvas) = (drag.clone(), range.clone(), tip.clone(), canvas.clone());
        let (index, timeline) = (Rc::clone(&index), Rc::clone(timeline));
        Callback::from(move |event: PointerEvent| {
            if let Some((from_x, from)) = *drag.borrow() {
                if !from.covers(whole) {
                    let moved = f64::from(event.client_x() - from_x);
                    range.set(Some(from.panned(-moved * from.len() / plot_width, whole)));
                }
                return;
            }
            if !dense {
                return;
            }
            // What lies under the pointer on the canvas, for the tooltip.
            let under = canvas
                .cast::<web_sys::Element>()
                .and_then(|element| point_in(&element, event.client_x(), event.client_y()))
                .and_then(|(x, y)| {
                    let row = ((y - geometry.top) / geometry.row_pitch).floor();
                    let within_row =
                        y - geometry.row_top(row.max(0.0) as usize) <= geometry.row_height;
                    if row < 0.0 || !within_row || x < plot_left || x > plot_left + plot_width {
                        return None;
                    }
                    let time = current.start + (x - plot_left) / plot_width * current.len();
                    let Hit { text, .. } =
                        index.hit(&timeline, row as usize, time, current, plot_width)?;
                    Some((x, y, text))
                });
            tip.set(under);
        })
    };
    let end_drag = {
        let drag = drag.clone();
        Callback::from(move |_: PointerEvent| *drag.borrow_mut() = None)
    };
    let onpointerleave = {
        let tip = tip.clone();
        Callback::from(move |_: PointerEvent| tip.set(None))
    };
    let set_view = |task: bool| {
        let by_task = by_task.clone();
        Callback::from(move |_: MouseEvent| by_task.set(task))
    };
    let ontoggle = {
        let table_open = table_open.clone();
        Callback::from(move |event: Event| {
            let open = event
                .target_dyn_into::<web_sys::Element>()
                .is_some_and(|details| details.has_attribute("open"));
            table_open.set(open);
        })
    };
    let zoomed = shown.is_some();
    let unit = timeline.unit;
    let range_words = if zoomed {
        let rounded = |time: f64| (time * 1_000.0).round() / 1_000.0;
        format!(
            "Showing {}–{} of {}",
            rounded(current.start),
            rounded(current.end),
            time_text(whole.end, unit)
        )
    } else {
        format!("Whole timeline: {}", time_text(whole.end, unit))
    };
    let states = if view.by_task {
        timeline.states_shown()
    } else {
        Vec::new()
    };
    let what = if view.by_task { "stretches" } else { "slices" };
    let drawn_bars = painting
        .as_ref()
        .as_ref()
        .map_or(0, |painting| painting.bars.len());
    // Where the canvas lies over the picture: the plot, from 2 px above the first row (the ▼ markers) to the last.
    let canvas_style = format!(
        "left:{}px;top:{}px;width:{}px;height:{}px",
        geometry.left,
        geometry.top - timeline_canvas::ABOVE,
        geometry.width,
        geometry.rows_height() + timeline_canvas::ABOVE,
    );
    html! {
        <figure class="timeline" data-view={if view.by_task { "tasks" } else { "lanes" }}
                data-start={current.start.to_string()} data-end={current.end.to_string()}
                data-detail={if dense { "canvas" } else { "svg" }} data-shown={in_view.to_string()}
                data-drawn={if dense { drawn_bars.to_string() } else { in_view.to_string() }}>
            <div class="timeline-tools">
                if has_rows {
                    <span class="timeline-views" role="group" aria-label="Rows">
                        <button class="small view-lanes" aria-pressed={(!view.by_task).to_string()} onclick={set_view(false)}>{"By CPU"}</button>
                        <button class="small view-tasks" aria-pressed={view.by_task.to_string()} onclick={set_view(true)}>{"By task"}</button>
                    </span>
                }
                <span class="timeline-zoom" role="group" aria-label="Zoom">
                    <button class="small zoom-in" aria-label="Zoom in" onclick={let zoom = zoom.clone(); move |_| zoom(0.5, centre)}>{"+"}</button>
                    <button class="small zoom-out" aria-label="Zoom out" disabled={!zoomed} onclick={let zoom = zoom.clone(); move |_| zoom(2.0, centre)}>{"−"}</button>
                    <button class="small zoom-reset" disabled={!zoomed} onclick={let range = range.clone(); move |_| range.set(None)}>{"Whole timeline"}</button>
                </span>
                <span class="timeline-range" aria-live="polite">{range_words}</span>
            </div>
            <div class="timeline-canvas" ref={canvas} tabindex="0" role="group"
                 aria-label={format!("{}. Keys: + and − zoom, ← and → pan, 0 shows the whole timeline; drag to pan, wheel to zoom.", timeline.title)}
                 {onkeydown} {onwheel} {onpointerdown} {onpointermove} {onpointerleave} onpointerup={end_drag.clone()} onpointercancel={end_drag}>
                { Html::from_html_unchecked(svg) }
                if dense {
                    <canvas class="timeline-dense" ref={paint_canvas} aria-hidden="true" style={canvas_style}></canvas>
                    if let Some((x, y, text)) = &*tip {
                        <div class="timeline-tip" role="tooltip" style={format!("left:{}px;top:{}px", x + 12.0, y + 16.0)}>{text.clone()}</div>
                    }
                }
            </div>
            if dense {
                <p class="timeline-note detail-note">
                    {format!("{in_view} {what} in view, painted at one pixel's detail: where they are thinner than a pixel, each pixel shows {most} ({drawn_bars} bars). Zoom in to under {DENSE_SLICES} {what} to see each one with its own tooltip.", most = if view.by_task { "what its task did longest there" } else { "the task that ran most there" })}
                </p>
            }
            {timeline_legend(timeline, view.by_task, &states)}
            <details class="timeline-table" {ontoggle}>
                <summary>{"Show as table"}</summary>
                if *table_open {
                    {timeline_table(timeline, view.by_task, current)}
                }
            </details>
        </figure>
    }
}

/// The legend in HTML: the tasks' colours, then what else the picture draws.
fn timeline_legend(timeline: &Timeline, by_task: bool, states: &[TaskState]) -> Html {
    html! {
        <>
            <ul class="legend">
                { for timeline.legend().into_iter().map(|(name, colour)| html! { <li>{swatch(colour)}{name.to_owned()}</li> }) }
                if !by_task && !timeline.switches.is_empty() {
                    <li>{swatch(SWITCH_FILL)}{"context switch"}</li>
                }
                if !by_task && !timeline.cold.is_empty() {
                    <li><span class="swatch cold" aria-hidden="true"></span>{COLD_LEGEND}</li>
                }
                if !by_task && !timeline.migrations.is_empty() {
                    <li><span class="swatch migration" aria-hidden="true">{"▼"}</span>{MIGRATION_LEGEND}</li>
                }
                { for states.iter().filter(|&&state| state != TaskState::Running).map(|state| html! {
                    <li class={format!("state-{}", state.id())}><span class={format!("swatch state {}", state.id())} aria-hidden="true"></span>{state.label()}</li>
                }) }
            </ul>
            if by_task {
                <p class="timeline-note">
                    {"Each row is a task from its arrival to its end: solid in its colour while it runs."}
                    if states.contains(&TaskState::ReadyOrIo) {
                        {" Plain grey: ready or waiting on I/O, not told apart — a real run records when a task ran but not when it waited, and a prediction drawn without its tasks' bursts cannot place their I/O."}
                    }
                </p>
            }
        </>
    }
}
