/**
 * Schema-wide objects: extensions, managed roles, functions and their EXECUTE
 * rights, retired functions. A function's rights are security: SECURITY DEFINER runs
 * as its owner, and EXECUTE for anon or authenticated exposes it to the API.
 */
import type { FunctionDecl, SchemaModel } from "../../model/types";
import type { Catalog, CatalogFunction } from "../catalog-types";
import { alterRoleSql, createExtensionSql, createFunctionSql, createRoleSql, declaredFunctionRef, functionGrantsSql, functionRef, functionSignatureKey, searchPathConfig } from "../ddl-global";
import { hazard } from "../hazards";
import type { DriftItem, KeptObject, PlanStep } from "../plan-types";
import { quoteIdent } from "../sql";
import { globalStep } from "../steps";

export interface GlobalDiff {
  readonly pre: PlanStep[];
  readonly post: PlanStep[];
  readonly drift: DriftItem[];
  readonly kept: KeptObject[];
}

const API_ROLES = ["anon", "authenticated", "PUBLIC"];

function executors(f: CatalogFunction): string[] {
  return [...new Set(f.privileges.filter((p) => p.privilege === "execute" && p.grantee !== f.owner).map((p) => p.grantee))].sort();
}

function describe(f: { returns: string; language: string; volatility: string; securityDefiner: boolean; config: string }): string {
  return `RETURNS ${f.returns} LANGUAGE ${f.language} ${f.volatility.toUpperCase()}${f.securityDefiner ? " SECURITY DEFINER" : ""} SET ${f.config}`;
}

function liveKey(f: CatalogFunction): string {
  return functionSignatureKey(f.schema, f.name, f.identityArgs.map((a) => a.type));
}

function declKey(f: FunctionDecl): string {
  return functionSignatureKey(f.schema, f.name, f.args.map((a) => a.type));
}

