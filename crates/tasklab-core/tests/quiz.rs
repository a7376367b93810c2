//! Quizzes: the same link gives the same question (pinned JSON, so a wasm build can be compared), levels keep
//! their bounds, grading marks right answers right and wrong ones wrong (generated questions and the textbook
//! examples of `sim/examples.rs`), and result codes round-trip while altered ones are refused.
//!
//! The same file runs natively (`cargo test -p tasklab-core --test quiz`) and in a browser
//! (`wasm-pack test --headless --chrome crates/tasklab-core`), where `#[test]` is wasm-bindgen-test's; the
//! property tests are native only (proptest does not build for the browser).

use serde_json::{json, Value};
use tasklab_core::policy::PolicyKind;
use tasklab_core::quiz::{
    grade, parse_count, parse_level, verify_code, Answers, CodedAnswer, Quiz, QuizError,
    QuizOptions, QuizParams, QuizQuestion, QuizSeed, ResultCode,
};
use tasklab_core::sim::{
    run_input_json, Burst, Machine, Policy, SimError, SimInput, SimTask, SliceKind,
};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// `quiz=monday`'s seed: the FNV-1a 64 hash of the word.
const MONDAY: u64 = 114_449_842_370_127_641;

/// (seed, level, index) → the question's CLI input, and its completions. Written by the native build; the wasm
/// build must give the same.
const PINNED: [(u64, u8, usize, &str, [u64; 4]); 4] = [
    (
        1,
        1,
        0,
        r#"{"tasks":[{"name":"A","arrival":0,"priority":0,"bursts":[{"cpu":1}]},{"name":"B","arrival":0,"priority":0,"bursts":[{"cpu":8}]},{"name":"C","arrival":0,"priority":0,"bursts":[{"cpu":6}]}],"machine":{"cpus":1,"switch_cost":0},"policy":{"kind":"fcfs"},"conventions":{"arrival_before_preempted":true}}"#,
        [1, 9, 15, 0],
    ),
    (
        MONDAY,
        2,
        0,
        r#"{"tasks":[{"name":"A","arrival":0,"priority":4,"bursts":[{"cpu":7}]},{"name":"B","arrival":5,"priority":4,"bursts":[{"cpu":2}]},{"name":"C","arrival":6,"priority":4,"bursts":[{"cpu":7}]},{"name":"D","arrival":6,"priority":5,"bursts":[{"cpu":1}]}],"machine":{"cpus":1,"switch_cost":0},"policy":{"kind":"priority","preemptive":false,"higher_number_is_higher":false},"conventions":{"arrival_before_preempted":true}}"#,
        [7, 9, 16, 17],
    ),
    (
        2024,
        3,
        0,
        r#"{"tasks":[{"name":"A","arrival":0,"priority":0,"bursts":[{"cpu":2},{"io":3},{"cpu":2}]},{"name":"B","arrival":0,"priority":0,"bursts":[{"cpu":6}]},{"name":"C","arrival":0,"priority":0,"bursts":[{"cpu":2},{"io":4},{"cpu":1}]},{"name":"D","arrival":1,"priority":0,"bursts":[{"cpu":4},{"io":1},{"cpu":2}]}],"machine":{"cpus":2,"switch_cost":0},"policy":{"kind":"sjf"},"conventions":{"arrival_before_preempted":true}}"#,
        [9, 8, 7, 10],
    ),
    (
        7,
        3,
        4,
        r#"{"tasks":[{"name":"A","arrival":0,"priority":0,"bursts":[{"cpu":3},{"io":3},{"cpu":3}]},{"name":"B","arrival":2,"priority":0,"bursts":[{"cpu":6}]},{"name":"C","arrival":4,"priority":0,"bursts":[{"cpu":1}]},{"name":"D","arrival":6,"priority":0,"bursts":[{"cpu":1}]}],"machine":{"cpus":2,"switch_cost":0},"policy":{"kind":"rr","quantum":3},"conventions":{"arrival_before_preempted":true}}"#,
        [9, 8, 5, 9],
    ),
];

