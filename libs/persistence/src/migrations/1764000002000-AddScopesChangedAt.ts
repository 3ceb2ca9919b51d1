import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the stored scopes were last set from a Terra event, so an older permission_change (or auth) delivered
 * late cannot overwrite newer scopes. Existing rows stay NULL: their scopes' age is unknown.
 */
export class AddScopesChangedAt1764000002000 implements MigrationInterface {
  name = 'AddScopesChangedAt1764000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "terra_connections" ADD "scopes_changed_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "terra_connections" DROP COLUMN "scopes_changed_at"`);
  }
}
