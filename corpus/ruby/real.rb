# SPDX-License-Identifier: GPL-2.0
# A Ruby program that does something: JSON, regular expressions, a
# thread pool over a queue, files, Struct, exceptions, a subprocess.
require "json"
require "tmpdir"
Item = Struct.new(:id, :name, :price)
dir = ARGV.fetch(0)
items = (1..1000).map { |i| Item.new(i, "item-#{i}", (i * 37) % 101) }
File.write(File.join(dir, "items.json"), JSON.generate(items.map(&:to_h)))
back = JSON.parse(File.read(File.join(dir, "items.json")))
q = Queue.new
back.each { |h| q << h }
sums = Array.new(4, 0)
threads = 4.times.map do |t|
  Thread.new do
    while (h = (q.pop(true) rescue nil))
      sums[t] += h["price"] if h["name"] =~ /\Aitem-\d+\z/
    end
  end
end
threads.each(&:join)
errors = 0
begin
  Integer("not a number")
rescue ArgumentError
  errors += 1
end
echo = IO.popen(["echo", "from a child"], &:read).strip
puts "#{back.size} #{sums.sum} #{errors} #{echo}"
