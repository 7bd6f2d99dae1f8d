{
  "variables": {
    "libtorch_include%": "/usr/include",
    "libtorch_lib%": "/usr/lib/x86_64-linux-gnu",
    "cxx11_abi%": "1",
    "with_cuda%": "0"
  },
  "targets": [{
    "target_name": "torch_native",
    "sources": ["native/addon.cc", "native/tensors.cc", "native/ops.cc", "native/autograd.cc", "native/runtime.cc", "native/jit.cc", "native/allocator.cc", "native/imgproc.cc", "native/optim.cc", "native/random_state.cc", "native/interp.cc", "native/distributed.cc"],
    "include_dirs": [
      "<!(node -p \"require('node-addon-api').include_dir\")",
      "<(libtorch_include)",
      "<(libtorch_include)/torch/csrc/api/include",
      "native/c10d_shim"
    ],
    "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "_GLIBCXX_USE_CXX11_ABI=<(cxx11_abi)"],
    "cflags!": ["-fno-exceptions", "-fno-rtti"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++14", "-std=gnu++17", "-std=gnu++20"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-ffp-contract=off", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
    "ldflags": ["-Wl,-rpath,<(libtorch_lib)", "-L<(libtorch_lib)"],
    "libraries": ["-L<(libtorch_lib)", "-ltorch", "-ltorch_cpu", "-lc10"],
    "conditions": [
      ["with_cuda=='1'", {
        "defines": ["MONAI_TS_CUDA=1"],
        "libraries": ["-Wl,--no-as-needed", "-ltorch_cuda", "-lc10_cuda", "-Wl,--as-needed"]
      }]
    ]
  }]
}
