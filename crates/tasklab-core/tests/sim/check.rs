//! Invariants every simulation result must satisfy, checked against the scenario independently of the engine.

use tasklab_core::sim::{Burst, Machine, Policy, SimResult, SimScenario, SliceKind, TraceSlice};

/// Bursts with consecutive bursts of one kind merged, as the simulator does.
fn merged_bursts(bursts: &[Burst]) -> Vec<Burst> {
    let mut merged: Vec<Burst> = Vec::new();
    for &burst in bursts {
        match (merged.last_mut(), burst) {
            (Some(Burst::Cpu(last)), Burst::Cpu(more))
            | (Some(Burst::Io(last)), Burst::Io(more)) => *last += more,
            _ => merged.push(burst),
        }
    }
    merged
}

/// Asserts the model's invariants on `result`:
/// - each CPU's slices tile the window `[earliest arrival, last completion)` without gap or overlap;
/// - no task runs before it arrives, on two CPUs at once, or for other than the sum of its CPU bursts;
/// - switch slices last exactly the switch cost;
/// - work conservation: no CPU is idle while a task is ready;
/// - per-task figures agree with the trace, and waiting equals the ticks spent ready or being switched in.
pub fn check_invariants(
    scenario: &SimScenario,
    machine: &Machine,
    policy: &Policy,
    result: &SimResult,
) {
    let tasks = &scenario.tasks;
    let window_start = tasks
        .iter()
        .map(|t| t.arrival)
        .min()
        .expect("non-empty scenario");
    let window_end = result
        .tasks
        .iter()
        .map(|t| t.completion)
        .max()
        .expect("non-empty scenario");
    assert_eq!(
        result.summary.makespan,
        window_end - window_start,
        "{policy:?}"
    );

    // Each CPU's timeline tiles the window.
    for cpu in 0..machine.cpus {
        let mut slices: Vec<&TraceSlice> = result.trace.iter().filter(|s| s.cpu == cpu).collect();
        slices.sort_by_key(|s| s.start);
        let mut at = window_start;
        for slice in &slices {
            assert!(slice.end > slice.start, "empty slice {slice:?}");
            assert_eq!(
                slice.start, at,
                "gap or overlap on CPU {cpu} at {at}: {slice:?} ({policy:?})"
            );
            at = slice.end;
            if let SliceKind::Switch(_) = slice.kind {
                assert_eq!(
                    slice.end - slice.start,
                    machine.switch_cost,
                    "switch length"
                );
            }
        }
        assert_eq!(
            at, window_end,
            "CPU {cpu} timeline ends at {at}, not {window_end} ({policy:?})"
        );
    }
    assert!(result.trace.iter().all(|s| s.cpu < machine.cpus));
    let counted =
        result.summary.task_slices + result.summary.switch_slices + result.summary.idle_slices;
    assert_eq!(counted, result.trace.len() as u64, "slice counts");

    // Per-task state per tick: 0 not arrived/done, 1 running, 2 switching in, 3 in I/O, 4 ready.
    let span = (window_end - window_start) as usize;
    let mut ready_at_tick = vec![false; span];
    for (index, task) in tasks.iter().enumerate() {
        let metrics = &result.tasks[index];
        let mut runs: Vec<(u64, u64)> = result
            .trace
            .iter()
            .filter(|s| s.kind == SliceKind::Task(index as u32))
            .map(|s| (s.start, s.end))
            .collect();
        runs.sort_unstable();
        let switches: Vec<(u64, u64)> = result
            .trace
            .iter()
            .filter(|s| s.kind == SliceKind::Switch(index as u32))
            .map(|s| (s.start, s.end))
            .collect();
        assert!(!runs.is_empty(), "task {index} never ran");
        assert!(
            runs[0].0 >= task.arrival,
            "task {index} ran before arriving ({policy:?})"
        );
        for pair in runs.windows(2) {
            assert!(
                pair[0].1 <= pair[1].0,
                "task {index} on two CPUs at once: {pair:?} ({policy:?})"
            );
        }
        let bursts = merged_bursts(&task.bursts);
        let cpu_total: u64 = bursts
            .iter()
            .filter(|b| matches!(b, Burst::Cpu(_)))
            .map(|b| b.ticks())
            .sum();
        let io_total: u64 = bursts
            .iter()
            .filter(|b| matches!(b, Burst::Io(_)))
            .map(|b| b.ticks())
            .sum();
        let ran: u64 = runs.iter().map(|(start, end)| end - start).sum();
        assert_eq!(ran, cpu_total, "task {index} CPU time ({policy:?})");
        assert_eq!(metrics.cpu_time, cpu_total);
        assert_eq!(metrics.io_time, io_total);
        assert_eq!(metrics.first_run, runs[0].0, "task {index} first run");
        assert_eq!(metrics.response, metrics.first_run - task.arrival);
        assert_eq!(metrics.turnaround, metrics.completion - task.arrival);
        assert_eq!(metrics.waiting, metrics.turnaround - cpu_total - io_total);

        // Replay the bursts against the runs to find the I/O intervals.
        let mut io: Vec<(u64, u64)> = Vec::new();
        let mut run_iter = runs.iter().copied();
        let mut at = task.arrival;
        let mut current = run_iter.next();
        for burst in &bursts {
            match *burst {
                Burst::Io(ticks) => {
                    io.push((at, at + ticks));
                    at += ticks;
                }
                Burst::Cpu(mut ticks) => {
                    while ticks > 0 {
                        let (start, end) = current.expect("runs cover the CPU bursts");
                        assert!(
                            start >= at,
                            "task {index} ran at {start} before being ready at {at}"
                        );
                        let used = (end - start).min(ticks);
                        ticks -= used;
                        at = start + used;
                        current = if start + used == end {
                            run_iter.next()
                        } else {
                            Some((start + used, end))
                        };
                    }
                }
            }
        }
        assert_eq!(metrics.completion, at, "task {index} completion");

        let mut state = vec![0u8; span];
        for tick in task.arrival..metrics.completion {
            state[(tick - window_start) as usize] = 4;
        }
        let mut mark = |(start, end): (u64, u64), value: u8| {
            for tick in start..end {
                let slot = &mut state[(tick - window_start) as usize];
                assert!(
                    *slot == 0 || *slot == 4,
                    "task {index} in two states at tick {tick} ({policy:?})"
                );
                *slot = value;
            }
        };
        for &run in &runs {
            mark(run, 1);
        }
        for &switch in &switches {
            mark(switch, 2);
        }
        for &interval in &io {
            mark(interval, 3);
        }
        let ready_ticks = state.iter().filter(|&&s| s == 4).count() as u64;
        let switch_ticks: u64 = switches.iter().map(|(start, end)| end - start).sum();
        assert_eq!(
            metrics.waiting,
            ready_ticks + switch_ticks,
            "task {index} waiting ({policy:?})"
        );
        for (tick, &s) in state.iter().enumerate() {
            if s == 4 {
                ready_at_tick[tick] = true;
            }
        }
    }

    // Work conservation.
    for slice in result.trace.iter().filter(|s| s.kind == SliceKind::Idle) {
        for tick in slice.start..slice.end {
            assert!(
                !ready_at_tick[(tick - window_start) as usize],
                "CPU {} idle at tick {tick} while a task is ready ({policy:?})",
                slice.cpu
            );
        }
    }

    // Per-CPU busy time agrees with the trace.
    for cpu in 0..machine.cpus {
        let busy: u64 = result
            .trace
            .iter()
            .filter(|s| s.cpu == cpu && matches!(s.kind, SliceKind::Task(_)))
            .map(|s| s.end - s.start)
            .sum();
        assert_eq!(result.summary.busy_ticks[cpu as usize], busy);
    }
}
