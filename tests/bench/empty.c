/* The floor of a preloaded library's cost: one empty function, nothing
 * else. Preloading it costs what any preloaded object costs (opening,
 * mapping, relocating it, one more object in every symbol search), so the
 * benchmark prints it beside forkguard's start-up figures. */
void fg_bench_empty(void);

void fg_bench_empty(void)
{
}
