"""Greetings, the conformance scenario's Python file."""


def greet(name):
    return "Hello, " + name


def farewell(name):
    return "Goodbye, " + name
