-- When a signing key stopped signing. Retired keys still verify (tokens live 15 minutes at
-- most) and are removed a day after retirement, at the next rotation.
ALTER TABLE platform.signing_keys ADD COLUMN retired_at timestamptz;
