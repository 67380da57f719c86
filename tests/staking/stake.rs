//! `init_stake_pool`, `open_stake_position`, `stake`, `request_unstake`,
//! `withdraw_stake` and `claim_stake_rewards`: happy paths and one negative test per
//! constraint, each with its exact error.
use crate::common::*;
use deepnode::errors::DeepNodeError as E;
use deepnode::events::{StakeRewardsClaimed, StakeWithdrawn, Staked, UnstakeRequested};
use deepnode_sdk::ix::StakerKeys;
use deepnode_tests::anchor_code;
use deepnode_tests::*;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

/// What the accumulator pays a stake `w` of `total` from one epoch's `pool`, written out
/// from §9 and §12 (not with the math crate): the increment `floor(pool * 2^64 / total)`,
/// then `floor(w * increment / 2^64)`.
pub fn expected(pool: u64, w: u64, total: u64) -> u64 {
    accumulator_pays(w, &[(pool, total)])
}

/// What a stake `w`, held through epochs with the given (pool, total stake), accrues in
/// one checkpoint: `floor(w * sum of floor(pool * 2^64 / total) / 2^64)`. Test values
/// keep `w * sum` within u128.
pub fn accumulator_pays(w: u64, epochs: &[(u64, u64)]) -> u64 {
    let growth: u128 = epochs
        .iter()
        .map(|&(pool, total)| (u128::from(pool) << 64) / u128::from(total))
        .sum();
    let paid = u64::try_from((u128::from(w) * growth) >> 64).unwrap();
    let (pool, total) = epochs[0];
    if epochs.len() == 1 {
        let rule = pool * w / total;
        assert!(
            paid <= rule && paid + 1 >= rule,
            "§12: the rule or one unit less"
        );
    }
    paid
}

#[tokio::test]
async fn init_stake_pool_twice_fails() {
    let mut w = world().await;
    let payer = w.env.payer().pubkey();
    w.env
        .fails_with(
            &[ix::init_stake_pool(payer, &w.d.keys, &w.p.dn)],
            &[],
            code(E::AccountAlreadyInitialized),
        )
        .await;
    let pool = w.pool().await;
    assert_eq!(
        (pool.total_staked, pool.active, pool.next_settle_epoch),
        (0, 0, 0)
    );
    let domain: deepnode::state::Domain = w.env.get(w.d.keys.domain).await;
    assert!(domain.stake_pool_ready && domain.is_ready());
}

#[tokio::test]
async fn init_stake_pool_with_the_wrong_dn_mint_fails() {
    let mut w = world().await;
    let other = w
        .env
        .create_mint(w.p.dn.token_program, 6, &Keypair::new().pubkey())
        .await;
    let payer = w.env.payer().pubkey();
    let dn = deepnode_sdk::ix::DnKeys {
        mint: other,
        token_program: w.p.dn.token_program,
    };
    // The domain's pool exists already, but the address check comes first.
    w.env
        .fails_with(
            &[ix::init_stake_pool(payer, &w.d.keys, &dn)],
            &[],
            anchor_code::ADDRESS,
        )
        .await;
}

#[tokio::test]
async fn open_stake_position_twice_fails() {
    let mut w = world().await;
    let s = w.staker(10).await;
    w.env
        .fails_with(
            &[ix::open_stake_position(s.key(), w.d.keys.domain)],
            &[&s.kp],
            code(E::AccountAlreadyInitialized),
        )
        .await;
    let pos = w.position(&s).await;
    assert_eq!((pos.owner, pos.change_epoch, pos.weight), (s.key(), 0, 0));
}

