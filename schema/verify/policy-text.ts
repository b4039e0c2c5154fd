/**
 * Reading stored policy text (pg_get_expr) for calls that PostgreSQL re-evaluates per
 * row. `(select auth.uid())` becomes an initPlan evaluated once per statement; the
 * same call anywhere else, including inside a correlated sub-select with a FROM, runs
 * once per row. Splinter approximates this with a regular expression (it only asks
 * whether *some* call is preceded by `select`); scanning the parentheses lets a policy
 * that wraps one call and leaves another bare be caught, and a wrapped expression
 * around the call (`(select nullif(current_setting(...), '')::uuid)`) be accepted.
 */

const CALL = /^(auth\.(?:uid|jwt|role|email)|current_setting)\s*\(/i;

interface Paren {
  readonly open: number;
  close: number;
  readonly select: boolean;
  /** A FROM at this parenthesis' own depth: the sub-select reads rows, so it can be correlated. */
  from: boolean;
}

/** The calls of auth.uid/jwt/role/email() and current_setting() in `expr` that are not wrapped as `(select ...)`. */
export function bareCalls(expr: string): string[] {
  const parens: Paren[] = [];
  const stack: Paren[] = [];
  const calls: { name: string; at: number }[] = [];
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i];
    if (ch === "'" || ch === '"') {
      // Skip a string literal or quoted identifier (a doubled quote stays inside).
      for (i++; i < expr.length; i++) {
        if (expr[i] === ch) {
          if (expr[i + 1] === ch) i++;
          else break;
        }
      }
      continue;
    }
    if (ch === "(") {
      const p: Paren = { open: i, close: expr.length, select: /^\(\s*select\b/i.test(expr.slice(i, i + 16)), from: false };
      parens.push(p);
      stack.push(p);
      continue;
    }
    if (ch === ")") {
      const p = stack.pop();
      if (p) p.close = i;
      continue;
    }
    const prev = i > 0 ? expr[i - 1] : " ";
    if (/[\w.$]/.test(prev)) continue;
    const top = stack[stack.length - 1];
    if (top?.select && /^from\b/i.test(expr.slice(i, i + 5))) top.from = true;
    const m = CALL.exec(expr.slice(i, i + 32));
    if (m) calls.push({ name: m[1].toLowerCase(), at: i });
  }
  return calls
    .filter(({ at }) => {
      const enclosing = parens.filter((p) => p.select && p.open < at && at < p.close);
      const innermost = enclosing.reduce<Paren | undefined>((best, p) => (!best || p.open > best.open ? p : best), undefined);
      return !innermost || innermost.from;
    })
    .map((c) => `${c.name}()`);
}
