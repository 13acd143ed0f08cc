import { z } from 'zod';
import { parseCidr, parseIpv4 } from './ipv4.js';

export const PLAN_API_VERSION = 'multiverse-os.org/network/v1alpha1';

/** Network names become bridge names (`mv-<name>`, at most 15 characters on Linux). */
const NetworkName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,11}$/, 'a lowercase name of 1-12 characters (a-z, 0-9, -)');
const RouterName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, 'a lowercase name (a-z, 0-9, -) such as galaxy-router');
const Ipv4 = z
  .string()
  .refine((s) => parseIpv4(s) !== undefined, 'an IPv4 address such as 10.0.0.1');
const Subnet = z
  .string()
  .refine(
    (s) => parseCidr(s) !== undefined,
    'an IPv4 subnet such as 10.0.0.0/24 (prefix 8-30, no host bits)',
  );
const Mac = z
  .string()
  .regex(/^00:00:10(:[0-9a-f]{2}){3}$/, 'a Multiverse MAC address 00:00:10:X:X:X (lowercase hex)');
const Interface = z.string().regex(/^[a-z][a-z0-9]{0,14}$/, 'an interface name such as eth1');

export const DhcpSchema = z.strictObject({
  start: Ipv4,
  end: Ipv4,
  lease: z.int().min(60).max(604800).default(3600),
  dns: z.array(Ipv4).default([]),
});

export const PlanNetworkSchema = z.strictObject({
  name: NetworkName,
  description: z.string().optional(),
  subnet: Subnet,
  router: z.strictObject({
    ip: Ipv4,
    mac: Mac.optional(),
  }),
  /** `off` (or false): the router hands out no leases; portals use static addresses. */
  dhcp: z.union([z.literal('off'), z.literal(false), DhcpSchema]).default('off'),
  /** An isolated network reaches no other network of the plan, and none reaches it. */
  isolated: z.boolean().default(false),
  bridge: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{1,15}$/, 'a bridge name of at most 15 characters')
    .optional(),
});

export const PlanRouterSchema = z.strictObject({
  name: RouterName,
  /** The catalog formula the router VM is built from, e.g. service/router/galaxy. */
  formula: z.string().min(1),
  /** The networks this router is the gateway of (it holds their router IP and MAC). */
  serves: z.array(NetworkName).min(1),
  /** The network it reaches the rest of the world through (served by another router). */
  upstream: NetworkName.optional(),
  /** Its address there; default: the upstream subnet's 10th address, 11th, ... */
  upstreamIp: Ipv4.optional(),
  /** The physical uplink interface (NAT masquerade to the outside), for the topmost router. */
  uplink: Interface.optional(),
});

export const NetworkPlanSchema = z.strictObject({
  apiVersion: z.literal(PLAN_API_VERSION),
  kind: z.literal('NetworkPlan'),
  name: RouterName,
  description: z.string().optional(),
  networks: z.array(PlanNetworkSchema).min(1),
  routers: z.array(PlanRouterSchema).min(1),
});

export type NetworkPlanDocument = z.output<typeof NetworkPlanSchema>;
export type PlanNetworkDocument = z.output<typeof PlanNetworkSchema>;
export type PlanRouterDocument = z.output<typeof PlanRouterSchema>;

/** Keys allowed at each level, for "did you mean" on an unknown key. */
export function knownPlanKeys(path: readonly PropertyKey[]): string[] {
  const shape = (schema: z.ZodObject): string[] => Object.keys(schema.shape);
  if (path.length === 0) return shape(NetworkPlanSchema);
  if (path[0] === 'networks' && path.length === 2) return shape(PlanNetworkSchema);
  if (path[0] === 'networks' && path[2] === 'router') return ['ip', 'mac'];
  if (path[0] === 'networks' && path[2] === 'dhcp') return shape(DhcpSchema);
  if (path[0] === 'routers' && path.length === 2) return shape(PlanRouterSchema);
  return [];
}