#[tokio::test]
async fn stake_is_pending_until_the_next_epoch() {
    let mut w = world().await;
    let s = w.staker(5_000).await;
    let ix = w.stake_ix(&s, 5_000).await;
    let ev: Staked = w.env.ok_event(&[ix], &[&s.kp]).await;
    assert_eq!(
        (ev.amount, ev.epoch, ev.pending, ev.pool_total_staked),
        (5_000, 0, 5_000, 5_000)
    );
    let pool = w.pool().await;
    assert_eq!(
        (pool.active, pool.activating, pool.total_staked),
        (0, 5_000, 5_000)
    );
    assert_eq!(
        w.env.balance(pda::stake_vault(&w.d.keys.domain)).await,
        5_000
    );
    // Not eligible yet: pending stake does not count.
    assert_eq!(w.position(&s).await.eligible_stake(0).unwrap(), 0);
    w.check(&[&s]).await;
    w.close().await;
    let pool = w.pool().await;
    assert_eq!((pool.active, pool.activating), (5_000, 0));
    let epoch: deepnode::state::Epoch = w.env.get(pda::epoch(&w.d.keys.domain, 1)).await;
    assert_eq!(epoch.active_stake, 5_000);
    assert_eq!(w.position(&s).await.eligible_stake(1).unwrap(), 5_000);
    w.check(&[&s]).await;
}

#[tokio::test]
async fn stake_twice_in_one_epoch_adds_up() {
    let mut w = world().await;
    let s = w.staker(300).await;
    for _ in 0..3 {
        let ix = w.stake_ix(&s, 100).await;
        w.env.ok(&[ix], &[&s.kp]).await;
    }
    let pos = w.position(&s).await;
    assert_eq!((pos.pending, pos.change_epoch), (300, 0));
    w.check(&[&s]).await;
}

#[tokio::test]
async fn stake_zero_fails() {
    let mut w = world().await;
    let s = w.staker(10).await;
    let ix = w.stake_ix(&s, 0).await;
    w.env.fails_with(&[ix], &[&s.kp], code(E::AmountZero)).await;
}

#[tokio::test]
async fn stake_while_paused_fails() {
    let mut w = world().await;
    let s = w.staker(10).await;
    let gov = w.p.gov.insecure_clone();
    w.env
        .ok(&[ix::set_paused(gov.pubkey(), true)], &[&gov])
        .await;
    let ix = w.stake_ix(&s, 10).await;
    w.env
        .fails_with(&[ix], &[&s.kp], code(E::ProtocolPaused))
        .await;
}

#[tokio::test]
async fn stake_into_someone_elses_position_fails() {
    let mut w = world().await;
    let s = w.staker(10).await;
    let t = w.staker(10).await;
    let keys = w.keys(&s).await;
    let mut ix = ix::stake(
        w.d.keys.domain,
        &w.p.dn,
        &StakerKeys {
            owner: t.key(),
            owner_dn: t.dn_account,
            ..keys
        },
        10,
    );
    // Point the position at s's while t signs.
    swap(
        &mut ix,
        pda::stake_position(&w.d.keys.domain, &t.key()),
        pda::stake_position(&w.d.keys.domain, &s.key()),
    );
    w.env
        .fails_with(&[ix], &[&t.kp], code(E::NotStakeOwner))
        .await;
}

#[tokio::test]
async fn stake_with_the_wrong_change_epoch_fails() {
    let mut w = world().await;
    let s = w.staker(10).await;
    w.close().await;
    let keys = w.keys(&s).await;
    // The position's change epoch is 0; epoch 1 is not it.
    let ix = ix::stake(
        w.d.keys.domain,
        &w.p.dn,
        &StakerKeys {
            change_epoch: 1,
            ..keys
        },
        10,
    );
    w.env.fails_with(&[ix], &[&s.kp], anchor_code::SEEDS).await;
}

#[tokio::test]
async fn stake_from_another_owners_token_account_fails() {
    let mut w = world().await;
    let s = w.staker(10).await;
    let t = w.staker(10).await;
    let keys = w.keys(&s).await;
    let ix = ix::stake(
        w.d.keys.domain,
        &w.p.dn,
        &StakerKeys {
            owner_dn: t.dn_account,
            ..keys
        },
        10,
    );
    w.env
        .fails_with(&[ix], &[&s.kp], anchor_code::TOKEN_OWNER)
        .await;
}

#[tokio::test]
async fn stake_into_a_substituted_vault_fails() {
    let mut w = world().await;
    let s = w.staker(10).await;
    let mut ix = w.stake_ix(&s, 10).await;
    // Another DN account of the signer in place of the stake vault.
    let decoy = w.env.create_token_account(&s.key(), &w.p.dn.mint).await;
    swap(&mut ix, pda::stake_vault(&w.d.keys.domain), decoy);
    w.env.fails_with(&[ix], &[&s.kp], anchor_code::SEEDS).await;
}

