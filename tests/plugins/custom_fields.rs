//! The custom-fields plugin (ACF) through the API: installed from the catalogue, field groups
//! as its configuration, `acf` in and out of posts.

use super::*;

const POST_ID: &str = "0190a0b0-0000-7000-8000-000000000001";

/// A group on posts with one field of every type.
fn every_type_group() -> Value {
    let field = |name: &str, ty: &str, extra: Value| {
        let mut f = json!({"key": format!("field_{name}"), "label": name, "name": name, "type": ty});
        if let (Some(f), Some(extra)) = (f.as_object_mut(), extra.as_object()) {
            f.extend(extra.clone());
        }
        f
    };
    let choices = json!({"choices": {"red": "Red", "green": "Green"}});
    json!({
        "key": "group_all",
        "title": "Every type",
        "show_in_rest": 1,
        "location": [[{"param": "post_type", "operator": "==", "value": "post"}]],
        "fields": [
            field("t_text", "text", json!({"maxlength": 10})),
            field("t_textarea", "textarea", json!({})),
            field("t_number", "number", json!({"min": 0, "max": 100, "step": 0.5})),
            field("t_range", "range", json!({"min": 1, "max": 5})),
            field("t_email", "email", json!({})),
            field("t_url", "url", json!({})),
            field("t_password", "password", json!({})),
            field("t_wysiwyg", "wysiwyg", json!({})),
            field("t_select", "select", choices.clone()),
            field("t_checkbox", "checkbox", choices.clone()),
            field("t_radio", "radio", choices.clone()),
            field("t_button_group", "button_group", choices.clone()),
            field("t_true_false", "true_false", json!({})),
            field("t_date_picker", "date_picker", json!({})),
            field("t_date_time_picker", "date_time_picker", json!({})),
            field("t_time_picker", "time_picker", json!({})),
            field("t_color_picker", "color_picker", json!({})),
            field("t_link", "link", json!({})),
            field("t_post_object", "post_object", json!({})),
            field("t_relationship", "relationship", json!({"max": 2})),
            field("t_taxonomy", "taxonomy", json!({})),
            field("t_user", "user", json!({})),
            field("t_image", "image", json!({})),
            field("t_file", "file", json!({})),
            field("t_gallery", "gallery", json!({})),
            field("t_group", "group", json!({"sub_fields": [field("inner", "text", json!({"required": 1}))]})),
            field("t_repeater", "repeater", json!({"min": 1, "max": 3, "sub_fields": [field("dose", "number", json!({"required": 1}))]})),
            field("t_flexible", "flexible_content", json!({"layouts": {
                "layout_a": {"key": "layout_a", "name": "quote", "sub_fields": [field("q", "text", json!({}))]},
                "layout_b": {"key": "layout_b", "name": "image", "sub_fields": [field("img", "image", json!({}))]}
            }})),
        ]
    })
}

