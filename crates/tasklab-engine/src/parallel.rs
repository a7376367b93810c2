//! The parallel executor: compute phases run as jobs on a rayon pool; an async dispatcher on the calling thread
//! hands them out by the scenario's policy and collects results, never blocking.
//!
//! - Each worker is one CPU of the policy. When a worker is free, the policy ([`Dispatcher`]) picks the next
//!   piece of work among the ready ones; no task is ready before its `arrival_ms`.
//! - At most `workers` jobs are in flight at once, so a run with *k* workers never computes more than *k* pieces
//!   at a time, even on a larger pool.
//! - A splittable task's compute phase is cut into chunks, each a piece of its own; the chunk checksums are
//!   combined, which gives exactly the checksum of the whole phase.
//! - **Preemption happens at job boundaries.** A job runs one turn of the policy (a round-robin or MLFQ quantum,
//!   or the whole burst), and for preemptive policies at most one slice: when it returns, the dispatcher decides
//!   whether the piece goes on (same worker, no gap), goes back to the ready queue (its quantum is used up, or a
//!   better piece is ready), or is done. A piece's progress travels with it, so it resumes where it stopped, on
//!   whichever worker the policy gives it. Each job is one slice of the timeline.
//! - A wait phase is a timer on the dispatcher's thread: no worker is held while a task waits.
//! - Stop: jobs check the flag between small steps and return at once; the dispatcher drops pending timers.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use futures::future::{select, Either};
use futures::stream::{FuturesUnordered, StreamExt};
use tasklab_core::report::RunRecord;
use tasklab_core::scenario::{Phase, Scenario};
use tasklab_core::workload::{combine_chunks, fold_phase, ComputeProgress};

use crate::cooperative::{nap, MIN_SLICE_MS, STOP_POLL_MS};
use crate::host::{Clock, Host};
use crate::progress::{BatchSizer, LiveProgress};
use crate::record::RecordBuilder;
use crate::schedule::{micros, Dispatcher, Pending, RealSchedule};

/// Chunks per worker a splittable phase is cut into by default: enough that a worker finishing early finds more
/// work, few enough that dispatching them costs little.
pub const CHUNKS_PER_WORKER: usize = 4;

/// How the parallel executor behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct ParallelOptions {
    /// Most jobs computing at once.
    pub workers: usize,
    /// Chunks per worker for a splittable phase (more chunks balance uneven work better).
    pub chunks_per_worker: usize,
    /// Longest job of a preemptive policy, in milliseconds: how late a better piece may wait for a worker.
    pub slice_ms: f64,
    /// The policy deciding which piece a free worker runs.
    pub schedule: RealSchedule,
}

impl ParallelOptions {
    /// `workers` workers (at least 1), [`CHUNKS_PER_WORKER`] chunks each, first come first served.
    pub fn with_workers(workers: usize) -> Self {
        Self {
            workers: workers.max(1),
            chunks_per_worker: CHUNKS_PER_WORKER,
            slice_ms: 5.0,
            schedule: RealSchedule::fcfs(),
        }
    }

    /// How many chunks a splittable compute phase is cut into (fewer only if the phase has fewer units).
    pub fn chunks_per_splittable_phase(&self) -> usize {
        self.workers.saturating_mul(self.chunks_per_worker).max(1)
    }

    /// How many chunks a splittable compute phase of `units` units is cut into: never more than its units, so no
    /// chunk is empty, and at least one.
    fn chunks_for(&self, units: u64) -> usize {
        let most = usize::try_from(units).unwrap_or(usize::MAX);
        self.chunks_per_splittable_phase().min(most).max(1)
    }
}

/// A piece of one compute phase (the whole phase, or a chunk of a splittable one) with its progress.
#[derive(Debug, Clone)]
struct Piece {
    task: usize,
    progress: ComputeProgress,
    /// CPU time left in the piece's current turn.
    turn_left_us: u64,
    /// The key it was last picked with ([`Dispatcher::pick`]).
    key: i128,
}

