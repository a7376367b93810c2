//! The scheduling rules, shared by the simulator (on ticks) and the real executors (on microseconds).
//!
//! A policy is reduced to a few questions, each answered here once:
//!
//! - **who runs next**: the [`ReadyQueue`] orders ready tasks by the policy's [`Rules::key`] (smaller first), then
//!   by when they entered the queue, then by their class (an arrival before a preempted task, or the reverse, per
//!   the conventions), then by scenario order;
//! - **whether a ready task preempts a running one**: [`Rules::preempts`] (preemptive policies only, strictly
//!   better key);
//! - **how long a turn lasts**: [`Rules::turn_length`] (the quantum for round robin, the level's quantum and what
//!   is left of its allotment for MLFQ, the whole burst otherwise);
//! - **MLFQ levels**: [`Rules::after_run`] counts the allotment and moves a task down; [`ReadyQueue::boost`]
//!   moves every ready task to the top level.
//!
//! The `ostep` conventions ([`crate::sim::Conventions::ostep`]) change a few of these answers for MLFQ, as OSTEP's
//! `mlfq.py` does; they are the [`MlfqVariant`] of the rules, chosen by [`Rules::with_conventions`]: the quantum
//! continues across turns, the allotment is counted at quantum expiries only, `io_stay` resets the time used at an
//! I/O, and the boost queues the lowest level first. (The order of events within a tick is the simulator's.)
//!
//! Time is an abstract `u64`: the simulator passes ticks, the executors microseconds. Nothing here allocates per
//! decision, so the simulator's cost per slice stays that of a heap or deque operation.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::sim::{Conventions, MlfqLevel, Policy};

/// What orders the ready tasks of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The order they entered the ready queue (FCFS, round robin).
    Entry,
    /// The remaining time of their current CPU burst (SJF, SRTF).
    Remaining,
    /// Their priority (the priority policies).
    Priority,
    /// Their MLFQ level, then entry order within a level.
    Level,
}

/// A task's standing in an MLFQ: its level (0 = top) and the time it has used at that level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// Level, 0 = top.
    pub level: usize,
    /// Time used at this level since it got there (or since the last boost).
    pub used: u64,
}

/// How an MLFQ counts time and boosts: tasklab's textbook rules (the default) or OSTEP's `mlfq.py`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MlfqVariant {
    /// `mlfq.py`: a quantum is a budget that survives I/O and preemption (a turn lasts what is left of it, not a
    /// fresh quantum), and the allotment is only checked when a quantum runs out. Default: every turn gets a fresh
    /// quantum cut to what is left of the allotment.
    pub continued_quantum: bool,
    /// `mlfq.py`: a boost appends the bottom level to the top queue first, then the levels upwards. Default: the
    /// levels from the top down.
    pub boost_lowest_first: bool,
    /// `mlfq.py -S`: issuing an I/O refills the task's quantum and allotment at its level.
    pub io_stay: bool,
    /// `mlfq.py -I`: a task back from I/O goes to the front of its level's queue (and so takes the CPU of a
    /// running task of the same level).
    pub io_bump: bool,
}

impl MlfqVariant {
    /// OSTEP's `mlfq.py`, with its `-S` and `-I` flags.
    pub fn ostep(io_stay: bool, io_bump: bool) -> Self {
        MlfqVariant {
            continued_quantum: true,
            boost_lowest_first: true,
            io_stay,
            io_bump,
        }
    }
}

/// The rules of one policy. Build with [`Rules::new`] (or [`Rules::with_conventions`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    order: Order,
    preemptive: bool,
    quantum: Option<u64>,
    levels: Vec<MlfqLevel>,
    boost_period: Option<u64>,
    higher_number_is_higher: bool,
    /// Aging period of the priority policies (see [`Rules::entry_key`]).
    aging: Option<u64>,
    mlfq: MlfqVariant,
}

