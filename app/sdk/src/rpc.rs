//! [`Cluster`] over JSON-RPC: a local test validator, devnet or mainnet. Transactions
//! are simulated by the node for their compute budget (with an optional priority fee),
//! sent on a fresh blockhash and retried on a new one when the old expires or the node
//! cannot be reached.
use std::time::Duration;

use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::client_error::ErrorKind;
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSimulateTransactionConfig,
};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_rpc_client_api::request::RpcError;
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::AddressLookupTableAccount;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature};
use solana_sdk::signer::Signer;
use solana_sdk::transaction::TransactionError;

use crate::cluster::{sign_with_tables, Cluster, ClusterError};

/// The URL a moniker names (as the Solana CLI reads them); anything else as given.
pub fn resolve_url(url: &str) -> String {
    match url {
        "l" | "localhost" => "http://127.0.0.1:8899".into(),
        "d" | "devnet" => "https://api.devnet.solana.com".into(),
        "t" | "testnet" => "https://api.testnet.solana.com".into(),
        "m" | "mainnet-beta" => "https://api.mainnet-beta.solana.com".into(),
        other => other.into(),
    }
}

/// The Solana CLI's default keypair path (`~/.config/solana/id.json`).
pub fn default_keypair() -> std::path::PathBuf {
    let home = std::env::var_os("HOME").unwrap_or_default();
    std::path::PathBuf::from(home).join(".config/solana/id.json")
}

/// How an [`RpcCluster`] sends.
#[derive(Debug, Clone)]
pub struct RpcOptions {
    /// Commitment for reads and confirmations.
    pub commitment: CommitmentConfig,
    /// Priority fee in micro-lamports per compute unit (0: none).
    pub priority_fee: u64,
    /// Attempts per transaction, each on a fresh blockhash.
    pub attempts: u32,
}

impl Default for RpcOptions {
    fn default() -> Self {
        Self {
            commitment: CommitmentConfig::confirmed(),
            priority_fee: 0,
            attempts: 3,
        }
    }
}

/// A cluster reached over JSON-RPC, paying fees with `payer`.
pub struct RpcCluster {
    rpc: RpcClient,
    payer: Keypair,
    options: RpcOptions,
    /// Signatures of the transactions this client has signed: an identical transaction
    /// (same instructions, same blockhash) would be taken for the first and dropped.
    signed: std::collections::HashSet<Signature>,
}

impl RpcCluster {
    /// A client of the node at `url`.
    pub fn new(url: String, payer: Keypair, options: RpcOptions) -> Self {
        Self {
            rpc: RpcClient::new_with_commitment(url, options.commitment),
            payer,
            options,
            signed: std::collections::HashSet::new(),
        }
    }

    /// The node's URL.
    pub fn url(&self) -> String {
        self.rpc.url()
    }
}

