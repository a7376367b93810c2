//! Native tests of both executors on the same scenarios: same checksums as the reference, slices that make
//! sense, waits that do not hold the CPU, and Stop.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use futures::executor::block_on;
use tasklab_core::policy::PolicyKind;
use tasklab_core::predict::{PredictSettings, UnitCosts};
use tasklab_core::presets::Preset;
use tasklab_core::scenario::{Phase, Scenario, TaskSpec};
use tasklab_core::settings::Mode;
use tasklab_core::sim::SimOptions;
use tasklab_core::split::simulate_split;
use tasklab_core::workload::WorkloadKind;
use tasklab_engine::cooperative::{run_cooperative, CooperativeOptions};
use tasklab_engine::host::native::NativeHost;
use tasklab_engine::parallel::{run_parallel, ParallelOptions};
use tasklab_engine::schedule::RealSchedule;
use tasklab_engine::{run_plan, ExecutorPlan, LiveProgress};

fn small_scenario() -> Scenario {
    let compute = |kind, units| Phase::Compute { kind, units };
    Scenario {
        tasks: vec![
            TaskSpec {
                name: "primes".into(),
                phases: vec![compute(WorkloadKind::Primes, 3_000)],
                splittable: false,
                colour: None,
                arrival_ms: 0,
                priority: 0,
            },
            TaskSpec {
                name: "io then hash".into(),
                phases: vec![
                    Phase::Wait { ms: 20 },
                    compute(WorkloadKind::HashChain, 500),
                    Phase::Wait { ms: 10 },
                    compute(WorkloadKind::HashChain, 500),
                ],
                splittable: false,
                colour: None,
                arrival_ms: 0,
                priority: 0,
            },
            TaskSpec {
                name: "fractal".into(),
                phases: vec![compute(WorkloadKind::Mandelbrot, 4_000)],
                splittable: true,
                colour: None,
                arrival_ms: 0,
                priority: 0,
            },
        ],
    }
}

fn multitasking() -> CooperativeOptions {
    CooperativeOptions {
        slice_ms: 1.0,
        yield_to_host: true,
        schedule: RealSchedule::round_robin(1),
    }
}

#[test]
fn cooperative_matches_reference_and_yields_between_slices() {
    let scenario = small_scenario();
    let host = NativeHost::default();
    let progress = LiveProgress::new(&scenario);
    let record = block_on(run_cooperative(
        &scenario,
        &multitasking(),
        &host,
        &progress,
    ));
    assert!(!record.stopped);
    assert_eq!(record.checksums, scenario.reference_checksums());
    assert!(record.slices.iter().all(|slice| slice.lane == 0));
    assert!(
        record.slices.len() > 3,
        "work was sliced: {}",
        record.slices.len()
    );
    assert!(host.yields() as usize >= record.slices.len());
    assert!(progress.fractions().iter().all(|&fraction| fraction == 1.0));
    // One lane: slices never overlap.
    for pair in record.slices.windows(2) {
        assert!(pair[0].end_ms <= pair[1].start_ms + 1e-9);
    }
}

#[test]
fn no_yield_mode_never_yields_and_agrees() {
    let scenario = small_scenario();
    let host = NativeHost::default();
    let options = CooperativeOptions {
        yield_to_host: false,
        ..multitasking()
    };
    let record = block_on(run_cooperative(
        &scenario,
        &options,
        &host,
        &LiveProgress::new(&scenario),
    ));
    assert_eq!(host.yields(), 0);
    assert_eq!(record.checksums, scenario.reference_checksums());
    // Held the thread from start to end.
    assert!(record.longest_main_stretch_ms >= record.wall_ms - 1e-6);
}

#[test]
fn waiting_task_does_not_hold_the_cpu_in_cooperative_mode() {
    let scenario = small_scenario();
    let record = block_on(run_cooperative(
        &scenario,
        &multitasking(),
        &NativeHost::default(),
        &LiveProgress::new(&scenario),
    ));
    // Task 1 waits 20 ms first: it must not run before its wait is over, while the others run meanwhile.
    let first_slice_of_waiter = record.slices.iter().find(|slice| slice.task == 1).unwrap();
    assert!(
        first_slice_of_waiter.start_ms >= 19.0,
        "{first_slice_of_waiter:?}"
    );
    assert!(record
        .slices
        .iter()
        .any(|slice| slice.task != 1 && slice.start_ms < 19.0));
}

