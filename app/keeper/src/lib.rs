//! The keeper bot's logic: one pass reads every program account, works out what the
//! crank has left to do in every domain, sends it in full batches, and reports each
//! action. Fetch → fire → emit: every step is idempotent on chain, so two keepers may run
//! at once and a keeper may stop anywhere and start again; a step another keeper did
//! first fails with an "already done" error and is reported as raced, not failed.
#![deny(missing_docs)]

use std::fmt;

use anchor_lang::prelude::Pubkey;
use deepnode::layouts;
use deepnode::state::{Config, EpochBook, StakePool};
use deepnode_sdk::cluster::{clock, read, Cluster, ClusterError, DONE_BY_ANOTHER};
use deepnode_sdk::compute;
use deepnode_sdk::crank::Snapshot;
use deepnode_sdk::ix::{self, DnKeys, DomainKeys, SettleKeys};
use deepnode_sdk::limits::{pack, pack_with, Batch};
use deepnode_sdk::pda;
use deepnode_sdk::tables::{self, Table};
use serde::Serialize;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::AddressLookupTableAccount;

/// What became of a fired transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fired {
    /// Processed.
    Landed,
    /// Another keeper did it first.
    Raced,
    /// Refused.
    Failed,
    /// Not sent (dry run).
    Planned,
}

/// How a keeper behaves.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Also push every payout into its recipient's balance (`credit_payouts`); otherwise
    /// recipients pull their own.
    pub push: bool,
    /// Report what would be sent, send nothing.
    pub dry_run: bool,
    /// Keep an address lookup table per domain (created and extended by the keeper,
    /// which pays their rent) and send a batch as a v0 transaction through it wherever
    /// that fits more items than a legacy one.
    pub lookup_tables: bool,
}

/// A crank step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// `close_epoch`.
    CloseEpoch,
    /// `finalise_work`.
    FinaliseWork,
    /// `fund_reward_vault`.
    FundRewardVault,
    /// `settle_epoch`.
    SettleEpoch,
    /// `credit_payouts`.
    CreditPayouts,
    /// `sweep_epoch`.
    SweepEpoch,
    /// `close_accounts`.
    CloseAccounts,
    /// `create_lookup_table` (with the table's first extension).
    #[serde(rename = "create_lookup_table")]
    CreateTable,
    /// `extend_lookup_table`.
    #[serde(rename = "extend_lookup_table")]
    ExtendTable,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Step::CloseEpoch => "close_epoch",
            Step::FinaliseWork => "finalise_work",
            Step::FundRewardVault => "fund_reward_vault",
            Step::SettleEpoch => "settle_epoch",
            Step::CreditPayouts => "credit_payouts",
            Step::SweepEpoch => "sweep_epoch",
            Step::CloseAccounts => "close_accounts",
            Step::CreateTable => "create_lookup_table",
            Step::ExtendTable => "extend_lookup_table",
        };
        f.write_str(name)
    }
}

/// What became of an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// Sent and processed.
    Sent {
        /// The transaction's signature.
        signature: String,
    },
    /// Not sent (dry run).
    DryRun,
    /// Another keeper did it first.
    Raced {
        /// The program error.
        error: String,
    },
    /// Refused.
    Failed {
        /// Why.
        error: String,
    },
}

