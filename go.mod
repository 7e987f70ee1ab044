module github.com/oktascope/oktascope

go 1.26.8

require (
	github.com/goccy/go-json v0.12.0
	go.yaml.in/yaml/v3 v3.0.6
)
