// Descriptor-relative filesystem calls for Node: openat2, statx, the *at family, getdents64
// and extended attributes. Every call is synchronous and returns a number: >= 0 on success,
// -errno on failure. A failure is a plain result, never a JavaScript exception, so a missing
// name on a server's hot path costs a comparison, not an Error with a stack trace. Argument
// type errors (a caller's bug) throw TypeError.
//
// Only openat2 of something that may block (a FIFO, a device) has an asynchronous twin: every
// other call here is a metadata syscall that completes in microseconds on a local filesystem;
// bulk reads and writes stay with node:fs on the descriptors these calls return.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define MAX_ARGS 8
// Names and paths arrive as JS strings; PATH_MAX bounds them as the kernel does.
#define PATH_BYTES PATH_MAX

typedef struct {
  napi_env env;
  size_t argc;
  napi_value argv[MAX_ARGS];
} Args;

static int get_args(napi_env env, napi_callback_info info, Args* a, size_t want) {
  a->env = env;
  a->argc = MAX_ARGS;
  if (napi_get_cb_info(env, info, &a->argc, a->argv, NULL, NULL) != napi_ok) return -1;
  if (a->argc < want) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_COUNT", "too few arguments");
    return -1;
  }
  return 0;
}

static int arg_int(Args* a, size_t i, int32_t* out) {
  if (napi_get_value_int32(a->env, a->argv[i], out) != napi_ok) {
    napi_throw_type_error(a->env, "ERR_INVALID_ARG_TYPE", "expected a number");
    return -1;
  }
  return 0;
}

static int arg_uint(Args* a, size_t i, uint32_t* out) {
  if (napi_get_value_uint32(a->env, a->argv[i], out) != napi_ok) {
    napi_throw_type_error(a->env, "ERR_INVALID_ARG_TYPE", "expected a number");
    return -1;
  }
  return 0;
}

static int arg_i64(Args* a, size_t i, int64_t* out) {
  napi_valuetype type;
  napi_typeof(a->env, a->argv[i], &type);
  if (type == napi_bigint) {
    bool lossless;
    if (napi_get_value_bigint_int64(a->env, a->argv[i], out, &lossless) == napi_ok && lossless)
      return 0;
  } else if (type == napi_number) {
    if (napi_get_value_int64(a->env, a->argv[i], out) == napi_ok) return 0;
  }
  napi_throw_type_error(a->env, "ERR_INVALID_ARG_TYPE", "expected a 64-bit integer");
  return -1;
}

// Copies a JS string argument into buf (NUL-terminated). A string with an embedded NUL or
// longer than the kernel accepts gets -EINVAL / -ENAMETOOLONG through *err, not a throw.
static int arg_path(Args* a, size_t i, char* buf, int* err) {
  size_t len = 0;
  if (napi_get_value_string_utf8(a->env, a->argv[i], NULL, 0, &len) != napi_ok) {
    napi_throw_type_error(a->env, "ERR_INVALID_ARG_TYPE", "expected a string");
    return -1;
  }
  *err = 0;
  if (len >= PATH_BYTES) {
    *err = -ENAMETOOLONG;
    return 0;
  }
  napi_get_value_string_utf8(a->env, a->argv[i], buf, PATH_BYTES, &len);
  if (strlen(buf) != len) *err = -EINVAL;
  return 0;
}

static int arg_buffer(Args* a, size_t i, void** data, size_t* len) {
  bool is_buffer = false;
  napi_is_buffer(a->env, a->argv[i], &is_buffer);
  if (is_buffer) {
    napi_get_buffer_info(a->env, a->argv[i], data, len);
    return 0;
  }
  bool is_typed = false;
  napi_is_typedarray(a->env, a->argv[i], &is_typed);
  if (is_typed) {
    napi_typedarray_type type;
    size_t length, offset;
    napi_value arraybuffer;
    napi_get_typedarray_info(a->env, a->argv[i], &type, &length, data, &arraybuffer, &offset);
    size_t element = 1;
    switch (type) {
      case napi_int8_array:
      case napi_uint8_array:
      case napi_uint8_clamped_array:
        element = 1;
        break;
      case napi_int16_array:
      case napi_uint16_array:
        element = 2;
        break;
      case napi_int32_array:
      case napi_uint32_array:
      case napi_float32_array:
        element = 4;
        break;
      default:
        element = 8;
    }
    *len = length * element;
    return 0;
  }
  napi_throw_type_error(a->env, "ERR_INVALID_ARG_TYPE", "expected a Buffer or typed array");
  return -1;
}

