//! The keeper bot (`app/keeper`) on the in-process runtime: one pass does the whole crank
//! exactly as the harness does it by hand; a second pass finds nothing to do; a keeper
//! stopped anywhere and started again ends in the same state; two keepers at once do
//! too, the slower one's redundant steps reported as raced.
use deepnode::state::{Domain, RewardBalance, Settlement};
use deepnode_keeper::{Action, Keeper, Options, Outcome, Step, Summary};
use deepnode_sdk::cluster::{all, Cluster, ClusterError};
use deepnode_sdk::crank::Snapshot;
use deepnode_tests::cluster::InProcess;
use deepnode_tests::fixtures::default_settings;
use deepnode_tests::tokens::TOKEN;
use solana_sdk::account::Account;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::AddressLookupTableAccount;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature};
use solana_sdk::signer::Signer;

use crate::common::World;

/// Two domains (SPL revenue, and DN), three validators and three miners each. In the
/// open epoch the consumer pays through both shards; miners 0 and 1 are attested by all
/// three validators, miner 2 by one only (below the quorum of 2). Then the clock passes
/// the epoch's end.
async fn busy_world() -> World {
    let mut w = World::new(None, None).await;
    for dn in [false, true] {
        w.domain(dn, TOKEN, &[], default_settings(), 3, 100_000, 3)
            .await;
    }
    for k in 0..2 {
        w.pay(k, 10_000_000, 0).await;
        w.pay(k, 5_000_000, 1).await;
        for v in 0..3 {
            w.attest(k, v, 0, 100 + v as u64).await;
            w.attest(k, v, 1, 300).await;
        }
        w.attest(k, 0, 2, 50).await;
    }
    pass_epoch_end(&mut w).await;
    w
}

/// Moves the clock past every open epoch's end and grace window.
async fn pass_epoch_end(w: &mut World) {
    let secs = i64::from(default_settings().epoch_secs) + deepnode_tests::fixtures::GRACE_SECS;
    w.env.advance(secs + 1).await;
}

/// A funded keeper on the world's runtime.
async fn keeper(w: &mut World) -> InProcess {
    let kp = Keypair::new();
    w.env.airdrop(&kp.pubkey(), 10_000_000_000).await;
    w.env.cluster(&kp)
}

/// One pass with `options`; every action kept.
async fn pass<C: Cluster>(c: &mut C, options: Options) -> (Summary, Vec<Action>) {
    let mut actions = Vec::new();
    let mut emit = |a: &Action| actions.push(a.clone());
    let summary = Keeper::pass(c, options, &mut emit)
        .await
        .unwrap_or_else(|e| panic!("keeper pass: {e}"));
    (summary, actions)
}

/// The world's view of each domain's open epoch follows the chain after a keeper pass.
async fn follow(w: &mut World) {
    for k in 0..w.doms.len() {
        let d: Domain = w.env.get(w.doms[k].d.keys.domain).await;
        w.doms[k].d.keys.epoch = d.current_epoch;
    }
    w.check().await;
}

/// What the crank left: each domain's settlement of the busy epoch (who settled it
/// aside) and every credited balance not owned by `keepers`, as sorted amounts.
async fn outcome(w: &mut World, e: u64, keepers: &[Pubkey]) -> (Vec<Settlement>, Vec<(u64, u64)>) {
    let mut settlements = Vec::new();
    for k in 0..w.doms.len() {
        let mut s = w.book(k, e).await.settlement;
        s.settled_by = Pubkey::default();
        settlements.push(s);
    }
    let mut c = w.env.cluster(&w.keeper);
    let mut balances: Vec<(u64, u64)> = all::<RewardBalance>(&mut c)
        .await
        .expect("balances")
        .into_iter()
        .filter(|(_, b)| !keepers.contains(&b.recipient) && b.recipient != w.keeper.pubkey())
        .map(|(_, b)| (b.dn_credited, b.rev_credited))
        .collect();
    balances.sort();
    (settlements, balances)
}

/// The busy epoch cranked by hand with the harness (close, finalise, settle, credit
/// every line): the reference every keeper run must match.
async fn by_hand() -> (Vec<Settlement>, Vec<(u64, u64)>) {
    let mut w = busy_world().await;
    let mut e = 0;
    for k in 0..2 {
        w.crank(k).await;
        e = w.doms[k].d.keys.epoch - 1;
        w.credit_all(k, e).await;
    }
    outcome(&mut w, e, &[]).await
}

