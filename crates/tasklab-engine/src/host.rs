//! What an executor needs from the platform it runs on: a clock, a way to yield, a way to sleep, and how a
//! cooperative run is driven between two slices.

use std::future::Future;
use std::sync::Arc;

use tasklab_core::report::RunRecord;

use crate::cooperative::CooperativeRun;
use crate::progress::LiveProgress;

/// A clock shared by every thread of a run: readings taken on different threads are comparable.
pub trait Clock: Send + Sync + Copy + 'static {
    /// Milliseconds since a fixed origin (the same origin on every thread).
    fn now_ms(&self) -> f64;
}

/// The event loop an executor runs inside.
pub trait Host {
    /// The clock used for slices and timestamps.
    type Clock: Clock;
    /// The clock.
    fn clock(&self) -> Self::Clock;
    /// Gives the event loop a chance to run other work (render, input) and resumes soon after.
    fn yield_now(&self) -> impl Future<Output = ()>;
    /// Resumes after about `ms` milliseconds without holding the thread.
    fn sleep_ms(&self, ms: f64) -> impl Future<Output = ()>;
    /// Runs a cooperative run to its end, resuming it after each yield or sleep it asks for. By default it
    /// awaits [`Host::yield_now`] and [`Host::sleep_ms`]; a host whose event loop can call the run directly
    /// overrides this (the browser, where resuming a future after every slice costs more than the yield).
    fn run_to_end(
        &self,
        run: CooperativeRun<Self::Clock>,
        progress: Arc<LiveProgress>,
    ) -> impl Future<Output = RunRecord> {
        async move { run.run_with(self, &progress).await }
    }
}

/// Native hosts for tests and the command line: a monotonic clock, a yield that returns to the caller's
/// executor once, and a sleep on a helper thread.
#[cfg(not(target_arch = "wasm32"))]
pub mod native {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    use std::task::{Context, Poll};
    use std::time::{Duration, Instant};

    use super::{Clock, Host};

    fn origin() -> Instant {
        static ORIGIN: OnceLock<Instant> = OnceLock::new();
        *ORIGIN.get_or_init(Instant::now)
    }

    /// A monotonic clock with a process-wide origin.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct NativeClock;

    impl Clock for NativeClock {
        fn now_ms(&self) -> f64 {
            origin().elapsed().as_secs_f64() * 1000.0
        }
    }

    /// A host that counts yields, so tests can check how often the executor gave the thread back.
    #[derive(Debug, Default)]
    pub struct NativeHost {
        yields: AtomicU64,
    }

    impl NativeHost {
        /// How many times [`Host::yield_now`] was awaited.
        pub fn yields(&self) -> u64 {
            self.yields.load(Ordering::Relaxed)
        }
    }

    /// Pending once (waking itself at once), then ready: control goes back to the executor in between.
    struct YieldOnce(bool);

    impl Future for YieldOnce {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    impl Host for NativeHost {
        type Clock = NativeClock;
        fn clock(&self) -> NativeClock {
            NativeClock
        }
        fn yield_now(&self) -> impl Future<Output = ()> {
            self.yields.fetch_add(1, Ordering::Relaxed);
            YieldOnce(false)
        }
        fn sleep_ms(&self, ms: f64) -> impl Future<Output = ()> {
            let (sender, receiver) = futures_channel::oneshot::channel::<()>();
            let duration = Duration::from_secs_f64(ms.max(0.0) / 1000.0);
            std::thread::spawn(move || {
                std::thread::sleep(duration);
                let _ = sender.send(());
            });
            async move {
                let _ = receiver.await;
            }
        }
    }
}
