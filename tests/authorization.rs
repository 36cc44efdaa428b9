//! The authorisation matrix, OWASP testing-guide style: every tenant route, for every
//! built-in role, on the caller's own object and on another user's, plus no token at all.
//! Expectations are written out by hand, not derived from the role definitions they test.

use e2e::{ADMIN_PASSWORD, TestApp};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

const ROLES: [&str; 8] = [
    "administrator",
    "editor",
    "author",
    "contributor",
    "subscriber",
    "medical_professional",
    "content_reviewer",
    "compliance_officer",
];

/// Who may: every role listed gets a 2xx; every other role gets `denied`.
struct Case {
    method: Method,
    /// `{self}`: the caller's id; `{other}`: a fresh user's id; `{other_session}`: a session
    /// of that other user.
    path: &'static str,
    body: Option<Value>,
    allowed: &'static [&'static str],
    denied: u16,
}

fn cases() -> Vec<Case> {
    use Method as M;
    let all: &'static [&'static str] = &ROLES;
    let case = |method: M, path, body: Option<Value>, allowed, denied| Case {
        method,
        path,
        body,
        allowed,
        denied,
    };
    vec![
        case(M::GET, "/api/v1/settings", None, &["administrator"], 403),
        case(
            M::PUT,
            "/api/v1/settings",
            // A PUT replaces the document: the thresholds the content cases rely on stay.
            Some(json!({"locale": "en", "trust_thresholds": {"create_draft": 0, "publish": 0, "read_phi": 0}})),
            &["administrator"],
            403,
        ),
        case(
            M::GET,
            "/api/v1/audit",
            None,
            &["administrator", "compliance_officer"],
            403,
        ),
        case(
            M::GET,
            "/api/v1/audit/verify",
            None,
            &["administrator", "compliance_officer"],
            403,
        ),
        case(M::GET, "/api/v1/users", None, &["administrator"], 403),
        case(
            M::POST,
            "/api/v1/users",
            Some(json!({"email": "{fresh}@acme.test", "display_name": "New"})),
            &["administrator"],
            403,
        ),
        case(M::GET, "/api/v1/users/me", None, all, 0),
        case(
            M::PATCH,
            "/api/v1/users/me",
            Some(json!({"display_name": "Renamed"})),
            all,
            0,
        ),
        case(M::GET, "/api/v1/users/{self}", None, all, 0),
        case(
            M::PATCH,
            "/api/v1/users/{self}",
            Some(json!({"display_name": "Me"})),
            all,
            0,
        ),
        case(M::GET, "/api/v1/users/{other}", None, &["administrator"], 404),
        case(
            M::PATCH,
            "/api/v1/users/{other}",
            Some(json!({"display_name": "Them"})),
            &["administrator"],
            404,
        ),
        case(
            M::POST,
            "/api/v1/users/{other}/deactivate",
            None,
            &["administrator"],
            404,
        ),
        case(M::POST, "/api/v1/users/{other}/activate", None, &["administrator"], 404),
        case(M::POST, "/api/v1/users/{self}/deactivate", None, &[], 403),
        case(
            M::PUT,
            "/api/v1/users/{other}/roles",
            Some(json!({"roles": ["author"]})),
            &["administrator"],
            404,
        ),
        case(
            M::PUT,
            "/api/v1/users/{self}/roles",
            Some(json!({"roles": ["administrator"]})),
            &[],
            403,
        ),
        case(
            M::POST,
            "/api/v1/users/{other}/registry/verify",
            Some(json!({"verified": true})),
            &["administrator", "compliance_officer"],
            403,
        ),
        case(M::GET, "/api/v1/roles", None, &["administrator"], 403),
        case(
            M::POST,
            "/api/v1/roles",
            Some(json!({"name": "r_{fresh}", "display_name": "R", "capabilities": ["read"]})),
            &["administrator"],
            403,
        ),
        case(M::GET, "/api/v1/auth/sessions", None, all, 0),
        case(M::GET, "/api/v1/auth/trust?action=publish", None, all, 0),
        case(M::DELETE, "/api/v1/auth/sessions/{other_session}", None, &[], 404),
        case(M::GET, "/.well-known/jwks.json", None, all, 0),
        // Content: WordPress's capabilities, through map_meta_cap for one post.
        case(
            M::GET,
            "/api/v1/posts?status=draft",
            None,
            &[
                "administrator",
                "editor",
                "author",
                "contributor",
                "medical_professional",
            ],
            403,
        ),
        case(
            M::POST,
            "/api/v1/posts",
            Some(json!({"title": "Draft"})),
            &[
                "administrator",
                "editor",
                "author",
                "contributor",
                "medical_professional",
            ],
            403,
        ),
        case(
            M::POST,
            "/api/v1/posts",
            Some(json!({"title": "Published", "status": "publish"})),
            &["administrator", "editor", "author", "medical_professional"],
            403,
        ),
        case(
            M::POST,
            "/api/v1/pages",
            Some(json!({"title": "Page"})),
            &["administrator", "editor"],
            403,
        ),
        // {post}: another user's published post; its revisions need edit_others_posts and
        // edit_published_posts.
        case(
            M::GET,
            "/api/v1/posts/{post}/revisions",
            None,
            &["administrator", "editor"],
            403,
        ),
        case(
            M::POST,
            "/api/v1/categories",
            Some(json!({"name": "Category {fresh}"})),
            &["administrator", "editor"],
            403,
        ),
        case(
            M::POST,
            "/api/v1/taxonomies/post_tag/terms",
            Some(json!({"name": "Tag {fresh}"})),
            &["administrator", "editor"],
            403,
        ),
        case(
            M::GET,
            "/api/v1/media",
            None,
            &["administrator", "editor", "author"],
            403,
        ),
        case(M::GET, "/api/v1/plugins", None, &["administrator"], 403),
        case(M::GET, "/api/v1/plugin-catalogue", None, &["administrator"], 403),
        // Last: a reset ends the other user's sessions, which cases above use.
        case(M::POST, "/api/v1/users/{self}/mfa/reset", None, &[], 403),
        case(
            M::POST,
            "/api/v1/users/{other}/mfa/reset",
            None,
            &["administrator"],
            404,
        ),
    ]
}

