//! The media library: uploads sniffed, allow-listed and size-limited; stored sealed under
//! the tenant's prefix; downloaded only by those who may; another tenant sees nothing.

use crate::common::{open_trust, send};
use e2e::TestApp;
use reqwest::Method;
use serde_json::json;

/// The header of a 2 x 3 PNG: enough for sniffing and dimensions.
fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend_from_slice(&2u32.to_be_bytes());
    bytes.extend_from_slice(&3u32.to_be_bytes());
    bytes.extend_from_slice(b"\x08\x02\0\0\0\0\0\0\0");
    bytes.extend_from_slice(b"PATIENT-PHOTO-PLAINTEXT-MARKER");
    bytes
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec()
}

async fn upload_raw(site: &e2e::HostClient, query: &str, filename: Option<&str>, bytes: Vec<u8>) -> e2e::Reply {
    let mut request = site
        .request(Method::POST, &format!("/api/v1/media{query}"))
        .header("content-type", "application/octet-stream")
        .body(bytes);
    if let Some(name) = filename {
        request = request.header("content-disposition", format!("attachment; filename=\"{name}\""));
    }
    e2e::HostClient::send(request).await
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// acme's media library, with an author who uploads.
struct Library {
    app: TestApp,
    tenant_id: String,
    /// acme as its author.
    site: e2e::HostClient,
}

async fn library() -> Library {
    let app = TestApp::spawn().await;
    let acme = app.create_tenant("acme").await;
    open_trust(&app, "acme").await;
    let (_, author) = app.add_user("acme", "a@acme.test", &["author"]).await;
    let site = app.tenant("acme").token(&author);
    let tenant_id = acme["id"].as_str().expect("tenant id").to_owned();
    Library { app, tenant_id, site }
}

impl Library {
    /// The author uploads `png()` as `Raio X.png`; the answer and the new media's id.
    async fn upload_x_ray(&self) -> (e2e::Reply, String) {
        let uploaded = upload_raw(&self.site, "?alt_text=Chest%20X-ray", Some("Raio X.png"), png()).await;
        assert_eq!(uploaded.status, 201, "{}", uploaded.text);
        let id = uploaded.body["id"].as_str().expect("id").to_owned();
        (uploaded, id)
    }

    /// A published post with `media` as its featured image; the post's id.
    async fn publish_featuring(&self, media: &str) -> String {
        let post = self
            .site
            .post(
                "/api/v1/posts",
                &json!({"title": "Imaging", "status": "publish", "featured_media": media}),
            )
            .await;
        assert_eq!(post.status, 201, "{}", post.text);
        post.body["id"].as_str().expect("post id").to_owned()
    }

    /// The author uploads `pdf()` as a multipart form, attached to `post`.
    async fn upload_leaflet_to(&self, post: &str) -> e2e::Reply {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(pdf()).file_name("leaflet.pdf"))
            .text("title", "Patient leaflet")
            .text("post", post.to_owned());
        e2e::HostClient::send(self.site.request(Method::POST, "/api/v1/media").multipart(form)).await
    }

    /// Everything in the object store under the tenant's prefix (`below`, e.g. `media`).
    fn objects(&self, below: &str) -> Vec<std::path::PathBuf> {
        files_under(
            &self
                .app
                .db
                .object_dir()
                .join("tenants")
                .join(&self.tenant_id)
                .join(below),
        )
    }

    fn anonymous(&self) -> e2e::HostClient {
        self.app.tenant("acme")
    }

    async fn as_admin(&self) -> e2e::HostClient {
        self.app.tenant("acme").token(&self.app.admin_token("acme").await)
    }
}

#[tokio::test]
async fn an_upload_is_sniffed_named_and_measured() {
    let library = library().await;

    let (uploaded, id) = library.upload_x_ray().await;

    let media = &uploaded.body;
    assert_eq!(media["mime_type"], "image/png");
    assert_eq!(media["media_type"], "image");
    assert_eq!(media["filename"], "raio-x.png");
    assert_eq!(media["title"], "raio x");
    assert_eq!(media["alt_text"], "Chest X-ray");
    assert_eq!(media["media_details"]["width"], 2);
    assert_eq!(media["media_details"]["height"], 3);
    assert_eq!(media["media_details"]["filesize"], png().len());
    assert_eq!(
        uploaded.header("location"),
        Some(format!("/api/v1/media/{id}").as_str())
    );
}

