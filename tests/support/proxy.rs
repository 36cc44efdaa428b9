//! A TCP proxy in front of PostgreSQL that a test can pause or cut: to drop a future at a
//! chosen moment of a round trip (replies held back), or to lose every connection at once as
//! a database restart does.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

pub struct DbProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    _accept: tokio::task::JoinHandle<()>,
}

struct Shared {
    upstream: SocketAddr,
    /// While true, replies from the server are read but not passed on.
    hold: watch::Sender<bool>,
    /// Bytes the clients sent to the server, in all.
    sent: AtomicU64,
    sent_changed: Notify,
    /// While true, new connections are closed at once (the database is down).
    refusing: AtomicBool,
    connections: std::sync::Mutex<JoinSet<()>>,
}

impl DbProxy {
    /// A proxy to `upstream` on an ephemeral port of 127.0.0.1.
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let shared = Arc::new(Shared {
            upstream,
            hold: watch::channel(false).0,
            sent: AtomicU64::new(0),
            sent_changed: Notify::new(),
            refusing: AtomicBool::new(false),
            connections: std::sync::Mutex::new(JoinSet::new()),
        });
        let accepting = shared.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if accepting.refusing.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let shared = accepting.clone();
                accepting
                    .connections
                    .lock()
                    .expect("connections")
                    .spawn(async move { shared.relay(client).await });
            }
        });
        Self {
            addr,
            shared,
            _accept: accept,
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// From now on the server's replies wait in the proxy.
    pub fn hold_replies(&self) {
        self.shared.hold.send_replace(true);
    }

    /// Passes on what was held, and everything after.
    pub fn release_replies(&self) {
        self.shared.hold.send_replace(false);
    }

    /// Bytes clients have sent so far.
    pub fn sent(&self) -> u64 {
        self.shared.sent.load(Ordering::SeqCst)
    }

    /// Waits until clients have sent more than `bytes` in all.
    pub async fn sent_more_than(&self, bytes: u64) {
        loop {
            let changed = self.shared.sent_changed.notified();
            if self.sent() > bytes {
                return;
            }
            changed.await;
        }
    }

    /// Closes every connection now, as a server restart does.
    pub fn cut_all(&self) {
        self.shared.connections.lock().expect("connections").abort_all();
    }

    /// While true, new connections are refused (closed at once).
    pub fn set_refusing(&self, refusing: bool) {
        self.shared.refusing.store(refusing, Ordering::SeqCst);
    }
}

impl Shared {
    async fn relay(self: Arc<Self>, client: TcpStream) {
        let Ok(server) = TcpStream::connect(self.upstream).await else {
            return;
        };
        let (mut client_read, mut client_write) = client.into_split();
        let (mut server_read, mut server_write) = server.into_split();
        let to_server = async {
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                let n = match client_read.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                if server_write.write_all(&buf[..n]).await.is_err() {
                    break;
                }
                self.sent.fetch_add(n as u64, Ordering::SeqCst);
                self.sent_changed.notify_waiters();
            }
        };
        let to_client = async {
            let mut hold = self.hold.subscribe();
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                let n = match server_read.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                if hold.wait_for(|held| !held).await.is_err() {
                    break;
                }
                if client_write.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        };
        // Either side closing ends the relay (and so closes the other).
        tokio::select! {
            () = to_server => {},
            () = to_client => {},
        }
    }
}
