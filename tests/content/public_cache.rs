//! Anonymous reads of published content are served from each instance's memory until the
//! tenant's content changes; a change made anywhere (another instance, a job, plain SQL)
//! reaches every instance through the database's notification at commit.

use crate::common::{open_trust, send};
use e2e::{TestApp, eventually};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn public_reads_are_cached_until_the_content_changes_anywhere() {
    let app = TestApp::spawn().await;
    let peer = app.spawn_peer().await;
    app.create_tenant("acme").await;
    open_trust(&app, "acme").await;
    let admin = app.admin_token("acme").await;
    let site = app.tenant("acme").token(&admin);
    let first = site
        .post("/api/v1/posts", &json!({"title": "First", "status": "publish"}))
        .await;
    let first_path = format!("/api/v1/posts/{}", first.body["id"].as_str().expect("id"));

    for _ in 0..3 {
        assert_eq!(
            app.tenant("acme").get("/api/v1/posts").await.header("x-total-count"),
            Some("1")
        );
        assert_eq!(
            peer.on("acme.localhost")
                .get("/api/v1/posts")
                .await
                .header("x-total-count"),
            Some("1")
        );
        assert_eq!(
            app.tenant("acme").get(&first_path).await.body["title"]["rendered"],
            "First"
        );
    }
    let metrics = app.on("localhost").get("/metrics").await;
    assert!(
        metrics
            .text
            .lines()
            .any(|l| l.starts_with("public_cache_lookups_total{result=\"hit\"}")),
        "later reads are hits: {}",
        metrics
            .text
            .lines()
            .filter(|l| l.contains("public_cache"))
            .collect::<Vec<_>>()
            .join("\n")
    );

    // A post published through this instance shows on both.
    site.post("/api/v1/posts", &json!({"title": "Second", "status": "publish"}))
        .await;
    eventually("the peer sees the new post", || async {
        peer.on("acme.localhost")
            .get("/api/v1/posts")
            .await
            .header("x-total-count")
            == Some("2")
    })
    .await;
    eventually("this instance sees it", || async {
        app.tenant("acme").get("/api/v1/posts").await.header("x-total-count") == Some("2")
    })
    .await;

    // A change in plain SQL, outside the platform, is announced by the triggers too.
    let schema: String = sqlx::query_scalar("SELECT schema_name FROM platform.tenants WHERE slug = 'acme'")
        .fetch_one(&app.db.pool)
        .await
        .expect("schema");
    sqlx::query(&format!(
        "UPDATE {schema}.posts SET title = 'Changed in SQL' WHERE title = 'First'"
    ))
    .execute(&app.db.pool)
    .await
    .expect("update");
    eventually("a direct change shows", || async {
        peer.on("acme.localhost").get(&first_path).await.body["title"]["rendered"] == "Changed in SQL"
    })
    .await;

    // Trashed: gone for anonymous readers, on every instance.
    let trashed = send(&site, Method::DELETE, &first_path, None, None).await;
    assert_eq!(trashed.status, 200, "{}", trashed.text);
    eventually("the trashed post is gone", || async {
        app.tenant("acme").get(&first_path).await.status == 404
            && peer.on("acme.localhost").get(&first_path).await.status == 404
    })
    .await;

    // Signed-in readers never get a cached answer: an editor sees drafts at once.
    site.post("/api/v1/posts", &json!({"title": "Draft"})).await;
    let listed = site.get("/api/v1/posts?status=draft").await;
    assert_eq!(listed.header("x-total-count"), Some("1"));
}
