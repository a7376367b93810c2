//! Tests of the timeline exports: the Chrome trace parses and matches the slices, the CSV round-trips tricky
//! names through an RFC 4180 parser, and the SVG is well-formed XML with one `rect.slice` per slice.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use tasklab_core::export::{to_chrome_trace, to_csv, to_svg, trace_tid, CSV_COLUMNS};
use tasklab_core::timeline::{Span, TimeUnit, Timeline, TimelineTask};

const TRICKY: [&str; 6] = [
    "plain",
    "comma, inside",
    "say \"cheese\"",
    "two\r\nlines\nand\rmore",
    "=HYPERLINK(\"http://x\")",
    "<script>&\"'",
];

fn slice(task: usize, lane: usize, start: f64, end: f64) -> Span {
    Span {
        task,
        lane,
        start,
        end,
    }
}

fn tasks(names: &[&str]) -> Vec<TimelineTask> {
    names
        .iter()
        .enumerate()
        .map(|(index, name)| TimelineTask {
            name: (*name).to_string(),
            colour: format!("#{:02x}80c0", index * 30),
            metrics: vec![
                ("checksum".to_string(), format!("{index:016x}")),
                ("start".to_string(), format!("{}", index as f64 * 1.5)),
                ("note".to_string(), "-danger, \"quoted\"".to_string()),
                ("priority".to_string(), "-3".to_string()),
            ],
        })
        .collect()
}

struct Fixture {
    slices: Vec<Span>,
    switches: Vec<Span>,
    tasks: Vec<TimelineTask>,
}

fn fixture() -> Fixture {
    Fixture {
        slices: vec![
            slice(0, 0, 0.0, 2.5),
            slice(1, 1, 0.0, 0.1),
            slice(2, 0, 3.0, 7.25),
            slice(3, 1, 0.3, 4.0),
            slice(4, 2, 1.0, 9.0),
            slice(5, 0, 8.0, 12.0),
            slice(0, 1, 4.5, 12.5),
        ],
        switches: vec![slice(2, 0, 2.5, 3.0), slice(0, 1, 4.0, 4.5)],
        tasks: tasks(&TRICKY),
    }
}

fn timeline(fixture: &Fixture, time_unit: TimeUnit) -> Timeline {
    Timeline {
        title: "Tricky <run> & \"friends\"".into(),
        unit: time_unit,
        lanes: vec!["Main thread".into(), "Worker, 1".into(), "=CPU 3".into()],
        tasks: fixture.tasks.clone(),
        spans: fixture.slices.clone(),
        switches: fixture.switches.clone(),
        cold: vec![],
        migrations: vec![],
        task_rows: vec![],
        length: 12.5,
    }
}

// --- Chrome trace -----------------------------------------------------------------------------------------------

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn trace_has_one_complete_event_per_slice_and_switch() {
    let fixture = fixture();
    for unit in [TimeUnit::Milliseconds, TimeUnit::Ticks] {
        let timeline = timeline(&fixture, unit);
        let trace: Value = serde_json::from_str(&to_chrome_trace(&timeline)).expect("valid JSON");
        assert_eq!(trace["displayTimeUnit"], "ms");
        assert_eq!(trace["otherData"]["time_unit"], unit.suffix());
        let events = trace["traceEvents"].as_array().expect("traceEvents array");

        let complete: Vec<&Value> = events.iter().filter(|e| e["ph"] == "X").collect();
        let tasks: Vec<&&Value> = complete.iter().filter(|e| e["cat"] == "task").collect();
        let switches: Vec<&&Value> = complete.iter().filter(|e| e["cat"] == "switch").collect();
        assert_eq!(tasks.len(), fixture.slices.len());
        assert_eq!(switches.len(), fixture.switches.len());
        assert_eq!(complete.len(), tasks.len() + switches.len());

        for (event, slice) in tasks.iter().zip(&fixture.slices) {
            assert_eq!(event["name"], TRICKY[slice.task]);
            assert_eq!(event["pid"], 1);
            assert_eq!(event["tid"], trace_tid(slice.lane));
            let ts = event["ts"].as_f64().unwrap();
            let dur = event["dur"].as_f64().unwrap();
            assert!(close(ts, slice.start * 1000.0), "ts {ts} for {slice:?}");
            assert!(
                close(dur, (slice.end - slice.start) * 1000.0),
                "dur {dur} for {slice:?}"
            );
            assert_eq!(event["args"]["task_index"], slice.task);
            assert_eq!(
                event["args"]["metrics"]["checksum"],
                format!("{:016x}", slice.task)
            );
        }
        for (event, slice) in switches.iter().zip(&fixture.switches) {
            assert_eq!(event["name"], "context switch");
            assert_eq!(event["tid"], trace_tid(slice.lane));
            assert_eq!(event["args"]["to"], TRICKY[slice.task]);
            assert!(close(event["ts"].as_f64().unwrap(), slice.start * 1000.0));
            assert!(close(
                event["dur"].as_f64().unwrap(),
                (slice.end - slice.start) * 1000.0
            ));
        }

        let metadata = |name: &str| -> Vec<&Value> {
            events
                .iter()
                .filter(|e| e["ph"] == "M" && e["name"] == name)
                .collect()
        };
        assert_eq!(metadata("process_name").len(), 1);
        assert_eq!(metadata("process_name")[0]["args"]["name"], timeline.title);
        let thread_names = metadata("thread_name");
        assert_eq!(thread_names.len(), timeline.lanes.len());
        assert_eq!(metadata("thread_sort_index").len(), timeline.lanes.len());
        for (lane, label) in timeline.lanes.iter().enumerate() {
            let named = thread_names
                .iter()
                .find(|e| e["tid"] == trace_tid(lane))
                .expect("a thread_name per lane");
            assert_eq!(named["args"]["name"], label.as_str());
        }
    }
}

