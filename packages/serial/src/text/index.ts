// biome-ignore-all assist/source/organizeImports: the entry reads by layer, in order.
// @multiverse-os/serial/text: how `Console` turns bytes into text it can match, pure (no I/O).
// For tools that match console output without a `Console`, and for tests.

// Bytes: a bounded ring of the raw output.
export { ByteRing } from './byte-ring.js';

// Text: escapes stripped, lines split, a bounded history.
export { AnsiStripper, stripAnsi } from './ansi.js';
export { LineSplitter } from './line-splitter.js';
export { TextHistory } from './text-history.js';

// Matching: literal and regex patterns over the text stream.
export {
  ExpectEngine,
  type ExpectMatch,
  type ExpectOptions,
  type Pattern,
} from '../console/expect-engine.js';
