//! The scenario codecs: round trips over random valid scenarios and settings, link lengths, and every way an
//! untrusted link or JSON file can be wrong.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

#[path = "support/base64url.rs"]
mod base64url_codec;
use base64url_codec::base64url;

use std::time::{Duration, Instant};

use proptest::prelude::*;
use tasklab_core::codec::{
    decode_scenario, encode_scenario, scenario_file_from_json, scenario_file_to_json,
    scenario_from_json, scenario_to_json, CodecError, ScenarioFile, MAX_BODY_BYTES, MAX_JSON_BYTES,
    MAX_LINK_CHARS,
};
use tasklab_core::policy::PolicyKind;
use tasklab_core::predict::{PredictSettings, MAX_PREDICT_CPUS, MAX_QUANTUM, MAX_SWITCH_COST};
use tasklab_core::presets::Preset;
use tasklab_core::scenario::{
    Phase, Scenario, ScenarioError, TaskSpec, MAX_ARRIVAL_MS, MAX_CPU_SECONDS, MAX_NAME_CHARS,
    MAX_PHASES, MAX_PRIORITY, MAX_TASKS, MAX_TOTAL_WAIT_MS, MAX_UNITS_PER_PHASE, MAX_WAIT_MS,
};
use tasklab_core::settings::{
    parse_query, Mode, Placement, Settings, View, DEFAULT_COMPARE_REPEAT, MAX_SLICE_MS,
    MIN_SLICE_MS,
};
use tasklab_core::workload::WorkloadKind;

const MAX_WORKERS: u32 = 16;

// ------------------------------------------------------------------------------------------------------------
// Strategies

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        // Any Unicode scalar values, control characters and emoji included.
        proptest::collection::vec(any::<char>(), 1..=MAX_NAME_CHARS).prop_map(String::from_iter),
        "[A-Za-z][a-z ]{0,10}[0-9]{0,3}",
        "[\u{e0}-\u{ff}\u{3b1}-\u{3c9}\u{4e00}-\u{4e20}\u{1f600}-\u{1f64f}]{1,40}",
    ]
}

fn amount(max: u64) -> impl Strategy<Value = u64> {
    prop_oneof![
        1..=max,
        // Round numbers, as people type them.
        (1..=9u64, 0..=7u32).prop_map(move |(digit, zeros)| (digit * 10u64.pow(zeros)).min(max)),
        Just(max),
        Just(1),
    ]
}

fn phase() -> impl Strategy<Value = Phase> {
    prop_oneof![
        3 => (proptest::sample::select(WorkloadKind::ALL.to_vec()), amount(MAX_UNITS_PER_PHASE))
            .prop_map(|(kind, units)| Phase::Compute { kind, units }),
        1 => prop_oneof![Just(0), amount(u64::from(MAX_WAIT_MS))]
            .prop_map(|ms| Phase::Wait { ms: ms as u32 }),
    ]
}

fn task() -> impl Strategy<Value = TaskSpec> {
    (
        name(),
        proptest::collection::vec(phase(), 1..=MAX_PHASES),
        any::<bool>(),
        proptest::option::of(any::<[u8; 3]>()),
        prop_oneof![Just(0), amount(MAX_ARRIVAL_MS)],
        -MAX_PRIORITY..=MAX_PRIORITY,
    )
        .prop_map(
            |(name, phases, splittable, colour, arrival_ms, priority)| TaskSpec {
                name,
                phases,
                splittable,
                colour: colour.map(|[r, g, b]| format!("#{r:02x}{g:02x}{b:02x}")),
                arrival_ms,
                priority,
            },
        )
}

fn scenario() -> impl Strategy<Value = Scenario> {
    proptest::collection::vec(task(), 1..=MAX_TASKS)
        .prop_map(|tasks| within_scenario_totals(Scenario { tasks }))
}

