//! The parallel executor: compute phases run as jobs on a rayon pool; an async dispatcher on the calling thread
//! hands them out and collects results, never blocking.
//!
//! - At most `workers` jobs are in flight at once, so a run with *k* workers never computes more than *k* tasks
//!   at a time, even on a larger pool.
//! - A splittable task's compute phase is cut into chunks handed to whichever worker is free; the chunk checksums
//!   are combined, which gives exactly the checksum of the whole phase.
//! - A wait phase is a timer on the dispatcher's thread: no worker is held while a task waits.
//! - Stop: jobs check the flag between small steps and return at once; the dispatcher drops pending timers.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use futures::future::{select, Either};
use futures::stream::{FuturesUnordered, StreamExt};
use tasklab_core::report::RunRecord;
use tasklab_core::scenario::{Phase, Scenario};
use tasklab_core::workload::{combine_chunks, fold_phase, ComputeProgress, WorkloadKind};

use crate::cooperative::STOP_POLL_MS;
use crate::host::{Clock, Host};
use crate::progress::{BatchSizer, LiveProgress};
use crate::record::RecordBuilder;

/// Chunks per worker a splittable phase is cut into by default: enough that a worker finishing early finds more
/// work, few enough that dispatching them costs little.
pub const CHUNKS_PER_WORKER: usize = 4;

/// How the parallel executor behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParallelOptions {
    /// Most jobs computing at once.
    pub workers: usize,
    /// Chunks per worker for a splittable phase (more chunks balance uneven work better).
    pub chunks_per_worker: usize,
}