fn right_answers(question: &QuizQuestion) -> Answers {
    Answers {
        completions: question
            .solution()
            .completions
            .iter()
            .map(|task| Some(task.completion))
            .collect(),
        gantt: None,
    }
}

/// The true chart as the student would paint it: the running task's index, or empty.
fn painted_truth(question: &QuizQuestion) -> Vec<Vec<Option<u32>>> {
    question
        .solution()
        .gantt
        .cells
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    SliceKind::Task(task) => Some(*task),
                    SliceKind::Switch(_) | SliceKind::Idle => None,
                })
                .collect()
        })
        .collect()
}

/// A row of the true chart as letters (`.` idle).
fn row_letters(question: &QuizQuestion, cpu: usize) -> String {
    question.solution().gantt.cells[cpu]
        .iter()
        .map(|cell| match cell {
            SliceKind::Task(task) => char::from(b'A' + *task as u8),
            SliceKind::Switch(_) => 's',
            SliceKind::Idle => '.',
        })
        .collect()
}

fn task(name: &str, arrival: u64, priority: i64, run: u64) -> SimTask {
    SimTask {
        name: name.to_owned(),
        arrival,
        priority,
        bursts: vec![Burst::Cpu(run)],
        ..SimTask::default()
    }
}

fn known(tasks: Vec<SimTask>, policy: Policy) -> QuizQuestion {
    QuizQuestion::from_input(SimInput {
        tasks,
        policy: Some(policy),
        ..SimInput::default()
    })
    .expect("a textbook example is a valid quiz")
}

#[test]
fn the_same_link_gives_the_same_question_and_pinned_json() {
    assert_eq!(QuizSeed::parse("monday").value, MONDAY);
    for (seed, level, index, input, completions) in PINNED {
        let question = Quiz::generate(seed, level, index, &QuizOptions::default());
        assert_eq!(
            question,
            Quiz::generate(seed, level, index, &QuizOptions::default())
        );
        let json = serde_json::to_string(question.input()).expect("serialises");
        assert_eq!(json, input, "seed {seed}, level {level}, question {index}");
        let expected: Vec<u64> = question
            .solution()
            .completions
            .iter()
            .map(|task| task.completion)
            .collect();
        assert_eq!(expected, completions[..expected.len()]);
        // The `input` is the CLI's format: running it as the CLI does gives the same completions.
        let output = run_input_json(question.input_json()).expect("the CLI runs it");
        let cli: Vec<u64> = output.result.tasks.iter().map(|t| t.completion).collect();
        assert_eq!(cli, expected);
    }
    // Through a link: question k of `count` is question k of the seed, whatever the count.
    let link = QuizParams::parse_query("view=quiz&quiz=7&level=3&count=5").params;
    assert_eq!(
        Quiz::new(link).question(4),
        Quiz::generate(7, 3, 4, &QuizOptions::default())
    );
}

#[test]
fn the_true_chart_is_the_trace_cell_by_cell() {
    let question = Quiz::generate(7, 3, 4, &QuizOptions::default());
    assert_eq!(question.cpus(), 2);
    assert_eq!(row_letters(&question, 0), "AAA.C.AAA");
    assert_eq!(row_letters(&question, 1), "..BBBBBBD");
    assert_eq!(question.solution().gantt.cell(1, 8), SliceKind::Task(3));
    assert_eq!(question.solution().gantt.cell(5, 100), SliceKind::Idle);
    assert!(question.paint_ticks() >= 9 && question.paint_ticks() <= 40);
}

