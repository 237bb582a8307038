# Helpers for the rjb scenarios: load the JVM from $JAVA_HOME, wait for a
# child with a bound (a hang is reported and the child killed), and a parent
# workload that needs GCs, which only a live JVM gets through.
require 'rjb'

def load_jvm
  Rjb::load('', ['-Xmx256m'])
end

# Returns the child's Process::Status, or nil when it was still running after
# `seconds` (then it is killed with SIGKILL and reaped).
def wait_bounded(pid, seconds)
  deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + seconds
  loop do
    _, status = Process.wait2(pid, Process::WNOHANG)
    return status if status
    if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
      Process.kill(:KILL, pid)
      Process.wait(pid)
      return nil
    end
    sleep 0.02
  end
end

def describe(status)
  return 'hung' unless status
  return "signal #{Signal.signame(status.termsig)}" if status.signaled?
  "exit #{status.exitstatus}"
end

def java_work
  list = Rjb::import('java.util.ArrayList').new
  bytes = Rjb::import('java.lang.String')
  300.times do
    list.add(bytes.new('x' * 1_000_000))
    list.clear if list.size > 20
  end
  Rjb::import('java.lang.System').gc
  true
end
