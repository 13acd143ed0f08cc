export { type XdrCodec, XdrSchema } from './codec.js';
export { XdrReader } from './reader.js';
export { XDR_MAX_LENGTH, type XdrField, type XdrType, type XdrUnionArm } from './types.js';
export { XdrWriter } from './writer.js';
