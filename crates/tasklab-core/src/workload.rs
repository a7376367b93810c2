//! CPU-bound workloads that run in bounded, resumable steps and end with a deterministic checksum.
//!
//! A compute phase is a range of *units* `[0, units)`. A unit is a small, fixed piece of work (a few
//! microseconds). [`ComputeProgress::step`] runs at most `budget` units and can be called again and again, so an
//! executor can stop after any step (end of a time slice, a Stop request) and carry on later.
//!
//! The checksum of a *splittable* kind is a wrapping sum over units of a mixed per-unit value: any split of the
//! range into chunks, summed with [`combine_chunks`], gives exactly the checksum of the whole range. A hash chain
//! is sequential by nature (each unit feeds on the previous one), which is why it cannot be split — a useful
//! counter-example for the multiprocessing view.

use serde::{Deserialize, Serialize};

/// The kinds of CPU-bound work a compute phase can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadKind {
    /// Count primes by trial division; one unit tests 16 consecutive numbers.
    Primes,
    /// Escape-time iterations over a fixed Mandelbrot grid; one unit is 32 pixels.
    Mandelbrot,
    /// A chain of 64-bit mixing rounds; one unit is 256 rounds, each feeding on the previous result.
    HashChain,
}

impl WorkloadKind {
    /// Every kind, in display order.
    pub const ALL: [WorkloadKind; 3] = [Self::Primes, Self::Mandelbrot, Self::HashChain];

    /// Whether the units of this kind are independent, so a range can be divided into chunks run in parallel.
    pub fn is_splittable(self) -> bool {
        !matches!(self, Self::HashChain)
    }

    /// Short stable identifier (used in URLs and JSON).
    pub fn id(self) -> &'static str {
        match self {
            Self::Primes => "primes",
            Self::Mandelbrot => "mandelbrot",
            Self::HashChain => "hash-chain",
        }
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Primes => "counting primes",
            Self::Mandelbrot => "Mandelbrot pixels",
            Self::HashChain => "hash chain",
        }
    }

    /// Rough cost of one unit on a typical laptop core, in microseconds (for limits and first estimates; the page
    /// calibrates real costs from runs).
    pub fn typical_unit_cost_us(self) -> f64 {
        match self {
            Self::Primes => 3.5,
            Self::Mandelbrot => 11.0,
            Self::HashChain => 1.6,
        }
    }

    /// Position in [`WorkloadKind::ALL`], to index per-kind tables.
    pub fn index(self) -> usize {
        match self {
            Self::Primes => 0,
            Self::Mandelbrot => 1,
            Self::HashChain => 2,
        }
    }

    /// Parses [`WorkloadKind::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.id() == id)
    }
}

/// Seed of every hash chain, so equal tasks give equal checksums.
const HASH_CHAIN_SEED: u64 = 0x7461_736b_6c61_6221;
const PRIMES_BASE: u32 = 1_000_000;
const PRIMES_PER_UNIT: u32 = 16;
const MANDELBROT_SIDE: u64 = 1024;
const MANDELBROT_PIXELS_PER_UNIT: u64 = 32;
const MANDELBROT_MAX_ITER: u32 = 200;
const HASH_ROUNDS_PER_UNIT: u32 = 256;

/// SplitMix64 finaliser: a cheap, well-distributed 64-bit mix.
pub fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Combines checksums of disjoint chunks of one splittable range (order does not matter).
pub fn combine_chunks(a: u64, b: u64) -> u64 {
    a.wrapping_add(b)
}

/// Folds the checksum of a finished phase into a task's running checksum (order matters: phases are sequential).
pub fn fold_phase(task_checksum: u64, phase_checksum: u64) -> u64 {
    mix64(task_checksum.rotate_left(17) ^ phase_checksum)
}

fn is_prime(n: u32) -> bool {
    if n < 2 {
        return false;
    }
    if n.is_multiple_of(2) {
        return n == 2;
    }
    let mut divisor = 3u32;
    while divisor.saturating_mul(divisor) <= n {
        if n.is_multiple_of(divisor) {
            return false;
        }
        divisor += 2;
    }
    true
}

fn primes_unit(unit: u64) -> u64 {
    // Numbers are reduced into a fixed window so huge unit indices stay in u32 and cost stays bounded.
    let block = (unit % 200_000) as u32;
    let first = PRIMES_BASE + block * PRIMES_PER_UNIT;
    (first..first + PRIMES_PER_UNIT)
        .filter(|&n| is_prime(n))
        .count() as u64
}

/// Odd multiplier: multiplying by it modulo the (power-of-two) pixel count is a bijection, which scatters a
/// unit's pixels over the whole image. Every unit then mixes cheap (escaping) and costly (inside) pixels, so units
/// cost about the same; without this a unit inside the set costs ~40× one outside, and time slices overshoot.
const MANDELBROT_SCATTER: u64 = 0x9e37_79b1;