#[test]
fn parallel_matches_reference_on_every_preset_and_the_small_scenario() {
    let mut scenarios: Vec<Scenario> = vec![small_scenario()];
    scenarios.extend(Preset::ALL.iter().map(|preset| shrink(preset.scenario())));
    for scenario in scenarios {
        let record = block_on(run_parallel(
            &scenario,
            &ParallelOptions::with_workers(2),
            &NativeHost::default(),
            Arc::new(LiveProgress::new(&scenario)),
        ));
        assert!(!record.stopped);
        assert_eq!(record.checksums, scenario.reference_checksums());
    }
}

#[test]
fn parallel_never_runs_more_jobs_than_workers() {
    let scenario = shrink(Preset::CpuBatch.scenario());
    let record = block_on(run_parallel(
        &scenario,
        &ParallelOptions::with_workers(1),
        &NativeHost::default(),
        Arc::new(LiveProgress::new(&scenario)),
    ));
    assert!(
        record.slices.iter().all(|slice| slice.lane == 0),
        "1 worker = pool thread 0 only"
    );
    let mut slices = record.slices.clone();
    slices.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
    for pair in slices.windows(2) {
        assert!(
            pair[0].end_ms <= pair[1].start_ms + 1e-9,
            "overlap with 1 worker: {pair:?}"
        );
    }
}

#[test]
fn splittable_task_is_cut_into_chunks() {
    let scenario = shrink(Preset::OneBigJob.scenario());
    let record = block_on(run_parallel(
        &scenario,
        &ParallelOptions::with_workers(2),
        &NativeHost::default(),
        Arc::new(LiveProgress::new(&scenario)),
    ));
    assert_eq!(record.slices.len(), 8, "2 workers x 4 chunks");
    assert_eq!(record.checksums, scenario.reference_checksums());
}

#[test]
fn plan_chunks_are_what_the_parallel_executor_cuts() {
    let scenario = Scenario {
        tasks: vec![TaskSpec {
            name: "fractal".into(),
            phases: vec![Phase::Compute {
                kind: WorkloadKind::Mandelbrot,
                units: 4_000,
            }],
            splittable: true,
            colour: None,
            arrival_ms: 0,
            priority: 0,
        }],
    };
    // FCFS: one job per chunk (round robin would cut long chunks into quanta).
    let plan = ExecutorPlan::new(Mode::Multiprocessing, 2, 5).with_policy(PredictSettings {
        policy: PolicyKind::Fcfs,
        ..PredictSettings::default()
    });
    let record = block_on(run_plan(
        &plan,
        &scenario,
        &NativeHost::default(),
        Arc::new(LiveProgress::new(&scenario)),
    ));
    assert_eq!(record.checksums, scenario.reference_checksums());
    assert_eq!(record.slices.len(), plan.chunks_per_splittable_phase());
    // The model cuts the task into as many pieces as the run did.
    let model = plan.model();
    assert_eq!(model.chunks, record.slices.len());
    let modelled = simulate_split(
        &scenario,
        &UnitCosts::default(),
        model.chunks,
        1,
        &model.predict.machine(),
        &model.predict.policy(),
        &model.predict.conventions(),
        &SimOptions::default(),
    )
    .unwrap();
    assert_eq!(modelled.result.tasks.len(), record.slices.len());
}

#[test]
fn run_plan_runs_each_mode_on_its_executor_and_lanes() {
    let scenario = small_scenario();
    for mode in Mode::ALL {
        let plan = ExecutorPlan::new(mode, 2, 1);
        let host = NativeHost::default();
        let record = block_on(run_plan(
            &plan,
            &scenario,
            &host,
            Arc::new(LiveProgress::new(&scenario)),
        ));
        assert!(!record.stopped, "{mode:?}");
        assert_eq!(record.checksums, scenario.reference_checksums(), "{mode:?}");
        assert!(
            record.slices.iter().all(|slice| slice.lane < plan.lanes()),
            "{mode:?}: a slice outside the plan's lanes"
        );
        let names: Vec<&str> = record.tasks.iter().map(|task| task.name.as_str()).collect();
        assert_eq!(names, ["primes", "io then hash", "fractal"]);
        match mode {
            Mode::Multitasking => assert!(host.yields() > 0),
            Mode::SingleThread => assert_eq!(host.yields(), 0),
            // The dispatcher awaits workers and timers; it yields only in the last few ms before a wait ends.
            Mode::Multiprocessing => {}
        }
    }
}

