//! The state of one plugin call and the host functions the guest may import. Every import
//! checks the grant first; storage and crypto go to [`Services`], already bound to the tenant
//! and the plugin.

use crate::bindings::platform::plugin::{clock, config, crypto, kv, log};
use crate::info::{Capabilities, Capability};
use crate::services::{ServiceError, Services};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, Result};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// Keys longer than this are refused (`too-large`).
pub const MAX_KEY_BYTES: usize = 256;

/// Everything one call's store holds. A store lives for one call and is dropped after it.
pub struct CallState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) memory: MemoryLimiter,
    plugin: Arc<str>,
    grants: Capabilities,
    services: Arc<dyn Services>,
    pub(crate) logs: LogSink,
}

impl CallState {
    pub(crate) fn new(
        plugin: Arc<str>,
        grants: Capabilities,
        services: Arc<dyn Services>,
        memory_bytes: usize,
        log_bytes: usize,
    ) -> Self {
        let logs = LogSink::new(plugin.clone(), log_bytes);
        let mut wasi = WasiCtx::builder();
        // No files, network, environment or arguments: the builder's defaults. Output goes to
        // the capped log; the clocks read zero unless the tenant granted `clock`.
        wasi.stdout(logs.clone()).stderr(logs.clone());
        if !grants.contains(&Capability::Clock) {
            wasi.wall_clock(FrozenClock).monotonic_clock(FrozenClock);
        }
        wasi.allow_tcp(false).allow_udp(false).allow_ip_name_lookup(false);
        Self {
            wasi: wasi.build(),
            table: ResourceTable::new(),
            memory: MemoryLimiter::new(memory_bytes),
            plugin,
            grants,
            services,
            logs,
        }
    }

