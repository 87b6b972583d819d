package app

func Greet(name string) string {
	return "Hello, " + name
}