impl Rules {
    /// The rules of `policy`. Times in the policy (quanta, allotments, boost period) are in the caller's unit.
    pub fn new(policy: &Policy) -> Self {
        let base = Rules {
            order: Order::Entry,
            preemptive: false,
            quantum: None,
            levels: Vec::new(),
            boost_period: None,
            higher_number_is_higher: false,
            aging: None,
            mlfq: MlfqVariant::default(),
        };
        match policy {
            Policy::Fcfs => base,
            Policy::RoundRobin { quantum } => Rules {
                quantum: Some((*quantum).max(1)),
                ..base
            },
            Policy::Sjf => Rules {
                order: Order::Remaining,
                ..base
            },
            Policy::Srtf => Rules {
                order: Order::Remaining,
                preemptive: true,
                ..base
            },
            Policy::Priority {
                preemptive,
                higher_number_is_higher,
                aging,
            } => Rules {
                order: Order::Priority,
                preemptive: *preemptive,
                higher_number_is_higher: *higher_number_is_higher,
                aging: aging.filter(|period| *period > 0),
                ..base
            },
            Policy::Mlfq {
                queues,
                boost_period,
            } => Rules {
                order: Order::Level,
                preemptive: true,
                levels: queues.clone(),
                boost_period: boost_period.filter(|period| *period > 0),
                ..base
            },
        }
    }

    /// The rules of `policy` under `conventions`: as [`Rules::new`], with OSTEP's MLFQ variant when the
    /// conventions are `ostep` and the policy is an MLFQ (other policies have no variant).
    pub fn with_conventions(policy: &Policy, conventions: &Conventions) -> Self {
        let mut rules = Rules::new(policy);
        if conventions.is_ostep() && rules.order == Order::Level {
            rules.mlfq = MlfqVariant::ostep(conventions.io_stay, conventions.io_bump);
        }
        rules
    }

    /// The MLFQ variant in force (the default one for other policies).
    pub fn mlfq_variant(&self) -> MlfqVariant {
        self.mlfq
    }

    /// What orders the ready tasks.
    pub fn order(&self) -> Order {
        self.order
    }

    /// Whether a ready task may take the CPU of a running one.
    pub fn is_preemptive(&self) -> bool {
        self.preemptive
    }

    /// The MLFQ levels (empty for other policies).
    pub fn levels(&self) -> &[MlfqLevel] {
        &self.levels
    }

    /// The MLFQ boost period, if any.
    pub fn boost_period(&self) -> Option<u64> {
        self.boost_period
    }

    /// A task priority as a key (smaller runs first), whatever the direction of the numbers.
    pub fn priority_key(&self, priority: i64) -> i128 {
        let priority = i128::from(priority);
        if self.higher_number_is_higher {
            -priority
        } else {
            priority
        }
    }

    /// The ordering key of a task (smaller runs first): `remaining` is what is left of its CPU burst,
    /// `priority_key` comes from [`Rules::priority_key`].
    #[inline]
    pub fn key(&self, remaining: u64, priority_key: i128, standing: Standing) -> i128 {
        match self.order {
            Order::Entry => 0,
            Order::Remaining => i128::from(remaining),
            Order::Priority => priority_key,
            Order::Level => standing.level as i128,
        }
    }

    /// The aging period, if the policy ages waiting tasks.
    pub fn aging(&self) -> Option<u64> {
        self.aging
    }

    /// The key a task is queued with when it becomes ready at `entered_at` with policy key `key`.
    ///
    /// With aging (period *A*), a ready task gains one priority step for every multiple of *A* on the clock it
    /// waits through; it keeps what it gained while it runs, and starts again from its own priority when it
    /// queues again. At time *t* a ready task's key is `key − (⌊t/A⌋ − ⌊entered_at/A⌋)`. The `⌊t/A⌋` part is the same for
    /// every ready task, so the queue can keep `key + ⌊entered_at/A⌋` and never reorder; [`Rules::aged`] turns it
    /// into the key at *t* to compare with a running task.
    #[inline]
    pub fn entry_key(&self, key: i128, entered_at: u64) -> i128 {
        match self.aging {
            Some(period) if self.order == Order::Priority => key + i128::from(entered_at / period),
            _ => key,
        }
    }

