# The fix forkguard recommends: a PSOCK cluster (fork+exec of fresh Rscript
# workers), each worker starting its own JVM. Works, and nothing is reported.
library(rJava)
.jinit()
cl <- parallel::makePSOCKcluster(2)
res <- parallel::parLapply(cl, 1:4, function(i) {
  library(rJava)
  .jinit()
  for (k in 1:30) a <- .jarray(raw(1e6))
  .jcall("java/lang/System", "V", "gc")
  guarded <- any(grepl("libforkguard", readLines("/proc/self/maps")))
  sprintf("task %d: ok in pid %d, forkguard loaded %s", i, Sys.getpid(), guarded)
})
parallel::stopCluster(cl)
cat(unlist(res), sep = "\n")
for (k in 1:30) a <- .jarray(raw(1e6))
.jcall("java/lang/System", "V", "gc")
cat("parent: works TRUE\n")