#[tokio::test]
async fn stake_with_another_mint_fails() {
    let mut w = world().await;
    let s = w.staker(10).await;
    let other = w
        .env
        .create_mint(w.p.dn.token_program, 6, &Keypair::new().pubkey())
        .await;
    // A source account of that mint too, so only the mint's address check can object.
    let source = w.env.create_token_account(&s.key(), &other).await;
    let mut ix = w.stake_ix(&s, 10).await;
    swap(&mut ix, s.dn_account, source);
    swap(&mut ix, w.p.dn.mint, other);
    w.env
        .fails_with(&[ix], &[&s.kp], anchor_code::ADDRESS)
        .await;
}

#[tokio::test]
async fn stake_again_while_the_previous_change_is_unsettled_fails() {
    let mut w = world().await;
    let s = w.staker(20).await;
    let ix = w.stake_ix(&s, 10).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    w.close().await;
    // Epoch 0 is closed but its rewards are not recorded: the change cannot apply yet.
    let ix = w.stake_ix(&s, 10).await;
    w.env
        .fails_with(&[ix], &[&s.kp], code(E::PreviousStakeChangeUnsettled))
        .await;
    // Once epoch 0 is settled, the same stake goes through and applies the old change.
    w.settle(0).await;
    let ix = w.stake_ix(&s, 10).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    let pos = w.position(&s).await;
    assert_eq!((pos.weight, pos.pending, pos.change_epoch), (10, 10, 1));
    w.check(&[&s]).await;
}

/// Finding 3 of the hardening review: no epoch is ever settled, yet the staker leaves.
/// Stake in epoch 0, close, request the unstake in epoch 1, withdraw at
/// `1 + 1 + unbonding_epochs` = 3: the exact stake comes back. Nothing here writes an
/// `Epoch` or `StakePool` account by hand.
#[tokio::test]
async fn request_unstake_and_withdraw_without_any_settlement() {
    let mut w = world().await;
    let s = w.staker(1_000).await;
    let ix = w.stake_ix(&s, 1_000).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    w.close().await; // epoch 1 open; epoch 0 never settled
    let ix = w.unstake_ix(&s, 400).await;
    let ev: UnstakeRequested = w.env.ok_event(&[ix], &[&s.kp]).await;
    let position = pda::stake_position(&w.d.keys.domain, &s.key());
    // Requested in epoch 1 with unbonding_epochs = 1: withdrawable from epoch 3.
    assert_eq!(
        (
            ev.amount,
            ev.epoch,
            ev.ticket,
            ev.ticket_principal,
            ev.withdrawable_epoch,
            ev.remaining_stake
        ),
        (400, 1, pda::unstake_ticket(&position, 1), 400, 3, 600)
    );
    // The 400 came out of stake added in epoch 0, whose rewards are not recorded.
    let t = w.ticket(&s, 1).await;
    assert_eq!(
        (t.principal, t.settled_part, t.pending_part, t.pending_epoch),
        (400, 0, 400, 0)
    );
    let pos = w.position(&s).await;
    assert_eq!(
        pos.eligible_stake(1).unwrap(),
        600,
        "stake requested out stops counting at once"
    );
    assert_eq!(
        pos.stake_in_epoch(1).unwrap(),
        1_000,
        "it still counts this epoch"
    );
    let pool = w.pool().await;
    assert_eq!(
        (pool.active, pool.deactivating),
        (1_000, 400),
        "it still earns this epoch"
    );
    w.check(&[&s]).await;
    // A second request in a later epoch, with still nothing settled, is accepted too.
    w.close().await; // epoch 2 open
    let ix = w.withdraw_ix(&s, 1).await;
    w.env
        .fails_with(&[ix], &[&s.kp], code(E::StakeStillUnbonding))
        .await;
    assert_eq!(w.pool().await.active, 600);
    let ix = w.unstake_ix(&s, 600).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    w.close().await; // epoch 3 open
    let before = w.env.balance(s.dn_account).await;
    let ix = w.withdraw_ix(&s, 1).await;
    let ev: StakeWithdrawn = w.env.ok_event(&[ix], &[&s.kp]).await;
    assert_eq!(
        (
            ev.amount,
            ev.dn_credited,
            ev.ticket_closed,
            ev.pool_total_staked
        ),
        (400, 0, false, 600)
    );
    assert_eq!(w.env.balance(s.dn_account).await, before + 400);
    w.check(&[&s]).await;
    // The ticket keeps its claim on epoch 1's rewards until that epoch is settled.
    let ix = w.withdraw_ix(&s, 1).await;
    w.env
        .fails_with(&[ix], &[&s.kp], code(E::TicketRewardsUnsettled))
        .await;
    // The second ticket (requested in epoch 2) unbonds at epoch 4.
    let ix = w.withdraw_ix(&s, 2).await;
    w.env
        .fails_with(&[ix], &[&s.kp], code(E::StakeStillUnbonding))
        .await;
    w.close().await; // epoch 4 open
    let ix = w.withdraw_ix(&s, 2).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    assert_eq!(w.env.balance(s.dn_account).await, before + 1_000);
    assert_eq!(w.position(&s).await.principal().unwrap(), 0);
    w.check(&[&s]).await;
}

