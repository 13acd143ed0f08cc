{
  "targets": [
    {
      "target_name": "fsat",
      "sources": ["native/fsat.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
