//! Whole-epoch scenarios: stake added mid-epoch earns nothing for that epoch, a request
//! to unstake still earns for its epoch, claims cost the same however many epochs
//! passed, and a random sequence of staking operations on the real program with
//! invariants 2 and 6 checked after every instruction and payouts checked against the
//! §12 pro-rata rule.
use crate::common::*;
use crate::stake::expected;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::StakeRewardsClaimed;
use deepnode_math::ACC_SCALE;
use deepnode_tests::staking::StakerFx;
use deepnode_tests::*;
use solana_sdk::signer::Signer;
use std::collections::HashMap;

/// Claims and returns (dn, revenue) paid.
async fn claim(w: &mut World, s: &StakerFx) -> (u64, u64) {
    let ix = w.claim_ix(s).await;
    let ev: StakeRewardsClaimed = w.env.ok_event(&[ix], &[&s.kp]).await;
    (ev.dn, ev.revenue)
}

#[tokio::test]
async fn stake_added_mid_epoch_earns_nothing_for_that_epoch() {
    let mut w = world().await;
    let a = w.staker(1_000).await;
    let b = w.staker(3_000).await;
    // Epoch 0: a stakes. Nobody is active in epoch 0.
    let ix = w.stake_ix(&a, 1_000).await;
    w.env.ok(&[ix], &[&a.kp]).await;
    w.check(&[&a, &b]).await;
    w.close().await; // epoch 1: a active
    w.check(&[&a, &b]).await;
    // Epoch 0 had no active stake: its stakers' pools are not accumulated.
    let (p, d) = (&w.p, &w.d);
    assert!(!w.env.settle_stakers(p, d, 0, 5_000, 5_000).await);
    w.check(&[&a, &b]).await;
    // Epoch 1, mid-epoch: b stakes 3x a's stake.
    w.env.advance(3_600).await;
    let ix = w.stake_ix(&b, 3_000).await;
    w.env.ok(&[ix], &[&b.kp]).await;
    w.check(&[&a, &b]).await;
    w.close().await; // epoch 2: a and b active
    w.check(&[&a, &b]).await;
    let (p, d) = (&w.p, &w.d);
    assert!(w.env.settle_stakers(p, d, 1, 1_000, 400).await);
    w.check(&[&a, &b]).await;
    // b's stake was not active in epoch 1: it earns nothing for it.
    let ix = w.claim_ix(&b).await;
    w.env
        .fails_with(&[ix], &[&b.kp], code(E::NothingToClaim))
        .await;
    assert_eq!(
        claim(&mut w, &a).await,
        (expected(1_000, 1_000, 1_000), expected(400, 1_000, 1_000)),
        "a alone was active in epoch 1"
    );
    w.check(&[&a, &b]).await;
    w.close().await; // epoch 3
    let (p, d) = (&w.p, &w.d);
    w.env.settle_stakers(p, d, 2, 1_001, 401).await;
    w.check(&[&a, &b]).await;
    // Epoch 2: 1,000 vs 3,000 of 4,000. §12: floor(1001/4) = 250, floor(3003/4) = 750;
    // floor(401/4) = 100, floor(1203/4) = 300; the accumulator pays those or one less.
    let a2 = (expected(1_001, 1_000, 4_000), expected(401, 1_000, 4_000));
    let b2 = (expected(1_001, 3_000, 4_000), expected(401, 3_000, 4_000));
    assert_eq!(a2, (250, 100));
    assert_eq!(b2, (750, 300));
    assert_eq!(claim(&mut w, &a).await, a2);
    assert_eq!(claim(&mut w, &b).await, b2);
    w.check(&[&a, &b]).await;
    let pool = w.pool().await;
    assert!(pool.dn_claimed <= pool.dn_funded && pool.rev_claimed <= pool.rev_funded);
}

