//! The `quizrace` binary: command line, logging, signals. Everything else is in the library.

use clap::Parser;
use quizrace::{
    run, App, Config, DbTarget, DEFAULT_MAX_CONNS_PER_ADDR, DEFAULT_MAX_MEDIA_MB,
    DEFAULT_MAX_PLAYERS, DEFAULT_MAX_QUIZZES, DEFAULT_MAX_QUIZ_KB, DEFAULT_MAX_ROOMS_PER_HOST,
    DEFAULT_MEDIA_QUOTA_MB, DEFAULT_ROOM_LINGER_S,
};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// A self-hosted real-time multiplayer quiz server.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, env = "QUIZ_BIND", default_value = "0.0.0.0:8080")]
    bind: SocketAddr,
    /// SQLite database file (created if missing), or a PostgreSQL URL
    /// (`postgres://user@host:port/dbname`) to run as one node of a cluster.
    #[arg(
        long,
        env = "QUIZ_DB",
        default_value = "quizrace.db",
        hide_env_values = true
    )]
    db: String,
    /// How players and the other nodes reach this node (`http://ADDR:PORT`), with a
    /// PostgreSQL database; default `http://<bind>` when --bind is a concrete address.
    #[arg(long, env = "QUIZ_NODE_URL", value_parser = quizrace::cluster::parse_node_url)]
    node_url: Option<String>,
    /// This node's name in the cluster, unique per node (default: the node URL's host:port).
    #[arg(long, env = "QUIZ_NODE_NAME")]
    node_name: Option<String>,
    /// NATS (`nats://HOST:PORT`) shared by the nodes of a PostgreSQL cluster: any node then
    /// takes players for any room and relays them to the room's node (one giant room).
    #[arg(long, env = "QUIZ_NATS")]
    nats: Option<String>,
    /// For the tests only: as an edge, drop the first broadcast whose frame contains this
    /// text, as core NATS may lose one.
    #[arg(long, hide = true, requires = "nats")]
    nats_test_drop: Option<String>,
    /// Password for the `admin` account (set on every start when given; a new one ends the
    /// admin's sessions).
    #[arg(long, env = "QUIZ_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
    /// A file holding the `admin` password (one trailing newline is ignored), so that it
    /// does not show in `ps`. Like --admin-password otherwise.
    #[arg(
        long,
        env = "QUIZ_ADMIN_PASSWORD_FILE",
        conflicts_with = "admin_password"
    )]
    admin_password_file: Option<PathBuf>,
    /// A login ends after this many hours without a request.
    #[arg(long, env = "QUIZ_SESSION_IDLE_HOURS", default_value_t = 12,
          value_parser = clap::value_parser!(u64).range(1..=24 * 365))]
    session_idle_hours: u64,
    /// A login ends this many days after it began, used or not.
    #[arg(long, env = "QUIZ_SESSION_MAX_DAYS", default_value_t = 7,
          value_parser = clap::value_parser!(u64).range(1..=365))]
    session_max_days: u64,
    /// Most players in one room.
    #[arg(long, env = "QUIZ_MAX_PLAYERS", default_value_t = DEFAULT_MAX_PLAYERS,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_players: u32,
    /// A browser origin allowed to use /ws and the API besides the server's own
    /// (`https://quiz.example.org`; repeat it, or comma-separate in the variable; `*`: any).
    #[arg(long, env = "QUIZ_ALLOW_ORIGIN", value_delimiter = ',')]
    allow_origin: Vec<String>,
    /// Most open connections from one address (a school NAT is one address; loopback is
    /// exempt).
    #[arg(long, env = "QUIZ_MAX_CONNS_PER_ADDR", default_value_t = DEFAULT_MAX_CONNS_PER_ADDR,
          value_parser = clap::value_parser!(u32).range(1..))]
    max_conns_per_addr: u32,
    /// Most open connections in all (default: the open-file limit less a reserve).
    #[arg(long, env = "QUIZ_MAX_CONNECTIONS", value_parser = clap::value_parser!(u64).range(1..))]
    max_connections: Option<u64>,
    /// A file of words (one a line, `#` comments) that no player name may contain.
    #[arg(long, env = "QUIZ_BLOCKED_WORDS")]
    blocked_words: Option<PathBuf>,
    /// The address players use to reach this server (`https://quiz.example.org`), for join
    /// links and QR codes (default: the address the host's browser used).
    #[arg(long, env = "QUIZ_PUBLIC_URL", value_parser = quizrace::parse_public_url)]
    public_url: Option<String>,
    /// Most live rooms (games not yet finished) one account may host at once, admins too.
    #[arg(long, env = "QUIZ_MAX_ROOMS_PER_HOST", default_value_t = DEFAULT_MAX_ROOMS_PER_HOST,
          value_parser = clap::value_parser!(u32).range(1..))]
    max_rooms_per_host: u32,
    /// Most quizzes one account may have stored (deleted ones do not count).
    #[arg(long, env = "QUIZ_MAX_QUIZZES", default_value_t = DEFAULT_MAX_QUIZZES,
          value_parser = clap::value_parser!(u32).range(1..))]
    max_quizzes: u32,
    /// Largest quiz document in KiB, as stored; rooms are not created from larger ones.
    #[arg(long, env = "QUIZ_MAX_QUIZ_KB", default_value_t = DEFAULT_MAX_QUIZ_KB,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    max_quiz_kb: u32,
    /// Largest question media upload (image, audio, video) in MiB, as sent.
    #[arg(long, env = "QUIZ_MAX_MEDIA_MB", default_value_t = DEFAULT_MAX_MEDIA_MB,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    max_media_mb: u32,
    /// Question media one account may have stored, in MiB (each file counted once).
    #[arg(long, env = "QUIZ_MEDIA_QUOTA_MB", default_value_t = DEFAULT_MEDIA_QUOTA_MB,
          value_parser = clap::value_parser!(u32).range(1..))]
    media_quota_mb: u32,
    /// A reverse proxy (IP or network, `10.0.0.0/8`) whose `X-Forwarded-For` names the client
    /// for the login and join throttles (repeat it, or comma-separate in the variable).
    #[arg(long, env = "QUIZ_TRUSTED_PROXY", value_delimiter = ',')]
    trusted_proxy: Vec<quizrace::proxy::ProxyNet>,
    /// Seconds a finished room stays so its players can read the podium. Shorter only for
    /// the soak tool, which waits for finished rooms to go.
    #[arg(long, env = "QUIZ_ROOM_LINGER_S", default_value_t = DEFAULT_ROOM_LINGER_S,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    room_linger_s: u64,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(clap::Subcommand, Debug)]
