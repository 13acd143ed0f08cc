{
  "targets": [
    {
      "target_name": "vsock_native",
      "sources": ["native/vsock_native.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
