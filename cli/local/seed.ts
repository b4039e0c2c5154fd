/**
 * Demo data for the local environment: two customers (auth user + customers row),
 * one marketplace agent, one hired agent and one task each. Fixed ids and
 * `on conflict do nothing`, so running `up` again changes nothing. Runs as the
 * applier (BYPASSRLS), in one transaction.
 */
import { Client, type ClientConfig } from "pg";
import { DEMO_CUSTOMERS } from "./demo";

export const DEMO_AGENT_ID = "ae000000-0000-4000-8000-0000000000a1";

const hiredId = (i: number): string => `c0e00000-0000-4000-8000-00000000000${i + 1}`;
const taskId = (i: number): string => `7a500000-0000-4000-8000-00000000000${i + 1}`;

export async function seedDemo(db: ClientConfig): Promise<{ customers: number }> {
  const client = new Client(db);
  await client.connect();
  try {
    await client.query("begin");
    await client.query(
      `insert into public.virtual_employees (id, name, role, department, seniority_level, description, pricing_monthly, status)
       values ($1, 'Marketing Manager', 'Marketing Manager', 'Marketing', 'manager', 'Plans campaigns and writes copy.', 499.00, 'stable')
       on conflict (id) do nothing`,
      [DEMO_AGENT_ID],
    );
    for (const [i, c] of DEMO_CUSTOMERS.entries()) {
      await client.query("insert into auth.users (id) values ($1) on conflict (id) do nothing", [c.id]);
      await client.query("insert into public.customers (id, email, company_name) values ($1, $2, $3) on conflict (id) do nothing", [c.id, c.email, c.company]);
      await client.query(
        `insert into public.customer_ves (id, customer_id, marketplace_agent_id, persona_name, agent_type)
         values ($1, $2, $3, $4, 'marketing-manager') on conflict (id) do nothing`,
        [hiredId(i), c.id, DEMO_AGENT_ID, i === 0 ? "Ada" : "Grace"],
      );
      await client.query(
        `insert into public.tasks (id, customer_id, title, description, assigned_to_ve)
         values ($1, $2, $3, 'Seeded by ve-infra up.', $4) on conflict (id) do nothing`,
        [taskId(i), c.id, `Draft the ${c.slug} launch announcement`, hiredId(i)],
      );
    }
    await client.query("commit");
    return { customers: DEMO_CUSTOMERS.length };
  } catch (err) {
    await client.query("rollback").catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}
