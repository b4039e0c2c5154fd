import { stringify } from "yaml";
import type { KubeObject } from "./types";

/** Multi-document YAML, as `kubectl apply -f` takes it; no anchors even where builders share a value. */
export function renderYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })}`).join("");
}
