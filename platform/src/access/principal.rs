use super::builtin_roles::builtin_role;
use super::meta_cap::{MetaCap, Required, map_meta_cap};
use crate::access::codes::AccessCode;
use crate::auth::codes::AuthCode;
use crate::auth::tokens::TenantSubject;
use crate::http::{ApiError, ApiResult};
use std::collections::HashSet;
use tenants::{TenantTx, UserId};
use uuid::Uuid;

/// A signed-in user with the capabilities of all their roles, loaded inside the request's
/// tenant transaction together with the state of their session: a role change, a
/// deactivation, a logout or a revoked session takes effect on the next request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: UserId,
    pub session_id: Uuid,
    pub roles: Vec<String>,
    /// The session was opened with a second factor.
    pub mfa: bool,
    /// The tenant requires MFA for one of the user's roles (`mfa_required_roles`).
    pub mfa_required_by_policy: bool,
    capabilities: HashSet<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    roles: Vec<String>,
    status: String,
    session_live: Option<bool>,
    mfa: Option<bool>,
    mfa_roles: Vec<String>,
}

impl Principal {
    /// The caller, for any route. When the tenant requires MFA for one of their roles and
    /// this session was opened without it, only enrolment is open to them: 403
    /// `mfa_enrolment_required` everywhere else.
    pub async fn load(tx: &mut TenantTx, subject: &TenantSubject) -> ApiResult<Self> {
        let me = Self::load_during_enrolment(tx, subject).await?;
        if me.mfa_required_by_policy && !me.mfa {
            return Err(ApiError::of(
                AccessCode::MfaEnrolmentRequired,
                "your organisation requires MFA for your role: enrol at /api/v1/auth/mfa/totp, or sign in with a code",
            ));
        }
        Ok(me)
    }

    /// The caller, without the MFA policy: for enrolling in MFA, reading `me` and signing out.
    /// One query: the user, their roles, whether the token's session is still live, and the
    /// tenant's MFA policy.
    pub async fn load_during_enrolment(tx: &mut TenantTx, subject: &TenantSubject) -> ApiResult<Self> {
        let TenantSubject { user_id, session_id } = *subject;
        let row: Option<Row> = sqlx::query_as(
            "SELECT u.roles, u.status, s.revoked_at IS NULL AND s.expires_at > now() AS session_live, s.mfa, \
               ARRAY(SELECT jsonb_array_elements_text(coalesce(st.document->'mfa_required_roles', '[]')) \
                     FROM settings st) AS mfa_roles \
             FROM users u LEFT JOIN sessions s ON s.id = $2 AND s.user_id = u.id WHERE u.id = $1",
        )
        .bind(user_id)
        .bind(session_id)
        .fetch_optional(&mut **tx)
        .await?;
        let (roles, mfa, mfa_roles) = match row {
            None => {
                return Err(ApiError::of(
                    AuthCode::InvalidToken,
                    "the access token's user no longer exists",
                ));
            }
            Some(row) if row.status != "active" => {
                return Err(ApiError::of(AuthCode::AccountDisabled, "this account is disabled"));
            }
            Some(row) if row.session_live != Some(true) => {
                return Err(ApiError::of(
                    AuthCode::SessionEnded,
                    "this session has ended; sign in again",
                ));
            }
            Some(row) => (row.roles, row.mfa.unwrap_or(false), row.mfa_roles),
        };
        let mfa_required_by_policy = roles.iter().any(|r| mfa_roles.contains(r));
        let mut capabilities = HashSet::new();
        let mut custom = Vec::new();
        for role in &roles {
            match builtin_role(role) {
                Some(builtin) => capabilities.extend(builtin.capabilities.iter().map(|c| (*c).to_owned())),
                None => custom.push(role.clone()),
            }
        }
        if !custom.is_empty() {
            let caps: Vec<Vec<String>> = sqlx::query_scalar("SELECT capabilities FROM roles WHERE name = ANY($1)")
                .bind(&custom)
                .fetch_all(&mut **tx)
                .await?;
            capabilities.extend(caps.into_iter().flatten());
        }
        Ok(Self {
            user_id,
            session_id,
            roles,
            mfa,
            mfa_required_by_policy,
            capabilities,
        })
    }

    pub fn has(&self, capability: &str) -> bool {
        self.capabilities.contains(capability)
    }

    /// 403 naming the missing capability.
    pub fn require(&self, capability: &str) -> ApiResult<()> {
        if self.has(capability) {
            Ok(())
        } else {
            Err(missing(capability))
        }
    }

    /// A question about one object, answered as WordPress's `current_user_can( 'edit_post', $id )`.
    pub fn can(&self, meta: MetaCap<'_>) -> bool {
        match map_meta_cap(meta, self.user_id) {
            Required::Nobody => false,
            Required::All(caps) => caps.iter().all(|c| self.has(c)),
        }
    }

    pub fn require_meta(&self, meta: MetaCap<'_>) -> ApiResult<()> {
        match map_meta_cap(meta, self.user_id) {
            Required::Nobody => Err(ApiError::of(AccessCode::Forbidden, "nobody may do this")),
            Required::All(caps) => caps.iter().try_for_each(|c| self.require(c)),
        }
    }

    pub fn capabilities(&self) -> impl Iterator<Item = &str> {
        self.capabilities.iter().map(String::as_str)
    }
}

pub fn missing(capability: &str) -> ApiError {
    ApiError::of(
        AccessCode::MissingCapability,
        format!("this needs the capability {capability}"),
    )
}
