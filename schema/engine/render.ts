/**
 * A plan rendered for people (text), for psql (sql), for machines (json, stable key
 * order) and for a pull-request comment (markdown). Security changes are listed
 * first and marked in every human format.
 */
import { stableStringify } from "./introspect";
import type { Hazard, Plan, PlanStep } from "./plan-types";
import { qualifiedKey } from "./sql";

export type PlanFormat = "text" | "sql" | "json" | "markdown";

function hazardLine(h: Hazard): string {
  if (h.kind === "SECURITY") return `${h.widensAccess ? "!! SECURITY (widens access)" : "!  SECURITY"}: ${h.message}`;
  return `${h.kind}: ${h.message}`;
}

function isSecurity(s: PlanStep): boolean {
  return s.hazards.some((h) => h.kind === "SECURITY");
}

function widens(s: PlanStep): boolean {
  return s.hazards.some((h) => h.kind === "SECURITY" && h.widensAccess === true);
}

function stepMeta(s: PlanStep): string {
  const tx = s.transactional ? `transaction ${s.group}` : "outside a transaction";
  const lock = s.lockMode ? `, ${s.lockMode} lock on ${s.lockTable}` : "";
  return `${tx}${lock}, lock_timeout ${s.lockTimeoutMs} ms, statement_timeout ${s.statementTimeoutMs} ms`;
}

function indent(text: string, by: string): string {
  return text.split("\n").map((l) => by + l).join("\n");
}

function summary(plan: Plan): string[] {
  const counts = new Map<string, number>();
  for (const s of plan.steps) for (const h of s.hazards) counts.set(h.kind, (counts.get(h.kind) ?? 0) + 1);
  const hz = [...counts].map(([k, n]) => `${k} ${n}`).join(", ") || "none";
  return [
    `Plan for database ${plan.database} (PostgreSQL ${Math.floor(plan.serverVersion / 10000)}), fingerprint ${plan.fingerprint.slice(0, 12)}`,
    `${plan.steps.length} steps over ${plan.scope.length} tables; hazards: ${hz}; ${plan.steps.filter(widens).length} widen access`,
    `${plan.blocked.length} blocked, ${plan.kept.length} kept, ${plan.drift.length} drifted (${plan.drift.filter((d) => d.security).length} security)`,
    ...(plan.warnings ?? []).map((w) => `warning: ${w}`),
  ];
}

function renderText(plan: Plan): string {
  const out = [...summary(plan), ""];
  const sec = plan.steps.filter(isSecurity);
  if (sec.length > 0) {
    out.push("Security changes:");
    for (const s of sec) out.push(`  ${widens(s) ? "!!" : "! "} ${s.action} ${s.object}`);
    out.push("");
  }
  plan.steps.forEach((s, i) => {
    out.push(`${i + 1}. ${s.action} ${s.object}  [${stepMeta(s)}]`);
    for (const h of s.hazards) out.push(`   ${hazardLine(h)}`);
    if (s.consentKey) out.push(`   consent: ${s.consentKey}${s.allowedByDeclaration ? " (allowed by the declaration)" : ""}`);
    if (s.precondition) out.push(`   only if: ${s.precondition.description}`);
    out.push(indent(s.sql, "     "));
  });
  if (plan.blocked.length > 0) {
    out.push("", "Blocked (left NOT VALID / not applied; still enforced for new rows):");
    for (const b of plan.blocked) out.push(`  ${b.table} ${b.constraint}: ${b.reason}; ${b.rowCount} rows, e.g. ${b.rows.slice(0, 5).join(", ")}`);
  }
  if (plan.kept.length > 0) {
    out.push("", "Kept:");
    for (const k of plan.kept) out.push(`  ${k.object}: ${k.reason}`);
  }
  if (plan.drift.length > 0) {
    out.push("", "Drift (live differs from the declaration):");
    for (const d of [...plan.drift].sort((a, b) => Number(b.security) - Number(a.security)))
      out.push(`  ${d.security ? "!! SECURITY " : ""}${d.object}`, `     expected: ${d.expected}`, `     actual:   ${d.actual}`);
  }
  return out.join("\n") + "\n";
}

