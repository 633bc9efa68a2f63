//! `vigil record …`: add records from JSON files, read and list them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use vigil_core::{AgencyCode, RecordDraft, RecordId, RecordStatus, Role};
use vigil_service::json_input::parse_json;
use vigil_store::RecordFilter;

use super::{contributor, open, operator, print_json, require_agency};

#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    /// Add records from a JSON file: one record object, an array of them, or JSON lines.
    Add {
        file: PathBuf,
        /// The owning agency (must exist).
        #[arg(long)]
        owner: String,
    },
    /// Print one record.
    Get { id: String },
    /// List records.
    List {
        #[arg(long)]
        owner: Option<String>,
        /// active or retired.
        #[arg(long)]
        status: Option<String>,
        /// How many to print at most.
        #[arg(long, default_value_t = 100, conflicts_with = "all")]
        limit: usize,
        /// Start after this record id (the `--cursor` a previous list printed).
        #[arg(long)]
        cursor: Option<String>,
        /// Print every record, however many.
        #[arg(long)]
        all: bool,
    },
    /// Print every version of a record.
    History { id: String },
}

/// Reads drafts from a file; each keeps its position for error messages.
fn read_drafts(file: &PathBuf) -> anyhow::Result<Vec<(String, serde_json::Value)>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let values: Vec<serde_json::Value> = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a JSON array of records", file.display()))?;
        Ok(values
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("item {i}"), v))
            .collect())
    } else if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
        Ok(vec![("record".into(), value)])
    } else {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l)
                    .map(|v| (format!("line {}", i + 1), v))
                    .with_context(|| format!("{} line {}: not valid JSON", file.display(), i + 1))
            })
            .collect()
    }
}

pub fn run(cmd: RecordCommand, data: &Path) -> anyhow::Result<ExitCode> {
    match cmd {
        RecordCommand::Add { file, owner } => {
            let owner = AgencyCode::parse(&owner)?;
            let items = read_drafts(&file)?;
            // The owner must already be in the database, so a missing
            // database is the wrong directory: it is not created here.
            let vigil = open(data)?;
            require_agency(&vigil, &owner)?;
            let ctx = contributor(&owner, "record entry");
            let mut failed = 0;
            for (position, value) in items {
                let result = parse_json::<RecordDraft>(value.to_string().as_bytes())
                    .and_then(|draft| vigil.create_record(&ctx, draft));
                match result {
                    Ok(r) => println!(
                        "{}\t{}\t{}",
                        r.id,
                        r.draft.reference,
                        r.draft.display_name()
                    ),
                    Err(e) => {
                        failed += 1;
                        eprintln!("{position}: {e}");
                    }
                }
            }
            Ok(if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        RecordCommand::Get { id } => {
            let id = RecordId::parse(&id).context("not a record id")?;
            let vigil = open(data)?;
            let view = vigil.get_record(&operator(Role::Auditor, "operator read"), id)?;
            print_json(&view)?;
            Ok(ExitCode::SUCCESS)
        }
        RecordCommand::List {
            owner,
            status,
            limit,
            cursor,
            all,
        } => {
            let filter = RecordFilter {
                owner: owner.as_deref().map(AgencyCode::parse).transpose()?,
                status: status
                    .as_deref()
                    .map(|s| RecordStatus::parse(s).context("status must be active or retired"))
                    .transpose()?,
                ..RecordFilter::default()
            };
            let mut cursor = cursor
                .as_deref()
                .map(|c| RecordId::parse(c).context("--cursor takes a record id"))
                .transpose()?;
            let limit = if all { usize::MAX } else { limit };
            let vigil = open(data)?;
            let ctx = operator(Role::Auditor, "operator read");
            let mut shown = 0;
            // Where the next page would start, when the limit cut the list.
            let mut more = None;
            while shown < limit {
                let page = vigil.list_records(&ctx, &filter, cursor, (limit - shown).min(1000))?;
                for item in &page.items {
                    if let vigil_core::RecordView::Full(r) = item {
                        println!(
                            "{}\t{}\t{}\t{}\t{}",
                            r.id,
                            r.owner,
                            r.status.as_str(),
                            r.draft.reference,
                            r.draft.display_name()
                        );
                    }
                }
                shown += page.count;
                more = page.next_cursor.as_deref().and_then(RecordId::parse);
                match more {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            // A list cut short says so, on stderr so that piped output
            // stays one record a line.
            if let Some(next) = more {
                eprintln!(
                    "{shown} records shown; there are more: `--cursor {next}` for the next page, \
                     `--limit N` for more at once, or `--all`"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        RecordCommand::History { id } => {
            let id = RecordId::parse(&id).context("not a record id")?;
            let vigil = open(data)?;
            print_json(&vigil.record_history(&operator(Role::Auditor, "operator read"), id)?)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
