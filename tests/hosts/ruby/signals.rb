# Children of the JVM owner can be stopped, and the host's own signal
# handling is left alone: Ruby's default SIGTERM handling, then a trap the
# parent installs after Rjb::load, both reach a forked child.
require_relative 'common'
$stdout.sync = true

def sleeper
  r, w = IO.pipe
  pid = fork do
    r.close
    w.puts 'ready'
    w.close
    sleep 30
    exit 9
  end
  w.close
  r.gets # the child is running (and has its handlers) before it is signalled
  r.close
  pid
end

load_jvm
pid = sleeper
Process.kill(:TERM, pid)
puts "default: #{describe(wait_bounded(pid, 5))}"

trap('TERM') { puts "trap: TERM in pid #{Process.pid}"; exit 4 }
pid = sleeper
Process.kill(:TERM, pid)
puts "trapped: #{describe(wait_bounded(pid, 5))}"

# The parent itself: its trap still runs.
got = false
trap('TERM') { got = true }
Process.kill(:TERM, Process.pid)
50.times { break if got; sleep 0.02 }
puts "parent: trap ran #{got}, works #{java_work}"
