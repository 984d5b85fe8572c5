# SPDX-License-Identifier: GPL-2.0
# An Elixir program that does something: processes, messages, Enum and
# Map, a file written and read back.
[dir] = System.argv()
parent = self()
pids = for i <- 1..20, do: spawn(fn -> send(parent, {:sum, i, Enum.sum(1..(i * 100))}) end)
sums = for _ <- pids, into: %{} do
  receive do
    {:sum, i, s} -> {i, s}
  end
end
path = Path.join(dir, "sums.txt")
File.write!(path, Enum.map_join(Enum.sort(sums), "\n", fn {i, s} -> "#{i} #{s}" end))
total = path |> File.read!() |> String.split("\n") |> Enum.map(fn l -> l |> String.split() |> List.last() |> String.to_integer() end) |> Enum.sum()
IO.puts("#{map_size(sums)} #{total}")
