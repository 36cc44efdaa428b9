//! The healthcare extensions of a post (the seed's design): review and approval, evidence,
//! patient data and consent, SEO. Declared once, in [`MedicalFields`], and flattened into the
//! row a read gets, the record a save writes and filters receive, and the view readers get.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tenants::UserId;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType};

/// Where a post's medical review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApprovalStatus {
    #[default]
    Pending,
    Approved,
    Rejected,
}

impl ApprovalStatus {
    pub const ALL: [Self; 3] = [Self::Pending, Self::Approved, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl TryFrom<String> for ApprovalStatus {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        Self::parse(&text).ok_or_else(|| format!("unknown medical approval status {text:?}"))
    }
}

/// A post's healthcare fields. The JSON names are the columns' (the reviewer's column is
/// `professional_reviewer_id`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct MedicalFields {
    pub medical_content: bool,
    pub medical_disclaimer: Option<String>,
    /// I to IV (evidence-based medicine).
    pub evidence_level: Option<String>,
    #[sqlx(json)]
    pub scientific_references: Vec<Value>,
    pub professional_review_required: bool,
    #[sqlx(rename = "professional_reviewer_id")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub professional_reviewer: Option<UserId>,
    /// `pending`, `approved` or `rejected`.
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub medical_approval_status: ApprovalStatus,
    pub medical_approved_at: Option<DateTime<Utc>>,
    pub contains_patient_data: bool,
    pub anonymization_applied: bool,
    pub consent_for_publication: bool,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    #[sqlx(json)]
    pub medical_keywords: Vec<String>,
    /// `professionals`, `patients` or `general`.
    pub target_audience: Option<String>,
}

impl MedicalFields {
    /// Identifiable patient data (flagged, neither anonymised nor consented for publication):
    /// protected health information.
    pub fn is_phi(&self) -> bool {
        self.contains_patient_data && !self.anonymization_applied && !self.consent_for_publication
    }

    /// These fields as the API document has always shown them in a post's view: lists as any
    /// JSON, and without the notes the record's schema carries. The view flattens the same
    /// fields as the record; only its documentation differs, and the document must not change.
    pub fn as_viewed() -> Schema {
        let mut schema = match <Self as utoipa::PartialSchema>::schema() {
            RefOr::T(Schema::Object(object)) => object,
            _ => return ObjectBuilder::new().into(),
        };
        for property in schema.properties.values_mut() {
            match property {
                RefOr::T(Schema::Array(_)) => {
                    *property = ObjectBuilder::new().schema_type(SchemaType::AnyValue).into();
                }
                RefOr::T(Schema::Object(field)) => field.description = None,
                _ => {}
            }
        }
        Schema::Object(schema)
    }
}
