//! Helpers the content tests share.

use e2e::TestApp;
use reqwest::Method;
use serde_json::Value;

/// Trust thresholds out of the way: these tests are about capabilities (trust has its own).
pub async fn open_trust(app: &TestApp, slug: &str) {
    app.open_trust(slug).await;
}

pub async fn patch(app: &TestApp, slug: &str, token: &str, path: &str, etag: Option<&str>, body: &Value) -> e2e::Reply {
    let site = app.tenant(slug).token(token);
    let mut request = site.request(Method::PATCH, path).json(body);
    if let Some(etag) = etag {
        request = request.header("if-match", etag);
    }
    e2e::HostClient::send(request).await
}

/// A request with a body and, if given, an If-Match header.
pub async fn send(
    site: &e2e::HostClient,
    method: Method,
    path: &str,
    etag: Option<&str>,
    body: Option<&Value>,
) -> e2e::Reply {
    let mut request = site.request(method, path);
    if let Some(body) = body {
        request = request.json(body);
    }
    if let Some(etag) = etag {
        request = request.header("if-match", etag);
    }
    e2e::HostClient::send(request).await
}
