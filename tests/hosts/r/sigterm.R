# A forked child that tried Java, then sleeps: SIGTERM must end it.
# (rJava starts its JVM with -Xrs, so libjvm owns no SIGTERM handler in R and
# this passes without forkguard too; it checks that nothing forkguard does in
# the child gets in the way.)
library(rJava)
.jinit()
ready <- tempfile()
p <- parallel::mcparallel({
  r <- try(.jarray(raw(1e6)), silent = TRUE)
  file.create(ready)
  Sys.sleep(30)
  "slept"
})
deadline <- Sys.time() + 10
while (!file.exists(ready) && Sys.time() < deadline) Sys.sleep(0.02)
t0 <- Sys.time()
tools::pskill(p$pid, tools::SIGTERM)
r <- suppressWarnings(parallel::mccollect(p, wait = TRUE))
cat(sprintf("sigterm: child gone after %.2f s, result %s\n",
            as.numeric(Sys.time() - t0, units = "secs"), deparse(unname(r))))
unlink(ready)
cat("parent: works", is.character(.jcall("java/lang/System", "S", "getProperty", "java.version")), "\n")
