//! `vigil agency …` and `vigil token …`.

use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;
use vigil_core::{AgencyCode, AgencyKind, Role};

use super::{open, open_or_create, operator, print_json, require_agency};

#[derive(Debug, Subcommand)]
pub enum AgencyCommand {
    /// Add an agency.
    Add {
        /// Agency code: FRA, DEU, INTERPOL, EUROPOL, ...
        code: String,
        #[arg(long)]
        name: String,
        /// country_bureau or organisation (guessed from the code if absent).
        #[arg(long)]
        kind: Option<String>,
    },
    /// List agencies.
    List,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; its secret is printed once.
    Create {
        #[arg(long)]
        agency: String,
        /// admin, contributor, screener, analyst or auditor.
        #[arg(long)]
        role: String,
        #[arg(long)]
        label: Option<String>,
        /// Audited as the purpose of requests made with this token that
        /// state none, e.g. "sanctions screening" for a yente client, which
        /// cannot send X-Vigil-Purpose.
        #[arg(long)]
        default_purpose: Option<String>,
    },
    /// List tokens (never their secrets).
    List {
        #[arg(long)]
        agency: Option<String>,
    },
    /// Revoke a token.
    Revoke { id: String },
}

pub fn agency(cmd: AgencyCommand, data: &Path) -> anyhow::Result<ExitCode> {
    let ctx = operator(Role::Operator, "administration");
    match cmd {
        AgencyCommand::Add { code, name, kind } => {
            let code = AgencyCode::parse(&code)?;
            let kind = kind.as_deref().map(AgencyKind::parse).transpose()?;
            let vigil = open_or_create(data)?;
            let agency = vigil.create_agency(&ctx, &code, &name, kind)?;
            println!(
                "added agency {} ({}, {})",
                agency.code,
                agency.name,
                agency.kind.as_str()
            );
        }
        AgencyCommand::List => {
            let vigil = open(data)?;
            for a in vigil.agencies(&ctx)? {
                println!("{}\t{}\t{}", a.code, a.kind.as_str(), a.name);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn token(cmd: TokenCommand, data: &Path) -> anyhow::Result<ExitCode> {
    let ctx = operator(Role::Operator, "administration");
    match cmd {
        TokenCommand::Create {
            agency,
            role,
            label,
            default_purpose,
        } => {
            let agency = AgencyCode::parse(&agency)?;
            let role: Role = role.parse()?;
            let vigil = open(data)?;
            require_agency(&vigil, &agency)?;
            let options = vigil_store::TokenOptions {
                label,
                default_purpose,
            };
            let (info, secret) = vigil.create_token(&ctx, &agency, role, &options)?;
            print_json(
                &serde_json::json!({"id": info.id, "agency": info.agency, "role": info.role, "secret": secret}),
            )?;
            eprintln!("the secret is shown once; store it now");
        }
        TokenCommand::List { agency } => {
            let agency = agency.as_deref().map(AgencyCode::parse).transpose()?;
            let vigil = open(data)?;
            for t in vigil.tokens(&ctx, agency.as_ref())? {
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.agency,
                    t.role,
                    state,
                    t.label.unwrap_or_default()
                );
            }
        }
        TokenCommand::Revoke { id } => {
            let vigil = open(data)?;
            vigil.revoke_token(&ctx, &id)?;
            println!("revoked {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
