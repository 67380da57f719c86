//! Footprint report: what each account costs in rent, what each transaction costs in bytes
//! and accounts, and how many transactions an epoch needs as participants grow. Every
//! number is computed from the real account types and instruction builders (serialised
//! transactions), not estimated. Run: `cargo bench -p deepnode-tests --bench footprint`.
use anchor_lang::prelude::Rent;
use anchor_lang::Space;
use anchor_spl::token_2022::spl_token_2022::extension::ExtensionType;
use anchor_spl::token_2022::spl_token_2022::state::Account as TokenState;
use deepnode::state::*;
use deepnode_sdk::ix::{self, DnKeys, DomainKeys, Line};
use deepnode_sdk::pda;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

use deepnode_tests::sizes::{legacy, with_table, PACKET};

fn main() {
    let rent = Rent::default();
    println!("## Accounts (size includes the 8-byte discriminator; rent at the default rate)\n");
    println!("| account | bytes | rent (lamports) | created |");
    println!("|---|---:|---:|---|");
    let token = TokenState::LEN_FOR_REPORT;
    let token_fee =
        ExtensionType::try_calculate_account_len::<TokenState>(&[ExtensionType::TransferFeeAmount])
            .unwrap();
    let rows: [(&str, usize, &str); 16] = [
        ("Config", 8 + Config::INIT_SPACE, "once"),
        ("Domain", 8 + Domain::INIT_SPACE, "per domain"),
        ("Epoch", 8 + Epoch::INIT_SPACE, "per domain per epoch"),
        (
            "EpochShard",
            8 + EpochShard::INIT_SPACE,
            "per shard per epoch",
        ),
        ("VaultShard", 8 + VaultShard::INIT_SPACE, "per shard"),
        (
            "vault token account",
            token,
            "per shard, buyback vault, stake vault, reward vault",
        ),
        (
            "vault token account (transfer-fee mint)",
            token_fee,
            "per shard + buyback vault",
        ),
        ("Model", 8 + Model::INIT_SPACE, "per model"),
        (
            "ModelEpoch",
            8 + ModelEpoch::INIT_SPACE,
            "per model with payments, per epoch",
        ),
        ("Auction", 8 + Auction::INIT_SPACE, "per domain"),
        ("StakePool", 8 + StakePool::INIT_SPACE, "per domain"),
        (
            "StakePosition",
            8 + StakePosition::INIT_SPACE,
            "per staker per domain",
        ),
        (
            "UnstakeTicket",
            8 + UnstakeTicket::INIT_SPACE,
            "per unstake request epoch, until withdrawn and credited (rent returned)",
        ),
        ("Miner", 8 + Miner::INIT_SPACE, "per miner per domain"),
        (
            "Validator",
            8 + Validator::INIT_SPACE,
            "per validator per domain",
        ),
        (
            "WorkRecord",
            8 + WorkRecord::INIT_SPACE,
            "per attested miner per epoch",
        ),
    ];
    for (name, size, when) in rows {
        println!(
            "| {name} | {size} | {} | {when} |",
            rent.minimum_balance(size)
        );
    }

    let domain = pda::domain(0);
    let d = DomainKeys {
        domain,
        revenue_mint: Pubkey::new_unique(),
        token_program: anchor_spl::token::ID,
        epoch: 0,
        is_dn: false,
    };
    let payer = Keypair::new().pubkey();
    let model = pda::model(&domain, 0);
    let account = Pubkey::new_unique();
    println!("\n## Transactions (one instruction each, fee payer = signer)\n");
    println!("| transaction | bytes (legacy) | accounts | bytes with a lookup table |");
    println!("|---|---:|---:|---:|");
    let dn = DnKeys {
        mint: Pubkey::new_unique(),
        token_program: anchor_spl::token::ID,
    };
    let staker = ix::StakerKeys {
        owner: payer,
        owner_dn: account,
        change_epoch: 0,
    };
    let single: [(&str, Instruction); 14] = [
        ("pay", ix::pay(&d, payer, account, model, 0, 1_000, 1)),
        (
            "claim_model_revenue",
            ix::claim_model_revenue(&d, payer, model, account, 0),
        ),
        ("withdraw_fees", ix::withdraw_fees(&d, payer, account, 0)),
        ("collect_buyback", ix::collect_buyback(&d, 0)),
        (
            "buy_back",
            ix::buy_back(&d, &dn, payer, account, Pubkey::new_unique(), 1, 1),
        ),
        (
            "open_stake_position",
            ix::open_stake_position(payer, domain),
        ),
        ("stake", ix::stake(domain, &dn, &staker, 1_000)),
        (
            "request_unstake",
            ix::request_unstake(domain, &staker, 1, 1_000),
        ),
        (
            "withdraw_stake",
            ix::withdraw_stake(
                domain,
                &dn,
                &staker,
                ix::TicketKeys {
                    epoch: 1,
                    pending_epoch: 0,
                },
            ),
        ),
        (
            "claim_stake_rewards",
            ix::claim_stake_rewards(&d, &dn, &staker, Pubkey::new_unique()),
        ),
        ("register_miner", ix::register_miner(payer, domain)),
        ("register_validator", ix::register_validator(payer, domain)),
        ("close_epoch, 2 shards", ix::close_epoch(payer, &d, 2)),
        ("close_epoch, 16 shards", ix::close_epoch(payer, &d, 16)),
    ];
    for (name, i) in single {
        let (bytes, accounts) = legacy(&i, &payer);
        println!(
            "| {name} | {bytes} | {accounts} | {} |",
            with_table(&i, &payer)
        );
    }
    let models: Vec<Pubkey> = (0..deepnode::constants::MAX_BATCH_LINES as u64)
        .map(|i| pda::model(&domain, i))
        .collect();
    let mut legacy_max = 0;
    for n in [1usize, 2, 4, 7, 8, 16, 25] {
        let lines: Vec<Line> = models[..n]
            .iter()
            .map(|m| Line {
                model: *m,
                amount: 1_000,
                usage_units: 1,
            })
            .collect();
        let i = ix::settle_batch(&d, payer, account, 0, &lines);
        let (bytes, accounts) = legacy(&i, &payer);
        if bytes <= PACKET {
            legacy_max = n;
        }
        let fits = if bytes <= PACKET { "" } else { " (over 1,232)" };
        println!(
            "| settle_batch, {n} lines | {bytes}{fits} | {accounts} | {} |",
            with_table(&i, &payer)
        );
    }
    let alt_max = deepnode::constants::MAX_BATCH_LINES;

    println!("\n## Per epoch, as participants grow (one domain)\n");
    println!("| payments (distinct models) | txs, consumers paying | txs, processor batches (legacy, {legacy_max}/tx) | txs, batches with a lookup table ({alt_max}/tx) | record rent (lamports) |");
    println!("|---:|---:|---:|---:|---:|");
    let record = rent.minimum_balance(8 + ModelEpoch::INIT_SPACE);
    for p in [10u64, 100, 1_000, 10_000] {
        println!(
            "| {p} | {p} | {} | {} | {} |",
            p.div_ceil(legacy_max as u64),
            p.div_ceil(alt_max as u64),
            p * record
        );
    }
    // Attestations: one validator, many miners per instruction.
    let miners: Vec<ix::Attestation> = (0..deepnode::constants::MAX_ATTEST_LINES)
        .map(|_| ix::Attestation {
            miner: Pubkey::new_unique(),
            units: 100,
            revise: false,
        })
        .collect();
    let mut attest_legacy = 0;
    println!("\n## Attestations per transaction\n");
    println!("| attest, miners | bytes (legacy) | accounts | bytes with a lookup table |");
    println!("|---:|---:|---:|---:|");
    for n in 1..=deepnode::constants::MAX_ATTEST_LINES {
        let i = ix::attest(payer, domain, 0, &miners[..n]);
        let (bytes, accounts) = legacy(&i, &payer);
        if bytes <= PACKET {
            attest_legacy = n;
        }
        if [1, 5, 10, 11, 20, 27].contains(&n) {
            let fits = if bytes <= PACKET { "" } else { " (over 1,232)" };
            println!(
                "| {n} | {bytes}{fits} | {accounts} | {} |",
                with_table(&i, &payer)
            );
        }
    }
    let attest_alt = deepnode::constants::MAX_ATTEST_LINES;
    let work_rent = rent.minimum_balance(8 + WorkRecord::INIT_SPACE);
    println!("\n## Attestation transactions per epoch (every validator attests every miner)\n");
    println!("| validators | miners | attestations | txs, legacy ({attest_legacy}/tx) | txs, lookup table ({attest_alt}/tx) | work-record rent (lamports) |");
    println!("|---:|---:|---:|---:|---:|---:|");
    // At most MAX_ATTESTATIONS (16) validators vote in an epoch.
    for (v, m) in [(5u64, 100u64), (10, 1_000), (16, 5_000), (16, 10_000)] {
        println!(
            "| {v} | {m} | {} | {} | {} | {} |",
            v * m,
            v * m.div_ceil(attest_legacy as u64),
            v * m.div_ceil(attest_alt as u64),
            m * work_rent
        );
    }
    println!(
        "\nRent per staker: {} lamports (its position); per validator: {} more; per miner: {}.",
        rent.minimum_balance(8 + StakePosition::INIT_SPACE),
        rent.minimum_balance(8 + Validator::INIT_SPACE),
        rent.minimum_balance(8 + Miner::INIT_SPACE)
    );
    println!("\nRent per model owner: {} lamports for the Model, plus {record} per epoch in which the model is paid (each record stores its rent payer, so that closing it after the claim window can return the rent).", rent.minimum_balance(8 + Model::INIT_SPACE));
}

/// Size of a plain SPL token account.
trait TokenLen {
    const LEN_FOR_REPORT: usize;
}

impl TokenLen for TokenState {
    const LEN_FOR_REPORT: usize = 165;
}
