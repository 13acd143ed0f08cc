import type { Message } from '../../src/protocol/messages.js';
import { b } from './support/bytes.js';

const q1 = { type: 0x80, version: 7, path: 0x0102030405060708n };
const q1b = () => b().qid(0x80, 7, 0x0102030405060708n);
const q2 = { type: 0, version: 0, path: 42n };
const BIG = 0xfedcba9876543210n;

/** One fixture per message kind: the typed value and its frame built by hand. */
export const fixtures: { name: string; value: Message; bytes: Buffer }[] = [
  { name: 'Rlerror', value: { type: 'Rlerror', tag: 1, ecode: 2 }, bytes: b().u32(2).frame(7, 1) },
  { name: 'Tstatfs', value: { type: 'Tstatfs', tag: 2, fid: 9 }, bytes: b().u32(9).frame(8, 2) },
  {
    name: 'Rstatfs',
    value: {
      type: 'Rstatfs',
      tag: 2,
      fsType: 0x01021997,
      bsize: 4096,
      blocks: 1000n,
      bfree: 500n,
      bavail: 400n,
      files: 100n,
      ffree: 50n,
      fsid: BIG,
      namelen: 255,
    },
    bytes: b()
      .u32(0x01021997)
      .u32(4096)
      .u64(1000n)
      .u64(500n)
      .u64(400n)
      .u64(100n)
      .u64(50n)
      .u64(BIG)
      .u32(255)
      .frame(9, 2),
  },
  {
    name: 'Tlopen',
    value: { type: 'Tlopen', tag: 3, fid: 1, flags: 0o2 },
    bytes: b().u32(1).u32(2).frame(12, 3),
  },
  {
    name: 'Rlopen',
    value: { type: 'Rlopen', tag: 3, qid: q1, iounit: 8192 },
    bytes: q1b().u32(8192).frame(13, 3),
  },
  {
    name: 'Tlcreate',
    value: { type: 'Tlcreate', tag: 4, fid: 1, name: 'héllo', flags: 0o101, mode: 0o644, gid: 100 },
    bytes: b().u32(1).str('héllo').u32(0o101).u32(0o644).u32(100).frame(14, 4),
  },
  {
    name: 'Rlcreate',
    value: { type: 'Rlcreate', tag: 4, qid: q2, iounit: 0 },
    bytes: b().qid(0, 0, 42n).u32(0).frame(15, 4),
  },
  {
    name: 'Tsymlink',
    value: { type: 'Tsymlink', tag: 5, fid: 3, name: 'ln', target: '../x', gid: 0 },
    bytes: b().u32(3).str('ln').str('../x').u32(0).frame(16, 5),
  },
  {
    name: 'Rsymlink',
    value: { type: 'Rsymlink', tag: 5, qid: q2 },
    bytes: b().qid(0, 0, 42n).frame(17, 5),
  },
  {
    name: 'Tmknod',
    value: {
      type: 'Tmknod',
      tag: 6,
      dfid: 3,
      name: 'p',
      mode: 0o10644,
      major: 1,
      minor: 3,
      gid: 5,
    },
    bytes: b().u32(3).str('p').u32(0o10644).u32(1).u32(3).u32(5).frame(18, 6),
  },
  { name: 'Rmknod', value: { type: 'Rmknod', tag: 6, qid: q1 }, bytes: q1b().frame(19, 6) },
  {
    name: 'Trename',
    value: { type: 'Trename', tag: 7, fid: 4, dfid: 5, name: 'new' },
    bytes: b().u32(4).u32(5).str('new').frame(20, 7),
  },
  { name: 'Rrename', value: { type: 'Rrename', tag: 7 }, bytes: b().frame(21, 7) },
  {
    name: 'Treadlink',
    value: { type: 'Treadlink', tag: 8, fid: 4 },
    bytes: b().u32(4).frame(22, 8),
  },
  {
    name: 'Rreadlink',
    value: { type: 'Rreadlink', tag: 8, target: '/abs/target' },
    bytes: b().str('/abs/target').frame(23, 8),
  },
  {
    name: 'Tgetattr',
    value: { type: 'Tgetattr', tag: 9, fid: 4, requestMask: 0x3fffn },
    bytes: b().u32(4).u64(0x3fffn).frame(24, 9),
  },
  {
    name: 'Rgetattr',
    value: {
      type: 'Rgetattr',
      tag: 9,
      valid: 0x7ffn,
      qid: q1,
      mode: 0o40755,
      uid: 1000,
      gid: 1001,
      nlink: 2n,
      rdev: 0n,
      size: 4096n,
      blksize: 4096n,
      blocks: 8n,
      atimeSec: 1n,
      atimeNsec: 2n,
      mtimeSec: 3n,
      mtimeNsec: 4n,
      ctimeSec: 5n,
      ctimeNsec: 6n,
      btimeSec: 7n,
      btimeNsec: 8n,
      gen: 9n,
      dataVersion: 10n,
    },
    bytes: b()
      .u64(0x7ffn)
      .qid(0x80, 7, 0x0102030405060708n)
      .u32(0o40755)
      .u32(1000)
      .u32(1001)
      .u64(2n)
      .u64(0n)
      .u64(4096n)
      .u64(4096n)
      .u64(8n)
      .u64(1n)
      .u64(2n)
      .u64(3n)
      .u64(4n)
      .u64(5n)
      .u64(6n)
      .u64(7n)
      .u64(8n)
      .u64(9n)
      .u64(10n)
      .frame(25, 9),
  },
  {
    name: 'Tsetattr',
    value: {
      type: 'Tsetattr',
      tag: 10,
      fid: 4,
      valid: 0x1ff,
      mode: 0o600,
      uid: 1,
      gid: 2,
      size: BIG,
      atimeSec: 11n,
      atimeNsec: 12n,
      mtimeSec: 13n,
      mtimeNsec: 14n,
    },
    bytes: b()
      .u32(4)
      .u32(0x1ff)
      .u32(0o600)
      .u32(1)
      .u32(2)
      .u64(BIG)
      .u64(11n)
      .u64(12n)
      .u64(13n)
      .u64(14n)
      .frame(26, 10),
  },
  { name: 'Rsetattr', value: { type: 'Rsetattr', tag: 10 }, bytes: b().frame(27, 10) },
  {
    name: 'Txattrwalk',
    value: { type: 'Txattrwalk', tag: 11, fid: 1, newfid: 2, name: 'user.x' },
    bytes: b().u32(1).u32(2).str('user.x').frame(30, 11),
  },
  {
    name: 'Rxattrwalk',
    value: { type: 'Rxattrwalk', tag: 11, size: 5n },
    bytes: b().u64(5n).frame(31, 11),
  },
  {
    name: 'Txattrcreate',
    value: { type: 'Txattrcreate', tag: 12, fid: 1, name: 'user.y', attrSize: 3n, flags: 1 },
    bytes: b().u32(1).str('user.y').u64(3n).u32(1).frame(32, 12),
  },
  { name: 'Rxattrcreate', value: { type: 'Rxattrcreate', tag: 12 }, bytes: b().frame(33, 12) },
  {
    name: 'Treaddir',
    value: { type: 'Treaddir', tag: 13, fid: 1, offset: 77n, count: 8192 },
    bytes: b().u32(1).u64(77n).u32(8192).frame(40, 13),
  },
  {
    name: 'Rreaddir',
    value: { type: 'Rreaddir', tag: 13, data: Buffer.from([1, 2, 3]) },
    bytes: b().u32(3).raw([1, 2, 3]).frame(41, 13),
  },
  {
    name: 'Tfsync',
    value: { type: 'Tfsync', tag: 14, fid: 1, datasync: 1 },
    bytes: b().u32(1).u32(1).frame(50, 14),
  },
  { name: 'Rfsync', value: { type: 'Rfsync', tag: 14 }, bytes: b().frame(51, 14) },
  {
    name: 'Tlock',
    value: {
      type: 'Tlock',
      tag: 15,
      fid: 1,
      lockType: 1,
      flags: 1,
      start: 10n,
      length: 0n,
      procId: 99,
      clientId: 'guest',
    },
    bytes: b().u32(1).u8(1).u32(1).u64(10n).u64(0n).u32(99).str('guest').frame(52, 15),
  },
  { name: 'Rlock', value: { type: 'Rlock', tag: 15, status: 1 }, bytes: b().u8(1).frame(53, 15) },
  {
    name: 'Tgetlock',
    value: {
      type: 'Tgetlock',
      tag: 16,
      fid: 1,
      lockType: 0,
      start: 0n,
      length: 100n,
      procId: 7,
      clientId: '',
    },
    bytes: b().u32(1).u8(0).u64(0n).u64(100n).u32(7).str('').frame(54, 16),
  },
  {
    name: 'Rgetlock',
    value: {
      type: 'Rgetlock',
      tag: 16,
      lockType: 2,
      start: 0n,
      length: 100n,
      procId: 7,
      clientId: 'c',
    },
    bytes: b().u8(2).u64(0n).u64(100n).u32(7).str('c').frame(55, 16),
  },
  {
    name: 'Tlink',
    value: { type: 'Tlink', tag: 17, dfid: 1, fid: 2, name: 'hard' },
    bytes: b().u32(1).u32(2).str('hard').frame(70, 17),
  },
  { name: 'Rlink', value: { type: 'Rlink', tag: 17 }, bytes: b().frame(71, 17) },
  {
    name: 'Tmkdir',
    value: { type: 'Tmkdir', tag: 18, dfid: 1, name: 'd', mode: 0o755, gid: 3 },
    bytes: b().u32(1).str('d').u32(0o755).u32(3).frame(72, 18),
  },
  { name: 'Rmkdir', value: { type: 'Rmkdir', tag: 18, qid: q1 }, bytes: q1b().frame(73, 18) },
  {
    name: 'Trenameat',
    value: { type: 'Trenameat', tag: 19, olddirfid: 1, oldname: 'a', newdirfid: 2, newname: 'b' },
    bytes: b().u32(1).str('a').u32(2).str('b').frame(74, 19),
  },
  { name: 'Rrenameat', value: { type: 'Rrenameat', tag: 19 }, bytes: b().frame(75, 19) },
  {
    name: 'Tunlinkat',
    value: { type: 'Tunlinkat', tag: 20, dirfid: 1, name: 'gone', flags: 0x200 },
    bytes: b().u32(1).str('gone').u32(0x200).frame(76, 20),
  },
  { name: 'Runlinkat', value: { type: 'Runlinkat', tag: 20 }, bytes: b().frame(77, 20) },
  {
    name: 'Tversion',
    value: { type: 'Tversion', tag: 0xffff, msize: 1048576, version: '9P2000.L' },
    bytes: b().u32(1048576).str('9P2000.L').frame(100, 0xffff),
  },
  {
    name: 'Rversion',
    value: { type: 'Rversion', tag: 0xffff, msize: 65536, version: 'unknown' },
    bytes: b().u32(65536).str('unknown').frame(101, 0xffff),
  },
  {
    name: 'Tauth',
    value: { type: 'Tauth', tag: 21, afid: 5, uname: 'root', aname: '/', nUname: 0 },
    bytes: b().u32(5).str('root').str('/').u32(0).frame(102, 21),
  },
  {
    name: 'Rauth',
    value: { type: 'Rauth', tag: 21, aqid: q2 },
    bytes: b().qid(0, 0, 42n).frame(103, 21),
  },
  {
    name: 'Tattach',
    value: {
      type: 'Tattach',
      tag: 22,
      fid: 0,
      afid: 0xffffffff,
      uname: '',
      aname: 'ctl',
      nUname: 1000,
    },
    bytes: b().u32(0).u32(0xffffffff).str('').str('ctl').u32(1000).frame(104, 22),
  },
  { name: 'Rattach', value: { type: 'Rattach', tag: 22, qid: q1 }, bytes: q1b().frame(105, 22) },
  {
    name: 'Tflush',
    value: { type: 'Tflush', tag: 23, oldtag: 22 },
    bytes: b().u16(22).frame(108, 23),
  },
  { name: 'Rflush', value: { type: 'Rflush', tag: 23 }, bytes: b().frame(109, 23) },
  {
    name: 'Twalk',
    value: { type: 'Twalk', tag: 24, fid: 0, newfid: 1, names: ['usr', 'bin'] },
    bytes: b().u32(0).u32(1).u16(2).str('usr').str('bin').frame(110, 24),
  },
  {
    name: 'Twalk (clone)',
    value: { type: 'Twalk', tag: 24, fid: 0, newfid: 1, names: [] },
    bytes: b().u32(0).u32(1).u16(0).frame(110, 24),
  },
  {
    name: 'Rwalk',
    value: { type: 'Rwalk', tag: 24, qids: [q1, q2] },
    bytes: b().u16(2).qid(0x80, 7, 0x0102030405060708n).qid(0, 0, 42n).frame(111, 24),
  },
  {
    name: 'Tread',
    value: { type: 'Tread', tag: 25, fid: 1, offset: BIG, count: 65536 },
    bytes: b().u32(1).u64(BIG).u32(65536).frame(116, 25),
  },
  {
    name: 'Rread',
    value: { type: 'Rread', tag: 25, data: Buffer.from('hello') },
    bytes: b().u32(5).raw(Buffer.from('hello')).frame(117, 25),
  },
  {
    name: 'Twrite',
    value: { type: 'Twrite', tag: 26, fid: 1, offset: 3n, data: Buffer.from('xyz') },
    bytes: b().u32(1).u64(3n).u32(3).raw(Buffer.from('xyz')).frame(118, 26),
  },
  {
    name: 'Rwrite',
    value: { type: 'Rwrite', tag: 26, count: 3 },
    bytes: b().u32(3).frame(119, 26),
  },
  { name: 'Tclunk', value: { type: 'Tclunk', tag: 27, fid: 1 }, bytes: b().u32(1).frame(120, 27) },
  { name: 'Rclunk', value: { type: 'Rclunk', tag: 27 }, bytes: b().frame(121, 27) },
  {
    name: 'Tremove',
    value: { type: 'Tremove', tag: 28, fid: 1 },
    bytes: b().u32(1).frame(122, 28),
  },
  { name: 'Rremove', value: { type: 'Rremove', tag: 28 }, bytes: b().frame(123, 28) },
];
