//! Paints a large timeline's slices on a canvas over its SVG frame: the bars of a [`Painting`] (already merged to
//! one pixel's detail by `tasklab_core::detail`) in the same fills, heights, hatches and ▼ markers as the SVG
//! picture, and a task's name on a bar wide enough for it. Drawn at the screen's pixel ratio so it stays sharp.

use tasklab_core::detail::{Paint, Painting};
use tasklab_core::export::{
    bar_share, safe_colour, text_colour_on, PlotGeometry, MIGRATION_FILL, SWITCH_FILL,
};
use tasklab_core::timeline::{TaskState, Timeline};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasPattern, CanvasRenderingContext2d, HtmlCanvasElement};

/// Room above the first row, in pixels, for the ▼ markers drawn at a row's top edge.
pub const ABOVE: f64 = 2.0;

/// Paints `painting` on `canvas` (placed over the plot of `geometry`, [`ABOVE`] pixels higher), with names in
/// `font`-pixel text. A canvas the browser cannot draw on is left blank: the SVG frame and the table still show.
pub fn paint(
    canvas: &HtmlCanvasElement,
    timeline: &Timeline,
    geometry: &PlotGeometry,
    painting: &Painting,
    font: f64,
) {
    let _ = try_paint(canvas, timeline, geometry, painting, font);
}

fn try_paint(
    canvas: &HtmlCanvasElement,
    timeline: &Timeline,
    geometry: &PlotGeometry,
    painting: &Painting,
    font: f64,
) -> Result<(), JsValue> {
    let ratio = web_sys::window()
        .map(|window| window.device_pixel_ratio())
        .filter(|ratio| ratio.is_finite() && *ratio >= 1.0)
        .unwrap_or(1.0)
        .min(4.0);
    let (width, height) = (geometry.width, geometry.rows_height() + ABOVE);
    let (device_width, device_height) = (
        (width * ratio).ceil().clamp(1.0, 32_767.0) as u32,
        (height * ratio).ceil().clamp(1.0, 32_767.0) as u32,
    );
    if canvas.width() != device_width || canvas.height() != device_height {
        canvas.set_width(device_width);
        canvas.set_height(device_height);
    }
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2d context"))?
        .dyn_into()?;
    context.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0)?;
    context.clear_rect(0.0, 0.0, width, height);
    let ready = hatch(&context, "#eeeeee", "#666666")?;
    let cold = hatch(&context, "", "rgba(255,255,255,0.6)")?;
    let row_y = |row: usize| geometry.row_top(row) - geometry.top + ABOVE;
    let band = |row: usize, share: f64| {
        let height = (geometry.row_height * share).round();
        (row_y(row) + (geometry.row_height - height) / 2.0, height)
    };

    // Bars, setting the fill only when it changes (most neighbours share one).
    let mut fill = String::new();
    let set_fill = |fill: &mut String, colour: &str| {
        if fill != colour {
            context.set_fill_style_str(colour);
            colour.clone_into(fill);
        }
    };
    for bar in &painting.bars {
        let state = match bar.paint {
            Paint::State(state, _) => Some(state),
            Paint::Slice(_) | Paint::Switch(_) => None,
        };
        let (y, bar_height) = band(bar.row, bar_share(state));
        match bar.paint {
            Paint::Slice(task) | Paint::State(TaskState::Running, task) => {
                set_fill(&mut fill, safe_colour(timeline.task_colour(task)));
            }
            Paint::Switch(_) => set_fill(&mut fill, SWITCH_FILL),
            Paint::State(TaskState::Ready, _) => match &ready {
                Some(pattern) => {
                    context.set_fill_style_canvas_pattern(pattern);
                    fill.clear();
                }
                None => set_fill(&mut fill, "#bbbbbb"),
            },
            Paint::State(TaskState::Io, _) => set_fill(&mut fill, "#ffffff"),
            Paint::State(TaskState::ReadyOrIo, _) => set_fill(&mut fill, "#cccccc"),
        }
        context.fill_rect(bar.x, y, bar.width, bar_height);
        // Outlines as the SVG draws them, where a bar is wide enough to show one.
        if bar.width >= 3.0 {
            match state {
                Some(TaskState::Ready) => {
                    context.set_stroke_style_str("#666666");
                    context.set_line_width(1.0);
                    context.stroke_rect(bar.x + 0.5, y + 0.5, bar.width - 1.0, bar_height - 1.0);
                }
                Some(TaskState::Io) => {
                    context.set_stroke_style_str("#333333");
                    context.set_line_width(1.5);
                    context.set_line_dash(&js_sys::Array::of2(&4.into(), &2.into()))?;
                    context.stroke_rect(bar.x, y, bar.width, bar_height);
                    context.set_line_dash(&js_sys::Array::new())?;
                }
                _ => {}
            }
        }
    }

    // Cold-cache hatches over the slices they cover.
    if let Some(pattern) = &cold {
        context.set_fill_style_canvas_pattern(pattern);
        for &(row, x, width) in &painting.cold {
            let (y, bar_height) = band(row, bar_share(None));
            context.fill_rect(x, y, width, bar_height);
        }
    }

    // Names on slices wide enough for three letters, in black or white against the fill.
    context.set_font(&format!(
        "{font}px system-ui, -apple-system, Segoe UI, sans-serif"
    ));
    context.set_text_baseline("middle");
    let char_width = font * 0.6;
    for bar in &painting.bars {
        let Paint::Slice(task) = bar.paint else {
            continue;
        };
        let fits = ((bar.width - 8.0) / char_width).floor();
        if fits < 3.0 || bar.merged > 1 {
            continue;
        }
        let name = timeline.task_name(task);
        let text: String = if name.chars().count() as f64 > fits {
            let kept: String = name.chars().take(fits as usize - 1).collect();
            format!("{kept}…")
        } else {
            name.into_owned()
        };
        context.set_fill_style_str(text_colour_on(safe_colour(timeline.task_colour(task))));
        context.fill_text(
            &text,
            bar.x + 4.0,
            row_y(bar.row) + geometry.row_height / 2.0,
        )?;
    }

    // ▼ where a task moved onto a lane.
    context.set_fill_style_str(MIGRATION_FILL);
    context.set_stroke_style_str("#ffffff");
    context.set_line_width(1.0);
    for &(row, x) in &painting.migrations {
        let top = row_y(row) - 1.0;
        context.begin_path();
        context.move_to(x - 4.5, top);
        context.line_to(x + 4.5, top);
        context.line_to(x, top + 8.0);
        context.close_path();
        context.fill();
        context.stroke();
    }
    Ok(())
}

