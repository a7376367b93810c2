//! Prints the native cost of one workload unit of each kind and of each preset, to size presets.
//! `cargo run --release -p tasklab-core --example unit_cost`

use std::time::Instant;

use tasklab_core::presets::Preset;
use tasklab_core::workload::{ComputeProgress, WorkloadKind};

fn main() {
    for kind in WorkloadKind::ALL {
        let units = 20_000;
        let started = Instant::now();
        let mut progress = ComputeProgress::new(kind, 0, units);
        progress.step(units);
        let per_unit_us = started.elapsed().as_secs_f64() * 1e6 / units as f64;
        println!(
            "{:<12} {per_unit_us:.2} µs/unit (checksum {:016x})",
            kind.id(),
            progress.checksum()
        );
    }
    for preset in Preset::ALL {
        let started = Instant::now();
        let checksums = preset.scenario().reference_checksums();
        println!(
            "{:<14} {:.0} ms of CPU ({} tasks)",
            preset.id(),
            started.elapsed().as_secs_f64() * 1e3,
            checksums.len()
        );
    }
}