#[test]
fn stop_ends_both_executors_early() {
    let scenario = Preset::CpuBatch.scenario();
    let progress = LiveProgress::new(&scenario);
    progress.request_stop();
    let record = block_on(run_cooperative(
        &scenario,
        &multitasking(),
        &NativeHost::default(),
        &progress,
    ));
    assert!(record.stopped);
    let progress = Arc::new(LiveProgress::new(&scenario));
    stop_after_30_ms(Arc::clone(&progress));
    let record = block_on(run_parallel(
        &scenario,
        &ParallelOptions::with_workers(2),
        &NativeHost::default(),
        progress,
    ));
    assert!(record.stopped);
    assert!(record.wall_ms < 2_000.0, "stopped in {} ms", record.wall_ms);
}

/// The presets at a tenth of their size, so debug-build tests stay quick.
fn shrink(mut scenario: Scenario) -> Scenario {
    for task in &mut scenario.tasks {
        for phase in &mut task.phases {
            if let Phase::Compute { units, .. } = phase {
                *units = (*units / 10).max(1);
            }
        }
    }
    scenario
}

#[test]
fn stop_is_noticed_while_every_task_waits() {
    let scenario = Scenario {
        tasks: vec![TaskSpec {
            name: "sleeper".into(),
            phases: vec![
                Phase::Wait { ms: 5_000 },
                Phase::Compute {
                    kind: WorkloadKind::Primes,
                    units: 10,
                },
            ],
            splittable: false,
            colour: None,
            arrival_ms: 0,
            priority: 0,
        }],
    };
    let progress = Arc::new(LiveProgress::new(&scenario));
    stop_after_30_ms(Arc::clone(&progress));
    let record = block_on(run_cooperative(
        &scenario,
        &multitasking(),
        &NativeHost::default(),
        &progress,
    ));
    assert!(record.stopped);
    assert!(
        record.wall_ms < 1_000.0,
        "cooperative stopped after {} ms",
        record.wall_ms
    );

    let progress = Arc::new(LiveProgress::new(&scenario));
    stop_after_30_ms(Arc::clone(&progress));
    let record = block_on(run_parallel(
        &scenario,
        &ParallelOptions::with_workers(1),
        &NativeHost::default(),
        progress,
    ));
    assert!(record.stopped);
    assert!(
        record.wall_ms < 1_000.0,
        "parallel stopped after {} ms",
        record.wall_ms
    );
}

/// Presses Stop from another thread 30 ms from now, while the executor runs.
fn stop_after_30_ms(progress: Arc<LiveProgress>) {
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(30));
        progress.request_stop();
    });
}

/// Options of the cooperative executor under `policy` with a 1 ms slice (quantum 2 ms).
fn under(policy: PolicyKind) -> CooperativeOptions {
    let settings = PredictSettings {
        policy,
        quantum: 2,
        ..PredictSettings::default()
    };
    CooperativeOptions {
        slice_ms: 1.0,
        yield_to_host: true,
        schedule: RealSchedule::from_settings(&settings, UnitCosts::default()),
    }
}

/// The tasks in the order of their first slice.
fn order_of_first_slices(record: &tasklab_core::report::RunRecord) -> Vec<usize> {
    let mut order = Vec::new();
    for slice in &record.slices {
        if !order.contains(&slice.task) {
            order.push(slice.task);
        }
    }
    order
}

