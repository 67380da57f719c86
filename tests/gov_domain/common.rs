//! Helpers shared by this binary's modules: DN mints prepared for `initialize`, domains
//! created by hand (so tests control readiness), bounds changes and raw token reads.
use anchor_spl::token_2022::spl_token_2022;
use deepnode::errors::DeepNodeError;
use deepnode::instructions::{CreateDomainArgs, InitializeArgs};
use deepnode::state::{Bounds, Domain, DomainSettings};
use deepnode_sdk::ix::DomainKeys;
use deepnode_tests::fixtures::*;
use deepnode_tests::tokens::MintExt;
use deepnode_tests::*;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;
use spl_token_2022::extension::StateWithExtensions;

/// Canonical bump of a program PDA.
pub fn bump(seeds: &[&[u8]]) -> u8 {
    Pubkey::find_program_address(seeds, &deepnode::ID).1
}

/// Sends `ixs` and asserts the exact custom `expected` code, naming the `case` on failure
/// (used by the table-driven tests).
pub async fn fails_case(
    env: &mut Env,
    case: &str,
    ixs: &[Instruction],
    signers: &[&Keypair],
    expected: DeepNodeError,
) {
    let want = code(expected);
    match env.send(ixs, signers).await {
        Ok(()) => panic!("case {case}: expected {want}, transaction succeeded"),
        Err(e) => assert_eq!(
            custom_code(&e),
            Some(want),
            "case {case}: expected {want}, got {e:?}"
        ),
    }
}

/// Clears `is_signer` on every meta of `key`: the instruction names the right account
/// but the transaction carries no signature for it.
pub fn unsigned(mut ix: Instruction, key: &Pubkey) -> Instruction {
    for m in ix.accounts.iter_mut() {
        if m.pubkey == *key {
            m.is_signer = false;
        }
    }
    ix
}

/// Initialisation arguments with the default bounds.
pub fn init_args(authority: Pubkey, max_supply: Option<u64>) -> InitializeArgs {
    InitializeArgs {
        authority,
        bounds: default_bounds(),
        max_supply,
    }
}

/// A DN mint prepared for `initialize` (adoption).
pub struct Dn {
    /// The mint.
    pub mint: Pubkey,
    /// Its token program.
    pub program: Pubkey,
    /// Its original mint authority (still in charge unless handed over).
    pub temp: Keypair,
    /// A foundation token account of the mint.
    pub foundation: Pubkey,
    /// Supply minted before initialisation.
    pub supply: u64,
}

impl Dn {
    /// `initialize` adopting this mint, signed (in `tx`) by the upgrade authority.
    pub fn init_ix(&self, env: &Env, args: InitializeArgs) -> Instruction {
        ix::initialize(
            env.payer().pubkey(),
            env.upgrade.pubkey(),
            self.mint,
            self.foundation,
            self.program,
            args,
        )
    }
}

/// Creates a 9-decimal mint of `program` (optional freeze authority, extensions), mints
/// `supply` to a holder, creates a foundation account and, when `hand_over`, gives the
/// mint authority to the program's PDA.
pub async fn dn_mint(
    env: &mut Env,
    program: Pubkey,
    freeze: bool,
    exts: &[MintExt],
    supply: u64,
    hand_over: bool,
) -> Dn {
    let temp = Keypair::new();
    let freeze_key = temp.pubkey();
    let mint = env
        .create_mint_full(
            program,
            9,
            &temp.pubkey(),
            freeze.then_some(&freeze_key),
            exts,
        )
        .await;
    let holder = Keypair::new();
    env.funded_account(&holder.pubkey(), &mint, &temp, supply)
        .await;
    let foundation = env
        .create_token_account(&Keypair::new().pubkey(), &mint)
        .await;
    if hand_over {
        env.set_mint_authority(&mint, &temp, &pda::mint_authority())
            .await;
    }
    Dn {
        mint,
        program,
        temp,
        foundation,
        supply,
    }
}

/// Raw mint state (either token program).
pub async fn mint_state(env: &mut Env, mint: Pubkey) -> spl_token_2022::state::Mint {
    let data = env.account(mint).await.expect("mint").data;
    StateWithExtensions::<spl_token_2022::state::Mint>::unpack(&data)
        .expect("mint state")
        .base
}

