-- SPDX-License-Identifier: GPL-2.0
-- A Lua program that does something: counts the words of a text it
-- writes to a file and reads back, sorts them, formats a table, and
-- checks its own answer.
local path = arg[1]
local words = { "kernel", "syscall", "stub", "fake", "tier", "loupe" }
local f = assert(io.open(path, "w"))
for i = 1, 2000 do
	f:write(words[i % #words + 1], i % 7 == 0 and "\n" or " ")
end
f:close()
local count, total = {}, 0
for line in io.lines(path) do
	for w in line:gmatch("%a+") do
		count[w] = (count[w] or 0) + 1
		total = total + 1
	end
end
local keys = {}
for k in pairs(count) do keys[#keys + 1] = k end
table.sort(keys, function(a, b) return count[a] > count[b] or (count[a] == count[b] and a < b) end)
local out = {}
for _, k in ipairs(keys) do out[#out + 1] = string.format("%s=%d", k, count[k]) end
assert(os.remove(path))
assert(os.time() > 0 and os.clock() >= 0)
print(total, table.concat(out, ","))
