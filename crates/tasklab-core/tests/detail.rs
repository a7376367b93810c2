//! Tests of the level of detail a large timeline is painted with: slices a pixel wide stay themselves, thinner ones
//! merge into one bar per pixel column in the paint that covers most of it, nothing is painted where nothing ran,
//! every column where something ran is painted, counts agree with a plain count, and the tooltip of one slice is
//! the SVG's.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use tasklab_core::detail::{DetailIndex, Paint};
use tasklab_core::export::{svg_plot_geometry, to_svg_view, SvgView};
use tasklab_core::timeline::{Span, TimeRange, TimeUnit, Timeline, TimelineTask};

fn timeline(spans: Vec<Span>, lanes: usize, length: f64) -> Timeline {
    Timeline {
        title: "Detail".into(),
        unit: TimeUnit::Ticks,
        lanes: (1..=lanes).map(|lane| format!("CPU {lane}")).collect(),
        tasks: (0..4)
            .map(|task| TimelineTask {
                name: format!("Task {}", task + 1),
                colour: "#336699".into(),
                metrics: Vec::new(),
            })
            .collect(),
        spans,
        switches: Vec::new(),
        cold: Vec::new(),
        migrations: Vec::new(),
        task_rows: Vec::new(),
        length,
    }
}

fn span(task: usize, lane: usize, start: f64, end: f64) -> Span {
    Span {
        task,
        lane,
        start,
        end,
    }
}

/// One lane that runs task 0 for three ticks and task 1 for one, `cycles` times.
fn three_to_one(cycles: usize) -> Timeline {
    let spans = (0..cycles)
        .flat_map(|cycle| {
            let at = cycle as f64 * 4.0;
            [span(0, 0, at, at + 3.0), span(1, 0, at + 3.0, at + 4.0)]
        })
        .collect();
    timeline(spans, 1, cycles as f64 * 4.0)
}

#[test]
fn thin_slices_merge_into_one_bar_per_pixel_in_the_paint_that_ran_most() {
    // 50,000 slices over 100,000 ticks on 500 pixels: 200 ticks a pixel.
    let timeline = three_to_one(25_000);
    let index = DetailIndex::new(&timeline, false);
    let whole = TimeRange::whole(&timeline);
    assert_eq!(index.count_in(whole), 50_000);
    let painting = index.bars(whole, 500.0);
    assert_eq!(painting.shown, 50_000);
    // Every pixel is task 0's (three ticks in four), joined into a single bar standing for every slice.
    assert_eq!(painting.bars.len(), 1, "{:?}", &painting.bars[..3]);
    let bar = painting.bars[0];
    assert_eq!(bar.paint, Paint::Slice(0));
    assert!((bar.x - 0.0).abs() < 1e-9 && (bar.width - 500.0).abs() < 1e-6);
    assert_eq!(bar.merged, 50_000);
}

#[test]
fn slices_a_pixel_wide_are_drawn_as_themselves() {
    let timeline = three_to_one(25_000);
    let index = DetailIndex::new(&timeline, false);
    // 40 ticks on 400 pixels: 10 pixels a tick, each slice its own bar at its own place.
    let painting = index.bars(
        TimeRange {
            start: 400.0,
            end: 440.0,
        },
        400.0,
    );
    assert_eq!(painting.bars.len(), 20);
    assert!(painting.bars.iter().all(|bar| bar.merged == 1));
    assert_eq!(painting.bars[0].paint, Paint::Slice(0));
    assert!((painting.bars[0].width - 30.0).abs() < 1e-9);
    assert_eq!(painting.bars[1].paint, Paint::Slice(1));
    assert!(
        (painting.bars[1].x - 30.0).abs() < 1e-9 && (painting.bars[1].width - 10.0).abs() < 1e-9
    );
}

#[test]
fn the_tooltip_of_one_slice_is_the_svg_title_and_a_merged_pixel_says_how_many() {
    let timeline = three_to_one(100);
    let index = DetailIndex::new(&timeline, false);
    let near = TimeRange {
        start: 0.0,
        end: 8.0,
    };
    let hit = index.hit(&timeline, 0, 1.5, near, 800.0).unwrap();
    assert_eq!((hit.task, hit.count), (0, 1));
    let svg = to_svg_view(&timeline, &SvgView::default());
    assert!(
        svg.contains(&format!("<title>{}</title>", hit.text)),
        "{}",
        hit.text
    );
    // From afar, a pixel holds several slices.
    let far = TimeRange::whole(&timeline);
    let merged = index.hit(&timeline, 0, 200.0, far, 40.0).unwrap();
    assert!(merged.count > 1);
    assert!(
        merged.text.contains("slices on CPU 1") && merged.text.contains("mostly Task 1"),
        "{}",
        merged.text
    );
    // Nothing under the pointer on an idle lane.
    let idle = timeline_with_gap();
    let index = DetailIndex::new(&idle, false);
    assert!(index
        .hit(&idle, 0, 50.0, TimeRange::whole(&idle), 100.0)
        .is_none());
}

