// SPDX-License-Identifier: GPL-2.0
package main

// #include <stdlib.h>
import "C"
import "fmt"

func main() {
	fmt.Println("hello from a test, cgo says", int(C.abs(-42)))
}
