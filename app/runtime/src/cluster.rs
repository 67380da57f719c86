//! The in-process runtime as a [`Cluster`]: what the keeper, the CLI and their tests run
//! on. Every transaction processed through a [`Runtime`] or an [`InProcess`] records the
//! accounts it names, so that [`Cluster::program_accounts`] can list the program's
//! accounts (the runtime's client has no account scan).
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use deepnode_sdk::cluster::{sign_with_tables, Cluster, ClusterError};
use deepnode_sdk::compute;
use solana_program_test::{BanksClient, BanksClientError};
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::AddressLookupTableAccount;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature};
use solana_sdk::signer::Signer;
use solana_sdk::transaction::VersionedTransaction;

use crate::Runtime;

/// Every account key named by a transaction processed so far, every signature sent (an
/// identical transaction must wait for a new blockhash), and the keys known to
/// belong to another program (an account's owner changes only when it is created, so a
/// key seen owned by another program is never the DeepNode program's).
#[derive(Clone, Default)]
pub struct Registry {
    inner: Arc<Mutex<Known>>,
}

#[derive(Default)]
struct Known {
    named: BTreeSet<Pubkey>,
    foreign: BTreeSet<Pubkey>,
    /// Signatures of the transactions sent through the [`Runtime`] or any of its
    /// clients.
    signed: std::collections::HashSet<Signature>,
    /// When logging ([`Registry::log_sends`]): every transaction a client landed.
    sends: Option<Vec<Sent>>,
}

/// A transaction a client of the runtime landed: what it carried and what it asked for.
#[derive(Clone, Debug)]
pub struct Sent {
    /// Its instructions but the compute-budget ones: the program's by IDL name, the
    /// lookup-table and system programs' by those names, others by program id.
    pub instructions: Vec<String>,
    /// The compute-unit limit it ran under (the one it set, else the cluster's default).
    pub limit: u32,
    /// The limit a cluster would have given it had it set none (its other compute-budget
    /// instructions, such as the price, kept).
    pub default_limit: u32,
    /// Its priority fee, micro-lamports per unit.
    pub price: u64,
    /// Its signatures.
    pub signatures: usize,
}

impl Registry {
    /// Records the accounts `keys`.
    pub fn record(&self, keys: impl IntoIterator<Item = Pubkey>) {
        let mut known = self.inner.lock().expect("registry");
        known.named.extend(keys);
    }

    /// Records the static accounts of `tx`.
    pub fn record_tx(&self, tx: &VersionedTransaction) {
        self.record(tx.message.static_account_keys().iter().copied());
    }

    fn all(&self) -> Vec<Pubkey> {
        let known = self.inner.lock().expect("registry");
        known.named.iter().copied().collect()
    }

    fn candidates(&self) -> Vec<Pubkey> {
        let known = self.inner.lock().expect("registry");
        known.named.difference(&known.foreign).copied().collect()
    }

    /// Records `signature`; `false` when a transaction with it was sent before (the
    /// runtime would refuse it as already processed).
    pub(crate) fn first_signing(&self, signature: Signature) -> bool {
        self.inner
            .lock()
            .expect("registry")
            .signed
            .insert(signature)
    }

    /// Starts logging every transaction a client of the runtime lands ([`Sent`]).
    pub fn log_sends(&self) {
        self.inner.lock().expect("registry").sends = Some(Vec::new());
    }

    /// The transactions logged since [`Registry::log_sends`] (empty when not logging).
    pub fn sends(&self) -> Vec<Sent> {
        let known = self.inner.lock().expect("registry");
        known.sends.clone().unwrap_or_default()
    }

    /// Logs a landed transaction of `instructions` with `signatures`, when logging.
    fn sent(&self, instructions: &[Instruction], signatures: usize) {
        let mut known = self.inner.lock().expect("registry");
        if let Some(log) = known.sends.as_mut() {
            log.push(Sent {
                instructions: instructions
                    .iter()
                    .filter(|i| i.program_id != compute::PROGRAM)
                    .map(|i| {
                        if i.program_id == deepnode::ID {
                            crate::instruction_name(&i.data).unwrap_or_else(|| "unknown".into())
                        } else if i.program_id == deepnode_sdk::tables::PROGRAM {
                            "lookup_table".into()
                        } else if i.program_id == solana_sdk_ids::system_program::ID {
                            "system".into()
                        } else {
                            i.program_id.to_string()
                        }
                    })
                    .collect(),
                limit: compute::limit_of(instructions),
                default_limit: compute::default_limit(
                    &instructions
                        .iter()
                        .filter(|i| !compute::is_limit(i))
                        .cloned()
                        .collect::<Vec<_>>(),
                ),
                price: compute::price_of(instructions),
                signatures,
            });
        }
    }

