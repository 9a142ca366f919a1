import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { DataSource } from "typeorm";
import type { Logger } from "@conduit/logging";
import type { Authenticator } from "./auth/authenticator.js";
import { OrganizationRow } from "./db/entities/index.js";
import { createApiKey, createOrganization } from "./store/api-keys.js";

const DEV_ORGANIZATION = "development";

/**
 * `make run`'s developer key: reuses the key in `file` while the store accepts it, otherwise
 * makes one (and the development organization, once) and writes it there. The key itself is
 * never logged; the launcher reads the file.
 */
export async function ensureDevKey(db: DataSource, auth: Authenticator, file: string, log: Logger): Promise<void> {
  if (existsSync(file) && (await auth.lookup(readFileSync(file, "utf8").trim()))) {
    log.info({ file }, "dev API key: reusing");
    return;
  }
  const { plaintext, row } = await db.transaction(async (em) => {
    const org =
      (await em.findOneBy(OrganizationRow, { name: DEV_ORGANIZATION })) ?? (await createOrganization(em, DEV_ORGANIZATION));
    return createApiKey(em, org.id, "dev key");
  });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${plaintext}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  log.info({ file, api_key_id: row.id, organization_id: row.organizationId }, "dev API key: created");
}