/// (field, a valid value, what it is stored as, an invalid value)
fn every_type_values() -> Vec<(&'static str, Value, Value, Value)> {
    vec![
        ("t_text", json!("short"), json!("short"), json!("far too long text")),
        ("t_textarea", json!("a\nb"), json!("a\nb"), json!(12)),
        ("t_number", json!("42.5"), json!(42.5), json!(42.25)),
        ("t_range", json!(3), json!(3), json!(9)),
        (
            "t_email",
            json!("a@example.org"),
            json!("a@example.org"),
            json!("not-an-email"),
        ),
        (
            "t_url",
            json!("https://example.org/x"),
            json!("https://example.org/x"),
            json!("javascript:alert(1)"),
        ),
        ("t_password", json!("hunter2"), json!("hunter2"), json!(["x"])),
        (
            "t_wysiwyg",
            json!("<p>ok</p><script>x()</script>"),
            json!("<p>ok</p>"),
            json!(false),
        ),
        ("t_select", json!("red"), json!("red"), json!("blue")),
        (
            "t_checkbox",
            json!(["red", "green"]),
            json!(["red", "green"]),
            json!(["red", "blue"]),
        ),
        ("t_radio", json!("green"), json!("green"), json!("blue")),
        ("t_button_group", json!("red"), json!("red"), json!("purple")),
        ("t_true_false", json!(1), json!(true), json!("maybe")),
        (
            "t_date_picker",
            json!("2024-02-29"),
            json!("20240229"),
            json!("2023-02-29"),
        ),
        (
            "t_date_time_picker",
            json!("2024-01-31 13:05:00"),
            json!("2024-01-31 13:05:00"),
            json!("2024-01-31 25:00:00"),
        ),
        ("t_time_picker", json!("07:30"), json!("07:30:00"), json!("7:3")),
        ("t_color_picker", json!("#FFAA00"), json!("#ffaa00"), json!("orange")),
        (
            "t_link",
            json!({"url": "https://example.org", "title": "Ex", "target": "_blank"}),
            json!({"url": "https://example.org", "title": "Ex", "target": "_blank"}),
            json!({"url": "ftp://x"}),
        ),
        ("t_post_object", json!(POST_ID), json!(POST_ID), json!(17)),
        (
            "t_relationship",
            json!([POST_ID]),
            json!([POST_ID]),
            json!([POST_ID, POST_ID, POST_ID]),
        ),
        ("t_taxonomy", json!(POST_ID), json!(POST_ID), json!("category-1")),
        ("t_user", json!(POST_ID), json!(POST_ID), json!("admin")),
        ("t_image", json!(POST_ID), json!(POST_ID), json!({"id": 1})),
        ("t_file", json!(POST_ID), json!(POST_ID), json!("file.pdf")),
        ("t_gallery", json!([POST_ID]), json!([POST_ID]), json!(POST_ID)),
        (
            "t_group",
            json!({"inner": "x"}),
            json!({"inner": "x"}),
            json!({"inner": ""}),
        ),
        (
            "t_repeater",
            json!([{"dose": 1}, {"dose": 2}]),
            json!([{"dose": 1}, {"dose": 2}]),
            json!([]),
        ),
        (
            "t_flexible",
            json!([{"acf_fc_layout": "quote", "q": "hi"}, {"acf_fc_layout": "image", "img": POST_ID}]),
            json!([{"acf_fc_layout": "quote", "q": "hi"}, {"acf_fc_layout": "image", "img": POST_ID}]),
            json!([{"acf_fc_layout": "video"}]),
        ),
    ]
}

/// Installs custom-fields from the catalogue with these field groups, crypto granted.
async fn install_fields(site: &HostClient, groups: Value) {
    let reply = site
        .post(
            "/api/v1/plugins",
            &json!({"catalogue": "custom-fields", "grant": ["crypto"], "enable": true,
                    "config": {"field_groups": groups}}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

async fn create_with(site: &HostClient, body: Value) -> Reply {
    site.post("/api/v1/posts", &body).await
}

#[tokio::test]
async fn every_field_type_valid_and_invalid() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "acf-types").await;
    install_fields(&site, json!([every_type_group()])).await;
    let values = every_type_values();
    assert_eq!(values.len(), 28, "one row per field type");

    let acf: serde_json::Map<String, Value> = values.iter().map(|(n, v, _, _)| ((*n).to_owned(), v.clone())).collect();
    let reply = create_with(&site, json!({"title": "all", "acf": acf})).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    for (name, _, stored, _) in &values {
        assert_eq!(&reply.body["acf"][name], stored, "{name} as returned");
    }
    // ACF's meta naming.
    assert_eq!(reply.body["meta"]["_t_text"], "field_t_text");
    assert_eq!(reply.body["meta"]["t_repeater"], 2);
    assert_eq!(reply.body["meta"]["t_repeater_1_dose"], 2);
    assert_eq!(reply.body["meta"]["_t_repeater_1_dose"], "field_dose");
    assert_eq!(reply.body["meta"]["t_group_inner"], "x");
    assert_eq!(reply.body["meta"]["t_flexible"], json!(["quote", "image"]));
    assert_eq!(reply.body["meta"]["t_flexible_0_q"], "hi");

    // Read back, in view context, anonymously once published.
    let id = reply.body["id"].as_str().unwrap().to_owned();
    let read = site.get(&format!("/api/v1/posts/{id}")).await;
    assert_eq!(read.body["acf"], reply.body["acf"]);

    for (name, _, _, invalid) in &values {
        let reply = create_with(&site, json!({"title": "bad", "acf": {*name: invalid}})).await;
        let problem = reply.assert_problem(422, "rejected_by_plugin");
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.iter().any(|f| f.starts_with(&format!("acf.{name}"))),
            "{name}: {problem}"
        );
    }
    let reply = create_with(&site, json!({"title": "bad", "acf": {"nope": 1}})).await;
    assert_eq!(
        reply.assert_problem(422, "rejected_by_plugin")["errors"][0]["field"],
        "acf.nope"
    );
}

