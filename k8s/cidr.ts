/**
 * IPv4/IPv6 address and CIDR arithmetic on bigints. Small on purpose: the policies
 * and the reachability checker only need parse, contain and overlap.
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

export interface Cidr {
  readonly family: IpFamily;
  /** Network address (host bits zero when `exact`). */
  readonly base: bigint;
  readonly prefix: number;
  /** False when the text had host bits set (e.g. 10.0.0.1/8); the API server rejects those. */
  readonly exact: boolean;
  readonly text: string;
}

const bits = (family: IpFamily): number => (family === 4 ? 32 : 128);

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are rejected because some parsers read them as octal.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (s: string): string[] | undefined => (s === "" ? [] : s.split(":"));
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !tail) return undefined;
  const words: number[] = [];
  const pushGroups = (groups: string[], out: number[]): boolean => {
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
      if (i === groups.length - 1 && g.includes(".")) {
        const v4 = parseIpv4(g);
        if (v4 === undefined) return false;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      out.push(parseInt(g, 16));
    }
    return true;
  };
  const headWords: number[] = [];
  const tailWords: number[] = [];
  if (!pushGroups(head, headWords) || !pushGroups(tail, tailWords)) return undefined;
  if (halves.length === 2) {
    const missing = 8 - headWords.length - tailWords.length;
    if (missing < 1) return undefined;
    words.push(...headWords, ...new Array<number>(missing).fill(0), ...tailWords);
  } else {
    words.push(...headWords);
  }
  if (words.length !== 8) return undefined;
  return words.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
}

export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(":")) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/([0-9]{1,3})$/.exec(text);
  if (!m) return undefined;
  const ip = parseIp(m[1]);
  if (!ip) return undefined;
  const prefix = Number(m[2]);
  if (prefix > bits(ip.family)) return undefined;
  const base = ip.value & mask(ip.family, prefix);
  return { family: ip.family, base, prefix, exact: base === ip.value, text };
}

function mask(family: IpFamily, prefix: number): bigint {
  const total = bits(family);
  const all = (1n << BigInt(total)) - 1n;
  return (all >> BigInt(total - prefix)) << BigInt(total - prefix);
}

export function cidrContainsIp(cidr: Cidr, ip: IpAddress): boolean {
  return cidr.family === ip.family && (ip.value & mask(cidr.family, cidr.prefix)) === cidr.base;
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  return (
    outer.family === inner.family &&
    inner.prefix >= outer.prefix &&
    (inner.base & mask(outer.family, outer.prefix)) === outer.base
  );
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return cidrContainsCidr(a, b) || cidrContainsCidr(b, a);
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join(".");
  }
  const words = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => Number((ip.value >> s) & 0xffffn));
  // Compress the longest run of zero words (RFC 5952) so output matches what kubectl shows.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** The canonical text of a CIDR (host bits cleared), as the API server would want it. */
export function canonicalCidr(cidr: Cidr): string {
  return `${formatIp({ family: cidr.family, value: cidr.base })}/${cidr.prefix}`;
}

/** Parse or throw; for constants and already validated configuration. */
export function mustParseCidr(text: string): Cidr {
  const c = parseCidr(text);
  if (!c) throw new Error(`invalid CIDR ${JSON.stringify(text)}`);
  return c;
}
