//! Taxonomies and terms: categories and tags as WordPress serves them, registered types and
//! taxonomies, who may manage terms, and terms staying in their tenant.

use crate::common::{open_trust, send};
use e2e::{HostClient, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

/// acme with an editor and an author, as each of them and as an anonymous reader.
struct Newsroom {
    _app: TestApp,
    public: HostClient,
    editors: HostClient,
    authors: HostClient,
}

async fn newsroom() -> Newsroom {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    open_trust(&app, "acme").await;
    let (_, editor) = app.add_user("acme", "e@acme.test", &["editor"]).await;
    let (_, author) = app.add_user("acme", "a@acme.test", &["author"]).await;
    let public = app.tenant("acme");
    let editors = public.clone_with(&editor);
    let authors = public.clone_with(&author);
    Newsroom {
        _app: app,
        public,
        editors,
        authors,
    }
}

/// The terms most tests here start from, made by an editor: the category Cardiologia Clínica,
/// its child Arrhythmia, and the tag Hypertension.
struct Terms {
    cardiology: String,
    child: String,
    tag: String,
}

impl Newsroom {
    /// An editor makes a term; its id.
    async fn make(&self, path: &str, body: &Value) -> String {
        let made = self.editors.post(path, body).await;
        assert_eq!(made.status, 201, "{}", made.text);
        made.body["id"].as_str().expect("id").to_owned()
    }

    async fn terms(&self) -> Terms {
        let cardiology = self
            .make("/api/v1/categories", &json!({"name": "Cardiologia Clínica"}))
            .await;
        let child = self
            .make(
                "/api/v1/categories",
                &json!({"name": "Arrhythmia", "parent": cardiology}),
            )
            .await;
        let tag = self.make("/api/v1/tags", &json!({"name": "Hypertension"})).await;
        Terms { cardiology, child, tag }
    }

    /// The author publishes a post in the child category with the tag; its id.
    async fn publish_with(&self, terms: &Terms) -> String {
        let post = self
            .authors
            .post(
                "/api/v1/posts",
                &json!({"title": "Blood pressure", "status": "publish", "categories": [terms.child], "tags": [terms.tag]}),
            )
            .await;
        assert_eq!(post.status, 201, "{}", post.text);
        assert_eq!(post.body["categories"], json!([terms.child]));
        post.body["id"].as_str().expect("id").to_owned()
    }

    async fn uncategorized(&self) -> Value {
        let found = self.public.get("/api/v1/categories?slug=uncategorized").await;
        found.body[0]["id"].clone()
    }
}

#[tokio::test]
async fn authors_and_anonymous_readers_may_not_make_terms() {
    let newsroom = newsroom().await;

    // Authors may assign terms but not make them (manage_categories).
    newsroom
        .authors
        .post("/api/v1/categories", &json!({"name": "Cardiology"}))
        .await
        .assert_problem(403, "missing_capability");
    newsroom
        .public
        .post("/api/v1/tags", &json!({"name": "x"}))
        .await
        .assert_problem(401, "missing_token");
}

#[tokio::test]
async fn an_editors_category_is_slugged_from_its_name() {
    let newsroom = newsroom().await;

    let cardiology = newsroom
        .editors
        .post("/api/v1/categories", &json!({"name": "Cardiologia Clínica"}))
        .await;

    assert_eq!(cardiology.status, 201, "{}", cardiology.text);
    assert_eq!(cardiology.body["slug"], "cardiologia-clinica");
    assert_eq!(cardiology.body["taxonomy"], "category");
}

#[tokio::test]
async fn taken_slugs_bad_terms_and_parent_cycles_are_refused() {
    let newsroom = newsroom().await;
    let terms = newsroom.terms().await;
    let editors = &newsroom.editors;

    editors
        .post(
            "/api/v1/categories",
            &json!({"name": "Again", "slug": "cardiologia-clinica"}),
        )
        .await
        .assert_problem(409, "term_exists");
    editors
        .post("/api/v1/tags", &json!({"name": "x", "parent": terms.cardiology}))
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
        editors,
        Method::PATCH,
        &format!("/api/v1/categories/{}", terms.cardiology),
        None,
        Some(&json!({"parent": terms.child})),
    )
    .await
    .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn terms_set_on_a_published_post_are_counted_and_find_it() {
    let newsroom = newsroom().await;
    let terms = newsroom.terms().await;
    let public = &newsroom.public;

    let post = newsroom.publish_with(&terms).await;

    let counted = public.get(&format!("/api/v1/categories/{}", terms.child)).await;
    assert_eq!(counted.body["count"], 1);
    let non_empty = public.get("/api/v1/categories?hide_empty=true").await;
    assert_eq!(non_empty.header("x-total-count"), Some("1"));
    let of_post = public.get(&format!("/api/v1/tags?post={post}")).await;
    assert_eq!(of_post.body[0]["id"], terms.tag.as_str());
    let by_category = public.get(&format!("/api/v1/posts?categories={}", terms.child)).await;
    assert_eq!(by_category.header("x-total-count"), Some("1"));
}

#[tokio::test]
async fn a_category_is_not_taken_as_a_tag() {
    let newsroom = newsroom().await;
    let terms = newsroom.terms().await;

    newsroom
        .authors
        .post("/api/v1/posts", &json!({"title": "Wrong", "tags": [terms.child]}))
        .await
        .assert_problem(422, "validation_failed");
    newsroom
        .public
        .get(&format!("/api/v1/tags/{}", terms.child))
        .await
        .assert_problem(404, "term_not_found");
}

#[tokio::test]
async fn terms_are_listed_ordered_and_filtered_by_parent_and_search() {
    let newsroom = newsroom().await;
    let terms = newsroom.terms().await;
    let public = &newsroom.public;

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
    let children = public
        .get(&format!("/api/v1/categories?parent={}", terms.cardiology))
        .await;
    assert_eq!(children.body[0]["id"], terms.child.as_str());
    let top = public.get("/api/v1/categories?parent=0").await;
    assert_eq!(top.header("x-total-count"), Some("2"));
    let searched = public.get("/api/v1/tags?search=TENS").await;
    assert_eq!(searched.header("x-total-count"), Some("1"));
    let beyond = public.get("/api/v1/tags?search=TENS&page=3").await;
    assert_eq!(
        beyond.header("x-total-count"),
        Some("1"),
        "the filtered total past the last page"
    );
    public
        .get("/api/v1/categories?orderby=colour")
        .await
        .assert_problem(400, "invalid_query");
}

#[tokio::test]
async fn an_editor_renames_a_category() {
    let newsroom = newsroom().await;
    let terms = newsroom.terms().await;

    let renamed = send(
        &newsroom.editors,
        Method::PATCH,
        &format!("/api/v1/categories/{}", terms.child),
        None,
        Some(&json!({"name": "Arritmia", "slug": "arritmia"})),
    )
    .await;

    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.body["slug"], "arritmia");
}