#[test]
fn overrides_change_the_rules_but_not_the_tasks() {
    let plain = Quiz::generate(MONDAY, 2, 0, &QuizOptions::default());
    let options = QuizOptions {
        policy: Some(PolicyKind::RoundRobin),
        quantum: Some(2),
        cpus: Some(2),
    };
    let overridden = Quiz::generate(MONDAY, 2, 0, &options);
    let without_priorities = |input: &SimInput| -> Vec<Vec<Burst>> {
        input.tasks.iter().map(|task| task.bursts.clone()).collect()
    };
    assert_eq!(
        without_priorities(plain.input()),
        without_priorities(overridden.input())
    );
    assert_eq!(
        overridden.input().policy,
        Some(Policy::RoundRobin { quantum: 2 })
    );
    assert_eq!(overridden.input().machine, Some(Machine::new(2, 0)));
    // Priorities are written only for a policy that reads them.
    assert!(overridden.input().tasks.iter().all(|t| t.priority == 0));
    assert!(plain.input().tasks.iter().any(|t| t.priority != 0));
}

#[test]
fn seeds_levels_and_counts_are_read_from_any_text() {
    assert_eq!(QuizSeed::parse(" 42 ").value, 42);
    assert_eq!(QuizSeed::parse("42").text, "42");
    assert_ne!(QuizSeed::parse("Monday").value, MONDAY);
    // Beyond u64: text, hashed.
    let huge = QuizSeed::parse("18446744073709551616");
    assert_ne!(huge.value, u64::MAX);
    assert_eq!(parse_level("2"), (2, None));
    for (text, used) in [
        ("0", 1),
        ("7", 3),
        ("99999999999999999999999", 3),
        ("hard", 1),
        ("", 1),
    ] {
        let (level, notice) = parse_level(text);
        assert_eq!(level, used, "{text}");
        assert!(
            matches!(notice, Some(QuizError::BadParameter { field: "level", .. })),
            "{text}"
        );
    }
    assert_eq!(parse_count("10"), (10, None));
    assert_eq!(parse_count("11").0, 10);
    assert_eq!(parse_count("-3").0, 1);
    assert!(parse_count("many").1.is_some());
}

#[test]
fn a_link_round_trips_and_bad_values_leave_notices() {
    let parsed = QuizParams::parse_query(
        "?view=quiz&quiz=week%203&level=3&count=5&policy=mlfq&quantum=2&cpus=1&preset=convoy",
    );
    assert!(parsed.notices.is_empty(), "{:?}", parsed.notices);
    assert!(parsed.seed_given);
    let params = &parsed.params;
    assert_eq!(params.seed.text, "week 3");
    assert_eq!(params.seed.value, QuizSeed::parse("week 3").value);
    assert_eq!((params.level, params.count), (3, 5));
    assert_eq!(params.options.policy, Some(PolicyKind::Mlfq));
    assert_eq!(params.options.quantum, Some(2));
    assert_eq!(params.options.cpus, Some(1));
    let again = QuizParams::parse_query(&params.to_query());
    assert_eq!(&again.params, params);
    assert!(again.notices.is_empty());

    let bad =
        QuizParams::parse_query("quiz=&level=9&count=x&policy=lottery&quantum=0&cpus=65&code=tl-1");
    assert!(!bad.seed_given);
    assert_eq!(bad.code.as_deref(), Some("tl-1"));
    let fields: Vec<String> = bad
        .notices
        .iter()
        .map(|notice| match notice {
            QuizError::BadParameter { field, .. } => (*field).to_owned(),
            other => other.to_string(),
        })
        .collect();
    assert_eq!(fields, ["level", "count", "policy", "quantum", "cpus"]);
    assert_eq!((bad.params.level, bad.params.count), (3, 1));
    assert_eq!(bad.params.options, QuizOptions::default());
    assert!(bad.notices[0]
        .to_string()
        .starts_with("level: \u{201c}9\u{201d}"));
}

