//! What a read of posts selects: every column [`PostRow`](super::record::PostRow) holds, its
//! dates in the tenant's time zone, its meta and its term ids; for one post, or for a page.

/// [`TIME_ZONE_JOIN`], as a macro so that it can be `concat!`ed into the queries below.
macro_rules! time_zone_join {
    () => {
        "CROSS JOIN (SELECT coalesce(document->>'timezone', 'UTC') AS tz FROM settings LIMIT 1) z"
    };
}

/// The columns of `posts p` a read needs, and its dates in the tenant's time zone (needs
/// [`TIME_ZONE_JOIN`]). A macro so that it can be `concat!`ed into the queries below.
macro_rules! post_fields {
    () => {
        "p.id, p.type, p.status, p.title, p.content, p.excerpt, p.slug, p.parent_id, \
        p.menu_order, p.author_id, p.comment_status, p.ping_status, p.password, p.sticky, p.template, p.format, \
        p.featured_media, p.date_gmt, p.modified_gmt, p.guid, p.version, p.last_editor_id, p.medical_content, \
        p.medical_disclaimer, p.evidence_level, p.scientific_references, p.professional_review_required, \
        p.professional_reviewer_id, p.medical_approval_status, p.medical_approved_at, p.contains_patient_data, \
        p.anonymization_applied, p.consent_for_publication, p.seo_title, p.seo_description, p.medical_keywords, \
        p.target_audience, \
        (p.date_gmt AT TIME ZONE z.tz) AS date_local, (p.modified_gmt AT TIME ZONE z.tz) AS modified_local"
    };
}

/// Every column of one post, its meta and term ids aggregated by subqueries.
pub const POST_COLUMNS: &str = concat!(
    post_fields!(),
    ", coalesce((SELECT jsonb_object_agg(m.key, m.value) FROM post_meta m WHERE m.post_id = p.id), '{}') AS meta, \
    coalesce((SELECT jsonb_object_agg(g.taxonomy, g.ids) FROM (SELECT t.taxonomy, jsonb_agg(t.id ORDER BY t.name) AS ids \
              FROM post_terms pt JOIN terms t ON t.id = pt.term_id WHERE pt.post_id = p.id GROUP BY t.taxonomy) g), \
             '{}') AS terms"
);

/// A page of posts: given a CTE `page (id, total[, relevance])` naming the page's posts,
/// their columns, and their meta and terms aggregated in one pass over all of them (a
/// subquery per post would run the term join once per post).
pub const PAGE_SELECT: &str = concat!(
    "meta AS (SELECT m.post_id, jsonb_object_agg(m.key, m.value) AS meta FROM post_meta m \
       WHERE m.post_id IN (SELECT id FROM page) GROUP BY m.post_id), \
     by_taxonomy AS (SELECT pt.post_id, t.taxonomy, jsonb_agg(t.id ORDER BY t.name) AS ids \
       FROM post_terms pt JOIN terms t ON t.id = pt.term_id WHERE pt.post_id IN (SELECT id FROM page) \
       GROUP BY pt.post_id, t.taxonomy), \
     terms AS (SELECT post_id, jsonb_object_agg(taxonomy, ids) AS terms FROM by_taxonomy GROUP BY post_id) \
     SELECT ",
    post_fields!(),
    ", coalesce(meta.meta, '{}') AS meta, coalesce(terms.terms, '{}') AS terms, page.total \
     FROM page JOIN posts p ON p.id = page.id ",
    time_zone_join!(),
    " LEFT JOIN meta ON meta.post_id = p.id LEFT JOIN terms ON terms.post_id = p.id"
);

/// The tenant's time zone as `z.tz`, for the local dates. `LIMIT 1` keeps the planner's
/// estimate at one row: `settings` has one, but the planner cannot know it before ANALYZE,
/// and an estimate of hundreds multiplied a page's cost past the JIT threshold.
pub const TIME_ZONE_JOIN: &str = time_zone_join!();
