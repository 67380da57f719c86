//! Verified work (PROTOCOL.md §7 and §12): the stake-weighted median of a miner's
//! attestations and which attestations agree with it.

use crate::{MathError, BPS_DENOMINATOR};

/// Largest number of work units one validator may attest for one miner in one epoch.
/// With it no total can overflow: a median is at most this value, and the epoch's total
/// verified work (a `u128` sum of medians) stays exact for more than 10^26 records.
pub const MAX_ATTESTED_UNITS: u64 = 1_000_000_000_000;

/// One validator's attestation of a miner's work, with the validator's weight in the
/// epoch (its stake active in that epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vote {
    /// Work units attested.
    pub units: u64,
    /// Validator's weight in the epoch.
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

/// Stake-weighted median over an epoch's whole validator stake `total_stake` (W_e, §12):
/// the attestations plus one implicit vote of 0 units carrying the weight of the
/// validators that did not attest (`total_stake - sum of the votes' weights`). Sorted by
/// units, the median is the smallest units at which the running weight reaches at least
/// half of `total_stake` (`2*running >= total_stake`). `None` when `total_stake` is 0
/// (nothing is verified); an error when the votes weigh more than `total_stake`.
pub fn stake_weighted_median(votes: &[Vote], total_stake: u64) -> Result<Option<u64>, MathError> {
    let mut sorted: Vec<Vote> = votes.to_vec();
    median_in_place(&mut sorted, total_stake)
}

/// [`stake_weighted_median`] without allocating: sorts `votes` by units in place (the
/// on-chain program's 32 KiB heap never frees, so a batch of records must not allocate
/// per record).
pub fn median_in_place(votes: &mut [Vote], total_stake: u64) -> Result<Option<u64>, MathError> {
    if total_stake == 0 {
        return Ok(None);
    }
    let total = u128::from(total_stake);
    let voted = votes.iter().try_fold(0u128, |acc, v| {
        acc.checked_add(u128::from(v.stake))
            .ok_or(MathError::Overflow)
    })?;
    // The validators that did not attest vote 0 units.
    let mut running = total.checked_sub(voted).ok_or(MathError::VotesAboveTotal)?;
    let reaches = |running: u128| -> Result<bool, MathError> {
        Ok(running.checked_mul(2).ok_or(MathError::Overflow)? >= total)
    };
    if reaches(running)? {
        return Ok(Some(0));
    }
    // Unstable: ties in units give the same median, and the stable sort's 4 KiB stack
    // buffer does not fit an SBF stack frame.
    votes.sort_unstable_by_key(|v| v.units);
    for v in votes.iter() {
        running = running
            .checked_add(u128::from(v.stake))
            .ok_or(MathError::Overflow)?;
        if reaches(running)? {
            return Ok(Some(v.units));
        }
    }
    // Unreachable: after the last vote `running == total`, so `2*running >= total`.
    Err(MathError::Overflow)
}

/// A record's verified work (§7) without allocating: `None` below `quorum` attestations
/// or with no validator stake in the epoch (nothing is verified, nothing agrees);
/// otherwise the stake-weighted median (each attestation then agrees per [`agrees`]).
/// Sorts `votes` in place.
pub fn verified_units(
    votes: &mut [Vote],
    total_stake: u64,
    quorum: u16,
) -> Result<Option<u64>, MathError> {
    if votes.len() < usize::from(quorum) || votes.is_empty() {
        return Ok(None);
    }
    median_in_place(votes, total_stake)
}

