//! Token helpers shared by the instructions: the mint extension allowlist, balances read
//! straight from account data (after a CPI, D4), and PDA-signed vault transfers and burns.
use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::extension::default_account_state::DefaultAccountState;
use anchor_spl::token_2022::spl_token_2022::extension::{
    BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::state::{
    Account as TokenState, AccountState, Mint as MintState,
};
use anchor_spl::token_interface::{self, Burn, TransferChecked};

use crate::constants::VAULT_AUTHORITY_SEED;
use crate::errors::DeepNodeError;

/// Refuses Token-2022 mints whose extensions break the protocol's accounting (D2):
/// transfer hook, permanent delegate, non-transferable, confidential transfers, default
/// frozen state, close authority and pausable each fail with their own error; transfer
/// fees (split what arrived), interest-bearing and scaled-UI mints (raw amounts) and
/// metadata extensions are accepted; anything else is refused as unsupported.
pub fn check_mint_extensions(mint: &AccountInfo) -> Result<()> {
    if *mint.owner != anchor_spl::token_2022::ID {
        return Ok(());
    }
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<MintState>::unpack(&data)?;
    for ext in state.get_extension_types()? {
        match ext {
            ExtensionType::TransferFeeConfig
            | ExtensionType::InterestBearingConfig
            | ExtensionType::ScaledUiAmount
            | ExtensionType::MetadataPointer
            | ExtensionType::TokenMetadata
            | ExtensionType::GroupPointer
            | ExtensionType::TokenGroup
            | ExtensionType::GroupMemberPointer
            | ExtensionType::TokenGroupMember => {}
            ExtensionType::TransferHook => return err!(DeepNodeError::MintHasTransferHook),
            ExtensionType::PermanentDelegate => {
                return err!(DeepNodeError::MintHasPermanentDelegate)
            }
            ExtensionType::NonTransferable => return err!(DeepNodeError::MintNonTransferable),
            ExtensionType::ConfidentialTransferMint
            | ExtensionType::ConfidentialTransferFeeConfig
            | ExtensionType::ConfidentialMintBurn => {
                return err!(DeepNodeError::MintHasConfidentialTransfer)
            }
            ExtensionType::DefaultAccountState => {
                let ext = state.get_extension::<DefaultAccountState>()?;
                if ext.state == AccountState::Frozen as u8 {
                    return err!(DeepNodeError::MintDefaultFrozen);
                }
            }
            ExtensionType::MintCloseAuthority => return err!(DeepNodeError::MintHasCloseAuthority),
            ExtensionType::Pausable => return err!(DeepNodeError::MintPausable),
            _ => return err!(DeepNodeError::MintExtensionUnsupported),
        }
    }
    Ok(())
}

/// Balance of a token account (either program), read from its current data.
pub fn token_balance(account: &AccountInfo) -> Result<u64> {
    let data = account.try_borrow_data()?;
    let state = StateWithExtensions::<TokenState>::unpack(&data)?;
    Ok(state.base.amount)
}

/// The token side of a payment: the vault that receives it and what signs for the vault.
pub struct VaultCpi<'a, 'info> {
    /// Domain the vault belongs to (vault-authority seed).
    pub domain: Pubkey,
    /// Canonical bump of the vault authority.
    pub authority_bump: u8,
    /// The vault token account.
    pub vault: &'a AccountInfo<'info>,
    /// The vault authority PDA.
    pub authority: &'a AccountInfo<'info>,
    /// The mint.
    pub mint: &'a AccountInfo<'info>,
    /// Mint decimals.
    pub decimals: u8,
    /// The token program owning the mint.
    pub token_program: &'a AccountInfo<'info>,
}

impl<'a, 'info> VaultCpi<'a, 'info> {
    /// Moves `amount` from `from` (signed by `owner`) into the vault and returns what the
    /// vault actually received, measured before and after (transfer-fee mints).
    pub fn receive(
        &self,
        from: &AccountInfo<'info>,
        owner: &AccountInfo<'info>,
        amount: u64,
    ) -> Result<u64> {
        let before = token_balance(self.vault)?;
        token_interface::transfer_checked(
            CpiContext::new(
                self.token_program.key(),
                TransferChecked {
                    from: from.clone(),
                    mint: self.mint.clone(),
                    to: self.vault.clone(),
                    authority: owner.clone(),
                },
            ),
            amount,
            self.decimals,
        )?;
        let after = token_balance(self.vault)?;
        after
            .checked_sub(before)
            .ok_or_else(|| error!(DeepNodeError::MathOverflow))
    }

    /// Sends `amount` out of the vault to `to`, signed by the vault authority PDA.
    pub fn send(&self, to: &AccountInfo<'info>, amount: u64) -> Result<()> {
        let bump = [self.authority_bump];
        let seeds: &[&[u8]] = &[VAULT_AUTHORITY_SEED, self.domain.as_ref(), &bump];
        let signer = &[seeds];
        token_interface::transfer_checked(
            CpiContext::new_with_signer(
                self.token_program.key(),
                TransferChecked {
                    from: self.vault.clone(),
                    mint: self.mint.clone(),
                    to: to.clone(),
                    authority: self.authority.clone(),
                },
                signer,
            ),
            amount,
            self.decimals,
        )
    }

    /// Burns `amount` from the vault (DN revenue), signed by the vault authority PDA.
    pub fn burn(&self, amount: u64) -> Result<()> {
        require!(self.mint.is_writable, DeepNodeError::MintNotWritable);
        let bump = [self.authority_bump];
        let seeds: &[&[u8]] = &[VAULT_AUTHORITY_SEED, self.domain.as_ref(), &bump];
        let signer = &[seeds];
        token_interface::burn(
            CpiContext::new_with_signer(
                self.token_program.key(),
                Burn {
                    mint: self.mint.clone(),
                    from: self.vault.clone(),
                    authority: self.authority.clone(),
                },
                signer,
            ),
            amount,
        )
    }
}