enum Cmd {
    /// Copies the database (--db) to PATH with SQLite's online backup, while a server may be
    /// serving from it. PATH must not exist.
    Backup { path: PathBuf },
}

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "quizrace=info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(Cmd::Backup { path }) = &args.command {
        let DbTarget::Sqlite(db) = DbTarget::parse(&args.db) else {
            eprintln!(
                "error: `backup` copies a SQLite file; back a PostgreSQL database up with \
                 PostgreSQL's own tools (pg_dump)"
            );
            return ExitCode::FAILURE;
        };
        return match quizrace::store::Store::backup(&db, path) {
            Ok(()) => {
                println!("backed up {} to {}", db.display(), path.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: cannot back up {}: {e}", db.display());
                ExitCode::FAILURE
            }
        };
    }
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> Result<(), String> {
    let blocked_words = match &args.blocked_words {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| {
                format!(
                    "cannot read the word list {}: {e}. Check the path given to --blocked-words",
                    path.display()
                )
            })?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect(),
        None => Vec::new(),
    };
    let admin_password = match &args.admin_password_file {
        Some(path) => Some(read_password_file(path)?),
        None => args.admin_password,
    };
    let db = DbTarget::parse(&args.db);
    let node = match &db {
        DbTarget::Postgres(_) => Some(quizrace::cluster::node_identity(
            args.node_url.as_deref(),
            args.node_name.as_deref(),
            args.bind,
        )?),
        DbTarget::Sqlite(_) => None,
    };
    let config = Config {
        db,
        node,
        blocked_words,
        admin_password,
        sessions: quizrace::store::SessionLifetimes {
            idle: Duration::from_secs(args.session_idle_hours * 3600),
            max: Duration::from_secs(args.session_max_days * 24 * 3600),
        },
        max_players: args.max_players,
        allow_origins: args.allow_origin,
        public_url: args.public_url,
        max_rooms_per_host: args.max_rooms_per_host,
        max_quizzes: args.max_quizzes,
        max_quiz_bytes: args.max_quiz_kb as usize * 1024,
        max_media_bytes: args.max_media_mb as usize * 1024 * 1024,
        media_quota_bytes: u64::from(args.media_quota_mb) * 1024 * 1024,
        trusted_proxies: args.trusted_proxy,
        room_linger: Duration::from_secs(args.room_linger_s),
        max_conns_per_addr: args.max_conns_per_addr,
        max_connections: args
            .max_connections
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        // The defaults of everything else (the SQLite path it names is replaced by `db`).
        ..Config::new("")
    };
    // Each player is a socket: allow as many as the hard limit permits.
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => tracing::debug!(limit = n, "open file limit"),
        Err(e) => tracing::warn!(error = %e, "cannot raise the open file limit"),
    }
    if args.nats.is_some() && matches!(config.db, DbTarget::Sqlite(_)) {
        return Err(
            "--nats needs a cluster: pass a PostgreSQL database with --db postgres://… \
                    (one node on SQLite serves each room alone)"
                .into(),
        );
    }
    let app = App::open(config).map_err(|e| e.to_string())?;
    if let Some(url) = &args.nats {
        app.attach_nats(url, args.nats_test_drop.clone()).await?;
    }
    if let Some(pw) = app.generated_admin_password() {
        println!("first start: created account `admin` with password {pw}");
        println!("  (shown once; set your own with --admin-password or QUIZ_ADMIN_PASSWORD)");
    }
    let listener = bind(args.bind).map_err(|e| {
        format!(
            "cannot listen on {}: {e}. Is another server using that port? Pass --bind with another address or port",
            args.bind
        )
    })?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening on http://{addr}");
    if let Some(node) = &app.config().node {
        println!("  cluster node {} at {}", node.name, node.url);
    }
    if addr.ip().is_unspecified() {
        println!(
            "  players join at http://<this machine's address>:{}/ , hosts at /host",
            addr.port()
        );
    }
    run(listener, app, stop_signal())
        .await
        .map_err(|e| format!("server failed: {e}"))
}

/// The admin password from `--admin-password-file`: the file's text less one trailing newline
/// (as `echo` or an editor leaves it).
fn read_password_file(path: &std::path::Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read the admin password file {}: {e}. Check the path given to --admin-password-file",
            path.display()
        )
    })?;
    let password = text
        .strip_suffix('\n')
        .map_or(text.as_str(), |t| t.strip_suffix('\r').unwrap_or(t));
    if password.is_empty() {
        return Err(format!(
            "the admin password file {} is empty; write the password into it",
            path.display()
        ));
    }
    Ok(password.to_owned())
}

/// A listener with a deep accept queue: a class joining at once must not see dropped SYNs
/// (each costs a client a one-second retransmit).
fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(4096)
}

/// SIGINT or SIGTERM.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
