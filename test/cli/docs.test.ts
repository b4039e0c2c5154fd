/** docs/cli.md and the README keep up with the commands: every command and flag is documented. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../cli/main";

const repo = path.resolve(__dirname, "../..");
const cliDoc = fs.readFileSync(path.join(repo, "docs", "cli.md"), "utf8");
const readme = fs.readFileSync(path.join(repo, "README.md"), "utf8");
const pkg = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8")) as { bin: Record<string, string>; scripts: Record<string, string> };

describe("documentation", () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))("docs/cli.md documents %s and its flags", (name, c) => {
    expect(cliDoc).toContain(`### \`${name}`);
    for (const flag of Object.keys(c.specs)) if (!["help", "verbose"].includes(flag)) expect(cliDoc, `--${flag} of ${name}`).toContain(`--${flag}`);
  });

  it("the README gives the two commands, and they are what package.json runs", () => {
    expect(readme).toContain("npm ci && npm start");
    expect(readme).toContain("npm test");
    expect(pkg.scripts.start).toBe("node bin/ve-infra.js up");
    expect(pkg.bin["ve-infra"]).toBe("bin/ve-infra.js");
    for (const step of ["pulumi stack select", "pulumi config set --secret", "pulumi preview", "pulumi up", "pulumi refresh"]) expect(readme).toContain(step);
  });
});
