//! Taxonomies and terms: categories and tags as WordPress serves them, registered types and
//! taxonomies, who may manage terms, and terms staying in their tenant.

use crate::common::{open_trust, send};
use e2e::TestApp;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn categories_and_tags_are_managed_by_editors_read_by_everyone_and_set_on_posts() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    open_trust(&app, "acme").await;
    let (_, editor) = app.add_user("acme", "e@acme.test", &["editor"]).await;
    let (_, author) = app.add_user("acme", "a@acme.test", &["author"]).await;
    let public = app.tenant("acme");
    let editors = public.clone_with(&editor);

    // Authors may assign terms but not make them (manage_categories).
    public
        .clone_with(&author)
        .post("/api/v1/categories", &json!({"name": "Cardiology"}))
        .await
        .assert_problem(403, "missing_capability");
    public
        .post("/api/v1/tags", &json!({"name": "x"}))
        .await
        .assert_problem(401, "missing_token");

    let cardiology = editors
        .post("/api/v1/categories", &json!({"name": "Cardiologia Clínica"}))
        .await;
    assert_eq!(cardiology.status, 201, "{}", cardiology.text);
    assert_eq!(cardiology.body["slug"], "cardiologia-clinica");
    assert_eq!(cardiology.body["taxonomy"], "category");
    let cardiology_id = cardiology.body["id"].as_str().expect("id").to_owned();
    let child = editors
        .post(
            "/api/v1/categories",
            &json!({"name": "Arrhythmia", "parent": cardiology_id}),
        )
        .await;
    assert_eq!(child.status, 201, "{}", child.text);
    let child_id = child.body["id"].as_str().expect("id").to_owned();
    editors
        .post(
            "/api/v1/categories",
            &json!({"name": "Again", "slug": "cardiologia-clinica"}),
        )
        .await
        .assert_problem(409, "term_exists");
    editors
        .post("/api/v1/tags", &json!({"name": "x", "parent": cardiology_id}))
        .await
        .assert_problem(422, "validation_failed");
    editors
        .post("/api/v1/categories", &json!({"name": ""}))
        .await
        .assert_problem(422, "validation_failed");
    editors
        .post("/api/v1/categories", &json!({"name": "x", "colour": "red"}))
        .await
        .assert_problem(422, "invalid_body");
    // A parent cannot become its child's child.
    send(
        &editors,
        Method::PATCH,
        &format!("/api/v1/categories/{cardiology_id}"),
        None,
        Some(&json!({"parent": child_id})),
    )
    .await
    .assert_problem(422, "validation_failed");
    let tag = editors.post("/api/v1/tags", &json!({"name": "Hypertension"})).await;
    let tag_id = tag.body["id"].as_str().expect("id").to_owned();

    // An author sets them on a published post; the counts follow.
    let post = public
        .clone_with(&author)
        .post(
            "/api/v1/posts",
            &json!({"title": "Blood pressure", "status": "publish", "categories": [child_id], "tags": [tag_id]}),
        )
        .await;
    assert_eq!(post.status, 201, "{}", post.text);
    assert_eq!(post.body["categories"], json!([child_id]));
    let post_id = post.body["id"].as_str().expect("id").to_owned();
    public
        .clone_with(&author)
        .post("/api/v1/posts", &json!({"title": "Wrong", "tags": [child_id]}))
        .await
        .assert_problem(422, "validation_failed");

    let listed = public.get("/api/v1/categories?orderby=name").await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.header("x-total-count"), Some("3"));
    let names: Vec<&str> = listed
        .body
        .as_array()
        .expect("array")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Arrhythmia", "Cardiologia Clínica", "Uncategorized"]);
    let counted = public.get(&format!("/api/v1/categories/{child_id}")).await;
    assert_eq!(counted.body["count"], 1);
    let non_empty = public.get("/api/v1/categories?hide_empty=true").await;
    assert_eq!(non_empty.header("x-total-count"), Some("1"));
    let children = public.get(&format!("/api/v1/categories?parent={cardiology_id}")).await;
    assert_eq!(children.body[0]["id"], child_id.as_str());
    let top = public.get("/api/v1/categories?parent=0").await;
    assert_eq!(top.header("x-total-count"), Some("2"));
    let of_post = public.get(&format!("/api/v1/tags?post={post_id}")).await;
    assert_eq!(of_post.body[0]["id"], tag_id.as_str());
    let searched = public.get("/api/v1/tags?search=TENS").await;
    assert_eq!(searched.header("x-total-count"), Some("1"));
    let beyond = public.get("/api/v1/tags?search=TENS&page=3").await;
    assert_eq!(
        beyond.header("x-total-count"),
        Some("1"),
        "the filtered total past the last page"
    );
    let by_category = public.get(&format!("/api/v1/posts?categories={child_id}")).await;
    assert_eq!(by_category.header("x-total-count"), Some("1"));
    // Tags are not categories.
    public
        .get(&format!("/api/v1/tags/{child_id}"))
        .await
        .assert_problem(404, "term_not_found");
    public
        .get("/api/v1/categories?orderby=colour")
        .await
        .assert_problem(400, "invalid_query");

    // Renaming keeps the id; deleting the post's only category gives it the default one,
    // and children move up.
    let renamed = send(
        &editors,
        Method::PATCH,
        &format!("/api/v1/categories/{child_id}"),
        None,
        Some(&json!({"name": "Arritmia", "slug": "arritmia"})),
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.body["slug"], "arritmia");
    let grandchild = editors
        .post(
            "/api/v1/categories",
            &json!({"name": "Atrial fibrillation", "parent": child_id}),
        )
        .await;
    let deleted = send(
        &editors,
        Method::DELETE,
        &format!("/api/v1/categories/{child_id}"),
        None,
        None,
    )
    .await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert_eq!(deleted.body["previous"]["name"], "Arritmia");
    let moved = public
        .get(&format!(
            "/api/v1/categories/{}",
            grandchild.body["id"].as_str().expect("id")
        ))
        .await;
    assert_eq!(moved.body["parent"], cardiology_id.as_str());
    let reread = public.get(&format!("/api/v1/posts/{post_id}")).await;
    let uncategorized = public.get("/api/v1/categories?slug=uncategorized").await;
    assert_eq!(reread.body["categories"], json!([uncategorized.body[0]["id"]]));
    send(
        &editors,
        Method::DELETE,
        &format!(
            "/api/v1/categories/{}",
            uncategorized.body[0]["id"].as_str().expect("id")
        ),
        None,
        None,
    )
    .await
    .assert_problem(409, "default_term");
}

