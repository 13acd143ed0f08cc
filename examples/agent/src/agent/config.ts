import { z } from 'zod';
import { HOOK_NAMES } from '../protocol/methods.js';

/** The guest's agent configuration (JSON in the initramfs or the portal share). */
export const AgentConfigSchema = z.strictObject({
  /** The virtio-serial port (guest side) the agent serves. */
  device: z.string().min(1).default('/dev/virtio-ports/org.multiverse-os.agent.0'),
  /** The portal's own key and certificate (PEM). */
  identity: z.strictObject({ key: z.string().min(1), cert: z.string().min(1) }),
  /** The one host certificate the agent trusts (PEM). */
  hostCert: z.string().min(1),
  /** Methods the host may call; everything else is refused and logged. */
  allow: z.array(z.string().min(1)).default(['ping', 'heartbeat', 'profile']),
  /** Roots the file.* methods and exec's cwd are confined to. */
  paths: z.array(z.string().startsWith('/')).default([]),
  hooks: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        hook: z.enum(HOOK_NAMES),
        inline: z.string(),
        interpreter: z.string().default('/bin/sh'),
      }),
    )
    .default([]),
  /**
   * Where the agent keeps what must outlive a boot: the mark that the `once` hooks ran. A
   * portal keeps it on a persistent disk; on an initramfs-only guest every boot is a first.
   */
  stateDir: z.string().startsWith('/').default('/var/lib/multiverse-agent'),
  time: z
    .strictObject({
      /** Offsets past this are corrected at once (a clock step). */
      stepMs: z.number().positive().default(1000),
      /** Offsets past this (and below stepMs) are slewed by the kernel. */
      slewMs: z.number().positive().default(20),
    })
    .prefault({}),
});

export type AgentConfigInput = z.input<typeof AgentConfigSchema>;
export type AgentConfig = z.output<typeof AgentConfigSchema>;
