/**
 * An application-like write load on the platform's tables: each worker is one
 * connection that, in short transactions, records a message, bills token usage and
 * moves a task along, always within one customer (as the backend does). Latencies
 * are kept per operation so a benchmark can compare windows of time.
 */
import { Client, type ClientConfig } from "pg";

export interface Sample {
  /** When the operation started (ms since epoch). */
  readonly at: number;
  readonly latencyMs: number;
  readonly ok: boolean;
  readonly error?: string;
}

export interface Tenant {
  readonly customerId: string;
  readonly hiredAgentIds: readonly string[];
  readonly taskIds: readonly string[];
}

export interface WriteLoad {
  readonly samples: Sample[];
  stop(): Promise<void>;
}

/** Reads customers with their hired agents and tasks, to generate same-tenant writes. */
export async function loadTenants(db: ClientConfig): Promise<Tenant[]> {
  const c = new Client(db);
  await c.connect();
  try {
    const { rows } = await c.query<{ id: string; ves: string[] | null; tasks: string[] | null }>(`
      select c.id,
             (select array_agg(v.id) from public.customer_ves v where v.customer_id = c.id) as ves,
             (select array_agg(t.id) from public.tasks t where t.customer_id = c.id) as tasks
        from public.customers c`);
    return rows
      .filter((r) => (r.ves?.length ?? 0) > 0 && (r.tasks?.length ?? 0) > 0)
      .map((r) => ({ customerId: r.id, hiredAgentIds: r.ves ?? [], taskIds: r.tasks ?? [] }));
  } finally {
    await c.end();
  }
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];

async function oneOperation(c: Client, t: Tenant): Promise<void> {
  const ve = pick(t.hiredAgentIds);
  await c.query("begin");
  try {
    await c.query(
      "insert into public.messages (customer_id, customer_ve_id, from_type, content) values ($1, $2, 'customer', 'load')",
      [t.customerId, ve],
    );
    await c.query(
      "insert into public.token_usage (customer_id, ve_id, operation, input_tokens, output_tokens, total_tokens, cost) values ($1, $2, 'chat', 10, 20, 30, 0.0010)",
      [t.customerId, ve],
    );
    await c.query("update public.tasks set status = 'in_progress', updated_at = now() where id = $1 and customer_id = $2", [
      pick(t.taskIds),
      t.customerId,
    ]);
    await c.query("commit");
  } catch (err) {
    await c.query("rollback").catch(() => undefined);
    throw err;
  }
}

/** Starts `workers` connections writing until stop() (or `maxMs`, a hard bound). */
export async function startWriteLoad(db: ClientConfig, tenants: readonly Tenant[], workers: number, maxMs = 120_000): Promise<WriteLoad> {
  if (tenants.length === 0) throw new Error("no tenants with hired agents and tasks to write for");
  const samples: Sample[] = [];
  const deadline = Date.now() + maxMs;
  let running = true;
  const clients = await Promise.all(
    Array.from({ length: workers }, async () => {
      const c = new Client(db);
      // A dropped benchmark database ends these sessions; that is not a crash.
      c.on("error", () => undefined);
      await c.connect();
      await c.query("set application_name = 'bench write load'");
      return c;
    }),
  );
  const loops = clients.map(async (c) => {
    while (running && Date.now() < deadline) {
      const at = Date.now();
      const t0 = performance.now();
      try {
        await oneOperation(c, pick(tenants));
        samples.push({ at, latencyMs: performance.now() - t0, ok: true });
      } catch (err) {
        samples.push({ at, latencyMs: performance.now() - t0, ok: false, error: err instanceof Error ? err.message : String(err) });
      }
    }
  });
  let stopped: Promise<void> | undefined;
  return {
    samples,
    stop() {
      running = false;
      stopped ??= Promise.all(loops).then(async () => {
        await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      });
      return stopped;
    },
  };
}

export function summarize(samples: readonly Sample[], from: number, to: number): { count: number; errors: number; p50: number; p99: number; max: number } {
  const window = samples.filter((s) => s.at >= from && s.at < to);
  const lat = window.map((s) => s.latencyMs).sort((a, b) => a - b);
  const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : 0);
  return { count: window.length, errors: window.filter((s) => !s.ok).length, p50: q(0.5), p99: q(0.99), max: lat.length ? lat[lat.length - 1] : 0 };
}
