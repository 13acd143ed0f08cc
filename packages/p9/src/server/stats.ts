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
  ops: Record<string, OpStats>;
}
