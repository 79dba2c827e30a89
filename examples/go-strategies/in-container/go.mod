module example.com/in-container

go 1.19
