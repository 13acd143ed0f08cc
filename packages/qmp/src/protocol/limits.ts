/**
 * Default bounds on what a QMP peer can make the client hold. The largest reply real QEMUs send
 * is `query-qmp-schema` (about 200 KB on 7.2, under 300 KB on 9.1); 16 MiB leaves room for big
 * `human-monitor-command` output while keeping a hostile line far below V8's string limit
 * (~512 M characters) and the heap a parse of it needs. 1024 levels is QEMU's own
 * `MAX_NESTING` for the JSON it accepts.
 */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_DEPTH = 1024;
