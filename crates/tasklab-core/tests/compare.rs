//! Tests of the Compare view's pure part: worker counts, spreads, Amdahl's law and Karp–Flatt, the simulator's
//! prediction, the report's JSON and the speed-up chart (well-formed XML, classes, font sizes, escaping).
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

use tasklab_core::compare::{
    amdahl_speedup, default_worker_counts, fit_amdahl, karp_flatt, parse_worker_counts,
    predicted_speedups, serial_fraction_label, speedup_chart_svg, speedup_spread, spread,
    AmdahlFit, CompareFit, CompareReport, PredictedSpeedup, SpeedupChart, Spread,
    MAX_COMPARE_POINTS, PREDICTED_CPUS,
};
use tasklab_core::predict::{PredictSettings, UnitCosts};
use tasklab_core::presets::Preset;

/// The engine's `CHUNKS_PER_WORKER` (core cannot import the engine).
const CHUNKS_PER_WORKER: usize = 4;

#[test]
fn default_worker_counts_are_powers_of_two_then_the_hardware() {
    assert_eq!(default_worker_counts(1), [1]);
    assert_eq!(default_worker_counts(0), [1]);
    assert_eq!(default_worker_counts(2), [1, 2]);
    assert_eq!(default_worker_counts(6), [1, 2, 4, 6]);
    assert_eq!(default_worker_counts(8), [1, 2, 4, 8]);
    assert_eq!(default_worker_counts(16), [1, 2, 4, 8, 16]);
    assert_eq!(default_worker_counts(12), [1, 2, 4, 8, 12]);
    let huge = default_worker_counts(1_000);
    assert_eq!(huge.len(), MAX_COMPARE_POINTS);
    assert_eq!(huge, [1, 2, 4, 8, 16, 32, 64, 1_000]);
    assert_eq!(default_worker_counts(u32::MAX).last(), Some(&u32::MAX));
}

#[test]
fn worker_counts_parse_sorted_and_deduplicated() {
    assert_eq!(parse_worker_counts("1,2,3", 8), Ok(vec![1, 2, 3]));
    assert_eq!(parse_worker_counts(" 4, 1 ,2,4,", 8), Ok(vec![1, 2, 4]));
    assert_eq!(parse_worker_counts("16", 16), Ok(vec![16]));
    assert_eq!(
        parse_worker_counts("1,2,3,4,5,6,7,8,8", 16),
        Ok((1..=8).collect())
    );
}

#[test]
fn worker_count_errors_name_the_item() {
    let error = parse_worker_counts("1,two,4", 8).unwrap_err();
    assert!(error.contains("“two”"), "{error}");
    let error = parse_worker_counts("1,2.5", 8).unwrap_err();
    assert!(error.contains("“2.5”"), "{error}");
    let error = parse_worker_counts("1,-2", 8).unwrap_err();
    assert!(error.contains("“-2”"), "{error}");
    let error = parse_worker_counts("0,2", 8).unwrap_err();
    assert!(error.contains('0') && error.contains("1–8"), "{error}");
    let error = parse_worker_counts("1,9", 8).unwrap_err();
    assert!(error.contains('9') && error.contains("1–8"), "{error}");
    let error = parse_worker_counts("99999999999", 8).unwrap_err();
    assert!(error.contains("99999999999"), "{error}");
    let error = parse_worker_counts("1,2,3,4,5,6,7,8,9", 16).unwrap_err();
    assert!(
        error.contains('9') && error.contains("at most 8"),
        "{error}"
    );
    assert!(parse_worker_counts("", 8).is_err());
    assert!(parse_worker_counts(" , ", 8).is_err());
    // A long item is quoted shortened.
    let long = "x".repeat(500);
    let error = parse_worker_counts(&long, 8).unwrap_err();
    assert!(error.len() < 100, "{error}");
}

