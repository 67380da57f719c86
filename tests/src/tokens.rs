//! SPL Token / Token-2022 helpers: mints with chosen extensions, token accounts, balances.
use anchor_lang::solana_program::system_instruction;
use anchor_spl::token_2022::spl_token_2022;
use deepnode_runtime::keys::keypair;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;
use spl_token_2022::extension::ExtensionType;
use spl_token_2022::instruction as token_ix;
use spl_token_2022::state::Mint as MintState;

use crate::Env;

pub use deepnode_sdk::tokens::{TOKEN, TOKEN_2022};

/// A Token-2022 mint extension to create a mint with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MintExt {
    /// Transfer fee of `bps`, capped at `max` per transfer.
    TransferFee {
        /// Fee in bps.
        bps: u16,
        /// Maximum fee per transfer.
        max: u64,
    },
    /// Transfer hook (to an arbitrary program id).
    TransferHook,
    /// Permanent delegate.
    PermanentDelegate,
    /// Non-transferable.
    NonTransferable,
    /// Confidential transfers.
    ConfidentialTransfer,
    /// Default account state frozen.
    DefaultFrozen,
    /// Default account state initialised (harmless).
    DefaultInitialized,
    /// Mint close authority.
    CloseAuthority,
    /// Pausable.
    Pausable,
    /// Interest-bearing (raw amounts unaffected).
    InterestBearing,
    /// Scaled UI amount (raw amounts unaffected).
    ScaledUi,
    /// Metadata pointer (to the mint itself).
    MetadataPointer,
}

impl MintExt {
    fn kind(&self) -> ExtensionType {
        match self {
            MintExt::TransferFee { .. } => ExtensionType::TransferFeeConfig,
            MintExt::TransferHook => ExtensionType::TransferHook,
            MintExt::PermanentDelegate => ExtensionType::PermanentDelegate,
            MintExt::NonTransferable => ExtensionType::NonTransferable,
            MintExt::ConfidentialTransfer => ExtensionType::ConfidentialTransferMint,
            MintExt::DefaultFrozen | MintExt::DefaultInitialized => {
                ExtensionType::DefaultAccountState
            }
            MintExt::CloseAuthority => ExtensionType::MintCloseAuthority,
            MintExt::Pausable => ExtensionType::Pausable,
            MintExt::InterestBearing => ExtensionType::InterestBearingConfig,
            MintExt::ScaledUi => ExtensionType::ScaledUiAmount,
            MintExt::MetadataPointer => ExtensionType::MetadataPointer,
        }
    }

    fn init_ix(&self, mint: &Pubkey, authority: &Pubkey) -> Instruction {
        let p = &TOKEN_2022;
        let r = match self {
            MintExt::TransferFee { bps, max } => spl_token_2022::extension::transfer_fee::instruction::initialize_transfer_fee_config(
                p, mint, Some(authority), Some(authority), *bps, *max,
            ),
            MintExt::TransferHook => spl_token_2022::extension::transfer_hook::instruction::initialize(
                p, mint, Some(*authority), Some(Pubkey::new_unique()),
            ),
            MintExt::PermanentDelegate => token_ix::initialize_permanent_delegate(p, mint, authority),
            MintExt::NonTransferable => token_ix::initialize_non_transferable_mint(p, mint),
            MintExt::ConfidentialTransfer => spl_token_2022::extension::confidential_transfer::instruction::initialize_mint(
                p, mint, Some(*authority), true, None,
            ),
            MintExt::DefaultFrozen => spl_token_2022::extension::default_account_state::instruction::initialize_default_account_state(
                p, mint, &spl_token_2022::state::AccountState::Frozen,
            ),
            MintExt::DefaultInitialized => spl_token_2022::extension::default_account_state::instruction::initialize_default_account_state(
                p, mint, &spl_token_2022::state::AccountState::Initialized,
            ),
            MintExt::CloseAuthority => token_ix::initialize_mint_close_authority(p, mint, Some(authority)),
            MintExt::Pausable => spl_token_2022::extension::pausable::instruction::initialize(p, mint, authority),
            MintExt::InterestBearing => spl_token_2022::extension::interest_bearing_mint::instruction::initialize(
                p, mint, Some(*authority), 500,
            ),
            MintExt::ScaledUi => spl_token_2022::extension::scaled_ui_amount::instruction::initialize(
                p, mint, Some(*authority), 2.0,
            ),
            MintExt::MetadataPointer => {
                spl_token_2022::extension::metadata_pointer::instruction::initialize(
                    p,
                    mint,
                    Some(*authority),
                    Some(*mint),
                )
            }
        };
        r.expect("extension instruction")
    }
}

