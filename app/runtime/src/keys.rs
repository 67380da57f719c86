//! Keypairs derived from a process-wide counter: a run that creates its keys in the same
//! order gets the same keys, so the accounts' addresses, their PDAs' bumps and every
//! comparison between keys are the same from run to run (the compute benchmark's figures
//! depend on them). Never for keys that hold value on a real cluster.
use std::sync::atomic::{AtomicU64, Ordering};

use solana_sdk::signature::Keypair;

/// The next key's index.
static NEXT: AtomicU64 = AtomicU64::new(1);

/// One step of SplitMix64: spreads a counter over 64 well-mixed bits.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The next keypair of the sequence: distinct from every other the process made.
pub fn keypair() -> Keypair {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut secret = [0u8; 32];
    for (i, word) in secret.chunks_exact_mut(8).enumerate() {
        word.copy_from_slice(&mix(n.wrapping_mul(4).wrapping_add(i as u64)).to_le_bytes());
    }
    Keypair::new_from_array(secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_sdk::signer::Signer;

    /// A thousand keys are all distinct, and the mixing is SplitMix64's.
    #[test]
    fn keys_are_distinct_and_follow_the_counter() {
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..1_000 {
            assert!(seen.insert(keypair().pubkey()));
        }
        // SplitMix64's published first output for seed 0.
        assert_eq!(mix(0), 0xE220_A839_7B1D_CDAF);
    }
}
