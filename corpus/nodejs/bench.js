// SPDX-License-Identifier: GPL-2.0
// Loupe's nodejs benchmark, timed by hand: RegExp#test against
// String#indexOf on a short string, each for about 200 ms; prints which
// is faster.
const s = "Hello World!";
function time(name, f) {
	let n = 0;
	const t0 = process.hrtime.bigint();
	let t = t0;
	while (t - t0 < 200000000n) {
		for (let i = 0; i < 1000; i++) f();
		n += 1000;
		t = process.hrtime.bigint();
	}
	return { name, hz: n / (Number(t - t0) / 1e9) };
}
const r = [time("RegExp#test", () => /o/.test(s)), time("String#indexOf", () => s.indexOf("o") > -1)];
r.forEach((x) => console.log(`${x.name} x ${Math.round(x.hz)} ops/sec`));
console.log("Fastest is " + r.sort((a, b) => b.hz - a.hz)[0].name);
