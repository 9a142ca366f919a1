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

/**
 * The same from a row read as JSON (`row_to_json`): timestamps come as text and become Dates;
 * everything else JSON carries as the driver would.
 */
export function entityOfJson<T extends object>(em: EntityManager, target: EntityTarget<T>, json: Record<string, unknown>): T {
  const metadata = em.connection.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    const value = json[column.databaseName];
    (entity as Record<string, unknown>)[column.propertyName] = column.type === "timestamptz" && typeof value === "string" ? new Date(value) : value;
  }
  return entity;
}