/// Scales amounts down so the scenario-wide limits (total CPU work, total waiting per task) hold too; every
/// field keeps its own range, so large and odd numbers are still exercised.
fn within_scenario_totals(mut scenario: Scenario) -> Scenario {
    let seconds: f64 = scenario
        .tasks
        .iter()
        .map(TaskSpec::typical_cpu_seconds)
        .sum();
    let work_factor = (MAX_CPU_SECONDS as f64 * 0.99 / seconds).min(1.0);
    for task in &mut scenario.tasks {
        let wait_factor = (MAX_TOTAL_WAIT_MS as f64 / task.total_wait_ms().max(1) as f64).min(1.0);
        for phase in &mut task.phases {
            match phase {
                Phase::Compute { units, .. } => {
                    *units = ((*units as f64 * work_factor) as u64).max(1);
                }
                Phase::Wait { ms } => *ms = (f64::from(*ms) * wait_factor) as u32,
            }
        }
    }
    scenario
}

fn settings() -> impl Strategy<Value = Settings> {
    (
        proptest::sample::select(Preset::ALL.to_vec()),
        proptest::option::of(scenario()),
        proptest::sample::select(Mode::ALL.to_vec()),
        1..=MAX_WORKERS,
        MIN_SLICE_MS..=MAX_SLICE_MS,
        any::<bool>(),
        (
            proptest::sample::select(PolicyKind::ALL.to_vec()),
            1..=MAX_QUANTUM,
            1..=MAX_PREDICT_CPUS,
            0..=MAX_SWITCH_COST,
            any::<bool>(),
        ),
    )
        .prop_map(
            |(preset, custom, mode, workers, slice_ms, run_on_load, predict)| Settings {
                preset,
                custom,
                mode,
                workers,
                placement: Placement::Pinned,
                slice_ms,
                run_on_load,
                predict: PredictSettings {
                    policy: predict.0,
                    quantum: predict.1,
                    cpus: predict.2,
                    switch_cost: predict.3,
                    arrival_before_preempted: predict.4,
                    ostep: false,
                    mlfq_levels: None,
                    boost_ms: None,
                    aging_ms: None,
                    ..PredictSettings::default()
                },
                view: View::Main,
                compare_workers: None,
                compare_repeat: DEFAULT_COMPARE_REPEAT,
                learn: Default::default(),
            },
        )
}

// ------------------------------------------------------------------------------------------------------------
// Round trips

proptest! {
    // Scenarios run up to 64 × 64 phases, so fewer cases than usual keep debug CI fast.
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn scenario_link_scenario_is_identity(scenario in scenario()) {
        prop_assert_eq!(scenario.validate(), Ok(()));
        let link = encode_scenario(&scenario);
        prop_assert!(link.len() <= MAX_LINK_CHARS);
        prop_assert!(link.starts_with('1'));
        prop_assert!(link.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        prop_assert_eq!(decode_scenario(&link), Ok(scenario));
    }

    #[test]
    fn scenario_json_scenario_is_identity(scenario in scenario()) {
        prop_assert_eq!(scenario_from_json(&scenario_to_json(&scenario)), Ok(scenario.clone()));
        // The plain form (the model's own serde) is accepted too.
        let plain = serde_json::to_string(&scenario).unwrap();
        prop_assert_eq!(scenario_from_json(&plain), Ok(scenario));
    }

    #[test]
    fn settings_query_settings_is_identity(settings in settings()) {
        let parsed = parse_query(&settings.to_query(settings.run_on_load), MAX_WORKERS);
        prop_assert!(parsed.notices.is_empty(), "{:?}", parsed.notices);
        prop_assert_eq!(parsed.settings, settings);
    }
}

#[test]
fn every_preset_round_trips_as_a_link_as_json_and_in_settings() {
    for preset in Preset::ALL {
        let scenario = preset.scenario();
        assert_eq!(
            decode_scenario(&encode_scenario(&scenario)),
            Ok(scenario.clone())
        );
        assert_eq!(
            scenario_from_json(&scenario_to_json(&scenario)),
            Ok(scenario.clone())
        );
        for custom in [None, Some(scenario.clone())] {
            for policy in PolicyKind::ALL {
                let settings = Settings {
                    preset,
                    custom: custom.clone(),
                    predict: PredictSettings {
                        policy,
                        ..PredictSettings::default()
                    },
                    ..Settings::defaults(4)
                };
                let query = settings.to_query(false);
                assert_eq!(query.contains("&s="), custom.is_some(), "{query}");
                let parsed = parse_query(&query, 4);
                assert!(parsed.notices.is_empty(), "{:?}", parsed.notices);
                assert_eq!(parsed.settings.scenario(), scenario);
                assert_eq!(parsed.settings, settings);
            }
        }
    }
}

#[test]
fn a_file_carries_its_settings_query() {
    let file = ScenarioFile {
        scenario: Preset::TwoChefs.scenario(),
        settings_query: Some("mode=multiprocessing&policy=mlfq".to_owned()),
    };
    let json = scenario_file_to_json(&file);
    assert!(json.contains("\"tasklab\": 1"), "{json}");
    assert_eq!(scenario_file_from_json(&json), Ok(file));
}

// ------------------------------------------------------------------------------------------------------------
// Link length

/// A small deterministic generator, so the length test measures the same links every time.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        tasklab_core::workload::mix64(self.0)
    }
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

