//! Every crank step out of order, twice, with an account missing, substituted, or from
//! another domain or epoch: each refused with its exact error (F1, F3, C3, D3, F5).
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode_sdk::ix::{self, ClaimLine, CreditLine};
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;
use solana_sdk::instruction::AccountMeta;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

/// Two domains (quorum 2, three validators, two miners each); in domain 0's open epoch
/// miner 0 is attested by two validators (quorate), miner 1 by one.
async fn world() -> World {
    let mut w = World::new(None, None).await;
    for _ in 0..2 {
        w.domain(false, TOKEN, &[], settings(2), 3, 1_000_000, 2)
            .await;
    }
    w.pay(0, 5_000_000, 0).await;
    w.attest(0, 0, 0, 100).await;
    w.attest(0, 1, 0, 100).await;
    w.attest(0, 2, 1, 40).await;
    w
}

fn record(w: &World, k: usize, m: usize, e: u64) -> Pubkey {
    let d = &w.doms[k].d;
    pda::work_record(
        &pda::miner(&d.keys.domain, &w.doms[k].miners[m].pubkey()),
        e,
    )
}

#[tokio::test]
async fn finalise_refuses_every_misuse() {
    let mut w = world().await;
    let payer = w.env.payer().pubkey();
    let (domain, other) = (w.doms[0].d.keys.domain, w.doms[1].d.keys.domain);
    let e = w.doms[0].d.keys.epoch;
    let quorate = record(&w, 0, 0, e);
    let below = record(&w, 0, 1, e);
    // F1: before the close.
    let ix = ix::finalise_work(payer, domain, e, &[quorate]);
    w.fails(std::slice::from_ref(&ix), &[], code(E::EpochNotClosed))
        .await;
    w.close(0).await;
    // F2: a closed epoch is frozen: a payment naming it is refused.
    let dom = &w.doms[0];
    let closed = ix::DomainKeys {
        epoch: e,
        ..dom.d.keys
    };
    let (c, account) = (dom.consumer.0.insecure_clone(), dom.consumer.1);
    let late = ix::pay(&closed, c.pubkey(), account, dom.models[0].0, 0, 1_000, 1);
    w.fails(&[late], &[&c], code(E::EpochNotCurrent)).await;
    // Nothing to finalise; a record below quorum; the same record twice in a batch.
    let empty = ix::finalise_work(payer, domain, e, &[]);
    w.fails(&[empty], &[], code(E::BatchEmpty)).await;
    let ix_below = ix::finalise_work(payer, domain, e, &[below]);
    w.fails(&[ix_below], &[], code(E::RecordBelowQuorum)).await;
    let mut twice = ix::finalise_work(payer, domain, e, &[quorate]);
    twice.accounts.push(AccountMeta::new(quorate, false));
    w.fails(&[twice], &[], code(E::AccountsNotIncreasing)).await;
    // Another epoch's book, another domain's epoch.
    let mut wrong_book = ix.clone();
    swap(
        &mut wrong_book,
        pda::epoch_book(&domain, e),
        pda::epoch_book(&domain, e + 1),
    );
    w.fails(&[wrong_book], &[], code(E::EpochBookMismatch))
        .await;
    let mut wrong_epoch = ix.clone();
    swap(
        &mut wrong_epoch,
        pda::epoch(&domain, e),
        pda::epoch(&other, 1),
    );
    w.fails(&[wrong_epoch], &[], code(E::EpochWrongDomain))
        .await;
    // Once, then never again.
    w.ok(std::slice::from_ref(&ix), &[]).await;
    w.fails(&[ix], &[], code(E::RecordAlreadyFinalised)).await;
    // A record of another epoch: miner 0 attested again in the next epoch, closed.
    w.attest(0, 0, 0, 7).await;
    w.attest(0, 1, 0, 7).await;
    w.close(0).await;
    let next = record(&w, 0, 0, e + 1);
    let ix = ix::finalise_work(payer, domain, e, &[next]);
    w.fails(&[ix], &[], code(E::WorkRecordWrongEpoch)).await;
    // A record of another domain.
    w.attest(1, 0, 0, 5).await;
    w.attest(1, 1, 0, 5).await;
    let e1 = w.close(1).await;
    let foreign = record(&w, 1, 0, e1);
    let ix = ix::finalise_work(payer, domain, e + 1, &[foreign]);
    w.fails(&[ix], &[], code(E::WorkRecordWrongDomain)).await;
}

