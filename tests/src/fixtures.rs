//! Standard set-ups: bounds, settings, an initialised protocol, domains and models.
use deepnode::instructions::{CreateDomainArgs, InitializeArgs};
use deepnode::state::{Bounds, BpsRange, Domain, DomainSettings, SplitBps};
use deepnode_runtime::keys::keypair;
use deepnode_sdk::ix::{self, DnKeys, DomainKeys};
use deepnode_sdk::pda;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

use crate::tokens::{MintExt, TOKEN};
use crate::Env;

/// DN minted to the DN holder before the mint authority is handed to the program.
pub const DN_HOLDER_FUNDS: u64 = 1_000_000_000_000;

/// Bounds wide enough for every test domain.
pub fn default_bounds() -> Bounds {
    Bounds {
        max_fee_bps: 3_000,
        max_model_share_bps: 6_000,
        miners_bps: BpsRange { min: 0, max: 9_900 },
        stakers_bps: BpsRange { min: 0, max: 9_900 },
        validators_bps: BpsRange { min: 0, max: 9_900 },
        domain_owner_bps: BpsRange { min: 0, max: 1_000 },
        model_owners_bps: BpsRange { min: 0, max: 9_900 },
        min_emission_rate_e9: 0,
        max_emission_rate_e9: 100_000_000_000,
        min_floor: 0,
        max_floor: 1_000_000_000_000,
        min_ceiling: 0,
        max_ceiling: 10_000_000_000_000,
        min_epoch_secs: 60,
        max_epoch_secs: 30 * 86_400,
        min_quorum: 1,
        max_quorum: 16,
        max_tolerance_bps: 5_000,
        min_validator_stake: 1,
        max_validators: 16,
        max_staker_yield_bps: 1_000,
        min_claim_window_epochs: 1,
        max_claim_window_epochs: 100,
        max_unbonding_epochs: 100,
        max_shards: 16,
        keeper_tip_max: 1_000,
        global_cap_per_period: 1_000_000_000_000,
        period_secs: 86_400,
        min_auction_secs: 60,
        max_auction_secs: 7 * 86_400,
        min_auction_floor_e9: 1,
        max_emission_value_bps: 0,
        min_close_grace_secs: 0,
        max_close_grace_secs: 86_400,
        require_commit_reveal: false,
        guard_price_epochs: 1,
        max_offset_bps: 10_000,
    }
}

/// The close grace of [`default_settings`] (seconds after an epoch's end).
pub const GRACE_SECS: i64 = 300;

/// Settings of the vectors' "vision" domain (fee 10%, model share ceiling 50%).
pub fn default_settings() -> DomainSettings {
    DomainSettings {
        fee_bps: 1_000,
        max_model_share_bps: 5_000,
        split: SplitBps {
            miners: 5_000,
            stakers: 2_000,
            validators: 1_500,
            domain_owner: 500,
            model_owners: 900,
        },
        emission_rate_e9: 2_000_000_000,
        floor: 1_000_000,
        ceiling: 100_000_000,
        epoch_secs: 86_400,
        quorum: 2,
        tolerance_bps: 1_000,
        min_validator_stake: 1_000,
        max_validators: 16,
        max_staker_yield_bps: 100,
        claim_window_epochs: 1,
        unbonding_epochs: 1,
        max_emission_value_bps: 0,
        close_grace_secs: GRACE_SECS as u32,
        commit_reveal: false,
        offset_bps: 0,
    }
}

/// An initialised protocol.
pub struct Protocol {
    /// Governance.
    pub gov: Keypair,
    /// DN mint and program.
    pub dn: DnKeys,
    /// DN decimals.
    pub dn_decimals: u8,
    /// Holder of the DN minted before the hand-over.
    pub dn_holder: Keypair,
    /// The holder's DN account.
    pub dn_holder_account: Pubkey,
    /// Foundation's DN account.
    pub foundation: Pubkey,
}

