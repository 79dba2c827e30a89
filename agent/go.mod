module pitstop/agent

go 1.19