/// The busy epoch's index (both domains open it at the same index).
async fn busy_epoch(w: &mut World) -> u64 {
    let d: Domain = w.env.get(w.doms[0].d.keys.domain).await;
    d.current_epoch
}

#[tokio::test]
async fn one_pass_cranks_like_the_harness_and_a_second_finds_nothing() {
    let reference = by_hand().await;
    let mut w = busy_world().await;
    let e = busy_epoch(&mut w).await;
    let mut c = keeper(&mut w).await;
    let push = Options {
        push: true,
        dry_run: false,
        lookup_tables: true,
    };
    let (s, actions) = pass(&mut c, push).await;
    follow(&mut w).await;
    // Per domain: the busy epoch closed, its 2 quorate records finalised, its pools
    // collected and settled; 8 lines credited (2 miners, 3 validators, the model owner,
    // the domain owner, the foundation); the two set-up epochs (0 and 1) are past their
    // one-epoch claim window and swept; closed: the shard counters of epochs 0, 1 and the
    // busy one (2 each) and the record below quorum.
    assert_eq!(
        (
            s.epochs_closed,
            s.records_finalised,
            s.epochs_settled,
            s.lines_credited
        ),
        (2, 4, 2, 16)
    );
    assert_eq!((s.epochs_swept, s.accounts_closed), (4, 14));
    assert_eq!((s.failed, s.raced, s.would_send), (0, 0, 0));
    assert_eq!(s.sent, actions.len());
    assert!(actions
        .iter()
        .all(|a| matches!(a.outcome, Outcome::Sent { .. })));
    // The keeper settled both epochs and earned the tip of each.
    let tip_max = w
        .env
        .get::<deepnode::state::Config>(deepnode_sdk::pda::config())
        .await
        .bounds
        .keeper_tip_max;
    assert_eq!(s.tips, 2 * tip_max);
    assert_eq!(outcome(&mut w, e, &[c.payer()]).await, reference);
    // Nothing left: a second pass sends nothing.
    let (again, actions) = pass(&mut c, push).await;
    assert_eq!(again, Summary::default(), "second pass: {actions:?}");
}

#[tokio::test]
async fn dry_run_reports_and_sends_nothing() {
    let mut w = busy_world().await;
    let mut c = keeper(&mut w).await;
    let before = busy_epoch(&mut w).await;
    let (s, actions) = pass(
        &mut c,
        Options {
            push: true,
            dry_run: true,
            lookup_tables: true,
        },
    )
    .await;
    // The chain has not moved, so the pass plans the closes, the sweeps of the two
    // expired set-up epochs per domain and the closes of their shard counters.
    assert_eq!(busy_epoch(&mut w).await, before);
    assert_eq!(s.sent, 0);
    assert_eq!(s.would_send, actions.len());
    let closes: Vec<u64> = actions
        .iter()
        .filter(|a| a.step == Step::CloseEpoch)
        .map(|a| a.domain)
        .collect();
    assert_eq!(closes.len(), 2);
    assert!(actions.iter().all(|a| a.outcome == Outcome::DryRun));
}

/// The runtime as a keeper sees it when things go wrong: it stops after `left`
/// transactions (a keeper process killed mid-pass), and when `frozen` holds a snapshot,
/// every scan of the program's accounts returns it (a keeper planning from stale state;
/// its single-account reads stay live).
struct Faulty {
    inner: InProcess,
    left: usize,
    frozen: Option<Vec<(Pubkey, Account)>>,
}

