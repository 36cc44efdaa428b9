//! The WebAssembly plugin host. Plugins are components of the world `platform:plugin@0.1.0`
//! (`sdk/wit/plugin.wit`); this crate checks them, compiles them once per digest, and runs each
//! call in a fresh sandbox under the limits of [`Limits`]. It knows nothing of tenants or HTTP:
//! the platform gives every call [`Services`] already bound to one tenant and one plugin.

pub mod artifact;
mod bindings;
mod call_state;
pub mod info;
pub mod limits;
mod runtime;
pub mod services;

pub use artifact::{ArtifactError, Digest};
pub use bindings::platform::plugin::types::{CallContext, FieldError, Rejection};
pub use info::{Capabilities, Capability, PluginInfo};
pub use limits::{EngineLimits, Limit, Limits};
pub use runtime::{CallError, CallSetup, Compiled, Runtime};
pub use services::{NoServices, ServiceError, Services};