    /// A queued key ([`Rules::entry_key`]) as it stands at `now`.
    #[inline]
    pub fn aged(&self, queued_key: i128, now: u64) -> i128 {
        match self.aging {
            Some(period) if self.order == Order::Priority => queued_key - i128::from(now / period),
            _ => queued_key,
        }
    }

    /// The next time ready tasks gain a step by aging, after `now` (only the preemptive policies need to act on
    /// it: the others compare ready tasks only, whose order aging never changes).
    pub fn next_aging_after(&self, now: u64) -> Option<u64> {
        self.aging
            .filter(|_| self.order == Order::Priority && self.preemptive)
            .map(|period| (now / period).saturating_add(1).saturating_mul(period))
    }

    /// Whether a ready task of key `ready` takes the CPU of a running task of key `running`.
    #[inline]
    pub fn preempts(&self, ready: i128, running: i128) -> bool {
        self.preemptive && ready < running
    }

    /// How long a turn lasts for a task with `remaining` time left in its burst (it may end earlier, when the
    /// burst ends or a better task preempts it).
    #[inline]
    pub fn turn_length(&self, remaining: u64, standing: Standing) -> u64 {
        if let Some(quantum) = self.quantum {
            return remaining.min(quantum);
        }
        let last_level = self.levels.len().saturating_sub(1);
        match self.levels.get(standing.level) {
            // mlfq.py: the turn ends with what is left of the current quantum.
            Some(level) if self.mlfq.continued_quantum => {
                let quantum = level.quantum.max(1);
                remaining.min(quantum - standing.used % quantum)
            }
            // The turn ends with the allotment, so the move down happens on time.
            Some(level) if standing.level < last_level => remaining
                .min(level.quantum)
                .min(level.allotment.saturating_sub(standing.used).max(1)),
            Some(level) => remaining.min(level.quantum),
            None => remaining,
        }
    }

    /// The standing after running `ran` at `standing`: a task that has used its level's allotment moves one
    /// level down with a fresh allotment (the last level keeps its tasks).
    #[inline]
    pub fn after_run(&self, standing: Standing, ran: u64) -> Standing {
        self.after_turn(standing, ran, false)
    }

    /// [`Rules::after_run`] for a turn that may end by issuing an I/O (`starts_io`), which matters with
    /// [`MlfqVariant::io_stay`].
    #[inline]
    pub fn after_turn(&self, standing: Standing, ran: u64, starts_io: bool) -> Standing {
        if self.mlfq.continued_quantum {
            return self.after_turn_continued(standing, ran, starts_io);
        }
        let used = standing.used.saturating_add(ran);
        let last_level = self.levels.len().saturating_sub(1);
        match self.levels.get(standing.level) {
            Some(level) if standing.level < last_level && used >= level.allotment => Standing {
                level: standing.level + 1,
                used: 0,
            },
            _ => Standing {
                level: standing.level,
                used,
            },
        }
    }

    /// `mlfq.py`'s accounting: `used` counts the ticks at the level, so the quantum runs out whenever it reaches a
    /// multiple of the quantum (turns never cross one), and only then is the allotment (in ticks) checked.
    fn after_turn_continued(&self, standing: Standing, ran: u64, starts_io: bool) -> Standing {
        let mut used = standing.used.saturating_add(ran);
        let Some(level) = self.levels.get(standing.level) else {
            return Standing { used, ..standing };
        };
        let quantum = level.quantum.max(1);
        let expired = ran > 0 && used.is_multiple_of(quantum);
        if starts_io && self.mlfq.io_stay {
            // -S refills quantum and allotment; mlfq.py still counts an expiry seen before the refill, which uses
            // one quantum of the fresh allotment.
            used = if expired { quantum } else { 0 };
        }
        if !expired {
            return Standing { used, ..standing };
        }
        if standing.level + 1 >= self.levels.len() {
            // The bottom level only ever refills.
            Standing {
                used: 0,
                ..standing
            }
        } else if used >= level.allotment {
            Standing {
                level: standing.level + 1,
                used: 0,
            }
        } else {
            Standing { used, ..standing }
        }
    }

