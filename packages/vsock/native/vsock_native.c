/*
 * The native half of @multiverse-os/vsock: AF_VSOCK socket calls and a libuv poll handle.
 *
 * Node has no AF_VSOCK, and `new net.Socket({ fd })` refuses a vsock fd (libuv's
 * uv_guess_handle() only knows AF_INET/AF_INET6/AF_UNIX, so it says UNKNOWN and Node throws
 * ERR_INVALID_FD_TYPE). So this addon keeps every socket non-blocking and exposes:
 *   - thin syscalls (socket, connect, bind, listen, accept, read, writev, shutdown, close,
 *     getsockname/getpeername, the local-CID ioctl, dup for handing an fd over) that never
 *     block the JS thread, and
 *   - a Poller (uv_poll_t) that tells JS when an fd is readable or writable.
 * The stream logic (backpressure, half-close, timeouts) lives in TypeScript. No thread is
 * created: every callback arrives on the event loop.
 *
 * Errors are returned as negative errno numbers; JS turns them into Node-style errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
/* Before <linux/vm_sockets.h>: some of its versions (Debian 12's arm64 cross headers) use
 * struct sockaddr and sa_family_t without including anything that declares them. */
#include <sys/socket.h>
#include <linux/vm_sockets.h>
#include <sys/uio.h>
#include <unistd.h>
#include <uv.h>

#define CHECK(call)                                                             \
  do {                                                                          \
    if ((call) != napi_ok) {                                                    \
      napi_throw_error(env, "ERR_VSOCK_NAPI", "N-API call failed: " #call);     \
      return NULL;                                                              \
    }                                                                           \
  } while (0)

#define MAX_IOV 64

static napi_value make_int(napi_env env, int64_t value) {
  napi_value out;
  napi_create_int64(env, value, &out);
  return out;
}

static napi_value make_uint(napi_env env, uint32_t value) {
  napi_value out;
  napi_create_uint32(env, value, &out);
  return out;
}

/* Reads argv[0..n) as uint32 (fd, cid, port...). Returns 0 on success. */
static int get_args_u32(napi_env env, napi_callback_info info, size_t n, uint32_t *out) {
  size_t argc = 8;
  napi_value argv[8];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < n) return -1;
  for (size_t i = 0; i < n; i++) {
    if (napi_get_value_uint32(env, argv[i], &out[i]) != napi_ok) return -1;
  }
  return 0;
}

#define ARGS(n, arr)                                                            \
  uint32_t arr[n];                                                              \
  if (get_args_u32(env, info, n, arr) != 0) {                                   \
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected integer args"); \
    return NULL;                                                                \
  }

static napi_value js_socket(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  return make_int(env, fd < 0 ? -errno : fd);
}

static void fill_addr(struct sockaddr_vm *addr, uint32_t cid, uint32_t port) {
  memset(addr, 0, sizeof(*addr));
  addr->svm_family = AF_VSOCK;
  addr->svm_cid = cid;
  addr->svm_port = port;
}

/* connect(fd, cid, port): 0, or -EINPROGRESS (wait for writable, then soError), or -errno. */
static napi_value js_connect(napi_env env, napi_callback_info info) {
  ARGS(3, a);
  struct sockaddr_vm addr;
  fill_addr(&addr, a[1], a[2]);
  int rc = connect((int)a[0], (struct sockaddr *)&addr, sizeof(addr));
  return make_int(env, rc < 0 ? -errno : 0);
}

/* The pending error of a socket (SO_ERROR) as -errno, 0 when none. */
static napi_value js_so_error(napi_env env, napi_callback_info info) {
  ARGS(1, a);
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt((int)a[0], SOL_SOCKET, SO_ERROR, &err, &len) < 0) return make_int(env, -errno);
  return make_int(env, -err);
}

static napi_value js_bind(napi_env env, napi_callback_info info) {
  ARGS(3, a);
  struct sockaddr_vm addr;
  fill_addr(&addr, a[1], a[2]);
  int rc = bind((int)a[0], (struct sockaddr *)&addr, sizeof(addr));
  return make_int(env, rc < 0 ? -errno : 0);
}