#[test]
fn fcfs_for_real_runs_each_task_to_its_end_while_still_yielding() {
    let scenario = shrink(Preset::CpuBatch.scenario());
    let host = NativeHost::default();
    let record = block_on(run_cooperative(
        &scenario,
        &under(PolicyKind::Fcfs),
        &host,
        &LiveProgress::new(&scenario),
    ));
    assert_eq!(record.checksums, scenario.reference_checksums());
    // Once a task has started after another, the earlier one never runs again.
    for (position, slice) in record.slices.iter().enumerate() {
        let later_started = record.slices[..position]
            .iter()
            .any(|earlier| earlier.task > slice.task);
        assert!(
            !later_started,
            "task {} ran again after a later task: {slice:?}",
            slice.task
        );
    }
    assert!(
        record.slices.len() > scenario.tasks.len(),
        "cut into slices"
    );
    assert!(
        host.yields() as usize >= record.slices.len(),
        "yielded between slices"
    );
}

#[test]
fn preemptive_priority_for_real_respects_arrivals_and_starves_the_lowest() {
    // Full size: the urgent jobs must outlast the gaps between their arrivals.
    let scenario = Preset::PriorityStarvation.scenario();
    let record = block_on(run_cooperative(
        &scenario,
        &under(PolicyKind::PriorityPreemptive),
        &NativeHost::default(),
        &LiveProgress::new(&scenario),
    ));
    assert_eq!(record.checksums, scenario.reference_checksums());
    for slice in &record.slices {
        let arrival = scenario.tasks[slice.task].arrival_ms as f64;
        assert!(
            slice.start_ms >= arrival,
            "{slice:?} before its arrival at {arrival} ms"
        );
    }
    let lowest = (0..scenario.tasks.len())
        .max_by_key(|&task| scenario.tasks[task].priority)
        .unwrap();
    let last = (0..scenario.tasks.len())
        .max_by(|&a, &b| {
            record.tasks[a]
                .end_ms
                .unwrap()
                .total_cmp(&record.tasks[b].end_ms.unwrap())
        })
        .unwrap();
    assert_eq!(last, lowest, "the lowest-priority task finishes last");
}

/// A task of one primes phase.
fn primes_task(name: &str, units: u64, arrival_ms: u64, priority: i64) -> TaskSpec {
    TaskSpec {
        name: name.into(),
        phases: vec![Phase::Compute {
            kind: WorkloadKind::Primes,
            units,
        }],
        splittable: false,
        colour: None,
        arrival_ms,
        priority,
    }
}

#[test]
fn srtf_for_real_lets_a_late_short_task_preempt_a_long_one() {
    let scenario = Scenario {
        tasks: vec![
            primes_task("long", 40_000, 0, 0),
            primes_task("short", 400, 5, 0),
        ],
    };
    let record = block_on(run_cooperative(
        &scenario,
        &under(PolicyKind::Srtf),
        &NativeHost::default(),
        &LiveProgress::new(&scenario),
    ));
    assert_eq!(record.checksums, scenario.reference_checksums());
    let long_end = record.tasks[0].end_ms.unwrap();
    let short_end = record.tasks[1].end_ms.unwrap();
    assert!(
        short_end < long_end,
        "short {short_end} ms, long {long_end} ms"
    );
    assert!(record.tasks[1].first_run_ms.unwrap() >= 5.0);
    // Under FCFS the short one waits for the long one.
    let fcfs = block_on(run_cooperative(
        &scenario,
        &under(PolicyKind::Fcfs),
        &NativeHost::default(),
        &LiveProgress::new(&scenario),
    ));
    assert!(fcfs.tasks[1].first_run_ms.unwrap() >= fcfs.tasks[0].end_ms.unwrap() - 1e-9);
}

#[test]
fn every_policy_runs_every_preset_to_the_right_checksums_in_both_executors() {
    for preset in [Preset::ReadingWhileTexting, Preset::Convoy, Preset::Amdahl] {
        let scenario = shrink(preset.scenario());
        for policy in PolicyKind::ALL {
            let cooperative = block_on(run_cooperative(
                &scenario,
                &under(policy),
                &NativeHost::default(),
                &LiveProgress::new(&scenario),
            ));
            assert_eq!(
                cooperative.checksums,
                scenario.reference_checksums(),
                "{policy:?}"
            );
            let options = ParallelOptions {
                slice_ms: 1.0,
                schedule: under(policy).schedule,
                ..ParallelOptions::with_workers(2)
            };
            let parallel = block_on(run_parallel(
                &scenario,
                &options,
                &NativeHost::default(),
                Arc::new(LiveProgress::new(&scenario)),
            ));
            assert_eq!(
                parallel.checksums,
                scenario.reference_checksums(),
                "{policy:?}"
            );
            assert!(!parallel.stopped);
        }
    }
}

