//! The model of a finished run, and the run against it task by task.
//!
//! After a run, the simulator replays the plan's model ([`ExecutorPlan::model`]: the same policy on as many CPUs
//! as the run had lanes, splittable tasks cut as the run cut them) with unit costs calibrated from the run's own
//! CPU time, on 10 µs ticks. The page shows the two side by side, per task.

use tasklab_core::policy::PolicyKind;
use tasklab_core::predict::UnitCosts;
use tasklab_core::report::RunRecord;
use tasklab_core::scenario::Scenario;
use tasklab_core::sim::{SimError, SimOptions, SimResult};
use tasklab_core::split::{simulate_split, SplitPrediction};

use crate::plan::ExecutorPlan;

/// Ticks per millisecond of the model of a run: 10 µs ticks, so tasks shorter than a millisecond keep their
/// length instead of being rounded up to a whole tick.
pub const MODEL_TICKS_PER_MS: u64 = 100;

/// Most slices the model of a run may have (it is simulated on the page's main thread after the run).
const MODEL_MAX_SLICES: u64 = 200_000;

/// One task as the model of a run predicts it (a split task: its first chunk's start, its last chunk's end).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelTask {
    /// First run, ms from the start.
    pub first_run_ms: f64,
    /// Completion, ms from the start.
    pub completion_ms: f64,
    /// CPU time (all chunks of a split task), ms.
    pub cpu_ms: f64,
}

/// The simulator's replay of a finished run: the plan's model, with unit costs calibrated from that run's own CPU
/// time, on a fine clock.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelOfRun {
    /// Predicted makespan, ms.
    pub makespan_ms: f64,
    /// What was simulated, for people ("priority (preemptive) on 1 CPU, …").
    pub description: String,
    /// Per scenario task.
    pub tasks: Vec<ModelTask>,
    /// The simulation itself ([`MODEL_TICKS_PER_MS`] ticks a millisecond), to draw it.
    pub result: SimResult,
    /// The scenario task of each simulated task (a split phase is several).
    pub owners: Vec<usize>,
    /// Each simulated task's bursts, so the timeline places its I/O exactly.
    pub bursts: Vec<Vec<tasklab_core::sim::Burst>>,
}

impl ExecutorPlan {
    /// The model of `record`, a run of `scenario` under this plan (see [`ModelOfRun`]).
    ///
    /// # Errors
    /// The simulator's, e.g. a model too large to simulate within its slice cap.
    pub fn model_of_run(
        &self,
        scenario: &Scenario,
        record: &RunRecord,
    ) -> Result<ModelOfRun, SimError> {
        let typical = UnitCosts::default();
        let busy_ms: f64 = record
            .slices
            .iter()
            .map(|slice| slice.end_ms - slice.start_ms)
            .sum();
        // The executor's own cost between slices (yields) grows with the CPU time, so it is spread over it.
        let costs = typical.scaled((busy_ms + record.overhead_ms) / typical.cpu_ms(scenario));
        let mut model = self.model();
        // Handing a new piece to a worker costs about the same each time: the model charges it as a context switch.
        // (OSTEP's conventions know no switch cost.)
        if record.dispatches > 0 && !model.predict.ostep {
            let per_dispatch_ms = record.dispatch_overhead_ms / record.dispatches as f64;
            model.predict.switch_cost =
                (per_dispatch_ms * MODEL_TICKS_PER_MS as f64).round() as u64;
        }
        let options = SimOptions {
            record_trace: true,
            compare_with_one_cpu: false,
            max_slices: MODEL_MAX_SLICES,
        };
        let SplitPrediction {
            result,
            owners,
            bursts,
            ..
        } = simulate_split(
            scenario,
            &costs,
            model.chunks,
            MODEL_TICKS_PER_MS,
            &model.predict.machine(),
            &model.predict.policy_at(MODEL_TICKS_PER_MS),
            &model.predict.conventions(),
            &options,
        )?;
        let ticks = MODEL_TICKS_PER_MS as f64;
        let mut tasks = vec![
            ModelTask {
                first_run_ms: f64::INFINITY,
                completion_ms: 0.0,
                cpu_ms: 0.0,
            };
            scenario.tasks.len()
        ];
        for (metrics, &owner) in result.tasks.iter().zip(&owners) {
            let task = &mut tasks[owner];
            task.first_run_ms = task.first_run_ms.min(metrics.first_run as f64 / ticks);
            task.completion_ms = task.completion_ms.max(metrics.completion as f64 / ticks);
            task.cpu_ms += metrics.cpu_time as f64 / ticks;
        }
        let cpus = model.predict.cpus;
        Ok(ModelOfRun {
            // From the run's start, like the wall time (the simulator's makespan starts at the first arrival).
            makespan_ms: tasks
                .iter()
                .map(|task| task.completion_ms)
                .fold(0.0, f64::max),
            description: format!(
                "{} on {cpus} CPU{}, calibrated from this run's {busy_ms:.0} ms of CPU and {:.0} ms spent \
                 between slices{}",
                PolicyKind::describe(&model.predict.policy(), "ms"),
                if cpus == 1 { "" } else { "s" },
                record.overhead_ms,
                if record.dispatches > 0 {
                    format!(
                        ", {:.2} ms to hand each piece of work to a worker",
                        record.dispatch_overhead_ms / record.dispatches as f64
                    )
                } else {
                    String::new()
                }
            ),
            tasks,
            result,
            owners,
            bursts,
        })
    }
}

