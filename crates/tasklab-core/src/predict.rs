//! From a real scenario to a simulator input: the *prediction* settings (policy, quantum, CPUs, switch cost,
//! tie convention) and the conversion of workload units into simulator ticks.
//!
//! One tick is one millisecond. A compute phase becomes a CPU burst of `units × cost of one unit` ticks (at least
//! one); a wait becomes an I/O burst of its milliseconds. Costs per unit are measured on the user's machine (see
//! [`UnitCosts`]), and can be recalibrated from a real one-CPU run so that prediction and measurement share a scale.

use crate::policy::{CustomLevels, PolicyKind, PolicyKnobs};
use crate::scenario::{Phase, Scenario};
use crate::sim::{
    Burst, CacheModel, Conventions, Machine, Policy, QueueLayout, SimScenario, SimTask,
};
use crate::workload::WorkloadKind;

/// Most virtual CPUs the page offers.
pub const MAX_PREDICT_CPUS: u32 = 64;
/// Longest quantum the page offers, in ticks (ms).
pub const MAX_QUANTUM: u64 = 1_000;
/// Largest context-switch cost the page offers, in ticks (ms).
pub const MAX_SWITCH_COST: u64 = 100;
/// Longest steal interval the page offers, in ms.
pub const MAX_STEAL_MS: u64 = 10_000;
/// Largest cache size and working set the page offers, in KiB (the unit is only a name: the model compares
/// sizes).
pub const MAX_CACHE_KIB: u64 = 1_000_000;
/// Longest cache warm-up the page offers, in ms.
pub const MAX_WARMUP_MS: u64 = 10_000;
/// Largest warm rate the page offers (work per tick when warm).
pub const MAX_WARM_RATE: u64 = 16;

/// What the Predict view simulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PredictSettings {
    /// Scheduling policy.
    pub policy: PolicyKind,
    /// Quantum in ticks (ms), for round robin and MLFQ's top level.
    pub quantum: u64,
    /// Virtual CPUs.
    pub cpus: u32,
    /// Context-switch cost in ticks (ms).
    pub switch_cost: u64,
    /// A task arriving at *t* is queued before one preempted at *t*.
    pub arrival_before_preempted: bool,
    /// OSTEP's conventions (`ties=ostep`): the simulator agrees with OSTEP's `scheduler.py` and `mlfq.py` (one CPU,
    /// no switch cost); real runs queue a preempted task before an arrival, as OSTEP does.
    pub ostep: bool,
    /// MLFQ levels chosen by hand (ms); none = the recipe from the quantum.
    pub mlfq_levels: Option<CustomLevels>,
    /// MLFQ boost period in ms: none = the recipe's 50 quanta, `Some(0)` = no boost.
    pub boost_ms: Option<u64>,
    /// Aging period of the priority policies in ms (none: no aging).
    pub aging_ms: Option<u64>,
    /// The multiprocessor model's ready queues: one shared (the default) or one per CPU.
    pub queues: QueueLayout,
    /// Per-CPU queues: a CPU whose queue is empty steals a task every this many ms (0 = never).
    pub steal_ms: u64,
    /// A cache per CPU (size in KiB, warm-up in ms, warm rate), or none.
    pub cache: Option<CacheModel>,
    /// Every task's working set in KiB, for the cache (0 = always fits).
    pub working_set: u64,
}

impl Default for PredictSettings {
    fn default() -> Self {
        Self {
            policy: PolicyKind::RoundRobin,
            quantum: 5,
            cpus: 2,
            switch_cost: 0,
            arrival_before_preempted: true,
            ostep: false,
            mlfq_levels: None,
            boost_ms: None,
            aging_ms: None,
            queues: QueueLayout::Shared,
            steal_ms: 0,
            cache: None,
            working_set: 0,
        }
    }
}

impl PredictSettings {
    /// The simulator policy (MLFQ from the quantum by [the one recipe](crate::policy)).
    pub fn policy(&self) -> Policy {
        self.policy_at(1)
    }

    /// The simulator policy with `ticks_per_ms` ticks in a millisecond (see [`to_sim_scenario_at`]).
    pub fn policy_at(&self, ticks_per_ms: u64) -> Policy {
        let scale = ticks_per_ms.max(1);
        self.policy.build(&PolicyKnobs {
            quantum: self.quantum.saturating_mul(scale),
            boost_period: self.boost_ms.map(|ms| ms.saturating_mul(scale)),
            higher_number_is_higher: false,
            levels: self.mlfq_levels.map(|levels| levels.scaled(scale)),
            // Aging is not modelled with per-CPU queues or caches (the page says so).
            aging: self
                .aging_ms
                .filter(|_| !self.uses_multiprocessor_model())
                .map(|ms| ms.saturating_mul(scale)),
        })
    }

    /// The simulated machine, one tick a millisecond.
    pub fn machine(&self) -> Machine {
        self.machine_at(1)
    }

