// SPDX-License-Identifier: GPL-2.0
// A Node.js program for tests/guest/runtimes_guest.sh: child_process, four
// worker_threads, fs.promises (libuv's thread pool, or io_uring) and an
// HTTP server answering 40 concurrent requests. Prints only what is the
// same in every run.
'use strict';
const http = require('http');
const os = require('os');
const path = require('path');
const fs = require('fs/promises');
const { execFileSync } = require('child_process');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');

function work(k) {
  let s = 0;
  for (let i = 0; i < 1000000; i++) s = (s + i * k) % 1000003;
  return s;
}

function get(port, url) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: url }, (r) => {
      let body = '';
      r.on('data', (d) => { body += d; });
      r.on('end', () => resolve(`${r.statusCode} ${body}`));
    }).on('error', reject);
  });
}

async function main() {
  const child = execFileSync('/bin/sh', ['-c', 'echo from child']).toString().trim();
  console.log(`child_process: '${child}'`);

  const sums = await Promise.all([1, 2, 3, 4].map((k) => new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: k });
    w.on('message', resolve);
    w.on('error', reject);
  })));
  console.log(`worker_threads: ${sums.join(' ')}`);

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kbnode-'));
  const file = path.join(dir, 'data.txt');
  await fs.writeFile(file, 'x'.repeat(100000));
  const st = await fs.stat(file);
  const back = await fs.readFile(file, 'utf8');
  await fs.rm(dir, { recursive: true });
  console.log(`fs.promises: ${st.size} bytes written, ${back.length} read back`);

  const server = http.createServer((req, res) => res.end(`hello ${req.url}`));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => get(port, `/r${i}`)));
  const right = answers.filter((a, i) => a === `200 hello /r${i}`).length;
  console.log(`http: ${right}/40 answers right`);
  server.close();
  console.log('node done');
}

if (isMainThread) {
  main().catch((e) => { console.error(e); process.exit(1); });
} else {
  parentPort.postMessage(work(workerData));
}
