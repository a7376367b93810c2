//! Browser glue (wasm32 only): the clock, the ways to yield to the event loop, timers, the worker pool, and the
//! driver that runs a cooperative run straight from the event loop's callbacks.
//!
//! Why a driver of its own: with wasm threads, a Rust future woken by a promise resumes through
//! `Atomics.waitAsync`, which costs a second task after every yield (and the priority of the first). Called
//! directly by the browser, a slice starts in the very task the yield posted.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use js_sys::{Function, Promise, Reflect};
use tasklab_core::report::RunRecord;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::cooperative::{CooperativeRun, Resume};
use crate::host::{Clock, Host};
use crate::progress::LiveProgress;

thread_local! {
    // `performance` of this thread's global scope (Window or WorkerGlobalScope), looked up once per thread.
    static PERFORMANCE: RefCell<Option<web_sys::Performance>> = const { RefCell::new(None) };
}

fn performance() -> Option<web_sys::Performance> {
    PERFORMANCE.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.is_none() {
            *cached = Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
                .ok()
                .and_then(|value| value.dyn_into::<web_sys::Performance>().ok());
        }
        cached.clone()
    })
}

/// `performance.timeOrigin + performance.now()`: comparable between the page and its workers, whose
/// `performance.now()` start from different origins.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebClock;

impl Clock for WebClock {
    fn now_ms(&self) -> f64 {
        performance().map_or_else(js_sys::Date::now, |performance| {
            performance.time_origin() + performance.now()
        })
    }
}

/// How the cooperative executor gives the main thread back to the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YieldMechanism {
    /// `scheduler.postTask()`: a new task at the default priority, queued like any other (Chrome 94+).
    PostTask,
    /// `scheduler.yield()`: resumes ahead of other queued tasks of its priority (Chrome 129+).
    SchedulerYield,
    /// A message posted to ourselves through a `MessageChannel`: a new task, without timer clamping.
    MessageChannel,
    /// `setTimeout(0)`: clamped to 4 ms after a few nested calls; only for comparison in benchmarks.
    SetTimeout,
}

impl YieldMechanism {
    /// Every mechanism, in the order benchmarks report them.
    pub const ALL: [Self; 4] = [
        Self::PostTask,
        Self::SchedulerYield,
        Self::MessageChannel,
        Self::SetTimeout,
    ];

    /// Label for reports.
    pub fn label(self) -> &'static str {
        match self {
            Self::PostTask => "scheduler.postTask()",
            Self::SchedulerYield => "scheduler.yield()",
            Self::MessageChannel => "MessageChannel",
            Self::SetTimeout => "setTimeout(0)",
        }
    }

    /// Identifier in benchmark hooks: `post-task`, `scheduler-yield`, `message-channel`, `set-timeout`.
    pub fn id(self) -> &'static str {
        match self {
            Self::PostTask => "post-task",
            Self::SchedulerYield => "scheduler-yield",
            Self::MessageChannel => "message-channel",
            Self::SetTimeout => "set-timeout",
        }
    }

    /// The mechanism of an [`id`](Self::id).
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|mechanism| mechanism.id() == id)
    }

    /// Whether this browser has it (`MessageChannel` and `setTimeout` are everywhere).
    pub fn is_available(self) -> bool {
        match self {
            Self::PostTask => scheduler_function("postTask").is_some(),
            Self::SchedulerYield => scheduler_function("yield").is_some(),
            Self::MessageChannel | Self::SetTimeout => true,
        }
    }

    /// `scheduler.postTask()` where the browser has it, else a `MessageChannel` post: both queue the rest of the
    /// run as an ordinary task, so timers, animation-frame follow-ups and input all get their turn between two
    /// slices (a `scheduler.yield()` continuation would jump ahead of them).
    pub fn best_available() -> Self {
        if Self::PostTask.is_available() {
            Self::PostTask
        } else {
            Self::MessageChannel
        }
    }
}

