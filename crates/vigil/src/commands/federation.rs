//! `vigil org …`, `vigil peer …` and `vigil sync`: this instance's
//! organisation identity, its peers, and a sync round from the command line.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use vigil_core::{AgencyCode, Role};

use super::{open, open_or_create, operator};

#[derive(Debug, clap::Subcommand)]
pub enum OrgCommand {
    /// Give this instance its organisation code and a new signing key pair.
    Init {
        /// The organisation's code, e.g. INTERPOL or EUROPOL.
        code: String,
        #[arg(long)]
        name: String,
    },
    /// Show the organisation code and the public key peers register.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Start the release feed to every peer (or one) over in a new epoch:
    /// run it after restoring this instance from a backup.
    NewEpoch {
        #[arg(long)]
        peer: Option<String>,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum PeerCommand {
    /// Register a peer organisation: its code, URL and public key.
    Add {
        code: String,
        #[arg(long)]
        url: String,
        /// Its public key, as `vigil org show` prints it there.
        #[arg(long)]
        key: String,
    },
    /// List the registered peers.
    List {
        #[arg(long)]
        json: bool,
    },
    /// The operations from a peer held in quarantine, with why each was
    /// not applied.
    Quarantine {
        code: String,
        #[arg(long, default_value_t = 100)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Each peer's sync status: applied sequence, lag, counts, last error.
    Status {
        #[arg(long)]
        json: bool,
        #[arg(long)]
        peer: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// Only this peer (default: every registered peer).
    #[arg(long)]
    peer: Option<String>,
    /// Seconds a peer may take to answer one request.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    #[arg(long)]
    json: bool,
}

fn org_code(text: &str) -> anyhow::Result<AgencyCode> {
    AgencyCode::parse_org(text).map_err(|e| anyhow::anyhow!("{e}"))
}

pub fn org(command: OrgCommand, data: &Path) -> anyhow::Result<ExitCode> {
    let ctx = operator(Role::Operator, "federation set-up");
    match command {
        OrgCommand::Init { code, name } => {
            let vigil = open_or_create(data)?;
            let org = vigil.org_init(&ctx, &org_code(&code)?, &name)?;
            println!("organisation {} ({})", org.code, org.name);
            println!("public key {}", org.public_key);
            println!(
                "peers register it with: vigil peer add {} --url <this server's URL> --key {}",
                org.code, org.public_key
            );
        }
        OrgCommand::Show { json } => {
            let vigil = open(data)?;
            let org = vigil
                .org()?
                .context("this instance has no organisation identity yet: run `vigil org init CODE --name NAME`")?;
            if json {
                println!("{}", serde_json::to_string_pretty(&org)?);
            } else {
                println!("organisation {} ({})", org.code, org.name);
                println!("public key {}", org.public_key);
            }
        }
        OrgCommand::NewEpoch { peer } => {
            let vigil = open(data)?;
            let peer = peer.as_deref().map(org_code).transpose()?;
            let n = vigil.renew_epochs(&ctx, peer.as_ref())?;
            println!("{n} release feed(s) start over in a new epoch");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn peer(command: PeerCommand, data: &Path) -> anyhow::Result<ExitCode> {
    let ctx = operator(Role::Operator, "federation set-up");
    let vigil = open(data)?;
    match command {
        PeerCommand::Add { code, url, key } => {
            let peer = vigil.add_peer(&ctx, &code, &url, &key)?;
            println!("peer {} at {}", peer.code, peer.url);
        }
        PeerCommand::List { json } => {
            let peers = vigil.peers()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&peers)?);
            } else {
                for p in peers {
                    println!("{}\t{}\t{}", p.code, p.url, p.public_key);
                }
            }
        }
        PeerCommand::Quarantine { code, limit, json } => {
            let list = vigil.quarantine(&ctx, &org_code(&code)?, limit)?;
            for q in list {
                if json {
                    println!("{}", serde_json::to_string(&q)?);
                } else {
                    println!(
                        "{} operation {} ({}): {}",
                        q.at.to_rfc3339(),
                        q.seq,
                        q.origin.as_deref().unwrap_or("no origin id"),
                        q.diagnostic
                    );
                }
            }
        }
        PeerCommand::Status { json, peer } => {
            let peer = peer.as_deref().map(org_code).transpose()?;
            let statuses = vigil.peer_status(&ctx, peer.as_ref())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&statuses)?);
            } else {
                for s in statuses {
                    println!(
                        "{}: applied {} of {} (lag {}), {} received, {} retracted, {} retired, {} quarantined, {} refused; last success {}; last error {}",
                        s.peer,
                        s.applied_seq,
                        s.head,
                        s.lag,
                        s.received,
                        s.retracted,
                        s.retired,
                        s.quarantined,
                        s.refused,
                        s.last_success.map_or("never".into(), |t| t.to_rfc3339()),
                        s.last_error.as_deref().unwrap_or("none"),
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn sync(args: SyncArgs, data: &Path) -> anyhow::Result<ExitCode> {
    let vigil = open(data)?;
    let ctx = operator(Role::Operator, "federation sync");
    let peer = args.peer.as_deref().map(org_code).transpose()?;
    // The permission check, and whether the named peer exists.
    vigil.peer_status(&ctx, peer.as_ref())?;
    let client = vigil_server::peer_sync::client(std::time::Duration::from_secs(args.timeout))?;
    // A running server may be pulling a peer right now: wait for its turn.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(args.timeout);
    let mut rounds = vigil_server::peer_sync::sync_all(&vigil, peer.as_ref(), &client);
    while rounds.iter().any(|(_, r)| r.as_ref().is_ok_and(|r| r.busy))
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(200));
        for (code, outcome) in rounds.iter_mut() {
            if outcome.as_ref().is_ok_and(|r| r.busy) {
                *outcome = vigil_server::peer_sync::sync_peer(&vigil, code, &client);
            }
        }
    }
    let mut failed = false;
    for (peer, outcome) in &rounds {
        match outcome {
            Ok(r) if r.busy => {
                failed = true;
                eprintln!("{peer}: another process kept pulling its feed for {} s; try again", args.timeout);
            }
            Ok(r) if args.json => println!(
                "{}",
                serde_json::json!({"peer": peer, "ok": true, "round": r})
            ),
            Ok(r) => println!(
                "{peer}: {} batch(es), {} upserted, {} retracted, {} retired, {} quarantined, {} unchanged; applied {} of {}",
                r.batches, r.upserted, r.retracted, r.retired, r.quarantined, r.unchanged, r.applied_seq, r.head
            ),
            Err(e) => {
                failed = true;
                if args.json {
                    println!("{}", serde_json::json!({"peer": peer, "ok": false, "error": e}));
                } else {
                    eprintln!("{peer}: {e}");
                }
            }
        }
    }
    // Hits on copies that have not reached their owners yet go now too.
    match vigil_server::peer_sync::deliver_home(&vigil, &client) {
        Ok(0) => {}
        Ok(n) if !args.json => println!("{n} hit(s) sent home to their owners' instances"),
        Ok(_) => {}
        Err(e) => {
            failed = true;
            eprintln!("sending hits home: {e}");
        }
    }
    if rounds.is_empty() {
        println!("no peers registered: add one with `vigil peer add CODE --url URL --key KEY`");
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