static napi_value num(napi_env env, int64_t value) {
  napi_value out;
  napi_create_int64(env, value, &out);
  return out;
}

static napi_value result(napi_env env, long rc) { return num(env, rc < 0 ? -errno : rc); }

// openat2(dirfd, path, flags, mode, resolve) -> fd | -errno. O_CLOEXEC is always added: a
// descriptor of an export must never leak into a child process.
static long do_openat2(int dirfd, const char* path, uint64_t flags, uint64_t mode, uint64_t res) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = flags | O_CLOEXEC;
  // The kernel refuses a mode without O_CREAT/O_TMPFILE (EINVAL), so it is dropped then.
  // glibc's O_TMPFILE includes O_DIRECTORY: test only its own bit.
  how.mode = (flags & (O_CREAT | (O_TMPFILE & ~O_DIRECTORY))) ? mode : 0;
  how.resolve = res;
  return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

static napi_value Openat2(napi_env env, napi_callback_info info) {
  Args a;
  int32_t dirfd;
  uint32_t flags, mode, res;
  char path[PATH_BYTES];
  int err;
  if (get_args(env, info, &a, 5) || arg_int(&a, 0, &dirfd) || arg_path(&a, 1, path, &err) ||
      arg_uint(&a, 2, &flags) || arg_uint(&a, 3, &mode) || arg_uint(&a, 4, &res))
    return NULL;
  if (err) return num(env, err);
  return result(env, do_openat2(dirfd, path, flags, mode, res));
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int dirfd;
  char path[PATH_BYTES];
  uint32_t flags, mode, res;
  long rc;
} OpenWork;

static void open_execute(napi_env env, void* data) {
  (void)env;
  OpenWork* w = data;
  long rc = do_openat2(w->dirfd, w->path, w->flags, w->mode, w->res);
  w->rc = rc < 0 ? -errno : rc;
}

static void open_complete(napi_env env, napi_status status, void* data) {
  OpenWork* w = data;
  if (status == napi_ok) {
    napi_resolve_deferred(env, w->deferred, num(env, w->rc));
  } else {
    // Cancelled before it ran: nothing was opened.
    napi_resolve_deferred(env, w->deferred, num(env, -ECANCELED));
  }
  napi_delete_async_work(env, w->work);
  free(w);
}

// openat2Async(...) -> Promise<fd | -errno>, on libuv's thread pool: for names that may be
// FIFOs or devices, whose open can wait for a peer.
static napi_value Openat2Async(napi_env env, napi_callback_info info) {
  Args a;
  int32_t dirfd;
  uint32_t flags, mode, res;
  OpenWork* w = calloc(1, sizeof *w);
  if (!w) {
    napi_throw_error(env, "ERR_FSAT_NOMEM", "out of memory");
    return NULL;
  }
  int err;
  if (get_args(env, info, &a, 5) || arg_int(&a, 0, &dirfd) || arg_path(&a, 1, w->path, &err) ||
      arg_uint(&a, 2, &flags) || arg_uint(&a, 3, &mode) || arg_uint(&a, 4, &res)) {
    free(w);
    return NULL;
  }
  napi_value promise;
  napi_create_promise(env, &w->deferred, &promise);
  if (err) {
    napi_resolve_deferred(env, w->deferred, num(env, err));
    free(w);
    return promise;
  }
  w->dirfd = dirfd;
  w->flags = flags;
  w->mode = mode;
  w->res = res;
  napi_value name;
  napi_create_string_utf8(env, "fsat.openat2", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, open_execute, open_complete, w, &w->work);
  napi_queue_async_work(env, w->work);
  return promise;
}

// Field order of the statx record written into the caller's BigInt64Array (see src/stat.ts).
enum {
  SX_MASK,
  SX_MODE,
  SX_NLINK,
  SX_UID,
  SX_GID,
  SX_INO,
  SX_SIZE,
  SX_BLOCKS,
  SX_BLKSIZE,
  SX_RDEV_MAJOR,
  SX_RDEV_MINOR,
  SX_DEV_MAJOR,
  SX_DEV_MINOR,
  SX_ATIME_SEC,
  SX_ATIME_NSEC,
  SX_MTIME_SEC,
  SX_MTIME_NSEC,
  SX_CTIME_SEC,
  SX_CTIME_NSEC,
  SX_BTIME_SEC,
  SX_BTIME_NSEC,
  SX_FIELDS
};

