//! §10 (finding 8 of the consensus review): no counter can make a payment, a shard, a
//! model or an epoch unusable. Lifetime statistics wrap or saturate; what settlement sums
//! is bounded so that it cannot overflow. No sequence of instructions reaches 2^64 in a
//! test, so each counter is put at its limit by `Env::write_state`, then used. Before,
//! every one of these used checked additions: the payment, purchase or attestation
//! failed with `MathOverflow`, and a shard holding more than 2^64 / 16 of one epoch's
//! revenue could make the epoch's collection, and so every later settlement, fail.
use crate::common::*;
use deepnode::constants::MAX_SHARD_EPOCH_REVENUE;
use deepnode::errors::DeepNodeError as E;
use deepnode::state::{Auction, EpochShard, Model, ModelEpoch, Validator, VaultShard};
use deepnode_tests::*;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

/// A payment with every lifetime statistic of its shard ledger and model at the limit,
/// and its epoch counters' payment counts at u64::MAX: it succeeds; the statistics wrap
/// (the model's credited-minus-claimed is still exactly what it is owed), the counts
/// saturate, and the owner claims exactly what it is owed.
#[tokio::test]
async fn lifetime_statistics_at_their_limit_never_make_a_payment_fail() {
    let mut w = world().await;
    w.pay(0, 1_000_000).await;
    let domain = w.d.keys.domain;
    let ledger_key = pda::vault_shard(&domain, 0);
    let mut v: VaultShard = w.env.get(ledger_key).await;
    let near = u64::MAX - 10;
    (
        v.lifetime_received,
        v.lifetime_fees,
        v.lifetime_model,
        v.lifetime_buyback,
    ) = (near, near, near, near);
    w.env.write_state(ledger_key, &v).await;
    let mut m: Model = w.env.get(w.model).await;
    // Shift credited and claimed alike: what is owed stays the model's claimable.
    let shift = u64::MAX - 5 - m.lifetime_owner_share;
    m.lifetime_owner_share += shift;
    m.lifetime_claimed += shift;
    m.lifetime_revenue = near;
    w.env.write_state(w.model, &m).await;
    let counter_key = pda::epoch_shard(&domain, 0, 0);
    let mut c: EpochShard = w.env.get(counter_key).await;
    c.payments = u64::MAX;
    w.env.write_state(counter_key, &c).await;
    let record_key = pda::model_epoch(&w.model, 0);
    let mut r: ModelEpoch = w.env.get(record_key).await;
    r.payments = u64::MAX;
    w.env.write_state(record_key, &r).await;

    let line = w.pay(0, 1_000_000).await;
    let v2: VaultShard = w.env.get(ledger_key).await;
    assert_eq!(v2.lifetime_received, near.wrapping_add(1_000_000));
    assert_eq!(v2.lifetime_fees, near.wrapping_add(line.fee));
    assert_eq!(v2.lifetime_model, near.wrapping_add(line.owner));
    assert_eq!(v2.lifetime_buyback, near.wrapping_add(line.buyback));
    let m2: Model = w.env.get(w.model).await;
    assert_eq!(m2.claimable, m.claimable + line.owner);
    assert_eq!(
        m2.lifetime_owner_share.wrapping_sub(m2.lifetime_claimed),
        m2.claimable
    );
    let c2: EpochShard = w.env.get(counter_key).await;
    let r2: ModelEpoch = w.env.get(record_key).await;
    assert_eq!((c2.payments, r2.payments), (u64::MAX, u64::MAX));
    assert_eq!(c2.revenue, 2_000_000);
    // The owner claims exactly what it is owed; the claimed counter wraps.
    let owner = w.model_owner.insecure_clone();
    let to = w.revenue_account(&owner.pubkey()).await;
    let claim = ix::claim_model_revenue(&w.d.keys, owner.pubkey(), w.model, to, 0);
    w.env.ok(&[claim], &[&owner]).await;
    assert_eq!(w.env.balance(to).await, m2.claimable);
    let m3: Model = w.env.get(w.model).await;
    assert_eq!(
        (
            m3.claimable,
            m3.lifetime_owner_share.wrapping_sub(m3.lifetime_claimed)
        ),
        (0, 0)
    );
    w.check().await;
}

