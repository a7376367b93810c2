//! The scheduling policies offered to people, defined once: their ids (URL, CLI, JSON of the page), labels,
//! which knobs they use, and how to build the simulator's [`Policy`] from those knobs.
//!
//! The page, the URL settings, the CLI and the docs all read this table, so adding a policy means adding a
//! variant here (and its rules in the simulator's engine).
//!
//! **One MLFQ recipe** from a quantum *q*: three levels with quanta *q*, 2*q*, 4*q*; each level's allotment is two
//! of its quanta (2*q*, 4*q*; the last level keeps its tasks, so its allotment is never used); a priority boost
//! every 50*q* ticks unless a caller asks for another period or none.

use crate::sim::{MlfqLevel, Policy};

/// Boost period of the MLFQ recipe, in quanta.
pub const MLFQ_BOOST_QUANTA: u64 = 50;
/// Quantum multipliers of the MLFQ recipe's levels, top first.
pub const MLFQ_LEVEL_FACTORS: [u64; 3] = [1, 2, 4];

/// A policy as people choose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// First come, first served.
    Fcfs,
    /// Shortest job first (non-preemptive).
    Sjf,
    /// Shortest remaining time first.
    Srtf,
    /// Round robin with the quantum.
    RoundRobin,
    /// Static priority, non-preemptive (lower number first unless asked otherwise).
    Priority,
    /// Static priority, preemptive.
    PriorityPreemptive,
    /// Three-level feedback queue built from the quantum (see the module docs).
    Mlfq,
}

/// The knobs a policy may use; each kind reads only its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PolicyKnobs {
    /// Time slice in ticks for round robin, and the top MLFQ level's quantum (≥ 1; 0 is read as 1).
    pub quantum: u64,
    /// MLFQ boost period in ticks: `None` = the recipe's 50 quanta, `Some(0)` = no boost.
    pub boost_period: Option<u64>,
    /// For priority policies: a higher number is a higher priority.
    pub higher_number_is_higher: bool,
}

impl PolicyKnobs {
    /// The knobs with this quantum and every other knob at its default.
    pub fn with_quantum(quantum: u64) -> Self {
        Self {
            quantum,
            boost_period: None,
            higher_number_is_higher: false,
        }
    }
}

impl PolicyKind {
    /// Every kind, in display order.
    pub const ALL: [PolicyKind; 7] = [
        Self::RoundRobin,
        Self::Fcfs,
        Self::Sjf,
        Self::Srtf,
        Self::Priority,
        Self::PriorityPreemptive,
        Self::Mlfq,
    ];