#[tokio::test]
async fn fund_reward_vault_and_settle_refuse_every_misuse() {
    let mut w = world().await;
    let payer = w.env.payer().pubkey();
    let keys = w.doms[0].d.keys;
    let e = keys.epoch;
    let keeper = w.keeper.insecure_clone();
    let dn = w.p.dn;
    // F1: the open epoch can be neither collected nor settled.
    let collect = ix::fund_reward_vault(payer, &keys, e, &[0, 1]);
    w.fails(std::slice::from_ref(&collect), &[], code(E::EpochNotClosed))
        .await;
    let sk = w.env.settle_keys(&w.doms[0].d, e).await;
    let settle = ix::settle_epoch(keeper.pubkey(), &keys, &dn, sk);
    w.fails(
        std::slice::from_ref(&settle),
        &[&keeper],
        code(E::EpochNotClosed),
    )
    .await;
    w.close(0).await;
    // Closed, the epoch has its cap period (from the period length it closed with).
    let sk = w.env.settle_keys(&w.doms[0].d, e).await;
    let settle = ix::settle_epoch(keeper.pubkey(), &keys, &dn, sk);
    // Settle waits for the quorate record, then for the shards.
    w.fails(
        std::slice::from_ref(&settle),
        &[&keeper],
        code(E::RecordsNotFinalised),
    )
    .await;
    w.finalise(0, e).await;
    w.fails(
        std::slice::from_ref(&settle),
        &[&keeper],
        code(E::ShardsNotFunded),
    )
    .await;
    // A shard's vault substituted by the other shard's; a counter of another epoch.
    let mut wrong_vault = ix::fund_reward_vault(payer, &keys, e, &[0]);
    swap(
        &mut wrong_vault,
        pda::vault(&keys.domain, 0),
        pda::vault(&keys.domain, 1),
    );
    w.fails(&[wrong_vault], &[], code(E::VaultMismatch)).await;
    let mut wrong_counter = ix::fund_reward_vault(payer, &keys, e, &[0]);
    swap(
        &mut wrong_counter,
        pda::epoch_shard(&keys.domain, e, 0),
        pda::epoch_shard(&keys.domain, e + 1, 0),
    );
    w.fails(&[wrong_counter], &[], code(E::ShardAccountMismatch))
        .await;
    w.ok(&[ix::fund_reward_vault(payer, &keys, e, &[0])], &[])
        .await;
    // Shard 0 again (with 1): once only.
    w.fails(&[collect], &[], code(E::ShardAlreadyFunded)).await;
    w.ok(&[ix::fund_reward_vault(payer, &keys, e, &[1])], &[])
        .await;
    // F3: every settle account is pinned.
    let mut wrong_period = settle.clone();
    swap(
        &mut wrong_period,
        pda::period(sk.period),
        pda::period(sk.period + 1),
    );
    w.fails(&[wrong_period], &[&keeper], code(E::PeriodMismatch))
        .await;
    let mut wrong_reward = settle.clone();
    swap(
        &mut wrong_reward,
        pda::reward(&keys.domain, &keeper.pubkey()),
        pda::reward(&keys.domain, &payer),
    );
    w.fails(&[wrong_reward], &[&keeper], code(E::RewardAccountMismatch))
        .await;
    let mut wrong_next = settle.clone();
    swap(
        &mut wrong_next,
        pda::epoch_book(&keys.domain, e + 1),
        pda::epoch_book(&keys.domain, e),
    );
    w.fails(&[wrong_next], &[&keeper], code(E::NextEpochMismatch))
        .await;
    let other = w.doms[1].d.keys.domain;
    let mut foreign_next = settle.clone();
    swap(
        &mut foreign_next,
        pda::epoch_book(&keys.domain, e + 1),
        pda::epoch_book(&other, e),
    );
    w.fails(&[foreign_next], &[&keeper], code(E::NextEpochMismatch))
        .await;
    let mut wrong_vault = settle.clone();
    swap(
        &mut wrong_vault,
        pda::stake_vault(&keys.domain),
        pda::stake_vault(&other),
    );
    w.fails(&[wrong_vault], &[&keeper], code(E::VaultMismatch))
        .await;
    // The guard's price source is the domain's own auction.
    let mut wrong_auction = settle.clone();
    swap(
        &mut wrong_auction,
        pda::auction(&keys.domain),
        pda::auction(&other),
    );
    w.fails(&[wrong_auction], &[&keeper], anchor_code::SEEDS)
        .await;
    // Out of order: the next epoch cannot settle before this one.
    w.close(0).await;
    w.finalise(0, e + 1).await;
    w.ok(&[ix::fund_reward_vault(payer, &keys, e + 1, &[0, 1])], &[])
        .await;
    let sk1 = w.env.settle_keys(&w.doms[0].d, e + 1).await;
    let later = ix::settle_epoch(keeper.pubkey(), &keys, &dn, sk1);
    w.fails(
        std::slice::from_ref(&later),
        &[&keeper],
        code(E::SettleOutOfOrder),
    )
    .await;
    // Once, then never again (F5: a second call makes no progress and earns no tip).
    w.ok(std::slice::from_ref(&settle), &[&keeper]).await;
    let tip = w.book(0, e).await.settlement.tip;
    assert_eq!(tip, default_bounds_tip());
    let balance: deepnode::state::RewardBalance =
        w.env.get(pda::reward(&keys.domain, &keeper.pubkey())).await;
    w.fails(&[settle], &[&keeper], code(E::EpochAlreadySettled))
        .await;
    let after: deepnode::state::RewardBalance =
        w.env.get(pda::reward(&keys.domain, &keeper.pubkey())).await;
    assert_eq!(after.dn_owed, balance.dn_owed, "no tip without progress");
    // The idle next epoch settles with no budget and no tip.
    w.ok(&[later], &[&keeper]).await;
    let idle = w.book(0, e + 1).await.settlement;
    assert_eq!((idle.budget, idle.tip, idle.minted), (0, 0, 0));
}