    /// The simulated machine with `ticks_per_ms` ticks in a millisecond.
    pub fn machine_at(&self, ticks_per_ms: u64) -> Machine {
        let scale = ticks_per_ms.max(1);
        let per_cpu = self.queues == QueueLayout::PerCpu;
        Machine {
            cpus: self.cpus.clamp(1, MAX_PREDICT_CPUS),
            // The model's cache is its cost of moving; it takes no switch cost (the page says so).
            switch_cost: if self.uses_multiprocessor_model() {
                0
            } else {
                self.switch_cost.saturating_mul(scale)
            },
            queues: self.queues,
            steal_interval: (per_cpu && self.steal_ms > 0)
                .then(|| self.steal_ms.saturating_mul(scale)),
            cache: self.cache.map(|cache| CacheModel {
                warmup: cache.warmup.saturating_mul(scale),
                ..cache
            }),
            ..Machine::default()
        }
    }

    /// Whether these settings use the multiprocessor model (per-CPU queues or a cache): then the switch cost and
    /// aging do not apply (the simulator refuses them together).
    pub fn uses_multiprocessor_model(&self) -> bool {
        self.queues == QueueLayout::PerCpu || self.cache.is_some()
    }

    /// The tie conventions.
    pub fn conventions(&self) -> Conventions {
        if self.ostep {
            return Conventions::ostep();
        }
        Conventions {
            arrival_before_preempted: self.arrival_before_preempted,
            ..Conventions::default()
        }
    }
}

/// Milliseconds of one CPU for one unit of each workload kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitCosts {
    /// Indexed like [`WorkloadKind::ALL`].
    pub ms_per_unit: [f64; WorkloadKind::ALL.len()],
}

impl Default for UnitCosts {
    /// The typical costs of [`WorkloadKind::typical_unit_cost_us`], used until the page has measured its own.
    fn default() -> Self {
        Self {
            ms_per_unit: WorkloadKind::ALL.map(|kind| kind.typical_unit_cost_us() / 1_000.0),
        }
    }
}

impl UnitCosts {
    /// Cost of one unit of `kind`.
    pub fn of(&self, kind: WorkloadKind) -> f64 {
        self.ms_per_unit[kind.index()]
    }

    /// Estimated CPU milliseconds of the whole scenario on one CPU.
    pub fn cpu_ms(&self, scenario: &Scenario) -> f64 {
        scenario
            .tasks
            .iter()
            .flat_map(|task| &task.phases)
            .map(|phase| match *phase {
                Phase::Compute { kind, units } => units as f64 * self.of(kind),
                Phase::Wait { .. } => 0.0,
            })
            .sum()
    }

    /// Every cost multiplied by `factor` (a calibration from a real run); non-finite or non-positive factors are
    /// ignored.
    pub fn scaled(&self, factor: f64) -> Self {
        if !(factor.is_finite() && factor > 0.0) {
            return *self;
        }
        Self {
            ms_per_unit: self.ms_per_unit.map(|cost| cost * factor),
        }
    }
}

/// The simulator's view of a real scenario, no phase split: each task's arrival and priority, one tick = 1 ms, a
/// compute phase one CPU burst of `units × cost` ticks (at least one), a wait one I/O burst. (To cut splittable
/// phases as the parallel executor does, see [`crate::split`].)
pub fn to_sim_scenario(scenario: &Scenario, costs: &UnitCosts) -> SimScenario {
    let burst_of = |phase: &Phase| match *phase {
        Phase::Compute { kind, units } => Some(Burst::Cpu(
            (units as f64 * costs.of(kind)).round().max(1.0) as u64,
        )),
        Phase::Wait { ms } if ms > 0 => Some(Burst::Io(u64::from(ms))),
        Phase::Wait { .. } => None,
    };
    SimScenario {
        tasks: scenario
            .tasks
            .iter()
            .map(|task| SimTask {
                name: task.name.clone(),
                arrival: task.arrival_ms,
                priority: task.priority,
                bursts: task.phases.iter().filter_map(burst_of).collect(),
                ..SimTask::default()
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::Preset;
    use crate::sim::simulate;

    #[test]
    fn every_preset_predicts_under_every_policy() {
        for preset in Preset::ALL {
            let sim_scenario = to_sim_scenario(&preset.scenario(), &UnitCosts::default());
            for policy in PolicyKind::ALL {
                let settings = PredictSettings {
                    policy,
                    ..PredictSettings::default()
                };
                let result = simulate(
                    &sim_scenario,
                    &settings.machine(),
                    &settings.policy(),
                    &settings.conventions(),
                );
                assert!(
                    result.is_ok(),
                    "{} / {}: {result:?}",
                    preset.id(),
                    policy.id()
                );
            }
            assert!(UnitCosts::default().cpu_ms(&preset.scenario()) > 0.0);
        }
    }

    #[test]
    fn two_equal_chefs_on_two_cpus_take_half_as_long() {
        let sim_scenario = to_sim_scenario(&Preset::TwoChefs.scenario(), &UnitCosts::default());
        let settings = PredictSettings::default();
        let two = simulate(
            &sim_scenario,
            &settings.machine(),
            &settings.policy(),
            &settings.conventions(),
        )
        .expect("valid");
        assert_eq!(two.summary.speedup, Some(2.0));
    }

    #[test]
    fn scaling_costs_scales_bursts() {
        let costs = UnitCosts::default().scaled(2.0);
        assert_eq!(
            costs.of(WorkloadKind::Primes),
            2.0 * UnitCosts::default().of(WorkloadKind::Primes)
        );
        assert_eq!(UnitCosts::default().scaled(f64::NAN), UnitCosts::default());
    }
}
