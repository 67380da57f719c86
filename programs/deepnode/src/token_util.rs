//! Token helpers shared by the instructions: the mint extension allowlist, balances read
//! straight from account data (after a CPI, D4), and PDA-signed vault transfers and burns.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::extension::default_account_state::DefaultAccountState;
use anchor_spl::token_2022::spl_token_2022::extension::memo_transfer::MemoTransfer;
use anchor_spl::token_2022::spl_token_2022::extension::{
    BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::generic_token_account::GenericTokenAccount;
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

/// Offset of the amount in a token account: the base layout, which SPL Token and
/// Token-2022 share (mint 32 bytes, owner 32, amount 8).
const TOKEN_AMOUNT_OFFSET: usize = 64;

/// Balance of a token account (either program), read in place from its current data:
/// the token library's own validity check (an initialised account, of the base size or
/// typed as an account when it carries extensions), then the amount at its fixed
/// offset. A full unpack parses every extension, which costs a payment several hundred
/// compute units per read.
pub fn token_balance(account: &AccountInfo) -> Result<u64> {
    let data = account.try_borrow_data()?;
    require!(
        <TokenState as GenericTokenAccount>::valid_account_data(&data),
        ErrorCode::AccountDidNotDeserialize
    );
    let amount = data
        .get(TOKEN_AMOUNT_OFFSET..TOKEN_AMOUNT_OFFSET + 8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .ok_or(ErrorCode::AccountDidNotDeserialize)?;
    Ok(u64::from_le_bytes(amount))
}

/// Whether `account` can receive a payout of `mint` for `owner` without failing the
/// transaction (D3): an initialised, unfrozen account of `token_program` for that mint
/// and owner, with no extension that refuses plain incoming transfers (required memos).
/// Checked before the transfer because a failed CPI cannot be caught.
pub fn accepts_payout(
    account: &AccountInfo,
    mint: &Pubkey,
    owner: &Pubkey,
    token_program: &Pubkey,
) -> bool {
    if account.owner != token_program {
        return false;
    }
    let Ok(data) = account.try_borrow_data() else {
        return false;
    };
    let Ok(state) = StateWithExtensions::<TokenState>::unpack(&data) else {
        return false;
    };
    if state.base.mint != *mint
        || state.base.owner != *owner
        || state.base.state != AccountState::Initialized
    {
        return false;
    }
    match state.get_extension::<MemoTransfer>() {
        Ok(memo) => !bool::from(memo.require_incoming_transfer_memos),
        Err(_) => true,
    }
}

/// Checks `account` is a token account of `token_program` holding `mint` for `owner`,
/// reading its fixed fields only (a full deserialisation with its extensions costs a
/// claim about 1,500 CU per account). The token program checks the rest in the transfer.
pub fn require_token_account(
    account: &AccountInfo,
    mint: &Pubkey,
    owner: &Pubkey,
    token_program: &Pubkey,
) -> Result<()> {
    require_keys_eq!(
        *account.owner,
        *token_program,
        DeepNodeError::TokenAccountMintMismatch
    );
    let data = account.try_borrow_data()?;
    require!(
        <TokenState as GenericTokenAccount>::valid_account_data(&data),
        DeepNodeError::TokenAccountMintMismatch
    );
    let field = |range: core::ops::Range<usize>| {
        data.get(range)
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .map(Pubkey::new_from_array)
    };
    require!(
        field(0..32) == Some(*mint),
        DeepNodeError::TokenAccountMintMismatch
    );
    require!(
        field(32..64) == Some(*owner),
        DeepNodeError::TokenAccountOwnerMismatch
    );
    Ok(())
}

/// The owner field of a token account (after checking it is one).
pub fn token_owner(account: &AccountInfo) -> Result<Pubkey> {
    let data = account.try_borrow_data()?;
    require!(
        <TokenState as GenericTokenAccount>::valid_account_data(&data),
        ErrorCode::AccountDidNotDeserialize
    );
    let bytes = data
        .get(32..64)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or(ErrorCode::AccountDidNotDeserialize)?;
    Ok(Pubkey::new_from_array(bytes))
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
        after.checked_sub(before).or_overflow()
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

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::solana_program::program_pack::Pack;
    use anchor_spl::token_2022::spl_token_2022::state::AccountState;

    fn balance_of(data: &mut [u8]) -> Result<u64> {
        let key = Pubkey::new_unique();
        let owner = anchor_spl::token::ID;
        let mut lamports = 0;
        let info = AccountInfo::new(&key, false, false, &mut lamports, data, &owner, false);
        token_balance(&info)
    }

    #[test]
    fn reads_the_amount_that_a_full_unpack_reads() {
        let account = TokenState {
            mint: Pubkey::new_unique(),
            owner: Pubkey::new_unique(),
            amount: 123_456_789_012,
            state: AccountState::Initialized,
            ..Default::default()
        };
        let mut data = vec![0u8; TokenState::LEN];
        TokenState::pack(account, &mut data).unwrap();
        let full = StateWithExtensions::<TokenState>::unpack(&data)
            .unwrap()
            .base
            .amount;
        assert_eq!(balance_of(&mut data).unwrap(), full);
        assert_eq!(full, 123_456_789_012);
    }

    #[test]
    fn refuses_an_uninitialised_or_short_account() {
        let mut empty = vec![0u8; TokenState::LEN];
        assert!(balance_of(&mut empty).is_err());
        let mut short = vec![1u8; 100];
        assert!(balance_of(&mut short).is_err());
    }
}
