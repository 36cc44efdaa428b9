//! Content benchmarks: listing 20 posts with their meta and terms (one at a time, and 32 at
//! once), creating and updating a post, and the list without HTTP to show where time goes.
//!
//!   cargo bench -p e2e --bench content
//!
//! Results are printed as Markdown rows for docs/benchmarks.md.

use e2e::TestApp;
use e2e::bench::summary;
use futures_util::StreamExt as _;
use platform::audit::ClientContext;
use platform::content::caller::Caller;
use platform::content::deps::ContentDeps;
use platform::content::list_query::PostFilter;
use platform::content::post_type::PostTypeName;
use platform::content::read::{self, ListPosts};
use platform::content::view::Context;
use platform::content::viewer::Viewer;
use platform::http::pagination::Page;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const POSTS: usize = 200;
const CONCURRENCY: usize = 32;

fn post_body(n: usize, paragraphs: usize, categories: &[String], tags: &[String]) -> Value {
    json!({
        "title": format!("Hypertension guide {n}"),
        "content": "<p>Blood pressure above 140/90 mmHg on repeated measurement.</p>".repeat(paragraphs),
        "excerpt": "What high blood pressure is, and what to do about it.",
        "status": "publish",
        "categories": [categories[n % categories.len()], categories[(n + 1) % categories.len()]],
        "tags": [tags[n % tags.len()], tags[(n + 3) % tags.len()], tags[(n + 7) % tags.len()]],
        "meta": {
            "reading_minutes": n % 12,
            "reviewed_by": "Dr. Silva",
            "icd10": ["I10", "I11"],
            "audience": "patients",
            "_internal_note": "editorial only",
        },
    })
}

async fn seed(app: &TestApp, slug: &str, token: &str, paragraphs: usize) {
    let site = app.tenant(slug).token(token);
    let mut categories = Vec::new();
    for n in 0..5 {
        let reply = site
            .post("/api/v1/categories", &json!({"name": format!("Specialty {n}")}))
            .await;
        categories.push(reply.body["id"].as_str().expect("category").to_owned());
    }
    let mut tags = Vec::new();
    for n in 0..10 {
        let reply = site.post("/api/v1/tags", &json!({"name": format!("Topic {n}")})).await;
        tags.push(reply.body["id"].as_str().expect("tag").to_owned());
    }
    let (categories, tags) = (&categories, &tags);
    futures_util::stream::iter(0..POSTS)
        .map(|n| async move {
            let reply = app
                .tenant(slug)
                .token(token)
                .post("/api/v1/posts", &post_body(n, paragraphs, categories, tags))
                .await;
            assert_eq!(reply.status, 201, "{}", reply.text);
        })
        .buffer_unordered(4)
        .collect::<Vec<_>>()
        .await;
}

