//! Native tests of the stealing placement: rayon's work stealing places a splittable phase's chunks, the checksums
//! are those of the pinned placement, every chunk is recorded once on the lane of the thread that ran it, and the
//! chunks counted as stolen are at most the chunks.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use futures::executor::block_on;
use tasklab_core::policy::PolicyKind;
use tasklab_core::predict::PredictSettings;
use tasklab_core::presets::Preset;
use tasklab_core::report::{RunRecord, Slice};
use tasklab_core::scenario::{Phase, Scenario, TaskSpec};
use tasklab_core::settings::Mode;
use tasklab_core::workload::WorkloadKind;
use tasklab_engine::host::native::NativeHost;
use tasklab_engine::parallel::{run_parallel, ParallelOptions, Placement};
use tasklab_engine::schedule::RealSchedule;
use tasklab_engine::{run_plan, ExecutorPlan, LiveProgress};

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

/// A splittable fractal beside a task that cannot be split, arriving together.
fn mixed() -> Scenario {
    let task = |name: &str, kind, units, splittable| TaskSpec {
        name: name.into(),
        phases: vec![Phase::Compute { kind, units }],
        splittable,
        colour: None,
        arrival_ms: 0,
        priority: 0,
    };
    Scenario {
        tasks: vec![
            task("fractal", WorkloadKind::Mandelbrot, 6_000, true),
            task("hash", WorkloadKind::HashChain, 2_000, false),
            task("primes", WorkloadKind::Primes, 3_000, true),
        ],
    }
}

fn run(scenario: &Scenario, options: &ParallelOptions) -> RunRecord {
    block_on(run_parallel(
        scenario,
        options,
        &NativeHost::default(),
        Arc::new(LiveProgress::new(scenario)),
    ))
}

fn with(workers: usize, placement: Placement, policy: PolicyKind) -> ParallelOptions {
    ParallelOptions {
        placement,
        schedule: RealSchedule::from_settings(
            &PredictSettings {
                policy,
                quantum: 2,
                ..PredictSettings::default()
            },
            Default::default(),
        ),
        ..ParallelOptions::with_workers(workers)
    }
}

/// Chunks the executor cuts `scenario`'s splittable phases into.
fn expected_chunks(scenario: &Scenario, options: &ParallelOptions) -> u64 {
    let per_phase = options.chunks_per_splittable_phase() as u64;
    scenario
        .tasks
        .iter()
        .flat_map(|task| task.phases.iter().map(move |phase| (task, phase)))
        .map(|(task, phase)| match *phase {
            Phase::Compute { kind, units } if task.splits_phase(kind) => {
                per_phase.min(units).max(1)
            }
            _ => 0,
        })
        .sum()
}

/// Slices on one lane never overlap: a thread runs one chunk at a time.
fn assert_lanes_do_not_overlap(slices: &[Slice]) {
    let mut slices = slices.to_vec();
    slices.sort_by(|a, b| a.lane.cmp(&b.lane).then(a.start_ms.total_cmp(&b.start_ms)));
    for pair in slices.windows(2) {
        if pair[0].lane == pair[1].lane {
            assert!(
                pair[0].end_ms <= pair[1].start_ms + 1e-9,
                "overlap: {pair:?}"
            );
        }
    }
}