/// The keeper tip ceiling of the default bounds.
fn default_bounds_tip() -> u64 {
    deepnode_tests::fixtures::default_bounds().keeper_tip_max
}

#[tokio::test]
async fn credit_collect_sweep_and_close_refuse_every_misuse() {
    let mut w = world().await;
    let keys = w.doms[0].d.keys;
    let e = keys.epoch;
    let payer = w.env.payer();
    let keeper = w.keeper.insecure_clone();
    let miner = w.doms[0].miners[0].insecure_clone();
    let creator = w.doms[0].validators[0].key();
    let line = CreditLine::Miner {
        authority: miner.pubkey(),
        rent_payer: creator,
    };
    let credit = ix::credit_payouts(miner.pubkey(), keys.domain, e, &[line]);
    // F1: nothing is credited before settlement.
    w.fails(
        std::slice::from_ref(&credit),
        &[&miner],
        code(E::EpochNotSettled),
    )
    .await;
    w.close(0).await;
    w.finalise(0, e).await;
    w.settle(0, e).await;
    // Missing an account; a rent payer, a reward balance, a foundation substituted.
    let mut short = credit.clone();
    short.accounts.pop();
    w.fails(&[short], &[&miner], code(E::CreditAccountsMismatch))
        .await;
    let stranger = Keypair::new().pubkey();
    let bad_payer = ix::credit_payouts(
        miner.pubkey(),
        keys.domain,
        e,
        &[CreditLine::Miner {
            authority: miner.pubkey(),
            rent_payer: stranger,
        }],
    );
    w.fails(&[bad_payer], &[&miner], code(E::RentPayerMismatch))
        .await;
    let mut bad_reward = credit.clone();
    swap(
        &mut bad_reward,
        pda::reward(&keys.domain, &miner.pubkey()),
        pda::reward(&keys.domain, &stranger),
    );
    w.fails(&[bad_reward], &[&miner], code(E::RewardAccountMismatch))
        .await;
    let fake_foundation = w.env.dn_account(&w.p, &stranger, 0).await;
    let bad_foundation = ix::credit_payouts(
        payer.pubkey(),
        keys.domain,
        e,
        &[CreditLine::Foundation {
            account: fake_foundation,
            owner: stranger,
        }],
    );
    w.fails(&[bad_foundation], &[], code(E::FoundationMismatch))
        .await;
    // Miner 1's record never reached quorum: nothing to claim. Validator 2 attested
    // only that record: no score.
    let below = ix::credit_payouts(
        payer.pubkey(),
        keys.domain,
        e,
        &[CreditLine::Miner {
            authority: w.doms[0].miners[1].pubkey(),
            rent_payer: w.doms[0].validators[2].key(),
        }],
    );
    w.fails(&[below], &[], code(E::NothingToClaim)).await;
    let unscored = ix::credit_payouts(
        payer.pubkey(),
        keys.domain,
        e,
        &[CreditLine::Validator {
            authority: w.doms[0].validators[2].key(),
        }],
    );
    w.fails(&[unscored], &[], code(E::NoValidatorScore)).await;
    // A validator of the other domain in a validator line.
    let foreign = w.doms[1].validators[0].key();
    let mut cross_validator = ix::credit_payouts(
        payer.pubkey(),
        keys.domain,
        e,
        &[CreditLine::Validator { authority: foreign }],
    );
    swap(
        &mut cross_validator,
        pda::validator(&keys.domain, &foreign),
        pda::validator(&w.doms[1].d.keys.domain, &foreign),
    );
    w.fails(&[cross_validator], &[], code(E::ValidatorWrongDomain))
        .await;
    // Once (C3: the record closes with the credit), then never again.
    w.ok(std::slice::from_ref(&credit), &[&miner]).await;
    w.fails(&[credit], &[&miner], code(E::AlreadyCredited))
        .await;
    let owner = w.doms[0].d.owner.pubkey();
    let owner_line = ix::credit_payouts(
        keeper.pubkey(),
        keys.domain,
        e,
        &[CreditLine::DomainOwner { owner }],
    );
    w.ok(std::slice::from_ref(&owner_line), &[&keeper]).await;
    w.fails(&[owner_line], &[&keeper], code(E::AlreadyCredited))
        .await;

    // Collect: nothing owed; refusing destinations (D3).
    let idle = w.doms[0].validators[2].kp.insecure_clone();
    let idle_accounts = ClaimLine {
        recipient: idle.pubkey(),
        dn_account: w.doms[0].validators[2].dn_account,
        revenue_account: w.doms[0].validators[2].revenue_account,
    };
    let nothing = ix::claim_rewards(idle.pubkey(), &keys, &w.p.dn, &[idle_accounts]);
    w.fails(&[nothing], &[&idle], code(E::AccountNotOwnedByProgram))
        .await;
    let foreign_dn = w.env.dn_account(&w.p, &stranger, 0).await;
    let miner_rev = w
        .env
        .revenue_account(&w.p, &w.doms[0].d, &miner.pubkey(), 0)
        .await;
    let refused = ClaimLine {
        recipient: miner.pubkey(),
        dn_account: foreign_dn,
        revenue_account: miner_rev,
    };
    let own = ix::claim_rewards(miner.pubkey(), &keys, &w.p.dn, &[refused]);
    w.fails(&[own], &[&miner], code(E::DestinationRefused))
        .await;
    // Pushed by the keeper: the refused DN stays credited, the revenue is paid.
    let before: deepnode::state::RewardBalance =
        w.env.get(pda::reward(&keys.domain, &miner.pubkey())).await;
    let push = ix::claim_rewards(keeper.pubkey(), &keys, &w.p.dn, &[refused]);
    w.ok(&[push], &[&keeper]).await;
    let after: deepnode::state::RewardBalance =
        w.env.get(pda::reward(&keys.domain, &miner.pubkey())).await;
    assert_eq!(
        after.dn_owed, before.dn_owed,
        "the refused part keeps its credit"
    );
    assert_eq!(after.rev_owed, 0);
    assert_eq!(w.env.balance(foreign_dn).await, 0);
    // A line missing its revenue account.
    let mut short = ix::claim_rewards(miner.pubkey(), &keys, &w.p.dn, &[refused]);
    short.accounts.pop();
    w.fails(&[short], &[&miner], code(E::ClaimAccountsMismatch))
        .await;
    // Another domain's balance.
    let other = w.doms[1].d.keys;
    let mut cross = ix::claim_rewards(miner.pubkey(), &other, &w.p.dn, &[refused]);
    swap(
        &mut cross,
        pda::reward(&other.domain, &miner.pubkey()),
        pda::reward(&keys.domain, &miner.pubkey()),
    );
    w.fails(&[cross], &[&miner], code(E::RewardAccountMismatch))
        .await;

    // Close: a finalised record before the sweep; a wrong rent payer; an epoch account.
    let shard = pda::epoch_shard(&keys.domain, e, 0);
    let wrong_payer = ix::close_accounts(payer.pubkey(), keys.domain, e, &[(shard, stranger)]);
    w.fails(&[wrong_payer], &[], code(E::RentPayerMismatch))
        .await;
    let epoch_account = pda::epoch(&keys.domain, e);
    let not_closable = ix::close_accounts(
        payer.pubkey(),
        keys.domain,
        e,
        &[(epoch_account, payer.pubkey())],
    );
    w.fails(&[not_closable], &[], code(E::NotClosable)).await;
    let model_epoch = pda::model_epoch(&w.doms[0].models[0].0, e);
    let me: deepnode::state::ModelEpoch = w.env.get(model_epoch).await;
    let early = ix::close_accounts(
        payer.pubkey(),
        keys.domain,
        e,
        &[(model_epoch, me.rent_payer)],
    );
    w.fails(
        std::slice::from_ref(&early),
        &[],
        code(E::CloseNotAllowedYet),
    )
    .await;

    // Sweep: F1 before the window passes, then once.
    let sweep = ix::sweep_epoch(payer.pubkey(), &keys, &w.p.dn, e);
    w.fails(&[sweep], &[], code(E::ClaimWindowOpen)).await;
    w.close(0).await;
    w.settle(0, e + 1).await;
    w.close(0).await; // the window (1 epoch) has passed
    let keys = w.doms[0].d.keys;
    // Crediting after the window fails; the sweep goes once.
    let late = ix::credit_payouts(
        keeper.pubkey(),
        keys.domain,
        e,
        &[CreditLine::Validator {
            authority: w.doms[0].validators[1].key(),
        }],
    );
    w.fails(
        std::slice::from_ref(&late),
        &[&keeper],
        code(E::ClaimWindowClosed),
    )
    .await;
    let sweep = ix::sweep_epoch(payer.pubkey(), &keys, &w.p.dn, e);
    let mut wrong_open = sweep.clone();
    swap(
        &mut wrong_open,
        pda::epoch_book(&keys.domain, keys.epoch),
        pda::epoch_book(&keys.domain, keys.epoch - 1),
    );
    w.fails(&[wrong_open], &[], code(E::NextEpochMismatch))
        .await;
    w.ok(std::slice::from_ref(&sweep), &[]).await;
    w.fails(&[sweep], &[], code(E::EpochAlreadySwept)).await;
    w.fails(&[late], &[&keeper], code(E::EpochAlreadySwept))
        .await;
    // After the sweep the model's record closes, rent back to its payer.
    w.ok(&[early], &[]).await;
    assert!(w.env.account(model_epoch).await.is_none());
    // An unsettled epoch's accounts never close.
    let open_shard = pda::epoch_shard(&keys.domain, keys.epoch, 0);
    let unsettled = ix::close_accounts(
        payer.pubkey(),
        keys.domain,
        keys.epoch,
        &[(open_shard, payer.pubkey())],
    );
    w.fails(&[unsettled], &[], code(E::EpochNotSettled)).await;
}