impl ParallelOptions {
    /// `workers` workers (at least 1), [`CHUNKS_PER_WORKER`] chunks each.
    pub fn with_workers(workers: usize) -> Self {
        Self {
            workers: workers.max(1),
            chunks_per_worker: CHUNKS_PER_WORKER,
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

/// A piece of one compute phase, run on a worker.
#[derive(Debug, Clone, Copy)]
struct Job {
    task: usize,
    kind: WorkloadKind,
    start_unit: u64,
    end_unit: u64,
}

/// What a worker sends back.
#[derive(Debug, Clone, Copy)]
struct JobDone {
    job: Job,
    checksum: u64,
    finished: bool,
    lane: usize,
    start_ms: f64,
    end_ms: f64,
}

/// Runs the job's units on the current (worker) thread, checking Stop between small steps.
fn run_job<C: Clock>(job: Job, clock: C, progress: &LiveProgress) -> JobDone {
    let start_ms = clock.now_ms();
    let mut compute = ComputeProgress::new(job.kind, job.start_unit, job.end_unit);
    let mut sizer = BatchSizer::default();
    while !compute.is_finished() && !progress.stop_requested() {
        let step_start = clock.now_ms();
        let ran = compute.step(sizer.units());
        progress.add_units(job.task, ran);
        sizer.observe(ran, clock.now_ms() - step_start);
    }
    JobDone {
        job,
        checksum: compute.checksum(),
        finished: compute.is_finished(),
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

/// Runs `job` on pool thread `worker` (which the dispatcher knows is idle) and returns its result as a future.
///
/// `spawn_broadcast` queues the closure on every pool thread; only the chosen one runs the job, the others return
/// at once. Pinning keeps "worker k" a real, stable thread, so the timeline shows exactly the workers asked for.
fn spawn_on_worker<C: Clock>(
    worker: usize,
    job: Job,
    clock: C,
    progress: &Arc<LiveProgress>,
) -> JobFuture {
    let (sender, receiver) = futures_channel::oneshot::channel();
    // Taken once, by the chosen thread only, so the lock is never contended (and never taken on the main thread).
    let payload = Mutex::new(Some((sender, Arc::clone(progress))));
    rayon::spawn_broadcast(move |context| {
        if context.index() != worker {
            return;
        }
        let taken = payload.lock().ok().and_then(|mut slot| slot.take());
        if let Some((sender, progress)) = taken {
            let _ = sender.send(run_job(job, clock, &progress));
        }
    });
    Box::pin(async move { receiver.await.ok() })
}
type TimerFuture<'a> = Pin<Box<dyn Future<Output = usize> + 'a>>;

/// Runs every task of a valid `scenario` on the rayon pool and records each job as a slice on its worker's lane.
///
/// Call it from the thread that owns the event loop (the page's main thread): it awaits and never blocks.
/// The pool must be ready (in the browser: `initThreadPool` has resolved).
pub async fn run_parallel<H: Host>(
    scenario: &Scenario,
    options: ParallelOptions,
    host: &H,
    progress: Arc<LiveProgress>,
) -> RunRecord {
    let clock = host.clock();
    let mut record = RecordBuilder::new(scenario, clock.now_ms());
    let mut tasks: Vec<TaskState> = scenario
        .tasks
        .iter()
        .map(|_| TaskState::default())
        .collect();
    let mut ready_jobs: VecDeque<Job> = VecDeque::new();
    let mut jobs_in_flight: FuturesUnordered<JobFuture> = FuturesUnordered::new();
    let mut timers: FuturesUnordered<TimerFuture<'_>> = FuturesUnordered::new();
    // Worker k of the run is pool thread k: jobs are pinned, so a run with k workers uses exactly threads 0..k.
    let mut free_workers: Vec<usize> =
        (0..options.workers.min(rayon::current_num_threads())).collect();
    let mut stopped = false;

    // Moves a task to its next phase: queues its chunks, or marks it done, or returns the wait to start.
    let advance = |task: usize,
                   tasks: &mut [TaskState],
                   ready_jobs: &mut VecDeque<Job>,
                   record: &mut RecordBuilder|
     -> Option<u32> {
        let spec = &scenario.tasks[task];
        let state = &mut tasks[task];
        let Some(phase) = spec.phases.get(state.next_phase) else {
            record.task_finished(task, clock.now_ms());
            return None;
        };
        state.next_phase += 1;
        match *phase {
            Phase::Wait { ms } => Some(ms),
            Phase::Compute { kind, units } => {
                let chunks = if spec.splits_phase(kind) {
                    options.chunks_for(units)
                } else {
                    1
                } as u64;
                state.phase_checksum = 0;
                state.chunks_outstanding = chunks as usize;
                for chunk in 0..chunks {
                    ready_jobs.push_back(Job {
                        task,
                        kind,
                        start_unit: units * chunk / chunks,
                        end_unit: units * (chunk + 1) / chunks,
                    });
                }
                None
            }
        }
    };
    let start_wait = |task: usize, ms: u32| -> TimerFuture<'_> {
        let sleep = host.sleep_ms(f64::from(ms));
        Box::pin(async move {
            sleep.await;
            task
        })
    };

    for task in 0..tasks.len() {
        if let Some(ms) = advance(task, &mut tasks, &mut ready_jobs, &mut record) {
            timers.push(start_wait(task, ms));
        }
    }

    loop {
        let stretch_start = clock.now_ms();
        if progress.stop_requested() {
            ready_jobs.clear();
            timers.clear();
        }
        while let Some(&worker) = free_workers.first() {
            let Some(job) = ready_jobs.pop_front() else {
                break;
            };
            free_workers.remove(0);
            record.task_started(job.task, clock.now_ms());
            jobs_in_flight.push(spawn_on_worker(worker, job, clock, &progress));
        }
        record.held_main_thread(stretch_start, clock.now_ms());

        let event = match (jobs_in_flight.is_empty(), timers.is_empty()) {
            (true, true) => break,
            (false, true) => Either::Left(jobs_in_flight.next().await),
            // Only waits are pending: wake up now and then to notice a Stop.
            (true, false) => {
                match select(timers.next(), Box::pin(host.sleep_ms(STOP_POLL_MS))).await {
                    Either::Left((task, _)) => Either::Right(task),
                    Either::Right(((), _)) => continue,
                }
            }
            (false, false) => match select(jobs_in_flight.next(), timers.next()).await {
                Either::Left((done, _)) => Either::Left(done),
                Either::Right((task, _)) => Either::Right(task),
            },
        };
        let stretch_start = clock.now_ms();
        match event {
            Either::Left(Some(Some(done))) => {
                free_workers.push(done.lane);
                free_workers.sort_unstable();
                record.slice(done.job.task, done.lane, done.start_ms, done.end_ms);
                if !done.finished {
                    stopped = true;
                    continue;
                }
                let state = &mut tasks[done.job.task];
                state.phase_checksum = combine_chunks(state.phase_checksum, done.checksum);
                state.chunks_outstanding -= 1;
                if state.chunks_outstanding == 0 {
                    state.checksum = fold_phase(state.checksum, state.phase_checksum);
                    if let Some(ms) =
                        advance(done.job.task, &mut tasks, &mut ready_jobs, &mut record)
                    {
                        timers.push(start_wait(done.job.task, ms));
                    }
                }
            }
            // A worker dropped its sender: it died (a panic aborts the whole module on the web, so this is native).
            Either::Left(Some(None)) => stopped = true,
            Either::Right(Some(task)) => {
                if let Some(ms) = advance(task, &mut tasks, &mut ready_jobs, &mut record) {
                    timers.push(start_wait(task, ms));
                }
            }
            Either::Left(None) | Either::Right(None) => {}
        }
        record.held_main_thread(stretch_start, clock.now_ms());
    }

    let checksums = tasks.iter().map(|state| state.checksum).collect();
    record.finish(clock.now_ms(), checksums, stopped)
}
