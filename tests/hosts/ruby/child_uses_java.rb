# Rjb::load, fork, the child allocates Java objects until a GC is needed.
# Without forkguard the child hangs at the first GC. rjb ignores the error
# code of AttachCurrentThread, so forkguard hands it a poisoned env: the
# child's first JNIEnv call writes the report and aborts.
require_relative 'common'
$stdout.sync = true

load_jvm
puts "jvm: #{Rjb::import('java.lang.System').getProperty('java.home')}"
pid = fork do
  java_work
  puts 'child: java worked'
  exit 3
end
puts "child: #{describe(wait_bounded(pid, Float(ARGV[0] || 10)))}"
puts "parent: works #{java_work}"
