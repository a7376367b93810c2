//! The two integer functions a quiz rests on, written out so their output is specified and identical on every
//! platform (x86_64, wasm32): the SplitMix64 generator for drawing questions, and the FNV-1a 64-bit hash for
//! seed words and result-code checksums. Neither uses floats, `usize` arithmetic or platform randomness.

/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; the constants
/// are those of its published reference code, also `java.util.SplittableRandom`): a 64-bit counter advanced by the
/// golden-ratio increment and mixed by [`mix64`]. Small, fast, and fully determined by its seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SplitMix64 {
    state: u64,
}

/// SplitMix64's increment: 2⁶⁴ divided by the golden ratio, made odd.
const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's finaliser (David Stafford's "Mix13" variant of MurmurHash3's `fmix64`).
pub(crate) fn mix64(value: u64) -> u64 {
    let mut z = value;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix64(self.state)
    }

    /// A number in `0..bound` (0 when `bound` is 0), by Lemire's multiply-and-keep-the-high-half: integer only
    /// (the 128-bit product is exact on wasm32 too), and its bias (under 2⁻⁵⁸ for the small bounds used here)
    /// does not matter for quizzes.
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// A number in `low..=high` (`low` when `high < low`).
    pub(crate) fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high.saturating_sub(low).saturating_add(1))
    }

    /// True with probability ½.
    pub(crate) fn coin(&mut self) -> bool {
        self.next_u64() >> 63 == 1
    }
}

/// FNV-1a, 64 bits (Fowler, Noll & Vo; offset basis and prime as published in the FNV reference and
/// draft-eastlake-fnv): for each byte, xor it in, then multiply by the prime. Not a cryptographic hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fnv1a64 {
    hash: u64,
}

impl Fnv1a64 {
    const OFFSET_BASIS: u64 = 0xCBF2_9CE4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01B3;

    pub(crate) fn new() -> Self {
        Fnv1a64 {
            hash: Self::OFFSET_BASIS,
        }
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) -> &mut Self {
        for &byte in bytes {
            self.hash ^= u64::from(byte);
            self.hash = self.hash.wrapping_mul(Self::PRIME);
        }
        self
    }

    pub(crate) fn finish(&self) -> u64 {
        self.hash
    }
}

/// FNV-1a 64 of `bytes`.
pub(crate) fn fnv1a64(bytes: &[u8]) -> u64 {
    Fnv1a64::new().write(bytes).finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // The first outputs of the reference implementation seeded with 1234567 (as listed with Vigna's
        // splitmix64.c test vectors).
        let mut generator = SplitMix64::new(1_234_567);
        let first: Vec<u64> = (0..3).map(|_| generator.next_u64()).collect();
        assert_eq!(
            first,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }

    #[test]
    fn fnv1a64_matches_the_published_test_vectors() {
        assert_eq!(fnv1a64(b""), 0xCBF2_9CE4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xAF63_DC4C_8601_EC8C);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_F739_67E8);
    }

    #[test]
    fn draws_stay_in_their_bounds() {
        let mut generator = SplitMix64::new(7);
        for _ in 0..10_000 {
            assert!(generator.below(6) < 6);
            assert!((2..=4).contains(&generator.between(2, 4)));
        }
        assert_eq!(generator.below(0), 0);
    }
}
