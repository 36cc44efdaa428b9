//! Slugs as WordPress makes them: from the title, URL-safe, unique per type (and parent for
//! hierarchical types) by a numeric suffix.

use super::error::{Conflict, ContentResult};
use super::ids::PostId;
use super::record::PostRecord;
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

/// Suffixed candidates probed per query once the slug is taken.
const PROBE_BATCH: usize = 50;
/// Batches probed (suffixes `-2` to `-201`) before a suffix from a fresh id is used.
const PROBE_BATCHES: usize = 4;

/// The slug `post` will be stored with. Concurrent writes of the same base slug in the same
/// place are serialised by a transaction-scoped advisory lock, so two of them cannot pick the
/// same suffix.
///
/// Every probe is an exact lookup in `posts_slug_key`, so the cost does not grow with the
/// number of posts: the free slug costs one query; a taken one, one more per 50 suffixes.
pub async fn unique(
    tx: &mut TenantTx,
    post: &PostRecord,
    base: &str,
    on_conflict: OnConflict,
) -> ContentResult<String> {
    let base = if base.is_empty() {
        // WordPress falls back to the id; ours is long, its first part is enough with suffixes.
        format!(
            "{}-{}",
            post.post_type.as_str().replace('_', "-"),
            &post.id.to_string()[..8]
        )
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
    if taken(tx, post, std::slice::from_ref(&base)).await?.is_empty() {
        return Ok(base);
    }
    if on_conflict == OnConflict::Error {
        return Err(Conflict::SlugTaken(Some(base)).into());
    }
    // Room for `-` and a suffix of up to seven digits.
    let stem: String = base.chars().take(MAX_SLUG - 8).collect();
    for batch in 0..PROBE_BATCHES {
        let first = 2 + batch * PROBE_BATCH;
        let candidates: Vec<String> = (first..first + PROBE_BATCH).map(|n| format!("{stem}-{n}")).collect();
        let taken = taken(tx, post, &candidates).await?;
        if let Some(free) = candidates.into_iter().find(|c| !taken.contains(c)) {
            return Ok(free);
        }
    }
    let stem: String = base.chars().take(MAX_SLUG - 37).collect();
    Ok(format!("{stem}-{}", PostId::new()))
}

/// Which of `candidates` other posts in the same place hold. One equality probe of
/// `posts_slug_key` per candidate (its expression and predicate repeated): the lateral join
/// with `LIMIT 1` keeps the planner from the plan `slug = ANY(...)` gets on a table not yet
/// analysed, which scans every post of the type and filters the slug.
async fn taken(tx: &mut TenantTx, post: &PostRecord, candidates: &[String]) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT c.slug FROM unnest($3::text[]) AS c(slug) CROSS JOIN LATERAL ( \
           SELECT 1 FROM posts p WHERE p.type = $1 \
             AND coalesce(p.parent_id, '00000000-0000-0000-0000-000000000000') \
               = coalesce($2, '00000000-0000-0000-0000-000000000000'::uuid) \
             AND p.slug = c.slug AND p.status NOT IN ('trash', 'auto-draft') AND p.id <> $4 \
           LIMIT 1) AS hit",
    )
    .bind(&post.post_type)
    .bind(post.parent)
    .bind(candidates)
    .bind(post.id)
    .fetch_all(&mut **tx)
    .await
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
