//! Who is on the other end of a request, for the audit trail: client IP, user agent, request
//! id. Read from the request by `http::client`.

use std::net::IpAddr;

#[derive(Debug, Clone, Default)]
pub struct ClientContext {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}
