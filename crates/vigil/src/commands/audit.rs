//! `vigil audit …`: verify the chain, list entries.

use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;
use vigil_core::Role;
use vigil_store::AuditFilter;

use super::{open, operator};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no audit entry was altered, removed or reordered.
    Verify,
    /// Print audit entries as JSON lines.
    List {
        #[arg(long, default_value_t = 0)]
        after: i64,
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
}

pub fn run(cmd: AuditCommand, data: &Path) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify => {
            let vigil = open(data)?;
            match vigil.verify_audit(&operator(Role::Auditor, "oversight"))? {
                Ok(report) => {
                    println!(
                        "audit chain intact: {} entries, head {}",
                        report.entries, report.head
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(brk) => anyhow::bail!("{brk}"),
            }
        }
        AuditCommand::List { after, limit } => {
            let vigil = open(data)?;
            let filter = AuditFilter {
                after: Some(after),
                limit,
                ..AuditFilter::default()
            };
            for entry in vigil.audit_log(&operator(Role::Auditor, "oversight"), filter)? {
                println!("{}", serde_json::to_string(&entry)?);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
