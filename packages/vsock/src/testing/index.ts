// Test doubles and the shared conformance suite, for this package's tests and for anyone
// who builds a transport or a server on top of these streams.

export {
  type ConformanceCase,
  type ConformanceEndpoint,
  type ConformanceOptions,
  type ConformanceResult,
  type ConformanceTarget,
  conformanceCases,
  runConformance,
} from './conformance.js';
export { handleConformanceConnection } from './conformance-server.js';
export { duplexPair } from './duplex-pair.js';
export { FakeHybridMuxer, type FakeHybridMuxerOptions, type FakeMuxerAck } from './fake-muxer.js';
export { hashAll, once, PatternSource, readAll, readLine, sleep, writeAll } from './streams.js';
