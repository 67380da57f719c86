//! `update_bounds`.
use deepnode::constants::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::BoundsUpdated;
use deepnode::state::{Bounds, BpsRange, Config};
use deepnode_tests::fixtures::*;
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

/// Default bounds, tightened somewhat.
fn narrower() -> Bounds {
    let mut b = default_bounds();
    b.max_fee_bps = 2_000;
    b.miners_bps = BpsRange {
        min: 1_000,
        max: 8_000,
    };
    b.max_shards = 8;
    b.max_epoch_secs = 7 * 86_400;
    b
}

#[tokio::test]
async fn update_bounds_replaces_bounds_and_emits_old_and_new() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let ev: BoundsUpdated = env
        .ok_event(&[ix::update_bounds(p.gov.pubkey(), narrower())], &[&p.gov])
        .await;
    assert_eq!(ev.old, default_bounds());
    assert_eq!(ev.new, narrower());
    let c: Config = env.get(pda::config()).await;
    assert_eq!(c.bounds, narrower());
}

#[tokio::test]
async fn update_bounds_by_non_governance_fails() {
    let mut env = Env::start().await;
    env.init_protocol(TOKEN).await;
    let intruder = Keypair::new();
    let ix = ix::update_bounds(intruder.pubkey(), narrower());
    env.fails_with(&[ix], &[&intruder], code(E::NotGovernance))
        .await;
    let c: Config = env.get(pda::config()).await;
    assert_eq!(c.bounds, default_bounds());
}

/// A named edit of the bounds and the error it must produce.
type BoundsCase = (&'static str, fn(&mut Bounds), E);

#[tokio::test]
async fn update_bounds_with_invalid_bounds_fails() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let cases: Vec<BoundsCase> = vec![
        (
            "stakers min above max",
            |b| b.stakers_bps = BpsRange { min: 2, max: 1 },
            E::BoundsMinAboveMax,
        ),
        (
            "floor min above max",
            |b| b.min_floor = b.max_floor + 1,
            E::BoundsMinAboveMax,
        ),
        (
            "epoch min above max",
            |b| b.min_epoch_secs = b.max_epoch_secs + 1,
            E::BoundsMinAboveMax,
        ),
        (
            "role above 9900",
            |b| b.validators_bps.max = MAX_ROLE_BPS + 1,
            E::BoundsExceedLimits,
        ),
        (
            "fee above the whole",
            |b| b.max_fee_bps = 10_001,
            E::BoundsExceedLimits,
        ),
        (
            "quorum above attestations",
            |b| b.max_quorum = MAX_ATTESTATIONS + 1,
            E::BoundsExceedLimits,
        ),
        ("zero shards", |b| b.max_shards = 0, E::BoundsExceedLimits),
        // Review finding A6: every validator's attestation must fit in a record.
        (
            "validator cap above attestations",
            |b| b.max_validators = MAX_ATTESTATIONS + 1,
            E::BoundsExceedLimits,
        ),
        (
            "zero validator cap",
            |b| b.max_validators = 0,
            E::BoundsExceedLimits,
        ),
        (
            "validators stake nothing",
            |b| b.min_validator_stake = 0,
            E::BoundsExceedLimits,
        ),
        (
            "unbonding without limit",
            |b| b.max_unbonding_epochs = MAX_UNBONDING_EPOCHS + 1,
            E::BoundsExceedLimits,
        ),
        (
            "no quorum reachable",
            |b| {
                b.max_validators = 4;
                b.min_quorum = 5;
            },
            E::BoundsMinAboveMax,
        ),
        ("zero period", |b| b.period_secs = 0, E::BoundsExceedLimits),
        ("zero quorum", |b| b.min_quorum = 0, E::BoundsExceedLimits),
        (
            "zero epoch",
            |b| b.min_epoch_secs = 0,
            E::BoundsExceedLimits,
        ),
        (
            "tolerance above whole",
            |b| b.max_tolerance_bps = 10_001,
            E::BoundsExceedLimits,
        ),
        (
            "yield cap above whole",
            |b| b.max_staker_yield_bps = 10_001,
            E::BoundsExceedLimits,
        ),
        (
            "too many shards",
            |b| b.max_shards = 17,
            E::BoundsExceedLimits,
        ),
        (
            "zero auction",
            |b| b.min_auction_secs = 0,
            E::BoundsExceedLimits,
        ),
        (
            "free auction floor",
            |b| b.min_auction_floor_e9 = 0,
            E::BoundsExceedLimits,
        ),
        (
            "miners above 9900",
            |b| b.miners_bps.max = 9_901,
            E::BoundsExceedLimits,
        ),
        (
            "domain owner above 1000",
            |b| b.domain_owner_bps.max = 1_001,
            E::BoundsExceedLimits,
        ),
        (
            "model share above the whole",
            |b| b.max_model_share_bps = 10_001,
            E::BoundsExceedLimits,
        ),
        // §5: a claim window of at least one epoch.
        (
            "zero claim window",
            |b| b.min_claim_window_epochs = 0,
            E::BoundsExceedLimits,
        ),
        (
            "close grace min above max",
            |b| b.min_close_grace_secs = b.max_close_grace_secs + 1,
            E::BoundsMinAboveMax,
        ),
        // §13: the guard window spans at least one epoch and at most the ring's 16.
        (
            "zero guard window",
            |b| b.guard_price_epochs = 0,
            E::BoundsExceedLimits,
        ),
        (
            "guard window above 16",
            |b| b.guard_price_epochs = deepnode_math::MAX_GUARD_EPOCHS + 1,
            E::BoundsExceedLimits,
        ),
        (
            "auction min above max",
            |b| b.min_auction_secs = b.max_auction_secs + 1,
            E::BoundsMinAboveMax,
        ),
        (
            "claim window min above max",
            |b| b.min_claim_window_epochs = b.max_claim_window_epochs + 1,
            E::BoundsMinAboveMax,
        ),
    ];
    for (name, f, expected) in cases {
        let mut b = default_bounds();
        f(&mut b);
        crate::common::fails_case(
            &mut env,
            name,
            &[ix::update_bounds(p.gov.pubkey(), b)],
            &[&p.gov],
            expected,
        )
        .await;
    }
    let c: Config = env.get(pda::config()).await;
    assert_eq!(c.bounds, default_bounds());
}

