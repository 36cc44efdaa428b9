//! The engine and every call into a plugin: one `Engine` per process with the pooling
//! allocator, epoch interruption (a ticker thread) and fuel; components compiled once per
//! digest with their `InstancePre`; a fresh store per call, dropped after it, so an instance
//! that trapped is never reused.

use crate::artifact::{self, ArtifactError, Digest};
use crate::bindings::platform::plugin::types::{CallContext, Rejection};
use crate::bindings::{Plugin, PluginPre};
use crate::call_state::{CallState, MemoryExceeded};
use crate::info::{Capabilities, PluginInfo};
use crate::limits::{EngineLimits, Limit, Limits};
use crate::services::{NoServices, Services};
use futures_util::future::BoxFuture;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, Trap};

/// How often the ticker advances the epoch; deadlines are whole ticks.
const TICK: Duration = Duration::from_millis(5);
/// Linear memory and tables kept resident per pool slot between calls (see `Runtime::new`).
const KEEP_RESIDENT_BYTES: usize = 1 << 20;

/// A compiled, checked plugin, ready to instantiate.
pub struct Compiled {
    pub digest: Digest,
    pub info: PluginInfo,
    pub size: usize,
    pre: PluginPre<CallState>,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("digest", &self.digest)
            .field("info", &self.info)
            .finish()
    }
}

/// What a call runs with: the tenant's limits and grants, and services bound to the tenant and
/// the plugin.
#[derive(Clone)]
pub struct CallSetup {
    pub limits: Limits,
    pub grants: Capabilities,
    pub services: Arc<dyn Services>,
}

/// Why a call did not return a result.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    #[error("plugin {plugin} ran out of {limit} ({allowed})")]
    Limit {
        plugin: String,
        limit: Limit,
        allowed: String,
    },
    #[error("plugin {plugin} trapped: {message}")]
    Trap { plugin: String, message: String },
    #[error("plugin {plugin} returned something unusable: {message}")]
    Invalid { plugin: String, message: String },
    #[error("plugin {plugin} could not start: {message}")]
    Unavailable { plugin: String, message: String },
}

impl CallError {
    /// A short name for metrics and problem details.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Limit { limit, .. } => limit.name(),
            Self::Trap { .. } => "trap",
            Self::Invalid { .. } => "invalid",
            Self::Unavailable { .. } => "unavailable",
        }
    }
}

/// The plugin runtime of a process.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    linker: Linker<CallState>,
    compiled: moka::future::Cache<Digest, Arc<Compiled>>,
    slots: Semaphore,
    limits: EngineLimits,
    hooks: Vec<String>,
}

