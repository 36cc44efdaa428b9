//! Posts: statuses and who may move posts between them, ETags, scheduled publication
//! through the job queue, hooks, and isolation between tenants.

use crate::common::{open_trust, patch};

use e2e::TestApp;
use futures_util::future::BoxFuture;
use platform::hooks::{FilterError, Hook, HookContext, Subscriber, SubscriberSource};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn an_author_drafts_publishes_and_readers_see_only_what_is_published() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    open_trust(&app, "acme").await;
    let (_, author) = app.add_user("acme", "author@acme.test", &["author"]).await;
    let site = app.tenant("acme");

    let created = site
        .clone_with(&author)
        .post(
            "/api/v1/posts",
            &json!({"title": "Saúde da Família", "content": "<p>Hi</p><script>x()</script>"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let post = &created.body;
    assert_eq!(post["status"], "draft");
    assert_eq!(post["slug"], "saude-da-familia");
    assert_eq!(post["content"]["raw"], "<p>Hi</p>", "authors' HTML is sanitised");
    let etag = created.header("etag").expect("etag").to_owned();
    let path = format!("/api/v1/posts/{}", post["id"].as_str().expect("id"));

    // Anonymous readers see neither the draft nor it in lists.
    site.get(&path).await.assert_problem(404, "post_not_found");
    let listed = site.get("/api/v1/posts").await;
    assert_eq!(listed.header("x-total-count"), Some("0"));

    // Updates need If-Match; a stale one is refused.
    patch(&app, "acme", &author, &path, None, &json!({"title": "x"}))
        .await
        .assert_problem(428, "if_match_required");
    let published = patch(&app, "acme", &author, &path, Some(&etag), &json!({"status": "publish"})).await;
    assert_eq!(published.status, 200, "{}", published.text);
    assert_ne!(published.header("etag"), Some(etag.as_str()));
    patch(&app, "acme", &author, &path, Some(&etag), &json!({"title": "late"}))
        .await
        .assert_problem(412, "stale_version");

    let public = site.get(&path).await;
    assert_eq!(public.status, 200, "{}", public.text);
    assert!(
        public.body["content"].get("raw").is_none(),
        "view context has no raw text"
    );
    let listed = site.get("/api/v1/posts").await;
    assert_eq!(listed.header("x-total-count"), Some("1"));
    assert_eq!(
        listed.body[0]["categories"].as_array().map(Vec::len),
        Some(1),
        "the default category"
    );
}

#[tokio::test]
async fn contributors_only_submit_for_review_and_editors_act_on_everyones_posts() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    open_trust(&app, "acme").await;
    let (_, contributor) = app.add_user("acme", "c@acme.test", &["contributor"]).await;
    let (_, editor) = app.add_user("acme", "e@acme.test", &["editor"]).await;
    let site = app.tenant("acme");

    site.clone_with(&contributor)
        .post("/api/v1/posts", &json!({"title": "Now", "status": "publish"}))
        .await
        .assert_problem(403, "missing_capability");
    let pending = site
        .clone_with(&contributor)
        .post("/api/v1/posts", &json!({"title": "Please review", "status": "pending"}))
        .await;
    assert_eq!(pending.status, 201, "{}", pending.text);
    let path = format!("/api/v1/posts/{}", pending.body["id"].as_str().expect("id"));
    let etag = pending.header("etag").expect("etag").to_owned();
    patch(
        &app,
        "acme",
        &contributor,
        &path,
        Some(&etag),
        &json!({"status": "publish"}),
    )
    .await
    .assert_problem(403, "missing_capability");
    let published = patch(&app, "acme", &editor, &path, Some(&etag), &json!({"status": "publish"})).await;
    assert_eq!(published.status, 200, "{}", published.text);
    // Now published, the contributor may no longer edit it (no edit_published_posts).
    let etag = published.header("etag").expect("etag").to_owned();
    patch(
        &app,
        "acme",
        &contributor,
        &path,
        Some(&etag),
        &json!({"title": "sneaky"}),
    )
    .await
    .assert_problem(403, "missing_capability");
    // Trash, then only a restore to draft is possible.
    let trashed = site.clone_with(&editor).delete(&path).await;
    assert_eq!(trashed.status, 200, "{}", trashed.text);
    assert_eq!(trashed.body["previous"]["status"], "trash");
    let etag = format!("\"{}\"", trashed.body["previous"]["version"]);
    patch(&app, "acme", &editor, &path, Some(&etag), &json!({"status": "publish"}))
        .await
        .assert_problem(409, "post_trashed");
    let restored = patch(&app, "acme", &editor, &path, Some(&etag), &json!({"status": "draft"})).await;
    assert_eq!(restored.body["status"], "draft", "{}", restored.text);
    site.clone_with(&editor)
        .post("/api/v1/posts", &json!({"status": "someday"}))
        .await
        .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn a_scheduled_post_is_published_by_the_job_at_its_date() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    open_trust(&app, "acme").await;
    let admin = app.admin_token("acme").await;
    let site = app.tenant("acme").token(&admin);
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(62)).to_rfc3339();
    let now_ish = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc3339();
    let immediate = site
        .post(
            "/api/v1/posts",
            &json!({"title": "Now", "status": "future", "date_gmt": now_ish}),
        )
        .await;
    assert_eq!(
        immediate.body["status"], "publish",
        "less than a minute ahead publishes now"
    );
    let scheduled = site
        .post(
            "/api/v1/posts",
            &json!({"title": "Later", "status": "publish", "date_gmt": soon}),
        )
        .await;
    assert_eq!(scheduled.body["status"], "future", "{}", scheduled.text);
    let path = format!("/api/v1/posts/{}", scheduled.body["id"].as_str().expect("id"));
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM platform.jobs")
        .fetch_one(&app.db.pool)
        .await
        .expect("jobs");
    assert_eq!(queued, 1);
    // Bring the date forward in the queue rather than wait a minute: the job checks the post.
    sqlx::query("UPDATE platform.jobs SET run_at = now()")
        .execute(&app.db.pool)
        .await
        .expect("due");
    let schema = "tenant_acme";
    sqlx::query(&format!(
        "UPDATE {schema}.posts SET date_gmt = now() WHERE status = 'future'"
    ))
    .execute(&app.db.pool)
    .await
    .expect("date");
    e2e::eventually("the job publishes the post", || async {
        site.get(&path).await.body["status"] == "publish"
    })
    .await;
    // The worker removes the job once the publication has committed and its action hooks
    // have run, so a reader can see the post published a moment before the job is gone.
    e2e::eventually("the job is done and gone", || async {
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM platform.jobs")
            .fetch_one(&app.db.pool)
            .await
            .expect("jobs");
        left == 0
    })
    .await;
}