    fn foreign(&self, key: Pubkey) {
        self.inner.lock().expect("registry").foreign.insert(key);
    }
}

/// A client of the in-process runtime with its own fee payer.
pub struct InProcess {
    banks: BanksClient,
    payer: Keypair,
    registry: Registry,
    /// Micro-lamports per compute unit this client bids (0: none).
    priority_fee: u64,
}

impl InProcess {
    /// This client bidding `micro_lamports` per compute unit on every transaction.
    pub fn with_priority_fee(mut self, micro_lamports: u64) -> Self {
        self.priority_fee = micro_lamports;
        self
    }
}

impl Runtime {
    /// A cluster client of this runtime paying fees with `payer` (fund it first).
    pub fn cluster(&self, payer: &Keypair) -> InProcess {
        InProcess {
            banks: self.ctx.banks_client.clone(),
            payer: payer.insecure_clone(),
            registry: self.registry.clone(),
            priority_fee: 0,
        }
    }
}

fn transport(e: BanksClientError) -> ClusterError {
    match e {
        BanksClientError::TransactionError(e) => e.into(),
        BanksClientError::SimulationError { err, .. } => err.into(),
        other => ClusterError::Transport(other.to_string()),
    }
}

impl Cluster for InProcess {
    fn payer(&self) -> Pubkey {
        self.payer.pubkey()
    }

    fn priority_fee(&self) -> u64 {
        self.priority_fee
    }

    async fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ClusterError> {
        self.banks.get_account(*key).await.map_err(transport)
    }

    async fn program_accounts(
        &mut self,
        discriminator: &[u8],
    ) -> Result<Vec<(Pubkey, Account)>, ClusterError> {
        let mut out = Vec::new();
        for key in self.registry.candidates() {
            match self.banks.get_account(key).await.map_err(transport)? {
                Some(a) if a.owner != deepnode::ID => self.registry.foreign(key),
                Some(a) if a.data.starts_with(discriminator) => out.push((key, a)),
                _ => {}
            }
        }
        Ok(out)
    }

    async fn now(&mut self) -> Result<i64, ClusterError> {
        let clock: Clock = self.banks.get_sysvar().await.map_err(transport)?;
        Ok(clock.unix_timestamp)
    }

    async fn lookup_tables(
        &mut self,
        authority: &Pubkey,
    ) -> Result<Vec<(Pubkey, Account)>, ClusterError> {
        use deepnode_sdk::tables::{AUTHORITY_OFFSET, PROGRAM};
        let mut out = Vec::new();
        for key in self.registry.all() {
            match self.banks.get_account(key).await.map_err(transport)? {
                Some(a)
                    if a.owner == PROGRAM
                        && a.data.get(AUTHORITY_OFFSET..AUTHORITY_OFFSET + 32)
                            == Some(authority.as_ref()) =>
                {
                    out.push((key, a))
                }
                _ => {}
            }
        }
        Ok(out)
    }

    async fn simulate(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<u64, ClusterError> {
        let blockhash = self.banks.get_latest_blockhash().await.map_err(transport)?;
        let tx = sign_with_tables(instructions, &self.payer, signers, blockhash, tables)?;
        let sim = self
            .banks
            .simulate_transaction(tx)
            .await
            .map_err(transport)?;
        match sim.result {
            Some(Err(e)) => Err(e.into()),
            Some(Ok(())) => sim
                .simulation_details
                .map(|d| d.units_consumed)
                .ok_or_else(|| ClusterError::Transport("no simulation details".into())),
            None => Err(ClusterError::Transport("the simulation did not run".into())),
        }
    }

    async fn send_exactly(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<Signature, ClusterError> {
        // An identical transaction sent again (two equal payments) waits for a blockhash
        // of its own; the runtime registers one every slot (milliseconds here).
        let start = std::time::Instant::now();
        let tx = loop {
            let blockhash = self.banks.get_latest_blockhash().await.map_err(transport)?;
            let tx = sign_with_tables(instructions, &self.payer, signers, blockhash, tables)?;
            if self.registry.first_signing(tx.signatures[0]) {
                break tx;
            }
            if start.elapsed() > std::time::Duration::from_secs(5) {
                return Err(ClusterError::Transport("no new blockhash in 5 s".into()));
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        };
        let signature = tx.signatures[0];
        self.registry.record_tx(&tx);
        // Accounts loaded from a table are not among the message's static keys.
        self.registry.record(
            instructions
                .iter()
                .flat_map(|i| i.accounts.iter().map(|m| m.pubkey)),
        );
        let signatures = tx.signatures.len();
        self.banks
            .process_transaction(tx)
            .await
            .map_err(transport)?;
        self.registry.sent(instructions, signatures);
        Ok(signature)
    }
}