#[tokio::test]
async fn a_request_to_unstake_still_earns_for_its_epoch() {
    let mut w = world().await;
    let a = w.staker(1_000).await;
    let b = w.staker(1_000).await;
    for s in [&a, &b] {
        let ix = w.stake_ix(s, 1_000).await;
        w.env.ok(&[ix], &[&s.kp]).await;
    }
    w.close().await; // epoch 1: both active
    let (p, d) = (&w.p, &w.d);
    w.env.settle_stakers(p, d, 0, 0, 0).await;
    // a requests out during epoch 1: still earns for epoch 1, not for epoch 2.
    let ix = w.unstake_ix(&a, 1_000).await;
    w.env.ok(&[ix], &[&a.kp]).await;
    w.check(&[&a, &b]).await;
    w.close().await; // epoch 2: b alone
    let (p, d) = (&w.p, &w.d);
    w.env.settle_stakers(p, d, 1, 600, 0).await;
    w.close().await; // epoch 3
    let (p, d) = (&w.p, &w.d);
    w.env.settle_stakers(p, d, 2, 600, 0).await;
    w.check(&[&a, &b]).await;
    let a_dn = expected(600, 1_000, 2_000);
    // b holds one checkpoint across both epochs: one accrual over the two increments.
    let acc = deepnode_math::acc_increment(600, 2_000).unwrap()
        + deepnode_math::acc_increment(600, 1_000).unwrap();
    let b_dn = deepnode_math::accrued(1_000, 0, acc).unwrap();
    // §12 says 300 and 900; the accumulator pays at most one unit less per epoch.
    assert_eq!((a_dn, b_dn), (299, 899));
    // a's whole stake left the position for its ticket: nothing on the position.
    let ix = w.claim_ix(&a).await;
    w.env
        .fails_with(&[ix], &[&a.kp], code(E::NothingToClaim))
        .await;
    assert_eq!(claim(&mut w, &b).await, (b_dn, 0));
    // The ticket holds a's epoch-1 earnings; withdrawing credits them, claiming pays.
    let ix = w.withdraw_ix(&a, 1).await;
    w.env.ok(&[ix], &[&a.kp]).await;
    assert_eq!(claim(&mut w, &a).await, (a_dn, 0));
    w.check(&[&a, &b]).await;
    assert_eq!(w.env.balance(a.dn_account).await, 1_000 + a_dn);
}

#[tokio::test]
async fn a_claim_after_many_epochs_costs_one_instruction() {
    let mut w = world().await;
    let a = w.staker(1_000).await;
    let b = w.staker(2_000).await;
    for (s, amount) in [(&a, 1_000), (&b, 2_000)] {
        let ix = w.stake_ix(s, amount).await;
        w.env.ok(&[ix], &[&s.kp]).await;
    }
    w.close().await;
    let (p, d) = (&w.p, &w.d);
    w.env.settle_stakers(p, d, 0, 0, 0).await;
    let mut rule = 0u64;
    for e in 1..=12u64 {
        w.close().await;
        let pool = 1_000 + e * 7;
        let (p, d) = (&w.p, &w.d);
        w.env.settle_stakers(p, d, e, pool, pool / 2).await;
        rule += pool / 3;
    }
    let ix = w.claim_ix(&a).await;
    assert_eq!(
        ix.accounts.len(),
        17,
        "the same accounts after 12 epochs as after one"
    );
    let (dn, _) = claim(&mut w, &a).await;
    // Never above the pro-rata rule, at most one unit per epoch below it.
    assert!(dn <= rule + 12 && dn + 12 >= rule, "dn {dn} vs rule {rule}");
    w.check(&[&a, &b]).await;
}

/// A tiny deterministic generator (xorshift), so a failing sequence replays exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The test's own model of one position and its unstake tickets, mirroring PROTOCOL.md
/// §7 and §9.
#[derive(Default, Clone)]
struct Model {
    weight: u64,
    pending: u64,
    change_epoch: u64,
    requested: u64,
    requested_epoch: u64,
    tickets: Vec<Ticket>,
    /// DN in the staker's wallet.
    wallet: u64,
    dn_claimed: u64,
    /// Stake active in each epoch (fixed when the epoch opens).
    active: HashMap<u64, u64>,
    /// Per-epoch §12 payouts summed (floor per epoch).
    rule_floor: u128,
    /// Exact pro-rata payouts scaled by 2^64 (floor of each scaled quotient).
    exact_scaled: u128,
    /// Epochs in which the position earned.
    epochs_paid: u64,
    /// Validator index and registration epoch, once registered as a validator.
    validator: Option<(u32, u64)>,
}