    /// How many boosts are due by `now` (boosts happen at P, 2P, …).
    pub fn boosts_due(&self, now: u64) -> u64 {
        self.boost_period.map_or(0, |period| now / period)
    }
}

/// Where a ready task stands among those that entered at the same time, beyond the policy's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    /// When it entered the ready queue.
    pub at: u64,
    /// 0 or 1: which of arrivals and preempted tasks goes first at one time (the conventions decide).
    pub class: u8,
    /// Scenario order.
    pub index: usize,
}

/// Heap entry of a keyed queue, ordered by key then entry.
#[derive(Debug, Clone, Copy)]
struct Keyed<T> {
    key: (i128, Entry),
    item: T,
}

impl<T> PartialEq for Keyed<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl<T> Eq for Keyed<T> {}

impl<T> PartialOrd for Keyed<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Keyed<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

#[derive(Debug, Clone)]
enum Queue<T> {
    Fifo(VecDeque<T>),
    Keyed(BinaryHeap<Reverse<Keyed<T>>>),
    /// One FIFO per MLFQ level; bit `l` of `nonempty` is set when level `l` has tasks (at most 64 levels).
    Levels {
        queues: Vec<VecDeque<T>>,
        nonempty: u64,
    },
}

/// The ready tasks of one policy, best first. `T` is whatever the caller carries per ready task.
///
/// FIFO policies cost O(1) per operation, keyed ones O(log n), MLFQ O(1) (a bit scan finds the top level).
#[derive(Debug, Clone)]
pub struct ReadyQueue<T> {
    queue: Queue<T>,
    len: usize,
    /// [`MlfqVariant::boost_lowest_first`].
    boost_lowest_first: bool,
}

impl<T> ReadyQueue<T> {
    /// An empty queue ordered as `rules` say.
    pub fn new(rules: &Rules) -> Self {
        let queue = match rules.order {
            Order::Entry => Queue::Fifo(VecDeque::new()),
            Order::Remaining | Order::Priority => Queue::Keyed(BinaryHeap::new()),
            Order::Level => Queue::Levels {
                queues: (0..rules.levels.len().clamp(1, 64))
                    .map(|_| VecDeque::new())
                    .collect(),
                nonempty: 0,
            },
        };
        ReadyQueue {
            queue,
            len: 0,
            boost_lowest_first: rules.mlfq.boost_lowest_first,
        }
    }

    /// Number of ready tasks.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no task is ready.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a task with its key ([`Rules::key`]; for MLFQ, its level) and entry.
    ///
    /// FIFO orders (and MLFQ within a level) use the call order as the entry order, so callers push tasks that
    /// enter at one time in their entry order.
    #[inline]
    pub fn push(&mut self, item: T, key: i128, entry: Entry) {
        match &mut self.queue {
            Queue::Fifo(queue) => queue.push_back(item),
            Queue::Keyed(heap) => heap.push(Reverse(Keyed {
                key: (key, entry),
                item,
            })),
            Queue::Levels { queues, nonempty } => {
                let last = queues.len() - 1;
                let level = usize::try_from(key).unwrap_or(0).min(last);
                queues[level].push_back(item);
                *nonempty |= 1 << level;
            }
        }
        self.len += 1;
    }

    /// Adds a task ahead of every task with the same key (MLFQ: the front of its level; FIFO: the front).
    /// Keyed queues order by key and entry only, so there it is [`ReadyQueue::push`].
    pub fn push_front(&mut self, item: T, key: i128, entry: Entry) {
        match &mut self.queue {
            Queue::Fifo(queue) => {
                queue.push_front(item);
                self.len += 1;
            }
            Queue::Levels { queues, nonempty } => {
                let last = queues.len() - 1;
                let level = usize::try_from(key).unwrap_or(0).min(last);
                queues[level].push_front(item);
                *nonempty |= 1 << level;
                self.len += 1;
            }
            Queue::Keyed(_) => self.push(item, key, entry),
        }
    }

