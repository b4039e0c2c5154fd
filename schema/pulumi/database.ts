/**
 * `ve:db:Database`: the whole database side of a stack, composed from the model.
 * @pulumi/postgresql owns what it manages well (the schema, extensions, default
 * privileges, the plan reader's login role and its memberships); the engine owns
 * everything inside tables through dynamic resources (ve:Platform, ve:Function,
 * ve:Table, ve:Retired), ordered so each table comes after the platform, the default
 * privileges, the tables its foreign keys reference and the functions it calls.
 */
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseConfig } from "../../config/database";
import type { SchemaModel } from "../model/types";
import { Function } from "./function";
import { PlatformResource, type Platform } from "./platform";
import { Retired } from "./retired";
import { functionKeyOf, functionSlice, retiredSlice, tableDependencies, tableKeyOf, tableSlice, tablesInDependencyOrder } from "./slices";
import { Table } from "./table";

export const PLAN_READER_ROLE = "ve_plan_reader";
/** Supabase grants these ALL on every new table in public by default; the model grants explicitly instead. */
const DEFAULT_GRANTEES_TO_REVOKE = ["anon", "authenticated"];

export interface DatabaseArgs {
  /** The declared schema (schema/app's platformSchema). */
  readonly model: SchemaModel;
  readonly platform: Platform;
  /** Where @pulumi/postgresql connects (the dynamic providers read the same keys in `configure`). */
  readonly connection: DatabaseConfig;
  /** The applier's password: a secret Output, only ever given to the postgresql provider. */
  readonly password: pulumi.Input<string>;
  /** The read-only role pull-request plans connect as; its password is write-only (not kept in state). */
  readonly planReader: { readonly password: pulumi.Input<string>; readonly passwordVersion: number };
  /** protect + retainOnDelete on tables and schemas (prod). */
  readonly protect: boolean;
}

export class Database extends pulumi.ComponentResource {
  /** Qualified table names, in creation order. */
  readonly tables: pulumi.Output<string[]>;
  readonly planReaderRole: pulumi.Output<string>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ve:db:Database", name, { platform: args.platform, tables: args.model.tables.length }, opts);
    const { model, connection: c } = args;
    const keep = args.protect ? { protect: true, retainOnDelete: true } : {};

    const pg = new postgresql.Provider(`${name}-postgres`, {
      host: c.host, port: c.port, database: c.database, username: c.user, password: args.password,
      sslmode: c.sslmode, superuser: c.superuser, connectTimeout: 15,
    }, { parent: this });
    const onPg = (deps: pulumi.Resource[] = [], extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions =>
      ({ parent: this, provider: pg, dependsOn: deps, ...extra });

    const platform = new PlatformResource(`${name}-platform`, { platform: args.platform }, { parent: this });

    // The schema outlives the stack: dropping it would drop every table in it.
    const schemas = model.schemas.map((s) =>
      new postgresql.Schema(`${name}-schema-${s}`, { name: s, ifNotExists: true, dropCascade: false }, onPg([platform], { retainOnDelete: true, ...(args.protect ? { protect: true } : {}) })));
    const extensions = model.extensions.map((e) => new postgresql.Extension(`${name}-extension-${e}`, { name: e }, onPg([platform])));

    const defaults = model.schemas.flatMap((s, i) => DEFAULT_GRANTEES_TO_REVOKE.map((role) =>
      new postgresql.DefaultPrivileges(`${name}-default-privileges-${s}-${role}`, {
        database: c.database, schema: s, owner: c.user, role, objectType: "table", privileges: [],
      }, onPg([platform, schemas[i]]))));

    const reader = new postgresql.Role(`${name}-${PLAN_READER_ROLE}`, {
      name: PLAN_READER_ROLE, login: true, bypassRowLevelSecurity: false, createDatabase: false, createRole: false, connectionLimit: 5,
      passwordWo: args.planReader.password, passwordWoVersion: String(args.planReader.passwordVersion),
    }, onPg());
    new postgresql.Grant(`${name}-${PLAN_READER_ROLE}-connect`, {
      database: c.database, role: PLAN_READER_ROLE, objectType: "database", privileges: ["CONNECT"],
    }, onPg([reader]));
    // Catalog reads need nothing; the plans' row checks read tables. RLS still applies to it (no BYPASSRLS).
    new postgresql.GrantRole(`${name}-${PLAN_READER_ROLE}-read-all-data`, { role: PLAN_READER_ROLE, grantRole: "pg_read_all_data" }, onPg([reader]));

    const base: pulumi.Resource[] = [platform, ...schemas, ...extensions, ...defaults];
    const functions = new Map(model.functions.map((f) => {
      const s = functionSlice(model, f);
      return [s.key, new Function(`${name}-${s.key}`, { schema: f.schema, name: f.name, platform: args.platform, declaration: s.declaration, roles: s.roles },
        { parent: this, dependsOn: base })] as const;
    }));

    const tables = new Map<string, Table>();
    for (const t of tablesInDependencyOrder(model)) {
      const s = tableSlice(model, t);
      const deps = tableDependencies(model, t);
      const after = [
        ...base,
        // A foreign key in a cycle has no earlier table to wait for; the engine adds it NOT VALID.
        ...deps.tables.flatMap((k) => tables.get(k) ?? []),
        ...deps.functions.flatMap((k) => functions.get(k) ?? []),
      ];
      tables.set(s.key, new Table(`${name}-${s.key}`, { schema: t.schema, name: t.name, platform: args.platform, declaration: s.declaration, roles: s.roles },
        { parent: this, dependsOn: after, ...keep }));
    }

    // Retired policies and functions go once their replacements exist.
    if (model.retired.length > 0) {
      new Retired(`${name}-retired`, { platform: args.platform, schemas: [...model.schemas], retired: retiredSlice(model) },
        { parent: this, dependsOn: [platform, ...functions.values(), ...tables.values()] });
    }

    this.tables = pulumi.output([...tables.keys()]);
    this.planReaderRole = reader.name;
    this.registerOutputs({ tables: this.tables, planReaderRole: this.planReaderRole, functions: model.functions.map(functionKeyOf), tableOrder: model.tables.map(tableKeyOf) });
  }
}
