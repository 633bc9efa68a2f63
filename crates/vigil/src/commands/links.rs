//! `vigil xref`, `vigil links`, `vigil gaps` and `vigil stats`: identity
//! links found, reviewed and counted, from the data directory. Listing and
//! reports run as the local operator (every record, no content beyond ids
//! and references) unless `--agency` names whose view to take.

use std::path::Path;
use std::process::ExitCode;

use vigil_core::{AgencyCode, Caller, LinkState, Role};
use vigil_service::Ctx;
use vigil_store::LinkFilter;

use super::exchange::progress_bar;
use super::{open, open_with, operator, print_json, require_agency};

#[derive(Debug, clap::Args)]
pub struct XrefArgs {
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
    /// Start a new pass even if an interrupted one could be resumed.
    #[arg(long)]
    restart: bool,
    /// Linkage score at and above which a candidate is proposed yellow.
    #[arg(long, env = "VIGIL_LINK_THRESHOLD", default_value_t = vigil_service::config::DEFAULT_LINK_THRESHOLD)]
    link_threshold: f64,
}

#[derive(Debug, clap::Subcommand)]
pub enum LinksCommand {
    /// List identity links (JSON lines with --json).
    List(ListArgs),
    /// Show one link: both records side by side and its judgements.
    Show(ShowArgs),
    /// Judge a link: yellow, white, green or red, with the reason.
    Decide(DecideArgs),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[arg(long)]
    state: Option<String>,
    /// Only links this agency reviews.
    #[arg(long)]
    responsible: Option<String>,
    /// Whose view to take (an agency's analyst); the operator's otherwise.
    #[arg(long)]
    agency: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    id: i64,
    #[arg(long)]
    agency: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct DecideArgs {
    id: i64,
    #[arg(long)]
    state: String,
    #[arg(long)]
    note: String,
    /// The agency that judges (its analyst, audited as acting from the CLI).
    #[arg(long)]
    agency: String,
}

#[derive(Debug, clap::Args)]
pub struct GapsArgs {
    /// The two sides: organisation codes or owner agency codes.
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    between: Vec<String>,
    #[arg(long)]
    agency: Option<String>,
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    #[arg(long)]
    csv: bool,
}

#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    #[arg(long)]
    agency: Option<String>,
    #[arg(long)]
    json: bool,
}

/// The view of `agency`'s analyst, or the local operator's.
fn viewer(
    vigil: &vigil_service::Vigil,
    agency: Option<&str>,
    purpose: &str,
) -> anyhow::Result<Ctx> {
    match agency {
        None => Ok(operator(Role::Operator, purpose)),
        Some(code) => {
            let agency = AgencyCode::parse(code)?;
            require_agency(vigil, &agency)?;
            Ok(Ctx::new(
                Caller {
                    agency,
                    role: Role::Analyst,
                    token_id: "cli".into(),
                },
                purpose,
            ))
        }
    }
}

fn state(s: &str) -> anyhow::Result<LinkState> {
    LinkState::parse(s)
        .ok_or_else(|| anyhow::anyhow!("--state: '{s}' is not one of yellow, white, green, red"))
}

pub fn xref(args: XrefArgs, data: &Path) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.link_threshold) {
        anyhow::bail!("--link-threshold must be between 0 and 1");
    }
    let vigil = open_with(
        data,
        vigil_service::Config {
            link_threshold: args.link_threshold,
            ..vigil_service::Config::default()
        },
    )?;
    let ctx = operator(
        Role::Operator,
        "cross-check of the whole database (vigil xref)",
    );
    let bar = progress_bar("checking records");
    let started = std::time::Instant::now();
    let summary = vigil.xref(&ctx, args.restart, &mut |done, target| {
        if let Some(bar) = &bar {
            bar.set_length(target.max(0) as u64);
            bar.set_position(done.max(0) as u64);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if args.json {
        let mut value = serde_json::to_value(&summary)?;
        value["seconds"] = serde_json::json!(started.elapsed().as_secs_f64());
        println!("{value}");
    } else {
        println!(
            "{} records checked{}: {} yellow and {} white links made or changed ({:.1} s)",
            summary.records,
            if summary.resumed { " (resumed)" } else { "" },
            summary.yellow,
            summary.white,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(command: LinksCommand, data: &Path) -> anyhow::Result<ExitCode> {
    let vigil = open(data)?;
    match command {
        LinksCommand::List(args) => {
            let ctx = viewer(
                &vigil,
                args.agency.as_deref(),
                "identity links (vigil links list)",
            )?;
            let mut filter = LinkFilter {
                state: args.state.as_deref().map(state).transpose()?,
                responsible: args
                    .responsible
                    .as_deref()
                    .map(AgencyCode::parse)
                    .transpose()?,
                ..LinkFilter::default()
            };
            loop {
                let page = vigil.list_links(&ctx, filter.clone(), 1000)?;
                for link in &page.items {
                    if args.json {
                        println!("{}", serde_json::to_string(link)?);
                    } else {
                        println!(
                            "{}\t{}\tcluster {}\t{} {} — {} {}\tscore {:.3}\treview: {}",
                            link.id,
                            link.state.as_str(),
                            link.cluster.map_or("-".to_string(), |c| c.to_string()),
                            link.owners[0],
                            link.records[0],
                            link.owners[1],
                            link.records[1],
                            link.score,
                            link.responsible
                        );
                    }
                }
                match page.next_cursor.and_then(|c| c.parse().ok()) {
                    Some(after) => filter.after = Some(after),
                    None => break,
                }
            }
        }
        LinksCommand::Show(args) => {
            let ctx = viewer(
                &vigil,
                args.agency.as_deref(),
                "identity link (vigil links show)",
            )?;
            print_json(&vigil.get_link(&ctx, args.id)?)?;
        }
        LinksCommand::Decide(args) => {
            let ctx = viewer(
                &vigil,
                Some(&args.agency),
                "identity link judged (vigil links decide)",
            )?;
            let link = vigil.decide_link(&ctx, args.id, state(&args.state)?, &args.note)?;
            println!("{}", serde_json::to_string(&link)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn gaps(args: GapsArgs, data: &Path) -> anyhow::Result<ExitCode> {
    let vigil = open(data)?;
    let ctx = viewer(&vigil, args.agency.as_deref(), "gap report (vigil gaps)")?;
    let [a, b] = &args.between[..] else {
        anyhow::bail!("--between takes two sides: --between A B");
    };
    let (a, b) = (vigil.gap_side(a, "a")?, vigil.gap_side(b, "b")?);
    let report = vigil.gap_report(&ctx, &a, &b)?;
    if args.csv {
        print!("{}", report.to_csv());
    } else if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "{} vs {}: {} only in {}, {} only in {}, {} in both ({} with facts known to one side only)",
            report.a, report.b, report.only_in_a, report.a, report.only_in_b, report.b,
            report.in_both, report.differing
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn stats(args: StatsArgs, data: &Path) -> anyhow::Result<ExitCode> {
    let vigil = open(data)?;
    let ctx = viewer(&vigil, args.agency.as_deref(), "statistics (vigil stats)")?;
    let stats = vigil.stats(&ctx)?;
    if args.json {
        println!("{}", serde_json::to_string(&stats)?);
    } else {
        print_json(&stats)?;
    }
    Ok(ExitCode::SUCCESS)
}