    /// Removes the best task.
    #[inline]
    pub fn pop(&mut self) -> Option<T> {
        let item = match &mut self.queue {
            Queue::Fifo(queue) => queue.pop_front(),
            Queue::Keyed(heap) => heap.pop().map(|Reverse(entry)| entry.item),
            Queue::Levels { queues, nonempty } => {
                let level = nonempty.trailing_zeros() as usize;
                let queue = queues.get_mut(level)?;
                let item = queue.pop_front();
                if queue.is_empty() {
                    *nonempty &= !(1 << level);
                }
                item
            }
        };
        if item.is_some() {
            self.len -= 1;
        }
        item
    }

    /// The key of the best task, for preemption checks (`None` when empty, and for FIFO orders, which never
    /// preempt).
    #[inline]
    pub fn best_key(&self) -> Option<i128> {
        match &self.queue {
            Queue::Fifo(_) => None,
            Queue::Keyed(heap) => heap.peek().map(|Reverse(entry)| entry.key.0),
            Queue::Levels { nonempty, .. } => {
                (*nonempty != 0).then(|| i128::from(nonempty.trailing_zeros()))
            }
        }
    }

    /// MLFQ boost: every ready task moves to the top level, keeping their order within a level. The top level's
    /// tasks stay first; then come the other levels from the top down, or from the bottom up with
    /// [`MlfqVariant::boost_lowest_first`].
    pub fn boost(&mut self) {
        if let Queue::Levels { queues, nonempty } = &mut self.queue {
            if let Some((top, lower)) = queues.split_first_mut() {
                if self.boost_lowest_first {
                    for queue in lower.iter_mut().rev() {
                        top.append(queue);
                    }
                } else {
                    for queue in lower {
                        top.append(queue);
                    }
                }
                *nonempty = u64::from(!top.is_empty());
            }
        }
    }

    /// Removes the first task, in the order they would run, for which `allowed` holds; the others keep their
    /// places. This is how a CPU with an affinity constraint takes work from a shared queue (OSTEP `multi.py`):
    /// it skips the tasks it may not run. O(n) for FIFO and MLFQ queues, O(n log n) for keyed ones.
    pub fn take_first(&mut self, mut allowed: impl FnMut(&T) -> bool) -> Option<T> {
        let item = match &mut self.queue {
            Queue::Fifo(queue) => {
                let position = queue.iter().position(&mut allowed)?;
                queue.remove(position)
            }
            Queue::Levels { queues, nonempty } => {
                let (level, position) = queues.iter().enumerate().find_map(|(level, queue)| {
                    queue
                        .iter()
                        .position(&mut allowed)
                        .map(|position| (level, position))
                })?;
                let queue = &mut queues[level];
                let item = queue.remove(position);
                if queue.is_empty() {
                    *nonempty &= !(1 << level);
                }
                item
            }
            Queue::Keyed(heap) => {
                // Rare (keyed policies have no multiprocessor model yet): sort, take, rebuild.
                let mut entries: Vec<Keyed<T>> = std::mem::take(heap)
                    .into_iter()
                    .map(|Reverse(entry)| entry)
                    .collect();
                entries.sort_by_key(|entry| entry.key);
                let position = entries.iter().position(|entry| allowed(&entry.item));
                let taken = position.map(|position| entries.remove(position).item);
                *heap = entries.into_iter().map(Reverse).collect();
                taken
            }
        };
        if item.is_some() {
            self.len -= 1;
        }
        item
    }

    /// The ready tasks in the order they would run (for display; O(n log n) for keyed queues).
    pub fn in_order(&self) -> Vec<&T> {
        match &self.queue {
            Queue::Fifo(queue) => queue.iter().collect(),
            Queue::Keyed(heap) => {
                let mut entries: Vec<&Keyed<T>> = heap.iter().map(|Reverse(entry)| entry).collect();
                entries.sort_by_key(|entry| entry.key);
                entries.into_iter().map(|entry| &entry.item).collect()
            }
            Queue::Levels { queues, .. } => queues.iter().flatten().collect(),
        }
    }
}