#[tokio::test]
async fn tenants_register_types_and_taxonomies_and_their_terms_stay_in_the_tenant() {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    app.create_tenant("beta").await;
    open_trust(&app, "acme").await;
    let admin = app.admin_token("acme").await;
    let (_, editor) = app.add_user("acme", "e@acme.test", &["editor"]).await;
    let site = app.tenant("acme").token(&admin);

    app.tenant("acme")
        .token(&editor)
        .post("/api/v1/types", &json!({"name": "protocol", "label": "Protocols"}))
        .await
        .assert_problem(403, "missing_capability");
    site.post("/api/v1/types", &json!({"name": "Protocol!", "label": ""}))
        .await
        .assert_problem(422, "validation_failed");
    site.post("/api/v1/types", &json!({"name": "attachment", "label": "A"}))
        .await
        .assert_problem(409, "type_exists");
    let registered = site
        .post(
            "/api/v1/types",
            &json!({"name": "protocol", "label": "Clinical protocols", "revisions_to_keep": 2}),
        )
        .await;
    assert_eq!(registered.status, 201, "{}", registered.text);
    assert_eq!(registered.body["rest_path"], "/api/v1/content/protocol");
    site.post("/api/v1/types", &json!({"name": "protocol", "label": "Again"}))
        .await
        .assert_problem(409, "type_exists");
    site.post(
        "/api/v1/taxonomies",
        &json!({"name": "specialty", "label": "Specialties", "types": ["recipe"]}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let taxonomy = site
        .post(
            "/api/v1/taxonomies",
            &json!({"name": "specialty", "label": "Specialties", "hierarchical": true, "types": ["protocol"]}),
        )
        .await;
    assert_eq!(taxonomy.status, 201, "{}", taxonomy.text);
    assert_eq!(taxonomy.body["rest_path"], "/api/v1/taxonomies/specialty/terms");
    let all = app.tenant("acme").get("/api/v1/taxonomies").await;
    let names: Vec<&str> = all
        .body
        .as_array()
        .expect("array")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["category", "post_tag", "specialty"]);

    let term = site
        .post("/api/v1/taxonomies/specialty/terms", &json!({"name": "Oncology"}))
        .await;
    assert_eq!(term.status, 201, "{}", term.text);
    let term_id = term.body["id"].as_str().expect("id").to_owned();
    let protocol = site
        .post(
            "/api/v1/content/protocol",
            &json!({"title": "Sepsis bundle", "status": "publish", "terms": {"specialty": [term_id]}}),
        )
        .await;
    assert_eq!(protocol.status, 201, "{}", protocol.text);
    assert_eq!(protocol.body["terms"]["specialty"], json!([term_id]));
    // Posts do not take the protocol's taxonomy.
    site.post(
        "/api/v1/posts",
        &json!({"title": "x", "terms": {"specialty": [term_id]}}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let filtered = app
        .tenant("acme")
        .get(&format!("/api/v1/content/protocol?terms={term_id}"))
        .await;
    assert_eq!(filtered.header("x-total-count"), Some("1"));

    // The type keeps two revisions per post.
    let path = format!("/api/v1/content/protocol/{}", protocol.body["id"].as_str().expect("id"));
    let mut etag = protocol.header("etag").expect("etag").to_owned();
    for n in 1..=3 {
        let saved = send(
            &site,
            Method::PATCH,
            &path,
            Some(&etag),
            Some(&json!({"content": format!("v{n}")})),
        )
        .await;
        assert_eq!(saved.status, 200, "{}", saved.text);
        etag = saved.header("etag").expect("etag").to_owned();
    }
    let revisions = site.get(&format!("{path}/revisions")).await;
    assert_eq!(revisions.header("x-total-count"), Some("2"), "{}", revisions.text);
    assert_eq!(revisions.body[0]["content"], "v3");

    // Unregistering refuses while something still uses it.
    send(&site, Method::DELETE, "/api/v1/taxonomies/specialty", None, None)
        .await
        .assert_problem(409, "taxonomy_in_use");
    send(&site, Method::DELETE, "/api/v1/types/protocol", None, None)
        .await
        .assert_problem(409, "type_in_use");
    send(&site, Method::DELETE, "/api/v1/types/post", None, None)
        .await
        .assert_problem(409, "core_type");

    // Another tenant has neither the taxonomy nor the term.
    let beta = app.tenant("beta");
    beta.get("/api/v1/taxonomies/specialty/terms")
        .await
        .assert_problem(404, "unknown_taxonomy");
    beta.get(&format!("/api/v1/categories/{term_id}"))
        .await
        .assert_problem(404, "term_not_found");
    let beta_categories = beta.get("/api/v1/categories").await;
    assert_eq!(
        beta_categories.header("x-total-count"),
        Some("1"),
        "only its own Uncategorized"
    );
    beta.get("/api/v1/content/protocol")
        .await
        .assert_problem(404, "unknown_post_type");

    // Emptied, they go.
    send(
        &site,
        Method::DELETE,
        &format!("/api/v1/taxonomies/specialty/terms/{term_id}"),
        None,
        None,
    )
    .await;
    let gone = send(&site, Method::DELETE, "/api/v1/taxonomies/specialty", None, None).await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    send(&site, Method::DELETE, &format!("{path}?force=true"), None, None).await;
    let gone = send(&site, Method::DELETE, "/api/v1/types/protocol", None, None).await;
    assert_eq!(gone.status, 204, "{}", gone.text);

    // Each of these changes is in the audit trail, once.
    for action in [
        "content.type_register",
        "content.taxonomy_register",
        "term.create",
        "term.delete",
        "content.taxonomy_unregister",
        "content.type_unregister",
    ] {
        let trail = site.get(&format!("/api/v1/audit?action={action}")).await;
        assert_eq!(trail.body.as_array().map(Vec::len), Some(1), "{action}: {}", trail.text);
    }
}
