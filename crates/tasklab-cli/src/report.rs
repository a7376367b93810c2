//! Human-readable tables of a simulation result.

use std::fmt::Write;

use tasklab_core::policy::PolicyKind;
use tasklab_core::sim::{Conventions, Policy, SimResult, SliceKind, TraceSlice};

use crate::options::RunRequest;

/// Most trace slices listed per CPU before the list is cut short.
const MAX_SLICES_SHOWN_PER_CPU: usize = 60;

/// The conventions in a few words.
fn describe_conventions(conventions: &Conventions) -> &'static str {
    match (
        conventions.is_ostep(),
        conventions.io_stay,
        conventions.io_bump,
    ) {
        (true, false, false) => "ostep conventions",
        (true, true, false) => "ostep conventions, io_stay",
        (true, false, true) => "ostep conventions, io_bump",
        (true, true, true) => "ostep conventions, io_stay, io_bump",
        (false, ..) if conventions.arrival_before_preempted => {
            "arrivals queue before preempted tasks"
        }
        (false, ..) => "preempted tasks queue before arrivals",
    }
}

/// The result as text: a header, the per-task table, the summary and the trace per CPU.
pub fn tables(request: &RunRequest, result: &SimResult) -> String {
    let mut out = String::new();
    let machine = &request.machine;
    let cpus = if machine.cpus == 1 {
        "1 CPU".to_string()
    } else {
        format!("{} CPUs", machine.cpus)
    };
    let _ = writeln!(
        out,
        "policy {} · {cpus} · switch cost {} · {}",
        describe_policy(&request.policy),
        machine.switch_cost,
        describe_conventions(&request.conventions)
    );
    let _ = writeln!(out);

    let name_width = result
        .tasks
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        out,
        "{:<name_width$} {:>8} {:>8} {:>8} {:>9} {:>10} {:>8} {:>10} {:>8}",
        "task",
        "arrival",
        "cpu",
        "io",
        "first run",
        "completion",
        "response",
        "turnaround",
        "waiting"
    );
    for task in &result.tasks {
        let _ = writeln!(
            out,
            "{:<name_width$} {:>8} {:>8} {:>8} {:>9} {:>10} {:>8} {:>10} {:>8}",
            task.name,
            task.arrival,
            task.cpu_time,
            task.io_time,
            task.first_run,
            task.completion,
            task.response,
            task.turnaround,
            task.waiting
        );
    }
    let summary = &result.summary;
    let _ = writeln!(
        out,
        "{:<name_width$} {:>8} {:>8} {:>8} {:>9} {:>10} {:>8.2} {:>10.2} {:>8.2}",
        "average",
        "",
        "",
        "",
        "",
        "",
        summary.avg_response,
        summary.avg_turnaround,
        summary.avg_waiting
    );
    let _ = writeln!(out);

    let _ = writeln!(
        out,
        "makespan {} ticks · throughput {:.4} tasks/tick · {} context switches",
        summary.makespan, summary.throughput, summary.context_switches
    );
    let utilisation: Vec<String> = summary
        .utilisation
        .iter()
        .enumerate()
        .map(|(cpu, share)| format!("cpu{cpu} {:.1}%", share * 100.0))
        .collect();
    let _ = writeln!(out, "utilisation {}", utilisation.join(" · "));
    if !summary.warm.is_empty() {
        let warm: Vec<String> = summary
            .warm
            .iter()
            .enumerate()
            .map(|(cpu, share)| format!("cpu{cpu} {:.1}%", share * 100.0))
            .collect();
        let _ = writeln!(out, "warm (share of busy ticks) {}", warm.join(" · "));
    }
    if let (Some(migrations), Some(steals)) = (summary.migrations, summary.steals) {
        let _ = writeln!(out, "{migrations} migrations · {steals} steals");
    }
    if let (Some(speedup), Some(efficiency)) = (summary.speedup, summary.efficiency) {
        let _ = writeln!(
            out,
            "speedup {speedup:.3} over 1 CPU · efficiency {:.1}%",
            efficiency * 100.0
        );
    }
    let _ = writeln!(out);

    let _ = writeln!(out, "trace (start-end what):");
    for cpu in 0..machine.cpus {
        let mut slices: Vec<&TraceSlice> = result.trace.iter().filter(|s| s.cpu == cpu).collect();
        slices.sort_by_key(|s| s.start);
        let shown: Vec<String> = slices
            .iter()
            .take(MAX_SLICES_SHOWN_PER_CPU)
            .map(|slice| {
                let what = match slice.kind {
                    SliceKind::Task(index) => task_name(result, index as usize),
                    SliceKind::Switch(index) => {
                        format!("switch→{}", task_name(result, index as usize))
                    }
                    SliceKind::Idle => "idle".to_string(),
                };
                format!("{}-{} {what}", slice.start, slice.end)
            })
            .collect();
        let mut line = format!("cpu{cpu}: {}", shown.join(" | "));
        if slices.len() > MAX_SLICES_SHOWN_PER_CPU {
            let _ = write!(
                line,
                " | … {} more slices (use --json for all)",
                slices.len() - MAX_SLICES_SHOWN_PER_CPU
            );
        }
        let _ = writeln!(out, "{line}");
    }
    out.trim_end().to_string()
}

fn task_name(result: &SimResult, index: usize) -> String {
    result
        .tasks
        .get(index)
        .map_or_else(|| format!("#{index}"), |task| task.name.clone())
}

/// The policy for the header line: its [`PolicyKind`] id and, in parentheses, its knobs.
fn describe_policy(policy: &Policy) -> String {
    let id = PolicyKind::of(policy).id();
    match policy {
        Policy::RoundRobin { quantum } => format!("{id} (quantum {quantum})"),
        Policy::Priority {
            higher_number_is_higher,
            aging,
            ..
        } => format!(
            "{id} ({} number = higher priority{})",
            if *higher_number_is_higher {
                "higher"
            } else {
                "lower"
            },
            aging.map_or_else(String::new, |period| format!(", aging every {period}"))
        ),
        Policy::Mlfq {
            queues,
            boost_period,
        } => {
            let levels: Vec<String> = queues
                .iter()
                .map(|level| format!("q{}/a{}", level.quantum, level.allotment))
                .collect();
            let boost = boost_period.map_or_else(
                || "no boost".to_string(),
                |period| format!("boost every {period}"),
            );
            format!("{id} ({}; {boost})", levels.join(", "))
        }
        Policy::Fcfs | Policy::Sjf | Policy::Srtf => id.to_string(),
    }
}
