// The pack's entry point for `pulumi preview --policy-pack ./policy`. Tests never import
// this file: constructing a PolicyPack starts a gRPC server (see test/policy/).
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./policies";

new PolicyPack("ve-infra-tenant-isolation", { enforcementLevel: "mandatory", policies: allPolicies });