/// One transaction a pass sent (or would send).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    /// The domain's id.
    pub domain: u64,
    /// The epoch.
    pub epoch: u64,
    /// The step.
    pub step: Step,
    /// Records, shards, lines, accounts or table addresses it carries (1 for single
    /// steps).
    pub items: usize,
    /// Whether it went as a v0 transaction through the domain's lookup tables.
    pub v0: bool,
    /// What became of it.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Totals of one pass.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Transactions sent and processed.
    pub sent: usize,
    /// Transactions refused.
    pub failed: usize,
    /// Transactions another keeper made redundant.
    pub raced: usize,
    /// Transactions a dry run would send.
    pub would_send: usize,
    /// Epochs closed.
    pub epochs_closed: usize,
    /// Records finalised.
    pub records_finalised: usize,
    /// Epochs settled.
    pub epochs_settled: usize,
    /// Credit lines pushed.
    pub lines_credited: usize,
    /// Epochs swept.
    pub epochs_swept: usize,
    /// Accounts closed.
    pub accounts_closed: usize,
    /// DN tips earned by settling (credited to the keeper's balance).
    pub tips: u64,
    /// Lookup tables created.
    pub tables_created: usize,
    /// Addresses added to lookup tables.
    pub table_addresses: usize,
}

/// Why a pass stopped early.
#[derive(Debug)]
pub enum PassError {
    /// The cluster could not be read or reached.
    Cluster(ClusterError),
    /// No DeepNode configuration at this cluster.
    NotInitialised,
}

impl fmt::Display for PassError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PassError::Cluster(e) => write!(f, "{e}"),
            PassError::NotInitialised => f.write_str(
                "no DeepNode configuration on this cluster: is the program deployed and \
                 initialised there (check --url)?",
            ),
        }
    }
}

impl std::error::Error for PassError {}

impl From<ClusterError> for PassError {
    fn from(e: ClusterError) -> Self {
        PassError::Cluster(e)
    }
}

/// The keeper.
pub struct Keeper<'a, C: Cluster> {
    cluster: &'a mut C,
    options: Options,
    summary: Summary,
    emit: &'a mut dyn FnMut(&Action),
    /// The keeper's lookup tables as last read (when it keeps them).
    tables: Vec<Table>,
    /// Slots this pass created a table at (one table per slot and authority).
    created_at: Vec<u64>,
}

/// Reads every program account into a snapshot.
pub async fn fetch(cluster: &mut impl Cluster) -> Result<Snapshot, ClusterError> {
    let accounts = cluster.program_accounts(&[]).await?;
    Snapshot::from_accounts(accounts.iter().map(|(k, a)| (*k, a.data.as_slice())))
        .map_err(|(key, reason)| ClusterError::Decode { key, reason })
}

/// Domains in id order: (id, key, keys for instructions).
fn domains(s: &Snapshot) -> Vec<(u64, Pubkey, DomainKeys)> {
    let mut out: Vec<_> = s
        .domains
        .iter()
        .filter(|(_, d)| d.is_ready())
        .map(|(k, d)| (d.id, *k, DomainKeys::new(*k, d)))
        .collect();
    out.sort_by_key(|(id, _, _)| *id);
    out
}

impl<'a, C: Cluster> Keeper<'a, C> {
    /// Runs one pass over every domain on `cluster`, calling `emit` for each action.
    pub async fn pass(
        cluster: &'a mut C,
        options: Options,
        emit: &'a mut dyn FnMut(&Action),
    ) -> Result<Summary, PassError> {
        let mut k = Keeper {
            cluster,
            options,
            summary: Summary::default(),
            emit,
            tables: Vec::new(),
            created_at: Vec::new(),
        };
        k.run().await?;
        Ok(k.summary)
    }

    /// Sends `ix` (unless dry-running), reports it, and returns what became of it.
    /// `gone` names the accounts whose disappearance after a refusal means another
    /// keeper closed them first (for `close_accounts`).
    async fn fire(
        &mut self,
        at: (u64, Pubkey),
        epoch: u64,
        step: Step,
        items: (usize, &[Pubkey]),
        ix: Instruction,
    ) -> Result<Fired, PassError> {
        self.fire_all(at, epoch, step, items, (&[ix], &[])).await
    }

