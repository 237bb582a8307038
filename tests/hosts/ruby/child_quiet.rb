# Children that never touch Java, after the parent made Java objects: one
# exits with its own status, one ends its block normally (at_exit handlers
# and finalizers run), one drops the inherited Java objects and collects
# them (rjb's finalizers attach and DeleteGlobalRef). All silent, all prompt.
require_relative 'common'
$stdout.sync = true

load_jvm
list = Rjb::import('java.util.ArrayList').new
maps = Array.new(200) { Rjb::import('java.util.HashMap').new }
list.add(maps.first)
pid = fork { puts 'child: no java'; exit 7 }
puts "child exit: #{describe(wait_bounded(pid, Float(ARGV[0] || 10)))}"
pid = fork { puts 'child: no java, block ends' }
puts "child end: #{describe(wait_bounded(pid, Float(ARGV[0] || 10)))}"
pid = fork do
  maps = nil
  list = nil
  junk = Array.new(200_000) { |i| "s#{i}" }
  junk = nil
  3.times { GC.start(full_mark: true, immediate_sweep: true) }
  puts 'child: dropped and collected'
end
puts "child gc: #{describe(wait_bounded(pid, Float(ARGV[0] || 10)))}"
puts "parent: works #{java_work} #{list.size} #{maps.size}"