#[tokio::test]
async fn deleting_a_category_moves_its_children_up_and_leaves_its_posts_uncategorized() {
    let newsroom = newsroom().await;
    let terms = newsroom.terms().await;
    let post = newsroom.publish_with(&terms).await;
    let grandchild = newsroom
        .make(
            "/api/v1/categories",
            &json!({"name": "Atrial fibrillation", "parent": terms.child}),
        )
        .await;

    let deleted = send(
        &newsroom.editors,
        Method::DELETE,
        &format!("/api/v1/categories/{}", terms.child),
        None,
        None,
    )
    .await;

    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert_eq!(deleted.body["previous"]["name"], "Arrhythmia");
    let public = &newsroom.public;
    let moved = public.get(&format!("/api/v1/categories/{grandchild}")).await;
    assert_eq!(moved.body["parent"], terms.cardiology.as_str());
    let reread = public.get(&format!("/api/v1/posts/{post}")).await;
    assert_eq!(reread.body["categories"], json!([newsroom.uncategorized().await]));
}

#[tokio::test]
async fn the_default_category_cannot_be_deleted() {
    let newsroom = newsroom().await;
    let uncategorized = newsroom.uncategorized().await;

    send(
        &newsroom.editors,
        Method::DELETE,
        &format!("/api/v1/categories/{}", uncategorized.as_str().expect("id")),
        None,
        None,
    )
    .await
    .assert_problem(409, "default_term");
}

