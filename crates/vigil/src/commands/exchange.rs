//! `vigil import` and `vigil export`: FtM and the official lists.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use vigil_core::{AgencyCode, Role};
use vigil_service::exchange::ImportFormat;

use super::{contributor, open, open_or_create, operator, print_json};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// ftm (FollowTheMoney JSON lines), un-xml (UN Security Council list) or ofac-xml (OFAC SDN list).
    #[arg(long)]
    format: String,
    file: PathBuf,
    /// The agency that will own the records (created if it does not exist).
    #[arg(long)]
    owner: String,
    /// Print the full report (every diagnostic) as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Only ftm is exported.
    #[arg(long, default_value = "ftm")]
    format: String,
    /// Only this owner's records.
    #[arg(long)]
    owner: Option<String>,
    /// Export what this agency may see, at its disclosure level (default:
    /// the local operator's full view).
    #[arg(long = "as")]
    as_agency: Option<String>,
}

/// A progress bar on a terminal; nothing when piped or in CI logs.
pub fn progress_bar(label: &str) -> Option<indicatif::ProgressBar> {
    let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    interactive.then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message(label.to_string());
        bar
    })
}

pub fn import(args: ImportArgs, data: &Path) -> anyhow::Result<ExitCode> {
    let format: ImportFormat = args.format.parse().map_err(anyhow::Error::msg)?;
    let owner = AgencyCode::parse(&args.owner)?;
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let started = std::time::Instant::now();
    let batch = format
        .parse(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let vigil = open_or_create(data)?;
    vigil.ensure_agency(&operator(Role::Operator, "import for a new owner"), &owner)?;
    let ctx = contributor(&owner, "import");
    let bar = progress_bar("storing");
    let report = {
        let progress = |done: usize, total: usize| {
            if let Some(b) = &bar {
                b.set_length(total as u64);
                b.set_position(done as u64);
            }
        };
        vigil.import(&ctx, format, batch, Some(&progress))?
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let elapsed = started.elapsed();
    if args.json {
        print_json(&report)?;
    } else {
        println!(
            "imported {} into {}: {} added, {} changed, {} unchanged, {} retired, {} rejected, {} repaired in {:.2}s",
            args.file.display(),
            owner,
            report.added,
            report.changed,
            report.unchanged,
            report.retired,
            report.rejected,
            report.repaired,
            elapsed.as_secs_f64()
        );
        for (reason, n) in &report.skipped {
            println!("skipped {n}: {reason}");
        }
        for d in report.diagnostics.iter().take(20) {
            eprintln!(
                "{} {}: {}{}",
                d.kind.name(),
                d.position,
                d.reference
                    .as_deref()
                    .map(|r| format!("[{r}] "))
                    .unwrap_or_default(),
                d.message
            );
        }
        if report.diagnostics.len() > 20 {
            eprintln!(
                "… and {} more diagnostics (use --json for all)",
                report.diagnostics.len() - 20
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn export(args: ExportArgs, data: &Path) -> anyhow::Result<ExitCode> {
    if args.format != "ftm" {
        anyhow::bail!("'{}' is not an export format (ftm)", args.format);
    }
    let owner = args.owner.as_deref().map(AgencyCode::parse).transpose()?;
    let ctx = match args.as_agency.as_deref() {
        Some(a) => vigil_service::Ctx::new(
            vigil_core::Caller {
                agency: AgencyCode::parse(a)?,
                role: Role::Analyst,
                token_id: "cli".into(),
            },
            "export",
        ),
        None => operator(Role::Auditor, "export"),
    };
    let vigil = open(data)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    vigil.export_ftm(&ctx, owner.as_ref(), &mut |entity| {
        serde_json::to_writer(&mut out, entity)?;
        out.write_all(b"\n")
    })?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
