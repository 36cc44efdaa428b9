//! `platform healthcheck`: asks the server on `PLATFORM_LISTEN` for `/health`, for a
//! container's health check. The image has no shell tools to do it (Debian's `sh` is dash,
//! which has no `/dev/tcp`), and needs none: the binary is there.

use super::exit::{CliError, CliResult};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Well inside a health check's own timeout (3 s in the image).
const TIMEOUT: Duration = Duration::from_secs(2);

pub async fn run() -> CliResult {
    let listen: SocketAddr = std::env::var("PLATFORM_LISTEN")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map_or(Ok(SocketAddr::from(([127, 0, 0, 1], 8080))), |v| v.trim().parse())
        .map_err(|e| CliError::invalid(anyhow::anyhow!("PLATFORM_LISTEN is not an address: {e}")))?;
    let target = local_address(listen);
    let status = tokio::time::timeout(TIMEOUT, health(target))
        .await
        .map_err(|_| anyhow::anyhow!("{target}/health did not answer within {TIMEOUT:?}"))?
        .map_err(|e| anyhow::anyhow!("{target}/health: {e}"))?;
    if status == 200 {
        println!("healthy");
        Ok(())
    } else {
        Err(anyhow::anyhow!("{target}/health answered {status}").into())
    }
}

/// A server listening on every address is asked on the loopback one.
fn local_address(listen: SocketAddr) -> SocketAddr {
    match listen {
        SocketAddr::V4(v4) if v4.ip().is_unspecified() => SocketAddr::from((Ipv4Addr::LOCALHOST, v4.port())),
        SocketAddr::V6(v6) if v6.ip().is_unspecified() => SocketAddr::from((Ipv6Addr::LOCALHOST, v6.port())),
        other => other,
    }
}

/// The status code of `GET /health`.
async fn health(target: SocketAddr) -> std::io::Result<u16> {
    let mut stream = tokio::net::TcpStream::connect(target).await?;
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await?;
    let mut head = [0u8; 64];
    let mut read = 0;
    while read < 12 {
        let n = stream.read(&mut head[read..]).await?;
        if n == 0 {
            break;
        }
        read += n;
    }
    // "HTTP/1.1 200 OK": the code is the second word.
    std::str::from_utf8(&head[..read])
        .ok()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP answer"))
}
