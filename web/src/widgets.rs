//! Shared formatting and small widgets: times for people, colour swatches, progress bars, the responsiveness
//! line, the timeline you can explore and the large-text toggle. A leaf module: it imports nothing from the app,
//! so every panel may use it (the timeline reads its own size and the pointer with web-sys).

use std::rc::Rc;

use tasklab_core::export::{
    svg_plot_bounds, to_svg_view, SvgView, COLD_LEGEND, MIGRATION_LEGEND, SWITCH_FILL,
};
use tasklab_core::timeline::{TaskState, TimeRange, TimeUnit, Timeline};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Milliseconds for people: "812.3 ms" or "1.25 s".
pub fn format_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{ms:.1} ms")
    }
}

/// A small square of a task's colour.
pub fn swatch(colour: &str) -> Html {
    html! { <span class="swatch" style={format!("background:{colour}")}></span> }
}

/// One bar per task: its name in its colour, and how much of it is done (0 to 1).
pub fn progress_bars(names: &[String], colours: &[String], fractions: &[f64]) -> Html {
    html! {
        <ul class="task-progress">
            { for names.iter().zip(colours).zip(fractions).enumerate().map(|(task, ((name, colour), fraction))| html! {
                <li>
                    <span class="task-name">{swatch(colour)}{name.clone()}</span>
                    <progress max="1" value={fraction.to_string()} data-task={task.to_string()} aria-label={format!("{name}: progress")}></progress>
                    <span class="percent">{format!("{:.0}%", fraction * 100.0)}</span>
                </li>
            }) }
        </ul>
    }
}

/// The responsiveness figures: frames drawn, longest gap between frames, longest main-thread task (when known).
pub fn meter_line(
    frames: u32,
    longest_gap_ms: f64,
    longest_task_ms: Option<f64>,
    label: &str,
) -> Html {
    html! {
        <div class="meter" id="meter">
            <strong>{format!("Responsiveness {label}: ")}</strong>
            <span id="meter-frames">{format!("{frames} frames drawn")}</span>
            <span id="meter-gap">{format!("longest gap between frames {}", format_ms(longest_gap_ms))}</span>
            if let Some(longest_task) = longest_task_ms {
                <span id="meter-task">{format!("longest main-thread task {}", format_ms(longest_task))}</span>
            }
        </div>
    }
}

/// What a timeline picture shows.
#[derive(Properties, PartialEq)]
pub struct TimelineViewProps {
    /// The timeline (of a run or of a prediction).
    pub timeline: Rc<Timeline>,
}

/// Text of the timelines in pixels, and with the large-text toggle on (whatever the page's width: the picture is
/// drawn at its box's width, never scaled).
const CHART_TEXT_PX: f64 = 14.0;
const CHART_LARGE_TEXT_PX: f64 = 18.0;
/// Narrowest picture: below, its box scrolls sideways.
const CHART_MIN_WIDTH: f64 = 280.0;
/// Most rows of the table view.
const TABLE_ROWS: usize = 500;

/// A time in the timeline's unit for people: at most three decimals.
fn time_text(time: f64, unit: TimeUnit) -> String {
    format!("{} {}", (time * 1_000.0).round() / 1_000.0, unit.suffix())
}