    /// Stable identifier (URL `policy=`, CLI `--policy`).
    pub fn id(self) -> &'static str {
        match self {
            Self::Fcfs => "fcfs",
            Self::Sjf => "sjf",
            Self::Srtf => "srtf",
            Self::RoundRobin => "rr",
            Self::Priority => "priority",
            Self::PriorityPreemptive => "priority-preemptive",
            Self::Mlfq => "mlfq",
        }
    }

    /// Parses [`PolicyKind::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.id() == id)
    }

    /// Every id, comma-separated, for messages and help texts.
    pub fn id_list() -> String {
        Self::ALL.map(Self::id).join(", ")
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Fcfs => "First come, first served",
            Self::Sjf => "Shortest job first",
            Self::Srtf => "Shortest remaining time first",
            Self::RoundRobin => "Round robin",
            Self::Priority => "Priority (non-preemptive)",
            Self::PriorityPreemptive => "Priority (preemptive)",
            Self::Mlfq => "Multi-level feedback queue",
        }
    }

    /// Whether the quantum matters for this policy.
    pub fn uses_quantum(self) -> bool {
        matches!(self, Self::RoundRobin | Self::Mlfq)
    }

    /// Whether a boost period matters for this policy.
    pub fn uses_boost(self) -> bool {
        self == Self::Mlfq
    }

    /// Whether task priorities (and their direction) matter for this policy.
    pub fn uses_priorities(self) -> bool {
        matches!(self, Self::Priority | Self::PriorityPreemptive)
    }

    /// The kind of a simulator policy.
    pub fn of(policy: &Policy) -> Self {
        match policy {
            Policy::Fcfs => Self::Fcfs,
            Policy::Sjf => Self::Sjf,
            Policy::Srtf => Self::Srtf,
            Policy::RoundRobin { .. } => Self::RoundRobin,
            Policy::Priority {
                preemptive: false, ..
            } => Self::Priority,
            Policy::Priority {
                preemptive: true, ..
            } => Self::PriorityPreemptive,
            Policy::Mlfq { .. } => Self::Mlfq,
        }
    }

    /// The simulator policy of this kind with these knobs.
    pub fn build(self, knobs: &PolicyKnobs) -> Policy {
        let quantum = knobs.quantum.max(1);
        match self {
            Self::Fcfs => Policy::Fcfs,
            Self::Sjf => Policy::Sjf,
            Self::Srtf => Policy::Srtf,
            Self::RoundRobin => Policy::RoundRobin { quantum },
            Self::Priority | Self::PriorityPreemptive => Policy::Priority {
                preemptive: self == Self::PriorityPreemptive,
                higher_number_is_higher: knobs.higher_number_is_higher,
            },
            Self::Mlfq => Policy::Mlfq {
                queues: mlfq_levels(quantum),
                boost_period: match knobs.boost_period {
                    None => Some(quantum.saturating_mul(MLFQ_BOOST_QUANTA)),
                    Some(0) => None,
                    Some(period) => Some(period),
                },
            },
        }
    }

    /// A short description of `policy` for people, e.g. "round robin, 5 ms quantum".
    pub fn describe(policy: &Policy, unit: &str) -> String {
        match policy {
            Policy::RoundRobin { quantum } => format!("round robin, {quantum} {unit} quantum"),
            other => Self::of(other).label().to_lowercase(),
        }
    }
}

/// The MLFQ recipe's levels from a top quantum (see the module docs).
pub fn mlfq_levels(quantum: u64) -> Vec<MlfqLevel> {
    MLFQ_LEVEL_FACTORS
        .iter()
        .map(|factor| {
            let level_quantum = quantum.max(1).saturating_mul(*factor);
            MlfqLevel {
                quantum: level_quantum,
                allotment: level_quantum.saturating_mul(2),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_kinds_round_trip_through_policies() {
        for kind in PolicyKind::ALL {
            assert_eq!(PolicyKind::from_id(kind.id()), Some(kind));
            assert_eq!(
                PolicyKind::of(&kind.build(&PolicyKnobs::with_quantum(3))),
                kind
            );
        }
        assert_eq!(PolicyKind::from_id("round-robin"), None);
    }

    #[test]
    fn the_simulator_json_tags_are_the_policy_ids() {
        // The CLI's JSON input names a policy by its `kind` tag (serde attributes in sim/model.rs): it must be
        // the id, priority-preemptive being `priority` with `"preemptive": true`.
        for kind in PolicyKind::ALL {
            let json = serde_json::to_value(kind.build(&PolicyKnobs::with_quantum(2)))
                .expect("serialises");
            let expected = match kind {
                PolicyKind::PriorityPreemptive => PolicyKind::Priority.id(),
                other => other.id(),
            };
            assert_eq!(json["kind"], expected, "{kind:?}");
        }
    }

    #[test]
    fn the_mlfq_recipe_doubles_quanta_and_boosts_every_fifty_quanta() {
        let Policy::Mlfq {
            queues,
            boost_period,
        } = PolicyKind::Mlfq.build(&PolicyKnobs::with_quantum(2))
        else {
            panic!("an MLFQ");
        };
        let quanta: Vec<u64> = queues.iter().map(|level| level.quantum).collect();
        let allotments: Vec<u64> = queues.iter().map(|level| level.allotment).collect();
        assert_eq!(quanta, [2, 4, 8]);
        assert_eq!(allotments, [4, 8, 16]);
        assert_eq!(boost_period, Some(100));
        let no_boost = PolicyKnobs {
            boost_period: Some(0),
            ..PolicyKnobs::with_quantum(2)
        };
        assert!(matches!(
            PolicyKind::Mlfq.build(&no_boost),
            Policy::Mlfq {
                boost_period: None,
                ..
            }
        ));
    }
}