impl RpcCluster {
    /// Sends one transaction, on a fresh blockhash per attempt, recording in `sent` every
    /// signature it signs.
    async fn send_attempts(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
        sent: &mut std::collections::HashSet<Signature>,
    ) -> Result<Signature, ClusterError> {
        let mut last = ClusterError::Transport("no attempt made".into());
        'attempts: for attempt in 0..self.options.attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(500 << attempt.min(4))).await;
            }
            let mut blockhash = match self.rpc.get_latest_blockhash().await {
                Ok(h) => h,
                Err(e) => {
                    last = classify(e);
                    continue;
                }
            };
            let mut tx = sign_with_tables(instructions, &self.payer, signers, blockhash, tables)?;
            // The same transaction sent again on purpose by a later call (two equal
            // payments) needs a blockhash of its own, or the cluster takes it for the
            // first. Within this call an equal signature is this call's own transaction,
            // which is safe to send again (the cluster runs a signature once).
            let mut renewed = 0;
            while self.signed.contains(&tx.signatures[0]) {
                renewed += 1;
                if renewed > MAX_RENEWALS {
                    return Err(ClusterError::Transport(format!(
                        "no blockhash unused by this client after {MAX_RENEWALS} tries"
                    )));
                }
                blockhash = match self.rpc.get_new_latest_blockhash(&blockhash).await {
                    Ok(h) => h,
                    Err(e) => {
                        last = classify(e);
                        continue 'attempts;
                    }
                };
                tx = sign_with_tables(instructions, &self.payer, signers, blockhash, tables)?;
            }
            sent.insert(tx.signatures[0]);
            let signature = tx.signatures[0];
            let mut resends = 0;
            // The same signed transaction is sent again while its blockhash is valid (the
            // cluster processes a signature once); only an expired one is signed anew, so
            // a transaction whose confirmation was lost is never executed twice.
            loop {
                match self.rpc.send_and_confirm_transaction(&tx).await {
                    Ok(signature) => return Ok(signature),
                    Err(e) => match classify(e) {
                        refused @ (ClusterError::Program { .. }
                        | ClusterError::Transaction(_)
                        | ClusterError::Usage(_)
                        | ClusterError::Decode { .. }) => return Err(refused),
                        transport => last = transport,
                    },
                }
                match self.rpc.get_signature_status(&signature).await {
                    Ok(Some(Ok(()))) => return Ok(signature),
                    Ok(Some(Err(e))) => return Err(e.into()),
                    _ => {}
                }
                // A node that cannot say is taken to mean the blockhash still lives: signing
                // anew while the first may still land could run it twice. The resends stop
                // after about a blockhash's lifetime.
                let valid = self
                    .rpc
                    .is_blockhash_valid(&blockhash, self.options.commitment)
                    .await
                    .unwrap_or(true);
                resends += 1;
                if !valid || resends > MAX_RESENDS {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
        Err(last)
    }

    /// The accounts of `program` whose data holds `bytes` at `offset`, decoded.
    async fn scan(
        &self,
        program: &Pubkey,
        offset: usize,
        bytes: Vec<u8>,
    ) -> Result<Vec<(Pubkey, Account)>, ClusterError> {
        let config = RpcProgramAccountsConfig {
            filters: Some(vec![RpcFilterType::Memcmp(Memcmp::new_raw_bytes(
                offset, bytes,
            ))]),
            account_config: RpcAccountInfoConfig {
                encoding: Some(solana_rpc_client_api::config::UiAccountEncoding::Base64),
                commitment: Some(self.options.commitment),
                ..RpcAccountInfoConfig::default()
            },
            ..RpcProgramAccountsConfig::default()
        };
        self.rpc
            .get_program_ui_accounts_with_config(program, config)
            .await
            .map_err(classify)?
            .into_iter()
            .map(|(key, ui)| {
                ui.decode::<Account>()
                    .map(|a| (key, a))
                    .ok_or_else(|| ClusterError::Decode {
                        key,
                        reason: "the node returned undecodable account data".into(),
                    })
            })
            .collect()
    }
}

/// New blockhashes asked for in one attempt when the latest one already signed an
/// identical transaction of an earlier call.
const MAX_RENEWALS: u32 = 5;
/// Resends of one signed transaction (every 500 ms, about a blockhash's lifetime).
const MAX_RESENDS: u32 = 150;

/// A transaction error the node reported, decoded; anything else (the node unreachable,
/// behind, or answering with an error of its own) is transport, worth another try.
fn classify(e: solana_rpc_client_api::client_error::Error) -> ClusterError {
    match e.get_transaction_error() {
        // The blockhash expired before the transaction landed: sign again.
        Some(TransactionError::BlockhashNotFound) => {
            ClusterError::Transport("blockhash expired before the transaction landed".into())
        }
        Some(tx) => tx.into(),
        None => match e.kind() {
            ErrorKind::RpcError(RpcError::RpcResponseError { message, code, .. }) => {
                ClusterError::Transport(format!("node error {code}: {message}"))
            }
            _ => ClusterError::Transport(e.to_string()),
        },
    }
}

impl Cluster for RpcCluster {
    fn payer(&self) -> Pubkey {
        self.payer.pubkey()
    }

    fn priority_fee(&self) -> u64 {
        self.options.priority_fee
    }

    async fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ClusterError> {
        let response = self
            .rpc
            .get_account_with_commitment(key, self.options.commitment)
            .await
            .map_err(classify)?;
        Ok(response.value)
    }

    async fn program_accounts(
        &mut self,
        discriminator: &[u8],
    ) -> Result<Vec<(Pubkey, Account)>, ClusterError> {
        self.scan(&crate::PROGRAM_ID, 0, discriminator.to_vec())
            .await
    }

    async fn now(&mut self) -> Result<i64, ClusterError> {
        let account = self
            .rpc
            .get_account(&solana_sdk::sysvar::clock::ID)
            .await
            .map_err(classify)?;
        let clock: Clock =
            bincode::deserialize(&account.data).map_err(|e| ClusterError::Decode {
                key: solana_sdk::sysvar::clock::ID,
                reason: e.to_string(),
            })?;
        Ok(clock.unix_timestamp)
    }

    async fn lookup_tables(
        &mut self,
        authority: &Pubkey,
    ) -> Result<Vec<(Pubkey, Account)>, ClusterError> {
        self.scan(
            &crate::tables::PROGRAM,
            crate::tables::AUTHORITY_OFFSET,
            authority.to_bytes().to_vec(),
        )
        .await
    }

    async fn simulate(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<u64, ClusterError> {
        // The node replaces the blockhash and does not check the signatures.
        let tx = sign_with_tables(
            instructions,
            &self.payer,
            signers,
            solana_sdk::hash::Hash::default(),
            tables,
        )?;
        let config = RpcSimulateTransactionConfig {
            sig_verify: false,
            replace_recent_blockhash: true,
            commitment: Some(self.options.commitment),
            ..RpcSimulateTransactionConfig::default()
        };
        let result = self
            .rpc
            .simulate_transaction_with_config(&tx, config)
            .await
            .map_err(classify)?
            .value;
        if let Some(err) = result.err {
            return Err(TransactionError::from(err).into());
        }
        result.units_consumed.ok_or_else(|| {
            ClusterError::Transport("the node's simulation reported no compute units".into())
        })
    }

    async fn send_exactly(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<Signature, ClusterError> {
        let mut sent = std::collections::HashSet::new();
        let result = self
            .send_attempts(instructions, signers, tables, &mut sent)
            .await;
        // Only once the call is over do its signatures bar later calls.
        self.signed.extend(sent);
        result
    }
}
