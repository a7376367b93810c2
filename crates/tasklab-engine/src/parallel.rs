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
//!
//! **Placement** ([`Placement`]): pinned (above) or rayon's own work stealing. With stealing, a splittable compute
//! phase is one piece: the worker the policy gives it forks the chunks with `rayon::scope`, so they are queued
//! on *its* deque and idle workers of the run steal them. Each chunk records the thread that queued it and the one
//! that ran it (`rayon::current_thread_index`), so a stolen chunk is exactly one that ran elsewhere; rayon keeps
//! no steal statistics of its own. A forked phase runs to its end (rayon cannot take a queued chunk back, so the
//! policy cannot preempt inside it); other phases are still pinned. Pool threads beyond the run's workers are held
//! in a waiting job for the whole run, so only the run's workers can steal.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::{select, Either};
use futures::stream::{FuturesUnordered, StreamExt};
use tasklab_core::report::RunRecord;
use tasklab_core::scenario::{Phase, Scenario};
pub use tasklab_core::settings::Placement;
use tasklab_core::workload::{combine_chunks, fold_phase, ComputeProgress};

use crate::cooperative::{nap, MIN_SLICE_MS, STOP_POLL_MS};
use crate::fault;
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
    /// Whether the policy pins every job to a worker, or rayon's work stealing places a splittable phase's chunks.
    pub placement: Placement,
}

