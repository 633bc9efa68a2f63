//! The CLI's command groups, and what they share: opening the data
//! directory and acting as the local operator.

pub mod admin;
pub mod audit;
pub mod exchange;
pub mod federation;
pub mod links;
pub mod records;
pub mod screening;
pub mod server;

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use vigil_core::{AgencyCode, Caller, Role};
use vigil_service::{Config, Ctx, Vigil};
use vigil_store::{SqliteStore, StoreError};

/// Opens the database in `dir`, which must exist. Only commands that set up
/// a database or add agencies and records create one ([`open_or_create`]):
/// a read or a revocation run from the wrong folder would otherwise leave a
/// new empty database behind and answer as if nothing were stored.
pub fn open(dir: &Path) -> anyhow::Result<Arc<Vigil>> {
    open_with(dir, Config::default())
}

/// [`open`] with the service configured (the server's flags).
pub fn open_with(dir: &Path, config: Config) -> anyhow::Result<Arc<Vigil>> {
    let store = match SqliteStore::open_existing(dir) {
        Err(StoreError::NoDatabase { path }) => anyhow::bail!(
            "no Vigil database in {} ({path} does not exist): create one with `vigil init --data {}`, \
             or point --data (or VIGIL_DATA) at the data directory that holds it",
            dir.display(),
            dir.display()
        ),
        other => other.with_context(|| format!("cannot open the database in {}", dir.display()))?,
    };
    Ok(Arc::new(Vigil::new(Arc::new(store), config)))
}

/// Opens the database in `dir`, creating it if needed: for `init`,
/// `quickstart` and the commands that add agencies or records.
pub fn open_or_create(dir: &Path) -> anyhow::Result<Arc<Vigil>> {
    open_or_create_with(dir, Config::default())
}

/// [`open_or_create`] with the service configured.
pub fn open_or_create_with(dir: &Path, config: Config) -> anyhow::Result<Arc<Vigil>> {
    let store = SqliteStore::open(dir)
        .with_context(|| format!("cannot open the database in {}", dir.display()))?;
    Ok(Arc::new(Vigil::new(Arc::new(store), config)))
}

/// Fails, naming the agency and how to add it, when `code` is unknown: said
/// before the service's field error, which cannot know the CLI's commands.
pub fn require_agency(vigil: &Vigil, code: &AgencyCode) -> anyhow::Result<()> {
    if vigil.store().agency(code)?.is_none() {
        anyhow::bail!(
            "agency {code} does not exist; add it with `vigil agency add {code} --name …`"
        );
    }
    Ok(())
}

/// The agency code under which local CLI actions are audited.
pub use vigil_core::agency::LOCAL_OPERATOR;

/// Whoever runs the CLI on the server's machine holds the database itself;
/// its actions are still audited, as the local operator with `role`.
pub fn operator(role: Role, purpose: &str) -> Ctx {
    Ctx::new(
        Caller {
            agency: AgencyCode::parse(LOCAL_OPERATOR).unwrap_or_else(|_| unreachable_code()),
            role,
            token_id: "cli".into(),
        },
        purpose,
    )
}

/// Acting for an agency, as one of its contributors (writes its records).
pub fn contributor(agency: &AgencyCode, purpose: &str) -> Ctx {
    Ctx::new(
        Caller {
            agency: agency.clone(),
            role: Role::Contributor,
            token_id: "cli".into(),
        },
        purpose,
    )
}

fn unreachable_code() -> AgencyCode {
    // LOCAL_OPERATOR is a valid code; a test pins it.
    panic!("LOCAL_OPERATOR is not a valid agency code")
}

pub fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn local_operator_is_a_valid_agency_code() {
        assert!(vigil_core::AgencyCode::parse(super::LOCAL_OPERATOR).is_ok());
    }
}