#[test]
fn grading_marks_right_answers_right_and_a_wrong_one_wrong() {
    let question = Quiz::generate(2024, 3, 0, &QuizOptions::default());
    let right = right_answers(&question);
    let graded = grade(&question, &right);
    assert_eq!((graded.score, graded.max_score), (4, 4));
    assert!(graded.tasks.iter().all(|task| task.correct));
    assert!(graded.all_right());
    assert_eq!(graded.first_wrong_tick, None);

    // C really ends at 7; the student says 8, and leaves D blank.
    let mut wrong = right.clone();
    wrong.completions[2] = Some(8);
    wrong.completions[3] = None;
    let graded = grade(&question, &wrong);
    assert_eq!((graded.score, graded.max_score), (2, 4));
    let marks: Vec<bool> = graded.tasks.iter().map(|task| task.correct).collect();
    assert_eq!(marks, [true, true, false, false]);
    assert_eq!(graded.tasks[2].expected, 7);
    assert_eq!(graded.tasks[2].answer, Some(8));
    assert_eq!(graded.tasks[3].expected, 10);
    // C ends at 7 and the student thought it still ran: they disagree from there.
    assert_eq!(graded.first_wrong_tick, Some(7));

    // Too few answers: the missing ones are blank.
    let graded = grade(
        &question,
        &Answers {
            completions: vec![Some(9)],
            gantt: None,
        },
    );
    assert_eq!(graded.score, 1);
}

#[test]
fn a_painted_chart_is_graded_cell_by_cell() {
    let question = Quiz::generate(7, 3, 4, &QuizOptions::default());
    let mut answers = right_answers(&question);
    let mut painted = painted_truth(&question);
    answers.gantt = Some(painted.clone());
    let graded = grade(&question, &answers);
    let gantt = graded.gantt.as_ref().expect("graded chart");
    assert_eq!((gantt.cells, gantt.right), (18, 18));
    assert!(gantt.mismatches.is_empty());
    assert_eq!(graded.first_wrong_tick, None);

    // The student runs C at tick 3 on CPU 0 (it arrives at 4) and paints one tick past the end on CPU 1.
    painted[0][3] = Some(2);
    painted[1].extend([None, Some(3)]);
    answers.gantt = Some(painted);
    let graded = grade(&question, &answers);
    let gantt = graded.gantt.as_ref().expect("graded chart");
    assert_eq!(gantt.cells, 22);
    assert_eq!(gantt.right, 20);
    let wrong: Vec<(u32, u64, SliceKind, Option<u32>)> = gantt
        .mismatches
        .iter()
        .map(|m| (m.cpu, m.tick, m.expected, m.painted))
        .collect();
    assert_eq!(
        wrong,
        [
            (0, 3, SliceKind::Idle, Some(2)),
            (1, 10, SliceKind::Idle, Some(3))
        ]
    );
    // The completions are right, so the score is; the chart points at tick 3 for the step-through.
    assert_eq!(graded.score, graded.max_score);
    assert_eq!(graded.first_wrong_tick, Some(3));
    assert!(!graded.all_right());
}