#[test]
fn trace_names_lanes_and_tasks_it_was_not_told_about() {
    let slices = [slice(7, 5, 1.0, 2.0)];
    let timeline = Timeline {
        title: "sparse".into(),
        unit: TimeUnit::Ticks,
        lanes: vec![],
        tasks: vec![],
        spans: slices.to_vec(),
        switches: vec![],
        cold: vec![],
        migrations: vec![],
        task_rows: vec![],
        length: f64::NAN,
    };
    let trace: Value = serde_json::from_str(&to_chrome_trace(&timeline)).expect("valid JSON");
    let events = trace["traceEvents"].as_array().unwrap();
    assert!(events
        .iter()
        .any(|e| e["name"] == "thread_name" && e["args"]["name"] == "Lane 6"));
    assert!(events
        .iter()
        .any(|e| e["ph"] == "X" && e["name"] == "Task 7"));
    assert_eq!(trace["otherData"]["span"], 0.0);
}

// --- CSV --------------------------------------------------------------------------------------------------------

/// A strict little RFC 4180 parser: records end with CRLF (a bare CR or LF inside quotes is data).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                assert!(field.is_empty(), "quote inside an unquoted field");
                quoted = true;
            }
            ',' => record.push(std::mem::take(&mut field)),
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "bare CR outside quotes");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            '\n' => panic!("bare LF outside quotes"),
            c => field.push(c),
        }
    }
    assert!(!quoted, "unterminated quote");
    assert!(
        field.is_empty() && record.is_empty(),
        "last record without CRLF"
    );
    records
}

