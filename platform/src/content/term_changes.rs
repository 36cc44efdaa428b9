//! Creating, changing and deleting terms (`manage_categories`). The default category
//! ("Uncategorized") is kept, and posts a deletion leaves without a category fall back to it.

use super::caller::Caller;
use super::capability::MANAGE_TERMS;
use super::error::{Conflict, ContentError, ContentResult};
use super::ids::TermId;
use super::input::Problems;
use super::taxonomy::Taxonomy;
use super::terms::{DeletedTerm, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS, Term, TermInput, fetch};
use tenants::TenantTx;

/// The checked fields of an input; `name` is required when `creating`.
struct Checked {
    name: Option<String>,
    slug: Option<String>,
    description: Option<String>,
    parent: Option<Option<TermId>>,
}

fn check(input: TermInput, taxonomy: &Taxonomy, creating: bool) -> ContentResult<Checked> {
    let mut problems = Problems::default();
    let name = input.name.map(|n| n.trim().to_owned());
    match &name {
        None if creating => problems.add("name", "required"),
        Some(n) if n.is_empty() || n.chars().count() > MAX_NAME_CHARS => {
            problems.add("name", format!("1 to {MAX_NAME_CHARS} characters"));
        }
        _ => {}
    }
    // Nothing URL-safe left: as if no slug was given (WordPress makes one from the name).
    let slug = input
        .slug
        .map(|s| super::slug::sanitize(&s))
        .filter(|clean| !clean.is_empty());
    if input
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
    {
        problems.add("description", format!("at most {MAX_DESCRIPTION_CHARS} characters"));
    }
    if input.parent.flatten().is_some() && !taxonomy.hierarchical {
        problems.add("parent", format!("{} terms have no parents", taxonomy.name));
    }
    if !problems.0.is_empty() {
        return Err(ContentError::Invalid(problems.0));
    }
    Ok(Checked {
        name,
        slug,
        description: input.description,
        parent: input.parent,
    })
}

/// The parent must be a term of the same taxonomy, and (for an existing term) neither the
/// term itself nor one of its descendants.
async fn check_parent(
    tx: &mut TenantTx,
    taxonomy: &Taxonomy,
    parent: TermId,
    child: Option<TermId>,
) -> ContentResult<()> {
    let same_taxonomy: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM terms WHERE id = $1 AND taxonomy = $2)")
        .bind(parent)
        .bind(&taxonomy.name)
        .fetch_one(&mut **tx)
        .await?;
    if !same_taxonomy {
        return Err(ContentError::invalid_field(
            "parent",
            format!("no term of {} has that id", taxonomy.name),
        ));
    }
    let Some(child) = child else { return Ok(()) };
    let cycle: bool = sqlx::query_scalar(
        "WITH RECURSIVE up(id) AS (SELECT $1::uuid UNION SELECT t.parent_id FROM terms t JOIN up ON t.id = up.id \
           WHERE t.parent_id IS NOT NULL) \
         SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)",
    )
    .bind(parent)
    .bind(child)
    .fetch_one(&mut **tx)
    .await?;
    if cycle {
        return Err(ContentError::invalid_field(
            "parent",
            "a term cannot be its own ancestor",
        ));
    }
    Ok(())
}

fn constraint_problem(error: sqlx::Error) -> ContentError {
    match error.as_database_error().and_then(|e| e.constraint()) {
        Some("terms_slug_key") => Conflict::TermExists.into(),
        _ => error.into(),
    }
}

fn summary(term: &Term) -> serde_json::Value {
    serde_json::json!({ "taxonomy": term.taxonomy, "name": term.name, "slug": term.slug, "parent": term.parent })
}