const WORDS: [&str; 24] = [
    "Render",
    "Download",
    "Compress",
    "Parse",
    "Backup",
    "Indexer",
    "Resize",
    "Encrypt",
    "Upload",
    "Thumbnail",
    "Crawler",
    "Compile",
    "Analyse",
    "Sort",
    "Shuffle",
    "Convert",
    "Logger",
    "Mailer",
    "Scanner",
    "Reader",
    "Texter",
    "Chef",
    "Baker",
    "Printer",
];

/// 50 tasks of 4 phases with 16-character names, every optional field set, sizes either arbitrary (`round` false:
/// the worst case) or typed by a person (`round` true).
fn fifty_task_scenario(seed: u64, round: bool) -> Scenario {
    let mut rng = SplitMix(seed);
    let amount = |rng: &mut SplitMix, max: u64| {
        let value = 1 + rng.below(max);
        if round {
            let digits = value.to_string().len() as u32;
            let keep = 10u64.pow(digits.saturating_sub(2));
            (value / keep * keep).max(1)
        } else {
            value
        }
    };
    let tasks = (0..50)
        .map(|index| {
            let mut word = || WORDS[rng.below(WORDS.len() as u64) as usize];
            let mut name = format!("{} {}", index + 1, word());
            while name.len() < 16 {
                name = format!("{name} {}", word().to_lowercase());
            }
            name.truncate(16);
            let phases = (0..4)
                .map(|phase| {
                    if phase % 2 == 0 {
                        Phase::Compute {
                            kind: WorkloadKind::ALL[rng.below(3) as usize],
                            units: amount(&mut rng, 200_000),
                        }
                    } else {
                        Phase::Wait {
                            ms: amount(&mut rng, 2_000) as u32,
                        }
                    }
                })
                .collect();
            TaskSpec {
                name,
                phases,
                splittable: rng.below(2) == 0,
                colour: Some(format!("#{:06x}", rng.below(1 << 24))),
                arrival_ms: amount(&mut rng, 20_000),
                priority: rng.below(21) as i64 - 10,
            }
        })
        .collect();
    Scenario { tasks }
}