#[tokio::test]
async fn an_upload_is_stored_sealed_under_the_tenants_prefix() {
    let library = library().await;

    let (_, id) = library.upload_x_ray().await;

    let objects = library.objects("media");
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert!(objects[0].ends_with(&id));
    let at_rest = std::fs::read(&objects[0]).expect("object");
    assert!(!at_rest.windows(8).any(|w| w == b"PATIENT-"), "stored sealed");
}

#[tokio::test]
async fn a_download_has_the_bytes_their_type_and_an_etag_that_answers_304() {
    let library = library().await;
    let (_, id) = library.upload_x_ray().await;

    let file = library.site.get(&format!("/api/v1/media/{id}/file")).await;

    assert_eq!(file.status, 200);
    assert_eq!(file.header("content-type"), Some("image/png"));
    assert!(file.text.contains("PATIENT-PHOTO-PLAINTEXT-MARKER"));
    let etag = file.header("etag").expect("etag").to_owned();
    let cached = e2e::HostClient::send(
        library
            .site
            .request(Method::GET, &format!("/api/v1/media/{id}/file"))
            .header("if-none-match", &etag),
    )
    .await;
    assert_eq!(cached.status, 304);
}

#[tokio::test]
async fn an_upload_is_private_until_it_features_on_a_published_post() {
    let library = library().await;
    let (_, id) = library.upload_x_ray().await;
    let file = format!("/api/v1/media/{id}/file");
    library
        .anonymous()
        .get(&file)
        .await
        .assert_problem(404, "media_not_found");

    library.publish_featuring(&id).await;

    let public = library.anonymous().get(&file).await;
    assert_eq!(public.status, 200, "{}", public.text);
}

