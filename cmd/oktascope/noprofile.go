//go:build !profile

package main

// startProfile does nothing: CPU profiles are for builds with -tags profile
// (profile.go).
func startProfile() func() { return func() {} }