fn mandelbrot_unit(unit: u64) -> u64 {
    let pixels = MANDELBROT_SIDE * MANDELBROT_SIDE;
    let first = (unit % (pixels / MANDELBROT_PIXELS_PER_UNIT)) * MANDELBROT_PIXELS_PER_UNIT;
    let mut total_iterations = 0u64;
    for sequence in first..first + MANDELBROT_PIXELS_PER_UNIT {
        let pixel = sequence.wrapping_mul(MANDELBROT_SCATTER) % pixels;
        let column = (pixel % MANDELBROT_SIDE) as f64;
        let row = (pixel / MANDELBROT_SIDE) as f64;
        let c_re = -2.0 + 2.5 * column / MANDELBROT_SIDE as f64;
        let c_im = -1.25 + 2.5 * row / MANDELBROT_SIDE as f64;
        let (mut z_re, mut z_im) = (0.0f64, 0.0f64);
        let mut iteration = 0;
        while iteration < MANDELBROT_MAX_ITER && z_re * z_re + z_im * z_im <= 4.0 {
            let next_re = z_re * z_re - z_im * z_im + c_re;
            z_im = 2.0 * z_re * z_im + c_im;
            z_re = next_re;
            iteration += 1;
        }
        total_iterations += u64::from(iteration);
    }
    total_iterations
}

fn hash_chain_unit(state: u64, unit: u64) -> u64 {
    let mut state = state ^ unit;
    for _ in 0..HASH_ROUNDS_PER_UNIT {
        state = mix64(state);
    }
    state
}

/// Progress through a range of units of one kind; resumable in bounded steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComputeProgress {
    kind: WorkloadKind,
    next_unit: u64,
    end_unit: u64,
    accumulator: u64,
}

impl ComputeProgress {
    /// Work on units `[start, end)`. For a hash chain only a whole range starting at 0 is meaningful.
    pub fn new(kind: WorkloadKind, start: u64, end: u64) -> Self {
        let accumulator = match kind {
            WorkloadKind::HashChain => HASH_CHAIN_SEED,
            _ => 0,
        };
        Self {
            kind,
            next_unit: start,
            end_unit: end.max(start),
            accumulator,
        }
    }

    /// Runs at most `budget` units; returns how many ran (0 only when finished or `budget` is 0).
    pub fn step(&mut self, budget: u64) -> u64 {
        let stop = self.end_unit.min(self.next_unit.saturating_add(budget));
        for unit in self.next_unit..stop {
            self.accumulator = match self.kind {
                WorkloadKind::Primes => combine_chunks(
                    self.accumulator,
                    mix64(unit.rotate_left(32) ^ primes_unit(unit)),
                ),
                WorkloadKind::Mandelbrot => combine_chunks(
                    self.accumulator,
                    mix64(unit.rotate_left(32) ^ mandelbrot_unit(unit)),
                ),
                WorkloadKind::HashChain => hash_chain_unit(self.accumulator, unit),
            };
        }
        let ran = stop - self.next_unit;
        self.next_unit = stop;
        ran
    }

    /// Whether every unit of the range has run.
    pub fn is_finished(&self) -> bool {
        self.next_unit >= self.end_unit
    }

    /// The kind of work.
    pub fn kind(&self) -> WorkloadKind {
        self.kind
    }

    /// Units left to run.
    pub fn remaining(&self) -> u64 {
        self.end_unit - self.next_unit
    }

    /// The checksum so far (final once [`Self::is_finished`]).
    pub fn checksum(&self) -> u64 {
        self.accumulator
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prime_test_is_right_on_small_numbers() {
        let primes: Vec<u32> = (0..30).filter(|&n| is_prime(n)).collect();
        assert_eq!(primes, vec![2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
    }

    #[test]
    fn mandelbrot_units_cover_every_pixel_once_and_cost_about_the_same() {
        let pixels = MANDELBROT_SIDE * MANDELBROT_SIDE;
        let mut seen = vec![false; pixels as usize];
        for sequence in 0..pixels {
            let pixel = sequence.wrapping_mul(MANDELBROT_SCATTER) % pixels;
            assert!(!seen[pixel as usize]);
            seen[pixel as usize] = true;
        }
        let costs: Vec<u64> = (0..2_000).map(mandelbrot_unit).collect();
        let mean = costs.iter().sum::<u64>() as f64 / costs.len() as f64;
        let max = *costs.iter().max().expect("non-empty") as f64;
        assert!(max < mean * 4.0, "max {max} vs mean {mean}");
    }
}