/// Creates a term (`manage_categories`).
pub async fn create(tx: &mut TenantTx, who: Caller<'_>, taxonomy_name: &str, input: TermInput) -> ContentResult<Term> {
    let me = who.who;
    let taxonomy = Taxonomy::load(tx, taxonomy_name).await?;
    me.require(MANAGE_TERMS)?;
    let checked = check(input, &taxonomy, true)?;
    let name = checked.name.unwrap_or_default();
    let id = TermId::new();
    // A name with nothing URL-safe in it (`€`, `中`) gets a slug from the term's id, as a
    // post without a title does.
    let slug = checked
        .slug
        .or_else(|| Some(super::slug::sanitize(&name)).filter(|s| !s.is_empty()))
        .unwrap_or_else(|| format!("{}-{}", taxonomy.name.replace('_', "-"), &id.to_string()[..8]));
    let parent = checked.parent.flatten();
    if let Some(parent) = parent {
        check_parent(tx, &taxonomy, parent, None).await?;
    }
    sqlx::query("INSERT INTO terms (id, taxonomy, name, slug, description, parent_id) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(&taxonomy.name)
        .bind(&name)
        .bind(&slug)
        .bind(checked.description.unwrap_or_default())
        .bind(parent)
        .execute(&mut **tx)
        .await
        .map_err(constraint_problem)?;
    let term = fetch(tx, &taxonomy, id, false).await?;
    who.record(
        tx,
        "term.create",
        ("term", &id.to_string()),
        serde_json::json!({ "after": summary(&term) }),
    )
    .await?;
    Ok(term)
}

/// Changes a term's fields (`manage_categories`).
pub async fn update(
    tx: &mut TenantTx,
    who: Caller<'_>,
    taxonomy_name: &str,
    id: TermId,
    input: TermInput,
) -> ContentResult<Term> {
    let me = who.who;
    let taxonomy = Taxonomy::load(tx, taxonomy_name).await?;
    me.require(MANAGE_TERMS)?;
    let before = fetch(tx, &taxonomy, id, true).await?;
    let checked = check(input, &taxonomy, false)?;
    if let Some(Some(parent)) = checked.parent {
        check_parent(tx, &taxonomy, parent, Some(id)).await?;
    }
    sqlx::query(
        "UPDATE terms SET name = coalesce($2, name), slug = coalesce($3, slug), \
           description = coalesce($4, description), parent_id = CASE WHEN $5 THEN $6 ELSE parent_id END \
         WHERE id = $1",
    )
    .bind(id)
    .bind(checked.name)
    .bind(checked.slug)
    .bind(checked.description)
    .bind(checked.parent.is_some())
    .bind(checked.parent.flatten())
    .execute(&mut **tx)
    .await
    .map_err(constraint_problem)?;
    let term = fetch(tx, &taxonomy, id, false).await?;
    let details = serde_json::json!({ "before": summary(&before), "after": summary(&term) });
    who.record(tx, "term.update", ("term", &id.to_string()), details)
        .await?;
    Ok(term)
}

/// Deletes a term (`manage_categories`; terms have no trash). Its children move up to its
/// parent; posts it leaves without a category get the default one. The default category
/// itself cannot be deleted.
pub async fn delete(tx: &mut TenantTx, who: Caller<'_>, taxonomy_name: &str, id: TermId) -> ContentResult<DeletedTerm> {
    let me = who.who;
    let taxonomy = Taxonomy::load(tx, taxonomy_name).await?;
    me.require(MANAGE_TERMS)?;
    let term = fetch(tx, &taxonomy, id, true).await?;
    if taxonomy.name == "category" && term.slug == "uncategorized" {
        return Err(Conflict::DefaultTerm.into());
    }
    sqlx::query(
        "WITH moved AS (UPDATE terms SET parent_id = $2 WHERE parent_id = $1), \
         orphaned AS (SELECT pt.post_id FROM post_terms pt WHERE pt.term_id = $1 AND $3 AND NOT EXISTS \
           (SELECT 1 FROM post_terms o JOIN terms c ON c.id = o.term_id \
             WHERE o.post_id = pt.post_id AND c.taxonomy = 'category' AND c.id <> $1)) \
         INSERT INTO post_terms (post_id, term_id) \
           SELECT o.post_id, d.id FROM orphaned o, terms d WHERE d.taxonomy = 'category' AND d.slug = 'uncategorized' \
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(term.parent)
    .bind(taxonomy.name == "category")
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM terms WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    who.record(
        tx,
        "term.delete",
        ("term", &id.to_string()),
        serde_json::json!({ "before": summary(&term) }),
    )
    .await?;
    Ok(DeletedTerm {
        deleted: true,
        previous: term,
    })
}
