// A small program instrumented by hand in the exact form telemetry-injector inserts. The
// test builds it in a module named example.com/rt with the runtime at telemetry/.
//
//	demo      calls, a method, goroutines, panics recovered by the caller
//	sighup    waits on stdin so a test can toggle telemetry with SIGHUP in between
//	crash     a panic that nobody recovers
//	panicnil  panic(nil) that nobody recovers
//	dropped   one call, then how many events the sink lost
//	stress    many goroutines calling at once
package main

import _tm "example.com/rt/telemetry"

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"sync"
)

func Add(a, b int) int {
	defer _tm.Exit(_tm.Enter("Add", "main.go", 20, "a", a, "b", b))
	return a + b
}

func Square(x int) int {
	defer _tm.Exit(_tm.Enter("Square", "main.go", 25, "x", x))
	return x * x
}

func Login(user, password, note string) int {
	defer _tm.Exit(_tm.Enter("Login", "main.go", 30, "user", user, "password", password, "note", note))
	return len(user) + len(password)
}

func Risky(n int) int {
	defer _tm.Exit(_tm.Enter("Risky", "main.go", 35, "n", n))
	if n < 0 {
		panic(fmt.Sprintf("negative: %d", n))
	}
	return n
}

func Index(xs []int, i int) int {
	defer _tm.Exit(_tm.Enter("Index", "main.go", 43, "xs", xs, "i", i))
	return xs[i]
}

func Safe(f func() int) (result string) {
	defer _tm.Exit(_tm.Enter("Safe", "main.go", 48, "f", f))
	defer func() {
		if r := recover(); r != nil {
			result = fmt.Sprint("recovered: ", r)
		}
	}()
	return fmt.Sprint(f())
}

type Counter struct{ total int }

func (c *Counter) Inc(by int) int {
	defer _tm.Exit(_tm.Enter("(*Counter).Inc", "main.go", 60, "c", c, "by", by))
	c.total = Add(c.total, by)
	return c.total
}

func Work(i int) int {
	defer _tm.Exit(_tm.Enter("Work", "main.go", 66, "i", i))
	return Square(i)
}

func RunWorkers(n int) int {
	defer _tm.Exit(_tm.Enter("RunWorkers", "main.go", 71, "n", n))
	results := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = Work(i + 1)
		}(i)
	}
	wg.Wait()
	total := 0
	for _, r := range results {
		total = Add(total, r)
	}
	return total
}

func Phase(name string) int {
	defer _tm.Exit(_tm.Enter(name, "main.go", 90, "name", name))
	return Add(1, 2)
}

func Session(in *bufio.Reader) {
	defer _tm.Exit(_tm.Enter("Session", "main.go", 95, "in", in))
	Phase("during")
	fmt.Println("on")
	in.ReadString('\n')
	Phase("late")
}

func Explode(v any) {
	defer _tm.Exit(_tm.Enter("Explode", "main.go", 103, "v", v))
	panic(v)
}

func demo() {
	fmt.Println("add", Add(2, 3))
	fmt.Println("login", Login("ada", "hunter2", strings.Repeat("x", 500)))
	fmt.Println("safe", Safe(func() int { return Risky(4) }), "|", Safe(func() int { return Risky(-1) }))
	fmt.Println("index", Safe(func() int { return Index([]int{1, 2, 3}, 5) }))
	c := &Counter{}
	c.Inc(5)
	fmt.Println("counter", c.Inc(7))
	fmt.Println("workers", RunWorkers(3))
}

func sighup() {
	in := bufio.NewReader(os.Stdin)
	Phase("before")
	fmt.Println("ready")
	in.ReadString('\n')
	Session(in)
	fmt.Println("done")
}

func main() {
	switch os.Args[1] {
	case "demo":
		demo()
	case "sighup":
		sighup()
	case "crash":
		fmt.Println("before crash")
		Explode("boom")
	case "panicnil":
		fmt.Println("before crash")
		Explode(nil)
	case "stress":
		var wg sync.WaitGroup
		for g := 0; g < 32; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 50; i++ {
					Work(Add(g, i))
				}
			}(g)
		}
		wg.Wait()
		fmt.Println("stressed")
	case "dropped":
		Add(1, 2)
		fmt.Println("dropped", _tm.Dropped())
	}
}
