// FogLens TorchSharp compat shim.
//
// TorchSharp-cpu 0.107's libLibTorchSharp.so was linked against GCC 13's libstdc++ and
// references one symbol versioned GLIBCXX_3.4.32: std::ios_base_library_init(). GCC 13
// emits a call to it from every translation unit that includes <iostream>; its only job
// is to make sure the standard streams are constructed. Older libstdc++ (Debian 12 ships
// GCC 12) constructs them through a static std::ios_base::Init instead, which is exactly
// what this definition does.
#include <ios>

namespace std {
void ios_base_library_init() {
    static ios_base::Init init;
}
}
