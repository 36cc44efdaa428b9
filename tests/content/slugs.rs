//! Slugs as WordPress makes them: unique per type (and per parent for hierarchical types) by a
//! numeric suffix, or 409 when the writer asks for no suffix. Trashed posts hold no slug.

use e2e::{HostClient, TestApp};
use serde_json::{Value, json};

async fn create(site: &HostClient, path: &str, body: Value) -> Value {
    let reply = site.post(path, &body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

fn slug(post: &Value) -> &str {
    post["slug"].as_str().expect("slug")
}

#[tokio::test]
async fn taken_slugs_get_the_next_free_suffix_per_type_and_parent() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let site = app.open_trust("acme").await;

    // More than one probe of 50 suffixes: the 53rd post with the title ends at `-53`.
    let mut slugs = Vec::new();
    for _ in 0..53 {
        slugs.push(slug(&create(&site, "/api/v1/posts", json!({"title": "Clinic hours"})).await).to_owned());
    }
    assert_eq!(slugs[0], "clinic-hours");
    assert_eq!(slugs[1], "clinic-hours-2");
    assert_eq!(slugs[52], "clinic-hours-53");
    let distinct: std::collections::HashSet<_> = slugs.iter().collect();
    assert_eq!(distinct.len(), 53);

    // A gap is reused: the first free suffix wins, as in WordPress.
    let second = create(&site, "/api/v1/posts", json!({"title": "Visiting rules"})).await;
    let third = create(&site, "/api/v1/posts", json!({"title": "Visiting rules"})).await;
    assert_eq!(slug(&third), "visiting-rules-2");
    let trashed = site
        .delete(&format!("/api/v1/posts/{}", third["id"].as_str().expect("id")))
        .await;
    assert_eq!(trashed.status, 200, "{}", trashed.text);
    let again = create(&site, "/api/v1/posts", json!({"title": "Visiting rules"})).await;
    assert_eq!(slug(&again), "visiting-rules-2", "a trashed post holds no slug");
    assert_eq!(slug(&second), "visiting-rules");

    // Asking for a taken slug: suffixed by default, refused with on_slug_conflict=error.
    let asked = create(&site, "/api/v1/posts", json!({"title": "x", "slug": "clinic-hours"})).await;
    assert_eq!(slug(&asked), "clinic-hours-54");
    site.post(
        "/api/v1/posts?on_slug_conflict=error",
        &json!({"title": "x", "slug": "clinic-hours"}),
    )
    .await
    .assert_problem(409, "slug_taken");

    // Another type, or another parent of a hierarchical type, is another place.
    let page = create(&site, "/api/v1/pages", json!({"title": "Clinic hours"})).await;
    assert_eq!(slug(&page), "clinic-hours");
    let parent = page["id"].as_str().expect("id");
    let child = create(
        &site,
        "/api/v1/pages",
        json!({"title": "Clinic hours", "parent": parent}),
    )
    .await;
    assert_eq!(slug(&child), "clinic-hours", "under another parent");
    let sibling = create(
        &site,
        "/api/v1/pages",
        json!({"title": "Clinic hours", "parent": parent}),
    )
    .await;
    assert_eq!(slug(&sibling), "clinic-hours-2");
}

#[tokio::test]
async fn a_long_title_keeps_its_suffixed_slug_within_the_limit() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let site = app.open_trust("acme").await;
    let title = "cardiology ".repeat(40);
    let first = create(&site, "/api/v1/posts", json!({"title": title})).await;
    let second = create(&site, "/api/v1/posts", json!({"title": title})).await;
    assert_eq!(slug(&first).len(), 200, "cut at 200 characters");
    assert!(
        slug(&second).ends_with("-2") && slug(&second).len() <= 200,
        "{}",
        slug(&second)
    );
    assert!(slug(&second).starts_with(&slug(&first)[..150]));
}
