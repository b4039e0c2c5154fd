import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "pg";
import { createTestDatabase, pgServers, type TestDatabase } from "../support/db";
import { preparePlatform } from "../../schema/platform";
import { table, uuid, text, type SchemaModel } from "../../schema/model";
import { lint, LINT_RULES, type Finding } from "../../schema/verify";
import { miniModel, renderMiniSchema } from "./support/mini-schema";

/** The model only tells lint which tables are tenant tables (and the schemas). */
const tenant = (name: string) => table(`public.${name}`, { tenancy: { column: "customer_id" }, columns: { id: uuid().primaryKey(), customer_id: uuid().notNull(), body: text() } });
const model: SchemaModel = {
  schemas: ["public"], extensions: [], roles: [], functions: [], retired: [],
  tables: [tenant("tenant_items"), tenant("parents"), tenant("children")],
};

/** Shared by the broken and the fixed schema. */
const BASE = `
  create table open_notes (id uuid primary key, body text);
  create table internal_notes (id uuid primary key);
  create table dormant (id uuid primary key, customer_id uuid);
  create table locked (id uuid primary key);
  create table tenant_items (id uuid primary key, customer_id uuid not null, body text);
  create table parents (customer_id uuid not null, id uuid not null, body text, primary key (customer_id, id));
  create table children (id uuid primary key, customer_id uuid not null, parent_id uuid, body text,
    constraint children_parent_fkey foreign key (customer_id, parent_id) references parents (customer_id, id));
  create table fk_child (id uuid primary key, parent_id uuid constraint fk_child_parent_fkey references open_notes (id));
  create table logbook (id uuid, line text);
`;

/** One defect per rule (the comments name the rule). */
const BROKEN = `${BASE}
  grant select on open_notes to anon;                                                             -- rls_disabled_in_public
  create index dup_a on open_notes (body); create index dup_b on open_notes (body);               -- duplicate_index
  create view everything as select * from open_notes; grant select on everything to anon;        -- security_definer_view
  create policy dormant_select on dormant for select to authenticated using (customer_id = (select auth.uid())); -- policy_exists_rls_disabled
  alter table locked enable row level security;                                                   -- rls_enabled_no_policy
  alter table tenant_items enable row level security;                                             -- tenant_table_rls_not_forced (no FORCE)
  create policy tenant_items_select on tenant_items for select to authenticated using (auth.uid() = customer_id); -- auth_rls_initplan
  create policy tenant_items_select_too on tenant_items for select using (customer_id = (select auth.uid()));   -- policy_without_role + multiple_permissive_policies
  create policy tenant_items_update on tenant_items for update to authenticated using (true) with check (true); -- rls_policy_always_true
  grant select on tenant_items to anon;                                                           -- anon_grant_on_tenant_table (and no index: tenant_column_unindexed)
  alter table parents enable row level security; alter table parents force row level security;
  create policy parents_select on parents for select to authenticated
    using (customer_id = (select auth.uid()) or customer_id = auth.uid());                        -- auth_rls_initplan: one call wrapped, one bare
  alter table children enable row level security; alter table children force row level security;
  create policy children_select on children for select to authenticated
    using (customer_id = nullif(current_setting('app.customer', true), '')::uuid);                -- auth_rls_initplan: current_setting per row
  create index children_wrong_order on children (parent_id, customer_id);                         -- unindexed_foreign_keys (wrong order)
  create function leak(p uuid) returns uuid language sql security definer as $$ select p $$;     -- search path + definer executable (PUBLIC)
  alter table logbook enable row level security;
  create policy logbook_select on logbook for select to authenticated using (false);              -- no_primary_key
`;

const FIXED = `${BASE}
  alter table open_notes enable row level security;
  create policy open_notes_select on open_notes for select to anon, authenticated using (true);
  grant select on open_notes to anon;
  create index dup_a on open_notes (body);
  create view everything with (security_invoker = true) as select * from open_notes; grant select on everything to anon;
  alter table internal_notes enable row level security;
  create policy internal_notes_select on internal_notes for select to authenticated using (false);
  alter table dormant enable row level security;
  create policy dormant_select on dormant for select to authenticated using (customer_id = (select auth.uid()));
  alter table locked enable row level security;
  create policy locked_select on locked for select to authenticated using (false);
  alter table tenant_items enable row level security; alter table tenant_items force row level security;
  create policy tenant_items_select on tenant_items for select to authenticated using ((select auth.uid()) = customer_id);
  create policy tenant_items_update on tenant_items for update to authenticated
    using (customer_id = (select auth.uid())) with check (customer_id = (select auth.uid()));
  create index tenant_items_customer_id on tenant_items (customer_id);
  alter table parents enable row level security; alter table parents force row level security;
  create policy parents_select on parents for select to authenticated using (customer_id = (select auth.uid()));
  alter table children enable row level security; alter table children force row level security;
  create policy children_select on children for select to authenticated
    using (customer_id = (select nullif(current_setting('app.customer', true), '')::uuid) or customer_id = (select auth.uid()));
  create index children_customer_parent on children (customer_id, parent_id) where parent_id is not null; -- a partial index counts
  create index fk_child_parent on fk_child (parent_id);
  alter table fk_child enable row level security;
  create policy fk_child_select on fk_child for select to authenticated using (false);
  create function leak(p uuid) returns uuid language sql security invoker set search_path = '' as $$ select p $$;
  revoke execute on function leak(uuid) from public;
  alter table logbook add primary key (id);
  alter table logbook enable row level security;
  create policy logbook_select on logbook for select to authenticated using (false);
`;