/// A shard records at most `MAX_SHARD_EPOCH_REVENUE` of one epoch's revenue: a payment
/// that would go past it is refused with its own error (the shard's other epochs and the
/// domain's other shards still take payments), and the epoch, whose revenue summed over
/// all shards then fits a u64, is collected and settled.
#[tokio::test]
async fn a_shards_epoch_revenue_stops_at_its_bound_and_settlement_still_sums_it() {
    let mut w = world().await;
    w.pay(0, 1_000).await;
    let domain = w.d.keys.domain;
    let counter_key = pda::epoch_shard(&domain, 0, 0);
    let mut c: EpochShard = w.env.get(counter_key).await;
    c.revenue = MAX_SHARD_EPOCH_REVENUE - 2_000;
    w.env.write_state(counter_key, &c).await;
    w.pay(0, 1_000).await;
    let consumer = w.consumer.insecure_clone();
    w.env
        .fails_with(
            &[w.pay_ix(0, 1_001)],
            &[&consumer],
            code(E::EpochRevenueFull),
        )
        .await;
    w.pay(0, 1_000).await;
    let c: EpochShard = w.env.get(counter_key).await;
    assert_eq!(c.revenue, MAX_SHARD_EPOCH_REVENUE);
    w.env
        .fails_with(&[w.pay_ix(0, 100)], &[&consumer], code(E::EpochRevenueFull))
        .await;
    // Shard 1 still takes payments this epoch.
    w.pay(1, 5_000).await;
    let keeper = w.env.payer();
    w.env.close_epoch(&mut w.d).await;
    w.pay(0, 1_000).await;
    let ev = w.env.settle(&w.p, &w.d, 0, &keeper).await;
    assert_eq!(ev.revenue, MAX_SHARD_EPOCH_REVENUE + 5_000);
}

/// A validator's lifetime attestation count and an auction's lifetime statistics at
/// u64::MAX: the attestation and the purchase succeed; the statistics stay at the limit.
#[tokio::test]
async fn attestation_and_purchase_statistics_saturate() {
    let mut w = world().await;
    let vs = w.env.validators(&w.p, &mut w.d, 1, 1_000).await;
    let miner = w.env.miner(&w.d).await;
    let domain = w.d.keys.domain;
    let vkey = pda::validator(&domain, &vs[0].key());
    let mut v: Validator = w.env.get(vkey).await;
    v.attestations = u64::MAX;
    w.env.write_state(vkey, &v).await;
    let line = ix::Attestation {
        miner: miner.pubkey(),
        units: 5,
        revise: false,
    };
    let attest = ix::attest(vs[0].key(), domain, w.d.keys.epoch, &[line]);
    w.env.ok(&[attest], &[&vs[0].kp]).await;
    let v2: Validator = w.env.get(vkey).await;
    assert_eq!(v2.attestations, u64::MAX);

    w.pay(0, 1_000_000).await;
    let gov = w.p.gov.insecure_clone();
    let payer = w.env.payer().pubkey();
    let set = ix::set_auction_params(
        payer,
        gov.pubkey(),
        domain,
        60,
        1_000_000_000,
        1_000_000_000,
    );
    w.env.ok(&[set], &[&gov]).await;
    w.env.ok(&[ix::fund_auction(&w.d.keys, 0)], &[]).await;
    let akey = pda::auction(&domain);
    let mut a: Auction = w.env.get(akey).await;
    (a.sold, a.dn_burned, a.sales) = (u64::MAX, u64::MAX, u64::MAX);
    w.env.write_state(akey, &a).await;
    let buyer = Keypair::new();
    w.env.airdrop(&buyer.pubkey(), 1_000_000_000).await;
    let buyer_dn = w.env.dn_account(&w.p, &buyer.pubkey(), 1_000_000).await;
    let buyer_rev = w.revenue_account(&buyer.pubkey()).await;
    let buy = ix::buy_back(
        &w.d.keys,
        &w.p.dn,
        buyer.pubkey(),
        buyer_dn,
        buyer_rev,
        10_000,
        1_000_000_000,
    );
    w.env.ok(&[buy], &[&buyer]).await;
    let a2: Auction = w.env.get(akey).await;
    assert_eq!(
        (a2.sold, a2.dn_burned, a2.sales),
        (u64::MAX, u64::MAX, u64::MAX)
    );
    assert_eq!(w.env.balance(buyer_rev).await, 10_000);
}
