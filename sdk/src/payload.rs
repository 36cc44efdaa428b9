//! Hook payloads. A [`Payload`] is the JSON the hook carries; the typed views ([`PreSave`],
//! [`Saved`], [`Transition`]) are for reading. Fields this SDK version does not know survive a
//! round trip, so an older plugin never drops what a newer platform sends.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A hook's payload or event, as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload(pub Value);

impl Payload {
    pub fn parse(text: &str) -> serde_json::Result<Self> {
        serde_json::from_str(text).map(Self)
    }

    pub fn to_json(&self) -> String {
        self.0.to_string()
    }

    /// The post of a `content.*` payload.
    pub fn post(&self) -> Option<&Map<String, Value>> {
        self.0.get("post")?.as_object()
    }

    pub fn post_mut(&mut self) -> Option<&mut Map<String, Value>> {
        self.0.get_mut("post")?.as_object_mut()
    }

    /// Reads the payload as one of the typed views.
    pub fn typed<T: for<'de> Deserialize<'de>>(&self) -> serde_json::Result<T> {
        T::deserialize(&self.0)
    }
}

/// `content.pre_save` and `content.pre_publish`: the post as it will be stored, the post as it
/// was (none on create), and the request's `acf` object, if it sent one.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PreSave {
    pub post: Post,
    pub previous: Option<Post>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acf: Option<Value>,
}

/// `content.saved`, `content.published`, `content.deleted`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Saved {
    pub post: Post,
    pub update: bool,
}

/// `content.transition`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transition {
    pub post: Value,
    #[serde(rename = "type")]
    pub post_type: String,
    pub old_status: Option<String>,
    pub new_status: String,
}

/// A post, with the fields plugins use most; the rest is kept in `other`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Post {
    #[serde(default)]
    pub id: Option<Value>,
    #[serde(rename = "type")]
    pub post_type: String,
    pub status: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub parent: Option<Value>,
    #[serde(default)]
    pub template: Option<String>,
    /// Meta keys to JSON values; `null` removes a key.
    #[serde(default)]
    pub meta: Map<String, Value>,
    /// Term ids by taxonomy.
    #[serde(default)]
    pub terms: Map<String, Value>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}
