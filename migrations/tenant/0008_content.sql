-- Content with WordPress parity (the seed's posts, post_meta and taxonomy tables) and the
-- healthcare extensions of its database design. Built-in post types (post, page) and
-- taxonomies (category, post_tag) are defined in code; tenants and plugins add their own here.

CREATE TABLE post_types (
    name              text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_-]{0,19}$'),
    label             text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    hierarchical      boolean NOT NULL DEFAULT false,
    -- Which family of capabilities applies: edit_posts ... ('post') or edit_pages ... ('page').
    capability_type   text NOT NULL DEFAULT 'post' CHECK (capability_type IN ('post', 'page')),
    revisions_to_keep integer NOT NULL DEFAULT 25 CHECK (revisions_to_keep BETWEEN 0 AND 1000),
    -- `tenant`, or `plugin:{name}` for types a plugin registers.
    registered_by     text NOT NULL DEFAULT 'tenant',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE posts (
    id                           uuid PRIMARY KEY,
    type                         text NOT NULL,
    status                       text NOT NULL
                                 CHECK (status IN ('draft', 'pending', 'publish', 'future', 'private', 'trash', 'auto-draft')),
    title                        text NOT NULL DEFAULT '',
    content                      text NOT NULL DEFAULT '',
    excerpt                      text NOT NULL DEFAULT '',
    slug                         text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    parent_id                    uuid REFERENCES posts (id) ON DELETE SET NULL,
    menu_order                   integer NOT NULL DEFAULT 0,
    author_id                    uuid NOT NULL REFERENCES users (id),
    comment_status               text NOT NULL DEFAULT 'open' CHECK (comment_status IN ('open', 'closed')),
    ping_status                  text NOT NULL DEFAULT 'open' CHECK (ping_status IN ('open', 'closed')),
    -- WordPress's post password: a gate on reading, shown to editors, so not a hash.
    password                     text NOT NULL DEFAULT '',
    sticky                       boolean NOT NULL DEFAULT false,
    template                     text NOT NULL DEFAULT '',
    format                       text NOT NULL DEFAULT 'standard',
    featured_media               uuid,
    -- `date` and `modified` in the tenant's time zone are derived from these on output.
    date_gmt                     timestamptz NOT NULL,
    modified_gmt                 timestamptz NOT NULL,
    guid                         text NOT NULL,
    -- Counts saves; the ETag. An update must name the version it read (If-Match).
    version                      bigint NOT NULL DEFAULT 1,
    last_editor_id               uuid REFERENCES users (id),
    created_at                   timestamptz NOT NULL DEFAULT now(),
    -- Healthcare extensions.
    medical_content              boolean NOT NULL DEFAULT false,
    medical_disclaimer           text,
    evidence_level               text CHECK (evidence_level IN ('I', 'II', 'III', 'IV')),
    scientific_references        jsonb NOT NULL DEFAULT '[]',
    professional_review_required boolean NOT NULL DEFAULT false,
    professional_reviewer_id     uuid REFERENCES users (id),
    medical_approval_status      text NOT NULL DEFAULT 'pending'
                                 CHECK (medical_approval_status IN ('pending', 'approved', 'rejected')),
    medical_approved_at          timestamptz,
    contains_patient_data        boolean NOT NULL DEFAULT false,
    anonymization_applied        boolean NOT NULL DEFAULT false,
    consent_for_publication      boolean NOT NULL DEFAULT false,
    seo_title                    text CHECK (length(seo_title) <= 160),
    seo_description              text CHECK (length(seo_description) <= 320),
    medical_keywords             jsonb NOT NULL DEFAULT '[]',
    target_audience              text CHECK (target_audience IN ('professionals', 'patients', 'general')),
    -- Full-text search: title outweighs excerpt outweighs content. The `simple` configuration
    -- (no stemming, any language); HTML tags are not indexed.
    search                       tsvector GENERATED ALWAYS AS (
                                     setweight(to_tsvector('simple', title), 'A')
                                     || setweight(to_tsvector('simple', excerpt), 'B')
                                     || setweight(to_tsvector('simple', content), 'C')) STORED
);
-- WordPress's wp_unique_post_slug: unique per type, and per parent for hierarchical types.
-- Trashed posts and auto-drafts hold no slug; a restored post is re-suffixed when needed.
CREATE UNIQUE INDEX posts_slug_key ON posts (type, coalesce(parent_id, '00000000-0000-0000-0000-000000000000'), slug)
    WHERE status NOT IN ('trash', 'auto-draft');
CREATE INDEX posts_listing_idx ON posts (type, status, date_gmt DESC, id DESC);
CREATE INDEX posts_author_idx ON posts (author_id, type);
CREATE INDEX posts_parent_idx ON posts (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX posts_search_idx ON posts USING gin (search);

-- One JSON value per key and post (WordPress's `single` meta). Keys starting with `_` are
-- protected: shown only in the edit context.
CREATE TABLE post_meta (
    post_id uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    key     text NOT NULL CHECK (key ~ '^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,254}$'),
    value   jsonb NOT NULL,
    PRIMARY KEY (post_id, key)
);

-- A copy of a post's text as each save left it (title, content, excerpt and meta).
CREATE TABLE post_revisions (
    id           uuid PRIMARY KEY,
    post_id      uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    post_version bigint NOT NULL,
    author_id    uuid NOT NULL REFERENCES users (id),
    title        text NOT NULL,
    content      text NOT NULL,
    excerpt      text NOT NULL,
    meta         jsonb NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX post_revisions_post_idx ON post_revisions (post_id, post_version DESC);

CREATE TABLE taxonomies (
    name          text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_-]{0,31}$'),
    label         text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    hierarchical  boolean NOT NULL DEFAULT false,
    object_types  text[] NOT NULL DEFAULT '{post}',
    registered_by text NOT NULL DEFAULT 'tenant',
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE terms (
    id          uuid PRIMARY KEY,
    taxonomy    text NOT NULL,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    slug        text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    description text NOT NULL DEFAULT '',
    parent_id   uuid REFERENCES terms (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT terms_slug_key UNIQUE (taxonomy, slug)
);
-- WordPress's default category.
INSERT INTO terms (id, taxonomy, name, slug) VALUES (gen_random_uuid(), 'category', 'Uncategorized', 'uncategorized');

CREATE TABLE post_terms (
    post_id uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    term_id uuid NOT NULL REFERENCES terms (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, term_id)
);
CREATE INDEX post_terms_term_idx ON post_terms (term_id, post_id);

-- The media library. Bytes live in object storage under the tenant's prefix.
CREATE TABLE media (
    id           uuid PRIMARY KEY,
    author_id    uuid NOT NULL REFERENCES users (id),
    post_id      uuid REFERENCES posts (id) ON DELETE SET NULL,
    title        text NOT NULL DEFAULT '',
    alt_text     text NOT NULL DEFAULT '',
    caption      text NOT NULL DEFAULT '',
    filename     text NOT NULL,
    mime_type    text NOT NULL,
    size_bytes   bigint NOT NULL CHECK (size_bytes >= 0),
    width        integer,
    height       integer,
    sha256       bytea NOT NULL CHECK (length(sha256) = 32),
    storage_key  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    modified_gmt timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX media_created_idx ON media (created_at DESC, id DESC);
CREATE INDEX media_post_idx ON media (post_id) WHERE post_id IS NOT NULL;

-- Jobs asked for in a tenant transaction (a scheduled publication, say) pass through here
-- to the platform's queue; nothing stays in this table (see platform.enqueue_tenant_job).
CREATE TABLE job_requests (
    kind    text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}',
    run_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER job_requests_to_platform BEFORE INSERT ON job_requests
    FOR EACH ROW EXECUTE FUNCTION platform.enqueue_tenant_job();
