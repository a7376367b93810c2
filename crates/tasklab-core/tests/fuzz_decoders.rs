//! A fixed-budget fuzzer for everything that reads untrusted input: [`decode_scenario`] (scenario links),
//! [`scenario_from_json`] (imported files) and [`parse_query`] (whole page links).
//!
//! Inputs are random and structure-aware: random payloads behind a valid version character, valid encodings with
//! their bytes mutated before (and after) compression, valid links with characters flipped, cut, spliced or with
//! another version, random strings, mutated valid JSON, and query strings mixing all of these. Every decoder must
//! return without panicking, and anything it accepts must pass [`Scenario::validate`] and encode back to itself.
//!
//! CI runs the default budget; a long run:
//!
//! ```text
//! TASKLAB_FUZZ_CASES=1000000 cargo test --release -p tasklab-core --test fuzz_decoders -- --nocapture
//! ```
//!
//! (The release profile aborts on panic; with `build-std` a release *test* build then fails with "duplicate lang
//! item", so the long run switches it back to unwinding.) 1,000,000 cases take about 15 s on one core.
//!
//! `TASKLAB_FUZZ_SEED` picks another sequence of inputs (the seed is printed, so a failure can be replayed).
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

#[path = "support/base64url.rs"]
mod base64url_codec;
use base64url_codec::{base64url, unbase64url, ALPHABET};

use std::time::Instant;

use tasklab_core::codec::{
    decode_scenario, encode_scenario, scenario_from_json, scenario_to_json, CodecError,
};
use tasklab_core::presets::Preset;
use tasklab_core::scenario::{
    Phase, Scenario, TaskSpec, MAX_ARRIVAL_MS, MAX_NAME_CHARS, MAX_PHASES, MAX_PRIORITY, MAX_TASKS,
    MAX_UNITS_PER_PHASE, MAX_WAIT_MS,
};
use tasklab_core::settings::{parse_query, MAX_SLICE_MS, MIN_SLICE_MS};
use tasklab_core::workload::{mix64, WorkloadKind};

const DEFAULT_CASES: u64 = 20_000;
const DEFAULT_SEED: u64 = 0x7461_736b_6c61_6234;
const MAX_WORKERS: u32 = 8;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix64(self.0)
    }
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }
    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }
    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
    /// Mostly small, sometimes up to `max`, sometimes exactly at or just past it.
    fn amount(&mut self, max: u64) -> u64 {
        match self.below(6) {
            0 => max,
            1 => max + 1,
            2 => self.below(max + 1),
            3 => (1 + self.below(9)) * 10u64.pow(self.below(8) as u32),
            _ => self.below(100),
        }
    }
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
    /// Usually up to `short` bytes, one time in 50 up to `long`.
    fn random_bytes(&mut self, short: usize, long: usize) -> Vec<u8> {
        let max = if self.chance(50) { long } else { short };
        let len = self.index(max);
        self.bytes(len)
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.replace('_', "").parse().ok())
        .unwrap_or(default)
}

// ------------------------------------------------------------------------------------------------------------
// Valid material to mutate

fn random_name(rng: &mut Rng) -> String {
    const PIECES: [&str; 8] = ["Task", "Reader", " ", "é", "\u{1f373}", "漢", "\u{0}", "7"];
    let chars = 1 + rng.index(MAX_NAME_CHARS);
    let mut name = String::new();
    while name.chars().count() < chars {
        name.push_str(PIECES[rng.index(PIECES.len())]);
    }
    name.chars().take(chars).collect()
}