// statx(dirfd, path, flags, out: BigInt64Array(SX_FIELDS)) -> 0 | -errno. An empty path with
// AT_EMPTY_PATH in flags stats dirfd itself (O_PATH descriptors included).
static napi_value Statx(napi_env env, napi_callback_info info) {
  Args a;
  int32_t dirfd, flags;
  char path[PATH_BYTES];
  int err;
  void* data;
  size_t len;
  if (get_args(env, info, &a, 4) || arg_int(&a, 0, &dirfd) || arg_path(&a, 1, path, &err) ||
      arg_int(&a, 2, &flags) || arg_buffer(&a, 3, &data, &len))
    return NULL;
  if (len < SX_FIELDS * sizeof(int64_t)) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "statx needs a BigInt64Array of 21");
    return NULL;
  }
  if (err) return num(env, err);
  struct statx sx;
  if (statx(dirfd, path, flags, STATX_BASIC_STATS | STATX_BTIME, &sx) < 0) return num(env, -errno);
  int64_t* out = data;
  out[SX_MASK] = sx.stx_mask;
  out[SX_MODE] = sx.stx_mode;
  out[SX_NLINK] = sx.stx_nlink;
  out[SX_UID] = sx.stx_uid;
  out[SX_GID] = sx.stx_gid;
  out[SX_INO] = (int64_t)sx.stx_ino;
  out[SX_SIZE] = (int64_t)sx.stx_size;
  out[SX_BLOCKS] = (int64_t)sx.stx_blocks;
  out[SX_BLKSIZE] = sx.stx_blksize;
  out[SX_RDEV_MAJOR] = sx.stx_rdev_major;
  out[SX_RDEV_MINOR] = sx.stx_rdev_minor;
  out[SX_DEV_MAJOR] = sx.stx_dev_major;
  out[SX_DEV_MINOR] = sx.stx_dev_minor;
  out[SX_ATIME_SEC] = sx.stx_atime.tv_sec;
  out[SX_ATIME_NSEC] = sx.stx_atime.tv_nsec;
  out[SX_MTIME_SEC] = sx.stx_mtime.tv_sec;
  out[SX_MTIME_NSEC] = sx.stx_mtime.tv_nsec;
  out[SX_CTIME_SEC] = sx.stx_ctime.tv_sec;
  out[SX_CTIME_NSEC] = sx.stx_ctime.tv_nsec;
  out[SX_BTIME_SEC] = sx.stx_btime.tv_sec;
  out[SX_BTIME_NSEC] = sx.stx_btime.tv_nsec;
  return num(env, 0);
}

static napi_value Mkdirat(napi_env env, napi_callback_info info) {
  Args a;
  int32_t dirfd;
  uint32_t mode;
  char path[PATH_BYTES];
  int err;
  if (get_args(env, info, &a, 3) || arg_int(&a, 0, &dirfd) || arg_path(&a, 1, path, &err) ||
      arg_uint(&a, 2, &mode))
    return NULL;
  if (err) return num(env, err);
  return result(env, mkdirat(dirfd, path, mode));
}

// mknodat(dirfd, name, mode, major, minor)
static napi_value Mknodat(napi_env env, napi_callback_info info) {
  Args a;
  int32_t dirfd;
  uint32_t mode, major_, minor_;
  char path[PATH_BYTES];
  int err;
  if (get_args(env, info, &a, 5) || arg_int(&a, 0, &dirfd) || arg_path(&a, 1, path, &err) ||
      arg_uint(&a, 2, &mode) || arg_uint(&a, 3, &major_) || arg_uint(&a, 4, &minor_))
    return NULL;
  if (err) return num(env, err);
  // The syscall, not glibc's mknodat(): that became a symbol of its own only in glibc 2.33
  // (mknodat@GLIBC_2.33), which would raise the prebuilt addon's glibc floor from 2.28
  // (statx, renameat2) to 2.33. Like glibc, refuse a dev_t the kernel's 32-bit one cannot hold.
  dev_t dev = makedev(major_, minor_);
  if ((unsigned int)dev != dev) return num(env, -EINVAL);
  return result(env, syscall(SYS_mknodat, dirfd, path, (mode_t)mode, (unsigned int)dev));
}

