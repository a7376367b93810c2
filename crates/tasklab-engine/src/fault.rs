//! Faults inside worker jobs. On wasm a panic traps and kills the worker thread it happens on, so that job's result
//! never comes back and a dispatcher waiting for it would wait forever. A panic hook records which task the
//! panicking thread was running ([`WorkerCrash`]); the parallel dispatcher polls for it while it waits, ends the run
//! with a clear message, and leaves the lost thread out of later runs (the page's pool starts with twice the
//! cores, so a spare thread takes its place and the next run still has its workers).
//!
//! Tests can make a chosen task panic on its next job ([`inject_panic_in`]); nothing a person does on the page can.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, Once};

/// A worker job that panicked: the task it ran, the pool thread it ran on, and the panic's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerCrash {
    /// Task index in the scenario.
    pub task: usize,
    /// Pool thread index.
    pub worker: usize,
    /// What the panic said.
    pub message: String,
}

/// The last crash, written by the panicking thread and then flagged; read by the dispatcher (only after the flag,
/// and with `try_lock`, so the page's main thread never waits on a lock: browsers forbid blocking it).
static CRASH: Mutex<Option<WorkerCrash>> = Mutex::new(None);
static CRASHED: AtomicBool = AtomicBool::new(false);
/// Pool threads lost to crashes (touched by the dispatcher's thread only).
static LOST: Mutex<Vec<usize>> = Mutex::new(Vec::new());
/// The task a test asked to panic, or `usize::MAX` for none.
static INJECTED: AtomicUsize = AtomicUsize::new(usize::MAX);
static HOOK: Once = Once::new();

thread_local! {
    /// The task this thread's current job runs, if any.
    static RUNNING: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Installs the panic hook that records crashes in jobs (once; later calls do nothing). The hook then calls the
/// one it replaces, so panics are still reported as before.
pub fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if let Some(task) = RUNNING.with(Cell::get) {
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|text| (*text).to_owned())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".to_owned());
                let location = info
                    .location()
                    .map(|at| format!(" ({}:{})", at.file(), at.line()))
                    .unwrap_or_default();
                if let Ok(mut slot) = CRASH.lock() {
                    *slot = Some(WorkerCrash {
                        task,
                        worker: rayon::current_thread_index().unwrap_or(0),
                        message: format!("{message}{location}"),
                    });
                    CRASHED.store(true, Ordering::Release);
                }
            }
            previous(info);
        }));
    });
}

/// Runs `job` as task `task`'s work on this thread, so that a panic inside it is recorded with the task.
pub(crate) fn as_task<T>(task: usize, job: impl FnOnce() -> T) -> T {
    let outer = RUNNING.with(|running| running.replace(Some(task)));
    if INJECTED
        .compare_exchange(task, usize::MAX, Ordering::AcqRel, Ordering::Acquire)
        .is_ok()
    {
        panic!("a fault injected by a test in task {}", task + 1);
    }
    let result = job();
    RUNNING.with(|running| running.set(outer));
    result
}

/// The crash recorded since the last call, if any (never waits for a lock).
pub fn take_crash() -> Option<WorkerCrash> {
    if !CRASHED.load(Ordering::Acquire) {
        return None;
    }
    let mut slot = CRASH.try_lock().ok()?;
    CRASHED.store(false, Ordering::Release);
    slot.take()
}

/// Leaves `threads` out of every later run.
pub(crate) fn mark_lost(threads: impl IntoIterator<Item = usize>) {
    if let Ok(mut lost) = LOST.try_lock() {
        for thread in threads {
            if !lost.contains(&thread) {
                lost.push(thread);
            }
        }
    }
}

/// Pool threads lost to crashes so far.
pub fn lost_threads() -> Vec<usize> {
    LOST.try_lock().map(|lost| lost.clone()).unwrap_or_default()
}

/// Makes task `task`'s next job panic (for tests of the page's fault handling); `None` cancels.
pub fn inject_panic_in(task: Option<usize>) {
    INJECTED.store(task.unwrap_or(usize::MAX), Ordering::Release);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_a_job_is_recorded_with_its_task() {
        install_panic_hook();
        inject_panic_in(Some(2));
        // Another task's job runs normally.
        assert_eq!(as_task(1, || 7), 7);
        let caught = std::panic::catch_unwind(|| as_task(2, || 0));
        assert!(caught.is_err());
        let crash = take_crash().expect("recorded");
        assert_eq!(crash.task, 2);
        assert!(crash.message.contains("injected"), "{}", crash.message);
        // Recorded once; the injection fired once.
        assert_eq!(take_crash(), None);
        assert_eq!(as_task(2, || 5), 5);
        mark_lost([3, 3, 1]);
        assert_eq!(lost_threads(), vec![3, 1]);
    }
}
