import { describe, it, expect } from "vitest";
import { canonicalCidr, cidrContainsCidr, cidrContainsIp, cidrsOverlap, formatIp, parseCidr, parseIp } from "../../k8s/cidr";

describe("cidr", () => {
  it("parses IPv4 and rejects malformed addresses", () => {
    expect(parseIp("10.0.0.1")).toEqual({ family: 4, value: 0x0a000001n });
    for (const bad of ["256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "a.b.c.d", ""]) expect(parseIp(bad)).toBeUndefined();
  });

  it("parses IPv6 forms, including :: and an embedded IPv4 tail", () => {
    expect(parseIp("::1")?.value).toBe(1n);
    expect(parseIp("::")?.value).toBe(0n);
    expect(parseIp("fd00:ec2::254")?.value).toBe((0xfd00n << 112n) | (0xec2n << 96n) | 0x254n);
    expect(parseIp("::ffff:10.0.0.1")?.value).toBe((0xffffn << 32n) | 0x0a000001n);
    for (const bad of ["1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "g::1", "1:2:3:4:5:6:7::8"]) expect(parseIp(bad)).toBeUndefined();
  });

  it("formats IPv6 compressed as RFC 5952 does", () => {
    expect(formatIp(parseIp("fd00:0:0:0:0:0:0:1")!)).toBe("fd00::1");
    expect(formatIp(parseIp("1:0:0:2:0:0:0:3")!)).toBe("1:0:0:2::3");
    expect(formatIp(parseIp("1:2:3:4:5:6:7:8")!)).toBe("1:2:3:4:5:6:7:8");
  });

  it("parses CIDRs, flags host bits, rejects long prefixes", () => {
    expect(parseCidr("10.0.0.0/8")?.exact).toBe(true);
    const sloppy = parseCidr("10.0.0.1/8")!;
    expect(sloppy.exact).toBe(false);
    expect(canonicalCidr(sloppy)).toBe("10.0.0.0/8");
    expect(parseCidr("10.0.0.0/33")).toBeUndefined();
    expect(parseCidr("::/129")).toBeUndefined();
    expect(parseCidr("not-a-cidr")).toBeUndefined();
    expect(parseCidr("999.1.1.1/40")).toBeUndefined();
  });

  it("contains and overlaps per family", () => {
    const ten = parseCidr("10.0.0.0/8")!;
    expect(cidrContainsIp(ten, parseIp("10.255.1.1")!)).toBe(true);
    expect(cidrContainsIp(ten, parseIp("11.0.0.0")!)).toBe(false);
    expect(cidrContainsIp(parseCidr("0.0.0.0/0")!, parseIp("::1")!)).toBe(false);
    expect(cidrContainsIp(parseCidr("fc00::/7")!, parseIp("fd00:ec2::254")!)).toBe(true);
    expect(cidrContainsCidr(ten, parseCidr("10.244.0.0/16")!)).toBe(true);
    expect(cidrContainsCidr(parseCidr("10.244.0.0/16")!, ten)).toBe(false);
    expect(cidrsOverlap(parseCidr("10.244.0.0/16")!, ten)).toBe(true);
    expect(cidrsOverlap(parseCidr("10.244.0.0/16")!, parseCidr("10.245.0.0/16")!)).toBe(false);
  });
});