/// The usual per-task figures of a schedule, ms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskTimes {
    /// First run, from the start.
    pub first_run: f64,
    /// Completion, from the start.
    pub completion: f64,
    /// First run − arrival.
    pub response: f64,
    /// Completion − arrival.
    pub turnaround: f64,
    /// Turnaround − CPU time − time in waits: time ready but not running (0 at least; a task split over several
    /// workers may compute faster than its CPU time, which reads as 0).
    pub waiting: f64,
}

impl TaskTimes {
    fn new(arrival: f64, first_run: f64, completion: f64, cpu: f64, waits: f64) -> Self {
        Self {
            first_run,
            completion,
            response: first_run - arrival,
            turnaround: completion - arrival,
            waiting: (completion - arrival - cpu - waits).max(0.0),
        }
    }
}

/// One task of a run beside its model.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskAgainstModel {
    /// Its name.
    pub name: String,
    /// As measured.
    pub measured: TaskTimes,
    /// As the model predicts.
    pub model: TaskTimes,
}

/// Every task that finished in `record`, beside `model` (tasks that never finished are left out).
pub fn tasks_against_model(
    scenario: &Scenario,
    record: &RunRecord,
    model: &ModelOfRun,
) -> Vec<TaskAgainstModel> {
    let mut cpu_ms = vec![0.0; scenario.tasks.len()];
    for slice in &record.slices {
        if let Some(cpu) = cpu_ms.get_mut(slice.task) {
            *cpu += slice.end_ms - slice.start_ms;
        }
    }
    scenario
        .tasks
        .iter()
        .zip(&record.tasks)
        .zip(&model.tasks)
        .zip(cpu_ms)
        .filter_map(|(((spec, measured), modelled), cpu)| {
            let arrival = spec.arrival_ms as f64;
            let waits = spec.total_wait_ms() as f64;
            Some(TaskAgainstModel {
                name: spec.name.clone(),
                measured: TaskTimes::new(
                    arrival,
                    measured.first_run_ms?,
                    measured.end_ms?,
                    cpu,
                    waits,
                ),
                model: TaskTimes::new(
                    arrival,
                    modelled.first_run_ms,
                    modelled.completion_ms,
                    modelled.cpu_ms,
                    waits,
                ),
            })
        })
        .collect()
}

/// The mean turnaround of measured and modelled tasks, ms (none without tasks).
pub fn mean_turnarounds(tasks: &[TaskAgainstModel]) -> Option<(f64, f64)> {
    if tasks.is_empty() {
        return None;
    }
    let count = tasks.len() as f64;
    let measured = tasks
        .iter()
        .map(|task| task.measured.turnaround)
        .sum::<f64>()
        / count;
    let model = tasks.iter().map(|task| task.model.turnaround).sum::<f64>() / count;
    Some((measured, model))
}