#[test]
fn a_link_of_fifty_tasks_stays_near_two_thousand_characters() {
    // Every other parameter at a non-default value, run=1 too, and the page's address in front.
    let mut longest = [0usize; 2];
    for seed in 0..20 {
        for (slot, round) in [false, true].into_iter().enumerate() {
            let scenario = fifty_task_scenario(seed, round);
            scenario.validate().unwrap();
            let settings = Settings {
                preset: Preset::OneBigJob,
                custom: Some(scenario.clone()),
                mode: Mode::SingleThread,
                workers: 12,
                placement: Placement::Stealing,
                slice_ms: 17,
                run_on_load: true,
                predict: PredictSettings {
                    policy: PolicyKind::PriorityPreemptive,
                    quantum: 250,
                    cpus: 64,
                    switch_cost: 25,
                    arrival_before_preempted: false,
                    ostep: true,
                    mlfq_levels: None,
                    boost_ms: None,
                    aging_ms: None,
                    ..PredictSettings::default()
                },
                view: View::Compare,
                compare_workers: Some(vec![2, 4]),
                compare_repeat: 5,
                learn: Default::default(),
            };
            // The page's address in front for the typed sizes; the query alone for arbitrary ones.
            let address = if round {
                "https://tasklab.example.org/?"
            } else {
                ""
            };
            let url = format!("{address}{}", settings.to_query(true));
            longest[slot] = longest[slot].max(url.len());
            assert_eq!(
                parse_query(&settings.to_query(true), 16).settings.custom,
                Some(scenario)
            );
        }
    }
    println!(
        "50 tasks × 4 phases, 16-char names, random colours, arrivals and priorities, every setting changed: \
         longest query {} chars with arbitrary 1–6 digit sizes; longest full URL {} chars with sizes of two \
         significant digits (as typed)",
        longest[0], longest[1]
    );
    // The comparison's parameters (view, compare_workers, compare_repeat) add about 55 characters to the
    // arbitrary sizes' 1,990; the URL as people type sizes stays under 1,800.
    assert!(longest[0] < 2_100, "{longest:?}");
    assert!(longest[1] < 1_800, "{longest:?}");
}

// ------------------------------------------------------------------------------------------------------------
// Bad links

/// A version-1 link whose payload is `flags` then `body`, as they are (no compression applied).
fn link(flags: u8, body: &[u8]) -> String {
    let mut payload = vec![flags];
    payload.extend_from_slice(body);
    format!("1{}", base64url(&payload))
}

fn varint(mut value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
    out
}

/// The body of one task `a` with one phase of 1 primes unit, after a task count of 1.
fn one_task_body() -> Vec<u8> {
    // count 1, name "a", flags (1 phase), arrival 0, priority 0, phase word of 1 unit of primes.
    vec![1, 1, b'a', 1 << 2, 0, 0, (1 << 3) | 1]
}

fn expect_error(link: &str) -> CodecError {
    let error = decode_scenario(link).expect_err(link);
    let message = error.to_string();
    assert!(message.len() < 300, "{message}");
    error
}

#[test]
fn the_hand_made_body_is_what_the_encoder_writes() {
    let scenario = Scenario {
        tasks: vec![TaskSpec {
            name: "a".to_owned(),
            phases: vec![Phase::Compute {
                kind: WorkloadKind::Primes,
                units: 1,
            }],
            splittable: false,
            colour: None,
            arrival_ms: 0,
            priority: 0,
        }],
    };
    assert_eq!(encode_scenario(&scenario), link(0, &one_task_body()));
    assert_eq!(decode_scenario(&link(0, &one_task_body())), Ok(scenario));
}

#[test]
fn empty_and_overlong_links() {
    assert_eq!(expect_error(""), CodecError::Empty);
    assert_eq!(expect_error(" \n\t"), CodecError::Empty);
    let long = format!("1{}", "A".repeat(MAX_LINK_CHARS));
    assert!(matches!(
        expect_error(&long),
        CodecError::LinkTooLong { .. }
    ));
    let huge = "A".repeat(50 << 20);
    let started = Instant::now();
    assert!(matches!(
        expect_error(&huge),
        CodecError::LinkTooLong { .. }
    ));
    // Rejected on its length alone, before reading it.
    assert!(
        started.elapsed() < Duration::from_millis(50),
        "{:?}",
        started.elapsed()
    );
    let parsed = parse_query(&format!("s={}", &huge[..4 << 20]), 4);
    assert_eq!(parsed.settings.custom, None);
    assert!(parsed.notices[0].message.contains("at most"));
    assert!(parsed.notices[0].message.len() < 300);
}

#[test]
fn unknown_versions_say_so() {
    for bad in ["2AAAA", "0", "AAAAA", "\u{1f4a5}AAA", "%31AAA"] {
        let error = expect_error(bad);
        assert!(
            matches!(error, CodecError::UnknownVersion { .. }),
            "{bad}: {error}"
        );
        assert!(error.to_string().contains("newer tasklab"));
    }
}

