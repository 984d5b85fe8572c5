// SPDX-License-Identifier: GPL-2.0
package main

import "fmt"

func main() {
	fmt.Println("Hello from gccgo")
}
