module kbridge.test/goserver

go 1.19