#[tokio::test]
async fn request_unstake_zero_fails() {
    let mut w = world().await;
    let s = w.staker(10).await;
    let ix = w.unstake_ix(&s, 0).await;
    w.env.fails_with(&[ix], &[&s.kp], code(E::AmountZero)).await;
}

#[tokio::test]
async fn request_unstake_of_pending_stake_fails() {
    let mut w = world().await;
    let s = w.staker(10).await;
    let ix = w.stake_ix(&s, 10).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    let ix = w.unstake_ix(&s, 1).await;
    w.env
        .fails_with(&[ix], &[&s.kp], code(E::InsufficientActiveStake))
        .await;
}

#[tokio::test]
async fn request_unstake_by_another_key_fails() {
    let mut w = world().await;
    let s = w.staker(10).await;
    let t = w.staker(10).await;
    let mut ix = w.unstake_ix(&t, 1).await;
    swap(
        &mut ix,
        pda::stake_position(&w.d.keys.domain, &t.key()),
        pda::stake_position(&w.d.keys.domain, &s.key()),
    );
    w.env
        .fails_with(&[ix], &[&t.kp], code(E::NotStakeOwner))
        .await;
}

#[tokio::test]
async fn unstake_withdraw_and_claim_work_while_paused() {
    let mut w = world().await;
    let s = w.staker(1_000).await;
    let ix = w.stake_ix(&s, 1_000).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    w.close().await;
    w.settle(0).await;
    // Epoch 1: s alone active; a payment funds the stakers' revenue pool.
    w.pay(1_000_000).await;
    w.close().await;
    let (dn, rev) = w.settle(1).await;
    // No verified work: no DN budget; the revenue pool is 20% of what the payment left
    // for the pool plus epoch 0's roll-over of unpayable roles.
    assert_eq!(dn, 0);
    assert!(rev > 0);
    let gov = w.p.gov.insecure_clone();
    w.env
        .ok(&[ix::set_paused(gov.pubkey(), true)], &[&gov])
        .await;
    let requested_in = w.d.keys.epoch;
    let ix = w.unstake_ix(&s, 1_000).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    let ix = w.claim_ix(&s).await;
    let ev: StakeRewardsClaimed = w.env.ok_event(&[ix], &[&s.kp]).await;
    // The sole staker: the accumulator pays the pool or one unit less (§12).
    assert_eq!((ev.dn, ev.revenue), (0, expected(rev, 1_000, 1_000)));
    w.close().await;
    w.close().await;
    let ix = w.withdraw_ix(&s, requested_in).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    w.check(&[&s]).await;
    assert_eq!(w.env.balance(s.dn_account).await, 1_000);
    assert_eq!(
        w.env.balance(s.revenue_account).await,
        expected(rev, 1_000, 1_000)
    );
}

#[tokio::test]
async fn claim_with_nothing_accrued_fails() {
    let mut w = world().await;
    let s = w.staker(10).await;
    let ix = w.claim_ix(&s).await;
    w.env
        .fails_with(&[ix], &[&s.kp], code(E::NothingToClaim))
        .await;
}