#[test]
fn parallel_dispatch_follows_priorities_and_arrivals() {
    let task = |name: &str, priority, arrival_ms| primes_task(name, 2_000, arrival_ms, priority);
    let scenario = Scenario {
        tasks: vec![
            task("low", 3, 0),
            task("high", 1, 0),
            task("middle", 2, 0),
            task("late", 0, 30),
        ],
    };
    let options = ParallelOptions {
        schedule: under(PolicyKind::Priority).schedule,
        ..ParallelOptions::with_workers(1)
    };
    let record = block_on(run_parallel(
        &scenario,
        &options,
        &NativeHost::default(),
        Arc::new(LiveProgress::new(&scenario)),
    ));
    assert_eq!(record.checksums, scenario.reference_checksums());
    // The late task has the best priority, so it may overtake "low" if it arrives before "low" starts.
    let order: Vec<usize> = order_of_first_slices(&record)
        .into_iter()
        .filter(|&task| task != 3)
        .collect();
    assert_eq!(order, [1, 2, 0], "by priority: {order:?}");
    assert!(record.tasks[3].first_run_ms.unwrap() >= 30.0);
}

#[test]
fn aging_for_real_lets_the_starving_report_run_during_the_stream() {
    let scenario = Preset::PriorityStarvation.scenario();
    let settings = PredictSettings {
        policy: PolicyKind::PriorityPreemptive,
        aging_ms: Some(10),
        ..PredictSettings::default()
    };
    let options = CooperativeOptions {
        slice_ms: 1.0,
        yield_to_host: true,
        schedule: RealSchedule::from_settings(&settings, UnitCosts::default()),
    };
    let record = block_on(run_cooperative(
        &scenario,
        &options,
        &NativeHost::default(),
        &LiveProgress::new(&scenario),
    ));
    assert_eq!(record.checksums, scenario.reference_checksums());
    let last_urgent_end = record.tasks[1..]
        .iter()
        .map(|task| task.end_ms.unwrap())
        .fold(0.0, f64::max);
    // The report (task 0) gets the CPU again while urgent tasks are still queued.
    assert!(
        record.slices.iter().any(|slice| slice.task == 0
            && slice.start_ms > 10.0
            && slice.end_ms < last_urgent_end),
        "the report never ran during the stream"
    );
}

#[test]
fn a_cooperative_run_resumed_by_hand_asks_for_a_yield_after_each_slice() {
    use tasklab_engine::cooperative::{CooperativeRun, Resume};
    use tasklab_engine::host::native::NativeClock;

    let scenario = small_scenario();
    let progress = LiveProgress::new(&scenario);
    let mut run = CooperativeRun::new(&scenario, &multitasking(), NativeClock);
    let (mut yields, mut sleeps) = (0, 0);
    loop {
        match run.resume(&progress) {
            Resume::Yield => yields += 1,
            Resume::Sleep(ms) => {
                assert!(ms > 0.0);
                sleeps += 1;
                std::thread::sleep(std::time::Duration::from_secs_f64(ms / 1000.0));
            }
            Resume::Finished => break,
        }
    }
    assert_eq!(
        run.resume(&progress),
        Resume::Finished,
        "finished stays finished"
    );
    let record = run.finish();
    assert!(!record.stopped);
    assert_eq!(record.checksums, scenario.reference_checksums());
    // One yield after every slice; the slices that moved a task into a wait are not drawn.
    assert!(
        yields >= record.slices.len(),
        "{yields} yields, {} slices",
        record.slices.len()
    );
    assert!(sleeps <= yields);

    // Without yielding, one resumption runs everything.
    let options = CooperativeOptions {
        yield_to_host: false,
        ..multitasking()
    };
    let mut run = CooperativeRun::new(&scenario, &options, NativeClock);
    assert_eq!(run.resume(&progress), Resume::Finished);
    assert_eq!(run.finish().checksums, scenario.reference_checksums());
}
