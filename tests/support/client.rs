use reqwest::header::{HOST, HeaderMap};
use reqwest::{Method, RequestBuilder};
use serde_json::Value;
use std::net::SocketAddr;

/// An HTTP client bound to one Host header.
pub struct HostClient {
    client: reqwest::Client,
    addr: SocketAddr,
    host: String,
    token: Option<String>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    /// The body as JSON (`Null` when it is not JSON).
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an RFC 9457 problem with this status and code, and returns it.
    pub fn assert_problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status, status, "status of {}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "content type of {}",
            self.text
        );
        assert_eq!(self.body["code"], code, "code of {}", self.text);
        assert_eq!(self.body["status"], status);
        assert!(self.body["type"].is_string() && self.body["title"].is_string() && self.body["detail"].is_string());
        assert!(
            self.body["request_id"].is_string(),
            "problem has a request id: {}",
            self.text
        );
        &self.body
    }
}

impl HostClient {
    pub(crate) fn new(client: reqwest::Client, addr: SocketAddr, host: &str) -> Self {
        Self {
            client,
            addr,
            host: host.to_owned(),
            token: None,
        }
    }

    /// Another client for the same host with this token.
    pub fn clone_with(&self, token: &str) -> Self {
        Self {
            client: self.client.clone(),
            addr: self.addr,
            host: self.host.clone(),
            token: Some(token.to_owned()),
        }
    }

    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    /// A request with the Host header set; add to it and `send` it.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut request = self
            .client
            .request(method, format!("http://{}{path}", self.addr))
            .header(HOST, &self.host);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        request
    }

    pub async fn send(request: RequestBuilder) -> Reply {
        let response = request.send().await.expect("request reaches the server");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("read body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            text,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        Self::send(self.request(Method::GET, path)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        Self::send(self.request(Method::DELETE, path)).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        Self::send(self.request(Method::POST, path).json(body)).await
    }

    pub async fn post_empty(&self, path: &str) -> Reply {
        Self::send(self.request(Method::POST, path)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        Self::send(self.request(Method::PUT, path).json(body)).await
    }
}
