//! pay_batch: a processor's batch, line by line, and how many lines fit.
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::BatchPaid;
use deepnode::state::{EpochShard, ModelEpoch};
use deepnode_sdk::ix::Line;
use deepnode_tests::fixtures::*;
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

/// Largest batch that fits one legacy transaction (measured by `batch_size_limits`).
pub const MAX_LINES_LEGACY: usize = 7;

struct Proc {
    key: Keypair,
    token: Pubkey,
}

async fn processor(w: &mut World) -> Proc {
    let key = w.d.fee_authority.insecure_clone();
    let authority = w.d.mint_authority.insecure_clone();
    let mint = w.d.keys.revenue_mint;
    let token = w
        .env
        .funded_account(&key.pubkey(), &mint, &authority, 1_000_000_000)
        .await;
    Proc { key, token }
}

#[tokio::test]
async fn batch_routes_every_line_and_repeats_add_up() {
    let mut w = world().await;
    let (m2, _) = w.env.model(&w.d, 4_000).await;
    let proc = processor(&mut w).await;
    let keys = w.d.keys;
    let lines = [
        Line {
            model: w.model,
            amount: 1_000_000,
            usage_units: 10,
        },
        Line {
            model: m2,
            amount: 500_000,
            usage_units: 5,
        },
        Line {
            model: w.model,
            amount: 333_333,
            usage_units: 3,
        },
    ];
    let ix = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 1, &lines);
    let ev: BatchPaid = w.env.ok_event(&[ix], &[&proc.key]).await;
    assert_eq!(ev.lines.len(), 3);
    assert_eq!(ev.total_received, 1_833_333);
    for l in &ev.lines {
        deepnode_tests::invariants::check_line(l);
    }
    assert_eq!((ev.lines[1].owner, ev.lines[1].fee), (200_000, 50_000));
    // The repeated model saw both of its lines.
    let record: ModelEpoch = w.env.get(pda::model_epoch(&w.model, 0)).await;
    assert_eq!(
        (record.revenue, record.payments, record.usage_units),
        (1_333_333, 2, 13)
    );
    assert_eq!(record.rent_payer, proc.key.pubkey());
    let m = w.model_state().await;
    assert_eq!(m.claimable, 250_000 + 83_333);
    let shard: EpochShard = w.env.get(pda::epoch_shard(&keys.domain, 0, 1)).await;
    assert_eq!(
        (shard.revenue, shard.payments, shard.usage_units),
        (1_833_333, 3, 18)
    );
    assert_eq!(w.env.balance(pda::vault(&keys.domain, 1)).await, 1_833_333);
    w.env.check_vaults(&w.d, &[w.model, m2]).await;
    // A second batch reuses the existing records.
    let ix = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 1, &lines[..1]);
    w.env.ok(&[ix], &[&proc.key]).await;
    let record: ModelEpoch = w.env.get(pda::model_epoch(&w.model, 0)).await;
    assert_eq!(record.payments, 3);
    w.env.check_vaults(&w.d, &[w.model, m2]).await;
}

#[tokio::test]
async fn batch_in_dn_burns_every_buyback_share() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d = env
        .domain_on_mint(&p, p.dn.mint, TOKEN, Keypair::new(), 1, default_settings())
        .await;
    let (model, _) = env.model(&d, 2_500).await;
    let holder = p.dn_holder.insecure_clone();
    let fee = d.fee_authority.insecure_clone();
    // The holder funds the processor with DN.
    let proc_token = env.create_token_account(&fee.pubkey(), &p.dn.mint).await;
    env.transfer(
        &p.dn.mint,
        &p.dn_holder_account,
        &proc_token,
        &holder,
        10_000_000,
        6,
    )
    .await;
    let supply = env.supply(p.dn.mint).await;
    let lines = [
        Line {
            model,
            amount: 1_000_000,
            usage_units: 1,
        },
        Line {
            model,
            amount: 250_000,
            usage_units: 1,
        },
    ];
    let ix = ix::pay_batch(&d.keys, fee.pubkey(), proc_token, 0, &lines);
    let ev: BatchPaid = env.ok_event(&[ix], &[&fee]).await;
    assert!(ev.burned);
    assert_eq!(env.supply(p.dn.mint).await, supply - 12_500);
    env.check_vaults(&d, &[model]).await;
    env.check_dn_supply(p.dn.mint, &[&d]).await;
}

