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
