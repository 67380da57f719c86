//! Verified work (PROTOCOL.md §7 and §12): the stake-weighted median of a miner's
//! attestations and which attestations agree with it.

use crate::{MathError, BPS_DENOMINATOR};

/// One validator's attestation of a miner's work, with the validator's stake at attest
/// time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vote {
    /// Work units attested.
    pub units: u64,
    /// Validator's active stake when it attested.
    pub stake: u64,
}

/// Outcome of finalising one miner's work record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Verified work units: the median at or above quorum, else 0.
    pub verified: u64,
    /// For each vote, in input order, whether it agrees with the median.
    pub agrees: Vec<bool>,
}

/// Stake-weighted median (§12): sort by units; the median is the smallest `units` at
/// which the running stake reaches at least half of the total (`2*running >= total`).
/// Ties in units give the same value whatever their order. `None` when there is no vote.
pub fn stake_weighted_median(votes: &[Vote]) -> Result<Option<u64>, MathError> {
    if votes.is_empty() {
        return Ok(None);
    }
    let total = votes.iter().try_fold(0u128, |acc, v| {
        acc.checked_add(u128::from(v.stake))
            .ok_or(MathError::Overflow)
    })?;
    let mut sorted: Vec<Vote> = votes.to_vec();
    sorted.sort_by_key(|v| v.units);
    let mut running: u128 = 0;
    for v in &sorted {
        running = running
            .checked_add(u128::from(v.stake))
            .ok_or(MathError::Overflow)?;
        let doubled = running.checked_mul(2).ok_or(MathError::Overflow)?;
        if doubled >= total {
            return Ok(Some(v.units));
        }
    }
    // Unreachable: after the last vote `running == total`, so `2*running >= total`.
    Err(MathError::Overflow)
}

/// Whether an attestation of `units` agrees with `median` (§12):
/// `|units - median| * 10000 <= tolerance_bps * median`.
pub fn agrees(units: u64, median: u64, tolerance_bps: u16) -> Result<bool, MathError> {
    if u64::from(tolerance_bps) > BPS_DENOMINATOR {
        return Err(MathError::InvalidBps);
    }
    let distance = units.abs_diff(median);
    let lhs = u128::from(distance)
        .checked_mul(u128::from(BPS_DENOMINATOR))
        .ok_or(MathError::Overflow)?;
    let rhs = u128::from(tolerance_bps)
        .checked_mul(u128::from(median))
        .ok_or(MathError::Overflow)?;
    Ok(lhs <= rhs)
}

/// Finalises a record (§7): below `quorum` votes nothing is verified and nothing agrees;
/// otherwise verified work is the stake-weighted median and each vote within
/// `tolerance_bps` of it agrees.
pub fn finalise_votes(
    votes: &[Vote],
    quorum: u16,
    tolerance_bps: u16,
) -> Result<Verdict, MathError> {
    if votes.len() < usize::from(quorum) || votes.is_empty() {
        return Ok(Verdict {
            verified: 0,
            agrees: vec![false; votes.len()],
        });
    }
    let median = stake_weighted_median(votes)?.ok_or(MathError::Overflow)?;
    let agrees = votes
        .iter()
        .map(|v| agrees(v.units, median, tolerance_bps))
        .collect::<Result<Vec<bool>, MathError>>()?;
    Ok(Verdict {
        verified: median,
        agrees,
    })
}

