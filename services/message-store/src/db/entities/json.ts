/**
 * A jsonb object: the proto3 JSON form of a message. Typed as a plain `object` because
 * TypeORM's insert types recurse into anything more precise without end.
 */
export type JsonObject = object;

/** ts-proto's toJSON is typed `unknown`; every message encodes to a JSON object. */
export const asJson = (value: unknown): JsonObject => value as JsonObject;