static napi_value Unlinkat(napi_env env, napi_callback_info info) {
  Args a;
  int32_t dirfd, flags;
  char path[PATH_BYTES];
  int err;
  if (get_args(env, info, &a, 3) || arg_int(&a, 0, &dirfd) || arg_path(&a, 1, path, &err) ||
      arg_int(&a, 2, &flags))
    return NULL;
  if (err) return num(env, err);
  return result(env, unlinkat(dirfd, path, flags));
}

// renameat2(olddirfd, oldname, newdirfd, newname, flags)
static napi_value Renameat2(napi_env env, napi_callback_info info) {
  Args a;
  int32_t olddir, newdir;
  uint32_t flags;
  char oldpath[PATH_BYTES], newpath[PATH_BYTES];
  int err1, err2;
  if (get_args(env, info, &a, 5) || arg_int(&a, 0, &olddir) || arg_path(&a, 1, oldpath, &err1) ||
      arg_int(&a, 2, &newdir) || arg_path(&a, 3, newpath, &err2) || arg_uint(&a, 4, &flags))
    return NULL;
  if (err1 || err2) return num(env, err1 ? err1 : err2);
  return result(env, renameat2(olddir, oldpath, newdir, newpath, flags));
}

// linkat(olddirfd, oldname, newdirfd, newname, flags)
static napi_value Linkat(napi_env env, napi_callback_info info) {
  Args a;
  int32_t olddir, newdir, flags;
  char oldpath[PATH_BYTES], newpath[PATH_BYTES];
  int err1, err2;
  if (get_args(env, info, &a, 5) || arg_int(&a, 0, &olddir) || arg_path(&a, 1, oldpath, &err1) ||
      arg_int(&a, 2, &newdir) || arg_path(&a, 3, newpath, &err2) || arg_int(&a, 4, &flags))
    return NULL;
  if (err1 || err2) return num(env, err1 ? err1 : err2);
  return result(env, linkat(olddir, oldpath, newdir, newpath, flags));
}

// symlinkat(target, dirfd, name)
static napi_value Symlinkat(napi_env env, napi_callback_info info) {
  Args a;
  int32_t dirfd;
  char target[PATH_BYTES], path[PATH_BYTES];
  int err1, err2;
  if (get_args(env, info, &a, 3) || arg_path(&a, 0, target, &err1) || arg_int(&a, 1, &dirfd) ||
      arg_path(&a, 2, path, &err2))
    return NULL;
  if (err1 || err2) return num(env, err1 ? err1 : err2);
  return result(env, symlinkat(target, dirfd, path));
}

// readlinkat(dirfd, name) -> string | -errno. An empty name with an O_PATH descriptor of a
// symlink reads that link.
static napi_value Readlinkat(napi_env env, napi_callback_info info) {
  Args a;
  int32_t dirfd;
  char path[PATH_BYTES], target[PATH_BYTES];
  int err;
  if (get_args(env, info, &a, 2) || arg_int(&a, 0, &dirfd) || arg_path(&a, 1, path, &err))
    return NULL;
  if (err) return num(env, err);
  ssize_t n = readlinkat(dirfd, path, target, sizeof target - 1);
  if (n < 0) return num(env, -errno);
  napi_value out;
  napi_create_string_utf8(env, target, (size_t)n, &out);
  return out;
}

// fchownat(dirfd, name, uid, gid, flags): uid/gid -1 leave that owner as it is.
static napi_value Fchownat(napi_env env, napi_callback_info info) {
  Args a;
  int32_t dirfd, uid, gid, flags;
  char path[PATH_BYTES];
  int err;
  if (get_args(env, info, &a, 5) || arg_int(&a, 0, &dirfd) || arg_path(&a, 1, path, &err) ||
      arg_int(&a, 2, &uid) || arg_int(&a, 3, &gid) || arg_int(&a, 4, &flags))
    return NULL;
  if (err) return num(env, err);
  return result(env, fchownat(dirfd, path, (uid_t)uid, (gid_t)gid, flags));
}

// The kernel's path to the object an O_PATH descriptor holds: following this magic link
// reaches that very inode (even a symlink opened with O_PATH|O_NOFOLLOW), never a path
// string resolved again. Used where a syscall has no descriptor form that accepts O_PATH.
static void proc_fd_path(int fd, char* buf, size_t size) {
  snprintf(buf, size, "/proc/self/fd/%d", fd);
}

