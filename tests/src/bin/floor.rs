//! The floor under the load test's fan-out figures: what this machine's kernel allows when one
//! process writes one question-sized frame (193 bytes by default) to N plain TCP sockets and
//! N readers in another process wait for it. No WebSocket, no JSON, no rooms: the load test's `question fan-out` is then
//! quoted as a ratio to this.
//!
//!     cargo build --release -p quizrace-tests
//!     target/release/floor --sockets 10000 --rounds 5
//!
//! The sender is this binary started again with `--serve` (a child process, as the server is to
//! the load test), on a tokio runtime like the server's. The parent opens the sockets, then for
//! each round writes `go` to the child's standard input and times, per socket, how long until the
//! whole frame has been read. Loopback only; bounded by `--sockets` and `--timeout-s`.

use anyhow::{bail, Context, Result};
use clap::Parser;
use quizrace_tests::stats::{ms, summary, Spread};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{mpsc, Semaphore};

#[derive(Parser, Debug)]
#[command(about = "Time one frame written to N loopback sockets: the floor for fan-out figures")]
struct Args {
    #[arg(long, default_value_t = 1000)]
    sockets: u32,
    #[arg(long, default_value_t = 5)]
    rounds: u32,
    /// Frame size in bytes: the load tool's `question` frame is 191 bytes of JSON, 193 on
    /// the wire with its WebSocket header.
    #[arg(long, default_value_t = 193)]
    bytes: usize,
    /// Connections opened at once (as the load test's default).
    #[arg(long, default_value_t = 256)]
    connect_concurrency: usize,
    #[arg(long, default_value_t = 300)]
    timeout_s: u64,
    /// Internal: run as the sending side.
    #[arg(long, hide = true)]
    serve: bool,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let limit = Duration::from_secs(args.timeout_s);
    if args.serve {
        return tokio::time::timeout(limit, serve(&args))
            .await
            .context("floor sender timed out")?;
    }
    tokio::time::timeout(limit, measure(&args))
        .await
        .context("floor measurement timed out")?
}

/// The sending side: accept `sockets` connections, then on each `go` line write the frame to
/// every socket from one task, as directly as the kernel allows.
async fn serve(args: &Args) -> Result<()> {
    // The same accept queue as the server's (see its `bind`).
    let socket = TcpSocket::new_v4()?;
    socket.bind(([127, 0, 0, 1], 0).into())?;
    let listener = socket.listen(4096)?;
    println!("port {}", listener.local_addr()?.port());
    let mut socks = Vec::with_capacity(args.sockets as usize);
    while socks.len() < args.sockets as usize {
        let (s, _) = listener.accept().await?;
        s.set_nodelay(true)?;
        socks.push(s);
    }
    println!("accepted");
    let frame = vec![b'x'; args.bytes];
    let (tx, mut rx) = mpsc::unbounded_channel();
    // Standard input is a blocking pipe: read it on its own thread.
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    while let Some(line) = rx.recv().await {
        if line.trim() != "go" {
            break;
        }
        for s in &mut socks {
            // One syscall per socket when the buffer has room, as it has for a small frame.
            match s.try_write(&frame) {
                Ok(n) if n == frame.len() => {}
                Ok(n) => s.write_all(&frame[n..]).await?,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => s.write_all(&frame).await?,
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}

async fn measure(args: &Args) -> Result<()> {
    let me = std::env::current_exe()?;
    let mut child = Command::new(me)
        .args(["--serve", "--sockets", &args.sockets.to_string()])
        .args(["--bytes", &args.bytes.to_string()])
        .args(["--timeout-s", &args.timeout_s.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("starting the sender")?;
    let result = drive(args, &mut child).await;
    let _ = child.kill();
    let _ = child.wait();
    result
}

async fn drive(args: &Args, child: &mut std::process::Child) -> Result<()> {
    // The child's output is a blocking pipe: read it on its own thread, never on the runtime.
    let out = BufReader::new(child.stdout.take().context("no stdout")?);
    let (line_tx, mut lines) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            if line_tx.send(line).is_err() {
                break;
            }
        }
    });
    let port: u16 = lines
        .recv()
        .await
        .context("sender exited")?
        .strip_prefix("port ")
        .context("sender said no port")?
        .parse()?;
    let mut go = child.stdin.take().context("no stdin")?;

    let n = args.sockets as usize;
    let gate = Arc::new(Semaphore::new(args.connect_concurrency));
    let connects: Vec<_> = (0..n)
        .map(|_| {
            let gate = Arc::clone(&gate);
            tokio::spawn(async move {
                let _permit = gate.acquire().await;
                let s = TcpStream::connect(("127.0.0.1", port)).await?;
                s.set_nodelay(true)?;
                anyhow::Ok(s)
            })
        })
        .collect();
    let mut socks = Vec::with_capacity(n);
    for c in connects {
        socks.push(c.await?.context("connecting to the sender")?);
    }
    let (arrived_tx, mut arrived) = mpsc::unbounded_channel::<(u32, Instant)>();
    let readers: Vec<_> = socks
        .into_iter()
        .map(|mut s| {
            let (arrived_tx, bytes) = (arrived_tx.clone(), args.bytes);
            tokio::spawn(async move {
                let mut buf = vec![0u8; bytes];
                let mut round = 0;
                while s.read_exact(&mut buf).await.is_ok() {
                    let _ = arrived_tx.send((round, Instant::now()));
                    round += 1;
                }
            })
        })
        .collect();
    drop(arrived_tx);
    let accepted = lines
        .recv()
        .await
        .context("sender exited while accepting")?;
    if accepted != "accepted" {
        bail!("sender said {accepted:?}");
    }
    println!(
        "floor: one {}-byte frame to {} loopback sockets, {} rounds",
        args.bytes, n, args.rounds
    );
    let mut all = Vec::new();
    for round in 0..args.rounds {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let t0 = Instant::now();
        writeln!(go, "go")?;
        go.flush()?;
        let mut lat = Vec::with_capacity(n);
        while lat.len() < n {
            let (r, at) = arrived.recv().await.context("a reader stopped")?;
            if r != round {
                bail!("a reader saw round {r} during round {round}");
            }
            lat.push(at - t0);
        }
        all.extend_from_slice(&lat);
        summary(&format!("round {round} fan-out"), lat);
    }
    if let Some(Spread { p50, p99, max, .. }) = summary("all rounds fan-out", all) {
        println!(
            "floor for {n} sockets: p50 {} p99 {} max {}",
            ms(p50),
            ms(p99),
            ms(max)
        );
    }
    drop(go);
    for r in readers {
        r.abort();
    }
    Ok(())
}