/// What a worker sends back: the piece, moved on.
#[derive(Debug, Clone)]
struct JobDone {
    piece: Piece,
    lane: usize,
    start_ms: f64,
    end_ms: f64,
}

/// Runs the piece on the current (worker) thread for at most `budget_ms`, checking Stop between small steps.
fn run_job<C: Clock>(
    mut piece: Piece,
    budget_ms: f64,
    clock: C,
    progress: &LiveProgress,
) -> JobDone {
    let start_ms = clock.now_ms();
    let deadline = start_ms + budget_ms;
    let mut sizer = BatchSizer::default();
    while !piece.progress.is_finished() && !progress.stop_requested() {
        let step_start = clock.now_ms();
        let ran = piece.progress.step(sizer.units());
        progress.add_units(piece.task, ran);
        let step_end = clock.now_ms();
        sizer.observe(ran, step_end - step_start);
        if step_end >= deadline {
            break;
        }
    }
    JobDone {
        piece,
        lane: rayon::current_thread_index().unwrap_or(0),
        start_ms,
        end_ms: clock.now_ms(),
    }
}

/// Per-task bookkeeping of the dispatcher.
#[derive(Debug, Default)]
struct TaskState {
    next_phase: usize,
    chunks_outstanding: usize,
    phase_checksum: u64,
    checksum: u64,
}

type JobFuture = Pin<Box<dyn Future<Output = Option<JobDone>>>>;

/// Runs `piece` on pool thread `worker` (which the dispatcher knows is idle) and returns its result as a future.
///
/// `spawn_broadcast` queues the closure on every pool thread; only the chosen one runs the job, the others return
/// at once. Pinning keeps "worker k" a real, stable thread, so the timeline shows exactly the workers asked for.
fn spawn_on_worker<C: Clock>(
    worker: usize,
    piece: Piece,
    budget_ms: f64,
    clock: C,
    progress: &Arc<LiveProgress>,
) -> JobFuture {
    let (sender, receiver) = futures_channel::oneshot::channel();
    // Taken once, by the chosen thread only, so the lock is never contended (and never taken on the main thread).
    let payload = Mutex::new(Some((sender, piece, Arc::clone(progress))));
    rayon::spawn_broadcast(move |context| {
        if context.index() != worker {
            return;
        }
        let taken = payload.lock().ok().and_then(|mut slot| slot.take());
        if let Some((sender, piece, progress)) = taken {
            let _ = sender.send(run_job(piece, budget_ms, clock, &progress));
        }
    });
    Box::pin(async move { receiver.await.ok() })
}

/// The dispatcher's state while a run goes.
struct Run<'a> {
    scenario: &'a Scenario,
    options: &'a ParallelOptions,
    tasks: Vec<TaskState>,
    dispatcher: Dispatcher<Piece>,
    /// Arrivals and wake-ups not yet due.
    pending: Pending,
    record: RecordBuilder,
}