export function diffGlobal(model: SchemaModel, catalog: Catalog): GlobalDiff {
  const out: GlobalDiff = { pre: [], post: [], drift: [], kept: [] };
  for (const schema of model.schemas)
    if (!catalog.schemas.includes(schema))
      out.pre.push(globalStep({ id: `schema:${schema}:create`, object: `schema ${schema}`, action: "create", sql: `create schema if not exists ${quoteIdent(schema)}`, hazards: [] }));
  for (const ext of model.extensions)
    if (!catalog.extensions.includes(ext))
      out.pre.push(globalStep({ id: `extension:${ext}:create`, object: `extension ${ext}`, action: "create", sql: createExtensionSql(ext), hazards: [] }));

  const roles = new Map(catalog.roles.map((r) => [r.name, r]));
  for (const r of model.roles) {
    if (r.origin !== "managed") continue;
    const l = roles.get(r.name);
    if (!l) {
      out.pre.push(globalStep({ id: `role:${r.name}:create`, object: `role ${r.name}`, action: "create", sql: createRoleSql(r), hazards: r.bypassRls ? [hazard.security(`Creates role ${r.name} with BYPASSRLS: ${r.purpose}`, true)] : [] }));
    } else if (l.login !== r.login || l.bypassRls !== r.bypassRls) {
      out.drift.push({ object: `role ${r.name}`, expected: `${r.login ? "LOGIN" : "NOLOGIN"} ${r.bypassRls ? "BYPASSRLS" : "NOBYPASSRLS"}`, actual: `${l.login ? "LOGIN" : "NOLOGIN"} ${l.bypassRls ? "BYPASSRLS" : "NOBYPASSRLS"}`, security: true });
      out.pre.push(globalStep({ id: `role:${r.name}:alter`, object: `role ${r.name}`, action: "alter", sql: alterRoleSql(r), hazards: [hazard.security(`Changes the attributes of role ${r.name}.`, (r.bypassRls && !l.bypassRls) || (r.login && !l.login))] }));
    }
  }

  const live = new Map(catalog.functions.map((f) => [liveKey(f), f]));
  const declared = new Set(model.functions.map(declKey));
  for (const f of model.functions) {
    const key = declKey(f);
    const object = `function ${key}`;
    const l = live.get(key);
    const wantConfig = searchPathConfig(f.searchPath);
    const wantExec = [...new Set(f.executableBy)].sort();
    const exposed = f.executableBy.some((r) => API_ROLES.includes(r));
    if (!l) {
      out.pre.push(globalStep({ id: `function:${key}:create`, object, action: "create", sql: createFunctionSql(f), hazards: f.securityDefiner ? [hazard.security(`Creates SECURITY DEFINER function ${key}: it runs with its owner's rights.`, true)] : [] }));
      for (const sql of functionGrantsSql(f))
        out.pre.push(globalStep({ id: `function:${key}:grant:${sql.startsWith("revoke") ? "revoke" : "grant"}`, object, action: "alter", sql, hazards: sql.startsWith("grant") ? [hazard.security(`Lets ${wantExec.join(", ")} execute ${key}.`, exposed)] : [] }));
      continue;
    }
    const want = describe({ ...f, config: wantConfig });
    const have = describe({ ...l, config: l.config.find((c) => c.startsWith("search_path=")) ?? "(search_path not set)" });
    const bodyChanged = l.body !== f.body;
    if (want !== have || bodyChanged || l.config.length !== 1) {
      const security = l.securityDefiner !== f.securityDefiner || !l.config.includes(wantConfig);
      out.drift.push({ object, expected: want + (bodyChanged ? ` AS ${f.body}` : ""), actual: have + (bodyChanged ? ` AS ${l.body}` : ""), security });
      const returnsChanged = l.returns !== f.returns;
      if (returnsChanged)
        out.pre.push(globalStep({ id: `function:${key}:drop`, object, action: "replace", sql: `drop function ${declaredFunctionRef(f)}`, hazards: [] }));
      out.pre.push(globalStep({
        id: `function:${key}:replace`,
        object,
        action: returnsChanged ? "create" : "replace",
        sql: createFunctionSql(f, !returnsChanged),
        hazards: f.securityDefiner && !l.securityDefiner ? [hazard.security(`Makes ${key} SECURITY DEFINER: it runs with its owner's rights.`, true)] : l.securityDefiner !== f.securityDefiner ? [hazard.security(`Makes ${key} SECURITY INVOKER.`, false)] : [],
      }));
    }
    const haveExec = executors(l);
    if (haveExec.join(",") !== wantExec.join(",")) {
      out.drift.push({ object: `EXECUTE on ${object}`, expected: wantExec.join(", ") || "(nobody)", actual: haveExec.join(", ") || "(nobody)", security: true });
      const revokeFrom = haveExec.filter((r) => !wantExec.includes(r));
      if (revokeFrom.length > 0)
        out.pre.push(globalStep({ id: `function:${key}:revoke`, object, action: "alter", sql: `revoke all on function ${declaredFunctionRef(f)} from ${revokeFrom.map((r) => (r === "PUBLIC" ? "public" : quoteIdent(r))).join(", ")}`, hazards: [hazard.security(`Revokes EXECUTE on ${key} from ${revokeFrom.join(", ")}.`, false)] }));
      const grantTo = wantExec.filter((r) => !haveExec.includes(r));
      if (grantTo.length > 0)
        out.pre.push(globalStep({ id: `function:${key}:grant`, object, action: "alter", sql: functionGrantsSql(f)[1] ?? "", hazards: [hazard.security(`Lets ${grantTo.join(", ")} execute ${key}.`, true)] }));
    }
  }

  const retired = new Set<string>();
  for (const r of model.retired) {
    if (r.kind !== "function") continue;
    const l = live.get(r.identity.replace(/\s+/g, " "));
    if (!l) continue;
    retired.add(liveKey(l));
    out.post.push(globalStep({ id: `function:${liveKey(l)}:drop`, object: `function ${liveKey(l)}`, action: "drop", sql: `drop function if exists ${functionRef(l.schema, l.name, l.identityArgs.map((a) => a.type))}`, hazards: [hazard.security(`Drops retired function ${liveKey(l)}: ${r.reason}`, false)] }));
  }
  for (const l of catalog.functions) {
    const key = liveKey(l);
    if (declared.has(key) || retired.has(key)) continue;
    const exposedTo = executors(l).filter((r) => API_ROLES.includes(r));
    out.kept.push({ object: `function ${key}`, reason: "not declared; left in place" });
    if (l.securityDefiner && exposedTo.length > 0)
      out.drift.push({ object: `function ${key}`, expected: "(not declared)", actual: `SECURITY DEFINER, executable by ${exposedTo.join(", ")}`, security: true });
  }
  return out;
}