#[test]
fn characters_outside_base64url_are_named_with_their_position() {
    let error = expect_error("1AB+C");
    assert_eq!(error.to_string(), "the scenario link has \u{201c}+\u{201d} at character 4; only A–Z, a–z, 0–9, - and _ are allowed");
    assert!(matches!(
        expect_error("1AB=="),
        CodecError::NotBase64Url { position: 4, .. }
    ));
    assert!(matches!(
        expect_error("1A\u{e9}B"),
        CodecError::NotBase64Url { position: 3, .. }
    ));
    assert!(matches!(
        expect_error("1A B"),
        CodecError::NotBase64Url { position: 3, .. }
    ));
}

#[test]
fn links_cut_short_say_where() {
    assert_eq!(
        expect_error("1"),
        CodecError::Truncated {
            reading: "the header"
        }
    );
    assert_eq!(
        expect_error("1AAAAA"),
        CodecError::Truncated {
            reading: "the base64url text"
        }
    );
    let body = one_task_body();
    for cut in 0..body.len() {
        let error = expect_error(&link(0, &body[..cut]));
        assert!(
            matches!(error, CodecError::Truncated { .. }),
            "cut {cut}: {error}"
        );
        assert!(error.to_string().contains("cut short"));
    }
    // Every prefix of a real link fails cleanly (the deflated ones included).
    let real = encode_scenario(&Preset::ReadingWhileTexting.scenario());
    for cut in 0..real.len() {
        assert!(decode_scenario(&real[..cut]).is_err(), "{cut}");
    }
}

#[test]
fn damaged_links_say_what_is_damaged() {
    let mut body = one_task_body();
    let cases: Vec<(String, &str)> = vec![
        ("1AB".to_owned(), "stray bits"),
        (link(2, &body), "unknown header flags"),
        (
            link(1, &[0xff, 0xff, 0xff, 0xff]),
            "compressed data is corrupt",
        ),
        (
            {
                let mut b = body.clone();
                b.push(0);
                link(0, &b)
            },
            "1 unexpected bytes",
        ),
        (
            {
                let mut b = body.clone();
                b[2] = 0xff;
                link(0, &b)
            },
            "not valid UTF-8",
        ),
        (link(0, &[0xff; 11]), "too large"),
        (
            {
                body[6] = 0xff;
                body.extend([0xff; 8]);
                body.push(0x01);
                link(0, &body)
            },
            "is too large",
        ),
    ];
    for (bad, expected) in cases {
        let error = expect_error(&bad);
        assert!(
            matches!(error, CodecError::Damaged { .. }),
            "{bad}: {error}"
        );
        assert!(error.to_string().contains(expected), "{bad}: {error}");
    }
}

#[test]
fn claimed_counts_above_the_limits_fail_before_allocating() {
    let started = Instant::now();
    let error = expect_error(&link(0, &varint(1 << 40)));
    assert_eq!(
        error.to_string(),
        "the scenario link claims 1099511627776 tasks; at most 64 are allowed"
    );
    let error = expect_error(&link(0, &varint(u64::MAX)));
    assert!(matches!(error, CodecError::Oversized { .. }));
    let mut long_name = vec![1];
    long_name.extend(varint(1 << 40));
    assert!(expect_error(&link(0, &long_name))
        .to_string()
        .contains("bytes in the name of task 1"));
    let mut many_phases = vec![1, 1, b'a', 63 << 2];
    many_phases.extend(varint(1 << 40));
    assert!(expect_error(&link(0, &many_phases))
        .to_string()
        .contains("phases in task 1"));
    let mut long_wait = vec![1, 1, b'a', 1 << 2, 0, 0];
    long_wait.extend(varint((1 << 35) << 5));
    assert!(expect_error(&link(0, &long_wait))
        .to_string()
        .contains("ms of wait"));
    assert!(started.elapsed() < Duration::from_millis(100));
}