impl Run<'_> {
    fn remaining_us(&self, piece: &Piece) -> u64 {
        micros(
            piece.progress.remaining() as f64
                * self.options.schedule.costs.of(piece.progress.kind()),
        )
    }

    /// `piece` becomes ready at `now_us`, with a fresh turn.
    fn enter(&mut self, mut piece: Piece, now_us: u64, preempted: bool) {
        let remaining = self.remaining_us(&piece);
        piece.turn_left_us = self.dispatcher.turn_length_us(piece.task, remaining);
        self.dispatcher
            .enter(piece.clone(), piece.task, remaining, now_us, preempted);
    }

    /// Moves `task` to its next phase at `now_us`: its pieces become ready, or its wait starts, or it is done.
    fn advance(&mut self, task: usize, now_us: u64, now_ms: f64) {
        let spec = &self.scenario.tasks[task];
        let state = &mut self.tasks[task];
        let Some(phase) = spec.phases.get(state.next_phase) else {
            self.record.task_finished(task, now_ms);
            return;
        };
        state.next_phase += 1;
        match *phase {
            Phase::Wait { ms } => self.pending.wake_after(task, now_us, ms),
            Phase::Compute { kind, units } => {
                let chunks = if spec.splits_phase(kind) {
                    self.options.chunks_for(units)
                } else {
                    1
                } as u64;
                state.phase_checksum = 0;
                state.chunks_outstanding = chunks as usize;
                for chunk in 0..chunks {
                    let progress = ComputeProgress::new(
                        kind,
                        units * chunk / chunks,
                        units * (chunk + 1) / chunks,
                    );
                    let piece = Piece {
                        task,
                        progress,
                        turn_left_us: 0,
                        key: 0,
                    };
                    self.enter(piece, now_us, false);
                }
            }
        }
    }

    /// Tasks due by `now_us` move on, in the order they became ready.
    fn admit_due(&mut self, now_us: u64, now_ms: f64) {
        for due in self.pending.take_due(now_us) {
            self.advance(due.task, due.at_us, now_ms);
        }
    }

    /// A finished piece: its checksum joins its phase's; the last one moves the task on.
    fn piece_finished(&mut self, piece: &Piece, now_us: u64, now_ms: f64) {
        let state = &mut self.tasks[piece.task];
        state.phase_checksum = combine_chunks(state.phase_checksum, piece.progress.checksum());
        state.chunks_outstanding -= 1;
        if state.chunks_outstanding == 0 {
            state.checksum = fold_phase(state.checksum, state.phase_checksum);
            self.advance(piece.task, now_us, now_ms);
        }
    }

    /// The longest job for `piece`: its turn, and for preemptive policies at most one slice.
    /// A preemptive policy's job also ends when the next task becomes ready (`now_us`: the run's clock).
    fn budget_ms(&self, piece: &Piece, now_us: u64) -> f64 {
        let turn_ms = piece.turn_left_us as f64 / 1_000.0;
        if !self.dispatcher.rules().is_preemptive() {
            return turn_ms;
        }
        let until_due_ms = self.pending.ms_until_next(now_us).unwrap_or(f64::INFINITY);
        turn_ms
            .min(self.options.slice_ms)
            .min(until_due_ms.max(MIN_SLICE_MS))
    }
}