/// acme as its administrator, who registers types and taxonomies.
struct Registry {
    app: TestApp,
    site: HostClient,
}

async fn registry() -> Registry {
    let app = TestApp::spawn().await;
    app.create_tenant("acme").await;
    open_trust(&app, "acme").await;
    let admin = app.admin_token("acme").await;
    let site = app.tenant("acme").token(&admin);
    Registry { app, site }
}

impl Registry {
    /// The type `protocol`, which keeps two revisions per post.
    async fn register_protocols(&self) -> e2e::Reply {
        let registered = self
            .site
            .post(
                "/api/v1/types",
                &json!({"name": "protocol", "label": "Clinical protocols", "revisions_to_keep": 2}),
            )
            .await;
        assert_eq!(registered.status, 201, "{}", registered.text);
        registered
    }

    /// The hierarchical taxonomy `specialty` of protocols.
    async fn register_specialties(&self) -> e2e::Reply {
        let taxonomy = self
            .site
            .post(
                "/api/v1/taxonomies",
                &json!({"name": "specialty", "label": "Specialties", "hierarchical": true, "types": ["protocol"]}),
            )
            .await;
        assert_eq!(taxonomy.status, 201, "{}", taxonomy.text);
        taxonomy
    }

    /// Both, and the specialty Oncology; its id.
    async fn oncology(&self) -> String {
        self.register_protocols().await;
        self.register_specialties().await;
        let term = self
            .site
            .post("/api/v1/taxonomies/specialty/terms", &json!({"name": "Oncology"}))
            .await;
        assert_eq!(term.status, 201, "{}", term.text);
        term.body["id"].as_str().expect("id").to_owned()
    }

    /// A published protocol with these terms.
    async fn publish_protocol(&self, terms: &Value) -> e2e::Reply {
        let protocol = self
            .site
            .post(
                "/api/v1/content/protocol",
                &json!({"title": "Sepsis bundle", "status": "publish", "terms": terms}),
            )
            .await;
        assert_eq!(protocol.status, 201, "{}", protocol.text);
        protocol
    }
}

#[tokio::test]
async fn editors_may_not_register_types() {
    let registry = registry().await;
    let (_, editor) = registry.app.add_user("acme", "e@acme.test", &["editor"]).await;

    registry
        .app
        .tenant("acme")
        .token(&editor)
        .post("/api/v1/types", &json!({"name": "protocol", "label": "Protocols"}))
        .await
        .assert_problem(403, "missing_capability");
}

#[tokio::test]
async fn types_and_taxonomies_with_bad_or_taken_names_are_refused() {
    let registry = registry().await;
    let site = &registry.site;

    site.post("/api/v1/types", &json!({"name": "Protocol!", "label": ""}))
        .await
        .assert_problem(422, "validation_failed");
    site.post("/api/v1/types", &json!({"name": "attachment", "label": "A"}))
        .await
        .assert_problem(409, "type_exists");
    registry.register_protocols().await;
    site.post("/api/v1/types", &json!({"name": "protocol", "label": "Again"}))
        .await
        .assert_problem(409, "type_exists");
    site.post(
        "/api/v1/taxonomies",
        &json!({"name": "specialty", "label": "Specialties", "types": ["recipe"]}),
    )
    .await
    .assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn registered_types_and_taxonomies_are_served_under_their_names() {
    let registry = registry().await;

    let registered = registry.register_protocols().await;
    let taxonomy = registry.register_specialties().await;

    assert_eq!(registered.body["rest_path"], "/api/v1/content/protocol");
    assert_eq!(taxonomy.body["rest_path"], "/api/v1/taxonomies/specialty/terms");
    let all = registry.app.tenant("acme").get("/api/v1/taxonomies").await;
    let names: Vec<&str> = all
        .body
        .as_array()
        .expect("array")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["category", "post_tag", "specialty"]);
}