#[test]
fn textbook_examples_grade_as_their_known_answers() {
    // Silberschatz et al.: FCFS convoy, RR q = 4 on it, SJF and SRTF.
    let convoy = || {
        vec![
            task("P1", 0, 0, 24),
            task("P2", 0, 0, 3),
            task("P3", 0, 0, 3),
        ]
    };
    let sjf_tasks = vec![
        task("P1", 0, 0, 6),
        task("P2", 0, 0, 8),
        task("P3", 0, 0, 7),
        task("P4", 0, 0, 3),
    ];
    let srtf_tasks = vec![
        task("P1", 0, 0, 8),
        task("P2", 1, 0, 4),
        task("P3", 2, 0, 9),
        task("P4", 3, 0, 5),
    ];
    let cases: [(QuizQuestion, Vec<u64>); 4] = [
        (known(convoy(), Policy::Fcfs), vec![24, 27, 30]),
        (
            known(convoy(), Policy::RoundRobin { quantum: 4 }),
            vec![30, 7, 10],
        ),
        (known(sjf_tasks, Policy::Sjf), vec![9, 24, 16, 3]),
        (known(srtf_tasks, Policy::Srtf), vec![17, 5, 26, 10]),
    ];
    for (question, completions) in &cases {
        assert_eq!(question.origin(), None);
        let answers = Answers {
            completions: completions.iter().map(|&c| Some(c)).collect(),
            gantt: Some(painted_truth(question)),
        };
        let graded = grade(question, &answers);
        assert_eq!(graded.score as usize, completions.len());
        assert!(graded.all_right(), "{:?}", graded.first_wrong_tick);
        // One wrong answer: the last task's, one tick late.
        let mut late = answers.clone();
        let last = completions.len() - 1;
        late.completions[last] = Some(completions[last] + 1);
        let graded = grade(question, &late);
        assert_eq!(graded.score as usize, completions.len() - 1);
        assert!(!graded.tasks[last].correct);
        assert_eq!(graded.tasks[last].expected, completions[last]);
        assert_eq!(graded.first_wrong_tick, Some(completions[last]));
    }
    // SRTF's chart: P1 is preempted by P2 at 1 and comes back after P4.
    assert_eq!(row_letters(&cases[3].0, 0), "ABBBBDDDDDAAAAAAACCCCCCCCC");
}

#[test]
fn known_inputs_beyond_a_hand_exercise_are_refused() {
    let many = (0..27).map(|i| task(&format!("T{i}"), 0, 0, 1)).collect();
    assert!(matches!(
        QuizQuestion::from_input(SimInput {
            tasks: many,
            ..SimInput::default()
        }),
        Err(QuizError::TooLarge { .. })
    ));
    let long = vec![task("A", 0, 0, 1_000_000_000)];
    assert!(matches!(
        QuizQuestion::from_input(SimInput {
            tasks: long,
            policy: Some(Policy::RoundRobin { quantum: 1 }),
            ..SimInput::default()
        }),
        Err(QuizError::TooLarge { .. })
    ));
    assert_eq!(
        QuizQuestion::from_input(SimInput::default()),
        Err(QuizError::Refused(SimError::EmptyScenario))
    );
}

#[test]
fn the_report_has_input_expected_answers_and_score() {
    let question = Quiz::generate(MONDAY, 2, 0, &QuizOptions::default());
    let mut answers = right_answers(&question);
    answers.completions[1] = Some(10);
    let report = grade(&question, &answers).to_report_json();
    let input: Value = serde_json::from_str(PINNED[1].3).expect("pinned JSON");
    assert_eq!(report["input"], input);
    assert_eq!(
        report["expected"],
        json!([
            {"name": "A", "completion": 7},
            {"name": "B", "completion": 9},
            {"name": "C", "completion": 16},
            {"name": "D", "completion": 17}
        ])
    );
    assert_eq!(
        report["answers"][1],
        json!({"name": "B", "completion": 10, "correct": false})
    );
    assert_eq!(report["score"], 3);
    assert_eq!(report["max_score"], 4);
    assert_eq!(report["first_wrong_tick"], 9);
    assert_eq!(report["gantt"], Value::Null);
    assert_eq!(
        report["quiz"],
        json!({"seed": MONDAY, "level": 2, "index": 0})
    );
    // As a string (what the page publishes), it reads back, and its input runs in the CLI.
    let text = report.to_string();
    let back: Value = serde_json::from_str(&text).expect("JSON");
    assert!(run_input_json(back["input"].clone()).is_ok());
}

fn set_answers(params: &QuizParams, wrong_in_first: usize) -> Vec<Answers> {
    let mut answers: Vec<Answers> = Quiz::new(params.clone())
        .questions()
        .iter()
        .map(right_answers)
        .collect();
    for answer in answers[0].completions.iter_mut().take(wrong_in_first) {
        *answer = answer.map(|tick| tick + 1);
    }
    answers
}