#[tokio::test]
async fn location_rules_choose_the_groups() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "acf-location").await;
    let group = |key: &str, rules: Value, field: &str| {
        json!({"key": key, "title": key, "show_in_rest": true, "location": rules,
               "fields": [{"key": format!("field_{field}"), "name": field, "type": "text"}]})
    };
    let category = site.get("/api/v1/categories").await.body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    install_fields(
        &site,
        json!([
            group(
                "g_pages",
                json!([[{"param": "post_type", "operator": "==", "value": "page"}]]),
                "on_pages"
            ),
            group(
                "g_editors",
                json!([[{"param": "post_type", "operator": "==", "value": "post"},
                                       {"param": "user_role", "operator": "==", "value": "editor"}]]),
                "for_editors"
            ),
            group(
                "g_category",
                json!([[{"param": "post_taxonomy", "operator": "==", "value": format!("category:{category}")}]]),
                "in_category"
            ),
            group(
                "g_drafts",
                json!([[{"param": "post_status", "operator": "!=", "value": "publish"}]]),
                "drafts_only"
            ),
        ]),
    )
    .await;
    let post = create_with(
        &site,
        json!({"title": "p", "categories": [category], "acf": {"in_category": "x", "drafts_only": "y"}}),
    )
    .await;
    assert_eq!(post.status, 201, "{}", post.text);
    assert_eq!(post.body["acf"], json!({"in_category": "x", "drafts_only": "y"}));
    // The administrator is no editor; pages' fields are not for posts.
    let reply = create_with(
        &site,
        json!({"title": "p", "acf": {"for_editors": "x", "on_pages": "y"}}),
    )
    .await;
    let problem = reply.assert_problem(422, "rejected_by_plugin");
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2, "{problem}");
    let (_, editor) = app.add_user("acf-location", "ed@example.com", &["editor"]).await;
    let editor = app.tenant("acf-location").token(&editor);
    let reply = create_with(&editor, json!({"title": "p", "acf": {"for_editors": "x"}})).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let page = site
        .post("/api/v1/pages", &json!({"title": "pg", "acf": {"on_pages": "y"}}))
        .await;
    assert_eq!(page.status, 201, "{}", page.text);
    assert_eq!(page.body["acf"]["on_pages"], "y");
}

