// The Pulumi program. Filled in capability by capability; see docs/architecture.md.
export {};
