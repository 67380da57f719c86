//! Idempotent initialisation of a DeepNode deployment from a config file.
//!
//! The planner is pure: given the config and a snapshot of the accounts it names
//! ([`keys_to_read`]), [`next_step`] returns the first thing still missing (initialise the
//! protocol, create domain `i`, create its next shard) or `None` when the chain already
//! matches the config. The caller executes the step, takes a new snapshot and asks again,
//! so a run that stops half-way is finished by the next run, and a finished run does
//! nothing. It refuses (with [`MigrateError`]) when the chain contradicts the config.
#![deny(missing_docs)]

use std::collections::HashMap;
use std::str::FromStr;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use deepnode::instructions::{CreateDomainArgs, InitializeArgs};
use deepnode::state::{Bounds, Config, Domain, DomainSettings};
use deepnode_sdk::ix::{self, DnKeys, DomainKeys};
use deepnode_sdk::{decode, pda};
use serde::Deserialize;

/// SPL Token program id.
const TOKEN: Pubkey = anchor_spl::token::ID;
/// Token-2022 program id.
const TOKEN_2022: Pubkey = anchor_spl::token_2022::ID;

/// The deployment as the config file describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationConfig {
    /// The DN mint.
    pub dn: DnConfig,
    /// Governance key; `null` means the deployer's key.
    pub authority: Option<String>,
    /// Optional max supply.
    pub max_supply: Option<u64>,
    /// Bounds for every domain parameter.
    pub bounds: Bounds,
    /// Domains in id order (domain `i` of the list is domain id `i` on chain).
    #[serde(default)]
    pub domains: Vec<DomainConfig>,
}

/// How the DN mint is obtained.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnConfig {
    /// An existing mint whose mint authority was handed to the program's PDA; `null`
    /// creates a new mint.
    pub mint: Option<String>,
    /// "token" or "token-2022".
    pub token_program: String,
    /// Decimals of a new mint.
    pub decimals: u8,
    /// With an existing mint: the foundation's DN token account.
    pub foundation: Option<String>,
    /// With a new mint: the wallet whose associated account becomes the foundation's.
    pub foundation_owner: Option<String>,
}

/// One domain to create (the deployer is its owner and must be governance).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainConfig {
    /// Revenue mint.
    pub revenue_mint: String,
    /// "token" or "token-2022".
    pub token_program: String,
    /// Payment processor / fee authority.
    pub fee_authority: String,
    /// Vault shards.
    pub shard_count: u8,
    /// Settings of epoch 0.
    pub settings: DomainSettings,
}

/// Why the migration cannot proceed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrateError {
    /// A key or program name in the config does not parse.
    BadConfig(String),
    /// The chain holds something the config contradicts.
    Mismatch(String),
    /// An account could not be decoded.
    Decode(String),
    /// The cluster refused a step or could not be reached.
    Cluster(String),
}

