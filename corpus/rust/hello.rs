// SPDX-License-Identifier: GPL-2.0
fn main() {
    let v: Vec<u64> = (1..=10).collect();
    println!("Hello, world! {}", v.iter().sum::<u64>());
}
