// A one-file Go HTTP service: answers with its version. Edit `version` while pitstop runs.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
)

const version = "1"

func main() {
	port := os.Getenv("PORT")
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, version) })
	log.Printf("version %s listening on :%s", version, port)
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
