//! `initialize`: creates the config, adopting an existing DN mint whose mint authority
//! was already handed to the program's PDA.
use anchor_lang::prelude::*;
use anchor_lang::solana_program::bpf_loader_upgradeable;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::*;
use crate::create::create_state;
use crate::errors::DeepNodeError;
use crate::events::ProtocolInitialized;
use crate::state::{Bounds, Config};
use crate::token_util::check_mint_extensions;

/// Arguments shared by both initialisation instructions.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeArgs {
    /// Governance key (a multisig in production).
    pub authority: Pubkey,
    /// Bounds for every domain parameter.
    pub bounds: Bounds,
    /// Optional DN supply cap.
    pub max_supply: Option<u64>,
}

/// Accounts of [`initialize`](crate::deepnode::initialize).
#[event_cpi]
#[derive(Accounts)]
pub struct Initialize<'info> {
    /// Pays rent for the config.
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
    /// CHECK: the config's PDA (seeds checked), created by the handler; a second
    /// initialisation fails with `AccountAlreadyInitialized`.
    #[account(mut, seeds = [CONFIG_SEED], bump)]
    pub config: UncheckedAccount<'info>,
    /// CHECK: data-less PDA that signs DN mints; its address is checked by the seeds.
    #[account(seeds = [MINT_AUTHORITY_SEED], bump)]
    pub mint_authority: UncheckedAccount<'info>,
    /// The existing DN mint, owned by `token_program`.
    #[account(mint::token_program = token_program)]
    pub dn_mint: InterfaceAccount<'info, Mint>,
    /// The foundation's DN token account.
    #[account(
        token::mint = dn_mint,
        token::token_program = token_program,
    )]
    pub foundation: InterfaceAccount<'info, TokenAccount>,
    /// SPL Token or Token-2022.
    pub token_program: Interface<'info, TokenInterface>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Handler of [`initialize`](crate::deepnode::initialize).
pub fn handler(ctx: Context<Initialize>, args: InitializeArgs) -> Result<()> {
    let mint = &ctx.accounts.dn_mint;
    require!(
        mint.mint_authority == Some(ctx.accounts.mint_authority.key()).into(),
        DeepNodeError::DnMintAuthorityNotPda
    );
    require!(
        mint.freeze_authority.is_none(),
        DeepNodeError::DnMintHasFreezeAuthority
    );
    check_mint_extensions(&mint.to_account_info())?;
    let dn = DnMintInfo {
        mint: mint.key(),
        token_program: ctx.accounts.token_program.key(),
        decimals: mint.decimals,
        supply: mint.supply,
        created: false,
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

/// What the config records about the DN mint.
pub struct DnMintInfo {
    /// Mint address.
    pub mint: Pubkey,
    /// Owning token program.
    pub token_program: Pubkey,
    /// Decimals.
    pub decimals: u8,
    /// Supply at initialisation.
    pub supply: u64,
    /// Whether this instruction created the mint.
    pub created: bool,
}

/// The accounts both initialisation instructions create the config with.
pub struct ConfigAccounts<'info> {
    /// The config PDA (empty, possibly pre-funded).
    pub config: AccountInfo<'info>,
    /// Pays its rent.
    pub payer: AccountInfo<'info>,
    /// System program.
    pub system_program: AccountInfo<'info>,
    /// Canonical bump of the config PDA.
    pub config_bump: u8,
    /// Canonical bump of the mint-authority PDA.
    pub mint_authority_bump: u8,
}

/// Builds, checks and creates the config; shared by both initialisation instructions.
pub fn create_config(
    accounts: &ConfigAccounts,
    args: &InitializeArgs,
    dn: &DnMintInfo,
    foundation: Pubkey,
) -> Result<Config> {
    let bump = accounts.config_bump;
    let mint_authority_bump = accounts.mint_authority_bump;
    args.bounds.validate()?;
    if let Some(max) = args.max_supply {
        require!(max >= dn.supply, DeepNodeError::MaxSupplyBelowSupply);
    }
    let config = Config {
        version: ACCOUNT_VERSION,
        bump,
        mint_authority_bump,
        authority: args.authority,
        pending_authority: None,
        paused: false,
        dn_mint: dn.mint,
        dn_token_program: dn.token_program,
        dn_decimals: dn.decimals,
        foundation,
        bounds: args.bounds,
        max_supply: args.max_supply,
        initial_supply: dn.supply,
        dn_minted: 0,
        domain_count: 0,
        reserved: [0; 128],
    };
    config.invariant()?;
    create_state(
        &accounts.config,
        &accounts.payer,
        &accounts.system_program,
        &[CONFIG_SEED, &[bump]],
        Config::INIT_SPACE,
        &config,
    )?;
    Ok(config)
}

/// The event both initialisation instructions emit.
pub fn initialized_event(config: &Config, dn: &DnMintInfo) -> ProtocolInitialized {
    ProtocolInitialized {
        authority: config.authority,
        dn_mint: dn.mint,
        mint_created: dn.created,
        foundation: config.foundation,
        initial_supply: dn.supply,
        max_supply: config.max_supply,
        bounds: config.bounds,
    }
}