impl ParallelOptions {
    /// `workers` workers (at least 1), [`CHUNKS_PER_WORKER`] chunks each, first come first served.
    pub fn with_workers(workers: usize) -> Self {
        Self {
            workers: workers.max(1),
            chunks_per_worker: CHUNKS_PER_WORKER,
            slice_ms: 5.0,
            schedule: RealSchedule::fcfs(),
            placement: Placement::Pinned,
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

/// What a piece computes.
#[derive(Debug, Clone)]
enum Work {
    /// One range (a whole phase, or a pinned chunk), possibly over several jobs.
    Whole(ComputeProgress),
    /// Stealing placement: a whole splittable phase, forked into these chunks on the worker that gets it.
    Forked(Vec<ComputeProgress>),
}

impl Work {
    fn ranges(&self) -> &[ComputeProgress] {
        match self {
            Self::Whole(range) => std::slice::from_ref(range),
            Self::Forked(chunks) => chunks,
        }
    }

    fn is_finished(&self) -> bool {
        self.ranges().iter().all(ComputeProgress::is_finished)
    }

    /// The checksum of the work so far: its chunks combined, as the pinned chunks of a phase are.
    fn checksum(&self) -> u64 {
        self.ranges()
            .iter()
            .fold(0, |sum, range| combine_chunks(sum, range.checksum()))
    }
}

/// A piece of one compute phase (the whole phase, or a chunk of a splittable one) with its progress.
#[derive(Debug, Clone)]
struct Piece {
    task: usize,
    work: Work,
    /// CPU time left in the piece's current turn.
    turn_left_us: u64,
    /// The key it was last picked with ([`Dispatcher::pick`]).
    key: i128,
}

/// One chunk of a forked phase, as it ran.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ChunkRun {
    /// The pool thread that queued it (the one that forked the phase).
    queued_on: usize,
    /// The pool thread that ran it.
    ran_on: usize,
    start_ms: f64,
    end_ms: f64,
    /// Whether it computed anything (after a Stop, a chunk may start and return at once).
    computed: bool,
}

/// What a worker sends back: the piece, moved on.
#[derive(Debug, Clone)]
struct JobDone {
    piece: Piece,
    lane: usize,
    start_ms: f64,
    end_ms: f64,
    /// A forked piece's chunks, each on the thread that ran it; empty for a whole piece.
    chunks: Vec<ChunkRun>,
}

/// The index of the current pool thread (0 off the pool, which only happens natively before the pool exists).
fn thread_index() -> usize {
    rayon::current_thread_index().unwrap_or(0)
}

/// Runs `range` of `task` on the current thread for at most `budget_ms`, checking Stop between small steps;
/// returns when it started and ended.
fn run_range<C: Clock>(
    task: usize,
    range: &mut ComputeProgress,
    budget_ms: f64,
    clock: C,
    progress: &LiveProgress,
) -> (f64, f64) {
    let start_ms = clock.now_ms();
    let deadline = start_ms + budget_ms;
    let mut sizer = BatchSizer::default();
    while !range.is_finished() && !progress.stop_requested() {
        let step_start = clock.now_ms();
        let ran = range.step(sizer.units());
        progress.add_units(task, ran);
        let step_end = clock.now_ms();
        sizer.observe(ran, step_end - step_start);
        if step_end >= deadline {
            break;
        }
    }
    (start_ms, clock.now_ms())
}

/// Forks `chunks` of `task` on the current pool thread and returns when every one has run: `scope.spawn` pushes
/// each onto this thread's own deque, which this thread pops while idle threads steal from its other end.
fn run_forked<C: Clock>(
    task: usize,
    chunks: &mut [ComputeProgress],
    clock: C,
    progress: &LiveProgress,
) -> Vec<ChunkRun> {
    let queued_on = thread_index();
    let mut runs: Vec<Option<ChunkRun>> = vec![None; chunks.len()];
    rayon::scope(|scope| {
        for (chunk, slot) in chunks.iter_mut().zip(runs.iter_mut()) {
            scope.spawn(move |_| {
                let before = chunk.remaining();
                let (start_ms, end_ms) = crate::fault::as_task(task, || {
                    run_range(task, chunk, f64::INFINITY, clock, progress)
                });
                *slot = Some(ChunkRun {
                    queued_on,
                    ran_on: thread_index(),
                    start_ms,
                    end_ms,
                    computed: chunk.remaining() < before,
                });
            });
        }
    });
    runs.into_iter().flatten().collect()
}

/// Runs the piece on the current (worker) thread: a whole piece for at most `budget_ms`, a forked one to its end.
fn run_job<C: Clock>(
    mut piece: Piece,
    budget_ms: f64,
    clock: C,
    progress: &LiveProgress,
) -> JobDone {
    let lane = thread_index();
    let task = piece.task;
    let (start_ms, end_ms, chunks) = crate::fault::as_task(task, || match &mut piece.work {
        Work::Whole(range) => {
            let (start_ms, end_ms) = run_range(task, range, budget_ms, clock, progress);
            (start_ms, end_ms, Vec::new())
        }
        Work::Forked(chunks) => {
            let start_ms = clock.now_ms();
            let runs = run_forked(task, chunks, clock, progress);
            (start_ms, clock.now_ms(), runs)
        }
    });
    JobDone {
        piece,
        lane,
        start_ms,
        end_ms,
        chunks,
    }
}

/// Pool threads beyond the run's workers, held in a waiting job so they cannot steal; released when dropped
/// (at the end of the run, or if the run is abandoned).
struct HeldThreads {
    released: Arc<AtomicBool>,
}

impl HeldThreads {
    /// Holds every pool thread but the run's `workers` (and those lost to a crash, which would never answer) and
    /// returns once every one of them is held, so no chunk forked later can reach them. Blocking is allowed
    /// there: pool threads are Web Workers, never the page's main thread.
    async fn hold_all_but(workers: &[usize]) -> Self {
        let released = Arc::new(AtomicBool::new(false));
        let lost = fault::lost_threads();
        let held: Vec<usize> = (0..rayon::current_num_threads())
            .filter(|thread| !workers.contains(thread) && !lost.contains(thread))
            .collect();
        if held.is_empty() {
            return Self { released };
        }
        let (senders, receivers): (Vec<_>, Vec<_>) = held
            .iter()
            .map(|&thread| {
                let (sender, receiver) = futures_channel::oneshot::channel::<()>();
                ((thread, Mutex::new(Some(sender))), receiver)
            })
            .unzip();
        let flag = Arc::clone(&released);
        rayon::spawn_broadcast(move |context| {
            let Some((_, slot)) = senders
                .iter()
                .find(|(thread, _)| *thread == context.index())
            else {
                return;
            };
            // Each slot is taken by its own thread only: never contended.
            if let Some(sender) = slot.lock().ok().and_then(|mut slot| slot.take()) {
                let _ = sender.send(());
            }
            while !flag.load(Ordering::Acquire) {
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        for receiver in receivers {
            let _ = receiver.await;
        }
        Self { released }
    }
}

impl Drop for HeldThreads {
    fn drop(&mut self) {
        self.released.store(true, Ordering::Release);
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

/// How often the dispatcher looks for a crashed job while jobs run, ms.
const CRASH_POLL_MS: f64 = 100.0;
/// How long the other jobs get to notice Stop after a crash before their threads count as lost too, ms.
const CRASH_GRACE_MS: f64 = 1_000.0;

/// What the page says when a job crashed: which task, on which worker, what it said, and what happens next.
fn crash_words(scenario: &Scenario, crash: &fault::WorkerCrash, workers: usize) -> String {
    let name = scenario.tasks.get(crash.task).map_or_else(
        || format!("Task {}", crash.task + 1),
        |task| task.name.clone(),
    );
    format!(
        "\u{201c}{name}\u{201d} crashed on worker {} ({}). The run was stopped; the tasks that finished kept their results. \
         That worker is gone: later runs use a spare thread of the pool in its place{}.",
        crash.worker + 1,
        crash.message,
        if rayon::current_num_threads().saturating_sub(fault::lost_threads().len() + 1) < workers {
            ", or fewer workers if none is left (reload the page to start a new pool: the scenario is in the link)"
        } else {
            ""
        }
    )
}

/// After a crash: asks the other jobs to stop, waits up to [`CRASH_GRACE_MS`] for them, and marks as lost the
/// crashed thread and every worker whose job did not come back.
async fn lose_threads<H: Host>(
    crash: &fault::WorkerCrash,
    jobs_in_flight: &mut FuturesUnordered<JobFuture>,
    busy: &mut Vec<usize>,
    host: &H,
    progress: &LiveProgress,
) {
    progress.request_stop();
    let clock = host.clock();
    let deadline = clock.now_ms() + CRASH_GRACE_MS;
    while !jobs_in_flight.is_empty() && clock.now_ms() < deadline {
        match select(
            jobs_in_flight.next(),
            Box::pin(nap(host, STOP_POLL_MS, STOP_POLL_MS)),
        )
        .await
        {
            Either::Left((Some(Some(done)), _)) => busy.retain(|&worker| worker != done.lane),
            Either::Left((None, _)) => break,
            Either::Left((Some(None), _)) | Either::Right(_) => {}
        }
    }
    fault::mark_lost(busy.iter().copied().chain([crash.worker]));
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
        let costs = &self.options.schedule.costs;
        micros(
            piece
                .work
                .ranges()
                .iter()
                .map(|range| range.remaining() as f64 * costs.of(range.kind()))
                .sum(),
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
                let splits = spec.splits_phase(kind);
                let chunks = if splits {
                    self.options.chunks_for(units)
                } else {
                    1
                } as u64;
                let ranges = (0..chunks).map(|chunk| {
                    ComputeProgress::new(kind, units * chunk / chunks, units * (chunk + 1) / chunks)
                });
                // Pinned: every chunk is a piece the policy places. Stealing: the phase is one piece, whose worker
                // forks the same chunks (so the checksum is the same).
                let works: Vec<Work> = if splits && self.options.placement == Placement::Stealing {
                    vec![Work::Forked(ranges.collect())]
                } else {
                    ranges.map(Work::Whole).collect()
                };
                state.phase_checksum = 0;
                state.chunks_outstanding = works.len();
                for work in works {
                    let piece = Piece {
                        task,
                        work,
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
        state.phase_checksum = combine_chunks(state.phase_checksum, piece.work.checksum());
        state.chunks_outstanding -= 1;
        if state.chunks_outstanding == 0 {
            state.checksum = fold_phase(state.checksum, state.phase_checksum);
            self.advance(piece.task, now_us, now_ms);
        }
    }

    /// The longest job for `piece`: its turn, and for preemptive policies at most one slice.
    /// A preemptive policy's job also ends when the next task becomes ready (`now_us`: the run's clock).
    fn budget_ms(&self, piece: &Piece, now_us: u64) -> f64 {
        if matches!(piece.work, Work::Forked(_)) {
            // Only a Stop ends a forked phase early.
            return f64::INFINITY;
        }
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
    // Worker k of the run is pool thread k: jobs are pinned, so a run with k workers uses exactly threads 0..k,
    // passing over threads lost to a crash (the pool has spares).
    let lost = fault::lost_threads();
    let run_workers: Vec<usize> = (0..rayon::current_num_threads())
        .filter(|thread| !lost.contains(thread))
        .take(options.workers)
        .collect();
    // Before the clock starts: with stealing, the threads beyond the run's workers are held first.
    let _held = match options.placement {
        Placement::Stealing => Some(HeldThreads::hold_all_but(&run_workers).await),
        Placement::Pinned => None,
    };
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
        record: RecordBuilder::new(scenario, run_start).with_placement(options.placement),
    };
    let mut jobs_in_flight: FuturesUnordered<JobFuture> = FuturesUnordered::new();
    let mut free_workers = run_workers;
    // Workers with a job in flight: if a job crashes, those that do not come back are lost with it.
    let mut busy: Vec<usize> = Vec::new();
    let mut stopped = false;
    // Per lane: when its last job ended, if it got its next job without waiting for work; the gap to that job is
    // the cost of handing work out (counted as overhead, which the model of the run takes into account).
    // `true` when the lane's next job is a new piece (a dispatch), `false` when it goes on with the same one.
    let mut handed_back_at: Vec<Option<(f64, bool)>> = vec![None; options.workers.max(1)];
    // Lanes freed by the event just handled, with the end of their job.
    let mut just_freed: Vec<(usize, f64)> = Vec::new();
    // Forked phases running: meanwhile a lane's gap between two jobs may hold stolen chunks, so it is not
    // measured as the cost of handing work out.
    let mut forked_in_flight = 0usize;

    loop {
        let stretch_start = clock.now_ms();
        if let Some(crash) = fault::take_crash() {
            run.record
                .failed(crash_words(scenario, &crash, options.workers));
            lose_threads(&crash, &mut jobs_in_flight, &mut busy, host, &progress).await;
            stopped = true;
            break;
        }
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
            if matches!(piece.work, Work::Forked(_)) {
                forked_in_flight += 1;
                handed_back_at.iter_mut().for_each(|slot| *slot = None);
            } else if let Some(&(_, end)) = just_freed.iter().find(|(lane, _)| *lane == worker) {
                if let Some(slot) = handed_back_at
                    .get_mut(worker)
                    .filter(|_| forked_in_flight == 0)
                {
                    *slot = Some((end, true));
                }
            }
            let budget = run.budget_ms(&piece, now_us());
            busy.push(worker);
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
            // Jobs are running: wait for the next to end, looking for a crashed one now and then (its result would
            // never come).
            (false, next_due) => {
                let wait_ms = next_due.unwrap_or(CRASH_POLL_MS).min(CRASH_POLL_MS);
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
                    chunks,
                } = done;
                if let Some(at) = busy.iter().position(|&worker| worker == lane) {
                    busy.swap_remove(at);
                }
                // Times from the worker's clock: when the work really started and ended, not when the dispatcher
                // heard of it.
                let ran_us = if matches!(piece.work, Work::Forked(_)) {
                    forked_in_flight = forked_in_flight.saturating_sub(1);
                    // Each chunk is a slice on the lane of the thread that ran it; the forking thread's wait is not.
                    let mut cpu_ms = 0.0;
                    for chunk in chunks.iter().filter(|chunk| chunk.computed) {
                        run.record.task_started(piece.task, chunk.start_ms);
                        run.record
                            .slice(piece.task, chunk.ran_on, chunk.start_ms, chunk.end_ms);
                        run.record.forked_chunk(chunk.ran_on != chunk.queued_on);
                        cpu_ms += chunk.end_ms - chunk.start_ms;
                    }
                    micros(cpu_ms)
                } else {
                    run.record.task_started(piece.task, start_ms);
                    run.record.slice(piece.task, lane, start_ms, end_ms);
                    match handed_back_at.get_mut(lane).and_then(Option::take) {
                        Some((previous_end, true)) => {
                            run.record.dispatch_overhead(start_ms - previous_end)
                        }
                        Some((previous_end, false)) => run.record.overhead(start_ms - previous_end),
                        None => {}
                    }
                    micros(end_ms - start_ms)
                };
                run.dispatcher.account(piece.task, ran_us);
                let now = now_us();
                let now_ms = clock.now_ms();
                if piece.work.is_finished() {
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
                        if let Some(slot) = handed_back_at
                            .get_mut(lane)
                            .filter(|_| forked_in_flight == 0)
                        {
                            *slot = Some((end_ms, false));
                        }
                        if matches!(piece.work, Work::Forked(_)) {
                            forked_in_flight += 1;
                        }
                        let budget = run.budget_ms(&piece, now_us());
                        busy.push(lane);
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