impl Env {
    /// Creates a mint owned by `program` with `authority`, optional freeze authority and
    /// Token-2022 extensions; returns its address.
    pub async fn create_mint_full(
        &mut self,
        program: Pubkey,
        decimals: u8,
        authority: &Pubkey,
        freeze: Option<&Pubkey>,
        exts: &[MintExt],
    ) -> Pubkey {
        let mint = keypair();
        let kinds: Vec<ExtensionType> = exts.iter().map(MintExt::kind).collect();
        let len = ExtensionType::try_calculate_account_len::<MintState>(&kinds).expect("mint len");
        let rent = self.ctx.banks_client.get_rent().await.expect("rent");
        let payer = self.payer();
        let mut ixs = vec![system_instruction::create_account(
            &payer.pubkey(),
            &mint.pubkey(),
            rent.minimum_balance(len),
            len as u64,
            &program,
        )];
        for e in exts {
            ixs.push(e.init_ix(&mint.pubkey(), authority));
        }
        ixs.push(
            token_ix::initialize_mint2(&program, &mint.pubkey(), authority, freeze, decimals)
                .expect("initialize mint"),
        );
        self.ok(&ixs, &[&mint]).await;
        mint.pubkey()
    }

    /// Creates a plain mint (no freeze authority, no extensions).
    pub async fn create_mint(
        &mut self,
        program: Pubkey,
        decimals: u8,
        authority: &Pubkey,
    ) -> Pubkey {
        self.create_mint_full(program, decimals, authority, None, &[])
            .await
    }

    /// Creates a token account of `mint` owned by `owner`; returns its address.
    pub async fn create_token_account(&mut self, owner: &Pubkey, mint: &Pubkey) -> Pubkey {
        let mint_account = self.account(*mint).await.expect("mint exists");
        let program = mint_account.owner;
        let len = deepnode_sdk::tokens::account_len(&program, mint, &mint_account.data)
            .expect("account length");
        let account = keypair();
        let rent = self.ctx.banks_client.get_rent().await.expect("rent");
        let payer = self.payer();
        let ixs = vec![
            system_instruction::create_account(
                &payer.pubkey(),
                &account.pubkey(),
                rent.minimum_balance(len),
                len as u64,
                &program,
            ),
            token_ix::initialize_account3(&program, &account.pubkey(), mint, owner)
                .expect("init account"),
        ];
        self.ok(&ixs, &[&account]).await;
        account.pubkey()
    }

    /// Mints `amount` of `mint` to `to`, signed by `authority`.
    pub async fn mint_to(&mut self, mint: &Pubkey, to: &Pubkey, authority: &Keypair, amount: u64) {
        let program = self.account(*mint).await.expect("mint").owner;
        let ix = token_ix::mint_to(&program, mint, to, &authority.pubkey(), &[], amount)
            .expect("mint_to");
        self.ok(&[ix], &[authority]).await;
    }

    /// A funded token account of `mint` for `owner`.
    pub async fn funded_account(
        &mut self,
        owner: &Pubkey,
        mint: &Pubkey,
        authority: &Keypair,
        amount: u64,
    ) -> Pubkey {
        let account = self.create_token_account(owner, mint).await;
        if amount > 0 {
            self.mint_to(mint, &account, authority, amount).await;
        }
        account
    }

    /// Hands the mint authority of `mint` to `new_authority`.
    pub async fn set_mint_authority(
        &mut self,
        mint: &Pubkey,
        current: &Keypair,
        new_authority: &Pubkey,
    ) {
        let program = self.account(*mint).await.expect("mint").owner;
        let ix = token_ix::set_authority(
            &program,
            mint,
            Some(new_authority),
            token_ix::AuthorityType::MintTokens,
            &current.pubkey(),
            &[],
        )
        .expect("set_authority");
        self.ok(&[ix], &[current]).await;
    }

    /// Token balance (raw amount) of a token account.
    pub async fn balance(&mut self, account: Pubkey) -> u64 {
        let data = self.account(account).await.expect("token account").data;
        deepnode_sdk::tokens::amount(&account, &data).expect("token state")
    }

    /// Supply of a mint.
    pub async fn supply(&mut self, mint: Pubkey) -> u64 {
        let data = self.account(mint).await.expect("mint").data;
        deepnode_sdk::tokens::supply(&mint, &data).expect("mint state")
    }

    /// A `transfer_checked` between two accounts of `mint`.
    pub async fn transfer(
        &mut self,
        mint: &Pubkey,
        from: &Pubkey,
        to: &Pubkey,
        owner: &Keypair,
        amount: u64,
        decimals: u8,
    ) {
        let program = self.account(*mint).await.expect("mint").owner;
        let ix = token_ix::transfer_checked(
            &program,
            from,
            mint,
            to,
            &owner.pubkey(),
            &[],
            amount,
            decimals,
        )
        .expect("transfer");
        self.ok(&[ix], &[owner]).await;
    }
}