/** A script psql can run: each group in its own transaction, taking its lock first. */
export function renderSql(plan: Pick<Plan, "steps">, header: string[] = []): string {
  const out = header.map((h) => `-- ${h}`);
  let open: string | undefined;
  const close = (): void => {
    if (open !== undefined) out.push("commit;", "");
    open = undefined;
  };
  for (const s of plan.steps) {
    if (!s.transactional || s.group !== open) close();
    out.push(`-- ${s.action} ${s.object}`);
    for (const h of s.hazards) out.push(`-- ${hazardLine(h)}`);
    if (s.precondition) out.push(`-- only if no rows: ${s.precondition.sql.replace(/\s+/g, " ")}`);
    if (s.transactional && open === undefined) {
      open = s.group;
      out.push("begin;", `set local lock_timeout = ${s.lockTimeoutMs};`, `set local statement_timeout = ${s.statementTimeoutMs};`);
      if (s.lockTable && s.lockMode) out.push(`lock table ${qualifiedKey(s.lockTable)} in ${s.lockMode.toLowerCase()} mode;`);
    } else if (!s.transactional) {
      out.push(`set lock_timeout = ${s.lockTimeoutMs};`, `set statement_timeout = ${s.statementTimeoutMs};`);
    }
    out.push(`${s.sql};`);
    if (!s.transactional) out.push("");
  }
  close();
  return out.join("\n") + "\n";
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function renderMarkdown(plan: Plan): string {
  const out = ["### Database plan", "", ...summary(plan).map((l) => `- ${l}`), ""];
  const sec = plan.steps.filter(isSecurity);
  if (sec.length > 0) {
    out.push("#### ⚠️ Security changes", "", "| | Change | Why |", "|---|---|---|");
    for (const s of sec) out.push(`| ${widens(s) ? "🔓 widens" : "🔒"} | ${s.action} ${mdEscape(s.object)} | ${mdEscape(s.hazards.filter((h) => h.kind === "SECURITY").map((h) => h.message).join(" "))} |`);
    out.push("");
  }
  const groups = new Map<string, PlanStep[]>();
  for (const s of plan.steps) groups.set(s.table ?? "schema-wide", [...(groups.get(s.table ?? "schema-wide") ?? []), s]);
  for (const [table, steps] of groups) {
    out.push(`<details><summary><b>${table}</b>: ${steps.length} steps${steps.some(widens) ? " 🔓" : ""}</summary>`, "");
    for (const s of steps) {
      out.push(`- **${s.action}** ${s.object}${s.transactional ? "" : " _(outside a transaction)_"}`);
      for (const h of s.hazards) out.push(`  - \`${h.kind}\`${h.widensAccess ? " **widens access**" : ""}: ${h.message}`);
      if (s.consentKey) out.push(`  - consent key \`${s.consentKey}\`${s.allowedByDeclaration ? " (allowed by the declaration)" : ""}`);
    }
    out.push("", "```sql", ...steps.map((s) => `${s.sql};`), "```", "</details>", "");
  }
  if (plan.blocked.length > 0) {
    out.push("#### Blocked", "", "| Table | Constraint | Rows | Reason |", "|---|---|---|---|");
    for (const b of plan.blocked) out.push(`| ${b.table} | ${b.constraint} | ${b.rowCount} | ${mdEscape(b.reason)} |`);
    out.push("");
  }
  if (plan.kept.length > 0) {
    out.push("#### Kept", "", "| Object | Reason |", "|---|---|");
    for (const k of plan.kept) out.push(`| ${mdEscape(k.object)} | ${mdEscape(k.reason)} |`);
    out.push("");
  }
  if (plan.drift.length > 0) {
    out.push("#### Drift", "", "| | Object | Expected | Actual |", "|---|---|---|---|");
    for (const d of [...plan.drift].sort((a, b) => Number(b.security) - Number(a.security)))
      out.push(`| ${d.security ? "⚠️ security" : ""} | ${mdEscape(d.object)} | \`${mdEscape(d.expected)}\` | \`${mdEscape(d.actual)}\` |`);
    out.push("");
  }
  return out.join("\n");
}

export function renderPlan(plan: Plan, format: PlanFormat): string {
  switch (format) {
    case "text":
      return renderText(plan);
    case "sql":
      return renderSql(plan, summary(plan));
    case "json":
      return JSON.stringify(JSON.parse(stableStringify(plan)), null, 2) + "\n";
    case "markdown":
      return renderMarkdown(plan);
  }
}
