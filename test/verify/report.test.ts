import { describe, expect, it } from "vitest";
import { renderFindings, renderIsolationSummary, type Attempt, type IsolationReport } from "../../schema/verify";

const attempt = (over: Partial<Attempt>): Attempt => ({
  actor: "A", object: "public.tasks", command: "select", kind: "read_other", description: "A reads rows of public.tasks owned by anyone else",
  sql: "select 1", expected: "blocked", actual: "no_rows", detail: "0 rows", ok: true, ...over,
});

describe("report rendering", () => {
  it("lists findings errors first", () => {
    const text = renderFindings([
      { check: "unindexed_foreign_keys", level: "info", object: "public.b", message: "m1" },
      { check: "rls_disabled_in_public", level: "error", object: "public.a", message: "m2" },
    ]);
    expect(text.split("\n")).toEqual(["ERROR  rls_disabled_in_public  public.a: m2", "INFO   unindexed_foreign_keys  public.b: m1"]);
    expect(renderFindings([])).toBe("no findings");
  });

  it("summarises an isolation report and lists what went wrong", () => {
    const bad = attempt({ actual: "allowed", detail: "3 rows", ok: false });
    const report: IsolationReport = {
      attempts: [attempt({}), bad],
      findings: [
        { check: "isolation_breach", level: "error", object: "public.tasks", message: `${bad.description}: expected blocked, got allowed (3 rows)` },
        { check: "isolation_table_missing", level: "error", object: "public.x", message: "table public.x is declared but does not exist" },
      ],
      summary: { attempts: 2, passed: 1, breaches: 1, failedLegitimate: 0, inconclusive: 0 },
    };
    expect(renderIsolationSummary(report).split("\n")).toEqual([
      "isolation: 1/2 attempts as expected; 1 breach(es), 0 legitimate action(s) failed, 0 inconclusive",
      "  A    select  public.tasks read_other: expected blocked, got allowed (3 rows)",
      "ERROR  isolation_table_missing  public.x: table public.x is declared but does not exist",
    ]);
  });
});