#[tokio::test]
async fn conditional_logic_hides_and_requires() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "acf-conditions").await;
    install_fields(
        &site,
        json!([{
            "key": "g", "title": "Route", "show_in_rest": 1,
            "location": [[{"param": "post_type", "operator": "==", "value": "post"}]],
            "fields": [
                {"key": "field_route", "name": "route", "type": "select", "choices": {"oral": "Oral", "iv": "IV"}},
                {"key": "field_rate", "name": "rate", "type": "number", "required": 1,
                 "conditional_logic": [[{"field": "field_route", "operator": "==", "value": "iv"}]]},
                {"key": "field_note", "name": "note", "type": "text", "required": true,
                 "conditional_logic": [[{"field": "field_route", "operator": "!=empty"},
                                        {"field": "field_route", "operator": "==pattern", "value": "^or"}]]}
            ]
        }]),
    )
    .await;
    // IV: the rate is shown, so required.
    let reply = create_with(&site, json!({"title": "a", "acf": {"route": "iv"}})).await;
    assert_eq!(
        reply.assert_problem(422, "rejected_by_plugin")["errors"][0]["field"],
        "acf.rate"
    );
    assert_eq!(
        create_with(&site, json!({"title": "a", "acf": {"route": "iv", "rate": 5}}))
            .await
            .status,
        201
    );
    // Oral: the rate is hidden (ignored, not stored); the note is required.
    let reply = create_with(&site, json!({"title": "a", "acf": {"route": "oral", "rate": 5}})).await;
    assert_eq!(
        reply.assert_problem(422, "rejected_by_plugin")["errors"][0]["field"],
        "acf.note"
    );
    let reply = create_with(
        &site,
        json!({"title": "a", "acf": {"route": "oral", "rate": 5, "note": "with food"}}),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(
        reply.body["acf"],
        json!({"route": "oral", "rate": null, "note": "with food"})
    );
}

#[tokio::test]
async fn repeaters_and_flexible_content_round_trip_and_shrink() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "acf-rows").await;
    install_fields(&site, json!([every_type_group()])).await;
    let rows = json!([{"dose": 1}, {"dose": 2}, {"dose": 3}]);
    let flex = json!([{"acf_fc_layout": "quote", "q": "a"}, {"acf_fc_layout": "quote", "q": "b"}]);
    let created = create_with(
        &site,
        json!({"title": "r", "acf": {"t_repeater": rows, "t_flexible": flex, "t_group": {"inner": "i"}}}),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["acf"]["t_repeater"], rows);
    assert_eq!(created.body["acf"]["t_flexible"], flex);
    let id = created.body["id"].as_str().unwrap();
    let etag = created.header("etag").unwrap().to_owned();
    // Fewer rows: the third row's meta goes.
    let reply = HostClient::send(
        site.request(reqwest::Method::PATCH, &format!("/api/v1/posts/{id}"))
            .header("if-match", etag)
            .json(&json!({"acf": {"t_repeater": [{"dose": 9}]}})),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["acf"]["t_repeater"], json!([{"dose": 9}]));
    assert_eq!(reply.body["acf"]["t_flexible"], flex, "untouched fields stay");
    assert!(
        reply.body["meta"].get("t_repeater_2_dose").is_none(),
        "{}",
        reply.body["meta"]
    );
    assert!(reply.body["meta"].get("_t_repeater_1_dose").is_none());
    // Too many rows.
    let reply = create_with(
        &site,
        json!({"title": "r", "acf": {"t_repeater": [{"dose": 1}, {"dose": 1}, {"dose": 1}, {"dose": 1}]}}),
    )
    .await;
    reply.assert_problem(422, "rejected_by_plugin");
    // A required sub field in a row.
    let reply = create_with(&site, json!({"title": "r", "acf": {"t_repeater": [{"dose": 1}, {}]}})).await;
    assert_eq!(
        reply.assert_problem(422, "rejected_by_plugin")["errors"][0]["field"],
        "acf.t_repeater.1.dose"
    );
}

