//! The `vigil` command: run the server, manage agencies, tokens and records,
//! verify the audit log. Only this crate uses `anyhow`; errors end as one
//! line on stderr and a non-zero exit code.
//!
//! Layout: `main.rs` holds the argument definitions and dispatch; each
//! group of commands lives in `commands/`.

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "vigil",
    version,
    about = "Share and screen records on foreign terrorist fighters"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// Options every command takes, before or after the subcommand's name
/// (`vigil --data d record list` and `vigil record list --data d`): defined
/// once here, `global` so that clap accepts them at any level.
#[derive(Debug, clap::Args, Clone)]
struct GlobalArgs {
    /// Data directory. Only `init`, `quickstart`, `agency add`, `import`
    /// and `org init` create a database there; every other command needs one.
    #[arg(
        long,
        env = "VIGIL_DATA",
        default_value = "./vigil-data",
        global = true
    )]
    data: PathBuf,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the database in the data directory.
    Init(commands::server::InitArgs),
    /// Run the HTTP API server.
    Serve(commands::server::ServeArgs),
    /// Create a demo database with agencies, tokens and data, then serve it.
    Quickstart(commands::server::QuickstartArgs),
    /// Manage member agencies.
    #[command(subcommand)]
    Agency(commands::admin::AgencyCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(commands::admin::TokenCommand),
    /// Add, read and list records.
    #[command(subcommand)]
    Record(commands::records::RecordCommand),
    /// Read and verify the audit log.
    #[command(subcommand)]
    Audit(commands::audit::AuditCommand),
    /// Import FtM entities or an official list as an agency's records.
    Import(commands::exchange::ImportArgs),
    /// Export records as FtM entities (JSON lines) on stdout.
    Export(commands::exchange::ExportArgs),
    /// Score name pairs from CSV (adds score and match columns).
    Score(commands::screening::ScoreArgs),
    /// Screen FtM Person entities (JSON lines) against the local database.
    Screen(commands::screening::ScreenArgs),
    /// Parse and check a passport's machine-readable zone.
    Mrz(commands::screening::MrzArgs),
    /// Screen a flight: a PAXLST message or a JSON list of travellers.
    ScreenManifest(commands::screening::ManifestArgs),
    /// This instance's organisation identity (code, signing key).
    #[command(subcommand)]
    Org(commands::federation::OrgCommand),
    /// Peer organisations' instances this one shares records with.
    #[command(subcommand)]
    Peer(commands::federation::PeerCommand),
    /// Pull every peer's (or one peer's) release feed once.
    Sync(commands::federation::SyncArgs),
    /// Check the whole database for identity links between owners (resumable).
    Xref(commands::links::XrefArgs),
    /// Identity links: list, show, judge.
    #[command(subcommand)]
    Links(commands::links::LinksCommand),
    /// The gap report between two organisations or two owner agencies.
    Gaps(commands::links::GapsArgs),
    /// Statistics: records, screenings, hits, links, federation lag.
    Stats(commands::links::StatsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let data = cli.global.data.as_path();
    let result = match cli.command {
        Command::Init(a) => commands::server::init(a, data),
        Command::Serve(a) => commands::server::serve(a, data),
        Command::Quickstart(a) => commands::server::quickstart(a, data),
        Command::Agency(c) => commands::admin::agency(c, data),
        Command::Token(c) => commands::admin::token(c, data),
        Command::Record(c) => commands::records::run(c, data),
        Command::Audit(c) => commands::audit::run(c, data),
        Command::Import(a) => commands::exchange::import(a, data),
        Command::Export(a) => commands::exchange::export(a, data),
        Command::Score(a) => commands::screening::score(a),
        Command::Screen(a) => commands::screening::screen(a, data),
        Command::Mrz(a) => commands::screening::mrz(a, data),
        Command::ScreenManifest(a) => commands::screening::screen_manifest(a, data),
        Command::Org(c) => commands::federation::org(c, data),
        Command::Peer(c) => commands::federation::peer(c, data),
        Command::Sync(a) => commands::federation::sync(a, data),
        Command::Xref(a) => commands::links::xref(a, data),
        Command::Links(c) => commands::links::run(c, data),
        Command::Gaps(a) => commands::links::gaps(a, data),
        Command::Stats(a) => commands::links::stats(a, data),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let line = format!("{e:#}").replace('\n', " ");
            eprintln!("error: {line}");
            ExitCode::FAILURE
        }
    }
}