/// `n` GETs of `path`, `concurrency` at a time: latencies and requests per second.
async fn load(
    app: &TestApp,
    slug: &str,
    token: Option<&str>,
    path: &str,
    n: usize,
    concurrency: usize,
) -> (Vec<Duration>, f64) {
    let started = Instant::now();
    let samples: Vec<Duration> = futures_util::stream::iter(0..n)
        .map(|_| async move {
            let site = match token {
                Some(token) => app.tenant(slug).token(token),
                None => app.tenant(slug),
            };
            // The body is read but not parsed: the load generator shares the two cores.
            let begun = Instant::now();
            let reply = site.request(reqwest::Method::GET, path).send().await.expect("response");
            let status = reply.status();
            let body = reply.bytes().await.expect("body");
            let took = begun.elapsed();
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
            took
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let rps = n as f64 / started.elapsed().as_secs_f64();
    (samples, rps)
}

/// A tenant with trust thresholds at zero, its administrator's token, and POSTS published
/// posts of `paragraphs` paragraphs each.
async fn tenant(app: &TestApp, slug: &str, paragraphs: usize) -> String {
    app.create_tenant(slug).await;
    let token = app.admin_token(slug).await;
    let settings = app
        .tenant(slug)
        .token(&token)
        .put(
            "/api/v1/settings",
            &json!({"trust_thresholds": {"create_draft": 0, "publish": 0, "read_phi": 0}}),
        )
        .await;
    assert_eq!(settings.status, 200, "{}", settings.text);
    seed(app, slug, &token, paragraphs).await;
    token
}

/// The list, handler alone and over HTTP, one at a time and 32 at once.
async fn lists(app: &TestApp, slug: &str, token: &str) {
    let tenant = Arc::new(
        app.tenancy()
            .get_by_slug(&tenants::TenantSlug::parse(slug).expect("slug"))
            .await
            .expect("tenant"),
    );
    let path = "/api/v1/posts?per_page=20";
    let one = app.tenant(slug).get(path).await;
    assert_eq!(one.body.as_array().map(Vec::len), Some(20), "a full page");
    assert!(one.body[0]["meta"]["icd10"].is_array() && one.body[0]["tags"].as_array().map(Vec::len) == Some(3));
    let size = format!("{} KB page", one.text.len() / 1024);

    // Without HTTP: the service's work (transaction, one query, views, the response hook)
    // called directly, as the handler calls it.
    let mut direct = Vec::new();
    let deps = ContentDeps {
        hooks: &app.state.hooks,
        trust: &app.state.trust,
    };
    let client = ClientContext::default();
    for _ in 0..2_000 {
        let query = ListPosts {
            post_type: PostTypeName::post(),
            page: Page { page: 1, per_page: 20 },
            filter: PostFilter::default(),
            context: Context::View,
        };
        let started = Instant::now();
        let scope = tenant.scope();
        let mut tx = scope.begin(app.state.tenancy.pool()).await.expect("begin");
        let reader = Caller::new(&Viewer::Anonymous, &client, &scope);
        let listed = read::list(&mut tx, &deps, reader, query).await.expect("list");
        tx.commit().await.expect("commit");
        let listed = listed.finish(&app.state.hooks).await;
        direct.push(started.elapsed());
        assert_eq!(listed.items.len(), 20);
    }
    println!(
        "| {size}: list 20 posts, the handler without HTTP, sequential | {} |",
        summary(direct)
    );
    let (sequential, rps) = load(app, slug, None, path, 2_000, 1).await;
    println!(
        "| {size}: GET {path}, anonymous, sequential | {} | {rps:.0} req/s |",
        summary(sequential)
    );
    // Warm every connection of the pool first.
    load(app, slug, None, path, 1_000, CONCURRENCY).await;
    let (concurrent, rps) = load(app, slug, None, path, 20_000, CONCURRENCY).await;
    println!(
        "| {size}: GET {path}, anonymous, concurrency {CONCURRENCY} | {} | **{rps:.0} req/s** |",
        summary(concurrent)
    );
    // The same while an editor saves a post every 100 ms: each save retires the tenant's
    // cached responses (through the database's notification), so reads miss after it.
    let writing = std::sync::atomic::AtomicBool::new(true);
    let writer = async {
        let site = app.tenant(slug).token(token);
        let created = site
            .post("/api/v1/posts", &json!({"title": "Changing", "status": "publish"}))
            .await;
        let path = format!("/api/v1/posts/{}", created.body["id"].as_str().expect("id"));
        let mut etag = created.header("etag").expect("etag").to_owned();
        let mut saves = 0;
        while writing.load(std::sync::atomic::Ordering::Relaxed) {
            let request = site
                .request(reqwest::Method::PATCH, &path)
                .header("if-match", &etag)
                .json(&json!({"title": format!("Changing {saves}")}));
            let reply = e2e::HostClient::send(request).await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            etag = reply.header("etag").expect("etag").to_owned();
            saves += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        saves
    };
    let readers = async {
        let result = load(app, slug, None, path, 20_000, CONCURRENCY).await;
        writing.store(false, std::sync::atomic::Ordering::Relaxed);
        result
    };
    let ((mixed, rps), saves) = tokio::join!(readers, writer);
    println!(
        "| {size}: GET {path}, anonymous, concurrency {CONCURRENCY}, while a post is saved every 100 ms ({saves} saves) | {} | {rps:.0} req/s |",
        summary(mixed)
    );
    let edit = "/api/v1/posts?per_page=20&context=edit&status=any";
    let (signed_in, rps) = load(app, slug, Some(token), edit, 10_000, CONCURRENCY).await;
    println!(
        "| {size}: GET {edit}, administrator, concurrency {CONCURRENCY} | {} | {rps:.0} req/s |",
        summary(signed_in)
    );
}

#[tokio::main]
async fn main() {
    let app = TestApp::unlimited().await;
    // A paragraph per post, and thirty (2 KB of HTML) per post.
    let short = tenant(&app, "short", 1).await;
    let token = tenant(&app, "long", 30).await;
    // Statistics as autovacuum would leave them in production (plans differ without them).
    sqlx::query("ANALYZE").execute(&app.db.pool).await.expect("analyze");
    println!("| benchmark | result |\n|---|---|");
    lists(&app, "short", &short).await;
    lists(&app, "long", &token).await;

    // Writes, one at a time: a draft with meta and terms, then a title change with If-Match.
    let site = app.tenant("long").token(&token);
    let ids = |path: &'static str| {
        let site = &site;
        async move {
            let reply = site.get(path).await;
            reply
                .body
                .as_array()
                .expect("array")
                .iter()
                .map(|c| c["id"].as_str().expect("id").to_owned())
                .collect::<Vec<_>>()
        }
    };
    let categories = ids("/api/v1/categories?per_page=100").await;
    let tags = ids("/api/v1/tags?per_page=100").await;
    let mut created = Vec::new();
    let mut create_times = Vec::new();
    for n in 0..500 {
        let mut body = post_body(POSTS + n, 30, &categories, &tags);
        body["status"] = Value::from("draft");
        let started = Instant::now();
        let reply = site.post("/api/v1/posts", &body).await;
        create_times.push(started.elapsed());
        assert_eq!(reply.status, 201, "{}", reply.text);
        let id = reply.body["id"].as_str().expect("id").to_owned();
        created.push((id, reply.header("etag").expect("etag").to_owned()));
    }
    println!(
        "| POST /api/v1/posts (draft, 5 meta, 2 categories, 3 tags, 2 KB), sequential | {} |",
        summary(create_times)
    );
    let mut update_times = Vec::new();
    for (n, (id, etag)) in created.iter().enumerate() {
        let request = site
            .request(reqwest::Method::PATCH, &format!("/api/v1/posts/{id}"))
            .header("if-match", etag)
            .json(&json!({"title": format!("Revised guide {n}")}));
        let started = Instant::now();
        let reply = e2e::HostClient::send(request).await;
        update_times.push(started.elapsed());
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    println!(
        "| PATCH /api/v1/posts/{{id}} (title, If-Match), sequential | {} |",
        summary(update_times)
    );
}