/// F3: every account of every crank step tied to the domain is pinned; another domain's
/// account in its place is refused by its own check, before anything runs.
#[tokio::test]
async fn crank_steps_refuse_another_domains_accounts() {
    let mut w = world().await;
    let payer = w.env.payer().pubkey();
    let keeper = w.keeper.insecure_clone();
    let (keys, other) = (w.doms[0].d.keys, w.doms[1].d.keys);
    let (a, b) = (keys.domain, other.domain);
    let e = keys.epoch;
    let dn = w.p.dn;
    let sk = w.env.settle_keys(&w.doms[0].d, e).await;
    // Every step called by the keeper (it signs each).
    let k = keeper.pubkey();
    let steps = [
        ix::finalise_work(k, a, e, &[]),
        ix::fund_reward_vault(k, &keys, e, &[0]),
        ix::settle_epoch(k, &keys, &dn, sk),
        ix::credit_payouts(k, a, e, &[CreditLine::DomainOwner { owner: payer }]),
        ix::sweep_epoch(k, &keys, &dn, e),
        ix::close_accounts(k, a, e, &[]),
        ix::claim_rewards(
            k,
            &keys,
            &dn,
            &[ClaimLine {
                recipient: payer,
                dn_account: payer,
                revenue_account: payer,
            }],
        ),
    ];
    // Per domain-tied account: (this domain's, the other's, the error).
    let pinned = [
        (pda::epoch(&a, e), pda::epoch(&b, e), E::EpochWrongDomain),
        (
            pda::epoch_book(&a, e),
            pda::epoch_book(&b, e),
            E::EpochBookMismatch,
        ),
        (
            pda::stake_pool(&a),
            pda::stake_pool(&b),
            E::StakePoolMismatch,
        ),
        (pda::stake_vault(&a), pda::stake_vault(&b), E::VaultMismatch),
        (
            pda::stake_reward_vault(&a),
            pda::stake_reward_vault(&b),
            E::VaultMismatch,
        ),
        (
            pda::vault_authority(&a),
            pda::vault_authority(&b),
            E::VaultAuthorityMismatch,
        ),
        (
            pda::offset_reserve(&a),
            pda::offset_reserve(&b),
            E::OffsetReserveMismatch,
        ),
    ];
    let mut refused = 0;
    for step in &steps {
        for (mine, theirs, err) in pinned {
            if step.accounts.iter().any(|m| m.pubkey == mine) {
                let mut bad = step.clone();
                swap(&mut bad, mine, theirs);
                w.fails(&[bad], &[&keeper], code(err)).await;
                refused += 1;
            }
        }
    }
    // finalise 2, fund_reward_vault 5, settle 7 (§14: the reward vault, the vault authority
    // and the offset reserve too), credit 2, sweep 5, close 2, collect 4.
    assert_eq!(refused, 27);
}
