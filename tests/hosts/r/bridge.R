# rJava with Java objects left in the parent, then forked workers three ways
# (parallel::mclapply, future::plan(multicore), doParallel + foreach). Plain
# tasks run R's gc(), which finalizes the inherited Java references: they must
# return their values with no report and no error from the finalizers. Tasks
# that stop() return their own error; tasks that use Java get an R error.
library(rJava)
.jinit()
suppressPackageStartupMessages({
  library(parallel)
  library(future)
  library(doParallel)
})
left <- lapply(1:200, function(i) .jnew("java/util/HashMap"))

plain <- function(i) {
  rm(left, envir = globalenv())  # drop the inherited Java references
  invisible(gc())                # and finalize them now
  x <- numeric(1e6)
  i * 10L
}
fails <- function(i) stop("plain failure ", i)
java <- function(i) .jcall(.jnew("java/util/ArrayList"), "I", "size") + i

show <- function(label, res) {
  cat(label, ": ", sep = "")
  cat(vapply(res, function(r) {
    if (inherits(r, "try-error")) paste0("error<", conditionMessage(attr(r, "condition")), ">")
    else if (inherits(r, "error")) paste0("error<", conditionMessage(r), ">")
    else format(r)
  }, ""), sep = " | ")
  cat("\n")
}

o <- list(mc.cores = 2, mc.preschedule = FALSE)
show("mclapply plain", mclapply(1:4, plain, mc.cores = 2, mc.preschedule = FALSE))
show("mclapply stop", mclapply(1:2, fails, mc.cores = 2, mc.preschedule = FALSE))
show("mclapply java", mclapply(1:2, java, mc.cores = 2, mc.preschedule = FALSE))

plan(multicore, workers = 2)
show("future plain", lapply(lapply(1:2, function(i) future(plain(i))),
                            function(f) tryCatch(value(f), error = function(e) e)))
show("future stop", lapply(lapply(1:2, function(i) future(fails(i))),
                           function(f) tryCatch(value(f), error = function(e) e)))
show("future java", lapply(lapply(1:2, function(i) future(java(i))),
                           function(f) tryCatch(value(f), error = function(e) e)))
plan(sequential)

registerDoParallel(cores = 2)
show("foreach plain", foreach(i = 1:4, .errorhandling = "pass") %dopar% plain(i))
show("foreach stop", foreach(i = 1:2, .errorhandling = "pass") %dopar% fails(i))
show("foreach java", foreach(i = 1:2, .errorhandling = "pass") %dopar% java(i))

cat("parent: map", .jcall(left[[1]], "I", "size"), "\n")
l <- .jnew("java/util/ArrayList")
for (k in 1:30) .jcall(l, "Z", "add", .jcast(.jarray(raw(1e6)), "java/lang/Object"))
.jcall("java/lang/System", "V", "gc")
cat("parent: works TRUE\n")
