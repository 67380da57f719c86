//! `create_domain`: the domain, its epoch 0 and buyback vault; governance co-signature;
//! every settings field against its bound, each with its own error.
use crate::common::*;
use deepnode::constants::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::DomainCreated;
use deepnode::state::{Bounds, BpsRange, Config, Domain, DomainSettings, Epoch, EpochStatus};
use deepnode_tests::fixtures::*;
use deepnode_tests::tokens::{TOKEN, TOKEN_2022};
use deepnode_tests::*;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

/// Settings of the second domain of a test: different from the defaults in every field
/// that has room to move.
fn other_settings() -> DomainSettings {
    let mut s = default_settings();
    s.fee_bps = 2_000;
    s.max_model_share_bps = 4_000;
    s.epoch_secs = 3_600;
    s.quorum = 3;
    s
}

/// Creates a domain on a fresh mint of `program` and checks every field.
async fn creates_domain(program: Pubkey) {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let mint = env.create_mint(program, 6, &Keypair::new().pubkey()).await;

    for (id, shards, settings) in [(0u64, 3u8, default_settings()), (1, 1, other_settings())] {
        let nd = new_domain(&mut env, &p, mint, program, shards, settings).await;
        assert_eq!(nd.id, id);
        let before = env.clock().await.unix_timestamp;
        let ev: DomainCreated = env
            .ok_event(std::slice::from_ref(&nd.ix), &[&nd.owner, &p.gov])
            .await;
        let after = env.clock().await.unix_timestamp;
        let domain = nd.domain;
        let epoch_key = pda::epoch(&domain, 0);

        let d: Domain = env.get(domain).await;
        assert_eq!(d.version, ACCOUNT_VERSION);
        assert_eq!(d.bump, bump(&[DOMAIN_SEED, &id.to_le_bytes()]));
        assert_eq!(
            d.vault_authority_bump,
            bump(&[VAULT_AUTHORITY_SEED, domain.as_ref()])
        );
        assert_eq!(
            d.buyback_vault_bump,
            bump(&[BUYBACK_VAULT_SEED, domain.as_ref()])
        );
        assert_eq!(d.id, id);
        assert_eq!(d.owner, nd.owner.pubkey());
        assert_eq!(d.fee_authority, nd.fee_authority.pubkey());
        assert_eq!((d.revenue_mint, d.revenue_token_program), (mint, program));
        assert_eq!((d.revenue_decimals, d.revenue_is_dn), (6, false));
        assert_eq!((d.shard_count, d.shards_ready), (shards, 0));
        assert_eq!(
            (d.current_epoch, d.model_count, d.max_minted_share_bps),
            (0, 0, 0)
        );
        assert_eq!(d.settings, settings);
        assert_eq!(d.pending_settings, None);

        let e: Epoch = env.get(epoch_key).await;
        assert_eq!(e.version, ACCOUNT_VERSION);
        assert_eq!(
            e.bump,
            bump(&[EPOCH_SEED, domain.as_ref(), &0u64.to_le_bytes()])
        );
        assert_eq!(
            (e.domain, e.index, e.status),
            (domain, 0, EpochStatus::Open)
        );
        assert!(
            before <= e.start_ts && e.start_ts <= after,
            "start {} not in [{before}, {after}]",
            e.start_ts
        );
        assert_eq!(e.end_ts, e.start_ts + i64::from(settings.epoch_secs));
        assert_eq!(e.settings, settings);
        assert_eq!(e.shard_count, shards);

        let vault = pda::buyback_vault(&domain);
        assert_eq!(
            env.account(vault).await.expect("buyback vault").owner,
            program
        );
        let v = token_state(&mut env, vault).await;
        assert_eq!(
            (v.mint, v.owner, v.amount),
            (mint, pda::vault_authority(&domain), 0)
        );

        assert_eq!(
            (ev.domain, ev.id, ev.owner),
            (domain, id, nd.owner.pubkey())
        );
        assert_eq!(ev.fee_authority, nd.fee_authority.pubkey());
        assert_eq!((ev.revenue_mint, ev.revenue_token_program), (mint, program));
        assert_eq!((ev.shard_count, ev.settings), (shards, settings));
        assert_eq!((ev.epoch, ev.epoch_end_ts), (epoch_key, e.end_ts));

        let c: Config = env.get(pda::config()).await;
        assert_eq!(c.domain_count, id + 1);
    }
}

