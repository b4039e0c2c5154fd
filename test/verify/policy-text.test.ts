import { describe, expect, it } from "vitest";
import { bareCalls } from "../../schema/verify/policy-text";

describe("bareCalls (stored policy text)", () => {
  it.each([
    ["(auth.uid() = customer_id)", ["auth.uid()"]],
    ["(( SELECT auth.uid() AS uid) = customer_id)", []],
    ["((customer_id = ( SELECT auth.uid() AS uid)) OR (customer_id = auth.uid()))", ["auth.uid()"]],
    ["((auth.jwt() ->> 'role'::text) = 'admin'::text)", ["auth.jwt()"]],
    ["(customer_id = (NULLIF(current_setting('app.customer'::text, true), ''::text))::uuid)", ["current_setting()"]],
    ["(customer_id = ( SELECT (NULLIF(current_setting('app.customer'::text, true), ''::text))::uuid AS \"nullif\"))", []],
    // A correlated sub-select runs per row: the call inside it is not an initPlan.
    ["(EXISTS ( SELECT 1 FROM public.members m WHERE ((m.team_id = t.team_id) AND (m.user_id = auth.uid()))))", ["auth.uid()"]],
    ["(EXISTS ( SELECT 1 FROM public.members m WHERE (m.user_id = ( SELECT auth.uid() AS uid))))", []],
    // Text inside literals and other functions named alike are not calls.
    ["(note = 'auth.uid()'::text)", []],
    ["(my_auth.uid() = customer_id)", []],
    ["(status = ANY (ARRAY['stable'::text, 'beta'::text]))", []],
  ])("%s", (expr, expected) => {
    expect(bareCalls(expr)).toEqual(expected);
  });
});
