import type { Qid } from './types.js';

/**
 * Field layouts of every 9P2000.L message, as data. The codec walks these tables, so a message's
 * wire format is stated exactly once. Kinds: u8/u16/u32/u64, `str` (s[2]), `qid` (13 bytes),
 * `qids` (n[2] then n qids), `strs` (n[2] then n strings), `data` (count[4] then bytes).
 */
export const messageFields = {
  Rlerror: [['ecode', 'u32']],
  Tstatfs: [['fid', 'u32']],
  Rstatfs: [
    ['fsType', 'u32'],
    ['bsize', 'u32'],
    ['blocks', 'u64'],
    ['bfree', 'u64'],
    ['bavail', 'u64'],
    ['files', 'u64'],
    ['ffree', 'u64'],
    ['fsid', 'u64'],
    ['namelen', 'u32'],
  ],
  Tlopen: [
    ['fid', 'u32'],
    ['flags', 'u32'],
  ],
  Rlopen: [
    ['qid', 'qid'],
    ['iounit', 'u32'],
  ],
  Tlcreate: [
    ['fid', 'u32'],
    ['name', 'str'],
    ['flags', 'u32'],
    ['mode', 'u32'],
    ['gid', 'u32'],
  ],
  Rlcreate: [
    ['qid', 'qid'],
    ['iounit', 'u32'],
  ],
  Tsymlink: [
    ['fid', 'u32'],
    ['name', 'str'],
    ['target', 'str'],
    ['gid', 'u32'],
  ],
  Rsymlink: [['qid', 'qid']],
  Tmknod: [
    ['dfid', 'u32'],
    ['name', 'str'],
    ['mode', 'u32'],
    ['major', 'u32'],
    ['minor', 'u32'],
    ['gid', 'u32'],
  ],
  Rmknod: [['qid', 'qid']],
  Trename: [
    ['fid', 'u32'],
    ['dfid', 'u32'],
    ['name', 'str'],
  ],
  Rrename: [],
  Treadlink: [['fid', 'u32']],
  Rreadlink: [['target', 'str']],
  Tgetattr: [
    ['fid', 'u32'],
    ['requestMask', 'u64'],
  ],
  Rgetattr: [
    ['valid', 'u64'],
    ['qid', 'qid'],
    ['mode', 'u32'],
    ['uid', 'u32'],
    ['gid', 'u32'],
    ['nlink', 'u64'],
    ['rdev', 'u64'],
    ['size', 'u64'],
    ['blksize', 'u64'],
    ['blocks', 'u64'],
    ['atimeSec', 'u64'],
    ['atimeNsec', 'u64'],
    ['mtimeSec', 'u64'],
    ['mtimeNsec', 'u64'],
    ['ctimeSec', 'u64'],
    ['ctimeNsec', 'u64'],
    ['btimeSec', 'u64'],
    ['btimeNsec', 'u64'],
    ['gen', 'u64'],
    ['dataVersion', 'u64'],
  ],
  Tsetattr: [
    ['fid', 'u32'],
    ['valid', 'u32'],
    ['mode', 'u32'],
    ['uid', 'u32'],
    ['gid', 'u32'],
    ['size', 'u64'],
    ['atimeSec', 'u64'],
    ['atimeNsec', 'u64'],
    ['mtimeSec', 'u64'],
    ['mtimeNsec', 'u64'],
  ],
  Rsetattr: [],
  Txattrwalk: [
    ['fid', 'u32'],
    ['newfid', 'u32'],
    ['name', 'str'],
  ],
  Rxattrwalk: [['size', 'u64']],
  Txattrcreate: [
    ['fid', 'u32'],
    ['name', 'str'],
    ['attrSize', 'u64'],
    ['flags', 'u32'],
  ],
  Rxattrcreate: [],
  Treaddir: [
    ['fid', 'u32'],
    ['offset', 'u64'],
    ['count', 'u32'],
  ],
  Rreaddir: [['data', 'data']],
  // Linux sends datasync since 2.6.38 (p9_client_fsync "dd").
  Tfsync: [
    ['fid', 'u32'],
    ['datasync', 'u32'],
  ],
  Rfsync: [],
  Tlock: [
    ['fid', 'u32'],
    ['lockType', 'u8'],
    ['flags', 'u32'],
    ['start', 'u64'],
    ['length', 'u64'],
    ['procId', 'u32'],
    ['clientId', 'str'],
  ],
  Rlock: [['status', 'u8']],
  Tgetlock: [
    ['fid', 'u32'],
    ['lockType', 'u8'],
    ['start', 'u64'],
    ['length', 'u64'],
    ['procId', 'u32'],
    ['clientId', 'str'],
  ],
  Rgetlock: [
    ['lockType', 'u8'],
    ['start', 'u64'],
    ['length', 'u64'],
    ['procId', 'u32'],
    ['clientId', 'str'],
  ],
  Tlink: [
    ['dfid', 'u32'],
    ['fid', 'u32'],
    ['name', 'str'],
  ],
  Rlink: [],
  Tmkdir: [
    ['dfid', 'u32'],
    ['name', 'str'],
    ['mode', 'u32'],
    ['gid', 'u32'],
  ],
  Rmkdir: [['qid', 'qid']],
  Trenameat: [
    ['olddirfid', 'u32'],
    ['oldname', 'str'],
    ['newdirfid', 'u32'],
    ['newname', 'str'],
  ],
  Rrenameat: [],
  Tunlinkat: [
    ['dirfid', 'u32'],
    ['name', 'str'],
    ['flags', 'u32'],
  ],
  Runlinkat: [],
  Tversion: [
    ['msize', 'u32'],
    ['version', 'str'],
  ],
  Rversion: [
    ['msize', 'u32'],
    ['version', 'str'],
  ],
  Tauth: [
    ['afid', 'u32'],
    ['uname', 'str'],
    ['aname', 'str'],
    ['nUname', 'u32'],
  ],
  Rauth: [['aqid', 'qid']],
  Tattach: [
    ['fid', 'u32'],
    ['afid', 'u32'],
    ['uname', 'str'],
    ['aname', 'str'],
    ['nUname', 'u32'],
  ],
  Rattach: [['qid', 'qid']],
  Tflush: [['oldtag', 'u16']],
  Rflush: [],
  Twalk: [
    ['fid', 'u32'],
    ['newfid', 'u32'],
    ['names', 'strs'],
  ],
  Rwalk: [['qids', 'qids']],
  Tread: [
    ['fid', 'u32'],
    ['offset', 'u64'],
    ['count', 'u32'],
  ],
  Rread: [['data', 'data']],
  Twrite: [
    ['fid', 'u32'],
    ['offset', 'u64'],
    ['data', 'data'],
  ],
  Rwrite: [['count', 'u32']],
  Tclunk: [['fid', 'u32']],
  Rclunk: [],
  Tremove: [['fid', 'u32']],
  Rremove: [],
} as const;

