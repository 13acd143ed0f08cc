/** A server's unique id for a file: type bits, version, and a 64-bit path (inode number). */
export interface Qid {
  type: number;
  version: number;
  path: bigint;
}

/** One entry of Rreaddir's data: `offset` is the cookie to pass to the next Treaddir. */
export interface Dirent {
  qid: Qid;
  offset: bigint;
  type: number;
  name: string;
}
