//! The page's glossary: each scheduling term the page uses to label a figure or a control, with a plain-word
//! definition and an example. Pure data, read by the `Term` component (`panels/term.rs`), which shows an entry on
//! hover and on keyboard focus.

/// One term of the glossary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Its id (`data-term` on the page).
    pub id: &'static str,
    /// The term, as a heading of its explanation.
    pub term: &'static str,
    /// What it means, in plain words, with an example.
    pub definition: &'static str,
}

/// Every term, in the order a course meets them.
pub const GLOSSARY: &[Entry] = &[
    Entry {
        id: "slice",
        term: "Time slice",
        definition: "How long the page's one thread computes before it hands control back to the browser, so the \
                     browser can draw and react to you. For example, with 5 ms slices a task computes for 5 ms, then \
                     the browser gets a turn, then a task goes on.",
    },
    Entry {
        id: "quantum",
        term: "Quantum",
        definition: "How long the scheduler lets one task run before the next ready task gets its turn (round \
                     robin, and MLFQ's top level). For example, with a 10 ms quantum two 30 ms tasks take turns every \
                     10 ms.",
    },
    Entry {
        id: "makespan",
        term: "Makespan",
        definition: "The time from the start until the last task finishes. For example, if the tasks end at 40, 70 \
                     and 90 ms, the makespan is 90 ms.",
    },
    Entry {
        id: "turnaround",
        term: "Turnaround time",
        definition: "How long a task took from its arrival to its finish, waiting included. For example, a task that \
                     arrives at 10 ms and finishes at 60 ms has a turnaround of 50 ms.",
    },
    Entry {
        id: "response",
        term: "Response time",
        definition: "How long a task waited from its arrival until it first ran. For example, a task that arrives \
                     at 10 ms and first runs at 25 ms has a response time of 15 ms.",
    },
    Entry {
        id: "waiting",
        term: "Waiting time",
        definition: "The time a task was ready to run but sat in the queue while others ran. For example, a 20 ms \
                     task with a turnaround of 50 ms and no I/O waited 30 ms.",
    },
    Entry {
        id: "speed-up",
        term: "Speed-up",
        definition: "How many times faster than on one CPU: the one-CPU time divided by this time. For example, \
                     1.0 s on one CPU and 0.5 s on two workers is a speed-up of 2×.",
    },
    Entry {
        id: "efficiency",
        term: "Efficiency",
        definition: "The speed-up divided by the number of CPUs (or workers): how much of each one was put to use. \
                     For example, a speed-up of 1.8× on 2 workers is an efficiency of 90 %.",
    },
    Entry {
        id: "context-switch",
        term: "Context switch",
        definition: "The CPU stops one task and starts another, saving the first one's state and loading the \
                     second's; each switch costs a little time. For example, round robin with a short quantum \
                     switches often and pays that cost often.",
    },
    Entry {
        id: "preemption",
        term: "Preemption",
        definition: "Taking the CPU from a running task before it has finished, to give it to another: its quantum \
                     ran out, or a more urgent task arrived. For example, round robin preempts a task at the end of \
                     each quantum.",
    },
    Entry {
        id: "utilisation",
        term: "Utilisation",
        definition: "The share of the time a CPU was busy running tasks. For example, a CPU busy for 45 ms of a 90 ms \
                     run is 50 % utilised; the rest it was idle.",
    },
];

/// The entry of `id`, if the glossary has one.
pub fn lookup(id: &str) -> Option<&'static Entry> {
    GLOSSARY.iter().find(|entry| entry.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_term_the_page_labels_has_one_entry_with_an_example() {
        for id in [
            "slice",
            "quantum",
            "makespan",
            "turnaround",
            "response",
            "waiting",
            "speed-up",
            "efficiency",
            "context-switch",
            "preemption",
            "utilisation",
        ] {
            let entry = lookup(id).unwrap_or_else(|| panic!("no entry for {id}"));
            assert!(entry.definition.contains("For example"), "{id}");
            assert_eq!(
                GLOSSARY.iter().filter(|other| other.id == id).count(),
                1,
                "{id}"
            );
        }
        assert!(lookup("jargon").is_none());
    }
}