fn random_scenario(rng: &mut Rng) -> Scenario {
    let task_count = if rng.chance(20) {
        1 + rng.index(MAX_TASKS)
    } else {
        1 + rng.index(6)
    };
    let tasks = (0..task_count)
        .map(|_| {
            let phase_count = if rng.chance(20) {
                1 + rng.index(MAX_PHASES)
            } else {
                1 + rng.index(5)
            };
            let phases = (0..phase_count)
                .map(|_| {
                    if rng.chance(3) {
                        Phase::Wait {
                            ms: rng.below(u64::from(MAX_WAIT_MS) + 1) as u32,
                        }
                    } else {
                        Phase::Compute {
                            kind: WorkloadKind::ALL[rng.index(WorkloadKind::ALL.len())],
                            units: 1 + rng.below(MAX_UNITS_PER_PHASE),
                        }
                    }
                })
                .collect();
            TaskSpec {
                name: random_name(rng),
                phases,
                splittable: rng.chance(2),
                colour: rng
                    .chance(2)
                    .then(|| format!("#{:06x}", rng.below(1 << 24))),
                arrival_ms: if rng.chance(2) {
                    0
                } else {
                    rng.below(MAX_ARRIVAL_MS + 1)
                },
                priority: rng.below(2 * MAX_PRIORITY as u64 + 1) as i64 - MAX_PRIORITY,
            }
        })
        .collect();
    Scenario { tasks }
}

/// The uncompressed body of a valid link.
fn body_of(scenario: &Scenario) -> Vec<u8> {
    let payload = unbase64url(&encode_scenario(scenario)[1..]);
    match payload.split_first() {
        Some((1, deflated)) => {
            miniz_oxide::inflate::decompress_to_vec_with_limit(deflated, 1 << 20).unwrap()
        }
        Some((_, raw)) => raw.to_vec(),
        None => Vec::new(),
    }
}

fn link_of(flags: u8, body: &[u8]) -> String {
    let mut payload = vec![flags];
    if flags & 1 == 1 {
        payload.extend(miniz_oxide::deflate::compress_to_vec(body, 6));
    } else {
        payload.extend_from_slice(body);
    }
    format!("1{}", base64url(&payload))
}

/// A valid scenario and its encodings, computed once (encoding is the slow part of a case).
struct Seed {
    link: String,
    body: Vec<u8>,
    json: String,
    plain_json: String,
}

impl Seed {
    fn new(scenario: &Scenario) -> Self {
        Self {
            link: encode_scenario(scenario),
            body: body_of(scenario),
            json: scenario_to_json(scenario),
            plain_json: serde_json::to_string(scenario).unwrap(),
        }
    }
}

// ------------------------------------------------------------------------------------------------------------
// Mutations

const INTERESTING_BYTES: [u8; 10] = [0, 1, 0x3f, 0x40, 0x7f, 0x80, 0xfc, 0xfd, 0xff, 63 << 2];

fn mutate_bytes(rng: &mut Rng, bytes: &mut Vec<u8>, donor: &[u8]) {
    for _ in 0..1 + rng.index(4) {
        let len = bytes.len();
        match rng.below(9) {
            0 if len > 0 => {
                let at = rng.index(len);
                bytes[at] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let at = rng.index(len);
                bytes[at] = rng.next() as u8;
            }
            2 if len > 0 => {
                let at = rng.index(len);
                bytes[at] = INTERESTING_BYTES[rng.index(INTERESTING_BYTES.len())];
            }
            3 => {
                let at = rng.index(len + 1);
                bytes.insert(at, rng.next() as u8);
            }
            4 if len > 0 => {
                bytes.remove(rng.index(len));
            }
            5 => bytes.truncate(rng.index(len + 1)),
            6 if len > 0 => {
                let start = rng.index(len);
                let end = start + rng.index(len - start + 1);
                let copy = bytes[start..end].to_vec();
                let at = rng.index(len + 1);
                bytes.splice(at..at, copy);
            }
            7 if !donor.is_empty() => {
                let start = rng.index(donor.len());
                let at = rng.index(len + 1);
                bytes.truncate(at);
                bytes.extend_from_slice(&donor[start..]);
            }
            _ => {
                // A long varint: the decoder must not read it as a huge count and allocate.
                let at = rng.index(len + 1);
                let run = 1 + rng.index(12);
                bytes.splice(at..at, std::iter::repeat_n(0xff, run));
            }
        }
    }
}

