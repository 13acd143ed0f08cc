import { z } from 'zod';

/**
 * Every method both sides know: the agent validates `params` before its handler runs, the
 * client validates `result` before its caller sees it. Streams (Channel.IN/OUT/ERR) carry the
 * bulk bytes of exec and file transfers outside these bodies.
 */
export const HOOK_NAMES = ['once', 'on-boot', 'before-shutdown', 'on-disconnect'] as const;
const Millis = z.number().finite();
const GuestPath = z.string().min(1).max(4096).startsWith('/');

export const methods = {
  /** Liveness and a plain round trip: the agent stamps receive and send time. */
  ping: {
    params: z.strictObject({ sent: Millis }),
    result: z.strictObject({ sent: Millis, received: Millis, replied: Millis }),
  },
  /**
   * Host heartbeat: the agent measures offset and delay against the host's clock with an
   * NTP-style exchange (it calls `time.now` back on the host) and steps or slews its clock.
   */
  heartbeat: {
    params: z.strictObject({ host: Millis }),
    result: z.strictObject({
      offsetMs: z.number(),
      delayMs: z.number(),
      action: z.enum(['none', 'slew', 'step', 'failed']),
      detail: z.string().optional(),
    }),
  },
  /** Served by the HOST: the agent's side of the four-timestamp exchange. */
  'time.now': {
    params: z.strictObject({ t1: Millis }),
    result: z.strictObject({ t1: Millis, t2: Millis, t3: Millis }),
  },
  profile: {
    params: z.strictObject({}).optional(),
    result: z.strictObject({
      hostname: z.string(),
      os: z.strictObject({ name: z.string(), release: z.string(), kernel: z.string() }),
      arch: z.string(),
      cpus: z.array(z.strictObject({ model: z.string(), mhz: z.number() })),
      memory: z.strictObject({ total: z.number(), free: z.number() }),
      disks: z.array(z.strictObject({ name: z.string(), bytes: z.number() })),
      mounts: z.array(z.strictObject({ source: z.string(), target: z.string(), type: z.string() })),
      interfaces: z.array(
        z.strictObject({
          name: z.string(),
          address: z.string(),
          family: z.string(),
          mac: z.string(),
        }),
      ),
      uptime: z.number(),
      load: z.tuple([z.number(), z.number(), z.number()]),
      node: z.string(),
    }),
  },
  exec: {
    params: z.strictObject({
      command: z.string().min(1).max(4096),
      args: z.array(z.string().max(65536)).max(4096).default([]),
      env: z.record(z.string(), z.string()).optional(),
      cwd: GuestPath.optional(),
      /** Stdin arrives on Channel.IN; false closes it at once. */
      stdin: z.boolean().default(false),
      timeoutMs: z.int().min(1).max(86_400_000).optional(),
    }),
    result: z.strictObject({
      exitCode: z.int().nullable(),
      signal: z.string().nullable(),
      timedOut: z.boolean(),
    }),
  },
  'file.read': {
    params: z.strictObject({ path: GuestPath }),
    result: z.strictObject({ bytes: z.number() }),
  },
  'file.write': {
    params: z.strictObject({
      path: GuestPath,
      mode: z.int().min(0).max(0o7777).default(0o644),
      append: z.boolean().default(false),
    }),
    result: z.strictObject({ bytes: z.number() }),
  },
  'file.stat': {
    params: z.strictObject({ path: GuestPath }),
    result: z.strictObject({
      type: z.enum(['file', 'directory', 'symlink', 'other']),
      size: z.number(),
      mode: z.number(),
      mtimeMs: z.number(),
    }),
  },
  'file.list': {
    params: z.strictObject({ path: GuestPath }),
    result: z.strictObject({
      entries: z.array(
        z.strictObject({
          name: z.string(),
          type: z.enum(['file', 'directory', 'symlink', 'other']),
        }),
      ),
    }),
  },
  mount: {
    params: z.strictObject({
      /**
       * `tcp:HOST:PORT` or `vsock:CID:PORT` (a 9P server such as @multiverse-os/p9; vsock is
       * mounted with trans=fd on a connection the agent makes), or a virtio-9p tag.
       */
      source: z.string().min(1).max(256),
      mountPoint: GuestPath,
      /** 9P access name (aname) exported by the server. */
      aname: z.string().max(4096).optional(),
      /**
       * Append the line to /etc/fstab. Default true, except for vsock, which has no fstab
       * form (its connection lives in the agent): `fstab: true` with vsock is a SCHEMA error.
       */
      fstab: z.boolean().optional(),
    }),
    /** `fstabLine`: the line for this mount (written or not), null for vsock. */
    result: z.strictObject({ fstabLine: z.string().nullable() }),
  },
  hooks: {
    params: z.strictObject({
      hook: z.enum(['once', 'on-boot', 'before-shutdown', 'on-disconnect']),
    }),
    result: z.strictObject({
      results: z.array(
        z.strictObject({ name: z.string(), exitCode: z.int().nullable(), output: z.string() }),
      ),
    }),
  },
  shutdown: {
    params: z.strictObject({ reboot: z.boolean().default(false) }).optional(),
    result: z.strictObject({ accepted: z.boolean() }),
  },
} as const;

export type MethodName = keyof typeof methods;
export type Params<M extends MethodName> = z.input<(typeof methods)[M]['params']>;
export type ParsedParams<M extends MethodName> = z.output<(typeof methods)[M]['params']>;
export type Result<M extends MethodName> = z.output<(typeof methods)[M]['result']>;

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}

/** Events the agent pushes to the host (frame type EVENT, id 0). */
export const events = {
  boot: z.strictObject({ uptime: z.number(), hostname: z.string() }),
  hook: z.strictObject({
    hook: z.string(),
    name: z.string(),
    exitCode: z.int().nullable(),
  }),
  clock: z.strictObject({ action: z.string(), offsetMs: z.number() }),
  shutdown: z.strictObject({ reboot: z.boolean() }),
  /**
   * The previous host's channel closed (a host cannot be told it left): pushed to the next
   * host that connects, with when and why, and what the on-disconnect hooks did.
   */
  disconnect: z.strictObject({
    /** Guest clock, ms since the epoch. */
    at: z.number(),
    reason: z.string(),
    hooks: z.array(z.strictObject({ name: z.string(), exitCode: z.int().nullable() })),
  }),
} as const;
export type EventName = keyof typeof events;
export type EventData<E extends EventName> = z.output<(typeof events)[E]>;
