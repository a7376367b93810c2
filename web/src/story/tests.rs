//! The run's story carries its own numbers and picks the right story.

use super::*;

/// A complete run on `workers` workers (1: multitasking) of `wall_ms`, computing `cpu_ms`.
fn facts(mode: Mode, workers: u32, wall_ms: f64, cpu_ms: f64) -> RunFacts {
    RunFacts {
        mode,
        workers,
        how: ExecutorPlan::new(mode, workers, 5).describe(),
        wall_ms,
        cpu_ms,
        busy_per_lane: vec![cpu_ms / wall_ms / f64::from(workers); workers as usize],
        overhead_ms: 12.5,
        dispatch_overhead_ms: 3.25,
        dispatches: 40,
        frames: 52,
        longest_frame_gap_ms: 21.0,
        longest_main_task_ms: 8.0,
        keys: InputLatency::default(),
        stopped: false,
    }
}

fn one_cpu(wall_ms: f64) -> Baseline {
    Baseline {
        how: "multitasking, 5 ms slices".to_owned(),
        wall_ms,
    }
}

#[test]
fn two_workers_faster_than_one_cpu_tell_speedup_efficiency_and_where_the_rest_went() {
    let run = facts(Mode::Multiprocessing, 2, 430.0, 820.0);
    let story = run_story(&run, Some(&one_cpu(830.0)), 2);
    assert_eq!(story.kind, StoryKind::Faster);
    let text = story.sentences.join(" ");
    assert!((2..=4).contains(&story.sentences.len()), "{text}");
    assert!(text.contains("2 workers finished in 430.0 ms instead of 830.0 ms on one CPU (multitasking, 5 ms slices)"), "{text}");
    assert!(text.contains("speed-up 1.93×"), "{text}");
    assert!(text.contains("efficiency 97 %"), "{text}");
    // 2 × 430 = 860 ms of worker time: 820 computing (95 %), 3.25 handing out, 36.75 idle.
    assert!(text.contains("computed for 820.0 ms (95 %)"), "{text}");
    assert!(
        text.contains("handing out 40 pieces of work cost 3.2 ms"),
        "{text}"
    );
    assert!(
        text.contains("the rest, 36.8 ms, the workers sat idle"),
        "{text}"
    );
    assert!(
        text.contains(
            "stayed responsive: it drew 52 frames, and the longest gap between two was 21.0 ms"
        ),
        "{text}"
    );
}

#[test]
fn workers_no_faster_than_one_cpu_say_so_and_name_an_idle_worker() {
    let mut run = facts(Mode::Multiprocessing, 2, 900.0, 800.0);
    run.busy_per_lane = vec![0.85, 0.04];
    let story = run_story(&run, Some(&one_cpu(830.0)), 4);
    assert_eq!(story.kind, StoryKind::Slower);
    let text = story.sentences.join(" ");
    assert!(text.contains("speed-up 0.92×, efficiency 46 %"), "{text}");
    assert!(text.contains("No faster"), "{text}");
    assert!(
        text.contains("worker 2 was busy only 4 % of the run"),
        "{text}"
    );
}

#[test]
fn more_workers_than_cores_is_oversubscribed() {
    let run = facts(Mode::Multiprocessing, 4, 450.0, 830.0);
    let story = run_story(&run, Some(&one_cpu(830.0)), 2);
    assert_eq!(story.kind, StoryKind::Oversubscribed);
    let text = story.sentences.join(" ");
    assert!(text.contains("speed-up 1.84×, efficiency 46 %"), "{text}");
    assert!(text.contains("4 workers on 2 cores"), "{text}");
}

#[test]
fn a_single_thread_run_froze_the_page_and_says_why_with_its_gap() {
    let mut run = facts(Mode::SingleThread, 1, 812.0, 805.0);
    run.frames = 1;
    run.longest_frame_gap_ms = 811.5;
    run.longest_main_task_ms = 810.0;
    let story = run_story(&run, None, 2);
    assert_eq!(story.kind, StoryKind::Froze);
    let text = story.sentences.join(" ");
    assert!(
        text.contains("froze: it drew 1 frames in 812.0 ms"),
        "{text}"
    );
    assert!(
        text.contains("longest gap between two frames was 811.5 ms"),
        "{text}"
    );
    assert!(text.contains("longest main-thread task 810.0 ms"), "{text}");
    assert!(text.contains("kept the main thread"), "{text}");
}

#[test]
fn a_one_cpu_run_after_a_two_worker_run_gives_the_ratio_and_yield_overhead() {
    let history = vec![
        RunRow {
            scenario: "two-chefs".into(),
            mode: Mode::Multiprocessing,
            workers: 2,
            policy: "rr".into(),
            wall_ms: 430.0,
            speedup: None,
            frames: 30,
            stopped: false,
        },
        RunRow {
            scenario: "two-chefs".into(),
            mode: Mode::Multiprocessing,
            workers: 2,
            policy: "rr".into(),
            wall_ms: 100.0,
            speedup: None,
            frames: 30,
            stopped: true,
        },
    ];
    let earlier = earlier_parallel_run(&history, "two-chefs");
    assert_eq!(
        earlier.as_ref().map(|run| run.wall_ms),
        Some(430.0),
        "a stopped run is no baseline"
    );
    assert_eq!(earlier_parallel_run(&history, "convoy"), None);
    let run = facts(Mode::Multitasking, 1, 830.0, 800.0);
    let story = run_story(&run, earlier.as_ref(), 2);
    assert_eq!(story.kind, StoryKind::OneCpu);
    let text = story.sentences.join(" ");
    assert!(
        text.contains("took 830.0 ms: 1.93× as long as the earlier run on 2 workers (430.0 ms)"),
        "{text}"
    );
    assert!(
        text.contains("yielding to the browser between slices cost 12.5 ms"),
        "{text}"
    );
    assert!(
        text.contains("the rest, 17.5 ms, no task was ready"),
        "{text}"
    );
}

#[test]
fn a_stutter_stopped_runs_missing_baselines_and_keystrokes_each_have_their_words() {
    let mut run = facts(Mode::Multitasking, 1, 400.0, 390.0);
    run.longest_frame_gap_ms = 250.0;
    run.keys = InputLatency {
        count: 7,
        p95: 33.0,
        worst: 48.0,
    };
    let text = run_story(&run, None, 2).sentences.join(" ");
    assert!(text.contains("baseline for the speed-ups"), "{text}");
    assert!(text.contains("stuttered"), "{text}");
    assert!(
        text.contains("The 7 keys typed in the reply box waited at most 48.0 ms"),
        "{text}"
    );
    run.stopped = true;
    let stopped = run_story(&run, None, 2);
    assert_eq!(stopped.kind, StoryKind::Stopped);
    assert!(stopped.sentences[0].contains("Stopped after 400.0 ms"));
    let workers = run_story(&facts(Mode::Multiprocessing, 2, 430.0, 820.0), None, 2);
    assert_eq!(workers.kind, StoryKind::NoBaseline);
    assert!(workers.sentences[0].contains("on one CPU (multitasking) too"));
}