#[test]
fn result_codes_round_trip_and_verify() {
    let params = QuizParams::parse_query("quiz=monday&level=1&count=5").params;
    let answers = set_answers(&params, 1);
    let code = ResultCode::new(&params, &answers).expect("five sets");
    let text = code.to_string();
    assert_eq!(text, "TL-14-5-238X8PC30RTC5HR467-5EN47T");
    assert_eq!(ResultCode::parse(&text), Ok(code.clone()));
    let graded: u32 = Quiz::new(params.clone())
        .questions()
        .iter()
        .zip(&answers)
        .map(|(question, answers)| grade(question, answers).score)
        .sum();
    assert_eq!(code.score(), graded);
    let verified = verify_code(&text, &params).expect("the code of this link");
    assert_eq!(
        (verified.score, verified.max_score, verified.count),
        (14, 15, 5)
    );
    assert_eq!(verified.questions[0].score, 2);
    assert!(!verified.questions[0].answers[0].correct);
    assert_eq!(
        verified.questions[0].answers[0].answer,
        CodedAnswer::Value(verified.questions[0].answers[0].expected + 1)
    );
    // Typed by hand: lower case, spaces, O for 0.
    let typed = " tl-14-5-238x8pc3oRTC5HR467-5en47t ";
    assert_eq!(verify_code(typed, &params), Ok(verified));

    // Blank and out-of-range answers survive as such.
    let mut odd = set_answers(&params, 0);
    odd[1].completions[0] = None;
    odd[2].completions[0] = Some(0);
    odd[3].completions[0] = Some(500);
    let code = ResultCode::new(&params, &odd).expect("five sets");
    let verified = verify_code(&code.to_string(), &params).expect("valid");
    assert_eq!(verified.score, 12);
    let firsts: Vec<CodedAnswer> = verified.questions[1..4]
        .iter()
        .map(|q| q.answers[0].answer)
        .collect();
    assert_eq!(
        firsts,
        [CodedAnswer::Blank, CodedAnswer::Other, CodedAnswer::Other]
    );
    assert_eq!(
        ResultCode::new(&params, &odd[..4]),
        Err(QuizError::AnswerSets {
            given: 4,
            questions: 5
        })
    );
}

#[test]
fn altered_or_foreign_codes_are_refused() {
    let params = QuizParams::parse_query("quiz=monday&level=1&count=5").params;
    let text = ResultCode::new(&params, &set_answers(&params, 1))
        .expect("five sets")
        .to_string();
    assert_eq!(text, "TL-14-5-238X8PC30RTC5HR467-5EN47T");
    // A higher score typed over the real one.
    assert_eq!(
        verify_code("TL-15-5-238X8PC30RTC5HR467-5EN47T", &params),
        Err(QuizError::ChecksumMismatch)
    );
    // One answer character changed.
    assert_eq!(
        verify_code("TL-14-5-238X8PC30RTC5HR468-5EN47T", &params),
        Err(QuizError::ChecksumMismatch)
    );
    // The check changed.
    assert_eq!(
        verify_code("TL-14-5-238X8PC30RTC5HR467-5EN47V", &params),
        Err(QuizError::ChecksumMismatch)
    );
    // Another link: another seed, level, policy, or count.
    for other in [
        "quiz=tuesday&level=1&count=5",
        "quiz=monday&level=1&count=5&policy=sjf",
        "quiz=monday&level=1&count=5&cpus=2",
    ] {
        let other = QuizParams::parse_query(other).params;
        assert_eq!(verify_code(&text, &other), Err(QuizError::ChecksumMismatch));
    }
    let level_2 = QuizParams::parse_query("quiz=monday&level=2&count=5").params;
    assert!(matches!(
        verify_code(&text, &level_2),
        Err(QuizError::AnswerCountMismatch { code: 15, .. })
    ));
    let four = QuizParams::parse_query("quiz=monday&level=1&count=4").params;
    assert_eq!(
        verify_code(&text, &four),
        Err(QuizError::CountMismatch { code: 5, link: 4 })
    );
    // Cut short where the length still decodes: too few answers for the link.
    assert!(matches!(
        verify_code("TL-14-5-238X8PC30RTC5HR46-5EN47T", &params),
        Err(QuizError::AnswerCountMismatch { code: 14, link: 15 })
    ));
    // Not codes at all.
    for garbage in [
        "",
        "hello",
        "TL-14-5-238X8PC30RTC5HR467",
        "XX-14-5-238X8PC30RTC5HR467-5EN47T",
        "TL-a-5-238X8PC30RTC5HR467-5EN47T",
        "TL-14-11-238X8PC30RTC5HR467-5EN47T",
        "TL-14-5-238X8PC30RTC5HR46U-5EN47T",
        "TL-14-5-238X8PC30RTC5-5EN47T",
        "TL-14-5-238X8PC30RTC5HR467-5EN47",
        "TL-99999999999999-5-238X8PC30RTC5HR467-5EN47T",
    ] {
        assert!(
            matches!(
                verify_code(garbage, &params),
                Err(QuizError::NotACode { .. })
            ),
            "{garbage}: {:?}",
            verify_code(garbage, &params)
        );
    }
}

