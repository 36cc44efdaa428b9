-- Announce every change to what public content responses show (see the platform's
-- notify_content_changed). One notification per statement, deduplicated per transaction.
CREATE TRIGGER posts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON posts
    FOR EACH STATEMENT EXECUTE FUNCTION platform.notify_content_changed();
CREATE TRIGGER post_meta_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON post_meta
    FOR EACH STATEMENT EXECUTE FUNCTION platform.notify_content_changed();
CREATE TRIGGER post_terms_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON post_terms
    FOR EACH STATEMENT EXECUTE FUNCTION platform.notify_content_changed();
CREATE TRIGGER terms_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON terms
    FOR EACH STATEMENT EXECUTE FUNCTION platform.notify_content_changed();
CREATE TRIGGER media_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON media
    FOR EACH STATEMENT EXECUTE FUNCTION platform.notify_content_changed();
CREATE TRIGGER settings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON settings
    FOR EACH STATEMENT EXECUTE FUNCTION platform.notify_content_changed();
CREATE TRIGGER post_types_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON post_types
    FOR EACH STATEMENT EXECUTE FUNCTION platform.notify_content_changed();
CREATE TRIGGER taxonomies_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON taxonomies
    FOR EACH STATEMENT EXECUTE FUNCTION platform.notify_content_changed();