#[test]
fn spread_takes_median_min_and_max() {
    assert_eq!(spread(&[]), None);
    assert_eq!(spread(&[1.0, f64::NAN]), None);
    assert_eq!(spread(&[1.0, f64::INFINITY]), None);
    assert_eq!(
        spread(&[3.0, 1.0, 2.0]),
        Some(Spread {
            median: 2.0,
            min: 1.0,
            max: 3.0
        })
    );
    // Even count: the mean of the middle two.
    assert_eq!(
        spread(&[4.0, 1.0, 3.0, 10.0]),
        Some(Spread {
            median: 3.5,
            min: 1.0,
            max: 10.0
        })
    );
    assert_eq!(spread(&[7.0]).unwrap().median, 7.0);
}

#[test]
fn speedup_spread_divides_the_baseline() {
    let spread = speedup_spread(100.0, &[50.0, 40.0, 100.0]).unwrap();
    assert_eq!(spread.median, 2.0);
    assert_eq!(spread.min, 1.0);
    assert_eq!(spread.max, 2.5);
    assert_eq!(speedup_spread(100.0, &[0.0]), None);
    assert_eq!(speedup_spread(f64::NAN, &[1.0]), None);
    assert_eq!(speedup_spread(100.0, &[]), None);
}

#[test]
fn amdahl_and_karp_flatt_agree() {
    assert!((amdahl_speedup(0.0, 8.0) - 8.0).abs() < 1e-12);
    assert!((amdahl_speedup(1.0, 8.0) - 1.0).abs() < 1e-12);
    assert!((amdahl_speedup(0.1, 1.0) - 1.0).abs() < 1e-12);
    for p in [2u32, 3, 8, 64] {
        let e = karp_flatt(amdahl_speedup(0.25, f64::from(p)), p).unwrap();
        assert!((e - 0.25).abs() < 1e-12, "{p}: {e}");
    }
    assert_eq!(karp_flatt(1.0, 1), None);
    assert_eq!(karp_flatt(1.0, 0), None);
    assert_eq!(karp_flatt(0.0, 4), None);
    assert_eq!(karp_flatt(f64::NAN, 4), None);
    assert!(karp_flatt(5.0, 4).unwrap() < 0.0, "super-linear");
}

#[test]
fn fit_recovers_the_serial_fraction_of_exact_amdahl_data() {
    let points: Vec<(u32, f64)> = [1u32, 2, 4, 8]
        .iter()
        .map(|&p| (p, amdahl_speedup(0.1, f64::from(p))))
        .collect();
    let fit = fit_amdahl(&points).unwrap();
    assert!((fit.serial_fraction - 0.1).abs() < 1e-9, "{fit:?}");
    assert_eq!(fit.karp_flatt.len(), 4);
    assert_eq!(fit.karp_flatt[0], None);
    for e in &fit.karp_flatt[1..] {
        assert!((e.unwrap() - 0.1).abs() < 1e-9, "{fit:?}");
    }
}

#[test]
fn fit_of_linear_and_super_linear_speedups_is_zero() {
    let linear = fit_amdahl(&[(1, 1.0), (2, 2.0), (4, 4.0), (8, 8.0)]).unwrap();
    assert!(linear.serial_fraction.abs() < 1e-12, "{linear:?}");
    let super_linear = fit_amdahl(&[(1, 1.0), (2, 2.5), (4, 5.0)]).unwrap();
    assert_eq!(super_linear.serial_fraction, 0.0);
    assert!(super_linear.karp_flatt[1].unwrap() < 0.0);
    // No speed-up at all: everything is serial.
    let flat = fit_amdahl(&[(1, 1.0), (2, 1.0), (4, 1.0)]).unwrap();
    assert!((flat.serial_fraction - 1.0).abs() < 1e-12);
    // Slower with more workers: clamped to 1.
    let slower = fit_amdahl(&[(2, 0.5), (4, 0.4)]).unwrap();
    assert_eq!(slower.serial_fraction, 1.0);
}

