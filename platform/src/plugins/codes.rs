//! The problem codes of plugins; see `crate::problem_codes`.

use crate::problem_codes::problem_codes;

problem_codes! {
    /// Problems of plugins.
    pub enum PluginCode in "plugins" {
        /// no plugin of that name is installed in this tenant
        PluginNotFound = (404, "plugin_not_found"),
        /// the catalogue has no plugin of that name
        PluginNotInCatalogue = (404, "plugin_not_in_catalogue"),
        /// built-in plugins stay in the catalogue, and their names are theirs
        PluginBuiltin = (409, "plugin_builtin"),
        /// a plugin of that name is installed already: uninstall it first
        PluginInstalled = (409, "plugin_installed"),
        /// the plan's plugin quota (plugins installed, bytes of uploaded components) is reached:
        /// uninstall one first
        PluginQuotaExceeded = (409, "plugin_quota_exceeded"),
        /// a plugin component over 16 MiB
        PluginTooLarge = (413, "plugin_too_large"),
        /// an uploaded plugin is refused; `detail` says why: not WebAssembly, a core module instead
        /// of a component, another world, an unsupported `platform:plugin` version, an import
        /// plugins are not given, or a description that does not check
        InvalidPlugin = (422, "invalid_plugin"),
        /// the plan's compile time for plugin uploads is spent for now; see `Retry-After`
        PluginCompileBudget = (429, "plugin_compile_budget"),
    }
}
