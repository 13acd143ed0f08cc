/** The corpora the conformance tier needs, as paths under the shared folder. */
export declare const SHARED_CORPORA: readonly { path: string; what: string }[];
/** The shared folder: $MULTIVERSE_SHARED_DIR, or ../shared beside the repository. */
export declare function sharedDir(): string;
/** The corpora that are missing (empty when the conformance tier can run). */
export declare function missingCorpora(): { path: string; what: string }[];
/** `sharedDir()/subpath`; throws, naming what is missing and where, when it is absent. */
export declare function requireShared(subpath: string, what: string): string;