#[test]
fn fit_needs_a_point_beyond_one_worker() {
    assert_eq!(fit_amdahl(&[]), None);
    assert_eq!(fit_amdahl(&[(1, 1.0)]), None);
    assert_eq!(fit_amdahl(&[(1, 1.0), (2, f64::NAN)]), None);
    assert_eq!(fit_amdahl(&[(1, 1.0), (2, 0.0)]), None);
}

fn preset_settings(preset: Preset) -> PredictSettings {
    PredictSettings {
        cpus: 1,
        ..preset.schedule()
    }
}

#[test]
fn two_chefs_predict_two_on_two_cpus() {
    let preset = Preset::TwoChefs;
    let predicted = predicted_speedups(
        &preset.scenario(),
        &UnitCosts::default(),
        &preset_settings(preset),
        CHUNKS_PER_WORKER,
        &[1, 2],
    );
    assert_eq!(
        predicted,
        [
            PredictedSpeedup {
                cpus: 1,
                speedup: 1.0
            },
            PredictedSpeedup {
                cpus: 2,
                speedup: 2.0
            }
        ]
    );
}

#[test]
fn amdahl_preset_grows_then_flattens() {
    let preset = Preset::Amdahl;
    let scenario = preset.scenario();
    let costs = UnitCosts::default();
    let predicted = predicted_speedups(
        &scenario,
        &costs,
        &preset_settings(preset),
        CHUNKS_PER_WORKER,
        &PREDICTED_CPUS,
    );
    assert_eq!(
        predicted.iter().map(|point| point.cpus).collect::<Vec<_>>(),
        PREDICTED_CPUS
    );
    let at = |cpus: u32| {
        predicted
            .iter()
            .find(|point| point.cpus == cpus)
            .unwrap()
            .speedup
    };
    assert_eq!(at(1), 1.0);
    for pair in predicted.windows(2) {
        assert!(pair[1].speedup >= pair[0].speedup, "{predicted:?}");
    }
    // Grows at first…
    assert!(at(2) > 1.5 && at(4) > at(2) * 1.3, "{predicted:?}");
    // …then flattens: four times the CPUs from 16 to 64 buy less than a fifth more.
    assert!(at(64) < at(16) * 1.2, "{predicted:?}");
    // And it follows Amdahl's law for the preset's own serial fraction (the serial phase over the whole job).
    let serial_ms = costs.cpu_ms(&tasklab_core::scenario::Scenario {
        tasks: vec![tasklab_core::scenario::TaskSpec {
            phases: scenario.tasks[0].phases[..1].to_vec(),
            ..scenario.tasks[0].clone()
        }],
    });
    let f = serial_ms / costs.cpu_ms(&scenario);
    for point in &predicted {
        let law = amdahl_speedup(f, f64::from(point.cpus));
        assert!(
            (point.speedup / law - 1.0).abs() < 0.02,
            "{} CPUs: {} against Amdahl's {law}",
            point.cpus,
            point.speedup
        );
    }
    // Nothing outside 1..=64 is simulated.
    let outside = predicted_speedups(
        &scenario,
        &costs,
        &preset_settings(preset),
        CHUNKS_PER_WORKER,
        &[0, 65],
    );
    assert!(outside.is_empty());
}

#[test]
fn one_big_job_splits_linearly_without_rounding_above_the_ideal() {
    // 100,000 units cut into 256 chunks on 64 CPUs: whole-millisecond ticks would round each chunk down and
    // predict more than 64.
    let preset = Preset::OneBigJob;
    let predicted = predicted_speedups(
        &preset.scenario(),
        &UnitCosts::default(),
        &preset_settings(preset),
        CHUNKS_PER_WORKER,
        &PREDICTED_CPUS,
    );
    assert_eq!(predicted.len(), PREDICTED_CPUS.len());
    for point in &predicted {
        let ideal = f64::from(point.cpus);
        assert!(
            point.speedup <= ideal * 1.001 && point.speedup >= ideal * 0.99,
            "{predicted:?}"
        );
    }
}