/// One attestation in the model: (validator index, units, the validator's weight).
type Vote = (u32, u64, u64);

/// One unstake ticket of the model.
#[derive(Clone, Debug)]
struct Ticket {
    epoch: u64,
    principal: u64,
    withdrawable: u64,
    pending_part: u64,
    pending_epoch: u64,
}

impl Model {
    fn has_change(&self) -> bool {
        self.pending > 0
    }
    /// Applies stake added in an epoch whose rewards are recorded.
    fn apply(&mut self, settled_through: Option<u64>) {
        if self.has_change() && settled_through.is_some_and(|s| s >= self.change_epoch) {
            self.weight += self.pending;
            self.pending = 0;
        }
    }
    /// Stake that may be requested out and counts for eligibility in the open epoch `e`.
    fn eligible(&self, e: u64) -> u64 {
        if self.pending > 0 && self.change_epoch < e {
            self.weight + self.pending
        } else {
            self.weight
        }
    }
    /// The validator's weight in the open epoch `e`: requests made in it still count.
    fn stake_in(&self, e: u64) -> u64 {
        self.eligible(e)
            + if self.requested_epoch == e {
                self.requested
            } else {
                0
            }
    }
    /// Stake active in the next epoch.
    fn next_stake(&self) -> u64 {
        self.weight + self.pending
    }
    /// Stake earning in epoch `e`.
    fn active_in(&self, e: u64) -> u64 {
        self.active.get(&e).copied().unwrap_or(0)
    }
}

/// Random staking sequences: stake, unstake, withdraw, claim, register as a validator,
/// attest, close and settle, with the expected outcome of each predicted by the model
/// (success or the exact error), the work records and each epoch's validator stake
/// compared with the model's, and invariants 2 and 6 checked after every instruction.
#[tokio::test]
async fn random_staking_sequences_keep_the_invariants() {
    let sequences: u64 = std::env::var("DEEPNODE_STAKE_SEQUENCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let mut done = [0u32; 8];
    for seed in 1..=sequences {
        let counts = run_sequence(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15), 40).await;
        for (total, n) in done.iter_mut().zip(counts) {
            *total += n;
        }
    }
    println!("successful operations (stake, unstake, withdraw, claim, close, -, register, attest): {done:?}");
    // The sequences must reach every kind of success, not only the predicted errors.
    for (kind, n) in done.iter().enumerate() {
        assert!(kind == 5 || *n > 0, "operation {kind} never succeeded");
    }
}