impl Runtime {
    /// Builds the engine and starts its epoch ticker. `hooks` are the hook names plugins may
    /// subscribe to.
    pub fn new(limits: EngineLimits, hooks: Vec<String>) -> anyhow::Result<Self> {
        let calls = limits.concurrent_calls.max(1);
        let mut pool = PoolingAllocationConfig::default();
        // A wasm32-wasip2 component made by rustc holds a few core instances (the program,
        // the WASI adapter, shims) and two memories; leave room for plugins built otherwise.
        pool.total_component_instances(calls)
            .total_core_instances(calls * 16)
            .total_memories(calls * 4)
            .total_tables(calls * 8)
            .total_stacks(calls)
            .max_core_instances_per_component(16)
            .max_memories_per_component(4)
            .max_tables_per_component(8)
            .max_memory_size(limits.max_memory_bytes)
            // A fresh instance per call reuses a warm slot. Resetting the low pages with memset
            // (only the dirty ones where the kernel has PAGEMAP_SCAN) instead of madvise keeps
            // them mapped, so the next call takes no page faults on them.
            .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
            .table_keep_resident(KEEP_RESIDENT_BYTES)
            .pagemap_scan(Enabled::Auto);
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .consume_fuel(true)
            .epoch_interruption(true)
            .max_wasm_stack(limits.stack_bytes)
            .async_stack_size(limits.stack_bytes + (1 << 20))
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&config).map_err(|e| anyhow::anyhow!("cannot start the plugin engine: {e:?}"))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        Plugin::add_to_linker::<_, wasmtime::component::HasSelf<_>>(&mut linker, |state| state)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        spawn_ticker(&engine);
        Ok(Self {
            inner: Arc::new(Inner {
                engine,
                linker,
                compiled: moka::future::Cache::builder().max_capacity(512).build(),
                slots: Semaphore::new(calls as usize),
                limits,
                hooks,
            }),
        })
    }

    pub fn limits(&self) -> &EngineLimits {
        &self.inner.limits
    }

    /// The compiled plugin of a digest, if this process has it.
    pub async fn cached(&self, digest: Digest) -> Option<Arc<Compiled>> {
        self.inner.compiled.get(&digest).await
    }

    /// Checks, compiles and describes an artifact; compiled once per digest per process, even
    /// when many callers ask at once.
    pub async fn load(&self, bytes: Arc<[u8]>) -> Result<Arc<Compiled>, ArtifactError> {
        artifact::check_bytes(&bytes, self.inner.limits.max_artifact_bytes)?;
        let digest = Digest::of(&bytes);
        let this = self.clone();
        self.inner
            .compiled
            .try_get_with(digest, async move { this.compile(digest, bytes).await.map(Arc::new) })
            .await
            .map_err(|e| (*e).clone())
    }

    async fn compile(&self, digest: Digest, bytes: Arc<[u8]>) -> Result<Compiled, ArtifactError> {
        let started = Instant::now();
        let engine = self.inner.engine.clone();
        let size = bytes.len();
        let component = tokio::task::spawn_blocking(move || Component::new(&engine, &bytes))
            .await
            .map_err(|e| ArtifactError::Invalid(e.to_string()))?
            .map_err(|e| ArtifactError::Invalid(format!("{e:#}")))?;
        artifact::check_world(&self.inner.engine, &component)?;
        let instance_pre = self
            .inner
            .linker
            .instantiate_pre(&component)
            .map_err(|e| ArtifactError::Invalid(format!("{e:#}")))?;
        let pre = PluginPre::new(instance_pre).map_err(|e| ArtifactError::Invalid(format!("{e:#}")))?;
        let raw = self
            .run(&pre, "(uploading)".into(), &describe_setup(), |plugin, store| {
                Box::pin(plugin.platform_plugin_guest().call_describe(store))
            })
            .await
            .map_err(|e| ArtifactError::Describe(e.to_string()))?;
        let hooks = &self.inner.hooks;
        let info = PluginInfo::check(raw, |name| hooks.iter().any(|h| h == name))
            .map_err(|e| ArtifactError::Describe(e.to_string()))?;
        tracing::info!(
            plugin = %info.name,
            version = %info.version,
            %digest,
            size,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "plugin compiled"
        );
        Ok(Compiled {
            digest,
            info,
            size,
            pre,
        })
    }

    /// Runs a filter hook. The outer error is the call failing; the inner one the plugin's
    /// rejection.
    pub async fn filter(
        &self,
        compiled: &Compiled,
        setup: &CallSetup,
        context: CallContext,
        hook: &str,
        payload: String,
    ) -> Result<Result<String, Rejection>, CallError> {
        let plugin = compiled.info.name.clone();
        if payload.len() > setup.limits.payload_bytes {
            return Err(limit_error(&plugin, Limit::PayloadIn, &setup.limits));
        }
        let hook_name = hook.to_owned();
        let result = self
            .measured(compiled, hook, setup, move |guest, store| {
                Box::pin(async move {
                    guest
                        .platform_plugin_guest()
                        .call_filter(store, &context, &hook_name, &payload)
                        .await
                })
            })
            .await?;
        if let Ok(output) = &result
            && output.len() > setup.limits.payload_bytes
        {
            return Err(limit_error(&plugin, Limit::PayloadOut, &setup.limits));
        }
        Ok(result)
    }

    /// Runs an action hook.
    pub async fn action(
        &self,
        compiled: &Compiled,
        setup: &CallSetup,
        context: CallContext,
        hook: &str,
        event: String,
    ) -> Result<Result<(), String>, CallError> {
        if event.len() > setup.limits.payload_bytes {
            return Err(limit_error(&compiled.info.name, Limit::PayloadIn, &setup.limits));
        }
        let hook_name = hook.to_owned();
        self.measured(compiled, hook, setup, move |guest, store| {
            Box::pin(async move {
                guest
                    .platform_plugin_guest()
                    .call_action(store, &context, &hook_name, &event)
                    .await
            })
        })
        .await
    }

    /// [`Self::run`] with the per-plugin metrics: calls by outcome, latency, fuel.
    async fn measured<R: Send>(
        &self,
        compiled: &Compiled,
        hook: &str,
        setup: &CallSetup,
        call: impl for<'s> FnOnce(&'s Plugin, &'s mut Store<CallState>) -> BoxFuture<'s, wasmtime::Result<R>> + Send,
    ) -> Result<R, CallError> {
        let started = Instant::now();
        let plugin = compiled.info.name.clone();
        let result = self.run(&compiled.pre, plugin.clone(), setup, call).await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(error) => error.kind(),
        };
        metrics::counter!("plugin_calls_total", "plugin" => plugin.clone(), "hook" => hook.to_owned(), "outcome" => outcome)
            .increment(1);
        metrics::histogram!("plugin_call_seconds", "plugin" => plugin).record(started.elapsed().as_secs_f64());
        result
    }

    /// One call in a fresh store, under every limit.
    async fn run<R: Send>(
        &self,
        pre: &PluginPre<CallState>,
        plugin: String,
        setup: &CallSetup,
        call: impl for<'s> FnOnce(&'s Plugin, &'s mut Store<CallState>) -> BoxFuture<'s, wasmtime::Result<R>> + Send,
    ) -> Result<R, CallError> {
        let limits = setup.limits;
        let _slot = self.inner.slots.acquire().await.map_err(|_| CallError::Unavailable {
            plugin: plugin.clone(),
            message: "the plugin runtime is shutting down".into(),
        })?;
        let state = CallState::new(
            plugin.as_str().into(),
            setup.grants.clone(),
            setup.services.clone(),
            limits.memory_bytes,
            limits.log_bytes,
        );
        let mut store = Store::new(&self.inner.engine, state);
        store.limiter(|state| &mut state.memory);
        store
            .set_fuel(limits.fuel)
            .map_err(|e| unavailable(&plugin, &format!("{e:?}")))?;
        store.set_epoch_deadline(limits.deadline().as_millis().div_ceil(TICK.as_millis()).max(1) as u64);
        store.epoch_deadline_trap();

        // The epoch stops guest code; the timeout also stops a call waiting in a host function.
        let work = async {
            let guest = pre.instantiate_async(&mut store).await?;
            call(&guest, &mut store).await
        };
        let outcome = tokio::time::timeout(limits.deadline() + 2 * TICK, work).await;
        let fuel_used = limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0));
        metrics::counter!("plugin_fuel_consumed_total", "plugin" => plugin.clone()).increment(fuel_used);
        let error = match outcome {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(error)) => classify(&plugin, &error, &limits, &store),
            Err(_elapsed) => limit_error(&plugin, Limit::Deadline, &limits),
        };
        metrics::counter!("plugin_traps_total", "plugin" => plugin.clone(), "kind" => error.kind()).increment(1);
        tracing::warn!(plugin, error = %error, "plugin call failed");
        Err(error)
    }
}

