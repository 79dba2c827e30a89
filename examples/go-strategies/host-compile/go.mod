module example.com/host-compile

go 1.19