#[tokio::test]
async fn claim_to_another_owners_accounts_fails() {
    let mut w = world().await;
    let s = w.staker(10).await;
    let t = w.staker(10).await;
    let keys = w.keys(&s).await;
    let ix = ix::claim_stake_rewards(
        &w.d.keys,
        &w.p.dn,
        &StakerKeys {
            owner_dn: t.dn_account,
            ..keys
        },
        s.revenue_account,
    );
    w.env
        .fails_with(&[ix], &[&s.kp], code(E::TokenAccountOwnerMismatch))
        .await;
    let ix = ix::claim_stake_rewards(&w.d.keys, &w.p.dn, &keys, t.revenue_account);
    w.env
        .fails_with(&[ix], &[&s.kp], code(E::TokenAccountOwnerMismatch))
        .await;
    // A second DN account of the staker where the revenue account belongs: wrong mint.
    let second_dn = w.env.create_token_account(&s.key(), &w.p.dn.mint).await;
    let ix = ix::claim_stake_rewards(&w.d.keys, &w.p.dn, &keys, second_dn);
    w.env
        .fails_with(&[ix], &[&s.kp], code(E::TokenAccountMintMismatch))
        .await;
    // An account of another program (the staker's wallet) in the DN account's place.
    let ix = ix::claim_stake_rewards(
        &w.d.keys,
        &w.p.dn,
        &StakerKeys {
            owner_dn: s.key(),
            ..keys
        },
        s.revenue_account,
    );
    w.env
        .fails_with(&[ix], &[&s.kp], code(E::TokenAccountMintMismatch))
        .await;
}

#[tokio::test]
async fn claim_from_a_substituted_reward_vault_fails() {
    let mut w = world().await;
    let s = w.staker(10).await;
    let mut ix = w.claim_ix(&s).await;
    // The domain's buyback vault (same revenue mint) instead of its reward vault.
    swap(
        &mut ix,
        pda::stake_reward_vault(&w.d.keys.domain),
        pda::buyback_vault(&w.d.keys.domain),
    );
    w.env
        .fails_with(&[ix], &[&s.kp], code(E::VaultMismatch))
        .await;
}

#[tokio::test]
async fn claim_by_another_key_fails() {
    let mut w = world().await;
    let s = w.staker(10).await;
    let t = w.staker(10).await;
    let mut ix = w.claim_ix(&t).await;
    swap(
        &mut ix,
        pda::stake_position(&w.d.keys.domain, &t.key()),
        pda::stake_position(&w.d.keys.domain, &s.key()),
    );
    w.env
        .fails_with(&[ix], &[&t.kp], code(E::NotStakeOwner))
        .await;
}

/// Two requests in one epoch share its ticket, and an epoch settled between them is
/// credited exactly: the first request's part up to the new accumulator values goes to
/// the position, the rest stays with the ticket until its own epoch is settled. The
/// sole staker gets each epoch's revenue pool through its two parts as one share (§12:
/// at most one unit short of its exact share): the fraction of a unit a ticket's part
/// leaves is carried to the position's next credit, so the two parts are floored once,
/// not twice (before, the staker got 471,698 of epoch 2's pool, two floors; now 471,699).
#[tokio::test]
async fn requests_of_one_epoch_share_a_ticket_across_a_settlement() {
    let mut w = world().await;
    let s = w.staker(1_000).await;
    let ix = w.stake_ix(&s, 1_000).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    w.close().await; // epoch 1: 1,000 active
    w.pay(1_000_000).await;
    w.close().await; // epoch 2: 1,000 active
                     // Epoch 0 had no active stake: the stakers' share rolled over, nothing accumulated.
    assert_eq!(w.settle(0).await, (0, 0));
    let ix = w.unstake_ix(&s, 400).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    // Epoch 1 is settled while epoch 2 is open.
    let (_, r1) = w.settle(1).await;
    let ix = w.unstake_ix(&s, 100).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    let t = w.ticket(&s, 2).await;
    assert_eq!((t.principal, t.settled_part, t.pending_part), (500, 500, 0));
    // Epoch 1's pool: 600 of stake through the position, 400 through the ticket's first
    // part (credited to the position when the second request synced it, its fraction
    // carried): one share of the whole 1,000.
    let ix = w.claim_ix(&s).await;
    let ev: StakeRewardsClaimed = w.env.ok_event(&[ix], &[&s.kp]).await;
    assert_eq!(ev.revenue, expected(r1, 1_000, 1_000));
    w.pay(2_000_000).await;
    w.close().await; // epoch 3
    let (_, r2) = w.settle(2).await;
    w.close().await; // epoch 4: the ticket unbonds
    let ix = w.withdraw_ix(&s, 2).await;
    let ev: StakeWithdrawn = w.env.ok_event(&[ix], &[&s.kp]).await;
    assert_eq!(
        (ev.amount, ev.revenue_credited, ev.ticket_closed),
        (500, expected(r2, 500, 1_000), true)
    );
    // Epoch 2's pool: 500 through the ticket (credited above, its fraction carried),
    // 500 through the position: the claim pays one share of the whole 1,000, one unit
    // more than two floors of 500.
    assert_eq!(expected(r2, 1_000, 1_000), 2 * expected(r2, 500, 1_000) + 1);
    let ix = w.claim_ix(&s).await;
    let ev: StakeRewardsClaimed = w.env.ok_event(&[ix], &[&s.kp]).await;
    assert_eq!(ev.revenue, expected(r2, 1_000, 1_000));
    w.check(&[&s]).await;
}

