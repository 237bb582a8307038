# rJava + parallel::mclapply (fork): each task allocates Java arrays and asks
# for a GC. Without forkguard the forked workers hang (the GC waits for a VM
# thread that did not survive the fork); with it every task gets an R error at
# once and the parent keeps using Java.
library(rJava)
.jinit()
cat("jvm:", .jcall("java/lang/System", "S", "getProperty", "java.home"), "\n")

# Children that never touch Java: silent, ordinary results.
quiet <- parallel::mclapply(1:4, function(i) i * 2L, mc.cores = 2, mc.preschedule = FALSE)
cat("quiet:", unlist(quiet), "\n")

java_task <- function(i) {
  for (k in 1:30) a <- .jarray(raw(1e6))
  .jcall("java/lang/System", "V", "gc")
  i
}
res <- parallel::mclapply(1:4, java_task, mc.cores = 2, mc.preschedule = FALSE)
for (i in seq_along(res)) {
  r <- res[[i]]
  if (inherits(r, "try-error"))
    cat("task ", i, ": error ", conditionMessage(attr(r, "condition")), "\n", sep = "")
  else
    cat("task ", i, ": value ", format(r), "\n", sep = "")
}

parent_works <- function() {
  l <- .jnew("java/util/ArrayList")
  for (k in 1:30) {
    .jcall(l, "Z", "add", .jcast(.jarray(raw(1e6)), "java/lang/Object"))
    if (.jcall(l, "I", "size") > 20) .jcall(l, "V", "clear")
  }
  .jcall("java/lang/System", "V", "gc")
  TRUE
}
cat("parent: works", parent_works(), "\n")
