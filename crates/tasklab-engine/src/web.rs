//! Browser glue (wasm32 only): the clock, the ways to yield to the event loop, timers, and the worker pool.

use std::cell::RefCell;
use std::future::Future;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::host::{Clock, Host};

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
    /// `scheduler.yield()`: resumes ahead of other queued tasks (Chrome 129+).
    SchedulerYield,
    /// A message posted to ourselves through a `MessageChannel`: a new task, without timer clamping.
    MessageChannel,
    /// `setTimeout(0)`: clamped to 4 ms after a few nested calls; only for comparison in benchmarks.
    SetTimeout,
}

impl YieldMechanism {
    /// Label for reports.
    pub fn label(self) -> &'static str {
        match self {
            Self::SchedulerYield => "scheduler.yield()",
            Self::MessageChannel => "MessageChannel",
            Self::SetTimeout => "setTimeout(0)",
        }
    }

    /// `scheduler.yield()` where the browser has it, else a `MessageChannel` post.
    pub fn best_available() -> Self {
        if scheduler_yield_function().is_some() {
            Self::SchedulerYield
        } else {
            Self::MessageChannel
        }
    }
}

fn scheduler_yield_function() -> Option<(JsValue, Function)> {
    let scheduler = Reflect::get(&js_sys::global(), &JsValue::from_str("scheduler")).ok()?;
    if scheduler.is_undefined() || scheduler.is_null() {
        return None;
    }
    let yield_fn = Reflect::get(&scheduler, &JsValue::from_str("yield"))
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    Some((scheduler, yield_fn))
}

fn set_timeout_promise(ms: f64) -> Promise {
    Promise::new(&mut |resolve, _reject| {
        let global = js_sys::global();
        let set_timeout = Reflect::get(&global, &JsValue::from_str("setTimeout"))
            .ok()
            .and_then(|value| value.dyn_into::<Function>().ok());
        match set_timeout {
            Some(set_timeout) => {
                let _ = set_timeout.call2(&global, &resolve, &JsValue::from_f64(ms.max(0.0)));
            }
            None => {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
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

/// Resolves once the browser has run other pending work.
pub async fn yield_with(mechanism: YieldMechanism) {
    let promise = match mechanism {
        YieldMechanism::SchedulerYield => match scheduler_yield_function() {
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
}

/// Starts the rayon pool on `threads` Web Workers. Call once, and await it before any rayon use.
///
/// # Errors
/// [`PoolError::NotIsolated`] without cross-origin isolation; [`PoolError::InitFailed`] if the workers fail.
pub async fn start_pool(threads: u32) -> Result<(), PoolError> {
    if !cross_origin_isolated() {
        return Err(PoolError::NotIsolated);
    }
    JsFuture::from(wasm_bindgen_rayon::init_thread_pool(threads.max(1) as usize))
        .await
        .map(|_| ())
        .map_err(|error| PoolError::InitFailed(format!("{error:?}")))
}
