//! Scenario codecs for untrusted input: a compact, versioned, URL-safe link encoding and a JSON file format.
//!
//! # Link format
//!
//! A link value (the `s=` query parameter, see [`crate::settings`]) is one *version character* followed by
//! base64url text (alphabet `A–Z a–z 0–9 - _`, no padding). The version tells the decoder how to read the rest, so
//! links made today keep opening after the format grows: a new layout gets a new version character and the decoder
//! keeps reading the old ones. Version [`LINK_FORMAT_VERSION`] (`'1'`) is:
//!
//! ```text
//! payload = flags:u8 body             flags bit 0: body is raw deflate (other bits reserved, must be 0)
//! body    = n:varint                  the task count, then one column after another, each in task order:
//!           (name_len:varint name:utf8[name_len])[n]
//!           (task_flags:u8 [extra_phases:varint])[n]
//!                                     bit 0 splittable, bit 1 has colour, bits 2..7 phase count; 63 means
//!                                     63 + extra_phases (present only then)
//!           (r:u8 g:u8 b:u8)[tasks with a colour]
//!           arrival:varint[n]         decimal word of arrival_ms
//!           priority:varint[n]        zigzag
//!           phase:varint[all phases of task 1, then of task 2, …]
//!                                     decimal word << 2 | tag; tag 0 wait (ms), 1 primes, 2 mandelbrot, 3 hash chain
//! ```
//!
//! Varints are LEB128 (7 bits a byte, low first, at most 10 bytes). A *decimal word* is `v << 1` for a number
//! without trailing decimal zeros and `(m << 3 | (e − 1)) << 1 | 1` for `v = m × 10^e` with `e` (1 to 8) its
//! trailing zeros, so numbers people type (60 000, 1 500) take one or two bytes. Columns keep like next to like,
//! which deflate compresses better; the body is deflated when that is shorter. Bytes after the last task are an
//! error.
//!
//! # JSON format
//!
//! [`scenario_to_json`] writes `{"tasklab": 1, "scenario": {"tasks": [...]}}`; [`scenario_from_json`] also reads
//! a plain `{"tasks": [...]}`. A task is
//! `{"name": "Reader", "phases": [{"type": "compute", "kind": "primes", "units": 60000}, {"type": "wait", "ms": 50}],
//! "splittable": false, "colour": "#1f77b4", "arrival_ms": 0, "priority": 0}` where only `name` and `phases` are
//! required; `kind` is `primes`, `mandelbrot` or `hash-chain`. Unknown fields are errors (a typo must not be
//! ignored silently). A [`ScenarioFile`] may also carry the settings as a query string under `"settings"`.
//!
//! # Limits
//!
//! Every decoded scenario passes [`Scenario::validate`]. Before anything is allocated, counts and lengths are
//! checked against the scenario limits; links are at most [`MAX_LINK_CHARS`] characters, inflate to at most
//! [`MAX_BODY_BYTES`], and JSON input is at most [`MAX_JSON_BYTES`]. No input makes a decoder panic.

use std::fmt;

use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use thiserror::Error;

use crate::scenario::{
    is_valid_colour, Phase, Scenario, ScenarioError, TaskSpec, MAX_ARRIVAL_MS, MAX_NAME_CHARS,
    MAX_PHASES, MAX_PRIORITY, MAX_TASKS, MAX_UNITS_PER_PHASE, MAX_WAIT_MS,
};
use crate::workload::WorkloadKind;

/// The format version this build writes: the first character of every link it makes.
pub const LINK_FORMAT_VERSION: char = '1';
/// The version written in (and expected of) JSON files' `"tasklab"` field.
pub const JSON_FORMAT_VERSION: u64 = 1;
/// Largest JSON input accepted, in bytes.
pub const MAX_JSON_BYTES: usize = 1 << 20;

