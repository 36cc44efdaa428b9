use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares a typed id over a UUID, so ids of different things cannot be mixed up.
#[macro_export]
macro_rules! decl_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(::serde::Serialize, ::serde::Deserialize, ::sqlx::Type)]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(::uuid::Uuid);

        impl $name {
            /// A new, time-ordered id (UUIDv7), so inserts append to the index.
            pub fn new() -> Self {
                Self(::uuid::Uuid::now_v7())
            }
            pub const fn from_uuid(id: ::uuid::Uuid) -> Self {
                Self(id)
            }
            pub const fn as_uuid(&self) -> &::uuid::Uuid {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                ::uuid::Uuid::parse_str(s).map(Self)
            }
        }
    };
}

decl_id!(
    /// Identifies a tenant everywhere: control plane rows, token audiences, key bindings.
    TenantId
);
decl_id!(
    /// Identifies a user inside one tenant.
    UserId
);
decl_id!(
    /// Identifies a platform operator.
    OperatorId
);

/// A key version: 1 for the first data key of a tenant, counting up with each rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KeyVersion(u32);

impl KeyVersion {
    pub const FIRST: Self = Self(1);

    pub const fn new(version: u32) -> Option<Self> {
        if version == 0 { None } else { Some(Self(version)) }
    }
    pub const fn get(self) -> u32 {
        self.0
    }
    pub fn next(self) -> Self {
        Self(self.0 + 1)
    }
    pub(crate) fn from_db(version: i32) -> Self {
        Self(u32::try_from(version).unwrap_or(0))
    }
    pub fn to_db(self) -> i32 {
        i32::try_from(self.0).unwrap_or(i32::MAX)
    }
}

impl fmt::Display for KeyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}
