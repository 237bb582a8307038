# Children that never touch Java: one exits with its own status, one ends its
# block normally (at_exit handlers run). Both silent, both prompt.
require_relative 'common'
$stdout.sync = true

load_jvm
pid = fork { puts 'child: no java'; exit 7 }
puts "child exit: #{describe(wait_bounded(pid, Float(ARGV[0] || 10)))}"
pid = fork { puts 'child: no java, block ends' }
puts "child end: #{describe(wait_bounded(pid, Float(ARGV[0] || 10)))}"
puts "parent: works #{java_work}"
