import { BlockList, isIP } from "node:net";

// Where an image fetch must never go: this host, private networks, link-local (cloud metadata
// at 169.254.169.254), carrier-grade NAT, multicast and reserved ranges.
const DENIED_V4 = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const;

const DENIED_V6 = [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
] as const;

const denied = new BlockList();
for (const [net, prefix] of DENIED_V4) denied.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of DENIED_V6) denied.addSubnet(net, prefix, "ipv6");

/** An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) is the IPv4 address it carries. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** Which addresses image fetches may reach: public ones, plus any the deployment allows. */
export class AddressPolicy {
  private readonly allowed = new BlockList();

  /** `allow`: CIDRs or addresses a deployment trusts despite being private, e.g. `10.1.0.0/16`. */
  constructor(allow: readonly string[] = []) {
    for (const entry of allow) {
      const [net, prefix] = entry.split("/");
      const family = isIP(net ?? "") === 6 ? "ipv6" : "ipv4";
      if (prefix === undefined) this.allowed.addAddress(net!, family);
      else this.allowed.addSubnet(net!, Number(prefix), family);
    }
  }

  /** True when `address` (an IP literal) may be fetched from. */
  permits(address: string): boolean {
    const ip = unmapped(address);
    const family = isIP(ip);
    if (family === 0) return false;
    const type = family === 6 ? "ipv6" : "ipv4";
    if (this.allowed.check(ip, type)) return true;
    return !denied.check(ip, type);
  }
}

/** `10.0.0.0/8`, `::1` or `127.0.0.1`: what AddressPolicy's allow list takes. */
export function isCidr(entry: string): boolean {
  const [net, prefix, extra] = entry.split("/");
  if (extra !== undefined || !net) return false;
  const family = isIP(net);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (family === 6 ? 128 : 32);
}
