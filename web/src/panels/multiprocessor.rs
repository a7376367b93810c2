//! Predict's multiprocessor model: the settings (per-CPU queues, stealing, a cache per CPU, working sets) and
//! the words that say what the model did in a prediction, with its numbers.

use tasklab_core::predict::{
    PredictSettings, MAX_CACHE_KIB, MAX_STEAL_MS, MAX_WARMUP_MS, MAX_WARM_RATE,
};
use tasklab_core::sim::{CacheModel, QueueLayout, Summary};
use yew::prelude::*;

use crate::browser;
use crate::panels::fields::{number_from, DraftField};

/// The multiprocessor model's settings: queues, stealing and caches (open when any is on).
pub fn view_knobs(settings: PredictSettings, on_change: &Callback<PredictSettings>) -> Html {
    let update = |apply: fn(&mut PredictSettings, u64)| {
        let on_change = on_change.clone();
        Callback::from(move |event: Event| {
            if let Some(value) = number_from(&event) {
                let mut next = settings;
                apply(&mut next, value);
                on_change.emit(next);
            }
        })
    };
    let on_queues = {
        let on_change = on_change.clone();
        Callback::from(move |event: Event| {
            let queues = if browser::form_value(&event) == "per-cpu" {
                QueueLayout::PerCpu
            } else {
                QueueLayout::Shared
            };
            on_change.emit(PredictSettings { queues, ..settings });
        })
    };
    let on_cache = {
        let on_change = on_change.clone();
        Callback::from(move |event: Event| {
            let cache = browser::input_checked(&event).then_some(CacheModel {
                size: 100,
                warmup: 5,
                warm_rate: 2,
            });
            let working_set = if cache.is_some() && settings.working_set == 0 {
                40
            } else {
                settings.working_set
            };
            on_change.emit(PredictSettings {
                cache,
                working_set,
                ..settings
            });
        })
    };
    let cache = settings.cache;
    let with_cache = |apply: fn(&mut CacheModel, u64)| {
        let on_change = on_change.clone();
        Callback::from(move |event: Event| {
            if let (Some(value), Some(mut model)) = (number_from(&event), cache) {
                apply(&mut model, value);
                on_change.emit(PredictSettings {
                    cache: Some(model),
                    ..settings
                });
            }
        })
    };
    let per_cpu = settings.queues == QueueLayout::PerCpu;
    let shown = cache.unwrap_or(CacheModel {
        size: 100,
        warmup: 5,
        warm_rate: 2,
    });
    let number = |value: u64| AttrValue::from(value.to_string());
    html! {
        <details class="multiprocessor" open={settings.uses_multiprocessor_model()}>
            <summary>{"Multiprocessor model: per-CPU queues, stealing, caches"}</summary>
            <p class="help">{"Real machines give each CPU its own queue and its own cache. A task that stays on one CPU finds its data warm there; a task that moves starts cold. Per-CPU queues keep tasks in place but can leave a CPU idle; stealing fixes that at the price of moving a task."}</p>
            <div class="knobs">
                <label title="One queue shared by every CPU, or one queue per CPU (new tasks placed in turn, a task stays on its CPU's queue).">{"Queues "}
                    <select id="queues" onchange={on_queues}>
                        <option value="shared" selected={!per_cpu}>{"one shared queue"}</option>
                        <option value="per-cpu" selected={per_cpu}>{"one queue per CPU"}</option>
                    </select>
                </label>
                <label title="Every this many ms, a CPU whose queue is empty takes a task from the longest other queue. 0: never.">{"Steal every (ms, 0 = never) "}
                    <DraftField id="steal-interval" min={AttrValue::from("0")} max={number(MAX_STEAL_MS)}
                                value={number(settings.steal_ms)} disabled={!per_cpu}
                                on_change={update(|next, value| next.steal_ms = value.min(MAX_STEAL_MS))} />
                </label>
                <label title="Each CPU gets a cache; a task that has run long enough on a CPU runs faster there while its data stays in that cache.">
                    <input type="checkbox" id="cache" checked={cache.is_some()} onchange={on_cache} />
                    {" cache per CPU"}
                </label>
                <label title="How much data each CPU's cache holds (KiB).">{"Cache size (KiB) "}
                    <DraftField id="cache-size" min={AttrValue::from("0")} max={number(MAX_CACHE_KIB)}
                                value={number(shown.size)} disabled={cache.is_none()}
                                on_change={with_cache(|model, value| model.size = value.min(MAX_CACHE_KIB))} />
                </label>
                <label title="How long a task must run on a CPU before its data is warm there (ms).">{"Warm-up (ms) "}
                    <DraftField id="cache-warmup" min={AttrValue::from("0")} max={number(MAX_WARMUP_MS)}
                                value={number(shown.warmup)} disabled={cache.is_none()}
                                on_change={with_cache(|model, value| model.warmup = value.min(MAX_WARMUP_MS))} />
                </label>
                <label title="How many times faster a task runs with its data warm.">{"Warm speed (×) "}
                    <DraftField id="warm-rate" min={AttrValue::from("1")} max={number(MAX_WARM_RATE)}
                                value={number(shown.warm_rate)} disabled={cache.is_none()}
                                on_change={with_cache(|model, value| model.warm_rate = value.clamp(1, MAX_WARM_RATE))} />
                </label>
                <label title="How much data each task reuses (KiB); chunks of a splittable task share it.">{"Working set per task (KiB) "}
                    <DraftField id="working-set" min={AttrValue::from("0")} max={number(MAX_CACHE_KIB)}
                                value={number(settings.working_set)} disabled={cache.is_none()}
                                on_change={update(|next, value| next.working_set = value.min(MAX_CACHE_KIB))} />
                </label>
            </div>
            if settings.uses_multiprocessor_model() && (settings.switch_cost > 0 || settings.aging_ms.is_some()) {
                <p class="notice" id="multiprocessor-ignores">{"With per-CPU queues or caches the switch cost and aging are left out of the prediction: here the cost of moving is the cold cache."}</p>
            }
        </details>
    }
}