#[cfg(test)]
// Test oracles compute exact values in u128 where they cannot overflow.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(units: u64, stake: u64) -> Vote {
        Vote { units, stake }
    }

    #[test]
    fn section_12_examples() {
        assert_eq!(stake_weighted_median(&[]), Ok(None));
        assert_eq!(stake_weighted_median(&[v(7, 1)]), Ok(Some(7)));
        // Equal stakes, even count: the lower middle (running reaches exactly half).
        assert_eq!(stake_weighted_median(&[v(10, 5), v(20, 5)]), Ok(Some(10)));
        assert_eq!(
            stake_weighted_median(&[v(30, 1), v(10, 1), v(20, 1), v(40, 1)]),
            Ok(Some(20))
        );
        // A heavy validator decides alone when it holds at least half.
        assert_eq!(
            stake_weighted_median(&[v(1, 1), v(2, 1), v(1000, 2)]),
            Ok(Some(2))
        );
        assert_eq!(
            stake_weighted_median(&[v(1, 1), v(2, 1), v(1000, 3)]),
            Ok(Some(1000))
        );
        // Ties in units.
        assert_eq!(
            stake_weighted_median(&[v(5, 3), v(5, 3), v(9, 5)]),
            Ok(Some(5))
        );
        // Zero total stake: the first vote already satisfies 2*0 >= 0.
        assert_eq!(stake_weighted_median(&[v(8, 0), v(3, 0)]), Ok(Some(3)));
    }

    /// The v1 vector (`spec/vectors/v1-basic.json`): validators with stakes 60,001 and
    /// 39,998, quorum 2, tolerance 1,000 bps.
    #[test]
    fn v1_vector_verdicts() {
        let epoch0_mx = finalise_votes(&[v(100, 60_001), v(105, 39_998)], 2, 1_000).unwrap();
        assert_eq!(epoch0_mx.verified, 100);
        assert_eq!(epoch0_mx.agrees, vec![true, true]);
        let epoch0_my = finalise_votes(&[v(50, 60_001)], 2, 1_000).unwrap();
        assert_eq!(epoch0_my.verified, 0);
        let epoch1_my = finalise_votes(&[v(40, 60_001), v(80, 39_998)], 2, 1_000).unwrap();
        assert_eq!(epoch1_my.verified, 40);
        assert_eq!(epoch1_my.agrees, vec![true, false]);
    }

    #[test]
    fn agreement_edges() {
        assert_eq!(agrees(105, 100, 500), Ok(true));
        assert_eq!(agrees(95, 100, 500), Ok(true));
        assert_eq!(agrees(106, 100, 500), Ok(false));
        assert_eq!(agrees(94, 100, 500), Ok(false));
        assert_eq!(agrees(0, 0, 0), Ok(true));
        assert_eq!(agrees(1, 0, 10_000), Ok(false));
        assert_eq!(agrees(u64::MAX, u64::MAX, 10_000), Ok(true));
        assert_eq!(agrees(1, 1, 10_001), Err(MathError::InvalidBps));
    }

    #[test]
    fn quorum_gate() {
        let votes = [v(100, 10), v(104, 10)];
        let below = finalise_votes(&votes, 3, 500).unwrap();
        assert_eq!(below.verified, 0);
        assert_eq!(below.agrees, vec![false, false]);
        let at = finalise_votes(&votes, 2, 300).unwrap();
        assert_eq!(at.verified, 100);
        assert_eq!(at.agrees, vec![true, false]);
        assert_eq!(finalise_votes(&[], 0, 0).unwrap().verified, 0);
    }

    /// Brute-force oracle: the smallest attested value whose cumulative stake (of all
    /// votes at or below it) reaches half of the total.
    fn oracle(votes: &[Vote]) -> u64 {
        let total: u128 = votes.iter().map(|v| u128::from(v.stake)).sum();
        let mut values: Vec<u64> = votes.iter().map(|v| v.units).collect();
        values.sort_unstable();
        for value in values {
            let below: u128 = votes
                .iter()
                .filter(|v| v.units <= value)
                .map(|v| u128::from(v.stake))
                .sum();
            if 2 * below >= total {
                return value;
            }
        }
        unreachable!()
    }

    fn votes() -> impl Strategy<Value = Vec<Vote>> {
        prop::collection::vec(
            (0u64..1_000, 0u64..1_000_000).prop_map(|(units, stake)| Vote { units, stake }),
            1..16,
        )
    }

    fn any_votes() -> impl Strategy<Value = Vec<Vote>> {
        prop::collection::vec(
            (any::<u64>(), any::<u64>()).prop_map(|(units, stake)| Vote { units, stake }),
            1..16,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]

        /// The median matches the definition, whatever the input order (ties included).
        #[test]
        fn median_matches_definition(mut vs in votes(), seed: u64) {
            let expected = oracle(&vs);
            prop_assert_eq!(stake_weighted_median(&vs).unwrap(), Some(expected));
            // Any permutation gives the same median.
            let n = vs.len();
            vs.rotate_left((seed as usize) % n);
            vs.reverse();
            prop_assert_eq!(stake_weighted_median(&vs).unwrap(), Some(expected));
        }

        /// A minority of stake can neither inflate nor erase a miner's work: the median lies
        /// between the lowest and highest attested values, neither the stake strictly
        /// below it nor the stake strictly above it reaches a majority, and pushing either
        /// side to an extreme leaves the median where it was.
        #[test]
        fn minority_cannot_move_median(vs in votes(), extreme: bool) {
            let total: u128 = vs.iter().map(|v| u128::from(v.stake)).sum();
            let median = stake_weighted_median(&vs).unwrap().unwrap();
            let lo = vs.iter().map(|v| v.units).min().unwrap();
            let hi = vs.iter().map(|v| v.units).max().unwrap();
            prop_assert!(lo <= median && median <= hi);
            // Stake strictly below the median and strictly above it: each side is at most
            // half of the total, so neither side alone decides.
            let below: u128 = vs.iter().filter(|v| v.units < median).map(|v| u128::from(v.stake)).sum();
            let above: u128 = vs.iter().filter(|v| v.units > median).map(|v| u128::from(v.stake)).sum();
            prop_assert!(2 * below < total || total == 0);
            prop_assert!(2 * above <= total);
            // Pushing the votes strictly above the median further up (a minority trying to
            // inflate) or those strictly below it down to zero (trying to erase) leaves it.
            let pushed: Vec<Vote> = vs.iter().map(|v| {
                if extreme && v.units > median { Vote { units: u64::MAX, stake: v.stake } }
                else if !extreme && v.units < median { Vote { units: 0, stake: v.stake } }
                else { *v }
            }).collect();
            prop_assert_eq!(stake_weighted_median(&pushed).unwrap(), Some(median));
        }

        /// Agreement is exactly the §12 inequality and never overflows on any u64 input.
        #[test]
        fn agreement_matches_inequality(units: u64, median: u64, tol in 0u16..=10_000) {
            let lhs = u128::from(units.abs_diff(median)) * 10_000;
            let rhs = u128::from(tol) * u128::from(median);
            prop_assert_eq!(agrees(units, median, tol).unwrap(), lhs <= rhs);
        }

        /// Any u64 inputs: no overflow, the median is one of the attested values, and
        /// below quorum nothing is verified and nothing agrees.
        #[test]
        fn finalise_total_on_any_input(vs in any_votes(), quorum in 0u16..=16, tol in 0u16..=10_000) {
            let verdict = finalise_votes(&vs, quorum, tol).unwrap();
            prop_assert_eq!(verdict.agrees.len(), vs.len());
            if vs.len() < usize::from(quorum) {
                prop_assert_eq!(verdict.verified, 0);
                prop_assert!(verdict.agrees.iter().all(|a| !a));
            } else {
                prop_assert!(vs.iter().any(|v| v.units == verdict.verified));
                // The median itself always agrees with itself when attested.
                for (vote, agree) in vs.iter().zip(&verdict.agrees) {
                    if vote.units == verdict.verified {
                        prop_assert!(*agree);
                    }
                }
            }
        }
    }
}
