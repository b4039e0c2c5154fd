import type { TriggerDecl, TriggerEvent } from "./types";
import { splitQualified } from "./names";

/** `CREATE TRIGGER <name> BEFORE|AFTER <events> ON <table> FOR EACH ROW|STATEMENT EXECUTE FUNCTION <fn>()`. */
export class TriggerBuilder {
  constructor(private readonly state: TriggerDecl) {}

  before(...events: TriggerEvent[]): TriggerBuilder {
    return new TriggerBuilder({ ...this.state, timing: "before", events });
  }

  after(...events: TriggerEvent[]): TriggerBuilder {
    return new TriggerBuilder({ ...this.state, timing: "after", events });
  }

  /** Default `row`; TRUNCATE triggers must be `statement` (PostgreSQL has no row for them). */
  forEach(level: "row" | "statement"): TriggerBuilder {
    return new TriggerBuilder({ ...this.state, forEach: level });
  }

  /** The trigger function, `schema.name` (declared in the model, returning `trigger`). */
  execute(fn: string): TriggerBuilder {
    const { schema, name } = splitQualified(fn);
    return new TriggerBuilder({ ...this.state, function: { schema, name } });
  }

  build(): TriggerDecl {
    return this.state;
  }
}

export function trigger(name: string): TriggerBuilder {
  return new TriggerBuilder({ name, timing: "before", events: [], forEach: "row", function: { schema: "", name: "" } });
}
