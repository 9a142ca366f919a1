import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * `messages.search` becomes a plain column that the store writes, instead of one the database
 * generates on every insert: an append can then compute its batch's search vectors before it
 * takes the agent's lock, which every writer of the agent waits on. Existing vectors stay.
 */
export class SearchVectorWrittenByStore1765000000002 implements MigrationInterface {
  name = "SearchVectorWrittenByStore1765000000002";

  async up(q: QueryRunner): Promise<void> {
    await q.query("ALTER TABLE messages ALTER COLUMN search DROP EXPRESSION");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE messages DROP COLUMN search;
      ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('english', search_text)) STORED;
      CREATE INDEX messages_search ON messages USING gin (search);
    `);
  }
}
