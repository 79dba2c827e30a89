module example.com/quickstart/api

go 1.22