#[tokio::test]
async fn create_domain_with_spl_token_revenue() {
    creates_domain(TOKEN).await;
}

#[tokio::test]
async fn create_domain_with_token_2022_revenue() {
    creates_domain(TOKEN_2022).await;
}

#[tokio::test]
async fn create_domain_on_dn_marks_it() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let nd = new_domain(
        &mut env,
        &p,
        p.dn.mint,
        p.dn.token_program,
        1,
        default_settings(),
    )
    .await;
    env.ok(std::slice::from_ref(&nd.ix), &[&nd.owner, &p.gov])
        .await;
    let d: Domain = env.get(nd.domain).await;
    assert!(d.revenue_is_dn);
}

#[tokio::test]
async fn create_domain_cosigned_by_wrong_key_fails() {
    let mut env = Env::start().await;
    env.init_protocol(TOKEN).await;
    let mint = env.create_mint(TOKEN, 6, &Keypair::new().pubkey()).await;
    let intruder = Keypair::new();
    let nd = new_domain_by(
        &mut env,
        intruder.pubkey(),
        mint,
        TOKEN,
        1,
        default_settings(),
    )
    .await;
    env.fails_with(
        std::slice::from_ref(&nd.ix),
        &[&nd.owner, &intruder],
        code(E::NotGovernance),
    )
    .await;
}

#[tokio::test]
async fn create_domain_without_governance_signature_fails() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let mint = env.create_mint(TOKEN, 6, &Keypair::new().pubkey()).await;
    let nd = new_domain(&mut env, &p, mint, TOKEN, 1, default_settings()).await;
    let ix = unsigned(nd.ix.clone(), &p.gov.pubkey());
    env.fails_with(&[ix], &[&nd.owner], anchor_code::NOT_SIGNER)
        .await;
    // The owner's signature is required as well.
    let ix = unsigned(nd.ix.clone(), &nd.owner.pubkey());
    env.fails_with(&[ix], &[&p.gov], anchor_code::NOT_SIGNER)
        .await;
}

#[tokio::test]
async fn create_domain_with_mint_of_another_token_program_fails() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let mint = env.create_mint(TOKEN, 6, &Keypair::new().pubkey()).await;
    let nd = new_domain(&mut env, &p, mint, TOKEN_2022, 1, default_settings()).await;
    // `mint::token_program` refuses the pairing before anything is created.
    env.fails_with(
        std::slice::from_ref(&nd.ix),
        &[&nd.owner, &p.gov],
        anchor_code::MINT_TOKEN_PROGRAM,
    )
    .await;
    // The reverse: a Token-2022 mint passed with SPL Token.
    let mint = env
        .create_mint(TOKEN_2022, 6, &Keypair::new().pubkey())
        .await;
    let nd = new_domain(&mut env, &p, mint, TOKEN, 1, default_settings()).await;
    env.fails_with(
        std::slice::from_ref(&nd.ix),
        &[&nd.owner, &p.gov],
        anchor_code::MINT_TOKEN_PROGRAM,
    )
    .await;
}

/// Anyone can send lamports to a PDA before it exists; the domain is created all the same
/// (the program tops up, allocates and assigns instead of relying on Anchor's `init`).
/// Every other created account is covered in integration/prefund.rs.
#[tokio::test]
async fn create_domain_survives_a_prefunded_domain_address() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let mint = env.create_mint(TOKEN, 6, &Keypair::new().pubkey()).await;
    let nd = new_domain(&mut env, &p, mint, TOKEN, 1, default_settings()).await;
    env.airdrop(&nd.domain, 1_000_000).await;
    env.ok(std::slice::from_ref(&nd.ix), &[&nd.owner, &p.gov])
        .await;
    let d: Domain = env.get(nd.domain).await;
    assert_eq!(d.revenue_mint, mint);
}

/// One out-of-bounds case: bounds to set first, settings and shard count to propose.
struct Case {
    name: &'static str,
    bounds: Bounds,
    settings: DomainSettings,
    shards: u8,
    expected: E,
}

/// Default settings with `f` applied, under default bounds.
fn s(name: &'static str, expected: E, f: impl FnOnce(&mut DomainSettings)) -> Case {
    let mut settings = default_settings();
    f(&mut settings);
    Case {
        name,
        bounds: default_bounds(),
        settings,
        shards: 2,
        expected,
    }
}

