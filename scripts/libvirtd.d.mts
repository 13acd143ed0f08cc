export declare const LIBVIRTD: string;
export declare const VIRTLOGD: string;
export declare const SYSTEM_SOCKET: string;
/** True when qemu:///system opens. */
export declare function answers(): boolean;
/**
 * Makes sure qemu:///system answers (starting virtlogd, then libvirtd, as root), registering
 * this process as a user; throws naming what is missing. `release()` stops the daemons when the
 * last user leaves, if this helper started them.
 */
export declare function acquireLibvirtd(options?: {
  timeoutMs?: number;
  pid?: number;
}): Promise<{ started: boolean; release(): Promise<void> }>;
export declare function releaseLibvirtd(options?: { pid?: number }): Promise<void>;
