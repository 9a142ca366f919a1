import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The whole initial schema. Hand-written: every constraint and index is chosen for a query
 * in the repositories, and the same SQL runs on PostgreSQL and PGlite.
 */
export class InitialSchema1763769600001 implements MigrationInterface {
  name = "InitialSchema1763769600001";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organizations (
        id text PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        organization_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        key_prefix text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        seq bigserial NOT NULL UNIQUE
      );
      CREATE INDEX api_keys_org_seq ON api_keys (organization_id, seq);

      CREATE TABLE agents (
        id text PRIMARY KEY,
        organization_id text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        agent_type text NOT NULL,
        system text NOT NULL DEFAULT '',
        tools jsonb NOT NULL DEFAULT '[]',
        tool_rules jsonb NOT NULL DEFAULT '[]',
        model text NOT NULL DEFAULT '',
        model_settings jsonb NOT NULL DEFAULT '{}',
        timezone text NOT NULL,
        max_steps integer NOT NULL,
        message_ids jsonb NOT NULL DEFAULT '[]',
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        seq bigserial NOT NULL UNIQUE
      );
      CREATE INDEX agents_org_seq ON agents (organization_id, seq);

      CREATE TABLE memory_blocks (
        id text PRIMARY KEY,
        organization_id text NOT NULL,
        agent_id text NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        label text NOT NULL,
        value text NOT NULL DEFAULT '',
        "limit" integer NOT NULL,
        description text NOT NULL DEFAULT '',
        read_only boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        seq bigserial NOT NULL UNIQUE,
        CONSTRAINT memory_blocks_agent_label UNIQUE (agent_id, label),
        CONSTRAINT memory_blocks_value_fits CHECK (char_length(value) <= "limit")
      );

      CREATE TABLE conversation_contexts (
        agent_id text NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        conversation_id text NOT NULL,
        organization_id text NOT NULL,
        message_ids jsonb NOT NULL DEFAULT '[]',
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agent_id, conversation_id)
      );

      CREATE TABLE runs (
        id text PRIMARY KEY,
        organization_id text NOT NULL,
        agent_id text NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        conversation_id text,
        status text NOT NULL,
        stop_reason text,
        background boolean NOT NULL DEFAULT false,
        owner text,
        lease_expires_at timestamptz,
        usage jsonb NOT NULL DEFAULT '{"stepCount":0}',
        ttft_ms integer,
        error jsonb,
        idempotency_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        completed_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        seq bigserial NOT NULL UNIQUE
      );
      CREATE INDEX runs_org_agent_seq ON runs (organization_id, agent_id, seq);
      CREATE INDEX runs_org_seq ON runs (organization_id, seq);
      CREATE UNIQUE INDEX runs_agent_idempotency_key ON runs (agent_id, idempotency_key)
        WHERE idempotency_key IS NOT NULL;
      CREATE INDEX runs_active_lease ON runs (lease_expires_at)
        WHERE status IN ('RUN_STATUS_CREATED', 'RUN_STATUS_RUNNING');

      -- One row per agent (conversation_key '') or conversation: the run holding its lock.
      CREATE TABLE run_locks (
        agent_id text NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        conversation_key text NOT NULL,
        run_id text NOT NULL UNIQUE REFERENCES runs(id) ON DELETE CASCADE,
        organization_id text NOT NULL,
        acquired_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agent_id, conversation_key)
      );

      CREATE TABLE steps (
        id text PRIMARY KEY,
        organization_id text NOT NULL,
        run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        agent_id text NOT NULL,
        step_number integer NOT NULL,
        model text NOT NULL DEFAULT '',
        usage jsonb NOT NULL DEFAULT '{"stepCount":0}',
        finish_reason text NOT NULL,
        raw_finish_reason text NOT NULL DEFAULT '',
        stop_reason text,
        is_err boolean NOT NULL DEFAULT false,
        error jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CONSTRAINT steps_run_number UNIQUE (run_id, step_number)
      );

      CREATE TABLE messages (
        sequence_id bigserial PRIMARY KEY,
        id text NOT NULL UNIQUE,
        organization_id text NOT NULL,
        agent_id text NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        conversation_id text,
        run_id text,
        step_id text,
        role text NOT NULL,
        content jsonb NOT NULL DEFAULT '[]',
        tool_calls jsonb NOT NULL DEFAULT '[]',
        tool_call_id text,
        tool_returns jsonb NOT NULL DEFAULT '[]',
        approvals jsonb NOT NULL DEFAULT '[]',
        model text,
        name text,
        otid text NOT NULL,
        is_err boolean NOT NULL DEFAULT false,
        search_text text NOT NULL DEFAULT '',
        search tsvector GENERATED ALWAYS AS (to_tsvector('english', search_text)) STORED,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz,
        CONSTRAINT messages_agent_otid UNIQUE (agent_id, otid)
      );
      CREATE INDEX messages_agent_seq ON messages (agent_id, sequence_id);
      CREATE INDEX messages_agent_conversation_seq ON messages (agent_id, conversation_id, sequence_id);
      CREATE INDEX messages_run_seq ON messages (run_id, sequence_id) WHERE run_id IS NOT NULL;
      CREATE INDEX messages_search ON messages USING gin (search);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE messages, steps, run_locks, runs, conversation_contexts, memory_blocks, agents,
        api_keys, organizations;
    `);
  }
}
