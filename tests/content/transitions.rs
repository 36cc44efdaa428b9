//! The status x role matrix: who may move whose post from which status to which, as
//! WordPress decides it (capabilities through map_meta_cap), and which moves no one may make.

use crate::common::{open_trust, send};
use e2e::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug)]
enum Owner {
    Own,
    Others,
}

/// role, whose post, from, to, expected status, expected problem code.
type Row = (&'static str, Owner, &'static str, &'static str, u16, &'static str);

const MATRIX: &[Row] = {
    use Owner::*;
    &[
        // Contributors write drafts and submit them; nothing public, nothing of others'.
        ("contributor", Own, "draft", "pending", 200, ""),
        ("contributor", Own, "pending", "draft", 200, ""),
        ("contributor", Own, "draft", "trash", 200, ""),
        ("contributor", Own, "draft", "publish", 403, "missing_capability"),
        ("contributor", Own, "draft", "private", 403, "missing_capability"),
        ("contributor", Own, "draft", "future", 403, "missing_capability"),
        ("contributor", Own, "pending", "publish", 403, "missing_capability"),
        ("contributor", Own, "publish", "draft", 403, "missing_capability"),
        ("contributor", Others, "draft", "pending", 404, "post_not_found"),
        ("contributor", Others, "publish", "draft", 403, "missing_capability"),
        // Authors publish, schedule, unpublish and trash their own.
        ("author", Own, "draft", "publish", 200, ""),
        ("author", Own, "draft", "private", 200, ""),
        ("author", Own, "draft", "future", 200, ""),
        ("author", Own, "pending", "publish", 200, ""),
        ("author", Own, "publish", "draft", 200, ""),
        ("author", Own, "publish", "pending", 200, ""),
        ("author", Own, "publish", "trash", 200, ""),
        ("author", Own, "future", "draft", 200, ""),
        ("author", Own, "trash", "draft", 200, ""),
        ("author", Own, "trash", "publish", 409, "post_trashed"),
        ("author", Own, "trash", "pending", 409, "post_trashed"),
        ("author", Own, "draft", "auto-draft", 409, "illegal_transition"),
        ("author", Others, "draft", "publish", 404, "post_not_found"),
        ("author", Others, "pending", "publish", 404, "post_not_found"),
        ("author", Others, "private", "publish", 404, "post_not_found"),
        ("author", Others, "publish", "trash", 403, "missing_capability"),
        ("author", Others, "publish", "draft", 403, "missing_capability"),
        // Editors act on everyone's.
        ("editor", Others, "draft", "publish", 200, ""),
        ("editor", Others, "pending", "publish", 200, ""),
        ("editor", Others, "pending", "draft", 200, ""),
        ("editor", Others, "publish", "draft", 200, ""),
        ("editor", Others, "publish", "trash", 200, ""),
        ("editor", Others, "private", "publish", 200, ""),
        ("editor", Others, "future", "publish", 200, ""),
        ("editor", Others, "trash", "draft", 200, ""),
        ("editor", Others, "trash", "private", 409, "post_trashed"),
        ("administrator", Others, "draft", "publish", 200, ""),
        ("administrator", Others, "publish", "private", 200, ""),
        // Subscribers only read.
        ("subscriber", Others, "publish", "draft", 403, "missing_capability"),
        ("subscriber", Others, "draft", "pending", 404, "post_not_found"),
        ("subscriber", Others, "private", "publish", 404, "post_not_found"),
    ]
};

fn tomorrow() -> String {
    (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339()
}

/// A post of `owner` in `status`, made by an administrator.
async fn seed(admin: &e2e::HostClient, owner: uuid::Uuid, status: &str) -> (String, String) {
    let initial = if status == "trash" { "draft" } else { status };
    let mut body = json!({"title": format!("A {status} post"), "status": initial, "author": owner});
    if status == "future" {
        body["date_gmt"] = Value::from(tomorrow());
    }
    let created = admin.post("/api/v1/posts", &body).await;
    assert_eq!(created.status, 201, "seeding {status}: {}", created.text);
    assert_eq!(created.body["status"], initial);
    let path = format!("/api/v1/posts/{}", created.body["id"].as_str().expect("id"));
    if status == "trash" {
        let trashed = send(admin, Method::DELETE, &path, None, None).await;
        assert_eq!(trashed.status, 200, "{}", trashed.text);
    }
    let read = admin.get(&format!("{path}?context=edit")).await;
    (path, read.header("etag").expect("etag").to_owned())
}

#[tokio::test]
async fn who_may_move_whose_post_between_which_statuses() {
    let app = TestApp::unlimited().await;
    app.create_tenant("acme").await;
    open_trust(&app, "acme").await;
    let admin_token = app.admin_token("acme").await;
    let admin = app.tenant("acme").token(&admin_token);
    let (other, _) = app.add_user("acme", "other@acme.test", &["author"]).await;
    let mut users = std::collections::HashMap::new();
    for role in ["subscriber", "contributor", "author", "editor", "administrator"] {
        let user = app.add_user("acme", &format!("{role}@acme.test"), &[role]).await;
        users.insert(role, user);
    }

    let mut failures = Vec::new();
    for &(role, owner, from, to, expected, code) in MATRIX {
        let (user_id, token) = &users[role];
        let owner_id = match owner {
            Owner::Own => *user_id,
            Owner::Others => other,
        };
        let (path, etag) = seed(&admin, owner_id, from).await;
        let mut body = json!({"status": to});
        if to == "future" {
            body["date_gmt"] = Value::from(tomorrow());
        }
        let site = app.tenant("acme").token(token);
        let reply = send(&site, Method::PATCH, &path, Some(&etag), Some(&body)).await;
        let row = format!("{role} {owner:?} {from} -> {to}");
        if reply.status != expected {
            failures.push(format!("{row}: {} (wanted {expected}) {}", reply.status, reply.text));
            continue;
        }
        if expected == 200 {
            let now = admin.get(&format!("{path}?context=edit")).await;
            if now.body["status"] != to {
                failures.push(format!("{row}: stored as {}", now.body["status"]));
            }
        } else {
            reply.assert_problem(expected, code);
            if expected == 409 && code == "illegal_transition" {
                assert!(
                    reply.body["detail"].as_str().is_some_and(|d| d.contains("pending")),
                    "names the allowed: {}",
                    reply.text
                );
            }
            let unchanged = admin.get(&format!("{path}?context=edit")).await;
            if unchanged.header("etag") != Some(etag.as_str()) {
                failures.push(format!("{row}: a refused change changed the post"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        MATRIX.len(),
        failures.join("\n")
    );
}