/// A subscriber defined by the test, through the same dispatcher plugins will use.
struct Recorder {
    name: &'static str,
    priority: i32,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Subscriber for Recorder {
    fn name(&self) -> &str {
        self.name
    }
    fn priority(&self) -> i32 {
        self.priority
    }
    fn filter<'a>(
        &'a self,
        _: &'a HookContext,
        hook: Hook,
        mut payload: Value,
    ) -> BoxFuture<'a, Result<Value, FilterError>> {
        Box::pin(async move {
            self.seen
                .lock()
                .expect("lock")
                .push(format!("{}:{}", self.name, hook.name()));
            let title = payload["post"]["title"].as_str().unwrap_or_default().to_owned();
            if title.contains("forbidden") {
                return Err(FilterError::Rejected {
                    subscriber: self.name.into(),
                    message: "no forbidden titles".into(),
                    fields: Vec::new(),
                });
            }
            payload["post"]["title"] = json!(format!("{title} [{}]", self.name));
            Ok(payload)
        })
    }
    fn action<'a>(&'a self, _: &'a HookContext, hook: Hook, _: Value) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            self.seen
                .lock()
                .expect("lock")
                .push(format!("{}:{}", self.name, hook.name()));
            Ok(())
        })
    }
}

struct Both(Vec<Arc<dyn Subscriber>>, tenants::TenantId);

impl SubscriberSource for Both {
    fn subscribers<'a>(
        &'a self,
        tenant: tenants::TenantId,
        _: Hook,
    ) -> BoxFuture<'a, anyhow::Result<Vec<Arc<dyn Subscriber>>>> {
        Box::pin(async move { Ok(if tenant == self.1 { self.0.clone() } else { Vec::new() }) })
    }
}