/// Payload flag: the body is raw deflate.
const FLAG_DEFLATE: u8 = 1;
/// Compression level for links (10 = best; bodies are tiny, so speed does not matter).
const DEFLATE_LEVEL: u8 = 10;
/// Phase counts from this value on take an extra varint after the task flags.
const PHASE_COUNT_ESCAPE: usize = 63;
/// Exponents of a decimal word fit in three bits (as e − 1).
const MAX_DECIMAL_EXPONENT: u32 = 8;
const TASK_FLAG_SPLITTABLE: u8 = 1;
const TASK_FLAG_COLOUR: u8 = 2;
const TAG_WAIT: u64 = 0;
const TAG_PRIMES: u64 = 1;
const TAG_MANDELBROT: u64 = 2;
const TAG_HASH_CHAIN: u64 = 3;
/// A UTF-8 character is at most four bytes.
const MAX_NAME_BYTES: usize = MAX_NAME_CHARS * 4;

const fn varint_len(mut value: u64) -> usize {
    let mut bytes = 1;
    while value >= 0x80 {
        value >>= 7;
        bytes += 1;
    }
    bytes
}

const fn max_usize(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

/// Largest decimal word of a number up to `max`: `2 max` without trailing zeros, less with them.
const fn decimal_word_bound(max: u64) -> u64 {
    2 * max + 1
}

/// Largest encoded body of a valid scenario: every task at every limit, each number at its longest.
const MAX_TASK_BYTES: usize = varint_len(MAX_NAME_BYTES as u64)
    + MAX_NAME_BYTES
    + 1
    + varint_len(MAX_PHASES.saturating_sub(PHASE_COUNT_ESCAPE) as u64)
    + 3
    + varint_len(decimal_word_bound(MAX_ARRIVAL_MS))
    + varint_len(MAX_PRIORITY.unsigned_abs() * 2)
    + MAX_PHASES
        * max_usize(
            varint_len(decimal_word_bound(MAX_UNITS_PER_PHASE) * 4 + 3),
            varint_len(decimal_word_bound(MAX_WAIT_MS as u64) * 4 + 3),
        );

/// Largest body (after inflating) a link may have: that of the largest valid scenario.
pub const MAX_BODY_BYTES: usize = varint_len(MAX_TASKS as u64) + MAX_TASKS * MAX_TASK_BYTES;

const fn base64_len(bytes: usize) -> usize {
    (bytes * 4).div_ceil(3)
}

/// Longest link value accepted: the version character plus the uncompressed payload of the largest valid
/// scenario, so every valid scenario's link opens.
pub const MAX_LINK_CHARS: usize = 1 + base64_len(1 + MAX_BODY_BYTES);

// Links must stay something a browser will open; revisit the format if the scenario limits grow this much.
const _: () = assert!(MAX_LINK_CHARS < 64 * 1024);

/// Why a link or a JSON file could not be read. Messages are meant for the user.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CodecError {
    /// Nothing to decode.
    #[error("the scenario link is empty")]
    Empty,
    /// The link is longer than any valid scenario's.
    #[error("the scenario link has {length} characters; at most {max} are allowed")]
    LinkTooLong {
        /// Its length in bytes.
        length: usize,
        /// [`MAX_LINK_CHARS`].
        max: usize,
    },
    /// The first character is not a version this build reads.
    #[error(
        "the scenario link starts with {found}, a format version this tasklab does not know (it reads version \
         {LINK_FORMAT_VERSION}); it may come from a newer tasklab"
    )]
    UnknownVersion {
        /// The character, quoted.
        found: String,
    },
    /// A character outside the base64url alphabet.
    #[error(
        "the scenario link has {found} at character {position}; only A–Z, a–z, 0–9, - and _ are allowed"
    )]
    NotBase64Url {
        /// 1-based character position in the link.
        position: usize,
        /// The character, quoted.
        found: String,
    },
    /// The data ends too early.
    #[error("the scenario link is cut short (it ends while reading {reading})")]
    Truncated {
        /// What was being read.
        reading: &'static str,
    },
    /// The data is well-formed base64url but not a valid encoding.
    #[error("the scenario link is damaged: {detail}")]
    Damaged {
        /// What is wrong.
        detail: String,
    },
    /// A count or a length is above its limit (checked before anything is allocated).
    #[error("the scenario link claims {value} {what}; at most {max} are allowed")]
    Oversized {
        /// What was counted.
        what: String,
        /// The claimed value.
        value: u64,
        /// The limit.
        max: u64,
    },
    /// The compressed data expands beyond [`MAX_BODY_BYTES`].
    #[error("the scenario link's compressed data expands to more than {max} bytes")]
    InflatedTooLarge {
        /// [`MAX_BODY_BYTES`].
        max: usize,
    },
    /// The data decodes, but the scenario breaks a limit.
    #[error("invalid scenario: {0}")]
    InvalidScenario(#[from] ScenarioError),
    /// The JSON input is too big.
    #[error("the JSON file has {bytes} bytes; at most {max} are allowed")]
    JsonTooLarge {
        /// Its size.
        bytes: usize,
        /// [`MAX_JSON_BYTES`].
        max: usize,
    },
    /// The JSON does not follow the schema.
    #[error("the JSON is not a tasklab scenario: {detail}")]
    Json {
        /// The parser's message, with line and column.
        detail: String,
    },
    /// A JSON file of another format version.
    #[error("the JSON file has format version {found}; this tasklab reads version {JSON_FORMAT_VERSION}")]
    UnknownJsonVersion {
        /// The `"tasklab"` value.
        found: u64,
    },
}

