/**
 * Opening and closing the engine's own sessions. Every session the planner opens is
 * read-only towards the managed objects; writes happen only in apply.ts.
 */
import { Client, type ClientConfig } from "pg";

export type Db = ClientConfig;

/** Runs `fn` with a connected client and closes it whatever happens. */
export async function withClient<T>(db: Db | Client, fn: (client: Client) => Promise<T>): Promise<T> {
  if (db instanceof Client) return fn(db);
  const client = new Client(db);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
