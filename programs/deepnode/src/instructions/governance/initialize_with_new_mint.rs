//! `initialize_with_new_mint`: creates the config and a fresh DN mint whose mint
//! authority is the program's PDA (no freeze authority), plus the foundation's
//! associated DN account.
use anchor_lang::prelude::*;
use anchor_lang::solana_program::bpf_loader_upgradeable;
use anchor_spl::associated_token::AssociatedToken;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::*;
use crate::errors::DeepNodeError;
use crate::instructions::governance::initialize::{
    create_config, initialized_event, ConfigAccounts, DnMintInfo, InitializeArgs,
};

/// Accounts of [`initialize_with_new_mint`](crate::deepnode::initialize_with_new_mint).
#[event_cpi]
#[derive(Accounts)]
#[instruction(args: InitializeArgs, decimals: u8)]
pub struct InitializeWithNewMint<'info> {
    /// Pays rent for the config, the mint and the foundation account.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The program's upgrade authority: only the deployer can initialise (C1).
    pub upgrade_authority: Signer<'info>,
    /// The program's ProgramData account, which names the upgrade authority.
    #[account(
        seeds = [crate::ID.as_ref()],
        bump,
        seeds::program = bpf_loader_upgradeable::ID,
        constraint = program_data.upgrade_authority_address == Some(upgrade_authority.key())
            @ DeepNodeError::NotUpgradeAuthority,
    )]
    pub program_data: Account<'info, ProgramData>,
    /// CHECK: the config's PDA (seeds checked), created by the handler.
    #[account(mut, seeds = [CONFIG_SEED], bump)]
    pub config: UncheckedAccount<'info>,
    /// CHECK: data-less PDA that signs DN mints; its address is checked by the seeds.
    #[account(seeds = [MINT_AUTHORITY_SEED], bump)]
    pub mint_authority: UncheckedAccount<'info>,
    /// The new DN mint (a fresh keypair), authority the PDA, no freeze authority.
    #[account(
        init,
        payer = payer,
        mint::decimals = decimals,
        mint::authority = mint_authority,
        mint::token_program = token_program,
    )]
    pub dn_mint: InterfaceAccount<'info, Mint>,
    /// CHECK: any wallet; it only owns the foundation's token account.
    pub foundation_owner: UncheckedAccount<'info>,
    /// The foundation's associated DN account, created here.
    #[account(
        init,
        payer = payer,
        associated_token::mint = dn_mint,
        associated_token::authority = foundation_owner,
        associated_token::token_program = token_program,
    )]
    pub foundation: InterfaceAccount<'info, TokenAccount>,
    /// SPL Token or Token-2022.
    pub token_program: Interface<'info, TokenInterface>,
    /// Associated token program.
    pub associated_token_program: Program<'info, AssociatedToken>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Handler of [`initialize_with_new_mint`](crate::deepnode::initialize_with_new_mint).
pub fn handler(
    ctx: Context<InitializeWithNewMint>,
    args: InitializeArgs,
    decimals: u8,
) -> Result<()> {
    let dn = DnMintInfo {
        mint: ctx.accounts.dn_mint.key(),
        token_program: ctx.accounts.token_program.key(),
        decimals,
        supply: 0,
        created: true,
    };
    let config = create_config(
        &ConfigAccounts {
            config: ctx.accounts.config.to_account_info(),
            payer: ctx.accounts.payer.to_account_info(),
            system_program: ctx.accounts.system_program.to_account_info(),
            config_bump: ctx.bumps.config,
            mint_authority_bump: ctx.bumps.mint_authority,
        },
        &args,
        &dn,
        ctx.accounts.foundation.key(),
    )?;
    crate::emit_event!(ctx, initialized_event(&config, &dn));
    Ok(())
}