/// FNV-1a 64, written again from its definition.
fn fnv1a64(chunks: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
    for byte in chunks.iter().flat_map(|chunk| chunk.iter()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
    }
    hash
}

#[test]
fn a_forged_checksum_with_a_false_score_is_still_caught() {
    // The checksum is public (docs/quiz.md): anyone can recompute it, so it is no proof. But a false score is
    // caught anyway, since the teacher's page recomputes the score from the answers.
    let params = QuizParams::parse_query("quiz=monday&level=1&count=5").params;
    let code = ResultCode::new(&params, &set_answers(&params, 1)).expect("five sets");
    let symbols: Vec<u8> = code
        .answers()
        .iter()
        .map(|answer| match answer {
            CodedAnswer::Blank => 0,
            CodedAnswer::Value(tick) => *tick as u8,
            CodedAnswer::Other => 63,
        })
        .collect();
    let check_of = |score: u32| -> String {
        let hash = fnv1a64(&[
            b"tasklab-quiz-code-1\0",
            &MONDAY.to_le_bytes(),
            &[1],
            &5u64.to_le_bytes(),
            b"-\0",
            &0u64.to_le_bytes(),
            &0u32.to_le_bytes(),
            &score.to_le_bytes(),
            &symbols,
        ]);
        let folded = ((hash >> 30) ^ hash) & ((1 << 30) - 1);
        let alphabet = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        (0..6)
            .rev()
            .map(|position| char::from(alphabet[(folded >> (5 * position) & 31) as usize]))
            .collect()
    };
    let real = code.to_string();
    let payload = real.split('-').nth(3).expect("answers part");
    // The recipe above is the code's: on the true score it gives the true check.
    assert_eq!(real.split('-').nth(4), Some(check_of(14).as_str()));
    let forged = format!("TL-15-5-{payload}-{}", check_of(15));
    assert_eq!(
        verify_code(&forged, &params),
        Err(QuizError::ScoreMismatch {
            claimed: 15,
            actual: 14
        })
    );
}

#[test]
fn a_full_set_of_hard_questions_fits_a_short_code() {
    let params = QuizParams::parse_query("quiz=monday&level=3&count=10").params;
    let answers = set_answers(&params, 0);
    let code = ResultCode::new(&params, &answers)
        .expect("ten sets")
        .to_string();
    assert!(code.len() <= 80, "{code}");
    let verified = verify_code(&code, &params).expect("valid");
    assert_eq!(verified.score, verified.max_score);
}

