//! Slugs as WordPress makes them: from the title, URL-safe, unique per type (and parent for
//! hierarchical types) by a numeric suffix.

use super::ids::PostId;
use super::record::PostRecord;
use crate::http::{ApiError, ApiResult};
use tenants::TenantTx;

pub const MAX_SLUG: usize = 200;

/// `Saúde da Família!` -> `saude-da-familia`. Empty when nothing URL-safe is left.
pub fn sanitize(text: &str) -> String {
    let slug = slug::slugify(text);
    let mut cut: String = slug.chars().take(MAX_SLUG).collect();
    while cut.ends_with('-') {
        cut.pop();
    }
    cut
}

/// What to do when the slug asked for is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnConflict {
    /// Add `-2`, `-3`, ... as WordPress does.
    #[default]
    Suffix,
    /// Answer 409 `slug_taken`.
    Error,
}

/// The slug `post` will be stored with. Concurrent writes of the same base slug in the same
/// place are serialised by a transaction-scoped advisory lock, so two of them cannot pick the
/// same suffix.
pub async fn unique(tx: &mut TenantTx, post: &PostRecord, base: &str, on_conflict: OnConflict) -> ApiResult<String> {
    let base = if base.is_empty() {
        // WordPress falls back to the id; ours is long, its first part is enough with suffixes.
        format!("{}-{}", post.post_type.replace('_', "-"), &post.id.to_string()[..8])
    } else {
        base.to_owned()
    };
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!(
            "slug:{}:{}:{:?}:{base}",
            tx.tenant_id(),
            post.post_type,
            post.parent
        ))
        .execute(&mut **tx)
        .await?;
    let taken: Vec<String> = sqlx::query_scalar(
        "SELECT slug FROM posts WHERE type = $1 AND parent_id IS NOT DISTINCT FROM $2 AND id <> $3 \
         AND status NOT IN ('trash', 'auto-draft') AND (slug = $4 OR slug LIKE $5)",
    )
    .bind(&post.post_type)
    .bind(post.parent)
    .bind(post.id)
    .bind(&base)
    .bind(format!("{base}-%"))
    .fetch_all(&mut **tx)
    .await?;
    if !taken.contains(&base) {
        return Ok(base);
    }
    if on_conflict == OnConflict::Error {
        return Err(ApiError::conflict(
            "slug_taken",
            format!("the slug {base:?} is taken by another post of this type"),
        ));
    }
    let stem: String = base.chars().take(MAX_SLUG - 8).collect();
    let free = (2..)
        .map(|n| format!("{stem}-{n}"))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or_else(|| format!("{stem}-{}", PostId::new()));
    Ok(free)
}

#[cfg(test)]
mod tests {
    #[test]
    fn titles_become_url_safe_slugs() {
        assert_eq!(super::sanitize("Saúde da Família!"), "saude-da-familia");
        assert_eq!(super::sanitize("  Hello,   World  "), "hello-world");
        assert_eq!(super::sanitize("!!!"), "");
        assert!(super::sanitize(&"a".repeat(500)).len() <= super::MAX_SLUG);
    }
}