/// `scheduler` and its function `name` (`yield`, `postTask`), where the browser has them.
fn scheduler_function(name: &str) -> Option<(JsValue, Function)> {
    let scheduler = Reflect::get(&js_sys::global(), &JsValue::from_str("scheduler")).ok()?;
    if scheduler.is_undefined() || scheduler.is_null() {
        return None;
    }
    let function = Reflect::get(&scheduler, &JsValue::from_str(name))
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    Some((scheduler, function))
}

fn global_function(name: &str) -> Option<Function> {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .ok()
        .and_then(|value| value.dyn_into::<Function>().ok())
}

fn set_timeout_promise(ms: f64) -> Promise {
    Promise::new(&mut |resolve, _reject| {
        let called = global_function("setTimeout").is_some_and(|set_timeout| {
            set_timeout
                .call2(&js_sys::global(), &resolve, &JsValue::from_f64(ms.max(0.0)))
                .is_ok()
        });
        if !called {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    })
}

/// A promise resolved from a task queued with `scheduler.postTask()` (else a `MessageChannel` post).
fn post_task_promise() -> Promise {
    let Some((scheduler, post_task)) = scheduler_function("postTask") else {
        return message_channel_promise();
    };
    Promise::new(&mut |resolve, _reject| {
        if post_task.call1(&scheduler, &resolve).is_err() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    })
}

fn message_channel_promise() -> Promise {
    Promise::new(&mut |resolve, _reject| {
        let Ok(channel) = web_sys::MessageChannel::new() else {
            let _ = resolve.call0(&JsValue::UNDEFINED);
            return;
        };
        // The resolver is the handler itself: no Rust closure to keep alive or free.
        channel.port1().set_onmessage(Some(&resolve));
        if channel.port2().post_message(&JsValue::UNDEFINED).is_err() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    })
}

/// Resolves once the browser has run other pending work. The future resumes in a task of its own after the one
/// the mechanism posted (see the module's note): [`drive_direct`] avoids that.
pub async fn yield_with(mechanism: YieldMechanism) {
    let promise = match mechanism {
        YieldMechanism::PostTask => post_task_promise(),
        YieldMechanism::SchedulerYield => match scheduler_function("yield") {
            Some((scheduler, yield_fn)) => yield_fn
                .call0(&scheduler)
                .ok()
                .and_then(|value| value.dyn_into::<Promise>().ok())
                .unwrap_or_else(message_channel_promise),
            None => message_channel_promise(),
        },
        YieldMechanism::MessageChannel => message_channel_promise(),
        YieldMechanism::SetTimeout => set_timeout_promise(0.0),
    };
    let _ = JsFuture::from(promise).await;
}

/// Resolves after about `ms` milliseconds.
pub async fn sleep_ms(ms: f64) {
    let _ = JsFuture::from(set_timeout_promise(ms)).await;
}

/// How [`drive_direct`] has its step called again: one JS function (the step's closure), posted by the chosen
/// mechanism, or by a timer for a sleep. The lookups are made once per run, not once per yield.
struct CallAgain {
    mechanism: YieldMechanism,
    function: Function,
    scheduler: Option<(JsValue, Function)>,
    /// For [`YieldMechanism::MessageChannel`]: one channel whose port calls the step on every message.
    channel: Option<web_sys::MessageChannel>,
    set_timeout: Option<Function>,
}

impl CallAgain {
    fn new(mechanism: YieldMechanism, function: Function) -> Self {
        let scheduler = match mechanism {
            YieldMechanism::PostTask => scheduler_function("postTask"),
            YieldMechanism::SchedulerYield => scheduler_function("yield"),
            YieldMechanism::MessageChannel | YieldMechanism::SetTimeout => None,
        };
        let channel = (mechanism == YieldMechanism::MessageChannel)
            .then(|| web_sys::MessageChannel::new().ok())
            .flatten();
        if let Some(channel) = &channel {
            channel.port1().set_onmessage(Some(&function));
        }
        Self {
            mechanism,
            function,
            scheduler,
            channel,
            set_timeout: global_function("setTimeout"),
        }
    }

    /// Has the step called again as `resume` asks ([`Resume::Finished`] asks nothing).
    fn schedule(&self, resume: Resume) {
        let scheduled = match resume {
            Resume::Yield => self.post(),
            Resume::Sleep(ms) => self.timer(ms),
            Resume::Finished => return,
        };
        // Never lose the run: a timer, or at the very least a microtask.
        if !scheduled && !self.timer(0.0) {
            then(&Promise::resolve(&JsValue::UNDEFINED), &self.function);
        }
    }

    fn post(&self) -> bool {
        match (self.mechanism, &self.scheduler, &self.channel) {
            (YieldMechanism::PostTask, Some((scheduler, post_task)), _) => {
                post_task.call1(scheduler, &self.function).is_ok()
            }
            (YieldMechanism::SchedulerYield, Some((scheduler, yield_fn)), _) => yield_fn
                .call0(scheduler)
                .ok()
                .and_then(|value| value.dyn_into::<Promise>().ok())
                .is_some_and(|promise| then(&promise, &self.function)),
            (YieldMechanism::MessageChannel, _, Some(channel)) => {
                channel.port2().post_message(&JsValue::UNDEFINED).is_ok()
            }
            _ => self.timer(0.0),
        }
    }

    fn timer(&self, ms: f64) -> bool {
        self.set_timeout.as_ref().is_some_and(|set_timeout| {
            set_timeout
                .call2(
                    &js_sys::global(),
                    &self.function,
                    &JsValue::from_f64(ms.max(0.0)),
                )
                .is_ok()
        })
    }
}

impl Drop for CallAgain {
    fn drop(&mut self) {
        if let Some(channel) = &self.channel {
            channel.port1().set_onmessage(None);
            channel.port1().close();
            channel.port2().close();
        }
    }
}

/// `promise.then(function)` for a plain JS function (js-sys's `then` takes a `Closure`).
fn then(promise: &Promise, function: &Function) -> bool {
    Reflect::get(promise, &JsValue::from_str("then"))
        .ok()
        .and_then(|then| then.dyn_into::<Function>().ok())
        .is_some_and(|then| then.call1(promise, function).is_ok())
}

/// Keeps the step's closure alive for as long as the browser may call it.
struct KeepAlive {
    closure: Option<Closure<dyn FnMut()>>,
    finished: Rc<Cell<bool>>,
}

impl Drop for KeepAlive {
    fn drop(&mut self) {
        // Dropped before the end (the awaiting future was cancelled): a call may still be queued, and a dropped
        // closure would throw when called. `finished` makes that call a no-op; the closure is leaked, once.
        if !self.finished.replace(true) {
            if let Some(closure) = self.closure.take() {
                closure.forget();
            }
        }
    }
}

/// Calls `step` now, then again from the event loop each time it asks ([`Resume`]: after a yield through
/// `mechanism`, or after a timer), until it returns [`Resume::Finished`]. Every call is a direct JS→wasm call
/// from the task the browser runs; only the end wakes this future.
pub async fn drive_direct(mechanism: YieldMechanism, mut step: impl FnMut() -> Resume + 'static) {
    let (sender, receiver) = futures_channel::oneshot::channel::<()>();
    let mut sender = Some(sender);
    let finished = Rc::new(Cell::new(false));
    let call_again: Rc<RefCell<Option<CallAgain>>> = Rc::new(RefCell::new(None));
    let closure = {
        let finished = Rc::clone(&finished);
        let call_again = Rc::clone(&call_again);
        Closure::<dyn FnMut()>::new(move || {
            if finished.get() {
                return;
            }
            match step() {
                Resume::Finished => {
                    finished.set(true);
                    // The driver is done with the JS side: close the channel now, not when the future resumes.
                    call_again.borrow_mut().take();
                    if let Some(sender) = sender.take() {
                        let _ = sender.send(());
                    }
                }
                next => {
                    if let Some(call_again) = call_again.borrow().as_ref() {
                        call_again.schedule(next);
                    }
                }
            }
        })
    };
    let function: Function = closure.as_ref().unchecked_ref::<Function>().clone();
    *call_again.borrow_mut() = Some(CallAgain::new(mechanism, function.clone()));
    let _keep_alive = KeepAlive {
        closure: Some(closure),
        finished: Rc::clone(&finished),
    };
    // The first slice runs at once, as it would when awaited.
    let _ = function.call0(&JsValue::UNDEFINED);
    let _ = receiver.await;
}

/// The browser as an executor host.
#[derive(Debug, Clone, Copy)]
pub struct BrowserHost {
    /// How to yield.
    pub mechanism: YieldMechanism,
}

impl Default for BrowserHost {
    fn default() -> Self {
        Self {
            mechanism: YieldMechanism::best_available(),
        }
    }
}

impl Host for BrowserHost {
    type Clock = WebClock;
    fn clock(&self) -> WebClock {
        WebClock
    }
    fn yield_now(&self) -> impl Future<Output = ()> {
        yield_with(self.mechanism)
    }
    fn sleep_ms(&self, ms: f64) -> impl Future<Output = ()> {
        sleep_ms(ms)
    }
    /// Drives the run from the event loop ([`drive_direct`]): each slice is a direct call from the task the
    /// yield posted, not the resumption of a future.
    fn run_to_end(
        &self,
        run: CooperativeRun<WebClock>,
        progress: Arc<LiveProgress>,
    ) -> impl Future<Output = RunRecord> {
        let mechanism = self.mechanism;
        async move {
            let run = Rc::new(RefCell::new(run));
            let stepper = Rc::clone(&run);
            drive_direct(mechanism, move || stepper.borrow_mut().resume(&progress)).await;
            let record = run.borrow().finish();
            record
        }
    }
}

/// Whether the page is cross-origin isolated (needed to share memory with workers).
pub fn cross_origin_isolated() -> bool {
    Reflect::get(&js_sys::global(), &JsValue::from_str("crossOriginIsolated"))
        .ok()
        .and_then(|value| value.as_bool())
        .unwrap_or(false)
}

/// `navigator.hardwareConcurrency`, at least 1.
pub fn hardware_concurrency() -> u32 {
    web_sys::window()
        .map(|window| window.navigator().hardware_concurrency())
        .filter(|cores| cores.is_finite() && *cores >= 1.0)
        .map_or(1, |cores| cores.min(256.0) as u32)
}

/// Why the worker pool could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// Shared memory needs COOP/COEP headers.
    #[error(
        "this page is not cross-origin isolated (it was served without the COOP/COEP headers), so the browser \
         forbids the shared memory that workers need"
    )]
    NotIsolated,
    /// `initThreadPool` rejected.
    #[error("the worker pool failed to start: {0}")]
    InitFailed(String),
    /// The workers never said they were ready (wasm-bindgen-rayon waits for every one of them, for ever).
    #[error(
        "the workers did not start within {} seconds (their script may be blocked, or the browser short of memory)",
        POOL_START_LIMIT_MS / 1000.0
    )]
    TimedOut,
}

/// How long the workers may take to start before the page gives up on them, ms (they start in well under a
/// second on a laptop; a blocked worker script never answers).
pub const POOL_START_LIMIT_MS: f64 = 20_000.0;

/// Starts the rayon pool on `threads` Web Workers. Call once, and await it before any rayon use.
///
/// # Errors
/// [`PoolError::NotIsolated`] without cross-origin isolation; [`PoolError::InitFailed`] if the workers fail;
/// [`PoolError::TimedOut`] if they have not all started after [`POOL_START_LIMIT_MS`].
pub async fn start_pool(threads: u32) -> Result<(), PoolError> {
    if !cross_origin_isolated() {
        return Err(PoolError::NotIsolated);
    }
    // A panic in a worker job is then recorded with its task (see `fault`).
    crate::fault::install_panic_hook();
    let start = JsFuture::from(wasm_bindgen_rayon::init_thread_pool(threads.max(1) as usize));
    match futures::future::select(start, Box::pin(sleep_ms(POOL_START_LIMIT_MS))).await {
        futures::future::Either::Left((started, _)) => started
            .map(|_| ())
            .map_err(|error| PoolError::InitFailed(format!("{error:?}"))),
        futures::future::Either::Right(_) => Err(PoolError::TimedOut),
    }
}