/// §4's rule `fee + x_max + 1% <= 100%` is per domain: bounds may allow a 20% fee and
/// 90% model shares at once, so that one domain takes a 20% fee with shares up to 60%
/// and another a 5% fee with shares up to 90% (before, `update_bounds` refused such
/// bounds with `BoundsExceedLimits`); a domain asking for both maxima is still refused.
#[tokio::test]
async fn two_domains_at_either_end_of_the_bounds_coexist() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let mut b = default_bounds();
    b.max_fee_bps = 2_000;
    b.max_model_share_bps = 9_000;
    env.ok(&[ix::update_bounds(p.gov.pubkey(), b)], &[&p.gov])
        .await;
    let mut high_fee = default_settings();
    (high_fee.fee_bps, high_fee.max_model_share_bps) = (2_000, 6_000);
    let mut high_share = default_settings();
    (high_share.fee_bps, high_share.max_model_share_bps) = (500, 9_000);
    let a = env.domain_with(&p, TOKEN, &[], 1, high_fee).await;
    let c = env.domain_with(&p, TOKEN, &[], 1, high_share).await;
    let da: deepnode::state::Domain = env.get(a.keys.domain).await;
    let dc: deepnode::state::Domain = env.get(c.keys.domain).await;
    assert_eq!(
        (da.settings.fee_bps, da.settings.max_model_share_bps),
        (2_000, 6_000)
    );
    assert_eq!(
        (dc.settings.fee_bps, dc.settings.max_model_share_bps),
        (500, 9_000)
    );
    let mut both = default_settings();
    (both.fee_bps, both.max_model_share_bps) = (2_000, 9_000);
    let mint = env.create_mint(TOKEN, 6, &Keypair::new().pubkey()).await;
    let nd = crate::common::new_domain(&mut env, &p, mint, TOKEN, 1, both).await;
    env.fails_with(
        &[nd.ix],
        &[&nd.owner, &p.gov],
        code(E::FeeAndShareExceedWhole),
    )
    .await;
}