impl Cluster for Faulty {
    fn payer(&self) -> Pubkey {
        self.inner.payer()
    }
    async fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ClusterError> {
        self.inner.account(key).await
    }
    async fn program_accounts(
        &mut self,
        discriminator: &[u8],
    ) -> Result<Vec<(Pubkey, Account)>, ClusterError> {
        match &self.frozen {
            Some(frozen) => Ok(frozen
                .iter()
                .filter(|(_, a)| a.data.starts_with(discriminator))
                .cloned()
                .collect()),
            None => self.inner.program_accounts(discriminator).await,
        }
    }
    async fn now(&mut self) -> Result<i64, ClusterError> {
        self.inner.now().await
    }
    async fn lookup_tables(
        &mut self,
        authority: &Pubkey,
    ) -> Result<Vec<(Pubkey, Account)>, ClusterError> {
        self.inner.lookup_tables(authority).await
    }
    async fn simulate(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<u64, ClusterError> {
        self.inner.simulate(instructions, signers, tables).await
    }
    async fn send_exactly(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<Signature, ClusterError> {
        if self.left == 0 {
            return Err(ClusterError::Transport("keeper stopped".into()));
        }
        self.left -= 1;
        self.inner.send_exactly(instructions, signers, tables).await
    }
}

#[tokio::test]
async fn a_keeper_stopped_anywhere_and_restarted_ends_in_the_same_state() {
    let reference = by_hand().await;
    let push = Options {
        push: true,
        dry_run: false,
        lookup_tables: true,
    };
    // Stop after the first close, in the middle of finalising, right after a
    // settlement, and in the middle of crediting.
    for stop_after in [1, 3, 6, 9] {
        let mut w = busy_world().await;
        let e = busy_epoch(&mut w).await;
        let inner = keeper(&mut w).await;
        let payer = inner.payer();
        let mut stopping = Faulty {
            inner,
            left: stop_after,
            frozen: None,
        };
        let mut actions = Vec::new();
        let mut emit = |a: &Action| actions.push(a.clone());
        let stopped = Keeper::pass(&mut stopping, push, &mut emit).await;
        assert!(
            matches!(
                stopped,
                Err(deepnode_keeper::PassError::Cluster(
                    ClusterError::Transport(_)
                ))
            ),
            "stop after {stop_after}: {stopped:?}"
        );
        assert_eq!(actions.len(), stop_after);
        follow(&mut w).await;
        // Restarted: it finishes the job, and its next pass finds nothing to do.
        let mut c = stopping.inner;
        let (s, rest) = pass(&mut c, push).await;
        assert_eq!(
            (s.failed, s.raced),
            (0, 0),
            "stop after {stop_after}: {rest:?}"
        );
        follow(&mut w).await;
        assert_eq!(
            outcome(&mut w, e, &[payer]).await,
            reference,
            "stop after {stop_after}"
        );
        assert_eq!(pass(&mut c, push).await.0, Summary::default());
    }
}

#[tokio::test]
async fn two_keepers_at_once_end_in_the_same_state() {
    let reference = by_hand().await;
    let push = Options {
        push: true,
        dry_run: false,
        lookup_tables: true,
    };
    // The keepers interleave at every await of the runtime's client, which depends on
    // timing: three rounds explore three interleavings.
    for round in 0..3 {
        let mut w = busy_world().await;
        let e = busy_epoch(&mut w).await;
        let mut a = keeper(&mut w).await;
        let mut b = keeper(&mut w).await;
        let keepers = [a.payer(), b.payer()];
        let (ra, rb) = tokio::join!(pass(&mut a, push), pass(&mut b, push));
        follow(&mut w).await;
        // Whatever the interleaving, nothing fails for another reason than a step done
        // first by the other keeper, and every step landed exactly once.
        let (sa, sb) = (ra.0, rb.0);
        assert_eq!(
            (sa.failed, sb.failed),
            (0, 0),
            "round {round}: {:?} {:?}",
            ra.1,
            rb.1
        );
        assert_eq!(sa.epochs_closed + sb.epochs_closed, 2);
        assert_eq!(sa.records_finalised + sb.records_finalised, 4);
        assert_eq!(sa.epochs_settled + sb.epochs_settled, 2);
        assert_eq!(sa.lines_credited + sb.lines_credited, 16);
        assert_eq!(sa.epochs_swept + sb.epochs_swept, 4);
        assert_eq!(sa.accounts_closed + sb.accounts_closed, 14);
        assert_eq!(
            outcome(&mut w, e, &keepers).await,
            reference,
            "round {round}"
        );
        for c in [&mut a, &mut b] {
            assert_eq!(pass(c, push).await.0, Summary::default(), "round {round}");
        }
    }
}

#[tokio::test]
async fn a_keeper_planning_from_stale_state_reports_every_step_as_raced() {
    let mut w = busy_world().await;
    let mut b = keeper(&mut w).await;
    let frozen = b.program_accounts(&[]).await.expect("snapshot");
    let mut a = keeper(&mut w).await;
    let push = Options {
        push: true,
        dry_run: false,
        lookup_tables: true,
    };
    let (done, _) = pass(&mut a, push).await;
    assert_eq!((done.epochs_closed, done.epochs_swept), (2, 4));
    let mut stale = Faulty {
        inner: b,
        left: usize::MAX,
        frozen: Some(frozen),
    };
    let (s, actions) = pass(&mut stale, push).await;
    // From the old state it closes the busy epoch of each domain (the domain has moved
    // on) and closes the shard counters of epochs 0 and 1 (already closed): each refused
    // by the program, each reported as raced. It plans no sweep: in the old state epoch
    // 0, settled once epoch 1 had closed, has its claim window counted from epoch 1
    // (§5), so it was not yet sweepable there.
    let steps: Vec<(u64, u64, Step)> = actions
        .iter()
        .map(|a| (a.domain, a.epoch, a.step))
        .collect();
    assert_eq!(
        steps,
        [
            (0, 2, Step::CloseEpoch),
            (1, 2, Step::CloseEpoch),
            (0, 0, Step::CloseAccounts),
            (0, 1, Step::CloseAccounts),
            (1, 0, Step::CloseAccounts),
            (1, 1, Step::CloseAccounts),
        ]
    );
    assert!(actions
        .iter()
        .all(|a| matches!(a.outcome, Outcome::Raced { .. })));
    assert_eq!((s.raced, s.sent, s.failed), (6, 0, 0));
    follow(&mut w).await;
}

/// Miners of the crowded domain.
const CROWD: usize = 20;

/// One SPL-paid domain with three validators and [`CROWD`] miners, its keeper's key
/// funded: enough credit lines per epoch that a lookup table fits more of them.
async fn crowded_world() -> (World, Keypair) {
    let mut w = World::new(None, None).await;
    w.domain(false, TOKEN, &[], default_settings(), 3, 100_000, CROWD)
        .await;
    let kp = Keypair::new();
    w.env.airdrop(&kp.pubkey(), 10_000_000_000).await;
    (w, kp)
}

/// The open epoch's work: the consumer pays through both shards, every validator attests
/// every miner; then the clock passes the epoch's end.
async fn crowded_epoch(w: &mut World) {
    w.pay(0, 10_000_000, 0).await;
    w.pay(0, 5_000_000, 1).await;
    for m in 0..w.doms[0].miners.len() {
        for v in 0..3 {
            w.attest(0, v, m, 100).await;
        }
    }
    pass_epoch_end(w).await;
}

/// The credit transactions of a pass: (lines, v0) each.
fn credits(actions: &[Action]) -> Vec<(usize, bool)> {
    actions
        .iter()
        .filter(|a| a.step == Step::CreditPayouts)
        .map(|a| (a.items, a.v0))
        .collect()
}

/// A domain whose credit lines overflow a legacy transaction gets a lookup table: the
/// keeper creates it in the pass that first needs it (its addresses become usable in the
/// next slot, so that pass still credits in legacy batches), and a later pass, by a
/// keeper that kept nothing but its key, finds it again and credits through it, adding
/// a newcomer's addresses first. Every balance ends as with a keeper that keeps no table.
#[tokio::test]
async fn a_crowded_domain_gets_a_lookup_table_and_later_passes_credit_through_it() {
    let mut runs = Vec::new();
    for tables in [false, true] {
        let (mut w, kp) = crowded_world().await;
        let options = Options {
            push: true,
            dry_run: false,
            lookup_tables: tables,
        };
        crowded_epoch(&mut w).await;
        let (first, first_actions) = pass(&mut w.env.cluster(&kp), options).await;
        follow(&mut w).await;
        // A newcomer joins; the next epoch has 21 miners.
        let newcomer = w.env.miner(&w.doms[0].d).await;
        w.doms[0].miners.push(newcomer);
        crowded_epoch(&mut w).await;
        w.env.next_slot().await;
        let (second, second_actions) = pass(&mut w.env.cluster(&kp), options).await;
        follow(&mut w).await;
        let (_, balances) = outcome(&mut w, 0, &[kp.pubkey()]).await;
        runs.push((first, first_actions, second, second_actions, balances));
    }
    let [(l1, la1, l2, la2, legacy_balances), (t1, ta1, t2, ta2, table_balances)] =
        <[_; 2]>::try_from(runs).unwrap_or_else(|_| unreachable!());
    // Lines per epoch: 20 miners, 3 validators, the model owner, the domain owner and
    // the foundation (26; 27 with the newcomer), in that order. A legacy transaction,
    // its compute-unit limit included, carries 7 miner lines (3 new keys each); the
    // smaller lines after the miners pack tighter: 6 miners and 2 validators (2 keys
    // each) make 8, then the last validator, the model owner, the domain owner and the
    // foundation. With 21 miners: 7 of them and a validator make 8, then the last five
    // lines.
    assert_eq!(
        credits(&la1),
        [(7, false), (7, false), (8, false), (4, false)]
    );
    assert_eq!(credits(&ta1), credits(&la1));
    assert_eq!(
        credits(&la2),
        [(7, false), (7, false), (8, false), (5, false)]
    );
    // The table: created with its first extension in one transaction, then extended.
    // It holds the domain's key first, then what credit lines name every epoch: config,
    // system program and event authority, each miner's PDA and reward balance, the rent
    // payer of the records (validator 0), each validator's PDA and reward balance, the
    // model, its owner's and the domain owner's reward balances, the consumer (the
    // model records' rent payer), the foundation's account and reward balance:
    // 1 + 3 + 40 + 1 + 6 + 1 + 2 + 1 + 2 = 57 addresses.
    let table_steps: Vec<(Step, usize)> = ta1
        .iter()
        .filter(|a| matches!(a.step, Step::CreateTable | Step::ExtendTable))
        .map(|a| (a.step, a.items))
        .collect();
    // A legacy transaction creating the table and extending it, with its compute-unit
    // limit: 32 bytes per address, 28 fit in 1,232; the other 29 go in one extension
    // (without the creation, up to 29 fit).
    assert_eq!(
        table_steps,
        [(Step::CreateTable, 28), (Step::ExtendTable, 29)]
    );
    assert_eq!((t1.tables_created, t1.table_addresses), (1, 57));
    assert_eq!((l1.tables_created, l1.table_addresses), (0, 0));
    // The second pass adds the newcomer's PDA and reward balance, which this slot cannot
    // use yet, and sends 27 lines: two v0 transactions at the program's cap of 13, and
    // the last line alone in a legacy one (a table gains it nothing).
    assert_eq!((t2.tables_created, t2.table_addresses), (0, 2));
    assert_eq!(
        ta2.iter()
            .filter(|a| a.step == Step::ExtendTable)
            .map(|a| a.items)
            .collect::<Vec<_>>(),
        [2]
    );
    assert_eq!(credits(&ta2), [(13, true), (13, true), (1, false)]);
    // Everything else is the same transactions, and nothing failed.
    let others = |actions: &[Action]| -> Vec<(Step, usize)> {
        actions
            .iter()
            .filter(|a| {
                !matches!(
                    a.step,
                    Step::CreditPayouts | Step::CreateTable | Step::ExtendTable
                )
            })
            .map(|a| (a.step, a.items))
            .collect()
    };
    assert_eq!(others(&ta1), others(&la1));
    assert_eq!(others(&ta2), others(&la2));
    for s in [&l1, &l2, &t1, &t2] {
        assert_eq!((s.failed, s.raced), (0, 0));
    }
    assert_eq!((t2.lines_credited, l2.lines_credited), (27, 27));
    assert_eq!(table_balances, legacy_balances);
}

/// A snapshot of the in-process runtime reads accounts one by one, so another keeper can
/// settle an epoch between its book and its epoch account: such a book (no settler, no
/// window yet) beside a settled epoch is not taken for an expired epoch (the sweep it
/// would plan fails with ClaimWindowOpen; two keepers at once met it).
#[tokio::test]
async fn a_book_read_before_its_settlement_does_not_look_expired() {
    let mut w = busy_world().await;
    let e = busy_epoch(&mut w).await;
    let domain = w.doms[0].d.keys.domain;
    let mut c = keeper(&mut w).await;
    let book_key = deepnode_sdk::pda::epoch_book(&domain, e);
    let before = c.account(&book_key).await.expect("read").expect("the book");
    w.crank(0).await;
    let mut accounts = c.program_accounts(&[]).await.expect("scan");
    for (key, account) in accounts.iter_mut() {
        if *key == book_key {
            *account = before.clone();
        }
    }
    let torn =
        Snapshot::from_accounts(accounts.iter().map(|(k, a)| (*k, a.data.as_slice()))).unwrap();
    let fresh = deepnode_keeper::fetch(&mut c).await.unwrap();
    let d: Domain = w.env.get(domain).await;
    let window = d.settings.claim_window_epochs;
    // Both read the epoch as settled; the torn one holds the book from before.
    for snap in [&torn, &fresh] {
        assert_eq!(snap.settled(&domain).last(), Some(&e));
    }
    assert_eq!(torn.books[&(domain, e)].settlement.window_from, 0);
    // Read by the window alone, that book would be past its window...
    assert_eq!(
        deepnode_math::claim_window_open(d.current_epoch, 0, window),
        Ok(false)
    );
    // ...but it is not taken for expired, and neither is the fresh one (its window
    // counts from the epoch it was settled after).
    assert!(!torn.expired(&domain, e));
    assert_eq!(fresh.books[&(domain, e)].settlement.window_from, e);
    assert!(!fresh.expired(&domain, e));
}
