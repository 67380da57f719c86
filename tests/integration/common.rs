//! Helpers shared by this binary's modules.
use deepnode::state::{Model, VaultShard};
use deepnode_tests::fixtures::*;
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

/// A protocol, one default domain, one model (x = 2500) and a funded consumer.
pub struct World {
    pub env: Env,
    pub p: Protocol,
    pub d: DomainFx,
    pub model: Pubkey,
    pub model_owner: Keypair,
    pub consumer: Keypair,
    pub consumer_token: Pubkey,
}

pub async fn world_with(program: Pubkey, exts: &[deepnode_tests::tokens::MintExt]) -> World {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d = env
        .domain_with(&p, program, exts, 2, default_settings())
        .await;
    let (model, model_owner) = env.model(&d, 2500).await;
    let (consumer, consumer_token) = env.consumer(&d, 1_000_000_000).await;
    World {
        env,
        p,
        d,
        model,
        model_owner,
        consumer,
        consumer_token,
    }
}

pub async fn world() -> World {
    world_with(TOKEN, &[]).await
}

impl World {
    /// A pay instruction from the consumer.
    pub fn pay_ix(&self, shard: u8, amount: u64) -> Instruction {
        ix::pay(
            &self.d.keys,
            self.consumer.pubkey(),
            self.consumer_token,
            self.model,
            shard,
            amount,
            1,
        )
    }

    /// Pays and checks invariants 1, 2 and 6; returns the routed line.
    pub async fn pay(&mut self, shard: u8, amount: u64) -> deepnode::events::RoutedLine {
        let vault = pda::vault(&self.d.keys.domain, shard);
        let before = self.env.balance(vault).await;
        let ix = self.pay_ix(shard, amount);
        let consumer = self.consumer.insecure_clone();
        let ev: deepnode::events::PaymentRouted = self.env.ok_event(&[ix], &[&consumer]).await;
        deepnode_tests::invariants::check_line(&ev.line);
        let after = self.env.balance(vault).await;
        if !self.d.keys.is_dn {
            assert_eq!(
                after - before,
                ev.line.received,
                "split base is what the vault received"
            );
        } else {
            assert_eq!(
                after - before,
                ev.line.received - ev.line.buyback,
                "DN buyback burned from the vault"
            );
        }
        self.check().await;
        ev.line
    }

    /// Invariants 2 and 6.
    pub async fn check(&mut self) {
        let model = self.model;
        self.env.check_vaults(&self.d, &[model]).await;
        self.env.check_dn_supply(self.p.dn.mint, &[&self.d]).await;
    }

    pub async fn ledger(&mut self, shard: u8) -> VaultShard {
        self.env
            .get(pda::vault_shard(&self.d.keys.domain, shard))
            .await
    }

    pub async fn model_state(&mut self) -> Model {
        self.env.get(self.model).await
    }

    /// A token account of the revenue mint for `owner`.
    pub async fn revenue_account(&mut self, owner: &Pubkey) -> Pubkey {
        let mint = self.d.keys.revenue_mint;
        self.env.create_token_account(owner, &mint).await
    }
}

/// Index of `key` in `ix`'s accounts.
pub fn index_of(ix: &Instruction, key: &Pubkey) -> usize {
    ix.accounts
        .iter()
        .position(|m| m.pubkey == *key)
        .expect("account in instruction")
}

/// Replaces every occurrence of `old` in `ix` by `new`.
pub fn replace(mut ix: Instruction, old: &Pubkey, new: Pubkey) -> Instruction {
    for m in ix.accounts.iter_mut() {
        if m.pubkey == *old {
            m.pubkey = new;
        }
    }
    ix
}