/// What the multiprocessor model did in this prediction, in words, with its numbers: an idle CPU beside a queue,
/// the steals that evened it, how warm the tasks ran.
pub fn story(settings: &PredictSettings, summary: &Summary) -> Option<String> {
    if !settings.uses_multiprocessor_model() {
        return None;
    }
    let mut sentences = Vec::new();
    let makespan = summary.makespan.max(1) as f64;
    if settings.queues == QueueLayout::PerCpu && summary.busy_ticks.len() > 1 {
        let (idlest, busy) = summary
            .busy_ticks
            .iter()
            .enumerate()
            .min_by_key(|(_, busy)| **busy)
            .map(|(cpu, busy)| (cpu, *busy))?;
        let idle_share = 1.0 - busy as f64 / makespan;
        let steals = summary.steals.unwrap_or(0);
        if settings.steal_ms == 0 {
            sentences.push(format!(
                "With one queue per CPU and no stealing, CPU {} sat idle {:.0}% of the run: a task waiting in another CPU's queue never moves.",
                idlest + 1,
                idle_share * 100.0
            ));
        } else {
            sentences.push(format!(
                "Stealing moved {} from a longer queue to a CPU with none; the least busy CPU (CPU {}) was idle {:.0}% of the run.",
                if steals == 1 { "1 task".to_owned() } else { format!("{steals} tasks") },
                idlest + 1,
                idle_share * 100.0
            ));
        }
    }
    if !summary.warm.is_empty() {
        let busy: u64 = summary.busy_ticks.iter().sum();
        let warm: u64 = summary.warm_ticks.iter().sum();
        let share = if busy == 0 {
            0.0
        } else {
            warm as f64 / busy as f64
        };
        sentences.push(format!(
            "Tasks ran with a warm cache {:.0}% of the busy time and moved between CPUs {}; each move starts cold and runs slowly again until warmed up.",
            share * 100.0,
            times(summary.migrations.unwrap_or(0))
        ));
    }
    (!sentences.is_empty()).then(|| sentences.join(" "))
}

/// "once", "twice", "n times".
fn times(count: u64) -> String {
    match count {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    }
}

/// Why `settings.cpus` CPUs can be more than that many times faster than one.
pub fn superlinear_reason(settings: &PredictSettings) -> String {
    if settings.cache.is_some() {
        format!(
            "More than {cpus}× from {cpus} CPUs: {cpus} caches hold more of the tasks' data than one can, so more of it stays warm (a superlinear speed-up).",
            cpus = settings.cpus
        )
    } else {
        format!(
            "More than {cpus}× from {cpus} CPUs: on one CPU the policy orders the same tasks differently (their waits overlap less).",
            cpus = settings.cpus
        )
    }
}
