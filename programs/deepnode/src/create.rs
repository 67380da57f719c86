//! Account creation that a pre-funded address cannot block.
//!
//! Every account this program creates lives at an address anyone can compute (a PDA), and
//! anyone can send lamports there first. Anchor's `init` then needs the system program's
//! `CreateAccountAllowPrefund`, which clusters without that instruction reject, so a
//! single transfer would block the config, the next domain or model, or a model's epoch
//! record for good. Here a funded address is topped up, allocated and assigned instead,
//! and an address that already holds data is refused with its own error.
use crate::errors::OrOverflow;
use anchor_lang::prelude::*;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::system_program;
use anchor_spl::token_2022::spl_token_2022::extension::{
    BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::state::{Account as TokenState, Mint as MintState};
use anchor_spl::token_interface::{self, InitializeAccount3};

use crate::errors::DeepNodeError;

/// Creates an account of `space` bytes owned by `owner` at the PDA `target` (whose
/// `seeds`, bump included, sign), paid by `payer`, whether or not it already holds
/// lamports. Fails with `AccountAlreadyInitialized` if it holds data or has an owner.
pub fn create_pda<'info>(
    target: &AccountInfo<'info>,
    payer: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
    seeds: &[&[u8]],
    space: usize,
    owner: &Pubkey,
) -> Result<()> {
    require!(
        target.data_is_empty() && *target.owner == system_program::ID,
        DeepNodeError::AccountAlreadyInitialized
    );
    let rent = Rent::get()?.minimum_balance(space);
    let space_u64 = u64::try_from(space).or_overflow()?;
    let signer = &[seeds];
    let current = target.lamports();
    if current == 0 {
        return system_program::create_account(
            CpiContext::new_with_signer(
                system.key(),
                system_program::CreateAccount {
                    from: payer.clone(),
                    to: target.clone(),
                },
                signer,
            ),
            rent,
            space_u64,
            owner,
        );
    }
    let top_up = rent.saturating_sub(current);
    if top_up > 0 {
        system_program::transfer(
            CpiContext::new(
                system.key(),
                system_program::Transfer {
                    from: payer.clone(),
                    to: target.clone(),
                },
            ),
            top_up,
        )?;
    }
    system_program::allocate(
        CpiContext::new_with_signer(
            system.key(),
            system_program::Allocate {
                account_to_allocate: target.clone(),
            },
            signer,
        ),
        space_u64,
    )?;
    system_program::assign(
        CpiContext::new_with_signer(
            system.key(),
            system_program::Assign {
                account_to_assign: target.clone(),
            },
            signer,
        ),
        owner,
    )
}

/// Creates a program account at the PDA `target` and writes `value` (with its
/// discriminator) into it. `space` excludes the 8-byte discriminator.
pub fn create_state<'info, T: AccountSerialize>(
    target: &AccountInfo<'info>,
    payer: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
    seeds: &[&[u8]],
    space: usize,
    value: &T,
) -> Result<()> {
    let total = space.checked_add(8).or_overflow()?;
    create_pda(target, payer, system, seeds, total, &crate::ID)?;
    let mut data = target.try_borrow_mut_data()?;
    let mut writer: &mut [u8] = &mut data;
    value.try_serialize(&mut writer)
}

/// Size of a token account of `mint`: with Token-2022, room for the account extensions
/// the mint's extensions require (a transfer-fee mint needs a withheld-amount field).
fn token_account_space(mint: &AccountInfo) -> Result<usize> {
    if *mint.owner != anchor_spl::token_2022::ID {
        return Ok(TokenState::LEN);
    }
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<MintState>::unpack(&data)?;
    let needed = ExtensionType::get_required_init_account_extensions(&state.get_extension_types()?);
    Ok(ExtensionType::try_calculate_account_len::<TokenState>(
        &needed,
    )?)
}

/// Creates a token account of `mint` owned by `authority` at the PDA `target`.
#[allow(clippy::too_many_arguments)]
pub fn create_token_vault<'info>(
    target: &AccountInfo<'info>,
    payer: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
    seeds: &[&[u8]],
    mint: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
) -> Result<()> {
    let space = token_account_space(mint)?;
    create_pda(target, payer, system, seeds, space, token_program.key)?;
    token_interface::initialize_account3(CpiContext::new(
        token_program.key(),
        InitializeAccount3 {
            account: target.clone(),
            mint: mint.clone(),
            authority: authority.clone(),
        },
    ))
}

/// Writes `value` (with its discriminator) over a program account's data.
pub fn write_state<T: AccountSerialize>(target: &AccountInfo, value: &T) -> Result<()> {
    require_keys_eq!(
        *target.owner,
        crate::ID,
        DeepNodeError::AccountNotOwnedByProgram
    );
    require!(target.is_writable, DeepNodeError::AccountNotWritable);
    let mut data = target.try_borrow_mut_data()?;
    let mut writer: &mut [u8] = &mut data;
    value.try_serialize(&mut writer)
}

/// Reads a program account of type `T` from an account the handler checks by hand: it
/// must be owned by this program and carry `T`'s discriminator (A2).
pub fn load_state<T: AccountDeserialize>(info: &AccountInfo) -> Result<T> {
    require_keys_eq!(
        *info.owner,
        crate::ID,
        DeepNodeError::AccountNotOwnedByProgram
    );
    let data = info.try_borrow_data()?;
    T::try_deserialize(&mut &data[..])
}