/// Who a new domain belongs to: its revenue mint (and the mint's authority, for tests
/// to mint revenue tokens), its owner and its fee authority.
pub struct DomainIds {
    /// Revenue mint.
    pub mint: Pubkey,
    /// Its token program.
    pub program: Pubkey,
    /// Its mint authority.
    pub mint_authority: Keypair,
    /// Domain owner.
    pub owner: Keypair,
    /// Fee authority / payment processor.
    pub fee_authority: Keypair,
}

/// A domain created and made ready in tests.
pub struct DomainFx {
    /// Keys most instructions need.
    pub keys: DomainKeys,
    /// Domain id.
    pub id: u64,
    /// Domain owner.
    pub owner: Keypair,
    /// Fee authority / payment processor.
    pub fee_authority: Keypair,
    /// Authority of the revenue mint (tests mint revenue tokens with it).
    pub mint_authority: Keypair,
    /// Revenue decimals.
    pub decimals: u8,
    /// Shard count.
    pub shards: u8,
}

impl Env {
    /// Initialises the protocol with an adopted DN mint of `dn_program`, after minting
    /// `DN_HOLDER_FUNDS` to a holder.
    pub async fn init_protocol(&mut self, dn_program: Pubkey) -> Protocol {
        self.init_protocol_with(dn_program, None).await
    }

    /// [`Env::init_protocol`] with an optional max supply.
    pub async fn init_protocol_with(
        &mut self,
        dn_program: Pubkey,
        max_supply: Option<u64>,
    ) -> Protocol {
        let gov = keypair();
        let temp = keypair();
        let mint = self.create_mint(dn_program, 6, &temp.pubkey()).await;
        let dn_holder = keypair();
        let dn_holder_account = self
            .funded_account(&dn_holder.pubkey(), &mint, &temp, DN_HOLDER_FUNDS)
            .await;
        let foundation_owner = keypair();
        let foundation = self
            .create_token_account(&foundation_owner.pubkey(), &mint)
            .await;
        self.set_mint_authority(&mint, &temp, &pda::mint_authority())
            .await;
        let payer = self.payer();
        let upgrade = self.upgrade.insecure_clone();
        let ix = ix::initialize(
            payer.pubkey(),
            upgrade.pubkey(),
            mint,
            foundation,
            dn_program,
            InitializeArgs {
                authority: gov.pubkey(),
                bounds: default_bounds(),
                max_supply,
            },
        );
        self.ok(&[ix], &[&upgrade]).await;
        Protocol {
            gov,
            dn: DnKeys {
                mint,
                token_program: dn_program,
            },
            dn_decimals: 6,
            dn_holder,
            dn_holder_account,
            foundation,
        }
    }

    /// Creates a domain with a fresh revenue mint of `program` (with `exts`), `shards`
    /// shards and `settings`, and initialises its stake pool and every shard.
    pub async fn domain_with(
        &mut self,
        p: &Protocol,
        program: Pubkey,
        exts: &[MintExt],
        shards: u8,
        settings: DomainSettings,
    ) -> DomainFx {
        let mint_authority = keypair();
        let mint = self
            .create_mint_full(program, 6, &mint_authority.pubkey(), None, exts)
            .await;
        self.domain_on_mint(p, mint, program, mint_authority, shards, settings)
            .await
    }

    /// Creates a domain whose revenue mint is `mint` and initialises its shards.
    pub async fn domain_on_mint(
        &mut self,
        p: &Protocol,
        mint: Pubkey,
        program: Pubkey,
        mint_authority: Keypair,
        shards: u8,
        settings: DomainSettings,
    ) -> DomainFx {
        let (owner, fee_authority) = (keypair(), keypair());
        let ids = DomainIds {
            mint,
            program,
            mint_authority,
            owner,
            fee_authority,
        };
        self.domain_owned_by(p, ids, shards, settings).await
    }

