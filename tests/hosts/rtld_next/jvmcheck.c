/* dlopen(libjvm) then look up JVM creation the way the java launcher, JPype
 * and rJava do. Prints, per lookup, the object the pointer lies in and its
 * offset from that object's base (run.sh compares with readelf). */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>

static void show(const char *what, void *p)
{
    Dl_info info;
    if (!p) {
        printf("%s: NULL %s\n", what, dlerror());
        return;
    }
    if (!dladdr(p, &info) || !info.dli_fname) {
        printf("%s: unknown object\n", what);
        return;
    }
    printf("%s: %s 0x%lx\n", what, info.dli_fname,
           (unsigned long)((uintptr_t)p - (uintptr_t)info.dli_fbase));
}

int main(int argc, char **argv)
{
    void *h = dlopen(argc > 1 ? argv[1] : "libjvm.so", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        printf("dlopen: %s\n", dlerror());
        return 2;
    }
    show("create", dlsym(h, "JNI_CreateJavaVM"));
    show("vcreate", dlvsym(h, "JNI_CreateJavaVM", "SUNWprivate_1.1"));
    show("getvms", dlsym(h, "JNI_GetCreatedJavaVMs"));
    show("initargs", dlsym(h, "JNI_GetDefaultJavaVMInitArgs"));
    return 0;
}