/// Whether an attestation of `units` agrees with `median` (§12): the record verified
/// work (`median > 0`) and `|units - median| * 10000 <= tolerance_bps * median`. A record
/// whose median is 0 has no agreeing attestation, so validators holding less than half of
/// the epoch's stake cannot earn the validators' pool by attesting 0 units to idle or
/// invented miners.
pub fn agrees(units: u64, median: u64, tolerance_bps: u16) -> Result<bool, MathError> {
    if u64::from(tolerance_bps) > BPS_DENOMINATOR {
        return Err(MathError::InvalidBps);
    }
    if median == 0 {
        return Ok(false);
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

/// Finalises a record (§7): below `quorum` attestations, or with no validator stake in
/// the epoch, nothing is verified and nothing agrees; otherwise verified work is the
/// stake-weighted median over `total_stake` and each attestation within
/// `tolerance_bps` of it agrees.
pub fn finalise_votes(
    votes: &[Vote],
    total_stake: u64,
    quorum: u16,
    tolerance_bps: u16,
) -> Result<Verdict, MathError> {
    let mut sorted = votes.to_vec();
    let Some(median) = verified_units(&mut sorted, total_stake, quorum)? else {
        return Ok(Verdict {
            verified: 0,
            agrees: vec![false; votes.len()],
        });
    };
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

    fn total(votes: &[Vote]) -> u64 {
        votes.iter().map(|v| v.stake).sum()
    }

    #[test]
    fn section_12_examples() {
        // No validator stake in the epoch: nothing is verified.
        assert_eq!(stake_weighted_median(&[], 0), Ok(None));
        assert_eq!(stake_weighted_median(&[v(7, 0)], 0), Ok(None));
        // Nobody attested: the implicit zero vote carries everything.
        assert_eq!(stake_weighted_median(&[], 10), Ok(Some(0)));
        assert_eq!(stake_weighted_median(&[v(7, 1)], 1), Ok(Some(7)));
        // Equal stakes, even count: the lower middle (running reaches exactly half).
        assert_eq!(
            stake_weighted_median(&[v(10, 5), v(20, 5)], 10),
            Ok(Some(10))
        );
        assert_eq!(
            stake_weighted_median(&[v(30, 1), v(10, 1), v(20, 1), v(40, 1)], 4),
            Ok(Some(20))
        );
        // A heavy validator decides alone when it holds at least half.
        assert_eq!(
            stake_weighted_median(&[v(1, 1), v(2, 1), v(1000, 2)], 4),
            Ok(Some(2))
        );
        assert_eq!(
            stake_weighted_median(&[v(1, 1), v(2, 1), v(1000, 3)], 5),
            Ok(Some(1000))
        );
        // Ties in units.
        assert_eq!(
            stake_weighted_median(&[v(5, 3), v(5, 3), v(9, 5)], 11),
            Ok(Some(5))
        );
        // Validators that did not attest count as attesting 0: 40 of 100 attesting
        // 1,000 units verify nothing; 51 of 100 verify their value; exactly half
        // attesting leaves the median at 0 (2 * 50 >= 100 is reached by the zero vote).
        assert_eq!(stake_weighted_median(&[v(1_000, 40)], 100), Ok(Some(0)));
        assert_eq!(stake_weighted_median(&[v(1_000, 51)], 100), Ok(Some(1_000)));
        assert_eq!(stake_weighted_median(&[v(1_000, 50)], 100), Ok(Some(0)));
        // 30 attest 10, 30 attest 20, 40 stay silent: running weight 40 (zero), 70 at
        // 10 units, so the median is 10.
        assert_eq!(
            stake_weighted_median(&[v(20, 30), v(10, 30)], 100),
            Ok(Some(10))
        );
        // Votes heavier than the epoch's validator stake are refused.
        assert_eq!(
            stake_weighted_median(&[v(5, 10)], 9),
            Err(MathError::VotesAboveTotal)
        );
    }

    /// The v1 vector (`spec/vectors/v1-basic.json`): validators with stakes 60,001 and
    /// 39,998 (the epoch's whole validator stake, 99,999), quorum 2, tolerance 1,000 bps.
    #[test]
    fn v1_vector_verdicts() {
        let w = 99_999;
        let epoch0_mx = finalise_votes(&[v(100, 60_001), v(105, 39_998)], w, 2, 1_000).unwrap();
        assert_eq!(epoch0_mx.verified, 100);
        assert_eq!(epoch0_mx.agrees, vec![true, true]);
        let epoch0_my = finalise_votes(&[v(50, 60_001)], w, 2, 1_000).unwrap();
        assert_eq!(epoch0_my.verified, 0);
        let epoch1_my = finalise_votes(&[v(40, 60_001), v(80, 39_998)], w, 2, 1_000).unwrap();
        assert_eq!(epoch1_my.verified, 40);
        assert_eq!(epoch1_my.agrees, vec![true, false]);
    }

    #[test]
    fn agreement_edges() {
        assert_eq!(agrees(105, 100, 500), Ok(true));
        assert_eq!(agrees(95, 100, 500), Ok(true));
        assert_eq!(agrees(106, 100, 500), Ok(false));
        assert_eq!(agrees(94, 100, 500), Ok(false));
        // A median of 0 verified nothing: no attestation agrees with it, 0 included.
        assert_eq!(agrees(0, 0, 0), Ok(false));
        assert_eq!(agrees(0, 0, 10_000), Ok(false));
        assert_eq!(agrees(1, 0, 10_000), Ok(false));
        assert_eq!(agrees(0, 1, 10_000), Ok(true));
        assert_eq!(agrees(0, 1, 9_999), Ok(false));
        assert_eq!(agrees(u64::MAX, u64::MAX, 10_000), Ok(true));
        assert_eq!(agrees(1, 1, 10_001), Err(MathError::InvalidBps));
    }

    #[test]
    fn quorum_gate() {
        let votes = [v(100, 10), v(104, 10)];
        let below = finalise_votes(&votes, 20, 3, 500).unwrap();
        assert_eq!(below.verified, 0);
        assert_eq!(below.agrees, vec![false, false]);
        let at = finalise_votes(&votes, 20, 2, 300).unwrap();
        assert_eq!(at.verified, 100);
        assert_eq!(at.agrees, vec![true, false]);
        assert_eq!(finalise_votes(&[], 20, 0, 0).unwrap().verified, 0);
        // Quorum reached but a silent majority: the median is 0, and no attestation
        // agrees with it, not even one of 0.
        let silent = finalise_votes(&[v(100, 10), v(0, 10)], 60, 2, 10_000).unwrap();
        assert_eq!(silent.verified, 0);
        assert_eq!(silent.agrees, vec![false, false]);
        // A quorate coalition attesting 0 to an idle miner: median 0, nothing agrees.
        let farmed = finalise_votes(&[v(0, 20), v(0, 20)], 100, 2, 10_000).unwrap();
        assert_eq!(farmed.verified, 0);
        assert_eq!(farmed.agrees, vec![false, false]);
        // No validator stake at all: nothing verified, nothing agrees.
        let none = finalise_votes(&[v(0, 0), v(0, 0)], 0, 2, 10_000).unwrap();
        assert_eq!(none.verified, 0);
        assert_eq!(none.agrees, vec![false, false]);
    }

    /// Brute-force oracle, written from §12 without sorting: over the candidate values
    /// (0 and every attested value), the smallest one whose weight at or below it,
    /// counting the silent validators' weight at 0, reaches half of `w`.
    fn oracle(votes: &[Vote], w: u64) -> Option<u64> {
        if w == 0 {
            return None;
        }
        let silent = u128::from(w) - votes.iter().map(|v| u128::from(v.stake)).sum::<u128>();
        let mut candidates: Vec<u64> = votes.iter().map(|v| v.units).collect();
        candidates.push(0);
        candidates
            .into_iter()
            .filter(|&value| {
                let at_or_below: u128 = silent
                    + votes
                        .iter()
                        .filter(|v| v.units <= value)
                        .map(|v| u128::from(v.stake))
                        .sum::<u128>();
                2 * at_or_below >= u128::from(w)
            })
            .min()
    }

    fn votes() -> impl Strategy<Value = Vec<Vote>> {
        prop::collection::vec(
            (0u64..1_000, 0u64..1_000_000).prop_map(|(units, stake)| Vote { units, stake }),
            0..16,
        )
    }

    fn any_votes() -> impl Strategy<Value = Vec<Vote>> {
        prop::collection::vec(
            (0..=MAX_ATTESTED_UNITS, 0u64..(1 << 59))
                .prop_map(|(units, stake)| Vote { units, stake }),
            0..=16,
        )
    }

    /// A coalition's votes (less than half of the stake in total) and the honest
    /// validators' stakes.
    fn coalition_and_honest() -> impl Strategy<Value = (Vec<Vote>, Vec<u64>)> {
        (
            prop::collection::vec(
                (any::<u64>(), 1u64..1_000_000).prop_map(|(units, stake)| Vote {
                    units: units % (MAX_ATTESTED_UNITS + 1),
                    stake,
                }),
                0..8,
            ),
            prop::collection::vec(1u64..1_000_000, 1..8),
        )
            .prop_filter("the coalition holds less than half", |(c, h)| {
                2 * total(c) < total(c) + h.iter().sum::<u64>()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]

        /// The median equals the brute-force oracle, whatever the input order.
        #[test]
        fn median_matches_oracle(mut vs in votes(), silent in 0u64..2_000_000, seed: u64) {
            let w = total(&vs) + silent;
            let expected = oracle(&vs, w);
            prop_assert_eq!(stake_weighted_median(&vs, w).unwrap(), expected);
            if !vs.is_empty() {
                let n = vs.len();
                vs.rotate_left((seed as usize) % n);
                vs.reverse();
            }
            prop_assert_eq!(stake_weighted_median(&vs, w).unwrap(), expected);
        }

        /// Validators holding less than half of W_e cannot create work: when the others
        /// did not attest the miner (or attested 0), the median is 0 whatever the
        /// coalition reports, and finalisation verifies nothing.
        #[test]
        fn minority_cannot_create_work(
            (coalition, honest) in coalition_and_honest(),
            honest_attest_zero: bool,
        ) {
            let w = total(&coalition) + honest.iter().sum::<u64>();
            let mut votes = coalition.clone();
            if honest_attest_zero {
                votes.extend(honest.iter().map(|&stake| v(0, stake)));
            }
            prop_assert_eq!(stake_weighted_median(&votes, w).unwrap(), Some(0));
            let verdict = finalise_votes(&votes, w, 1, 10_000).unwrap();
            prop_assert_eq!(verdict.verified, 0);
        }

        /// Validators holding less than half of W_e cannot change work the others agree
        /// on: when every other validator attests `value`, the median is `value`
        /// whatever the coalition reports.
        #[test]
        fn minority_cannot_change_agreed_work(
            (coalition, honest) in coalition_and_honest(),
            value in 0..=MAX_ATTESTED_UNITS,
        ) {
            let w = total(&coalition) + honest.iter().sum::<u64>();
            let mut votes = coalition.clone();
            votes.extend(honest.iter().map(|&stake| v(value, stake)));
            prop_assert_eq!(stake_weighted_median(&votes, w).unwrap(), Some(value));
            // Every honest attestation agrees, even at zero tolerance.
            let verdict = finalise_votes(&votes, w, 1, 0).unwrap();
            prop_assert_eq!(verdict.verified, value);
            prop_assert!(verdict.agrees[coalition.len()..].iter().all(|a| *a));
        }

        /// Agreement is exactly the §12 rule (a median above 0 and the inequality) and
        /// never overflows on any u64 input.
        #[test]
        fn agreement_matches_inequality(units: u64, median: u64, tol in 0u16..=10_000) {
            let lhs = u128::from(units.abs_diff(median)) * 10_000;
            let rhs = u128::from(tol) * u128::from(median);
            prop_assert_eq!(agrees(units, median, tol).unwrap(), median > 0 && lhs <= rhs);
        }

        /// Whatever a quorate set of validators attests, a record whose median is 0 has
        /// no agreeing attestation (§7: nothing verified, nothing earned).
        #[test]
        fn a_zero_median_has_no_agreement(
            vs in any_votes(),
            silent in 0u64..(1 << 62),
            tol in 0u16..=10_000,
        ) {
            let w = total(&vs) + silent;
            let verdict = finalise_votes(&vs, w, 1, tol).unwrap();
            if verdict.verified == 0 {
                prop_assert!(verdict.agrees.iter().all(|a| !a));
            }
        }

        /// Any inputs within the bounds: no overflow, the median is 0 or an attested
        /// value, at most `MAX_ATTESTED_UNITS`, agreement is the §12 inequality against
        /// it, and below quorum nothing is verified and nothing agrees.
        #[test]
        fn finalise_total_on_any_input(
            vs in any_votes(),
            silent in 0u64..(1 << 62),
            quorum in 0u16..=16,
            tol in 0u16..=10_000,
        ) {
            let w = total(&vs) + silent;
            let verdict = finalise_votes(&vs, w, quorum, tol).unwrap();
            prop_assert_eq!(verdict.agrees.len(), vs.len());
            if vs.len() < usize::from(quorum) || vs.is_empty() || w == 0 {
                prop_assert_eq!(verdict.verified, 0);
                prop_assert!(verdict.agrees.iter().all(|a| !a));
            } else {
                prop_assert_eq!(Some(verdict.verified), oracle(&vs, w));
                prop_assert!(verdict.verified <= MAX_ATTESTED_UNITS);
                for (vote, agree) in vs.iter().zip(&verdict.agrees) {
                    let lhs = u128::from(vote.units.abs_diff(verdict.verified)) * 10_000;
                    let rhs = u128::from(tol) * u128::from(verdict.verified);
                    prop_assert_eq!(*agree, verdict.verified > 0 && lhs <= rhs);
                }
            }
        }
    }
}