/// The rules of OSTEP `multi.py`'s multiprocessor model that do not depend on a policy.
///
/// Its slice clock is global: every running task is taken off its CPU at each multiple of the quantum, however
/// long it has run, so a task dispatched mid-slice runs only to the next multiple.
pub mod multi {
    /// Ticks from `now` to the next end of a global slice of `quantum` ticks (`quantum` when `now` is one; a
    /// quantum of 0 is treated as 1).
    pub fn ticks_to_slice_end(now: u64, quantum: u64) -> u64 {
        let quantum = quantum.max(1);
        quantum - now % quantum
    }

    /// Whether a task with this affinity (none = any CPU) may run on `cpu`.
    pub fn may_run_on(affinity: Option<&[u32]>, cpu: u32) -> bool {
        affinity.is_none_or(|cpus| cpus.contains(&cpu))
    }

    /// `multi.py`'s steal test, which is not the affinity test: a task without affinity may always be stolen;
    /// one with an affinity list is stolen by CPU `thief` only when `thief` equals its original work or its
    /// working set (multi.py compares the CPU number with the task's fields). Kept as is so the results match.
    pub fn ostep_may_steal(
        affinity: Option<&[u32]>,
        thief: u32,
        work: u64,
        working_set: u64,
    ) -> bool {
        affinity.is_none() || u64::from(thief) == work || u64::from(thief) == working_set
    }