#[test]
fn the_frame_alone_has_the_rows_and_axis_but_no_slice_and_its_geometry_is_where_the_rows_are() {
    let timeline = timeline(
        vec![
            span(0, 0, 0.0, 10.0),
            span(1, 1, 5.0, 20.0),
            span(2, 2, 0.0, 40.0),
        ],
        3,
        40.0,
    );
    let view = SvgView {
        width: 700.0,
        legend: false,
        ..SvgView::default()
    };
    let whole = to_svg_view(&timeline, &view);
    let frame = to_svg_view(
        &timeline,
        &SvgView {
            slices: false,
            ..view
        },
    );
    assert_eq!(whole.matches("<rect class=\"slice\"").count(), 3);
    assert_eq!(frame.matches("<rect class=\"slice\"").count(), 0);
    assert_eq!(frame.matches("<rect class=\"lane\"").count(), 3);
    assert!(frame.contains("class=\"axis\"") && frame.contains(">CPU 3<"));
    let geometry = svg_plot_geometry(&timeline, &view);
    assert_eq!(geometry.rows, 3);
    for row in 0..3 {
        let lane = format!(
            "<rect class=\"lane\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"",
            geometry.left,
            geometry.row_top(row),
            geometry.width,
            geometry.row_height
        );
        assert!(frame.contains(&lane), "{lane} not in {frame}");
    }
}

fn timeline_with_gap() -> Timeline {
    timeline(
        vec![span(0, 0, 0.0, 10.0), span(1, 0, 90.0, 100.0)],
        1,
        100.0,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// For any lanes of back-to-back or gapped slices, any range and any width: the count is a plain count, every
    /// bar lies where something ran in its row, and every pixel column where something ran is painted.
    #[test]
    fn bars_cover_exactly_what_ran(
        rows in prop::collection::vec(prop::collection::vec((0usize..4, 1u32..40, 0u32..30), 0..80), 1..4),
        start in 0.0f64..500.0,
        len in 1.0f64..3000.0,
        width in 20.0f64..900.0,
    ) {
        let mut spans = Vec::new();
        for (lane, row) in rows.iter().enumerate() {
            let mut at = 0.0;
            for &(task, run, gap) in row {
                at += f64::from(gap);
                spans.push(span(task, lane, at, at + f64::from(run)));
                at += f64::from(run);
            }
        }
        let timeline = timeline(spans.clone(), rows.len(), 10.0);
        let index = DetailIndex::new(&timeline, false);
        let range = TimeRange { start, end: start + len };
        let overlapping = |lane: usize| spans.iter().filter(move |s| s.lane == lane && s.end > range.start && s.start < range.end);
        let plain: usize = (0..rows.len()).map(|lane| overlapping(lane).count()).sum();
        prop_assert_eq!(index.count_in(range), plain);
        let painting = index.bars(range, width);
        prop_assert_eq!(painting.shown, plain);
        let per_unit = width / len;
        let x_of = |time: f64| (time.clamp(range.start, range.end) - range.start) * per_unit;
        for bar in &painting.bars {
            // Something of this row ran within the bar's pixels.
            let ran = overlapping(bar.row).any(|s| x_of(s.end) >= bar.x - 1e-6 && x_of(s.start) <= bar.x + bar.width + 1e-6);
            prop_assert!(ran, "bar {:?} over nothing", bar);
            prop_assert!(bar.x >= -1e-9 && bar.x + bar.width <= width + 1.0 + 1e-9);
        }
        for lane in 0..rows.len() {
            for s in overlapping(lane) {
                // A merged column is drawn from the pixel where its first slice starts: within a pixel.
                let (x0, x1) = (x_of(s.start), x_of(s.end));
                let painted = painting.bars.iter().any(|bar| bar.row == lane && bar.x <= x1 + 1e-6 && x0 <= bar.x + bar.width + 1e-6);
                prop_assert!(painted, "slice {:?} at x {}–{} unpainted", s, x0, x1);
            }
        }
    }
}