/// A pattern of `stripe` diagonal stripes (a third of each 6-pixel cell) on `ground` (none when empty), like the
/// SVG's hatches; `None` where the browser gives no pattern.
fn hatch(
    context: &CanvasRenderingContext2d,
    ground: &str,
    stripe: &str,
) -> Result<Option<CanvasPattern>, JsValue> {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return Ok(None);
    };
    let tile: HtmlCanvasElement = document.create_element("canvas")?.dyn_into()?;
    tile.set_width(6);
    tile.set_height(6);
    let Some(tile_context) = tile.get_context("2d")? else {
        return Ok(None);
    };
    let tile_context: CanvasRenderingContext2d = tile_context.dyn_into()?;
    if !ground.is_empty() {
        tile_context.set_fill_style_str(ground);
        tile_context.fill_rect(0.0, 0.0, 6.0, 6.0);
    }
    // A 2-pixel line from bottom-left to top-right, and its wrap-arounds, tiles into 45° stripes.
    tile_context.set_stroke_style_str(stripe);
    tile_context.set_line_width(2.0);
    for offset in [-6.0, 0.0, 6.0] {
        tile_context.begin_path();
        tile_context.move_to(offset, 6.0);
        tile_context.line_to(offset + 6.0, 0.0);
        tile_context.stroke();
    }
    context.create_pattern_with_html_canvas_element(&tile, "repeat")
}