/// Raw token account state (either token program).
pub async fn token_state(env: &mut Env, account: Pubkey) -> spl_token_2022::state::Account {
    let data = env.account(account).await.expect("token account").data;
    StateWithExtensions::<spl_token_2022::state::Account>::unpack(&data)
        .expect("token state")
        .base
}

/// Governance replaces the bounds.
pub async fn set_bounds(env: &mut Env, p: &Protocol, bounds: Bounds) {
    let gov = p.gov.insecure_clone();
    env.ok(&[ix::update_bounds(gov.pubkey(), bounds)], &[&gov])
        .await;
}

/// A `create_domain` for the next domain id with fresh owner and fee authority keys.
pub struct NewDomain {
    /// The instruction (co-signed by `authority`).
    pub ix: Instruction,
    /// Domain owner (must sign).
    pub owner: Keypair,
    /// Fee authority.
    pub fee_authority: Keypair,
    /// Domain id.
    pub id: u64,
    /// Domain address.
    pub domain: Pubkey,
}

/// Builds `create_domain` for the next id, co-signed by `authority`.
pub async fn new_domain_by(
    env: &mut Env,
    authority: Pubkey,
    mint: Pubkey,
    program: Pubkey,
    shards: u8,
    settings: DomainSettings,
) -> NewDomain {
    let owner = Keypair::new();
    let fee_authority = Keypair::new();
    let config: deepnode::state::Config = env.get(pda::config()).await;
    let id = config.domain_count;
    let ix = ix::create_domain(
        env.payer().pubkey(),
        owner.pubkey(),
        authority,
        id,
        mint,
        program,
        CreateDomainArgs {
            fee_authority: fee_authority.pubkey(),
            shard_count: shards,
            settings,
        },
    );
    NewDomain {
        ix,
        owner,
        fee_authority,
        id,
        domain: pda::domain(id),
    }
}

/// Builds `create_domain` for the next id, co-signed by governance.
pub async fn new_domain(
    env: &mut Env,
    p: &Protocol,
    mint: Pubkey,
    program: Pubkey,
    shards: u8,
    settings: DomainSettings,
) -> NewDomain {
    new_domain_by(env, p.gov.pubkey(), mint, program, shards, settings).await
}

/// Creates a domain on a fresh 6-decimal mint of `program` (optional freeze authority,
/// extensions) and initialises only its first `ready` shards.
pub async fn partial_domain(
    env: &mut Env,
    p: &Protocol,
    program: Pubkey,
    exts: &[MintExt],
    freeze: bool,
    shards: u8,
    ready: u8,
) -> DomainFx {
    let mint_authority = Keypair::new();
    let freeze_key = mint_authority.pubkey();
    let mint = env
        .create_mint_full(
            program,
            6,
            &mint_authority.pubkey(),
            freeze.then_some(&freeze_key),
            exts,
        )
        .await;
    let nd = new_domain(env, p, mint, program, shards, default_settings()).await;
    env.airdrop(&nd.fee_authority.pubkey(), 1_000_000_000).await;
    let gov = p.gov.insecure_clone();
    env.ok(std::slice::from_ref(&nd.ix), &[&nd.owner, &gov])
        .await;
    let state: Domain = env.get(nd.domain).await;
    let keys = DomainKeys::new(nd.domain, &state);
    env.ok(
        &[ix::init_stake_pool(env.payer().pubkey(), &keys, &p.dn)],
        &[],
    )
    .await;
    for s in 0..ready {
        env.ok(&[ix::init_shard(env.payer().pubkey(), &keys, s)], &[])
            .await;
    }
    DomainFx {
        keys,
        id: nd.id,
        owner: nd.owner,
        fee_authority: nd.fee_authority,
        mint_authority,
        decimals: 6,
        shards,
    }
}

/// A consumer's pay instruction for `model` through `shard`.
pub fn pay_ix(
    d: &DomainFx,
    consumer: &Keypair,
    token: Pubkey,
    model: Pubkey,
    shard: u8,
    amount: u64,
) -> Instruction {
    ix::pay(&d.keys, consumer.pubkey(), token, model, shard, amount, 1)
}