/// `withdraw_stake` takes exactly the ticket of the signer's position and the ticket's
/// own two epochs: any other account is refused with its own error.
#[tokio::test]
async fn withdraw_stake_pins_the_ticket_and_its_epochs() {
    let mut w = world().await;
    let s = w.staker(1_000).await;
    let t = w.staker(1_000).await;
    for x in [&s, &t] {
        let ix = w.stake_ix(x, 1_000).await;
        w.env.ok(&[ix], &[&x.kp]).await;
    }
    w.close().await; // epoch 1
    for x in [&s, &t] {
        let ix = w.unstake_ix(x, 400).await;
        w.env.ok(&[ix], &[&x.kp]).await;
    }
    w.close().await;
    w.close().await; // epoch 3: both tickets unbonded
    let domain = w.d.keys.domain;
    // The ticket's stake came from stake added in epoch 0: its epochs are 1 and 0.
    let ticket = w.ticket(&s, 1).await;
    assert_eq!((ticket.epoch, ticket.pending_epoch), (1, 0));
    let mut ix = w.withdraw_ix(&s, 1).await;
    swap(&mut ix, pda::epoch(&domain, 1), pda::epoch(&domain, 2));
    w.env
        .fails_with(&[ix], &[&s.kp], code(E::TicketMismatch))
        .await;
    let mut ix = w.withdraw_ix(&s, 1).await;
    swap(&mut ix, pda::epoch(&domain, 0), pda::epoch(&domain, 2));
    w.env
        .fails_with(&[ix], &[&s.kp], code(E::TicketMismatch))
        .await;
    let mut ix = w.withdraw_ix(&s, 1).await;
    let position = |k: &Keypair| pda::stake_position(&domain, &k.pubkey());
    swap(
        &mut ix,
        pda::unstake_ticket(&position(&s.kp), 1),
        pda::unstake_ticket(&position(&t.kp), 1),
    );
    w.env
        .fails_with(&[ix], &[&s.kp], code(E::NotStakeOwner))
        .await;
    let ix = w.withdraw_ix(&s, 1).await;
    let ev: StakeWithdrawn = w.env.ok_event(&[ix], &[&s.kp]).await;
    assert_eq!((ev.amount, ev.ticket_closed), (400, false));
    w.check(&[&s, &t]).await;
}

/// A request lands only in the open epoch's ticket: another epoch's ticket address is
/// refused by its seeds.
#[tokio::test]
async fn request_unstake_into_another_epochs_ticket_fails() {
    let mut w = world().await;
    let s = w.staker(1_000).await;
    let ix = w.stake_ix(&s, 1_000).await;
    w.env.ok(&[ix], &[&s.kp]).await;
    w.close().await; // epoch 1
    let keys = w.keys(&s).await;
    for epoch in [0, 2] {
        let ix = ix::request_unstake(w.d.keys.domain, &keys, epoch, 10);
        w.env.fails_with(&[ix], &[&s.kp], anchor_code::SEEDS).await;
    }
    let ix = ix::request_unstake(w.d.keys.domain, &keys, 1, 10);
    w.env.ok(&[ix], &[&s.kp]).await;
}
