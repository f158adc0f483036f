-- Privileges of cleanrecord's two PostgreSQL roles (docs/deploy.md, "Database roles").
--
-- cleanrecord_owner owns the schema: `manage.py migrate` runs as it, nothing else does.
-- cleanrecord_app is what the web server, the workers and the nightly jobs connect as. It reads and
-- writes the platform's tables, but may only add to and read the audit trail: no UPDATE, DELETE or
-- TRUNCATE of it, and, not being its owner, it cannot disable or drop its trigger.
--
-- Run as a superuser (or the owner) after every `migrate`; running it again changes nothing:
--   psql -v ON_ERROR_STOP=1 -d cleanrecord -f docs/database-roles.sql

GRANT USAGE ON SCHEMA public TO cleanrecord_app;
-- The large command-line import creates (and drops) its own unlogged staging tables.
GRANT CREATE ON SCHEMA public TO cleanrecord_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO cleanrecord_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO cleanrecord_app;
-- Tables and sequences later migrations create get the same.
ALTER DEFAULT PRIVILEGES FOR ROLE cleanrecord_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cleanrecord_app;
ALTER DEFAULT PRIVILEGES FOR ROLE cleanrecord_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO cleanrecord_app;

-- Which migrations ran is the owner's business.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON django_migrations FROM cleanrecord_app;

-- The audit trail: append and read only.
REVOKE ALL ON audit_auditentry FROM PUBLIC;
REVOKE ALL ON audit_auditentry FROM cleanrecord_app;
GRANT SELECT, INSERT ON audit_auditentry TO cleanrecord_app;
-- Deleting a user sets user_id to NULL on their entries. The column is all the role may change, the
-- trigger lets only that change through, and verify_audit checks that the user is really gone.
GRANT UPDATE (user_id) ON audit_auditentry TO cleanrecord_app;