/// Runs every task of a valid `scenario` on the rayon pool and records each job as a slice on its worker's lane.
///
/// Call it from the thread that owns the event loop (the page's main thread): it awaits and never blocks.
/// The pool must be ready (in the browser: `initThreadPool` has resolved).
pub async fn run_parallel<H: Host>(
    scenario: &Scenario,
    options: &ParallelOptions,
    host: &H,
    progress: Arc<LiveProgress>,
) -> RunRecord {
    let clock = host.clock();
    let run_start = clock.now_ms();
    let now_us = || micros(clock.now_ms() - run_start);
    let mut run = Run {
        scenario,
        options,
        tasks: scenario
            .tasks
            .iter()
            .map(|_| TaskState::default())
            .collect(),
        dispatcher: Dispatcher::new(&options.schedule, scenario),
        pending: Pending::arrivals(scenario),
        record: RecordBuilder::new(scenario, run_start),
    };
    let mut jobs_in_flight: FuturesUnordered<JobFuture> = FuturesUnordered::new();
    // Worker k of the run is pool thread k: jobs are pinned, so a run with k workers uses exactly threads 0..k.
    let mut free_workers: Vec<usize> =
        (0..options.workers.min(rayon::current_num_threads())).collect();
    let mut stopped = false;
    // Per lane: when its last job ended, if it got its next job without waiting for work; the gap to that job is
    // the cost of handing work out (counted as overhead, which the model of the run takes into account).
    // `true` when the lane's next job is a new piece (a dispatch), `false` when it goes on with the same one.
    let mut handed_back_at: Vec<Option<(f64, bool)>> = vec![None; options.workers.max(1)];
    // Lanes freed by the event just handled, with the end of their job.
    let mut just_freed: Vec<(usize, f64)> = Vec::new();

    loop {
        let stretch_start = clock.now_ms();
        if progress.stop_requested() {
            stopped = true;
            run.pending.clear();
            while run.dispatcher.pick(0).is_some() {}
        }
        let now = now_us();
        run.dispatcher.boost_if_due(now);
        run.admit_due(now, clock.now_ms());
        while let Some(&worker) = free_workers.first() {
            let Some((mut piece, key)) = run.dispatcher.pick(now) else {
                break;
            };
            piece.key = key;
            free_workers.remove(0);
            if let Some(&(_, end)) = just_freed.iter().find(|(lane, _)| *lane == worker) {
                if let Some(slot) = handed_back_at.get_mut(worker) {
                    *slot = Some((end, true));
                }
            }
            let budget = run.budget_ms(&piece, now_us());
            jobs_in_flight.push(spawn_on_worker(worker, piece, budget, clock, &progress));
        }
        just_freed.clear();
        run.record.held_main_thread(stretch_start, clock.now_ms());

        let next_due_ms = run.pending.ms_until_next(now_us());
        let event = match (jobs_in_flight.is_empty(), next_due_ms) {
            (true, None) => break,
            // Only waits are pending: wake up when the next is due, and now and then to notice a Stop.
            (true, Some(wait_ms)) => {
                nap(host, wait_ms, STOP_POLL_MS).await;
                continue;
            }
            (false, None) => jobs_in_flight.next().await,
            (false, Some(wait_ms)) => {
                match select(
                    jobs_in_flight.next(),
                    Box::pin(nap(host, wait_ms, f64::INFINITY)),
                )
                .await
                {
                    Either::Left((done, _)) => done,
                    Either::Right(((), _)) => continue,
                }
            }
        };
        let stretch_start = clock.now_ms();
        match event {
            Some(Some(done)) => {
                let JobDone {
                    mut piece,
                    lane,
                    start_ms,
                    end_ms,
                } = done;
                // Times from the worker's clock: when the work really started and ended, not when the dispatcher
                // heard of it.
                run.record.task_started(piece.task, start_ms);
                run.record.slice(piece.task, lane, start_ms, end_ms);
                match handed_back_at.get_mut(lane).and_then(Option::take) {
                    Some((previous_end, true)) => {
                        run.record.dispatch_overhead(start_ms - previous_end)
                    }
                    Some((previous_end, false)) => run.record.overhead(start_ms - previous_end),
                    None => {}
                }
                let ran_us = micros(end_ms - start_ms);
                run.dispatcher.account(piece.task, ran_us);
                let now = now_us();
                let now_ms = clock.now_ms();
                if piece.progress.is_finished() {
                    free_workers.push(lane);
                    just_freed.push((lane, end_ms));
                    run.piece_finished(&piece, micros(end_ms - run_start), end_ms);
                } else if progress.stop_requested() {
                    stopped = true;
                    free_workers.push(lane);
                } else {
                    // Whatever became ready during the job is queued before the piece's own fate is decided.
                    run.dispatcher.boost_if_due(now);
                    run.admit_due(now, now_ms);
                    piece.turn_left_us = piece.turn_left_us.saturating_sub(ran_us);
                    let remaining = run.remaining_us(&piece);
                    if piece.turn_left_us == 0
                        || run
                            .dispatcher
                            .should_preempt(piece.task, remaining, piece.key, now)
                    {
                        free_workers.push(lane);
                        just_freed.push((lane, end_ms));
                        run.enter(piece, now, true);
                    } else {
                        // The turn goes on, on the same worker.
                        if let Some(slot) = handed_back_at.get_mut(lane) {
                            *slot = Some((end_ms, false));
                        }
                        let budget = run.budget_ms(&piece, now_us());
                        jobs_in_flight.push(spawn_on_worker(lane, piece, budget, clock, &progress));
                    }
                }
                free_workers.sort_unstable();
            }
            // A worker dropped its sender: it died (a panic aborts the whole module on the web, so this is native).
            Some(None) => stopped = true,
            None => {}
        }
        run.record.held_main_thread(stretch_start, clock.now_ms());
    }

    let checksums = run.tasks.iter().map(|state| state.checksum).collect();
    run.record.finish(clock.now_ms(), checksums, stopped)
}