#[tokio::test]
async fn a_file_uploaded_as_a_form_is_attached_to_its_post_and_read_by_the_posts_readers() {
    let library = library().await;
    let (_, image) = library.upload_x_ray().await;
    let post = library.publish_featuring(&image).await;

    let leaflet = library.upload_leaflet_to(&post).await;

    assert_eq!(leaflet.status, 201, "{}", leaflet.text);
    assert_eq!(leaflet.body["media_type"], "file");
    assert_eq!(leaflet.body["post"], post.as_str());
    assert_eq!(leaflet.body["title"], "Patient leaflet");
    assert!(leaflet.body["media_details"].get("width").is_none());
    let id = leaflet.body["id"].as_str().expect("id");
    assert_eq!(
        library
            .anonymous()
            .get(&format!("/api/v1/media/{id}/file"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn media_are_listed_and_filtered_by_type_and_by_post() {
    let library = library().await;
    let (_, image) = library.upload_x_ray().await;
    let post = library.publish_featuring(&image).await;
    let leaflet = library.upload_leaflet_to(&post).await;
    assert_eq!(leaflet.status, 201, "{}", leaflet.text);
    let site = &library.site;

    let listed = site.get("/api/v1/media").await;
    assert_eq!(listed.header("x-total-count"), Some("2"), "{}", listed.text);
    let images = site.get("/api/v1/media?media_type=image").await;
    assert_eq!(images.header("x-total-count"), Some("1"));
    let beyond = site.get("/api/v1/media?media_type=image&page=4").await;
    assert_eq!(
        beyond.header("x-total-count"),
        Some("1"),
        "the filtered total past the last page"
    );
    let of_post = site.get(&format!("/api/v1/media?parent={post}")).await;
    assert_eq!(of_post.body[0]["title"], "Patient leaflet");
}

#[tokio::test]
async fn contributors_may_neither_list_nor_upload_media() {
    let library = library().await;
    let (_, contributor) = library.app.add_user("acme", "c@acme.test", &["contributor"]).await;
    let site = library.app.tenant("acme").token(&contributor);

    site.get("/api/v1/media")
        .await
        .assert_problem(403, "missing_capability");
    upload_raw(&site, "", Some("a.png"), png())
        .await
        .assert_problem(403, "missing_capability");
}

#[tokio::test]
async fn uploads_of_a_wrong_type_name_or_shape_are_refused_and_leave_nothing() {
    let library = library().await;
    library.upload_x_ray().await;
    let site = &library.site;

    upload_raw(
        site,
        "",
        Some("x.svg"),
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec(),
    )
    .await
    .assert_problem(415, "unsupported_media_type");
    upload_raw(site, "", Some("photo.jpg"), png())
        .await
        .assert_problem(415, "media_type_mismatch");
    upload_raw(site, "", Some("run.exe"), b"MZ\x90\0\x03\0\0\0\x04\0\0\0".to_vec())
        .await
        .assert_problem(415, "unsupported_media_type");
    upload_raw(site, "", None, png())
        .await
        .assert_problem(400, "missing_filename");
    upload_raw(site, "?post=00000000-0000-0000-0000-000000000000", Some("a.png"), png())
        .await
        .assert_problem(422, "validation_failed");
    let mut broken = png();
    broken.truncate(12);
    upload_raw(site, "", Some("cut.png"), broken)
        .await
        .assert_problem(422, "unreadable_image");

    let count = site.get("/api/v1/media").await;
    assert_eq!(count.header("x-total-count"), Some("1"), "refused uploads left nothing");
    assert_eq!(library.objects("").len(), 1, "nor any object");
}

#[tokio::test]
async fn another_tenant_reaches_neither_the_media_nor_its_file() {
    let library = library().await;
    let (_, id) = library.upload_x_ray().await;
    library.app.create_tenant("beta").await;
    let beta_admin = library.app.admin_token("beta").await;
    let beta = library.app.tenant("beta").token(&beta_admin);

    beta.get(&format!("/api/v1/media/{id}"))
        .await
        .assert_problem(404, "media_not_found");
    beta.get(&format!("/api/v1/media/{id}/file"))
        .await
        .assert_problem(404, "media_not_found");
    assert_eq!(beta.get("/api/v1/media").await.header("x-total-count"), Some("0"));
}

#[tokio::test]
async fn the_uploader_may_retitle_an_upload() {
    let library = library().await;
    let (_, id) = library.upload_x_ray().await;

    let renamed = send(
        &library.site,
        Method::PATCH,
        &format!("/api/v1/media/{id}"),
        None,
        Some(&json!({"title": "X-ray"})),
    )
    .await;

    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.body["title"], "X-ray");
}

#[tokio::test]
async fn media_are_deleted_for_good_and_the_post_loses_its_featured_image() {
    let library = library().await;
    let (_, id) = library.upload_x_ray().await;
    let post = library.publish_featuring(&id).await;
    let objects = library.objects("media");
    assert_eq!(objects.len(), 1, "{objects:?}");
    let admin = library.as_admin().await;

    // No trash for media.
    send(&admin, Method::DELETE, &format!("/api/v1/media/{id}"), None, None)
        .await
        .assert_problem(501, "trash_not_supported");
    let deleted = send(
        &admin,
        Method::DELETE,
        &format!("/api/v1/media/{id}?force=true"),
        None,
        None,
    )
    .await;

    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert!(!objects[0].exists(), "the object is removed");
    let reread = library.anonymous().get(&format!("/api/v1/posts/{post}")).await;
    assert_eq!(reread.body["featured_media"], serde_json::Value::Null);
    library
        .site
        .get(&format!("/api/v1/media/{id}"))
        .await
        .assert_problem(404, "media_not_found");
}

#[tokio::test]
async fn uploads_raw_or_as_forms_and_deletions_are_audited() {
    let library = library().await;
    let (_, id) = library.upload_x_ray().await;
    let post = library.publish_featuring(&id).await;
    assert_eq!(library.upload_leaflet_to(&post).await.status, 201);
    let admin = library.as_admin().await;
    let deleted = admin.delete(&format!("/api/v1/media/{id}?force=true")).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);

    let trail = admin.get("/api/v1/audit?action=media.upload").await;
    assert_eq!(trail.status, 200, "{}", trail.text);
    assert_eq!(trail.body.as_array().map(Vec::len), Some(2), "{}", trail.text);
    let deletions = admin.get("/api/v1/audit?action=media.delete").await;
    assert_eq!(deletions.body.as_array().map(Vec::len), Some(1), "{}", deletions.text);
}

#[tokio::test]
async fn files_over_the_limit_get_413_raw_or_in_a_form() {
    let app = TestApp::spawn_with(|config| config.media.max_bytes = 1024).await;
    app.create_tenant("acme").await;
    open_trust(&app, "acme").await;
    let admin = app.admin_token("acme").await;
    let site = app.tenant("acme").token(&admin);
    let mut big = png();
    big.resize(4096, 0);
    upload_raw(&site, "", Some("big.png"), big.clone())
        .await
        .assert_problem(413, "file_too_large");
    // A chunked body has no Content-Length: the limit holds as it is read.
    let stream = futures_util::stream::iter((0..8).map(|_| Ok::<_, std::io::Error>(vec![0u8; 512])));
    let chunked = e2e::HostClient::send(
        site.request(Method::POST, "/api/v1/media")
            .header("content-disposition", "attachment; filename=\"big.png\"")
            .body(reqwest::Body::wrap_stream(stream)),
    )
    .await;
    chunked.assert_problem(413, "file_too_large");
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(big).file_name("big.png"));
    e2e::HostClient::send(site.request(Method::POST, "/api/v1/media").multipart(form))
        .await
        .assert_problem(413, "file_too_large");
    let small = upload_raw(&site, "", Some("small.png"), png()).await;
    assert_eq!(small.status, 201, "{}", small.text);
}

/// Object keys are derived from (tenant, media id), never read from the row the tenant's role
/// can write: a row pointed at another tenant's object neither reads nor deletes it.
#[tokio::test]
async fn a_media_row_pointed_at_another_tenants_object_reaches_only_its_own() {
    let app = TestApp::spawn().await;
    let mut uploaded = Vec::new();
    for slug in ["alpha", "beta"] {
        let tenant = app.create_tenant(slug).await;
        open_trust(&app, slug).await;
        let site = app.tenant(slug).token(&app.admin_token(slug).await);
        let reply = upload_raw(&site, "", Some("scan.png"), png()).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        let id = reply.body["id"].as_str().expect("id").to_owned();
        uploaded.push((site, tenant["id"].as_str().expect("tenant id").to_owned(), id));
    }
    let (alpha, _, alpha_media) = &uploaded[0];
    let (beta, beta_tenant, beta_media) = &uploaded[1];
    // What a statement injected into one of alpha's transactions could do.
    let tenant = app
        .tenancy()
        .get_by_slug(&tenants::TenantSlug::parse("alpha").expect("slug"))
        .await
        .expect("alpha");
    let mut tx = tenant.scope().begin(app.tenancy().pool()).await.expect("begin");
    sqlx::query("UPDATE media SET storage_key = $1 WHERE id = $2::uuid")
        .bind(format!("tenants/{beta_tenant}/media/{beta_media}"))
        .bind(alpha_media)
        .execute(&mut *tx)
        .await
        .expect("the tenant's role writes its own rows");
    tx.commit().await.expect("commit");

    let own = alpha.get(&format!("/api/v1/media/{alpha_media}/file")).await;
    assert_eq!(own.status, 200, "alpha still reads its own file: {}", own.text);
    let deleted = alpha.delete(&format!("/api/v1/media/{alpha_media}?force=true")).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    let theirs = beta.get(&format!("/api/v1/media/{beta_media}/file")).await;
    assert_eq!(theirs.status, 200, "beta's file is untouched: {}", theirs.text);
}
