//! Host bindings generated from `sdk/wit/plugin.wit`, the one source of truth.

wasmtime::component::bindgen!({
    path: "../sdk/wit",
    world: "plugin",
    imports: { default: async | trappable },
    exports: { default: async },
});