static napi_value js_listen(napi_env env, napi_callback_info info) {
  ARGS(2, a);
  int rc = listen((int)a[0], (int)a[1]);
  return make_int(env, rc < 0 ? -errno : 0);
}

/* accept(fd): [fd, cid, port] for a new non-blocking socket, or -errno (-EAGAIN: none left). */
static napi_value js_accept(napi_env env, napi_callback_info info) {
  ARGS(1, a);
  struct sockaddr_vm addr;
  socklen_t len = sizeof(addr);
  int fd = accept4((int)a[0], (struct sockaddr *)&addr, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return make_int(env, -errno);
  napi_value out;
  CHECK(napi_create_array_with_length(env, 3, &out));
  CHECK(napi_set_element(env, out, 0, make_int(env, fd)));
  CHECK(napi_set_element(env, out, 1, make_uint(env, addr.svm_cid)));
  CHECK(napi_set_element(env, out, 2, make_uint(env, addr.svm_port)));
  return out;
}

/* name(fd, peer): [cid, port] of the local (peer = 0) or remote (peer = 1) end, or -errno. */
static napi_value js_name(napi_env env, napi_callback_info info) {
  ARGS(2, a);
  struct sockaddr_vm addr;
  socklen_t len = sizeof(addr);
  memset(&addr, 0, sizeof(addr));
  int rc = a[1] ? getpeername((int)a[0], (struct sockaddr *)&addr, &len)
                : getsockname((int)a[0], (struct sockaddr *)&addr, &len);
  if (rc < 0) return make_int(env, -errno);
  napi_value out;
  CHECK(napi_create_array_with_length(env, 2, &out));
  CHECK(napi_set_element(env, out, 0, make_uint(env, addr.svm_cid)));
  CHECK(napi_set_element(env, out, 1, make_uint(env, addr.svm_port)));
  return out;
}

/* read(fd, buffer): bytes read (0 = end of stream) or -errno. */
static napi_value js_read(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint32_t fd;
  void *data;
  size_t length;
  if (argc < 2 || napi_get_value_uint32(env, argv[0], &fd) != napi_ok ||
      napi_get_buffer_info(env, argv[1], &data, &length) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "read(fd, buffer)");
    return NULL;
  }
  ssize_t n;
  do n = read((int)fd, data, length);
  while (n < 0 && errno == EINTR);
  return make_int(env, n < 0 ? -errno : n);
}

/* writev(fd, buffers[]): bytes written (maybe fewer than offered) or -errno. */
static napi_value js_writev(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  uint32_t fd, count;
  if (argc < 2 || napi_get_value_uint32(env, argv[0], &fd) != napi_ok ||
      napi_get_array_length(env, argv[1], &count) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "writev(fd, buffers)");
    return NULL;
  }
  if (count > MAX_IOV) count = MAX_IOV;
  struct iovec iov[MAX_IOV];
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    CHECK(napi_get_element(env, argv[1], i, &item));
    if (napi_get_buffer_info(env, item, &iov[i].iov_base, &iov[i].iov_len) != napi_ok) {
      napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "writev: buffers must be Buffers");
      return NULL;
    }
  }
  ssize_t n;
  do n = writev((int)fd, iov, (int)count);
  while (n < 0 && errno == EINTR);
  return make_int(env, n < 0 ? -errno : n);
}

/* setBufferSize(fd, bytes): SO_VM_SOCKETS_BUFFER_SIZE (the credit the peer may send ahead). */
static napi_value js_set_buffer_size(napi_env env, napi_callback_info info) {
  ARGS(2, a);
  unsigned long long size = a[1];
  int rc = setsockopt((int)a[0], AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, &size, sizeof(size));
  return make_int(env, rc < 0 ? -errno : 0);
}

static napi_value js_shutdown(napi_env env, napi_callback_info info) {
  ARGS(2, a);
  int rc = shutdown((int)a[0], (int)a[1]);
  return make_int(env, rc < 0 ? -errno : 0);
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  ARGS(1, a);
  int rc = close((int)a[0]);
  return make_int(env, rc < 0 ? -errno : 0);
}