fn mutate_text(rng: &mut Rng, text: &str, donor: &str, tokens: &[&str]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let donor: Vec<char> = donor.chars().collect();
    for _ in 0..1 + rng.index(4) {
        let len = chars.len();
        match rng.below(8) {
            0 if len > 0 => {
                let at = rng.index(len);
                chars[at] = char::from(ALPHABET[rng.index(64)]);
            }
            1 if len > 0 => {
                let at = rng.index(len);
                chars[at] = char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}');
            }
            2 => chars.truncate(rng.index(len + 1)),
            3 if len > 0 => {
                chars.remove(rng.index(len));
            }
            4 => {
                let at = rng.index(len + 1);
                let token = tokens[rng.index(tokens.len())];
                chars.splice(at..at, token.chars());
            }
            5 if !donor.is_empty() => {
                let at = rng.index(len + 1);
                let start = rng.index(donor.len());
                chars.truncate(at);
                chars.extend_from_slice(&donor[start..]);
            }
            6 if len > 0 => {
                let start = rng.index(len);
                let end = start + rng.index((len - start).min(64) + 1);
                let copy = chars[start..end].to_vec();
                let at = rng.index(len + 1);
                chars.splice(at..at, copy);
            }
            _ if len > 0 => chars[0] = char::from(b"0123456789aZ~ "[rng.index(14)]),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

const LINK_TOKENS: [&str; 8] = ["1", "2", "=", "+", "/", "%", " ", "A"];
const JSON_TOKENS: [&str; 24] = [
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "null",
    "true",
    "-1",
    "0",
    "1e999",
    "18446744073709551616",
    "4294967296",
    "\"tasks\"",
    "\"phases\"",
    "\"type\"",
    "\"compute\"",
    "\"wait\"",
    "\"tasklab\"",
    "\"scenario\"",
    "\"\\ud800\"",
    "[[[[[[[[",
    "\"colour\": \"#ABCDEF\"",
];
const QUERY_KEYS: [&str; 12] = [
    "preset", "mode", "workers", "slice", "policy", "quantum", "cpus", "switch", "ties", "run",
    "s", "x",
];

// ------------------------------------------------------------------------------------------------------------
// Checks

fn check_link(input: &str) -> Result<Scenario, CodecError> {
    let result = decode_scenario(input);
    if let Ok(scenario) = &result {
        assert_eq!(
            scenario.validate(),
            Ok(()),
            "accepted an invalid scenario from {input:?}"
        );
        let again = encode_scenario(scenario);
        assert_eq!(decode_scenario(&again).as_ref(), Ok(scenario), "{input:?}");
    } else if let Err(error) = &result {
        assert!(error.to_string().len() < 400, "{error}");
    }
    result
}

fn check_json(input: &str) {
    match scenario_from_json(input) {
        Ok(scenario) => {
            assert_eq!(
                scenario.validate(),
                Ok(()),
                "accepted an invalid scenario from {input:?}"
            );
            assert_eq!(
                scenario_from_json(&scenario_to_json(&scenario)),
                Ok(scenario)
            );
        }
        Err(error) => assert!(error.to_string().len() < 600, "{error}"),
    }
}

fn check_query(input: &str) {
    let parsed = parse_query(input, MAX_WORKERS);
    let settings = &parsed.settings;
    if let Some(custom) = &settings.custom {
        assert_eq!(custom.validate(), Ok(()), "{input:?}");
    }
    assert!((1..=MAX_WORKERS).contains(&settings.workers), "{input:?}");
    assert!(
        (MIN_SLICE_MS..=MAX_SLICE_MS).contains(&settings.slice_ms),
        "{input:?}"
    );
    assert_eq!(settings.scenario().validate(), Ok(()));
    for notice in &parsed.notices {
        assert!(notice.message.chars().count() < 700, "{notice}");
    }
}

#[test]
fn decoders_survive_random_and_mutated_inputs() {
    let cases = env_number("TASKLAB_FUZZ_CASES", DEFAULT_CASES);
    let seed = env_number("TASKLAB_FUZZ_SEED", DEFAULT_SEED);
    let mut rng = Rng(seed);
    let started = Instant::now();
    let mut accepted = [0u64; 3];
    let mut runs = [0u64; 3];
    // A few valid scenarios to mutate, refreshed as we go.
    let mut pool: Vec<Seed> = Preset::ALL
        .iter()
        .map(|preset| Seed::new(&preset.scenario()))
        .collect();
    for case in 0..cases {
        if case % 64 == 0 {
            let slot = rng.index(pool.len() + 1);
            let fresh = Seed::new(&random_scenario(&mut rng));
            if slot == pool.len() && pool.len() < 32 {
                pool.push(fresh);
            } else {
                let slot = slot.min(pool.len() - 1);
                pool[slot] = fresh;
            }
        }
        let seed_case = &pool[rng.index(pool.len())];
        let donor = &pool[rng.index(pool.len())];
        match case % 8 {
            0 => {
                // Random payload behind a valid version character.
                let mut payload = rng.random_bytes(48, 4096);
                if let Some(flags) = payload.first_mut() {
                    *flags = [0, 1, 1, 0, *flags][rng.index(5)];
                }
                runs[0] += 1;
                accepted[0] += u64::from(check_link(&format!("1{}", base64url(&payload))).is_ok());
            }
            1 | 2 => {
                // A valid body with its bytes mutated, sent raw or deflated.
                let mut body = seed_case.body.clone();
                mutate_bytes(&mut rng, &mut body, &donor.body);
                let flags = if case % 8 == 1 { 0 } else { 1 };
                runs[0] += 1;
                accepted[0] += u64::from(check_link(&link_of(flags, &body)).is_ok());
            }
            3 => {
                // A valid link with characters flipped, cut, spliced, or another version.
                let mutated = mutate_text(&mut rng, &seed_case.link, &donor.link, &LINK_TOKENS);
                runs[0] += 1;
                accepted[0] += u64::from(check_link(&mutated).is_ok());
            }
            4 => {
                // Random text, to every decoder.
                let text = String::from_utf8_lossy(&rng.random_bytes(64, 10_000)).into_owned();
                runs[0] += 1;
                accepted[0] += u64::from(check_link(&text).is_ok());
                runs[1] += 1;
                check_json(&text);
                runs[2] += 1;
                check_query(&text);
            }
            5 | 6 => {
                // Valid JSON (versioned or plain), mutated.
                let json = if rng.chance(2) {
                    &seed_case.json
                } else {
                    &seed_case.plain_json
                };
                let mutated = mutate_text(&mut rng, json, &donor.json, &JSON_TOKENS);
                runs[1] += 1;
                let ok = scenario_from_json(&mutated).is_ok();
                check_json(&mutated);
                accepted[1] += u64::from(ok);
            }
            _ => {
                // A page link: known and unknown keys, good and bad values, mutated scenario links.
                let mut query = String::new();
                for _ in 0..rng.index(8) {
                    let key = QUERY_KEYS[rng.index(QUERY_KEYS.len())];
                    let value = match key {
                        "s" if rng.chance(2) => seed_case.link.clone(),
                        "s" => mutate_text(&mut rng, &seed_case.link, "", &LINK_TOKENS),
                        _ => match rng.below(4) {
                            0 => rng.amount(100).to_string(),
                            1 => ["rr", "mlfq", "two-chefs", "1", "true", "arrival-first"]
                                [rng.index(6)]
                            .to_owned(),
                            2 => String::from_utf8_lossy(&rng.random_bytes(12, 12)).into_owned(),
                            _ => format!("%{:02X}%{:02x}", rng.next() as u8, rng.next() as u8),
                        },
                    };
                    query.push_str(&format!("{key}={value}&"));
                }
                if rng.chance(4) {
                    query = mutate_text(&mut rng, &query, "", &["&", "=", "%", "+", "?"]);
                }
                runs[2] += 1;
                check_query(&query);
                accepted[2] += u64::from(parse_query(&query, MAX_WORKERS).notices.is_empty());
            }
        }
    }
    let elapsed = started.elapsed();
    let total: u64 = runs.iter().sum();
    println!(
        "fuzz_decoders: seed {seed:#x}, {cases} cases, {total} decoder inputs in {:.1} s ({:.0} inputs/s): \
         decode_scenario {} ({} accepted), scenario_from_json {} ({} accepted), parse_query {} ({} without \
         notices); no panic, everything accepted was valid",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64().max(1e-9),
        runs[0],
        accepted[0],
        runs[1],
        accepted[1],
        runs[2],
        accepted[2],
    );
    assert!(total >= cases);
}