/// How a measurement compares with its model, in words that fit the direction: "measured 6.5 % slower than the
/// model", "measured 3.0 % faster than the model", "measured as the model predicts".
pub fn difference_in_words(measured: f64, model: f64) -> String {
    if model <= 0.0 || !measured.is_finite() {
        return "no model to compare with".to_owned();
    }
    let percent = (measured - model) / model * 100.0;
    if percent.abs() < 0.05 {
        "measured as the model predicts".to_owned()
    } else if percent > 0.0 {
        format!("measured {percent:.1} % slower than the model")
    } else {
        format!("measured {:.1} % faster than the model", -percent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tasklab_core::policy::PolicyKind;
    use tasklab_core::predict::PredictSettings;
    use tasklab_core::presets::Preset;
    use tasklab_core::report::{Slice, TaskResult};
    use tasklab_core::settings::Mode;

    #[test]
    fn words_follow_the_direction() {
        assert_eq!(
            difference_in_words(106.5, 100.0),
            "measured 6.5 % slower than the model"
        );
        assert_eq!(
            difference_in_words(97.0, 100.0),
            "measured 3.0 % faster than the model"
        );
        assert_eq!(
            difference_in_words(100.0, 100.0),
            "measured as the model predicts"
        );
    }

    #[test]
    fn the_model_of_an_fcfs_run_is_the_run_when_costs_are_exact() {
        // Two tasks run back to back on one CPU for exactly their typical cost: the model must agree.
        let scenario = Preset::LateArrival.scenario();
        let costs = UnitCosts::default();
        let cpu: Vec<f64> = scenario
            .tasks
            .iter()
            .map(|task| {
                let single = Scenario {
                    tasks: vec![task.clone()],
                };
                costs.cpu_ms(&single)
            })
            .collect();
        let record = RunRecord {
            tasks: vec![
                TaskResult {
                    name: "Long job".into(),
                    checksum: None,
                    arrival_ms: 0,
                    priority: 0,
                    first_run_ms: Some(0.0),
                    end_ms: Some(cpu[0]),
                    model_first_run_ms: None,
                    model_end_ms: None,
                },
                TaskResult {
                    name: "Short task".into(),
                    checksum: None,
                    arrival_ms: 30,
                    priority: 0,
                    first_run_ms: Some(cpu[0]),
                    end_ms: Some(cpu[0] + cpu[1]),
                    model_first_run_ms: None,
                    model_end_ms: None,
                },
            ],
            slices: vec![
                Slice {
                    task: 0,
                    lane: 0,
                    start_ms: 0.0,
                    end_ms: cpu[0],
                },
                Slice {
                    task: 1,
                    lane: 0,
                    start_ms: cpu[0],
                    end_ms: cpu[0] + cpu[1],
                },
            ],
            wall_ms: cpu[0] + cpu[1],
            ..RunRecord::default()
        };
        let plan = ExecutorPlan::new(Mode::Multitasking, 1, 5).with_policy(PredictSettings {
            policy: PolicyKind::Fcfs,
            ..PredictSettings::default()
        });
        let model = plan.model_of_run(&scenario, &record).expect("simulates");
        assert!(
            (model.makespan_ms - record.wall_ms).abs() < 0.02,
            "{model:?}"
        );
        let tasks = tasks_against_model(&scenario, &record, &model);
        assert_eq!(tasks.len(), 2);
        for task in &tasks {
            assert!(
                (task.measured.turnaround - task.model.turnaround).abs() < 0.02,
                "{task:?}"
            );
        }
        // The short task waited for the long one: response = long's CPU − 30 ms.
        assert!((tasks[1].model.response - (cpu[0] - 30.0)).abs() < 0.02);
        let (measured, modelled) = mean_turnarounds(&tasks).expect("tasks");
        assert!((measured - modelled).abs() < 0.02);
    }
}