#[tokio::test]
async fn filters_run_in_priority_order_can_reject_and_actions_follow_the_commit() {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("acme").await;
    app.create_tenant("beta").await;
    open_trust(&app, "acme").await;
    open_trust(&app, "beta").await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let tenant: tenants::TenantId = acme["id"].as_str().expect("id").parse().expect("uuid");
    let subscribers: Vec<Arc<dyn Subscriber>> = vec![
        Arc::new(Recorder {
            name: "second",
            priority: 20,
            seen: seen.clone(),
        }),
        Arc::new(Recorder {
            name: "first",
            priority: 5,
            seen: seen.clone(),
        }),
    ];
    app.state.hooks.set_source(Arc::new(Both(subscribers, tenant)));

    let admin = app.admin_token("acme").await;
    let created = app
        .tenant("acme")
        .token(&admin)
        .post("/api/v1/posts", &json!({"title": "Hello"}))
        .await;
    assert_eq!(
        created.body["title"]["raw"], "Hello [first] [second]",
        "{}",
        created.text
    );
    let rejected = app
        .tenant("acme")
        .token(&admin)
        .post("/api/v1/posts", &json!({"title": "forbidden words"}))
        .await;
    rejected.assert_problem(422, "rejected_by_plugin");
    assert!(rejected.body["detail"].as_str().expect("detail").contains("first"));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM tenant_acme.posts")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(count, 1, "a rejected write leaves nothing");
    e2e::eventually("the actions ran after commit", || async {
        seen.lock().expect("lock").iter().any(|s| s == "second:content.saved")
    })
    .await;
    let seen = seen.lock().expect("lock").clone();
    let first_save: Vec<_> = seen.iter().take(8).cloned().collect();
    assert_eq!(
        first_save,
        [
            "first:content.pre_save",
            "second:content.pre_save",
            // The answer to the write, before the actions run.
            "first:content.prepare_response",
            "second:content.prepare_response",
            "first:content.transition",
            "second:content.transition",
            "first:content.saved",
            "second:content.saved",
        ]
    );
    // Another tenant's writes never reach these subscribers.
    let beta_admin = app.admin_token("beta").await;
    let beta = app
        .tenant("beta")
        .token(&beta_admin)
        .post("/api/v1/posts", &json!({"title": "Hello"}))
        .await;
    assert_eq!(beta.body["title"]["raw"], "Hello");
}

#[tokio::test]
async fn another_tenants_posts_are_not_found_by_id_list_or_search() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    app.create_tenant("beta").await;
    open_trust(&app, "acme").await;
    let admin = app.admin_token("acme").await;
    let created = app
        .tenant("acme")
        .token(&admin)
        .post("/api/v1/posts", &json!({"title": "Diabetes care", "status": "publish"}))
        .await;
    let id = created.body["id"].as_str().expect("id");
    let beta = app.tenant("beta");
    beta.get(&format!("/api/v1/posts/{id}"))
        .await
        .assert_problem(404, "post_not_found");
    let search = beta.get("/api/v1/posts?search=diabetes").await;
    assert_eq!(search.header("x-total-count"), Some("0"));
    let own = app.tenant("acme").get("/api/v1/posts?search=diabetes").await;
    assert_eq!(own.header("x-total-count"), Some("1"), "{}", own.text);
    // Acme's token on beta's host is refused outright.
    let foreign = app.tenant("beta").token(&admin).get("/api/v1/posts").await;
    assert_eq!(foreign.status, 401);
}

#[tokio::test]
async fn malformed_list_queries_and_unknown_types_get_clear_problems() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    let site = app.tenant("acme");
    for query in [
        "orderby=colour",
        "order=sideways",
        "author=not-a-uuid",
        "after=yesterday",
        "orderby=relevance",
        "per_page=101",
    ] {
        site.get(&format!("/api/v1/posts?{query}"))
            .await
            .assert_problem(400, "invalid_query");
    }
    site.get("/api/v1/posts?status=draft")
        .await
        .assert_problem(401, "missing_token");
    site.get("/api/v1/content/recipes")
        .await
        .assert_problem(404, "unknown_post_type");
    site.get("/api/v1/posts/not-an-id")
        .await
        .assert_problem(400, "invalid_path");
}

/// acme, with its administrator's token, on an app that does not rate-limit the many posts
/// these tests make.
async fn acme_for_its_admin() -> (TestApp, String) {
    let app = TestApp::unlimited().await;
    app.create_tenant("acme").await;
    open_trust(&app, "acme").await;
    let admin = app.admin_token("acme").await;
    (app, admin)
}

/// The administrator publishes (or, with another status, saves) a post; its id.
async fn publish(site: &e2e::HostClient, post: &Value) -> String {
    let reply = site.post("/api/v1/posts", post).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body["id"].as_str().expect("id").to_owned()
}

fn ids(page: &e2e::Reply) -> Vec<String> {
    page.body
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["id"].to_string())
        .collect()
}

