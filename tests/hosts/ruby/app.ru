# A Rack app that loads the JVM with rjb at boot: under puma's preload_app!
# or unicorn's preload_app true that happens in the master, and every worker
# is a forked child of the JVM's owner. /plain never uses Java but drops Java
# objects the master made and collects them (rjb's finalizers); /java does.
require 'rjb'
Rjb::load('', ['-Xmx256m'])
HashMap = Rjb::import('java.util.HashMap')
ArrayList = Rjb::import('java.util.ArrayList')
$inherited = Array.new(300) { HashMap.new }
$requests = 0

run lambda { |env|
  case env['PATH_INFO']
  when '/plain'
    $requests += 1
    $inherited = nil if $requests == 3
    Array.new(20_000) { |i| "x#{i}" }
    GC.start if ($requests % 5).zero?
    [200, { 'Content-Type' => 'text/plain' }, ["plain pid #{Process.pid}\n"]]
  when '/java'
    [200, { 'Content-Type' => 'text/plain' }, ["java #{ArrayList.new.size} pid #{Process.pid}\n"]]
  else
    [404, { 'Content-Type' => 'text/plain' }, ["not found\n"]]
  end
}