#[tokio::test]
async fn a_registered_taxonomys_terms_are_set_on_its_types_only_and_filter_them() {
    let registry = registry().await;
    let term = registry.oncology().await;

    let protocol = registry.publish_protocol(&json!({"specialty": [term]})).await;

    assert_eq!(protocol.body["terms"]["specialty"], json!([term]));
    // Posts do not take the protocol's taxonomy.
    registry
        .site
        .post("/api/v1/posts", &json!({"title": "x", "terms": {"specialty": [term]}}))
        .await
        .assert_problem(422, "validation_failed");
    let filtered = registry
        .app
        .tenant("acme")
        .get(&format!("/api/v1/content/protocol?terms={term}"))
        .await;
    assert_eq!(filtered.header("x-total-count"), Some("1"));
}

#[tokio::test]
async fn a_registered_type_keeps_as_many_revisions_as_it_says() {
    let registry = registry().await;
    registry.register_protocols().await;
    let protocol = registry.publish_protocol(&json!({})).await;
    let path = format!("/api/v1/content/protocol/{}", protocol.body["id"].as_str().expect("id"));
    let mut etag = protocol.header("etag").expect("etag").to_owned();

    for n in 1..=3 {
        let saved = send(
            &registry.site,
            Method::PATCH,
            &path,
            Some(&etag),
            Some(&json!({"content": format!("v{n}")})),
        )
        .await;
        assert_eq!(saved.status, 200, "{}", saved.text);
        etag = saved.header("etag").expect("etag").to_owned();
    }

    let revisions = registry.site.get(&format!("{path}/revisions")).await;
    assert_eq!(revisions.header("x-total-count"), Some("2"), "{}", revisions.text);
    assert_eq!(revisions.body[0]["content"], "v3");
}

#[tokio::test]
async fn types_and_taxonomies_in_use_and_core_types_are_not_unregistered() {
    let registry = registry().await;
    let term = registry.oncology().await;
    registry.publish_protocol(&json!({"specialty": [term]})).await;
    let site = &registry.site;

    send(site, Method::DELETE, "/api/v1/taxonomies/specialty", None, None)
        .await
        .assert_problem(409, "taxonomy_in_use");
    send(site, Method::DELETE, "/api/v1/types/protocol", None, None)
        .await
        .assert_problem(409, "type_in_use");
    send(site, Method::DELETE, "/api/v1/types/post", None, None)
        .await
        .assert_problem(409, "core_type");
}

#[tokio::test]
async fn another_tenant_has_neither_the_registered_type_nor_the_taxonomy_nor_its_terms() {
    let registry = registry().await;
    let term = registry.oncology().await;
    registry.publish_protocol(&json!({"specialty": [term]})).await;
    registry.app.create_tenant("beta").await;
    let beta = registry.app.tenant("beta");

    beta.get("/api/v1/taxonomies/specialty/terms")
        .await
        .assert_problem(404, "unknown_taxonomy");
    beta.get(&format!("/api/v1/categories/{term}"))
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
}

#[tokio::test]
async fn emptied_types_and_taxonomies_are_unregistered_and_every_change_is_audited_once() {
    let registry = registry().await;
    let term = registry.oncology().await;
    let protocol = registry.publish_protocol(&json!({"specialty": [term]})).await;
    let path = format!("/api/v1/content/protocol/{}", protocol.body["id"].as_str().expect("id"));
    let site = &registry.site;

    send(
        site,
        Method::DELETE,
        &format!("/api/v1/taxonomies/specialty/terms/{term}"),
        None,
        None,
    )
    .await;
    let gone = send(site, Method::DELETE, "/api/v1/taxonomies/specialty", None, None).await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    send(site, Method::DELETE, &format!("{path}?force=true"), None, None).await;
    let gone = send(site, Method::DELETE, "/api/v1/types/protocol", None, None).await;
    assert_eq!(gone.status, 204, "{}", gone.text);

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
