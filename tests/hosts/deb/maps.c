/* Prints whether libforkguard.so is mapped in this process and whether it
 * runs in secure-execution mode: installed set-user-ID root by
 * tests/hosts/deb/preload_etc.sh to show which preloads ld.so honours there. */
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

int main(void)
{
    char line[4096];
    int mapped = 0;
    FILE *f = fopen("/proc/self/maps", "r");

    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        mapped |= strstr(line, "/libforkguard.so") != NULL;
    printf("libforkguard %s, AT_SECURE %lu\n", mapped ? "mapped" : "absent",
           getauxval(AT_SECURE));
    return 0;
}
