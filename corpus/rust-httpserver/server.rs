// SPDX-License-Identifier: GPL-2.0
// Hello World over HTTP/1.1 with keep-alive, a thread per connection.
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::thread;

fn main() {
    let port = std::env::args().nth(1).expect("port");
    let l = TcpListener::bind(format!("127.0.0.1:{}", port)).expect("bind");
    for s in l.incoming() {
        let mut s = match s {
            Ok(s) => s,
            Err(_) => continue,
        };
        thread::spawn(move || {
            let mut r = BufReader::new(s.try_clone().expect("clone"));
            loop {
                let mut line = String::new();
                let mut blank = false;
                while !blank {
                    line.clear();
                    match r.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => blank = line == "\r\n",
                    }
                }
                let body = "Hello, World!";
                let resp = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: text/plain\r\n\r\n{}", body.len(), body);
                if s.write_all(resp.as_bytes()).is_err() {
                    return;
                }
            }
        });
    }
}
