-- The Data Protection key ring that encrypts users' upstream keys, in the database that every node shares, so a value
-- encrypted on one node decrypts on any other. Data Protection only ever adds elements (a key, or a revocation); the
-- friendly name is the one it gives (key-<guid>, revocation-<time>).
CREATE TABLE gq_dataprotection_keys (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    friendly_name text NOT NULL,
    xml           text NOT NULL
);