/// Default settings with `fs` applied, under default bounds with `fb` applied.
fn bs(
    name: &'static str,
    expected: E,
    fb: impl FnOnce(&mut Bounds),
    fs: impl FnOnce(&mut DomainSettings),
) -> Case {
    let mut c = s(name, expected, fs);
    fb(&mut c.bounds);
    c
}

/// Runs every case on one protocol, switching bounds when a case needs others.
async fn run(cases: Vec<Case>) {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let mint = env.create_mint(TOKEN, 6, &Keypair::new().pubkey()).await;
    let mut current = default_bounds();
    for c in cases {
        if c.bounds != current {
            set_bounds(&mut env, &p, c.bounds).await;
            current = c.bounds;
        }
        let nd = new_domain(&mut env, &p, mint, TOKEN, c.shards, c.settings).await;
        fails_case(
            &mut env,
            c.name,
            std::slice::from_ref(&nd.ix),
            &[&nd.owner, &p.gov],
            c.expected,
        )
        .await;
    }
    let config: Config = env.get(pda::config()).await;
    assert_eq!(config.domain_count, 0, "no case created a domain");
}

#[tokio::test]
async fn create_domain_rejects_fee_and_split_out_of_bounds() {
    run(vec![
        s("fee above max", E::FeeBpsOutOfBounds, |s| s.fee_bps = 3_001),
        s("ceiling above max", E::ModelShareCeilingOutOfBounds, |s| {
            s.max_model_share_bps = 6_001
        }),
        // §5: the close grace within governance's bounds.
        bs(
            "close grace below min",
            E::CloseGraceOutOfBounds,
            |b| b.min_close_grace_secs = 60,
            |s| s.close_grace_secs = 59,
        ),
        bs(
            "close grace above max",
            E::CloseGraceOutOfBounds,
            |b| b.max_close_grace_secs = 600,
            |s| s.close_grace_secs = 601,
        ),
        // §7: governance may require commit-reveal of every domain.
        bs(
            "commit-reveal required",
            E::CommitRevealRequiredByGovernance,
            |b| b.require_commit_reveal = true,
            |s| s.commit_reveal = false,
        ),
        // §14: the offset share within governance's bound and within 100%.
        bs(
            "offset above the bound",
            E::OffsetOutOfBounds,
            |b| b.max_offset_bps = 3_000,
            |s| s.offset_bps = 3_001,
        ),
        s("offset above 100%", E::OffsetOutOfBounds, |s| {
            s.offset_bps = 10_001
        }),
        bs(
            "fee + ceiling + buyback above 100%",
            E::FeeAndShareExceedWhole,
            |b| (b.max_fee_bps, b.max_model_share_bps) = (4_000, 6_000),
            |s| (s.fee_bps, s.max_model_share_bps) = (4_000, 6_000),
        ),
        bs(
            "miners",
            E::MinersSplitOutOfBounds,
            |b| b.miners_bps = BpsRange { min: 0, max: 4_999 },
            |_| {},
        ),
        bs(
            "miners below min",
            E::MinersSplitOutOfBounds,
            |b| {
                b.miners_bps = BpsRange {
                    min: 5_001,
                    max: 9_900,
                }
            },
            |_| {},
        ),
        bs(
            "stakers",
            E::StakersSplitOutOfBounds,
            |b| b.stakers_bps = BpsRange { min: 0, max: 1_999 },
            |_| {},
        ),
        bs(
            "validators",
            E::ValidatorsSplitOutOfBounds,
            |b| {
                b.validators_bps = BpsRange {
                    min: 1_501,
                    max: 9_900,
                }
            },
            |_| {},
        ),
        bs(
            "domain owner",
            E::DomainOwnerSplitOutOfBounds,
            |b| b.domain_owner_bps = BpsRange { min: 0, max: 499 },
            |_| {},
        ),
        bs(
            "model owners",
            E::ModelOwnersSplitOutOfBounds,
            |b| b.model_owners_bps = BpsRange { min: 0, max: 899 },
            |_| {},
        ),
        s("split sums to 9901", E::SplitSumInvalid, |s| {
            s.split.miners = 5_001
        }),
        s("split sums to 9899", E::SplitSumInvalid, |s| {
            s.split.stakers = 1_999
        }),
        s("no shard", E::ShardCountOutOfBounds, |_| {}).with_shards(0),
        s("shards above max", E::ShardCountOutOfBounds, |_| {}).with_shards(MAX_SHARDS + 1),
        bs(
            "shards above governance max",
            E::ShardCountOutOfBounds,
            |b| b.max_shards = 1,
            |_| {},
        ),
    ])
    .await;
}

