/** Every endpoint against every other over a set of probes, and its plain-text rendering. */
import type { KubeObject } from "../types";
import { checkReachability, preparePolicies } from "./evaluate";
import { endpointName, probeName, type Endpoint, type Probe, type ReachabilityOptions, type Verdict } from "./model";

export interface ReachabilityMatrix {
  endpoints: string[];
  probes: Probe[];
  /** allowed[i][j]: the probes on which endpoint i reaches endpoint j. */
  allowed: Probe[][][];
  /** Every verdict, for explaining a cell. */
  verdicts: Verdict[];
  /** Endpoints per row when rows are groups (e.g. customers); a group of two or more has a meaningful diagonal. */
  members?: number[];
}

export function reachabilityMatrix(
  objects: readonly KubeObject[], endpoints: readonly Endpoint[], probes: readonly Probe[], opts: ReachabilityOptions,
): ReachabilityMatrix {
  const policies = preparePolicies(objects);
  const verdicts: Verdict[] = [];
  const allowed = endpoints.map((from) =>
    endpoints.map((to) =>
      probes.filter((probe) => {
        const v = checkReachability(policies, from, to, probe, opts);
        verdicts.push(v);
        return v.allowed;
      }),
    ),
  );
  return { endpoints: endpoints.map(endpointName), probes: [...probes], allowed, verdicts };
}

/** The (from, to, probe) triples a matrix allows, excluding an endpoint to itself. */
export function allowedFlows(m: ReachabilityMatrix): { from: string; to: string; probe: Probe }[] {
  const out: { from: string; to: string; probe: Probe }[] = [];
  m.allowed.forEach((row, i) => row.forEach((cell, j) => {
    if (i !== j) for (const probe of cell) out.push({ from: m.endpoints[i], to: m.endpoints[j], probe });
  }));
  return out;
}

/**
 * Merges endpoints that share a group (a customer's pods) into one row and column;
 * a cell is the union over distinct member pairs, so the diagonal shows what a
 * customer's own pods allow each other.
 */
export function groupMatrix(m: ReachabilityMatrix, groupOf: (endpoint: string, index: number) => string): ReachabilityMatrix {
  const groups: string[] = [];
  const index = m.endpoints.map((e, i) => {
    const g = groupOf(e, i);
    if (!groups.includes(g)) groups.push(g);
    return groups.indexOf(g);
  });
  const cells: Set<number>[][] = groups.map(() => groups.map(() => new Set<number>()));
  m.allowed.forEach((row, i) => row.forEach((cell, j) => {
    if (i === j) return;
    for (const p of cell) cells[index[i]][index[j]].add(m.probes.indexOf(p));
  }));
  const allowed = cells.map((row) => row.map((set) => [...set].sort((a, b) => a - b).map((k) => m.probes[k])));
  const members = groups.map((_, g) => index.filter((x) => x === g).length);
  return { endpoints: groups, probes: m.probes, allowed, verdicts: m.verdicts, members };
}

/**
 * Rows are sources, columns destinations (numbered; the legend names them). A cell
 * lists the probes allowed, `.` means none, `=` is an endpoint (or one-member group) to itself.
 */
export function renderMatrix(m: ReachabilityMatrix): string {
  const short = (p: { protocol: string; port: number }): string => `${p.protocol[0]}${p.port}`;
  const cells = m.allowed.map((row, i) =>
    row.map((cell, j) => (i === j && (m.members?.[i] ?? 1) < 2 ? "=" : cell.length === 0 ? "." : cell.length === m.probes.length ? "all" : cell.map(short).join(","))),
  );
  const header = ["", ...m.endpoints.map((_, j) => String(j + 1))];
  const rows = [header, ...cells.map((row, i) => [String(i + 1), ...row])];
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => r.map((s, c) => s.padEnd(widths[c])).join(" ").trimEnd());
  const legend = m.endpoints.map((e, i) => `${String(i + 1).padStart(3)}  ${e}`);
  const probes = `probes: ${m.probes.map(probeName).join(" ")}  (all = every probe)`;
  return [...lines, "", probes, ...legend].join("\n") + "\n";
}
