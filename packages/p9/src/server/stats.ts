/** Per-operation counters: requests, errors and latency, for `server.stats()`. */
export interface OpStats {
  count: number;
  errors: number;
  totalMs: number;
  maxMs: number;
}

export class Stats {
  readonly ops = new Map<string, OpStats>();
  connections = 0;
  totalConnections = 0;
  rejectedConnections = 0;
  protocolErrors = 0;
  flushed = 0;
  /** Connections closed for holding no fid past idleTimeout. */
  idleClosed = 0;
  /** Connections closed to make room for a new one at maxConnections (they held no fid). */
  evicted = 0;
  /** The descriptor budget as it stands, set by the server. */
  descriptors: () => DescriptorStats = () => ({
    budget: 0,
    reservePerConnection: 0,
    pool: 0,
    poolInUse: 0,
  });

  record(op: string, ms: number, failed: boolean): void {
    let s = this.ops.get(op);
    if (!s) {
      s = { count: 0, errors: 0, totalMs: 0, maxMs: 0 };
      this.ops.set(op, s);
    }
    s.count++;
    if (failed) s.errors++;
    s.totalMs += ms;
    if (ms > s.maxMs) s.maxMs = ms;
  }

  snapshot(): StatsSnapshot {
    return {
      connections: this.connections,
      totalConnections: this.totalConnections,
      rejectedConnections: this.rejectedConnections,
      protocolErrors: this.protocolErrors,
      flushed: this.flushed,
      idleClosed: this.idleClosed,
      evicted: this.evicted,
      descriptors: this.descriptors(),
      ops: Object.fromEntries([...this.ops].map(([k, v]) => [k, { ...v }])),
    };
  }
}

export interface StatsSnapshot {
  connections: number;
  totalConnections: number;
  rejectedConnections: number;
  protocolErrors: number;
  flushed: number;
  idleClosed: number;
  evicted: number;
  descriptors: DescriptorStats;
  ops: Record<string, OpStats>;
}

/** The server's descriptor budget (units: connections, fids, open files). */
export interface DescriptorStats {
  budget: number;
  reservePerConnection: number;
  /** Units shared by all connections beyond their reserves, and how many are in use. */
  pool: number;
  poolInUse: number;
}