/// What the CSV should show for a text field: the text, with `'` before a leading formula character.
fn guarded(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

#[test]
fn csv_round_trips_tricky_names_and_guards_formulas() {
    let fixture = fixture();
    let timeline = timeline(&fixture, TimeUnit::Milliseconds);
    let records = parse_csv(&to_csv(&timeline));
    let header = &records[0];
    assert_eq!(&header[..CSV_COLUMNS.len()], CSV_COLUMNS);
    // The metric "start" collides with the slice column "start" and is renamed.
    assert_eq!(
        &header[CSV_COLUMNS.len()..],
        ["checksum", "start (metric)", "note", "priority"]
    );
    assert!(records.iter().all(|record| record.len() == header.len()));
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();

    let rows_of = |kind: &str| -> Vec<&Vec<String>> {
        records[1..].iter().filter(|r| r[0] == kind).collect()
    };
    let slices = rows_of("slice");
    let switches = rows_of("switch");
    let tasks = rows_of("task");
    assert_eq!(slices.len(), fixture.slices.len());
    assert_eq!(switches.len(), fixture.switches.len());
    assert_eq!(tasks.len(), TRICKY.len());
    assert_eq!(
        records.len(),
        1 + slices.len() + switches.len() + tasks.len()
    );

    for (row, slice) in slices.iter().zip(&fixture.slices) {
        assert_eq!(row[column("task_index")], slice.task.to_string());
        assert_eq!(row[column("task")], guarded(TRICKY[slice.task]));
        assert_eq!(row[column("lane")], guarded(&timeline.lanes[slice.lane]));
        let number = |name: &str| row[column(name)].parse::<f64>().unwrap();
        assert_eq!(number("start"), slice.start);
        assert_eq!(number("end"), slice.end);
        assert!(close(number("duration"), slice.end - slice.start));
        assert_eq!(row[column("unit")], "ms");
    }
    // 0.1 − 0.0 and 4.0 − 0.3 print without float noise.
    assert_eq!(slices[1][column("duration")], "0.1");
    assert_eq!(slices[3][column("duration")], "3.7");

    for (index, row) in tasks.iter().enumerate() {
        assert_eq!(row[column("task")], guarded(TRICKY[index]));
        assert_eq!(row[column("checksum")], format!("{index:016x}"));
        assert_eq!(row[column("note")], "'-danger, \"quoted\"");
        // A plain negative number is a number, not a formula: left alone.
        assert_eq!(row[column("priority")], "-3");
        assert_eq!(row[column("lane")], "");
    }
    assert_eq!(tasks[4][column("task")], "'=HYPERLINK(\"http://x\")");
    assert_eq!(tasks[3][column("task")], "two\r\nlines\nand\rmore");
    assert_eq!(slices[4][column("lane")], "'=CPU 3");
}

// --- SVG --------------------------------------------------------------------------------------------------------

fn has_class(node: &roxmltree::Node, class: &str) -> bool {
    node.attribute("class") == Some(class)
}

#[test]
fn svg_is_well_formed_with_one_rect_per_slice() {
    let fixture = fixture();
    for unit in [TimeUnit::Milliseconds, TimeUnit::Ticks] {
        let timeline = timeline(&fixture, unit);
        let svg = to_svg(&timeline);
        let document = roxmltree::Document::parse(&svg).expect("well-formed XML");
        let root = document.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        for attribute in ["width", "height", "viewBox"] {
            assert!(root.attribute(attribute).is_some(), "missing {attribute}");
        }

        let slice_rects: Vec<_> = document
            .descendants()
            .filter(|n| n.has_tag_name("rect") && has_class(n, "slice"))
            .collect();
        assert_eq!(slice_rects.len(), fixture.slices.len());
        for (rect, slice) in slice_rects.iter().zip(&fixture.slices) {
            let title = rect
                .children()
                .find(|n| n.has_tag_name("title"))
                .and_then(|n| n.text())
                .expect("a title per slice");
            assert!(
                title.starts_with(TRICKY[slice.task]),
                "title {title:?} names the task"
            );
            assert!(rect.attribute("fill").unwrap().starts_with('#'));
        }
        let switch_rects = document
            .descendants()
            .filter(|n| n.has_tag_name("rect") && has_class(n, "switch"))
            .count();
        assert_eq!(switch_rects, fixture.switches.len());

        // The dangerous name survives as text (escaped in the source) and never as markup.
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;&amp;&quot;&apos;"));
        assert_eq!(
            document
                .descendants()
                .filter(|n| n.has_tag_name("script"))
                .count(),
            0
        );
        let texts: Vec<&str> = document
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .collect();
        assert!(texts.contains(&"<script>&\"'"), "legend shows the name");
        assert!(texts.contains(&"Worker, 1"), "lane label shown");
        // Axis ticks: round numbers starting at 0.
        assert!(texts.contains(&"0"));
    }
}

#[test]
fn svg_survives_hostile_and_odd_input() {
    let slices = [
        slice(0, 0, f64::NAN, f64::INFINITY),
        slice(9, usize::MAX, -5.0, 3.0),
        slice(1, 3, 2.0, 1.0),
    ];
    let tasks = vec![
        TimelineTask {
            name: "nul\u{0}bell\u{7}\u{FFFF}]]>".into(),
            colour: "red\" onload=\"alert(1)".into(),
            metrics: vec![],
        },
        TimelineTask {
            name: String::new(),
            colour: "#abc".into(),
            metrics: vec![],
        },
    ];
    let timeline = Timeline {
        title: "</svg><script>alert(1)</script>".into(),
        unit: TimeUnit::Milliseconds,
        lanes: vec![],
        tasks,
        spans: slices.to_vec(),
        switches: vec![],
        cold: vec![],
        migrations: vec![],
        task_rows: vec![],
        length: -1.0,
    };
    let svg = to_svg(&timeline);
    let document = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let rects: Vec<_> = document
        .descendants()
        .filter(|n| n.has_tag_name("rect") && has_class(n, "slice"))
        .collect();
    assert_eq!(rects.len(), slices.len());
    assert_eq!(rects[0].attribute("fill"), Some("#888888"));
    assert_eq!(rects[2].attribute("fill"), Some("#abc"));
    assert!(!svg.contains("onload=\""));
    assert!(!svg.contains("<script"));
    // The other formats cope too.
    serde_json::from_str::<Value>(&to_chrome_trace(&timeline)).expect("valid JSON");
    assert_eq!(parse_csv(&to_csv(&timeline)).len(), 1 + slices.len() + 2);
}

#[test]
fn svg_axis_ticks_are_round() {
    let slices = [slice(0, 0, 0.0, 1234.0)];
    let timeline = Timeline {
        title: "axis".into(),
        unit: TimeUnit::Ticks,
        lanes: vec!["CPU 1".into()],
        tasks: vec![],
        spans: slices.to_vec(),
        switches: vec![],
        cold: vec![],
        migrations: vec![],
        task_rows: vec![],
        length: 1234.0,
    };
    let svg = to_svg(&timeline);
    let document = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let axis = document
        .descendants()
        .find(|n| n.attribute("class") == Some("axis"))
        .expect("an axis");
    let labels: Vec<&str> = axis
        .children()
        .filter(|n| n.has_tag_name("text") && n.attribute("class").is_none())
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(
        labels,
        ["0", "200", "400", "600", "800", "1000", "1200"],
        "ticks every 200"
    );
}

/// A timeline of one task on one lane over `length`, in `unit`.
fn one_span(length: f64, unit: TimeUnit) -> Timeline {
    Timeline {
        title: "span".into(),
        unit,
        lanes: vec!["CPU 1".into()],
        tasks: vec![],
        spans: vec![slice(0, 0, 0.0, length)],
        switches: vec![],
        cold: vec![],
        migrations: vec![],
        task_rows: vec![],
        length,
    }
}

/// The horizontal extent of an SVG text, estimated from its length × font size × 0.6 and its anchor.
fn text_extent(text: &roxmltree::Node, default_font_size: f64) -> (f64, f64) {
    let x: f64 = text.attribute("x").unwrap().parse().unwrap();
    let font_size = text
        .attribute("font-size")
        .map_or(default_font_size, |size| size.parse().unwrap());
    let width = text.text().unwrap_or("").chars().count() as f64 * font_size * 0.6;
    match text.attribute("text-anchor") {
        Some("end") => (x - width, x),
        Some("middle") => (x - width / 2.0, x + width / 2.0),
        _ => (x, x + width),
    }
}

#[test]
fn every_tick_label_lies_within_the_picture() {
    // Spans whose last tick falls on the right edge (700, 1,000,000, 2 s…) and spans in between, long labels
    // (seven digits, four decimals) and short ones, in both units.
    let spans = [
        700.0,
        705.0,
        812.35,
        1_000.0,
        2_000.0,
        99_999.0,
        1_000_000.0,
        7_000_000.0,
        0.0007,
        0.7,
        12.5,
        1.0,
    ];
    for unit in [TimeUnit::Milliseconds, TimeUnit::Ticks] {
        for length in spans {
            let svg = to_svg(&one_span(length, unit));
            let document = roxmltree::Document::parse(&svg).expect("well-formed XML");
            let root = document.root_element();
            let width: f64 = root.attribute("width").unwrap().parse().unwrap();
            let font_size: f64 = root.attribute("font-size").unwrap().parse().unwrap();
            let axis = document
                .descendants()
                .find(|n| n.attribute("class") == Some("axis"))
                .expect("an axis");
            let labels: Vec<_> = axis
                .children()
                .filter(|n| n.has_tag_name("text") && n.attribute("class").is_none())
                .collect();
            assert!(!labels.is_empty(), "{length} {unit:?}: ticks drawn");
            for label in labels {
                let (left, right) = text_extent(&label, font_size);
                assert!(
                    left >= 0.0 && right <= width,
                    "{length} {unit:?}: tick label {:?} spans {left}–{right} of a {width} px picture",
                    label.text()
                );
            }
        }
    }
}

#[test]
fn svg_is_an_image_labelled_with_its_title_lanes_and_span() {
    let fixture = fixture();
    let svg = to_svg(&timeline(&fixture, TimeUnit::Milliseconds));
    let document = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let root = document.root_element();
    assert_eq!(root.attribute("role"), Some("img"));
    assert_eq!(
        root.attribute("aria-label"),
        Some("Tricky <run> & \"friends\": timeline of 3 lanes over 12.5 ms")
    );
    let ticks = to_svg(&one_span(40.0, TimeUnit::Ticks));
    let document = roxmltree::Document::parse(&ticks).expect("well-formed XML");
    assert_eq!(
        document.root_element().attribute("aria-label"),
        Some("span: timeline of 1 lane over 40 ticks")
    );
}

// --- Cache and migrations of the multiprocessor model -----------------------------------------------------------

mod multiprocessor {
    use tasklab_core::export::{to_svg, to_svg_element, COLD_LEGEND, MIGRATION_LEGEND};
    use tasklab_core::sim::{
        simulate, CacheModel, Conventions, Machine, Policy, QueueLayout, SimResult, SimScenario,
        SimTask,
    };
    use tasklab_core::timeline::Timeline;

    const CACHE: CacheModel = CacheModel {
        size: 100,
        warmup: 5,
        warm_rate: 2,
    };

    /// Three tasks of 40 ticks on 2 CPUs, round robin with a quantum of 5; with a cache, of working set 40 (a
    /// working set alone would call the multiprocessor model too).
    fn run(queues: QueueLayout, cache: Option<CacheModel>) -> SimResult {
        let working_set = if cache.is_some() { 40 } else { 0 };
        let tasks = ["Matrix 1", "Matrix 2", "Matrix <3>"]
            .into_iter()
            .map(|name| SimTask {
                working_set,
                ..SimTask::cpu_only(name, 0, 40)
            })
            .collect();
        let machine = Machine {
            cpus: 2,
            queues,
            cache,
            ..Machine::default()
        };
        simulate(
            &SimScenario { tasks },
            &machine,
            &Policy::RoundRobin { quantum: 5 },
            &Conventions::default(),
        )
        .expect("a valid scenario")
    }

    fn length(spans: &[tasklab_core::timeline::Span]) -> f64 {
        spans.iter().map(|span| span.end - span.start).sum()
    }

    fn count(svg: &str, tag: &str, class: &str) -> usize {
        let document = roxmltree::Document::parse(svg).expect("well-formed XML");
        document
            .descendants()
            .filter(|n| n.has_tag_name(tag) && n.attribute("class") == Some(class))
            .count()
    }

    fn texts(svg: &str) -> Vec<String> {
        let document = roxmltree::Document::parse(svg).expect("well-formed XML");
        document
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text().map(str::to_owned))
            .collect()
    }

    #[test]
    fn per_cpu_queues_with_a_cache_hatch_the_cold_running() {
        let result = run(QueueLayout::PerCpu, Some(CACHE));
        assert!(!result.summary.warm_ticks.is_empty());
        let timeline = Timeline::from_simulation("cold".into(), &result, &[]);
        assert!(!timeline.cold.is_empty());
        let busy: u64 = result.summary.busy_ticks.iter().sum();
        let warm: u64 = result.summary.warm_ticks.iter().sum();
        assert_eq!(length(&timeline.cold), (busy - warm) as f64);
        // Each cold span is one of the task spans.
        assert!(timeline
            .cold
            .iter()
            .all(|cold| timeline.spans.contains(cold)));
        // Every task starts cold, and warms up within a run of 5 ticks on one CPU.
        assert_eq!(length(&timeline.cold), 3.0 * 5.0);

        let svg = to_svg(&timeline);
        assert_eq!(count(&svg, "rect", "cold"), timeline.cold.len());
        assert!(svg.contains(r#"class="cold""#));
        assert!(svg.contains("<pattern id=\"cold-hatch-"));
        assert!(svg.contains("fill=\"url(#cold-hatch-"));
        assert!(texts(&svg).iter().any(|text| text == COLD_LEGEND));
        // The page's picture leaves out the legend, not the hatch.
        let element = to_svg_element(&timeline, false);
        assert_eq!(count(&element, "rect", "cold"), timeline.cold.len());
        assert!(!texts(&element).iter().any(|text| text == COLD_LEGEND));

        // In milliseconds, the cold spans scale like the others.
        let in_ms = timeline.clone().in_milliseconds(10.0);
        assert_eq!(length(&in_ms.cold), length(&timeline.cold) / 10.0);
    }

    #[test]
    fn a_shared_queue_moves_tasks_and_marks_each_move() {
        let result = run(QueueLayout::Shared, Some(CACHE));
        let moves = result.summary.migrations.expect("the multiprocessor model");
        let timeline = Timeline::from_simulation("moves".into(), &result, &[]);
        assert!(!timeline.migrations.is_empty());
        assert_eq!(timeline.migrations.len() as u64, moves);
        for moved in &timeline.migrations {
            assert_eq!(moved.start, moved.end);
            // A slice of the task starts there, on the new lane, and its slice before was on another lane.
            assert!(timeline.spans.iter().any(|span| span.task == moved.task
                && span.lane == moved.lane
                && span.start == moved.start));
            let before = timeline
                .spans
                .iter()
                .filter(|span| span.task == moved.task && span.end <= moved.start)
                .max_by(|a, b| a.end.total_cmp(&b.end))
                .expect("a slice before a move");
            assert_ne!(before.lane, moved.lane);
        }

        let svg = to_svg(&timeline);
        assert_eq!(
            count(&svg, "polygon", "migration"),
            timeline.migrations.len()
        );
        assert!(svg.contains(r#"class="migration""#));
        assert!(texts(&svg).iter().any(|text| text == MIGRATION_LEGEND));
        // The names are escaped in the markers' titles.
        assert!(!svg.contains("Matrix <3>"));
        let document = roxmltree::Document::parse(&svg).unwrap();
        let titles: Vec<&str> = document
            .descendants()
            .filter(|n| n.has_tag_name("polygon") && n.attribute("class") == Some("migration"))
            .filter_map(|n| n.children().find(|c| c.has_tag_name("title")))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(titles.len(), timeline.migrations.len());
        let first = timeline.migrations[0];
        assert_eq!(
            titles[0],
            format!(
                "{} moved to CPU {} at {} ticks",
                timeline.task_name(first.task),
                first.lane + 1,
                first.start
            )
        );

        let in_ms = timeline.clone().in_milliseconds(2.0);
        assert_eq!(in_ms.migrations[0].start, first.start / 2.0);
        assert!(to_svg(&in_ms).contains(&format!(
            "moved to CPU {} at {} ms",
            first.lane + 1,
            first.start / 2.0
        )));
    }

    #[test]
    fn a_plain_simulation_has_neither() {
        let plain = run(QueueLayout::Shared, None);
        assert!(plain.summary.warm_ticks.is_empty());
        assert_eq!(plain.summary.migrations, None);
        let timeline = Timeline::from_simulation("plain".into(), &plain, &[]);
        assert!(timeline.cold.is_empty());
        assert!(timeline.migrations.is_empty());
        let svg = to_svg(&timeline);
        for absent in [
            "class=\"cold\"",
            "class=\"migration\"",
            "<pattern",
            COLD_LEGEND,
            MIGRATION_LEGEND,
        ] {
            assert!(!svg.contains(absent), "{absent}");
        }
    }
}

// --- The page's views: per task, zoomed, at any width and text size ---------------------------------------------

mod views {
    use tasklab_core::export::{svg_plot_bounds, to_svg_view, SvgView};
    use tasklab_core::sim::{simulate, Conventions, Machine, Policy, SimScenario, SimTask};
    use tasklab_core::timeline::{TaskState, TimeRange, TimeUnit, Timeline, TimelineTask};

    use super::{one_span, slice, text_extent};

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).expect("well-formed XML")
    }

    /// The `<title>`s of the `rect`s of class `class`.
    fn titles(svg: &str, class: &str) -> Vec<String> {
        parse(svg)
            .descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("class") == Some(class))
            .map(|n| {
                n.children()
                    .find(|c| c.has_tag_name("title"))
                    .and_then(|c| c.text())
                    .unwrap_or("")
                    .to_owned()
            })
            .collect()
    }

    /// Convoy: one long job then three short ones, FCFS on one CPU.
    fn convoy() -> Timeline {
        let tasks = vec![
            SimTask::cpu_only("Long report", 0, 24),
            SimTask::cpu_only("Quick fix 1", 1, 3),
            SimTask::cpu_only("Quick fix 2", 2, 3),
            SimTask::cpu_only("Quick fix 3", 3, 3),
        ];
        let result = simulate(
            &SimScenario { tasks },
            &Machine::new(1, 0),
            &Policy::Fcfs,
            &Conventions::default(),
        )
        .unwrap();
        Timeline::from_simulation("Convoy".into(), &result, &[])
    }

    #[test]
    fn by_task_each_state_has_its_class_its_shape_and_a_title_with_its_duration() {
        let timeline = convoy();
        let svg = to_svg_view(
            &timeline,
            &SvgView {
                by_task: true,
                ..SvgView::default()
            },
        );
        assert_eq!(titles(&svg, "running").len(), 4);
        assert!(titles(&svg, "slice").is_empty(), "no lane slices by task");
        let ready = titles(&svg, "ready");
        assert_eq!(
            ready,
            [
                "Quick fix 1 · ready, waiting for a CPU: 1–24 ticks (23 ticks)",
                "Quick fix 2 · ready, waiting for a CPU: 2–27 ticks (25 ticks)",
                "Quick fix 3 · ready, waiting for a CPU: 3–30 ticks (27 ticks)",
            ]
        );
        let document = parse(&svg);
        // One row label per task; ready is a hatched band, thinner than running.
        let labels: Vec<&str> = document
            .descendants()
            .filter(|n| n.attribute("class") == Some("lane-label"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(
            labels,
            ["Long report", "Quick fix 1", "Quick fix 2", "Quick fix 3"]
        );
        let height_of = |class: &str| -> f64 {
            document
                .descendants()
                .find(|n| n.has_tag_name("rect") && n.attribute("class") == Some(class))
                .and_then(|n| n.attribute("height"))
                .unwrap()
                .parse()
                .unwrap()
        };
        assert!(height_of("ready") < height_of("running"));
        assert!(svg.contains(r#"fill="url(#ready-"#) && svg.contains("<pattern id=\"ready-"));
        // The legend explains the state (and only the states drawn).
        let texts: Vec<&str> = document
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .collect();
        assert!(texts.contains(&TaskState::Ready.label()));
        assert!(!texts.contains(&TaskState::Io.label()));
        assert_eq!(
            document.root_element().attribute("aria-label"),
            Some("Convoy: timeline of 4 tasks over 33 ticks")
        );
    }

    #[test]
    fn a_zoomed_view_draws_only_its_range_with_ticks_chosen_for_it() {
        let mut timeline = one_span(100.0, TimeUnit::Milliseconds);
        timeline.spans = vec![
            slice(0, 0, 0.0, 5.0),
            slice(0, 0, 10.0, 30.0),
            slice(0, 0, 40.0, 41.0),
            slice(0, 0, 90.0, 100.0),
        ];
        let view = SvgView {
            range: Some(TimeRange {
                start: 20.0,
                end: 42.0,
            }),
            legend: false,
            ..SvgView::default()
        };
        let svg = to_svg_view(&timeline, &view);
        let drawn = titles(&svg, "slice");
        assert_eq!(drawn.len(), 2, "{drawn:?}");
        assert!(drawn[0].starts_with("Task 0 · CPU 1: 10–30 ms (20 ms)"));
        let document = parse(&svg);
        let root = document.root_element();
        assert_eq!(
            root.attribute("aria-label"),
            Some("span: timeline of 1 lane over 100 ms, showing 20–42 ms")
        );
        // The cut slice starts at the plot's left edge.
        let (left, plot_width) = svg_plot_bounds(&timeline, &view);
        let first_x: f64 = document
            .descendants()
            .find(|n| n.attribute("class") == Some("slice"))
            .and_then(|n| n.attribute("x"))
            .unwrap()
            .parse()
            .unwrap();
        assert!((first_x - left).abs() < 0.01);
        // Ticks: round, within the range, several of them.
        let axis = document
            .descendants()
            .find(|n| n.attribute("class") == Some("axis"))
            .unwrap();
        let ticks: Vec<f64> = axis
            .children()
            .filter(|n| n.has_tag_name("text") && n.attribute("class").is_none())
            .map(|n| n.text().unwrap().parse().unwrap())
            .collect();
        assert!(ticks.len() >= 3, "{ticks:?}");
        assert!(
            ticks.iter().all(|&tick| (20.0..=42.0).contains(&tick)),
            "{ticks:?}"
        );
        let step = ticks[1] - ticks[0];
        assert!([1.0, 2.0, 5.0, 10.0].contains(&step), "{ticks:?}");
        assert!(plot_width > 0.0);
    }

    #[test]
    fn pictures_stacked_on_one_clock_start_their_axes_alike() {
        let mut main_thread = one_span(100.0, TimeUnit::Milliseconds);
        main_thread.lanes = vec!["Main thread".into()];
        let mut workers = one_span(50.0, TimeUnit::Milliseconds);
        workers.lanes = vec!["Worker 1".into(), "Worker 2".into()];
        for width in [390.0, 1052.0] {
            let view = SvgView {
                width,
                font_size: 14.0,
                legend: false,
                ..SvgView::default()
            };
            assert_eq!(
                svg_plot_bounds(&main_thread, &view),
                svg_plot_bounds(&workers, &view)
            );
        }
    }

    #[test]
    fn a_narrow_zoomed_axis_still_has_two_ticks_and_exact_decimals() {
        for (start, end, unit) in [
            (117.75, 196.25, TimeUnit::Ticks),
            (0.1, 0.2, TimeUnit::Milliseconds),
            (40.0, 44.0, TimeUnit::Ticks),
        ] {
            let timeline = one_span(314.0, unit);
            let view = SvgView {
                width: 300.0,
                font_size: 18.0,
                range: Some(TimeRange { start, end }),
                by_task: false,
                legend: false,
                slices: true,
            };
            let svg = to_svg_view(&timeline, &view);
            let document = parse(&svg);
            let axis = document
                .descendants()
                .find(|n| n.attribute("class") == Some("axis"))
                .unwrap();
            let ticks: Vec<f64> = axis
                .children()
                .filter(|n| n.has_tag_name("text") && n.attribute("class").is_none())
                .map(|n| n.text().unwrap().parse().unwrap())
                .collect();
            assert!(ticks.len() >= 2, "{start}–{end}: {ticks:?}");
            // No tick label runs into the unit's label before the axis.
            let unit_end: f64 = axis
                .children()
                .find(|n| n.attribute("class") == Some("axis-unit"))
                .and_then(|n| n.attribute("x"))
                .unwrap()
                .parse()
                .unwrap();
            for label in axis
                .children()
                .filter(|n| n.has_tag_name("text") && n.attribute("class").is_none())
            {
                assert!(text_extent(&label, 18.0).0 > unit_end, "{:?}", label.text());
            }
            assert!(ticks.iter().all(|tick| (start..=end).contains(tick)));
            // Evenly spaced: the labels carry every decimal the step needs.
            let step = ticks[1] - ticks[0];
            assert!(
                ticks
                    .windows(2)
                    .all(|pair| ((pair[1] - pair[0]) - step).abs() < 1e-9),
                "{ticks:?}"
            );
        }
    }

    #[test]
    fn text_keeps_its_size_at_any_width_and_every_label_stays_in_the_picture() {
        let mut timeline = convoy();
        timeline.tasks[0].name = "A task with a rather long name indeed".into();
        // A title too long for a phone wraps (a word too long for a line is cut).
        timeline.title =
            "Prediction · First come, first served on 1 CPU(s) · Supercalifragilisticexpialidocious".into();
        for (width, font_size) in [(300.0, 14.0), (390.0, 18.0), (1400.0, 14.0)] {
            for by_task in [false, true] {
                let view = SvgView {
                    width,
                    font_size,
                    by_task,
                    legend: false,
                    range: None,
                    slices: true,
                };
                let svg = to_svg_view(&timeline, &view);
                let document = parse(&svg);
                let root = document.root_element();
                assert_eq!(root.attribute("width"), Some(width.to_string().as_str()));
                assert_eq!(
                    root.attribute("viewBox"),
                    Some(format!("0 0 {width} {}", root.attribute("height").unwrap()).as_str())
                );
                assert_eq!(
                    root.attribute("font-size"),
                    Some(font_size.to_string().as_str())
                );
                for text in document.descendants().filter(|n| n.has_tag_name("text")) {
                    let size = text
                        .attribute("font-size")
                        .map_or(font_size, |size| size.parse().unwrap());
                    assert!(size >= font_size, "{size}");
                    let (left, right) = text_extent(&text, font_size);
                    assert!(
                        left >= 0.0 && right <= width + 0.01,
                        "{width} {by_task}: {:?} spans {left}–{right}",
                        text.text()
                    );
                }
            }
        }
    }

    #[test]
    fn wide_slices_are_named_in_a_colour_that_contrasts_with_their_fill() {
        let mut timeline = convoy();
        timeline.tasks = ["Black", "Yellow", "Blue", "Green"]
            .iter()
            .zip(["#000000", "#f0e442", "#0072b2", "#009e73"])
            .map(|(name, colour)| TimelineTask {
                name: (*name).into(),
                colour: colour.into(),
                metrics: vec![],
            })
            .collect();
        let svg = to_svg_view(&timeline, &SvgView::default());
        let document = parse(&svg);
        let group = document
            .descendants()
            .find(|n| n.attribute("class") == Some("slice-labels"))
            .expect("names on the slices");
        let named: Vec<(&str, &str)> = group
            .children()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| (n.text().unwrap(), n.attribute("fill").unwrap()))
            .collect();
        assert_eq!(
            named,
            [
                ("Black", "#ffffff"),
                ("Yellow", "#000000"),
                ("Blue", "#ffffff"),
                ("Green", "#000000")
            ]
        );
    }
}