// fchmodat(dirfd, name, mode, flags). An empty name changes dirfd itself, which may be an
// O_PATH descriptor (fchmod refuses those). Linux 6.1 has no fchmodat2, so a name with
// AT_SYMLINK_NOFOLLOW is refused by glibc for symlinks (EOPNOTSUPP), as on ext4.
static napi_value Fchmodat(napi_env env, napi_callback_info info) {
  Args a;
  int32_t dirfd, flags;
  uint32_t mode;
  char path[PATH_BYTES];
  int err;
  if (get_args(env, info, &a, 4) || arg_int(&a, 0, &dirfd) || arg_path(&a, 1, path, &err) ||
      arg_uint(&a, 2, &mode) || arg_int(&a, 3, &flags))
    return NULL;
  if (err) return num(env, err);
  if (path[0] == '\0') {
    if (fchmod(dirfd, mode) == 0) return num(env, 0);
    if (errno != EBADF) return num(env, -errno);
    char self[64];
    proc_fd_path(dirfd, self, sizeof self);
    return result(env, chmod(self, mode));
  }
  return result(env, fchmodat(dirfd, path, mode, flags));
}

// utimensat(dirfd, name, atimeSec, atimeNsec, mtimeSec, mtimeNsec, flags). Nanoseconds may be
// UTIME_NOW or UTIME_OMIT. An empty name changes dirfd itself (O_PATH descriptors included).
static napi_value Utimensat(napi_env env, napi_callback_info info) {
  Args a;
  int32_t dirfd, flags;
  int64_t as, an, ms, mn;
  char path[PATH_BYTES];
  int err;
  if (get_args(env, info, &a, 7) || arg_int(&a, 0, &dirfd) || arg_path(&a, 1, path, &err) ||
      arg_i64(&a, 2, &as) || arg_i64(&a, 3, &an) || arg_i64(&a, 4, &ms) || arg_i64(&a, 5, &mn) ||
      arg_int(&a, 6, &flags))
    return NULL;
  if (err) return num(env, err);
  struct timespec times[2] = {{.tv_sec = as, .tv_nsec = an}, {.tv_sec = ms, .tv_nsec = mn}};
  if (path[0] == '\0') {
    if (futimens(dirfd, times) == 0) return num(env, 0);
    if (errno != EBADF) return num(env, -errno);
    char self[64];
    proc_fd_path(dirfd, self, sizeof self);
    return result(env, utimensat(AT_FDCWD, self, times, 0));
  }
  return result(env, utimensat(dirfd, path, times, flags));
}

// getdents64(fd, buffer) -> bytes | -errno: raw linux_dirent64 records for src/dirent.ts.
static napi_value Getdents(napi_env env, napi_callback_info info) {
  Args a;
  int32_t fd;
  void* data;
  size_t len;
  if (get_args(env, info, &a, 2) || arg_int(&a, 0, &fd) || arg_buffer(&a, 1, &data, &len))
    return NULL;
  return result(env, syscall(SYS_getdents64, fd, data, len > INT_MAX ? INT_MAX : len));
}

// lseek(fd, offset: bigint, whence) -> bigint | -errno (number). Directory offsets are
// getdents64's d_off cookies, full 64-bit values on ext4.
static napi_value Lseek(napi_env env, napi_callback_info info) {
  Args a;
  int32_t fd, whence;
  int64_t offset;
  if (get_args(env, info, &a, 3) || arg_int(&a, 0, &fd) || arg_i64(&a, 1, &offset) ||
      arg_int(&a, 2, &whence))
    return NULL;
  off_t pos = lseek(fd, offset, whence);
  if (pos < 0) return num(env, -errno);
  napi_value out;
  napi_create_bigint_int64(env, pos, &out);
  return out;
}

static napi_value Close(napi_env env, napi_callback_info info) {
  Args a;
  int32_t fd;
  if (get_args(env, info, &a, 1) || arg_int(&a, 0, &fd)) return NULL;
  return result(env, close(fd));
}

// Extended attributes on a descriptor. An O_PATH descriptor (every node a server holds) is
// refused by f*xattr with EBADF; the same call then goes through /proc/self/fd/N, which the
// kernel resolves to that very inode.
#define XATTR_ON_FD(call_f, call_path, fd, ...)          \
  ({                                                     \
    long rc_ = call_f(fd, __VA_ARGS__);                  \
    if (rc_ < 0 && errno == EBADF) {                     \
      char self_[64];                                    \
      proc_fd_path(fd, self_, sizeof self_);             \
      rc_ = call_path(self_, __VA_ARGS__);               \
    }                                                    \
    rc_;                                                 \
  })