    fn granted(&self, capability: Capability) -> bool {
        self.grants.contains(&capability)
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// A clock stopped at zero, for plugins without the `clock` capability: time is a side
/// channel and makes runs unrepeatable.
struct FrozenClock;

impl wasmtime_wasi::HostWallClock for FrozenClock {
    fn resolution(&self) -> std::time::Duration {
        std::time::Duration::from_secs(1)
    }
    fn now(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }
}

impl wasmtime_wasi::HostMonotonicClock for FrozenClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}

/// Memory growth past the call's limit. Trapping (rather than failing the growth) makes the
/// cause visible: an allocator that sees a failed growth aborts with an anonymous trap.
#[derive(Debug, thiserror::Error)]
#[error("memory limit of {limit} bytes reached (wanted {wanted})")]
pub struct MemoryExceeded {
    pub limit: usize,
    pub wanted: usize,
}

/// Caps the linear memory of a call, all memories of the component together.
pub(crate) struct MemoryLimiter {
    limit: usize,
    /// Bytes of each memory seen so far, by growth events: (current, desired) pairs add up.
    total: usize,
}

impl MemoryLimiter {
    fn new(limit: usize) -> Self {
        Self { limit, total: 0 }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool> {
        let wanted = self.total + (desired - current);
        if wanted > self.limit {
            return Err(MemoryExceeded {
                limit: self.limit,
                wanted,
            }
            .into());
        }
        self.total = wanted;
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// The plugin's log lines (its `log` calls and stdout/stderr), capped per call. Past the cap,
/// output is dropped (and the drop noted once), never an error: logging must not change what
/// a plugin does.
#[derive(Clone)]
pub(crate) struct LogSink {
    inner: Arc<Mutex<LogState>>,
    plugin: Arc<str>,
}

struct LogState {
    remaining: usize,
    truncated: bool,
    /// Stdout/stderr, kept for the end of the call (a panic message, mostly).
    output: Vec<u8>,
}

impl LogSink {
    fn new(plugin: Arc<str>, cap: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new(LogState {
                remaining: cap,
                truncated: false,
                output: Vec::new(),
            })),
            plugin,
        }
    }

    /// Takes up to the remaining allowance of `len` bytes; returns how many may be kept.
    fn take(&self, len: usize) -> usize {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let kept = len.min(state.remaining);
        state.remaining -= kept;
        if kept < len && !state.truncated {
            state.truncated = true;
            tracing::warn!(plugin = %self.plugin, "plugin log limit reached; further output of this call dropped");
            metrics::counter!("plugin_log_truncations_total", "plugin" => self.plugin.to_string()).increment(1);
        }
        kept
    }

    fn line(&self, level: log::Level, message: &str) {
        let kept = self.take(message.len());
        if kept == 0 {
            return;
        }
        let message = truncate_utf8(message, kept);
        let plugin = &*self.plugin;
        match level {
            log::Level::Trace => tracing::trace!(target: "plugin", plugin, "{message}"),
            log::Level::Debug => tracing::debug!(target: "plugin", plugin, "{message}"),
            log::Level::Info => tracing::info!(target: "plugin", plugin, "{message}"),
            log::Level::Warn => tracing::warn!(target: "plugin", plugin, "{message}"),
            log::Level::Error => tracing::error!(target: "plugin", plugin, "{message}"),
        }
    }

    fn output(&self, bytes: &[u8]) {
        let kept = self.take(bytes.len());
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        state.output.extend_from_slice(&bytes[..kept]);
    }

    /// What the plugin wrote to stdout and stderr, for the end of the call.
    pub(crate) fn take_output(&self) -> String {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&std::mem::take(&mut state.output)).into_owned()
    }
}

fn truncate_utf8(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

impl IsTerminal for LogSink {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for LogSink {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl tokio::io::AsyncWrite for LogSink {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.output(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

fn kv_error(error: ServiceError) -> kv::KvError {
    match error {
        ServiceError::QuotaExceeded(what) => kv::KvError::QuotaExceeded(what),
        ServiceError::TooLarge => kv::KvError::TooLarge,
        ServiceError::Invalid | ServiceError::Unavailable => kv::KvError::Unavailable,
    }
}

fn crypto_error(error: ServiceError) -> crypto::CryptoError {
    match error {
        ServiceError::Invalid => crypto::CryptoError::Invalid,
        _ => crypto::CryptoError::Unavailable,
    }
}

impl kv::Host for CallState {
    async fn get(&mut self, key: String) -> Result<Result<Option<Vec<u8>>, kv::KvError>> {
        if !self.granted(Capability::Kv) {
            return Ok(Err(kv::KvError::AccessDenied));
        }
        if key.len() > MAX_KEY_BYTES {
            return Ok(Err(kv::KvError::TooLarge));
        }
        Ok(self.services.kv_get(&key).await.map_err(kv_error))
    }

    async fn set(&mut self, key: String, value: Vec<u8>) -> Result<Result<(), kv::KvError>> {
        if !self.granted(Capability::Kv) {
            return Ok(Err(kv::KvError::AccessDenied));
        }
        if key.len() > MAX_KEY_BYTES || key.is_empty() {
            return Ok(Err(kv::KvError::TooLarge));
        }
        Ok(self.services.kv_set(&key, &value).await.map_err(kv_error))
    }

    async fn delete(&mut self, key: String) -> Result<Result<bool, kv::KvError>> {
        if !self.granted(Capability::Kv) {
            return Ok(Err(kv::KvError::AccessDenied));
        }
        Ok(self.services.kv_delete(&key).await.map_err(kv_error))
    }

    async fn list_keys(&mut self, prefix: String, limit: u32) -> Result<Result<Vec<String>, kv::KvError>> {
        if !self.granted(Capability::Kv) {
            return Ok(Err(kv::KvError::AccessDenied));
        }
        Ok(self.services.kv_list(&prefix, limit.min(1000)).await.map_err(kv_error))
    }
}

impl config::Host for CallState {
    async fn get(&mut self) -> Result<Result<String, config::ConfigError>> {
        Ok(Ok(self.services.config().to_owned()))
    }
}

impl crypto::Host for CallState {
    async fn seal(&mut self, context: String, plaintext: Vec<u8>) -> Result<Result<String, crypto::CryptoError>> {
        if !self.granted(Capability::Crypto) {
            return Ok(Err(crypto::CryptoError::AccessDenied));
        }
        Ok(self.services.seal(&context, &plaintext).await.map_err(crypto_error))
    }

    async fn open(&mut self, context: String, sealed: String) -> Result<Result<Vec<u8>, crypto::CryptoError>> {
        if !self.granted(Capability::Crypto) {
            return Ok(Err(crypto::CryptoError::AccessDenied));
        }
        Ok(self.services.open(&context, &sealed).await.map_err(crypto_error))
    }
}

impl log::Host for CallState {
    async fn log(&mut self, level: log::Level, message: String) -> Result<()> {
        self.logs.line(level, &message);
        Ok(())
    }
}

impl clock::Host for CallState {
    async fn now_millis(&mut self) -> Result<Result<i64, clock::ClockError>> {
        if !self.granted(Capability::Clock) {
            return Ok(Err(clock::ClockError::AccessDenied));
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Ok(Ok(now))
    }
}

impl crate::bindings::platform::plugin::types::Host for CallState {}

/// The plugin name of a store, for errors.
impl CallState {
    pub(crate) fn plugin(&self) -> &str {
        &self.plugin
    }
}
