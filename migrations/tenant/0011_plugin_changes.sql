-- Plugin installs announce `plugins:` instead of `content:` (see the platform's
-- notify_plugins_changed).
DROP TRIGGER plugin_installs_changed ON plugin_installs;
CREATE TRIGGER plugin_installs_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON plugin_installs
    FOR EACH STATEMENT EXECUTE FUNCTION platform.notify_plugins_changed();
