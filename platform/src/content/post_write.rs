//! Writing a post's row, its meta and its terms. Each column a save sets is named once, in
//! [`set_columns`]: the same list makes the insert of a new post and the update of one.

use super::error::{Conflict, ContentError};
use super::medical::MedicalFields;
use super::record::PostRecord;
use serde_json::Value;
use sqlx::postgres::PgArguments;
use sqlx::{Arguments as _, Encode, Postgres, Type};
use tenants::{TenantTx, UserId};

/// The values of a save, each with its column, in the order they are bound. `$1` and `$2` are
/// the post's id and type, which name the row and never change.
struct Columns {
    names: Vec<&'static str>,
    args: PgArguments,
    error: Option<sqlx::error::BoxDynError>,
}

impl Columns {
    fn new(post: &PostRecord) -> Self {
        let mut columns = Self {
            names: Vec::new(),
            args: PgArguments::default(),
            error: None,
        };
        columns.bind(post.id);
        columns.bind(&post.post_type);
        columns
    }

    fn bind<'q, T: Encode<'q, Postgres> + Type<Postgres> + 'q>(&mut self, value: T) {
        if let Err(error) = self.args.add(value) {
            self.error.get_or_insert(error);
        }
    }

    fn set<'q, T: Encode<'q, Postgres> + Type<Postgres> + 'q>(&mut self, name: &'static str, value: T) -> &mut Self {
        self.names.push(name);
        self.bind(value);
        self
    }

    /// `$3` onwards, one per column set.
    fn placeholders(&self) -> impl Iterator<Item = (&'static str, String)> + '_ {
        self.names
            .iter()
            .enumerate()
            .map(|(i, name)| (*name, format!("${}", i + 3)))
    }
}

/// Every column a save sets, once.
fn set_columns(columns: &mut Columns, post: &PostRecord, editor: Option<UserId>) {
    columns
        .set("status", post.status.as_str())
        .set("title", &post.title)
        .set("content", &post.content)
        .set("excerpt", &post.excerpt)
        .set("slug", &post.slug)
        .set("parent_id", post.parent)
        .set("menu_order", post.menu_order)
        .set("author_id", post.author)
        .set("comment_status", &post.comment_status)
        .set("ping_status", &post.ping_status)
        .set("password", &post.password)
        .set("sticky", post.sticky)
        .set("template", &post.template)
        .set("format", &post.format)
        .set("featured_media", post.featured_media)
        .set("date_gmt", post.date_gmt)
        .set("last_editor_id", editor);
    set_medical_columns(columns, &post.medical);
}

fn set_medical_columns(columns: &mut Columns, medical: &MedicalFields) {
    columns
        .set("medical_content", medical.medical_content)
        .set("medical_disclaimer", &medical.medical_disclaimer)
        .set("evidence_level", &medical.evidence_level)
        .set(
            "scientific_references",
            sqlx::types::Json(&medical.scientific_references),
        )
        .set("professional_review_required", medical.professional_review_required)
        .set("professional_reviewer_id", medical.professional_reviewer)
        .set("medical_approval_status", medical.medical_approval_status.as_str())
        .set("medical_approved_at", medical.medical_approved_at)
        .set("contains_patient_data", medical.contains_patient_data)
        .set("anonymization_applied", medical.anonymization_applied)
        .set("consent_for_publication", medical.consent_for_publication)
        .set("seo_title", &medical.seo_title)
        .set("seo_description", &medical.seo_description)
        .set("medical_keywords", sqlx::types::Json(&medical.medical_keywords))
        .set("target_audience", &medical.target_audience);
}

/// Inserts the post (`update` false) or updates its row, which counts a new version.
pub async fn write_row(
    tx: &mut TenantTx,
    post: &PostRecord,
    update: bool,
    editor: Option<UserId>,
) -> Result<(), ContentError> {
    let mut columns = Columns::new(post);
    set_columns(&mut columns, post, editor);
    let sql = if update {
        let set: Vec<String> = columns
            .placeholders()
            .map(|(name, at)| format!("{name} = {at}"))
            .collect();
        format!(
            "UPDATE posts SET {}, modified_gmt = now(), version = version + 1 WHERE id = $1 AND type = $2",
            set.join(", ")
        )
    } else {
        let (names, values): (Vec<&str>, Vec<String>) = columns.placeholders().unzip();
        format!(
            "INSERT INTO posts (id, type, {}, modified_gmt, guid) VALUES ($1, $2, {}, now(), 'urn:uuid:' || $1::text)",
            names.join(", "),
            values.join(", ")
        )
    };
    if let Some(error) = columns.error {
        return Err(ContentError::Internal(anyhow::anyhow!(
            "cannot bind a post's columns: {error}"
        )));
    }
    let done = sqlx::query_with(&sql, columns.args)
        .execute(&mut **tx)
        .await
        .map_err(constraint_problem)?;
    if done.rows_affected() != 1 {
        return Err(sqlx::Error::RowNotFound.into());
    }
    Ok(())
}

/// The constraints a post's row can break, as the problem the writer gets.
fn constraint_problem(error: sqlx::Error) -> ContentError {
    match error.as_database_error().and_then(|e| e.constraint()) {
        Some("posts_slug_key") => Conflict::SlugTaken(None).into(),
        Some(name) if name.starts_with("posts_") && name.ends_with("_check") => ContentError::invalid_field(
            name.trim_start_matches("posts_").trim_end_matches("_check"),
            "not an allowed value",
        ),
        _ => error.into(),
    }
}

/// Replaces the post's meta (`creating`: it has none yet).
pub async fn write_meta(tx: &mut TenantTx, post: &PostRecord, creating: bool) -> Result<(), sqlx::Error> {
    let (keys, values): (Vec<&String>, Vec<&Value>) = post.meta.iter().unzip();
    let sql = if creating {
        "INSERT INTO post_meta (post_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::jsonb[]) AS m(k, v)"
    } else {
        "WITH gone AS (DELETE FROM post_meta WHERE post_id = $1 AND NOT (key = ANY($2))) \
         INSERT INTO post_meta (post_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::jsonb[]) AS m(k, v) \
         ON CONFLICT (post_id, key) DO UPDATE SET value = excluded.value"
    };
    sqlx::query(sql)
        .bind(post.id)
        .bind(keys)
        .bind(values)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Replaces the post's terms (`creating`: it has none yet).
pub async fn write_terms(tx: &mut TenantTx, post: &PostRecord, creating: bool) -> Result<(), sqlx::Error> {
    let ids: Vec<_> = post.terms.values().flatten().copied().collect();
    let sql = if creating {
        "INSERT INTO post_terms (post_id, term_id) SELECT DISTINCT $1::uuid, unnest($2::uuid[])"
    } else {
        "WITH gone AS (DELETE FROM post_terms WHERE post_id = $1 AND NOT (term_id = ANY($2))) \
         INSERT INTO post_terms (post_id, term_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING"
    };
    sqlx::query(sql).bind(post.id).bind(ids).execute(&mut **tx).await?;
    Ok(())
}
