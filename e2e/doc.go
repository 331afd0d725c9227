// Package e2e holds Waymark's end-to-end tests: they run the real program
// (cli.Main serve --demo) in-process and drive it with a headless Chromium,
// the way a newcomer, a keyboard user or a phone user would. The package has
// no code of its own; everything is in its _test.go files.
package e2e
