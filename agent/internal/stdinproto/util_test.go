package stdinproto

import (
	"fmt"
	"sort"
	"strconv"
	"time"
)

func sprintf(format string, args ...interface{}) string { return fmt.Sprintf(format, args...) }

func itoa(n int) string { return strconv.Itoa(n) }

func sorted(ds []time.Duration) []time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s
}

func minDuration(ds []time.Duration) time.Duration { return sorted(ds)[0] }

func medianDuration(ds []time.Duration) time.Duration { return sorted(ds)[len(ds)/2] }