#[tokio::test]
async fn defaults_clones_and_sensitive_fields() {
    let app = TestApp::spawn().await;
    let site = tenant(&app, "acf-more").await;
    install_fields(
        &site,
        json!([
            {"key": "g_shared", "title": "Shared", "location": [],
             "fields": [{"key": "field_shared", "name": "shared", "type": "text", "default_value": "from clone"}]},
            {"key": "g_main", "title": "Main", "show_in_rest": 1,
             "location": [[{"param": "post_type", "operator": "==", "value": "post"}]],
             "fields": [
                {"key": "field_level", "name": "level", "type": "number", "default_value": 3},
                {"key": "field_cl", "name": "cl", "type": "clone", "clone": ["g_shared"]},
                {"key": "field_pcl", "name": "pcl", "type": "clone", "clone": ["field_shared"], "prefix_name": 1},
                {"key": "field_cpf", "name": "cpf", "type": "text", "sensitive": 1}
             ]}
        ]),
    )
    .await;
    let reply = create_with(
        &site,
        json!({"title": "d", "acf": {"cpf": "123.456.789-00", "pcl": {"shared": "p"}}}),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    // Defaults on create; a seamless clone's field at the top level; a prefixed one nested.
    assert_eq!(reply.body["acf"]["level"], 3);
    assert_eq!(reply.body["acf"]["shared"], "from clone");
    assert_eq!(reply.body["acf"]["pcl"], json!({"shared": "p"}));
    assert_eq!(reply.body["meta"]["pcl_shared"], "p");
    // Sealed at rest; shown to editors (edit context), left out for readers.
    let stored = reply.body["meta"]["cpf"].as_str().unwrap();
    assert!(
        stored.starts_with("sealed:v1:") && !stored.contains("123.456"),
        "{stored}"
    );
    assert_eq!(reply.body["acf"]["cpf"], "123.456.789-00");
    let id = reply.body["id"].as_str().unwrap();
    let view = site.get(&format!("/api/v1/posts/{id}")).await;
    assert!(view.body["acf"].get("cpf").is_none(), "{}", view.body["acf"]);
    let edit = site.get(&format!("/api/v1/posts/{id}?context=edit")).await;
    assert_eq!(edit.body["acf"]["cpf"], "123.456.789-00");
}

#[tokio::test]
async fn field_groups_are_the_plugin_config_and_stay_in_their_tenant() {
    let app = TestApp::spawn().await;
    let a = tenant(&app, "acf-a").await;
    let b = tenant(&app, "acf-b").await;
    let none = tenant(&app, "acf-none").await;
    install_fields(&a, json!([every_type_group()])).await;
    let reply = b
        .post(
            "/api/v1/plugins",
            &json!({"catalogue": "custom-fields", "enable": true}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);

    // Export and import: the same JSON.
    let exported = a.get("/api/v1/plugins/custom-fields/config").await.body;
    assert_eq!(exported["field_groups"][0]["key"], "group_all");
    // B has no groups: A's fields are unknown there.
    let reply = create_with(&b, json!({"title": "x", "acf": {"t_text": "hi"}})).await;
    reply.assert_problem(422, "rejected_by_plugin");
    assert!(create_with(&b, json!({"title": "x"})).await.body.get("acf").is_none());
    assert_eq!(b.get("/api/v1/plugins/custom-fields/config").await.body, json!({}));
    // Importing A's export into B.
    assert_eq!(
        b.put("/api/v1/plugins/custom-fields/config", &exported).await.status,
        200
    );
    assert_eq!(
        create_with(&b, json!({"title": "x", "acf": {"t_text": "hi"}}))
            .await
            .body["acf"]["t_text"],
        "hi"
    );

    // A group of an unknown type is refused by the schema, before it is stored.
    let mut broken = exported.clone();
    broken["field_groups"][0]["fields"][0]["type"] = json!("hologram");
    let reply = a.put("/api/v1/plugins/custom-fields/config", &broken).await;
    reply.assert_problem(422, "validation_failed");

    // Without the plugin: no `acf`, and a sent one is ignored.
    let reply = create_with(&none, json!({"title": "x", "acf": {"t_text": "hi"}})).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert!(reply.body.get("acf").is_none());
    assert!(reply.body["meta"].get("t_text").is_none());
}
