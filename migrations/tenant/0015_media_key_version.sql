-- Which data-key version sealed each media object, so a rotation re-seals exactly the
-- objects not yet under the primary key, and destroying an old version can first check that
-- nothing is left under it. NULL: sealed before this column (a rewrap reads the object's
-- header and fills it in).
ALTER TABLE media ADD COLUMN key_version integer CHECK (key_version > 0);