fn damaged(detail: impl Into<String>) -> CodecError {
    CodecError::Damaged {
        detail: detail.into(),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Link encoding

/// Encodes a scenario as a link value: [`LINK_FORMAT_VERSION`] then base64url.
///
/// Every scenario that passes [`Scenario::validate`] comes back unchanged from [`decode_scenario`]. An invalid
/// scenario still encodes, best effort, to a link the decoder rejects — except a colour that is not `#rrggbb`,
/// which the format cannot carry and is left out.
pub fn encode_scenario(scenario: &Scenario) -> String {
    let body = encode_body(scenario);
    let deflated = miniz_oxide::deflate::compress_to_vec(&body, DEFLATE_LEVEL);
    let (flags, body) = if deflated.len() < body.len() {
        (FLAG_DEFLATE, deflated)
    } else {
        (0, body)
    };
    let mut payload = Vec::with_capacity(1 + body.len());
    payload.push(flags);
    payload.extend_from_slice(&body);
    let mut link = String::with_capacity(1 + base64_len(payload.len()));
    link.push(LINK_FORMAT_VERSION);
    base64url_encode_into(&payload, &mut link);
    link
}

fn encode_body(scenario: &Scenario) -> Vec<u8> {
    let tasks = &scenario.tasks;
    let mut out = Vec::new();
    put_varint(&mut out, tasks.len() as u64);
    // Column by column: like with like compresses better (names next to names, numbers next to numbers).
    for task in tasks {
        put_varint(&mut out, task.name.len() as u64);
        out.extend_from_slice(task.name.as_bytes());
    }
    let colours: Vec<Option<[u8; 3]>> = tasks
        .iter()
        .map(|task| task.colour.as_deref().and_then(colour_bytes))
        .collect();
    for (task, colour) in tasks.iter().zip(&colours) {
        let phase_bits = task.phases.len().min(PHASE_COUNT_ESCAPE);
        let mut flags = (phase_bits as u8) << 2;
        if task.splittable {
            flags |= TASK_FLAG_SPLITTABLE;
        }
        if colour.is_some() {
            flags |= TASK_FLAG_COLOUR;
        }
        out.push(flags);
        if phase_bits == PHASE_COUNT_ESCAPE {
            put_varint(&mut out, (task.phases.len() - PHASE_COUNT_ESCAPE) as u64);
        }
    }
    for rgb in colours.iter().flatten() {
        out.extend_from_slice(rgb);
    }
    for task in tasks {
        put_varint(&mut out, decimal_word(task.arrival_ms, 0));
    }
    for task in tasks {
        put_varint(&mut out, zigzag(task.priority));
    }
    for phase in tasks.iter().flat_map(|task| &task.phases) {
        let word = match *phase {
            Phase::Wait { ms } => decimal_word(u64::from(ms), 2) | TAG_WAIT,
            Phase::Compute { kind, units } => decimal_word(units, 2) | kind_tag(kind),
        };
        put_varint(&mut out, word);
    }
    out
}

fn kind_tag(kind: WorkloadKind) -> u64 {
    // Fixed codes, independent of display order; a new kind needs a new format version.
    match kind {
        WorkloadKind::Primes => TAG_PRIMES,
        WorkloadKind::Mandelbrot => TAG_MANDELBROT,
        WorkloadKind::HashChain => TAG_HASH_CHAIN,
    }
}

/// A number as a *decimal word*, shifted left by `shift` bits: `v << 1` for a number without trailing zeros,
/// and `(m << 3 | (e − 1)) << 1 | 1` for `v = m × 10^e` with `e` ≥ 1 its trailing zeros (at most 8). A word too
/// large for 64 bits (only for values far above every limit) is saturated, which keeps it above the limit so the
/// decoder still rejects it.
fn decimal_word(value: u64, shift: u32) -> u64 {
    let mut mantissa = value;
    let mut exponent = 0;
    while mantissa != 0 && mantissa.is_multiple_of(10) && exponent < MAX_DECIMAL_EXPONENT {
        mantissa /= 10;
        exponent += 1;
    }
    let word = if exponent == 0 {
        (mantissa <= u64::MAX >> (1 + shift)).then_some(mantissa << 1)
    } else {
        (mantissa <= u64::MAX >> (4 + shift))
            .then_some((((mantissa << 3) | u64::from(exponent - 1)) << 1) | 1)
    };
    word.unwrap_or((u64::MAX >> (1 + shift)) << 1) << shift
}

fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

fn colour_bytes(colour: &str) -> Option<[u8; 3]> {
    if !is_valid_colour(colour) {
        return None;
    }
    let channel = |at: usize| u8::from_str_radix(colour.get(at..at + 2)?, 16).ok();
    Some([channel(1)?, channel(3)?, channel(5)?])
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url_encode_into(bytes: &[u8], out: &mut String) {
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let group = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for index in 0..=chunk.len() {
            out.push(char::from(
                BASE64URL[(group >> (18 - 6 * index)) as usize & 63],
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Link decoding

/// Decodes a link value made by [`encode_scenario`] (surrounding ASCII whitespace is ignored).
///
/// # Errors
/// A [`CodecError`] naming what is wrong: an empty or overlong link, an unknown version, a character outside
/// base64url, data cut short or damaged, a count above its limit, or a scenario that fails
/// [`Scenario::validate`].
pub fn decode_scenario(link: &str) -> Result<Scenario, CodecError> {
    let link = link.trim_matches(|c: char| c.is_ascii_whitespace());
    if link.len() > MAX_LINK_CHARS {
        return Err(CodecError::LinkTooLong {
            length: link.len(),
            max: MAX_LINK_CHARS,
        });
    }
    let mut chars = link.chars();
    let version = chars.next().ok_or(CodecError::Empty)?;
    if version != LINK_FORMAT_VERSION {
        return Err(CodecError::UnknownVersion {
            found: quote_char(version),
        });
    }
    let payload = base64url_decode(chars.as_str())?;
    let (&flags, rest) = payload.split_first().ok_or(CodecError::Truncated {
        reading: "the header",
    })?;
    if flags & !FLAG_DEFLATE != 0 {
        return Err(damaged(format!("unknown header flags {flags:#04x}")));
    }
    let inflated;
    let body = if flags & FLAG_DEFLATE != 0 {
        inflated = miniz_oxide::inflate::decompress_to_vec_with_limit(rest, MAX_BODY_BYTES)
            .map_err(|error| match error.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => CodecError::InflatedTooLarge {
                    max: MAX_BODY_BYTES,
                },
                _ => damaged("the compressed data is corrupt"),
            })?;
        inflated.as_slice()
    } else {
        rest
    };
    let scenario = decode_body(body)?;
    scenario.validate()?;
    Ok(scenario)
}

fn quote_char(c: char) -> String {
    format!("\u{201c}{}\u{201d}", c.escape_debug())
}

fn base64url_value(byte: u8) -> Option<u32> {
    match byte {
        b'A'..=b'Z' => Some(u32::from(byte - b'A')),
        b'a'..=b'z' => Some(u32::from(byte - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(byte - b'0') + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Strict base64url: no padding, no stray bits in the last character. `text` follows the version character.
fn base64url_decode(text: &str) -> Result<Vec<u8>, CodecError> {
    let bytes = text.as_bytes();
    if let Some(bad) = bytes.iter().position(|&b| base64url_value(b).is_none()) {
        let found = text[bad..].chars().next().unwrap_or('?');
        return Err(CodecError::NotBase64Url {
            // +2: 1-based, after the version character.
            position: text[..bad].chars().count() + 2,
            found: quote_char(found),
        });
    }
    if bytes.len() % 4 == 1 {
        return Err(CodecError::Truncated {
            reading: "the base64url text",
        });
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3 + 2);
    for chunk in bytes.chunks(4) {
        let mut group = 0u32;
        for (index, &byte) in chunk.iter().enumerate() {
            group |= base64url_value(byte).unwrap_or(0) << (18 - 6 * index);
        }
        let [_, b0, b1, b2] = group.to_be_bytes();
        let decoded = [b0, b1, b2];
        let kept = chunk.len() - 1;
        if decoded[kept..].iter().any(|&byte| byte != 0) {
            return Err(damaged("its last character carries stray bits"));
        }
        out.extend_from_slice(&decoded[..kept]);
    }
    Ok(out)
}

/// A cursor over the body that never reads past its end.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self, reading: &'static str) -> Result<u8, CodecError> {
        let (&first, rest) = self
            .bytes
            .split_first()
            .ok_or(CodecError::Truncated { reading })?;
        self.bytes = rest;
        Ok(first)
    }

    fn take(&mut self, count: usize, reading: &'static str) -> Result<&'a [u8], CodecError> {
        if count > self.bytes.len() {
            return Err(CodecError::Truncated { reading });
        }
        let (taken, rest) = self.bytes.split_at(count);
        self.bytes = rest;
        Ok(taken)
    }

    fn varint(&mut self, reading: &'static str) -> Result<u64, CodecError> {
        let mut value = 0u64;
        for index in 0..10 {
            let byte = self.byte(reading)?;
            // The tenth byte holds only the top bit of a u64.
            if index == 9 && byte > 1 {
                break;
            }
            value |= u64::from(byte & 0x7f) << (7 * index);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(damaged(format!("a number in {reading} is too large")))
    }
}

/// Reads a decimal word shifted by `shift` bits (whose low bits the caller has already used).
fn from_decimal_word(
    word: u64,
    shift: u32,
    what: impl FnOnce() -> String,
) -> Result<u64, CodecError> {
    let word = word >> shift;
    if word & 1 == 0 {
        return Ok(word >> 1);
    }
    let exponent = ((word >> 1) & 7) as u32 + 1;
    (word >> 4)
        .checked_mul(10u64.pow(exponent))
        .ok_or_else(|| damaged(format!("{} is too large", what())))
}

/// What the flags column says about a task.
struct TaskShape {
    phase_count: usize,
    splittable: bool,
    has_colour: bool,
}

fn decode_body(body: &[u8]) -> Result<Scenario, CodecError> {
    let mut reader = Reader { bytes: body };
    let task_count = reader.varint("the task count")?;
    if task_count > MAX_TASKS as u64 {
        return Err(CodecError::Oversized {
            what: "tasks".to_owned(),
            value: task_count,
            max: MAX_TASKS as u64,
        });
    }
    let task_count = task_count as usize;
    let mut names = Vec::with_capacity(task_count);
    for task_number in 1..=task_count {
        names.push(decode_name(&mut reader, task_number)?);
    }
    let mut shapes = Vec::with_capacity(task_count);
    for task_number in 1..=task_count {
        shapes.push(decode_shape(&mut reader, task_number)?);
    }
    let mut tasks = Vec::with_capacity(task_count);
    for (name, shape) in names.into_iter().zip(&shapes) {
        let colour = if shape.has_colour {
            let rgb = reader.take(3, "a task's colour")?;
            Some(format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]))
        } else {
            None
        };
        tasks.push(TaskSpec {
            name,
            phases: Vec::new(),
            splittable: shape.splittable,
            colour,
            arrival_ms: 0,
            priority: 0,
        });
    }
    for (task_number, task) in (1..).zip(tasks.iter_mut()) {
        let word = reader.varint("a task's arrival")?;
        task.arrival_ms =
            from_decimal_word(word, 0, || format!("the arrival of task {task_number}"))?;
    }
    for task in &mut tasks {
        task.priority = unzigzag(reader.varint("a task's priority")?);
    }
    for ((task_number, task), shape) in (1..).zip(tasks.iter_mut()).zip(&shapes) {
        task.phases = decode_phases(&mut reader, task_number, shape.phase_count)?;
    }
    if !reader.bytes.is_empty() {
        return Err(damaged(format!(
            "{} unexpected bytes after the last task",
            reader.bytes.len()
        )));
    }
    Ok(Scenario { tasks })
}

fn decode_name(reader: &mut Reader<'_>, task_number: usize) -> Result<String, CodecError> {
    let name_len = reader.varint("a task name")?;
    if name_len > MAX_NAME_BYTES as u64 {
        return Err(CodecError::Oversized {
            what: format!("bytes in the name of task {task_number}"),
            value: name_len,
            max: MAX_NAME_BYTES as u64,
        });
    }
    let name = std::str::from_utf8(reader.take(name_len as usize, "a task name")?)
        .map_err(|_| damaged(format!("the name of task {task_number} is not valid UTF-8")))?;
    Ok(name.to_owned())
}

fn decode_shape(reader: &mut Reader<'_>, task_number: usize) -> Result<TaskShape, CodecError> {
    let flags = reader.byte("a task's flags")?;
    let mut phase_count = usize::from(flags >> 2);
    if phase_count == PHASE_COUNT_ESCAPE {
        let extra = reader.varint("a task's phase count")?;
        let total = extra.saturating_add(PHASE_COUNT_ESCAPE as u64);
        if total > MAX_PHASES as u64 {
            return Err(CodecError::Oversized {
                what: format!("phases in task {task_number}"),
                value: total,
                max: MAX_PHASES as u64,
            });
        }
        phase_count = total as usize;
    }
    Ok(TaskShape {
        phase_count,
        splittable: flags & TASK_FLAG_SPLITTABLE != 0,
        has_colour: flags & TASK_FLAG_COLOUR != 0,
    })
}

fn decode_phases(
    reader: &mut Reader<'_>,
    task_number: usize,
    phase_count: usize,
) -> Result<Vec<Phase>, CodecError> {
    let mut phases = Vec::with_capacity(phase_count);
    for phase_number in 1..=phase_count {
        let word = reader.varint("a phase")?;
        let amount = from_decimal_word(word, 2, || {
            format!("task {task_number}, phase {phase_number}")
        })?;
        let phase = match word & 3 {
            TAG_WAIT => Phase::Wait {
                ms: u32::try_from(amount).map_err(|_| CodecError::Oversized {
                    what: format!("ms of wait in task {task_number}, phase {phase_number}"),
                    value: amount,
                    max: u64::from(MAX_WAIT_MS),
                })?,
            },
            tag => Phase::Compute {
                kind: match tag {
                    TAG_PRIMES => WorkloadKind::Primes,
                    TAG_MANDELBROT => WorkloadKind::Mandelbrot,
                    _ => WorkloadKind::HashChain,
                },
                units: amount,
            },
        };
        phases.push(phase);
    }
    Ok(phases)
}

// ---------------------------------------------------------------------------------------------------------------
// JSON

/// A scenario file: the scenario, and optionally the settings it was shared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioFile {
    /// The scenario (valid).
    pub scenario: Scenario,
    /// The settings as a query string for [`crate::settings::parse_query`] (untrusted: parse it, do not trust it).
    pub settings_query: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonDocument {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tasklab: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scenario: Option<JsonScenario>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    settings: Option<String>,
    /// Plain scenario JSON: the tasks at the top level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tasks: Option<BoundedTasks>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonScenario {
    tasks: BoundedTasks,
}

/// Tasks that stop being read past [`MAX_TASKS`], so a huge file cannot fill memory with tasks.
#[derive(Serialize)]
#[serde(transparent)]
struct BoundedTasks(Vec<JsonTask>);

impl<'de> Deserialize<'de> for BoundedTasks {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TasksVisitor;
        impl<'de> Visitor<'de> for TasksVisitor {
            type Value = BoundedTasks;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(formatter, "a list of at most {MAX_TASKS} tasks")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut tasks = Vec::new();
                while let Some(task) = seq.next_element::<JsonTask>()? {
                    if tasks.len() == MAX_TASKS {
                        return Err(serde::de::Error::custom(format!(
                            "more than {MAX_TASKS} tasks; at most {MAX_TASKS} are allowed"
                        )));
                    }
                    tasks.push(task);
                }
                Ok(BoundedTasks(tasks))
            }
        }
        deserializer.deserialize_seq(TasksVisitor)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonTask {
    name: String,
    phases: Vec<JsonPhase>,
    #[serde(default, skip_serializing_if = "is_false")]
    splittable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    colour: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero_u64")]
    arrival_ms: u64,
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    priority: i64,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
enum JsonPhase {
    Compute { kind: WorkloadKind, units: u64 },
    Wait { ms: u32 },
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_zero_u64(value: &u64) -> bool {
    *value == 0
}

fn is_zero_i64(value: &i64) -> bool {
    *value == 0
}

impl From<&Scenario> for JsonScenario {
    fn from(scenario: &Scenario) -> Self {
        let tasks = scenario
            .tasks
            .iter()
            .map(|task| JsonTask {
                name: task.name.clone(),
                phases: task
                    .phases
                    .iter()
                    .map(|phase| match *phase {
                        Phase::Compute { kind, units } => JsonPhase::Compute { kind, units },
                        Phase::Wait { ms } => JsonPhase::Wait { ms },
                    })
                    .collect(),
                splittable: task.splittable,
                colour: task.colour.clone(),
                arrival_ms: task.arrival_ms,
                priority: task.priority,
            })
            .collect();
        Self {
            tasks: BoundedTasks(tasks),
        }
    }
}

impl From<JsonScenario> for Scenario {
    fn from(json: JsonScenario) -> Self {
        let tasks = json
            .tasks
            .0
            .into_iter()
            .map(|task| TaskSpec {
                name: task.name,
                phases: task
                    .phases
                    .into_iter()
                    .map(|phase| match phase {
                        JsonPhase::Compute { kind, units } => Phase::Compute { kind, units },
                        JsonPhase::Wait { ms } => Phase::Wait { ms },
                    })
                    .collect(),
                splittable: task.splittable,
                colour: task.colour,
                arrival_ms: task.arrival_ms,
                priority: task.priority,
            })
            .collect();
        Scenario { tasks }
    }
}

/// Writes a scenario as pretty JSON: `{"tasklab": 1, "scenario": {"tasks": [...]}}`.
pub fn scenario_to_json(scenario: &Scenario) -> String {
    file_to_json(scenario, None)
}

/// Writes a scenario and the settings query it goes with (see [`crate::settings::Settings::to_query`]).
pub fn scenario_file_to_json(file: &ScenarioFile) -> String {
    file_to_json(&file.scenario, file.settings_query.clone())
}

fn file_to_json(scenario: &Scenario, settings: Option<String>) -> String {
    let document = JsonDocument {
        tasklab: Some(JSON_FORMAT_VERSION),
        scenario: Some(JsonScenario::from(scenario)),
        settings,
        tasks: None,
    };
    // Serialising plain structs of strings and integers into a String cannot fail.
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

/// Reads a scenario from JSON: a versioned file from [`scenario_to_json`] or a plain `{"tasks": [...]}`.
///
/// # Errors
/// [`CodecError::JsonTooLarge`], [`CodecError::Json`] (with line and column), [`CodecError::UnknownJsonVersion`]
/// or [`CodecError::InvalidScenario`].
pub fn scenario_from_json(json: &str) -> Result<Scenario, CodecError> {
    scenario_file_from_json(json).map(|file| file.scenario)
}

/// Reads a scenario file, keeping its settings query if it has one.
///
/// # Errors
/// As [`scenario_from_json`].
pub fn scenario_file_from_json(json: &str) -> Result<ScenarioFile, CodecError> {
    if json.len() > MAX_JSON_BYTES {
        return Err(CodecError::JsonTooLarge {
            bytes: json.len(),
            max: MAX_JSON_BYTES,
        });
    }
    let document: JsonDocument = serde_json::from_str(json).map_err(|error| CodecError::Json {
        detail: error.to_string(),
    })?;
    let schema_error = |detail: &str| CodecError::Json {
        detail: detail.to_owned(),
    };
    let (scenario, settings_query) = match document {
        JsonDocument {
            tasklab: Some(version),
            ..
        } if version != JSON_FORMAT_VERSION => {
            return Err(CodecError::UnknownJsonVersion { found: version })
        }
        JsonDocument {
            tasklab: Some(_),
            scenario: Some(scenario),
            settings,
            tasks: None,
        } => (Scenario::from(scenario), settings),
        JsonDocument {
            tasklab: None,
            scenario: None,
            settings: None,
            tasks: Some(tasks),
        } => (Scenario::from(JsonScenario { tasks }), None),
        JsonDocument { tasklab: Some(_), .. } => {
            return Err(schema_error(
                "a versioned file needs a \"scenario\" object and no top-level \"tasks\"",
            ))
        }
        JsonDocument {
            scenario: Some(_), ..
        }
        | JsonDocument {
            settings: Some(_), ..
        } => {
            return Err(schema_error(
                "a file with \"scenario\" or \"settings\" needs \"tasklab\": 1 beside them, and its \"tasks\" \
                 inside \"scenario\"",
            ))
        }
        JsonDocument { .. } => {
            return Err(schema_error(
                "expected {\"tasklab\": 1, \"scenario\": {\"tasks\": [...]}} or {\"tasks\": [...]}",
            ))
        }
    };
    scenario.validate()?;
    Ok(ScenarioFile {
        scenario,
        settings_query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_cover_the_largest_valid_scenario() {
        let task = TaskSpec {
            name: "\u{1f600}".repeat(MAX_NAME_CHARS),
            phases: vec![
                Phase::Compute {
                    kind: WorkloadKind::HashChain,
                    units: MAX_UNITS_PER_PHASE - 1,
                };
                MAX_PHASES
            ],
            splittable: true,
            colour: Some("#abcdef".to_owned()),
            arrival_ms: MAX_ARRIVAL_MS - 1,
            priority: -MAX_PRIORITY,
        };
        let scenario = Scenario {
            tasks: vec![task; MAX_TASKS],
        };
        assert_eq!(encode_body(&scenario).len(), MAX_BODY_BYTES);
        let link = encode_scenario(&scenario);
        assert!(link.len() <= MAX_LINK_CHARS);
        // The biggest link the byte limits allow is read to the end: only the scenario-wide work limit, checked
        // last, refuses it (each of its fields is within its own limit).
        assert!(matches!(
            decode_scenario(&link),
            Err(CodecError::InvalidScenario(
                ScenarioError::TooMuchWork { .. }
            ))
        ));
    }

    #[test]
    fn decimal_words_are_short_for_round_numbers() {
        assert_eq!(decimal_word(0, 0), 0);
        assert_eq!(decimal_word(60_000, 0), (((6 << 3) | 3) << 1) | 1);
        assert_eq!(decimal_word(123, 0), 246);
        for value in [
            0,
            1,
            9,
            10,
            100,
            5_000_000,
            123_456,
            100_000_000,
            1_000_000_000,
            u64::MAX / 8,
        ] {
            assert_eq!(
                from_decimal_word(decimal_word(value, 2), 2, String::new),
                Ok(value)
            );
        }
        assert_eq!(
            from_decimal_word(decimal_word(60_000, 2), 2, String::new),
            Ok(60_000)
        );
        assert_eq!(unzigzag(zigzag(-MAX_PRIORITY)), -MAX_PRIORITY);
        assert_eq!(unzigzag(zigzag(i64::MIN)), i64::MIN);
    }

    #[test]
    fn base64url_round_trips_every_length() {
        for length in 0..10u8 {
            let bytes: Vec<u8> = (0..length).map(|i| i.wrapping_mul(97) ^ 0xa5).collect();
            let mut text = String::new();
            base64url_encode_into(&bytes, &mut text);
            assert_eq!(base64url_decode(&text), Ok(bytes));
        }
    }
}