impl std::fmt::Display for MigrateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MigrateError::BadConfig(m) => write!(f, "bad config: {m}"),
            MigrateError::Mismatch(m) => write!(f, "chain does not match config: {m}"),
            MigrateError::Decode(m) => write!(f, "cannot decode account: {m}"),
            MigrateError::Cluster(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for MigrateError {}

/// One transaction's worth of work.
#[derive(Debug, Clone)]
pub struct Step {
    /// What it does, for the log.
    pub label: String,
    /// Its instructions (the deployer pays and signs).
    pub instructions: Vec<Instruction>,
    /// Whether a fresh mint keypair, whose public key is `new_mint`, must also sign.
    pub new_mint: Option<Pubkey>,
}

fn key(s: &str, what: &str) -> Result<Pubkey, MigrateError> {
    Pubkey::from_str(s)
        .map_err(|_| MigrateError::BadConfig(format!("{what}: `{s}` is not a public key")))
}

fn program(s: &str) -> Result<Pubkey, MigrateError> {
    match s {
        "token" => Ok(TOKEN),
        "token-2022" => Ok(TOKEN_2022),
        other => Err(MigrateError::BadConfig(format!(
            "token program `{other}`: use token or token-2022"
        ))),
    }
}

/// Parses a config file's text.
pub fn parse_config(text: &str) -> Result<MigrationConfig, MigrateError> {
    serde_json::from_str(text).map_err(|e| MigrateError::BadConfig(e.to_string()))
}

/// Accounts the planner reads: the config and every configured domain.
pub fn keys_to_read(cfg: &MigrationConfig) -> Vec<Pubkey> {
    let mut keys = vec![pda::config()];
    keys.extend((0..cfg.domains.len() as u64).map(pda::domain));
    keys
}

/// The first step still missing, or `None` when the chain matches the config.
/// `new_mint` is the key a new DN mint would get (used only when the config asks for one).
pub fn next_step(
    cfg: &MigrationConfig,
    deployer: &Pubkey,
    new_mint: &Pubkey,
    snapshot: &HashMap<Pubkey, Vec<u8>>,
) -> Result<Option<Step>, MigrateError> {
    let authority = match &cfg.authority {
        Some(a) => key(a, "authority")?,
        None => *deployer,
    };
    let Some(config_data) = snapshot.get(&pda::config()) else {
        return init_step(cfg, deployer, authority, new_mint).map(Some);
    };
    let config: Config =
        decode(config_data).map_err(|e| MigrateError::Decode(format!("config: {e}")))?;
    if config.bounds != cfg.bounds {
        return Err(MigrateError::Mismatch(
            "on-chain bounds differ from the config (change them with update_bounds, not here)"
                .into(),
        ));
    }
    for (i, d) in cfg.domains.iter().enumerate() {
        let id = i as u64;
        let mint = key(&d.revenue_mint, "revenue_mint")?;
        let token_program = program(&d.token_program)?;
        let domain_key = pda::domain(id);
        match snapshot.get(&domain_key) {
            None => {
                if config.domain_count != id {
                    return Err(MigrateError::Mismatch(format!(
                        "domain {id} is next in the config but the chain has {} domains",
                        config.domain_count
                    )));
                }
                if config.authority != *deployer {
                    return Err(MigrateError::Mismatch(
                        "creating a domain needs governance's signature: run with the governance key".into(),
                    ));
                }
                let args = CreateDomainArgs {
                    fee_authority: key(&d.fee_authority, "fee_authority")?,
                    shard_count: d.shard_count,
                    settings: d.settings,
                };
                let ix = ix::create_domain(
                    *deployer,
                    *deployer,
                    *deployer,
                    id,
                    mint,
                    token_program,
                    args,
                );
                return Ok(Some(Step {
                    label: format!("create domain {id}"),
                    instructions: vec![ix],
                    new_mint: None,
                }));
            }
            Some(data) => {
                let domain: Domain =
                    decode(data).map_err(|e| MigrateError::Decode(format!("domain {id}: {e}")))?;
                if domain.revenue_mint != mint || domain.shard_count != d.shard_count {
                    return Err(MigrateError::Mismatch(format!(
                        "domain {id} has revenue mint {} with {} shards; the config says {mint} with {}",
                        domain.revenue_mint, domain.shard_count, d.shard_count
                    )));
                }
                let keys = DomainKeys::new(domain_key, &domain);
                if !domain.stake_pool_ready {
                    let dn = DnKeys {
                        mint: config.dn_mint,
                        token_program: config.dn_token_program,
                    };
                    return Ok(Some(Step {
                        label: format!("create the stake pool of domain {id}"),
                        instructions: vec![ix::init_stake_pool(*deployer, &keys, &dn)],
                        new_mint: None,
                    }));
                }
                if !domain.is_ready() {
                    let shard = domain.shards_ready;
                    let ix = ix::init_shard(*deployer, &keys, shard);
                    return Ok(Some(Step {
                        label: format!("create shard {shard} of domain {id}"),
                        instructions: vec![ix],
                        new_mint: None,
                    }));
                }
            }
        }
    }
    Ok(None)
}

fn init_step(
    cfg: &MigrationConfig,
    deployer: &Pubkey,
    authority: Pubkey,
    new_mint: &Pubkey,
) -> Result<Step, MigrateError> {
    let token_program = program(&cfg.dn.token_program)?;
    let args = InitializeArgs {
        authority,
        bounds: cfg.bounds,
        max_supply: cfg.max_supply,
    };
    match &cfg.dn.mint {
        Some(mint) => {
            let foundation = cfg.dn.foundation.as_deref().ok_or_else(|| {
                MigrateError::BadConfig("dn.foundation is required with an existing mint".into())
            })?;
            let ix = ix::initialize(
                *deployer,
                *deployer,
                key(mint, "dn.mint")?,
                key(foundation, "dn.foundation")?,
                token_program,
                args,
            );
            Ok(Step {
                label: "initialise the protocol (adopted DN mint)".into(),
                instructions: vec![ix],
                new_mint: None,
            })
        }
        None => {
            let owner = cfg.dn.foundation_owner.as_deref().ok_or_else(|| {
                MigrateError::BadConfig("dn.foundation_owner is required with a new mint".into())
            })?;
            let ix = ix::initialize_with_new_mint(
                *deployer,
                *deployer,
                *new_mint,
                key(owner, "dn.foundation_owner")?,
                token_program,
                args,
                cfg.dn.decimals,
            );
            Ok(Step {
                label: "initialise the protocol (new DN mint)".into(),
                instructions: vec![ix],
                new_mint: Some(*new_mint),
            })
        }
    }
}

/// Runs the planner to completion on `cluster`, whose fee payer is the deployer: reads
/// the accounts the planner needs, sends the next step, and again, until the chain
/// matches the config. Calls `on_step` with each step's label and signature; returns
/// how many steps ran (0: the deployment already matched, nothing was sent).
pub async fn run<C: deepnode_sdk::cluster::Cluster>(
    cluster: &mut C,
    cfg: &MigrationConfig,
    on_step: &mut dyn FnMut(&str, &solana_sdk::signature::Signature),
) -> Result<usize, MigrateError> {
    use solana_sdk::signature::Keypair;
    use solana_sdk::signer::Signer;
    let deployer = cluster.payer();
    let mint = Keypair::new();
    let keys = keys_to_read(cfg);
    let mut done = 0usize;
    loop {
        let mut snapshot = HashMap::new();
        for key in &keys {
            let account = cluster
                .account(key)
                .await
                .map_err(|e| MigrateError::Cluster(e.to_string()))?;
            if let Some(a) = account {
                snapshot.insert(*key, a.data);
            }
        }
        let Some(step) = next_step(cfg, &deployer, &mint.pubkey(), &snapshot)? else {
            return Ok(done);
        };
        let signers: Vec<&Keypair> = if step.new_mint.is_some() {
            vec![&mint]
        } else {
            Vec::new()
        };
        let signature = cluster
            .send(&step.instructions, &signers)
            .await
            .map_err(|e| MigrateError::Cluster(format!("{}: {e}", step.label)))?;
        on_step(&step.label, &signature);
        done += 1;
        if done > 10_000 {
            return Err(MigrateError::Cluster(
                "the migration does not converge".into(),
            ));
        }
    }
}
