//! `vigil init`, `vigil serve` and `vigil quickstart`.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use vigil_core::{AgencyCode, AgencyKind, Role};
use vigil_server::{AppState, ServerConfig};
use vigil_service::Vigil;

use super::{open_or_create, open_or_create_with, open_with, operator};

#[derive(Debug, clap::Args)]
pub struct InitArgs {}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, env = "VIGIL_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Largest request body accepted, in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    body_limit: usize,
    /// Let webhooks point at loopback, private, link-local or metadata
    /// addresses (refused by default: receivers inside your network).
    #[arg(long, env = "VIGIL_ALLOW_PRIVATE_WEBHOOKS")]
    allow_private_webhooks: bool,
    /// Mark the console's session cookie `Secure` on every answer: for a
    /// TLS proxy in front that does not send `X-Forwarded-Proto: https`.
    #[arg(long, env = "VIGIL_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Seconds between pulls of every peer's release feed (0: only `vigil
    /// sync` and `POST /v1/sync`).
    #[arg(long, env = "VIGIL_SYNC_INTERVAL", default_value_t = 5.0)]
    sync_interval: f64,
    /// Linkage score at and above which a candidate identity link is
    /// proposed yellow (docs/links.md).
    #[arg(long, env = "VIGIL_LINK_THRESHOLD", default_value_t = vigil_service::config::DEFAULT_LINK_THRESHOLD)]
    link_threshold: f64,
}

#[derive(Debug, clap::Args)]
pub struct QuickstartArgs {
    #[command(flatten)]
    serve: ServeArgs,
}

pub fn init(_args: InitArgs, data: &Path) -> anyhow::Result<ExitCode> {
    let vigil = open_or_create(data)?;
    println!("database ready in {}", data.display());
    drop(vigil);
    Ok(ExitCode::SUCCESS)
}

fn config(args: &ServeArgs) -> ServerConfig {
    ServerConfig {
        body_limit: args.body_limit,
        secure_cookies: args.secure_cookies,
        sync_interval: (args.sync_interval > 0.0)
            .then(|| std::time::Duration::from_secs_f64(args.sync_interval)),
        ..ServerConfig::default()
    }
}

fn service_config(args: &ServeArgs) -> vigil_service::Config {
    vigil_service::Config {
        allow_private_webhooks: args.allow_private_webhooks,
        link_threshold: args.link_threshold,
        ..vigil_service::Config::default()
    }
}

pub fn serve(args: ServeArgs, data: &Path) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.link_threshold) {
        anyhow::bail!("--link-threshold must be between 0 and 1");
    }
    let vigil = open_with(data, service_config(&args))?;
    let listener = bind(args.listen)?;
    run_server(vigil, config(&args), listener, None)
}

/// Binds the address before anything else is done: a second `quickstart`
/// whose port is taken must fail before it revokes the running demo's tokens.
fn bind(listen: SocketAddr) -> anyhow::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(listen)
        .with_context(|| format!("cannot listen on {listen}"))?;
    // Tokio takes over a listener only in non-blocking mode.
    listener.set_nonblocking(true)?;
    Ok(listener)
}

fn run_server(
    vigil: std::sync::Arc<Vigil>,
    config: ServerConfig,
    listener: std::net::TcpListener,
    banner: Option<String>,
) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let addr = listener.local_addr()?;
        if let Some(b) = banner {
            println!("{b}");
        }
        println!("console: http://{addr}/console (sign in with an API token)");
        // Tests and scripts read this line to find the port; it comes last,
        // since a reader may close the pipe once it has it.
        println!("listening on http://{addr}");
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        vigil_server::serve(listener, AppState::new(vigil, config), shutdown).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The demo agencies: two organisations and three country bureaus.
const DEMO_AGENCIES: &[(&str, &str)] = &[
    ("INTERPOL", "INTERPOL General Secretariat"),
    ("EUROPOL", "Europol"),
    ("FRA", "France NCB"),
    ("DEU", "Germany NCB"),
    ("ITA", "Italy NCB"),
];

/// The label of the tokens `quickstart` issues: a rerun revokes those of
/// the run before by it.
const QUICKSTART_LABEL: &str = "quickstart";

