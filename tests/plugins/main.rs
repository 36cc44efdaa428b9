//! Plugins through the API: install (upload and catalogue), grants, configuration, enable and
//! disable, dispatch on the content hooks, failures that refuse a write and leave every tenant
//! served, and isolation of plugin storage between tenants and between plugins.

mod api;
mod custom_fields;
mod dispatch;
mod isolation;

use e2e::{HostClient, Reply, TestApp};
use serde_json::{Value, json};

pub use e2e::guests::{ECHO, PROBE, TEMPLATE};

/// Uploads a component file as a plugin, with query options (`?grant=kv&enable=true`).
pub async fn upload(site: &HostClient, file: &str, query: &str) -> Reply {
    let bytes = std::fs::read(file).expect("guest built by the build script");
    upload_bytes(site, bytes, query).await
}

pub async fn upload_bytes(site: &HostClient, bytes: Vec<u8>, query: &str) -> Reply {
    let request = site
        .request(reqwest::Method::POST, &format!("/api/v1/plugins{query}"))
        .header("content-type", "application/wasm")
        .body(bytes);
    HostClient::send(request).await
}

/// A tenant with trust out of the way, and its administrator's client.
pub async fn tenant(app: &TestApp, slug: &str) -> HostClient {
    app.create_tenant(slug).await;
    app.open_trust(slug).await
}

/// Installs and enables the probe with every capability it asks for.
pub async fn install_probe(site: &HostClient) {
    let reply = upload(site, PROBE, "?grant=kv,crypto,clock&enable=true").await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

/// Creates a draft post with this title; returns the reply.
pub async fn create(site: &HostClient, title: &str) -> Reply {
    site.post("/api/v1/posts", &json!({"title": title, "status": "draft"}))
        .await
}

pub fn meta<'a>(reply: &'a Reply, key: &str) -> &'a Value {
    &reply.body["meta"][key]
}