#[test]
fn report_json_has_the_published_shape() {
    let fit = fit_amdahl(&[(1, 1.0), (2, 1.9)]).unwrap();
    let report = CompareReport {
        runs: vec![serde_json::json!({"wall_ms": 10.0})],
        fit: Some(CompareFit::from(fit.clone())),
        predicted: vec![PredictedSpeedup {
            cpus: 2,
            speedup: 2.0,
        }],
        partial: false,
        workers: vec![1, 2],
        repeat: 3,
    };
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["runs"][0]["wall_ms"], 10.0);
    assert_eq!(json["fit"]["serial_fraction"], fit.serial_fraction);
    assert_eq!(json["fit"]["karp_flatt"][0], serde_json::Value::Null);
    assert!(json["fit"]["karp_flatt"][1].is_f64());
    assert_eq!(json["predicted"][0]["cpus"], 2);
    assert_eq!(json["predicted"][0]["speedup"], 2.0);
    assert_eq!(json["partial"], false);
    assert_eq!(json["workers"], serde_json::json!([1, 2]));
    assert_eq!(json["repeat"], 3);
    let back: CompareReport<serde_json::Value> = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
    let none: CompareReport<u8> = CompareReport {
        runs: vec![],
        fit: None,
        predicted: vec![],
        partial: true,
        workers: vec![1],
        repeat: 1,
    };
    assert_eq!(
        serde_json::to_value(&none).unwrap()["fit"],
        serde_json::Value::Null
    );
}

#[test]
fn serial_fraction_labels() {
    assert_eq!(serial_fraction_label(0.03), "3 %");
    assert_eq!(serial_fraction_label(0.025), "2.5 %");
    assert_eq!(serial_fraction_label(0.0), "0 %");
    assert_eq!(serial_fraction_label(0.1), "10 %");
    assert_eq!(serial_fraction_label(1.0), "100 %");
}

fn sample_chart(title: &str) -> SpeedupChart {
    let measured = vec![
        (
            1,
            Spread {
                median: 1.0,
                min: 0.97,
                max: 1.02,
            },
        ),
        (
            2,
            Spread {
                median: 1.9,
                min: 1.8,
                max: 1.95,
            },
        ),
        (
            4,
            Spread {
                median: 3.1,
                min: 2.7,
                max: 3.3,
            },
        ),
    ];
    let fit = fit_amdahl(
        &measured
            .iter()
            .map(|(workers, spread)| (*workers, spread.median))
            .collect::<Vec<_>>(),
    );
    let predicted = PREDICTED_CPUS
        .iter()
        .map(|&cpus| PredictedSpeedup {
            cpus,
            speedup: amdahl_speedup(0.2, f64::from(cpus)),
        })
        .collect();
    SpeedupChart {
        title: title.to_string(),
        measured,
        fit,
        predicted,
        hardware: 2,
    }
}

fn has_class(node: &roxmltree::Node, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|classes| classes.split_whitespace().any(|name| name == class))
}

