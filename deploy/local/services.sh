# Sourced by deploy/run and deploy/test: makes sure PostgreSQL and Redis run on this machine,
# installing them from the OS packages (Debian/Ubuntu) when they are missing, reusing them when
# they already run. Also makes sure the Rust toolchain and a C compiler are there.
#
# Afterwards: a PostgreSQL role `platform` (password `platform`, CREATEDB CREATEROLE, not a
# superuser) owning a database `platform`, on 127.0.0.1:5432; Redis on 127.0.0.1:6379.

PG_HOST=127.0.0.1
PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  say "installing $* from the OS packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_toolchain() {
  if ! command -v cc >/dev/null 2>&1; then apt_install build-essential pkg-config; fi
  if ! command -v cargo >/dev/null 2>&1; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
      export PATH="$HOME/.cargo/bin:$PATH"
    else
      command -v curl >/dev/null 2>&1 || apt_install curl ca-certificates
      say "installing Rust with rustup"
      curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component clippy,rustfmt
      export PATH="$HOME/.cargo/bin:$PATH"
    fi
  fi
  # Plugins (ours and the tests') are WebAssembly components built for this target.
  if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed | grep -qx wasm32-wasip2; then
    say "adding the wasm32-wasip2 target"
    rustup target add wasm32-wasip2
  fi
}

pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; }

# Runs psql as a PostgreSQL superuser, however this machine allows it.
psql_super() {
  if psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -Atq "$@"
  elif [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- psql -p "$PG_PORT" -d postgres -v ON_ERROR_STOP=1 -Atq "$@"
  else
    sudo -u postgres psql -p "$PG_PORT" -d postgres -v ON_ERROR_STOP=1 -Atq "$@"
  fi
}

ensure_postgres() {
  if ! command -v pg_isready >/dev/null 2>&1 || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    pg_up || apt_install postgresql postgresql-client
  fi
  if ! pg_up; then
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    say "starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
  pg_up || { echo "PostgreSQL does not answer on $PG_HOST:$PG_PORT" >&2; exit 1; }
  if [ "$(psql_super -c "select 1 from pg_roles where rolname = 'platform'")" != "1" ]; then
    say "creating the PostgreSQL role 'platform'"
    psql_super -c "CREATE ROLE platform LOGIN CREATEDB CREATEROLE PASSWORD 'platform'"
  fi
  if [ "$(psql_super -c "select 1 from pg_database where datname = 'platform'")" != "1" ]; then
    say "creating the database 'platform'"
    psql_super -c "CREATE DATABASE platform OWNER platform"
  fi
}

redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

ensure_redis() {
  command -v redis-server >/dev/null 2>&1 || redis_up || apt_install redis-server redis-tools
  if ! redis_up; then
    say "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >/dev/null
    for _ in $(seq 1 30); do redis_up && break; sleep 0.2; done
  fi
  redis_up || { echo "Redis does not answer on 127.0.0.1:$REDIS_PORT" >&2; exit 1; }
}

ensure_everything() {
  ensure_toolchain
  ensure_postgres
  ensure_redis
  export DATABASE_URL=${DATABASE_URL:-postgres://platform:platform@$PG_HOST:$PG_PORT/platform}
  export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT}
  # Build outside the clone so fresh clones (and CI) reuse compiled dependencies.
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/platform/target}
}
