# SPDX-License-Identifier: GPL-2.0
# A Perl program that does something: writes a log, parses it with
# regular expressions, aggregates in hashes, sorts, formats a report
# into a file and reads it back.
use strict;
use warnings;
my $dir = shift or die "usage: real.pl DIR\n";
open(my $log, '>', "$dir/access.log") or die "$!";
my @paths = qw(/ /index.html /img/logo.png /api/v1/items /api/v1/users);
for my $i (0 .. 2999) {
	printf $log "10.0.%d.%d - - [07/Dec/2026:10:%02d:%02d] \"GET %s HTTP/1.1\" %d %d\n",
		$i % 7, $i % 251, ($i / 60) % 60, $i % 60, $paths[$i % @paths],
		$i % 13 ? 200 : 404, 100 + $i % 977;
}
close($log) or die "$!";
my (%hits, %bytes, %status);
open($log, '<', "$dir/access.log") or die "$!";
while (<$log>) {
	m/"GET (\S+) HTTP\/1\.1" (\d+) (\d+)$/ or die "bad line $.";
	$hits{$1}++;
	$bytes{$1} += $3;
	$status{$2}++;
}
close($log);
open(my $out, '>', "$dir/report.txt") or die "$!";
for my $p (sort { $hits{$b} <=> $hits{$a} || $a cmp $b } keys %hits) {
	printf $out "%-16s %5d %8d\n", $p, $hits{$p}, $bytes{$p};
}
close($out) or die "$!";
open($out, '<', "$dir/report.txt") or die "$!";
my @lines = <$out>;
unlink("$dir/access.log", "$dir/report.txt") == 2 or die "unlink: $!";
my $t = localtime(time);
print scalar(@lines), " ", join(",", map { "$_=$status{$_}" } sort keys %status), "\n";
