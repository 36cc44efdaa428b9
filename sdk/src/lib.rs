//! The SDK for platform plugins.
//!
//! A plugin is a WebAssembly component built with `cargo build --release --target
//! wasm32-wasip2`. Implement [`Plugin`] and export it:
//!
//! ```ignore
//! use platform_plugin_sdk::prelude::*;
//!
//! struct Shout;
//!
//! impl Plugin for Shout {
//!     fn describe() -> Info {
//!         Info::new("shout", "1.0.0", "Upper-cases post titles").filter(hooks::PRE_SAVE, 10)
//!     }
//!
//!     fn filter(_ctx: &Context, _hook: &str, mut payload: Payload) -> Result<Payload, Rejection> {
//!         if let Some(title) = payload.post_mut().and_then(|p| p.get_mut("title")) {
//!             *title = title.as_str().unwrap_or("").to_uppercase().into();
//!         }
//!         Ok(payload)
//!     }
//! }
//!
//! export_plugin!(Shout);
//! ```
//!
//! See `sdk/GUIDE.md` for the whole walk from `cargo new` to seeing it run.

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "plugin",
        pub_export_macro: true,
        export_macro_name: "__export_raw",
        default_bindings_module: "platform_plugin_sdk::bindings",
    });
}

pub mod host;
mod payload;
mod plugin;

pub use payload::{Payload, PreSave, Saved, Transition};
pub use plugin::{Capability, Context, Info, Plugin, Rejection, hooks};

/// Everything a plugin usually needs.
pub mod prelude {
    pub use crate::host::{config, crypto, kv, log};
    pub use crate::{Capability, Context, Info, Payload, Plugin, Rejection, export_plugin, hooks};
    pub use serde_json::{Value, json};
}

/// Exports a type implementing [`Plugin`] as the component's `guest` interface. Only when
/// building for WebAssembly: a native build of the same crate (its tests, a benchmark) has no
/// component exports.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        #[doc(hidden)]
        #[cfg(target_arch = "wasm32")]
        pub struct __PlatformPluginExport;

        #[cfg(target_arch = "wasm32")]
        impl $crate::bindings::exports::platform::plugin::guest::Guest for __PlatformPluginExport {
            fn describe() -> $crate::bindings::platform::plugin::types::PluginInfo {
                $crate::__private::describe::<$plugin>()
            }

            fn filter(
                context: $crate::bindings::platform::plugin::types::CallContext,
                hook: ::std::string::String,
                payload: ::std::string::String,
            ) -> ::std::result::Result<::std::string::String, $crate::bindings::platform::plugin::types::Rejection> {
                $crate::__private::filter::<$plugin>(context, hook, payload)
            }

            fn action(
                context: $crate::bindings::platform::plugin::types::CallContext,
                hook: ::std::string::String,
                event: ::std::string::String,
            ) -> ::std::result::Result<(), ::std::string::String> {
                $crate::__private::action::<$plugin>(context, hook, event)
            }
        }

        #[cfg(target_arch = "wasm32")]
        $crate::bindings::__export_raw!(__PlatformPluginExport with_types_in $crate::bindings);

        /// The plugin's entry points as plain functions, for native tests and benchmarks.
        #[cfg(not(target_arch = "wasm32"))]
        pub mod native {
            #[allow(unused_imports)]
            use super::*;

            pub fn describe() -> $crate::Info {
                <$plugin as $crate::Plugin>::describe()
            }
            pub fn filter(
                context: &$crate::Context,
                hook: &str,
                payload: $crate::Payload,
            ) -> ::std::result::Result<$crate::Payload, $crate::Rejection> {
                <$plugin as $crate::Plugin>::filter(context, hook, payload)
            }
            pub fn action(context: &$crate::Context, hook: &str, event: $crate::Payload) -> ::std::result::Result<(), ::std::string::String> {
                <$plugin as $crate::Plugin>::action(context, hook, event)
            }
        }
    };
}

#[doc(hidden)]
pub mod __private {
    pub use crate::plugin::{action, describe, filter};
}
