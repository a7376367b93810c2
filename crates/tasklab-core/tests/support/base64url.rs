//! base64url (no padding) written independently of the codec, so tests can craft and take apart link payloads
//! without trusting the code under test. Included by the codec tests and the fuzz harness.

/// The base64url alphabet.
pub const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Encodes bytes as base64url without padding.
pub fn base64url(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let mut group = 0u32;
        for (index, byte) in chunk.iter().enumerate() {
            group |= u32::from(*byte) << (16 - 8 * index);
        }
        for index in 0..=chunk.len() {
            out.push(char::from(
                ALPHABET[(group >> (18 - 6 * index)) as usize & 63],
            ));
        }
    }
    out
}

/// Decodes base64url without padding, skipping characters outside the alphabet.
#[allow(dead_code)] // only the fuzz harness takes payloads apart
pub fn unbase64url(text: &str) -> Vec<u8> {
    let values: Vec<u32> = text
        .bytes()
        .filter_map(|byte| ALPHABET.iter().position(|&a| a == byte).map(|v| v as u32))
        .collect();
    let mut out = Vec::new();
    for chunk in values.chunks(4) {
        let mut group = 0u32;
        for (index, value) in chunk.iter().enumerate() {
            group |= value << (18 - 6 * index);
        }
        let bytes = group.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len().max(1)]);
    }
    out
}