// fgetxattr(fd, name, buffer | null) -> size | -errno. A null buffer asks for the size.
static napi_value Fgetxattr(napi_env env, napi_callback_info info) {
  Args a;
  int32_t fd;
  char name[XATTR_NAME_MAX + 1];
  int err;
  void* data = NULL;
  size_t len = 0;
  if (get_args(env, info, &a, 3) || arg_int(&a, 0, &fd)) return NULL;
  size_t name_len;
  if (napi_get_value_string_utf8(env, a.argv[1], NULL, 0, &name_len) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a string");
    return NULL;
  }
  if (name_len > XATTR_NAME_MAX) return num(env, -ERANGE);
  napi_get_value_string_utf8(env, a.argv[1], name, sizeof name, &name_len);
  err = strlen(name) != name_len ? -EINVAL : 0;
  napi_valuetype type;
  napi_typeof(env, a.argv[2], &type);
  if (type != napi_null && type != napi_undefined && arg_buffer(&a, 2, &data, &len)) return NULL;
  if (err) return num(env, err);
  return result(env, XATTR_ON_FD(fgetxattr, getxattr, fd, name, data, len));
}

// fsetxattr(fd, name, value, flags) -> 0 | -errno (flags: XATTR_CREATE, XATTR_REPLACE).
static napi_value Fsetxattr(napi_env env, napi_callback_info info) {
  Args a;
  int32_t fd, flags;
  char name[XATTR_NAME_MAX + 1];
  void* data;
  size_t len, name_len;
  if (get_args(env, info, &a, 4) || arg_int(&a, 0, &fd)) return NULL;
  if (napi_get_value_string_utf8(env, a.argv[1], NULL, 0, &name_len) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a string");
    return NULL;
  }
  if (arg_buffer(&a, 2, &data, &len) || arg_int(&a, 3, &flags)) return NULL;
  if (name_len > XATTR_NAME_MAX) return num(env, -ERANGE);
  napi_get_value_string_utf8(env, a.argv[1], name, sizeof name, &name_len);
  if (strlen(name) != name_len) return num(env, -EINVAL);
  return result(env, XATTR_ON_FD(fsetxattr, setxattr, fd, name, data, len, flags));
}

// flistxattr(fd, buffer | null) -> size | -errno: NUL-separated names.
static napi_value Flistxattr(napi_env env, napi_callback_info info) {
  Args a;
  int32_t fd;
  void* data = NULL;
  size_t len = 0;
  if (get_args(env, info, &a, 2) || arg_int(&a, 0, &fd)) return NULL;
  napi_valuetype type;
  napi_typeof(env, a.argv[1], &type);
  if (type != napi_null && type != napi_undefined && arg_buffer(&a, 1, &data, &len)) return NULL;
  return result(env, XATTR_ON_FD(flistxattr, listxattr, fd, data, len));
}

static napi_value Fremovexattr(napi_env env, napi_callback_info info) {
  Args a;
  int32_t fd;
  char name[XATTR_NAME_MAX + 1];
  size_t name_len;
  if (get_args(env, info, &a, 2) || arg_int(&a, 0, &fd)) return NULL;
  if (napi_get_value_string_utf8(env, a.argv[1], NULL, 0, &name_len) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a string");
    return NULL;
  }
  if (name_len > XATTR_NAME_MAX) return num(env, -ERANGE);
  napi_get_value_string_utf8(env, a.argv[1], name, sizeof name, &name_len);
  if (strlen(name) != name_len) return num(env, -EINVAL);
  return result(env, XATTR_ON_FD(fremovexattr, removexattr, fd, name));
}