export type MessageKind = keyof typeof messageFields;
export type FieldKind = 'u8' | 'u16' | 'u32' | 'u64' | 'str' | 'qid' | 'qids' | 'strs' | 'data';

interface KindTypes {
  u8: number;
  u16: number;
  u32: number;
  u64: bigint;
  str: string;
  qid: Qid;
  qids: Qid[];
  strs: string[];
  data: Buffer;
}

type FieldsOf<L> = L extends readonly (readonly [string, FieldKind])[]
  ? { -readonly [F in L[number] as F[0]]: KindTypes[F[1]] }
  : never;

/** A message of kind K: `{ type: 'Twalk', tag, fid, newfid, names }`. */
export type MessageOf<K extends MessageKind> = { type: K; tag: number } & FieldsOf<
  (typeof messageFields)[K]
>;

/** Any 9P2000.L message. */
export type Message = { [K in MessageKind]: MessageOf<K> }[MessageKind];

export type TMessageKind = Extract<MessageKind, `T${string}`>;
export type RMessageKind = Extract<MessageKind, `R${string}`>;
export type TMessage = { [K in TMessageKind]: MessageOf<K> }[TMessageKind];
export type RMessage = { [K in RMessageKind]: MessageOf<K> }[RMessageKind];

/** The reply kind for a request kind: Twalk -> Rwalk. */
export type ReplyKind<K extends TMessageKind> = K extends `T${infer N}`
  ? `R${N}` extends RMessageKind
    ? `R${N}`
    : never
  : never;

/** A reply's fields without type and tag, as handlers return them. */
export type ReplyBody<K extends TMessageKind> = Omit<MessageOf<ReplyKind<K>>, 'type' | 'tag'>;