    /// Creates a domain with the given keys, and initialises its stake pool and shards.
    pub async fn domain_owned_by(
        &mut self,
        p: &Protocol,
        ids: DomainIds,
        shards: u8,
        settings: DomainSettings,
    ) -> DomainFx {
        let DomainIds {
            mint,
            program,
            mint_authority,
            owner,
            fee_authority,
        } = ids;
        self.airdrop(&fee_authority.pubkey(), 1_000_000_000).await;
        let config: deepnode::state::Config = self.get(pda::config()).await;
        let id = config.domain_count;
        let payer = self.payer();
        let ix = ix::create_domain(
            payer.pubkey(),
            owner.pubkey(),
            p.gov.pubkey(),
            id,
            mint,
            program,
            CreateDomainArgs {
                fee_authority: fee_authority.pubkey(),
                shard_count: shards,
                settings,
            },
        );
        self.ok(&[ix], &[&owner, &p.gov]).await;
        let domain = pda::domain(id);
        let state: Domain = self.get(domain).await;
        let keys = DomainKeys::new(domain, &state);
        let ix = ix::init_stake_pool(payer.pubkey(), &keys, &p.dn);
        self.ok(&[ix], &[]).await;
        for s in 0..shards {
            let ix = ix::init_shard(payer.pubkey(), &keys, s);
            self.ok(&[ix], &[]).await;
        }
        DomainFx {
            keys,
            id,
            owner,
            fee_authority,
            mint_authority,
            decimals: 6,
            shards,
        }
    }

    /// A default domain: SPL Token revenue mint, 2 shards, default settings.
    pub async fn default_domain(&mut self, p: &Protocol) -> DomainFx {
        self.domain_with(p, TOKEN, &[], 2, default_settings()).await
    }

    /// Mints a model with owner share `x`; returns (model, owner).
    pub async fn model(&mut self, d: &DomainFx, x: u16) -> (Pubkey, Keypair) {
        let owner = keypair();
        self.airdrop(&owner.pubkey(), 1_000_000_000).await;
        let domain: Domain = self.get(d.keys.domain).await;
        let ix = ix::mint_model(owner.pubkey(), d.keys.domain, domain.model_count, x);
        self.ok(&[ix], &[&owner]).await;
        (pda::model(&d.keys.domain, domain.model_count), owner)
    }

    /// A consumer with `amount` revenue tokens; returns (consumer, its token account).
    pub async fn consumer(&mut self, d: &DomainFx, amount: u64) -> (Keypair, Pubkey) {
        let consumer = keypair();
        self.airdrop(&consumer.pubkey(), 1_000_000_000).await;
        let authority = d.mint_authority.insecure_clone();
        let account = self
            .funded_account(&consumer.pubkey(), &d.keys.revenue_mint, &authority, amount)
            .await;
        (consumer, account)
    }

    /// A new DN account of `owner` holding `amount`, funded from the DN holder.
    pub async fn dn_account(&mut self, p: &Protocol, owner: &Pubkey, amount: u64) -> Pubkey {
        let account = self.create_token_account(owner, &p.dn.mint).await;
        if amount > 0 {
            let holder = p.dn_holder.insecure_clone();
            self.transfer(
                &p.dn.mint,
                &p.dn_holder_account,
                &account,
                &holder,
                amount,
                p.dn_decimals,
            )
            .await;
        }
        account
    }

    /// A new revenue-token account of `owner` in `d` holding `amount`: DN from the holder
    /// for a DN-paid domain, minted otherwise.
    pub async fn revenue_account(
        &mut self,
        p: &Protocol,
        d: &DomainFx,
        owner: &Pubkey,
        amount: u64,
    ) -> Pubkey {
        if d.keys.is_dn {
            return self.dn_account(p, owner, amount).await;
        }
        let authority = d.mint_authority.insecure_clone();
        self.funded_account(owner, &d.keys.revenue_mint, &authority, amount)
            .await
    }
}