fn describe_setup() -> CallSetup {
    CallSetup {
        limits: Limits::default(),
        grants: Capabilities::new(),
        services: Arc::new(NoServices),
    }
}

fn limit_error(plugin: &str, limit: Limit, limits: &Limits) -> CallError {
    let allowed = match limit {
        Limit::Deadline => format!("{} ms", limits.deadline_ms),
        Limit::Fuel => format!("{} units", limits.fuel),
        Limit::Memory => format!("{} MiB", limits.memory_bytes >> 20),
        Limit::Stack => "the engine's stack".to_owned(),
        Limit::PayloadIn | Limit::PayloadOut => format!("{} bytes", limits.payload_bytes),
    };
    CallError::Limit {
        plugin: plugin.to_owned(),
        limit,
        allowed,
    }
}

fn unavailable(plugin: &str, message: &str) -> CallError {
    CallError::Unavailable {
        plugin: plugin.to_owned(),
        message: message.to_owned(),
    }
}

/// Names what stopped a call: a limit when one was hit, else the trap and the plugin's last
/// output (a Rust panic prints its message there before it aborts).
fn classify(plugin: &str, error: &wasmtime::Error, limits: &Limits, store: &Store<CallState>) -> CallError {
    if error.downcast_ref::<MemoryExceeded>().is_some() {
        return limit_error(plugin, Limit::Memory, limits);
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => return limit_error(plugin, Limit::Deadline, limits),
        Some(Trap::OutOfFuel) => return limit_error(plugin, Limit::Fuel, limits),
        Some(Trap::StackOverflow) => return limit_error(plugin, Limit::Stack, limits),
        _ => {}
    }
    let output = store.data().logs.take_output();
    let output = output.trim();
    let cause = match error.downcast_ref::<Trap>() {
        Some(trap) => trap.to_string(),
        None => format!("{error:#}"),
    };
    let message = if output.is_empty() {
        cause
    } else {
        format!("{cause}; it wrote: {}", last_chars(output, 500))
    };
    debug_assert_eq!(store.data().plugin(), plugin);
    CallError::Trap {
        plugin: plugin.to_owned(),
        message,
    }
}

fn last_chars(text: &str, n: usize) -> &str {
    let start = text.char_indices().rev().nth(n).map_or(0, |(i, _)| i);
    &text[start..]
}

/// Advances the engine's epoch every [`TICK`] until the engine is dropped.
fn spawn_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("plugin-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(TICK);
            }
        })
        .ok();
}
