//! What one plugin call may use. The engine enforces each of them; a call over any limit ends
//! with [`crate::CallError::Limit`] naming it.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Per-call limits. The platform picks them per tenant plan; [`Limits::default`] is the
/// standard plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Wall-clock time of the call, host calls included, in milliseconds.
    pub deadline_ms: u64,
    /// Fuel: roughly one unit per WebAssembly instruction.
    pub fuel: u64,
    /// Linear memory of the plugin, all its memories together, in bytes.
    pub memory_bytes: usize,
    /// The payload passed in, and the payload or event returned, in bytes.
    pub payload_bytes: usize,
    /// What the plugin may log per call (its log calls and stderr together), in bytes.
    pub log_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            deadline_ms: 100,
            fuel: 50_000_000,
            memory_bytes: 32 << 20,
            payload_bytes: 1 << 20,
            log_bytes: 16 << 10,
        }
    }
}

impl Limits {
    pub fn deadline(&self) -> Duration {
        Duration::from_millis(self.deadline_ms)
    }
}

/// The limits fixed for the whole engine, because WebAssembly code is compiled against them.
#[derive(Debug, Clone, Copy)]
pub struct EngineLimits {
    /// The highest memory any plan may grant; the pooling allocator reserves slots this large.
    pub max_memory_bytes: usize,
    /// WebAssembly stack per call. Deep recursion past it traps as a stack overflow.
    pub stack_bytes: usize,
    /// Plugin calls running at once in this process; more wait for a slot.
    pub concurrent_calls: u32,
    /// Largest component accepted, in bytes.
    pub max_artifact_bytes: usize,
}

impl Default for EngineLimits {
    fn default() -> Self {
        Self {
            max_memory_bytes: 256 << 20,
            stack_bytes: 512 << 10,
            concurrent_calls: 128,
            max_artifact_bytes: 16 << 20,
        }
    }
}

/// Which limit a call ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    Deadline,
    Fuel,
    Memory,
    Stack,
    PayloadIn,
    PayloadOut,
}

impl Limit {
    pub fn name(self) -> &'static str {
        match self {
            Self::Deadline => "deadline",
            Self::Fuel => "fuel",
            Self::Memory => "memory",
            Self::Stack => "stack",
            Self::PayloadIn => "payload_in",
            Self::PayloadOut => "payload_out",
        }
    }
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Deadline => "its time limit",
            Self::Fuel => "its fuel (instruction budget)",
            Self::Memory => "its memory limit",
            Self::Stack => "its stack (recursion too deep)",
            Self::PayloadIn => "the payload size limit on input",
            Self::PayloadOut => "the payload size limit on output",
        })
    }
}