/*
 * release(fd, blocking): a close-on-exec duplicate of fd for another owner (a child process,
 * the kernel's 9p trans=fd), or -errno. blocking = 1 clears O_NONBLOCK, which the duplicate
 * shares with the original (one open file description): programs given an inherited fd
 * expect blocking reads. The caller closes the original right after (the Poller owns it).
 */
static napi_value js_release(napi_env env, napi_callback_info info) {
  ARGS(2, a);
  int fd = fcntl((int)a[0], F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return make_int(env, -errno);
  if (a[1]) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
      int err = errno;
      close(fd);
      return make_int(env, -err);
    }
  }
  return make_int(env, fd);
}

/* The CID of this machine (IOCTL_VM_SOCKETS_GET_LOCAL_CID on /dev/vsock), or -errno. */
static napi_value js_local_cid(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = open("/dev/vsock", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_int(env, -errno);
  unsigned int cid = 0;
  int rc = ioctl(fd, IOCTL_VM_SOCKETS_GET_LOCAL_CID, &cid);
  int err = errno;
  close(fd);
  return rc < 0 ? make_int(env, -err) : make_uint(env, cid);
}

/* ---- Poller: a uv_poll_t on one fd that it owns (closed with the handle). ---- */

typedef struct {
  uv_poll_t handle;
  napi_env env;
  napi_ref self;     /* strong while the handle is open, so GC cannot free a live handle */
  napi_ref callback; /* (status, events) => void */
  napi_async_context context;
  int fd;
  int closing;
  int handle_closed;
  int finalized;
  int env_gone; /* the env (a worker thread, say) was torn down with the handle open */
} poller_t;

static void poller_free_if_done(poller_t *p) {
  if (p->handle_closed && p->finalized) free(p);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  poller_t *p = (poller_t *)handle->data;
  napi_env env = p->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value self, callback, argv[2], result;
  if (napi_get_reference_value(env, p->self, &self) == napi_ok &&
      napi_get_reference_value(env, p->callback, &callback) == napi_ok) {
    argv[0] = make_int(env, status);
    argv[1] = make_int(env, events);
    if (napi_make_callback(env, p->context, self, callback, 2, argv, &result) ==
        napi_pending_exception) {
      napi_value error;
      napi_get_and_clear_last_exception(env, &error);
      napi_fatal_exception(env, error);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_close(uv_handle_t *handle) {
  poller_t *p = (poller_t *)handle->data;
  p->handle_closed = 1;
  if (p->env_gone) {
    poller_free_if_done(p);
    return;
  }
  napi_env env = p->env;
  napi_async_destroy(env, p->context);
  napi_delete_reference(env, p->callback);
  napi_delete_reference(env, p->self);
  poller_free_if_done(p);
}

/* The env is going away (worker exit) with this handle open: close it without touching JS. */
static void poller_env_cleanup(void *arg) {
  poller_t *p = (poller_t *)arg;
  if (p->closing) return;
  p->closing = 1;
  p->env_gone = 1;
  uv_close((uv_handle_t *)&p->handle, on_close);
  close(p->fd);
}

static void poller_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  poller_t *p = (poller_t *)data;
  p->finalized = 1;
  poller_free_if_done(p);
}

static poller_t *unwrap_poller(napi_env env, napi_callback_info info, size_t *argc,
                               napi_value *argv) {
  napi_value self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok ||
      napi_unwrap(env, self, &data) != napi_ok || data == NULL) {
    napi_throw_error(env, "ERR_VSOCK_NAPI", "not a Poller");
    return NULL;
  }
  poller_t *p = (poller_t *)data;
  if (p->closing) {
    napi_throw_error(env, "ERR_VSOCK_CLOSED", "Poller is closed");
    return NULL;
  }
  return p;
}

/* new Poller(fd, callback) */
static napi_value poller_new(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self, name;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  uint32_t fd;
  napi_valuetype type;
  if (argc < 2 || napi_get_value_uint32(env, argv[0], &fd) != napi_ok ||
      napi_typeof(env, argv[1], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "new Poller(fd, callback)");
    return NULL;
  }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  poller_t *p = (poller_t *)calloc(1, sizeof(poller_t));
  if (p == NULL) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  int rc = uv_poll_init(loop, &p->handle, (int)fd);
  if (rc != 0) {
    free(p);
    napi_throw_error(env, uv_err_name(rc), uv_strerror(rc));
    return NULL;
  }
  p->handle.data = p;
  p->env = env;
  p->fd = (int)fd;
  CHECK(napi_create_string_utf8(env, "VsockPoller", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_async_init(env, self, name, &p->context));
  CHECK(napi_create_reference(env, argv[1], 1, &p->callback));
  CHECK(napi_wrap(env, self, p, poller_finalize, NULL, NULL));
  CHECK(napi_create_reference(env, self, 1, &p->self));
  CHECK(napi_add_env_cleanup_hook(env, poller_env_cleanup, p));
  return self;
}

/* poller.start(events): 1 readable | 2 writable; 0 stops polling. Returns 0 or -errno. */
static napi_value poller_start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  poller_t *p = unwrap_poller(env, info, &argc, argv);
  if (p == NULL) return NULL;
  uint32_t events = 0;
  if (argc >= 1) napi_get_value_uint32(env, argv[0], &events);
  int rc = events == 0 ? uv_poll_stop(&p->handle)
                       : uv_poll_start(&p->handle, (int)(events & 3), on_poll);
  return make_int(env, rc);
}

static napi_value poller_ref(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  poller_t *p = unwrap_poller(env, info, &argc, argv);
  if (p == NULL) return NULL;
  bool on = true;
  if (argc >= 1) napi_get_value_bool(env, argv[0], &on);
  if (on) uv_ref((uv_handle_t *)&p->handle);
  else uv_unref((uv_handle_t *)&p->handle);
  return NULL;
}

/* poller.close(): stops polling, closes the handle and the fd. Safe to call twice. */
static napi_value poller_close(napi_env env, napi_callback_info info) {
  napi_value self;
  void *data = NULL;
  size_t argc = 0;
  CHECK(napi_get_cb_info(env, info, &argc, NULL, &self, NULL));
  if (napi_unwrap(env, self, &data) != napi_ok || data == NULL) return NULL;
  poller_t *p = (poller_t *)data;
  if (p->closing) return NULL;
  p->closing = 1;
  napi_remove_env_cleanup_hook(env, poller_env_cleanup, p);
  /* uv_close() stops polling and drops the fd from epoll at once (the callback only comes
   * later), so the fd can be closed right away: a closed server refuses new connections
   * immediately, and the fd number cannot be reused while libuv still watches it. */
  uv_close((uv_handle_t *)&p->handle, on_close);
  close(p->fd);
  return NULL;
}

#define EXPORT_FN(name, fn)                                                     \
  do {                                                                          \
    napi_value f;                                                               \
    CHECK(napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f));     \
    CHECK(napi_set_named_property(env, exports, name, f));                      \
  } while (0)

static napi_value init(napi_env env, napi_value exports) {
  EXPORT_FN("socket", js_socket);
  EXPORT_FN("connect", js_connect);
  EXPORT_FN("soError", js_so_error);
  EXPORT_FN("bind", js_bind);
  EXPORT_FN("listen", js_listen);
  EXPORT_FN("accept", js_accept);
  EXPORT_FN("name", js_name);
  EXPORT_FN("read", js_read);
  EXPORT_FN("writev", js_writev);
  EXPORT_FN("shutdown", js_shutdown);
  EXPORT_FN("setBufferSize", js_set_buffer_size);
  EXPORT_FN("close", js_close);
  EXPORT_FN("release", js_release);
  EXPORT_FN("localCid", js_local_cid);
  napi_property_descriptor methods[] = {
      {"start", NULL, poller_start, NULL, NULL, NULL, napi_default, NULL},
      {"ref", NULL, poller_ref, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, poller_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value poller_class;
  CHECK(napi_define_class(env, "Poller", NAPI_AUTO_LENGTH, poller_new, NULL, 3, methods,
                          &poller_class));
  CHECK(napi_set_named_property(env, exports, "Poller", poller_class));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