    /// The initial placement of tasks on per-CPU queues: repeatedly, for CPU 0, 1, … in turn, the CPU takes the
    /// first task not yet placed (in scenario order) that may run on it, until every task is placed. Returns the
    /// tasks of each CPU's queue, in order; tasks that no CPU may run are left out.
    pub fn place_round_robin<'a>(
        cpus: u32,
        affinities: impl ExactSizeIterator<Item = Option<&'a [u32]>>,
    ) -> Vec<Vec<usize>> {
        let affinities: Vec<Option<&[u32]>> = affinities.collect();
        let mut placed = vec![false; affinities.len()];
        let mut left = affinities.len();
        let mut queues = vec![Vec::new(); cpus as usize];
        // Every task before `first_unplaced` is placed: scans start there, so placing n tasks without affinity
        // costs O(n), not O(n²).
        let mut first_unplaced = 0;
        while left > 0 {
            let mut progress = false;
            for (cpu, queue) in (0..cpus).zip(queues.iter_mut()) {
                while placed.get(first_unplaced) == Some(&true) {
                    first_unplaced += 1;
                }
                let found = (first_unplaced..affinities.len())
                    .find(|&task| !placed[task] && may_run_on(affinities[task], cpu));
                if let Some(task) = found {
                    placed[task] = true;
                    queue.push(task);
                    left -= 1;
                    progress = true;
                }
            }
            // Tasks no CPU may run would otherwise loop forever (validation refuses them anyway).
            if !progress {
                break;
            }
        }
        queues
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{PolicyKind, PolicyKnobs};

    fn entry(at: u64, index: usize) -> Entry {
        Entry {
            at,
            class: 0,
            index,
        }
    }

    #[test]
    fn round_robin_turns_last_a_quantum_and_fcfs_turns_the_whole_burst() {
        let rr = Rules::new(&PolicyKind::RoundRobin.build(&PolicyKnobs::with_quantum(4)));
        assert_eq!(rr.turn_length(10, Standing::default()), 4);
        assert_eq!(rr.turn_length(3, Standing::default()), 3);
        let fcfs = Rules::new(&Policy::Fcfs);
        assert_eq!(fcfs.turn_length(10, Standing::default()), 10);
        assert!(!fcfs.is_preemptive());
    }

    #[test]
    fn keyed_queues_order_by_key_then_entry_time_then_class_then_index() {
        let rules = Rules::new(&Policy::Srtf);
        let mut queue = ReadyQueue::new(&rules);
        queue.push("late", 3, entry(5, 0));
        queue.push("second", 3, entry(2, 4));
        queue.push("first", 3, entry(2, 1));
        queue.push("short", 1, entry(9, 9));
        assert_eq!(queue.best_key(), Some(1));
        let order: Vec<_> = std::iter::from_fn(|| queue.pop()).collect();
        assert_eq!(order, ["short", "first", "second", "late"]);
    }

    #[test]
    fn mlfq_moves_down_after_the_allotment_and_boost_lifts_everyone() {
        let rules = Rules::new(&PolicyKind::Mlfq.build(&PolicyKnobs::with_quantum(2)));
        let top = Standing::default();
        // Allotment 4 at the top: a turn is cut to what is left of it.
        assert_eq!(rules.turn_length(100, Standing { level: 0, used: 3 }), 1);
        let after = rules.after_run(rules.after_run(top, 2), 2);
        assert_eq!(after, Standing { level: 1, used: 0 });
        let mut queue = ReadyQueue::new(&rules);
        queue.push('b', 1, entry(0, 1));
        queue.push('a', 0, entry(0, 0));
        queue.push('c', 2, entry(0, 2));
        assert_eq!(queue.best_key(), Some(0));
        queue.boost();
        assert_eq!(queue.best_key(), Some(0));
        let order: Vec<_> = std::iter::from_fn(|| queue.pop()).collect();
        assert_eq!(order, ['a', 'b', 'c']);
        assert_eq!(rules.boosts_due(250), 2);
    }

    fn ostep_mlfq(io_stay: bool) -> Rules {
        let policy = Policy::Mlfq {
            queues: vec![
                MlfqLevel {
                    quantum: 3,
                    allotment: 6,
                },
                MlfqLevel {
                    quantum: 3,
                    allotment: 3,
                },
                MlfqLevel {
                    quantum: 4,
                    allotment: 4,
                },
            ],
            boost_period: None,
        };
        Rules::with_conventions(&policy, &Conventions::ostep_with(io_stay, false))
    }

    #[test]
    fn ostep_continues_the_quantum_and_checks_the_allotment_at_expiries() {
        let rules = ostep_mlfq(false);
        let at = |level, used| Standing { level, used };
        // 2 of 3 ticks used: the next turn lasts what is left of the quantum, not a fresh one.
        assert_eq!(rules.turn_length(100, at(0, 2)), 1);
        assert_eq!(rules.turn_length(100, at(0, 3)), 3);
        // Expiry with allotment left: same level; expiry with the allotment used: one level down.
        assert_eq!(rules.after_run(at(0, 2), 1), at(0, 3));
        assert_eq!(rules.after_run(at(0, 5), 1), at(1, 0));
        // A cut turn (preemption) is not an expiry; the bottom level only refills.
        assert_eq!(rules.after_run(at(0, 3), 1), at(0, 4));
        assert_eq!(rules.after_run(at(2, 1), 3), at(2, 0));
        // A default MLFQ under other conventions, and other policies, have no variant.
        assert_eq!(
            Rules::new(&Policy::Fcfs).mlfq_variant(),
            MlfqVariant::default()
        );
        let rr = Rules::with_conventions(&Policy::RoundRobin { quantum: 2 }, &Conventions::ostep());
        assert_eq!(rr.mlfq_variant(), MlfqVariant::default());
    }

    #[test]
    fn ostep_io_stay_refills_except_for_the_expiry_it_falls_on() {
        let rules = ostep_mlfq(true);
        let at = |level, used| Standing { level, used };
        assert_eq!(rules.after_turn(at(0, 4), 1, true), at(0, 0));
        // I/O on the tick the quantum runs out: refilled, then one quantum of the fresh allotment is used.
        assert_eq!(rules.after_turn(at(0, 4), 2, true), at(0, 3));
        assert_eq!(rules.after_turn(at(1, 1), 2, true), at(2, 0));
        // Without an I/O, -S changes nothing.
        assert_eq!(rules.after_turn(at(0, 4), 1, false), at(0, 5));
        assert_eq!(ostep_mlfq(false).after_turn(at(0, 4), 1, true), at(0, 5));
    }

    #[test]
    fn ostep_boost_queues_the_lowest_level_first() {
        let rules = ostep_mlfq(false);
        let mut queue = ReadyQueue::new(&rules);
        queue.push('m', 1, entry(0, 1));
        queue.push('t', 0, entry(0, 0));
        queue.push('b', 2, entry(0, 2));
        queue.push('n', 1, entry(0, 3));
        queue.boost();
        let order: Vec<_> = std::iter::from_fn(|| queue.pop()).collect();
        assert_eq!(order, ['t', 'b', 'm', 'n']);
    }

    #[test]
    fn priorities_follow_the_direction_and_only_strictly_better_preempts() {
        let rules = Rules::new(&Policy::Priority {
            preemptive: true,
            higher_number_is_higher: true,
            aging: None,
        });
        assert!(rules.priority_key(5) < rules.priority_key(1));
        assert!(rules.preempts(rules.priority_key(5), rules.priority_key(1)));
        assert!(!rules.preempts(rules.priority_key(5), rules.priority_key(5)));
    }
    #[test]
    fn take_first_skips_tasks_that_are_not_allowed_and_keeps_their_places() {
        let mut queue = ReadyQueue::new(&Rules::new(&Policy::RoundRobin { quantum: 1 }));
        for (index, item) in ['a', 'b', 'c', 'd'].into_iter().enumerate() {
            queue.push(item, 0, entry(0, index));
        }
        assert_eq!(
            queue.take_first(|&item| item == 'c' || item == 'd'),
            Some('c')
        );
        assert_eq!(queue.take_first(|&item| item == 'x'), None);
        assert_eq!(queue.len(), 3);
        let order: Vec<_> = std::iter::from_fn(|| queue.pop()).collect();
        assert_eq!(order, ['a', 'b', 'd']);
    }

    #[test]
    fn take_first_on_keyed_and_level_queues_follows_their_order() {
        let mut keyed = ReadyQueue::new(&Rules::new(&Policy::Srtf));
        keyed.push('l', 9, entry(0, 0));
        keyed.push('s', 1, entry(0, 1));
        keyed.push('m', 5, entry(0, 2));
        assert_eq!(keyed.take_first(|&item| item != 's'), Some('m'));
        let order: Vec<_> = std::iter::from_fn(|| keyed.pop()).collect();
        assert_eq!(order, ['s', 'l']);
        let mut levels = ReadyQueue::new(&ostep_mlfq(false));
        levels.push('t', 0, entry(0, 0));
        levels.push('b', 2, entry(0, 1));
        assert_eq!(levels.take_first(|&item| item == 'b'), Some('b'));
        assert_eq!(levels.best_key(), Some(0));
        assert_eq!(levels.take_first(|_| true), Some('t'));
        assert_eq!(levels.best_key(), None);
        assert!(levels.is_empty());
    }

    #[test]
    fn the_global_slice_clock_ends_at_multiples_of_the_quantum() {
        assert_eq!(multi::ticks_to_slice_end(0, 5), 5);
        assert_eq!(multi::ticks_to_slice_end(3, 5), 2);
        assert_eq!(multi::ticks_to_slice_end(10, 5), 5);
        assert_eq!(multi::ticks_to_slice_end(7, 0), 1);
    }

    #[test]
    fn affinity_and_the_ostep_steal_test_differ() {
        assert!(multi::may_run_on(None, 3));
        assert!(multi::may_run_on(Some(&[0, 1]), 1));
        assert!(!multi::may_run_on(Some(&[0, 1]), 2));
        // multi.py compares the thief with the task's work and working set, not with its affinity.
        assert!(!multi::ostep_may_steal(Some(&[0, 1]), 1, 4, 0));
        assert!(multi::ostep_may_steal(Some(&[0]), 1, 4, 1));
        assert!(multi::ostep_may_steal(Some(&[0]), 1, 1, 50));
        assert!(multi::ostep_may_steal(None, 1, 4, 0));
    }

    #[test]
    fn round_robin_placement_skips_cpus_a_task_may_not_run_on() {
        let only_two: &[u32] = &[2];
        let affinities = [Some(only_two), Some(only_two), None, None, None];
        let queues = multi::place_round_robin(3, affinities.into_iter());
        assert_eq!(queues, vec![vec![2, 4], vec![3], vec![0, 1]]);
        let plain = multi::place_round_robin(2, [None, None, None].into_iter());
        assert_eq!(plain, vec![vec![0, 2], vec![1]]);
    }
}
