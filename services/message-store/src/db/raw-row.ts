import type { EntityManager, EntityTarget } from "typeorm";
import type { ColumnMetadata } from "typeorm/metadata/ColumnMetadata.js";

/** How a column's value is read: as the driver typed it, or from JSON. */
type ReadColumn = (value: unknown, column: ColumnMetadata) => unknown;

const asTyped: ReadColumn = (value) => value;

/** JSON carries timestamps as text; everything else as the driver would. */
const fromJson: ReadColumn = (value, column) => (column.type === "timestamptz" && typeof value === "string" ? new Date(value) : value);

/**
 * An entity from a raw row (`RETURNING *`), by the entity's column names: what the driver
 * returns is already typed (timestamps as Dates, jsonb parsed), so a write that returns its row
 * needs no second query to read it back.
 */
export function entityOf<T extends object>(em: EntityManager, target: EntityTarget<T>, raw: Record<string, unknown>, read = asTyped): T {
  const metadata = em.connection.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) (entity as Record<string, unknown>)[column.propertyName] = read(raw[column.databaseName], column);
  return entity;
}

/** The same from a row read as JSON (`row_to_json`). */
export const entityOfJson = <T extends object>(em: EntityManager, target: EntityTarget<T>, json: Record<string, unknown>): T =>
  entityOf(em, target, json, fromJson);
