// SPDX-License-Identifier: GPL-2.0
package main

import (
	"fmt"
	"net"
)

func main() {
	ifs, err := net.Interfaces()
	if err != nil {
		panic(err)
	}
	for _, i := range ifs {
		addrs, err := i.Addrs()
		if err != nil {
			panic(err)
		}
		for _, a := range addrs {
			fmt.Println(a.String(), i.Name)
		}
	}
}
