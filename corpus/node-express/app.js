// SPDX-License-Identifier: GPL-2.0
// Loupe's Express app: Hello World on the port given.
const express = require("express");
const app = express();
app.get("/", (req, res) => res.send("Hello World!"));
app.listen(Number(process.argv[2]), "127.0.0.1");