#[tokio::test]
async fn search_results_come_in_pages_with_the_total_and_links_that_keep_the_filters() {
    let (app, admin) = acme_for_its_admin().await;
    let site = app.tenant("acme").token(&admin);
    for n in 0..23 {
        publish(
            &site,
            &json!({"title": format!("Diabetes tip {n}"), "content": "Eat well.", "status": "publish"}),
        )
        .await;
    }
    let public = app.tenant("acme");

    let second = public.get("/api/v1/posts?search=diabetes&per_page=10&page=2").await;

    assert_eq!(second.status, 200, "{}", second.text);
    assert_eq!(second.header("x-total-count"), Some("23"));
    assert_eq!(second.body.as_array().map(Vec::len), Some(10));
    let link = second.header("link").expect("link");
    for rel in ["first", "prev", "next", "last"] {
        assert!(link.contains(&format!("rel=\"{rel}\"")), "{rel} in {link}");
    }
    assert!(
        link.contains("search=diabetes&page=3&per_page=10>; rel=\"next\""),
        "{link}"
    );
    assert!(link.contains("page=3&per_page=10>; rel=\"last\""), "{link}");
    let last = public.get("/api/v1/posts?search=diabetes&per_page=10&page=3").await;
    assert_eq!(last.body.as_array().map(Vec::len), Some(3));
    assert!(!last.header("link").expect("link").contains("rel=\"next\""));
    let beyond = public.get("/api/v1/posts?search=diabetes&per_page=10&page=9").await;
    assert_eq!(beyond.body, json!([]));
    assert_eq!(
        beyond.header("x-total-count"),
        Some("23"),
        "the total past the last page"
    );
    let firsts = ids(&public.get("/api/v1/posts?search=diabetes&per_page=10").await);
    let seconds = ids(&second);
    assert!(firsts.iter().all(|id| !seconds.contains(id)), "pages do not overlap");
}

#[tokio::test]
async fn search_ranks_titles_above_content_keeps_drafts_from_the_public_and_takes_websearch_syntax() {
    let (app, admin) = acme_for_its_admin().await;
    let site = app.tenant("acme").token(&admin);
    publish(
        &site,
        &json!({"title": "Asthma in winter", "content": "Cold air; not about blood sugar.", "status": "publish"}),
    )
    .await;
    publish(
        &site,
        &json!({"title": "Seasonal notes", "content": "Insulin and asthma inhalers both need care.", "status": "publish"}),
    )
    .await;
    publish(&site, &json!({"title": "Asthma draft", "status": "draft"})).await;
    let public = app.tenant("acme");

    let asthma = public.get("/api/v1/posts?search=asthma&orderby=relevance").await;

    assert_eq!(asthma.header("x-total-count"), Some("2"), "{}", asthma.text);
    assert_eq!(asthma.body[0]["title"]["rendered"], "Asthma in winter");
    assert_eq!(asthma.body[1]["title"]["rendered"], "Seasonal notes");
    let excluded = public.get("/api/v1/posts?search=asthma%20-winter").await;
    assert_eq!(excluded.header("x-total-count"), Some("1"));
    let editors = site.get("/api/v1/posts?search=asthma&status=any").await;
    assert_eq!(editors.header("x-total-count"), Some("3"), "editors find drafts too");
}

#[tokio::test]
async fn of_two_saves_based_on_one_version_at_once_one_lands_and_the_other_gets_412() {
    let (app, admin) = acme_for_its_admin().await;
    let site = app.tenant("acme").token(&admin);
    let id = publish(
        &site,
        &json!({"title": "Asthma in winter", "content": "Cold air; not about blood sugar.", "status": "publish"}),
    )
    .await;
    let path = format!("/api/v1/posts/{id}");
    let etag = site
        .get(&format!("{path}?context=edit"))
        .await
        .header("etag")
        .expect("etag")
        .to_owned();
    let (first, second) = (
        json!({"title": "Asthma, first editor"}),
        json!({"title": "Asthma, second editor"}),
    );

    let (a, b) = tokio::join!(
        patch(&app, "acme", &admin, &path, Some(&etag), &first),
        patch(&app, "acme", &admin, &path, Some(&etag), &second),
    );

    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412], "{} / {}", a.text, b.text);
    let winner = if a.status == 200 { &a } else { &b };
    let stored = site.get(&format!("{path}?context=edit")).await;
    assert_eq!(
        stored.body["title"]["raw"], winner.body["title"]["raw"],
        "the winner's text, not a mix"
    );
    assert_eq!(stored.header("etag"), winner.header("etag"));
}
