use super::gcra::{Quota, Verdict};
use redis::aio::ConnectionManager;
use std::time::Duration;
use tokio::sync::Mutex;

/// GCRA over several keys at once, atomically, on Redis's own clock (so instances with skewed
/// clocks agree). All keys must allow before any is charged. Returns {allowed, retry_after_ms}.
const SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = t[1] * 1000 + t[2] / 1000
local cost = tonumber(ARGV[1])
local worst = 0
local updates = {}
for i, key in ipairs(KEYS) do
  local emission = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local new_tat = tat + emission * math.max(cost, 1)
  local ahead = new_tat - now
  if ahead > window then
    if ahead - window > worst then worst = ahead - window end
  else
    updates[key] = {new_tat, math.ceil(ahead)}
  end
end
if worst > 0 then return {0, math.ceil(worst)} end
if cost > 0 then
  for key, u in pairs(updates) do
    redis.call('SET', key, tostring(u[1]), 'PX', math.max(u[2], 1))
  end
end
return {1, 0}
"#;

/// Gives back `ARGV[1]` charged earlier on every key: the TAT moves back by that many
/// emission intervals (`ARGV[1 + i]`), never before now.
const REFUND: &str = r#"
local t = redis.call('TIME')
local now = t[1] * 1000 + t[2] / 1000
local cost = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key))
  if tat then
    local new_tat = tat - tonumber(ARGV[1 + i]) * cost
    if new_tat > now then
      redis.call('SET', key, tostring(new_tat), 'PX', math.max(math.ceil(new_tat - now), 1))
    else
      redis.call('DEL', key)
    end
  end
end
return 1
"#;

/// Charges `ARGV[1]` on every key whatever the quota says: the TAT moves on by that many
/// emission intervals (`ARGV[1 + i]`) from now or where it was.
const CHARGE: &str = r#"
local t = redis.call('TIME')
local now = t[1] * 1000 + t[2] / 1000
local cost = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local new_tat = tat + tonumber(ARGV[1 + i]) * cost
  redis.call('SET', key, tostring(new_tat), 'PX', math.max(math.ceil(new_tat - now), 1))
end
return 1
"#;

/// How long a limiter waits for Redis before calling it unreachable.
pub const TIMEOUT: Duration = Duration::from_millis(250);

pub struct RedisStore {
    client: redis::Client,
    conn: Mutex<Option<ConnectionManager>>,
    script: redis::Script,
    refund: redis::Script,
    charge: redis::Script,
}

#[derive(Debug, thiserror::Error)]
#[error("redis is unreachable: {0}")]
pub struct Unreachable(String);

impl RedisStore {
    pub fn new(client: redis::Client) -> Self {
        Self {
            client,
            conn: Mutex::new(None),
            script: redis::Script::new(SCRIPT),
            refund: redis::Script::new(REFUND),
            charge: redis::Script::new(CHARGE),
        }
    }

    async fn connection(&self) -> Result<ConnectionManager, Unreachable> {
        let mut slot = self.conn.lock().await;
        if let Some(conn) = slot.as_ref() {
            return Ok(conn.clone());
        }
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(TIMEOUT)
            .set_response_timeout(TIMEOUT)
            .set_number_of_retries(1);
        let conn = tokio::time::timeout(
            TIMEOUT * 2,
            ConnectionManager::new_with_config(self.client.clone(), config),
        )
        .await
        .map_err(|_| Unreachable("connect timed out".into()))?
        .map_err(|e| Unreachable(e.to_string()))?;
        *slot = Some(conn.clone());
        Ok(conn)
    }

    pub async fn check(&self, keys: &[(String, Quota)], cost: u32) -> Result<Verdict, Unreachable> {
        let mut conn = self.connection().await?;
        let mut invocation = self.script.prepare_invoke();
        invocation.arg(cost);
        for (key, quota) in keys {
            invocation.key(key).arg(quota.emission_ms()).arg(quota.window_ms());
        }
        let reply: (i64, i64) = tokio::time::timeout(TIMEOUT, invocation.invoke_async(&mut conn))
            .await
            .map_err(|_| Unreachable("timed out".into()))?
            .map_err(|e| Unreachable(e.to_string()))?;
        Ok(Verdict {
            allowed: reply.0 == 1,
            retry_after: Duration::from_millis(u64::try_from(reply.1).unwrap_or(0)),
        })
    }

    pub async fn refund(&self, keys: &[(String, Quota)], cost: u32) -> Result<(), Unreachable> {
        self.adjust(&self.refund, keys, cost).await
    }

    pub async fn charge(&self, keys: &[(String, Quota)], cost: u32) -> Result<(), Unreachable> {
        self.adjust(&self.charge, keys, cost).await
    }

    async fn adjust(&self, script: &redis::Script, keys: &[(String, Quota)], cost: u32) -> Result<(), Unreachable> {
        let mut conn = self.connection().await?;
        let mut invocation = script.prepare_invoke();
        invocation.arg(cost);
        for (key, quota) in keys {
            invocation.key(key).arg(quota.emission_ms());
        }
        let _: i64 = tokio::time::timeout(TIMEOUT, invocation.invoke_async(&mut conn))
            .await
            .map_err(|_| Unreachable("timed out".into()))?
            .map_err(|e| Unreachable(e.to_string()))?;
        Ok(())
    }
}
