# SPDX-License-Identifier: GPL-2.0
# An mruby program that does something: classes, blocks, hashes,
# sorting, string formatting, exceptions.
class Account
  attr_reader :name, :balance
  def initialize(name)
    @name = name
    @balance = 0
  end
  def deposit(n)
    raise ArgumentError, "negative" if n < 0
    @balance += n
  end
end
accounts = (1..50).map { |i| Account.new("acct#{i}") }
1000.times { |i| accounts[i % 50].deposit(i) }
errors = 0
begin
  accounts[0].deposit(-1)
rescue ArgumentError
  errors += 1
end
top = accounts.sort { |a, b| b.balance <=> a.balance }.first(3).map { |a| "#{a.name}=#{a.balance}" }
puts "#{accounts.map(&:balance).inject(:+)} #{errors} #{top.join(',')}"