pub fn quickstart(args: QuickstartArgs, data: &Path) -> anyhow::Result<ExitCode> {
    let vigil = open_or_create_with(data, service_config(&args.serve))?;
    let listener = bind(args.serve.listen)?;
    let set_up = operator(Role::Operator, "quickstart set-up");
    for (code, name) in DEMO_AGENCIES {
        let code = AgencyCode::parse(code)?;
        if vigil.store().agency(&code)?.is_none() {
            vigil.create_agency(&set_up, &code, name, Some(AgencyKind::guess(&code)))?;
        }
    }
    let imported = seed_demo_records(&vigil)?;
    // Found before the new tokens are made, revoked after: the last admin
    // token of an agency cannot be revoked until its successor exists.
    let previous: Vec<String> = vigil
        .tokens(&set_up, None)?
        .into_iter()
        .filter(|t| t.revoked_at.is_none() && t.label.as_deref() == Some(QUICKSTART_LABEL))
        .map(|t| t.id)
        .collect();
    let mut lines = vec![format!("Vigil demo database in {}", data.display())];
    lines.push(format!(
        "Demo records: {imported} ISIL/Al-Qaida individuals of the UN list, owned by INTERPOL, hit-only for ITA."
    ));
    lines.push(
        "Tokens, new ones each run. Sign in to the console (its URL is printed below) with one:"
            .into(),
    );
    lines.push("  DEU screener to screen travellers and flights, FRA analyst for the live hit queue and statistics,".into());
    lines.push("  FRA contributor to add records, EUROPOL auditor for the audit log, INTERPOL admin for tokens.".into());
    lines.push("  The API takes the same tokens as 'Authorization: Bearer …' with an 'X-Vigil-Purpose' header.".into());
    for (agency, role) in [
        ("INTERPOL", Role::Operator),
        ("INTERPOL", Role::Admin),
        ("INTERPOL", Role::Contributor),
        ("FRA", Role::Contributor),
        ("FRA", Role::Screener),
        ("FRA", Role::Analyst),
        ("DEU", Role::Screener),
        ("ITA", Role::Screener),
        ("EUROPOL", Role::Auditor),
    ] {
        let code = AgencyCode::parse(agency)?;
        let (_, secret) = vigil.create_token(
            &set_up,
            &code,
            role,
            &vigil_store::TokenOptions::labelled(QUICKSTART_LABEL),
        )?;
        lines.push(format!("  {agency:<9} {:<12} {secret}", role.as_str()));
    }
    for id in &previous {
        vigil
            .revoke_token(&set_up, id)
            .with_context(|| format!("cannot revoke the earlier quickstart token {id}"))?;
    }
    if !previous.is_empty() {
        lines.push(format!(
            "Revoked the {} tokens of the previous quickstart: only the ones above work.",
            previous.len()
        ));
    }
    run_server(vigil, config(&args.serve), listener, Some(lines.join("\n")))
}

/// The UN list edition shipped for the demo (see `crates/vigil/data/README.md`).
const DEMO_LIST: &[u8] = include_bytes!("../../data/un_sc_consolidated_2024-05-15.xml");

/// Imports the demo list's ISIL/Al-Qaida individuals as INTERPOL's records,
/// hit-only for ITA. Re-running changes nothing (list-update semantics).
fn seed_demo_records(vigil: &Vigil) -> anyhow::Result<usize> {
    use vigil_service::exchange::ImportFormat;
    let owner = AgencyCode::parse("INTERPOL")?;
    let mut batch = ImportFormat::UnXml.parse(DEMO_LIST)?;
    batch
        .records
        .retain(|r| r.draft.reference.starts_with("QDi."));
    let ita = AgencyCode::parse("ITA")?;
    for r in &mut batch.records {
        r.draft.policy.hit_only_for = vec![ita.clone()];
        r.draft.policy.instruction =
            Some("Discreet check: do not alert the subject; report route and companions.".into());
    }
    let count = batch.records.len();
    vigil.import(
        &super::contributor(&owner, "quickstart demo data"),
        ImportFormat::UnXml,
        batch,
        None,
    )?;
    Ok(count)
}
