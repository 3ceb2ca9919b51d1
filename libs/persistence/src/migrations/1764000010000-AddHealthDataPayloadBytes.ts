import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The size of a stored item as JSON text, which is what a read holds in memory and sends; pg_column_size is
 * the stored, possibly compressed size, and 40 MB of one repeated character is stored in under 0.5 MB. Data
 * reads page on it (health-data.query.ts). Existing rows stay NULL and are paged by their stored size: working
 * out their text size here would rewrite the whole table.
 */
export class AddHealthDataPayloadBytes1764000010000 implements MigrationInterface {
  name = 'AddHealthDataPayloadBytes1764000010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "health_data" ADD "payload_bytes" integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "health_data" DROP COLUMN "payload_bytes"`);
  }
}
