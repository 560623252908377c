//! SplitMix64 (Steele, Lea & Flood 2014): a tiny, platform-independent generator. Replication r
//! of a Monte Carlo run gets its own stream from (seed, r) alone, so results do not depend on
//! how replications are spread over threads, and numpy can replay the same draws bit for bit
//! with uint64 arithmetic (bench/evaluate_bench.py does, to cross-check the engine).

const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }
    /// The stream of replication `r` (0-based) of a run seeded with `seed`:
    /// state = mix(mix(seed) + r).
    pub fn for_replication(seed: u64, r: u64) -> SplitMix64 {
        SplitMix64 { state: mix(mix(seed).wrapping_add(r)) }
    }
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }
    /// Uniform in [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}