static void set_constant(napi_env env, napi_value obj, const char* name, int64_t value) {
  napi_set_named_property(env, obj, name, num(env, value));
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"openat2", NULL, Openat2, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openat2Async", NULL, Openat2Async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"statx", NULL, Statx, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mkdirat", NULL, Mkdirat, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mknodat", NULL, Mknodat, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unlinkat", NULL, Unlinkat, NULL, NULL, NULL, napi_enumerable, NULL},
      {"renameat2", NULL, Renameat2, NULL, NULL, NULL, napi_enumerable, NULL},
      {"linkat", NULL, Linkat, NULL, NULL, NULL, napi_enumerable, NULL},
      {"symlinkat", NULL, Symlinkat, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readlinkat", NULL, Readlinkat, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fchownat", NULL, Fchownat, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fchmodat", NULL, Fchmodat, NULL, NULL, NULL, napi_enumerable, NULL},
      {"utimensat", NULL, Utimensat, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getdents", NULL, Getdents, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lseek", NULL, Lseek, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, Close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fgetxattr", NULL, Fgetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fsetxattr", NULL, Fsetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"flistxattr", NULL, Flistxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fremovexattr", NULL, Fremovexattr, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);

  // The kernel's numbers, so the TypeScript side never hard-codes an ABI value it could get
  // wrong on another architecture.
  napi_value c;
  napi_create_object(env, &c);
  set_constant(env, c, "O_RDONLY", O_RDONLY);
  set_constant(env, c, "O_WRONLY", O_WRONLY);
  set_constant(env, c, "O_RDWR", O_RDWR);
  set_constant(env, c, "O_CREAT", O_CREAT);
  set_constant(env, c, "O_EXCL", O_EXCL);
  set_constant(env, c, "O_TRUNC", O_TRUNC);
  set_constant(env, c, "O_APPEND", O_APPEND);
  set_constant(env, c, "O_NONBLOCK", O_NONBLOCK);
  set_constant(env, c, "O_DIRECTORY", O_DIRECTORY);
  set_constant(env, c, "O_NOFOLLOW", O_NOFOLLOW);
  set_constant(env, c, "O_PATH", O_PATH);
  set_constant(env, c, "O_NOATIME", O_NOATIME);
  set_constant(env, c, "O_DIRECT", O_DIRECT);
  set_constant(env, c, "O_SYNC", O_SYNC);
  set_constant(env, c, "O_DSYNC", O_DSYNC);
  set_constant(env, c, "O_CLOEXEC", O_CLOEXEC);
  set_constant(env, c, "O_NOCTTY", O_NOCTTY);
  set_constant(env, c, "O_TMPFILE", O_TMPFILE);
  set_constant(env, c, "RESOLVE_NO_XDEV", RESOLVE_NO_XDEV);
  set_constant(env, c, "RESOLVE_NO_MAGICLINKS", RESOLVE_NO_MAGICLINKS);
  set_constant(env, c, "RESOLVE_NO_SYMLINKS", RESOLVE_NO_SYMLINKS);
  set_constant(env, c, "RESOLVE_BENEATH", RESOLVE_BENEATH);
  set_constant(env, c, "RESOLVE_IN_ROOT", RESOLVE_IN_ROOT);
  set_constant(env, c, "RESOLVE_CACHED", RESOLVE_CACHED);
  set_constant(env, c, "AT_FDCWD", AT_FDCWD);
  set_constant(env, c, "AT_EMPTY_PATH", AT_EMPTY_PATH);
  set_constant(env, c, "AT_SYMLINK_NOFOLLOW", AT_SYMLINK_NOFOLLOW);
  set_constant(env, c, "AT_SYMLINK_FOLLOW", AT_SYMLINK_FOLLOW);
  set_constant(env, c, "AT_REMOVEDIR", AT_REMOVEDIR);
  set_constant(env, c, "AT_NO_AUTOMOUNT", AT_NO_AUTOMOUNT);
  set_constant(env, c, "RENAME_NOREPLACE", RENAME_NOREPLACE);
  set_constant(env, c, "RENAME_EXCHANGE", RENAME_EXCHANGE);
  set_constant(env, c, "RENAME_WHITEOUT", RENAME_WHITEOUT);
  set_constant(env, c, "UTIME_NOW", UTIME_NOW);
  set_constant(env, c, "UTIME_OMIT", UTIME_OMIT);
  set_constant(env, c, "XATTR_CREATE", XATTR_CREATE);
  set_constant(env, c, "XATTR_REPLACE", XATTR_REPLACE);
  set_constant(env, c, "SEEK_SET", SEEK_SET);
  set_constant(env, c, "SEEK_CUR", SEEK_CUR);
  set_constant(env, c, "SEEK_END", SEEK_END);
  set_constant(env, c, "STAT_FIELDS", SX_FIELDS);
  napi_set_named_property(env, exports, "constants", c);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
