import type { EntityManager, EntityTarget } from "typeorm";

/**
 * An entity from a raw row (`RETURNING *`), by the entity's column names: what the driver
 * returns is already typed (timestamps as Dates, jsonb parsed), so a write that returns its row
 * needs no second query to read it back.
 */
export function entityOf<T extends object>(em: EntityManager, target: EntityTarget<T>, raw: Record<string, unknown>): T {
  const metadata = em.connection.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) (entity as Record<string, unknown>)[column.propertyName] = raw[column.databaseName];
  return entity;
}