/// Property tests over many seeds (native only).
#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn options() -> impl Strategy<Value = QuizOptions> {
        (
            proptest::option::of(proptest::sample::select(PolicyKind::ALL.to_vec())),
            proptest::option::of(1u64..=10),
            proptest::option::of(1u32..=4),
        )
            .prop_map(|(policy, quantum, cpus)| QuizOptions {
                policy,
                quantum,
                cpus,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn levels_keep_their_bounds(seed in any::<u64>(), level in 1u8..=3, index in 0usize..10, options in options()) {
            let question = Quiz::generate(seed, level, index, &options);
            prop_assert_eq!(&question, &Quiz::generate(seed, level, index, &options));
            let input = question.input();
            let tasks = &input.tasks;
            let cpus = input.machine.map_or(0, |machine| machine.cpus);
            let (task_range, default_cpus, max_ticks) = match level {
                1 => (3..=3, 1, 30),
                2 => (4..=5, 1, 30),
                _ => (4..=6, 2, 40),
            };
            prop_assert!(task_range.contains(&tasks.len()));
            prop_assert_eq!(cpus, options.cpus.unwrap_or(default_cpus));
            prop_assert_eq!(tasks[0].arrival, 0);
            for (index, task) in tasks.iter().enumerate() {
                prop_assert_eq!(&task.name, &char::from(b'A' + index as u8).to_string());
                prop_assert!(level >= 2 || task.arrival == 0);
                prop_assert!(task.bursts.iter().all(|b| (1..=8).contains(&b.ticks())));
                let has_io = task.bursts.iter().any(|b| matches!(b, Burst::Io(_)));
                prop_assert!(level == 3 || !has_io);
            }
            if level == 3 {
                prop_assert!(tasks.iter().any(|t| t.bursts.len() == 3));
            }
            prop_assert!(tasks.windows(2).all(|pair| pair[0].arrival <= pair[1].arrival));
            let policy = input.policy.as_ref().map(PolicyKind::of);
            match options.policy {
                Some(kind) => prop_assert_eq!(policy, Some(kind)),
                None => prop_assert!(level == 3 || policy != Some(PolicyKind::Mlfq)),
            }
            // Solvable by hand: the chart ends within the level's bound and the paintable width.
            let solution = question.solution();
            prop_assert!(solution.makespan <= max_ticks);
            prop_assert!(solution.gantt.ticks <= question.paint_ticks());
            prop_assert!(question.paint_ticks() <= max_ticks);
            // Right answers are all right.
            let mut answers = right_answers(&question);
            answers.gantt = Some(painted_truth(&question));
            prop_assert!(grade(&question, &answers).all_right());
        }

        #[test]
        fn codes_score_what_grading_scores_and_verify(
            seed in any::<u64>(),
            level in 1u8..=3,
            count in 1usize..=10,
            noise in proptest::collection::vec(proptest::option::of(0u64..=70), 60),
        ) {
            let params = QuizParams { count, ..QuizParams::new(QuizSeed::from_number(seed), level) };
            let questions = Quiz::new(params.clone()).questions();
            let mut noise = noise.into_iter().cycle();
            let answers: Vec<Answers> = questions
                .iter()
                .map(|question| Answers {
                    completions: question
                        .solution()
                        .completions
                        .iter()
                        // Half right, half anything (blank, 0, beyond 62).
                        .map(|task| match noise.next().flatten() {
                            Some(value) if value % 2 == 0 => Some(task.completion),
                            other => other,
                        })
                        .collect(),
                    gantt: None,
                })
                .collect();
            let graded: u32 = questions.iter().zip(&answers).map(|(q, a)| grade(q, a).score).sum();
            let code = ResultCode::new(&params, &answers).expect("one set per question");
            prop_assert_eq!(code.score(), graded);
            let text = code.to_string();
            prop_assert_eq!(ResultCode::parse(&text), Ok(code));
            let verified = verify_code(&text, &params);
            prop_assert_eq!(verified.map(|v| v.score), Ok(graded));
        }
    }
}