/// Runs one sequence; returns how many operations of each kind succeeded.
async fn run_sequence(seed: u64, steps: usize) -> [u32; 8] {
    let mut succeeded = [0u32; 8];
    let mut rng = Rng(seed);
    let mut w = world().await;
    let n = 3;
    let mut stakers = Vec::new();
    let mut models = vec![Model::default(); n];
    for m in models.iter_mut() {
        stakers.push(w.staker(10_000).await);
        m.wallet = 10_000;
    }
    let miners = [w.miner().await, w.miner().await];
    let min_stake = deepnode_tests::fixtures::default_settings().min_validator_stake;
    // Work records: (miner, epoch) -> (validator index, units) in attestation order.
    let mut records: HashMap<(usize, u64), Vec<Vote>> = HashMap::new();
    let mut next_index: u32 = 0;
    let mut pools_total: u128 = 0;
    // Everybody starts with 1,500 staked in epoch 0, active from epoch 1.
    for (s, m) in stakers.iter().zip(models.iter_mut()) {
        let ix = w.stake_ix(s, 1_500).await;
        w.env.ok(&[ix], &[&s.kp]).await;
        m.pending = 1_500;
        m.wallet -= 1_500;
    }
    w.close().await;
    for m in models.iter_mut() {
        m.active.insert(1, m.next_stake());
    }
    let (p, d) = (&w.p, &w.d);
    assert!(
        !w.env.settle_stakers(p, d, 0, 1_000, 0).await,
        "nobody active in epoch 0"
    );
    // Epochs whose stakers' rewards are recorded: 0..settled_next.
    let mut settled_next: u64 = 1;
    for step in 0..steps {
        let current = w.d.keys.epoch;
        let settled_through = settled_next.checked_sub(1);
        let i = rng.below(n as u64) as usize;
        let s = &stakers[i];
        let m = &mut models[i];
        let ctx = format!("seed {seed} step {step} staker {i}");
        match rng.below(8) {
            0 => {
                let amount = 1 + rng.below(3_000);
                m.apply(settled_through);
                let ix = w.stake_ix(s, amount).await;
                // The program checks the unapplied change before moving tokens.
                if m.has_change() && m.change_epoch != current {
                    w.env
                        .fails_with(&[ix], &[&s.kp], code(E::PreviousStakeChangeUnsettled))
                        .await;
                } else if amount > m.wallet {
                    // The token program refuses the transfer: InsufficientFunds (1).
                    w.env.fails_with(&[ix], &[&s.kp], 1).await;
                } else {
                    w.env.ok(&[ix], &[&s.kp]).await;
                    succeeded[0] += 1;
                    m.pending += amount;
                    m.change_epoch = current;
                    m.wallet -= amount;
                }
            }
            1 => {
                m.apply(settled_through);
                let eligible = m.eligible(current);
                let amount = 1 + rng.below(eligible.max(1) + 500);
                let ix = w.unstake_ix(s, amount).await;
                if amount > eligible {
                    w.env
                        .fails_with(&[ix], &[&s.kp], code(E::InsufficientActiveStake))
                        .await;
                } else {
                    // Requesting out never waits for settlement (§9).
                    w.env.ok(&[ix], &[&s.kp]).await;
                    succeeded[1] += 1;
                    let from_weight = amount.min(m.weight);
                    let from_pending = amount - from_weight;
                    m.weight -= from_weight;
                    m.pending -= from_pending;
                    if m.requested_epoch == current {
                        m.requested += amount;
                    } else {
                        (m.requested, m.requested_epoch) = (amount, current);
                    }
                    let change_epoch = m.change_epoch;
                    match m.tickets.iter_mut().find(|t| t.epoch == current) {
                        Some(t) => {
                            t.principal += amount;
                            if from_pending > 0 {
                                t.pending_part += from_pending;
                                t.pending_epoch = change_epoch;
                            }
                        }
                        None => m.tickets.push(Ticket {
                            epoch: current,
                            principal: amount,
                            withdrawable: current + 2,
                            pending_part: from_pending,
                            pending_epoch: if from_pending > 0 {
                                change_epoch
                            } else {
                                current
                            },
                        }),
                    }
                    let on_chain = w.ticket(s, current).await;
                    let t = m.tickets.iter().find(|t| t.epoch == current).unwrap();
                    assert_eq!(
                        (
                            on_chain.principal,
                            on_chain.pending_part,
                            on_chain.pending_epoch
                        ),
                        (t.principal, t.pending_part, t.pending_epoch),
                        "{ctx}: ticket"
                    );
                }
            }
            2 => {
                let keys = w.keys(s).await;
                let pick =
                    (!m.tickets.is_empty()).then(|| rng.below(m.tickets.len() as u64) as usize);
                let Some(k) = pick else {
                    // No ticket: the ticket account does not exist.
                    let t = deepnode_sdk::ix::TicketKeys {
                        epoch: current,
                        pending_epoch: current,
                    };
                    let ix = ix::withdraw_stake(w.d.keys.domain, &w.p.dn, &keys, t);
                    w.env
                        .fails_with(&[ix], &[&s.kp], anchor_code::NOT_INITIALIZED)
                        .await;
                    continue;
                };
                let t = m.tickets[k].clone();
                let ix = w.withdraw_ix(s, t.epoch).await;
                let ready = settled_through.is_some_and(|st| {
                    st >= t.epoch && (t.pending_part == 0 || st >= t.pending_epoch)
                });
                if current < t.withdrawable {
                    w.env
                        .fails_with(&[ix], &[&s.kp], code(E::StakeStillUnbonding))
                        .await;
                } else if t.principal == 0 && !ready {
                    w.env
                        .fails_with(&[ix], &[&s.kp], code(E::TicketRewardsUnsettled))
                        .await;
                } else {
                    w.env.ok(&[ix], &[&s.kp]).await;
                    succeeded[2] += 1;
                    m.wallet += t.principal;
                    m.tickets[k].principal = 0;
                    let position = pda::stake_position(&w.d.keys.domain, &s.key());
                    let closed = w
                        .env
                        .account(pda::unstake_ticket(&position, t.epoch))
                        .await
                        .is_none();
                    assert_eq!(closed, ready, "{ctx}: ticket closes once credited");
                    if ready {
                        m.tickets.remove(k);
                    }
                }
            }
            3 => {
                let ix = w.claim_ix(s).await;
                match w.env.send(&[ix], &[&s.kp]).await {
                    Ok(()) => {
                        let balance = w.env.balance(s.dn_account).await;
                        let paid = balance - m.wallet;
                        assert!(paid > 0, "{ctx}");
                        m.dn_claimed += paid;
                        m.wallet += paid;
                        succeeded[3] += 1;
                    }
                    Err(e) => assert_eq!(custom_code(&e), Some(code(E::NothingToClaim)), "{ctx}"),
                }
                m.apply(settled_through);
            }
            6 => {
                let ix = ix::register_validator(s.key(), w.d.keys.domain);
                if m.eligible(current) < min_stake {
                    w.env
                        .fails_with(&[ix], &[&s.kp], code(E::ValidatorStakeTooLow))
                        .await;
                } else if m.validator.is_some() {
                    w.env
                        .fails_with(&[ix], &[&s.kp], code(E::ValidatorAlreadyRegistered))
                        .await;
                } else {
                    w.env.ok(&[ix], &[&s.kp]).await;
                    succeeded[6] += 1;
                    m.validator = Some((next_index, current));
                    next_index += 1;
                }
            }
            5 | 7 => {
                let j = rng.below(2) as usize;
                let units = rng.below(1_000);
                let revise = rng.below(3) == 0;
                let a = deepnode_sdk::ix::Attestation {
                    miner: miners[j].pubkey(),
                    units,
                    revise,
                };
                let ix = ix::attest(s.key(), w.d.keys.domain, current, &[a]);
                let record = records.entry((j, current)).or_default();
                let weight = m.stake_in(current);
                match m.validator {
                    None => {
                        w.env
                            .fails_with(&[ix], &[&s.kp], anchor_code::NOT_INITIALIZED)
                            .await
                    }
                    Some((_, registered)) if registered == current => {
                        w.env
                            .fails_with(&[ix], &[&s.kp], code(E::ValidatorNotYetVoting))
                            .await
                    }
                    Some(_) if weight < min_stake => {
                        w.env
                            .fails_with(&[ix], &[&s.kp], code(E::ValidatorStakeTooLow))
                            .await
                    }
                    Some((index, _)) => {
                        let mine = record.iter().position(|(v, _, _)| *v == index);
                        match (mine, revise) {
                            (Some(_), false) => {
                                w.env
                                    .fails_with(&[ix], &[&s.kp], code(E::AlreadyAttested))
                                    .await
                            }
                            (None, true) => {
                                w.env
                                    .fails_with(&[ix], &[&s.kp], code(E::NothingToRevise))
                                    .await
                            }
                            (Some(k), true) => {
                                w.env.ok(&[ix], &[&s.kp]).await;
                                succeeded[7] += 1;
                                record[k] = (index, units, weight);
                            }
                            (None, false) => {
                                w.env.ok(&[ix], &[&s.kp]).await;
                                succeeded[7] += 1;
                                record.push((index, units, weight));
                            }
                        }
                    }
                }
                // The record on chain holds exactly the model's attestations, each with
                // the validator's weight in the epoch.
                let miner_pda = pda::miner(&w.d.keys.domain, &miners[j].pubkey());
                let key = pda::work_record(&miner_pda, current);
                if !record.is_empty() {
                    let on_chain: deepnode::state::WorkRecord = w.env.get(key).await;
                    let got: Vec<Vote> = on_chain
                        .recorded()
                        .iter()
                        .map(|a| (a.validator, a.units, a.stake))
                        .collect();
                    assert_eq!(&got, record, "{ctx}: work record");
                }
                // Every vote's weight fits in the epoch's validator stake.
                let voted: u64 = record.iter().map(|(_, _, w)| w).sum();
                let epoch: deepnode::state::Epoch =
                    w.env.get(pda::epoch(&w.d.keys.domain, current)).await;
                assert!(voted <= epoch.validator_stake, "{ctx}: votes within W_e");
                let expected = records
                    .iter()
                    .filter(|((_, e), v)| *e == current && !v.is_empty())
                    .count() as u64;
                assert_eq!(epoch.work_records, expected, "{ctx}: records counted once");
            }
            _ => {
                // Close the open epoch, then settle every closed epoch not yet settled
                // (sometimes leave the last one unsettled for a while).
                w.close().await;
                succeeded[4] += 1;
                let opened = w.d.keys.epoch;
                for m in models.iter_mut() {
                    m.active.insert(opened, m.next_stake());
                }
                // The new epoch's validator stake: every registered validator's stake
                // active in it.
                let w_e: u64 = models
                    .iter()
                    .filter(|m| m.validator.is_some())
                    .map(|m| m.next_stake())
                    .sum();
                let epoch: deepnode::state::Epoch =
                    w.env.get(pda::epoch(&w.d.keys.domain, opened)).await;
                assert_eq!(epoch.validator_stake, w_e, "seed {seed} step {step}: W_e");
                let closed = opened - 1;
                while settled_next <= closed && (settled_next < closed || rng.below(3) > 0) {
                    let e = settled_next;
                    let dn = rng.below(5_000);
                    let weights: Vec<u64> = models.iter().map(|m| m.active_in(e)).collect();
                    let total: u64 = weights.iter().sum();
                    let (p, d) = (&w.p, &w.d);
                    let paid = w.env.settle_stakers(p, d, e, dn, 0).await;
                    assert_eq!(paid, total > 0, "seed {seed} epoch {e} active stake");
                    if paid {
                        pools_total += u128::from(dn);
                        for (m, wgt) in models.iter_mut().zip(&weights) {
                            let num = u128::from(dn) * u128::from(*wgt);
                            m.rule_floor += num / u128::from(total);
                            m.exact_scaled += num * ACC_SCALE / u128::from(total);
                            if *wgt > 0 {
                                m.epochs_paid += 1;
                            }
                        }
                    }
                    settled_next += 1;
                }
            }
        }
        let refs: Vec<&StakerFx> = stakers.iter().collect();
        w.check(&refs).await;
        let pool = w.pool().await;
        let epoch: deepnode::state::Epoch = w
            .env
            .get(pda::epoch(&w.d.keys.domain, w.d.keys.epoch))
            .await;
        let active: u64 = models.iter().map(|m| m.active_in(w.d.keys.epoch)).sum();
        assert_eq!(
            pool.active, active,
            "seed {seed} step {step}: pool active stake"
        );
        assert_eq!(
            epoch.active_stake, pool.active,
            "seed {seed} step {step}: the open epoch's weight"
        );
    }
    // Final claims: everybody takes what is left; payouts against the rule.
    let mut claimed_total: u128 = 0;
    for (s, m) in stakers.iter().zip(models.iter_mut()) {
        let ix = w.claim_ix(s).await;
        match w.env.send(&[ix], &[&s.kp]).await {
            Ok(()) => {
                let balance = w.env.balance(s.dn_account).await;
                m.dn_claimed += balance - m.wallet;
            }
            Err(e) => assert_eq!(
                custom_code(&e),
                Some(code(E::NothingToClaim)),
                "seed {seed}"
            ),
        }
        let got = u128::from(m.dn_claimed);
        assert!(
            got * ACC_SCALE <= m.exact_scaled,
            "seed {seed}: never more than pro rata"
        );
        // Stake added in an unsettled epoch, or tickets whose earnings are not credited
        // yet, may hold back the last epochs' credit.
        if (!m.has_change() || m.change_epoch < settled_next) && m.tickets.is_empty() {
            assert!(
                got + u128::from(m.epochs_paid) >= m.rule_floor,
                "seed {seed}: at most one unit per epoch below"
            );
        }
        claimed_total += got;
    }
    assert!(claimed_total <= pools_total);
    let refs: Vec<&StakerFx> = stakers.iter().collect();
    w.check(&refs).await;
    succeeded
}