async function run(db: TestDatabase, sql: string): Promise<void> {
  const c = new Client(db.config);
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const has = (findings: readonly Finding[], check: string, object: string): boolean => findings.some((f) => f.check === check && f.object === object);

describe.each(pgServers())("lint on $name", (server) => {
  let broken: TestDatabase;
  let fixed: TestDatabase;
  let brokenFindings: Finding[];

  beforeAll(async () => {
    broken = await createTestDatabase(server, "lint_broken");
    fixed = await createTestDatabase(server, "lint_fixed");
    await Promise.all([preparePlatform(broken.config, "postgres"), preparePlatform(fixed.config, "postgres")]);
    await run(broken, BROKEN);
    await run(fixed, FIXED);
    // An index left INVALID by a failed concurrent build does not serve the key.
    await run(broken, `insert into open_notes (id) values ('00000000-0000-0000-0000-000000000001');
      insert into fk_child values (gen_random_uuid(), '00000000-0000-0000-0000-000000000001'), (gen_random_uuid(), '00000000-0000-0000-0000-000000000001')`);
    await expect(run(broken, "create unique index concurrently fk_child_parent on fk_child (parent_id)")).rejects.toThrow(/could not create unique index/);
    brokenFindings = await lint(broken.config, model);
  });

  afterAll(async () => {
    await broken?.drop();
    await fixed?.drop();
  });

  it.each([
    ["rls_disabled_in_public", "public.open_notes"],
    ["rls_disabled", "public.internal_notes"],
    ["policy_exists_rls_disabled", "public.dormant"],
    ["rls_enabled_no_policy", "public.locked"],
    ["auth_rls_initplan", "public.tenant_items.tenant_items_select"],
    ["auth_rls_initplan", "public.parents.parents_select"],
    ["auth_rls_initplan", "public.children.children_select"],
    ["multiple_permissive_policies", "public.tenant_items"],
    ["unindexed_foreign_keys", "public.children"],
    ["unindexed_foreign_keys", "public.fk_child"],
    ["function_search_path_mutable", "public.leak(p uuid)"],
    ["anon_security_definer_function_executable", "public.leak(p uuid)"],
    ["authenticated_security_definer_function_executable", "public.leak(p uuid)"],
    ["security_definer_view", "public.everything"],
    ["duplicate_index", "public.open_notes"],
    ["no_primary_key", "public.logbook"],
    ["rls_policy_always_true", "public.tenant_items.tenant_items_update"],
    ["tenant_table_rls_not_forced", "public.tenant_items"],
    ["policy_without_role", "public.tenant_items.tenant_items_select_too"],
    ["anon_grant_on_tenant_table", "public.tenant_items"],
    ["tenant_column_unindexed", "public.tenant_items"],
  ])("%s finds %s", (check, object) => {
    expect(brokenFindings.filter((f) => f.check === check).map((f) => f.object)).toContain(object);
  });

  it("covers every rule in the broken schema", () => {
    const fired = new Set(brokenFindings.map((f) => f.check));
    expect(LINT_RULES.map((r) => r.check).filter((c) => !fired.has(c))).toEqual([]);
  });

  it("multiple_permissive_policies names the command, the roles and both policies", () => {
    const f = brokenFindings.find((x) => x.check === "multiple_permissive_policies" && x.object === "public.tenant_items");
    expect(f?.message).toMatch(/SELECT by .*authenticated/);
    expect(f?.message).toContain("tenant_items_select, tenant_items_select_too");
  });

  it("does not report what is not wrong in the broken schema", () => {
    // parents is forced and indexed by its primary key; dormant's policy is wrapped.
    expect(has(brokenFindings, "tenant_table_rls_not_forced", "public.parents")).toBe(false);
    expect(has(brokenFindings, "tenant_column_unindexed", "public.parents")).toBe(false);
    expect(has(brokenFindings, "auth_rls_initplan", "public.dormant.dormant_select")).toBe(false);
    expect(has(brokenFindings, "rls_policy_always_true", "public.tenant_items.tenant_items_select")).toBe(false);
  });

  it("finds nothing in the fixed schema", async () => {
    expect(await lint(fixed.config, model)).toEqual([]);
  });

  it("lints only the schemas asked for", async () => {
    const objects = (await lint(broken.config, model, { schemas: ["auth"] })).map((f) => f.object);
    expect(objects.filter((o) => !o.startsWith("auth."))).toEqual([]);
  });

  it("finds nothing in the verifier's mini tenant schema", async () => {
    const db = await createTestDatabase(server, "lint_mini");
    try {
      await preparePlatform(db.config, "postgres");
      await run(db, renderMiniSchema(miniModel).join(";\n"));
      expect(await lint(db.config, miniModel)).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});