#[tokio::test]
async fn batch_refuses_bad_input() {
    let mut w = world().await;
    let proc = processor(&mut w).await;
    let keys = w.d.keys;
    let line = Line {
        model: w.model,
        amount: 1_000,
        usage_units: 1,
    };
    // Only the domain's processor.
    let stranger = Keypair::new();
    w.env.airdrop(&stranger.pubkey(), 1_000_000_000).await;
    let ix = ix::pay_batch(&keys, stranger.pubkey(), proc.token, 0, &[line]);
    w.env
        .fails_with(&[ix], &[&stranger], code(E::NotFeeAuthority))
        .await;
    // Empty, too large (repeated lines keep it inside one transaction), dust.
    let ix = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 0, &[]);
    w.env
        .fails_with(&[ix], &[&proc.key], code(E::BatchEmpty))
        .await;
    let many = vec![line; deepnode::constants::MAX_BATCH_LINES + 1];
    let ix = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 0, &many);
    w.env
        .fails_with(&[ix], &[&proc.key], code(E::BatchTooLarge))
        .await;
    let dust = Line { amount: 99, ..line };
    let ix = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 0, &[line, dust]);
    w.env
        .fails_with(&[ix], &[&proc.key], code(E::PaymentTooSmall))
        .await;
    // Accounts that do not match the lines.
    let mut ix = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 0, &[line]);
    ix.accounts.pop();
    w.env
        .fails_with(&[ix], &[&proc.key], code(E::BatchAccountsMismatch))
        .await;
    // A read-only model or record.
    let mut ix = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 0, &[line]);
    let n = ix.accounts.len();
    ix.accounts[n - 2].is_writable = false;
    w.env
        .fails_with(&[ix], &[&proc.key], code(E::AccountNotWritable))
        .await;
    let mut ix = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 0, &[line]);
    ix.accounts[n - 1].is_writable = false;
    w.env
        .fails_with(&[ix], &[&proc.key], code(E::AccountNotWritable))
        .await;
    // Another model's record.
    let (m2, _) = w.env.model(&w.d, 1_000).await;
    let mut ix = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 0, &[line]);
    ix.accounts[n - 1].pubkey = pda::model_epoch(&m2, 0);
    w.env
        .fails_with(&[ix], &[&proc.key], code(E::ModelEpochMismatch))
        .await;
    // A record created for another model cannot be passed off either.
    w.env
        .ok(
            &[ix::pay_batch(
                &keys,
                proc.key.pubkey(),
                proc.token,
                0,
                &[Line { model: m2, ..line }],
            )],
            &[&proc.key],
        )
        .await;
    let mut ix = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 0, &[line]);
    ix.accounts[n - 1].pubkey = pda::model_epoch(&m2, 0);
    w.env
        .fails_with(&[ix], &[&proc.key], code(E::ModelEpochMismatch))
        .await;
    // A token account in the model's place (F3: owner checked).
    let mut ix = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 0, &[line]);
    ix.accounts[n - 2].pubkey = proc.token;
    w.env
        .fails_with(&[ix], &[&proc.key], code(E::AccountNotOwnedByProgram))
        .await;
    // A program account of another type in the model's place.
    let mut ix = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 0, &[line]);
    ix.accounts[n - 2].pubkey = pda::vault_shard(&keys.domain, 0);
    w.env
        .fails_with(&[ix], &[&proc.key], anchor_code::DISCRIMINATOR)
        .await;
    // A model of another domain.
    let p = &w.p;
    let other = w.env.default_domain(p).await;
    let (foreign, _) = w.env.model(&other, 1_000).await;
    let ix = ix::pay_batch(
        &keys,
        proc.key.pubkey(),
        proc.token,
        0,
        &[Line {
            model: foreign,
            ..line
        }],
    );
    w.env
        .fails_with(&[ix], &[&proc.key], code(E::ModelWrongDomain))
        .await;
    // A deactivated model.
    let owner = w.model_owner.insecure_clone();
    w.env
        .ok(&[ix::deactivate_model(owner.pubkey(), w.model)], &[&owner])
        .await;
    let ix = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 0, &[line]);
    w.env
        .fails_with(&[ix], &[&proc.key], code(E::ModelInactive))
        .await;
    // Paused.
    let gov = w.p.gov.insecure_clone();
    w.env
        .ok(&[ix::set_paused(gov.pubkey(), true)], &[&gov])
        .await;
    let ix = ix::pay_batch(
        &keys,
        proc.key.pubkey(),
        proc.token,
        0,
        &[Line { model: m2, ..line }],
    );
    w.env
        .fails_with(&[ix], &[&proc.key], code(E::ProtocolPaused))
        .await;
}

