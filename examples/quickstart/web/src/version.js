// Edit me while `pitstop up` runs: the page at http://127.0.0.1:8082 shows the new value.
export const version = '1.0.0';
