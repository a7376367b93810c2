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
    /// MLFQ levels chosen by hand, replacing the recipe's (in the same unit as the quantum).
    pub levels: Option<CustomLevels>,
    /// Aging period of the priority policies (none: no aging).
    pub aging: Option<u64>,
}

impl PolicyKnobs {
    /// The knobs with this quantum and every other knob at its default.
    pub fn with_quantum(quantum: u64) -> Self {
        Self {
            quantum,
            boost_period: None,
            higher_number_is_higher: false,
            levels: None,
            aging: None,
        }
    }
}

/// Most MLFQ levels the page and links offer.
pub const MAX_CUSTOM_LEVELS: usize = 8;

/// MLFQ levels chosen by hand: each level's quantum and allotment, top first (the page's `levels=` parameter,
/// written `5:10,10:20,20`: quantum:allotment per level, the last level's allotment optional since it keeps its
/// tasks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CustomLevels {
    levels: [MlfqLevel; MAX_CUSTOM_LEVELS],
    count: usize,
}

impl CustomLevels {
    /// 1 to [`MAX_CUSTOM_LEVELS`] levels, each quantum and allotment at least 1.
    pub fn new(levels: &[MlfqLevel]) -> Option<Self> {
        if levels.is_empty()
            || levels.len() > MAX_CUSTOM_LEVELS
            || levels
                .iter()
                .any(|level| level.quantum == 0 || level.allotment == 0)
        {
            return None;
        }
        let mut fixed = [MlfqLevel {
            quantum: 1,
            allotment: 1,
        }; MAX_CUSTOM_LEVELS];
        fixed[..levels.len()].copy_from_slice(levels);
        Some(Self {
            levels: fixed,
            count: levels.len(),
        })
    }

    /// The levels, top first.
    pub fn levels(&self) -> &[MlfqLevel] {
        &self.levels[..self.count]
    }

    /// Every time multiplied by `factor` (milliseconds to ticks or microseconds).
    pub fn scaled(&self, factor: u64) -> Self {
        let mut scaled = *self;
        for level in &mut scaled.levels[..self.count] {
            level.quantum = level.quantum.saturating_mul(factor);
            level.allotment = level.allotment.saturating_mul(factor);
        }
        scaled
    }

    /// Parses `5:10,10:20,20` (each level `quantum:allotment`, whole numbers ≥ 1 up to `max`; the last level's
    /// allotment may be left out).
    ///
    /// # Errors
    /// A sentence saying what is wrong.
    pub fn parse(text: &str, max: u64) -> Result<Self, String> {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        if parts.len() > MAX_CUSTOM_LEVELS {
            return Err(format!("at most {MAX_CUSTOM_LEVELS} levels"));
        }
        let number = |value: &str| -> Result<u64, String> {
            value
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|number| (1..=max).contains(number))
                .ok_or_else(|| {
                    format!("\u{201c}{value}\u{201d} is not a whole number from 1 to {max}")
                })
        };
        let mut levels = Vec::new();
        for (index, part) in parts.iter().enumerate() {
            let last = index + 1 == parts.len();
            let (quantum, allotment) = match part.split_once(':') {
                Some((quantum, allotment)) => (number(quantum)?, number(allotment)?),
                None if last => {
                    let quantum = number(part)?;
                    (quantum, quantum)
                }
                None => return Err(format!("level {}: write quantum:allotment", index + 1)),
            };
            levels.push(MlfqLevel { quantum, allotment });
        }
        Self::new(&levels).ok_or_else(|| "give 1 to 8 levels".to_owned())
    }

    /// The text [`CustomLevels::parse`] reads back.
    pub fn to_param(&self) -> String {
        let last = self.count - 1;
        self.levels()
            .iter()
            .enumerate()
            .map(|(index, level)| {
                if index == last {
                    level.quantum.to_string()
                } else {
                    format!("{}:{}", level.quantum, level.allotment)
                }
            })
            .collect::<Vec<_>>()
            .join(",")
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

    /// Whether an aging period matters for this policy.
    pub fn uses_aging(self) -> bool {
        self.uses_priorities()
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
                aging: knobs.aging.filter(|period| *period > 0),
            },
            Self::Mlfq => Policy::Mlfq {
                queues: knobs
                    .levels
                    .map_or_else(|| mlfq_levels(quantum), |levels| levels.levels().to_vec()),
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
    fn custom_levels_parse_round_trip_and_replace_the_recipe() {
        let levels = CustomLevels::parse("5:10, 10:30,40", 1_000).expect("valid");
        assert_eq!(levels.to_param(), "5:10,10:30,40");
        assert_eq!(CustomLevels::parse(&levels.to_param(), 1_000), Ok(levels));
        let knobs = PolicyKnobs {
            levels: Some(levels.scaled(2)),
            ..PolicyKnobs::with_quantum(3)
        };
        let Policy::Mlfq { queues, .. } = PolicyKind::Mlfq.build(&knobs) else {
            panic!("an MLFQ");
        };
        assert_eq!(
            queues[1],
            MlfqLevel {
                quantum: 20,
                allotment: 60
            }
        );
        for bad in [
            "",
            "0:4",
            "5",
            "5,6",
            "a:b,3",
            "1:1,1:1,1:1,1:1,1:1,1:1,1:1,1:1,1",
            "5:2000",
        ] {
            let parsed = CustomLevels::parse(bad, 1_000);
            assert!(parsed.is_err() || bad == "5", "{bad}: {parsed:?}");
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
