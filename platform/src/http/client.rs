//! The client of a request: its address (behind trusted proxies) and user agent, as the
//! audit trail's `ClientContext`.

use crate::audit::ClientContext;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// Proxies in front of us that append to X-Forwarded-For (`PLATFORM_TRUSTED_PROXY_HOPS`).
#[derive(Debug, Clone, Copy)]
pub struct ProxyHops(pub usize);

/// User agents are kept to this many characters.
const MAX_USER_AGENT: usize = 512;

/// The client's address: the peer, or with `PLATFORM_TRUSTED_PROXY_HOPS = n` behind `n` proxies
/// that each append to `X-Forwarded-For`, the address the outermost of them saw. Entries a
/// client wrote itself (further left) are never trusted.
pub fn client_ip(parts: &Parts, trusted_hops: usize) -> Option<IpAddr> {
    client_ip_of(&parts.headers, &parts.extensions, trusted_hops)
}

/// [`client_ip`] for code that holds a whole request rather than its parts.
pub fn client_ip_of(headers: &HeaderMap, extensions: &Extensions, trusted_hops: usize) -> Option<IpAddr> {
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if trusted_hops == 0 {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|entry| entry.trim().parse().ok())
        .collect();
    forwarded
        .len()
        .checked_sub(trusted_hops)
        .and_then(|i| forwarded.get(i).copied())
        .or(peer)
}

impl<S: Send + Sync> FromRequestParts<S> for ClientContext
where
    ProxyHops: FromRef<S>,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Infallible> {
        let user_agent = parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(MAX_USER_AGENT).collect());
        Ok(Self {
            ip: client_ip(parts, ProxyHops::from_ref(state).0),
            user_agent,
            request_id: crate::http::request_id::current(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(xff: &[&str]) -> Parts {
        let mut builder = Request::builder();
        for v in xff {
            builder = builder.header("x-forwarded-for", *v);
        }
        let (mut parts, ()) = builder.body(()).expect("request").into_parts();
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 9], 4000))));
        parts
    }

    #[test]
    fn only_trusted_hops_of_forwarded_for_count() {
        let p = parts(&["1.1.1.1, 2.2.2.2", "3.3.3.3"]);
        assert_eq!(client_ip(&p, 0), Some("10.0.0.9".parse().expect("ip")));
        assert_eq!(client_ip(&p, 1), Some("3.3.3.3".parse().expect("ip")));
        assert_eq!(client_ip(&p, 2), Some("2.2.2.2".parse().expect("ip")));
        // Fewer entries than hops: the peer.
        assert_eq!(client_ip(&p, 5), Some("10.0.0.9".parse().expect("ip")));
    }
}