/// The left edge of `element` in the viewport.
fn left_of(element: &web_sys::Element) -> Option<f64> {
    let rect = call_method(element, "getBoundingClientRect", None)?;
    js_sys::Reflect::get(&rect, &"left".into()).ok()?.as_f64()
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
/// duration, and "Show as table" lists them for screen readers.
#[function_component(TimelineView)]
pub fn timeline_view(props: &TimelineViewProps) -> Html {
    let timeline = &props.timeline;
    let by_task = use_state_eq(|| false);
    let range = use_state_eq(|| None::<TimeRange>);
    let size = use_state_eq(|| (0.0_f64, CHART_TEXT_PX));
    let table_open = use_state_eq(|| false);
    let drag = use_mut_ref(|| None::<(i32, TimeRange)>);
    let canvas = use_node_ref();
    // A new timeline starts unzoomed.
    {
        let range = range.clone();
        use_effect_with(Rc::clone(timeline), move |_| range.set(None));
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
    let has_rows = !timeline.task_rows.is_empty();
    let view = SvgView {
        width: if size.0 > 0.0 {
            size.0.max(CHART_MIN_WIDTH)
        } else {
            960.0
        },
        font_size: size.1,
        range: shown,
        by_task: *by_task && has_rows,
        legend: false,
    };
    // The picture, and where its plot lies (to turn the pointer's position into a time).
    let drawn = use_memo((Rc::clone(timeline), view), |(timeline, view)| {
        let svg = AttrValue::from(to_svg_view(timeline, view));
        (svg, svg_plot_bounds(timeline, view))
    });
    let (svg, (plot_left, plot_width)) = (drawn.0.clone(), drawn.1);
    let current = shown.unwrap_or(whole);
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
                let x = left_of(&element).map_or(plot_left + plot_width / 2.0, |left| {
                    f64::from(event.client_x()) - left + f64::from(element.scroll_left())
                });
                let anchor = current.start + (x - plot_left) * per_px;
                zoom(if event.delta_y() < 0.0 { 0.8 } else { 1.25 }, anchor);
            }
        })
    };
    let onpointerdown = {
        let (drag, canvas) = (drag.clone(), canvas.clone());
        Callback::from(move |event: PointerEvent| {
            if event.button() == 0 {
                *drag.borrow_mut() = Some((event.client_x(), current));
                // On the box, which stays while the picture inside is redrawn.
                if let Some(element) = canvas.cast::<web_sys::Element>() {
                    let _ = element.set_pointer_capture(event.pointer_id());
                }
            }
        })
    };
    let onpointermove = {
        let (drag, range) = (drag.clone(), range.clone());
        Callback::from(move |event: PointerEvent| {
            if let Some((from_x, from)) = *drag.borrow() {
                if !from.covers(whole) {
                    let moved = f64::from(event.client_x() - from_x);
                    range.set(Some(from.panned(-moved * from.len() / plot_width, whole)));
                }
            }
        })
    };
    let end_drag = {
        let drag = drag.clone();
        Callback::from(move |_: PointerEvent| *drag.borrow_mut() = None)
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
    html! {
        <figure class="timeline" data-view={if view.by_task { "tasks" } else { "lanes" }}
                data-start={current.start.to_string()} data-end={current.end.to_string()}>
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
                 {onkeydown} {onwheel} {onpointerdown} {onpointermove} onpointerup={end_drag.clone()} onpointercancel={end_drag}>
                { Html::from_html_unchecked(svg) }
            </div>
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

/// The slices (by CPU) or the stretches (by task) that `range` shows, in order of start, at most [`TABLE_ROWS`].
fn timeline_table(timeline: &Timeline, by_task: bool, range: TimeRange) -> Html {
    let overlaps = |start: f64, end: f64| start <= range.end && end >= range.start;
    // (task, lane or state, start, end), by start.
    let mut rows: Vec<(usize, String, f64, f64)> = if by_task {
        timeline
            .task_rows
            .iter()
            .flat_map(|row| row.stretches.iter().map(move |stretch| (row.task, stretch)))
            .filter(|(_, stretch)| overlaps(stretch.start, stretch.end))
            .map(|(task, stretch)| {
                (
                    task,
                    stretch.state.label().to_owned(),
                    stretch.start,
                    stretch.end,
                )
            })
            .collect()
    } else {
        timeline
            .spans
            .iter()
            .filter(|span| overlaps(span.start, span.end))
            .map(|span| {
                (
                    span.task,
                    timeline.lane_label(span.lane).into_owned(),
                    span.start,
                    span.end,
                )
            })
            .collect()
    };
    rows.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)));
    let count = rows.len();
    let unit = timeline.unit;
    let what = if by_task { "stretches" } else { "slices" };
    html! {
        <>
            <div class="table-scroll" tabindex="0" role="region" aria-label={format!("{}: {what}", timeline.title)}>
                <table class="task-table slices-table">
                    <caption>{format!("{} {what} from {} to {}", count, time_text(range.start, unit), time_text(range.end, unit))}</caption>
                    <thead><tr>
                        <th scope="col">{"Task"}</th><th scope="col">{if by_task { "State" } else { "CPU" }}</th>
                        <th scope="col">{"Start"}</th><th scope="col">{"End"}</th><th scope="col">{"Duration"}</th>
                    </tr></thead>
                    <tbody>
                        { for rows.iter().take(TABLE_ROWS).map(|(task, lane, start, end)| html! {
                            <tr>
                                <td>{timeline.task_name(*task).into_owned()}</td><td>{lane.clone()}</td>
                                <td>{time_text(*start, unit)}</td><td>{time_text(*end, unit)}</td><td>{time_text(end - start, unit)}</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            if count > TABLE_ROWS {
                <p class="timeline-note">{format!("The first {TABLE_ROWS} of {count} {what} are listed: zoom in to list the others.")}</p>
            }
        </>
    }
}

/// The large-text toggle for classrooms: a checkbox `#large-text` that puts the class `large-text` on the page's
/// root element (the page's text grows through `rem`, the timelines redraw their text at 18 px: it tells them with
/// a `resize` event).
#[function_component(LargeTextToggle)]
pub fn large_text_toggle() -> Html {
    let onchange = Callback::from(|event: Event| {
        let on = event
            .target_dyn_into::<web_sys::HtmlInputElement>()
            .is_some_and(|input| input.checked());
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some(root) = window
            .document()
            .and_then(|document| document.document_element())
        {
            let mut classes: Vec<String> = root
                .class_name()
                .split_whitespace()
                .filter(|class| *class != "large-text")
                .map(str::to_owned)
                .collect();
            if on {
                classes.push("large-text".into());
            }
            root.set_class_name(&classes.join(" "));
        }
        if let Ok(resize) = web_sys::Event::new("resize") {
            let _ = window.dispatch_event(&resize);
        }
    });
    html! {
        <label class="large-text-toggle"><input type="checkbox" id="large-text" {onchange} />{" Large text"}</label>
    }
}