/// Measures how many distinct-model lines fit one transaction, legacy and with an
/// address lookup table holding the models, records and fixed accounts, and settles
/// the largest legacy batch for real.
#[tokio::test]
async fn batch_size_limits() {
    let mut w = world().await;
    let proc = processor(&mut w).await;
    let keys = w.d.keys;
    let mut models = vec![w.model];
    while models.len() < 40 {
        let (m, _) = w.env.model(&w.d, 1_000).await;
        models.push(m);
    }
    let lines = |n: usize| -> Vec<Line> {
        models[..n]
            .iter()
            .map(|m| Line {
                model: *m,
                amount: 1_000,
                usage_units: 1,
            })
            .collect()
    };
    let mut legacy_max = 0;
    let mut alt_max = 0;
    for n in 1..=deepnode::constants::MAX_BATCH_LINES {
        let ix = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 0, &lines(n));
        if sizes::legacy(&ix, &proc.key.pubkey()).0 <= sizes::PACKET {
            legacy_max = n;
        }
        if sizes::with_table(&ix, &proc.key.pubkey()) <= sizes::PACKET {
            alt_max = n;
        }
    }
    let full = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 0, &lines(legacy_max));
    println!(
        "pay_batch: {legacy_max} lines per legacy transaction ({} bytes, {} accounts), {alt_max} with a lookup table",
        sizes::legacy(&full, &proc.key.pubkey()).0,
        full.accounts.len()
    );
    assert_eq!(
        legacy_max, MAX_LINES_LEGACY,
        "update README and MAX_LINES_LEGACY"
    );
    assert_eq!(
        alt_max,
        deepnode::constants::MAX_BATCH_LINES,
        "a lookup table fits the program's maximum"
    );
    let ix = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 0, &lines(legacy_max));
    let ev: BatchPaid = w.env.ok_event(&[ix], &[&proc.key]).await;
    assert_eq!(ev.lines.len(), legacy_max);
    w.env.check_vaults(&w.d, &models).await;
}

/// With a transfer-fee mint every line is split on what its own transfer delivered.
#[tokio::test]
async fn batch_with_a_transfer_fee_splits_each_line_on_what_arrived() {
    use deepnode_tests::tokens::{MintExt, TOKEN_2022};
    let mut w = world_with(
        TOKEN_2022,
        &[MintExt::TransferFee {
            bps: 100,
            max: 5_000,
        }],
    )
    .await;
    let proc = processor(&mut w).await;
    let keys = w.d.keys;
    let lines = [
        Line {
            model: w.model,
            amount: 100_000,
            usage_units: 1,
        },
        // 1% of 1,000,000 is above the 5,000 cap: the fee is capped per transfer.
        Line {
            model: w.model,
            amount: 1_000_000,
            usage_units: 1,
        },
    ];
    let ix = ix::pay_batch(&keys, proc.key.pubkey(), proc.token, 0, &lines);
    let ev: BatchPaid = w.env.ok_event(&[ix], &[&proc.key]).await;
    assert_eq!((ev.lines[0].sent, ev.lines[0].received), (100_000, 99_000));
    assert_eq!(
        (ev.lines[1].sent, ev.lines[1].received),
        (1_000_000, 995_000)
    );
    assert_eq!(ev.total_received, 1_094_000);
    for l in &ev.lines {
        deepnode_tests::invariants::check_line(l);
    }
    assert_eq!(w.env.balance(pda::vault(&keys.domain, 0)).await, 1_094_000);
    w.check().await;
}
