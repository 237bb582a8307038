// C++ exceptions thrown and caught in a loop, from a C thread of the stress
// host: the unwinder they use (libgcc's _Unwind_RaiseException) looks up FDEs
// through the loader (_dl_find_object, or dl_iterate_phdr and its
// dl_load_write_lock), which is what a forked child can find held.
#include <stdexcept>

static int depth(int n)
{
    if (n == 0)
        throw std::runtime_error("stress");
    return depth(n - 1) + 1;
}

extern "C" long stress_throw_catch(int times)
{
    long caught = 0;
    for (int i = 0; i < times; i++) {
        try {
            depth(4 + i % 4);
        } catch (const std::exception &) {
            caught++;
        }
    }
    return caught;
}