#[test]
fn stealing_gives_the_pinned_checksums_and_records_every_chunk_once() {
    let mut scenarios = vec![mixed()];
    scenarios.extend(
        [
            Preset::OneBigJob,
            Preset::Amdahl,
            Preset::TwoChefs,
            Preset::CpuBatch,
        ]
        .iter()
        .map(|preset| shrink(preset.scenario())),
    );
    for scenario in &scenarios {
        for workers in [1, 2] {
            for policy in [PolicyKind::Fcfs, PolicyKind::RoundRobin] {
                let pinned = run(scenario, &with(workers, Placement::Pinned, policy));
                let options = with(workers, Placement::Stealing, policy);
                let stealing = run(scenario, &options);
                let case = format!(
                    "{:?} on {workers} workers under {policy:?}",
                    scenario.tasks[0].name
                );
                assert!(!stealing.stopped, "{case}");
                assert_eq!(stealing.checksums, pinned.checksums, "{case}");
                assert_eq!(stealing.checksums, scenario.reference_checksums(), "{case}");
                assert_eq!(stealing.placement, Placement::Stealing, "{case}");
                assert_eq!(
                    (pinned.placement, pinned.forked_chunks, pinned.stolen_chunks),
                    (Placement::Pinned, 0, 0)
                );
                let chunks = expected_chunks(scenario, &options);
                assert_eq!(stealing.forked_chunks, chunks, "{case}: every chunk once");
                assert!(stealing.stolen_chunks <= stealing.forked_chunks, "{case}");
                // Each chunk is one slice; the phases that are not split are pinned jobs (one or more slices).
                let split_slices = stealing
                    .slices
                    .iter()
                    .filter(|slice| scenario.tasks[slice.task].splittable)
                    .count() as u64;
                let split_tasks_slices_expected: u64 = chunks
                    + scenario
                        .tasks
                        .iter()
                        .filter(|task| task.splittable)
                        .flat_map(|task| task.phases.iter().map(move |phase| (task, phase)))
                        .filter(|(task, phase)| {
                            matches!(phase, Phase::Compute { kind, .. } if !task.splits_phase(*kind))
                        })
                        .count() as u64;
                if policy == PolicyKind::Fcfs {
                    // Under FCFS a pinned phase is one job: exactly one slice per chunk and per unsplit phase.
                    assert_eq!(split_slices, split_tasks_slices_expected, "{case}");
                }
                assert!(
                    stealing.slices.iter().all(|slice| slice.lane < workers),
                    "{case}: only the run's workers"
                );
                assert_lanes_do_not_overlap(&stealing.slices);
                if workers == 1 {
                    assert_eq!(
                        stealing.stolen_chunks, 0,
                        "{case}: one worker has no one to steal from"
                    );
                }
            }
        }
    }
}

#[test]
fn chunks_are_stolen_when_a_second_worker_is_idle() {
    // A long fractal alone: its worker forks 8 chunks and the other worker, idle, has only them to take. A single
    // run could find the thief asleep (or held by another test of this file running at the same time), so this
    // tries several runs.
    let scenario = Scenario {
        tasks: vec![TaskSpec {
            name: "fractal".into(),
            phases: vec![Phase::Compute {
                kind: WorkloadKind::Mandelbrot,
                units: 8_000,
            }],
            splittable: true,
            colour: None,
            arrival_ms: 0,
            priority: 0,
        }],
    };
    let options = with(2, Placement::Stealing, PolicyKind::Fcfs);
    let stolen = (0..40).any(|_| run(&scenario, &options).stolen_chunks > 0);
    assert!(stolen, "no chunk was ever stolen in 40 runs");
}

#[test]
fn run_plan_passes_the_placement_and_stop_still_ends_a_stealing_run() {
    let scenario = Preset::OneBigJob.scenario();
    let plan = ExecutorPlan::new(Mode::Multiprocessing, 2, 5).with_placement(Placement::Stealing);
    let progress = Arc::new(LiveProgress::new(&scenario));
    let stopper = Arc::clone(&progress);
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(30));
        stopper.request_stop();
    });
    let record = block_on(run_plan(&plan, &scenario, &NativeHost::default(), progress));
    assert!(record.stopped);
    assert_eq!(record.placement, Placement::Stealing);
    assert!(record.wall_ms < 2_000.0, "stopped in {} ms", record.wall_ms);
    assert!(record.stolen_chunks <= record.forked_chunks);
    assert!(record.forked_chunks <= plan.chunks_per_splittable_phase() as u64);
}
