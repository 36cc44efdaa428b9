//! Revisions: saved by every change of the text, listed newest first, read, and restored as
//! a save of their own.

use crate::common::{open_trust, send};
use e2e::TestApp;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn saves_make_revisions_that_can_be_listed_read_and_restored() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    open_trust(&app, "acme").await;
    let (_, author) = app.add_user("acme", "author@acme.test", &["author"]).await;
    let (_, other_author) = app.add_user("acme", "other@acme.test", &["author"]).await;
    let (_, contributor) = app.add_user("acme", "c@acme.test", &["contributor"]).await;
    let site = app.tenant("acme").token(&author);

    let created = site
        .post(
            "/api/v1/posts",
            &json!({"title": "First", "content": "one", "meta": {"k": 1}}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/posts/{id}");
    let mut etag = created.header("etag").expect("etag").to_owned();
    for body in [
        json!({"title": "Second"}),
        json!({"content": "two", "meta": {"k": 2}}),
        // A status change alone changes no text: no revision.
        json!({"status": "pending"}),
    ] {
        let saved = send(&site, Method::PATCH, &path, Some(&etag), Some(&body)).await;
        assert_eq!(saved.status, 200, "{}", saved.text);
        etag = saved.header("etag").expect("etag").to_owned();
    }

    let listed = site.get(&format!("{path}/revisions")).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.header("x-total-count"), Some("3"));
    let titles: Vec<&str> = listed
        .body
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["title"].as_str().expect("title"))
        .collect();
    assert_eq!(titles, ["Second", "Second", "First"], "newest first");
    let first = &listed.body[2];
    assert_eq!(first["content"], "one");
    assert_eq!(first["meta"], json!({"k": 1}));
    assert_eq!(first["parent"], id.as_str());
    let paged = site.get(&format!("{path}/revisions?per_page=1&page=2")).await;
    assert_eq!(paged.body.as_array().map(Vec::len), Some(1));
    assert_eq!(paged.body[0]["content"], "one", "the second newest: the title change");
    assert!(paged.header("link").is_some_and(|l| l.contains("rel=\"next\"")));

    let first_id = first["id"].as_str().expect("id");
    let one = site.get(&format!("{path}/revisions/{first_id}")).await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.body["title"], "First");

    // Restoring needs If-Match, and a current one.
    let restore = format!("{path}/revisions/{first_id}/restore");
    send(&site, Method::POST, &restore, None, None)
        .await
        .assert_problem(428, "if_match_required");
    send(
        &site,
        Method::POST,
        &restore,
        Some(created.header("etag").expect("etag")),
        None,
    )
    .await
    .assert_problem(412, "stale_version");
    let restored = send(&site, Method::POST, &restore, Some(&etag), None).await;
    assert_eq!(restored.status, 200, "{}", restored.text);
    assert_eq!(restored.body["title"]["raw"], "First");
    assert_eq!(restored.body["content"]["raw"], "one");
    assert_eq!(restored.body["meta"], json!({"k": 1}));
    assert_eq!(
        restored.body["status"], "pending",
        "the status is not part of a revision"
    );
    assert_ne!(restored.header("etag"), Some(etag.as_str()));
    let after = site.get(&format!("{path}/revisions")).await;
    assert_eq!(
        after.header("x-total-count"),
        Some("4"),
        "the restore is a revision too"
    );
    assert_eq!(after.body[0]["title"], "First");

    // Others: a contributor cannot read the pending post (404); another author can read a
    // published post but not edit it, so not its revisions (403).
    app.tenant("acme")
        .token(&contributor)
        .get(&format!("{path}/revisions"))
        .await
        .assert_problem(404, "post_not_found");
    let published = site
        .post("/api/v1/posts", &json!({"title": "Public", "status": "publish"}))
        .await;
    let public_path = format!("/api/v1/posts/{}", published.body["id"].as_str().expect("id"));
    app.tenant("acme")
        .token(&other_author)
        .get(&format!("{public_path}/revisions"))
        .await
        .assert_problem(403, "missing_capability");
    // Anonymous readers get nothing.
    app.tenant("acme")
        .get(&format!("{public_path}/revisions"))
        .await
        .assert_problem(401, "missing_token");
    // A revision of one post is not found under another.
    site.get(&format!("{public_path}/revisions/{first_id}"))
        .await
        .assert_problem(404, "revision_not_found");
    // Pages are not posts.
    site.get(&format!("/api/v1/pages/{id}/revisions"))
        .await
        .assert_problem(404, "post_not_found");
}

#[tokio::test]
async fn a_trashed_post_is_restored_from_the_trash_before_a_revision_and_revisions_stay_in_their_tenant() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    app.create_tenant("beta").await;
    open_trust(&app, "acme").await;
    let admin = app.admin_token("acme").await;
    let beta_admin = app.admin_token("beta").await;
    let site = app.tenant("acme").token(&admin);
    let created = site.post("/api/v1/pages", &json!({"title": "About"})).await;
    let id = created.body["id"].as_str().expect("id");
    let path = format!("/api/v1/pages/{id}");
    let revisions = site.get(&format!("{path}/revisions")).await;
    let revision = revisions.body[0]["id"].as_str().expect("revision id");
    let trashed = send(&site, Method::DELETE, &path, None, None).await;
    assert_eq!(trashed.status, 200, "{}", trashed.text);
    let current = site.get(&format!("{path}?context=edit")).await;
    let etag = current.header("etag").expect("etag");
    send(
        &site,
        Method::POST,
        &format!("{path}/revisions/{revision}/restore"),
        Some(etag),
        None,
    )
    .await
    .assert_problem(409, "post_trashed");

    let beta = app.tenant("beta").token(&beta_admin);
    beta.get(&format!("{path}/revisions"))
        .await
        .assert_problem(404, "post_not_found");
    beta.get(&format!("{path}/revisions/{revision}"))
        .await
        .assert_problem(404, "post_not_found");
}