#[test]
fn a_deflate_bomb_stops_at_the_body_limit() {
    let bomb = miniz_oxide::deflate::compress_to_vec(&vec![0u8; 8 << 20], 10);
    let bad = link(1, &bomb);
    assert!(bad.len() < MAX_LINK_CHARS, "{}", bad.len());
    let started = Instant::now();
    assert_eq!(
        expect_error(&bad),
        CodecError::InflatedTooLarge {
            max: MAX_BODY_BYTES
        }
    );
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn decodable_but_invalid_scenarios_name_the_broken_limit() {
    assert_eq!(
        expect_error(&link(0, &[0])),
        CodecError::InvalidScenario(ScenarioError::NoTasks)
    );
    let mut zero_units = one_task_body();
    zero_units[6] = 1; // 0 units of primes
    let error = expect_error(&link(0, &zero_units));
    assert_eq!(
        error.to_string(),
        "invalid scenario: task 1, phase 1: 0 units; between 1 and 5000000 are allowed"
    );
    let mut no_name = one_task_body();
    no_name.splice(1..3, [0]);
    assert_eq!(
        expect_error(&link(0, &no_name)),
        CodecError::InvalidScenario(ScenarioError::Name { task: 1 })
    );
}

// ------------------------------------------------------------------------------------------------------------
// Bad JSON

#[test]
fn bad_json_is_named() {
    let valid = scenario_to_json(&Preset::TwoChefs.scenario());
    let cases: Vec<(String, &str)> = vec![
        ("".to_owned(), "EOF"),
        (
            "{\"tasks\": [], \"extra\": 1}".to_owned(),
            "unknown field `extra`",
        ),
        (
            valid.replace("\"units\"", "\"unitz\""),
            "unknown field `unitz`",
        ),
        (
            valid.replace("\"compute\"", "\"sleep\""),
            "unknown variant `sleep`",
        ),
        (valid.replace("\"tasklab\": 1,", ""), "needs \"tasklab\": 1"),
        ("{\"tasklab\": 1}".to_owned(), "needs a \"scenario\""),
        ("{}".to_owned(), "expected"),
        ("[1, 2]".to_owned(), "invalid type"),
        (
            "{\"tasks\": [{\"name\": \"a\", \"phases\": [{\"type\": \"wait\", \"ms\": -1}]}]}"
                .to_owned(),
            "invalid value",
        ),
        (
            format!(
                "{{\"tasks\": [{}]}}",
                vec!["{\"name\": \"a\", \"phases\": []}"; MAX_TASKS + 1].join(",")
            ),
            "at most 64",
        ),
        ("[".repeat(10_000), "invalid type"),
        (
            format!(
                "{{\"tasks\": [{{\"name\": \"a\", \"phases\": [{{\"x\": {}",
                "[".repeat(100_000)
            ),
            "recursion limit",
        ),
    ];
    for (bad, expected) in cases {
        let error = scenario_from_json(&bad).expect_err(&bad);
        assert!(matches!(error, CodecError::Json { .. }), "{error}");
        assert!(
            error.to_string().contains(expected),
            "{error} (expected {expected})"
        );
        assert!(error.to_string().len() < 300);
    }
    assert_eq!(
        scenario_from_json(&valid.replace("\"tasklab\": 1", "\"tasklab\": 2")),
        Err(CodecError::UnknownJsonVersion { found: 2 })
    );
    assert_eq!(
        scenario_from_json("{\"tasks\": []}"),
        Err(CodecError::InvalidScenario(ScenarioError::NoTasks))
    );
    let mut coloured = Preset::TwoChefs.scenario();
    coloured.tasks[0].colour = Some("#aabbcc".to_owned());
    let upper_case = scenario_to_json(&coloured).replace("#aabbcc", "#AABBCC");
    assert_eq!(
        scenario_from_json(&upper_case),
        Err(CodecError::InvalidScenario(ScenarioError::Colour {
            task: 1
        }))
    );
    let huge = " ".repeat(MAX_JSON_BYTES + 1);
    let started = Instant::now();
    assert!(matches!(
        scenario_from_json(&huge),
        Err(CodecError::JsonTooLarge { .. })
    ));
    assert!(started.elapsed() < Duration::from_millis(100));
}