/// A fresh user with a registry and a live session: the "other user's object".
async fn other_user(app: &TestApp) -> (Uuid, Uuid) {
    let tenant = app
        .tenancy()
        .get_by_slug(&tenants::TenantSlug::parse("acme").expect("slug"))
        .await
        .expect("tenant");
    let (id, session) = (Uuid::now_v7(), Uuid::now_v7());
    let mut tx = tenant.scope().begin(&app.db.pool).await.expect("begin");
    sqlx::query(
        "INSERT INTO users (id, email, display_name, password_hash, roles, registry_type, registry_number, registry_state) \
         VALUES ($1, $2, 'Other', 'not-a-real-hash', '{subscriber}', 'CRM', $3, 'SP')",
    )
    .bind(id)
    .bind(format!("other-{id}@acme.test"))
    .bind(&id.simple().to_string()[..12])
    .execute(&mut *tx)
    .await
    .expect("other user");
    sqlx::query("INSERT INTO sessions (id, user_id, expires_at) VALUES ($1, $2, now() + interval '1 hour')")
        .bind(session)
        .bind(id)
        .execute(&mut *tx)
        .await
        .expect("other session");
    tx.commit().await.expect("commit");
    (id, session)
}

/// Trust thresholds at zero (trust has its own tests) and another user's published post.
async fn content_fixture(app: &TestApp) -> String {
    let admin = app.admin_token("acme").await;
    let site = app.tenant("acme").token(&admin);
    let settings = site
        .put(
            "/api/v1/settings",
            &json!({"trust_thresholds": {"create_draft": 0, "publish": 0, "read_phi": 0}}),
        )
        .await;
    assert_eq!(settings.status, 200, "{}", settings.text);
    let post = site
        .post(
            "/api/v1/posts",
            &json!({"title": "Someone else's", "status": "publish"}),
        )
        .await;
    assert_eq!(post.status, 201, "{}", post.text);
    post.body["id"].as_str().expect("post id").to_owned()
}

#[tokio::test]
async fn every_role_reaches_exactly_the_routes_it_should() {
    // Eight roles times every route: beyond the request limits, which have their own tests.
    let app = TestApp::unlimited().await;
    app.create_tenant("acme").await;
    let post = content_fixture(&app).await;
    let mut failures = Vec::new();
    for role in ROLES {
        let (me, token) = app.add_user("acme", &format!("{role}@acme.test"), &[role]).await;
        for case in cases() {
            let (other, other_session) = other_user(&app).await;
            let path = case
                .path
                .replace("{post}", &post)
                .replace("{self}", &me.to_string())
                .replace("{other_session}", &other_session.to_string())
                .replace("{other}", &other.to_string());
            let mut request = app.tenant("acme").token(&token).request(case.method.clone(), &path);
            if let Some(body) = &case.body {
                let body = body
                    .to_string()
                    .replace("{fresh}", &Uuid::now_v7().simple().to_string());
                request = request.header("content-type", "application/json").body(body);
            }
            let reply = e2e::HostClient::send(request).await;
            let allowed = case.allowed.contains(&role);
            let ok = if allowed {
                (200..300).contains(&reply.status)
            } else {
                reply.status == case.denied
            };
            if !ok {
                failures.push(format!(
                    "{role} {} {}: got {}, expected {}: {}",
                    case.method,
                    case.path,
                    reply.status,
                    if allowed {
                        "2xx".to_owned()
                    } else {
                        case.denied.to_string()
                    },
                    reply.text
                ));
            }
        }
    }
    assert!(failures.is_empty(), "authorisation matrix:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn every_protected_route_wants_a_token() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let post = content_fixture(&app).await;
    let (other, other_session) = other_user(&app).await;
    for case in cases().into_iter().filter(|c| !c.path.starts_with("/.well-known")) {
        let path = case
            .path
            .replace("{post}", &post)
            .replace("{self}", &other.to_string())
            .replace("{other_session}", &other_session.to_string())
            .replace("{other}", &other.to_string());
        let mut request = app.tenant("acme").request(case.method.clone(), &path);
        if let Some(body) = &case.body {
            request = request.json(body);
        }
        e2e::HostClient::send(request)
            .await
            .assert_problem(401, "missing_token");
    }
    // And the password change, which the matrix leaves out because it changes the password.
    let reply = app
        .tenant("acme")
        .post(
            "/api/v1/users/me/password",
            &json!({"current_password": ADMIN_PASSWORD, "new_password": "x".repeat(12)}),
        )
        .await;
    reply.assert_problem(401, "missing_token");
}