#[test]
fn chart_is_well_formed_with_its_classes() {
    let svg = speedup_chart_svg(&sample_chart("Speed-up of Amdahl's law"));
    let document = roxmltree::Document::parse(&svg).unwrap();
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert_eq!(root.attribute("role"), Some("img"));
    for attribute in ["width", "height", "viewBox", "aria-label"] {
        assert!(root.attribute(attribute).is_some(), "{attribute}");
    }
    assert!(root
        .children()
        .any(|child| child.tag_name().name() == "title"));
    for class in [
        "ideal",
        "fit",
        "measured",
        "predicted",
        "oversubscribed",
        "hardware",
    ] {
        assert!(
            document.descendants().any(|node| has_class(&node, class)),
            "no .{class}"
        );
    }
    let measured = document
        .descendants()
        .find(|node| has_class(node, "measured"))
        .unwrap();
    let circles = |node: roxmltree::Node| {
        node.descendants()
            .filter(|child| child.tag_name().name() == "circle")
            .count()
    };
    assert_eq!(circles(measured), 3);
    // Only the point with 4 workers on 2 cores is hollow.
    let hollow: Vec<_> = measured
        .descendants()
        .filter(|node| has_class(node, "oversubscribed"))
        .collect();
    assert_eq!(hollow.len(), 1);
    assert_eq!(circles(hollow[0]), 1);
    let predicted = document
        .descendants()
        .find(|node| has_class(node, "predicted"))
        .unwrap();
    assert_eq!(
        predicted
            .descendants()
            .filter(|node| node.tag_name().name() == "rect")
            .count(),
        PREDICTED_CPUS.len()
    );
    let texts: String = document
        .descendants()
        .filter(|node| node.tag_name().name() == "text")
        .filter_map(|node| node.text())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(texts.contains("this machine: 2 cores"), "{texts}");
    assert!(texts.contains("predicted by the simulator"), "{texts}");
    assert!(texts.contains("oversubscribed"), "{texts}");
    let fit = fit_amdahl(&[(1, 1.0), (2, 1.9), (4, 3.1)]).unwrap();
    assert!(
        texts.contains(&format!(
            "Amdahl fit, serial fraction {}",
            serial_fraction_label(fit.serial_fraction)
        )),
        "{texts}"
    );
    // The x axis runs 1…64 in powers of two.
    for tick in ["1", "2", "4", "8", "16", "32", "64"] {
        assert!(texts.lines().any(|line| line == tick), "tick {tick}");
    }
}

#[test]
fn chart_text_is_never_below_14_px() {
    let svg = speedup_chart_svg(&sample_chart("Speed-up"));
    let document = roxmltree::Document::parse(&svg).unwrap();
    let mut sizes = 0;
    for node in document.descendants() {
        if let Some(size) = node.attribute("font-size") {
            sizes += 1;
            let size: f64 = size.trim_end_matches("px").parse().unwrap();
            assert!(size >= 14.0, "font-size {size}");
        }
        if node.tag_name().name() == "text" {
            // Every text gets its size from itself or an ancestor.
            assert!(node
                .ancestors()
                .any(|ancestor| ancestor.attribute("font-size").is_some()));
        }
    }
    assert!(sizes >= 1);
    assert!(!svg.contains("font-size:"), "no CSS sizes to miss");
}

#[test]
fn chart_escapes_its_title() {
    let title = "Cook <&> \"bake\" 'n' ship";
    let svg = speedup_chart_svg(&sample_chart(title));
    assert!(!svg.contains("<&>"));
    let document = roxmltree::Document::parse(&svg).unwrap();
    let root = document.root_element();
    let title_node = root
        .children()
        .find(|child| child.tag_name().name() == "title")
        .unwrap();
    assert_eq!(title_node.text(), Some(title));
    assert!(root.attribute("aria-label").unwrap().starts_with(title));
    let heading = document
        .descendants()
        .find(|node| has_class(node, "heading"))
        .unwrap();
    assert_eq!(heading.text(), Some(title));
}

#[test]
fn chart_handles_empty_and_odd_input() {
    for chart in [
        SpeedupChart {
            title: String::new(),
            measured: vec![],
            fit: None,
            predicted: vec![],
            hardware: 0,
        },
        SpeedupChart {
            title: "\u{1}\u{FFFF}".repeat(200),
            measured: vec![(
                300,
                Spread {
                    median: f64::NAN,
                    min: 0.0,
                    max: 1.0,
                },
            )],
            fit: Some(AmdahlFit {
                serial_fraction: 0.0,
                karp_flatt: vec![],
            }),
            predicted: vec![PredictedSpeedup {
                cpus: 64,
                speedup: f64::INFINITY,
            }],
            hardware: 256,
        },
    ] {
        let svg = speedup_chart_svg(&chart);
        roxmltree::Document::parse(&svg).unwrap();
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }
}
