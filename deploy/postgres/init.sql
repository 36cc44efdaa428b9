-- Run once by the postgres image on an empty data directory (compose mounts it into
-- /docker-entrypoint-initdb.d). The platform's two database roles:
-- - `platform` owns the control plane and every tenant schema and runs migrations and
--   provisioning: CREATEROLE (it creates one role per tenant), never a superuser;
-- - `platform_app` serves requests; `platform migrate` creates it (LOGIN NOINHERIT) with the
--   password of PLATFORM_APP_DATABASE_URL and grants it what serving needs.
CREATE ROLE platform LOGIN CREATEROLE PASSWORD 'platform';
CREATE DATABASE platform OWNER platform;