    /// Sends the batches [`pack_with`] made of `items`, in order: a batch that another
    /// keeper raced, or that the program refused, goes again item by item (`one` builds
    /// an item's instruction), so that the rest are not held back. Returns how many items
    /// landed.
    async fn fire_batches<T>(
        &mut self,
        (at, epoch, step): ((u64, Pubkey), u64, Step),
        batches: Vec<Batch>,
        items: &[T],
        tables: &[AddressLookupTableAccount],
        one: impl Fn(&T) -> Instruction,
    ) -> Result<usize, PassError> {
        let mut landed = 0;
        let mut rest = items;
        for b in batches {
            let n = b.items;
            let (batch, next) = rest.split_at(n);
            rest = next;
            match self.fire_batch(at, epoch, step, &b, tables).await? {
                Fired::Landed => landed += n,
                Fired::Raced | Fired::Failed if n > 1 => {
                    for item in batch {
                        let fired = self.fire(at, epoch, step, (1, &[]), one(item)).await?;
                        if fired == Fired::Landed {
                            landed += 1;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(landed)
    }

    /// Sends one batch of [`pack_with`]: through the domain's tables when it is a v0
    /// one.
    async fn fire_batch(
        &mut self,
        at: (u64, Pubkey),
        epoch: u64,
        step: Step,
        batch: &Batch,
        tables: &[AddressLookupTableAccount],
    ) -> Result<Fired, PassError> {
        let tables = if batch.v0 { tables } else { &[] };
        let ixs = std::slice::from_ref(&batch.ix);
        self.fire_all(at, epoch, step, (batch.items, &[]), (ixs, tables))
            .await
    }

    /// Sends `ixs` in one transaction (v0 through `tables` when any), reports it, and
    /// returns what became of it.
    async fn fire_all(
        &mut self,
        (domain, key): (u64, Pubkey),
        epoch: u64,
        step: Step,
        (items, gone): (usize, &[Pubkey]),
        (ixs, tables): (&[Instruction], &[AddressLookupTableAccount]),
    ) -> Result<Fired, PassError> {
        let outcome = if self.options.dry_run {
            self.summary.would_send += 1;
            Outcome::DryRun
        } else {
            match self.cluster.send_with_tables(ixs, &[], tables).await {
                Ok(sig) => {
                    self.summary.sent += 1;
                    Outcome::Sent {
                        signature: sig.to_string(),
                    }
                }
                Err(e @ ClusterError::Transport(_)) => return Err(e.into()),
                Err(e) if e.is_any(&DONE_BY_ANOTHER) => {
                    self.summary.raced += 1;
                    Outcome::Raced {
                        error: e.to_string(),
                    }
                }
                // The epoch account named is no longer the open one: another keeper
                // closed it first (the program refuses it by its seeds).
                Err(e) if step == Step::CloseEpoch && self.closed_since(&key, epoch).await? => {
                    self.summary.raced += 1;
                    Outcome::Raced {
                        error: e.to_string(),
                    }
                }
                // The epoch is settled: another keeper finalised, collected or settled
                // it first (the program then refuses these steps as out of order).
                Err(e)
                    if matches!(
                        step,
                        Step::FinaliseWork | Step::FundRewardVault | Step::SettleEpoch
                    ) && self.settled_since(&key, epoch).await? =>
                {
                    self.summary.raced += 1;
                    Outcome::Raced {
                        error: e.to_string(),
                    }
                }
                // An account of the batch is gone: another keeper closed it first.
                Err(e) if self.any_gone(gone).await? => {
                    self.summary.raced += 1;
                    Outcome::Raced {
                        error: e.to_string(),
                    }
                }
                Err(e) => {
                    self.summary.failed += 1;
                    Outcome::Failed {
                        error: e.to_string(),
                    }
                }
            }
        };
        let fired = match outcome {
            Outcome::Sent { .. } => Fired::Landed,
            Outcome::Raced { .. } => Fired::Raced,
            Outcome::Failed { .. } => Fired::Failed,
            Outcome::DryRun => Fired::Planned,
        };
        (self.emit)(&Action {
            domain,
            epoch,
            step,
            items,
            v0: !tables.is_empty(),
            outcome,
        });
        Ok(fired)
    }

    /// Reads the keeper's lookup tables again.
    async fn read_tables(&mut self) -> Result<(), PassError> {
        let payer = self.cluster.payer();
        let mut read = Vec::new();
        for (key, account) in self.cluster.lookup_tables(&payer).await? {
            read.push(Table::decode(key, &account.data)?);
        }
        self.tables = read;
        Ok(())
    }

    /// `domain`'s tables as a transaction sent now may load from them: the addresses
    /// extended before the current slot (none when the keeper keeps no tables).
    async fn usable(
        &mut self,
        domain: &Pubkey,
    ) -> Result<Vec<AddressLookupTableAccount>, PassError> {
        if !self.options.lookup_tables || self.tables.is_empty() {
            return Ok(Vec::new());
        }
        let slot = clock(self.cluster).await?.slot;
        let payer = self.cluster.payer();
        Ok(tables::of_domain(&self.tables, &payer, domain)
            .iter()
            .map(|t| t.usable(slot))
            .filter(|t| !t.addresses.is_empty())
            .collect())
    }

    /// A recent slot (listed in `SlotHashes`) at which no table of this keeper exists
    /// yet, with the instruction creating a table there and its address.
    async fn free_slot(&mut self) -> Result<Option<(u64, Instruction, Pubkey)>, PassError> {
        let payer = self.cluster.payer();
        let key = solana_sdk::sysvar::slot_hashes::ID;
        let Some(hashes) = self.cluster.account(&key).await? else {
            return Ok(None);
        };
        for slot in tables::recent_slots(&hashes.data) {
            if self.created_at.contains(&slot) {
                continue;
            }
            let (ix, table) = tables::create(payer, slot);
            if self.cluster.account(&table).await?.is_none() {
                return Ok(Some((slot, ix, table)));
            }
        }
        Ok(None)
    }

    /// Makes `domain`'s tables hold `wanted`: fills the tables it has, then creates
    /// tables (the domain's key first) for the rest, one per free recent slot; whatever
    /// finds no slot waits for the next pass. Addresses added now are usable from the
    /// next slot.
    async fn grow(
        &mut self,
        (id, domain): (u64, Pubkey),
        epoch: u64,
        wanted: &[Pubkey],
    ) -> Result<(), PassError> {
        let payer = self.cluster.payer();
        let prefix = self.cluster.prefix();
        let mine = tables::of_domain(&self.tables, &payer, &domain);
        let mut missing = tables::missing(&mine, wanted);
        missing.retain(|k| *k != domain);
        let mut changed = false;
        for t in &mine {
            let n = t.room().min(missing.len());
            if n == 0 {
                continue;
            }
            let adding: Vec<Pubkey> = missing.drain(..n).collect();
            for (ix, k) in pack(&adding, n, compute::EXTEND_TABLE, &payer, &prefix, |a| {
                tables::extend(t.key, payer, a)
            }) {
                let fired = self
                    .fire((id, domain), epoch, Step::ExtendTable, (k, &[]), ix)
                    .await?;
                if fired == Fired::Landed {
                    self.summary.table_addresses += k;
                    changed = true;
                }
            }
        }
        while !missing.is_empty() {
            let Some((slot, create, table)) = self.free_slot().await? else {
                break;
            };
            self.created_at.push(slot);
            let n = (tables::MAX_ADDRESSES - 1).min(missing.len());
            let mut adding = vec![domain];
            adding.extend(missing.drain(..n));
            // The first batch goes with the table's creation; the rest, without it, fit
            // more addresses each.
            let mut with_create = prefix.clone();
            with_create.push(create.clone());
            let extend = |a: &[Pubkey]| tables::extend(table, payer, a);
            let cost = compute::EXTEND_TABLE;
            let mut batches = pack(&adding, adding.len(), cost, &payer, &with_create, extend);
            batches.truncate(1);
            let first = batches.first().map_or(0, |(_, k)| *k);
            let rest = &adding[first..];
            batches.extend(pack(rest, rest.len(), cost, &payer, &prefix, extend));
            for (i, (ix, k)) in batches.into_iter().enumerate() {
                let (step, ixs) = if i == 0 {
                    (Step::CreateTable, vec![create.clone(), ix])
                } else {
                    (Step::ExtendTable, vec![ix])
                };
                let fired = self
                    .fire_all((id, domain), epoch, step, (k, &[]), (&ixs, &[]))
                    .await?;
                if fired != Fired::Landed {
                    break;
                }
                self.summary.tables_created += usize::from(i == 0);
                self.summary.table_addresses += k;
                changed = true;
            }
        }
        if changed {
            self.read_tables().await?;
        }
        Ok(())
    }

    /// Whether any of `keys` no longer exists (false for none).
    async fn any_gone(&mut self, keys: &[Pubkey]) -> Result<bool, PassError> {
        for key in keys {
            if self.cluster.account(key).await?.is_none() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether epoch `epoch` of `domain` is settled.
    async fn settled_since(&mut self, domain: &Pubkey, epoch: u64) -> Result<bool, PassError> {
        let e: Option<deepnode::state::Epoch> =
            read(self.cluster, &pda::epoch(domain, epoch)).await?;
        Ok(e.is_some_and(|e| e.status == deepnode::state::EpochStatus::Settled))
    }

    /// Whether `domain` has moved past `epoch` (it was closed).
    async fn closed_since(&mut self, domain: &Pubkey, epoch: u64) -> Result<bool, PassError> {
        let d: Option<deepnode::state::Domain> = read(self.cluster, domain).await?;
        Ok(d.is_some_and(|d| d.current_epoch > epoch))
    }

    /// One pass, phase by phase, each on a fresh read of what the previous one left
    /// (the fetch, fire, record shape of every step is in its own method).
    async fn run(&mut self) -> Result<(), PassError> {
        if self.options.lookup_tables {
            self.read_tables().await?;
        }
        let config = self.close_due_epochs().await?;
        self.finalise_records().await?;
        let dn = DnKeys {
            mint: config.dn_mint,
            token_program: config.dn_token_program,
        };
        self.fund_and_settle(&dn).await?;
        let snap = fetch(self.cluster).await?;
        if self.options.push {
            self.push_payouts(&snap, &config).await?;
        }
        self.sweep_expired(&snap, &dn).await?;
        self.close_spent_accounts().await
    }

    /// Closes every due epoch (the next one starts at its close: one per domain); returns
    /// the config read on the way.
    async fn close_due_epochs(&mut self) -> Result<Config, PassError> {
        let payer = self.cluster.payer();
        let snap = fetch(self.cluster).await?;
        let config = snap.config.clone().ok_or(PassError::NotInitialised)?;
        let now = self.cluster.now().await?;
        for (id, key, keys) in domains(&snap) {
            if snap.close_due(&key, now) {
                let ready = snap.domains[&key].shards_ready;
                let ix = ix::close_epoch(payer, &keys, ready);
                let fired = self
                    .fire((id, key), keys.epoch, Step::CloseEpoch, (1, &[]), ix)
                    .await?;
                if fired == Fired::Landed {
                    self.summary.epochs_closed += 1;
                }
            }
        }
        Ok(config)
    }

    /// Finalises every quorate record of closed epochs, in full batches.
    async fn finalise_records(&mut self) -> Result<(), PassError> {
        let payer = self.cluster.payer();
        let prefix = self.cluster.prefix();
        let snap = fetch(self.cluster).await?;
        for (id, key, _) in domains(&snap) {
            let tables = self.usable(&key).await?;
            for e in snap.unsettled(&key) {
                let records = snap.to_finalise(&key, e);
                // Every table starts with the domain's key: load the domain-wide accounts
                // from the one table holding them all, not from several.
                let lasting = tables::lasting(|e| ix::finalise_work(payer, key, e, &[]), e);
                let tables = tables::covering(&tables, &lasting);
                let batches = pack_with(
                    &records,
                    layouts::FINALISE_WORK.max_items,
                    compute::FINALISE_WORK,
                    &payer,
                    &prefix,
                    &tables,
                    |r| ix::finalise_work(payer, key, e, r),
                );
                let at = ((id, key), e, Step::FinaliseWork);
                self.summary.records_finalised += self
                    .fire_batches(at, batches, &records, &tables, |r| {
                        ix::finalise_work(payer, key, e, std::slice::from_ref(r))
                    })
                    .await?;
            }
        }
        Ok(())
    }

    /// Funds the reward vault from every shard and settles, oldest epoch first (the
    /// program's order).
    async fn fund_and_settle(&mut self, dn: &DnKeys) -> Result<(), PassError> {
        let payer = self.cluster.payer();
        let prefix = self.cluster.prefix();
        let snap = fetch(self.cluster).await?;
        for (id, key, keys) in domains(&snap) {
            for e in snap.unsettled(&key) {
                let Some(book) = snap.books.get(&(key, e)) else {
                    break;
                };
                if book.finalised_records != book.quorate_records {
                    break;
                }
                let shards = snap.shards_to_collect(&key, e);
                let mut collected = true;
                for (ix, n) in pack(
                    &shards,
                    layouts::FUND_REWARD_VAULT.max_items,
                    compute::FUND_REWARD_VAULT,
                    &payer,
                    &prefix,
                    |s| ix::fund_reward_vault(payer, &keys, e, s),
                ) {
                    let fired = self
                        .fire((id, key), e, Step::FundRewardVault, (n, &[]), ix)
                        .await?;
                    collected &= fired == Fired::Landed;
                }
                // A dry run cannot see the pools collected: it plans no settlement.
                if !collected {
                    break;
                }
                let pool: Option<StakePool> = read(self.cluster, &pda::stake_pool(&key)).await?;
                if pool.is_some_and(|p| p.next_settle_epoch != e) {
                    break;
                }
                let Ok(settle) = SettleKeys::of(&snap.epochs[&(key, e)]) else {
                    break;
                };
                let ix = ix::settle_epoch(payer, &keys, dn, settle);
                let fired = self
                    .fire((id, key), e, Step::SettleEpoch, (1, &[]), ix)
                    .await?;
                if fired != Fired::Landed {
                    break;
                }
                self.summary.epochs_settled += 1;
                let settled: Option<EpochBook> =
                    read(self.cluster, &pda::epoch_book(&key, e)).await?;
                if let Some(b) = settled.filter(|b| b.settlement.settled_by == payer) {
                    self.summary.tips += b.settlement.tip;
                }
            }
        }
        Ok(())
    }

    /// Pushes the payouts of epochs whose claim window is open.
    async fn push_payouts(&mut self, snap: &Snapshot, config: &Config) -> Result<(), PassError> {
        let payer = self.cluster.payer();
        let prefix = self.cluster.prefix();
        let foundation = match self.cluster.account(&config.foundation).await? {
            Some(a) if a.data.len() >= 64 => Pubkey::try_from(&a.data[32..64])
                .ok()
                .map(|owner| (config.foundation, owner)),
            // No foundation account to read its owner from: its line is left out.
            _ => None,
        };
        for (id, key, _) in domains(snap) {
            for e in snap.settled(&key) {
                let swept = snap.books.get(&(key, e)).is_none_or(|b| b.settlement.swept);
                if snap.expired(&key, e) || swept {
                    continue;
                }
                let lines = snap.credit_lines(&key, e, foundation);
                let build =
                    |epoch: u64, l: &[ix::CreditLine]| ix::credit_payouts(payer, key, epoch, l);
                if self.options.lookup_tables {
                    // Tables pay where they fit more lines: the addresses a line names
                    // every epoch go in once and save bytes in every later epoch.
                    let wanted = tables::lasting(|epoch| build(epoch, &lines), e);
                    let ideal = tables::ideal(&key, &wanted);
                    let legacy = pack(
                        &lines,
                        layouts::CREDIT_MINER.max_items,
                        compute::CREDIT_PAYOUTS,
                        &payer,
                        &prefix,
                        |l| build(e, l),
                    );
                    let through = pack_with(
                        &lines,
                        layouts::CREDIT_MINER.max_items,
                        compute::CREDIT_PAYOUTS,
                        &payer,
                        &prefix,
                        &ideal,
                        |l| build(e, l),
                    );
                    if through.len() < legacy.len() {
                        self.grow((id, key), e, &wanted).await?;
                    }
                }
                let tables = self.usable(&key).await?;
                let batches = pack_with(
                    &lines,
                    layouts::CREDIT_MINER.max_items,
                    compute::CREDIT_PAYOUTS,
                    &payer,
                    &prefix,
                    &tables,
                    |l| build(e, l),
                );
                let at = ((id, key), e, Step::CreditPayouts);
                self.summary.lines_credited += self
                    .fire_batches(at, batches, &lines, &tables, |l| {
                        build(e, std::slice::from_ref(l))
                    })
                    .await?;
            }
        }
        Ok(())
    }

    /// Sweeps epochs past their claim window.
    async fn sweep_expired(&mut self, snap: &Snapshot, dn: &DnKeys) -> Result<(), PassError> {
        let payer = self.cluster.payer();
        for (id, key, keys) in domains(snap) {
            for e in snap.settled(&key) {
                let swept = snap.books.get(&(key, e)).is_none_or(|b| b.settlement.swept);
                if snap.expired(&key, e) && !swept {
                    let ix = ix::sweep_epoch(payer, &keys, dn, e);
                    let fired = self
                        .fire((id, key), e, Step::SweepEpoch, (1, &[]), ix)
                        .await?;
                    if fired == Fired::Landed {
                        self.summary.epochs_swept += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// Closes what nothing needs any more; rent goes back to whoever paid it.
    async fn close_spent_accounts(&mut self) -> Result<(), PassError> {
        let payer = self.cluster.payer();
        let prefix = self.cluster.prefix();
        let snap = fetch(self.cluster).await?;
        for (id, key, _) in domains(&snap) {
            for e in snap.settled(&key) {
                let accounts = snap.closable(&key, e);
                let mut rest = accounts.as_slice();
                for (ix, n) in pack(
                    &accounts,
                    layouts::CLOSE_ACCOUNTS.max_items,
                    compute::CLOSE_ACCOUNTS,
                    &payer,
                    &prefix,
                    |a| ix::close_accounts(payer, key, e, a),
                ) {
                    let (batch, next) = rest.split_at(n);
                    rest = next;
                    let closing: Vec<Pubkey> = batch.iter().map(|(k, _)| *k).collect();
                    match self
                        .fire((id, key), e, Step::CloseAccounts, (n, &closing), ix)
                        .await?
                    {
                        Fired::Landed => self.summary.accounts_closed += n,
                        // Another keeper closed some of them: close what it left.
                        Fired::Raced => {
                            let mut left = Vec::new();
                            for (account, payer_of) in batch {
                                if self.cluster.account(account).await?.is_some() {
                                    left.push((*account, *payer_of));
                                }
                            }
                            if left.is_empty() {
                                continue;
                            }
                            let keys: Vec<Pubkey> = left.iter().map(|(k, _)| *k).collect();
                            let ix = ix::close_accounts(payer, key, e, &left);
                            let fired = self
                                .fire((id, key), e, Step::CloseAccounts, (left.len(), &keys), ix)
                                .await?;
                            if fired == Fired::Landed {
                                self.summary.accounts_closed += left.len();
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(())
    }
}
