//! The trait a plugin implements, and what it says about itself.

use crate::bindings::platform::plugin::types as wit;
use crate::payload::Payload;

/// Hook names, as in `docs/hooks.md`.
pub mod hooks {
    /// Filter: every write of a post, before it is stored. Payload [`crate::PreSave`].
    pub const PRE_SAVE: &str = "content.pre_save";
    /// Filter: a post becoming publicly visible. Payload [`crate::PreSave`].
    pub const PRE_PUBLISH: &str = "content.pre_publish";
    /// Filter: a post about to be returned by the API. Payload `{post, response}`.
    pub const PREPARE_RESPONSE: &str = "content.prepare_response";
    /// Action: a post's status changed. Event [`crate::Transition`].
    pub const TRANSITION: &str = "content.transition";
    /// Action: a post was saved. Event [`crate::Saved`].
    pub const SAVED: &str = "content.saved";
    /// Action: a post was published. Event [`crate::Saved`].
    pub const PUBLISHED: &str = "content.published";
    /// Action: a post was deleted. Event [`crate::Saved`].
    pub const DELETED: &str = "content.deleted";
}

/// A host capability a plugin asks for; the tenant's administrator grants it at install.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// [`crate::host::kv`]: storage private to the plugin in the tenant.
    Kv,
    /// [`crate::host::crypto`]: sealing values with the tenant's key.
    Crypto,
    /// The wall clock (without it, time reads zero).
    Clock,
}

impl Capability {
    fn name(self) -> &'static str {
        match self {
            Self::Kv => "kv",
            Self::Crypto => "crypto",
            Self::Clock => "clock",
        }
    }
}

/// What a plugin says about itself, built with chained calls.
#[derive(Debug, Clone)]
pub struct Info {
    name: String,
    version: String,
    description: String,
    hooks: Vec<(String, i32)>,
    capabilities: Vec<Capability>,
    config_schema: serde_json::Value,
}

impl Info {
    /// `name`: lower-case letters, digits and hyphens. `version`: semantic (`1.0.0`).
    pub fn new(name: &str, version: &str, description: &str) -> Self {
        Self {
            name: name.to_owned(),
            version: version.to_owned(),
            description: description.to_owned(),
            hooks: Vec::new(),
            capabilities: Vec::new(),
            config_schema: serde_json::json!({"type": "object"}),
        }
    }

    /// Subscribes to a filter hook at a priority (lower runs first; 10 is the default).
    pub fn filter(mut self, hook: &str, priority: i32) -> Self {
        self.hooks.push((hook.to_owned(), priority));
        self
    }

    /// Subscribes to an action hook at a priority.
    pub fn action(self, hook: &str, priority: i32) -> Self {
        self.filter(hook, priority)
    }

    pub fn capability(mut self, capability: Capability) -> Self {
        self.capabilities.push(capability);
        self
    }

    /// The JSON Schema the tenant's configuration of this plugin must satisfy.
    pub fn config_schema(mut self, schema: serde_json::Value) -> Self {
        self.config_schema = schema;
        self
    }
}

/// Who a hook runs for.
#[derive(Debug, Clone)]
pub struct Context {
    /// The signed-in user, or none for the system (a scheduled publication).
    pub user_id: Option<String>,
    /// The signed-in user's roles.
    pub user_roles: Vec<String>,
    pub request_id: Option<String>,
}

/// A filter's refusal: the message reaches the user in a 422, with one entry per field.
#[derive(Debug, Clone, Default)]
pub struct Rejection {
    pub message: String,
    pub fields: Vec<(String, String)>,
}

impl Rejection {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// Adds a problem with one field (`acf.dose_mg`, say).
    pub fn field(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.fields.push((field.into(), message.into()));
        self
    }
}

/// A plugin. Every method has a default that does nothing, so implement only the hooks you
/// subscribed to in [`Plugin::describe`].
pub trait Plugin {
    fn describe() -> Info;

    /// A filter hook: return the payload, changed or not, or a rejection.
    fn filter(context: &Context, hook: &str, payload: Payload) -> Result<Payload, Rejection> {
        let _ = (context, hook);
        Ok(payload)
    }

    /// An action hook, after the write committed. An error is logged and counted.
    fn action(context: &Context, hook: &str, event: Payload) -> Result<(), String> {
        let _ = (context, hook, event);
        Ok(())
    }
}

pub fn describe<P: Plugin>() -> wit::PluginInfo {
    let info = P::describe();
    wit::PluginInfo {
        name: info.name,
        version: info.version,
        description: info.description,
        hooks: info
            .hooks
            .into_iter()
            .map(|(hook, priority)| wit::Subscription { hook, priority })
            .collect(),
        capabilities: info.capabilities.iter().map(|c| c.name().to_owned()).collect(),
        config_schema: info.config_schema.to_string(),
    }
}

fn context(raw: wit::CallContext) -> Context {
    Context {
        user_id: raw.user_id,
        user_roles: raw.user_roles,
        request_id: raw.request_id,
    }
}

pub fn filter<P: Plugin>(raw: wit::CallContext, hook: String, payload: String) -> Result<String, wit::Rejection> {
    let payload = Payload::parse(&payload).map_err(|e| wit::Rejection {
        message: format!("the plugin could not read the payload: {e}"),
        fields: Vec::new(),
    })?;
    match P::filter(&context(raw), &hook, payload) {
        Ok(payload) => Ok(payload.to_json()),
        Err(rejection) => Err(wit::Rejection {
            message: rejection.message,
            fields: rejection
                .fields
                .into_iter()
                .map(|(field, message)| wit::FieldError { field, message })
                .collect(),
        }),
    }
}

pub fn action<P: Plugin>(raw: wit::CallContext, hook: String, event: String) -> Result<(), String> {
    let event = Payload::parse(&event).map_err(|e| format!("the plugin could not read the event: {e}"))?;
    P::action(&context(raw), &hook, event)
}
