// SPDX-License-Identifier: GPL-2.0
//
// A Go program that uses what the Go runtime is made of: an HTTP server
// and 200 goroutines as its clients (netpoller, many threads, SIGURG
// preemption), os/exec (clone with CLONE_VFORK|CLONE_VM), os/signal and
// timers. tests/guest/runtimes_guest.sh compares its output with the native
// run's, built static and dynamic, on every decision path.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", r.URL.Path)
	})}
	go srv.Serve(ln)
	var wg sync.WaitGroup
	ok := make([]bool, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, err := http.Get(fmt.Sprintf("http://%s/%d", ln.Addr(), i))
			if err != nil {
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			ok[i] = string(b) == fmt.Sprintf("hello /%d", i)
		}(i)
	}
	wg.Wait()
	n := 0
	for _, v := range ok {
		if v {
			n++
		}
	}
	fmt.Println("http ok", n)
	out, err := exec.Command("/bin/echo", "from child").Output()
	fmt.Printf("exec %q %v\n", out, err)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	select {
	case s := <-sig:
		fmt.Println("signal", s)
	case <-time.After(5 * time.Second):
		fmt.Println("signal lost")
	}
	t := time.NewTimer(50 * time.Millisecond)
	<-t.C
	fmt.Println("timer fired")
}
