// IPv4 arithmetic on 32-bit unsigned numbers: all the plan needs (no I/O).

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** `10.1.1.254` -> 167838206; undefined when the text is not a dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** A subnet: its first address and prefix length. */
export interface Cidr {
  base: number;
  prefix: number;
}

/** `10.0.0.0/24`; undefined when malformed or when host bits are set. */
export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText, extra] = text.split('/');
  if (address === undefined || prefixText === undefined || extra !== undefined) return undefined;
  if (!/^\d{1,2}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const base = parseIpv4(address);
  if (base === undefined || prefix < 8 || prefix > 30) return undefined;
  if (base % 2 ** (32 - prefix) !== 0) return undefined;
  return { base, prefix };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.base)}/${cidr.prefix}`;
}

export function cidrSize(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

/** True for usable host addresses: not the network or broadcast address. */
export function isHostOf(cidr: Cidr, ip: number): boolean {
  return ip > cidr.base && ip < cidr.base + cidrSize(cidr) - 1;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

export function netmask(prefix: number): string {
  return formatIpv4(2 ** 32 - 2 ** (32 - prefix));
}

/**
 * The Multiverse MAC of an address: `00:00:10` then the address's last three octets, so
 * 10.1.1.254 is 00:00:10:01:01:fe. Distinct addresses inside 10.0.0.0/8 get distinct MACs.
 */
export function macForIp(ip: number): string {
  const low = [16, 8, 0].map((shift) => (Math.floor(ip / 2 ** shift) % 256).toString(16));
  return `00:00:10:${low.map((h) => h.padStart(2, '0')).join(':')}`;
}