#[tokio::test]
async fn create_domain_rejects_emission_and_validation_out_of_bounds() {
    let b = default_bounds();
    run(vec![
        s("emission rate", E::EmissionRateOutOfBounds, |s| {
            s.emission_rate_e9 = b.max_emission_rate_e9 + 1
        }),
        bs(
            "emission rate below min",
            E::EmissionRateOutOfBounds,
            |b| b.min_emission_rate_e9 = 2_000_000_001,
            |_| {},
        ),
        s("floor", E::FloorOutOfBounds, |s| s.floor = b.max_floor + 1),
        s("ceiling", E::CeilingOutOfBounds, |s| {
            s.ceiling = b.max_ceiling + 1
        }),
        s("floor above ceiling", E::FloorAboveCeiling, |s| {
            (s.floor, s.ceiling) = (100_000_001, 100_000_000)
        }),
        s("epoch too short", E::EpochDurationOutOfBounds, |s| {
            s.epoch_secs = b.min_epoch_secs - 1
        }),
        s("epoch too long", E::EpochDurationOutOfBounds, |s| {
            s.epoch_secs = b.max_epoch_secs + 1
        }),
        s("quorum zero", E::QuorumOutOfBounds, |s| s.quorum = 0),
        s("quorum above max", E::QuorumOutOfBounds, |s| {
            s.quorum = b.max_quorum + 1
        }),
        s("tolerance", E::ToleranceOutOfBounds, |s| {
            s.tolerance_bps = b.max_tolerance_bps + 1
        }),
        s("validator stake", E::MinValidatorStakeOutOfBounds, |s| {
            s.min_validator_stake = 0
        }),
        s("no validators", E::MaxValidatorsOutOfBounds, |s| {
            s.max_validators = 0
        }),
        s("validators above max", E::MaxValidatorsOutOfBounds, |s| {
            s.max_validators = b.max_validators + 1
        }),
        s("staker yield", E::StakerYieldCapOutOfBounds, |s| {
            s.max_staker_yield_bps = b.max_staker_yield_bps + 1
        }),
        s("claim window zero", E::ClaimWindowOutOfBounds, |s| {
            s.claim_window_epochs = 0
        }),
        s("claim window above max", E::ClaimWindowOutOfBounds, |s| {
            s.claim_window_epochs = b.max_claim_window_epochs + 1
        }),
        s("unbonding", E::UnbondingOutOfBounds, |s| {
            s.unbonding_epochs = b.max_unbonding_epochs + 1
        }),
        bs(
            "no guard where governance requires one",
            E::EmissionValueGuardRequired,
            |b| b.max_emission_value_bps = 8_000,
            |s| s.max_emission_value_bps = 0,
        ),
        bs(
            "guard above governance's bound",
            E::EmissionValueGuardOutOfBounds,
            |b| b.max_emission_value_bps = 8_000,
            |s| s.max_emission_value_bps = 8_001,
        ),
    ])
    .await;
}

impl Case {
    fn with_shards(mut self, shards: u8) -> Self {
        self.shards = shards;
        self
    }
}

/// §14: a domain paid in DN offsets nothing (its payments already buy DN): created with
/// an offset share, it is refused with its own error; with none, it is created.
#[tokio::test]
async fn a_domain_paid_in_dn_refuses_an_offset_share() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let settings = DomainSettings {
        offset_bps: 1,
        ..default_settings()
    };
    let nd = new_domain(&mut env, &p, p.dn.mint, TOKEN, 2, settings).await;
    fails_case(
        &mut env,
        "offset on DN",
        std::slice::from_ref(&nd.ix),
        &[&nd.owner, &p.gov],
        E::OffsetOnDnDomain,
    )
    .await;
    let nd = new_domain(&mut env, &p, p.dn.mint, TOKEN, 2, default_settings()).await;
    env.ok(std::slice::from_ref(&nd.ix), &[&nd.owner, &p.gov])
        .await;
    let config: Config = env.get(pda::config()).await;
    assert_eq!(config.domain_count, 1);
}
